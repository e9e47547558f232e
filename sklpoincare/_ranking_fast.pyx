# cython: language_level=3, cdivision=True
# Bounds, wrap-around and initialisation checks are set in setup.py: off,
# or on with SKLPOINCARE_CHECKED_BUILD=1 (a file-level directive here would
# override that switch).
"""Pairwise Poincare distances and reconstruction ranking, in C.

The ranking kernel never holds an n x n matrix: each child is ranked against
all nodes with O(n) scratch per thread. For a fixed child u the distance
d(u, v) = arcosh(1 + 2 |u - v|^2 / ((1 - |u|^2)(1 - |v|^2))) is an increasing
function of the key |u - v|^2 / (1 - |v|^2), so ranks are computed on keys and
no logarithm is evaluated per pair.
"""

from cython.parallel cimport prange, threadid
from libc.stdlib cimport qsort

from ._geometry cimport arcosh1p, one_minus_squared_norm, squared_distance

import numpy as np


cdef inline int _team(int n_threads, Py_ssize_t n_items) noexcept nogil:
    # No more threads than rows to share out: an idle thread still has to be
    # woken for the team's closing barrier, which on a busy machine can take
    # a scheduler slice (milliseconds for a single query).
    return <int>max(1, min(<Py_ssize_t>n_threads, n_items))


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
        for i in prange(n_x, num_threads=_team(n_threads, n_x), schedule='static'):
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
    const int* excluded,         # sorted node ids that are not candidates
    Py_ssize_t n_excluded,
    double* positive_keys,       # scratch, 2 k: sorted, then as listed
    Py_ssize_t* below,           # scratch, k + 1: negatives strictly closer
    Py_ssize_t* below_or_tied,   # scratch, k + 1: negatives closer or tied
    double* ranks_out,           # k ranks, in the order of the positives
    double* average_precision,
) noexcept nogil:
    cdef Py_ssize_t n = embedding.shape[0], dim = embedding.shape[1]
    cdef Py_ssize_t i, v, next_positive = 0, next_excluded = 0
    cdef Py_ssize_t n_below = 0, n_below_or_tied = 0, n_positives_up_to
    cdef double key, ap = 0.0
    cdef const double* u_row = &embedding[u, 0]
    cdef double* listed_keys = positive_keys + k

    for i in range(k):
        positive_keys[i] = squared_distance(
            u_row, &embedding[positives[i], 0], dim) * inv_beta[positives[i]]
        listed_keys[i] = positive_keys[i]
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
        while next_excluded < n_excluded and excluded[next_excluded] < v:
            next_excluded += 1
        if next_excluded < n_excluded and excluded[next_excluded] == v:
            continue  # a known parent outside the ranked set: filtered out
        key = squared_distance(u_row, &embedding[v, 0], dim) * inv_beta[v]
        if key > positive_keys[k - 1]:
            continue  # farther than every positive: affects no count
        below[_count_below(positive_keys, k, key, True)] += 1
        below_or_tied[_count_below(positive_keys, k, key, False)] += 1

    for i in range(k):
        n_below += below[i]
        n_below_or_tied += below_or_tied[i]
        below[i] = n_below  # now: non-positives strictly closer than sorted key i
        # precision at this positive's threshold, ties included as
        # sklearn.metrics.average_precision_score counts them
        n_positives_up_to = _count_below(positive_keys, k, positive_keys[i], True)
        ap += n_positives_up_to / <double>(n_positives_up_to + n_below_or_tied)
    average_precision[0] = ap / k
    # rank = 1 + number of non-positives strictly closer; tied positives
    # share the count of the first of them in sorted order
    for i in range(k):
        ranks_out[i] = 1.0 + below[_count_below(positive_keys, k, listed_keys[i], False)]


def rank_children(const double[:, ::1] embedding, const int[::1] children,
                  const int[::1] positive_indptr, const int[::1] positive_indices,
                  int n_threads=1, bint euclidean=False,
                  const int[::1] excluded_indptr=None,
                  const int[::1] excluded_indices=None):
    """Rank each child's positives among all other nodes.

    ``positive_indices[positive_indptr[c]:positive_indptr[c + 1]]`` are the
    sorted, non-empty positives of ``children[c]``. Nodes listed, sorted, in
    ``excluded_indices[excluded_indptr[c]:excluded_indptr[c + 1]]`` (disjoint
    from the positives) are left out of the candidates: the filtered setting
    of link prediction. Returns the rank of every positive (in the order of
    ``positive_indices``) and per child the average precision.
    ``euclidean`` ranks by Euclidean instead of Poincaré distance.
    """
    cdef Py_ssize_t n_children = children.shape[0]
    cdef Py_ssize_t c, k, max_k = 0
    cdef double[::1] ranks = np.zeros(positive_indices.shape[0])
    cdef double[::1] average_precision = np.zeros(n_children)
    # the key |u - v|^2 / (1 - |v|^2); with a factor of 1 it ranks by
    # Euclidean distance
    cdef double[::1] inv_beta = (
        np.ones(embedding.shape[0]) if euclidean
        else 1.0 / one_minus_squared_norms(embedding))
    cdef int n_workers = max(n_threads, 1), tid
    cdef double[:, ::1] positive_keys
    cdef Py_ssize_t[:, ::1] counts
    if excluded_indptr is None:
        excluded_indptr = np.zeros(n_children + 1, dtype=np.intc)
        excluded_indices = np.zeros(0, dtype=np.intc)
    # Each child gets a pointer into the exclusion list, one past its end
    # when its slice is empty and last; a padding entry keeps that pointer
    # inside the buffer, so checked builds (bounds checks) accept it.
    excluded_indices = np.append(excluded_indices, np.intc(0)).astype(np.intc)
    if excluded_indptr.shape[0] != n_children + 1:
        raise ValueError("excluded_indptr must have one entry per child, plus one")

    for c in range(n_children):
        max_k = max(max_k, positive_indptr[c + 1] - positive_indptr[c])
    # Per-thread scratch, indexed by thread id.
    positive_keys = np.empty((n_workers, 2 * (max_k + 1)))
    counts = np.empty((n_workers, 2 * (max_k + 1)), dtype=np.intp)

    with nogil:
        for c in prange(n_children, num_threads=n_workers,
                        schedule='dynamic', chunksize=16):
            tid = threadid()
            k = positive_indptr[c + 1] - positive_indptr[c]
            _rank_one_child(embedding, inv_beta, children[c],
                            &positive_indices[positive_indptr[c]], k,
                            &excluded_indices[excluded_indptr[c]],
                            excluded_indptr[c + 1] - excluded_indptr[c],
                            &positive_keys[tid, 0], &counts[tid, 0],
                            &counts[tid, max_k + 1],
                            &ranks[positive_indptr[c]], &average_precision[c])
    return np.asarray(ranks), np.asarray(average_precision)


def distance_keys(const double[:, ::1] queries, const double[:, ::1] embedding,
                  const double[::1] inv_beta, double[:, ::1] out, int n_threads=1):
    """Fill ``out[i, j]`` with ``|queries[i] - embedding[j]|^2 * inv_beta[j]``.

    For a fixed query the keys order the nodes as Poincare distances do when
    ``inv_beta = 1 / (1 - |embedding|^2)``, and as Euclidean distances do
    when it is all ones; no logarithm or square root is taken per pair.
    """
    cdef Py_ssize_t n_q = queries.shape[0], n = embedding.shape[0]
    cdef Py_ssize_t dim = embedding.shape[1], i, j
    with nogil:
        for i in prange(n_q, num_threads=_team(n_threads, n_q), schedule='static'):
            for j in range(n):
                out[i, j] = squared_distance(
                    &queries[i, 0], &embedding[j, 0], dim) * inv_beta[j]


def closest_by_norm(const double[:, ::1] queries, const double[::1] query_norms,
                    const double[:, ::1] embedding, const double[::1] norms,
                    const double[::1] inv_beta, bint smaller, int n_threads=1):
    """Row of the node closest to each query among the nodes of strictly
    smaller norm (``smaller``) or strictly larger norm than the query's.

    Closeness is the key of :func:`distance_keys`. Returns an int array with
    -1 where no node qualifies; ties go to the lowest row.
    """
    cdef Py_ssize_t n_q = queries.shape[0], n = embedding.shape[0]
    cdef Py_ssize_t dim = embedding.shape[1], i, j, best
    cdef double key, best_key, own_norm
    cdef Py_ssize_t[::1] closest = np.empty(n_q, dtype=np.intp)
    with nogil:
        for i in prange(n_q, num_threads=_team(n_threads, n_q), schedule='static'):
            own_norm = query_norms[i]
            best = -1
            best_key = 0.0
            for j in range(n):
                if (norms[j] >= own_norm) if smaller else (norms[j] <= own_norm):
                    continue
                key = squared_distance(&queries[i, 0], &embedding[j, 0], dim) * inv_beta[j]
                if best < 0 or key < best_key:
                    best = j
                    best_key = key
            closest[i] = best
    return np.asarray(closest)
