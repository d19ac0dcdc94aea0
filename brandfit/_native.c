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

static PyMethodDef methods[] = {
    {"fused_sums", fused_sums, METH_VARARGS,
     "fused_sums(out, rows, union_pos, tf, indptr, segment_piece, segment_kept, pieces): "
     "add every entry's weighted block sums and squared norms into out "
     "(see brandfit.heads.compiled)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "brandfit._native",
    "Native kernel of brandfit's compiled heads (optional: NumPy does the same, slower).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
