"""How many threads an ``n_jobs`` value means (sklpoincare._threads)."""

import numpy as np
import pytest
from joblib import cpu_count, parallel_backend
from sklearn.utils._param_validation import InvalidParameterError

from sklpoincare import PoincareEmbedder
from sklpoincare._threads import n_threads
from sklpoincare.metrics import poincare_distances


def test_n_jobs_none_is_one_thread_whatever_the_joblib_backend(tree, fast_params):
    """joblib's effective_n_jobs(None) follows the active backend; a seeded
    fit must stay reproducible inside joblib or Dask workers."""
    outside = PoincareEmbedder(n_components=4, **fast_params).fit(tree).embedding_
    with parallel_backend("threading", n_jobs=4):
        assert n_threads(None) == 1
        inside = PoincareEmbedder(n_components=4, **fast_params).fit(tree).embedding_
    np.testing.assert_array_equal(inside, outside)
    assert n_threads(-1) >= 1 and n_threads(2) == 2


@pytest.mark.parametrize("n_jobs, expected", [
    (None, 1), (1, 1), (3, 3), (np.int64(2), 2),
    (-1, cpu_count()), (-2, max(cpu_count() - 1, 1)), (-10_000, 1),
])
def test_n_threads_follows_joblibs_convention(n_jobs, expected):
    """A count of threads, or -1 for all cores, -2 for all but one, ...
    never fewer than one."""
    threads = n_threads(n_jobs)
    assert threads == expected and type(threads) is int


@pytest.mark.parametrize("n_jobs", [0, 1.5, True, "2"])
def test_n_threads_rejects_what_is_not_a_non_zero_integer(n_jobs):
    with pytest.raises(ValueError, match=f"n_jobs must be None or a non-zero integer.*{n_jobs!r}"):
        n_threads(n_jobs)


def test_n_jobs_zero_is_rejected_naming_the_parameter(tree):
    with pytest.raises(ValueError, match="'n_jobs' parameter of PoincareEmbedder"):
        PoincareEmbedder(n_jobs=0).fit(tree)


def test_every_n_jobs_takes_the_same_constraint():
    """The estimator and the metrics validate n_jobs alike: -1 and 2 pass,
    0 is named as invalid."""
    X = [[0.1, 0.0], [0.0, 0.2]]
    np.testing.assert_array_equal(poincare_distances(X, n_jobs=-1),
                                  poincare_distances(X, n_jobs=2))
    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter of poincare_distances"):
        poincare_distances(X, n_jobs=0)
