"""What transform returns: the feature representations against NumPy formulas."""

import pickle

import numpy as np
import pytest

from sklpoincare import PoincareEmbedder
from sklpoincare._features import gromov_products, landmark_rows


def _distance(x, y):
    """Poincaré distance, the textbook formula in NumPy."""
    sq = np.sum((x - y) ** 2, axis=-1)
    return np.arccosh(1 + 2 * sq / ((1 - np.sum(x**2, -1)) * (1 - np.sum(y**2, -1))))


def _with(fitted, **params):
    est = PoincareEmbedder(**{**fitted.get_params(), **params})
    est.embedding_, est.nodes_ = fitted.embedding_, fitted.nodes_
    return est


def test_embedding_features_are_the_rows(fitted):
    est = _with(fitted, features="embedding")
    np.testing.assert_array_equal(est.transform(est.nodes_), est.embedding_)


def test_tangent_features_are_radius_times_direction(fitted):
    x = fitted.embedding_
    out = _with(fitted, features="tangent").transform(fitted.nodes_)
    radius = _distance(x, np.zeros_like(x))
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), radius, rtol=1e-9)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_allclose(out / radius[:, None], unit, rtol=1e-9, atol=1e-12)


def test_hyperboloid_features_lie_on_the_hyperboloid_and_map_back(fitted):
    out = _with(fitted, features="hyperboloid").transform(fitted.nodes_)
    time, space = out[:, 0], out[:, 1:]
    radius = _distance(fitted.embedding_, np.zeros_like(fitted.embedding_))
    np.testing.assert_allclose(time, np.cosh(radius), rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(space, axis=1), np.sinh(radius), rtol=1e-6)
    np.testing.assert_allclose(space / (1 + time)[:, None], fitted.embedding_, rtol=1e-9, atol=1e-15)


def test_landmarks_are_the_most_general_nodes(fitted):
    rows = landmark_rows(fitted.embedding_, 4)
    norms = np.linalg.norm(fitted.embedding_, axis=1)
    assert set(norms[rows]) == set(np.sort(norms)[:4])
    names = _with(fitted, n_landmarks=4).get_feature_names_out(["node"])
    assert names[5:].tolist() == [f"node_gromov_{label}" for label in fitted.nodes_[rows]]
    # no more landmarks than nodes
    assert len(_with(fitted, n_landmarks=10_000).get_feature_names_out(["n"])) == 5 + 40


def test_gromov_products_match_their_definition(fitted):
    x = fitted.embedding_
    landmarks = x[landmark_rows(x, 6)]
    origin = np.zeros(x.shape[1])
    expected = 0.5 * (
        _distance(x, origin)[:, None]
        + _distance(landmarks, origin)[None, :]
        - _distance(x[:, None, :], landmarks[None, :, :])
    )
    np.testing.assert_allclose(gromov_products(x, landmarks), np.maximum(expected, 0), atol=1e-7)


def test_landmark_features_are_standardised_over_the_fitted_nodes(fitted):
    est = _with(fitted, n_landmarks=6)
    out = est.transform(est.nodes_)
    x = est.embedding_
    raw = np.hstack([
        _with(fitted, features="tangent").transform(est.nodes_),
        gromov_products(x, x[landmark_rows(x, 6)]),
    ])
    scale = raw.std(axis=0)
    scale[scale == 0] = 1
    np.testing.assert_allclose(out, (raw - raw.mean(axis=0)) / scale, atol=1e-9)
    # the root is a landmark at the origin: its column is constant, left at 0
    assert np.all(out.std(axis=0)[scale != 1] == pytest.approx(1.0))


def test_one_threshold_on_a_landmark_column_picks_its_subtree(fitted, tree):
    """The Gromov product with a node is larger for its descendants than for
    every other node."""
    nodes = list(fitted.nodes_)
    for landmark in (1, 2, 3, 4, 5):
        below = set(tree[tree[:, 1] == landmark, 0])
        column = gromov_products(fitted.embedding_, fitted.embedding_[[nodes.index(landmark)]])[:, 0]
        inside = [column[nodes.index(n)] for n in below]
        outside = [column[i] for i, n in enumerate(nodes) if n not in below and n != landmark]
        assert min(inside) > max(outside)


def test_euclidean_embedder_returns_its_coordinates(tree, tiny_params):
    est = PoincareEmbedder(**{**tiny_params, "n_components": 3}, manifold="euclidean")
    est.fit(tree)
    np.testing.assert_array_equal(est.transform(est.nodes_), est.embedding_)
    assert len(est.get_feature_names_out(["n"])) == 3


def test_features_are_finite_in_float32(fitted):
    for features in ("landmarks", "tangent", "embedding"):
        out = _with(fitted, features=features).transform(fitted.nodes_).astype(np.float32)
        assert np.all(np.isfinite(out))


def test_standardisation_of_a_large_hierarchy_uses_evenly_spaced_nodes(fitted, monkeypatch):
    """Above MAX_REFERENCE_NODES the mean and scale come from that many
    evenly spaced rows, so a transform costs the same at any size."""
    from sklpoincare import _features

    monkeypatch.setattr(_features, "MAX_REFERENCE_NODES", 10)
    x = fitted.embedding_
    sample = x[np.linspace(0, len(x) - 1, 10).astype(int)]
    landmarks = x[landmark_rows(x, 6)]
    raw = _features._landmark_features(x, landmarks)
    reference = _features._landmark_features(sample, landmarks)
    scale = reference.std(axis=0)
    scale[scale == 0] = 1
    out = _with(fitted, n_landmarks=6).transform(fitted.nodes_)
    np.testing.assert_allclose(out, (raw - reference.mean(axis=0)) / scale, atol=1e-9)


def test_kept_standardisation_gives_the_same_bits_and_follows_changes_in_place(fitted):
    """A fitted embedder keeps the landmark features' mean and scale between
    transforms; they must equal a fresh measurement, also after its points
    were changed in place."""
    est = pickle.loads(pickle.dumps(fitted))  # a writable copy, its caches rebuilt
    assert est._standardisation is not None
    fresh = _with(est)  # no kept measurement: measured at every call
    for _ in range(2):
        np.testing.assert_array_equal(est.transform(est.nodes_), fresh.transform(est.nodes_))
    est.embedding_[1:] *= 0.9  # other landmarks, other scales
    np.testing.assert_array_equal(est.transform(est.nodes_), _with(est).transform(est.nodes_))


def test_query_caches_are_not_pickled(fitted):
    state = fitted.__getstate__()
    assert "_label_index" not in state and "_standardisation" not in state
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.transform(fitted.nodes_), fitted.transform(fitted.nodes_))
    label = fitted.nodes_[3]
    assert loaded.most_similar(label, topn=3, return_distance=False).tolist() == (
        fitted.most_similar(label, topn=3, return_distance=False).tolist())


def test_landmark_names_tell_apart_labels_that_print_alike(tiny_params):
    est = PoincareEmbedder(**tiny_params).fit([(1, "r"), ("1", "r")])
    names = est.get_feature_names_out(["node"]).tolist()
    assert len(set(names)) == len(names)
    assert {"node_gromov_1", "node_gromov_'1'"} <= set(names)
