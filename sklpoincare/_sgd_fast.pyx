# cython: language_level=3, boundscheck=False, wraparound=False
# cython: cdivision=True, initializedcheck=False
"""Riemannian SGD on the Poincare ball: one training epoch, in C.

Everything here works on typed arrays prepared by ``_embedder.py``; no
validation happens here and no Python object is touched inside the loops.

For a relation (u, v) -- u the child, v one of its parents -- the loss of
Nickel & Kiela (2017) is a softmax cross-entropy over negative distances:

    L = d(u, v) + log sum_{t in {v} + N(u)} exp(-d(u, t))

where N(u) are ``n_negatives`` nodes drawn at random among the nodes that are
neither u nor a parent of u. Every point involved moves along its Riemannian
gradient, the Euclidean gradient times (1 - |x|^2)^2 / 4, and is projected
back inside the ball of radius ``max_norm`` (= 1 - eps).

Threads (``n_threads > 1``) run Hogwild: each takes a contiguous share of the
shuffled relations, has its own random generator, and updates the shared
embedding without locks. With one thread the result is bitwise reproducible.
"""

cimport cython
from cython.parallel cimport prange
from libc.math cimport log, sqrt, isfinite
from libc.stdint cimport uint64_t

from ._hyperbolic cimport arcosh1p

import numpy as np

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define SKLP_PREFETCH(p) __builtin_prefetch(p)
    #else
    #define SKLP_PREFETCH(p) ((void)0)
    #endif
    """
    void SKLP_PREFETCH(const void* p) noexcept nogil

# How many draws one negative slot gets before it is left empty. Rejection only
# happens for nodes that are parents of u (or u), so on real hierarchies the
# first draw nearly always succeeds; the cap only matters on tiny graphs where
# a node is related to almost every other node.
cdef int MAX_NEGATIVE_TRIES = 20


# --------------------------------------------------------------------------
# Random numbers: splitmix64, one 64-bit state per thread.

cdef inline uint64_t _next_random(uint64_t* state) noexcept nogil:
    cdef uint64_t z
    state[0] += <uint64_t>0x9E3779B97F4A7C15ULL
    z = state[0]
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EBULL
    return z ^ (z >> 31)


cdef inline int _sample_node(uint64_t* state, int n_nodes,
                             const double* alias_prob,
                             const int* alias_index) noexcept nogil:
    """Uniform node, or a draw from the alias table when one is given."""
    cdef uint64_t r = _next_random(state)
    # Upper 32 bits pick a slot without a division (Lemire's multiply-shift).
    cdef int slot = <int>(((r >> 32) * <uint64_t>n_nodes) >> 32)
    cdef double coin
    if alias_prob == NULL:
        return slot
    coin = <double>(r & 0xFFFFFFFFULL) * 2.3283064365386963e-10  # 2**-32
    if coin < alias_prob[slot]:
        return slot
    return alias_index[slot]


cdef inline bint _contains(const int* sorted_values, Py_ssize_t lo,
                           Py_ssize_t hi, int value) noexcept nogil:
    """Binary search of ``value`` in ``sorted_values[lo:hi]``."""
    cdef Py_ssize_t mid, end = hi
    while lo < hi:
        mid = (lo + hi) >> 1
        if sorted_values[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo < end and sorted_values[lo] == value


# --------------------------------------------------------------------------
# The loss of one relation and its Riemannian gradients.

cdef double _relation_gradients(
    const double* embedding,     # n_nodes x dim, C order
    Py_ssize_t dim,
    int u,
    const int* targets,          # targets[0] = the parent, then negatives
    int n_targets,
    double weight,
    double* exp_terms,           # scratch, n_targets: exp(-d(u, t_k))
    double* sqrt_terms,          # scratch, n_targets
    double* dots,                # scratch, n_targets
    double* target_sq_norms,     # scratch, n_targets
    double* grad_u,              # out, dim: Riemannian gradient for u
    double* grad_targets,        # out, n_targets * dim, one row per slot
) noexcept nogil:
    """Weighted loss of the relation; fills the Riemannian gradients.

    With alpha = 1 - |u|^2, beta = 1 - |t|^2 and s = sqrt(z (z + 2)),
    the Riemannian gradients of d(u, t) simplify to

        for u:  ((1 + |t|^2 - 2 <u, t>) u - alpha t) / (beta s)
        for t:  ((1 + |u|^2 - 2 <u, t>) t - beta u) / (alpha s)

    (the (1 - |x|^2)^2 / 4 metric factor cancels the 1 / alpha^2 of the
    Euclidean gradient), so no large factor appears near the boundary.
    """
    cdef Py_ssize_t i
    cdef int k, t
    cdef double u_sq_norm = 0.0, alpha, beta, z, sq, dot, t_sq, diff
    cdef double z_parent = 0.0, total, loss, g, coef_u, coef_t, c_u, c_t
    cdef const double* u_row = embedding + u * dim
    cdef const double* t_row

    for i in range(dim):
        u_sq_norm += u_row[i] * u_row[i]
    alpha = 1.0 - u_sq_norm

    for k in range(n_targets):
        t_row = embedding + targets[k] * dim
        sq = 0.0
        dot = 0.0
        t_sq = 0.0
        for i in range(dim):
            diff = u_row[i] - t_row[i]
            sq += diff * diff
            dot += u_row[i] * t_row[i]
            t_sq += t_row[i] * t_row[i]
        beta = 1.0 - t_sq
        z = 2.0 * sq / (alpha * beta)
        sqrt_terms[k] = sqrt(z * (z + 2.0))
        # exp(-arcosh(1 + z)) = 1 / (1 + z + sqrt(z (z + 2))): the softmax
        # needs no exp or log per target. It lies in (0, 1], and points kept
        # at norm <= 1 - eps bound z, so the sum neither overflows nor
        # underflows.
        exp_terms[k] = 1.0 / (1.0 + z + sqrt_terms[k])
        if k == 0:
            z_parent = z
        dots[k] = dot
        target_sq_norms[k] = t_sq

    total = 0.0
    for k in range(n_targets):
        total += exp_terms[k]
    # -log softmax_0 = d(u, v) + log sum_k exp(-d(u, t_k))
    loss = arcosh1p(z_parent) + log(total)

    for i in range(dim):
        grad_u[i] = 0.0
    for k in range(n_targets):
        # dL/dd_k = [k == 0] - softmax_k
        g = -exp_terms[k] / total
        if k == 0:
            g += 1.0
        g *= weight
        t_row = embedding + targets[k] * dim
        if sqrt_terms[k] <= 0.0:
            # Identical points: the distance has no gradient there.
            for i in range(dim):
                grad_targets[k * dim + i] = 0.0
            continue
        beta = 1.0 - target_sq_norms[k]
        c_u = 1.0 + target_sq_norms[k] - 2.0 * dots[k]
        c_t = 1.0 + u_sq_norm - 2.0 * dots[k]
        coef_u = g / (beta * sqrt_terms[k])
        coef_t = g / (alpha * sqrt_terms[k])
        for i in range(dim):
            grad_u[i] += coef_u * (c_u * u_row[i] - alpha * t_row[i])
            grad_targets[k * dim + i] = coef_t * (c_t * t_row[i] - beta * u_row[i])
    return weight * loss


cdef inline void _step_and_project(double* row, const double* grad,
                                   double learning_rate, double max_norm,
                                   Py_ssize_t dim) noexcept nogil:
    """row <- proj(row - learning_rate * grad), proj = shrink onto max_norm."""
    cdef Py_ssize_t i
    cdef double sq_norm = 0.0, scale
    for i in range(dim):
        row[i] -= learning_rate * grad[i]
        sq_norm += row[i] * row[i]
    if sq_norm >= max_norm * max_norm:
        scale = max_norm / sqrt(sq_norm)
        for i in range(dim):
            row[i] *= scale


# --------------------------------------------------------------------------
# One epoch.

cdef inline Py_ssize_t _scratch_size(int n_negatives, Py_ssize_t dim) noexcept nogil:
    # distances, sqrt terms, dot products, squared norms (one per target),
    # the gradient of u and one gradient row per target
    return 4 * (n_negatives + 1) + dim + (n_negatives + 1) * dim

cdef double _train_share(
    double[:, ::1] embedding,
    const int[::1] children,
    const int[::1] parents,
    const double[::1] weights,
    const int[::1] order,
    Py_ssize_t start,
    Py_ssize_t stop,
    const int[::1] parent_indptr,
    const int[::1] parent_indices,
    const double[::1] alias_prob,
    const int[::1] alias_index,
    double lr_start,
    double lr_end,
    int n_negatives,
    double max_norm,
    uint64_t seed,
    int* targets,        # scratch, n_negatives + 1
    double* scratch,     # scratch, _scratch_size(n_negatives, dim)
) noexcept nogil:
    """SGD over ``order[start:stop]``; returns the summed weighted loss.

    Returns NaN as soon as a loss is not finite, so that Python can stop
    with a clear error instead of training on garbage.
    """
    cdef Py_ssize_t dim = embedding.shape[1]
    cdef int n_nodes = <int>embedding.shape[0]
    cdef Py_ssize_t pos, n_share = stop - start
    cdef int r, u, candidate, k, tries, n_targets
    cdef double w, lr, loss, total_loss = 0.0
    cdef uint64_t state = seed
    cdef double* rows = &embedding[0, 0]
    cdef const int* parent_ptr = &parent_indices[0]
    cdef const double* prob_ptr = NULL
    cdef const int* alias_ptr = NULL
    cdef double* exp_terms = scratch
    cdef double* sqrt_terms = exp_terms + (n_negatives + 1)
    cdef double* dots = sqrt_terms + (n_negatives + 1)
    cdef double* target_sq_norms = dots + (n_negatives + 1)
    cdef double* grad_u = target_sq_norms + (n_negatives + 1)
    cdef double* grad_targets = grad_u + dim

    if alias_prob.shape[0] > 0:
        prob_ptr = &alias_prob[0]
        alias_ptr = &alias_index[0]

    for pos in range(start, stop):
        r = order[pos]
        w = weights[r]
        if w == 0.0:
            continue
        u = children[r]
        # Linear interpolation of the rate across this thread's share.
        lr = lr_start + (lr_end - lr_start) * (<double>(pos - start) / n_share)

        targets[0] = parents[r]
        n_targets = 1
        SKLP_PREFETCH(rows + u * dim)
        SKLP_PREFETCH(rows + u * dim + dim - 1)
        SKLP_PREFETCH(rows + targets[0] * dim)
        SKLP_PREFETCH(rows + targets[0] * dim + dim - 1)
        for k in range(n_negatives):
            for tries in range(MAX_NEGATIVE_TRIES):
                candidate = _sample_node(&state, n_nodes, prob_ptr, alias_ptr)
                if candidate != u and not _contains(
                        parent_ptr, parent_indptr[u],
                        parent_indptr[u + 1], candidate):
                    targets[n_targets] = candidate
                    n_targets += 1
                    # On large graphs the rows are cache misses: start
                    # loading both cache lines of the row while sampling
                    # goes on.
                    SKLP_PREFETCH(rows + candidate * dim)
                    SKLP_PREFETCH(rows + candidate * dim + dim - 1)
                    break

        loss = _relation_gradients(rows, dim, u, targets, n_targets, w,
                                   exp_terms, sqrt_terms, dots,
                                   target_sq_norms, grad_u, grad_targets)
        if not isfinite(loss):
            total_loss = loss
            break
        total_loss += loss
        for k in range(n_targets):
            _step_and_project(rows + targets[k] * dim,
                              grad_targets + k * dim, lr, max_norm, dim)
        _step_and_project(rows + u * dim, grad_u, lr, max_norm, dim)

    return total_loss


def train_epoch(
    double[:, ::1] embedding,
    const int[::1] children,
    const int[::1] parents,
    const double[::1] weights,
    const int[::1] order,
    const int[::1] parent_indptr,
    const int[::1] parent_indices,
    const double[::1] alias_prob,
    const int[::1] alias_index,
    *,
    double lr_start,
    double lr_end,
    int n_negatives,
    double max_norm,
    uint64_t seed,
    int n_threads=1,
):
    """Run one epoch of Riemannian SGD in place; return the summed loss.

    ``order`` lists the relation indices to visit. The learning rate goes
    linearly from ``lr_start`` to ``lr_end`` over each thread's share.
    Negatives are uniform over nodes when ``alias_prob`` is empty, otherwise
    drawn from the alias table (``alias_prob``, ``alias_index``).
    Returns NaN when a non-finite loss was met (training stopped there).
    """
    cdef Py_ssize_t n = order.shape[0], dim = embedding.shape[1]
    cdef int t, n_workers = max(n_threads, 1)
    cdef double[::1] share_loss = np.zeros(n_workers)
    cdef uint64_t[::1] seeds = np.empty(n_workers, dtype=np.uint64)
    cdef uint64_t state = seed
    # Per-thread scratch, one row per share.
    cdef int[:, ::1] targets = np.empty((n_workers, n_negatives + 1), dtype=np.intc)
    cdef double[:, ::1] scratch = np.empty(
        (n_workers, _scratch_size(n_negatives, dim)))

    for t in range(n_workers):
        seeds[t] = _next_random(&state)

    # One share per thread; with one thread this is a plain serial loop, and
    # without OpenMP the shares simply run one after the other.
    with nogil:
        for t in prange(n_workers, num_threads=n_workers,
                        schedule='static', chunksize=1):
            share_loss[t] = _train_share(
                embedding, children, parents, weights, order,
                (n * t) // n_workers, (n * (t + 1)) // n_workers,
                parent_indptr, parent_indices, alias_prob, alias_index,
                lr_start, lr_end, n_negatives, max_norm, seeds[t],
                &targets[t, 0], &scratch[t, 0])
    return float(np.sum(share_loss))


def relation_loss_and_gradients(const double[:, ::1] embedding, int u,
                                const int[::1] targets, double weight=1.0):
    """Loss of one relation and its Riemannian gradients (for tests).

    ``targets[0]`` is the parent, the rest are the negatives. Runs the very
    function the training loop uses. Returns ``(loss, grad_u, grad_targets)``.
    """
    cdef Py_ssize_t dim = embedding.shape[1]
    cdef int n_targets = targets.shape[0]
    cdef double[::1] scratch = np.empty(4 * n_targets)
    cdef double[::1] grad_u = np.empty(dim)
    cdef double[:, ::1] grad_targets = np.empty((n_targets, dim))
    cdef double loss = _relation_gradients(
        &embedding[0, 0], dim, u, &targets[0], n_targets, weight,
        &scratch[0], &scratch[n_targets], &scratch[2 * n_targets],
        &scratch[3 * n_targets], &grad_u[0], &grad_targets[0, 0])
    return loss, np.asarray(grad_u), np.asarray(grad_targets)
