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


def emissions(
    const double[:, :, ::1] word_rows,
    const Py_ssize_t[::1] ids,
    const double[:, :, ::1] gaz_rows,
    const Py_ssize_t[::1] gids,
    bint with_gaz,
    const double[:, :, ::1] position,
    const Py_ssize_t[::1] lengths,
    const Py_ssize_t[::1] offsets,
    double[:, ::1] out,
):
    """State scores of the tokens of the sentences laid end to end (`out`, tokens ×
    labels), as `crf.DecomposedCRF.emissions` sums them with NumPy: the position row of
    each token (`position[min(before, reach), min(after, reach)]`), then for each offset
    in order what the token at that offset lends (its word row `word_rows[ids[u], k]`
    plus, `with_gaz`, its gazetteer row `gaz_rows[gids[u], k]`), or 0.0 where that
    token is in another sentence, so each sum is made in the same order and the scores
    are the same to the last bit. Why compiled: NumPy gathered a tokens × offsets ×
    labels copy of the rows and made a dozen passes over the article for it."""
    cdef Py_ssize_t total = out.shape[0], n_labels = out.shape[1]
    cdef Py_ssize_t n_offsets = offsets.shape[0], reach = position.shape[0] - 1
    cdef Py_ssize_t s, t, k, j, d, u, n, start = 0, before, after, row, grow
    cdef double value
    for s in range(lengths.shape[0]):
        n = lengths[s]
        for t in range(n):
            before = t if t < reach else reach
            after = n - 1 - t if n - 1 - t < reach else reach
            for j in range(n_labels):
                out[start + t, j] = position[before, after, j]
            for k in range(n_offsets):
                d = offsets[k]
                u = start + t + d
                if u < 0 or u >= total:
                    continue
                if t + d < 0 or t + d >= n:  # a token of another sentence
                    for j in range(n_labels):
                        out[start + t, j] += 0.0
                    continue
                row = ids[u]
                if with_gaz:
                    grow = gids[u]
                    for j in range(n_labels):
                        out[start + t, j] += word_rows[row, k, j] + gaz_rows[grow, k, j]
                else:
                    for j in range(n_labels):
                        out[start + t, j] += word_rows[row, k, j]
        start += n
