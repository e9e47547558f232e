"""Poincaré distances and reconstruction metrics against plain NumPy references."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from sklpoincare.metrics import (
    RankingScores,
    _rank_relations,
    _relation_ids,
    mean_average_precision,
    mean_rank,
    poincare_distances,
    ranking_scores,
)
from _reference import poincare_distance_matrix as _naive_distances
from _reference import random_ball as _random_ball


# ------------------------------------------------------------------ helpers


def _naive_ranking(embedding, relations):
    """(mean_rank, MAP) by the protocol of the metrics module docstring.

    Written for clarity: the full distance matrix, one child at a time.
    """
    n = len(embedding)
    D = _naive_distances(embedding, embedding)
    pairs = sorted({(int(c), int(p)) for c, p in relations})
    parents = {}
    for c, p in pairs:
        parents.setdefault(c, set()).add(p)
    ranks, aps = [], []
    for u in sorted(parents):
        others = np.array([v for v in range(n) if v != u])
        is_parent = np.array([v in parents[u] for v in others])
        d = D[u, others]
        for p in sorted(parents[u]):
            dp = D[u, p]
            ranks.append(1 + np.sum(~is_parent & (d < dp)))
        aps.append(average_precision_score(is_parent, -d))
    return float(np.mean(ranks)), float(np.mean(aps))


def _random_relations(rng, n_nodes, n_relations):
    children = rng.randint(n_nodes, size=n_relations)
    parents = rng.randint(n_nodes, size=n_relations)
    keep = children != parents
    return np.stack([children[keep], parents[keep]], axis=1)


def _assert_scores_equal(scores, expected):
    assert isinstance(scores, RankingScores)
    np.testing.assert_allclose(scores.mean_rank, expected[0], rtol=1e-12)
    np.testing.assert_allclose(scores.mean_average_precision, expected[1], rtol=1e-12)


# ---------------------------------------------------------------- distances


@pytest.mark.parametrize("dim", [1, 2, 5, 10])
def test_poincare_distances_match_numpy_formula(dim):
    rng = np.random.RandomState(dim)
    X = _random_ball(rng, 13, dim)
    Y = _random_ball(rng, 7, dim)
    D = poincare_distances(X, Y)
    assert D.shape == (13, 7)
    np.testing.assert_allclose(D, _naive_distances(X, Y), rtol=1e-10, atol=1e-12)


def test_poincare_distances_known_value():
    # d(0, x) = 2 artanh(|x|)
    D = poincare_distances([[0.0, 0.0]], [[0.5, 0.0], [0.0, -0.9]])
    np.testing.assert_allclose(D, [[2 * np.arctanh(0.5), 2 * np.arctanh(0.9)]], rtol=1e-14)


@pytest.mark.parametrize("dim", [2, 5])
def test_poincare_distances_y_none_symmetric_zero_diagonal(dim):
    rng = np.random.RandomState(10 + dim)
    X = _random_ball(rng, 20, dim)
    D = poincare_distances(X)
    assert D.shape == (20, 20)
    assert np.all(np.abs(np.diag(D)) <= 1e-7)
    np.testing.assert_allclose(D, D.T, rtol=1e-12, atol=1e-7)
    off_diagonal = ~np.eye(20, dtype=bool)
    np.testing.assert_allclose(
        D[off_diagonal], _naive_distances(X, X)[off_diagonal], rtol=1e-10
    )
    np.testing.assert_allclose(D, poincare_distances(X, X), rtol=0, atol=0)


def test_poincare_distances_near_boundary():
    rng = np.random.RandomState(1)
    direction = rng.normal(size=(10, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    X = direction * (1 - 1e-6)
    Y = np.vstack([direction[:5] * (1 - 1e-6), _random_ball(rng, 5, 3)])
    D = poincare_distances(X, Y)
    assert np.all(np.isfinite(D))
    assert D.max() > 20  # really near the boundary
    np.testing.assert_array_equal(np.diag(D)[:5], 0.0)  # Y[:5] == X[:5]
    off = ~np.eye(10, dtype=bool)
    naive = _naive_distances(X, Y)
    np.testing.assert_allclose(D[off], naive[off], rtol=1e-8)


def test_poincare_distances_very_close_points_use_stable_formula():
    rng = np.random.RandomState(2)
    X = _random_ball(rng, 8, 4, max_norm=0.9)
    step = rng.normal(size=(8, 4))
    step *= 1e-9 / np.linalg.norm(step, axis=1, keepdims=True)
    Y = X + step
    delta = np.linalg.norm(Y - X, axis=1)  # exact difference of the stored floats
    alpha = 1.0 - np.sum(X**2, axis=1)
    expected = 2.0 * delta / alpha  # first-order expansion, relative error O(delta)
    D = np.diag(poincare_distances(X, Y))
    assert np.all(D > 0)
    np.testing.assert_allclose(D, expected, rtol=1e-6)
    # the textbook arccosh(1 + z) is useless here: 1 + z rounds to 1 or close
    naive = np.diag(_naive_distances(X, Y))
    assert np.max(np.abs(naive - expected) / expected) > 1e-3


def test_poincare_distances_n_jobs_same_result():
    rng = np.random.RandomState(3)
    X = _random_ball(rng, 40, 3)
    np.testing.assert_array_equal(poincare_distances(X, n_jobs=1), poincare_distances(X, n_jobs=2))


@pytest.mark.parametrize(
    "X, Y, match",
    [
        ([[0.1, 0.0], [1.0, 0.0]], None, "row 1 of X"),
        ([[0.1, 0.0], [0.6, 0.6], [0.7, 0.8]], None, "row 2 of X"),
        ([[0.1, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, -1.5]], "row 2 of Y"),
        ([[0.999999999, 0.0]], [[1.0, 0.0]], "row 0 of Y"),
    ],
)
def test_poincare_distances_points_outside_ball_raise_naming_row(X, Y, match):
    with pytest.raises(ValueError, match=match):
        poincare_distances(X, Y)


def test_poincare_distances_mismatched_dimensions_raise():
    with pytest.raises(ValueError, match="features"):
        poincare_distances(np.zeros((3, 2)), np.zeros((4, 3)))


def test_poincare_distances_non_finite_raise():
    with pytest.raises(ValueError):
        poincare_distances([[np.nan, 0.0]])


# ------------------------------------------------------------------ ranking


@pytest.mark.parametrize("seed", range(5))
def test_ranking_scores_match_naive_reference_random(seed):
    rng = np.random.RandomState(seed)
    n_nodes, dim = rng.randint(5, 40), rng.randint(2, 6)
    embedding = _random_ball(rng, n_nodes, dim)
    relations = _random_relations(rng, n_nodes, 3 * n_nodes)
    relations = np.vstack([relations, relations[:5]])  # some duplicates
    expected = _naive_ranking(embedding, relations)
    _assert_scores_equal(ranking_scores(embedding, relations), expected)
    np.testing.assert_allclose(mean_rank(embedding, relations), expected[0], rtol=1e-12)
    np.testing.assert_allclose(
        mean_average_precision(embedding, relations), expected[1], rtol=1e-12
    )


def test_ranking_scores_perfect_and_worst_cases_by_hand():
    # child 0 at the origin; parent 1 nearest, node 2 farther, node 3 farthest
    embedding = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.5], [-0.9, 0.0]])
    assert ranking_scores(embedding, np.array([[0, 1]])) == (1.0, 1.0)
    # parent 3 is behind two non-parents: rank 3, AP 1/3
    scores = ranking_scores(embedding, np.array([[0, 3]]))
    np.testing.assert_allclose(scores, (3.0, 1 / 3), rtol=1e-14)
    # parents 1 and 3: ranks 1 and 1 + 1; AP = (1/1 + 2/3) / 2
    scores = ranking_scores(embedding, np.array([[0, 1], [0, 3]]))
    np.testing.assert_allclose(scores, (1.5, (1 + 2 / 3) / 2), rtol=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_ranking_scores_with_exact_ties(seed):
    rng = np.random.RandomState(100 + seed)
    base = _random_ball(rng, 6, 3)
    # many nodes share coordinates: node i sits at base[i % 6]
    embedding = base[np.arange(24) % 6]
    relations = _random_relations(rng, 24, 60)
    # a parent tied with non-parents: 0 -> 7, where nodes 1, 13 and 19 (not
    # parents of 0) sit too; and a parent at exactly the child's position,
    # tied with non-parents: 2 -> 8, where nodes 14 and 20 sit too
    c, p = relations[:, 0], relations[:, 1]
    relations = relations[~(((c == 0) & (p % 6 == 1)) | ((c == 2) & (p % 6 == 2)))]
    relations = np.vstack([relations, [[0, 7], [2, 8]]])
    expected = _naive_ranking(embedding, relations)
    _assert_scores_equal(ranking_scores(embedding, relations), expected)


def test_ranking_tie_between_parent_and_non_parent_by_hand():
    # nodes 1 (parent) and 2 (not a parent) at the same place, node 3 farther
    embedding = np.array([[0.0, 0.0], [0.3, 0.0], [0.3, 0.0], [0.0, 0.6]])
    scores = ranking_scores(embedding, np.array([[0, 1]]))
    # the tied non-parent is not strictly closer: rank 1; AP counts the tie as
    # sklearn does: precision 1/2 at the shared threshold
    np.testing.assert_allclose(scores, (1.0, 0.5), rtol=1e-14)
    assert average_precision_score([1, 0, 0], [-1.0, -1.0, -2.0]) == 0.5


def test_ranking_child_with_many_parents():
    rng = np.random.RandomState(7)
    n_nodes = 40
    embedding = _random_ball(rng, n_nodes, 3)
    parents = rng.choice(np.arange(1, n_nodes), size=25, replace=False)
    relations = np.stack([np.zeros(25, dtype=int), parents], axis=1)
    # another child whose parents are all the other nodes
    everyone = np.array([[5, v] for v in range(n_nodes) if v != 5])
    relations = np.vstack([relations, everyone])
    expected = _naive_ranking(embedding, relations)
    _assert_scores_equal(ranking_scores(embedding, relations), expected)
    assert ranking_scores(embedding, everyone) == (1.0, 1.0)


def test_ranking_duplicates_count_once():
    rng = np.random.RandomState(8)
    embedding = _random_ball(rng, 15, 2)
    relations = _random_relations(rng, 15, 20)
    repeated = np.vstack([relations, relations[::-1], relations[:3]])
    _assert_scores_equal(ranking_scores(embedding, repeated), ranking_scores(embedding, relations))


@pytest.mark.parametrize("seed", range(3))
def test_ranking_n_jobs_same_result(seed):
    rng = np.random.RandomState(200 + seed)
    embedding = _random_ball(rng, 120, 4)
    relations = _random_relations(rng, 120, 400)
    one = ranking_scores(embedding, relations, n_jobs=1)
    two = ranking_scores(embedding, relations, n_jobs=2)
    np.testing.assert_allclose(two, one, rtol=1e-12)
    _assert_scores_equal(one, _naive_ranking(embedding, relations))


def test_ranking_with_sorted_string_labels_matches_indices():
    rng = np.random.RandomState(11)
    n_nodes = 30
    embedding = _random_ball(rng, n_nodes, 3)
    relations = _random_relations(rng, n_nodes, 80)
    nodes = np.array([f"node{i:03d}" for i in range(n_nodes)])
    by_index = ranking_scores(embedding, relations)
    by_label = ranking_scores(embedding, nodes[relations], nodes=nodes)
    _assert_scores_equal(by_label, by_index)
    # labels given as a list of tuples of str
    as_list = [tuple(row) for row in nodes[relations].tolist()]
    _assert_scores_equal(ranking_scores(embedding, as_list, nodes=list(nodes)), by_index)


def test_ranking_with_object_labels_in_any_order_matches_indices():
    rng = np.random.RandomState(12)
    n_nodes = 30
    embedding = _random_ball(rng, n_nodes, 3)
    relations = _random_relations(rng, n_nodes, 80)
    nodes = np.empty(n_nodes, dtype=object)
    nodes[:] = [f"w{v}" for v in rng.permutation(n_nodes)]  # unsorted labels
    by_index = ranking_scores(embedding, relations)
    _assert_scores_equal(ranking_scores(embedding, nodes[relations], nodes=nodes), by_index)
    # mixed str / int labels: "3" and 3 are different nodes
    mixed = nodes.copy()
    mixed[0], mixed[1] = "3", 3
    _assert_scores_equal(ranking_scores(embedding, mixed[relations], nodes=mixed), by_index)


@pytest.mark.parametrize("kind", ["str", "int"])
def test_ranking_with_unsorted_numpy_labels_matches_indices(kind):
    rng = np.random.RandomState(13)
    n_nodes = 30
    embedding = _random_ball(rng, n_nodes, 3)
    relations = _random_relations(rng, n_nodes, 80)
    perm = rng.permutation(n_nodes)
    nodes = np.array([f"w{v}" for v in perm]) if kind == "str" else perm * 10 + 1
    by_index = ranking_scores(embedding, relations)
    _assert_scores_equal(ranking_scores(embedding, nodes[relations], nodes=nodes), by_index)


def test_ranking_accepts_list_of_int_pairs():
    embedding = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [0.6, 0.1]])
    relations = [[1, 0], [3, 1], [3, 0]]
    expected = _naive_ranking(embedding, relations)
    _assert_scores_equal(ranking_scores(embedding, relations), expected)
    _assert_scores_equal(ranking_scores(embedding, [(1, 0), (3, 1), (3, 0)]), expected)
    # node 3 is closer to 1 than its parent 0: rank 2 for (1, 0)
    np.testing.assert_allclose(expected, (4 / 3, 0.75), rtol=1e-14)


def test_ranking_list_of_non_integer_relations_without_nodes_raises():
    embedding = np.array([[0.0, 0.0], [0.5, 0.0]])
    with pytest.raises(ValueError, match="nodes"):
        ranking_scores(embedding, [(1, "0")])
    with pytest.raises(ValueError, match="nodes"):
        ranking_scores(embedding, np.array([[1.0, 0.0]]))


def test_ranking_unknown_label_raises_naming_row():
    embedding = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5]])
    nodes = np.array(["a", "b", "c"])
    with pytest.raises(ValueError, match="row 2"):
        ranking_scores(embedding, [("b", "a"), ("c", "a"), ("c", "zzz")], nodes=nodes)
    with pytest.raises(ValueError, match="row 0"):
        ranking_scores(embedding, [("new", "a"), ("c", "a")], nodes=nodes)


@pytest.mark.parametrize("bad", [3, -1, 100])
def test_ranking_out_of_range_index_raises_naming_row(bad):
    embedding = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5]])
    with pytest.raises(ValueError, match="row 1"):
        ranking_scores(embedding, np.array([[1, 0], [2, bad]]))


def test_ranking_label_relations_without_nodes_raise():
    embedding = np.array([[0.0, 0.0], [0.5, 0.0]])
    with pytest.raises(ValueError, match="nodes"):
        ranking_scores(embedding, np.array([["a", "b"]]))


def test_ranking_nodes_length_mismatch_raises():
    embedding = np.array([[0.0, 0.0], [0.5, 0.0]])
    with pytest.raises(ValueError, match="3 labels"):
        ranking_scores(embedding, [("a", "b")], nodes=["a", "b", "c"])


def test_ranking_embedding_outside_ball_raises():
    with pytest.raises(ValueError, match="row 1 of embedding"):
        ranking_scores(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[0, 1]]))


def test_ranking_bad_relation_shape_raises():
    embedding = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5]])
    with pytest.raises(ValueError, match="two columns"):
        ranking_scores(embedding, np.array([[0, 1, 2]]))


# --------------------------------------------- "ranked last" for unknown ids


def _ids(relations):
    relations = np.asarray(relations)
    return relations[:, 0].astype(np.intp), relations[:, 1].astype(np.intp)


def test_rank_relations_unknown_parent_ranked_after_every_candidate():
    rng = np.random.RandomState(21)
    n_nodes = 12
    embedding = _random_ball(rng, n_nodes, 3)
    known = np.array([[0, 3], [0, 5], [1, 2], [4, 0]])
    k = 2  # known parents of child 0
    ranks, aps = _rank_relations(embedding, *_ids(known), 1)
    rank_sum, n_rel = ranks.sum(), len(ranks)
    assert n_rel == 4
    expected_rank, expected_map = _naive_ranking(embedding, known)
    np.testing.assert_allclose(rank_sum / n_rel, expected_rank, rtol=1e-12)
    np.testing.assert_allclose(np.mean(aps), expected_map, rtol=1e-12)

    with_unknown = np.vstack([known, [[0, -1]]])
    ranks_u, aps_u = _rank_relations(embedding, *_ids(with_unknown), 1)
    rank_sum_u, n_rel_u = ranks_u.sum(), len(ranks_u)
    assert n_rel_u == 5
    np.testing.assert_allclose(rank_sum_u - rank_sum, 1 + (n_nodes - 1 - k), rtol=1e-14)
    assert len(aps_u) == len(aps) == 3
    assert np.mean(aps_u) < np.mean(aps)
    # only the AP of child 0 changes, and it is what sklearn gives when the
    # unknown parent is appended after every known candidate
    others = [v for v in range(n_nodes) if v != 0]
    d = _naive_distances(embedding[:1], embedding[others])[0]
    y = np.array([v in (3, 5) for v in others] + [True])
    score = np.append(-d, -d.max() - 1.0)
    child0 = average_precision_score(y, score)
    np.testing.assert_allclose(aps_u[0], child0, rtol=1e-12)
    np.testing.assert_allclose(aps_u[1:], aps[1:], rtol=1e-14)


def test_rank_relations_unknown_child_ranked_last():
    rng = np.random.RandomState(22)
    n_nodes = 9
    embedding = _random_ball(rng, n_nodes, 2)
    relations = np.array([[1, 0], [-1, 0], [-1, 2]])
    ranks, aps = _rank_relations(embedding, *_ids(relations), 1)
    rank_sum, n_rel = ranks.sum(), len(ranks)
    assert n_rel == 3
    rank_known, ap_known = _naive_ranking(embedding, relations[:1])
    np.testing.assert_allclose(rank_sum, rank_known + 2 * n_nodes, rtol=1e-14)
    np.testing.assert_allclose(sorted(aps), sorted([0.0, ap_known]), rtol=1e-14)


def test_rank_relations_unknown_labels_through_relation_ids():
    rng = np.random.RandomState(23)
    n_nodes = 10
    embedding = _random_ball(rng, n_nodes, 3)
    nodes = np.array([f"n{i}" for i in range(n_nodes)])
    relations = [("n1", "n0"), ("n1", "ghost"), ("n2", "n1")]
    child_ids, parent_ids, _ = _relation_ids(relations, nodes, n_nodes)
    assert child_ids.tolist() == [1, 1, 2]
    assert parent_ids.tolist() == [0, -1, 1]
    ranks, aps = _rank_relations(embedding, child_ids, parent_ids, 1)
    rank_sum = ranks.sum()
    assert len(ranks) == 3
    known = np.array([[1, 0], [2, 1]])
    rank_known, map_known = _naive_ranking(embedding, known)
    np.testing.assert_allclose(rank_sum, 2 * rank_known + 1 + (n_nodes - 1 - 1), rtol=1e-14)
    assert np.mean(aps) < map_known


def test_rank_relations_distinct_unknown_parents_each_count():
    rng = np.random.RandomState(24)
    n_nodes = 10
    embedding = _random_ball(rng, n_nodes, 3)
    nodes = np.array([f"n{i}" for i in range(n_nodes)])
    relations = [("n1", "n0"), ("n1", "ghost"), ("n1", "phantom")]
    child_ids, parent_ids, _ = _relation_ids(relations, nodes, n_nodes)
    ranks, _ = _rank_relations(embedding, child_ids, parent_ids, 1)
    rank_sum, n_rel = ranks.sum(), len(ranks)
    assert n_rel == 3
    rank_known, _ = _naive_ranking(embedding, [(1, 0)])
    np.testing.assert_allclose(rank_sum, rank_known + 2 * (1 + (n_nodes - 1 - 1)), rtol=1e-14)


def test_ranking_scores_euclidean_metric_ranks_by_euclidean_distance():
    # From u = (0.5, 0), the parent (0.9, 0) is 0.4 away in Euclidean terms
    # and node (0.5, 0.45) is 0.45 away; in Poincare distance the parent,
    # nearer the boundary, is the farther one (1.85 against 1.31).
    embedding = np.array([[0.5, 0.0], [0.9, 0.0], [0.5, 0.45]])
    relations = [[0, 1]]
    assert ranking_scores(embedding, relations, metric="euclidean").mean_rank == 1.0
    assert ranking_scores(embedding, relations).mean_rank == 2.0
    # Euclidean embeddings need not lie in the ball
    assert ranking_scores(embedding * 3, relations, metric="euclidean").mean_rank == 1.0
    with pytest.raises(ValueError, match="norm"):
        ranking_scores(embedding * 3, relations)
    with pytest.raises(ValueError, match="metric must be"):
        ranking_scores(embedding, relations, metric="cosine")


def test_nodes_given_as_a_list_keep_each_labels_type():
    """np.asarray(nodes) would turn the 1 of [1, "x", "y"] into "1"."""
    embedding = [[0.0, 0.0], [0.5, 0.0], [-0.4, 0.0]]
    nodes = [1, "x", "y"]
    as_list = ranking_scores(embedding, [(1, "x")], nodes=nodes)
    as_array = ranking_scores(embedding, [(1, "x")], nodes=np.array(nodes, dtype=object))
    assert as_list == as_array
    with pytest.raises(ValueError, match="nodes that the embedding does not have"):
        ranking_scores(embedding, [("1", "x")], nodes=nodes)
