"""Weights for the embedding layers of Keras and PyTorch, safe in float32.

A fitted :class:`~sklpoincare.PoincareEmbedder` keeps its points in float64,
and with the default ``eps=1e-8`` the deepest ones sit at norm ``1 - 1e-8``.
float32, the type of Keras and PyTorch weights, has no number between
``1 - 6e-8`` and 1: cast to float32, such points land on the boundary of the
ball, and the distances that involve them become infinite or lose their
leading digits. :func:`export_weights` writes the embedding in one of four
representations as a weight matrix for an embedding layer (one row per node,
in :attr:`~sklpoincare.PoincareEmbedder.nodes_` order), and
:func:`paired_distances` is the NumPy reference of the Poincaré distance in
each of them, written to be ported line by line to TensorFlow or PyTorch.

``"tangent"`` (the default), ``"polar"`` and ``"hyperboloid"`` keep the
geometry: they store a point by its hyperbolic distance ``r`` from the
origin and its direction ``u``, numbers float32 holds with a relative error
of ``6e-8``, instead of by ``1 - |x|``, which it cannot hold at all near the
boundary. The one limit is
the angle between two directions, resolved to about ``5e-8`` rad in float32:
in ``"tangent"`` and ``"hyperboloid"``, a pair of points whose directions
differ by less than about ``1e-5`` rad loses the third digit of its distance
(two points at radius 19: relative error ``7e-4`` at ``1e-5`` rad, ``1e-2``
at ``1e-6``, 0.2 at ``1e-7``). ``"polar"`` stores each number as a pair of
float32 values (a rounded value and its rounding error), which resolves
such angles too (error below ``1e-6`` down to ``1e-9`` rad), at twice the
width. ``"ball"`` coordinates are exact in float32 only for embeddings that
stay within hyperbolic radius 10.6 (fitted with ``eps >= 5e-5``); deeper
points are pulled in to that radius.

A plain float32 cast of the ball coordinates, by contrast, puts rows on or
outside the boundary and makes distances infinite; the errors of each
representation on the WordNet mammals are in :ref:`benchmarks-float32`.
"""

import numpy as np
from sklearn.utils import check_array
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ._manifolds import (
    arcosh1p,
    get_geometry,
    poincare_radius,
    polar_distances,
    project_into_ball,
    unit_rows,
)

__all__ = ["REPRESENTATIONS", "export_weights", "paired_distances"]

REPRESENTATIONS = ("tangent", "polar", "hyperboloid", "ball")

# float32 resolves 1 - |x| of a ball point to 1e-3 relative only down to
# about 1 - |x| = 5e-5 (hyperbolic radius 10.6): measured on the mammals,
# float32 distances between points pulled to this norm stay within 4e-4 of
# the float64 distances between the same points (within 1.4e-3 at 1 - 1e-5,
# 1e-2 at 1 - 1e-6), in 10 and 50 dimensions.
_BALL_MAX_NORM_FLOAT32 = 1.0 - 5e-5


def _check_dtype(dtype):
    try:
        # None would mean float64 to NumPy; here it is a mistake
        name = None if dtype is None else np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return np.dtype(name)


def _split(values, dtype):
    """``values`` (float64) as ``hi + lo``, both in ``dtype``: about twice the bits."""
    hi = values.astype(dtype)
    lo = (values - hi.astype(np.float64)).astype(dtype)
    return hi, lo


@validate_params(
    {
        "embedder": [HasMethods(["fit", "transform"])],
        "representation": [StrOptions(set(REPRESENTATIONS))],
        "dtype": "no_validation",  # checked below, with a plainer message
    },
    prefer_skip_nested_validation=True,
)
def export_weights(embedder, representation="tangent", *, dtype="float32"):
    """Weight matrix of a fitted embedder for an embedding layer.

    Row ``i`` describes node ``embedder.nodes_[i]``; every entry is finite.
    Load the matrix into ``keras.layers.Embedding`` (``embeddings_initializer=
    keras.initializers.Constant(weights)``) or ``torch.nn.Embedding.from_pretrained``
    and compute distances as :func:`paired_distances` does.

    Parameters
    ----------
    embedder : PoincareEmbedder
        A fitted embedder whose ``manifold`` is ``"poincare"`` or
        ``"lorentz"``.
    representation : {"tangent", "polar", "hyperboloid", "ball"}, default="tangent"
        With ``r = 2 artanh |x|`` the distance of ball point ``x`` from the
        origin and ``u = x / |x|`` its direction:

        - ``"tangent"``: ``r * u`` (``n_components`` columns), the
          logarithmic map at the origin. Distances accurate in float32
          except between points whose directions differ by less than about
          ``1e-5`` rad. Features of moderate size (norms up to about 20).
        - ``"polar"``: ``r`` and ``u``, each as a float32 pair ``hi`` + ``lo``
          (``2 * n_components + 2`` columns: ``r_hi, r_lo, u_hi..., u_lo...``).
          Distances accurate in float32 for every pair, small angles
          included (within ``1e-6`` relative down to ``1e-9`` rad).
        - ``"hyperboloid"``: ``(cosh r, sinh r * u)`` (``n_components + 1``
          columns), the Lorentz model. Entries grow as ``e^r`` (about 1e8).
          Distances as accurate as ``"tangent"``, computed from ``sinh r *
          u`` alone: the Minkowski inner product ``cosh r_a cosh r_b - ...``
          cancels catastrophically in float32.
        - ``"ball"``: Poincaré-ball coordinates. With float32, rows of norm
          above ``1 - 5e-5`` (hyperbolic radius 10.6) are pulled to that
          norm, the largest at which float32 resolves ``1 - |x|`` well
          enough for distances within ``1e-3``: every row then has norm < 1
          in float32 arithmetic, but distances that involve pulled rows are
          shorter than in the embedding. float64 rows are
          :attr:`~sklpoincare.PoincareEmbedder.embedding_` unchanged.

    dtype : {"float32", "float64"}, default="float32"
        Type of the weights.

    Returns
    -------
    weights : ndarray of shape (n_nodes, n_columns)
        One row per node, in ``embedder.nodes_`` order.
    index : dict
        Row of each node label: ``weights[index[label]]``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``embedder`` is not fitted.

    See Also
    --------
    paired_distances : Poincaré distances between rows of the weights.

    Examples
    --------
    >>> from sklpoincare import PoincareEmbedder
    >>> from sklpoincare.export import export_weights, paired_distances
    >>> relations = [("dog", "mammal"), ("cat", "mammal"), ("mammal", "animal"),
    ...              ("dog", "animal"), ("cat", "animal")]
    >>> embedder = PoincareEmbedder(n_components=2, n_epochs=50, burn_in=10,
    ...                             random_state=0).fit(relations)
    >>> weights, index = export_weights(embedder, "tangent")
    >>> weights.dtype, weights.shape, index["dog"]
    (dtype('float32'), (4, 2), 2)
    >>> d = paired_distances(weights[index["dog"]], weights[index["cat"]])
    >>> bool(abs(d - embedder.distance("dog", "cat")) < 1e-5 * d)
    True
    """
    dtype = _check_dtype(dtype)
    check_is_fitted(embedder, ["embedding_", "nodes_"])
    if not get_geometry(getattr(embedder, "manifold", "poincare")).hyperbolic:
        raise ValueError(
            "export_weights needs a hyperbolic embedding; this embedder was "
            "fitted with manifold='euclidean'"
        )
    points = check_array(embedder.embedding_, dtype=np.float64, input_name="embedding_")
    if len(embedder.nodes_) != points.shape[0]:
        raise ValueError(
            f"nodes_ has {len(embedder.nodes_)} labels but embedding_ has "
            f"{points.shape[0]} rows"
        )
    if np.any(np.linalg.norm(points, axis=1) >= 1.0):
        raise ValueError("embedding_ has rows outside the open unit ball")

    if representation == "ball":
        if dtype == np.float32:
            points = project_into_ball(points, _BALL_MAX_NORM_FLOAT32)
        weights = points.astype(dtype)
    else:
        radii, directions = poincare_radius(points), unit_rows(points)
        if representation == "tangent":
            weights = (radii[:, None] * directions).astype(dtype)
        elif representation == "hyperboloid":
            weights = np.column_stack(
                [np.cosh(radii), np.sinh(radii)[:, None] * directions]
            ).astype(dtype)
        else:  # polar
            r_hi, r_lo = _split(radii, dtype)
            u_hi, u_lo = _split(directions, dtype)
            weights = np.column_stack([r_hi, r_lo, u_hi, u_lo])
    if not np.all(np.isfinite(weights)):  # cannot happen for rows inside the ball
        raise ValueError(f"the {representation!r} weights are not all finite")
    index = {label: row for row, label in enumerate(np.asarray(embedder.nodes_).tolist())}
    return weights, index


def _radial(X, representation):
    """``(r, u)`` of rows of tangent or hyperboloid weights."""
    if representation == "tangent":
        radii = np.sqrt(np.sum(X * X, axis=-1))
    else:
        X = X[..., 1:]  # cosh r is redundant, and a float32 port must not use it
        norms = np.sqrt(np.sum(X * X, axis=-1))  # sinh r
        radii = np.arcsinh(norms)
    lengths = np.sqrt(np.sum(X * X, axis=-1, keepdims=True))
    return radii, X / np.where(lengths > 0, lengths, 1)


@validate_params(
    {
        "X": ["array-like"],
        "Y": ["array-like"],
        "representation": [StrOptions(set(REPRESENTATIONS))],
    },
    prefer_skip_nested_validation=True,
)
def paired_distances(X, Y, *, representation="tangent"):
    """Poincaré distance between rows ``X[i]`` and ``Y[i]`` of exported weights.

    Computed in the type of the input (float32 stays float32), in a form
    that stays accurate in float32 for the representations of
    :func:`export_weights`; it is short enough to be ported to Keras or
    PyTorch operation by operation (``examples/pytorch_embedding.py`` does
    so).

    Parameters
    ----------
    X : array-like of shape (n_pairs, n_columns) or (n_columns,)
        Rows of the weights returned by :func:`export_weights`.
    Y : array-like of shape (n_pairs, n_columns) or (n_columns,)
        Rows of the same weights; a single row is paired with every row of
        ``X`` (and the other way round).
    representation : {"tangent", "polar", "hyperboloid", "ball"}, default="tangent"
        The representation the weights were exported in.

    Returns
    -------
    distances : ndarray of shape (n_pairs,), or float
        A float when ``X`` and ``Y`` are both single rows.

    Notes
    -----
    For ``"tangent"``, ``"polar"`` and ``"hyperboloid"``, with ``r`` the
    radius and ``u`` the direction of a point,

    .. math::

        d = 2 \\operatorname{arsinh} \\sqrt{\\sinh^2\\frac{r_a - r_b}{2}
            + \\sinh r_a \\sinh r_b \\frac{\\lVert u_a - u_b \\rVert^2}{4}}

    (the hyperbolic law of cosines). In ``"polar"`` the differences
    ``r_a - r_b`` and ``u_a - u_b`` are taken on the ``hi`` parts first and
    the ``lo`` parts next, which keeps them exact for nearby points. For
    ``"ball"``, the usual :math:`\\operatorname{arcosh}(1 + z)`, evaluated as
    :math:`\\log(1 + z + \\sqrt{z (z + 2)})` with ``log1p``, which keeps
    small distances.

    Examples
    --------
    >>> import numpy as np
    >>> from sklpoincare.export import paired_distances
    >>> origin, point = np.zeros(2, np.float32), np.array([3, 4], np.float32)
    >>> round(paired_distances(origin, point), 5)  # the radius |r u| of the point
    5.0
    """
    # zero pairs are allowed: an empty selection gives no distances
    X = check_array(X, dtype=[np.float64, np.float32], ensure_2d=False,
                    ensure_min_samples=0, input_name="X")
    Y = check_array(Y, dtype=[np.float64, np.float32], ensure_2d=False,
                    ensure_min_samples=0, input_name="Y")
    for name, A in (("X", X), ("Y", Y)):
        if A.ndim not in (1, 2):
            raise ValueError(f"{name} must be 1-D or 2-D, got {A.ndim}-D")
    single = X.ndim == 1 and Y.ndim == 1
    if X.dtype != Y.dtype:  # compute in the wider type
        X, Y = X.astype(np.float64), Y.astype(np.float64)
    if X.shape[-1] != Y.shape[-1]:
        raise ValueError(
            f"X and Y must have as many columns as each other, got {X.shape[-1]} "
            f"and {Y.shape[-1]}"
        )
    if X.ndim == 2 and Y.ndim == 2 and X.shape[0] != Y.shape[0] and 1 not in (
        X.shape[0],
        Y.shape[0],
    ):
        raise ValueError(
            f"X and Y must have as many rows as each other, got {X.shape[0]} and "
            f"{Y.shape[0]}"
        )
    n_columns = X.shape[-1]
    minimum = {"tangent": 1, "polar": 4, "hyperboloid": 2, "ball": 1}[representation]
    if n_columns < minimum or (representation == "polar" and n_columns % 2):
        raise ValueError(
            f"{n_columns} columns cannot be {representation!r} weights; see "
            "export_weights for the layout"
        )

    if representation == "ball":
        one = X.dtype.type(1)
        sq_a = np.sum(X * X, axis=-1)
        sq_b = np.sum(Y * Y, axis=-1)
        if np.any(sq_a >= one) or np.any(sq_b >= one):
            raise ValueError("'ball' weights must have norm < 1")
        diff = X - Y
        z = 2 * np.sum(diff * diff, axis=-1) / ((one - sq_a) * (one - sq_b))
        distances = arcosh1p(z)
    elif representation == "polar":
        k = (n_columns - 2) // 2
        radii_diff = (X[..., 0] - Y[..., 0]) + (X[..., 1] - Y[..., 1])
        directions_diff = (X[..., 2 : 2 + k] - Y[..., 2 : 2 + k]) + (
            X[..., 2 + k :] - Y[..., 2 + k :]
        )
        distances = polar_distances(
            radii_diff, X[..., 0] + X[..., 1], Y[..., 0] + Y[..., 1], directions_diff
        )
    else:
        radii_a, directions_a = _radial(X, representation)
        radii_b, directions_b = _radial(Y, representation)
        distances = polar_distances(
            radii_a - radii_b, radii_a, radii_b, directions_a - directions_b
        )
    if single:
        return distances.item()
    return np.atleast_1d(distances)
