"""Input validation and encoding of relations (sklpoincare/_relations.py)."""

import numpy as np
import pytest
import scipy.sparse as sp

from sklpoincare._relations import (
    LabelIndex,
    alias_table,
    as_label_table,
    check_relations,
    encode_labels,
    lookup_labels,
)


def _relation_set(graph):
    """The deduplicated relations of a graph as a set of (child, parent) labels."""
    nodes = list(graph.nodes)
    return {(nodes[c], nodes[p]) for c, p in zip(graph.children, graph.parents)}


def _weights_by_label(graph):
    nodes = list(graph.nodes)
    return {
        (nodes[c], nodes[p]): w
        for c, p, w in zip(graph.children, graph.parents, graph.weights)
    }


def _check_graph_invariants(graph):
    """Typed arrays, ids in range, one entry per relation, CSR consistent."""
    n = graph.n_nodes
    assert graph.children.dtype == np.int32
    assert graph.parents.dtype == np.int32
    assert graph.weights.dtype == np.float64
    assert graph.parent_indptr.dtype == np.int32
    assert graph.parent_indices.dtype == np.int32
    assert graph.parent_indptr.shape == (n + 1,)
    assert len(graph.children) == len(graph.parents) == len(graph.weights)
    assert np.all((graph.children >= 0) & (graph.children < n))
    assert np.all((graph.parents >= 0) & (graph.parents < n))
    pairs = set(zip(graph.children.tolist(), graph.parents.tolist()))
    assert len(pairs) == len(graph.children), "relations are not deduplicated"
    for u in range(n):
        expected = sorted(p for c, p in pairs if c == u)
        got = graph.parent_indices[graph.parent_indptr[u] : graph.parent_indptr[u + 1]]
        assert got.tolist() == expected


# ----------------------------------------------------------- accepted inputs


def test_check_relations_list_of_string_tuples():
    X = [("dog", "mammal"), ("cat", "mammal"), ("mammal", "animal"), ("dog", "animal")]
    graph, names = check_relations(X)
    assert names is None
    assert list(graph.nodes) == ["animal", "cat", "dog", "mammal"]  # sorted
    assert _relation_set(graph) == set(X)
    np.testing.assert_array_equal(graph.weights, 1.0)
    _check_graph_invariants(graph)


def test_check_relations_mixed_types_keep_str_and_int_labels_distinct():
    X = [("a", 1), ("1", "a"), (1, "b"), ("1", 1)]
    graph, _ = check_relations(X)
    nodes = list(graph.nodes)
    assert graph.n_nodes == 4
    # str and int do not compare: first appearance order, types kept
    assert nodes == ["a", 1, "1", "b"]
    assert [type(v) for v in nodes] == [str, int, str, str]
    assert _relation_set(graph) == set(X)
    _check_graph_invariants(graph)


def test_check_relations_label_that_is_a_tuple_stays_one_label():
    X = [(("a", 0), "b"), (("a", 1), "b")]
    graph, _ = check_relations(X)
    assert set(graph.nodes.tolist()) == {("a", 0), ("a", 1), "b"}
    assert _relation_set(graph) == set(X)


def test_check_relations_numpy_object_array():
    X = np.empty((3, 2), dtype=object)
    X[:] = [["x", 2], [2, "y"], ["x", "y"]]
    graph, names = check_relations(X)
    assert names is None
    assert graph.n_nodes == 3
    assert _relation_set(graph) == {("x", 2), (2, "y"), ("x", "y")}
    _check_graph_invariants(graph)


def test_check_relations_numpy_int_array():
    X = np.array([[3, 1], [1, 0], [7, 3], [7, 1]])
    graph, _ = check_relations(X)
    assert graph.nodes.tolist() == [0, 1, 3, 7]
    assert graph.nodes.dtype.kind in "iu"
    assert _relation_set(graph) == {(3, 1), (1, 0), (7, 3), (7, 1)}
    _check_graph_invariants(graph)


def test_check_relations_dataframe_uses_first_two_columns_and_returns_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "hyponym": ["dog", "cat", "mammal"],
            "hypernym": ["mammal", "mammal", "animal"],
            "note": [0.5, 0.25, 3.0],
        }
    )
    graph, names = check_relations(df)
    assert names == ["hyponym", "hypernym"]
    assert list(graph.nodes) == ["animal", "cat", "dog", "mammal"]
    assert _relation_set(graph) == {
        ("dog", "mammal"),
        ("cat", "mammal"),
        ("mammal", "animal"),
    }
    np.testing.assert_array_equal(graph.weights, 1.0)  # third column ignored
    _check_graph_invariants(graph)


def test_dataframe_columns_keep_their_own_dtypes():
    """to_numpy on the whole frame would give its columns one dtype first:
    int64 ids beside a float column become floats, and large ones merge."""
    pd = pytest.importorskip("pandas")
    ids = [1234567890123456789 + k for k in range(4)]
    weighted = pd.DataFrame({"child": ids[1:], "parent": [ids[0]] * 3, "weight": 1.5})
    graph, _ = check_relations(weighted)
    assert graph.nodes.dtype == np.int64 and graph.nodes.tolist() == ids
    mixed = pd.DataFrame({"child": ids[1:], "parent": [0.5, 1.5, 2.5]})
    graph, _ = check_relations(mixed)
    assert graph.n_nodes == 6 and set(ids[1:]) <= set(graph.nodes.tolist())
    table, names = as_label_table(mixed)
    assert names == ["child", "parent"] and table[:, 0].tolist() == ids[1:]


def test_label_tables_name_what_they_cannot_take():
    with pytest.raises(TypeError, match="got set.*a set has no order: pass a list"):
        as_label_table({"dog", "cat"})
    with pytest.raises(TypeError, match="got csr_matrix"):
        as_label_table(sp.eye(3, format="csr"))


def test_check_relations_dataframe_with_one_column_raises():
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="two columns"):
        check_relations(pd.DataFrame({"child": ["a", "b"]}))


def test_check_relations_sparse_square_matrix_keeps_isolated_nodes_and_weights():
    A = sp.lil_matrix((6, 6))
    A[0, 1] = 2.5
    A[2, 1] = 1.0
    A[1, 4] = 0.5
    # nodes 3 and 5 take part in no relation
    for matrix in (A.tocsr(), A.tocsc(), A.tocoo()):
        graph, names = check_relations(matrix)
        assert names is None
        assert graph.nodes.tolist() == list(range(6))
        assert _weights_by_label(graph) == {(0, 1): 2.5, (2, 1): 1.0, (1, 4): 0.5}
        _check_graph_invariants(graph)


def test_check_relations_sparse_explicit_zero_is_no_relation():
    A = sp.csr_matrix(
        (np.array([1.0, 0.0]), (np.array([0, 1]), np.array([1, 2]))), shape=(3, 3)
    )
    graph, _ = check_relations(A)
    assert _relation_set(graph) == {(0, 1)}


def test_check_relations_sparse_non_square_raises():
    with pytest.raises(ValueError, match="square"):
        check_relations(sp.csr_matrix(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])))


def test_check_relations_sparse_negative_entry_raises_naming_position():
    A = sp.lil_matrix((4, 4))
    A[0, 1] = 1.0
    A[2, 3] = -1.0
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        check_relations(A.tocsr())


def test_check_relations_sparse_nan_entry_raises():
    A = sp.lil_matrix((3, 3))
    A[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"\(1, 0\)"):
        check_relations(A.tocsr())


def test_check_relations_sparse_with_sample_weight_raises():
    A = sp.csr_matrix(np.array([[0.0, 1.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="sample_weight"):
        check_relations(A, sample_weight=[1.0])


def test_check_relations_sparse_self_loop_raises():
    A = sp.lil_matrix((3, 3))
    A[0, 1] = 1.0
    A[2, 2] = 1.0
    with pytest.raises(ValueError, match="self-loop"):
        check_relations(A.tocsr())


def test_check_relations_empty_sparse_matrix_raises():
    with pytest.raises(ValueError, match="no relations"):
        check_relations(sp.csr_matrix((4, 4)))


# ------------------------------------------------------ duplicates, weights


def test_duplicates_counted_once_with_largest_weight():
    X = [("a", "b"), ("c", "b"), ("a", "b"), ("a", "b"), ("c", "b")]
    graph, _ = check_relations(X, sample_weight=[1.0, 3.0, 7.5, 2.0, 0.5])
    assert len(graph.children) == 2
    assert _weights_by_label(graph) == {("a", "b"): 7.5, ("c", "b"): 3.0}
    _check_graph_invariants(graph)


def test_scalar_sample_weight_applies_to_every_relation():
    graph, _ = check_relations([("a", "b"), ("c", "b")], sample_weight=2.0)
    np.testing.assert_array_equal(graph.weights, 2.0)


def test_zero_weight_relation_is_kept_when_others_are_positive():
    graph, _ = check_relations([("a", "b"), ("c", "b")], sample_weight=[0.0, 1.0])
    assert _weights_by_label(graph) == {("a", "b"): 0.0, ("c", "b"): 1.0}


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        ([1.0, -1.0, 1.0], "row 1"),
        ([1.0, 1.0, np.nan], "row 2"),
        ([np.inf, 1.0, 1.0], "row 0"),
        ([1.0, 1.0], "2 values"),
        ([1.0, 1.0, 1.0, 1.0], "4 values"),
        ([0.0, 0.0, 0.0], "zero"),
        (0.0, "zero"),
    ],
)
def test_bad_sample_weight_raises(sample_weight, match):
    X = [("a", "b"), ("c", "b"), ("d", "c")]
    with pytest.raises(ValueError, match=match):
        check_relations(X, sample_weight=sample_weight)


# ------------------------------------------------------------ bad relations


def test_self_loop_raises_naming_row_and_label():
    X = [("a", "b"), ("b", "c"), ("zebra", "zebra")]
    with pytest.raises(ValueError, match=r"row 2 \('zebra', 'zebra'\)") as excinfo:
        check_relations(X)
    assert "self-loop" in str(excinfo.value)


def test_self_loop_in_int_array_raises():
    with pytest.raises(ValueError, match="row 1"):
        check_relations(np.array([[0, 1], [4, 4]]))


@pytest.mark.parametrize(
    "X, row",
    [
        ([("a", "b"), ("c", None)], 1),
        ([(None, "b"), ("c", "b")], 0),
        ([("a", "b"), ("b", "c"), ("c", float("nan"))], 2),
        ([("a", "b"), (np.float32("nan"), "c")], 1),
        (np.array([[0.0, 1.0], [2.0, np.nan]]), 1),
        (np.array([[0.0, np.inf], [2.0, 1.0]]), 0),
    ],
)
def test_missing_label_raises_naming_row(X, row):
    with pytest.raises(ValueError, match=rf"row\(s\) {row}\b"):
        check_relations(X)


def test_unhashable_label_raises_type_error():
    X = np.empty((2, 2), dtype=object)
    X[0, 0], X[0, 1] = "a", "b"
    X[1, 0], X[1, 1] = ["not", "hashable"], "b"
    with pytest.raises(TypeError, match="hashable"):
        check_relations(X)


@pytest.mark.parametrize("X", [[], np.empty((0, 2)), np.empty((0, 2), dtype=object)])
def test_empty_relations_raise(X):
    with pytest.raises(ValueError):
        check_relations(X)


@pytest.mark.parametrize(
    "X",
    [
        np.array([["a"], ["b"]]),
        np.array([["a", "b", "c"], ["d", "e", "f"]]),
        [("a",), ("b",)],
        [("a", "b", "c")],
        np.array([[0, 1, 2]]),
    ],
)
def test_wrong_number_of_columns_raises(X):
    with pytest.raises(ValueError, match="two columns"):
        check_relations(X)


def test_one_dimensional_input_raises():
    with pytest.raises(ValueError, match="two columns"):
        check_relations(np.array(["a", "b", "c"]))


# ----------------------------------------------------------- CSR adjacency


@pytest.mark.parametrize("seed", range(4))
def test_parent_csr_is_exactly_sorted_parent_set(seed):
    rng = np.random.RandomState(seed)
    n_labels = 25
    children = rng.randint(n_labels, size=120)
    parents = rng.randint(n_labels, size=120)
    keep = children != parents
    labels = np.array([f"w{i:02d}" for i in rng.permutation(n_labels)])
    X = np.stack([labels[children[keep]], labels[parents[keep]]], axis=1)
    graph, _ = check_relations(X)

    nodes = list(graph.nodes)
    expected = {}
    for c, p in X:
        expected.setdefault(c, set()).add(p)
    for u, label in enumerate(nodes):
        got = graph.parent_indices[graph.parent_indptr[u] : graph.parent_indptr[u + 1]]
        assert np.all(np.diff(got) > 0), "parents are not sorted and distinct"
        assert {nodes[p] for p in got} == expected.get(label, set())
    assert graph.parent_indptr[0] == 0
    assert graph.parent_indptr[-1] == len(graph.parent_indices) == len(
        {tuple(row) for row in X}
    )
    _check_graph_invariants(graph)


def test_degrees_count_both_sides():
    graph, _ = check_relations([("a", "b"), ("c", "b"), ("b", "d"), ("a", "b")])
    degrees = dict(zip(graph.nodes.tolist(), graph.degrees().tolist()))
    assert degrees == {"a": 1, "b": 3, "c": 1, "d": 1}


# ----------------------------------------------------------- encode/lookup


def test_encode_labels_sorts_comparable_object_labels():
    flat = np.array(["b", "a", "c", "a", "b"], dtype=object)
    nodes, codes = encode_labels(flat)
    assert nodes.tolist() == ["a", "b", "c"]
    assert codes.tolist() == [1, 0, 2, 0, 1]
    np.testing.assert_array_equal(nodes[codes], flat)


def test_encode_labels_sorts_numeric_array():
    flat = np.array([10, -3, 7, 10, 0])
    nodes, codes = encode_labels(flat)
    assert nodes.tolist() == [-3, 0, 7, 10]
    np.testing.assert_array_equal(nodes[codes], flat)


def test_encode_labels_first_appearance_for_non_comparable_mix():
    flat = np.empty(6, dtype=object)
    flat[:] = ["z", 3, "a", 3, "z", ("t",)]
    nodes, codes = encode_labels(flat)
    assert nodes.tolist() == ["z", 3, "a", ("t",)]
    assert codes.tolist() == [0, 1, 2, 1, 0, 3]
    for label, code in zip(flat, codes):
        assert nodes[code] == label and type(nodes[code]) is type(label)


def test_encode_labels_unhashable_raises_type_error():
    flat = np.empty(2, dtype=object)
    flat[0], flat[1] = "a", {"b": 1}
    with pytest.raises(TypeError, match="hashable"):
        encode_labels(flat)


class _EqualityRaises:
    """Hashable, all of one hash, but comparing two of them raises."""

    def __hash__(self):
        return 1

    def __eq__(self, other):
        if self is other:
            return True
        raise TypeError("these labels cannot be compared")


def test_encode_labels_passes_on_a_type_error_that_is_not_unhashability():
    flat = np.empty(2, dtype=object)
    flat[0], flat[1] = _EqualityRaises(), _EqualityRaises()
    with pytest.raises(TypeError, match="cannot be compared"):
        encode_labels(flat)


def test_encode_labels_of_objects_matches_numpy_unique_on_strings():
    # the object path (dict in C) and NumPy's agree on ids and order
    rng = np.random.RandomState(0)
    words = np.array([f"w{i}" for i in rng.randint(0, 300, 2000)])
    flat = words.astype(object)
    nodes, codes = encode_labels(flat)
    expected_nodes, expected_codes = np.unique(words, return_inverse=True)
    assert nodes.tolist() == expected_nodes.tolist()
    np.testing.assert_array_equal(codes, expected_codes)


def test_lookup_labels_of_objects_finds_known_and_marks_unknown():
    nodes = np.array(["a", ("t", 1), 3], dtype=object)
    labels = np.empty((2, 2), dtype=object)
    labels[:] = [[3, "b"], [("t", 1), "a"]]
    np.testing.assert_array_equal(lookup_labels(nodes, labels), [[2, -1], [1, 0]])


def test_lookup_labels_finds_numpy_scalars_among_object_nodes():
    # a datetime64 array looked up in object nodes that hold datetime64
    # labels: each label must stay a NumPy scalar to hash as the node does
    nodes = np.array([np.datetime64("2020-01-01"), "a"], dtype=object)
    labels = np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]")
    np.testing.assert_array_equal(lookup_labels(nodes, labels), [0, -1])


def test_lookup_labels_int_nodes_int_labels():
    nodes = np.array([0, 2, 5, 9])
    labels = np.array([[5, 1], [0, 9], [10, -1]])
    np.testing.assert_array_equal(
        lookup_labels(nodes, labels), [[2, -1], [0, 3], [-1, -1]]
    )


def test_lookup_labels_int_nodes_float_labels():
    nodes = np.array([0, 2, 5])
    np.testing.assert_array_equal(
        lookup_labels(nodes, np.array([2.0, 2.5, 7.0])), [1, -1, -1]
    )


def test_lookup_labels_str_nodes_str_labels():
    nodes = np.array(["ant", "bee", "cat"])
    labels = np.array([["cat", "ant"], ["dog", "bee"], ["aardvark", "zzz"]])
    np.testing.assert_array_equal(
        lookup_labels(nodes, labels), [[2, 0], [-1, 1], [-1, -1]]
    )


def test_lookup_labels_str_and_int_never_match():
    np.testing.assert_array_equal(
        lookup_labels(np.array([1, 2, 3]), np.array(["1", "2"])), [-1, -1]
    )
    np.testing.assert_array_equal(
        lookup_labels(np.array(["1", "2", "3"]), np.array([1, 3])), [-1, -1]
    )


def test_lookup_labels_object_nodes_mixed_types():
    nodes = np.empty(4, dtype=object)
    nodes[:] = ["a", 1, "1", ("t", 2)]
    labels = np.empty((2, 3), dtype=object)
    labels[0] = ["1", 1, "b"]
    labels[1] = [("t", 2), "a", 2]
    np.testing.assert_array_equal(lookup_labels(nodes, labels), [[2, 1, -1], [3, 0, -1]])
    # numeric labels against object nodes: NumPy ints equal Python ints
    np.testing.assert_array_equal(lookup_labels(nodes, np.array([1, 2])), [1, -1])
    # str array against object nodes
    np.testing.assert_array_equal(lookup_labels(nodes, np.array(["a", "1", "x"])), [0, 2, -1])


def test_lookup_labels_roundtrip_with_encode_labels():
    rng = np.random.RandomState(0)
    flat = np.array([f"n{i}" for i in rng.randint(50, size=200)])
    nodes, codes = encode_labels(flat)
    np.testing.assert_array_equal(lookup_labels(nodes, flat), codes)
    np.testing.assert_array_equal(
        lookup_labels(nodes, flat.reshape(20, 10)), codes.reshape(20, 10)
    )


# ------------------------------------------------------------- alias table


def _implied_distribution(prob, alias):
    n = len(prob)
    q = prob.astype(np.float64).copy()
    np.add.at(q, alias, 1.0 - prob)
    return q / n


@pytest.mark.parametrize("seed", range(6))
def test_alias_table_reproduces_distribution(seed):
    rng = np.random.RandomState(seed)
    n = rng.randint(1, 60)
    p = rng.exponential(size=n) * rng.randint(1, 1000)
    if n > 2:
        p[rng.choice(n, size=n // 3, replace=False)] = 0.0  # zeros included
        p[rng.randint(n)] = rng.uniform(1, 5)  # at least one positive
    prob, alias = alias_table(p)
    assert prob.shape == alias.shape == (n,)
    assert alias.dtype == np.int32
    assert np.all((prob >= 0) & (prob <= 1))
    assert np.all((alias >= 0) & (alias < n))
    np.testing.assert_allclose(_implied_distribution(prob, alias), p / p.sum(), rtol=0, atol=1e-12)
    # a zero-probability slot can never be drawn, not even through an alias
    zero = p == 0
    assert np.all(prob[zero] == 0)
    assert not np.any(zero[alias[prob < 1]])


@pytest.mark.parametrize(
    "p",
    [
        [1.0],
        [1.0, 1.0, 1.0],
        [0.0, 0.0, 5.0],
        [1e-12, 1.0, 1e12],
        [3.0, 1.0],
        np.arange(1, 101, dtype=float),
    ],
)
def test_alias_table_edge_distributions(p):
    p = np.asarray(p, dtype=float)
    prob, alias = alias_table(p)
    np.testing.assert_allclose(_implied_distribution(prob, alias), p / p.sum(), rtol=0, atol=1e-12)


def test_alias_table_integer_degrees():
    p = np.array([3, 0, 1, 1, 7])
    prob, alias = alias_table(p)
    np.testing.assert_allclose(_implied_distribution(prob, alias), p / p.sum(), rtol=0, atol=1e-12)


def test_label_index_is_built_once_and_only_for_its_own_labels():
    nodes = np.array(["a", "b", "c"], dtype=object)
    index = LabelIndex(nodes)
    assert index.of(nodes) is index.of(nodes)
    assert index.of(nodes) == {"a": 0, "b": 1, "c": 2}
    other = np.array(["c", "a"], dtype=object)
    assert index.of(other) == {"c": 0, "a": 1}
    labels = np.array(["c", "x", "a"], dtype=object)
    assert lookup_labels(other, labels, index).tolist() == [0, -1, 1]
    assert lookup_labels(nodes, labels, index).tolist() == [2, -1, 0]
