"""Projection of vectors into the Poincaré ball.

:func:`poincare_normalize` and the stateless transformer
:class:`PoincareNormalizer` compute what TensorFlow Addons'
``tfa.layers.PoincareNormalize`` computes: each vector whose Euclidean norm
exceeds ``1 - epsilon`` is rescaled to norm ``1 - epsilon``; every other
vector, the zero vector included, is returned unchanged.

This is a projection, not a learning method: it moves points into the ball
without regard to any hierarchy, and the distances between projected points
carry no meaning of their own. To learn an embedding of a hierarchy, fit a
:class:`~sklpoincare.PoincareEmbedder` on its (child, parent) relations.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import validate_data

from ._manifolds import project_into_ball

__all__ = ["PoincareNormalizer", "poincare_normalize"]

# The largest float32 below 1, 1 - 2**-24: float32 has no radius between it
# and 1, so a smaller epsilon cannot be kept in float32.
_FLOAT32_MAX_NORM = float(np.nextafter(np.float32(1), np.float32(0)))
# 1 - 2**-53 is the largest float64 below 1: a smaller epsilon could round
# 1 - epsilon to 1, the boundary.
_EPSILON_RANGE = Interval(Real, float(np.finfo(np.float64).epsneg), 1, closed="left")


def _normalized_axis(axis, ndim):
    """``axis`` as a tuple of distinct non-negative ints, or a ValueError."""
    axes = (axis,) if isinstance(axis, Integral) else tuple(axis)
    if not axes:
        raise ValueError("axis must name at least one axis, got an empty sequence")
    normalized = []
    for a in axes:
        if not isinstance(a, Integral) or isinstance(a, bool):
            raise TypeError(f"axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(
                f"axis {a} is out of bounds for an array of dimension {ndim}"
            )
        normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axis {axis!r} names the same axis more than once")
    return tuple(normalized)


def _project(X, epsilon, axis):
    """``X`` projected into the ball of radius ``1 - epsilon`` along ``axis``.

    float32 is projected in float64 (where its squares are exact) and
    rounded back, which can lengthen a projected vector by half a float32
    step; such a vector then moves one float32 step towards zero per
    coordinate, shortening it by a relative ``2**-24`` at least: more than
    the rounding added. Vectors inside come back bit for bit.
    """
    max_norm = 1.0 - float(epsilon)
    if X.dtype != np.float32:
        return project_into_ball(X, max_norm, axis)
    max_norm = min(max_norm, _FLOAT32_MAX_NORM)
    projected = project_into_ball(X.astype(np.float64), max_norm, axis).astype(np.float32)
    while True:  # once at most, unless float64 norms err by over 2**-48
        squares = np.square(projected, dtype=np.float64)
        over = np.sqrt(np.sum(squares, axis=axis, keepdims=True)) > max_norm
        if not over.any():
            return projected
        projected = np.where(over, np.nextafter(projected, np.float32(0)), projected)


@validate_params(
    {
        "X": ["array-like"],
        "axis": [Integral, tuple, list],
        "epsilon": [_EPSILON_RANGE],
    },
    prefer_skip_nested_validation=True,
)
def poincare_normalize(X, axis=1, epsilon=1e-5):
    """Project vectors into the Poincaré ball of radius ``1 - epsilon``.

    Along ``axis``, each vector ``x`` becomes

    .. math::

        x \\cdot \\min\\left(1, \\frac{1 - \\epsilon}{\\lVert x \\rVert}\\right)

    so vectors of norm above ``1 - epsilon`` are scaled down to that norm and
    all others, the zero vector included, are returned unchanged. These are
    the semantics of TensorFlow Addons' ``tfa.layers.PoincareNormalize``.

    float32 input is projected in float64 and rounded to float32, each
    vector that rounding leaves longer than ``1 - epsilon`` moved in by the
    smallest float32 step: every float32 vector comes back with a norm of at
    most ``1 - epsilon``, strictly inside the unit ball, within about
    ``1e-7`` of that radius if it was projected. float32 has no radius
    between ``1 - 2**-24`` (``1 - 6e-8``) and 1, so for float32 input an
    ``epsilon`` below ``2**-24`` acts as ``2**-24``.

    This only projects: it does not learn anything about a hierarchy. Use
    :class:`~sklpoincare.PoincareEmbedder` to learn an embedding.

    Parameters
    ----------
    X : array-like of any dimension
        Vectors to project. Must be finite. float32 input stays float32
        (see above), any other numeric input is converted to float64.
    axis : int or tuple of int, default=1
        The axis (or axes) along which the norm is taken; each slice along
        it is projected independently. Negative values count from the end.
        With the default, rows of a 2-D array are projected.
    epsilon : float, default=1e-5
        Distance kept from the boundary of the unit ball, in
        ``[2**-53, 1)`` (a smaller one would round ``1 - epsilon`` to 1). For
        float32 input, at least ``2**-24`` (about ``6e-8``) is kept.

    Returns
    -------
    X_projected : ndarray of the same shape as X
        A new array; X is not modified.

    See Also
    --------
    PoincareNormalizer : The same projection as a scikit-learn transformer.

    Examples
    --------
    >>> from sklpoincare.preprocessing import poincare_normalize
    >>> poincare_normalize([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], epsilon=0.5)
    array([[0.3, 0.4],
           [0.3, 0.4],
           [0. , 0. ]])
    """
    X = check_array(
        X,
        dtype=[np.float64, np.float32],
        ensure_2d=False,
        allow_nd=True,
        ensure_min_samples=0,
        input_name="X",
    )
    if X.ndim == 0:
        raise ValueError("X must have at least one dimension, got a scalar")
    return _project(X, epsilon, _normalized_axis(axis, X.ndim))


class PoincareNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Project each sample into the Poincaré ball of radius ``1 - epsilon``.

    Rows whose Euclidean norm exceeds ``1 - epsilon`` are scaled down to that
    norm; every other row, the zero row included, passes through unchanged.
    This is :func:`poincare_normalize` along the rows, the semantics of
    TensorFlow Addons' ``tfa.layers.PoincareNormalize``, as a stateless
    transformer in the manner of :class:`sklearn.preprocessing.Normalizer`:
    ``fit`` only validates its input, and ``transform`` may be called without
    fitting.

    This only projects: the result lies in the ball but does not embed any
    hierarchy. To learn an embedding, use
    :class:`~sklpoincare.PoincareEmbedder`.

    Parameters
    ----------
    epsilon : float, default=1e-5
        Distance kept from the boundary of the unit ball, in ``[2**-53, 1)``
        (a smaller one would round ``1 - epsilon`` to 1). float32 input
        stays float32 and strictly inside the ball: at least ``2**-24``
        (about ``6e-8``) is kept, as in :func:`poincare_normalize`.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    poincare_normalize : The same projection as a function, along any axis.
    sklpoincare.PoincareEmbedder : Learns an embedding in the ball.

    Examples
    --------
    >>> from sklpoincare.preprocessing import PoincareNormalizer
    >>> X = [[3.0, 4.0], [0.3, 0.4]]
    >>> PoincareNormalizer(epsilon=0.5).fit_transform(X)
    array([[0.3, 0.4],
           [0.3, 0.4]])
    """

    _parameter_constraints = {"epsilon": [_EPSILON_RANGE]}

    def __init__(self, epsilon=1e-5):
        self.epsilon = epsilon

    def fit(self, X, y=None):
        """Validate the parameters and the input; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Vectors, finite.
        y : None
            Ignored.

        Returns
        -------
        self : object
            This transformer.
        """
        self._validate_params()
        validate_data(self, X, dtype=[np.float64, np.float32])
        return self

    def transform(self, X):
        """Project each row of X into the ball of radius ``1 - epsilon``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Vectors, finite.

        Returns
        -------
        X_projected : ndarray of shape (n_samples, n_features)
            A new array; float32 input stays float32, other input is float64.
        """
        self._validate_params()
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return _project(X, self.epsilon, (1,))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
