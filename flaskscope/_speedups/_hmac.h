/* HMAC (RFC 2104 §2) over the hashes of _hashes.h, one key at a time and two keys at a time,
 * for the weak-secret check in _native.c. */
#ifndef FLASKSCOPE_HMAC_H
#define FLASKSCOPE_HMAC_H

#include "_hashes.h"

static int have_sha_extensions = 0;

static const hash_algo ALGOS[] = {
    {"sha1", 64, 20, 8, 0, SHA1_H0, sha1_compress_portable},
    {"sha224", 64, 28, 8, 0, SHA224_H0, sha256_compress_portable},
    {"sha256", 64, 32, 8, 0, SHA256_H0, sha256_compress_portable},
    {"sha384", 128, 48, 16, 1, SHA384_H0, sha512_compress_portable},
    {"sha512", 128, 64, 16, 1, SHA512_H0, sha512_compress_portable},
};

/* The algorithm called ``name``, with the SHA extensions' compression when allowed. */
static int find_algo(const char *name, int cpu_extensions, hash_algo *out)
{
    for (size_t i = 0; i < sizeof(ALGOS) / sizeof(ALGOS[0]); i++) {
        if (strcmp(ALGOS[i].name, name) == 0) {
            *out = ALGOS[i];
#if FS_HAVE_X86_SHA
            if (cpu_extensions && have_sha_extensions) {
                if (out->compress == sha1_compress_portable)
                    out->compress = sha1_compress_shani;
                else if (out->compress == sha256_compress_portable)
                    out->compress = sha256_compress_shani;
            }
#else
            (void)cpu_extensions;
#endif
            return 1;
        }
    }
    return 0;
}

/* ---- HMAC (RFC 2104 §2) -------------------------------------------------------------------- */

/* The states after the first block of the inner and outer hash: H(K ^ ipad) and H(K ^ opad)
 * with K zero-padded to the block (hashed first when longer than a block). */
static void hmac_key_states(const hash_algo *algo, const uint8_t *key, size_t key_length,
                            hash_state *inner, hash_state *outer)
{
    uint8_t hashed[FS_MAX_DIGEST];
    uint8_t pad[FS_MAX_BLOCK];
    size_t block = algo->block_size;
    if (key_length > block) {
        hash_bytes(algo, key, key_length, hashed);
        key = hashed;
        key_length = algo->digest_size;
    }
    memset(pad, 0x36, block);
    for (size_t i = 0; i < key_length; i++)
        pad[i] ^= key[i];
    hash_init(algo, inner);
    algo->compress(inner, pad, 1);
    memset(pad, 0x5c, block);
    for (size_t i = 0; i < key_length; i++)
        pad[i] ^= key[i];
    hash_init(algo, outer);
    algo->compress(outer, pad, 1);
}

static void hmac(const hash_algo *algo, const uint8_t *key, size_t key_length,
                 const uint8_t *message, size_t length, uint8_t *out)
{
    hash_state inner, outer;
    uint8_t inner_digest[FS_MAX_DIGEST];
    hmac_key_states(algo, key, key_length, &inner, &outer);
    hash_finish(algo, &inner, algo->block_size, message, length, inner_digest);
    hash_finish(algo, &outer, algo->block_size, inner_digest, algo->digest_size, out);
}

/* ---- two candidates at a time ---------------------------------------------------------------
 *
 * One SHA compression is a chain of dependent rounds: the CPU's SHA units sit idle waiting on
 * latency. Two candidates' compressions issued one after the other are independent, so the
 * CPU overlaps them (measured with the SHA extensions: 44 ns per compression alone, 23.5 ns
 * in pairs). Every step below therefore runs the same compression for two candidates. */

typedef struct {
    const uint8_t *whole; /* the message's whole blocks (owned by the checker) */
    size_t whole_blocks;
    uint8_t tail[2 * FS_MAX_BLOCK]; /* the last bytes and the padding (FIPS 180-4 §5.1) */
    size_t tail_blocks;
} padded_message;

/* A message that follows ``done`` bytes of hash input, padded once for every candidate. */
static void pad_message(const hash_algo *algo, padded_message *padded, uint64_t done,
                        const uint8_t *message, size_t length)
{
    size_t block = algo->block_size;
    padded->whole = message;
    padded->whole_blocks = length / block;
    size_t rest = length - padded->whole_blocks * block;
    size_t size = rest + 1 + algo->length_field <= block ? block : 2 * block;
    memset(padded->tail, 0, sizeof(padded->tail));
    if (rest)
        memcpy(padded->tail, message + padded->whole_blocks * block, rest);
    padded->tail[rest] = 0x80;
    store_be64(padded->tail + size - 8, (done + length) * 8);
    padded->tail_blocks = size / block;
}

/* The inner and outer HMAC states of two keys no longer than a block. */
static void hmac_key_states2(const hash_algo *algo, const uint8_t *key0, size_t length0,
                             const uint8_t *key1, size_t length1, hash_state inner[2],
                             hash_state outer[2])
{
    uint8_t pads[4][FS_MAX_BLOCK];
    size_t block = algo->block_size;
    memset(pads[0], 0x36, block);
    memset(pads[1], 0x36, block);
    memset(pads[2], 0x5c, block);
    memset(pads[3], 0x5c, block);
    for (size_t i = 0; i < length0; i++) {
        pads[0][i] ^= key0[i];
        pads[2][i] ^= key0[i];
    }
    for (size_t i = 0; i < length1; i++) {
        pads[1][i] ^= key1[i];
        pads[3][i] ^= key1[i];
    }
    hash_init(algo, &inner[0]);
    inner[1] = outer[0] = outer[1] = inner[0];
    algo->compress(&inner[0], pads[0], 1);
    algo->compress(&inner[1], pads[1], 1);
    algo->compress(&outer[0], pads[2], 1);
    algo->compress(&outer[1], pads[3], 1);
}

/* HMAC from the key states: the inner hash over ``message``, then the outer hash over the
 * inner digest (one block: ``outer_template`` already holds its padding). */
static void hmac_finish2(const hash_algo *algo, hash_state inner[2], hash_state outer[2],
                         const padded_message *message, const padded_message *outer_template,
                         uint8_t *out0, uint8_t *out1)
{
    size_t block = algo->block_size;
    const uint8_t *data = message->whole;
    for (size_t i = 0; i < message->whole_blocks; i++, data += block) {
        algo->compress(&inner[0], data, 1);
        algo->compress(&inner[1], data, 1);
    }
    for (size_t i = 0; i < message->tail_blocks; i++) {
        algo->compress(&inner[0], message->tail + i * block, 1);
        algo->compress(&inner[1], message->tail + i * block, 1);
    }
    uint8_t last[2][FS_MAX_BLOCK];
    memcpy(last[0], outer_template->tail, block);
    memcpy(last[1], outer_template->tail, block);
    hash_output(algo, &inner[0], last[0]);
    hash_output(algo, &inner[1], last[1]);
    algo->compress(&outer[0], last[0], 1);
    algo->compress(&outer[1], last[1], 1);
    hash_output(algo, &outer[0], out0);
    hash_output(algo, &outer[1], out1);
}

#endif
