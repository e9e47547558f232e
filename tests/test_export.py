"""sklpoincare.export: float32 weights for embedding layers, and their distances.

Everything here runs on NumPy alone: the float32 arithmetic that Keras and
PyTorch would do is done by NumPy on float32 arrays (NumPy keeps float32
operands in float32).
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.export import REPRESENTATIONS, export_weights, paired_distances

N_COMPONENTS = 5
WIDTH = {
    "tangent": N_COMPONENTS,
    "polar": 2 * N_COMPONENTS + 2,
    "hyperboloid": N_COMPONENTS + 1,
    "ball": N_COMPONENTS,
}
GEOMETRIC = ("tangent", "polar", "hyperboloid")


@pytest.fixture(scope="module")
def mammals():
    relations = np.asarray(load_mammals().data)
    # 20 epochs from the hierarchical start (about half a second): most
    # points already lie beyond 1 - 5e-5, where float32 ball coordinates
    # stop resolving distances
    embedder = PoincareEmbedder(
        n_components=N_COMPONENTS, n_epochs=20, random_state=0, n_jobs=1
    ).fit(relations)
    return embedder, relations


@pytest.fixture(scope="module")
def pairs(mammals):
    """Row pairs: training relations, random pairs, nearest neighbours."""
    embedder, relations = mammals
    row = {label: i for i, label in enumerate(embedder.nodes_)}
    n = len(embedder.nodes_)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, n, 3000), rng.integers(0, n, 3000)
    nearest = embedder.kneighbors(embedder.nodes_, n_neighbors=2, return_distance=False)
    nearest = nearest[:, 1]
    return {
        "relations": (
            np.array([row[c] for c in relations[:, 0]]),
            np.array([row[p] for p in relations[:, 1]]),
        ),
        "random": (a[a != b], b[a != b]),
        "nearest": (np.arange(n), nearest),
    }


def _deep_embedder(points):
    """An embedder whose fitted points are ``points`` (labels 0, 1, ...)."""
    embedder = PoincareEmbedder(n_components=points.shape[1])
    embedder.embedding_ = np.asarray(points, dtype=np.float64)
    embedder.nodes_ = np.arange(len(points))
    return embedder


def _ball_points(radii, directions):
    directions = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    return np.tanh(np.asarray(radii) / 2)[:, None] * directions


@pytest.mark.parametrize("representation", REPRESENTATIONS)
def test_weights_are_float32_finite_and_in_node_order(mammals, representation):
    embedder, _ = mammals
    weights, index = export_weights(embedder, representation)
    assert weights.dtype == np.float32
    assert weights.shape == (len(embedder.nodes_), WIDTH[representation])
    assert np.all(np.isfinite(weights))
    assert list(index) == list(embedder.nodes_)
    assert [index[label] for label in embedder.nodes_] == list(range(len(index)))
    # row i is node nodes_[i]: compare with the float64 export
    weights64, _ = export_weights(embedder, representation, dtype="float64")
    if representation == "polar":  # hi + lo is the float64 value
        k = N_COMPONENTS
        hi_lo = weights[:, [0, *range(2, 2 + k)]].astype(float) + weights[
            :, [1, *range(2 + k, 2 + 2 * k)]
        ]
        np.testing.assert_allclose(
            hi_lo, weights64[:, [0, *range(2, 2 + k)]], rtol=1e-12, atol=1e-15
        )
    elif representation != "ball":  # float32 ball rows are pulled in
        np.testing.assert_allclose(weights, weights64, rtol=1e-6)


def test_float64_weights_match_the_embedding(mammals):
    embedder, _ = mammals
    ball, _ = export_weights(embedder, "ball", dtype=np.float64)
    np.testing.assert_array_equal(ball, embedder.embedding_)
    tangent, _ = export_weights(embedder, "tangent", dtype="float64")
    norms = np.linalg.norm(embedder.embedding_, axis=1)
    np.testing.assert_allclose(np.linalg.norm(tangent, axis=1), 2 * np.arctanh(norms), rtol=1e-9)
    np.testing.assert_allclose(
        tangent / np.linalg.norm(tangent, axis=1, keepdims=True),
        embedder.embedding_ / norms[:, None],
        rtol=1e-12,
    )


@pytest.mark.parametrize("representation", GEOMETRIC)
@pytest.mark.parametrize("kind", ["relations", "random", "nearest"])
def test_float32_distances_within_1e_3_of_float64(mammals, pairs, representation, kind):
    # Achievable for every pair whose directions differ by more than about
    # 1e-5 rad (float32 resolves angles to about 5e-8 rad); in this fit the
    # smallest angle between two nodes is far larger, which is checked
    # first. test_polar_resolves_tiny_angles covers smaller angles.
    embedder, _ = mammals
    a, b = pairs[kind]
    u = embedder.embedding_ / np.linalg.norm(embedder.embedding_, axis=1, keepdims=True)
    assert np.min(np.linalg.norm(u[a] - u[b], axis=1)) > 1e-4
    truth = embedder.distance(embedder.nodes_[a], embedder.nodes_[b])
    weights, _ = export_weights(embedder, representation)
    distances = paired_distances(weights[a], weights[b], representation=representation)
    assert distances.dtype == np.float32
    np.testing.assert_allclose(distances, truth, rtol=1e-3)
    # in float64 they are the embedder's distances
    weights64, _ = export_weights(embedder, representation, dtype="float64")
    distances64 = paired_distances(weights64[a], weights64[b], representation=representation)
    np.testing.assert_allclose(distances64, truth, rtol=1e-8)


def test_float32_ball_weights_stay_inside_the_ball(mammals, pairs):
    embedder, _ = mammals
    weights, _ = export_weights(embedder, "ball")
    squared = np.sum(weights * weights, axis=1)  # float32 arithmetic
    assert squared.dtype == np.float32
    assert np.all(squared < 1) and np.all(np.float32(1) - squared > 0)
    assert np.all(np.linalg.norm(weights, axis=1) < 1)
    # Rows beyond 1 - 5e-5 are pulled to it; distances between the exported
    # rows are then the float64 distances of those same rows within 1e-3,
    # but shorter than in the embedding wherever a pulled row is involved.
    largest = np.max(np.linalg.norm(weights.astype(float), axis=1))
    assert largest == pytest.approx(1 - 5e-5, abs=1e-6)
    a, b = pairs["relations"]
    distances = paired_distances(weights[a], weights[b], representation="ball")
    assert np.all(np.isfinite(distances))
    w64 = weights.astype(np.float64)
    np.testing.assert_allclose(
        distances, paired_distances(w64[a], w64[b], representation="ball"), rtol=1e-3
    )
    truth = embedder.distance(embedder.nodes_[a], embedder.nodes_[b])
    assert np.all(distances <= truth * (1 + 1e-3))


def test_float32_ball_weights_are_exact_within_radius_10_6():
    # an embedding that stays within 1 - 5e-5 (eps >= 5e-5) is exported unchanged
    rng = np.random.default_rng(0)
    points = _ball_points(rng.uniform(0, 10.5, 300), rng.normal(size=(300, 4)))
    embedder = _deep_embedder(points)
    weights, _ = export_weights(embedder, "ball")
    np.testing.assert_array_equal(weights, points.astype(np.float32))
    a, b = rng.integers(0, 300, 2000), rng.integers(0, 300, 2000)
    a, b = a[a != b], b[a != b]
    np.testing.assert_allclose(
        paired_distances(weights[a], weights[b], representation="ball"),
        embedder.distance(a, b),
        rtol=1e-3,
    )


@pytest.mark.parametrize("radius", [19.1, 28.3])  # eps = 1e-8 and eps = 1e-12
def test_points_at_the_boundary_of_float32(radius):
    # At 1 - 1e-8 (and beyond) a plain float32 cast lands on the boundary.
    rng = np.random.default_rng(1)
    points = _ball_points(np.full(50, radius), rng.normal(size=(50, 3)))
    assert np.all(np.sum(points.astype(np.float32) ** 2, axis=1) >= np.float32(1 - 1e-7))
    embedder = _deep_embedder(points)
    for representation in REPRESENTATIONS:
        weights, _ = export_weights(embedder, representation)
        assert np.all(np.isfinite(weights))
        d = paired_distances(weights[:-1], weights[1:], representation=representation)
        assert np.all(np.isfinite(d))
    ball, _ = export_weights(embedder, "ball")
    assert np.all(np.float32(1) - np.sum(ball * ball, axis=1) > 0)
    # geometric representations keep the distances; the truth is the law of
    # cosines for two points at the same radius: sinh(d/2) = sinh r sin(theta/2)
    u = points / np.linalg.norm(points, axis=1, keepdims=True)
    half_chord = np.linalg.norm(u[:-1] - u[1:], axis=1) / 2
    truth = 2 * np.arcsinh(np.sinh(radius) * half_chord)
    for representation in GEOMETRIC:
        weights, _ = export_weights(embedder, representation)
        d = paired_distances(weights[:-1], weights[1:], representation=representation)
        np.testing.assert_allclose(d, truth, rtol=1e-5)


def test_polar_resolves_tiny_angles():
    # Deep siblings whose directions differ by 1e-5 to 1e-9 rad: "polar"
    # keeps their distance to 1e-5 relative; "tangent" cannot below about
    # 1e-5 rad (its float32 directions only resolve ~5e-8 rad).
    rng = np.random.default_rng(2)
    radius, thetas = 19.0, np.array([1e-5, 1e-6, 1e-7, 1e-9])
    a = rng.normal(size=6)
    a /= np.linalg.norm(a)
    p = rng.normal(size=6)
    p -= p.dot(a) * a
    p /= np.linalg.norm(p)
    directions = np.vstack([a, np.cos(thetas)[:, None] * a + np.sin(thetas)[:, None] * p])
    embedder = _deep_embedder(_ball_points(np.full(5, radius), directions))
    truth = 2 * np.arcsinh(np.sinh(radius) * np.sin(thetas / 2))

    weights, _ = export_weights(embedder, "polar")
    d = paired_distances(weights[0], weights[1:], representation="polar")
    np.testing.assert_allclose(d, truth, rtol=1e-5)

    weights, _ = export_weights(embedder, "tangent")
    d = paired_distances(weights[0], weights[1:], representation="tangent")
    error = np.abs(d - truth) / truth
    assert error[0] < 1e-3  # 1e-5 rad: still fine
    assert error[2] > 1e-3  # 1e-7 rad: below float32 resolution


def test_paired_distances_shapes_and_origin():
    origin, point = np.zeros(2, np.float32), np.array([3.0, 4.0], np.float32)
    assert isinstance(paired_distances(origin, point), float)
    assert paired_distances(origin, point) == pytest.approx(5.0, rel=1e-6)
    rows = np.array([[3.0, 4.0], [0.0, 1.0], [0.0, 0.0]], np.float32)
    d = paired_distances(rows, origin)
    assert d.shape == (3,) and d.dtype == np.float32
    np.testing.assert_allclose(d, [5, 1, 0], atol=1e-6)
    np.testing.assert_array_equal(paired_distances(origin, rows), d)
    # float64 and mixed input compute in float64
    assert paired_distances(rows.astype(float), rows).dtype == np.float64
    np.testing.assert_array_equal(paired_distances(rows, rows), 0)


def test_unfitted_embedder_raises_not_fitted():
    with pytest.raises(NotFittedError):
        export_weights(PoincareEmbedder())


@pytest.mark.parametrize("representation", ["poincare", "lorentz", "Ball", ""])
def test_unknown_representation_is_named(mammals, representation):
    embedder, _ = mammals
    with pytest.raises(ValueError, match="representation"):
        export_weights(embedder, representation)
    with pytest.raises(ValueError, match="representation"):
        paired_distances(np.zeros(2), np.zeros(2), representation=representation)


@pytest.mark.parametrize("dtype", ["float16", np.int32, "bfloat16", None, "double precision"])
def test_bad_dtype_is_named(mammals, dtype):
    embedder, _ = mammals
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'"):
        export_weights(embedder, dtype=dtype)


def test_bad_embedder_and_euclidean_embedding():
    with pytest.raises(ValueError, match="embedder"):
        export_weights(np.zeros((3, 2)))
    embedder = PoincareEmbedder(manifold="euclidean")
    embedder.embedding_, embedder.nodes_ = np.full((2, 2), 5.0), np.array(["a", "b"])
    with pytest.raises(ValueError, match="manifold='euclidean'"):
        export_weights(embedder)


def test_paired_distances_bad_inputs():
    with pytest.raises(ValueError, match="columns"):
        paired_distances(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="rows"):
        paired_distances(np.zeros((2, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="cannot be 'polar' weights"):
        paired_distances(np.zeros(5), np.zeros(5), representation="polar")
    with pytest.raises(ValueError, match="norm < 1"):
        paired_distances(np.array([1.0, 0.0]), np.zeros(2), representation="ball")
    with pytest.raises(ValueError, match="NaN|infinity"):
        paired_distances(np.array([np.nan, 0.0]), np.zeros(2))


def test_lorentz_embedder_exports_like_the_ball(tree):
    # embedding_ is in ball coordinates whatever the training manifold
    embedder = PoincareEmbedder(
        n_components=3, manifold="lorentz", n_epochs=10, random_state=0, n_jobs=1
    ).fit(tree)
    weights, index = export_weights(embedder, "polar")
    a = np.arange(len(index) - 1)
    np.testing.assert_allclose(
        paired_distances(weights[a], weights[a + 1], representation="polar"),
        embedder.distance(embedder.nodes_[a], embedder.nodes_[a + 1]),
        rtol=1e-5,
    )


@pytest.mark.parametrize("representation", ["tangent", "polar", "hyperboloid", "ball"])
def test_paired_distances_of_no_pairs_are_empty(representation):
    est = PoincareEmbedder(n_components=4, n_epochs=3, burn_in=1, random_state=0)
    est.fit([("b", "a"), ("c", "a"), ("d", "b")])
    weights = (est.embedding_ if representation == "ball"
               else export_weights(est, representation)[0])
    assert paired_distances(weights[:0], weights[:0], representation=representation).shape == (0,)
