/* Native kernel of the compiled heads (brandfit.heads.compiled): the fused sums.
 *
 * fused_sums(out, rows, union_pos, tf, indptr, columns, values, squared, n_fused)
 *
 * For every entry e (a distinct feature of post rows[e], at union position union_pos[e],
 * with term frequency tf[e]) and every cell c of that union position's row of the fused
 * table (indptr[u] <= c < indptr[u + 1]):
 *
 *     out[rows[e], columns[c]] += values[c] * (squared[columns[c]] ? tf[e]^2 : tf[e])
 *
 * Buffers (C-contiguous): out float64 (n_rows x n_fused, written), rows int64,
 * union_pos int64, tf float32, indptr int64, columns uint16, values float32, squared
 * uint8 (one per fused column). Every index is checked; a bad one raises ValueError and
 * leaves `out` partly written. The GIL is released during the loop, so request threads
 * keep running on the other core.
 *
 * The same arithmetic in NumPy is CompiledHeads._add_numpy; a test pins that both agree.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static PyObject *fused_sums(PyObject *self, PyObject *args) {
    Py_buffer out, rows, pos, tf, indptr, cols, vals, sq;
    Py_ssize_t n_fused;
    (void)self;
    if (!PyArg_ParseTuple(args, "w*y*y*y*y*y*y*y*n", &out, &rows, &pos, &tf, &indptr, &cols,
                          &vals, &sq, &n_fused)) {
        return NULL;
    }
    const char *problem = NULL;
    Py_ssize_t n_entries = rows.len / 8;
    Py_ssize_t n_union = indptr.len / 8 - 1;
    Py_ssize_t nnz = vals.len / 4;
    Py_ssize_t n_rows = n_fused > 0 ? out.len / 8 / n_fused : 0;
    if (n_fused <= 0 || out.len % (8 * n_fused) != 0) {
        problem = "out must hold n_rows x n_fused float64";
    } else if (rows.len % 8 || pos.len != rows.len || tf.len * 2 != rows.len) {
        problem = "rows, union_pos (int64) and tf (float32) must have one item per entry";
    } else if (indptr.len % 8 || n_union < 0 || cols.len != 2 * nnz || vals.len % 4) {
        problem = "indptr (int64), columns (uint16) and values (float32) do not fit together";
    } else if (sq.len != n_fused) {
        problem = "squared must have one byte per fused column";
    }
    if (problem == NULL) {
        double *o = (double *)out.buf;
        const int64_t *r = (const int64_t *)rows.buf;
        const int64_t *u = (const int64_t *)pos.buf;
        const float *t = (const float *)tf.buf;
        const int64_t *ip = (const int64_t *)indptr.buf;
        const uint16_t *cc = (const uint16_t *)cols.buf;
        const float *v = (const float *)vals.buf;
        const uint8_t *s = (const uint8_t *)sq.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t e = 0; e < n_entries && problem == NULL; e++) {
            int64_t row = r[e], at = u[e];
            if (row < 0 || row >= n_rows || at < 0 || at >= n_union) {
                problem = "row or union position out of range";
                break;
            }
            int64_t lo = ip[at], hi = ip[at + 1];
            if (lo < 0 || hi < lo || hi > nnz) {
                problem = "indptr out of range";
                break;
            }
            double one = (double)t[e], two = one * one;
            double *line = o + row * n_fused;
            for (int64_t c = lo; c < hi; c++) {
                uint16_t j = cc[c];
                if (j >= n_fused) {
                    problem = "fused column out of range";
                    break;
                }
                line[j] += (double)v[c] * (s[j] ? two : one);
            }
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&rows);
    PyBuffer_Release(&pos);
    PyBuffer_Release(&tf);
    PyBuffer_Release(&indptr);
    PyBuffer_Release(&cols);
    PyBuffer_Release(&vals);
    PyBuffer_Release(&sq);
    if (problem != NULL) {
        PyErr_SetString(PyExc_ValueError, problem);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"fused_sums", fused_sums, METH_VARARGS,
     "fused_sums(out, rows, union_pos, tf, indptr, columns, values, squared, n_fused): "
     "add every entry's fused-table cells into out (see brandfit.heads.compiled)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "brandfit._native",
    "Native kernel of brandfit's compiled heads (optional: NumPy does the same, slower).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
