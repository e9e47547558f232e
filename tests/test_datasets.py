"""Tests for sklpoincare.datasets."""

import numpy as np
import pytest
from sklearn.utils import Bunch

from sklpoincare.datasets import (
    load_mammals,
    make_balanced_tree,
    make_chain,
    make_forest,
    make_random_taxonomy,
    make_random_tree,
)
from sklpoincare.hierarchy import transitive_closure, transitive_reduction

N_MAMMAL_RELATIONS = 6540
N_MAMMAL_NODES = 1180
MAMMAL_ROOT = "mammal.n.01"


@pytest.fixture(scope="module")
def mammals():
    return load_mammals()


# --------------------------------------------------------------------------
# load_mammals
# --------------------------------------------------------------------------


def test_load_mammals_bunch(mammals):
    assert isinstance(mammals, Bunch)
    assert mammals.feature_names == ["child", "parent"]
    assert mammals.frame is None
    assert isinstance(mammals.DESCR, str) and mammals.DESCR.strip()
    assert "Nickel" in mammals.DESCR


def test_load_mammals_data_shape_and_type(mammals):
    X = mammals.data
    assert isinstance(X, np.ndarray)
    assert X.shape == (N_MAMMAL_RELATIONS, 2)
    assert X.dtype == object
    assert all(type(v) is str for v in X.ravel())


def test_load_mammals_counts(mammals):
    X = mammals.data
    assert len(np.unique(X.ravel())) == N_MAMMAL_NODES
    # No self loops and no duplicated relation.
    assert not np.any(X[:, 0] == X[:, 1])
    assert len({tuple(row) for row in X}) == N_MAMMAL_RELATIONS


def test_load_mammals_root(mammals):
    X = mammals.data
    assert MAMMAL_ROOT in set(X[:, 1])
    assert MAMMAL_ROOT not in set(X[:, 0])
    # The data is a closure of the mammal subtree: every other node is a
    # descendant of the root.
    children = set(X[:, 0])
    below_root = set(X[X[:, 1] == MAMMAL_ROOT, 0])
    assert below_root == children


def test_load_mammals_child_first(mammals):
    # A hyponym comes first; the inverse pair would make the file useless.
    rows = {tuple(row) for row in mammals.data}
    assert ("aardvark.n.01", MAMMAL_ROOT) in rows
    assert (MAMMAL_ROOT, "aardvark.n.01") not in rows


def test_load_mammals_return_X_y(mammals):
    result = load_mammals(return_X_y=True)
    assert isinstance(result, tuple) and len(result) == 2
    X, y = result
    assert y is None
    np.testing.assert_array_equal(X, mammals.data)


def test_load_mammals_as_frame(mammals):
    pd = pytest.importorskip("pandas")
    bunch = load_mammals(as_frame=True)
    assert isinstance(bunch.frame, pd.DataFrame)
    assert bunch.data is bunch.frame
    assert list(bunch.frame.columns) == ["child", "parent"]
    assert bunch.frame.shape == (N_MAMMAL_RELATIONS, 2)
    np.testing.assert_array_equal(
        bunch.frame.to_numpy(dtype=object), mammals.data
    )

    X, y = load_mammals(return_X_y=True, as_frame=True)
    assert isinstance(X, pd.DataFrame)
    assert y is None


def test_load_mammals_as_frame_without_pandas(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="pip install pandas"):
        load_mammals(as_frame=True)


def test_load_mammals_keyword_only():
    with pytest.raises(TypeError):
        load_mammals(True)


def test_wordnet_license_is_bundled():
    from importlib import resources

    license_file = resources.files("sklpoincare.datasets").joinpath(
        "data", "WORDNET_LICENSE"
    )
    text = license_file.read_text(encoding="utf-8")
    assert "Princeton University" in text


# --------------------------------------------------------------------------
# make_balanced_tree
# --------------------------------------------------------------------------

TREE_SHAPES = [(1, 1), (1, 4), (2, 1), (2, 3), (3, 2), (4, 3), (5, 1)]


def _n_nodes(b, d):
    return sum(b**k for k in range(d + 1))


def _naive_closure(edges):
    """All (descendant, ancestor) pairs, by walking up parent links."""
    parent = dict(edges.tolist())
    pairs = set()
    for node in parent:
        ancestor = parent[node]
        while True:
            pairs.add((node, ancestor))
            if ancestor not in parent:
                break
            ancestor = parent[ancestor]
    return pairs


@pytest.mark.parametrize("b, d", TREE_SHAPES)
def test_balanced_tree_edges(b, d):
    edges = make_balanced_tree(b, d, transitive_closure=False)
    n_nodes = _n_nodes(b, d)
    assert edges.dtype == np.int64
    assert edges.shape == (n_nodes - 1, 2)
    # Nodes are exactly 0..n_nodes-1 and every non-root node has one parent.
    np.testing.assert_array_equal(np.unique(edges), np.arange(n_nodes))
    np.testing.assert_array_equal(edges[:, 0], np.arange(1, n_nodes))
    assert 0 not in edges[:, 0]
    # Breadth-first numbering: children of node i are contiguous, b*i+1..b*i+b.
    for i in range(n_nodes):
        kids = np.sort(edges[edges[:, 1] == i, 0])
        expected = np.arange(b * i + 1, b * i + b + 1)
        if kids.size:
            np.testing.assert_array_equal(kids, expected)
        else:  # a leaf: its would-be children lie past the last node
            assert expected[0] >= n_nodes


@pytest.mark.parametrize("b, d", TREE_SHAPES)
def test_balanced_tree_closure(b, d):
    closure = make_balanced_tree(b, d)
    edges = make_balanced_tree(b, d, transitive_closure=False)
    expected_size = sum(k * b**k for k in range(1, d + 1))
    assert closure.dtype == np.int64
    assert closure.shape == (expected_size, 2)
    assert len(np.unique(closure)) == _n_nodes(b, d)
    assert 0 not in closure[:, 0]
    assert not np.any(closure[:, 0] == closure[:, 1])
    pairs = {tuple(row) for row in closure.tolist()}
    assert len(pairs) == len(closure)  # no duplicates
    assert pairs == _naive_closure(edges)
    # Every non-root node has the root as an ancestor.
    assert set(closure[closure[:, 1] == 0, 0].tolist()) == set(
        range(1, _n_nodes(b, d))
    )


@pytest.mark.parametrize("transitive_closure", [True, False])
def test_balanced_tree_row_order(transitive_closure):
    rel = make_balanced_tree(3, 3, transitive_closure=transitive_closure)
    order = np.lexsort((rel[:, 1], rel[:, 0]))
    np.testing.assert_array_equal(order, np.arange(len(rel)))
    # Deterministic: same call, same array.
    np.testing.assert_array_equal(
        rel, make_balanced_tree(3, 3, transitive_closure=transitive_closure)
    )


def test_balanced_tree_defaults():
    rel = make_balanced_tree()
    # branching_factor=2, depth=3: 2*1 + 4*2 + 8*3 = 34 closure relations.
    assert rel.shape == (34, 2)


def test_balanced_tree_small_example():
    np.testing.assert_array_equal(
        make_balanced_tree(2, 2, transitive_closure=False),
        [[1, 0], [2, 0], [3, 1], [4, 1], [5, 2], [6, 2]],
    )
    np.testing.assert_array_equal(
        make_balanced_tree(2, 2),
        [[1, 0], [2, 0], [3, 0], [3, 1], [4, 0],
         [4, 1], [5, 0], [5, 2], [6, 0], [6, 2]],
    )


def test_balanced_tree_accepts_numpy_ints():
    rel = make_balanced_tree(np.int32(2), np.int64(2))
    assert rel.shape == (10, 2)


@pytest.mark.parametrize("depth", [0, -1])
def test_balanced_tree_bad_depth(depth):
    with pytest.raises(ValueError, match="depth"):
        make_balanced_tree(2, depth)


@pytest.mark.parametrize("value", [0, -3, 2.0, 1.5, "2", None, True])
def test_balanced_tree_bad_branching_factor(value):
    with pytest.raises(ValueError, match="branching_factor"):
        make_balanced_tree(value, 2)


@pytest.mark.parametrize("value", [2.0, "3", None, False])
def test_balanced_tree_bad_depth_type(value):
    with pytest.raises(ValueError, match="depth"):
        make_balanced_tree(2, value)


@pytest.mark.parametrize("value", [1, "yes", None])
def test_balanced_tree_bad_transitive_closure(value):
    with pytest.raises(ValueError, match="transitive_closure"):
        make_balanced_tree(2, 2, transitive_closure=value)


def test_balanced_tree_too_large_is_an_error_at_once():
    with pytest.raises(ValueError, match="has more than 2,147,483,646 nodes"):
        make_balanced_tree(10**6, 10**6)


@pytest.mark.parametrize("name", ["return_X_y", "as_frame"])
def test_load_mammals_flags_must_be_booleans(name):
    with pytest.raises(ValueError, match=f"'{name}' parameter of load_mammals"):
        load_mammals(**{name: "yes"})


def test_mammals_direct_links_are_the_reduction_of_the_closure():
    direct = load_mammals(closure=False).data
    assert direct.shape == (1180, 2)
    closure = load_mammals().data
    assert {tuple(p) for p in transitive_closure(direct).tolist()} == {
        tuple(p) for p in closure.tolist()
    }


@pytest.mark.parametrize("closure", ["yes", 1.5, None])
def test_closure_must_be_a_bool(closure):
    from sklearn.utils._param_validation import InvalidParameterError

    from sklpoincare.datasets import load_wordnet

    with pytest.raises(InvalidParameterError, match="'closure' parameter of load_mammals"):
        load_mammals(closure=closure)
    with pytest.raises(InvalidParameterError, match="'closure' parameter of load_wordnet"):
        load_wordnet("nowhere", closure=closure)


# --------------------------------------------------------------------------
# make_chain, make_forest, make_random_tree, make_random_taxonomy
# --------------------------------------------------------------------------


def _assert_sorted_int64(relations):
    assert relations.dtype == np.int64
    assert relations.ndim == 2 and relations.shape[1] == 2
    order = np.lexsort((relations[:, 1], relations[:, 0]))
    np.testing.assert_array_equal(order, np.arange(len(relations)))
    assert len({tuple(r) for r in relations.tolist()}) == len(relations)
    assert not np.any(relations[:, 0] == relations[:, 1])


@pytest.mark.parametrize("n_nodes", [2, 3, 17])
def test_chain_edges_and_closure(n_nodes):
    edges = make_chain(n_nodes, transitive_closure=False)
    _assert_sorted_int64(edges)
    np.testing.assert_array_equal(edges, np.column_stack(
        (np.arange(1, n_nodes), np.arange(n_nodes - 1))))
    closure = make_chain(n_nodes)
    _assert_sorted_int64(closure)
    assert len(closure) == n_nodes * (n_nodes - 1) // 2
    np.testing.assert_array_equal(closure, transitive_closure(edges))
    assert {tuple(p) for p in closure.tolist()} == _naive_closure(edges)


def test_chain_closure_too_large_is_an_error_at_once():
    with pytest.raises(ValueError, match="transitive_closure=False"):
        make_chain(2**20)
    assert len(make_chain(2**20, transitive_closure=False)) == 2**20 - 1


@pytest.mark.parametrize("n_trees, b, d", [(1, 2, 2), (3, 2, 3), (40, 30, 1), (2, 1, 4)])
@pytest.mark.parametrize("closure", [True, False])
def test_forest_is_shifted_copies_of_a_balanced_tree(n_trees, b, d, closure):
    forest = make_forest(n_trees, b, d, transitive_closure=closure)
    _assert_sorted_int64(forest)
    tree = make_balanced_tree(b, d, transitive_closure=closure)
    size = _n_nodes(b, d)
    assert len(forest) == n_trees * len(tree)
    for t in range(n_trees):
        np.testing.assert_array_equal(forest[t * len(tree):(t + 1) * len(tree)],
                                      tree + t * size)
    roots = set(forest[:, 1].tolist()) - set(forest[:, 0].tolist())
    assert roots == {t * size for t in range(n_trees)}
    if closure:
        np.testing.assert_array_equal(
            forest, transitive_closure(make_forest(n_trees, b, d, transitive_closure=False))
        )


def test_forest_too_large_is_an_error():
    with pytest.raises(ValueError, match="more than 2,147,483,646 nodes"):
        make_forest(10**6, 10, 4)


@pytest.mark.parametrize("closure", [True, False])
def test_random_tree_is_a_tree_with_earlier_parents(closure):
    edges = make_random_tree(500, random_state=0, transitive_closure=False)
    _assert_sorted_int64(edges)
    np.testing.assert_array_equal(edges[:, 0], np.arange(1, 500))
    assert np.all(edges[:, 1] < edges[:, 0])
    relations = make_random_tree(500, random_state=0, transitive_closure=closure)
    expected = transitive_closure(edges) if closure else edges
    np.testing.assert_array_equal(relations, expected)


def test_random_tree_random_state():
    a = make_random_tree(300, random_state=1)
    np.testing.assert_array_equal(a, make_random_tree(300, random_state=1))
    np.testing.assert_array_equal(
        a, make_random_tree(300, random_state=np.random.RandomState(1))
    )
    assert not np.array_equal(
        make_random_tree(300, random_state=1, transitive_closure=False),
        make_random_tree(300, random_state=2, transitive_closure=False),
    )


def test_random_tree_attaches_in_proportion_to_one_plus_children():
    # Node 2 picks node 0 with probability 2/3 (0 already has the child 1)
    # and node 1 with 1/3; over many seeds, node 0 holds the first 2 children
    # about 2/3 of the time.
    picks = [make_random_tree(3, random_state=seed, transitive_closure=False)[1, 1]
             for seed in range(3000)]
    assert np.mean(np.asarray(picks) == 0) == pytest.approx(2 / 3, abs=0.03)
    # preferential attachment: hubs far above the ~log(n) of uniform attachment
    edges = make_random_tree(5000, random_state=0, transitive_closure=False)
    assert np.bincount(edges[:, 1]).max() > 30


@pytest.mark.parametrize("second_parent_share", [0.0, 0.1, 1.0])
def test_random_taxonomy_edges_are_their_own_reduction(second_parent_share):
    edges = make_random_taxonomy(3000, depth=5, second_parent_share=second_parent_share,
                                 random_state=0)
    _assert_sorted_int64(edges)
    children = np.unique(edges[:, 0])
    np.testing.assert_array_equal(children, np.arange(1, 3000))
    assert np.all(edges[:, 1] < edges[:, 0])
    # no edge implied by others: the edges are the direct links
    np.testing.assert_array_equal(transitive_reduction(edges), edges)
    n_parents = np.bincount(edges[:, 0], minlength=3000)[1:]
    assert n_parents.max() <= 2
    if second_parent_share == 0.0:
        assert len(edges) == 2999
    else:
        assert len(edges) > 2999


def test_random_taxonomy_depth_and_levels():
    edges = make_random_taxonomy(2000, depth=7, random_state=3)
    closure = make_random_taxonomy(2000, depth=7, random_state=3, transitive_closure=True)
    np.testing.assert_array_equal(closure, transitive_closure(edges))
    # the deepest node has 7 ancestors along its longest path, the root none
    parent = {}
    for child, p in edges.tolist():
        parent.setdefault(child, p)
    depth = np.zeros(2000, dtype=int)
    for node in range(1, 2000):  # parents come first
        depth[node] = depth[parent[node]] + 1
    assert depth.max() == 7
    per_level = np.bincount(depth)
    assert len(per_level) == 8 and np.all(per_level > 0)  # levels 0..7 all hold nodes
    assert np.all(np.diff(per_level[1:]) >= 0)  # growing geometrically
    # leaves at several depths, and a heavy-tailed number of children
    has_children = np.zeros(2000, dtype=bool)
    has_children[edges[:, 1]] = True
    assert len(np.unique(depth[~has_children])) > 2
    n_children = np.bincount(edges[:, 1])
    assert n_children.max() > 10 * np.mean(n_children[n_children > 0])


def test_random_taxonomy_defaults_and_small_sizes():
    assert make_random_taxonomy(2, random_state=0).tolist() == [[1, 0]]
    edges = make_random_taxonomy(random_state=0)
    assert len(np.unique(edges)) == 1000
    np.testing.assert_array_equal(edges, make_random_taxonomy(random_state=0))
    chain = make_random_taxonomy(5, depth=4, second_parent_share=1.0, random_state=0)
    np.testing.assert_array_equal(chain, make_chain(5, transitive_closure=False))


def test_random_taxonomy_scales():
    # vectorised: a million nodes is a fraction of a second
    edges = make_random_taxonomy(10**6, random_state=0)
    assert edges.dtype == np.int64
    assert len(np.unique(edges[:, 0])) == 10**6 - 1


@pytest.mark.parametrize(
    "maker, params, match",
    [
        (make_chain, {"n_nodes": 1}, "'n_nodes' parameter of make_chain"),
        (make_chain, {"n_nodes": 3.0}, "'n_nodes' parameter of make_chain"),
        (make_chain, {"transitive_closure": 1}, "'transitive_closure' parameter"),
        (make_forest, {"n_trees": 0}, "'n_trees' parameter of make_forest"),
        (make_forest, {"depth": 0}, "'depth' parameter of make_forest"),
        (make_random_tree, {"n_nodes": True}, "'n_nodes' parameter of make_random_tree"),
        (make_random_tree, {"random_state": "x"}, "'random_state' parameter"),
        (make_random_taxonomy, {"n_nodes": 1}, "'n_nodes' parameter"),
        (make_random_taxonomy, {"tail_index": 0}, "'tail_index' parameter"),
        (make_random_taxonomy, {"second_parent_share": 1.5}, "'second_parent_share'"),
        (make_random_taxonomy, {"depth": 0}, "'depth' parameter"),
        (make_random_taxonomy, {"n_nodes": 5, "depth": 5}, "needs at least 6 nodes"),
    ],
)
def test_generators_validate_their_parameters(maker, params, match):
    with pytest.raises(ValueError, match=match):
        maker(**params)
