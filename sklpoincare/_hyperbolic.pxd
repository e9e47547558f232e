# Inline arithmetic of the Poincare ball shared by the Cython kernels.
#
# Distances are computed from the squared Euclidean distance and the two
# "conformal factors" alpha = 1 - |x|^2 and beta = 1 - |y|^2:
#     d(x, y) = arcosh(1 + z),  z = 2 |x - y|^2 / (alpha * beta)
# and arcosh(1 + z) is evaluated as log1p(z + sqrt(z * (z + 2))), which
# keeps full relative precision for small z (nearby points) instead of
# losing it in 1 + z, and never takes the square root of a negative number.

from libc.math cimport sqrt, log1p


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
