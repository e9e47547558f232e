"""Numerical robustness: finite results over the whole range of the
parameters, a clear error naming the epoch when training diverges."""

import numpy as np
import pytest

import sklpoincare._embedder as embedder_module
from sklpoincare import PoincareEmbedder
from sklpoincare._sgd_fast import relation_loss_and_gradients
from sklpoincare.datasets import make_balanced_tree
from sklpoincare.metrics import poincare_distances, ranking_scores

LEARNING_RATES = np.logspace(-4, 3, 8)  # 1e-4, 1e-3, ..., 1e3
EPSILONS = [1e-12, 1e-9, 1e-5, 1e-1]
DIMENSIONS = [1, 2, 10, 200]
# Plain SGD on squared Euclidean distances overshoots once a step moves a
# point by more than its distance to the target: from learning_rate ~ 1/2 on
# it can grow without bound, so the Euclidean baseline either stays finite
# or stops with the divergence error. The hyperbolic models never diverge:
# their points are kept inside the ball.
EUCLIDEAN_SAFE_RATE = 1.0


@pytest.fixture(scope="module")
def tree():
    """Closure of a binary tree of depth 3: 15 nodes, 34 relations."""
    return make_balanced_tree(2, 3)


def _fit_quietly(tree, **params):
    est = PoincareEmbedder(n_epochs=6, burn_in=2, n_negatives=5, random_state=0, **params)
    with np.errstate(all="raise"):  # a NumPy overflow anywhere would surface
        return est.fit(tree)


def _assert_all_finite(est, tree):
    metric = "euclidean" if est.manifold == "euclidean" else "poincare"
    assert np.all(np.isfinite(est.embedding_))
    assert np.all(np.isfinite(est.loss_curve_))
    scores = ranking_scores(est.embedding_, tree, nodes=est.nodes_, metric=metric)
    assert np.all(np.isfinite(scores))
    assert np.isfinite(est.score(tree))
    if metric == "poincare":
        assert np.all(np.linalg.norm(est.embedding_, axis=1) < 1.0)
        assert np.all(np.isfinite(poincare_distances(est.embedding_)))


@pytest.mark.parametrize("manifold", ["poincare", "lorentz"])
def test_hyperbolic_training_stays_finite_over_the_parameter_grid(tree, manifold):
    for learning_rate in LEARNING_RATES:
        for eps in EPSILONS:
            for n_components in DIMENSIONS:
                est = _fit_quietly(tree, manifold=manifold, learning_rate=learning_rate,
                                   eps=eps, n_components=n_components)
                _assert_all_finite(est, tree)
                # the bound is reached, not only respected, at the largest rate
                if learning_rate == LEARNING_RATES[-1] and n_components > 1:
                    assert np.linalg.norm(est.embedding_, axis=1).max() > 1 - 10 * eps


def test_euclidean_training_is_finite_or_stops_naming_the_epoch(tree):
    diverged = []
    for learning_rate in LEARNING_RATES:
        for n_components in DIMENSIONS:
            try:
                est = _fit_quietly(tree, manifold="euclidean",
                                   learning_rate=learning_rate, n_components=n_components)
            except FloatingPointError as error:
                assert learning_rate > EUCLIDEAN_SAFE_RATE, str(error)
                assert "non-finite at epoch" in str(error)
                diverged.append(learning_rate)
                continue
            _assert_all_finite(est, tree)
    assert diverged, "the largest rates are expected to diverge"


def test_real_divergence_names_the_epoch_and_leaves_no_fit(tree):
    est = PoincareEmbedder(manifold="euclidean", learning_rate=1e3, n_epochs=30,
                           burn_in=0, n_negatives=5, random_state=0)
    with pytest.raises(FloatingPointError, match=r"non-finite at epoch \d+;.*1000.0"):
        est.fit(tree)
    assert not hasattr(est, "embedding_")


def _poisoned_train_epoch(monkeypatch, bad_epoch, poison_loss):
    """Wrap the real kernel; at ``bad_epoch`` make the loss or a coordinate NaN."""
    real = embedder_module.train_epoch
    calls = []

    def train_epoch(embedding, *args, **kwargs):
        loss = real(embedding, *args, **kwargs)
        calls.append(loss)
        if len(calls) == bad_epoch:
            if poison_loss:
                return float("nan")
            embedding[3, 0] = np.nan  # as if the epoch's last step overflowed
        return loss

    monkeypatch.setattr(embedder_module, "train_epoch", train_epoch)
    return calls


@pytest.mark.parametrize("manifold", ["poincare", "lorentz", "euclidean"])
@pytest.mark.parametrize("poison_loss, what", [(True, "loss"), (False, "embedding")])
def test_non_finite_loss_or_embedding_stops_naming_the_epoch(
    tree, monkeypatch, manifold, poison_loss, what
):
    calls = _poisoned_train_epoch(monkeypatch, 3, poison_loss)
    est = PoincareEmbedder(manifold=manifold, n_epochs=10, burn_in=1, random_state=0)
    with pytest.raises(FloatingPointError, match=f"the {what} became non-finite at epoch 3;"):
        est.fit(tree)
    assert len(calls) == 3  # stopped there, not at the end
    assert not hasattr(est, "embedding_") and not hasattr(est, "loss_curve_")


def test_loss_and_gradients_at_the_eps_bound_are_finite():
    rng = np.random.RandomState(0)
    direction = rng.normal(size=(6, 5))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    embedding = direction * (1 - 1e-12)
    embedding[5] = embedding[0]  # a negative on top of the child
    loss, grad_u, grad_targets = relation_loss_and_gradients(
        embedding, 0, np.arange(1, 6, dtype=np.intc)
    )
    assert np.isfinite(loss) and loss > 0
    assert np.all(np.isfinite(grad_u)) and np.all(np.isfinite(grad_targets))
