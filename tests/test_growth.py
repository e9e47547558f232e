"""Growing a fitted hierarchy (sklpoincare._growth): merging new relations
into the fitted graph and placing new nodes, directly and through
``partial_fit`` and ``fit(warm_start=True)``."""

import pickle

import numpy as np
import pytest

from sklpoincare import PoincareEmbedder
from sklpoincare._growth import (
    _LEAF_ANGLE_SHARE,
    extend_graph,
    graph_from_adjacency,
    place_new_nodes,
)
from sklpoincare._manifolds import get_geometry
from sklpoincare._relations import check_relations
from sklpoincare.datasets import make_balanced_tree
from sklpoincare.metrics import ranking_scores


def _radius(x):
    """Hyperbolic distance from the origin, 2 artanh |x|."""
    return 2 * np.arctanh(np.linalg.norm(x, axis=-1))


def _angle(x, y):
    return np.arccos(np.clip(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)), -1, 1))


def _at(radius, angle):
    """The 2-d point of hyperbolic radius ``radius`` at ``angle`` from (1, 0)."""
    return np.tanh(radius / 2) * np.array([np.cos(angle), np.sin(angle)])


def _pairs(graph):
    return set(zip(graph.nodes[graph.children].tolist(),
                   graph.nodes[graph.parents].tolist(), graph.weights.tolist()))


# ------------------------------------------------------------------ graphs


def test_graph_from_adjacency_is_the_fitted_graph(small_tree, tiny_params):
    est = PoincareEmbedder(closure=False, **tiny_params).fit(
        small_tree, sample_weight=np.arange(1.0, len(small_tree) + 1)
    )
    graph = graph_from_adjacency(est.nodes_, est.adjacency_)
    expected, _ = check_relations(small_tree, np.arange(1.0, len(small_tree) + 1))
    assert _pairs(graph) == _pairs(expected)
    np.testing.assert_array_equal(graph.nodes, est.nodes_)
    # each node's parents, sorted, as the kernels need them
    np.testing.assert_array_equal(graph.parent_indptr, expected.parent_indptr)
    np.testing.assert_array_equal(graph.parent_indices, expected.parent_indices)
    assert graph.children.dtype == graph.parents.dtype == np.int32


def test_extend_graph_is_the_union_keeping_the_larger_weight():
    old, _ = check_relations([("b", "a"), ("c", "a")], [1.0, 2.0])
    new, _ = check_relations([("c", "a"), ("d", "b"), ("b", "a")], [5.0, 1.5, 0.5])
    union = extend_graph(old, new)
    assert union.nodes.tolist() == ["a", "b", "c", "d"]
    assert _pairs(union) == {("b", "a", 1.0), ("c", "a", 5.0), ("d", "b", 1.5)}
    assert extend_graph(old, old).nodes.tolist() == old.nodes.tolist()
    assert _pairs(extend_graph(old, old)) == _pairs(old)


def test_extend_graph_keeps_label_types():
    """Integer labels stay integers next to new string labels: 1 and "1"
    are two nodes."""
    old, _ = check_relations(np.array([[1, 0], [2, 0]]))
    new, _ = check_relations([("1", 1), ("x", 2)])
    union = extend_graph(old, new)
    assert sorted(map(repr, union.nodes.tolist())) == ["'1'", "'x'", "0", "1", "2"]
    assert ("1", 1, 1.0) in _pairs(union) and ("x", 2, 1.0) in _pairs(union)


# ---------------------------------------------------------- placing nodes


def _placement(relations, embedding, hyperbolic=True, seed=0):
    """``place_new_nodes`` on the graph of ``relations`` (labels 0..n-1) with
    the given rows of ``embedding`` placed (the others NaN); the new rows."""
    graph, _ = check_relations(np.array(relations))
    np.testing.assert_array_equal(graph.nodes, np.arange(len(embedding)))
    embedding = np.array(embedding, dtype=float)
    placed = ~np.isnan(embedding[:, 0])
    before = embedding[placed].copy()
    geometry = get_geometry("poincare" if hyperbolic else "euclidean")
    place_new_nodes(embedding, placed, graph, np.random.RandomState(seed), 1e-3, geometry)
    np.testing.assert_array_equal(embedding[placed], before)  # known rows stay
    return embedding


def test_new_nodes_go_where_the_known_children_of_their_parent_lie():
    """Node 0 has known children 0.8 and 0.4 farther out in hyperbolic
    radius, at angles 0.2 and 0.4 from its direction: a new child of 0 goes
    0.6 farther out at angle 0.3. Node 4, a new child of both 0 and 1, goes
    next to the more specific 1; node 5, a new child of the new node 3,
    follows it."""
    r0 = _radius(np.array([0.3, 0.0]))
    nan = [np.nan, np.nan]
    embedding = [[0.3, 0.0], _at(r0 + 0.8, 0.2), _at(r0 + 0.4, -0.4), nan, nan, nan]
    relations = [[1, 0], [2, 0], [3, 0], [4, 0], [4, 1], [5, 3]]
    x = _placement(relations, embedding)
    assert np.all(np.linalg.norm(x, axis=1) < 1)
    for child, parent in [(3, 0), (4, 1), (5, 3)]:
        # a parent without known children gets the averages over the graph
        assert _radius(x[child]) == pytest.approx(_radius(x[parent]) + 0.6, rel=1e-9)
    assert _angle(x[3], x[0]) == pytest.approx(0.3, rel=1e-9)
    # ... the angle at most a share of that to its nearest placed sibling
    for child, parent, siblings in [(4, 1, [2]), (5, 3, [1, 2, 4])]:
        nearest = min(_angle(x[parent], x[s]) for s in siblings)
        assert _angle(x[child], x[parent]) == pytest.approx(
            min(0.3, _LEAF_ANGLE_SHARE * nearest), rel=1e-9)
    # the turn away from the parent is random: another seed, the other side
    sides = {np.sign(np.linalg.det([x[0], _placement(relations, embedding, seed=s)[3]]))
             for s in range(6)}
    assert sides == {-1.0, 1.0}


def _turn_angles(points, axis):
    """Pairwise angles between the points' components perpendicular to ``axis``."""
    axis = axis / np.linalg.norm(axis)
    turns = points - np.outer(points @ axis, axis)
    turns /= np.linalg.norm(turns, axis=1, keepdims=True)
    angles = np.arccos(np.clip(turns @ turns.T, -1, 1))
    return angles[np.triu_indices(len(points), 1)]


@pytest.mark.parametrize("seed", range(5))
def test_new_siblings_turn_away_from_each_other_and_from_known_ones(seed):
    """In 3-d the turns of a parent's children lie on a circle: 6 new
    children of node 0 with 2 known ones take turns at least 30 degrees
    apart (the best of 32 random candidates each; independent random turns
    would crowd: 8 random points on a circle are that far apart about 1 time
    in 2,000)."""
    parent = np.array([0.5, 0.0, 0.0])
    r0 = _radius(parent)
    known = [np.tanh((r0 + 0.5) / 2) * np.array([np.cos(0.2), np.sin(0.2) * c, np.sin(0.2) * s])
             for c, s in [(1.0, 0.0), (0.0, 1.0)]]
    embedding = [parent, *known] + [[np.nan] * 3] * 6
    relations = [[child, 0] for child in range(1, 9)]
    x = _placement(relations, embedding, seed=seed)
    assert _turn_angles(x[1:], parent).min() > np.radians(30)


def test_new_roots_and_their_children_start_near_the_origin():
    x = _placement([[1, 0], [2, 3]], [[0.0, 0.5]] + [[np.nan] * 2] * 3)
    assert _radius(x[1]) == pytest.approx(_radius(x[0]) + 0.5, rel=1e-9)
    assert np.abs(x[2:]).max() <= 1e-3


@pytest.mark.parametrize("new", [[("a", "z")], [("x", "y")]], ids=["root above", "apart"])
def test_partial_fit_adds_new_roots(tiny_params, new):
    est = PoincareEmbedder(**tiny_params).fit([("b", "a"), ("c", "a")])
    est.partial_fit(new)
    assert set(est.nodes_) == {"a", "b", "c"} | {label for pair in new for label in pair}
    assert np.all(np.linalg.norm(est.embedding_, axis=1) < 1)


def test_without_known_children_new_nodes_take_the_default_step():
    x = _placement([[1, 0], [2, 1]], [[0.0, 0.5], [np.nan] * 2, [np.nan] * 2])
    assert _radius(x[1]) == pytest.approx(_radius(x[0]) + 0.5, rel=1e-9)
    assert _radius(x[2]) == pytest.approx(_radius(x[0]) + 1.0, rel=1e-9)
    assert _angle(x[1], x[0]) == pytest.approx(0.1, rel=1e-9)
    assert _angle(x[2], x[1]) == pytest.approx(0.1, rel=1e-9)


def test_euclidean_placement_steps_in_norm():
    embedding = [[2.0, 0.0], [3.0 * np.cos(0.2), 3.0 * np.sin(0.2)], [np.nan] * 2]
    x = _placement([[1, 0], [2, 0]], embedding, hyperbolic=False)
    assert np.linalg.norm(x[2]) == pytest.approx(3.0, rel=1e-12)
    assert _angle(x[2], x[0]) == pytest.approx(0.2, rel=1e-9)


def test_a_child_of_the_origin_gets_a_random_direction():
    embedding = [[0.0, 0.0, 0.0], [0.0, 0.2, 0.0], [np.nan] * 3]
    rows = [_placement([[1, 0], [2, 0]], embedding, seed=seed)[2] for seed in range(3)]
    for row in rows:
        assert _radius(row) == pytest.approx(_radius(np.array([0.0, 0.2])), rel=1e-9)
    assert len({tuple(np.round(row, 12)) for row in rows}) == 3


# ---------------------------------------------------- continued training


def _leaf_split(tree, n_new, seed=0):
    """Relations without n_new leaves, and the relations of those leaves."""
    leaves = np.setdiff1d(tree[:, 0], tree[:, 1])
    new = np.random.RandomState(seed).choice(leaves, n_new, replace=False)
    is_new = np.isin(tree[:, 0], new)
    return tree[~is_new], tree[is_new]


def test_partial_fit_learns_new_leaves_without_forgetting():
    tree = make_balanced_tree(3, 4)  # 121 nodes
    old, new = _leaf_split(tree, 10)
    est = PoincareEmbedder(5, n_epochs=100, burn_in=20, random_state=0).fit(old)
    before = est.score(old)
    assert before > 0.95
    for _ in range(20):
        est.partial_fit(new)
    assert len(est.nodes_) == 121 and est.n_iter_ == 120
    assert est.adjacency_.nnz == len(tree)
    assert est.score(old) >= before - 0.02
    assert ranking_scores(est.embedding_, new, nodes=est.nodes_).mean_rank < 1.5


def test_new_nodes_start_where_their_siblings_are():
    """Placement alone (an epoch at a negligible rate) already ranks the new
    leaves' ancestors first, keeps every new leaf farther out than its
    parent, and leaves the old relations' MAP as it was."""
    tree = make_balanced_tree(3, 4)
    old, new = _leaf_split(tree, 10)
    est = PoincareEmbedder(5, n_epochs=100, burn_in=20, random_state=0).fit(old)
    before = est.score(old)
    est.set_params(learning_rate=1e-12).partial_fit(new)
    assert ranking_scores(est.embedding_, new, nodes=est.nodes_).mean_rank < 1.5
    assert est.score(old) == pytest.approx(before, abs=0.005)
    norms = np.linalg.norm(est.embedding_, axis=1)
    for leaf in np.unique(new[:, 0]):
        ancestors = new[new[:, 0] == leaf, 1]
        assert norms[leaf] > norms[ancestors].max()


def test_partial_fit_from_scratch_equals_running_epochs(tree, fast_params):
    # from random points, so that the loss has somewhere to fall (the
    # layout starts the toy tree near its optimum)
    est = PoincareEmbedder(n_components=4, init="random", **{**fast_params, "burn_in": 2})
    for _ in range(5):
        est.partial_fit(tree)
    assert est.n_iter_ == 5 and len(est.loss_curve_) == 5
    assert np.all(np.linalg.norm(est.embedding_, axis=1) < 1)
    assert est.loss_curve_[-1] < est.loss_curve_[0]


@pytest.mark.parametrize("manifold", ["poincare", "lorentz", "euclidean"])
def test_warm_start_continues_from_the_embedding(tree, fast_params, manifold):
    params = {**fast_params, "n_components": 4, "manifold": manifold}
    est = PoincareEmbedder(**params, warm_start=True).fit(tree)
    first = est.embedding_.copy()
    est.set_params(learning_rate=1e-9).fit(tree)  # hardly moves
    np.testing.assert_allclose(est.embedding_, first, atol=1e-6)
    assert est.n_iter_ == 2 * fast_params["n_epochs"] == len(est.loss_curve_)
    cold = PoincareEmbedder(**params).fit(tree)
    cold.set_params(learning_rate=1e-9).fit(tree)  # starts afresh
    assert np.abs(cold.embedding_ - first).max() > 1e-3


def test_warm_start_with_other_dimension_is_an_error(tree, fast_params):
    est = PoincareEmbedder(n_components=4, warm_start=True, **fast_params).fit(tree)
    with pytest.raises(ValueError, match="n_components is 3 but the fitted"):
        est.set_params(n_components=3).fit(tree)


def test_partial_fit_with_new_label_types_keeps_old_rows(tree, fast_params):
    named = [(f"n{c:02d}", f"n{p:02d}") for c, p in tree]
    est = PoincareEmbedder(n_components=4, features="embedding", **fast_params).fit(named)
    old = est.transform(["n05", "n00"])
    est.set_params(learning_rate=1e-9).partial_fit([("extra", "n00")])
    assert "extra" in set(est.nodes_)
    np.testing.assert_allclose(est.transform(["n05", "n00"]), old, atol=1e-6)


@pytest.mark.parametrize("manifold", ["poincare", "lorentz", "euclidean"])
def test_partial_fit_places_a_new_leaf_beyond_its_parent(small_tree, fast_params,
                                                         manifold):
    """Placement alone (a negligible rate) puts a new leaf inside the ball,
    farther out than its parent, next to its parent and its siblings."""
    old, new = _leaf_split(small_tree, 1)
    # labels go breadth first: the direct parent is the largest ancestor
    leaf, parent = new[0, 0], new[:, 1].max()
    siblings = old[old[:, 1] == parent, 0]
    assert len(siblings) == 1
    est = PoincareEmbedder(n_components=3, manifold=manifold, **fast_params).fit(old)
    assert leaf not in set(est.nodes_)
    est.set_params(learning_rate=1e-12).partial_fit(new)
    norms = np.linalg.norm(est.embedding_, axis=1)
    if manifold != "euclidean":
        assert norms.max() < 1
    assert norms[leaf] > norms[parent]
    distances = np.linalg.norm(est.embedding_ - est.embedding_[leaf], axis=1)
    distances[leaf] = np.inf
    assert np.argmin(distances) in {parent, *siblings}


def test_partial_fit_keeps_uint64_labels_beside_int64_ones(tiny_params):
    """np.concatenate of int64 and uint64 labels gives floats: 2**63 + 5
    would become 2**63."""
    est = PoincareEmbedder(**tiny_params).fit(np.array([[1, 0], [2, 0]], dtype=np.int64))
    est.partial_fit(np.array([[2**63 + 5, 1]], dtype=np.uint64))
    assert est.nodes_.tolist() == [0, 1, 2, 2**63 + 5]
    assert est.transform([2**63 + 5]).shape[0] == 1


def test_partial_fit_checks_column_names_as_scikit_learn_does(tiny_params):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"child": ["dog", "cat"], "parent": ["mammal", "mammal"]})
    est = PoincareEmbedder(**tiny_params).fit(frame)
    with pytest.warns(UserWarning, match="X has no column names, but .* fitted with them"):
        est.partial_fit([("cow", "mammal")])
    assert est.feature_names_in_.tolist() == ["child", "parent"]
    with pytest.raises(ValueError, match=r"column names \['kid', 'parent'\] are not those"):
        est.partial_fit(frame.rename(columns={"child": "kid"}))
    assert "cow" in est.nodes_.tolist()  # the failed call left the fit as it was
    bare = PoincareEmbedder(**tiny_params).fit([("dog", "mammal")])
    with pytest.warns(UserWarning, match="X has column names, but .* fitted without them"):
        bare.partial_fit(frame)
    assert not hasattr(bare, "feature_names_in_")


def test_partial_fit_draws_on_from_the_fit_it_continues(monkeypatch, tree, tiny_params):
    """With an int random_state, a new RandomState per call would give every
    partial_fit the same shuffle and negatives."""
    from sklpoincare import _embedder

    seeds = []

    def spy(*args, seed, **kwargs):
        seeds.append(seed)
        return train_epoch(*args, seed=seed, **kwargs)

    train_epoch = _embedder.train_epoch
    monkeypatch.setattr(_embedder, "train_epoch", spy)
    est = PoincareEmbedder(**tiny_params).fit(tree)
    est.partial_fit(tree)
    copy = pickle.loads(pickle.dumps(est))
    est.partial_fit(tree)
    copy.partial_fit(tree)
    last_three = seeds[-3:]
    assert last_three[0] != last_three[1] == last_three[2]  # the copy draws on alike
    np.testing.assert_array_equal(est.embedding_, copy.embedding_)
    again = PoincareEmbedder(**tiny_params).fit(tree)
    again.partial_fit(tree)
    again.partial_fit(tree)
    np.testing.assert_array_equal(again.embedding_, est.embedding_)


def test_a_new_child_of_a_leaf_stays_inside_the_norm_bound_next_to_its_parent():
    """A leaf of the fit has no children to copy: the graph's mean step
    would carry its new child past the norm bound, where it stays, and the
    mean angle nearer the leaf's siblings than the leaf (the parent ranked
    23rd to 48th of 121)."""
    tree = make_balanced_tree(3, 4)  # nodes 40..120 are the leaves
    est = PoincareEmbedder(n_components=10, random_state=0).fit(tree)
    new = np.array([(1000 + i, 40 + 7 * i) for i in range(10)])
    est.set_params(learning_rate=1e-12).partial_fit(new)  # placement alone
    rows = np.searchsorted(est.nodes_, new[:, 0])
    bound = 2 * np.arctanh(1 - est.eps)
    parent_radius = 2 * np.arctanh(np.linalg.norm(est.embedding_[np.searchsorted(est.nodes_, new[:, 1])], axis=1))
    child_radius = 2 * np.arctanh(np.linalg.norm(est.embedding_[rows], axis=1))
    assert np.all(child_radius <= (parent_radius + bound) / 2 + 1e-6)
    assert est.score(new) == 1.0
