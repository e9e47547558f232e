# cython: cdivision=True
# (as in the .pyx files: C division, no zero checks; the .pyx header does
# not reach the inline functions of a .pxd)
#
# The geometry of the training models, inline for the Cython kernels.
#
# Python's side of the same geometry is _manifolds.py. Here, per model:
#
# - distance_terms: the distance from a node u to its parent and negatives,
#   and its Riemannian gradient at both ends (the loss of _sgd_fast.pyx
#   needs nothing else);
# - riemannian_step: the paper's update of a point x along a Riemannian
#   gradient g, x <- proj(R_x(-learning_rate * g)), with R a retraction
#   (the exponential map of the hyperboloid) and proj the projection onto
#   the norm bound (cap_norm);
# - scale_turn: in the ball, the part of a gradient that turns its point
#   about the origin, scaled up (the targets' share of it is in the
#   coefficients of distance_terms).
#
# Ball distances are computed from the squared Euclidean distance and the
# two "conformal factors" alpha = 1 - |x|^2 and beta = 1 - |y|^2:
#     d(x, y) = arcosh(1 + z),  z = 2 |x - y|^2 / (alpha * beta)
# and arcosh(1 + z) is evaluated as log1p(z + sqrt(z * (z + 2))), which
# keeps full relative precision for small z (nearby points) instead of
# losing it in 1 + z, and never takes the square root of a negative number.

from libc.math cimport cosh, exp, fabs, fma, isfinite, isinf, log1p, sinh, sqrt

# Codes of the models, as _manifolds.py passes them (_sgd_fast.MANIFOLD_CODES).
cdef enum:
    POINCARE = 0
    LORENTZ = 1
    EUCLIDEAN = 2


# --------------------------------------------------------------------------
# Sums of squares.

cdef inline double arcosh1p(double z) noexcept nogil:
    """arcosh(1 + z) for z >= 0, accurate for small z."""
    return log1p(z + sqrt(z * (z + 2.0)))


cdef inline double squared_distance(const double* x, const double* y,
                                    Py_ssize_t dim) noexcept nogil:
    cdef double acc = 0.0, diff
    cdef Py_ssize_t i
    for i in range(dim):
        diff = x[i] - y[i]
        acc += diff * diff
    return acc


cdef inline double squared_norm(const double* x, Py_ssize_t dim) noexcept nogil:
    cdef double acc = 0.0
    cdef Py_ssize_t i
    for i in range(dim):
        acc += x[i] * x[i]
    return acc


cdef inline double one_minus_squared_norm(const double* x,
                                          Py_ssize_t dim) noexcept nogil:
    """1 - |x|^2 to within a few rounding errors of the result itself.

    Near the boundary 1 - |x|^2 is tiny, and 1 - sum(x_i^2) keeps only an
    absolute precision of ~1e-16: a relative error of 5e-5 at |x| = 1 - 1e-12,
    which every distance to x inherits. Here the sum of squares is carried as
    hi + lo, lo collecting the exact rounding errors of each square (fma) and
    each addition (Knuth's TwoSum); 1 - hi is exact once hi >= 1/2.
    The compiler must not fuse ``p = x * x`` into the additions that follow
    (no -ffp-contract=fast with FMA hardware); tests/test_robustness.py
    checks the result against mpmath.
    """
    cdef double hi = 0.0, lo = 0.0, p, s, t
    cdef Py_ssize_t i
    for i in range(dim):
        p = x[i] * x[i]
        lo += fma(x[i], x[i], -p)
        s = hi + p
        t = s - hi
        lo += (hi - (s - t)) + (p - t)
        hi = s
    return (1.0 - hi) - lo


# --------------------------------------------------------------------------
# Distances and their Riemannian gradients.
#
# For the parent (k = 0) and each negative t_k of a relation (u, v),
# distance_terms fills
#     exp_terms[k] = exp(shift - d(u, t_k))
# and four numbers coefs[k], coefs[stride + k], coefs[2 stride + k],
# coefs[3 stride + k] = (a, b, c, e) such that the Riemannian gradient of
# d(u, t_k) is a u + b t_k at u and c t_k + e u at t_k. It returns
# d(u, v) - shift. The ball and the hyperboloid compute these for all
# targets at once, vectorised, in _batch.h (whose comments derive the
# gradients).

cdef extern from "_batch.h":
    Py_ssize_t sklp_stride(Py_ssize_t n) noexcept nogil
    void sklp_ball_terms(const double* embedding, int* targets, int n_targets,
                         Py_ssize_t dim, const double* u_row, double u_sq,
                         double alpha, double max_turn_scale, double* exp_terms,
                         double* coefs, double* z, double* sums) noexcept nogil
    void sklp_hyperboloid_terms(const double* embedding, int* targets,
                                int n_targets, Py_ssize_t dim,
                                const double* u_row, double u_sq, double u0,
                                double* exp_terms, double* coefs, double* z,
                                double* sums) noexcept nogil


cdef inline Py_ssize_t terms_size(int n_targets) noexcept nogil:
    """Doubles of scratch that distance_terms needs for n_targets targets:
    exp terms, four coefficients, z and three sums per target (lane)."""
    return 9 * sklp_stride(n_targets)


cdef inline double _hyperbolic_terms(
    int manifold, const double* embedding, Py_ssize_t dim, int u,
    int* targets, int n_targets, double max_turn_scale, double* scratch,
) noexcept nogil:
    """The Poincare ball and the hyperboloid, shift 0: d = arcosh(1 + z) in
    both, with the model's z and gradient (in the ball, at the targets, with
    the turn scaled up to ``max_turn_scale``)."""
    cdef Py_ssize_t stride = sklp_stride(n_targets)
    cdef double* exp_terms = scratch
    cdef double* coefs = scratch + stride
    cdef double* z = scratch + 5 * stride
    cdef double* sums = scratch + 6 * stride
    cdef const double* u_row = embedding + u * dim
    cdef double u_sq = squared_norm(u_row, dim)

    if manifold == LORENTZ:
        sklp_hyperboloid_terms(embedding, targets, n_targets, dim, u_row, u_sq,
                               sqrt(1.0 + u_sq), exp_terms, coefs, z, sums)
    else:
        sklp_ball_terms(embedding, targets, n_targets, dim, u_row, u_sq,
                        1.0 - u_sq, max_turn_scale, exp_terms, coefs, z, sums)
    return arcosh1p(z[0])


cdef inline double _euclidean_terms(
    const double* embedding, Py_ssize_t dim, int u, const int* targets,
    int n_targets, double* scratch,
) noexcept nogil:
    """The paper's Euclidean baseline: d(u, t) = |u - t|^2, whose gradient
    is 2 (u - t) at u.

    Distances are unbounded here, so the softmax is shifted by the smallest
    distance to keep exp() from underflowing to an all-zero sum.
    """
    cdef Py_ssize_t stride = sklp_stride(n_targets)
    cdef double* exp_terms = scratch
    cdef double* coefs = scratch + stride
    cdef int k
    cdef double sq, shift
    cdef const double* u_row = embedding + u * dim

    for k in range(n_targets):
        # the distance for now, exponentiated below
        exp_terms[k] = squared_distance(u_row, embedding + targets[k] * dim, dim)
        coefs[k] = 2.0
        coefs[stride + k] = -2.0
        coefs[2 * stride + k] = 2.0
        coefs[3 * stride + k] = -2.0
    shift = exp_terms[0]
    for k in range(1, n_targets):
        if exp_terms[k] < shift:
            shift = exp_terms[k]
    sq = exp_terms[0]
    for k in range(n_targets):
        exp_terms[k] = exp(shift - exp_terms[k])
    return sq - shift


cdef inline double distance_terms(
    int manifold, const double* embedding, Py_ssize_t dim, int u,
    int* targets, int n_targets, double max_turn_scale, double* scratch,
) noexcept nogil:
    """Fill the exp terms and coefficients of the targets of u (see above)
    in ``scratch`` (``terms_size`` doubles): exp terms at ``scratch``,
    coefficients from ``scratch + sklp_stride(n_targets)``. ``targets`` has
    room for ``sklp_stride(n_targets)`` entries (vector lanes; the entries
    past n_targets are overwritten). In the ball the targets' coefficients
    scale their turn up to ``max_turn_scale`` (see scale_turn)."""
    # the model as a constant, so that the compiler drops the other's code
    if manifold == LORENTZ:
        return _hyperbolic_terms(LORENTZ, embedding, dim, u, targets, n_targets,
                                 1.0, scratch)
    if manifold == EUCLIDEAN:
        return _euclidean_terms(embedding, dim, u, targets, n_targets, scratch)
    return _hyperbolic_terms(POINCARE, embedding, dim, u, targets, n_targets,
                             max_turn_scale, scratch)


# --------------------------------------------------------------------------
# Updates: x <- proj(R_x(-learning_rate * g)).

cdef extern from *:
    """
    /* Longest step, in hyperbolic units, that one update may take. A step
       this long only happens with absurd learning rates; capping it keeps
       cosh and sinh finite instead of producing inf. It is more than twice
       the largest radius any eps allows (28.3 at eps=1e-12), so a capped step
       still ends at the norm bound, as an uncapped one would, wherever it
       starts. */
    static const double SKLP_MAX_STEP = 64.0;
    """
    const double MAX_STEP "SKLP_MAX_STEP"


cdef inline void cap_norm(double* row, double sq_norm, double max_norm,
                          Py_ssize_t dim) noexcept nogil:
    """proj: shrink ``row`` (of squared norm ``sq_norm``) onto ``max_norm``
    if longer (_manifolds.project_into_ball in Python)."""
    cdef Py_ssize_t i
    cdef double scale
    if sq_norm > max_norm * max_norm:
        scale = max_norm / sqrt(sq_norm)
        for i in range(dim):
            row[i] *= scale


cdef inline double largest_magnitude(const double* values,
                                     Py_ssize_t dim) noexcept nogil:
    cdef double largest = 0.0
    cdef Py_ssize_t i
    for i in range(dim):
        if fabs(values[i]) > largest:
            largest = fabs(values[i])
    return largest


cdef inline double _ball_retraction(double* row, const double* grad,
                                    double learning_rate, double max_norm,
                                    Py_ssize_t dim) noexcept nogil:
    """R_x(v) = x + v, the paper's retraction (and the Euclidean model's
    plain step): row <- row - learning_rate * grad. Returns |row|^2."""
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
        largest = largest_magnitude(grad, dim)
        sq_norm = 0.0
        for i in range(dim):
            row[i] = -grad[i] / largest
            sq_norm += row[i] * row[i]
    return sq_norm


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


cdef inline double _exponential_map(double* row, const double* grad,
                                    double learning_rate,
                                    Py_ssize_t dim) noexcept nogil:
    """row <- exp_row(-learning_rate * grad) on the hyperboloid (Nickel &
    Kiela, 2018). Returns |row|^2.

    The exact exponential map: a step of hyperbolic length h moves a point
    by h wherever it is, with no retraction error and no shrinking steps
    near the boundary. With v = -learning_rate * grad and h its Lorentz
    length (see ``_tangent_length_sq``), the spatial part of the map is
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
        largest = largest_magnitude(grad, dim)
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
    return sq_norm


cdef inline void scale_turn(const double* row, double* grad, double max_scale,
                            Py_ssize_t dim) noexcept nogil:
    """Multiply the part of ``grad`` perpendicular to the ball point ``row``,
    the part that turns the point about the origin, by min(max_scale,
    sinh r), with r the point's distance from the origin; the radial part
    is kept.

    A step of hyperbolic length h at radius r turns a point by about
    h / sinh(r), and the gradient's own turning part shrinks as 1 / sinh(r)
    too: far out, plain Riemannian SGD keeps the directions the point
    started with. Scaled, a point turns as if one factor sinh(r) were not
    there, up to the radius where sinh(r) = max_scale.
    """
    cdef double x_sq = 0.0, x_g = 0.0, largest = 0.0, sinh_r, scale, radial
    cdef Py_ssize_t i
    for i in range(dim):
        x_sq += row[i] * row[i]
        x_g += row[i] * grad[i]
        if fabs(grad[i]) > largest:
            largest = fabs(grad[i])
    if x_sq == 0.0 or x_sq >= 1.0 or largest > 1e300 / max_scale:
        # at the origin every direction is radial; a gradient this large
        # (a huge sample weight) takes the point to the bound either way,
        # and scaled it would overflow
        return
    sinh_r = 2.0 * sqrt(x_sq) / (1.0 - x_sq)  # r = 2 artanh |x|
    scale = sinh_r if sinh_r < max_scale else max_scale
    if scale <= 1.0:
        return
    radial = x_g / x_sq
    for i in range(dim):
        grad[i] = scale * grad[i] + (1.0 - scale) * radial * row[i]


cdef inline void riemannian_step(int manifold, double* row, const double* grad,
                                 double learning_rate, double max_norm,
                                 Py_ssize_t dim) noexcept nogil:
    """row <- proj(R_row(-learning_rate * grad)) for the Riemannian gradient
    ``grad`` at ``row``; ``max_norm`` is infinite for the Euclidean model
    (no projection)."""
    cdef double sq_norm
    # proj in each branch: so written, GCC inlines the whole step into the
    # epoch loop (not with one cap_norm after the branches)
    if manifold == LORENTZ:
        sq_norm = _exponential_map(row, grad, learning_rate, dim)
        cap_norm(row, sq_norm, max_norm, dim)
    else:
        sq_norm = _ball_retraction(row, grad, learning_rate, max_norm, dim)
        cap_norm(row, sq_norm, max_norm, dim)
