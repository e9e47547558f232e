"""The scikit-learn integration of issue 5: filtered link-prediction score and
scorers, model selection, output containers, continued training, persistence.
"""

import pickle
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree
from sklpoincare.metrics import (
    make_hits_at_k_scorer,
    mean_average_precision_scorer,
    neg_mean_rank_scorer,
    poincare_distances,
    ranking_scorers,
    ranking_scores,
)

FAST = dict(n_components=4, n_epochs=30, burn_in=10, n_negatives=10, random_state=0)


@pytest.fixture(scope="module")
def tree():
    """Closure of a 3-ary tree of depth 3: 40 nodes, 102 relations."""
    return make_balanced_tree(3, 3)


@pytest.fixture(scope="module")
def split(tree):
    """A train / held-out split of the relations (every node in training)."""
    rng = np.random.RandomState(0)
    held = np.zeros(len(tree), dtype=bool)
    held[rng.choice(len(tree), 25, replace=False)] = True
    train, test = tree[~held], tree[held]
    assert set(np.unique(train)) == set(range(40))
    return train, test


@pytest.fixture(scope="module")
def fitted(split):
    # held-out relations must not be implied by the training ones
    return PoincareEmbedder(**FAST, closure=False).fit(split[0])


def _naive_filtered(embedding, train, test):
    """Ranks and APs, filtered, from the plain definition, child by child."""
    distances = poincare_distances(embedding)
    known = {}
    for c, p in train:
        known.setdefault(c, set()).add(p)
    positives = {}
    for c, p in test:
        positives.setdefault(c, set()).add(p)
    ranks, aps = [], []
    for child, parents in sorted(positives.items()):
        excluded = known.get(child, set()) - parents
        candidates = [
            v for v in range(len(embedding)) if v != child and v not in excluded
        ]
        d = distances[child, candidates]
        is_parent = np.array([v in parents for v in candidates])
        aps.append(average_precision_score(is_parent, -d))
        for p in parents:
            ranks.append(1 + np.sum(d[~is_parent] < distances[child, p]))
    return np.array(ranks, dtype=float), np.array(aps)


# ------------------------------------------------------------ filtered score


def test_score_is_the_filtered_map_of_held_out_relations(fitted, split):
    train, test = split
    ranks, aps = _naive_filtered(fitted.embedding_, train, test)
    assert fitted.score(test) == pytest.approx(aps.mean(), rel=1e-12)
    assert neg_mean_rank_scorer(fitted, test) == pytest.approx(-ranks.mean(), rel=1e-12)
    assert mean_average_precision_scorer(fitted, test) == fitted.score(test)
    for k in (1, 3):
        assert make_hits_at_k_scorer(k)(fitted, test) == pytest.approx(np.mean(ranks <= k))


def test_filtering_only_removes_training_parents(fitted, split):
    """Unfiltered ranking counts the training parents against the held-out
    ones, so it can only be worse, and it is on this split."""
    train, test = split
    unfiltered = ranking_scores(fitted.embedding_, test, nodes=fitted.nodes_)
    assert fitted.score(test) > unfiltered.mean_average_precision
    assert -neg_mean_rank_scorer(fitted, test) < unfiltered.mean_rank


def test_score_on_training_relations_is_the_reconstruction_map(fitted, split):
    train = split[0]
    expected = ranking_scores(fitted.embedding_, train, nodes=fitted.nodes_)
    assert fitted.score(train) == pytest.approx(expected.mean_average_precision)
    assert -neg_mean_rank_scorer(fitted, train) == pytest.approx(expected.mean_rank)


def test_unseen_node_counts_as_ranked_last(fitted, split):
    test = split[1]
    n_nodes = len(fitted.nodes_)
    ghost_child = np.array([[99, 0]])
    assert -neg_mean_rank_scorer(fitted, ghost_child) == n_nodes
    assert fitted.score(ghost_child) == 0.0
    with_ghost = np.vstack([test, ghost_child])
    assert fitted.score(with_ghost) < fitted.score(test)


def test_hits_at_k_rejects_bad_k():
    for k in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="k must be an integer >= 1"):
            make_hits_at_k_scorer(k)


def test_hits_at_k_scorer_is_a_deprecated_alias(fitted, split):
    from sklpoincare.metrics import hits_at_k_scorer

    test = split[1]
    with pytest.warns(FutureWarning, match="renamed make_hits_at_k_scorer"):
        scorer = hits_at_k_scorer(3)
    assert repr(scorer) == "<sklpoincare scorer hits_at_3>"
    assert scorer(fitted, test) == make_hits_at_k_scorer(3)(fitted, test)


# ------------------------------------------------------------------ tuning


# Cross-validation holds out relations of a closure: closure=False keeps the
# training folds from implying them back.
CV_FAST = {**FAST, "closure": False}


def test_grid_search_uses_the_filtered_score(tree):
    search = GridSearchCV(
        PoincareEmbedder(**CV_FAST),
        {"n_components": [2, 4]},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    search.fit(tree)
    assert search.best_params_["n_components"] in (2, 4)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert 0 < search.best_score_ <= 1
    # the reported fold scores are the estimator's filtered score
    folds = list(KFold(3, shuffle=True, random_state=0).split(tree))
    train, test = folds[0]
    est = PoincareEmbedder(**{**CV_FAST, "n_components": 2}).fit(tree[train])
    assert search.cv_results_["split0_test_score"][0] == pytest.approx(
        est.score(tree[test])
    )


def test_multi_metric_search_with_refit(tree):
    search = GridSearchCV(
        PoincareEmbedder(**CV_FAST),
        {"learning_rate": [0.1, 0.3]},
        scoring=ranking_scorers(k=3),
        refit="neg_mean_rank",
        cv=KFold(3, shuffle=True, random_state=0),
    )
    search.fit(tree)
    results = search.cv_results_
    for name in ("mean_average_precision", "neg_mean_rank", "hits_at_3"):
        assert np.all(np.isfinite(results[f"mean_test_{name}"]))
    assert np.all(results["mean_test_neg_mean_rank"] <= -1)
    best = np.argmax(results["mean_test_neg_mean_rank"])
    assert search.best_params_ == results["params"][best]
    assert hasattr(search.best_estimator_, "embedding_")


def test_grid_search_in_two_processes_matches_one(tree):
    grid = {"n_components": [2, 3], "learning_rate": [0.1, 0.3]}
    cv = KFold(3, shuffle=True, random_state=0)
    local = GridSearchCV(PoincareEmbedder(**CV_FAST), grid, cv=cv).fit(tree)
    parallel = GridSearchCV(PoincareEmbedder(**CV_FAST), grid, cv=cv, n_jobs=2).fit(tree)
    np.testing.assert_array_equal(
        local.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"]
    )
    assert local.best_params_ == parallel.best_params_


def test_scorers_work_with_cross_val_score(tree):
    scores = cross_val_score(
        PoincareEmbedder(**FAST), tree, cv=KFold(3, shuffle=True, random_state=0),
        scoring=make_hits_at_k_scorer(5),
    )
    assert scores.shape == (3,)
    assert np.all((scores >= 0) & (scores <= 1))


# ------------------------------------------------------- output containers


def test_pandas_output_names_one_and_two_columns(tree):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(tree, columns=["hyponym", "hypernym"])
    est = PoincareEmbedder(**FAST, features="embedding")
    est.set_output(transform="pandas").fit(frame)
    np.testing.assert_array_equal(est.feature_names_in_, ["hyponym", "hypernym"])

    both = est.transform(frame)
    assert list(both.columns) == [f"hyponym_{k}" for k in range(4)] + [
        f"hypernym_{k}" for k in range(4)
    ]
    assert list(both.columns) == list(est.get_feature_names_out())
    np.testing.assert_array_equal(both.index, frame.index)

    one = est.transform(pd.DataFrame({"species": [3, 7]}, index=[10, 11]))
    assert list(one.columns) == [f"species_{k}" for k in range(4)]
    assert list(one.index) == [10, 11]
    np.testing.assert_array_equal(one.to_numpy(), est.embedding_[[3, 7]])

    unnamed = est.transform(np.array([3, 7]))
    assert list(unnamed.columns) == [f"node_{k}" for k in range(4)]
    pairs = est.transform(tree[:3])  # an array of relations: fit's names
    assert list(pairs.columns) == list(est.get_feature_names_out())

    est.set_output(transform="default")
    assert isinstance(est.transform(np.array([3, 7])), np.ndarray)


def test_fit_transform_honours_set_output(tree):
    pd = pytest.importorskip("pandas")
    est = PoincareEmbedder(**FAST, n_landmarks=2).set_output(transform="pandas")
    out = est.fit_transform(tree)
    assert isinstance(out, pd.DataFrame)
    landmarks = [f"gromov_{label}" for label in est.nodes_[np.argsort(est.norms(est.nodes_), kind="stable")[:2]]]
    suffixes = [str(k) for k in range(4)] + landmarks
    assert list(out.columns) == [f"child_{s}" for s in suffixes] + [
        f"parent_{s}" for s in suffixes
    ]


def test_set_output_rejects_unknown_container():
    with pytest.raises(ValueError, match="transform must be"):
        PoincareEmbedder().set_output(transform="xarray")


# ------------------------------------------------------ continued training


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


def test_partial_fit_from_scratch_equals_running_epochs(tree):
    est = PoincareEmbedder(**{**FAST, "burn_in": 2})
    for _ in range(5):
        est.partial_fit(tree)
    assert est.n_iter_ == 5 and len(est.loss_curve_) == 5
    assert np.all(np.linalg.norm(est.embedding_, axis=1) < 1)
    assert est.loss_curve_[-1] < est.loss_curve_[0]


@pytest.mark.parametrize("manifold", ["poincare", "lorentz", "euclidean"])
def test_warm_start_continues_from_the_embedding(tree, manifold):
    params = {**FAST, "manifold": manifold}
    est = PoincareEmbedder(**params, warm_start=True).fit(tree)
    first = est.embedding_.copy()
    est.set_params(learning_rate=1e-9).fit(tree)  # hardly moves
    np.testing.assert_allclose(est.embedding_, first, atol=1e-6)
    assert est.n_iter_ == 2 * FAST["n_epochs"] == len(est.loss_curve_)
    cold = PoincareEmbedder(**params).fit(tree)
    cold.set_params(learning_rate=1e-9).fit(tree)  # starts afresh
    assert np.abs(cold.embedding_ - first).max() > 1e-3


def test_warm_start_with_other_dimension_is_an_error(tree):
    est = PoincareEmbedder(**FAST, warm_start=True).fit(tree)
    with pytest.raises(ValueError, match="n_components is 3 but the fitted"):
        est.set_params(n_components=3).fit(tree)


def test_partial_fit_with_new_label_types_keeps_old_rows(tree):
    named = [(f"n{c:02d}", f"n{p:02d}") for c, p in tree]
    est = PoincareEmbedder(**FAST, features="embedding").fit(named)
    old = est.transform(["n05", "n00"])
    est.set_params(learning_rate=1e-9).partial_fit([("extra", "n00")])
    assert "extra" in set(est.nodes_)
    np.testing.assert_allclose(est.transform(["n05", "n00"]), old, atol=1e-6)


# -------------------------------------------------------------- persistence


def test_unfitted_and_fitted_pickle(fitted, split):
    unfitted = pickle.loads(pickle.dumps(PoincareEmbedder(**FAST)))
    assert unfitted.get_params() == PoincareEmbedder(**FAST).get_params()
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(split[1]), fitted.transform(split[1]))
    assert again.score(split[1]) == fitted.score(split[1])


def test_pickle_and_joblib_round_trip_in_a_fresh_process(fitted, tmp_path):
    labels = np.array([0, 5, 17, 39])
    expected = fitted.transform(labels)
    pickle_path, joblib_path = tmp_path / "model.pkl", tmp_path / "model.joblib"
    pickle_path.write_bytes(pickle.dumps(fitted))
    joblib.dump(fitted, joblib_path)
    script = textwrap.dedent(
        f"""
        import pickle, sys
        import joblib, numpy as np
        labels = np.array({labels.tolist()})
        a = pickle.loads(open({str(pickle_path)!r}, "rb").read()).transform(labels)
        b = joblib.load({str(joblib_path)!r}).transform(labels)
        np.save(sys.stdout.buffer, np.stack([a, b]))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True
    ).stdout
    import io

    a, b = np.load(io.BytesIO(out))
    np.testing.assert_array_equal(a, expected)
    np.testing.assert_array_equal(b, expected)


def test_pickle_holds_only_the_fitted_arrays(fitted):
    """No graph scratch (alias tables, child lists) is kept after fit."""
    state = fitted.__getstate__()
    fitted_arrays = {k for k, v in state.items() if k.endswith("_")}
    assert fitted_arrays == {
        "embedding_", "nodes_", "adjacency_", "loss_curve_", "n_iter_",
        "n_features_in_",
    }


def test_clone_of_fitted_is_unfitted(fitted):
    assert not hasattr(clone(fitted), "embedding_")


# ------------------------------------------------------- entity embeddings


@pytest.fixture(scope="module")
def ancestor_task():
    """Nodes under 1 or 2 of a 4-ary tree, labelled by which; the relations
    to 1 and 2 are held out of the embedder's training data."""
    tree = make_balanced_tree(4, 3)  # root 0, children 1..4, 85 nodes
    ancestors = {}
    for child, parent in tree:
        ancestors.setdefault(child, set()).add(parent)
    nodes = np.array(sorted(n for n, a in ancestors.items() if len(a & {1, 2}) == 1))
    target = np.array([1 in ancestors[n] for n in nodes])
    hidden = np.isin(tree[:, 1], [1, 2])
    embedder = PoincareEmbedder(**{**FAST, "n_epochs": 60}).fit(tree[~hidden])
    return nodes, target, embedder


def test_frozen_embedder_in_a_pipeline_beats_one_hot(ancestor_task):
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    nodes, target, embedder = ancestor_task
    before = embedder.embedding_.copy()
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    poincare = cross_val_score(
        make_pipeline(FrozenEstimator(embedder), LogisticRegression()), nodes, target, cv=cv
    )
    one_hot = cross_val_score(
        make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression()),
        nodes.reshape(-1, 1), target, cv=cv,
    )
    # one-hot knows nothing of a node it did not see: it predicts the
    # majority class; the embedding places the node next to its relatives
    assert one_hot.mean() < 0.6
    assert poincare.mean() >= 0.85
    np.testing.assert_array_equal(embedder.embedding_, before)  # frozen: not refitted


def test_column_transformer_with_pandas_output(ancestor_task):
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    nodes, target, embedder = ancestor_task
    table = pd.DataFrame({"node": nodes, "noise": np.random.RandomState(0).rand(len(nodes))})
    columns = ColumnTransformer([
        ("emb", FrozenEstimator(embedder), ["node"]),
        ("num", StandardScaler(), ["noise"]),
    ])
    model = make_pipeline(columns, LogisticRegression()).set_output(transform="pandas")
    model.fit(table, target)
    features = model[0].transform(table)
    names = [f"emb__{name}" for name in embedder.get_feature_names_out(["node"])]
    assert list(features.columns) == names + ["num__noise"]
    np.testing.assert_array_equal(
        features.iloc[:, : len(names)].to_numpy(), embedder.transform(nodes)
    )
    assert model.score(table, target) >= 0.85


# ------------------------------------------------------------------ threads


def test_n_jobs_none_is_one_thread_whatever_the_joblib_backend(tree):
    """joblib's effective_n_jobs(None) follows the active backend; a seeded
    fit must stay reproducible inside joblib or Dask workers."""
    from joblib import parallel_backend

    from sklpoincare._threads import n_threads

    outside = PoincareEmbedder(**FAST).fit(tree).embedding_
    with parallel_backend("threading", n_jobs=4):
        assert n_threads(None) == 1
        inside = PoincareEmbedder(**FAST).fit(tree).embedding_
    np.testing.assert_array_equal(inside, outside)
    assert n_threads(-1) >= 1 and n_threads(2) == 2


def test_n_jobs_zero_is_rejected_naming_the_parameter(tree):
    with pytest.raises(ValueError, match="'n_jobs' parameter of PoincareEmbedder"):
        PoincareEmbedder(n_jobs=0).fit(tree)


def test_tags_say_what_is_true():
    from sklearn.utils import get_tags

    assert not get_tags(PoincareEmbedder()).non_deterministic
    assert not get_tags(PoincareEmbedder(n_jobs=1)).non_deterministic
    assert get_tags(PoincareEmbedder(n_jobs=2)).non_deterministic
    tags = get_tags(PoincareEmbedder())
    assert tags.input_tags.two_d_array and tags.input_tags.sparse
    assert tags.input_tags.string and not tags.input_tags.allow_nan
    assert tags.requires_fit


def test_pandas_output_names_a_series_after_its_name(tree):
    pd = pytest.importorskip("pandas")
    est = PoincareEmbedder(**FAST, features="embedding").set_output(transform="pandas")
    est.fit(tree)
    out = est.transform(pd.Series([3, 7], name="species", index=[5, 6]))
    assert list(out.columns) == [f"species_{k}" for k in range(4)]
    assert list(out.index) == [5, 6]
    unnamed = est.transform(pd.Series([3, 7]))
    assert list(unnamed.columns) == [f"node_{k}" for k in range(4)]
