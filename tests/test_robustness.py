"""Numerical robustness: finite results over the whole range of the
parameters, a clear error naming the epoch when training diverges, and
distances near the boundary of the ball checked against mpmath."""

import numpy as np
import pytest

import sklpoincare._embedder as embedder_module
from sklpoincare import PoincareEmbedder
from sklpoincare._ranking_fast import one_minus_squared_norms
from sklpoincare._sgd_fast import relation_loss_and_gradients
from sklpoincare.datasets import load_mammals
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


def _fit_quietly(relations, **params):
    # the grid's own short training: its hundreds of fits stay cheap
    est = PoincareEmbedder(n_epochs=6, burn_in=2, n_negatives=5, random_state=0, **params)
    with np.errstate(all="raise"):  # a NumPy overflow anywhere would surface
        return est.fit(relations)


def _assert_all_finite(est, relations):
    metric = "euclidean" if est.manifold == "euclidean" else "poincare"
    assert np.all(np.isfinite(est.embedding_))
    assert np.all(np.isfinite(est.loss_curve_))
    scores = ranking_scores(est.embedding_, relations, nodes=est.nodes_, metric=metric)
    assert np.all(np.isfinite(scores))
    assert np.isfinite(est.score(relations))
    if metric == "poincare":
        assert np.all(np.linalg.norm(est.embedding_, axis=1) < 1.0)
        assert np.all(np.isfinite(poincare_distances(est.embedding_)))


@pytest.mark.parametrize("manifold", ["poincare", "lorentz"])
def test_hyperbolic_training_stays_finite_over_the_parameter_grid(small_tree, manifold):
    for learning_rate in LEARNING_RATES:
        for eps in EPSILONS:
            for n_components in DIMENSIONS:
                est = _fit_quietly(small_tree, manifold=manifold, learning_rate=learning_rate,
                                   eps=eps, n_components=n_components)
                _assert_all_finite(est, small_tree)
                # the bound is reached, not only respected, at the largest rate
                if learning_rate == LEARNING_RATES[-1] and n_components > 1:
                    assert np.linalg.norm(est.embedding_, axis=1).max() > 1 - 10 * eps


def test_euclidean_training_is_finite_or_stops_naming_the_epoch(small_tree):
    diverged = []
    for learning_rate in LEARNING_RATES:
        for n_components in DIMENSIONS:
            try:
                est = _fit_quietly(small_tree, manifold="euclidean",
                                   learning_rate=learning_rate, n_components=n_components)
            except FloatingPointError as error:
                assert learning_rate > EUCLIDEAN_SAFE_RATE, str(error)
                assert "non-finite at epoch" in str(error)
                diverged.append(learning_rate)
                continue
            _assert_all_finite(est, small_tree)
    assert diverged, "the largest rates are expected to diverge"


def test_real_divergence_names_the_epoch_and_leaves_no_fit(small_tree):
    est = PoincareEmbedder(manifold="euclidean", learning_rate=1e3, n_epochs=30,
                           burn_in=0, n_negatives=5, random_state=0)
    with pytest.raises(FloatingPointError, match=r"non-finite at epoch \d+;.*1000.0"):
        est.fit(small_tree)
    assert not hasattr(est, "embedding_")


@pytest.mark.parametrize("manifold", ["poincare", "lorentz"])
@pytest.mark.parametrize(
    "learning_rate, sample_weight", [(1e200, None), (1.7e308, None), (0.3, 1e300)]
)
def test_absurd_steps_reach_the_bound_not_the_origin(small_tree, manifold, learning_rate,
                                                     sample_weight):
    """A step so long that its squares overflow is projected along its
    direction, like any long step: points end at the bound, as with rate 1e3,
    instead of collapsing to the origin (max_norm / inf = 0) or to NaN."""
    est = PoincareEmbedder(n_components=3, manifold=manifold, learning_rate=learning_rate,
                           n_epochs=4, burn_in=1, n_negatives=5, random_state=0)
    est.fit(small_tree, sample_weight=sample_weight)
    norms = np.linalg.norm(est.embedding_, axis=1)
    assert np.all(np.isfinite(est.loss_curve_))
    assert np.all(norms < 1.0)
    assert norms.min() > 1 - 2 * est.eps


@pytest.mark.parametrize("torn", ["negative", "child"])
def test_a_row_read_outside_the_ball_gives_finite_terms(torn):
    """With threads, a row can be read half written: old coordinates next to
    new ones, outside the ball, where 1 - |x|^2 < 0. Its distance terms
    stay finite (far), not NaN, so training is not stopped by a race."""
    points = np.array([[0.9, 0.0], [0.5, 0.0], [0.3, 0.4]])
    outside = np.array([0.5, 0.95])  # |x| = 1.07
    if torn == "negative":
        points[2] = outside
    else:
        points[0] = outside
    loss, grad_u, grad_targets = relation_loss_and_gradients(
        points, 0, np.array([1, 2], dtype=np.intc))
    assert np.isfinite(loss)
    assert np.all(np.isfinite(grad_u)) and np.all(np.isfinite(grad_targets))


def test_two_threads_train_at_large_rates_without_diverging():
    """Hogwild threads read rows that others are writing: a long step is
    written, then shrunk back into the ball, and in between another thread
    can read a point outside it. Before such reads were floored (_batch.h,
    SKLP_MIN_GAP), most of these fits stopped with a non-finite loss (17 of
    18 at rates 3, 10 and 30 on the mammals); one thread never did."""
    relations = load_mammals().data
    for seed in range(3):
        est = PoincareEmbedder(n_components=10, learning_rate=10.0, n_epochs=60,
                               n_jobs=2, random_state=seed).fit(relations)
        assert np.all(np.isfinite(est.loss_curve_))
        assert np.all(np.linalg.norm(est.embedding_, axis=1) < 1.0)


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
    small_tree, monkeypatch, manifold, poison_loss, what
):
    calls = _poisoned_train_epoch(monkeypatch, 3, poison_loss)
    est = PoincareEmbedder(manifold=manifold, n_epochs=10, burn_in=1, random_state=0)
    with pytest.raises(FloatingPointError, match=f"the {what} became non-finite at epoch 3;"):
        est.fit(small_tree)
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


# --------------------------------------------------- distances near the boundary

# The distance is evaluated from |x - y|^2, which nearby points give exactly
# (their coordinates subtract without rounding), and from 1 - |x|^2 and
# 1 - |y|^2, computed with compensated sums to a few rounding errors of
# their own size. So the relative error of z = 2 |x - y|^2 / (a b) is about
# (n_features + 10) * 1.1e-16, and arcosh(1 + z), whose relative condition
# number is at most 1, adds a few more: RTOL leaves a factor of ~50 for
# n_features <= 10. The plain formula gets ~1.1e-16 / (1 - |x|^2): 5e-7 at
# norm 1 - 1e-10 and 5e-5 at 1 - 1e-12.
RTOL = 1e-13


def _mpmath_distance(mpmath, x, y):
    x = [mpmath.mpf(float(v)) for v in x]
    y = [mpmath.mpf(float(v)) for v in y]
    sq = sum((a - b) ** 2 for a, b in zip(x, y))
    alpha = 1 - sum(v * v for v in x)
    beta = 1 - sum(v * v for v in y)
    return mpmath.acosh(1 + 2 * sq / (alpha * beta))


def _unit_rows(rng, n, dim):
    rows = rng.normal(size=(n, dim))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize("gap", [1e-6, 1e-10, 1e-12])
@pytest.mark.parametrize("dim", [1, 3, 10])
def test_nearby_points_near_the_boundary_match_mpmath(gap, dim):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    rng = np.random.RandomState(dim)
    X = _unit_rows(rng, 8, dim) * (1 - gap)
    # differ only from the 12th decimal place on, or point the other way
    Y = np.vstack([X[:4] + rng.uniform(-1e-12, 1e-12, size=(4, dim)) * (gap / 1e-10),
                   -X[4:]])
    assert np.all(one_minus_squared_norms(Y) > 0)
    D = np.diag(poincare_distances(X, Y))
    expected = np.array([float(_mpmath_distance(mpmath, x, y)) for x, y in zip(X, Y)])
    assert np.all(expected > 0)
    np.testing.assert_allclose(D, expected, rtol=RTOL, atol=0)


def test_one_minus_squared_norm_matches_mpmath_at_every_scale():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    rng = np.random.RandomState(1)
    gaps = np.logspace(-15, -1, 15)
    X = _unit_rows(rng, len(gaps), 4) * (1 - gaps)[:, None]
    got = one_minus_squared_norms(X)
    expected = [float(1 - sum(mpmath.mpf(float(v)) ** 2 for v in x)) for x in X]
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=0)


def test_ball_check_follows_the_exact_norm_not_its_rounding():
    """Points within 3e-17 of the unit sphere: the plain sum of squares says
    the first is outside and the second inside; exactly it is the other
    way round, and the check follows the exact value."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    inside = [0.7252811189042756, 0.2256020157813555, -0.6504391047871823]
    outside = [0.5450168226011499, -0.8348833656178264, -0.07698330271167593]
    for point, is_inside in [(inside, True), (outside, False)]:
        exact = 1 - sum(mpmath.mpf(v) ** 2 for v in point)
        assert (exact > 0) == is_inside
        plain = 0.0
        for v in point:  # left to right in double precision, no fused steps
            plain += v * v
        assert (1 - plain > 0) != is_inside  # the plain sum errs
    D = poincare_distances([inside], [[0.0, 0.0, 0.0]])
    expected = _mpmath_distance(mpmath, inside, [0.0, 0.0, 0.0])
    np.testing.assert_allclose(D[0, 0], float(expected), rtol=RTOL)
    with pytest.raises(ValueError, match="row 0 of X has norm"):
        poincare_distances([outside])


def test_identical_points_are_at_distance_zero_even_at_the_boundary():
    rng = np.random.RandomState(2)
    gaps = np.array([1e-1, 1e-6, 1e-12, 1e-15])
    X = _unit_rows(rng, 4, 3) * (1 - gaps)[:, None]
    np.testing.assert_array_equal(np.diag(poincare_distances(X)), 0.0)
    np.testing.assert_array_equal(np.diag(poincare_distances(X, X.copy())), 0.0)


def test_points_at_the_boundary_are_finite_or_rejected():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    last_below_one = np.nextafter(1.0, 0.0)
    X = np.array([[last_below_one, 0.0], [0.0, -(1 - 1e-15)], [0.0, 0.0]])
    D = poincare_distances(X)
    expected = [[float(_mpmath_distance(mpmath, x, y)) for y in X] for x in X]
    np.testing.assert_allclose(D, expected, rtol=RTOL)
    assert D[0, 2] > 37  # 2 artanh(1 - 1.1e-16)
    with pytest.raises(ValueError, match=r"row 1 of Y has norm 1.0"):
        poincare_distances(X, [[0.0, 0.5], [1.0, 0.0]])
