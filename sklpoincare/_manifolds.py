"""The geometry of the three training models, in one place.

Each model (``manifold=``) is one object here: :data:`POINCARE`,
:data:`LORENTZ` and :data:`EUCLIDEAN`, looked up by name with
:func:`get_geometry`. It knows the norm bound of its training coordinates
and the projection onto it, the conversion between training coordinates
and the coordinates users see (``embedding_``), the distance and radius of
those, and which code of ``_sgd_fast.pyx`` trains it. The rest of the
package asks it instead of branching on the manifold's name. The kernels'
side of the same geometry is ``_geometry.pxd``.

Training in the hyperboloid (Lorentz) model stores only the spatial part
``xs`` of each point ``(sqrt(1 + |xs|^2), xs)``; the Poincaré ball, which
every public output uses, is its image under the isometry
``p = xs / (1 + sqrt(1 + |xs|^2))``.
"""

import numpy as np

MANIFOLDS = ("poincare", "lorentz", "euclidean")


def arcosh1p(z):
    """``arcosh(1 + z)`` for ``z >= 0``, accurate for small ``z`` (nearby points).

    Evaluated as ``log1p(z + sqrt(z (z + 2)))``, in the dtype of ``z``.
    """
    return np.log1p(z + np.sqrt(z * (z + 2.0)))


def radius_of_norm(norms):
    """Hyperbolic radius ``2 artanh |x|`` of ball points of the given norms.

    For norms given as numbers (a norm bound, norms already computed);
    :func:`poincare_radius` is more accurate next to the boundary when the
    points themselves are at hand. Norms of 1 or more count as ``1 - 1e-16``.
    """
    return 2.0 * np.arctanh(np.minimum(norms, 1 - 1e-16))


def norm_of_radius(radius):
    """Norm ``tanh(r / 2)`` of the ball points at hyperbolic radius ``r``."""
    return np.tanh(radius / 2)


def _scaled_norms(X, axis):
    """Norms along ``axis`` of rows divided by their largest entry first, so
    that the squares of huge entries do not overflow."""
    # initial=0: an empty slice has norm 0 instead of failing the reduction
    scale = np.max(np.abs(X), axis=axis, keepdims=True, initial=0)
    safe_scale = np.where(scale > 0, scale, 1)
    scaled = X / safe_scale
    return safe_scale * np.sqrt(np.sum(scaled * scaled, axis=axis, keepdims=True))


def project_into_ball(points, max_norm, axis=1):
    """``x * min(1, max_norm / |x|)`` for each vector ``x`` along ``axis``.

    The projection onto the ball of radius ``max_norm`` (onto the norm bound
    of the spatial coordinates, in the hyperboloid model): vectors longer
    than ``max_norm`` are shrunk onto it, every other one, the zero vector
    included, comes back bit for bit. The kernels' ``cap_norm`` is the same
    step inside training.

    Parameters
    ----------
    points : ndarray
        Finite vectors, float64 or float32 (kept).
    max_norm : float
        Norm bound; ``np.inf`` leaves every vector as it is.
    axis : int or tuple of int, default=1
        The axis (axes) the norm is taken along.

    Returns
    -------
    projected : ndarray of the shape and dtype of ``points``
        A new array.
    """
    with np.errstate(over="ignore"):
        norms = np.sqrt(np.sum(points * points, axis=axis, keepdims=True))
    overflowed = np.isinf(norms)
    if overflowed.any():  # squares of huge entries: measure those rows scaled
        norms = np.where(overflowed, _scaled_norms(points, axis), norms)
    factor = np.where(norms > max_norm, max_norm / np.where(norms > 0, norms, 1), 1)
    return points * factor.astype(points.dtype, copy=False)


def polar_distances(radii_diff, radii_a, radii_b, directions_diff):
    """Poincaré distance from the radii and directions of two points.

    The hyperbolic law of cosines, ``cosh d = cosh(r_a - r_b) + 2 sinh r_a
    sinh r_b sin^2(theta / 2)``, with ``cosh t - 1 = 2 sinh^2(t / 2)`` and
    ``2 sin(theta / 2) = |u_a - u_b|``, becomes

        sinh^2(d / 2) = sinh^2((r_a - r_b) / 2) + sinh r_a sinh r_b |u_a - u_b|^2 / 4

    a sum of two non-negative terms: no cancellation (``cosh d`` minus 1 or
    a Minkowski inner product would cancel), no overflow (nothing larger
    than ``sinh r``), and small distances keep their relative accuracy.
    """
    half = radii_a.dtype.type(0.5)
    chord = np.sqrt(np.sum(directions_diff * directions_diff, axis=-1))
    angular = np.sqrt(np.sinh(radii_a)) * np.sqrt(np.sinh(radii_b)) * (chord * half)
    return 2 * np.arcsinh(np.hypot(np.sinh(radii_diff * half), angular))


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


# ----------------------------------------------------------- the three models


class _Model:
    """What every model answers; the subclasses fill in the geometry.

    Besides the attributes below, a model has ``norm_bound(eps)``,
    ``radius_of_norm(norms)`` and ``norm_of_radius(radius)`` (the distance
    from the origin of output points of a given norm, and back),
    ``paired_distances(a, b)``, and ``key_scales(points)`` with
    ``distances_from_keys(queries, keys)`` for the ranking kernels.

    Attributes
    ----------
    name : str
        The value of ``manifold=`` that selects the model.
    metric : {"poincare", "euclidean"}
        The ``metric`` of :mod:`sklpoincare.metrics` for its outputs.
    hyperbolic : bool
        Whether its outputs are points of the Poincaré ball.
    """

    name = None
    metric = None
    hyperbolic = None

    def __repr__(self):
        return f"<sklpoincare geometry {self.name!r}>"

    @property
    def kernel_code(self):
        """The ``manifold`` code that ``_sgd_fast.train_epoch`` trains it with."""
        # imported here: the kernels are compiled, this module is not
        from ._sgd_fast import MANIFOLD_CODES

        return MANIFOLD_CODES[self.name]

    def norm_bound(self, eps):
        """Norm bound of the training coordinates for ``eps``."""
        raise NotImplementedError

    def project(self, coordinates, eps):
        """Training coordinates projected onto :meth:`norm_bound` (a new array)."""
        return project_into_ball(coordinates, self.norm_bound(eps))

    def is_a_scores(self, points, parents):
        """``d(x, origin) - d(x, p)`` for each row x of ``points`` and p of
        ``parents``: how much nearer x lies to p than to the origin (the
        geometric is-a score that ``_is_a.py`` calibrates)."""
        # the same formula for both terms, so that a parent at the origin
        # scores 0 exactly
        from_origin = self.paired_distances(points, np.zeros_like(points))
        return from_origin - self.paired_distances(points, parents)

    def to_training(self, points):
        """Training coordinates of output points."""
        return points

    def from_training(self, coordinates):
        """Output points (what ``embedding_`` holds) of training coordinates."""
        return coordinates


def _ball_distances(points_a, points_b, alpha, beta):
    """Poincaré distances of paired rows, given ``alpha = 1 - |a|^2`` and
    ``beta = 1 - |b|^2``."""
    difference = points_a - points_b
    sq_dist = np.einsum("ij,ij->i", difference, difference)
    return arcosh1p(2.0 * sq_dist / (alpha * beta))


class PoincareBall(_Model):
    """The Poincaré ball model: trained and output in the ball."""

    name = "poincare"
    metric = "poincare"
    hyperbolic = True

    def norm_bound(self, eps):
        """Ball norm ``1 - eps``."""
        return 1.0 - eps

    def radius_of_norm(self, norms):
        """Distance from the origin of output points of the given norms."""
        return radius_of_norm(norms)

    def norm_of_radius(self, radius):
        """Norm of the output points at the given distance from the origin."""
        return norm_of_radius(radius)

    def paired_distances(self, points_a, points_b):
        """Distance between ``points_a[i]`` and ``points_b[i]`` for every i."""
        from ._ranking_fast import one_minus_squared_norms

        alpha = one_minus_squared_norms(np.ascontiguousarray(points_a))
        beta = one_minus_squared_norms(np.ascontiguousarray(points_b))
        return _ball_distances(points_a, points_b, alpha, beta)

    def is_a_scores(self, points, parents):
        """``d(x, origin) - d(x, p)`` (see :meth:`_Model.is_a_scores`), with
        ``1 - |x|^2`` computed once for both distances: the same bits as the
        general formula, since ``1 - |0|^2`` is exactly 1."""
        from ._ranking_fast import one_minus_squared_norms

        alpha = one_minus_squared_norms(np.ascontiguousarray(points))
        beta = one_minus_squared_norms(np.ascontiguousarray(parents))
        return (_ball_distances(points, 0.0, alpha, 1.0)
                - _ball_distances(points, parents, alpha, beta))

    def key_scales(self, points):
        """Per point y, the scale ``s_y`` that makes ``|x - y|^2 s_y`` a key
        increasing with the distance ``d(x, y)`` for every fixed x (the
        ``inv_beta`` of ``_ranking_fast``): ``1 / (1 - |y|^2)``."""
        from ._ranking_fast import one_minus_squared_norms

        # the accurate 1 - |x|^2 of the ranking kernels, so that queries and
        # metrics order nodes alike near the boundary
        return 1.0 / one_minus_squared_norms(points)

    def distances_from_keys(self, queries, keys):
        """Distances of ``keys[i, j] = |x_i - y_j|^2 s_j`` (see :meth:`key_scales`)."""
        from ._ranking_fast import one_minus_squared_norms

        alpha = one_minus_squared_norms(queries)
        return arcosh1p(2.0 * keys / alpha[:, None])


class Hyperboloid(PoincareBall):
    """The hyperboloid (Lorentz) model: trained on the spatial coordinates of
    the hyperboloid, output in the Poincaré ball."""

    name = "lorentz"

    def norm_bound(self, eps):
        """Spatial norm of the hyperboloid points at ball norm ``1 - eps``."""
        return spatial_norm_bound(1.0 - eps)

    def to_training(self, points):
        return poincare_to_lorentz(points)

    def from_training(self, coordinates):
        return lorentz_to_poincare(coordinates)


class EuclideanSpace(_Model):
    """The paper's Euclidean baseline: unbounded points, Euclidean distances."""

    name = "euclidean"
    metric = "euclidean"
    hyperbolic = False

    def norm_bound(self, eps):
        """No bound: the baseline is unconstrained."""
        return np.inf

    def radius_of_norm(self, norms):
        return norms

    def norm_of_radius(self, radius):
        return radius

    def paired_distances(self, points_a, points_b):
        difference = points_a - points_b
        return np.sqrt(np.einsum("ij,ij->i", difference, difference))

    def key_scales(self, points):
        return np.ones(points.shape[0])

    def distances_from_keys(self, queries, keys):
        return np.sqrt(keys)


POINCARE = PoincareBall()
LORENTZ = Hyperboloid()
EUCLIDEAN = EuclideanSpace()
_GEOMETRIES = {geometry.name: geometry for geometry in (POINCARE, LORENTZ, EUCLIDEAN)}


def get_geometry(manifold):
    """The geometry object of the model named ``manifold`` (see :data:`MANIFOLDS`)."""
    try:
        return _GEOMETRIES[manifold]
    except (KeyError, TypeError):
        raise ValueError(
            f"manifold must be one of {list(MANIFOLDS)}, got {manifold!r}"
        ) from None
