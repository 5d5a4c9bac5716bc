/* Strict UTF-8 validation (RFC 3629 §4, exactly what Python's strict decoder accepts) of a
 * payload that may still be masked (RFC 6455 §5.3): what §8.1 asks of every text message.
 *
 * Two paths, chosen at run time:
 * - AVX2 (x86 with GCC or Clang, when CPUID and the OS say the YMM registers are usable): the
 *   "lookup" algorithm of Keiser and Lemire, "Validating UTF-8 In Less Than One Instruction Per
 *   Byte" (Software: Practice and Experience, 2021), as simdjson implements it. The masking key
 *   is XORed into each 32-byte block as it is loaded (blocks start at multiples of 32, so the
 *   key's phase is always 0): the unmasked text is never written anywhere.
 * - Portable C: the key applied into a scratch buffer, then a byte-at-a-time validator with an
 *   ASCII fast path of 8 bytes.
 * tests/_speedups/test_skim.py holds both to Python's decoder (every sequence up to 4 bytes,
 * random text with errors at every offset around the 32-byte blocks, masked and not). */
#ifndef FLASKSCOPE_UTF8_H
#define FLASKSCOPE_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "_hashes.h"

/* Whether data is UTF-8 as Python's strict decoder accepts it (RFC 3629 §4: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no sequence cut off at the end). */
static int utf8_valid_portable(const uint8_t *data, size_t length)
{
    size_t i = 0;
    while (i < length) {
        if (i + 8 <= length) {
            uint64_t word;
            memcpy(&word, data + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        uint8_t lead = data[i];
        if (lead < 0x80) {
            i++;
        } else if (lead < 0xC2) {
            return 0;
        } else if (lead < 0xE0) {
            if (i + 1 >= length || (data[i + 1] & 0xC0) != 0x80)
                return 0;
            i += 2;
        } else if (lead < 0xF0) {
            if (i + 2 >= length)
                return 0;
            uint8_t second = data[i + 1];
            if ((second & 0xC0) != 0x80 || (data[i + 2] & 0xC0) != 0x80)
                return 0;
            if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F))
                return 0;
            i += 3;
        } else if (lead < 0xF5) {
            if (i + 3 >= length)
                return 0;
            uint8_t second = data[i + 1];
            if ((second & 0xC0) != 0x80 || (data[i + 2] & 0xC0) != 0x80 ||
                (data[i + 3] & 0xC0) != 0x80)
                return 0;
            if ((lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F))
                return 0;
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

#if FS_HAVE_X86_SHA /* x86 with GCC or Clang: <cpuid.h> and <immintrin.h> are included */
#define FS_HAVE_AVX2_PATH 1

/* CPUID leaf 7 EBX bit 5 (AVX2), and the OS saves the YMM registers: leaf 1 ECX bit 27
 * (OSXSAVE), then XCR0 bits 1 and 2 (SSE and AVX state) read with XGETBV. */
static int cpu_has_avx2(void)
{
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27)))
        return 0;
    unsigned int xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    (void)xcr0_high;
    if ((xcr0_low & 6u) != 6u || __get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx >> 5) & 1;
}

/* The error classes of a byte pair (first byte's high and low nibble, second byte's high
 * nibble), one bit each; a pair is wrong when the three lookups share a bit. */
#define U8_TOO_SHORT (1 << 0)   /* 11______ 0_______ or 11______ 11______ */
#define U8_TOO_LONG (1 << 1)    /* 0_______ 10______ */
#define U8_OVERLONG_3 (1 << 2)  /* 11100000 100_____ */
#define U8_TOO_LARGE (1 << 3)   /* 11110100 1001____, 11110100 101_____, 11110101+ 1001____+ */
#define U8_SURROGATE (1 << 4)   /* 11101101 101_____ */
#define U8_OVERLONG_2 (1 << 5)  /* 1100000_ 10______ */
#define U8_TOO_LARGE_1000 (1 << 6) /* 11110101+ 1000____ */
#define U8_OVERLONG_4 (1 << 6)  /* 11110000 1000____ */
#define U8_TWO_CONTS (1 << 7)   /* 10______ 10______: wrong unless the third or fourth byte */
#define U8_CARRY (U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS)

#define U8_TABLE(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

/* The input shifted by n bytes, the previous block's last n bytes in front. */
#define U8_PREVIOUS(input, previous, n)                                                        \
    _mm256_alignr_epi8((input), _mm256_permute2x128_si256((previous), (input), 0x21), 16 - (n))

__attribute__((target("avx2"))) static int utf8_valid_avx2(const uint8_t *data, size_t length,
                                                           const uint8_t key[4])
{
    const __m256i byte_1_high = U8_TABLE(
        U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
        U8_TOO_LONG, U8_TOO_LONG, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS,
        U8_TOO_SHORT | U8_OVERLONG_2, U8_TOO_SHORT, U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,
        U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4);
    const __m256i byte_1_low = U8_TABLE(
        U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4, U8_CARRY | U8_OVERLONG_2,
        U8_CARRY, U8_CARRY, U8_CARRY | U8_TOO_LARGE, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_SURROGATE,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000);
    const __m256i byte_2_high = U8_TABLE(
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
        U8_TOO_SHORT, U8_TOO_SHORT,
        U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 | U8_TOO_LARGE_1000 |
            U8_OVERLONG_4,
        U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 | U8_TOO_LARGE,
        U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE,
        U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE, U8_TOO_SHORT,
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT);
    /* A block's last bytes that start a sequence the next block must finish: a lead of 2 bytes
     * or more in the last, of 3 or more second to last, of 4 third to last. */
    const __m256i incomplete_above = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    const __m256i low_nibble = _mm256_set1_epi8(0x0F);
    const __m256i third_byte = _mm256_set1_epi8((char)(0xE0 - 0x80));
    const __m256i fourth_byte = _mm256_set1_epi8((char)(0xF0 - 0x80));
    const __m256i high_bit = _mm256_set1_epi8((char)0x80);
    uint32_t key_word;
    memcpy(&key_word, key, 4);
    const __m256i mask = _mm256_set1_epi32((int)key_word);
    __m256i previous = _mm256_setzero_si256();
    __m256i previous_incomplete = _mm256_setzero_si256();
    __m256i error = _mm256_setzero_si256();
    uint8_t tail[32];
    size_t i = 0;
    while (i < length) {
        __m256i input;
        if (length - i >= 32) {
            input = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(data + i)), mask);
        } else {
            /* The last bytes, padded with zeros: ASCII, so a sequence cut off by the end of
             * the payload fails here as one cut off by any ASCII byte would. */
            memset(tail, 0, sizeof tail);
            for (size_t j = 0; i + j < length; j++)
                tail[j] = data[i + j] ^ key[j & 3];
            input = _mm256_loadu_si256((const __m256i *)tail);
        }
        i += 32;
        if (_mm256_movemask_epi8(input) == 0) {
            error = _mm256_or_si256(error, previous_incomplete);
            previous_incomplete = _mm256_setzero_si256();
            previous = input;
            continue;
        }
        __m256i previous_1 = U8_PREVIOUS(input, previous, 1);
        __m256i pair_errors = _mm256_and_si256(
            _mm256_and_si256(
                _mm256_shuffle_epi8(byte_1_high,
                                    _mm256_and_si256(_mm256_srli_epi16(previous_1, 4), low_nibble)),
                _mm256_shuffle_epi8(byte_1_low, _mm256_and_si256(previous_1, low_nibble))),
            _mm256_shuffle_epi8(byte_2_high,
                                _mm256_and_si256(_mm256_srli_epi16(input, 4), low_nibble)));
        /* Third and fourth bytes of 3- and 4-byte sequences must be continuations: exactly
         * where the pair check flagged TWO_CONTS. */
        __m256i must_continue = _mm256_and_si256(
            _mm256_or_si256(_mm256_subs_epu8(U8_PREVIOUS(input, previous, 2), third_byte),
                            _mm256_subs_epu8(U8_PREVIOUS(input, previous, 3), fourth_byte)),
            high_bit);
        error = _mm256_or_si256(error, _mm256_xor_si256(must_continue, pair_errors));
        previous_incomplete = _mm256_subs_epu8(input, incomplete_above);
        previous = input;
    }
    error = _mm256_or_si256(error, previous_incomplete);
    return _mm256_testz_si256(error, error);
}

#else
#define FS_HAVE_AVX2_PATH 0
static int cpu_has_avx2(void) { return 0; }
#endif

static int have_avx2 = 0; /* set once, when the module loads */

#endif
