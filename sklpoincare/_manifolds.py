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
