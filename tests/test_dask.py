"""Hyperparameter search on a Dask cluster through joblib's dask backend.

Skipped when ``dask.distributed`` is not installed (the CI installs it).
"""

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV, KFold

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree

distributed = pytest.importorskip("dask.distributed")


def _search():
    return GridSearchCV(
        PoincareEmbedder(
            n_epochs=30, burn_in=10, n_negatives=10, closure=False, random_state=0
        ),
        {"n_components": [2, 4], "learning_rate": [0.1, 0.3]},
        cv=KFold(5, shuffle=True, random_state=0),
    )


def test_grid_search_on_a_local_dask_cluster_matches_the_local_run():
    tree = make_balanced_tree(3, 3)
    local = _search().fit(tree)
    # two worker processes: estimators, data and fitted models are pickled
    # to the workers and back
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        with parallel_backend("dask"):
            remote = _search().set_params(n_jobs=-1).fit(tree)
        assert len(client.scheduler_info()["workers"]) == 2
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(
        remote.best_estimator_.embedding_, local.best_estimator_.embedding_
    )
