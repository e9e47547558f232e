"""Hierarchy algorithms (closure, reduction, order) and training on the closure."""

import itertools
from types import MappingProxyType

import numpy as np
import pytest
import scipy.sparse as sp

from sklpoincare import PoincareEmbedder
from sklpoincare._relations import check_relations
from sklpoincare.datasets import load_mammals, make_balanced_tree
from sklpoincare.hierarchy import (
    HierarchyCycleError,
    ancestor_closure,
    ancestors_above,
    break_cycles,
    close_graph,
    cycle_groups,
    closure_size_bounds,
    multi_parent_share,
    topological_levels,
    transitive_closure,
    transitive_reduction,
    unique_nodes,
)


@pytest.fixture(scope="module")
def params(tiny_params):
    """Short training in 5 dimensions: the fits start from the hierarchical
    layout, which reads the closure."""
    return MappingProxyType({**tiny_params, "n_components": 5})


def _graph(relations):
    graph, _ = check_relations(np.asarray(relations, dtype=object))
    return graph


def _random_dag(seed, n_nodes=30, n_edges=60):
    """Edges from a higher to a lower id, so no cycle."""
    rng = np.random.RandomState(seed)
    edges = set()
    while len(edges) < n_edges:
        a, b = rng.randint(n_nodes, size=2)
        if a != b:
            edges.add((max(a, b), min(a, b)))
    return sorted(edges)


def _brute_closure(edges):
    """Pairs (u, a) with a path from u up to a, by repeated squaring of sets."""
    closure = set(edges)
    while True:
        longer = {(u, b) for (u, a) in closure for (a2, b) in closure if a == a2}
        if longer <= closure:
            return closure
        closure |= longer


@pytest.mark.parametrize("seed", range(5))
def test_closure_matches_brute_force(seed):
    edges = _random_dag(seed)
    got = {tuple(pair) for pair in transitive_closure(edges).tolist()}
    assert got == _brute_closure(edges)


@pytest.mark.parametrize("seed", range(5))
def test_reduction_matches_brute_force_and_keeps_the_closure(seed):
    edges = _random_dag(seed)
    closure = _brute_closure(edges)
    # (u, p) is direct when no other ancestor of u lies between them
    expected = {
        (u, p)
        for (u, p) in closure
        if not any((u, q) in closure and (q, p) in closure for q in range(30))
    }
    got = {tuple(pair) for pair in transitive_reduction(edges).tolist()}
    assert got == expected
    assert {tuple(p) for p in transitive_closure(sorted(got)).tolist()} == closure


def test_closure_is_sorted_in_node_order_and_keeps_label_types():
    closure = transitive_closure([(3, 2), (2, 1)])
    assert closure.tolist() == [[2, 1], [3, 1], [3, 2]]
    # integer labels keep an integer dtype, as the fitted nodes_ do
    assert closure.dtype == np.int64
    assert all(type(label) is int for label in closure.ravel().tolist())
    mixed = transitive_closure([(3, "b"), ("b", 1)])
    assert mixed.tolist() == [[3, "b"], [3, 1], ["b", 1]]  # object: types kept
    assert transitive_closure(np.array([[3, 2], [2, 1]])).dtype.kind == "i"


@pytest.mark.parametrize("function", [transitive_closure, transitive_reduction])
def test_a_cycle_is_named(function):
    X = [("root", "top"), ("a", "root"), ("b", "a"), ("c", "b"), ("a", "c")]
    with pytest.raises(HierarchyCycleError, match=r"'a' -> 'root'|'a' -> 'c'|'b' -> 'a'") as info:
        function(X)
    # the named cycle is a cycle of the relations
    names = [n.strip("'") for n in str(info.value).split(": ")[1].split(";")[0].split(" -> ")]
    assert names[0] == names[-1]
    pairs = set(map(tuple, X))
    assert all((c, p) in pairs for c, p in zip(names, names[1:]))
    assert isinstance(info.value, ValueError)
    assert info.value.cycle == names  # the labels, for callers to word their own message


def test_levels_are_the_longest_path_to_a_root():
    graph = _graph([("c", "b"), ("b", "a"), ("c", "a"), ("d", "a")])
    levels = [sorted(graph.nodes[level]) for level in topological_levels(graph)]
    assert levels == [["a"], ["b", "d"], ["c"]]


@pytest.mark.parametrize("seed", range(5))
def test_levels_match_longest_paths_of_a_random_dag(seed):
    edges = _random_dag(seed)
    graph, _ = check_relations(np.asarray(edges))
    depth = {}
    for child, parent in sorted(edges, key=lambda e: e[0]):  # parents have lower ids
        depth[child] = max(depth.get(child, 0), depth.get(parent, 0) + 1)
    levels = topological_levels(graph)
    assert sum(len(level) for level in levels) == graph.n_nodes
    for k, level in enumerate(levels):
        assert np.all(np.diff(level) > 0)  # sorted ids, each once
        assert all(depth.get(node, 0) == k for node in graph.nodes[level])


@pytest.mark.parametrize("seed", range(5))
def test_ancestors_above_leave_out_the_nodes_on_a_common_cycle(seed):
    # a random DAG (unchanged), then with a few links reversed
    edges = _random_dag(seed)
    graph = _graph(edges)
    ancestors = ancestor_closure(graph)
    assert ancestors_above(graph, ancestors) is ancestors
    rng = np.random.RandomState(seed)
    cyclic = [(b, a) if rng.rand() < 0.25 else (a, b) for a, b in edges]
    graph = _graph(cyclic)
    above = ancestors_above(graph, ancestor_closure(graph))
    reach = _brute_closure(cyclic)
    labels = graph.nodes
    kept = {(labels[u], labels[a]) for u, a in zip(*above.nonzero())}
    # above u: reached from u and not reaching u; and u's own parents
    expected = {(u, a) for u, a in reach if u != a and (a, u) not in reach} | set(cyclic)
    assert any((a, u) in reach for u, a in reach if u != a)  # the draw has a cycle
    assert kept == expected


def test_break_cycles_drops_the_relation_against_the_hierarchy():
    closure = [(a, b) for a, b in itertools.combinations("edcba", 2)]  # e below d ... below a
    graph = _graph(closure)
    assert break_cycles(graph) is graph  # no cycle
    graph = _graph(closure + [("a", "d")])  # a reversed pair: the root under d
    kept = break_cycles(graph)
    pairs = {(graph.nodes[c], graph.nodes[p]) for c, p in zip(kept.children, kept.parents)}
    assert pairs == set(closure)
    # a link both ways has no order to keep
    both = _graph([("x", "y"), ("y", "x"), ("y", "z")])
    assert [both.nodes[p] for p in break_cycles(both).parents] == ["z"]


@pytest.mark.parametrize("seed", range(5))
def test_break_cycles_leaves_none_and_keeps_what_no_cycle_holds(seed):
    rng = np.random.RandomState(seed)
    edges = {(a, b) for a, b in rng.randint(40, size=(120, 2)) if a != b}
    graph = _graph(sorted(edges))
    n_groups, group = cycle_groups(graph)
    assert n_groups < graph.n_nodes  # the draw has a cycle
    kept = break_cycles(graph)
    assert cycle_groups(kept)[0] == kept.n_nodes
    outside = group[graph.children] != group[graph.parents]
    pairs = set(zip(kept.children.tolist(), kept.parents.tolist()))
    assert set(zip(graph.children[outside].tolist(), graph.parents[outside].tolist())) <= pairs
    assert np.array_equal(kept.parent_indices, kept.parents)
    assert np.array_equal(np.diff(kept.parent_indptr), np.bincount(kept.children, minlength=40))


@pytest.mark.parametrize("seed", range(5))
def test_closure_size_bounds_hold(seed):
    graph = _graph(_random_dag(seed))
    lower, upper = closure_size_bounds(graph, topological_levels(graph))
    size = len(_brute_closure(_random_dag(seed)))
    assert lower <= size <= upper


def test_closure_size_bounds_are_exact_for_a_tree():
    tree = make_balanced_tree(3, 4, transitive_closure=False)
    graph = _graph(tree)
    size = len(transitive_closure(tree))
    assert size == len(make_balanced_tree(3, 4))
    assert closure_size_bounds(graph, topological_levels(graph)) == (size, size)


def test_closure_keeps_given_weights_and_gives_implied_ones_weight_1():
    graph, _ = check_relations([("c", "b"), ("b", "a")], sample_weight=[0.5, 2.0])
    closed, ancestors = close_graph(graph)
    weights = {
        (closed.nodes[c], closed.nodes[p]): w
        for c, p, w in zip(closed.children, closed.parents, closed.weights)
    }
    assert weights == {("c", "b"): 0.5, ("b", "a"): 2.0, ("c", "a"): 1.0}
    assert ancestors.nnz == 3


def test_sparse_input_is_closed_too():
    adjacency = sp.csr_matrix(([1.0, 1.0], ([2, 1], [1, 0])), shape=(3, 3))
    assert transitive_closure(adjacency).tolist() == [[1, 0], [2, 0], [2, 1]]


# ------------------------------------------------- training on the closure


def test_fit_on_direct_edges_equals_fit_on_the_closure_bit_for_bit(params):
    closure = load_mammals().data
    reduction = transitive_reduction(closure)
    assert len(reduction) < len(closure) / 4
    from_closure = PoincareEmbedder(**params).fit(closure)
    from_edges = PoincareEmbedder(**params).fit(reduction)
    np.testing.assert_array_equal(from_edges.nodes_, from_closure.nodes_)
    np.testing.assert_array_equal(from_edges.embedding_, from_closure.embedding_)
    assert (from_edges.adjacency_ != from_closure.adjacency_).nnz == 0
    assert from_edges.adjacency_.nnz == len(closure)


def test_closure_false_trains_on_the_relations_as_given(params):
    edges = [("c", "b"), ("b", "a")]
    fitted = PoincareEmbedder(**params, closure=False).fit(edges)
    assert fitted.adjacency_.nnz == 2
    assert PoincareEmbedder(**params).fit(edges).adjacency_.nnz == 3


def test_partial_fit_closes_old_and_new_relations_together(params):
    est = PoincareEmbedder(**params).partial_fit([("b", "a")])
    est.partial_fit([("c", "b")])
    pairs = {
        (est.nodes_[i], est.nodes_[j]) for i, j in zip(*est.adjacency_.nonzero())
    }
    assert pairs == {("b", "a"), ("c", "b"), ("c", "a")}


def test_direct_edges_give_the_hierarchy_order_of_norms():
    """Trained from direct edges alone, parents lie nearer the origin."""
    tree = make_balanced_tree(3, 3, transitive_closure=False)
    fitted = PoincareEmbedder(n_components=5, random_state=0).fit(tree)
    norms = dict(zip(fitted.nodes_.tolist(), np.linalg.norm(fitted.embedding_, axis=1)))
    assert all(norms[parent] < norms[child] for child, parent in tree.tolist())


def test_closure_of_a_reduction_is_quadratic_in_a_chain_and_still_fast():
    chain = [(i + 1, i) for i in range(999)]
    assert len(transitive_closure(chain)) == 999 * 1000 // 2


@pytest.mark.parametrize("n_nodes", [2, 3])
def test_tiny_hierarchies(n_nodes):
    chain = [(i + 1, i) for i in range(n_nodes - 1)]
    expected = {(a, b) for a, b in itertools.combinations(range(n_nodes), 2)}
    assert {tuple(p[::-1]) for p in transitive_closure(chain).tolist()} == expected


def test_partial_fit_with_known_relations_does_not_close_again(monkeypatch, params):
    """The closure of a closure is itself: repeated epochs skip it, unless
    the known relations were trained as given."""
    import sklpoincare._embedder as embedder_module

    calls = []
    real = embedder_module.close_graph
    monkeypatch.setattr(
        embedder_module, "close_graph", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    edges = [("c", "b"), ("b", "a")]
    est = PoincareEmbedder(**params).partial_fit(edges)
    est.partial_fit(edges)
    assert len(calls) == 1 and est.adjacency_.nnz == 3
    est.partial_fit([("d", "c")])  # something new: closed again
    assert len(calls) == 2 and est.adjacency_.nnz == 6
    as_given = PoincareEmbedder(**params, closure=False).partial_fit(edges)
    as_given.set_params(closure=True).partial_fit(edges)
    assert len(calls) == 3 and as_given.adjacency_.nnz == 3


@pytest.mark.parametrize("share", [0.0, 0.05, 0.3, 1.0])
def test_multi_parent_share_counts_the_nodes_with_several_direct_parents(share):
    # read off the closure by counting; against the transitive reduction
    from sklpoincare._relations import check_relations
    from sklpoincare.datasets import make_random_taxonomy

    links = make_random_taxonomy(300, second_parent_share=share, random_state=1)
    direct = np.asarray(transitive_reduction(links))
    children, counts = np.unique(direct[:, 0], return_counts=True)
    expected = np.count_nonzero(counts > 1) / len(np.unique(direct))
    graph, ancestors = close_graph(check_relations(links)[0])
    assert multi_parent_share(graph, ancestors) == pytest.approx(expected)
    assert multi_parent_share(graph) == pytest.approx(expected)  # a complete closure
    for chunk in (1, 5, 1000):  # the closure read in blocks of rows
        assert multi_parent_share(graph, ancestors, chunk=chunk) == pytest.approx(expected)
    if share >= 0.3:
        assert expected > 0.1


def test_multi_parent_share_of_a_diamond_and_a_chain():
    from sklpoincare._relations import check_relations

    # d below b and c, both below a: one node of four has two direct parents
    diamond, _ = close_graph(check_relations([("b", "a"), ("c", "a"), ("d", "b"), ("d", "c")])[0])
    assert multi_parent_share(diamond) == 0.25
    chain, _ = close_graph(check_relations([("b", "a"), ("c", "b"), ("d", "c")])[0])
    assert multi_parent_share(chain) == 0.0


@pytest.mark.parametrize("n_nodes, n_ids", [(1, 0), (1, 3), (7, 1), (50, 200), (1000, 40)])
def test_unique_nodes_equal_numpys_unique(n_nodes, n_ids):
    ids = np.random.default_rng(n_ids).integers(0, n_nodes, n_ids)
    unique, inverse = unique_nodes(ids, n_nodes, return_inverse=True)
    expected_unique, expected_inverse = np.unique(ids, return_inverse=True)
    np.testing.assert_array_equal(unique, expected_unique)
    np.testing.assert_array_equal(inverse, expected_inverse)
    assert unique.dtype == expected_unique.dtype and inverse.dtype == expected_inverse.dtype
    np.testing.assert_array_equal(unique_nodes(ids, n_nodes), expected_unique)


def test_a_closure_too_large_names_the_parameter_of_the_function_called():
    from sklpoincare.datasets import make_chain

    links = make_chain(10, transitive_closure=False)  # 45 pairs in its closure
    with pytest.raises(ValueError, match=r"more than max_size=2\. Raise max_size$"):
        transitive_closure(links, max_size=2)
    with pytest.raises(ValueError, match=r"max_closure_size=2\. Raise max_closure_size .*"
                                         r"or set closure=False"):
        PoincareEmbedder(max_closure_size=2).fit(links)
