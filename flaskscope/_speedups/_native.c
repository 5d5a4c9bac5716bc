/* flaskscope's optional native speedups (see flaskscope/_speedups/__init__.py, docs/speedups.md).
 *
 * Checker(digest, key_derivation, salt, signed_part, signature, cpu_extensions=True)
 *     .check_candidates(batch) -> index of the first newline-separated candidate whose
 *     itsdangerous signature over signed_part equals signature, or -1. The GIL is released
 *     while it runs; no Python object is made per candidate.
 * apply_mask(data, mask) -> bytes: RFC 6455 §5.3 XOR masking at memory speed.
 * skim(buffer, position, masked, max_size, data=True) -> (position, binary, text, ping, pong,
 *     payload_bytes): the counts-only frame loop of flaskscope/frames/skim.py;
 *     utf8_valid(data, mask=None, simd=True) -> bool (AVX2 when the CPU has it, see _utf8.h);
 *     tally(buffer, position, continuation, probe_http): frames that change no state, by kind.
 * digest(name, data, cpu_extensions=True) -> bytes and digest_prefixes(name, data,
 *     cpu_extensions=True) -> the digests of every prefix of data, concatenated: for the tests
 *     that check the hand-written compressions against hashlib.
 *
 * Per candidate this is itsdangerous' Signer.get_signature: derive_key (hmac, concat,
 * django-concat or none) then HMACAlgorithm.get_signature, HMAC as RFC 2104 §2 defines it.
 *
 * The hashes are in _hashes.h, HMAC in _hmac.h, the frame helpers in _frames.h, UTF-8 in
 * _utf8.h: one translation unit, so the build stays one source file.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "_frames.h"
#include "_hashes.h"
#include "_hmac.h"

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

/* The (name, data, cpu_extensions=True) arguments of digest() and digest_prefixes(): 1 with
 * data held and algo set, or 0 with an exception set and nothing held. */
static int parse_digest_arguments(PyObject *args, PyObject *kwargs, Py_buffer *data,
                                  hash_algo *algo)
{
    static char *keywords[] = {"name", "data", "cpu_extensions", NULL};
    const char *name;
    int cpu_extensions = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sy*|p", keywords, &name, data,
                                     &cpu_extensions))
        return 0;
    if (!parse_algo(name, cpu_extensions, algo)) {
        PyBuffer_Release(data);
        return 0;
    }
    return 1;
}

static PyObject *native_digest(PyObject *module, PyObject *args, PyObject *kwargs)
{
    Py_buffer data;
    hash_algo algo;
    (void)module;
    if (!parse_digest_arguments(args, kwargs, &data, &algo))
        return NULL;
    uint8_t out[FS_MAX_DIGEST];
    hash_bytes(&algo, data.buf, (size_t)data.len, out);
    PyBuffer_Release(&data);
    return PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)algo.digest_size);
}

static PyObject *native_digest_prefixes(PyObject *module, PyObject *args, PyObject *kwargs)
{
    Py_buffer data;
    hash_algo algo;
    (void)module;
    if (!parse_digest_arguments(args, kwargs, &data, &algo))
        return NULL;
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

/* ---- frames (RFC 6455 §5.3, §8.1; the helpers are in _frames.h) ------------------------------- */

#define MASK_WITHOUT_GIL (64 * 1024)

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

static PyObject *native_skim(PyObject *module, PyObject *args)
{
    Py_buffer buffer;
    Py_ssize_t start;
    int masked, data = 1;
    unsigned long long max_size;
    skim_counts counts;
    (void)module;
    if (!PyArg_ParseTuple(args, "y*npK|p", &buffer, &start, &masked, &max_size, &data))
        return NULL;
    size_t size = (size_t)buffer.len;
    size_t position = start < 0 ? size : (size_t)start; /* past the end: nothing to count */
    int status = skim_frames(buffer.buf, size, position, masked, max_size, data, &counts);
    PyBuffer_Release(&buffer);
    if (status < 0)
        return PyErr_NoMemory();
    return Py_BuildValue("(nKKKKK)", (Py_ssize_t)counts.position, counts.binary, counts.text,
                         counts.ping, counts.pong, counts.payload_bytes);
}

static PyObject *native_tally(PyObject *module, PyObject *args)
{
    Py_buffer buffer;
    Py_ssize_t start;
    int continuation, probe_http;
    unsigned long long buckets[512] = {0}, payload_bytes = 0;
    (void)module;
    if (!PyArg_ParseTuple(args, "y*npp", &buffer, &start, &continuation, &probe_http))
        return NULL;
    size_t size = (size_t)buffer.len;
    size_t position = start < 0 ? size : (size_t)start;
    position = tally_frames(buffer.buf, size, position, continuation, probe_http, buckets,
                            &payload_bytes);
    PyBuffer_Release(&buffer);
    PyObject *counts = PyDict_New();
    if (counts == NULL)
        return NULL;
    for (int key = 0; key < 512; key++) {
        if (buckets[key] == 0)
            continue;
        PyObject *name = PyLong_FromLong(key), *count = PyLong_FromUnsignedLongLong(buckets[key]);
        int failed = name == NULL || count == NULL || PyDict_SetItem(counts, name, count) < 0;
        Py_XDECREF(name);
        Py_XDECREF(count);
        if (failed) {
            Py_DECREF(counts);
            return NULL;
        }
    }
    return Py_BuildValue("(nNK)", (Py_ssize_t)position, counts, payload_bytes);
}

static PyObject *native_utf8_valid(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"data", "mask", "simd", NULL};
    Py_buffer data, mask = {0};
    int simd = 1;
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*|z*p", keywords, &data, &mask, &simd))
        return NULL;
    PyObject *result = NULL;
    uint8_t *scratch = NULL;
    if (mask.buf != NULL && mask.len != 4) {
        PyErr_Format(PyExc_ValueError, "a masking key is 4 bytes, not %zd", mask.len);
        goto done;
    }
    if (mask.buf != NULL && data.len > 0) {
        scratch = PyMem_Malloc((size_t)data.len);
        if (scratch == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    result = PyBool_FromLong(text_valid(data.buf, (size_t)data.len, mask.buf, simd, scratch));
done:
    PyMem_Free(scratch);
    PyBuffer_Release(&data);
    if (mask.buf != NULL)
        PyBuffer_Release(&mask);
    return result;
}

static PyObject *native_features(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return Py_BuildValue("{s:O,s:O}", "sha_extensions", have_sha_extensions ? Py_True : Py_False,
                         "avx2", have_avx2 ? Py_True : Py_False);
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
     "skim(buffer, position, masked, max_size, data=True) -> (position, binary, text, ping, "
     "pong, payload_bytes): the simple frames from position on, counted"},
    {"tally", native_tally, METH_VARARGS,
     "tally(buffer, position, continuation, probe_http) -> (position, {first byte | mask bit "
     "<< 1: frames}, payload_bytes): the frames that change no parser state, counted"},
    {"utf8_valid", (PyCFunction)(void (*)(void))native_utf8_valid, METH_VARARGS | METH_KEYWORDS,
     "utf8_valid(data, mask=None, simd=True) -> whether Python's strict UTF-8 decoder accepts "
     "data (XOR the 4-byte mask, when given); simd=False: the portable path"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT, "_native", "flaskscope's native speedups", -1, native_methods,
    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__native(void)
{
    have_sha_extensions = cpu_has_sha_extensions();
    have_avx2 = cpu_has_avx2();
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
