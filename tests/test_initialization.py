"""The starting layouts: the spanning forest and the hierarchical layout."""

import math
import numpy as np
import pytest

from _reference import poincare_distance_matrix

from sklpoincare import PoincareEmbedder
from sklpoincare import hierarchy
from sklpoincare import _initialization
from sklpoincare._initialization import (
    LEAF_MARGIN,
    LEAF_RADIUS,
    RADIAL_ORDER_MARGIN,
    _spherical_code,
    best_hierarchical_embedding,
    hierarchical_embedding,
    leaf_radius,
    order_radii,
    spread_turns,
)
from sklpoincare.hierarchy import (
    ancestor_closure,
    direct_parents,
    spanning_forest,
    transitive_closure,
)
from sklpoincare._relations import check_relations
from sklpoincare.datasets import load_mammals, make_balanced_tree, make_random_taxonomy


MAX_NORM = 1 - 1e-8  # the estimator's default bound


def _graph(relations):
    graph, _ = check_relations(np.asarray(relations, dtype=object))
    return graph


def _ids(graph, labels):
    index = {label: i for i, label in enumerate(graph.nodes)}
    return [index[label] for label in labels]


def _tree_parent_labels(graph, ancestors=None):
    tree_parent = spanning_forest(graph, ancestors)
    return {
        graph.nodes[u]: (graph.nodes[p] if p >= 0 else None)
        for u, p in enumerate(tree_parent)
    }


def _hyperbolic_radius(points):
    return 2 * np.arctanh(np.linalg.norm(points, axis=1))


def _angle(x, y):
    # from the chord between the unit vectors: exact near 0, where arccos
    # of a cosine resolves no angle below about 1.5e-8
    chord = np.linalg.norm(x / np.linalg.norm(x) - y / np.linalg.norm(y))
    return 2.0 * np.arcsin(min(chord / 2.0, 1.0))


# a closure: a -> b -> c -> d, and e under b
CLOSURE = [
    ("b", "a"), ("c", "a"), ("d", "a"), ("e", "a"),
    ("c", "b"), ("d", "b"), ("e", "b"),
    ("d", "c"),
]


def test_spanning_forest_of_a_closure_uses_direct_parents():
    parents = _tree_parent_labels(_graph(CLOSURE))
    assert parents == {"a": None, "b": "a", "c": "b", "d": "c", "e": "b"}


def test_spanning_forest_of_a_reduction_is_the_tree_itself():
    reduction = [("b", "a"), ("c", "b"), ("d", "c"), ("e", "b")]
    parents = _tree_parent_labels(_graph(reduction))
    assert parents == {"a": None, "b": "a", "c": "b", "d": "c", "e": "b"}


@pytest.mark.parametrize(
    "relations",
    [
        [("a", "b"), ("b", "c"), ("c", "a")],  # one cycle
        [("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"), ("e", "a")],  # symmetric
        [("b", "a"), ("c", "b"), ("b", "c"), ("d", "c")],  # a cycle below a root
        # four long: the pointer jumps stand still on it after two rounds
        [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("e", "a")],
    ],
)
def test_spanning_forest_cuts_cycles(relations):
    graph = _graph(relations)
    tree_parent = spanning_forest(graph)
    assert (tree_parent >= 0).sum() < graph.n_nodes  # at least one root
    for start in range(graph.n_nodes):  # every chain of parents ends at a root
        node, steps = start, 0
        while tree_parent[node] >= 0:
            node, steps = tree_parent[node], steps + 1
            assert steps <= graph.n_nodes
    assert np.all(tree_parent != np.arange(graph.n_nodes))


def test_direct_parents_drop_ancestors_reached_through_another_parent():
    # x has parents y and z (different branches) and, through them, r
    relations = [("y", "r"), ("z", "r"), ("x", "y"), ("x", "z"), ("x", "r")]
    graph = _graph(relations)
    direct = direct_parents(graph, spanning_forest(graph))
    x, y, z = _ids(graph, ["x", "y", "z"])
    assert sorted(direct[x].indices) == sorted([y, z])


@pytest.mark.parametrize("with_closure", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_direct_parents_of_a_closure_match_brute_force(seed, with_closure):
    # the transitive closure of a random DAG where many nodes have 2-3 parents
    rng = np.random.RandomState(seed)
    n = 60
    ancestors = [set() for _ in range(n)]
    for u in range(1, n):
        for p in rng.choice(u, size=min(u, rng.randint(1, 4)), replace=False):
            ancestors[u] |= {p} | ancestors[p]
    relations = [(f"n{u}", f"n{p}") for u in range(n) for p in ancestors[u]]
    graph = _graph(relations)
    ancestors = ancestor_closure(graph) if with_closure else None
    tree_parent = spanning_forest(graph, ancestors)
    direct = direct_parents(graph, tree_parent, ancestors).toarray() > 0
    parents = np.zeros((n, n), dtype=bool)
    parents[graph.children, graph.parents] = True
    # p is direct for u when no other parent of u has p as a parent
    expected = parents & ~((parents.astype(int) @ parents.astype(int)) > 0)
    np.testing.assert_array_equal(direct, expected)
    assert expected.sum(axis=1).max() > 1  # the case that matters occurs


def _random_dag_ancestors(rng, n=60):
    """Ancestor sets of a random DAG where many nodes have 2-3 parents."""
    ancestors = [set() for _ in range(n)]
    for u in range(1, n):
        for p in rng.choice(u, size=min(u, rng.randint(1, 4)), replace=False):
            ancestors[u] |= {p} | ancestors[p]
    return ancestors


def _closure_relations(ancestors, missing=0.0, rng=None):
    """The closure as labelled relations, less a share of its implied ones."""
    relations = []
    for u, above in enumerate(ancestors):
        for p in sorted(above):
            implied = any(p in ancestors[q] for q in above)
            if implied and missing and rng.uniform() < missing:
                continue
            relations.append((f"n{u:02d}", f"n{p:02d}"))
    return relations


@pytest.mark.parametrize("seed", range(3))
def test_ancestor_closure_matches_brute_force(seed):
    rng = np.random.RandomState(seed)
    ancestors = _random_dag_ancestors(rng)
    # the closure of a closure with 30 % of its implied relations missing
    graph = _graph(_closure_relations(ancestors, 0.3, rng))
    closure = ancestor_closure(graph).toarray() > 0
    expected = np.zeros_like(closure)
    index = {label: i for i, label in enumerate(graph.nodes)}
    for u, above in enumerate(ancestors):
        for p in above:
            expected[index[f"n{u:02d}"], index[f"n{p:02d}"]] = True
    np.testing.assert_array_equal(closure, expected)


def test_ancestor_closure_of_a_cycle_leaves_out_the_node_itself():
    graph = _graph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")])
    closure = ancestor_closure(graph).toarray() > 0
    a, b, c, d = _ids(graph, ["a", "b", "c", "d"])
    assert not closure.diagonal().any()
    assert closure[a, [b, c]].all() and closure[d, [a, b, c]].all()
    assert not closure[a, d]


def test_ancestor_closure_gives_up_past_its_limit():
    chain = [(f"n{i + 1:03d}", f"n{i:03d}") for i in range(100)]  # a reduction
    graph = _graph(chain)
    # each pair of the closure beyond the 100 relations takes one step
    n_steps = 100 * 101 // 2 - 100
    assert ancestor_closure(graph, max_steps=n_steps).nnz == 100 * 101 // 2
    assert ancestor_closure(graph, max_steps=n_steps - 1) is None
    # past the limit the relations are taken as they are, exact for a reduction
    assert list(spanning_forest(graph, None)[1:]) == list(range(100))


@pytest.mark.parametrize("transitive_closure", [False, True])
def test_layout_without_the_closure_is_the_same_on_complete_relations(
    transitive_closure, monkeypatch
):
    # Past the step limit the relations are taken as they are, which is
    # exact for a transitive reduction and for a complete closure.
    graph = _graph(make_balanced_tree(3, 3, transitive_closure=transitive_closure))
    with_closure = hierarchical_embedding(graph, 5, np.random.RandomState(0), MAX_NORM)
    monkeypatch.setattr(hierarchy, "CLOSURE_STEPS_PER_RELATION", 0)
    monkeypatch.setattr(hierarchy, "CLOSURE_STEP_ALLOWANCE", 0)
    assert ancestor_closure(graph) is None
    without = hierarchical_embedding(graph, 5, np.random.RandomState(0), MAX_NORM)
    np.testing.assert_array_equal(with_closure, without)


def test_closure_with_missing_relations_has_the_same_tree_and_direct_parents():
    # m has the single child s, which has the children x and y. With (x, m)
    # missing, m has as many children as s in the relations, but more
    # descendants; and (y, r) is implied through s even with (s, r) missing.
    full = [("m", "r"), ("s", "r"), ("x", "r"), ("y", "r"), ("s", "m"),
            ("x", "m"), ("y", "m"), ("x", "s"), ("y", "s")]
    holes = [pair for pair in full if pair not in {("x", "m"), ("s", "r")}]
    expected = {"r": None, "m": "r", "s": "m", "x": "s", "y": "s"}
    for relations in (full, holes):
        graph = _graph(relations)
        ancestors = ancestor_closure(graph)
        tree_parent = spanning_forest(graph, ancestors)
        labels = {graph.nodes[u]: (graph.nodes[p] if p >= 0 else None)
                  for u, p in enumerate(tree_parent)}
        assert labels == expected
        direct = direct_parents(graph, tree_parent, ancestors)
        assert direct.sum(axis=1).max() == 1  # nothing looks like a second parent


@pytest.mark.parametrize("seed", range(3))
def test_layout_ignores_missing_implied_relations(seed):
    # Held-out relations implied by the others (as in link prediction) must
    # not move the start: the layout reads the hierarchy off the closure.
    rng = np.random.RandomState(seed)
    ancestors = _random_dag_ancestors(rng)
    full = _graph(_closure_relations(ancestors))
    holes = _graph(_closure_relations(ancestors, 0.3, rng))
    assert len(holes.children) < 0.9 * len(full.children)
    np.testing.assert_array_equal(full.nodes, holes.nodes)
    layouts = [hierarchical_embedding(graph, 6, np.random.RandomState(0), MAX_NORM)
               for graph in (full, holes)]
    np.testing.assert_array_equal(*layouts)


def _mean_rank_by_hand(points, children, parents):
    """Each relation's rank among the child's non-parents, by distance."""
    distances = poincare_distance_matrix(points, points)
    ranks = []
    for u, v in zip(children, parents):
        others = np.ones(len(points), dtype=bool)
        others[u] = False
        others[parents[children == u]] = False
        ranks.append(1 + np.sum(distances[u, others] < distances[u, v]))
    return np.mean(ranks)


def test_best_of_one_layout_is_the_layout_and_draws_nothing_more():
    graph = _graph(load_mammals().data)
    rng = np.random.RandomState(0)
    best = best_hierarchical_embedding(graph, 5, rng, MAX_NORM, 1, 1)
    reference = np.random.RandomState(0)
    np.testing.assert_array_equal(best, hierarchical_embedding(graph, 5, reference, MAX_NORM))
    assert rng.randint(1 << 30) == reference.randint(1 << 30)


@pytest.mark.parametrize("n_scored", [150, 5000])
def test_best_of_several_layouts_ranks_the_sampled_children_best(n_scored, monkeypatch):
    # A taxonomy whose nodes have two parents, so that layouts differ in more
    # than a rotation; the scored children are a sample (150) or all (5000).
    monkeypatch.setattr(_initialization, "LAYOUT_SCORE_CHILDREN", n_scored)
    graph = _graph(make_random_taxonomy(300, second_parent_share=0.2, random_state=0))
    rng = np.random.RandomState(3)
    scored = rng.choice(graph.n_nodes, min(n_scored, graph.n_nodes), replace=False)
    kept = np.isin(graph.children, scored)
    children, parents = graph.children[kept], graph.parents[kept]
    layouts = [hierarchical_embedding(graph, 4, rng, MAX_NORM) for _ in range(4)]
    scores = [_mean_rank_by_hand(layout, children, parents) for layout in layouts]
    assert scores.count(min(scores)) == 1  # one draw is best, so a wrong pick fails
    best = best_hierarchical_embedding(graph, 4, np.random.RandomState(3), MAX_NORM, 4, 1)
    np.testing.assert_array_equal(best, layouts[int(np.argmin(scores))])


@pytest.mark.parametrize(
    "scores, kept",
    [
        ([np.nan, np.nan, np.nan], 0),  # none scored: the first, as with one draw
        ([None, None], 0),  # no relations to rank
        ([np.nan, 5.0, 3.0, np.nan], 2),
        ([np.nan, 4.0, np.nan, 2.0], 3),
        ([4.0, np.nan, 4.0], 0),  # a tie keeps the first; a NaN never wins
        ([3.0, 2.0, np.nan], 1),
    ],
)
def test_best_of_several_layouts_ranks_unscored_draws_last(scores, kept, monkeypatch):
    # A draw whose mean rank is NaN (or that has no relations to rank) must
    # neither win over a scored draw nor leave no draw kept.
    drawn = []

    def rank_relations(points, children, parents, n_threads):
        score = scores[len(drawn)]
        drawn.append(points)
        return (np.empty(0) if score is None else np.array([score])), None

    monkeypatch.setattr(_initialization, "_rank_relations", rank_relations)
    graph = _graph(make_random_taxonomy(60, second_parent_share=0.2, random_state=0))
    best = best_hierarchical_embedding(
        graph, 4, np.random.RandomState(0), MAX_NORM, len(scores), 1
    )
    assert len(drawn) == len(scores)
    assert not np.array_equal(drawn[0], drawn[1])  # the draws differ
    np.testing.assert_array_equal(best, drawn[kept])


@pytest.mark.parametrize("manifold", ["poincare", "lorentz"])
def test_n_init_fits_a_graph_left_without_relations_once_its_cycles_are_broken(manifold):
    # Each link both ways: with closure=False the cycles are broken, no
    # relation is left to score the layouts on, and the first one is kept.
    relations = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")]
    params = dict(
        closure=False, init="hierarchy", manifold=manifold, n_components=3, n_epochs=2,
        random_state=0, n_jobs=1,
    )
    embedding = PoincareEmbedder(n_init=2, **params).fit(relations).embedding_
    assert embedding.shape == (3, 3)
    assert np.all(np.isfinite(embedding))
    assert np.all(np.linalg.norm(embedding, axis=1) < 1)


def test_n_init_fits_are_reproducible_and_start_from_another_layout():
    relations = make_random_taxonomy(200, second_parent_share=0.2, random_state=1)
    params = dict(n_components=4, n_epochs=2, random_state=0, n_jobs=1)
    first = PoincareEmbedder(n_init=4, **params).fit(relations).embedding_
    again = PoincareEmbedder(n_init=4, **params).fit(relations).embedding_
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, PoincareEmbedder(n_init=1, **params).fit(relations).embedding_)


def test_layout_of_a_tree():
    relations = make_balanced_tree(3, 4)  # a closure with 121 nodes
    graph = _graph(relations)
    embedding = hierarchical_embedding(graph, 6, np.random.RandomState(0), MAX_NORM)
    assert np.all(np.linalg.norm(embedding, axis=1) < 1)

    tree_parent = spanning_forest(graph)
    radius = _hyperbolic_radius(embedding)
    is_root = tree_parent < 0
    assert is_root.sum() == 1
    assert radius[is_root][0] == 0  # the single root at the origin
    n_children = np.bincount(graph.parents, minlength=graph.n_nodes)
    leaves = n_children == 0
    np.testing.assert_allclose(radius[leaves], leaf_radius(MAX_NORM))
    # more general nodes sit closer to the origin
    for u, p in enumerate(tree_parent):
        if p >= 0:
            assert radius[p] < radius[u]
    # each child is turned from its parent by the width of the parent's cone
    for u, p in enumerate(tree_parent):
        if p >= 0 and radius[p] > 0:
            angle = _angle(embedding[u], embedding[p])
            assert angle == pytest.approx(np.exp(-radius[p] / 2), rel=1e-9)


def _smallest_angle(directions):
    unit = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    cosines = unit @ unit.T
    np.fill_diagonal(cosines, -1.0)
    return np.degrees(np.arccos(np.clip(cosines.max(), -1.0, 1.0)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_siblings_start_spread_evenly_around_their_parent(seed):
    # p has 8 children; in 5 dimensions they are turned from p's direction
    # towards 8 points of the 3-sphere perpendicular to it. Spread, those are
    # at least ~90 degrees apart (8 is the cross-polytope's count); drawn at
    # random, two of them usually come within 30-50 degrees.
    relations = [(f"c{i}", "p") for i in range(8)] + [("p", "r"), ("q", "r")]
    graph = _graph(relations)
    embedding = hierarchical_embedding(graph, 5, np.random.RandomState(seed), MAX_NORM)
    p = embedding[_ids(graph, ["p"])[0]]
    children = embedding[_ids(graph, [f"c{i}" for i in range(8)])]
    radial = p / np.linalg.norm(p)
    turns = children - np.outer(children @ radial, radial)
    assert _smallest_angle(turns) > 85


def test_children_of_a_root_at_the_origin_spread_over_the_whole_sphere():
    # six children of the single root, in 3 dimensions: an octahedron
    relations = [(f"c{i}", "r") for i in range(6)]
    graph = _graph(relations)
    embedding = hierarchical_embedding(graph, 3, np.random.RandomState(0), MAX_NORM)
    assert np.linalg.norm(embedding[_ids(graph, ["r"])[0]]) == 0
    assert _smallest_angle(embedding[_ids(graph, [f"c{i}" for i in range(6)])]) > 85


@pytest.mark.parametrize("m", [2, 3, 4, 9])
def test_spherical_code_of_m_plus_one_points_is_the_regular_simplex(m):
    code = _spherical_code(m + 1, m)
    np.testing.assert_allclose(np.linalg.norm(code, axis=1), 1.0)
    # the m + 1 vertices of a regular simplex, all at arccos(-1 / m)
    assert _smallest_angle(code) == pytest.approx(np.degrees(np.arccos(-1 / m)), abs=1.0)


def test_spread_turns_are_unit_and_perpendicular_to_their_parent(monkeypatch):
    rng = np.random.default_rng(0)
    parent_points = rng.standard_normal((3, 6)) * 0.1
    parents = np.repeat([0, 1, 2], [1, 4, 7])
    for limit in (_initialization.MAX_SPREAD_SIBLINGS, 3):  # 3: the random fallback
        monkeypatch.setattr(_initialization, "MAX_SPREAD_SIBLINGS", limit)
        turns = spread_turns(parent_points[parents], parents, np.random.default_rng(1))
        np.testing.assert_allclose(np.linalg.norm(turns, axis=1), 1.0)
        np.testing.assert_allclose(np.einsum("ij,ij->i", turns, parent_points[parents]), 0.0,
                                   atol=1e-12)


@pytest.mark.parametrize("eps", [1e-5, 1e-8, 1e-12])
def test_leaves_start_at_their_radius_inside_the_norm_bound(eps, small_tree):
    max_radius = 2 * np.arctanh(1 - eps)
    expected = min(LEAF_RADIUS, max_radius - LEAF_MARGIN)
    assert leaf_radius(1 - eps) == pytest.approx(expected)
    graph = _graph(small_tree)
    radius = _hyperbolic_radius(
        hierarchical_embedding(graph, 5, np.random.RandomState(0), 1 - eps))
    assert radius.max() == pytest.approx(expected, rel=1e-6)
    assert radius.max() < max_radius


def test_leaves_keep_room_under_a_loose_bound():
    # with eps=0.5 the bound (radius 1.1) is inside the margin
    assert leaf_radius(0.5) == pytest.approx(np.arctanh(0.5))


def test_node_with_two_direct_parents_starts_in_its_tree_parents_cone():
    # x has the parents y and z; y has fewer descendants, so it is x's
    # parent in the spanning forest and x starts inside y's cone
    relations = [
        ("y", "r"), ("z", "r"), ("x", "y"), ("x", "z"), ("x", "r"),
        ("z1", "z"), ("z1", "r"), ("z2", "z"), ("z2", "r"),
    ]
    graph = _graph(relations)
    assert spanning_forest(graph)[_ids(graph, ["x"])[0]] == _ids(graph, ["y"])[0]
    embedding = hierarchical_embedding(graph, 8, np.random.RandomState(1), MAX_NORM)
    x, y, z = (embedding[i] for i in _ids(graph, ["x", "y", "z"]))
    r_y = 2 * np.arctanh(np.linalg.norm(y))
    assert _angle(x, y) == pytest.approx(np.exp(-r_y / 2))
    assert _angle(x, y) < _angle(x, z)


def test_tree_parent_is_the_deepest_direct_parent():
    # x has the parents y (under the root) and b (two levels down). y has
    # fewer descendants, but b has more ancestors: under b, only y is off
    # x's path up the forest; under y, a and b would be.
    relations = [
        ("a", "r"), ("b", "a"), ("b", "r"), ("y", "r"),
        ("x", "y"), ("x", "b"), ("x", "a"), ("x", "r"),
        ("b1", "b"), ("b1", "a"), ("b1", "r"),
    ]
    graph = _graph(relations)
    for ancestors in (None, ancestor_closure(graph)):
        parents = _tree_parent_labels(graph, ancestors)
        assert parents["x"] == "b"
        assert parents["b"] == "a"


def test_radius_counts_the_descendants_that_hang_from_another_parent():
    # x has the parents b (deepest: its tree parent) and o. In the forest o
    # is a leaf, but it is above x, so it starts where a node above one
    # other node starts (as b does), not at the leaves' radius.
    relations = [
        ("a", "r"), ("b", "a"), ("b", "r"), ("o", "r"),
        ("x", "b"), ("x", "a"), ("x", "r"), ("x", "o"),
    ]
    graph = _graph(relations)
    for ancestors in (None, ancestor_closure(graph)):
        assert _tree_parent_labels(graph, ancestors)["x"] == "b"
        embedding = hierarchical_embedding(
            graph, 4, np.random.RandomState(0), MAX_NORM, ancestors
        )
        radius = dict(zip(graph.nodes, _hyperbolic_radius(embedding)))
        above_one = leaf_radius(MAX_NORM) * np.log(5 / 2) / np.log(5)
        assert radius["o"] == pytest.approx(above_one, rel=1e-9)
        assert radius["b"] == pytest.approx(above_one, rel=1e-9)
        assert radius["x"] == pytest.approx(leaf_radius(MAX_NORM), rel=1e-9)


def test_layout_is_reproducible():
    graph = _graph(make_balanced_tree(2, 5))
    first = hierarchical_embedding(graph, 5, np.random.RandomState(3), MAX_NORM)
    again = hierarchical_embedding(graph, 5, np.random.RandomState(3), MAX_NORM)
    other = hierarchical_embedding(graph, 5, np.random.RandomState(4), MAX_NORM)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_layout_alone_ranks_a_tree_well():
    # With almost no training, the result is the layout: the ranking must
    # already be good (a random start gives MAP near 0 on this tree).
    relations = make_balanced_tree(4, 4)
    kw = dict(n_components=5, n_epochs=1, learning_rate=1e-6, random_state=0)
    layout = PoincareEmbedder(init="hierarchy", **kw).fit(relations)
    scattered = PoincareEmbedder(init="random", burn_in=0, **kw).fit(relations)
    assert layout.score(relations) > 0.9
    assert scattered.score(relations) < 0.5


@pytest.mark.parametrize(
    "n_components, from_hierarchy", [(1, False), (2, True), (3, True), (4, True), (10, True)]
)
def test_auto_init_lays_out_the_hierarchy_except_in_1_dimension(
    n_components, from_hierarchy
):
    relations = make_balanced_tree(4, 4)
    auto = PoincareEmbedder(
        n_components=n_components, n_epochs=1, learning_rate=1e-6, burn_in=0,
        random_state=0,
    ).fit(relations)
    init = "hierarchy" if from_hierarchy else "random"
    explicit = PoincareEmbedder(
        n_components=n_components, n_epochs=1, learning_rate=1e-6, burn_in=0,
        random_state=0, init=init,
    ).fit(relations)
    np.testing.assert_array_equal(auto.embedding_, explicit.embedding_)


def test_hierarchy_start_skips_burn_in(tree):
    fitted = PoincareEmbedder(
        n_components=5, init="hierarchy", n_epochs=3, burn_in=2, random_state=0
    ).fit(tree)
    no_burn_in = PoincareEmbedder(
        n_components=5, init="hierarchy", n_epochs=3, burn_in=0, random_state=0
    ).fit(tree)
    np.testing.assert_array_equal(fitted.embedding_, no_burn_in.embedding_)


@pytest.mark.parametrize("manifold", ["poincare", "lorentz", "euclidean"])
def test_hierarchy_start_with_cycles_in_every_model(manifold):
    relations = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("e", "d")]
    fitted = PoincareEmbedder(
        n_components=5,
        init="hierarchy",
        manifold=manifold,
        n_epochs=5,
        closure=False,
        random_state=0,
    ).fit(relations)
    assert np.all(np.isfinite(fitted.embedding_))
    if manifold != "euclidean":
        assert np.all(np.linalg.norm(fitted.embedding_, axis=1) < 1)


# ---------------------------------------------------------- order of radii

GENSIM_EXAMPLE = [
    ("kangaroo", "marsupial"), ("marsupial", "mammal"), ("cat", "mammal"),
    ("gib", "cat"), ("cat", "pet"),
]


def _order_violations(embedder, relations):
    """Relations whose child is not farther out than its parent; a child of
    a parent at the norm bound may be level with it (order_radii's cap)."""
    norm = dict(zip(embedder.nodes_.tolist(), np.linalg.norm(embedder.embedding_, axis=1)))
    bound = 1.0 - embedder.eps
    return [
        (c, p) for c, p in relations
        if not (norm[p] < norm[c] or norm[p] == norm[c] >= bound * (1 - 1e-15))
    ]


@pytest.mark.parametrize("n_components", [2, 5, 10])
@pytest.mark.parametrize("seed", range(5))
def test_tiny_hierarchy_comes_out_in_order(n_components, seed):
    """Each parent nearer the origin than its children, the roots nearest."""
    fitted = PoincareEmbedder(n_components=n_components, random_state=seed)
    fitted.fit(GENSIM_EXAMPLE)
    assert _order_violations(fitted, GENSIM_EXAMPLE) == []


@pytest.mark.parametrize("n_components", [2, 5, 10])
@pytest.mark.parametrize("seed", range(5))
def test_mammals_come_out_in_order(n_components, seed):
    # the order is enforced after training, whatever its length
    direct = load_mammals(closure=False).data
    fitted = PoincareEmbedder(n_components=n_components, n_epochs=20, burn_in=5,
                              random_state=seed).fit(direct)
    assert _order_violations(fitted, direct.tolist()) == []
    norms = np.linalg.norm(fitted.embedding_, axis=1)
    assert fitted.nodes_[np.argmin(norms)] == "mammal.n.01"


def test_order_radii_moves_only_the_nodes_out_of_order():
    graph = _graph([("b", "a"), ("c", "b"), ("d", "b")])
    ids = {label: i for i, label in enumerate(graph.nodes)}
    points = np.zeros((4, 2))
    points[ids["a"]] = [0.5, 0.0]
    points[ids["b"]] = [0.0, 0.3]  # nearer than its parent a
    points[ids["c"]] = [0.0, -0.9]
    points[ids["d"]] = [0.0, 0.0]  # at the origin: takes b's direction
    before = points.copy()
    assert order_radii(points, graph, MAX_NORM) == 2
    radius = 2 * np.arctanh(np.linalg.norm(points, axis=1))
    assert radius[ids["b"]] == pytest.approx(2 * np.arctanh(0.5) + RADIAL_ORDER_MARGIN)
    assert radius[ids["d"]] == pytest.approx(radius[ids["b"]] + RADIAL_ORDER_MARGIN)
    np.testing.assert_allclose(points[ids["b"]] / np.linalg.norm(points[ids["b"]]), [0, 1])
    np.testing.assert_allclose(points[ids["d"]] / np.linalg.norm(points[ids["d"]]), [0, 1])
    for label in ("a", "c"):
        np.testing.assert_array_equal(points[ids[label]], before[ids[label]])


def test_order_radii_stops_at_the_norm_bound_and_skips_cycles():
    graph = _graph([("b", "a")])
    points = np.array([[MAX_NORM, 0.0], [0.0, 0.5]])  # a at the bound
    order_radii(points, graph, MAX_NORM)
    assert np.linalg.norm(points[1]) == pytest.approx(MAX_NORM, rel=1e-12)
    cycle = _graph([("b", "a"), ("a", "b")])
    points = np.array([[0.5, 0.0], [0.0, 0.1]])
    assert order_radii(points, cycle, MAX_NORM) == 0
    np.testing.assert_array_equal(points, [[0.5, 0.0], [0.0, 0.1]])


def test_the_plane_layout_shares_each_wedge_among_children_by_size():
    from sklpoincare.hierarchy import forest_levels, subtree_sizes
    from sklpoincare._initialization import wedge_angles

    # two roots (0: subtree of 5, 5: subtree of 3); 0 -> 1, 2; 1 -> 3, 4; 5 -> 6, 7
    tree_parent = np.array([-1, 0, 0, 1, 1, -1, 5, 5])
    levels = forest_levels(tree_parent)
    sizes = subtree_sizes(tree_parent, levels)
    angles = wedge_angles(tree_parent, levels, sizes, np.random.RandomState(0))
    offset = angles[0] - 2 * np.pi * 5 / 8 / 2  # the random start of the circle
    turn = 2 * np.pi
    # roots: wedges of 5/8 and 3/8 of the circle, each at its middle
    np.testing.assert_allclose(angles[[0, 5]] - offset, [turn * 5 / 16, turn * (5 / 8 + 3 / 16)])
    # 0's wedge [0, 5/8) goes to 1 (3 nodes) and 2 (1 node): 3/4 and 1/4 of it
    np.testing.assert_allclose(angles[[1, 2]] - offset, turn * 5 / 8 * np.array([3 / 8, 7 / 8]))
    # 1's wedge [0, 15/32) is halved between its leaves 3 and 4
    np.testing.assert_allclose(angles[[3, 4]] - offset, turn * 15 / 32 * np.array([1 / 4, 3 / 4]))
    np.testing.assert_allclose(angles[[6, 7]] - offset, turn * (5 / 8 + 3 / 8 * np.array([1 / 4, 3 / 4])))


def test_two_dimensional_layout_puts_subtrees_side_by_side():
    relations = make_balanced_tree(3, 3)  # root 0, children 1, 2, 3
    layout = PoincareEmbedder(
        n_components=2, n_epochs=1, learning_rate=1e-9, random_state=0
    ).fit(relations)
    point = dict(zip(layout.nodes_, layout.embedding_))
    norm = {node: np.linalg.norm(x) for node, x in point.items()}
    assert all(norm[c] > norm[p] for c, p in relations)
    # each child of the root holds a third of the circle: its subtree lies
    # within pi / 3 of its direction, so the three never interleave
    for top in (1, 2, 3):
        for member in [c for c, p in relations if p == top]:
            cosine = point[member] @ point[top] / (norm[member] * norm[top])
            assert np.arccos(np.clip(cosine, -1, 1)) < np.pi / 3
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("with_closure", [False, True])
def test_spanning_forest_picks_the_heaviest_parent_then_fewest_below_then_smallest_id(
    seed, with_closure
):
    # many ties, and nodes without parents
    rng = np.random.RandomState(seed)
    pairs = rng.randint(25, size=(60, 2))
    pairs = np.unique(np.sort(pairs[pairs[:, 0] != pairs[:, 1]], axis=1)[:, ::-1], axis=0)
    graph, _ = check_relations(pairs)
    ancestors = ancestor_closure(graph) if with_closure else None
    above = graph.parent_matrix(weighted=False) if ancestors is None else ancestors
    n_below = np.bincount(above.indices, minlength=graph.n_nodes)

    def mass(p):  # p and its ancestors, each weighing size ** -exponent
        own = [p, *above.indices[above.indptr[p] : above.indptr[p + 1]]]
        return math.fsum((1.0 + n_below[v]) ** -hierarchy.ANCESTOR_WEIGHT_EXPONENT for v in own)

    expected = np.full(graph.n_nodes, -1)
    for u in range(graph.n_nodes):
        own = graph.parent_indices[graph.parent_indptr[u] : graph.parent_indptr[u + 1]]
        if len(own):
            expected[u] = min(own, key=lambda p: (-round(mass(p), 9), n_below[p], p))
    np.testing.assert_array_equal(spanning_forest(graph, ancestors), expected)


def test_spanning_forest_leaves_general_ancestors_off_the_path():
    # u has two direct parents: a, below two general nodes (each above many
    # leaves), and b, below one specific node. Through a, u would leave b and
    # s off its path; through b, the general g1 and g2 (and a). The count of
    # ancestors prefers a (3 against 2), their weight b.
    relations = [("g1", "r"), ("g2", "g1"), ("a", "g2"), ("s", "r"), ("b", "s"),
                 ("u", "a"), ("u", "b")]
    relations += [(f"leaf{i}", "a") for i in range(100)]
    graph, _ = check_relations(transitive_closure(relations))
    tree_parent = spanning_forest(graph, ancestor_closure(graph))
    assert graph.nodes[tree_parent[list(graph.nodes).index("u")]] == "b"


def _random_forest(seed, n_nodes=60, n_roots=3):
    rng = np.random.RandomState(seed)
    return np.array([-1 if u < n_roots else rng.randint(u) for u in range(n_nodes)])


def _forest_path(tree_parent, u):
    path = [u]
    while tree_parent[path[-1]] >= 0:
        path.append(tree_parent[path[-1]])
    return path


@pytest.mark.parametrize("seed", range(3))
def test_preorder_positions_give_each_subtree_a_range_of_its_own(seed):
    from sklpoincare.hierarchy import forest_levels, level_ancestors, preorder_positions, subtree_sizes

    tree_parent = _random_forest(seed)
    levels = forest_levels(tree_parent)
    sizes = subtree_sizes(tree_parent, levels).astype(np.int64)
    positions = preorder_positions(tree_parent, levels, sizes)
    n_nodes = len(tree_parent)
    assert sorted(positions) == list(range(n_nodes))
    for u in range(n_nodes):
        path = _forest_path(tree_parent, u)
        in_range = (positions <= positions[u]) & (positions[u] < positions + sizes)
        assert set(np.flatnonzero(in_range)) == set(path)
    for depth, level in enumerate(levels):
        assert np.all(np.diff(positions[level]) > 0)
        below = np.concatenate(levels[depth:])
        expected = [_forest_path(tree_parent, u)[-1 - depth] for u in below]
        np.testing.assert_array_equal(level_ancestors(below, level, positions), expected)


@pytest.mark.parametrize("seed", range(3))
def test_off_path_pairs_are_the_closure_pairs_off_the_forest_paths(seed):
    from sklpoincare.hierarchy import (
        forest_levels, off_path_pairs, preorder_positions, subtree_sizes,
    )
    from sklpoincare.datasets import make_random_taxonomy

    edges = make_random_taxonomy(300, second_parent_share=0.2, random_state=seed)
    graph = _graph(edges)
    ancestors = ancestor_closure(graph)
    tree_parent = spanning_forest(graph, ancestors)
    levels = forest_levels(tree_parent)
    sizes = subtree_sizes(tree_parent, levels)
    below, above = off_path_pairs(ancestors, preorder_positions(tree_parent, levels, sizes), sizes)
    expected = {
        (u, a)
        for u in range(graph.n_nodes)
        for a in ancestors.indices[ancestors.indptr[u]:ancestors.indptr[u + 1]]
        if a not in _forest_path(tree_parent, u)
    }
    assert expected  # the second parents leave some pairs off the paths
    assert set(zip(below, above)) == expected
    assert len(below) == len(expected)


def _perpendicular_unit_rows(rows, axes):
    rows = rows - np.einsum("ij,ij->i", rows, axes)[:, None] * axes
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_face_pulls_deals_each_family_the_turns_that_face_its_pulls_best():
    from itertools import permutations
    from sklpoincare._initialization import face_pulls

    rng = np.random.RandomState(0)
    parents = np.array([7, 7, 7, 7, 9, 9, 9, 4, 4])  # three families, in a row
    turns = rng.standard_normal((9, 5))
    pulls = rng.standard_normal((9, 5))
    pulls[7:] = 0.0  # a family with nothing to face keeps its turns
    # no member marked as turning its family: the turns are only dealt out
    dealt = face_pulls(turns, parents, pulls, rng.standard_normal((9, 5)))
    np.testing.assert_array_equal(dealt[7:], turns[7:])
    for family in (slice(0, 4), slice(4, 7)):
        rows = turns[family]
        best = max(
            np.einsum("ij,ij->", pulls[family], rows[list(order)])
            for order in permutations(range(len(rows)))
        )
        assert np.einsum("ij,ij->", pulls[family], dealt[family]) == pytest.approx(best)
        # the same turns, dealt out again
        assert sorted(map(tuple, dealt[family])) == sorted(map(tuple, rows))


def test_face_pulls_turns_each_family_towards_its_pulls_keeping_its_spread():
    from itertools import permutations
    from sklpoincare._initialization import face_pulls

    rng = np.random.RandomState(0)
    parents = np.array([7, 7, 7, 7, 9, 9, 9, 4, 4])  # three families, in a row
    axes = np.repeat(rng.standard_normal((3, 5)), [4, 3, 2], axis=0)
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    turns = _perpendicular_unit_rows(rng.standard_normal((9, 5)), axes)
    pulls = rng.standard_normal((9, 5))
    pulls[7:] = 0.0  # a family with nothing to face keeps its turns
    turning = np.ones(9, dtype=bool)
    turning[4:6] = False  # one member of the second family is enough
    dealt = face_pulls(turns, parents, pulls, axes * 3.0, turning)  # the parents' points
    np.testing.assert_array_equal(dealt[7:], turns[7:])
    # still unit turns perpendicular to the parent's axis
    np.testing.assert_allclose(np.linalg.norm(dealt, axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.einsum("ij,ij->i", dealt, axes), 0.0, atol=1e-12)
    for family in (slice(0, 4), slice(4, 7)):
        rows, faced = turns[family], dealt[family]
        # the same spread: the angles between the turns, dealt out again
        gram = rows @ rows.T
        assert any(
            np.allclose(faced @ faced.T, gram[np.ix_(order, order)], atol=1e-12)
            for order in map(list, permutations(range(len(rows))))
        )
    # a family whose members all turn it faces its pulls better than the
    # best deal of its turns as they were
    best_deal = max(
        np.einsum("ij,ij->", pulls[:4], turns[:4][list(order)])
        for order in permutations(range(4))
    )
    assert np.einsum("ij,ij->", pulls[:4], dealt[:4]) > best_deal + 0.1


def test_face_pulls_turns_a_family_with_one_pull_straight_at_it():
    from sklpoincare._initialization import face_pulls

    rng = np.random.RandomState(1)
    parents = np.zeros(4, dtype=int)
    axes = np.tile(np.eye(6)[2], (4, 1))
    turns = _perpendicular_unit_rows(rng.standard_normal((4, 6)), axes)
    pulls = np.zeros((4, 6))
    pulls[1] = rng.standard_normal(6)
    dealt = face_pulls(turns, parents, pulls, axes, np.ones(4, dtype=bool))
    # the pull's part perpendicular to the axis, whatever its part along it
    expected = _perpendicular_unit_rows(pulls[1:2], axes[:1])[0]
    np.testing.assert_allclose(dealt[1], expected, atol=1e-12)


# Two branches under r: A -> A1 with children a1..a5, and C -> B. Nodes below
# a1 also have the parent B, off their path up the forest.
_CROSSING_BRANCHES = [("A", "r"), ("A1", "A"), ("C", "r"), ("B", "C")] + [
    (f"a{i}", "A1") for i in range(1, 6)
]


def _a1_faces_b_and_c_most(graph, n_components, seed):
    """Whether a1's turn, among the children of A1, faces B and C most."""
    embedding = hierarchical_embedding(graph, n_components, np.random.RandomState(seed), MAX_NORM)
    point = dict(zip(graph.nodes, embedding))
    pull = sum(point[p] / np.linalg.norm(point[p]) for p in ("B", "C"))
    angles = {f"a{i}": _angle(point[f"a{i}"], pull) for i in range(1, 6)}
    return min(angles, key=angles.get) == "a1"


def test_a_subtree_that_crosses_to_another_branch_faces_it():
    # a1's children x1..x3 also have the parent B: a1's subtree holds 6
    # off-path pairs for 4 nodes, so a1 faces B and C.
    relations = _CROSSING_BRANCHES + [(f"x{i}", p) for i in range(1, 4) for p in ("a1", "B")]
    graph = _graph(relations)
    closure = ancestor_closure(graph)
    assert _tree_parent_labels(graph, closure)["x1"] == "a1"
    assert all(_a1_faces_b_and_c_most(graph, 6, seed) for seed in range(5))


def test_from_ten_dimensions_a_subtree_with_few_crossings_faces_them_too():
    # a1's subtree holds 7 nodes and only 2 off-path pairs (x1 to B and C):
    # below FACE_EVERY_CROSSING_FROM dimensions that is too few to turn a1,
    # from there on a1 faces B and C among the children of A1.
    from sklpoincare._initialization import FACE_EVERY_CROSSING_FROM

    relations = _CROSSING_BRANCHES + [(f"y{i}", "a1") for i in range(1, 6)]
    relations += [("x1", "a1"), ("x1", "B")]
    graph = _graph(relations)
    assert all(
        _a1_faces_b_and_c_most(graph, FACE_EVERY_CROSSING_FROM, seed) for seed in range(5)
    )
    below = [_a1_faces_b_and_c_most(graph, FACE_EVERY_CROSSING_FROM - 4, seed) for seed in range(20)]
    assert not all(below)


def test_from_twenty_dimensions_a_subtree_with_many_crossings_turns_its_family_at_them():
    # a1's subtree holds 6 off-path pairs for 4 nodes (x1..x3 also under B):
    # from TURN_FAMILIES_FROM dimensions the children of A1 turn as a whole
    # until a1 looks straight at B and C (their directions summed); below,
    # a1 only takes the best of the spread turns.
    from sklpoincare._initialization import FACE_EVERY_CROSSING_FROM, TURN_FAMILIES_FROM

    relations = _CROSSING_BRANCHES + [(f"x{i}", p) for i in range(1, 4) for p in ("a1", "B")]
    graph = _graph(relations)
    a1, a_1, b, c = _ids(graph, ["a1", "A1", "B", "C"])

    def a1_turn_from_pull(n_components, seed):
        embedding = hierarchical_embedding(
            graph, n_components, np.random.RandomState(seed), MAX_NORM
        )
        axis = embedding[a_1] / np.linalg.norm(embedding[a_1])
        pull = sum(embedding[p] / np.linalg.norm(embedding[p]) for p in (b, c))
        turn = embedding[a1] - (embedding[a1] @ axis) * axis
        return _angle(turn, pull - (pull @ axis) * axis)

    for seed in range(3):
        assert a1_turn_from_pull(TURN_FAMILIES_FROM, seed) < 1e-6
        assert a1_turn_from_pull(TURN_FAMILIES_FROM - 1, seed) > 1e-2
        assert a1_turn_from_pull(FACE_EVERY_CROSSING_FROM, seed) > 1e-2


def test_a_subtree_whose_crossings_are_few_of_its_nodes_does_not_turn_its_family():
    # x1 hangs from a1 and from six leaves of the other branch: a1's subtree
    # (a1, x1, y1..y5) holds 7 off-path pairs for 7 nodes, enough to turn
    # the family, but only x1 of its 7 nodes crosses (less than
    # MIN_TURNING_SHARE), so the children of A1 are only dealt their turns.
    from sklpoincare._initialization import MIN_TURNING_SHARE, TURN_FAMILIES_FROM

    others = [f"B{i}" for i in range(1, 7)]
    relations = _CROSSING_BRANCHES[:3] + [(b, "C") for b in others]
    relations += [(f"a{i}", "A1") for i in range(1, 6)]
    relations += [(f"y{i}", "a1") for i in range(1, 6)] + [("x1", "a1")]
    relations += [("x1", b) for b in others]
    graph = _graph(relations)
    assert _tree_parent_labels(graph, ancestor_closure(graph))["x1"] == "a1"
    assert 1 / 7 < MIN_TURNING_SHARE
    a1, a_1 = _ids(graph, ["a1", "A1"])
    partners = _ids(graph, others + ["C"])

    def a1_turn_from_pull(seed):
        embedding = hierarchical_embedding(
            graph, TURN_FAMILIES_FROM, np.random.RandomState(seed), MAX_NORM
        )
        axis = embedding[a_1] / np.linalg.norm(embedding[a_1])
        pull = sum(embedding[p] / np.linalg.norm(embedding[p]) for p in partners)
        turn = embedding[a1] - (embedding[a1] @ axis) * axis
        return _angle(turn, pull - (pull @ axis) * axis)

    assert all(a1_turn_from_pull(seed) > 1e-2 for seed in range(3))


def _angles_to_siblings(turns):
    """Each row's smallest angle (degrees) to another row."""
    cosines = np.clip(turns @ turns.T, -1.0, 1.0)
    np.fill_diagonal(cosines, -1.0)
    return np.degrees(np.arccos(cosines.max(axis=1)))


@pytest.mark.parametrize("n_components", [3, 5, 8])
def test_make_room_gives_a_big_subtree_more_room_among_its_siblings(n_components):
    from sklpoincare._initialization import make_room

    rng = np.random.default_rng(0)
    parent_points = rng.standard_normal((3, n_components))
    parent_points *= 0.9 / np.linalg.norm(parent_points, axis=1, keepdims=True)
    # a family of 9 with one big member, one of 5 with equal weights, and
    # one of 2 (too few to move)
    parents = np.repeat([0, 1, 2], [9, 5, 2])
    weights = np.r_[[200.0] + [1.0] * 8, [3.0] * 5, [1.0, 50.0]]
    turns = spread_turns(parent_points[parents], parents, rng)
    moved = make_room(turns, parents, parent_points[parents], weights)
    np.testing.assert_allclose(np.linalg.norm(moved, axis=1), 1.0)
    np.testing.assert_allclose(
        np.einsum("ij,ij->i", moved, parent_points[parents]), 0.0, atol=1e-12
    )
    np.testing.assert_array_equal(moved[9:], turns[9:])
    before, after = _angles_to_siblings(turns[:9]), _angles_to_siblings(moved[:9])
    # the big member's nearest sibling is farther than before, and farther
    # than any small member's nearest sibling
    assert after[0] > before[0] + 5.0
    assert after[0] > after[1:].max()


def test_families_make_room_below_six_dimensions_only(monkeypatch):
    graph = _graph(load_mammals().data)
    laid_out = {
        n_components: hierarchical_embedding(graph, n_components, np.random.RandomState(0), MAX_NORM)
        for n_components in (5, 6)
    }
    monkeypatch.setattr(_initialization, "make_room", lambda turns, *args: turns)
    for n_components, embedding in laid_out.items():
        without = hierarchical_embedding(graph, n_components, np.random.RandomState(0), MAX_NORM)
        assert np.array_equal(embedding, without) == (n_components >= 6)


# two trees: "t" above a balanced subtree, and "w", a root above two of its
# leaves only (a whole whose parts hang from "t"); "big" is a third tree
# above one leaf of "t" and its own ten nodes
TREES = (
    [("t1", "t"), ("t2", "t"), ("t11", "t1"), ("t12", "t1"), ("t21", "t2"), ("t22", "t2")]
    + [("t11", "w"), ("t22", "w")]
    + [(f"b{i}", "big") for i in range(10)] + [("t12", "big")]
)


def _layout_without_turning(monkeypatch, graph, n_components):
    with monkeypatch.context() as patched:
        patched.setattr(_initialization, "MOSTLY_ABOVE_OTHER_TREES", np.inf)
        return hierarchical_embedding(graph, n_components, np.random.RandomState(0), MAX_NORM)


@pytest.mark.parametrize("n_components", [2, 3, 5, 10])
def test_a_tree_mostly_above_nodes_of_other_trees_turns_towards_them(
    monkeypatch, n_components
):
    graph = _graph(transitive_closure(np.array(TREES, dtype=object)))
    turned = hierarchical_embedding(graph, n_components, np.random.RandomState(0), MAX_NORM)
    before = _layout_without_turning(monkeypatch, graph, n_components)
    w, t11, t22 = _ids(graph, ["w", "t11", "t22"])
    parts = turned[t11] / np.linalg.norm(turned[t11]) + turned[t22] / np.linalg.norm(turned[t22])
    # all of w's relations cross: it takes its parts' mean direction
    assert _angle(turned[w], parts) < 1e-9
    assert _angle(before[w], parts) > 0.1
    np.testing.assert_allclose(np.linalg.norm(turned[w]), np.linalg.norm(before[w]))
    # the other trees are mostly above their own nodes and keep their places
    others = np.setdiff1d(np.arange(graph.n_nodes), [w])
    np.testing.assert_array_equal(turned[others], before[others])


@pytest.mark.parametrize("n_components", [2, 3, 10])
def test_a_tree_turns_whole(monkeypatch, n_components):
    # "v" above "w" above the two leaves of "t" (kept under "t" by "top"
    # above it): the tree {v, w} has 4 of its 5 pairs crossing, so it
    # turns 4/5 of the way, as one piece
    relations = TREES + [("w", "v"), ("t", "top")]
    graph = _graph(transitive_closure(np.array(relations, dtype=object)))
    turned = hierarchical_embedding(graph, n_components, np.random.RandomState(0), MAX_NORM)
    before = _layout_without_turning(monkeypatch, graph, n_components)
    tree = _ids(graph, ["v", "w"])
    assert not np.allclose(turned[tree], before[tree])
    np.testing.assert_allclose(
        poincare_distance_matrix(turned[tree], turned[tree]),
        poincare_distance_matrix(before[tree], before[tree]),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        np.linalg.norm(turned[tree], axis=1), np.linalg.norm(before[tree], axis=1)
    )
    v, t11, t22 = _ids(graph, ["v", "t11", "t22"])
    parts = turned[t11] / np.linalg.norm(turned[t11]) + turned[t22] / np.linalg.norm(turned[t22])
    start = _angle(before[v], parts)
    assert _angle(turned[v], parts) == pytest.approx(start / 5, abs=1e-9)


def test_trees_turn_after_the_trees_they_are_above():
    from sklpoincare._initialization import _turning_order

    # roots 0, 3, 5, 7; tree of 0 = {0, 1, 2}, of 3 = {3, 4}, of 5 = {5, 6},
    # of 7 = {7}; 3 is above 1 (a node of tree 0), 7 above 4 (tree 3), and
    # 0 and 5 above each other's nodes
    tree = np.array([0, 0, 0, 3, 3, 5, 5, 7])
    below = np.array([1, 4, 6, 2])
    above = np.array([3, 7, 0, 5])
    order = _turning_order(tree, below, above)
    group = {int(root): k for k, roots in enumerate(order) for root in roots}
    assert sorted(group) == [0, 3, 5, 7]
    assert group[0] == group[5]  # above each other: together
    assert group[3] > group[0] and group[7] > group[3]
