"""Queries on a fitted embedder against plain NumPy / Python references and gensim."""

import numpy as np
from scipy.special import expit
import pytest
from sklearn.exceptions import NotFittedError

import sklpoincare._queries as queries_module
from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree
from _reference import euclidean_distance_matrix as _naive_euclidean
from _reference import poincare_distance_matrix as _naive_poincare
from _reference import random_ball as _random_ball


# ------------------------------------------------------------------ helpers


def _with_embedding(embedding, nodes=None, **params):
    """A fitted embedder whose embedding_ and nodes_ are replaced by ours.

    The queries rely only on these two attributes (and the parameters), so
    hand-built points test them exactly.
    """
    # one epoch: the fit only makes a fitted estimator, its points are replaced
    est = PoincareEmbedder(
        n_components=2, n_epochs=1, burn_in=0, n_negatives=1, random_state=0, **params
    ).fit([("b", "a")])
    est.embedding_ = np.asarray(embedding, dtype=np.float64)
    est.is_a_calibration_ = None  # fitted on the points replaced: the geometric score
    est.nodes_ = (
        np.array([f"n{i:03d}" for i in range(len(embedding))], dtype=object)
        if nodes is None
        else np.asarray(nodes)
    )
    return est


def _brute_neighbors(D, k, exclude):
    """Neighbours by a full stable sort of each row, the query excluded."""
    labels, distances = [], []
    for i, row in enumerate(D):
        order = [j for j in np.argsort(row, kind="stable") if j != exclude[i]][:k]
        labels.append(order)
        distances.append(row[order])
    return np.array(distances), np.array(labels)


def _brute_closest(D, norms, i, smaller):
    """The first node of smallest distance among those of smaller / larger norm."""
    best = None
    for j in range(len(norms)):
        if (norms[j] < norms[i]) if smaller else (norms[j] > norms[i]):
            if best is None or D[i, j] < D[i, best]:
                best = j
    return best


def _brute_chain(D, norms, i, smaller, max_depth=None):
    chain = []
    step = _brute_closest(D, norms, i, smaller)
    while step is not None and (max_depth is None or len(chain) < max_depth):
        chain.append(step)
        step = _brute_closest(D, norms, step, smaller)
    return chain


@pytest.fixture(scope="module")
def ball():
    """A hand-built embedding of 40 random points of the 3-d ball."""
    embedding = _random_ball(np.random.RandomState(0), 40, 3)
    return _with_embedding(embedding)


# ----------------------------------------------------- distance, similarity


@pytest.mark.parametrize("manifold", ["poincare", "lorentz"])
def test_distance_matches_the_poincare_formula(ball, manifold):
    est = _with_embedding(ball.embedding_, manifold=manifold)
    rng = np.random.RandomState(1)
    i, j = rng.randint(40, size=25), rng.randint(40, size=25)
    D = _naive_poincare(est.embedding_, est.embedding_)
    got = est.distance(est.nodes_[i], est.nodes_[j])
    assert got.shape == (25,)
    np.testing.assert_allclose(got, D[i, j], rtol=1e-10, atol=1e-12)
    # lists, single labels and broadcasting of a single label
    assert isinstance(est.distance("n003", "n007"), float)
    np.testing.assert_allclose(est.distance("n003", "n007"), D[3, 7], rtol=1e-10)
    np.testing.assert_allclose(
        est.distance("n003", ["n007", "n003", "n010"]), D[3, [7, 3, 10]], rtol=1e-10
    )
    np.testing.assert_allclose(
        est.distance(["n007", "n010"], "n003"), D[[7, 10], 3], rtol=1e-10
    )
    assert est.distance("n005", "n005") == 0.0


def test_distance_keeps_precision_for_nearby_points():
    # arccosh(1 + tiny) loses all digits in 1 + tiny; the exact distance
    # between (x, 0) and (x + h, 0) is 2 * (artanh(x + h) - artanh(x))
    x, h = 0.3, 1e-9
    est = _with_embedding([[x, 0.0], [x + h, 0.0]])
    expected = 2.0 * h / (1.0 - x * x)  # first order, error O(h^2)
    np.testing.assert_allclose(est.distance("n000", "n001"), expected, rtol=1e-6)


def test_similarity_is_one_over_one_plus_distance(ball):
    a, b = ball.nodes_[:10], ball.nodes_[10:20]
    D = _naive_poincare(ball.embedding_[:10], ball.embedding_[10:20]).diagonal()
    np.testing.assert_allclose(ball.similarity(a, b), 1.0 / (1.0 + D), rtol=1e-10)
    assert ball.similarity("n004", "n004") == 1.0
    assert 0.0 < ball.similarity("n004", "n030") < 1.0


def test_norms_are_euclidean_norms(ball):
    np.testing.assert_allclose(
        ball.norms(ball.nodes_), np.sqrt(np.sum(ball.embedding_**2, axis=1)), rtol=1e-12
    )
    assert ball.norms("n002") == pytest.approx(np.sqrt(np.sum(ball.embedding_[2] ** 2)))


def test_a_and_b_of_different_lengths_raise(ball):
    with pytest.raises(ValueError, match="got 3 and 2 labels"):
        ball.distance(["n000", "n001", "n002"], ["n000", "n001"])


# ------------------------------------------------------------------ is-a score


@pytest.mark.parametrize("manifold", ["poincare", "euclidean"])
def test_is_a_score_is_distance_to_origin_minus_distance(ball, manifold):
    est = _with_embedding(ball.embedding_, manifold=manifold)
    naive = _naive_euclidean if manifold == "euclidean" else _naive_poincare
    rng = np.random.RandomState(2)
    i, j = rng.randint(40, size=30), rng.randint(40, size=30)
    D = naive(est.embedding_, est.embedding_)
    from_origin = naive(est.embedding_, np.zeros((1, 3)))[:, 0]
    np.testing.assert_allclose(
        est.is_a_score(est.nodes_[i], est.nodes_[j]), from_origin[i] - D[i, j],
        rtol=1e-10, atol=1e-12,
    )
    assert isinstance(est.is_a_score("n001", "n002"), float)
    np.testing.assert_allclose(
        est.is_a_score("n001", ["n002", "n003"]), from_origin[1] - D[1, [2, 3]], rtol=1e-10
    )


def test_is_a_score_reads_the_calibration_between_the_two_nearest_bands(ball):
    est = _with_embedding(ball.embedding_)
    # two bands, at parent radii 1 and 3: x -> x / 10 and x -> x / 20 + 0.5,
    # each for geometric scores in [-4, 4] and constant beyond
    x = np.array([-4.0, 4.0])
    est.is_a_calibration_ = {
        "band_radii": np.array([1.0, 3.0]), "band_starts": np.array([0, 2, 4]),
        "geometric": np.r_[x, x], "is_a": np.r_[x / 10, x / 20 + 0.5],
    }
    i, j = np.arange(40), np.random.RandomState(3).permutation(40)
    D = _naive_poincare(est.embedding_, est.embedding_)
    radius = 2 * np.arctanh(np.linalg.norm(est.embedding_, axis=1))
    geometric = radius[i] - D[i, j]
    flat = np.clip(geometric, -4, 4)
    weight = np.clip((radius[j] - 1) / 2, 0, 1)  # of the band at radius 3
    calibrated = (1 - weight) * flat / 10 + weight * (flat / 20 + 0.5)
    # and a thousandth of the geometric score through a logistic, for ties
    expected = 0.999 * calibrated + 0.001 / (1 + np.exp(-geometric))
    assert np.any((weight > 0) & (weight < 1))  # some pairs between the bands
    np.testing.assert_allclose(
        est.is_a_score(est.nodes_[i], est.nodes_[j]), expected, rtol=1e-9, atol=1e-12
    )


def test_is_a_score_is_zero_below_the_parent_when_every_known_child_lies_farther_out(ball):
    est = _with_embedding(ball.embedding_)
    x = np.array([-30.0, 30.0])
    est.is_a_calibration_ = {
        "band_radii": np.array([1.0]), "band_starts": np.array([0, 2]),
        "geometric": x, "is_a": x / 60 + 0.5, "children_outward": np.array(True),
    }
    norms = np.linalg.norm(est.embedding_, axis=1)
    i, j = np.meshgrid(np.arange(40), np.arange(40))
    i, j = i.ravel(), j.ravel()
    scores = est.is_a_score(est.nodes_[i], est.nodes_[j])
    geometric = 2 * np.arctanh(norms[i]) - _naive_poincare(est.embedding_, est.embedding_)[i, j]
    radii = 2 * np.arctanh(norms)  # level within half of order_radii's margin counts
    outward = (radii[i] > radii[j] - 5e-4) & (i != j)  # a node and itself do not
    np.testing.assert_allclose(
        scores, 0.999 * np.where(outward, geometric / 60 + 0.5, 0) + 0.001 * expit(geometric),
        rtol=1e-9, atol=1e-12,
    )
    assert outward.sum() > 500 and (~outward).sum() > 500
    est.is_a_calibration_["children_outward"] = np.array(False)
    np.testing.assert_allclose(
        est.is_a_score(est.nodes_[i], est.nodes_[j]),
        0.999 * (geometric / 60 + 0.5) + 0.001 * expit(geometric), rtol=1e-9, atol=1e-12,
    )


def test_is_a_score_is_positive_inside_the_cone_and_ordered():
    # a parent on the ray of the child, nearer the origin: the child is
    # nearer to it than to the origin; a point across the ball is not
    est = _with_embedding([[0.5, 0.0], [0.9, 0.0], [-0.5, 0.0]])
    r = 2 * np.arctanh(np.array([0.5, 0.9]))
    assert est.is_a_score("n001", "n000") == pytest.approx(r[0], rel=1e-9)
    assert est.is_a_score("n001", "n002") == pytest.approx(-r[0], rel=1e-9)
    # the wrong order, on one ray: r0 - d(n000, n001) = r0 - (r1 - r0)
    assert est.is_a_score("n000", "n001") == pytest.approx(2 * r[0] - r[1], rel=1e-9)
    assert est.is_a_score("n000", "n001") < est.is_a_score("n001", "n000")
    # an unknown parent stands for the origin with handle_unknown="ignore": 0
    est.set_params(handle_unknown="ignore")
    assert est.is_a_score("n001", "missing") == 0.0


def test_is_a_score_puts_every_is_a_pair_of_a_fitted_tree_first(fitted, tree):
    from sklearn.metrics import average_precision_score

    closure = set(map(tuple, np.asarray(tree).tolist()))
    nodes = fitted.nodes_
    pairs = np.array([(a, b) for a in nodes for b in nodes if a != b])
    is_a = np.array([tuple(pair) in closure for pair in pairs.tolist()])
    scores = fitted.is_a_score(pairs[:, 0], pairs[:, 1])
    assert average_precision_score(is_a, scores) > 0.99
    # which the distance alone does not do across depths
    assert average_precision_score(is_a, -fitted.distance(pairs[:, 0], pairs[:, 1])) < 0.6


# ----------------------------------------------------------------- kneighbors


@pytest.mark.parametrize("n_neighbors", [1, 4, 39])
def test_kneighbors_of_all_nodes_match_brute_force(ball, n_neighbors, monkeypatch):
    # blocks of 3 queries, so that several blocks and a ragged last one run
    monkeypatch.setattr(queries_module, "_BLOCK_ENTRIES", 3 * 40)
    D = _naive_poincare(ball.embedding_, ball.embedding_)
    expected_d, expected_i = _brute_neighbors(D, n_neighbors, exclude=np.arange(40))
    distances, indices = ball.kneighbors(n_neighbors=n_neighbors)
    assert distances.shape == indices.shape == (40, n_neighbors)
    assert indices.dtype.kind == "i"  # rows, as in scikit-learn
    np.testing.assert_array_equal(indices, expected_i)
    np.testing.assert_allclose(distances, expected_d, rtol=1e-10, atol=1e-12)
    assert np.all(np.diff(distances, axis=1) >= 0)


def test_kneighbors_of_given_labels_match_brute_force(ball):
    query = np.array([17, 3, 3, 39])
    D = _naive_poincare(ball.embedding_[query], ball.embedding_)
    expected_d, expected_i = _brute_neighbors(D, 6, exclude=query)
    distances, indices = ball.kneighbors(list(ball.nodes_[query]), n_neighbors=6)
    np.testing.assert_array_equal(indices, expected_i)
    np.testing.assert_allclose(distances, expected_d, rtol=1e-10)
    assert ball.kneighbors(ball.nodes_[query], 6, return_distance=False).tolist() == (
        indices.tolist()
    )
    # most_similar: the same neighbours, by label
    same_d, labels = ball.most_similar(list(ball.nodes_[query]), topn=6)
    np.testing.assert_array_equal(labels, ball.nodes_[expected_i])
    np.testing.assert_array_equal(same_d, distances)


def test_kneighbors_of_one_label_gives_one_row(ball):
    distances, indices = ball.kneighbors("n017", n_neighbors=3)
    all_distances, all_indices = ball.kneighbors(["n017"], n_neighbors=3)
    assert distances.shape == indices.shape == (3,)
    np.testing.assert_array_equal(indices, all_indices[0])
    np.testing.assert_array_equal(distances, all_distances[0])
    labels = ball.most_similar("n017", topn=3, return_distance=False)
    np.testing.assert_array_equal(labels, ball.nodes_[indices])


def test_kneighbors_leaves_out_the_query_node_only():
    # n001 and n002 share a point: each is the other's neighbour at distance 0
    est = _with_embedding([[0.1, 0.2], [0.5, 0.0], [0.5, 0.0], [-0.3, 0.4]])
    distances, labels = est.most_similar(["n001", "n002"], topn=1)
    assert labels.tolist() == [["n002"], ["n001"]]
    np.testing.assert_array_equal(distances, [[0.0], [0.0]])


@pytest.mark.parametrize("n_neighbors", [1, 2, 3, 4, 5])
def test_kneighbors_ties_go_to_the_lowest_rows(n_neighbors):
    # Seen from the origin n000: n005 is nearest, n001..n004 tie (norm 0.5).
    # With 3 neighbours, argpartition alone returns n001 and n003.
    points = [[0, 0], [0.5, 0], [-0.5, 0], [0, 0.5], [0, -0.5], [0.25, 0]]
    est = _with_embedding(points)
    distances, indices = est.kneighbors("n000", n_neighbors=n_neighbors)
    assert indices.tolist() == [5, 1, 2, 3, 4][:n_neighbors]
    # d(0, x) = 2 artanh(|x|) = log((1 + |x|) / (1 - |x|))
    expected = [np.log(5.0 / 3.0)] + [np.log(3.0)] * 4
    np.testing.assert_allclose(distances, expected[:n_neighbors], rtol=1e-12)


def test_most_similar_keeps_the_label_dtype(fast_params):
    est = PoincareEmbedder(n_components=2, **fast_params).fit(make_balanced_tree(2, 2))
    labels = est.most_similar([0, 3], topn=2, return_distance=False)
    assert labels.dtype == est.nodes_.dtype
    assert set(labels.ravel()) <= set(range(7))
    assert 0 not in labels[0] and 3 not in labels[1]


@pytest.mark.parametrize("n_neighbors", [0, -1, 40, 100, 2.0, True, None])
def test_n_neighbors_out_of_range_raises(ball, n_neighbors):
    with pytest.raises(ValueError, match=r"n_neighbors must be an integer from 1 to .* = 39"):
        ball.kneighbors(["n000"], n_neighbors=n_neighbors)
    with pytest.raises(ValueError, match=r"topn must be an integer from 1 to .* = 39"):
        ball.most_similar(["n000"], topn=n_neighbors)


@pytest.mark.parametrize("method", ["kneighbors", "most_similar"])
def test_return_distance_must_be_a_bool(ball, method):
    with pytest.raises(ValueError, match="return_distance must be a bool"):
        getattr(ball, method)(["n000"], 2, return_distance="no")


# ------------------------------------------------ closest nodes and chains


def test_closest_more_general_and_specific_match_brute_force(ball):
    D = _naive_poincare(ball.embedding_, ball.embedding_)
    norms = np.linalg.norm(ball.embedding_, axis=1)
    for smaller, method in [
        (True, ball.closest_more_general),
        (False, ball.closest_more_specific),
    ]:
        expected = [_brute_closest(D, norms, i, smaller) for i in range(40)]
        got = method(ball.nodes_)
        assert got.dtype == object and got.shape == (40,)
        assert got.tolist() == [None if j is None else ball.nodes_[j] for j in expected]
    # the most general / most specific node has none; a single label gives a scalar
    assert ball.closest_more_general(ball.nodes_[np.argmin(norms)]) is None
    assert ball.closest_more_specific(ball.nodes_[np.argmax(norms)]) is None
    assert ball.closest_more_general("n005") == ball.nodes_[_brute_closest(D, norms, 5, True)]


def test_closest_ties_go_to_the_lowest_row():
    # n001 and n002 share a point, more general than n000 and nearest to it
    est = _with_embedding([[0.9, 0.0], [0.4, 0.0], [0.4, 0.0], [0.0, 0.0]])
    assert est.closest_more_general("n000") == "n001"
    # n001 and n002 are equally far from the origin n003, at different points
    est.embedding_[1] = [0.0, 0.4]
    assert est.distance("n003", "n001") == est.distance("n003", "n002")
    assert est.closest_more_specific("n003") == "n001"


def test_ancestors_and_descendants_match_brute_force_chains(ball):
    D = _naive_poincare(ball.embedding_, ball.embedding_)
    norms = np.linalg.norm(ball.embedding_, axis=1)
    expected = [[ball.nodes_[j] for j in _brute_chain(D, norms, i, True)] for i in range(40)]
    assert ball.ancestors(ball.nodes_) == expected
    assert ball.ancestors("n011") == expected[11]
    # chains end at the most general node and climb in norm
    root = ball.nodes_[np.argmin(norms)]
    assert all(chain[-1] == root for chain in expected if chain)
    for max_depth in [1, 3, None]:
        expected = [
            [ball.nodes_[j] for j in _brute_chain(D, norms, i, False, max_depth)]
            for i in range(40)
        ]
        assert ball.descendants(ball.nodes_, max_depth=max_depth) == expected
        assert ball.ancestors(["n011"], max_depth=max_depth) == [
            [ball.nodes_[j] for j in _brute_chain(D, norms, 11, True, max_depth)]
        ]
    assert len(ball.descendants("n011")) <= 5  # gensim's default depth


@pytest.mark.parametrize("max_depth", [0, -2, 1.5, "3", True])
def test_max_depth_is_validated(ball, max_depth):
    for method in (ball.ancestors, ball.descendants):
        with pytest.raises(ValueError, match="max_depth must be an integer >= 1 or None"):
            method("n000", max_depth=max_depth)


def test_chains_on_a_fitted_tree_follow_norms(fast_params):
    est = PoincareEmbedder(n_components=3, **fast_params).fit(make_balanced_tree(3, 2))
    norms = est.norms(est.nodes_)
    most_general = est.nodes_[np.argmin(norms)]
    for node, chain in zip(est.nodes_, est.ancestors(est.nodes_)):
        chain_norms = est.norms([node] + chain)
        assert np.all(np.diff(chain_norms) < 0)
        assert (chain[-1] if chain else node) == most_general
    for node, chain in zip(est.nodes_, est.descendants(est.nodes_, max_depth=None)):
        assert np.all(np.diff(est.norms([node] + chain)) > 0)


# -------------------------------------------------------- euclidean manifold


def test_euclidean_manifold_uses_euclidean_distances():
    rng = np.random.RandomState(3)
    points = rng.normal(scale=2.0, size=(15, 2))  # many rows outside the unit ball
    est = _with_embedding(points, manifold="euclidean")
    D = _naive_euclidean(points, points)
    reverse = np.arange(15)[::-1]
    np.testing.assert_allclose(
        est.distance(est.nodes_, est.nodes_[reverse]), D[np.arange(15), reverse], rtol=1e-12
    )
    np.testing.assert_allclose(
        est.similarity("n000", "n001"), 1.0 / (1.0 + D[0, 1]), rtol=1e-12
    )
    expected_d, expected_i = _brute_neighbors(D, 4, exclude=np.arange(15))
    distances, indices = est.kneighbors(n_neighbors=4)
    np.testing.assert_array_equal(indices, expected_i)
    np.testing.assert_allclose(distances, expected_d, rtol=1e-12)
    norms = np.linalg.norm(points, axis=1)
    np.testing.assert_allclose(est.norms(est.nodes_), norms, rtol=1e-12)
    expected = [_brute_closest(D, norms, i, True) for i in range(15)]
    assert est.closest_more_general(est.nodes_).tolist() == [
        None if j is None else est.nodes_[j] for j in expected
    ]


def test_poincare_queries_reject_points_outside_the_ball():
    est = _with_embedding([[0.2, 0.0], [1.5, 0.0]])
    with pytest.raises(ValueError, match="row 1 of embedding_ has norm .*1.5"):
        est.distance("n000", "n001")


# ----------------------------------------------------------- label handling


QUERIES = [
    ("kneighbors", lambda est, x: est.kneighbors(x, n_neighbors=1)),
    ("distance_a", lambda est, x: est.distance(x, "n000")),
    ("distance_b", lambda est, x: est.distance("n000", x)),
    ("similarity", lambda est, x: est.similarity(x, "n000")),
    ("norms", lambda est, x: est.norms(x)),
    ("closest_more_general", lambda est, x: est.closest_more_general(x)),
    ("closest_more_specific", lambda est, x: est.closest_more_specific(x)),
    ("ancestors", lambda est, x: est.ancestors(x)),
    ("descendants", lambda est, x: est.descendants(x)),
]


@pytest.mark.parametrize("name, query", QUERIES, ids=[q[0] for q in QUERIES])
def test_unknown_labels_raise_naming_them(ball, name, query):
    with pytest.raises(ValueError, match=r"2 label\(s\) in [abX] unknown .*'cat', 'dog'"):
        query(ball, ["n001", "cat", "dog", "cat"])


@pytest.mark.parametrize("name, query", QUERIES, ids=[q[0] for q in QUERIES])
def test_missing_labels_raise_even_when_unknown_are_ignored(ball, name, query):
    est = _with_embedding(ball.embedding_, handle_unknown="ignore")
    with pytest.raises(ValueError, match=r"missing .* at position\(s\) 1, 2"):
        query(est, ["n001", None, float("nan")])


@pytest.mark.parametrize("name, query", QUERIES, ids=[q[0] for q in QUERIES])
def test_queries_need_fit(name, query):
    with pytest.raises(NotFittedError):
        query(PoincareEmbedder(), ["n000"])


def test_kneighbors_of_all_nodes_needs_fit():
    with pytest.raises(NotFittedError):
        PoincareEmbedder().kneighbors()


def test_unknown_labels_stand_for_the_origin_when_ignored(ball):
    est = _with_embedding(ball.embedding_, handle_unknown="ignore")
    norms = np.linalg.norm(ball.embedding_, axis=1)
    # d(0, x) = 2 artanh(|x|)
    np.testing.assert_allclose(
        est.distance("cat", est.nodes_), 2.0 * np.arctanh(norms), rtol=1e-10
    )
    assert est.norms("cat") == 0.0
    assert est.closest_more_general("cat") is None
    assert est.ancestors("cat") == []
    closest_to_origin = est.nodes_[np.argmin(norms)]
    assert est.closest_more_specific("cat") == closest_to_origin
    # nothing is left out for a label that is no node
    labels = est.most_similar(["cat"], topn=39, return_distance=False)
    assert labels[0, 0] == closest_to_origin and len(set(labels[0])) == 39


def test_tuple_labels_are_single_labels():
    est = _with_embedding([[0.1, 0.0], [0.6, 0.0], [0.0, 0.7]])
    est.nodes_ = np.empty(3, dtype=object)
    est.nodes_[:] = [("a", 1), ("b", 2), ("c", 3)]
    assert est.closest_more_general(("b", 2)) == ("a", 1)
    assert est.ancestors([("b", 2), ("c", 3)]) == [[("a", 1)], [("a", 1)]]
    assert est.norms(("b", 2)) == pytest.approx(0.6)


def test_two_dimensional_queries_raise(ball):
    with pytest.raises(ValueError, match=r"X must be one label or a 1-D array-like"):
        ball.norms(np.array([["n000", "n001"]], dtype=object))


def test_labels_given_as_a_pandas_series(ball):
    pd = pytest.importorskip("pandas")
    np.testing.assert_array_equal(
        ball.norms(pd.Series(["n001", "n004"])), ball.norms(["n001", "n004"])
    )


def test_threads_give_the_same_answers(ball):
    threaded = _with_embedding(ball.embedding_, n_jobs=2)
    for query in (
        lambda est: est.kneighbors(n_neighbors=5),
        lambda est: est.closest_more_specific(est.nodes_),
        lambda est: est.ancestors(est.nodes_),
    ):
        np.testing.assert_equal(query(threaded), query(ball))


# ---------------------------------------------------------------- gensim


@pytest.fixture(scope="module")
def gensim_pair(ball):
    """Our hand-built embedder and gensim's keyed vectors of the same points."""
    poincare = pytest.importorskip("gensim.models.poincare")
    kv = poincare.PoincareKeyedVectors(3, 0, dtype=np.float64)
    kv.add_vectors(list(ball.nodes_), ball.embedding_.copy())
    return ball, kv


def test_gensim_distance_similarity_norm(gensim_pair):
    est, kv = gensim_pair
    pairs = [("n000", "n001"), ("n013", "n027"), ("n039", "n005"), ("n008", "n008")]
    for a, b in pairs:
        assert est.distance(a, b) == pytest.approx(kv.distance(a, b), rel=1e-9, abs=1e-12)
        assert est.similarity(a, b) == pytest.approx(kv.similarity(a, b), rel=1e-9)
        assert est.norms(b) - est.norms(a) == pytest.approx(
            kv.difference_in_hierarchy(a, b), rel=1e-12, abs=1e-15
        )
    np.testing.assert_allclose(
        est.distance("n004", est.nodes_), kv.distances("n004"), rtol=1e-9, atol=1e-12
    )
    # gensim's norm() takes the norm of one vector, its closest_parent/child
    # of all rows at once; the two can differ in the last bit
    np.testing.assert_allclose(
        est.norms(list(est.nodes_)), [kv.norm(node) for node in est.nodes_], rtol=1e-15
    )


def test_gensim_closest_parent_child_ancestors(gensim_pair):
    est, kv = gensim_pair
    nodes = list(est.nodes_)
    assert est.closest_more_general(nodes).tolist() == [kv.closest_parent(n) for n in nodes]
    assert est.closest_more_specific(nodes).tolist() == [kv.closest_child(n) for n in nodes]
    assert est.ancestors(nodes) == [kv.ancestors(n) for n in nodes]


def test_gensim_descendants(gensim_pair):
    est, kv = gensim_pair
    full = est.descendants(list(est.nodes_), max_depth=None)
    checked = 0
    for node, chain in zip(est.nodes_, full):
        # gensim fails when a chain ends before max_depth, so ask for its length
        if chain:
            assert kv.descendants(node, max_depth=len(chain)) == chain
            checked += 1
        if len(chain) >= 5:
            assert est.descendants(node) == kv.descendants(node)
    assert checked > 30


def test_gensim_most_similar(gensim_pair):
    est, kv = gensim_pair
    # gensim keeps the query among the results when it is its first key
    # (index 0), so the comparison starts at n001
    for node in est.nodes_[1:]:
        expected = kv.most_similar(node, topn=7)
        distances, labels = est.most_similar(node, topn=7)
        assert labels.tolist() == [label for label, _ in expected]
        np.testing.assert_allclose(distances, [d for _, d in expected], rtol=1e-9)
