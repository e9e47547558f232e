"""The geometry objects of _manifolds.py against plain NumPy formulas."""

import numpy as np
import pytest

from sklpoincare._manifolds import (
    EUCLIDEAN,
    LORENTZ,
    MANIFOLDS,
    POINCARE,
    arcosh1p,
    get_geometry,
    lorentz_to_poincare,
    norm_of_radius,
    poincare_radius,
    poincare_to_hyperboloid,
    polar_distances,
    project_into_ball,
    radius_of_norm,
    spatial_norm_bound,
    unit_rows,
)
from sklpoincare._sgd_fast import MANIFOLD_CODES
from _reference import random_ball


def _ball_points(n, dim, seed, max_norm=0.99):
    rng = np.random.default_rng(seed)
    directions = unit_rows(rng.standard_normal((n, dim)))
    return directions * rng.uniform(0, max_norm, n)[:, None]


def _poincare_formula(a, b):
    sq = np.sum((a - b) ** 2, axis=1)
    alpha = 1 - np.sum(a * a, axis=1)
    beta = 1 - np.sum(b * b, axis=1)
    return np.arccosh(1 + 2 * sq / (alpha * beta))


def test_get_geometry_names_each_model_once():
    assert [get_geometry(name) for name in MANIFOLDS] == [POINCARE, LORENTZ, EUCLIDEAN]
    assert [get_geometry(name).name for name in MANIFOLDS] == list(MANIFOLDS)
    assert {g.kernel_code for g in (POINCARE, LORENTZ, EUCLIDEAN)} == set(
        MANIFOLD_CODES.values()
    )
    assert [POINCARE.metric, LORENTZ.metric, EUCLIDEAN.metric] == [
        "poincare", "poincare", "euclidean"
    ]
    assert POINCARE.hyperbolic and LORENTZ.hyperbolic and not EUCLIDEAN.hyperbolic
    for bad in ["hyperbolic", None, ["poincare"]]:
        with pytest.raises(ValueError, match="manifold must be one of"):
            get_geometry(bad)


def test_paired_distances_match_the_formulas():
    a, b = _ball_points(50, 4, 0), _ball_points(50, 4, 1)
    np.testing.assert_allclose(
        POINCARE.paired_distances(a, b), _poincare_formula(a, b), rtol=1e-10
    )
    np.testing.assert_array_equal(
        LORENTZ.paired_distances(a, b), POINCARE.paired_distances(a, b)
    )
    np.testing.assert_allclose(
        EUCLIDEAN.paired_distances(a, b), np.linalg.norm(a - b, axis=1), rtol=1e-15
    )
    assert np.all(POINCARE.paired_distances(a, a) == 0)


@pytest.mark.parametrize("geometry", [POINCARE, EUCLIDEAN])
def test_distances_from_keys_give_the_pairwise_distances(geometry):
    queries, points = _ball_points(7, 3, 2), _ball_points(11, 3, 3)
    sq = np.sum((queries[:, None, :] - points[None, :, :]) ** 2, axis=2)
    keys = sq * geometry.key_scales(points)[None, :]
    expected = np.array([geometry.paired_distances(np.repeat(q[None], 11, 0), points)
                         for q in queries])
    np.testing.assert_allclose(
        geometry.distances_from_keys(queries, keys), expected, rtol=1e-12
    )


def test_arcosh1p_keeps_small_arguments_and_dtype():
    z = np.array([0.0, 1e-20, 1e-8, 1.0, 1e10])
    np.testing.assert_allclose(arcosh1p(z)[2:], np.arccosh(1 + z[2:]), rtol=1e-7)
    np.testing.assert_allclose(arcosh1p(z[:2]), np.sqrt(2 * z[:2]), rtol=1e-15)
    assert arcosh1p(z.astype(np.float32)).dtype == np.float32


def test_radius_and_norm_of_radius_are_inverse():
    norms = np.linspace(0, 1 - 1e-6, 101)
    radius = POINCARE.radius_of_norm(norms)
    np.testing.assert_allclose(radius, 2 * np.arctanh(norms), rtol=1e-15)
    np.testing.assert_allclose(POINCARE.norm_of_radius(radius), norms, rtol=1e-9, atol=0)
    np.testing.assert_array_equal(radius_of_norm(norms), radius)
    np.testing.assert_array_equal(norm_of_radius(radius), POINCARE.norm_of_radius(radius))
    assert np.isfinite(radius_of_norm(np.array([1.0, 2.0]))).all()
    np.testing.assert_array_equal(EUCLIDEAN.radius_of_norm(norms), norms)
    np.testing.assert_array_equal(EUCLIDEAN.norm_of_radius(norms), norms)
    # the accurate radius of points agrees with the one of their norms
    points = _ball_points(20, 3, 4)
    np.testing.assert_allclose(
        poincare_radius(points), radius_of_norm(np.linalg.norm(points, axis=1)),
        rtol=1e-12,
    )


def test_polar_distances_match_the_ball_distance():
    a, b = _ball_points(30, 5, 5), _ball_points(30, 5, 6)
    ra, rb = poincare_radius(a), poincare_radius(b)
    d = polar_distances(ra - rb, ra, rb, unit_rows(a) - unit_rows(b))
    np.testing.assert_allclose(d, _poincare_formula(a, b), rtol=1e-10)


def test_project_into_ball_shrinks_only_the_long_rows():
    X = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0], [0.6, 0.8], [1e200, 1e200]])
    Y = project_into_ball(X, 0.5)
    np.testing.assert_array_equal(Y[1:3], X[1:3])
    np.testing.assert_allclose(np.linalg.norm(Y[[0, 3, 4]], axis=1), 0.5, rtol=1e-15)
    np.testing.assert_allclose(Y[4], [0.5 / np.sqrt(2)] * 2, rtol=1e-15)
    np.testing.assert_array_equal(project_into_ball(X, np.inf), X)
    np.testing.assert_array_equal(project_into_ball(X.T, 0.5, axis=0), Y.T)
    # the same ops as training's projection: x * (max_norm / |x|)
    np.testing.assert_array_equal(Y[0], X[0] * (0.5 / np.linalg.norm(X[0])))
    assert project_into_ball(X[:4].astype(np.float32), 0.5).dtype == np.float32


@pytest.mark.parametrize("geometry", [POINCARE, LORENTZ, EUCLIDEAN])
def test_training_coordinates_round_trip_and_respect_the_bound(geometry):
    points = _ball_points(40, 3, 7, max_norm=1 - 1e-6)
    coordinates = geometry.to_training(points)
    np.testing.assert_allclose(geometry.from_training(coordinates), points, rtol=1e-9)
    projected = geometry.project(coordinates * 10, 1e-3)
    bound = geometry.norm_bound(1e-3)
    assert np.all(np.linalg.norm(projected, axis=1) <= bound * (1 + 1e-15))
    ball = geometry.from_training(projected)
    if geometry.hyperbolic:
        assert np.all(np.linalg.norm(ball, axis=1) <= (1 - 1e-3) * (1 + 1e-12))
    else:
        assert bound == np.inf
        np.testing.assert_array_equal(projected, coordinates * 10)


def test_lorentz_bound_is_the_ball_bound():
    assert LORENTZ.norm_bound(1e-5) == spatial_norm_bound(1 - 1e-5)
    edge = np.array([[LORENTZ.norm_bound(1e-5), 0.0]])
    np.testing.assert_allclose(lorentz_to_poincare(edge)[0, 0], 1 - 1e-5, rtol=1e-12)
    # the hyperboloid coordinates of a ball point sit on the hyperboloid
    full = poincare_to_hyperboloid(_ball_points(10, 3, 8))
    np.testing.assert_allclose(full[:, 0] ** 2 - np.sum(full[:, 1:] ** 2, axis=1), 1,
                               rtol=1e-9)


def test_is_a_scores_are_zero_for_a_parent_at_the_origin():
    geometry = get_geometry("poincare")
    points = random_ball(np.random.RandomState(0), 20, 5, max_norm=0.999)
    np.testing.assert_allclose(geometry.is_a_scores(points, np.zeros_like(points)), 0.0,
                               atol=1e-12)


@pytest.mark.parametrize("name", ["poincare", "lorentz"])
def test_ball_is_a_scores_are_the_general_formula_bit_for_bit(name):
    # the ball's version shares 1 - |x|^2 between its two distances; the
    # calibration of a fit must not depend on which one ran
    from sklpoincare._manifolds import _Model

    geometry = get_geometry(name)
    rng = np.random.RandomState(0)
    points = random_ball(rng, 500, 5, max_norm=1 - 1e-8)
    parents = random_ball(rng, 500, 5, max_norm=1 - 1e-8)
    parents[:50] = 0.0
    np.testing.assert_array_equal(geometry.is_a_scores(points, parents),
                                  _Model.is_a_scores(geometry, points, parents))
