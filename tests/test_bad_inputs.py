"""The catalogue of bad inputs (doc/bad_inputs.rst): each gets a clear error.

Cases already tested elsewhere (test_relations.py, test_embedder.py,
test_metrics.py) are listed in the catalogue and not repeated here; this file
holds the rest, each asserting the exception type and that the message names
the problem (the row, the label, the parameter).
"""

import pickle
import re
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils._param_validation import InvalidParameterError

from sklpoincare import PoincareEmbedder
from sklpoincare.hierarchy import transitive_closure
from sklpoincare.metrics import (
    mean_average_precision,
    mean_rank,
    poincare_distances,
    ranking_scores,
)

RELATIONS = [("dog", "mammal"), ("cat", "mammal"), ("mammal", "animal"),
             ("dog", "animal"), ("cat", "animal")]


@pytest.fixture(scope="module")
def animals(tiny_params):
    """An embedder fitted on RELATIONS: string labels."""
    return PoincareEmbedder(**tiny_params).fit(RELATIONS)


def _row_of(est, label):
    """What ``transform`` gives for ``label``: the features of its row of
    ``embedding_``, the row found by hand."""
    (rows,) = np.nonzero([node == label and type(node) is type(label)
                          for node in est.nodes_])
    assert len(rows) == 1
    return est._node_features(est.embedding_[rows])[0]


# --------------------------------------------------------- empty relations


@pytest.mark.parametrize(
    "X", [[], (), np.empty((0, 2), dtype=object), np.empty(0)],
    ids=["list", "tuple", "object-array", "1-D"],
)
def test_fit_on_no_relations_says_so(X, tiny_params):
    with pytest.raises(ValueError, match=r"no relations \(0 rows"):
        PoincareEmbedder(**tiny_params).fit(X)


def test_empty_dataframe_has_no_relations(tiny_params):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"child": [], "parent": []})
    with pytest.raises(ValueError, match="no relations"):
        PoincareEmbedder(**tiny_params).fit(frame)


@pytest.mark.parametrize("relations", [[], np.empty((0, 2), dtype=np.intp)])
def test_score_and_metrics_of_no_relations_raise_instead_of_nan(animals, relations):
    with pytest.raises(ValueError, match=r"empty \(0 rows\)"):
        animals.score(relations)
    with pytest.raises(ValueError, match=r"empty \(0 rows\)"):
        ranking_scores(np.zeros((3, 2)), relations)


def test_transform_of_no_labels_is_an_empty_array(animals):
    """Nothing to map is not an error: the output has zero rows."""
    width = len(animals.get_feature_names_out(["node"]))
    assert animals.transform([]).shape == (0, width)
    assert animals.transform(np.empty((0, 2), dtype=object)).shape == (0, 2 * width)


# --------------------------------------------------------- column counts


def test_third_column_points_to_sample_weight(tiny_params):
    X = [("dog", "mammal", 0.5), ("cat", "mammal", 2.0)]
    with pytest.raises(ValueError, match="3 feature.*sample_weight"):
        PoincareEmbedder(**tiny_params).fit(X)


@pytest.mark.parametrize(
    "X, row", [([["a", "b"], ["c"]], 1), ([["a", "b"], ["c", "d"], ["e", "f", "g"]], 2)]
)
def test_rows_of_different_lengths_name_the_row(X, row, tiny_params):
    with pytest.raises(ValueError, match=rf"different lengths.*row {row} has"):
        PoincareEmbedder(**tiny_params).fit(X)


def test_ragged_labels_in_transform_name_the_row(animals):
    with pytest.raises(ValueError, match="different lengths.*row 1 has 2"):
        animals.transform([["dog"], ["cat", "dog"]])


# ---------------------------------------------------------- missing labels


def _missing_markers():
    markers = [Decimal("NaN"), np.datetime64("NaT"), np.timedelta64("NaT"),
               float("-inf"), np.float16("nan")]
    try:
        import pandas as pd
    except ImportError:
        return markers
    return markers + [pd.NA, pd.NaT]


@pytest.mark.parametrize("marker", _missing_markers(), ids=repr)
def test_every_missing_value_marker_is_rejected_naming_the_row(marker, tiny_params):
    X = [("a", "b"), ("b", "c"), ("c", marker)]
    with pytest.raises(ValueError, match=r"missing.*row\(s\) 2\b"):
        PoincareEmbedder(**tiny_params).fit(X)


def test_missing_datetime_label_in_a_datetime_array_is_rejected(tiny_params):
    X = np.array([["2020-01-01", "2019-01-01"], ["2021-01-01", "NaT"]],
                 dtype="datetime64[D]")
    with pytest.raises(ValueError, match=r"missing.*row\(s\) 1\b"):
        PoincareEmbedder(**tiny_params).fit(X)


def test_pandas_missing_label_in_a_string_column_is_rejected(tiny_params):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"child": ["dog", "cat", None], "parent": ["a", "a", "a"]},
                         dtype="string")
    with pytest.raises(ValueError, match=r"missing.*row\(s\) 2\b"):
        PoincareEmbedder(**tiny_params).fit(frame)


def test_numbers_that_are_not_nan_stay_labels(tiny_params):
    """Decimal, Fraction and complex labels are fine unless they are NaN."""
    X = [(Decimal("1.5"), Fraction(1, 3)), (Fraction(1, 3), 2j)]
    est = PoincareEmbedder(**tiny_params).fit(X)
    assert len(est.nodes_) == 3


@pytest.mark.parametrize("label", [None, float("nan"), np.datetime64("NaT")], ids=repr)
def test_missing_labels_in_transform_and_score_name_the_row(animals, label):
    column = np.array(["dog", label, "cat"], dtype=object)
    with pytest.raises(ValueError, match=r"missing.*row\(s\) 1\b"):
        animals.transform(column)
    with pytest.raises(ValueError, match=r"missing.*row\(s\) 0\b"):
        animals.score([("dog", label)])


# ------------------------------------------------------ unhashable labels


@pytest.mark.parametrize("label", [{"a": 1}, {1, 2}, bytearray(b"x")], ids=repr)
def test_unhashable_labels_in_transform_are_named(animals, label):
    column = np.empty(2, dtype=object)
    column[0], column[1] = "dog", label
    with pytest.raises(TypeError, match=re.escape(f"{label!r:.80}") + ".*not hashable"):
        animals.transform(column)


def test_unhashable_node_label_in_metrics_is_named():
    nodes = np.empty(3, dtype=object)
    nodes[:] = ["a", "b", None]
    nodes[2] = ["c"]
    with pytest.raises(TypeError, match=r"\['c'\] at row 2 of nodes"):
        ranking_scores(np.zeros((3, 2)), [("a", "b")], nodes=nodes)


# ------------------------------------------------------- self-loops, cycles


@pytest.mark.parametrize("scorer", [mean_rank, mean_average_precision, ranking_scores])
def test_metrics_reject_self_loops_naming_the_row(scorer):
    """A node is never a candidate for itself, so its rank would be a lie."""
    embedding = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5]])
    with pytest.raises(ValueError, match=r"self-loop.*row 1 \(2, 2\)"):
        scorer(embedding, [[1, 0], [2, 2]])


def test_score_rejects_self_loops_naming_the_label(animals):
    with pytest.raises(ValueError, match=r"self-loop.*row 1 \('cat', 'cat'\)"):
        animals.score([("dog", "mammal"), ("cat", "cat")])


CYCLES = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("e", "d"), ("d", "e")]


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_cycle_is_an_error_naming_it_when_training_on_the_closure(method, tiny_params):
    """The closure of a cycle would make each of its nodes its own ancestor."""
    est = PoincareEmbedder(**tiny_params)
    with pytest.raises(ValueError, match=r"cycle .*'a' -> 'b' -> 'c' -> 'a'.*closure=False"):
        getattr(est, method)(CYCLES)
    assert not hasattr(est, "embedding_")


def test_a_cycle_added_by_partial_fit_is_an_error_and_keeps_the_fit(tiny_params):
    est = PoincareEmbedder(**tiny_params).partial_fit([("a", "b"), ("b", "c")])
    before = est.embedding_.copy()
    with pytest.raises(ValueError, match=r"cycle .*'c'"):
        est.partial_fit([("c", "a")])
    np.testing.assert_array_equal(est.embedding_, before)


@pytest.mark.parametrize("manifold", ["poincare", "lorentz", "euclidean"])
def test_cycles_are_allowed_with_closure_false(manifold, tiny_params):
    """A node may be its own ancestor through a cycle: relations are a general
    directed graph. Training stays finite and every node gets its point; a
    hierarchy cannot order the nodes of a cycle, so their norms mean little."""
    X = CYCLES
    est = PoincareEmbedder(
        manifold=manifold, closure=False, **{**tiny_params, "n_epochs": 20}
    ).fit(X)
    assert list(est.nodes_) == ["a", "b", "c", "d", "e"]
    assert np.all(np.isfinite(est.embedding_))
    assert np.all(np.isfinite(est.loss_curve_))
    if manifold != "euclidean":
        assert np.all(np.linalg.norm(est.embedding_, axis=1) < 1.0)
    np.testing.assert_array_equal(est.transform(["c"])[0], _row_of(est, "c"))
    assert 0.0 < est.score(X) <= 1.0


def _chain(n_nodes):
    return [(f"n{i + 1}", f"n{i}") for i in range(n_nodes - 1)]


def test_a_closure_too_large_is_refused_before_it_is_built(tiny_params):
    """A chain of 2,000 direct links implies 1,999,000 pairs."""
    est = PoincareEmbedder(**tiny_params, max_closure_size=1_000_000)
    with pytest.raises(
        ValueError, match=r"at least 1,999,000 .*max_closure_size=1,000,000.*closure=False"
    ):
        est.fit(_chain(2000))
    assert not hasattr(est, "embedding_")


def test_a_closure_found_too_large_while_built_is_refused(tiny_params):
    """Layers of 3 nodes, each the child of all 3 above: the level bound
    (one ancestor per level) is below the limit, the true size above."""
    layers = [[f"l{k}_{j}" for j in range(3)] for k in range(6)]
    X = [(c, p) for k in range(1, 6) for c in layers[k] for p in layers[k - 1]]
    n_pairs = sum(3 * 3 * k for k in range(6))  # 3 nodes with 3k ancestors
    assert len(transitive_closure(X)) == n_pairs
    with pytest.raises(ValueError, match=rf"more than {n_pairs - 1} .*max_closure_size"):
        PoincareEmbedder(**tiny_params, max_closure_size=n_pairs - 1).fit(X)
    PoincareEmbedder(**tiny_params, max_closure_size=n_pairs).fit(X)


# -------------------------------------------------------- mixed-type labels


def test_mixed_type_labels_keep_first_appearance_and_transform_right(tiny_params):
    X = [("1", 1), (1, "root"), (("pair", 0), "root"), (2.5, 1), (b"raw", "root")]
    est = PoincareEmbedder(**tiny_params).fit(X)
    # str, int, tuple, float and bytes do not compare: first appearance
    expected = ["1", 1, "root", ("pair", 0), 2.5, b"raw"]
    assert est.nodes_.tolist() == expected
    assert [type(n) for n in est.nodes_] == [type(n) for n in expected]
    for label in expected:
        column = np.empty(1, dtype=object)
        column[0] = label
        np.testing.assert_array_equal(est.transform(column)[0], _row_of(est, label))
    # the str "1" and the int 1 are two nodes with two points
    assert not np.array_equal(_row_of(est, "1"), _row_of(est, 1))


def test_equal_labels_of_different_types_are_one_node(tiny_params):
    """Labels are compared with ==, as dict keys are: 1, 1.0 and True are one
    node, numpy and Python integers too."""
    X = [(1, "root"), (1.0, "root"), (np.int64(1), "root"), (True, "root"), (2, 1.0)]
    est = PoincareEmbedder(**tiny_params).fit(X)
    assert len(est.nodes_) == 3
    np.testing.assert_array_equal(est.transform([1.0]), est.transform([True]))


# ------------------------------------------------------------ sample_weight


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        ([[1.0, 1.0]], r"1-D.*shape \(1, 2\)"),
        (["heavy", "light"], "sample_weight must hold numbers.*'heavy'"),
        ([1.0, None], r"finite.*nan at row 1"),
        (np.float64("inf"), "finite.*inf at row 0"),
        (-1.0, "non-negative.*-1.0 at row 0"),
    ],
)
def test_bad_sample_weight_shapes_and_types_are_named(sample_weight, match, tiny_params):
    with pytest.raises(ValueError, match=match):
        PoincareEmbedder(**tiny_params).fit([("a", "b"), ("b", "c")], sample_weight=sample_weight)


def test_sample_weight_whose_sum_overflows_is_rejected(tiny_params):
    with pytest.raises(ValueError, match="sample_weight is too large.*inf"):
        PoincareEmbedder(**tiny_params).fit([("a", "b"), ("b", "c")], sample_weight=[1e308, 1e308])


def test_sample_weight_whose_weighted_loss_overflows_is_named(tree, tiny_params):
    # the weights' sum is finite, their losses' is not; a bounded model does
    # not diverge, so the advice is about the weights, not the learning rate
    with pytest.raises(ValueError, match=r"loss of epoch 1 overflows: sample_weight \(up to 1e\+306"):
        PoincareEmbedder(**tiny_params).fit(tree, sample_weight=np.full(len(tree), 1e306))


def test_zero_dimensional_sample_weight_is_a_scalar(tiny_params):
    a = PoincareEmbedder(**tiny_params).fit(RELATIONS, sample_weight=np.array(2.0))
    b = PoincareEmbedder(**tiny_params).fit(RELATIONS, sample_weight=2.0)
    np.testing.assert_array_equal(a.embedding_, b.embedding_)


def test_sparse_adjacency_with_infinite_weight_names_the_entry(tiny_params):
    A = sp.lil_matrix((3, 3))
    A[1, 0] = 1.0
    A[2, 1] = np.inf
    with pytest.raises(ValueError, match=r"holds inf at \(2, 1\)"):
        PoincareEmbedder(**tiny_params).fit(A.tocsr())


# ------------------------------------------------------------- parameters

# One invalid value per constructor parameter; the error must name it.
INVALID_PARAMS = [
    ("n_components", 0),
    ("n_components", 2.5),
    ("manifold", "hyperbolic"),
    ("n_epochs", 0),
    ("learning_rate", 0.0),
    ("learning_rate", np.inf),
    ("learning_rate", np.nan),
    ("n_negatives", 0),
    ("n_negatives", 2**31),  # more than a C int holds
    ("subtree_negatives", 1.5),
    ("burn_in", -1),
    ("init", "spectral"),
    ("init_range", 1.0),
    ("n_init", 0),
    ("n_init", 2.5),
    ("eps", 0.0),
    ("eps", 1e-13),  # 1 - |x|^2 would drown in rounding error
    ("eps", 1.0),
    ("closure", "yes"),
    ("max_closure_size", 0),
    ("max_closure_size", 2**31 - 1),  # more relations than the kernels index
    ("features", "ball"),
    ("n_landmarks", 0),
    ("handle_unknown", "skip"),
    ("random_state", "seed"),
    ("n_jobs", 0),  # joblib gives 0 no meaning
    ("n_jobs", 1.5),
    ("verbose", -1),
    ("callback", "print"),
    ("warm_start", "yes"),
]


@pytest.mark.parametrize("name, value", INVALID_PARAMS)
def test_every_parameter_out_of_range_is_named(name, value, tiny_params):
    est = PoincareEmbedder(**{**tiny_params, name: value})
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter") as excinfo:
        est.fit(RELATIONS)
    assert isinstance(excinfo.value, ValueError)
    assert not hasattr(est, "embedding_")


def test_the_invalid_parameter_list_covers_every_parameter():
    assert {name for name, _ in INVALID_PARAMS} == set(PoincareEmbedder().get_params())


def test_smallest_eps_is_accepted_and_reached(tiny_params):
    est = PoincareEmbedder(
        **{**tiny_params, "eps": 1e-12, "learning_rate": 1e3, "init": "random"}
    ).fit(RELATIONS)
    norms = np.linalg.norm(est.embedding_, axis=1)
    assert np.all(norms < 1.0)
    assert norms.max() > 1 - 1e-11  # the huge rate pushes points to the bound


def test_boolean_n_components_counts_as_an_int(tiny_params):
    """As everywhere in scikit-learn, True passes as the int 1."""
    est = PoincareEmbedder(**{**tiny_params, "n_components": True}).fit(RELATIONS)
    assert est.embedding_.shape == (4, 1)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: poincare_distances([[0.0, 0.0]], n_jobs=0), "n_jobs"),
        (lambda: poincare_distances([[0.0, 0.0]], n_jobs="all"), "n_jobs"),
        (lambda: poincare_distances(sp.csr_matrix([[0.0, 0.1]])), "X"),
        (lambda: poincare_distances([[0.0, 0.0]], "Y"), "Y"),
        (lambda: ranking_scores(np.zeros((2, 2)), [[0, 1]], n_jobs=0), "n_jobs"),
        (lambda: mean_rank(np.zeros((2, 2)), [[0, 1]], nodes="ab"), "nodes"),
        (lambda: mean_average_precision(np.zeros((2, 2)), 7), "relations"),
        (lambda: mean_average_precision("emb", [[0, 1]]), "embedding"),
    ],
)
def test_metric_parameters_are_validated_naming_them(call, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        call()


@pytest.mark.parametrize("metric", ["cosine", None])
def test_unknown_metric_is_named(metric):
    with pytest.raises(ValueError, match=f"metric must be .*{metric!r}"):
        ranking_scores(np.zeros((2, 2)), [[0, 1]], metric=metric)


def test_metric_nodes_must_be_one_dimensional_and_distinct():
    embedding = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5]])
    with pytest.raises(ValueError, match=r"1-D.*shape \(3, 1\)"):
        ranking_scores(embedding, [("b", "a")], nodes=[["a"], ["b"], ["c"]])
    with pytest.raises(ValueError, match="label 'b' at rows 1 and 2"):
        ranking_scores(embedding, [("b", "a")], nodes=["a", "b", "b"])


# ------------------------------------------------------- dimensionality


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[["dog"]]]), "1-D or 2-D.*3-D"),
        (np.array("dog"), "1-D or 2-D.*0-D"),
    ],
)
def test_transform_of_wrong_dimensionality_names_it(animals, X, match):
    with pytest.raises(ValueError, match=match):
        animals.transform(X)


def test_transform_of_a_bare_string_asks_for_an_array(animals):
    with pytest.raises(TypeError, match="array-like of labels, got str: 'dog'"):
        animals.transform("dog")


def test_poincare_distances_of_wrong_dimensionality_name_it():
    with pytest.raises(ValueError, match="Expected 2D array, got 1D"):
        poincare_distances([0.1, 0.2])
    with pytest.raises(ValueError, match="dim 3"):
        poincare_distances(np.zeros((2, 2, 2)))


# ---------------------------------------- read-only and non-contiguous arrays


def _read_only(array):
    array = np.array(array)
    array.flags.writeable = False
    return array


def test_read_only_and_strided_relations_work_like_plain_ones(tiny_params):
    plain = np.array([[1, 0], [2, 0], [3, 1], [3, 0], [4, 1], [4, 0]])
    reference = PoincareEmbedder(**tiny_params).fit(plain)
    wide = np.zeros((6, 5), dtype=plain.dtype)
    wide[:, 1], wide[:, 3] = plain[:, 0], plain[:, 1]
    variants = {
        "read-only": _read_only(plain),
        "fortran": np.asfortranarray(plain),
        "strided": wide[:, 1::2],
        "read-only objects": _read_only(plain.astype(object)),
    }
    for name, X in variants.items():
        est = PoincareEmbedder(**tiny_params).fit(X, sample_weight=_read_only(np.ones(6)))
        np.testing.assert_array_equal(est.embedding_, reference.embedding_, err_msg=name)
        np.testing.assert_array_equal(est.transform(X), reference.transform(plain))
        assert est.score(X) == reference.score(plain)


def test_read_only_sparse_adjacency_works(tiny_params):
    A = sp.csr_matrix(([1.0, 1.0, 1.0], ([1, 2, 3], [0, 0, 1])), shape=(4, 4))
    reference = PoincareEmbedder(**tiny_params).fit(A)
    A.data.flags.writeable = False
    A.indices.flags.writeable = False
    np.testing.assert_array_equal(
        PoincareEmbedder(**tiny_params).fit(A).embedding_, reference.embedding_
    )


def test_metrics_accept_read_only_and_strided_embeddings():
    rng = np.random.RandomState(0)
    embedding = rng.uniform(-0.5, 0.5, size=(6, 3))
    relations = np.array([[1, 0], [2, 0], [3, 1], [4, 2], [5, 2]])
    expected_d = poincare_distances(embedding)
    expected_scores = ranking_scores(embedding, relations)
    wide = np.zeros((6, 6))
    wide[:, ::2] = embedding
    for variant in [_read_only(embedding), np.asfortranarray(embedding), wide[:, ::2]]:
        np.testing.assert_array_equal(poincare_distances(variant), expected_d)
        assert ranking_scores(variant, _read_only(relations)) == expected_scores


# ---------------------------------------------------------- huge labels


def test_huge_string_labels_work_and_messages_stay_short(tiny_params):
    huge = "x" * 1_000_000
    other = "y" * 1_000_000
    est = PoincareEmbedder(**tiny_params).fit([(huge, "root"), ("leaf", huge)])
    np.testing.assert_array_equal(est.transform([huge])[0], _row_of(est, huge))
    assert 0 < est.score([(huge, "root")]) <= 1
    failures = [
        (ValueError, lambda: est.transform([other])),  # unknown label
        (ValueError, lambda: PoincareEmbedder(**tiny_params).fit([(huge, huge)])),  # loop
        (ValueError, lambda: est.score([(huge, huge)])),  # loop
        (ValueError, lambda: ranking_scores(est.embedding_, [(other, huge)],
                                            nodes=est.nodes_)),  # unknown
    ]
    for error, call in failures:
        with pytest.raises(error) as excinfo:
            call()
        assert len(str(excinfo.value)) < 500


def test_a_label_column_given_to_fit_points_to_frozen_estimator(animals, tiny_params):
    # A ColumnTransformer clones and refits its steps: an unfrozen embedder
    # gets the column of labels it should transform as its relations.
    from sklearn.compose import ColumnTransformer
    from sklearn.frozen import FrozenEstimator

    table = np.array([["dog", 30.0], ["cat", 4.0]], dtype=object)
    refitted = ColumnTransformer([("species", PoincareEmbedder(**tiny_params), [0])])
    with pytest.raises(ValueError, match=r"1 feature\(s\).*FrozenEstimator"):
        refitted.fit(table)
    with pytest.raises(ValueError, match=r"1-D array.*FrozenEstimator"):
        PoincareEmbedder(**tiny_params).fit(np.array(["dog", "cat"]))
    frozen = ColumnTransformer([("species", FrozenEstimator(animals), [0])])
    np.testing.assert_array_equal(frozen.fit_transform(table),
                                  animals.transform(["dog", "cat"]))


def test_a_hierarchy_given_as_parent_child_rows_warns(tiny_params):
    from sklpoincare.datasets import load_mammals, make_balanced_tree, make_chain
    from sklpoincare.exceptions import ReversedRelationsWarning

    links = np.asarray(load_mammals(closure=False).data)
    with pytest.warns(ReversedRelationsWarning,
                      match=r"887 nodes have no parent.*only 1 has no child \('mammal.n.01'\)"):
        PoincareEmbedder(**tiny_params).fit(links[:, ::-1])
    closure = np.asarray(transitive_closure(links))
    with pytest.warns(ReversedRelationsWarning, match="swap the columns") as caught:
        PoincareEmbedder(**tiny_params).fit(closure[:, ::-1])
    warning = caught[0].message
    assert str(pickle.loads(pickle.dumps(warning))) == str(warning)
    # as given, and shapes with about as many roots as leaves: no warning
    tree = make_balanced_tree(3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReversedRelationsWarning)
        PoincareEmbedder(**tiny_params).fit(links)
        PoincareEmbedder(**tiny_params).fit(tree)
        PoincareEmbedder(**tiny_params).fit(np.asarray(make_chain(12))[:, ::-1])
        # a graph that is not a hierarchy (closure=False) is not checked
        PoincareEmbedder(closure=False, **tiny_params).fit(links[:, ::-1])


def test_a_table_whose_columns_name_the_parent_first_warns(tiny_params):
    pd = pytest.importorskip("pandas")
    from sklpoincare.exceptions import ReversedRelationsWarning

    rows = {"parent": ["mammal", "mammal", "animal"], "child": ["dog", "cat", "mammal"]}
    with pytest.warns(ReversedRelationsWarning,
                      match="its first column is named 'parent' and its second 'child'"):
        PoincareEmbedder(**tiny_params).fit(pd.DataFrame(rows))
    with pytest.warns(ReversedRelationsWarning, match="'Hypernym' and its second 'hyponym_id'"):
        PoincareEmbedder(**tiny_params).fit(
            pd.DataFrame({"Hypernym": rows["parent"], "hyponym_id": rows["child"]}))
    with pytest.warns(ReversedRelationsWarning, match="'ParentNode' and its second 'children'"):
        PoincareEmbedder(**tiny_params).fit(
            pd.DataFrame({"ParentNode": rows["parent"], "children": rows["child"]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReversedRelationsWarning)
        PoincareEmbedder(**tiny_params).fit(pd.DataFrame(rows)[["child", "parent"]])
        # a word that only contains "parent" names no parent column
        PoincareEmbedder(**tiny_params).fit(
            pd.DataFrame({"grandparent": rows["parent"], "child": rows["child"]})[
                ["child", "grandparent"]])
        PoincareEmbedder(**tiny_params).fit(
            pd.DataFrame({"grandparent": rows["child"], "grandchild": rows["parent"]}))
