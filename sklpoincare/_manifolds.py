"""Conversions between the two models of hyperbolic space used in training.

Training in the hyperboloid (Lorentz) model stores only the spatial part
``xs`` of each point ``(sqrt(1 + |xs|^2), xs)``; the Poincaré ball, which
every public output uses, is its image under the isometry
``p = xs / (1 + sqrt(1 + |xs|^2))``.
"""

import numpy as np

MANIFOLDS = ("poincare", "lorentz", "euclidean")


def lorentz_to_poincare(spatial):
    """Poincaré-ball coordinates of hyperboloid points given by their spatial part."""
    spatial = np.asarray(spatial, dtype=np.float64)
    time = np.sqrt(1.0 + np.einsum("ij,ij->i", spatial, spatial))
    return spatial / (1.0 + time)[:, None]


def poincare_to_lorentz(points):
    """Spatial part of the hyperboloid points of Poincaré-ball points (norm < 1)."""
    points = np.asarray(points, dtype=np.float64)
    sq_norms = np.einsum("ij,ij->i", points, points)
    return points * (2.0 / (1.0 - sq_norms))[:, None]


def spatial_norm_bound(max_ball_norm):
    """Spatial norm of the hyperboloid points that map to ball norm ``max_ball_norm``."""
    return 2.0 * max_ball_norm / (1.0 - max_ball_norm * max_ball_norm)


# ------------------------------------------------- views of Poincaré-ball points
#
# The functions below map Poincaré-ball points (norm < 1, possibly within
# 1e-8 or less of the boundary) to other coordinates of the same points. Near
# the boundary 1 - sum(x_i^2) keeps only an absolute precision of ~1e-16, a
# relative error of 1e-6 at |x| = 1 - 1e-10 that every radius and distance
# inherits; 1 - |x|^2 comes instead from the compensated kernel the ranking
# code uses, and 1 - |x| from it as (1 - |x|^2) / (1 + |x|).


def poincare_norms(points):
    """Euclidean norms ``|x|`` and ``1 - |x|^2`` of Poincaré-ball points.

    Parameters
    ----------
    points : array-like of shape (n_samples, n_components)
        Points strictly inside the unit ball.

    Returns
    -------
    norms : ndarray of shape (n_samples,)
    one_minus_sq : ndarray of shape (n_samples,)
        ``1 - |x|^2``, with a relative error of a few ulps even next to the
        boundary (compensated sum of squares).
    """
    # imported here: the kernels are compiled, the conversions above are not
    from ._ranking_fast import one_minus_squared_norms

    points = np.ascontiguousarray(points, dtype=np.float64)
    return np.linalg.norm(points, axis=1), one_minus_squared_norms(points)


def _one_minus_norms(norms, one_minus_sq):
    """``1 - |x|`` without cancellation, from ``1 - |x|^2``."""
    return one_minus_sq / (1.0 + norms)


def poincare_radius(points):
    """Hyperbolic distance from the origin, ``2 artanh |x|``, of ball points.

    Evaluated as ``log1p(2 |x| / (1 - |x|))``, which keeps its relative
    accuracy both at the origin and next to the boundary.

    Parameters
    ----------
    points : array-like of shape (n_samples, n_components)

    Returns
    -------
    radius : ndarray of shape (n_samples,)
    """
    norms, one_minus_sq = poincare_norms(points)
    return np.log1p(2.0 * norms / _one_minus_norms(norms, one_minus_sq))


def unit_rows(points):
    """Unit vectors ``x / |x|`` of the rows; a zero row stays zero."""
    lengths = np.linalg.norm(points, axis=1, keepdims=True)
    return np.divide(points, lengths, out=np.zeros_like(points), where=lengths > 0)


def poincare_to_tangent(points):
    """Logarithmic map at the origin: ``r(x) x / |x|`` with ``r = 2 artanh |x|``.

    The tangent vector at the origin whose geodesic reaches ``x``; its norm
    is the hyperbolic radius of ``x`` (at most ~19 for ``eps=1e-8``).

    Parameters
    ----------
    points : array-like of shape (n_samples, n_components)

    Returns
    -------
    tangent : ndarray of shape (n_samples, n_components)
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    return unit_rows(points) * poincare_radius(points)[:, None]


def poincare_to_hyperboloid(points):
    """Full hyperboloid (Lorentz) coordinates ``(cosh r, sinh r * x / |x|)``.

    The time coordinate comes first. Unlike :func:`poincare_to_lorentz`,
    which returns the spatial part only, ``1 - |x|^2`` is evaluated
    accurately near the boundary. Values reach ``2 / eps`` (1e8 for
    ``eps=1e-8``).

    Parameters
    ----------
    points : array-like of shape (n_samples, n_components)

    Returns
    -------
    hyperboloid : ndarray of shape (n_samples, n_components + 1)
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    norms, one_minus_sq = poincare_norms(points)
    time = (1.0 + norms * norms) / one_minus_sq
    return np.column_stack([time, points * (2.0 / one_minus_sq)[:, None]])
