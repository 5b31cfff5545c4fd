# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Viterbi decoding of a linear-chain CRF in C (optional; `newsflow.entities.crf` has the
same algorithm in NumPy).  Why compiled: an article is ~25 sentences of up to 80
tokens, and stepping NumPy through the positions costs more than the arithmetic."""

from libc.stdlib cimport free, malloc


def viterbi(
    const double[:, ::1] emissions,
    const Py_ssize_t[::1] lengths,
    const double[:, ::1] trans,
    Py_ssize_t[::1] out,
    Py_ssize_t[:, ::1] back,
):
    """Best label index for each token of the sentences laid end to end in `emissions`
    (tokens × labels), `lengths` tokens each, written into `out`; `back` is scratch of
    the same shape as `emissions`.  Ties go to the lower label index, as argmax does."""
    cdef Py_ssize_t n_labels = emissions.shape[1]
    cdef Py_ssize_t s, t, i, j, n, start = 0, best_i
    cdef double best, value
    cdef double *delta = <double *> malloc(n_labels * sizeof(double))
    cdef double *step = <double *> malloc(n_labels * sizeof(double))
    cdef double *swap
    if delta == NULL or step == NULL:
        free(delta)
        free(step)
        raise MemoryError()
    try:
        for s in range(lengths.shape[0]):
            n = lengths[s]
            if n <= 0:
                continue
            for j in range(n_labels):
                delta[j] = emissions[start, j]
            for t in range(1, n):
                for j in range(n_labels):
                    best = delta[0] + trans[0, j]
                    best_i = 0
                    for i in range(1, n_labels):
                        value = delta[i] + trans[i, j]
                        if value > best:
                            best = value
                            best_i = i
                    step[j] = best + emissions[start + t, j]
                    back[start + t, j] = best_i
                swap = delta
                delta = step
                step = swap
            best = delta[0]
            best_i = 0
            for j in range(1, n_labels):
                if delta[j] > best:
                    best = delta[j]
                    best_i = j
            out[start + n - 1] = best_i
            for t in range(n - 1, 0, -1):
                out[start + t - 1] = back[start + t, out[start + t]]
            start += n
    finally:
        free(delta)
        free(step)
