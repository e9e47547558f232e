# cython: language_level=3, cdivision=True
# Bounds, wrap-around and initialisation checks are set in setup.py: off,
# or on with SKLPOINCARE_CHECKED_BUILD=1 (a file-level directive here would
# override that switch).
"""Riemannian SGD on the Poincare ball: one training epoch, in C.

Everything here works on typed arrays prepared by ``_embedder.py``; no
validation happens here and no Python object is touched inside the loops.

For a relation (u, v) -- u the child, v one of its parents -- the loss of
Nickel & Kiela (2017) is a softmax cross-entropy over negative distances:

    L = d(u, v) + log sum_{t in {v} + N(u)} exp(-d(u, t))

where N(u) are ``n_negatives`` nodes drawn at random among the nodes that are
neither u nor a parent of u: uniformly, by degree during burn-in, or (a
chosen share) among the descendants of v. Every point involved moves along its Riemannian
gradient, the Euclidean gradient times (1 - |x|^2)^2 / 4, and is projected
back inside the ball of radius ``max_norm`` (= 1 - eps).

Threads (``n_threads > 1``) run Hogwild: each takes a contiguous share of the
shuffled relations, has its own random generator, and updates the shared
embedding without locks. With one thread the result is bitwise reproducible.
"""

cimport cython
from cython.parallel cimport prange
from libc.math cimport cosh, exp, fabs, isfinite, isinf, log, sinh, sqrt
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


cdef inline double _uniform(uint64_t* state) noexcept nogil:
    """Uniform double in [0, 1) from the upper 53 bits."""
    return <double>(_next_random(state) >> 11) * 1.1102230246251565e-16


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
# Small loops.

cdef inline double _sum(const double* values, int n) noexcept nogil:
    cdef double total = 0.0
    cdef int k
    for k in range(n):
        total += values[k]
    return total


cdef inline void _zero(double* values, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        values[i] = 0.0


# --------------------------------------------------------------------------
# The distances of one relation in each model.
#
# For the parent (k = 0) and each negative t_k, a model fills
#     exp_terms[k] = exp(shift - d(u, t_k))
# and four numbers coefs[4k:4k+4] = (a, b, c, e) such that the (Riemannian)
# gradient of d(u, t_k) is a u + b t_k at u and c t_k + e u at t_k. It returns
# d(u, v) - shift. The softmax loss and the gradient accumulation that follow
# are the same for every model (_relation_gradients).

cdef inline void _set_coefs(double* coefs, double a, double b, double c,
                            double e) noexcept nogil:
    coefs[0] = a
    coefs[1] = b
    coefs[2] = c
    coefs[3] = e


cdef double _poincare_terms(
    const double* embedding, Py_ssize_t dim, int u, const int* targets,
    int n_targets, double* exp_terms, double* coefs,
) noexcept nogil:
    """The Poincare ball, shift 0.

    With alpha = 1 - |u|^2, beta = 1 - |t|^2 and s = sqrt(z (z + 2)),
    the Riemannian gradients of d(u, t) simplify to

        for u:  ((1 + |t|^2 - 2 <u, t>) u - alpha t) / (beta s)
        for t:  ((1 + |u|^2 - 2 <u, t>) t - beta u) / (alpha s)

    (the (1 - |x|^2)^2 / 4 metric factor cancels the 1 / alpha^2 of the
    Euclidean gradient), so no large factor appears near the boundary.
    """
    cdef Py_ssize_t i
    cdef int k
    cdef double u_sq = 0.0, alpha, beta, z, s, sq, dot, t_sq, diff
    cdef double z_parent = 0.0
    cdef const double* u_row = embedding + u * dim
    cdef const double* t_row

    for i in range(dim):
        u_sq += u_row[i] * u_row[i]
    alpha = 1.0 - u_sq

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
        s = sqrt(z * (z + 2.0))
        # exp(-arcosh(1 + z)) = 1 / (1 + z + sqrt(z (z + 2))): the softmax
        # needs no exp or log per target. It lies in (0, 1], and points kept
        # at norm <= 1 - eps bound z, so the sum neither overflows nor
        # underflows.
        exp_terms[k] = 1.0 / (1.0 + z + s)
        if k == 0:
            z_parent = z
        if s <= 0.0:
            # Identical points: the distance has no gradient there.
            _set_coefs(coefs + 4 * k, 0.0, 0.0, 0.0, 0.0)
        else:
            _set_coefs(coefs + 4 * k,
                       (1.0 + t_sq - 2.0 * dot) / (beta * s), -alpha / (beta * s),
                       (1.0 + u_sq - 2.0 * dot) / (alpha * s), -beta / (alpha * s))
    return arcosh1p(z_parent)


cdef inline void _cap_norm(double* row, double sq_norm, double max_norm,
                           Py_ssize_t dim) noexcept nogil:
    """Shrink ``row`` (of squared norm ``sq_norm``) onto ``max_norm`` if longer."""
    cdef Py_ssize_t i
    cdef double scale
    if sq_norm > max_norm * max_norm:
        scale = max_norm / sqrt(sq_norm)
        for i in range(dim):
            row[i] *= scale


cdef inline double _largest_magnitude(const double* values,
                                      Py_ssize_t dim) noexcept nogil:
    cdef double largest = 0.0
    cdef Py_ssize_t i
    for i in range(dim):
        if fabs(values[i]) > largest:
            largest = fabs(values[i])
    return largest


cdef inline void _step_and_project(double* row, const double* grad,
                                   double learning_rate, double max_norm,
                                   Py_ssize_t dim) noexcept nogil:
    """row <- proj(row - learning_rate * grad), proj = shrink onto max_norm."""
    cdef Py_ssize_t i
    cdef double sq_norm = 0.0, largest
    for i in range(dim):
        row[i] -= learning_rate * grad[i]
        sq_norm += row[i] * row[i]
    if isinf(sq_norm) and isfinite(max_norm):
        # The step overflowed the squares (a huge rate or sample weight):
        # next to it the old point is nothing, and the projection of the
        # step is the point of norm max_norm along -grad. Shrinking the
        # overflowed row instead would multiply it by max_norm / inf = 0.
        largest = _largest_magnitude(grad, dim)
        sq_norm = 0.0
        for i in range(dim):
            row[i] = -grad[i] / largest
            sq_norm += row[i] * row[i]
    _cap_norm(row, sq_norm, max_norm, dim)


# --------------------------------------------------------------------------
# The hyperboloid (Lorentz) model, Nickel & Kiela (2018).
#
# A point is x = (x0, xs) with x0 = sqrt(1 + |xs|^2); only the spatial part
# xs is stored, so an embedding row has n_components numbers in both models
# and x0 is recomputed when needed. The distance is arcosh(1 + z) with
#     z = -<x, y>_L - 1 = (|xs - ys|^2 - (x0 - y0)^2) / 2,
#     x0 - y0 = (|xs|^2 - |ys|^2) / (x0 + y0),
# a form without the cancellation of x0 y0 - <xs, ys> - 1 between nearby
# points far from the origin. Updates follow the exact exponential map, so a
# step of hyperbolic length h moves a point by h wherever it is: no retraction
# error and no shrinking steps near the boundary.

cdef double _lorentz_terms(
    const double* embedding, Py_ssize_t dim, int u, const int* targets,
    int n_targets, double* exp_terms, double* coefs,
) noexcept nogil:
    """The hyperboloid, spatial coordinates, shift 0.

    The Riemannian gradient of d(u, t) at u is (alpha u - t) / s with
    alpha = -<u, t>_L = 1 + z and s = sqrt(alpha^2 - 1) = sqrt(z (z + 2)):
    a tangent vector of unit length. Only its spatial part is kept; the
    time part follows from tangency (<x, v>_L = 0) when it is needed.
    """
    cdef Py_ssize_t i
    cdef int k
    cdef double u_sq = 0.0, u0, t_sq, t0, sq, diff, d0, z, s
    cdef double z_parent = 0.0
    cdef const double* u_row = embedding + u * dim
    cdef const double* t_row

    for i in range(dim):
        u_sq += u_row[i] * u_row[i]
    u0 = sqrt(1.0 + u_sq)

    for k in range(n_targets):
        t_row = embedding + targets[k] * dim
        sq = 0.0
        t_sq = 0.0
        for i in range(dim):
            diff = u_row[i] - t_row[i]
            sq += diff * diff
            t_sq += t_row[i] * t_row[i]
        t0 = sqrt(1.0 + t_sq)
        d0 = (u_sq - t_sq) / (u0 + t0)
        z = 0.5 * (sq - d0 * d0)
        if z < 0.0:
            z = 0.0   # rounding; the true value is >= 0
        s = sqrt(z * (z + 2.0))
        exp_terms[k] = 1.0 / (1.0 + z + s)
        if k == 0:
            z_parent = z
        if s <= 0.0:
            _set_coefs(coefs + 4 * k, 0.0, 0.0, 0.0, 0.0)
        else:
            _set_coefs(coefs + 4 * k, (1.0 + z) / s, -1.0 / s, (1.0 + z) / s, -1.0 / s)
    return arcosh1p(z_parent)


# Longest step, in hyperbolic units, that one update may take. A step this
# long only happens with absurd learning rates; capping it keeps cosh and
# sinh finite instead of producing inf. It is more than twice the largest
# radius any eps allows (28.3 at eps=1e-12), so a capped step still ends at
# the norm bound, as an uncapped one would, wherever it starts.
cdef double MAX_STEP = 64.0

cdef inline double _tangent_length_sq(const double* row, const double* grad,
                                      double scale, double x_sq,
                                      Py_ssize_t dim) noexcept nogil:
    """Lorentz squared length of the tangent vector at row with spatial part
    grad / scale.

    It is |g|^2 - <g, xs>^2 / x0^2, but far out (x0 ~ 1e8 for eps=1e-8)
    both terms agree to 16 digits when g points outwards and the difference
    is rounding noise. Splitting g = a xs + w (w orthogonal to xs) gives the
    same value as (|g|^2 + |w|^2 |xs|^2) / x0^2, a sum of positive terms.
    """
    cdef Py_ssize_t i
    cdef double g_sq = 0.0, gx = 0.0, w_sq = 0.0, a, g, w
    # divided, not multiplied by 1 / scale: that overflows for a subnormal
    # scale (and dividing by 1.0 changes nothing)
    for i in range(dim):
        g = grad[i] / scale
        g_sq += g * g
        gx += g * row[i]
    if x_sq > 0.0:
        a = gx / x_sq
        for i in range(dim):
            w = grad[i] / scale - a * row[i]
            w_sq += w * w
    return (g_sq + w_sq * x_sq) / (1.0 + x_sq)


cdef inline void _lorentz_step(double* row, const double* grad,
                               double learning_rate, double max_norm,
                               Py_ssize_t dim) noexcept nogil:
    """row <- exp_row(-learning_rate * grad), then cap |row| at max_norm.

    With v = -learning_rate * grad and h its Lorentz length (see
    ``_tangent_length_sq``), the spatial part of the exponential map is
    cosh(h) xs + sinh(h) / h vs, which never needs v0.
    """
    cdef Py_ssize_t i
    cdef double x_sq = 0.0, h_sq, h, c, sh, rate, step
    cdef double sq_norm = 0.0, largest = 1.0, unit_length
    for i in range(dim):
        x_sq += row[i] * row[i]
    h_sq = _tangent_length_sq(row, grad, 1.0, x_sq, dim)
    h_sq *= learning_rate * learning_rate
    rate = learning_rate
    if not isfinite(h_sq):
        # The squares overflowed (a huge rate or sample weight), or a tiny
        # gradient's squares underflowed to 0 times a rate whose square
        # overflowed: measure grad / largest instead, whose squares cannot,
        # and take the step along it, capped at MAX_STEP.
        largest = _largest_magnitude(grad, dim)
        h_sq = 0.0  # a zero gradient times a rate whose square overflowed
        if largest > 0.0:
            unit_length = sqrt(_tangent_length_sq(row, grad, largest, x_sq, dim))
            h = learning_rate * largest * unit_length
            if h > MAX_STEP:
                rate = MAX_STEP / unit_length / largest
                h = MAX_STEP
            h_sq = h * h
        else:
            largest = 1.0
    if h_sq < 1e-4:
        # Taylor series to fourth order: exact to ~1e-15 here, and most
        # updates (those of negatives far away) are this small.
        c = 1.0 + h_sq * (0.5 + h_sq / 24.0)
        sh = 1.0 + h_sq * (1.0 / 6.0 + h_sq / 120.0)
    else:
        h = sqrt(h_sq)
        if h > MAX_STEP:
            rate = learning_rate * MAX_STEP / h
            h = MAX_STEP
        c = cosh(h)
        sh = sinh(h) / h
    # sh * rate * largest stays finite where sh * rate alone can overflow
    # (largest < 1 after a rescaled, capped step)
    step = sh * (rate * largest)
    if largest == 1.0:
        for i in range(dim):
            row[i] = c * row[i] - step * grad[i]
            sq_norm += row[i] * row[i]
    else:  # along grad / largest: 1 / largest overflows for a subnormal one
        for i in range(dim):
            row[i] = c * row[i] - step * (grad[i] / largest)
            sq_norm += row[i] * row[i]
    _cap_norm(row, sq_norm, max_norm, dim)


# --------------------------------------------------------------------------
# The Euclidean baseline of the paper: squared Euclidean distance, plain SGD.

cdef double _euclidean_terms(
    const double* embedding, Py_ssize_t dim, int u, const int* targets,
    int n_targets, double* exp_terms, double* coefs,
) noexcept nogil:
    """d(u, t) = |u - t|^2, whose gradient is 2 (u - t) at u.

    Distances are unbounded here, so the softmax is shifted by the smallest
    distance to keep exp() from underflowing to an all-zero sum.
    """
    cdef Py_ssize_t i
    cdef int k
    cdef double sq, diff, shift
    cdef const double* u_row = embedding + u * dim
    cdef const double* t_row

    for k in range(n_targets):
        t_row = embedding + targets[k] * dim
        sq = 0.0
        for i in range(dim):
            diff = u_row[i] - t_row[i]
            sq += diff * diff
        exp_terms[k] = sq   # the distance for now, exponentiated below
        _set_coefs(coefs + 4 * k, 2.0, -2.0, 2.0, -2.0)
    shift = exp_terms[0]
    for k in range(1, n_targets):
        if exp_terms[k] < shift:
            shift = exp_terms[k]
    sq = exp_terms[0]
    for k in range(n_targets):
        exp_terms[k] = exp(shift - exp_terms[k])
    return sq - shift


# --------------------------------------------------------------------------
# The softmax loss and the updates, shared by the models. The branches on the
# model are taken once per relation and per step, next to
# (n_negatives + 1) * dim flops of arithmetic, so they cost nothing visible.

# Codes of the models, as passed by _embedder.py.
MANIFOLD_CODES = {"poincare": 0, "lorentz": 1, "euclidean": 2}
cdef enum:
    POINCARE = 0
    LORENTZ = 1
    EUCLIDEAN = 2


cdef double _relation_gradients(
    int manifold, const double* embedding, Py_ssize_t dim, int u,
    const int* targets, int n_targets, double weight, double* scratch,
    double* grad_u, double* grad_targets,
) noexcept nogil:
    """Weighted loss of one relation; fills the gradients of u and of each
    target (one row per slot). ``scratch`` holds 5 * n_targets doubles.

    The loss is the softmax cross-entropy -log softmax_0 over -d(u, t_k):
    L = d(u, v) + log sum_k exp(-d(u, t_k)).
    """
    cdef double* exp_terms = scratch
    cdef double* coefs = scratch + n_targets
    cdef const double* u_row = embedding + u * dim
    cdef const double* t_row
    cdef double parent_term, total, g, a, b, c, e
    cdef Py_ssize_t i
    cdef int k

    if manifold == LORENTZ:
        parent_term = _lorentz_terms(embedding, dim, u, targets, n_targets,
                                     exp_terms, coefs)
    elif manifold == EUCLIDEAN:
        parent_term = _euclidean_terms(embedding, dim, u, targets, n_targets,
                                       exp_terms, coefs)
    else:
        parent_term = _poincare_terms(embedding, dim, u, targets, n_targets,
                                      exp_terms, coefs)
    total = _sum(exp_terms, n_targets)

    _zero(grad_u, dim)
    for k in range(n_targets):
        # dL/dd_k = [k == 0] - softmax_k, times the relation's weight
        g = -exp_terms[k] / total
        if k == 0:
            g += 1.0
        g *= weight
        a = g * coefs[4 * k]
        b = g * coefs[4 * k + 1]
        c = g * coefs[4 * k + 2]
        e = g * coefs[4 * k + 3]
        t_row = embedding + targets[k] * dim
        for i in range(dim):
            grad_u[i] += a * u_row[i] + b * t_row[i]
            grad_targets[k * dim + i] = c * t_row[i] + e * u_row[i]
    return weight * (parent_term + log(total))


cdef inline void _step(int manifold, double* row, const double* grad,
                       double learning_rate, double max_norm,
                       Py_ssize_t dim) noexcept nogil:
    """One update of ``row`` along ``-learning_rate * grad``."""
    if manifold == LORENTZ:
        _lorentz_step(row, grad, learning_rate, max_norm, dim)
    else:
        # the ball's Riemannian step, or the Euclidean one with an infinite
        # max_norm (no projection)
        _step_and_project(row, grad, learning_rate, max_norm, dim)


# --------------------------------------------------------------------------
# One epoch.

cdef inline Py_ssize_t _scratch_size(int n_negatives, Py_ssize_t dim) noexcept nogil:
    # exp terms and four gradient coefficients per target, the gradient of
    # u and one gradient row per target
    return 5 * (n_negatives + 1) + dim + (n_negatives + 1) * dim

cdef double _train_share(
    int manifold,
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
    const int[::1] child_indptr,
    const int[::1] child_indices,
    double subtree_share,
    double ancestor_share,
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
    cdef int r, u, candidate, k, tries, n_targets, n_subtree, root = 0
    cdef const int* child_ptr = NULL
    cdef double w, lr, loss, total_loss = 0.0
    cdef uint64_t state = seed
    cdef double* rows = &embedding[0, 0]
    cdef const int* parent_ptr = &parent_indices[0]
    cdef const double* prob_ptr = NULL
    cdef const int* alias_ptr = NULL
    cdef double* grad_u = scratch + 5 * (n_negatives + 1)
    cdef double* grad_targets = grad_u + dim

    if alias_prob.shape[0] > 0:
        prob_ptr = &alias_prob[0]
        alias_ptr = &alias_index[0]
    if subtree_share > 0.0:
        child_ptr = &child_indices[0]

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
        n_subtree = 0
        if child_ptr != NULL:
            # The subtree of v holds u's siblings; that of an ancestor of v
            # also holds u's cousins, which compete with v itself.
            root = targets[0]
            if (ancestor_share > 0.0 and parent_indptr[root + 1] > parent_indptr[root]
                    and _uniform(&state) < ancestor_share):
                root = parent_ptr[parent_indptr[root] + <int>(
                    ((_next_random(&state) >> 32)
                     * <uint64_t>(parent_indptr[root + 1] - parent_indptr[root])) >> 32)]
            n_subtree = child_indptr[root + 1] - child_indptr[root]
        SKLP_PREFETCH(rows + u * dim)
        SKLP_PREFETCH(rows + u * dim + dim - 1)
        SKLP_PREFETCH(rows + targets[0] * dim)
        SKLP_PREFETCH(rows + targets[0] * dim + dim - 1)
        for k in range(n_negatives):
            for tries in range(MAX_NEGATIVE_TRIES):
                if n_subtree > 1 and _uniform(&state) < subtree_share:
                    # a node of the parent's subtree: a sibling, cousin or
                    # descendant of u, the hardest non-parents to rank below v
                    candidate = child_ptr[child_indptr[root] + <int>(
                        ((_next_random(&state) >> 32) * <uint64_t>n_subtree) >> 32)]
                else:
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

        loss = _relation_gradients(manifold, rows, dim, u, targets,
                                   n_targets, w, scratch, grad_u,
                                   grad_targets)
        if not isfinite(loss):
            total_loss = loss
            break
        total_loss += loss
        for k in range(n_targets):
            _step(manifold, rows + targets[k] * dim,
                  grad_targets + k * dim, lr, max_norm, dim)
        _step(manifold, rows + u * dim, grad_u, lr, max_norm, dim)

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
    int manifold=POINCARE,
    const int[::1] child_indptr=None,
    const int[::1] child_indices=None,
    double subtree_share=0.0,
    double ancestor_share=0.0,
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
    drawn from the alias table (``alias_prob``, ``alias_index``); a share
    ``subtree_share`` of them comes instead from the children of the
    relation's parent in the CSR ``child_indptr``/``child_indices`` (on a
    transitive closure: its whole subtree) or, for a share ``ancestor_share``
    of the relations, from the children of a random parent of that parent.
    ``manifold`` is a code of ``MANIFOLD_CODES``.
    Returns NaN when a non-finite loss was met (training stopped there).
    """
    cdef Py_ssize_t n = order.shape[0], dim = embedding.shape[1]
    cdef int t, n_workers = max(n_threads, 1)
    if subtree_share > 0.0 and (child_indptr is None or child_indices is None):
        raise ValueError("subtree_share > 0 needs child_indptr and child_indices")
    if child_indptr is None:
        child_indptr = np.zeros(1, dtype=np.intc)
        child_indices = np.zeros(1, dtype=np.intc)
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
                manifold, embedding, children, parents, weights, order,
                (n * t) // n_workers, (n * (t + 1)) // n_workers,
                parent_indptr, parent_indices, alias_prob, alias_index,
                child_indptr, child_indices, subtree_share, ancestor_share,
                lr_start, lr_end, n_negatives, max_norm, seeds[t],
                &targets[t, 0], &scratch[t, 0])
    return float(np.sum(share_loss))


def relation_loss_and_gradients(const double[:, ::1] embedding, int u,
                                const int[::1] targets, double weight=1.0,
                                int manifold=POINCARE):
    """Loss of one relation and its Riemannian gradients (for tests).

    ``targets[0]`` is the parent, the rest are the negatives. Runs the very
    function the training loop uses. Returns ``(loss, grad_u, grad_targets)``.
    """
    cdef Py_ssize_t dim = embedding.shape[1]
    cdef int n_targets = targets.shape[0]
    cdef double[::1] scratch = np.empty(5 * n_targets)
    cdef double[::1] grad_u = np.empty(dim)
    cdef double[:, ::1] grad_targets = np.empty((n_targets, dim))
    cdef double loss = _relation_gradients(
        manifold, &embedding[0, 0], dim, u, &targets[0], n_targets, weight,
        &scratch[0], &grad_u[0], &grad_targets[0, 0])
    return loss, np.asarray(grad_u), np.asarray(grad_targets)


def take_step(double[::1] row, const double[::1] grad, double learning_rate,
              double max_norm, int manifold=POINCARE):
    """Apply one update to ``row`` in place, as training does (for tests)."""
    _step(manifold, &row[0], &grad[0], learning_rate, max_norm, row.shape[0])
