/* WebSocket helpers for flaskscope's native speedups: XOR masking (RFC 6455 §5.3), strict
 * UTF-8 validation (RFC 3629 §4, as Python's decoder) and the counts-only frame skim. Pure C on
 * buffers; the Python wrappers are in _native.c. */
#ifndef FLASKSCOPE_FRAMES_H
#define FLASKSCOPE_FRAMES_H

#include <stdlib.h>

#include "_hashes.h"
#include "_utf8.h"

static void xor_mask(const uint8_t *in, uint8_t *out, size_t length, const uint8_t key[4])
{
    uint64_t word;
    uint8_t key8[8];
    for (int i = 0; i < 8; i++)
        key8[i] = key[i & 3];
    memcpy(&word, key8, 8);
    size_t i = 0;
#if defined(__SSE2__) && FS_HAVE_X86_SHA
    __m128i wide = _mm_set1_epi64x((long long)word);
    for (; i + 64 <= length; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(in + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(in + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(in + i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(in + i + 48));
        _mm_storeu_si128((__m128i *)(out + i), _mm_xor_si128(a, wide));
        _mm_storeu_si128((__m128i *)(out + i + 16), _mm_xor_si128(b, wide));
        _mm_storeu_si128((__m128i *)(out + i + 32), _mm_xor_si128(c, wide));
        _mm_storeu_si128((__m128i *)(out + i + 48), _mm_xor_si128(d, wide));
    }
#endif
    for (; i + 8 <= length; i += 8) {
        uint64_t chunk;
        memcpy(&chunk, in + i, 8);
        chunk ^= word;
        memcpy(out + i, &chunk, 8);
    }
    for (; i < length; i++)
        out[i] = in[i] ^ key[i & 3];
}

/* Whether (data XOR the 4-byte key repeated) is strict UTF-8 (key NULL: data as it is). The
 * AVX2 path unmasks as it loads; the portable one needs length bytes of scratch for a key. */
static int text_valid(const uint8_t *data, size_t length, const uint8_t *key, int simd,
                      uint8_t *scratch)
{
#if FS_HAVE_AVX2_PATH
    if (simd && have_avx2) {
        static const uint8_t no_key[4] = {0, 0, 0, 0};
        return utf8_valid_avx2(data, length, key == NULL ? no_key : key);
    }
#else
    (void)simd;
#endif
    if (key == NULL)
        return utf8_valid_portable(data, length);
    xor_mask(data, scratch, length, key);
    return utf8_valid_portable(scratch, length);
}

#define MAX_64BIT_LENGTH 0x7FFFFFFFFFFFFFFFULL

typedef struct {
    size_t position; /* the first frame not counted */
    unsigned long long binary, text, ping, pong, payload_bytes;
} skim_counts;

/* The counts-only parser's skim (flaskscope/frames/skim.py ``skim_python``): whole, final,
 * unfragmented binary and text frames (only when ``data``) and Ping and Pong frames that lie
 * entirely in view[0:size] from ``start`` on, with the masking the role requires, minimal
 * lengths, at most 125 bytes in a control frame, and valid UTF-8 in text. It stops at the first
 * frame that is anything else, which the general parser then reads from its first byte.
 * Returns 0, or -1 when the scratch buffer for unmasked text could not be allocated. */
static int skim_frames(const uint8_t *view, size_t size, size_t start, int masked,
                       unsigned long long max_size, int data, skim_counts *counts)
{
    size_t position = start;
    size_t header_extra = masked ? 4 : 0;
    uint8_t mask_bit = masked ? 0x80 : 0;
    unsigned long long binary = 0, text = 0, ping = 0, pong = 0, payload_bytes = 0;
    uint8_t *scratch = NULL;
    size_t scratch_size = 0;
    int failed = 0;
    while (size >= 2 && position <= size - 2) {
        uint8_t first = view[position], second = view[position + 1];
        if ((second & 0x80) != mask_bit)
            break;
        uint64_t length = second & 0x7F;
        if (first == 0x89 || first == 0x8A) { /* §5.5: FIN set, at most 125 bytes */
            if (length > 125 || size - position < 2 + header_extra ||
                length > size - position - 2 - header_extra)
                break;
            if (first == 0x89)
                ping++;
            else
                pong++;
            payload_bytes += length;
            position += 2 + header_extra + (size_t)length;
            continue;
        }
        if (!data || (first != 0x82 && first != 0x81))
            break;
        size_t header_length;
        if (length < 126) {
            header_length = 2 + header_extra;
        } else if (length == 126) {
            header_length = 4 + header_extra;
            if (size - position < header_length)
                break;
            length = ((uint64_t)view[position + 2] << 8) | view[position + 3];
            if (length < 126)
                break;
        } else {
            header_length = 10 + header_extra;
            if (size - position < header_length)
                break;
            length = load_be64(view + position + 2);
            if (length <= 0xFFFF || length > MAX_64BIT_LENGTH)
                break;
        }
        if (size - position < header_length || length > size - position - header_length ||
            length > max_size)
            break;
        size_t body = position + header_length;
        if (first == 0x82) {
            binary++;
        } else {
            const uint8_t *key = masked ? view + body - 4 : NULL;
            if (key != NULL && !have_avx2 && length > scratch_size) {
                uint8_t *grown = realloc(scratch, (size_t)length);
                if (grown == NULL) {
                    failed = 1;
                    break;
                }
                scratch = grown;
                scratch_size = (size_t)length;
            }
            if (!text_valid(view + body, (size_t)length, key, 1, scratch))
                break;
            text++;
        }
        payload_bytes += length;
        position = body + (size_t)length;
    }
    free(scratch);
    counts->position = position;
    counts->binary = binary;
    counts->text = text;
    counts->ping = ping;
    counts->pong = pong;
    counts->payload_bytes = payload_bytes;
    return failed ? -1 : 0;
}

/* Frames that change no parser state, for the counts-only parser once it reports no more
 * violations (flaskscope/frames/skim.py ``tally_python``): any opcode but text, binary and Close
 * (continuation only when ``continuation``: no message in progress), a 7-bit length (at most
 * 125: what a control frame may carry), whole in view[0:size]; with ``probe_http``, not a first
 * byte where an HTTP line may start ('A'-'Z', '<'). buckets[first byte | mask bit << 1] counts
 * them: their violations depend on nothing else. Returns where it stopped. */
static size_t tally_frames(const uint8_t *view, size_t size, size_t start, int continuation,
                           int probe_http, unsigned long long *buckets,
                           unsigned long long *payload_bytes)
{
    size_t position = start;
    while (size >= 2 && position <= size - 2) {
        uint8_t first = view[position], second = view[position + 1];
        uint8_t opcode = first & 0x0F;
        if (opcode == 1 || opcode == 2 || opcode == 8 || (opcode == 0 && !continuation))
            break;
        if (probe_http && ((first >= 0x41 && first <= 0x5A) || first == 0x3C))
            break;
        size_t length = second & 0x7F;
        size_t header_length = (second & 0x80) ? 6 : 2;
        if (length > 125 || size - position < header_length ||
            length > size - position - header_length)
            break;
        buckets[first | ((unsigned)(second & 0x80) << 1)]++;
        *payload_bytes += length;
        position += header_length + length;
    }
    return position;
}

#endif
