"""Reference formulas and random points shared by the test modules.

Plain NumPy, written out as in the textbooks, for the kernels and queries
to be checked against.
"""

import numpy as np


def poincare_distance_matrix(X, Y):
    """Full matrix of Poincaré distances, from the textbook formula."""
    X, Y = np.atleast_2d(np.asarray(X, dtype=float)), np.atleast_2d(np.asarray(Y, dtype=float))
    sq_dist = np.sum((X[:, None, :] - Y[None, :, :]) ** 2, axis=-1)
    alpha = 1.0 - np.sum(X**2, axis=1)
    beta = 1.0 - np.sum(Y**2, axis=1)
    return np.arccosh(1.0 + 2.0 * sq_dist / (alpha[:, None] * beta[None, :]))


def euclidean_distance_matrix(X, Y):
    """Full matrix of Euclidean distances."""
    X, Y = np.atleast_2d(X), np.atleast_2d(Y)
    return np.sqrt(np.sum((X[:, None, :] - Y[None, :, :]) ** 2, axis=-1))


def random_ball(rng, n, dim, max_norm=0.95):
    """``n`` points with a norm uniform in [0, max_norm) and a random direction."""
    direction = rng.normal(size=(n, dim))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    return direction * rng.uniform(0, max_norm, size=(n, 1))
