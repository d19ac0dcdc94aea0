/* Native kernel of the compiled heads (brandfit.heads.compiled): the fused sums.
 *
 * fused_sums(out, rows, union_pos, tf, indptr, segment_piece, segment_kept, pieces)
 *
 * Entry e is a distinct feature of post rows[e] at union position u = union_pos[e] with
 * term frequency tf[e]. Each segment s in indptr[u] <= s < indptr[u + 1] says that piece
 * p = segment_piece[s] keeps that feature as its column i = segment_kept[s]; pieces[p] is
 * (weights, idf, blocks, n_outputs, n_blocks, raw_offset, norm_offset) and, with
 * v = tf[e] * idf[i] and b = blocks[i]:
 *
 *     out[rows[e], raw_offset + b * n_outputs + j] += v * weights[i, j]   (every output j)
 *     out[rows[e], norm_offset + b]                 += v * v
 *
 * Buffers are C-contiguous: out float64 (n_rows x n_fused, written), rows and union_pos
 * int64, tf float32, indptr int64, segment_piece uint8, segment_kept int32; per piece
 * weights float32 (n_kept x n_outputs), idf float32 (n_kept), blocks uint16 (n_kept).
 * Every index is checked; a bad one raises ValueError (``out`` is then partly written).
 * The GIL is released during the loop, so request threads keep running meanwhile.
 *
 * CompiledHeads._add_numpy does the same in NumPy; a test pins that both agree.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_PIECES 256

typedef struct {
    Py_buffer weights, idf, blocks;
    Py_ssize_t n_kept, n_outputs, n_blocks, raw_offset, norm_offset;
} Piece;

static PyObject *fused_sums(PyObject *self, PyObject *args) {
    Py_buffer out, rows, pos, tf, indptr, seg_piece, seg_kept;
    PyObject *pieces_arg, *pieces_seq = NULL;
    Piece pieces[MAX_PIECES];
    Py_ssize_t n_pieces = 0, parsed = 0;
    const char *problem = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "w*y*y*y*y*y*y*O", &out, &rows, &pos, &tf, &indptr, &seg_piece,
                          &seg_kept, &pieces_arg)) {
        return NULL;
    }
    pieces_seq = PySequence_Fast(pieces_arg, "pieces must be a sequence of tuples");
    if (pieces_seq == NULL) {
        goto done;
    }
    n_pieces = PySequence_Fast_GET_SIZE(pieces_seq);
    if (n_pieces > MAX_PIECES) {
        problem = "too many pieces";
        goto done;
    }
    Py_ssize_t n_fused = 0;
    for (; parsed < n_pieces; parsed++) {
        Piece *pc = &pieces[parsed];
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(pieces_seq, parsed), "y*y*y*nnnn",
                              &pc->weights, &pc->idf, &pc->blocks, &pc->n_outputs, &pc->n_blocks,
                              &pc->raw_offset, &pc->norm_offset)) {
            goto done;
        }
        pc->n_kept = pc->idf.len / 4;
        if (pc->n_outputs <= 0 || pc->n_blocks <= 0 || pc->raw_offset < 0 || pc->norm_offset < 0 ||
            pc->weights.len != 4 * pc->n_kept * pc->n_outputs || pc->blocks.len != 2 * pc->n_kept) {
            parsed++;
            problem = "a piece's weights, idf and blocks do not fit together";
            goto done;
        }
        Py_ssize_t raw_end = pc->raw_offset + pc->n_blocks * pc->n_outputs;
        Py_ssize_t norm_end = pc->norm_offset + pc->n_blocks;
        if (raw_end > n_fused) n_fused = raw_end;
        if (norm_end > n_fused) n_fused = norm_end;
    }
    Py_ssize_t n_entries = rows.len / 8;
    Py_ssize_t n_union = indptr.len / 8 - 1;
    Py_ssize_t n_segments = seg_piece.len;
    if (n_fused <= 0 || out.len % (8 * n_fused) != 0) {
        problem = "out must hold n_rows x n_fused float64 (n_fused: the pieces' last column + 1)";
    } else if (rows.len % 8 || pos.len != rows.len || tf.len * 2 != rows.len) {
        problem = "rows, union_pos (int64) and tf (float32) must have one item per entry";
    } else if (indptr.len % 8 || n_union < 0 || seg_kept.len != 4 * n_segments) {
        problem = "indptr (int64), segment_piece (uint8) and segment_kept (int32) do not fit";
    }
    if (problem != NULL) {
        goto done;
    }
    Py_ssize_t n_rows = out.len / 8 / n_fused;
    double *o = (double *)out.buf;
    const int64_t *r = (const int64_t *)rows.buf;
    const int64_t *u = (const int64_t *)pos.buf;
    const float *t = (const float *)tf.buf;
    const int64_t *ip = (const int64_t *)indptr.buf;
    const uint8_t *sp = (const uint8_t *)seg_piece.buf;
    const int32_t *sk = (const int32_t *)seg_kept.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t e = 0; e < n_entries && problem == NULL; e++) {
        int64_t row = r[e], at = u[e];
        if (row < 0 || row >= n_rows || at < 0 || at >= n_union) {
            problem = "row or union position out of range";
            break;
        }
        int64_t lo = ip[at], hi = ip[at + 1];
        if (lo < 0 || hi < lo || hi > n_segments) {
            problem = "indptr out of range";
            break;
        }
        double *line = o + row * n_fused;
        for (int64_t s = lo; s < hi; s++) {
            uint8_t p = sp[s];
            int32_t i = sk[s];
            if (p >= n_pieces || i < 0 || i >= pieces[p].n_kept) {
                problem = "segment out of range";
                break;
            }
            const Piece *pc = &pieces[p];
            uint16_t b = ((const uint16_t *)pc->blocks.buf)[i];
            if (b >= pc->n_blocks) {
                problem = "block out of range";
                break;
            }
            double v = (double)t[e] * (double)((const float *)pc->idf.buf)[i];
            const float *w = (const float *)pc->weights.buf + (Py_ssize_t)i * pc->n_outputs;
            double *cell = line + pc->raw_offset + (Py_ssize_t)b * pc->n_outputs;
            for (Py_ssize_t j = 0; j < pc->n_outputs; j++) {
                cell[j] += v * (double)w[j];
            }
            line[pc->norm_offset + b] += v * v;
        }
    }
    Py_END_ALLOW_THREADS
done:
    for (Py_ssize_t k = 0; k < parsed; k++) {
        PyBuffer_Release(&pieces[k].weights);
        PyBuffer_Release(&pieces[k].idf);
        PyBuffer_Release(&pieces[k].blocks);
    }
    Py_XDECREF(pieces_seq);
    PyBuffer_Release(&out);
    PyBuffer_Release(&rows);
    PyBuffer_Release(&pos);
    PyBuffer_Release(&tf);
    PyBuffer_Release(&indptr);
    PyBuffer_Release(&seg_piece);
    PyBuffer_Release(&seg_kept);
    if (problem != NULL) {
        PyErr_SetString(PyExc_ValueError, problem);
        return NULL;
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* MurmurHash3 x86_32 (Austin Appleby's public-domain algorithm), as scikit-learn's
 * murmurhash3_bytes_s32 uses it: FeatureHasher's column of a string is this hash of its
 * UTF-8 bytes with seed 0, taken as int32, then abs() % width. */
static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static int32_t murmur3_s32(const uint8_t *data, Py_ssize_t len) {
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    uint32_t h = 0;
    Py_ssize_t blocks = len / 4;
    for (Py_ssize_t i = 0; i < blocks; i++) {
        const uint8_t *b = data + 4 * i;
        uint32_t k = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
                     ((uint32_t)b[3] << 24);
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5 + 0xe6546b64u;
    }
    const uint8_t *tail = data + 4 * blocks;
    uint32_t k = 0;
    switch (len & 3) {
        case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
        case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
        case 1:
            k ^= tail[0];
            k *= c1;
            k = rotl32(k, 15);
            k *= c2;
            h ^= k;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return (int32_t)h;
}

static int64_t hashed_column(int32_t h, int64_t width) {
    if (h == INT32_MIN) return (2147483647 - (width - 1)) % width;
    return (int64_t)(h < 0 ? -h : h) % width;
}

/* char_ngram_columns(tokens, orders, width) -> (columns, counts)
 *
 * For each token (a str), padded with one space on each side, every window of n code
 * points for each (n, offset) in `orders`: offset + its FeatureHasher column (width).
 * Returns the columns (int32 bytes, token by token, orders in the given order, windows
 * left to right) and how many each token got (int64 bytes). The same strings as
 * SocialFeatureHasher._char_ngrams, hashed as FeatureHasher does; a test pins both. */
static PyObject *char_ngram_columns(PyObject *self, PyObject *args) {
    PyObject *tokens_arg, *orders_arg;
    long long width;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOL", &tokens_arg, &orders_arg, &width)) return NULL;
    if (width <= 0) {
        PyErr_SetString(PyExc_ValueError, "width must be positive");
        return NULL;
    }
    PyObject *tokens = PySequence_Fast(tokens_arg, "tokens must be a sequence of str");
    if (tokens == NULL) return NULL;
    PyObject *orders = PySequence_Fast(orders_arg, "orders must be a sequence of (n, offset)");
    if (orders == NULL) {
        Py_DECREF(tokens);
        return NULL;
    }
    Py_ssize_t n_orders = PySequence_Fast_GET_SIZE(orders), n_tokens = PySequence_Fast_GET_SIZE(tokens);
    Py_ssize_t sizes[16];
    long long offsets[16];
    PyObject *result = NULL;
    int32_t *cols = NULL;
    int64_t *counts = NULL;
    uint8_t *buf = NULL;
    Py_ssize_t *starts = NULL;
    if (n_orders > 16) {
        PyErr_SetString(PyExc_ValueError, "at most 16 n-gram orders");
        goto done;
    }
    for (Py_ssize_t o = 0; o < n_orders; o++) {
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(orders, o), "nL", &sizes[o], &offsets[o]))
            goto done;
        if (sizes[o] < 1) {
            PyErr_SetString(PyExc_ValueError, "n-gram sizes must be >= 1");
            goto done;
        }
    }
    Py_ssize_t capacity = 1024, used = 0, buf_size = 0;
    cols = PyMem_Malloc((size_t)capacity * sizeof(int32_t));
    counts = PyMem_Malloc((size_t)(n_tokens > 0 ? n_tokens : 1) * sizeof(int64_t));
    if (cols == NULL || counts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t t = 0; t < n_tokens; t++) {
        PyObject *token = PySequence_Fast_GET_ITEM(tokens, t);
        if (!PyUnicode_Check(token)) {
            PyErr_SetString(PyExc_TypeError, "tokens must be str");
            goto done;
        }
        Py_ssize_t len;
        const char *utf8 = PyUnicode_AsUTF8AndSize(token, &len);
        if (utf8 == NULL) goto done;
        if (len + 3 > buf_size) {
            buf_size = 2 * (len + 3);
            PyMem_Free(buf);
            PyMem_Free(starts);
            buf = PyMem_Malloc((size_t)buf_size);
            starts = PyMem_Malloc((size_t)buf_size * sizeof(Py_ssize_t));
            if (buf == NULL || starts == NULL) {
                PyErr_NoMemory();
                goto done;
            }
        }
        buf[0] = ' ';
        memcpy(buf + 1, utf8, (size_t)len);
        buf[len + 1] = ' ';
        Py_ssize_t total = len + 2, points = 0;
        for (Py_ssize_t i = 0; i < total; i++)
            if ((buf[i] & 0xC0) != 0x80) starts[points++] = i;
        starts[points] = total;
        Py_ssize_t before = used;
        for (Py_ssize_t o = 0; o < n_orders; o++) {
            Py_ssize_t n = sizes[o];
            for (Py_ssize_t i = 0; i + n <= points; i++) {
                if (used == capacity) {
                    capacity *= 2;
                    int32_t *grown = PyMem_Realloc(cols, (size_t)capacity * sizeof(int32_t));
                    if (grown == NULL) {
                        PyErr_NoMemory();
                        goto done;
                    }
                    cols = grown;
                }
                int32_t h = murmur3_s32(buf + starts[i], starts[i + n] - starts[i]);
                int64_t column = offsets[o] + hashed_column(h, width);
                if (column < 0 || column > INT32_MAX) {
                    PyErr_SetString(PyExc_OverflowError, "column does not fit in int32");
                    goto done;
                }
                cols[used++] = (int32_t)column;
            }
        }
        counts[t] = used - before;
    }
    {
        PyObject *c = PyBytes_FromStringAndSize((const char *)cols, used * (Py_ssize_t)sizeof(int32_t));
        PyObject *k = PyBytes_FromStringAndSize((const char *)counts, n_tokens * (Py_ssize_t)sizeof(int64_t));
        if (c != NULL && k != NULL) result = PyTuple_Pack(2, c, k);
        Py_XDECREF(c);
        Py_XDECREF(k);
    }
done:
    PyMem_Free(cols);
    PyMem_Free(counts);
    PyMem_Free(buf);
    PyMem_Free(starts);
    Py_DECREF(tokens);
    Py_DECREF(orders);
    return result;
}

static PyMethodDef methods[] = {
    {"fused_sums", fused_sums, METH_VARARGS,
     "fused_sums(out, rows, union_pos, tf, indptr, segment_piece, segment_kept, pieces): "
     "add every entry's weighted block sums and squared norms into out "
     "(see brandfit.heads.compiled)."},
    {"char_ngram_columns", char_ngram_columns, METH_VARARGS,
     "char_ngram_columns(tokens, orders, width) -> (int32 column bytes, int64 count bytes): "
     "hashed character n-gram columns of each space-padded token."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "brandfit._native",
    "Native kernel of brandfit's compiled heads (optional: NumPy does the same, slower).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
