"""scikit-learn's tools around the embedder: model selection, output
containers, pipelines, persistence, Dask and skops."""

import io
import pickle
import subprocess
import sys
import textwrap
from types import MappingProxyType

import joblib
import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree
from sklpoincare.metrics import ranking_scorers


@pytest.fixture(scope="module")
def params(fast_params):
    """The fast settings in 4 dimensions (the column names below count 4)."""
    return MappingProxyType({**fast_params, "n_components": 4})


@pytest.fixture(scope="module")
def cv_params(params):
    """Cross-validation holds out relations of a closure: closure=False keeps
    the training folds from implying them back."""
    return MappingProxyType({**params, "closure": False})


# ------------------------------------------------------------------ tuning


def test_grid_search_uses_the_filtered_score(tree, cv_params):
    search = GridSearchCV(
        PoincareEmbedder(**cv_params),
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
    est = PoincareEmbedder(**{**cv_params, "n_components": 2}).fit(tree[train])
    assert search.cv_results_["split0_test_score"][0] == pytest.approx(
        est.score(tree[test])
    )


def test_multi_metric_search_with_refit(tree, cv_params):
    search = GridSearchCV(
        PoincareEmbedder(**cv_params),
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


def test_grid_search_in_two_processes_matches_one(tree, cv_params):
    grid = {"n_components": [2, 3], "learning_rate": [0.1, 0.3]}
    cv = KFold(3, shuffle=True, random_state=0)
    local = GridSearchCV(PoincareEmbedder(**cv_params), grid, cv=cv).fit(tree)
    parallel = GridSearchCV(PoincareEmbedder(**cv_params), grid, cv=cv, n_jobs=2).fit(tree)
    np.testing.assert_array_equal(
        local.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"]
    )
    assert local.best_params_ == parallel.best_params_


# ------------------------------------------------------- output containers


def test_pandas_output_names_one_and_two_columns(tree, params):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(tree, columns=["hyponym", "hypernym"])
    est = PoincareEmbedder(**params, features="embedding")
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


def test_fit_transform_honours_set_output(tree, params):
    pd = pytest.importorskip("pandas")
    est = PoincareEmbedder(**params, n_landmarks=2).set_output(transform="pandas")
    out = est.fit_transform(tree)
    assert isinstance(out, pd.DataFrame)
    landmarks = [f"gromov_{label}" for label in est.nodes_[np.argsort(est.norms(est.nodes_), kind="stable")[:2]]]
    suffixes = [str(k) for k in range(4)] + landmarks
    assert list(out.columns) == [f"child_{s}" for s in suffixes] + [
        f"parent_{s}" for s in suffixes
    ]


def test_pandas_output_names_a_series_after_its_name(tree, params):
    pd = pytest.importorskip("pandas")
    est = PoincareEmbedder(**params, features="embedding").set_output(transform="pandas")
    est.fit(tree)
    out = est.transform(pd.Series([3, 7], name="species", index=[5, 6]))
    assert list(out.columns) == [f"species_{k}" for k in range(4)]
    assert list(out.index) == [5, 6]
    unnamed = est.transform(pd.Series([3, 7]))
    assert list(unnamed.columns) == [f"node_{k}" for k in range(4)]


def test_global_pandas_output_changes_transform_only(tree, params):
    """set_config(transform_output="pandas") gives frames from transform;
    fit, whose is-a calibration runs a transformer of its own, trains as
    without it."""
    pd = pytest.importorskip("pandas")
    import sklearn

    plain = PoincareEmbedder(**params).fit(tree)
    with sklearn.config_context(transform_output="pandas"):
        est = PoincareEmbedder(**params).fit(tree)
        assert isinstance(est.transform([3, 7]), pd.DataFrame)
    np.testing.assert_array_equal(est.embedding_, plain.embedding_)
    assert est.is_a_score(3, 0) == plain.is_a_score(3, 0)


def test_set_output_rejects_unknown_container():
    with pytest.raises(ValueError, match="transform must be"):
        PoincareEmbedder().set_output(transform="xarray")


# -------------------------------------------------------------- persistence


def test_unfitted_and_fitted_pickle(fitted, tree, params):
    unfitted = pickle.loads(pickle.dumps(PoincareEmbedder(**params)))
    assert unfitted.get_params() == PoincareEmbedder(**params).get_params()
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(tree), fitted.transform(tree))
    assert again.score(tree) == fitted.score(tree)


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
    a, b = np.load(io.BytesIO(out))
    np.testing.assert_array_equal(a, expected)
    np.testing.assert_array_equal(b, expected)


def test_pickle_holds_only_the_fitted_arrays(fitted):
    """No graph scratch (alias tables, child lists) is kept after fit."""
    state = fitted.__getstate__()
    fitted_arrays = {k for k, v in state.items() if k.endswith("_")}
    assert fitted_arrays == {
        "embedding_", "nodes_", "adjacency_", "loss_curve_", "n_iter_",
        "n_features_in_", "is_a_calibration_", "learning_rate_",
    }


def test_clone_of_fitted_is_unfitted(fitted):
    assert not hasattr(clone(fitted), "embedding_")


# ------------------------------------------------------- entity embeddings


@pytest.fixture(scope="module")
def ancestor_task(params):
    """Nodes under 1 or 2 of a 4-ary tree, labelled by which; the relations
    to 1 and 2 are held out of the embedder's training data."""
    tree = make_balanced_tree(4, 3)  # root 0, children 1..4, 85 nodes
    ancestors = {}
    for child, parent in tree:
        ancestors.setdefault(child, set()).add(parent)
    nodes = np.array(sorted(n for n, a in ancestors.items() if len(a & {1, 2}) == 1))
    target = np.array([1 in ancestors[n] for n in nodes])
    hidden = np.isin(tree[:, 1], [1, 2])
    embedder = PoincareEmbedder(**{**params, "n_epochs": 60}).fit(tree[~hidden])
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


# --------------------------------------------------------------------- Dask


def test_grid_search_on_a_local_dask_cluster_matches_the_local_run(tree, fast_params):
    """Hyperparameter search through joblib's dask backend (skipped without
    ``dask.distributed``; the CI installs it)."""
    distributed = pytest.importorskip("dask.distributed")

    def search():
        return GridSearchCV(
            PoincareEmbedder(closure=False, **fast_params),
            {"n_components": [2, 4], "learning_rate": [0.1, 0.3]},
            cv=KFold(5, shuffle=True, random_state=0),
        )

    local = search().fit(tree)
    # two worker processes: estimators, data and fitted models are pickled
    # to the workers and back
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        with parallel_backend("dask"):
            remote = search().set_params(n_jobs=-1).fit(tree)
        assert len(client.scheduler_info()["workers"]) == 2
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(
        remote.best_estimator_.embedding_, local.best_estimator_.embedding_
    )


# -------------------------------------------------------------------- skops

# Safe sharing: a fitted embedder round-trips through skops.io, whose loader
# refuses any type it is not told to trust (unlike pickle). These are the
# types a user must trust to load a fitted embedder; doc/user_guide.rst and
# examples/plot_persistence.py list the same.
SKOPS_TRUSTED = ["scipy.sparse._csr.csr_matrix", "sklpoincare._embedder.PoincareEmbedder"]


@pytest.mark.parametrize(
    "relations",
    [
        make_balanced_tree(2, 3),  # int labels
        [("dog", "canine"), ("canine", "mammal"), ("cat", "mammal")],  # str
        [("dog", 1), (1, "root"), (("pair", 0), "root")],  # mixed, unsortable
    ],
)
@pytest.mark.parametrize("manifold", ["poincare", "lorentz"])
def test_round_trip_through_skops_trusting_only_the_documented_types(relations, manifold,
                                                                     tiny_params):
    sio = pytest.importorskip("skops.io")
    fitted = PoincareEmbedder(
        **{**tiny_params, "n_components": 3, "manifold": manifold}
    ).fit(relations)
    data = sio.dumps(fitted)
    assert sorted(sio.get_untrusted_types(data=data)) == SKOPS_TRUSTED
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.loads(data)
    loaded = sio.loads(data, trusted=SKOPS_TRUSTED)
    np.testing.assert_array_equal(loaded.embedding_, fitted.embedding_)
    assert loaded.nodes_.tolist() == fitted.nodes_.tolist()
    assert [type(n) for n in loaded.nodes_] == [type(n) for n in fitted.nodes_]
    assert (loaded.adjacency_ != fitted.adjacency_).nnz == 0
    assert loaded.get_params() == fitted.get_params()
    column = np.empty(len(fitted.nodes_), dtype=object)
    column[:] = fitted.nodes_.tolist()
    np.testing.assert_array_equal(loaded.transform(column), fitted.transform(column))
    assert loaded.score(relations) == fitted.score(relations)
    # and it keeps training
    loaded.partial_fit(relations)
    assert loaded.n_iter_ == fitted.n_iter_ + 1
