# Inline arithmetic of the Poincare ball shared by the Cython kernels.
#
# Distances are computed from the squared Euclidean distance and the two
# "conformal factors" alpha = 1 - |x|^2 and beta = 1 - |y|^2:
#     d(x, y) = arcosh(1 + z),  z = 2 |x - y|^2 / (alpha * beta)
# and arcosh(1 + z) is evaluated as log1p(z + sqrt(z * (z + 2))), which
# keeps full relative precision for small z (nearby points) instead of
# losing it in 1 + z, and never takes the square root of a negative number.

from libc.math cimport fma, log1p, sqrt


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
