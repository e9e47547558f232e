"""PoincareEmbedder: fitting, transform, score, and the scikit-learn contracts."""

import pickle
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklpoincare import PoincareEmbedder
from sklpoincare._initialization import order_radii
from sklpoincare._relations import check_relations
from sklpoincare.hierarchy import close_graph
from sklpoincare.metrics import mean_average_precision, ranking_scores

def _named(relations):
    """The same relations with string labels."""
    return np.array([[f"n{c}", f"n{p}"] for c, p in relations], dtype=object)


# ----------------------------------------------------------------- quality


def test_small_tree_is_reconstructed(tree):
    est = PoincareEmbedder(n_components=5, n_epochs=100, burn_in=20, random_state=0)
    est.fit(tree)
    scores = ranking_scores(est.embedding_, tree, nodes=est.nodes_)
    assert scores.mean_average_precision > 0.95
    assert scores.mean_rank < 1.2
    assert est.score(tree) == pytest.approx(scores.mean_average_precision)


def test_root_is_the_most_general_point(tree):
    est = PoincareEmbedder(n_components=5, n_epochs=100, burn_in=20, random_state=0)
    est.fit(tree)
    norms = np.linalg.norm(est.embedding_, axis=1)
    depth = np.bincount(tree[:, 0], minlength=40)  # number of ancestors
    root = list(est.nodes_).index(0)
    assert norms[root] == norms.min()
    # deeper nodes lie farther out, on average
    mean_norm = [norms[depth == d].mean() for d in range(4)]
    assert mean_norm == sorted(mean_norm)


def test_loss_decreases(fitted, tree, fast_params):
    curve = fitted.loss_curve_  # from the hierarchical layout (5 dimensions)
    assert len(curve) == fitted.n_iter_ == fast_params["n_epochs"]
    assert np.all(np.isfinite(curve))
    assert curve[-1] < curve[0]
    # from random points the loss has much further to fall
    curve = PoincareEmbedder(init="random", **fast_params).fit(tree).loss_curve_
    assert curve[-1] < 0.5 * curve[0]


# -------------------------------------------------------- fitted attributes


def test_embedding_rows_are_strictly_inside_the_ball(fitted):
    norms = np.linalg.norm(fitted.embedding_, axis=1)
    assert np.all(norms <= 1 - fitted.eps + 1e-12)
    assert fitted.embedding_.shape == (40, 5)


@pytest.mark.parametrize("learning_rate", [1e-4, 10.0, 1e3])
def test_extreme_learning_rates_stay_finite_and_inside(tree, learning_rate, fast_params):
    est = PoincareEmbedder(n_components=3, learning_rate=learning_rate, **fast_params)
    est.fit(tree)
    assert np.all(np.isfinite(est.embedding_))
    assert np.all(np.isfinite(est.loss_curve_))
    assert np.all(np.linalg.norm(est.embedding_, axis=1) < 1.0)


def test_nodes_are_sorted_labels(tree, fitted, fast_params):
    np.testing.assert_array_equal(fitted.nodes_, np.arange(40))
    est = PoincareEmbedder(n_components=2, **fast_params).fit(_named(tree))
    assert list(est.nodes_) == sorted(f"n{i}" for i in range(40))


def test_fit_is_deterministic_with_a_seed(tree, fast_params):
    a = PoincareEmbedder(n_components=4, **fast_params).fit(tree).embedding_
    b = PoincareEmbedder(n_components=4, **fast_params).fit(tree).embedding_
    c = PoincareEmbedder(n_components=4, **{**fast_params, "random_state": 1}).fit(tree)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c.embedding_)


def test_multithreaded_fit_gives_a_valid_embedding(tree, fast_params):
    est = PoincareEmbedder(n_components=4, n_jobs=2, **fast_params).fit(tree)
    assert np.all(np.linalg.norm(est.embedding_, axis=1) < 1.0)
    assert est.score(tree) > 0.8


# ------------------------------------------------------------ input forms


def test_list_of_tuples_and_string_labels_equal_int_array(tree, fast_params):
    """Label order is the same (sorted), so the fits are identical."""
    ints = PoincareEmbedder(n_components=3, **fast_params).fit(tree)
    # zero-padded names sort like the integers
    tuples = [(f"n{c:02d}", f"n{p:02d}") for c, p in tree]
    named = PoincareEmbedder(n_components=3, **fast_params).fit(tuples)
    np.testing.assert_array_equal(ints.embedding_, named.embedding_)


def test_sparse_adjacency_equals_relation_list(tree, fast_params):
    adjacency = sp.csr_matrix(
        (np.ones(len(tree)), (tree[:, 0], tree[:, 1])), shape=(40, 40)
    )
    dense = PoincareEmbedder(n_components=3, **fast_params).fit(tree)
    sparse = PoincareEmbedder(n_components=3, **fast_params).fit(adjacency)
    np.testing.assert_array_equal(dense.embedding_, sparse.embedding_)
    np.testing.assert_array_equal(sparse.nodes_, np.arange(40))


def test_sparse_adjacency_keeps_isolated_nodes(fast_params):
    adjacency = sp.coo_matrix(([1.0], ([1], [0])), shape=(4, 4))
    est = PoincareEmbedder(n_components=2, **fast_params).fit(adjacency)
    assert est.embedding_.shape == (4, 2)


def test_dataframe_input_sets_feature_names(tree, fast_params):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"hyponym": tree[:, 0], "hypernym": tree[:, 1], "note": "x"}
    )
    est = PoincareEmbedder(n_components=2, **fast_params).fit(frame)
    np.testing.assert_array_equal(est.feature_names_in_, ["hyponym", "hypernym"])
    assert est.n_features_in_ == 2
    names = est.get_feature_names_out()
    assert list(names[:2]) == ["hyponym_0", "hyponym_1"]
    assert names[len(names) // 2] == "hypernym_0"
    assert est.transform(frame[["hyponym", "hypernym"]]).shape == (len(tree), len(names))
    plain = PoincareEmbedder(n_components=2, **fast_params).fit(tree)
    np.testing.assert_array_equal(plain.embedding_, est.embedding_)
    assert not hasattr(plain, "feature_names_in_")


def test_mixed_type_labels_are_distinct_nodes(fast_params):
    relations = [("1", 1), (1, "root"), ("1", "root"), (2.5, "root")]
    est = PoincareEmbedder(n_components=2, **fast_params).fit(relations)
    assert len(est.nodes_) == 4
    assert est.transform(["1"]).tolist() != est.transform([1]).tolist()


def test_duplicate_relations_count_once(tree, fast_params):
    once = PoincareEmbedder(n_components=3, **fast_params).fit(tree)
    twice = PoincareEmbedder(n_components=3, **fast_params).fit(np.vstack([tree, tree[::-1]]))
    np.testing.assert_array_equal(once.embedding_, twice.embedding_)


def test_sample_weight_scales_the_gradient(tree, fast_params):
    """Weight 2 at half the learning rate takes exactly the same steps."""
    base = PoincareEmbedder(n_components=3, learning_rate=0.4, **fast_params)
    doubled = clone(base).set_params(learning_rate=0.2)
    base.fit(tree)
    doubled.fit(tree, sample_weight=np.full(len(tree), 2.0))
    np.testing.assert_array_equal(base.embedding_, doubled.embedding_)
    np.testing.assert_allclose(base.loss_curve_, doubled.loss_curve_)


@pytest.mark.parametrize("n_components, manifold, init, rate", [
    (4, "poincare", "auto", 1.0),
    (2, "lorentz", "auto", 1.0),
    (1, "poincare", "auto", 0.3),  # "auto" starts at random in 1 dimension
    (3, "poincare", "auto", 1.0),
    (4, "poincare", "random", 0.3),
    (4, "euclidean", "auto", 0.3),
])
def test_auto_learning_rate_is_larger_from_the_hierarchy(tree, fast_params, n_components,
                                                         manifold, init, rate):
    params = dict(n_components=n_components, manifold=manifold, init=init, **fast_params)
    auto = PoincareEmbedder(**params).fit(tree)
    assert auto.learning_rate_ == rate
    explicit = PoincareEmbedder(learning_rate=rate, **params).fit(tree)
    assert explicit.learning_rate_ == rate
    np.testing.assert_array_equal(auto.embedding_, explicit.embedding_)


def test_zero_weight_relations_are_not_learned(tree, fast_params):
    leaves = tree[:, 0] >= 13
    weights = np.where(leaves, 0.0, 1.0)
    # from random points: the layout would place the leaves from the
    # relations alone, weights or not
    est = PoincareEmbedder(n_components=3, init="random", **fast_params)
    est.fit(tree, sample_weight=weights)
    full = PoincareEmbedder(n_components=3, init="random", **fast_params).fit(tree)
    assert est.score(tree[leaves]) < full.score(tree[leaves]) - 0.2


# ---------------------------------------------------------------- transform


@pytest.mark.parametrize(
    "features, width",
    [("embedding", 5), ("tangent", 5), ("hyperboloid", 6), ("landmarks", 5 + 4)],
)
def test_transform_shapes(fitted, tree, features, width):
    est = clone(fitted).set_params(features=features, n_landmarks=4)
    est.embedding_, est.nodes_ = fitted.embedding_, fitted.nodes_
    assert est.transform([0, 1, 2]).shape == (3, width)
    assert est.transform(np.array([[0], [1]])).shape == (2, width)
    out = est.transform(tree)
    assert out.shape == (len(tree), 2 * width)
    # each label column is the block of its own node
    np.testing.assert_array_equal(out[:1, width:], est.transform([tree[0, 1]]))
    assert len(est.get_feature_names_out()) == out.shape[1]
    assert len(est.get_feature_names_out(["species"])) == width


def test_fit_transform_equals_fit_then_transform(tree, fast_params):
    est = PoincareEmbedder(n_components=3, **fast_params)
    np.testing.assert_array_equal(
        est.fit_transform(tree), clone(est).fit(tree).transform(tree)
    )


def test_unknown_labels_raise_naming_them(fitted):
    with pytest.raises(ValueError, match="unknown.*'zebra'"):
        fitted.transform(np.array(["zebra", 0], dtype=object))


@pytest.mark.parametrize("features", ["embedding", "tangent", "hyperboloid", "landmarks"])
def test_unknown_labels_map_to_the_origin_when_ignored(tree, features, fast_params):
    est = PoincareEmbedder(
        n_components=3, handle_unknown="ignore", features=features, **fast_params
    ).fit(tree)
    out = est.transform(np.array([999, 0]))
    np.testing.assert_array_equal(out[0], est._node_features(np.zeros((1, 3)))[0])
    assert np.any(out[1] != out[0])


@pytest.mark.parametrize("method", ["transform", "score", "get_feature_names_out"])
def test_methods_need_fit(method, tree):
    with pytest.raises(NotFittedError):
        args = () if method == "get_feature_names_out" else (tree,)
        getattr(PoincareEmbedder(), method)(*args)


# -------------------------------------------------------------------- score


def test_score_matches_the_metric(fitted, tree):
    expected = mean_average_precision(fitted.embedding_, tree, nodes=fitted.nodes_)
    assert fitted.score(tree) == pytest.approx(expected)


def test_score_ranks_unknown_labels_last(fitted, tree):
    with_unknown = np.vstack([tree, [[0, 999]], [[998, 0]]])
    assert fitted.score(with_unknown) < fitted.score(tree)


# --------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "relations, match",
    [
        ([("a", "b"), ("c", "c")], "self-loop.*row 1.*'c'"),
        ([("a", None)], r"missing.*row\(s\) 0"),
        (np.array([[1.0, np.nan]]), r"missing.*row\(s\) 0"),
        (np.array([["a", "b", "c"]]), "3 feature"),
        (np.array([["a"]]), "1 feature"),
        (np.empty((0, 2)), "no relations"),
    ],
)
def test_bad_relations_get_clear_errors(relations, match, fast_params):
    with pytest.raises(ValueError, match=match):
        PoincareEmbedder(**fast_params).fit(relations)


def test_unhashable_labels_get_a_type_error(fast_params):
    relations = np.empty((1, 2), dtype=object)
    relations[0, 0], relations[0, 1] = ["a"], "b"
    with pytest.raises(TypeError, match="not hashable"):
        PoincareEmbedder(**fast_params).fit(relations)


@pytest.mark.parametrize(
    "weights, match",
    [([1.0, -1.0], "non-negative"), ([1.0, np.nan], "finite"), ([1.0], "2 relations"),
     ([0.0, 0.0], "zero")],
)
def test_bad_sample_weight_gets_clear_errors(weights, match, fast_params):
    with pytest.raises(ValueError, match=match):
        PoincareEmbedder(**fast_params).fit([("a", "b"), ("b", "c")], sample_weight=weights)


@pytest.mark.parametrize(
    "params",
    [{"n_components": 0}, {"n_epochs": 0}, {"learning_rate": -1.0}, {"eps": 1.0},
     {"init_range": 0.0}, {"n_init": 0}, {"n_negatives": 0}, {"burn_in": -1},
     {"handle_unknown": "skip"}],
)
def test_parameters_are_validated_in_fit(params, tree):
    est = PoincareEmbedder(**params)  # stored as given
    assert est.get_params()[next(iter(params))] == next(iter(params.values()))
    with pytest.raises(ValueError, match=next(iter(params))):
        est.fit(tree)


# ------------------------------------------------------ sklearn integration


def test_pickle_round_trip_keeps_transform(fitted, tree):
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(tree), fitted.transform(tree))


def test_clone_is_unfitted_with_same_params(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "embedding_")


def test_callback_sees_every_epoch_and_can_stop(tree, fast_params):
    seen = []

    def record(epoch, loss, embedding, nodes):
        seen.append((epoch, loss, embedding.copy()))
        assert not embedding.flags.writeable
        assert len(nodes) == embedding.shape[0] == 40
        return epoch == 7

    est = PoincareEmbedder(n_components=3, callback=record, **fast_params).fit(tree)
    assert [epoch for epoch, _, _ in seen] == list(range(1, 8))
    assert est.n_iter_ == len(est.loss_curve_) == 7
    assert [loss for _, loss, _ in seen] == est.loss_curve_
    # the fitted embedding is the last one seen, its radii then put in order
    last = seen[-1][2]
    graph, _ = check_relations(tree)
    order_radii(last, close_graph(graph)[0], 1 - est.eps)
    np.testing.assert_array_equal(last, est.embedding_)


def test_callback_epochs_are_their_places_in_the_loss_curve(tree, tiny_params):
    """A warm start and partial_fit count on from the fitted epochs."""
    seen = []
    est = PoincareEmbedder(**tiny_params, warm_start=True,
                           callback=lambda epoch, *_: seen.append(epoch))
    est.fit(tree).fit(tree).partial_fit(tree)
    assert seen == list(range(1, len(est.loss_curve_) + 1)) == list(range(1, 10))


def test_a_fit_in_other_dimensions_says_how_to_start_afresh(tree, tiny_params):
    est = PoincareEmbedder(**tiny_params, warm_start=True).fit(tree)
    est.set_params(n_components=3)
    for method in (est.fit, est.partial_fit):
        with pytest.raises(ValueError, match="to start afresh, call fit with warm_start=False"):
            method(tree)


def test_failed_fit_leaves_no_fitted_state(tree, fast_params):
    def explode(epoch, loss, embedding, nodes):
        raise RuntimeError("stop here")

    est = PoincareEmbedder(n_components=2, callback=explode, **fast_params)
    with pytest.raises(RuntimeError, match="stop here"):
        est.fit(tree)
    with pytest.raises(NotFittedError):
        est.transform([0])


def test_tags_say_what_is_true():
    from sklearn.utils import get_tags

    assert not get_tags(PoincareEmbedder()).non_deterministic
    assert not get_tags(PoincareEmbedder(n_jobs=1)).non_deterministic
    assert get_tags(PoincareEmbedder(n_jobs=2)).non_deterministic
    tags = get_tags(PoincareEmbedder())
    assert tags.input_tags.two_d_array and tags.input_tags.sparse
    assert tags.input_tags.string and not tags.input_tags.allow_nan
    assert tags.requires_fit


# ------------------------------------------------------- interrupting a fit

# Ctrl-C during a long fit: it stops within an epoch, and the estimator is
# left as it was before the call (unfitted, or with its previous fit), never
# half-written.
_CHILD = textwrap.dedent(
    """
    import signal
    import sys
    import numpy as np
    from sklpoincare import PoincareEmbedder
    from sklpoincare.datasets import make_balanced_tree

    # a shell without job control starts background commands with SIGINT
    # ignored, and Python then keeps it ignored: restore Ctrl-C's default
    signal.signal(signal.SIGINT, signal.default_int_handler)
    tree = make_balanced_tree(4, 6)  # 5,461 nodes, ~25k relations
    est = PoincareEmbedder(n_components=5, n_epochs=3, burn_in=1, random_state=0)
    if sys.argv[1] == "refit":
        est.fit(tree)
        before = est.embedding_.copy()
    last = [0]

    def report(epoch, loss, embedding, nodes):
        last[0] = epoch
        print("epoch", epoch, flush=True)

    est.set_params(n_epochs=100_000, callback=report)
    try:
        est.fit(tree)
    except KeyboardInterrupt:
        fitted = hasattr(est, "embedding_")
        same = fitted and sys.argv[1] == "refit" and np.array_equal(est.embedding_, before)
        print("interrupted after epoch", last[0], "fitted", fitted, "same", same, flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is a POSIX signal")
@pytest.mark.parametrize("mode", ["fresh", "refit"])
def test_ctrl_c_stops_within_an_epoch_and_leaves_no_half_fit(mode):
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, mode], stdout=subprocess.PIPE, text=True
    )
    try:
        for line in child.stdout:
            if line.startswith("epoch") and int(line.split()[1]) >= 2:
                child.send_signal(signal.SIGINT)
                interrupted_at = int(line.split()[1])
                break
        rest = child.stdout.read().split("\n")
        child.wait(timeout=60)
    finally:
        child.kill()
    summary = [line for line in rest if line.startswith("interrupted")]
    assert summary, f"the fit did not stop on SIGINT: {rest[-3:]}"
    words = summary[0].split()
    # the epoch running when the signal came may finish, no more
    assert int(words[3]) <= interrupted_at + 1
    if mode == "fresh":
        assert words[5] == "False"  # never fitted: no fitted attribute at all
    else:
        assert words[5] == "True" and words[7] == "True"  # the previous fit, intact


def test_integer_labels_keep_an_integer_nodes_dtype(fast_params):
    pairs = [(1, 0), (2, 0), (3, 1), (4, 1), (5, 2)]
    est = PoincareEmbedder(n_components=3, **fast_params).fit(pairs)
    assert est.nodes_.dtype == np.int64
    assert est.nodes_.tolist() == [0, 1, 2, 3, 4, 5]
    # the same fit as from an integer array
    as_array = PoincareEmbedder(n_components=3, **fast_params).fit(np.array(pairs))
    np.testing.assert_array_equal(as_array.embedding_, est.embedding_)
    np.testing.assert_array_equal(as_array.nodes_, est.nodes_)
    # labels look up alike as Python ints, NumPy ints of any width or a list
    rows = est.transform(np.array([[3], [0]], dtype=np.int32))
    np.testing.assert_array_equal(est.transform([3, 0]), rows)
    assert est.transform([np.int64(3), 0]).tolist() == rows.tolist()
    with pytest.raises(ValueError, match="unknown to the fitted embedder"):
        est.transform(["3"])  # a str is not the integer label
    # queries answer with the labels as Python ints
    assert est.ancestors(3) == [1, 0]
    assert all(type(label) is int for label in est.ancestors(3))
    assert est.closest_more_general([4])[0] in (0, 1)
    assert est.score(pairs) == pytest.approx(est.score(np.array(pairs)))
    # bool labels, or ints beyond int64, stay objects
    assert PoincareEmbedder(n_components=2, **fast_params).fit([(True, False)]).nodes_.dtype == object
    big = PoincareEmbedder(n_components=2, **fast_params).fit([(2**70, 1)])
    assert big.nodes_.dtype == object and big.nodes_.tolist() == [1, 2**70]
    # and the fitted estimator pickles with its integer nodes
    back = pickle.loads(pickle.dumps(est))
    assert back.nodes_.dtype == np.int64
    np.testing.assert_array_equal(back.transform([3, 0]), rows)


@pytest.mark.parametrize("closure", [False, True])
def test_implied_ancestors_are_never_negatives(monkeypatch, closure, fast_params):
    """Without the closure, training still does not push a node away from
    the ancestors its relations imply."""
    import sklpoincare._embedder as embedder_module

    seen = []
    real = embedder_module.train_epoch

    def spy(embedding, children, parents, weights, order, indptr, indices, *args, **kwargs):
        seen.append((np.asarray(indptr).copy(), np.asarray(indices).copy()))
        return real(embedding, children, parents, weights, order, indptr, indices,
                    *args, **kwargs)

    monkeypatch.setattr(embedder_module, "train_epoch", spy)
    chain = [("d", "c"), ("c", "b"), ("b", "a")]
    est = PoincareEmbedder(n_components=2, **fast_params, closure=closure).fit(chain)
    assert est.adjacency_.nnz == (6 if closure else 3)  # trained as given
    ids = {label: i for i, label in enumerate(est.nodes_)}
    indptr, indices = seen[0]
    excluded = {
        label: {est.nodes_[j] for j in indices[indptr[i] : indptr[i + 1]]}
        for label, i in ids.items()
    }
    assert excluded == {"a": set(), "b": {"a"}, "c": {"a", "b"}, "d": {"a", "b", "c"}}


def test_a_graph_with_a_cycle_excludes_what_is_above(fast_params):
    cycle = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
    est = PoincareEmbedder(n_components=2, **fast_params, closure=False).fit(cycle)
    assert np.isfinite(est.embedding_).all()
    from sklpoincare._relations import check_relations

    graph, _ = check_relations(np.array(cycle, dtype=object))
    indptr, indices = est._not_negatives(*est._training_graph(graph))
    # d is below a, b and c; a node on the cycle is below the other two and
    # above them too, so only its own parent is left out of its negatives
    assert [len(indices[indptr[i] : indptr[i + 1]]) for i in range(4)] == [1, 1, 1, 3]


def test_an_undirected_graph_keeps_its_negatives(fast_params):
    # Each link both ways: followed through the cycles, every node reaches
    # every other. Leaving all of them out of the negatives left nothing to
    # push apart, and every point collapsed onto the origin.
    ring = [(f"n{i}", f"n{(i + 1) % 30}") for i in range(30)]
    links = ring + [(parent, child) for child, parent in ring]
    est = PoincareEmbedder(n_components=2, **fast_params, closure=False).fit(links)
    from sklpoincare._relations import check_relations

    graph, _ = check_relations(np.array(links, dtype=object))
    indptr, _ = est._not_negatives(*est._training_graph(graph))
    assert np.diff(indptr).tolist() == [2] * 30  # its two neighbours
    assert np.linalg.norm(est.embedding_, axis=1).min() > 0.1


def test_a_hierarchy_with_a_reversed_pair_is_laid_out_in_its_order(fast_params):
    # closure=False keeps the reversed pair, and with it a cycle; the layout
    # breaks the cycle against the reversed pair instead of hanging the root
    # below a leaf
    from itertools import combinations

    from sklpoincare._relations import check_relations

    closure = [(a, b) for a, b in combinations("edcba", 2)] + [("f", "b"), ("g", "f")]
    relations = closure + [("a", "e")]  # the root a made a child of the leaf e
    est = PoincareEmbedder(n_components=3, **fast_params, closure=False).fit(relations)
    assert est.learning_rate_ == 1.0  # auto laid it out
    graph, _ = check_relations(np.array(relations, dtype=object))
    graph, ancestors = est._training_graph(graph)
    kind, start = est._fresh_start(graph, np.random.RandomState(0), ancestors)
    assert kind == "hierarchy"
    norms = dict(zip(graph.nodes, np.linalg.norm(start, axis=1)))
    assert norms["a"] < norms["b"] < norms["c"] < norms["d"] < norms["e"]


def test_auto_starts_at_random_where_breaking_the_cycles_drops_many_relations(fast_params):
    from itertools import combinations

    closure = [(a, b) for a, b in combinations("edcba", 2)]
    both_ways = closure + [(b, a) for a, b in closure[:3]]  # breaking keeps 9 of 13
    params = {**fast_params, "learning_rate": "auto"}
    est = PoincareEmbedder(n_components=3, **params, closure=False).fit(both_ways)
    assert est.learning_rate_ == 0.3


@pytest.mark.parametrize("init, starts_random", [("auto", True), ("hierarchy", False)])
def test_auto_starts_a_graph_with_a_cycle_at_random(fast_params, init, starts_random):
    cycle = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
    params = {**fast_params, "learning_rate": "auto", "init": init}
    est = PoincareEmbedder(n_components=2, **params, closure=False).fit(cycle)
    # learning_rate="auto" resolves to the random start's rate
    assert (est.learning_rate_ == 0.3) == starts_random
    tree = [("b", "a"), ("c", "a"), ("d", "b")]
    assert PoincareEmbedder(n_components=2, **params, closure=False).fit(tree).learning_rate_ == 1.0
@pytest.mark.parametrize("init, built", [("hierarchy", False), ("random", True)])
def test_burn_in_table_is_built_only_for_burn_in(monkeypatch, init, built):
    # a hierarchical start has no burn-in, so no degree table (seconds on
    # 10 million nodes) is built for it
    from sklpoincare import _embedder

    calls = []
    real = _embedder.alias_table
    monkeypatch.setattr(_embedder, "alias_table", lambda p: calls.append(p) or real(p))
    relations = [("b", "a"), ("c", "a"), ("d", "b")]
    PoincareEmbedder(n_components=4, n_epochs=3, burn_in=1, init=init, random_state=0).fit(
        relations
    )
    assert len(calls) == int(built)


def test_auto_starts_at_random_where_most_nodes_have_several_parents(fast_params):
    # every node of a level below two of the level above: the layout follows
    # one parent per node, and a random start ranks better (from 3
    # dimensions; the plane's wedges keep the layout)
    levels = [[f"{depth}-{i}" for i in range(6)] for depth in range(4)]
    links = [(child, above[(i + k) % 6]) for upper, lower in zip(levels, levels[1:])
             for i, child in enumerate(lower) for k in (0, 1) for above in [upper]]
    params = {**fast_params, "learning_rate": "auto"}
    assert PoincareEmbedder(n_components=3, **params).fit(links).learning_rate_ == 0.3
    assert PoincareEmbedder(n_components=2, **params).fit(links).learning_rate_ == 1.0
    laid_out = PoincareEmbedder(n_components=3, init="hierarchy", **params).fit(links)
    assert laid_out.learning_rate_ == 1.0
    # a tree with a few nodes under two parents keeps the layout
    tree = [(f"c{i}", f"p{i % 3}") for i in range(12)] + [("c0", "p1")]
    assert PoincareEmbedder(n_components=3, **params).fit(tree).learning_rate_ == 1.0
