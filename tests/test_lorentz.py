"""Training in the hyperboloid (Lorentz) model: gradients, steps, conversions."""

import numpy as np
import pytest

from sklpoincare import PoincareEmbedder
from sklpoincare._manifolds import (
    lorentz_to_poincare,
    poincare_to_lorentz,
    spatial_norm_bound,
)
from sklpoincare._sgd_fast import MANIFOLD_CODES, relation_loss_and_gradients, take_step
from sklpoincare.datasets import make_balanced_tree
from sklpoincare.metrics import poincare_distances

LORENTZ = MANIFOLD_CODES["lorentz"]


def _time(x):
    return np.sqrt(1.0 + x @ x)


def _lorentz_distance(x, y):
    """Plain formula arcosh(x0 y0 - <xs, ys>) on spatial parts."""
    return np.arccosh(max(_time(x) * _time(y) - x @ y, 1.0))


def _numpy_loss(spatial, u, targets):
    d = np.array([_lorentz_distance(spatial[u], spatial[t]) for t in targets])
    return d[0] + np.log(np.sum(np.exp(-d)))


def _lorentz_inner(a, b, x):
    """<a, b>_L of two tangent vectors at x given by their spatial parts."""
    a0, b0 = a @ x / _time(x), b @ x / _time(x)
    return a @ b - a0 * b0


def _moved(spatial, row, direction, t):
    """``spatial`` with ``row`` moved along the geodesic of ``direction`` by t."""
    moved = spatial.copy()
    point = moved[row].copy()
    take_step(point, direction, -t, np.inf, LORENTZ)
    moved[row] = point
    return moved


@pytest.mark.parametrize("dim", [2, 5, 10])
@pytest.mark.parametrize("scale", [0.1, 2.0, 30.0])
def test_lorentz_gradients_match_directional_derivatives(dim, scale):
    # For a tangent direction v, d/dt L(exp_x(t v)) at 0 is <grad L, v>_L.
    rng = np.random.RandomState(dim + int(scale))
    spatial = rng.normal(size=(8, dim)) * scale
    targets = np.arange(1, 8, dtype=np.intc)
    loss, grad_u, grad_targets = relation_loss_and_gradients(
        spatial, 0, targets, 1.0, LORENTZ
    )
    np.testing.assert_allclose(loss, _numpy_loss(spatial, 0, targets), rtol=1e-9)
    h = 1e-6
    for row, grad in [(0, grad_u)] + [(t, grad_targets[k]) for k, t in enumerate(targets)]:
        direction = rng.normal(size=dim)
        numeric = (
            _numpy_loss(_moved(spatial, row, direction, h), 0, targets)
            - _numpy_loss(_moved(spatial, row, direction, -h), 0, targets)
        ) / (2 * h)
        expected = _lorentz_inner(grad, direction, spatial[row])
        assert numeric == pytest.approx(expected, rel=1e-5, abs=1e-8)


def test_lorentz_distance_of_nearby_far_points_keeps_precision():
    # Two points at hyperbolic radius 20, at an angle of 1e-10 from the
    # origin: the naive x0 y0 - <xs, ys> cancels ~17 digits away; the
    # kernel's form keeps the distance. Law of cosines for the reference:
    # cosh d = 1 + 2 sinh(r)^2 sin(theta / 2)^2.
    radius, theta = 20.0, 1e-10
    spatial = np.sinh(radius) * np.array(
        [[1.0, 0.0, 0.0], [np.cos(theta), np.sin(theta), 0.0]]
    )
    spatial = np.vstack([spatial, [0.0, 0.0, 1.0]])
    loss, _, _ = relation_loss_and_gradients(
        spatial, 0, np.array([1, 2], dtype=np.intc), 1.0, LORENTZ
    )
    d_near = np.arccosh(1 + 2 * np.sinh(radius) ** 2 * np.sin(theta / 2) ** 2)
    d_far = _lorentz_distance(spatial[0], spatial[2])
    expected = d_near + np.log(np.exp(-d_near) + np.exp(-d_far))
    assert d_near == pytest.approx(0.0243, abs=1e-3)
    assert loss == pytest.approx(expected, rel=1e-9)


def test_lorentz_step_is_exponential_map_along_a_geodesic():
    # Moving a point by t and then by s along the same geodesic lands where
    # a single move by t + s does, and the hyperbolic distance moved is t.
    rng = np.random.RandomState(3)
    x = rng.normal(size=4)
    v = rng.normal(size=4)
    v_len = np.sqrt(_lorentz_inner(v, v, x))
    once = x.copy()
    take_step(once, v / v_len, -1.5, np.inf, LORENTZ)
    assert _lorentz_distance(x, once) == pytest.approx(1.5, rel=1e-12)


@pytest.mark.parametrize("radius", [1.0, 12.0, 18.0, 27.0])
def test_lorentz_step_keeps_its_length_far_out(radius):
    # The unit tangent pointing away from the origin at a point of the given
    # radius has spatial part cosh(r) x_hat; |g|^2 and <g, xs>^2 / x0^2 are
    # then ~cosh(r)^2 (1e15 at r = 18) and differ by exactly 1, which their
    # plain difference loses far out. A step of 1.5 must add 1.5 to the radius.
    direction = np.array([0.6, 0.0, -0.8])
    row = np.sinh(radius) * direction
    take_step(row, np.cosh(radius) * direction, -1.5, np.inf, LORENTZ)
    assert np.arcsinh(np.linalg.norm(row)) == pytest.approx(radius + 1.5, rel=1e-12)
    np.testing.assert_allclose(row / np.linalg.norm(row), direction, rtol=1e-12)


def test_lorentz_step_caps_spatial_norm_and_survives_huge_rates():
    bound = spatial_norm_bound(1 - 1e-5)
    for rate in [1e-3, 1.0, 1e3, 1e12]:
        row = np.array([0.3, -0.2, 0.1])
        take_step(row, np.array([-1.0, 0.5, 0.2]), rate, bound, LORENTZ)
        assert np.all(np.isfinite(row))
        assert np.linalg.norm(row) <= bound * (1 + 1e-12)


def test_conversions_are_inverse_and_isometric():
    rng = np.random.RandomState(0)
    spatial = rng.normal(size=(20, 3)) * rng.uniform(0, 50, size=(20, 1))
    ball = lorentz_to_poincare(spatial)
    assert np.all(np.linalg.norm(ball, axis=1) < 1)
    np.testing.assert_allclose(poincare_to_lorentz(ball), spatial, rtol=1e-6)
    small = spatial[:5] / 50  # well inside, where both formulas are exact
    expected = [[_lorentz_distance(a, b) for b in small] for a in small]
    np.testing.assert_allclose(
        poincare_distances(lorentz_to_poincare(small), lorentz_to_poincare(small)),
        expected, atol=1e-7,
    )


def test_spatial_norm_bound_maps_to_ball_norm():
    for max_norm in [0.5, 1 - 1e-5, 1 - 1e-10]:
        point = np.array([[spatial_norm_bound(max_norm), 0.0]])
        assert np.linalg.norm(lorentz_to_poincare(point)) == pytest.approx(max_norm, rel=1e-12)


def test_lorentz_embedder_gives_ball_points_and_learns_the_tree(tree):
    # more epochs than the shared fast settings: the score is checked
    est = PoincareEmbedder(n_components=5, manifold="lorentz", n_epochs=60, burn_in=10,
                           random_state=0).fit(tree)
    norms = np.linalg.norm(est.embedding_, axis=1)
    assert np.all(norms <= 1 - est.eps + 1e-12)
    assert est.score(tree) > 0.9
    # the root is the most general node: closest to the origin
    root = int(np.flatnonzero(est.nodes_ == 0)[0])
    assert norms[root] == norms.min()


def test_lorentz_embedder_is_deterministic_with_one_thread():
    relations = make_balanced_tree(2, 4)
    fits = [
        PoincareEmbedder(n_components=3, manifold="lorentz", n_epochs=20, burn_in=5,
                         random_state=7).fit(relations).embedding_
        for _ in range(2)
    ]
    np.testing.assert_array_equal(fits[0], fits[1])


def test_callback_sees_ball_coordinates_with_lorentz(small_tree):
    seen = []

    def callback(epoch, loss, embedding, nodes):
        seen.append(np.linalg.norm(embedding, axis=1).max())

    PoincareEmbedder(n_components=2, manifold="lorentz", n_epochs=5, burn_in=1,
                     learning_rate=5.0, random_state=0, callback=callback).fit(small_tree)
    assert len(seen) == 5 and max(seen) < 1


# ------------------------------------------------- the Euclidean baseline

EUCLIDEAN = MANIFOLD_CODES["euclidean"]


def _euclidean_loss(points, u, targets):
    d = np.array([np.sum((points[u] - points[t]) ** 2) for t in targets])
    return d[0] + np.log(np.sum(np.exp(-d)))


def test_euclidean_gradients_match_finite_differences():
    rng = np.random.RandomState(1)
    points = rng.normal(size=(6, 4))
    targets = np.arange(1, 6, dtype=np.intc)
    loss, grad_u, grad_targets = relation_loss_and_gradients(
        points, 0, targets, 1.0, EUCLIDEAN
    )
    assert loss == pytest.approx(_euclidean_loss(points, 0, targets), rel=1e-12)
    h = 1e-6
    for row, grad in [(0, grad_u)] + [(t, grad_targets[k]) for k, t in enumerate(targets)]:
        numeric = np.empty(4)
        for i in range(4):
            plus, minus = points.copy(), points.copy()
            plus[row, i] += h
            minus[row, i] -= h
            numeric[i] = (_euclidean_loss(plus, 0, targets)
                          - _euclidean_loss(minus, 0, targets)) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_euclidean_loss_of_far_points_does_not_underflow():
    # squared distances of ~1e4: every exp(-d) underflows without the shift
    points = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 120.0], [-130.0, 0.0]])
    targets = np.array([1, 2, 3], dtype=np.intc)
    loss, grad_u, _ = relation_loss_and_gradients(points, 0, targets, 1.0, EUCLIDEAN)
    assert np.isfinite(loss) and loss == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.isfinite(grad_u))


def test_euclidean_embedder_scores_with_euclidean_ranking():
    relations = make_balanced_tree(3, 2)
    est = PoincareEmbedder(n_components=4, manifold="euclidean", n_epochs=60,
                           burn_in=10, random_state=0).fit(relations)
    from sklpoincare.metrics import mean_average_precision

    expected = mean_average_precision(est.embedding_, relations, nodes=est.nodes_,
                                      metric="euclidean")
    assert est.score(relations) == pytest.approx(expected)
    assert expected > 0.8


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_tiny_gradient_times_huge_rate_takes_a_finite_step(sign):
    """|g|^2 underflows to 0 while rate^2 overflows: 0 * inf must not make
    a NaN (found by hypothesis: grad 3.8e-293, rate 9.7e293)."""
    bound = spatial_norm_bound(0.5)
    row = np.array([0.0])
    take_step(row, np.array([sign * 3.82651285e-293]), 9.711291512660376e293, bound,
              MANIFOLD_CODES["lorentz"])
    assert np.all(np.isfinite(row))
    assert row[0] == pytest.approx(-sign * bound)  # a step of 37 reaches the bound


def test_subnormal_gradient_times_a_rate_whose_square_overflows():
    """The overflow path rescales by the largest entry, which here is
    subnormal: 1 / largest would overflow (found by hypothesis)."""
    row = np.zeros(2)
    take_step(row, np.array([0.0, 2.22507386e-311]), 1.3407807929942597e154,
              spatial_norm_bound(0.5), MANIFOLD_CODES["lorentz"])
    assert np.all(np.isfinite(row))
