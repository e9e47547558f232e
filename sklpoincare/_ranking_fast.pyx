# cython: language_level=3, boundscheck=False, wraparound=False
# cython: cdivision=True, initializedcheck=False
"""Pairwise Poincare distances and reconstruction ranking, in C.

The ranking kernel never holds an n x n matrix: each child is ranked against
all nodes with O(n) scratch per thread. For a fixed child u the distance
d(u, v) = arcosh(1 + 2 |u - v|^2 / ((1 - |u|^2)(1 - |v|^2))) is an increasing
function of the key |u - v|^2 / (1 - |v|^2), so ranks are computed on keys and
no logarithm is evaluated per pair.
"""

from cython.parallel cimport prange, threadid
from libc.stdlib cimport qsort

from ._hyperbolic cimport arcosh1p, one_minus_squared_norm, squared_distance

import numpy as np


def one_minus_squared_norms(const double[:, ::1] X):
    """``1 - |x|^2`` of each row, accurate near the boundary of the ball."""
    cdef Py_ssize_t i, n = X.shape[0], dim = X.shape[1]
    cdef double[::1] out = np.empty(n)
    if dim == 0:
        out[:] = 1.0
        return np.asarray(out)
    with nogil:
        for i in range(n):
            out[i] = one_minus_squared_norm(&X[i, 0], dim)
    return np.asarray(out)


def pairwise_distances(const double[:, ::1] X, const double[:, ::1] Y,
                       double[:, ::1] out, int n_threads=1):
    """Fill ``out[i, j]`` with the Poincare distance between X[i] and Y[j]."""
    cdef Py_ssize_t n_x = X.shape[0], n_y = Y.shape[0], dim = X.shape[1]
    cdef Py_ssize_t i, j
    cdef double[::1] alpha = one_minus_squared_norms(X)
    cdef double[::1] beta = one_minus_squared_norms(Y)
    with nogil:
        for i in prange(n_x, num_threads=max(n_threads, 1), schedule='static'):
            for j in range(n_y):
                out[i, j] = arcosh1p(
                    2.0 * squared_distance(&X[i, 0], &Y[j, 0], dim)
                    / (alpha[i] * beta[j]))


cdef int _compare_doubles(const void* a, const void* b) noexcept nogil:
    cdef double x = (<const double*>a)[0], y = (<const double*>b)[0]
    return (x > y) - (x < y)


cdef inline Py_ssize_t _count_below(const double* sorted_keys, Py_ssize_t n,
                                    double value, bint inclusive) noexcept nogil:
    """Number of sorted keys < value (or <= value when ``inclusive``)."""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if sorted_keys[mid] < value or (inclusive and sorted_keys[mid] == value):
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef void _rank_one_child(
    const double[:, ::1] embedding,
    const double[::1] inv_beta,
    int u,
    const int* positives,        # sorted node ids, k of them
    Py_ssize_t k,
    double* positive_keys,       # scratch, k
    Py_ssize_t* below,           # scratch, k + 1: negatives strictly closer
    Py_ssize_t* below_or_tied,   # scratch, k + 1: negatives closer or tied
    double* rank_sum,
    double* average_precision,
) noexcept nogil:
    cdef Py_ssize_t n = embedding.shape[0], dim = embedding.shape[1]
    cdef Py_ssize_t i, v, next_positive = 0
    cdef Py_ssize_t n_below = 0, n_below_or_tied = 0, n_positives_up_to
    cdef double key, ap = 0.0, ranks = 0.0
    cdef const double* u_row = &embedding[u, 0]

    for i in range(k):
        positive_keys[i] = squared_distance(
            u_row, &embedding[positives[i], 0], dim) * inv_beta[positives[i]]
    qsort(positive_keys, k, sizeof(double), _compare_doubles)
    for i in range(k + 1):
        below[i] = 0
        below_or_tied[i] = 0

    # One pass over the non-positive nodes: a node with key x is strictly
    # closer than the positives whose key is > x, and closer-or-tied with
    # those whose key is >= x; histogram by the first such positive and
    # prefix-sum afterwards.
    for v in range(n):
        if next_positive < k and positives[next_positive] == v:
            next_positive += 1
            continue
        if v == u:
            continue
        key = squared_distance(u_row, &embedding[v, 0], dim) * inv_beta[v]
        if key > positive_keys[k - 1]:
            continue  # farther than every positive: affects no count
        below[_count_below(positive_keys, k, key, True)] += 1
        below_or_tied[_count_below(positive_keys, k, key, False)] += 1

    for i in range(k):
        n_below += below[i]
        n_below_or_tied += below_or_tied[i]
        # rank = 1 + number of non-positives strictly closer
        ranks += 1.0 + n_below
        # precision at this positive's threshold, ties included as
        # sklearn.metrics.average_precision_score counts them
        n_positives_up_to = _count_below(positive_keys, k, positive_keys[i], True)
        ap += n_positives_up_to / <double>(n_positives_up_to + n_below_or_tied)
    rank_sum[0] = ranks
    average_precision[0] = ap / k


def rank_children(const double[:, ::1] embedding, const int[::1] children,
                  const int[::1] positive_indptr, const int[::1] positive_indices,
                  int n_threads=1, bint euclidean=False):
    """Rank each child's positives among all other nodes.

    ``positive_indices[positive_indptr[c]:positive_indptr[c + 1]]`` are the
    sorted, non-empty positives of ``children[c]``. Returns per child the sum
    of the positives' ranks and the average precision. ``euclidean`` ranks by
    Euclidean instead of Poincaré distance.
    """
    cdef Py_ssize_t n_children = children.shape[0]
    cdef Py_ssize_t c, k, max_k = 0
    cdef double[::1] rank_sum = np.zeros(n_children)
    cdef double[::1] average_precision = np.zeros(n_children)
    # the key |u - v|^2 / (1 - |v|^2); with a factor of 1 it ranks by
    # Euclidean distance
    cdef double[::1] inv_beta = (
        np.ones(embedding.shape[0]) if euclidean
        else 1.0 / one_minus_squared_norms(embedding))
    cdef int n_workers = max(n_threads, 1), tid
    cdef double[:, ::1] positive_keys
    cdef Py_ssize_t[:, ::1] counts

    for c in range(n_children):
        max_k = max(max_k, positive_indptr[c + 1] - positive_indptr[c])
    # Per-thread scratch, indexed by thread id.
    positive_keys = np.empty((n_workers, max_k + 1))
    counts = np.empty((n_workers, 2 * (max_k + 1)), dtype=np.intp)

    with nogil:
        for c in prange(n_children, num_threads=n_workers,
                        schedule='dynamic', chunksize=16):
            tid = threadid()
            k = positive_indptr[c + 1] - positive_indptr[c]
            _rank_one_child(embedding, inv_beta, children[c],
                            &positive_indices[positive_indptr[c]], k,
                            &positive_keys[tid, 0], &counts[tid, 0],
                            &counts[tid, max_k + 1],
                            &rank_sum[c], &average_precision[c])
    return np.asarray(rank_sum), np.asarray(average_precision)
