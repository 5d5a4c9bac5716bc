/* SHA-1 (FIPS 180-4 §6.1), SHA-224/256 (§6.2, §6.3) and SHA-384/512 (§6.4, §6.5) block
 * compressions: portable C, plus the x86 SHA extensions (SHA-NI) for SHA-1 and SHA-256 when the
 * CPU has them (detected at run time with CPUID).
 *
 * Only the compression functions and the final padding live here; HMAC (RFC 2104) is built on
 * them in _native.c. Every path is checked against hashlib on millions of inputs of every length
 * around the block boundaries (tests/_speedups/test_hashes.py).
 */
#ifndef FLASKSCOPE_HASHES_H
#define FLASKSCOPE_HASHES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define FS_HAVE_X86_SHA 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define FS_HAVE_X86_SHA 0
#endif

#define FS_MAX_BLOCK 128
#define FS_MAX_DIGEST 64

typedef union {
    uint32_t w32[8];
    uint64_t w64[8];
} hash_state;

typedef void (*compress_fn)(hash_state *state, const uint8_t *blocks, size_t count);

typedef struct {
    const char *name;
    size_t block_size;
    size_t digest_size;
    size_t length_field; /* bytes of the message length at the end of the padding: 8 or 16 */
    int wide;            /* 64-bit words (SHA-384/512) */
    const void *initial; /* initial hash value (H(0)) */
    compress_fn compress;
} hash_algo;

static inline uint32_t rotl32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
static inline uint32_t rotr32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
static inline uint64_t rotr64(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

static inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t load_be64(const uint8_t *p)
{
    return ((uint64_t)load_be32(p) << 32) | load_be32(p + 4);
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
#if (defined(__GNUC__) || defined(__clang__)) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* One byte swap and one store (the byte-wise form below is what other compilers get). */
    uint32_t swapped = __builtin_bswap32(v);
    memcpy(p, &swapped, 4);
#else
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
#endif
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
    store_be32(p, (uint32_t)(v >> 32));
    store_be32(p + 4, (uint32_t)v);
}

/* ---- SHA-1, portable (FIPS 180-4 §6.1.2) ------------------------------------------------ */

/* Rounds of FIPS 180-4 §6.1.2 step 3, unrolled with the variables renamed instead of moved;
 * the schedule (step 1) kept in 16 words, W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]). */
#define SHA1_NEXT(t)                                                                            \
    (w[(t)&15] = rotl32(w[((t) + 13) & 15] ^ w[((t) + 8) & 15] ^ w[((t) + 2) & 15] ^ w[(t)&15], 1))
#define SHA1_ROUND(a, b, c, d, e, f, k, word)                                                   \
    e += rotl32(a, 5) + (f) + (k) + (word);                                                     \
    b = rotl32(b, 30);
#define SHA1_R0(a, b, c, d, e, t) SHA1_ROUND(a, b, c, d, e, d ^ (b & (c ^ d)), 0x5a827999, w[t])
#define SHA1_R1(a, b, c, d, e, t)                                                               \
    SHA1_ROUND(a, b, c, d, e, d ^ (b & (c ^ d)), 0x5a827999, SHA1_NEXT(t))
#define SHA1_R2(a, b, c, d, e, t) SHA1_ROUND(a, b, c, d, e, b ^ c ^ d, 0x6ed9eba1, SHA1_NEXT(t))
#define SHA1_R3(a, b, c, d, e, t)                                                               \
    SHA1_ROUND(a, b, c, d, e, (b & c) | (d & (b | c)), 0x8f1bbcdc, SHA1_NEXT(t))
#define SHA1_R4(a, b, c, d, e, t) SHA1_ROUND(a, b, c, d, e, b ^ c ^ d, 0xca62c1d6, SHA1_NEXT(t))

static void sha1_compress_portable(hash_state *state, const uint8_t *data, size_t count)
{
    uint32_t *h = state->w32;
    while (count--) {
        uint32_t w[16];
        for (int t = 0; t < 16; t++)
            w[t] = load_be32(data + 4 * t);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        SHA1_R0(a, b, c, d, e, 0)
        SHA1_R0(e, a, b, c, d, 1)
        SHA1_R0(d, e, a, b, c, 2)
        SHA1_R0(c, d, e, a, b, 3)
        SHA1_R0(b, c, d, e, a, 4)
        SHA1_R0(a, b, c, d, e, 5)
        SHA1_R0(e, a, b, c, d, 6)
        SHA1_R0(d, e, a, b, c, 7)
        SHA1_R0(c, d, e, a, b, 8)
        SHA1_R0(b, c, d, e, a, 9)
        SHA1_R0(a, b, c, d, e, 10)
        SHA1_R0(e, a, b, c, d, 11)
        SHA1_R0(d, e, a, b, c, 12)
        SHA1_R0(c, d, e, a, b, 13)
        SHA1_R0(b, c, d, e, a, 14)
        SHA1_R0(a, b, c, d, e, 15)
        SHA1_R1(e, a, b, c, d, 16)
        SHA1_R1(d, e, a, b, c, 17)
        SHA1_R1(c, d, e, a, b, 18)
        SHA1_R1(b, c, d, e, a, 19)
        SHA1_R2(a, b, c, d, e, 20)
        SHA1_R2(e, a, b, c, d, 21)
        SHA1_R2(d, e, a, b, c, 22)
        SHA1_R2(c, d, e, a, b, 23)
        SHA1_R2(b, c, d, e, a, 24)
        SHA1_R2(a, b, c, d, e, 25)
        SHA1_R2(e, a, b, c, d, 26)
        SHA1_R2(d, e, a, b, c, 27)
        SHA1_R2(c, d, e, a, b, 28)
        SHA1_R2(b, c, d, e, a, 29)
        SHA1_R2(a, b, c, d, e, 30)
        SHA1_R2(e, a, b, c, d, 31)
        SHA1_R2(d, e, a, b, c, 32)
        SHA1_R2(c, d, e, a, b, 33)
        SHA1_R2(b, c, d, e, a, 34)
        SHA1_R2(a, b, c, d, e, 35)
        SHA1_R2(e, a, b, c, d, 36)
        SHA1_R2(d, e, a, b, c, 37)
        SHA1_R2(c, d, e, a, b, 38)
        SHA1_R2(b, c, d, e, a, 39)
        SHA1_R3(a, b, c, d, e, 40)
        SHA1_R3(e, a, b, c, d, 41)
        SHA1_R3(d, e, a, b, c, 42)
        SHA1_R3(c, d, e, a, b, 43)
        SHA1_R3(b, c, d, e, a, 44)
        SHA1_R3(a, b, c, d, e, 45)
        SHA1_R3(e, a, b, c, d, 46)
        SHA1_R3(d, e, a, b, c, 47)
        SHA1_R3(c, d, e, a, b, 48)
        SHA1_R3(b, c, d, e, a, 49)
        SHA1_R3(a, b, c, d, e, 50)
        SHA1_R3(e, a, b, c, d, 51)
        SHA1_R3(d, e, a, b, c, 52)
        SHA1_R3(c, d, e, a, b, 53)
        SHA1_R3(b, c, d, e, a, 54)
        SHA1_R3(a, b, c, d, e, 55)
        SHA1_R3(e, a, b, c, d, 56)
        SHA1_R3(d, e, a, b, c, 57)
        SHA1_R3(c, d, e, a, b, 58)
        SHA1_R3(b, c, d, e, a, 59)
        SHA1_R4(a, b, c, d, e, 60)
        SHA1_R4(e, a, b, c, d, 61)
        SHA1_R4(d, e, a, b, c, 62)
        SHA1_R4(c, d, e, a, b, 63)
        SHA1_R4(b, c, d, e, a, 64)
        SHA1_R4(a, b, c, d, e, 65)
        SHA1_R4(e, a, b, c, d, 66)
        SHA1_R4(d, e, a, b, c, 67)
        SHA1_R4(c, d, e, a, b, 68)
        SHA1_R4(b, c, d, e, a, 69)
        SHA1_R4(a, b, c, d, e, 70)
        SHA1_R4(e, a, b, c, d, 71)
        SHA1_R4(d, e, a, b, c, 72)
        SHA1_R4(c, d, e, a, b, 73)
        SHA1_R4(b, c, d, e, a, 74)
        SHA1_R4(a, b, c, d, e, 75)
        SHA1_R4(e, a, b, c, d, 76)
        SHA1_R4(d, e, a, b, c, 77)
        SHA1_R4(c, d, e, a, b, 78)
        SHA1_R4(b, c, d, e, a, 79)
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        data += 64;
    }
}

/* ---- SHA-224/256, portable (FIPS 180-4 §6.2.2) ------------------------------------------ */

static const uint32_t SHA256_K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static void sha256_compress_portable(hash_state *state, const uint8_t *data, size_t count)
{
    uint32_t *h = state->w32;
    while (count--) {
        uint32_t w[64];
        for (int t = 0; t < 16; t++)
            w[t] = load_be32(data + 4 * t);
        for (int t = 16; t < 64; t++) {
            uint32_t s0 = rotr32(w[t - 15], 7) ^ rotr32(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint32_t s1 = rotr32(w[t - 2], 17) ^ rotr32(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
                 hh = h[7];
        for (int t = 0; t < 64; t++) {
            uint32_t s1 = rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25);
            uint32_t ch = (e & f) ^ (~e & g);
            uint32_t t1 = hh + s1 + ch + SHA256_K[t] + w[t];
            uint32_t s0 = rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22);
            uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
            uint32_t t2 = s0 + maj;
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
        data += 64;
    }
}

/* ---- SHA-384/512, portable (FIPS 180-4 §6.4.2) ------------------------------------------ */

static const uint64_t SHA512_K[80] = {
    0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
    0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
    0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
    0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
    0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
    0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
    0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
    0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
    0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
    0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
    0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
    0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
    0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
    0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
    0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
    0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
    0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
    0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
    0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
    0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL};

static void sha512_compress_portable(hash_state *state, const uint8_t *data, size_t count)
{
    uint64_t *h = state->w64;
    while (count--) {
        uint64_t w[80];
        for (int t = 0; t < 16; t++)
            w[t] = load_be64(data + 8 * t);
        for (int t = 16; t < 80; t++) {
            uint64_t s0 = rotr64(w[t - 15], 1) ^ rotr64(w[t - 15], 8) ^ (w[t - 15] >> 7);
            uint64_t s1 = rotr64(w[t - 2], 19) ^ rotr64(w[t - 2], 61) ^ (w[t - 2] >> 6);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
                 hh = h[7];
        for (int t = 0; t < 80; t++) {
            uint64_t s1 = rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41);
            uint64_t ch = (e & f) ^ (~e & g);
            uint64_t t1 = hh + s1 + ch + SHA512_K[t] + w[t];
            uint64_t s0 = rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39);
            uint64_t maj = (a & b) ^ (a & c) ^ (b & c);
            uint64_t t2 = s0 + maj;
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
        data += 128;
    }
}

/* ---- SHA-1 and SHA-256 with the x86 SHA extensions --------------------------------------- */

#if FS_HAVE_X86_SHA

/* Four rounds of SHA-1 (group g >= 3): Ea takes the next E from the message words Mc, the
 * message schedule advances (sha1msg1/msg2, FIPS 180-4 §6.1.2 step 1 four words at a time). */
#define SHA1_GROUP(Ea, Eb, Mc, Mp1, Mp2, Mp3, func)                                             \
    Ea = _mm_sha1nexte_epu32(Ea, Mc);                                                          \
    Eb = abcd;                                                                                  \
    Mp1 = _mm_sha1msg2_epu32(Mp1, Mc);                                                         \
    abcd = _mm_sha1rnds4_epu32(abcd, Ea, func);                                                \
    Mp3 = _mm_sha1msg1_epu32(Mp3, Mc);                                                         \
    Mp2 = _mm_xor_si128(Mp2, Mc);

__attribute__((target("sha,sse4.1,ssse3"))) static void
sha1_compress_shani(hash_state *state, const uint8_t *data, size_t count)
{
    const __m128i byteswap = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
    __m128i abcd = _mm_loadu_si128((const __m128i *)state->w32);
    __m128i e0 = _mm_set_epi32((int)state->w32[4], 0, 0, 0);
    abcd = _mm_shuffle_epi32(abcd, 0x1B);
    while (count--) {
        __m128i abcd_saved = abcd, e0_saved = e0, e1;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), byteswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), byteswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), byteswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), byteswap);
        /* rounds 0-3 */
        e0 = _mm_add_epi32(e0, m0);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        /* rounds 4-7 */
        e1 = _mm_sha1nexte_epu32(e1, m1);
        e0 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
        m0 = _mm_sha1msg1_epu32(m0, m1);
        /* rounds 8-11 */
        e0 = _mm_sha1nexte_epu32(e0, m2);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        m1 = _mm_sha1msg1_epu32(m1, m2);
        m0 = _mm_xor_si128(m0, m2);
        /* rounds 12-79, four at a time */
        SHA1_GROUP(e1, e0, m3, m0, m1, m2, 0)
        SHA1_GROUP(e0, e1, m0, m1, m2, m3, 0)
        SHA1_GROUP(e1, e0, m1, m2, m3, m0, 1)
        SHA1_GROUP(e0, e1, m2, m3, m0, m1, 1)
        SHA1_GROUP(e1, e0, m3, m0, m1, m2, 1)
        SHA1_GROUP(e0, e1, m0, m1, m2, m3, 1)
        SHA1_GROUP(e1, e0, m1, m2, m3, m0, 1)
        SHA1_GROUP(e0, e1, m2, m3, m0, m1, 2)
        SHA1_GROUP(e1, e0, m3, m0, m1, m2, 2)
        SHA1_GROUP(e0, e1, m0, m1, m2, m3, 2)
        SHA1_GROUP(e1, e0, m1, m2, m3, m0, 2)
        SHA1_GROUP(e0, e1, m2, m3, m0, m1, 2)
        SHA1_GROUP(e1, e0, m3, m0, m1, m2, 3)
        SHA1_GROUP(e0, e1, m0, m1, m2, m3, 3)
        SHA1_GROUP(e1, e0, m1, m2, m3, m0, 3)
        SHA1_GROUP(e0, e1, m2, m3, m0, m1, 3)
        SHA1_GROUP(e1, e0, m3, m0, m1, m2, 3)
        e0 = _mm_sha1nexte_epu32(e0, e0_saved);
        abcd = _mm_add_epi32(abcd, abcd_saved);
        data += 64;
    }
    abcd = _mm_shuffle_epi32(abcd, 0x1B);
    _mm_storeu_si128((__m128i *)state->w32, abcd);
    state->w32[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

/* Four rounds of SHA-256 with message words m (already byte-swapped), round constants k. */
#define SHA256_ROUNDS4(m, k)                                                                    \
    msg = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)(SHA256_K + (k))));                \
    state1 = _mm_sha256rnds2_epu32(state1, state0, msg);                                       \
    msg = _mm_shuffle_epi32(msg, 0x0E);                                                         \
    state0 = _mm_sha256rnds2_epu32(state0, state1, msg);

/* The next four message words from the previous sixteen (FIPS 180-4 §6.2.2 step 1). */
#define SHA256_SCHEDULE(mnew, ma, mb, mc, md)                                                   \
    tmp = _mm_alignr_epi8(md, mc, 4);                                                           \
    mnew = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(ma, mb), tmp), md);

__attribute__((target("sha,sse4.1,ssse3"))) static void
sha256_compress_shani(hash_state *state, const uint8_t *data, size_t count)
{
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state->w32[0]);     /* a b c d */
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state->w32[4]);  /* e f g h */
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                                  /* c d a b */
    state1 = _mm_shuffle_epi32(state1, 0x1B);                            /* h g f e */
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);                    /* a b e f */
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);                         /* c d g h */
    while (count--) {
        __m128i saved0 = state0, saved1 = state1, msg;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), byteswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), byteswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), byteswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), byteswap);
        SHA256_ROUNDS4(m0, 0)
        SHA256_ROUNDS4(m1, 4)
        SHA256_ROUNDS4(m2, 8)
        SHA256_ROUNDS4(m3, 12)
        for (int k = 16; k < 64; k += 16) {
            SHA256_SCHEDULE(m0, m0, m1, m2, m3)
            SHA256_ROUNDS4(m0, k)
            SHA256_SCHEDULE(m1, m1, m2, m3, m0)
            SHA256_ROUNDS4(m1, k + 4)
            SHA256_SCHEDULE(m2, m2, m3, m0, m1)
            SHA256_ROUNDS4(m2, k + 8)
            SHA256_SCHEDULE(m3, m3, m0, m1, m2)
            SHA256_ROUNDS4(m3, k + 12)
        }
        state0 = _mm_add_epi32(state0, saved0);
        state1 = _mm_add_epi32(state1, saved1);
        data += 64;
    }
    tmp = _mm_shuffle_epi32(state0, 0x1B);                               /* f e b a */
    state1 = _mm_shuffle_epi32(state1, 0xB1);                            /* d c h g */
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);                         /* d c b a */
    state1 = _mm_alignr_epi8(state1, tmp, 8);                            /* h g f e */
    _mm_storeu_si128((__m128i *)&state->w32[0], state0);
    _mm_storeu_si128((__m128i *)&state->w32[4], state1);
}

/* CPUID leaf 7, EBX bit 29: the SHA extensions; SSSE3 and SSE4.1 (leaf 1, ECX bits 9, 19)
 * for the byte shuffles and lane extraction around them. */
static int cpu_has_sha_extensions(void)
{
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return 0;
    if (!(ecx & (1u << 9)) || !(ecx & (1u << 19)))
        return 0;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx >> 29) & 1;
}

#else

static int cpu_has_sha_extensions(void) { return 0; }

#endif

/* ---- the algorithms ----------------------------------------------------------------------- */

static const uint32_t SHA1_H0[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
static const uint32_t SHA224_H0[8] = {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
                                      0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4};
static const uint32_t SHA256_H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
static const uint64_t SHA384_H0[8] = {
    0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL, 0x152fecd8f70e5939ULL,
    0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL, 0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL};
static const uint64_t SHA512_H0[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static void hash_init(const hash_algo *algo, hash_state *state)
{
    memset(state, 0, sizeof(*state));
    memcpy(state, algo->initial, algo->wide ? 64 : (algo->digest_size == 20 ? 20 : 32));
}

/* The digest from a state: the words big-endian, truncated to the digest size (SHA-224/384:
 * both sizes are whole words). */
static void hash_output(const hash_algo *algo, const hash_state *state, uint8_t *out)
{
    if (algo->wide) {
        for (size_t i = 0; i < algo->digest_size / 8; i++)
            store_be64(out + 8 * i, state->w64[i]);
    } else {
        for (size_t i = 0; i < algo->digest_size / 4; i++)
            store_be32(out + 4 * i, state->w32[i]);
    }
}

/* Finish a hash whose state has absorbed ``done`` bytes (a whole number of blocks): the rest
 * of the message, then the padding of FIPS 180-4 §5.1 (0x80, zeros, the length in bits). */
static void hash_finish(const hash_algo *algo, hash_state *state, uint64_t done,
                        const uint8_t *message, size_t length, uint8_t *out)
{
    size_t block = algo->block_size;
    size_t whole = length / block;
    if (whole) {
        algo->compress(state, message, whole);
        message += whole * block;
        length -= whole * block;
        done += whole * block;
    }
    uint8_t tail[2 * FS_MAX_BLOCK];
    size_t size = length + 1 + algo->length_field <= block ? block : 2 * block;
    memcpy(tail, message, length);
    tail[length] = 0x80;
    memset(tail + length + 1, 0, size - length - 1);
    store_be64(tail + size - 8, (done + length) * 8);
    algo->compress(state, tail, size / block);
    hash_output(algo, state, out);
}

/* A whole hash of one message. */
static void hash_bytes(const hash_algo *algo, const uint8_t *message, size_t length,
                       uint8_t *out)
{
    hash_state state;
    hash_init(algo, &state);
    hash_finish(algo, &state, 0, message, length, out);
}

#endif
