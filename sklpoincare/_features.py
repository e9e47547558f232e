"""What ``PoincareEmbedder.transform`` returns: features for downstream models.

The ball coordinates themselves are poor features: deep nodes crowd at norm
~1, and a subtree, close to a geodesic half-space, is a region a linear
model can only cut out with weights of size ``e^r``. The default,
``"landmarks"``, works on a logarithmic scale instead. The Gromov product
of a point x with a landmark l,

    (x | l)_o = (d(o, x) + d(o, l) - d(x, l)) / 2,

is in a tree the depth of the lowest common ancestor of x and l; in a
fitted embedding the descendants of l stand clearly above the other nodes,
so one threshold on l's column picks out l's subtree. The landmarks are the
most general nodes; the log-map coordinates ``r x / |x|`` (how deep, which
direction) come first, and every column is standardised with the mean and
standard deviation over the fitted nodes, so that weights of order 1 and a
small bias (a Keras ``Dense`` layer at its start) suffice. Measured in
``benchmarks/bench_downstream.py``; see ``doc/benchmarks.rst``.
"""

import numpy as np

from ._manifolds import poincare_radius, poincare_to_hyperboloid, poincare_to_tangent
from .metrics import poincare_distances

FEATURES = ("landmarks", "tangent", "hyperboloid", "embedding")

# The standardisation of the landmark features is measured on at most this
# many fitted nodes (evenly spaced rows): exact up to there, and a transform
# of a few labels then costs the same on a 10-million-node hierarchy.
MAX_REFERENCE_NODES = 20_000


def landmark_rows(embedding, n_landmarks):
    """Rows of the ``n_landmarks`` most general nodes (nearest the origin);
    ties keep the lower row first."""
    radius = poincare_radius(embedding)
    k = min(int(n_landmarks), len(radius))
    if k < len(radius):
        # the k smallest in linear time, then in order: the candidates are
        # every radius up to the k-th smallest, so ties are all there
        threshold = np.partition(radius, k - 1)[k - 1]
        candidates = np.flatnonzero(radius <= threshold)
        return candidates[np.argsort(radius[candidates], kind="stable")[:k]]
    return np.argsort(radius, kind="stable")


def gromov_products(points, landmarks):
    """``(x | l)_o`` of every row of ``points`` with every landmark point."""
    if len(points) == 0:
        return np.zeros((0, len(landmarks)))
    products = 0.5 * (
        poincare_radius(points)[:, None]
        + poincare_radius(landmarks)[None, :]
        - poincare_distances(points, landmarks)
    )
    # rounding leaves tiny negatives where x or l is at the origin
    return np.maximum(products, 0.0)


def _landmark_features(points, landmarks):
    return np.hstack([poincare_to_tangent(points), gromov_products(points, landmarks)])


class Standardisation:
    """The mean and scale of the landmark features, kept with the points
    they were measured on and given again while those are the same, bit
    for bit: a transform of a few labels then skips the 2.5 million
    distances of the measurement (0.1 s on the nouns). Compared by value,
    so an embedding changed in place (by training or by hand) is measured
    again."""

    def __init__(self):
        self._last = None  # (landmarks, sample, mean, scale)

    def of(self, landmarks, sample):
        last = self._last
        if last is not None and _same_bits(last[0], landmarks) and _same_bits(last[1], sample):
            return last[2], last[3]
        mean, scale = _standardisation(landmarks, sample)
        self._last = (landmarks.copy(), sample.copy(), mean, scale)
        return mean, scale


def _standardisation(landmarks, sample):
    """Mean and scale of the landmark features of the ``sample`` points."""
    reference = _landmark_features(sample, landmarks)
    mean, scale = reference.mean(axis=0), reference.std(axis=0)
    scale[scale == 0] = 1.0  # a constant column (e.g. a landmark at the origin)
    return mean, scale


def _same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def node_features(points, embedding, features, n_landmarks, standardisation=None):
    """Features of the ball ``points`` for an embedder fitted to ``embedding``.

    ``features`` is one of :data:`FEATURES`; the standardisation of
    ``"landmarks"`` uses the rows of ``embedding`` (at most
    ``MAX_REFERENCE_NODES`` of them, evenly spaced), measured by
    ``standardisation`` (a :class:`Standardisation` the caller keeps) when
    one is given.
    """
    if features == "embedding":
        return np.array(points, dtype=np.float64)
    if features == "tangent":
        return poincare_to_tangent(points)
    if features == "hyperboloid":
        return poincare_to_hyperboloid(points)
    landmarks = embedding[landmark_rows(embedding, n_landmarks)]
    n_nodes = len(embedding)
    sample = embedding
    if n_nodes > MAX_REFERENCE_NODES:
        sample = embedding[np.linspace(0, n_nodes - 1, MAX_REFERENCE_NODES).astype(np.intp)]
    if standardisation is None:
        mean, scale = _standardisation(landmarks, sample)
    else:
        mean, scale = standardisation.of(landmarks, sample)
    return (_landmark_features(points, landmarks) - mean) / scale
