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


def _epochs_drawn(monkeypatch, relations, **params):
    """The (order, seed) of every epoch a fit runs."""
    import sklpoincare._embedder as embedder_module
    from sklpoincare._sgd_fast import train_epoch

    drawn = []

    def spy(embedding, children, parents, weights, order, *args, seed, **kwargs):
        drawn.append((np.array(order), seed))
        return train_epoch(embedding, children, parents, weights, order, *args,
                           seed=seed, **kwargs)

    monkeypatch.setattr(embedder_module, "train_epoch", spy)
    PoincareEmbedder(**params).fit(relations)
    return drawn


def test_threads_draw_each_epochs_order_and_seed_as_one_thread_does(
    monkeypatch, tree, fast_params
):
    # with several threads the next epoch's shuffle is drawn during the
    # current one (a background thread): the stream of draws must not move
    one = _epochs_drawn(monkeypatch, tree, n_components=4, n_jobs=1, **fast_params)
    two = _epochs_drawn(monkeypatch, tree, n_components=4, n_jobs=2, **fast_params)
    assert len(one) == len(two) == fast_params["n_epochs"]
    for (order_1, seed_1), (order_2, seed_2) in zip(one, two):
        np.testing.assert_array_equal(order_1, order_2)
        assert seed_1 == seed_2 and order_1.dtype == np.int32


def test_threads_stop_early_from_the_callback_with_a_shuffle_drawn_ahead(tree, fast_params):
    seen = []
    est = PoincareEmbedder(n_components=4, n_jobs=2, callback=lambda epoch, *_: (
        seen.append(epoch) or epoch == 3), **fast_params).fit(tree)
    assert seen == [1, 2, 3] and len(est.loss_curve_) == 3
