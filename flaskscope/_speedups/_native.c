/* flaskscope's optional native speedups (see flaskscope/_speedups/__init__.py, docs/speedups.md).
 *
 * Checker(digest, key_derivation, salt, signed_part, signature, cpu_extensions=True)
 *     .check_candidates(batch) -> index of the first newline-separated candidate whose
 *     itsdangerous signature over signed_part equals signature, or -1. The GIL is released
 *     while it runs; no Python object is made per candidate.
 * apply_mask(data, mask) -> bytes: RFC 6455 §5.3 XOR masking at memory speed.
 * digest(name, data, cpu_extensions=True) -> bytes and digest_prefixes(name, data,
 *     cpu_extensions=True) -> the digests of every prefix of data, concatenated: for the tests
 *     that check the hand-written compressions against hashlib.
 *
 * Per candidate this is itsdangerous' Signer.get_signature: derive_key (hmac, concat,
 * django-concat or none) then HMACAlgorithm.get_signature, HMAC as RFC 2104 §2 defines it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

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

/* ---- the checker ---------------------------------------------------------------------------- */

enum derivation { DERIVE_HMAC, DERIVE_CONCAT, DERIVE_NONE };

typedef struct {
    PyObject_HEAD
    hash_algo algo;
    enum derivation derivation;
    int can_match;
    uint8_t *salt;            /* hmac: the message of the first HMAC */
    size_t salt_length;
    hash_state prefix_state;  /* concat: the state after the whole blocks of the prefix */
    uint64_t prefix_done;
    uint8_t *prefix_rest;     /* concat: the prefix bytes after its whole blocks */
    size_t prefix_rest_length;
    uint8_t *signed_part;
    size_t signed_length;
    uint8_t signature[FS_MAX_DIGEST];
    padded_message salt_message;   /* hmac derivation: the salt after the key block */
    padded_message signed_message; /* the signed part after the key block */
    padded_message outer_message;  /* a digest after the key block: the outer hash's block */
} CheckerObject;

static uint8_t *copy_bytes(const Py_buffer *view)
{
    uint8_t *copy = PyMem_RawMalloc(view->len ? (size_t)view->len : 1);
    if (copy != NULL && view->len)
        memcpy(copy, view->buf, (size_t)view->len);
    return copy;
}

static void Checker_dealloc(CheckerObject *self)
{
    PyMem_RawFree(self->salt);
    PyMem_RawFree(self->prefix_rest);
    PyMem_RawFree(self->signed_part);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Checker_init(CheckerObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"digest",    "key_derivation", "salt", "signed_part",
                               "signature", "cpu_extensions", NULL};
    const char *digest_name, *derivation;
    Py_buffer salt, signed_part, signature;
    int cpu_extensions = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ssy*y*y*|p", keywords, &digest_name,
                                     &derivation, &salt, &signed_part, &signature,
                                     &cpu_extensions))
        return -1;
    int result = -1;
    if (self->signed_part != NULL) {
        /* Another thread may be checking with this object without the GIL. */
        PyErr_SetString(PyExc_TypeError, "a Checker is initialised once");
        goto done;
    }
    if (!find_algo(digest_name, cpu_extensions, &self->algo)) {
        PyErr_Format(PyExc_ValueError, "no native implementation of digest %s", digest_name);
        goto done;
    }
    int concat = strcmp(derivation, "concat") == 0;
    int django = strcmp(derivation, "django-concat") == 0;
    if (strcmp(derivation, "hmac") == 0) {
        self->derivation = DERIVE_HMAC;
    } else if (concat || django) {
        self->derivation = DERIVE_CONCAT;
    } else if (strcmp(derivation, "none") == 0) {
        self->derivation = DERIVE_NONE;
    } else {
        PyErr_Format(PyExc_ValueError, "unknown key derivation %s", derivation);
        goto done;
    }
    PyMem_RawFree(self->salt); /* left by an initialisation that failed part way */
    PyMem_RawFree(self->prefix_rest);
    self->prefix_rest = NULL;
    self->salt = copy_bytes(&salt);
    self->salt_length = (size_t)salt.len;
    self->signed_part = copy_bytes(&signed_part);
    self->signed_length = (size_t)signed_part.len;
    /* concat: H(salt + candidate); django-concat: H(salt + b"signer" + candidate). The
     * whole blocks of that prefix are hashed once here. */
    size_t prefix_length = (size_t)salt.len + (django ? 6 : 0);
    uint8_t *prefix = PyMem_RawMalloc(prefix_length + 1);
    if (self->salt == NULL || self->signed_part == NULL || prefix == NULL) {
        PyMem_RawFree(prefix);
        PyErr_NoMemory();
        goto done;
    }
    memcpy(prefix, salt.buf, (size_t)salt.len);
    if (django)
        memcpy(prefix + salt.len, "signer", 6);
    size_t whole = prefix_length / self->algo.block_size * self->algo.block_size;
    hash_init(&self->algo, &self->prefix_state);
    if (whole)
        self->algo.compress(&self->prefix_state, prefix, whole / self->algo.block_size);
    self->prefix_done = whole;
    self->prefix_rest_length = prefix_length - whole;
    self->prefix_rest = PyMem_RawMalloc(self->prefix_rest_length + 1);
    if (self->prefix_rest == NULL) {
        PyMem_RawFree(prefix);
        PyErr_NoMemory();
        goto done;
    }
    memcpy(self->prefix_rest, prefix + whole, self->prefix_rest_length);
    PyMem_RawFree(prefix);
    size_t block = self->algo.block_size;
    pad_message(&self->algo, &self->salt_message, block, self->salt, self->salt_length);
    pad_message(&self->algo, &self->signed_message, block, self->signed_part,
                self->signed_length);
    uint8_t zeros[FS_MAX_DIGEST] = {0};
    pad_message(&self->algo, &self->outer_message, block, zeros, self->algo.digest_size);
    self->outer_message.whole = NULL;
    self->can_match = (size_t)signature.len == self->algo.digest_size;
    if (self->can_match)
        memcpy(self->signature, signature.buf, self->algo.digest_size);
    result = 0;
done:
    PyBuffer_Release(&salt);
    PyBuffer_Release(&signed_part);
    PyBuffer_Release(&signature);
    return result;
}

/* concat derivations: H(prefix + candidate), from the state after the prefix's whole blocks. */
static void concat_key(const CheckerObject *self, const uint8_t *candidate, size_t length,
                       uint8_t *out)
{
    const hash_algo *algo = &self->algo;
    size_t block = algo->block_size;
    hash_state state = self->prefix_state;
    uint64_t done = self->prefix_done;
    size_t rest = self->prefix_rest_length;
    if (rest == 0) {
        hash_finish(algo, &state, done, candidate, length, out);
        return;
    }
    uint8_t first[FS_MAX_BLOCK];
    memcpy(first, self->prefix_rest, rest);
    if (rest + length < block) {
        memcpy(first + rest, candidate, length);
        hash_finish(algo, &state, done, first, rest + length, out);
        return;
    }
    memcpy(first + rest, candidate, block - rest);
    algo->compress(&state, first, 1);
    hash_finish(algo, &state, done + block, candidate + (block - rest),
                length - (block - rest), out);
}

/* The signature one candidate makes over the signed part (itsdangerous get_signature). */
static void candidate_signature(const CheckerObject *self, const uint8_t *candidate,
                                size_t length, uint8_t *produced)
{
    const hash_algo *algo = &self->algo;
    uint8_t derived[FS_MAX_DIGEST];
    const uint8_t *key = derived;
    size_t key_length = algo->digest_size;
    switch (self->derivation) {
    case DERIVE_HMAC:
        hmac(algo, candidate, length, self->salt, self->salt_length, derived);
        break;
    case DERIVE_CONCAT:
        concat_key(self, candidate, length, derived);
        break;
    case DERIVE_NONE:
        key = candidate;
        key_length = length;
        break;
    }
    hmac(algo, key, key_length, self->signed_part, self->signed_length, produced);
}

/* The signatures of two candidates, their compressions paired where their sizes allow. */
static void candidate_signatures2(const CheckerObject *self, const uint8_t *candidate0,
                                  size_t length0, const uint8_t *candidate1, size_t length1,
                                  uint8_t *produced0, uint8_t *produced1)
{
    const hash_algo *algo = &self->algo;
    size_t block = algo->block_size;
    hash_state inner[2], outer[2];
    uint8_t derived[2][FS_MAX_DIGEST];
    const uint8_t *key0 = derived[0], *key1 = derived[1];
    size_t key_length0 = algo->digest_size, key_length1 = algo->digest_size;
    switch (self->derivation) {
    case DERIVE_HMAC:
        if (length0 <= block && length1 <= block) {
            hmac_key_states2(algo, candidate0, length0, candidate1, length1, inner, outer);
            hmac_finish2(algo, inner, outer, &self->salt_message, &self->outer_message,
                         derived[0], derived[1]);
        } else {
            hmac(algo, candidate0, length0, self->salt, self->salt_length, derived[0]);
            hmac(algo, candidate1, length1, self->salt, self->salt_length, derived[1]);
        }
        break;
    case DERIVE_CONCAT:
        concat_key(self, candidate0, length0, derived[0]);
        concat_key(self, candidate1, length1, derived[1]);
        break;
    case DERIVE_NONE:
        if (length0 > block || length1 > block) {
            candidate_signature(self, candidate0, length0, produced0);
            candidate_signature(self, candidate1, length1, produced1);
            return;
        }
        key0 = candidate0;
        key1 = candidate1;
        key_length0 = length0;
        key_length1 = length1;
        break;
    }
    hmac_key_states2(algo, key0, key_length0, key1, key_length1, inner, outer);
    hmac_finish2(algo, inner, outer, &self->signed_message, &self->outer_message, produced0,
                 produced1);
}

static int candidate_matches(const CheckerObject *self, const uint8_t *candidate,
                             size_t length)
{
    uint8_t produced[FS_MAX_DIGEST];
    candidate_signature(self, candidate, length, produced);
    return memcmp(produced, self->signature, self->algo.digest_size) == 0;
}

/* The first line of batch[0:size] (split at every "\n", as bytes.split(b"\n") does) that
 * matches, or -1. Lines are checked two at a time, the earlier one compared first. */
static Py_ssize_t first_match(const CheckerObject *self, const uint8_t *batch, size_t size)
{
    const uint8_t *line = batch, *end = batch + size;
    size_t digest_size = self->algo.digest_size;
    uint8_t produced[2][FS_MAX_DIGEST];
    Py_ssize_t index = 0;
    for (;;) {
        const uint8_t *newline = memchr(line, '\n', (size_t)(end - line));
        if (newline == NULL)
            return candidate_matches(self, line, (size_t)(end - line)) ? index : -1;
        const uint8_t *second = newline + 1;
        const uint8_t *second_newline = memchr(second, '\n', (size_t)(end - second));
        const uint8_t *second_end = second_newline ? second_newline : end;
        candidate_signatures2(self, line, (size_t)(newline - line), second,
                              (size_t)(second_end - second), produced[0], produced[1]);
        if (memcmp(produced[0], self->signature, digest_size) == 0)
            return index;
        if (memcmp(produced[1], self->signature, digest_size) == 0)
            return index + 1;
        if (second_newline == NULL)
            return -1;
        line = second_newline + 1;
        index += 2;
    }
}

static PyObject *Checker_check_candidates(CheckerObject *self, PyObject *arg)
{
    Py_buffer batch;
    if (PyObject_GetBuffer(arg, &batch, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_ssize_t found = -1;
    if (self->can_match) {
        Py_BEGIN_ALLOW_THREADS
        found = first_match(self, batch.buf, (size_t)batch.len);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&batch);
    return PyLong_FromSsize_t(found);
}

/* Every line's signature, concatenated: for the tests that compare engines per candidate. */
static PyObject *Checker_signatures(CheckerObject *self, PyObject *arg)
{
    Py_buffer batch;
    if (PyObject_GetBuffer(arg, &batch, PyBUF_SIMPLE) < 0)
        return NULL;
    const uint8_t *start = batch.buf, *end = start + batch.len;
    size_t lines = 1;
    for (const uint8_t *p = start; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        lines++;
    size_t size = self->algo.digest_size;
    PyObject *result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(lines * size));
    if (result != NULL) {
        uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
        Py_BEGIN_ALLOW_THREADS
        const uint8_t *line = start;
        for (;;) {
            const uint8_t *newline = memchr(line, '\n', (size_t)(end - line));
            if (newline == NULL) {
                candidate_signature(self, line, (size_t)(end - line), out);
                break;
            }
            const uint8_t *second = newline + 1;
            const uint8_t *second_newline = memchr(second, '\n', (size_t)(end - second));
            const uint8_t *second_end = second_newline ? second_newline : end;
            candidate_signatures2(self, line, (size_t)(newline - line), second,
                                  (size_t)(second_end - second), out, out + size);
            out += 2 * size;
            if (second_newline == NULL)
                break;
            line = second_newline + 1;
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&batch);
    return result;
}

static PyObject *Checker_get_can_match(CheckerObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->can_match);
}

static PyObject *Checker_get_digest_size(CheckerObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromSize_t(self->algo.digest_size);
}

static PyObject *Checker_get_accelerated(CheckerObject *self, void *closure)
{
    (void)closure;
#if FS_HAVE_X86_SHA
    return PyBool_FromLong(self->algo.compress == sha1_compress_shani ||
                           self->algo.compress == sha256_compress_shani);
#else
    (void)self;
    Py_RETURN_FALSE;
#endif
}

static PyMethodDef Checker_methods[] = {
    {"check_candidates", (PyCFunction)Checker_check_candidates, METH_O,
     "check_candidates(batch) -> index of the first matching line of batch, or -1"},
    {"signatures", (PyCFunction)Checker_signatures, METH_O,
     "signatures(batch) -> the signature of every line of batch, concatenated"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Checker_getset[] = {
    {"can_match", (getter)Checker_get_can_match, NULL,
     "False when the signature is not digest_size bytes", NULL},
    {"digest_size", (getter)Checker_get_digest_size, NULL, "bytes of the digest", NULL},
    {"accelerated", (getter)Checker_get_accelerated, NULL,
     "whether the CPU's SHA extensions compute the hash", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject CheckerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "flaskscope._speedups._native.Checker",
    .tp_basicsize = sizeof(CheckerObject),
    .tp_dealloc = (destructor)Checker_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Checker(digest, key_derivation, salt, signed_part, signature, "
              "cpu_extensions=True): which candidate secret key made a signature",
    .tp_methods = Checker_methods,
    .tp_getset = Checker_getset,
    .tp_init = (initproc)Checker_init,
    .tp_new = PyType_GenericNew,
};

/* ---- hashes, for the tests -------------------------------------------------------------- */

static int parse_algo(const char *name, int cpu_extensions, hash_algo *algo)
{
    if (!find_algo(name, cpu_extensions, algo)) {
        PyErr_Format(PyExc_ValueError, "no native implementation of digest %s", name);
        return 0;
    }
    return 1;
}

static PyObject *native_digest(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"name", "data", "cpu_extensions", NULL};
    const char *name;
    Py_buffer data;
    int cpu_extensions = 1;
    hash_algo algo;
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sy*|p", keywords, &name, &data,
                                     &cpu_extensions))
        return NULL;
    if (!parse_algo(name, cpu_extensions, &algo)) {
        PyBuffer_Release(&data);
        return NULL;
    }
    uint8_t out[FS_MAX_DIGEST];
    hash_bytes(&algo, data.buf, (size_t)data.len, out);
    PyBuffer_Release(&data);
    return PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)algo.digest_size);
}

static PyObject *native_digest_prefixes(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"name", "data", "cpu_extensions", NULL};
    const char *name;
    Py_buffer data;
    int cpu_extensions = 1;
    hash_algo algo;
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sy*|p", keywords, &name, &data,
                                     &cpu_extensions))
        return NULL;
    if (!parse_algo(name, cpu_extensions, &algo)) {
        PyBuffer_Release(&data);
        return NULL;
    }
    size_t size = algo.digest_size;
    PyObject *result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(size * ((size_t)data.len + 1)));
    if (result != NULL) {
        uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
        Py_BEGIN_ALLOW_THREADS
        for (size_t n = 0; n <= (size_t)data.len; n++)
            hash_bytes(&algo, data.buf, n, out + n * size);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&data);
    return result;
}

/* ---- masking (RFC 6455 §5.3) ---------------------------------------------------------------- */

#define MASK_WITHOUT_GIL (64 * 1024)

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

static PyObject *native_apply_mask(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"data", "mask", NULL};
    Py_buffer data, mask;
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*y*", keywords, &data, &mask))
        return NULL;
    PyObject *result = NULL;
    if (mask.len != 4) {
        PyErr_Format(PyExc_ValueError, "a masking key is 4 bytes, not %zd", mask.len);
        goto done;
    }
    result = PyBytes_FromStringAndSize(NULL, data.len);
    if (result == NULL)
        goto done;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
    if (data.len >= MASK_WITHOUT_GIL) {
        Py_BEGIN_ALLOW_THREADS
        xor_mask(data.buf, out, (size_t)data.len, mask.buf);
        Py_END_ALLOW_THREADS
    } else {
        xor_mask(data.buf, out, (size_t)data.len, mask.buf);
    }
done:
    PyBuffer_Release(&data);
    PyBuffer_Release(&mask);
    return result;
}

/* ---- counting simple frames (RFC 6455 §5.2, §5.6, §8.1) -------------------------------------- */

/* Whether data is UTF-8 as Python's strict decoder accepts it (RFC 3629 §4: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no sequence cut off at the end). */
static int utf8_valid(const uint8_t *data, size_t length)
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

#define MAX_64BIT_LENGTH 0x7FFFFFFFFFFFFFFFULL

/* The counts-only parser's skim (flaskscope/frames/stream.py ``FrameParser._skim``): whole,
 * final, unfragmented binary and text frames that lie entirely in the buffer, with the masking
 * the role requires, minimal lengths, and valid UTF-8 in text; it stops at the first frame that
 * is anything else, which the general parser then reads from its first byte. */
static PyObject *native_skim(PyObject *module, PyObject *args)
{
    Py_buffer buffer;
    Py_ssize_t start;
    int masked;
    unsigned long long max_size;
    (void)module;
    if (!PyArg_ParseTuple(args, "y*npK", &buffer, &start, &masked, &max_size))
        return NULL;
    const uint8_t *view = buffer.buf;
    size_t size = (size_t)buffer.len;
    size_t position = start < 0 ? size : (size_t)start;
    size_t header_extra = masked ? 4 : 0;
    uint8_t mask_bit = masked ? 0x80 : 0;
    unsigned long long binary = 0, text = 0, payload_bytes = 0;
    uint8_t *scratch = NULL;
    size_t scratch_size = 0;
    int failed = 0;
    while (size >= 2 && position <= size - 2) {
        uint8_t first = view[position], second = view[position + 1];
        if ((second & 0x80) != mask_bit || (first != 0x82 && first != 0x81))
            break;
        uint64_t length = second & 0x7F;
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
            const uint8_t *data = view + body;
            if (masked) {
                if (length > scratch_size) {
                    uint8_t *grown = PyMem_RawRealloc(scratch, (size_t)length);
                    if (grown == NULL) {
                        failed = 1;
                        break;
                    }
                    scratch = grown;
                    scratch_size = (size_t)length;
                }
                xor_mask(data, scratch, (size_t)length, view + body - 4);
                data = scratch;
            }
            if (!utf8_valid(data, (size_t)length))
                break;
            text++;
        }
        payload_bytes += length;
        position = body + (size_t)length;
    }
    PyMem_RawFree(scratch);
    PyBuffer_Release(&buffer);
    if (failed)
        return PyErr_NoMemory();
    return Py_BuildValue("(nKKK)", (Py_ssize_t)position, binary, text, payload_bytes);
}

static PyObject *native_utf8_valid(PyObject *module, PyObject *arg)
{
    Py_buffer data;
    (void)module;
    if (PyObject_GetBuffer(arg, &data, PyBUF_SIMPLE) < 0)
        return NULL;
    int valid = utf8_valid(data.buf, (size_t)data.len);
    PyBuffer_Release(&data);
    return PyBool_FromLong(valid);
}

static PyObject *native_features(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return Py_BuildValue("{s:O}", "sha_extensions", have_sha_extensions ? Py_True : Py_False);
}

static PyMethodDef native_methods[] = {
    {"apply_mask", (PyCFunction)(void (*)(void))native_apply_mask, METH_VARARGS | METH_KEYWORDS,
     "apply_mask(data, mask) -> data XOR the 4-byte mask repeated (RFC 6455 §5.3)"},
    {"digest", (PyCFunction)(void (*)(void))native_digest, METH_VARARGS | METH_KEYWORDS,
     "digest(name, data, cpu_extensions=True) -> the hash of data"},
    {"digest_prefixes", (PyCFunction)(void (*)(void))native_digest_prefixes,
     METH_VARARGS | METH_KEYWORDS,
     "digest_prefixes(name, data, cpu_extensions=True) -> hash(data[:n]) for n in "
     "0..len(data), concatenated"},
    {"features", native_features, METH_NOARGS, "features() -> the CPU features in use"},
    {"skim", native_skim, METH_VARARGS,
     "skim(buffer, position, masked, max_size) -> (position, binary, text, payload_bytes): "
     "the simple frames from position on, counted"},
    {"utf8_valid", native_utf8_valid, METH_O,
     "utf8_valid(data) -> whether Python's strict UTF-8 decoder accepts data"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT, "_native", "flaskscope's native speedups", -1, native_methods,
    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__native(void)
{
    have_sha_extensions = cpu_has_sha_extensions();
    if (PyType_Ready(&CheckerType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&native_module);
    if (module == NULL)
        return NULL;
    Py_INCREF(&CheckerType);
    if (PyModule_AddObject(module, "Checker", (PyObject *)&CheckerType) < 0) {
        Py_DECREF(&CheckerType);
        Py_DECREF(module);
        return NULL;
    }
    PyObject *names = Py_BuildValue("(sssss)", "sha1", "sha224", "sha256", "sha384", "sha512");
    if (names == NULL || PyModule_AddObject(module, "DIGESTS", names) < 0) {
        Py_XDECREF(names);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
