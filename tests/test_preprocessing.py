import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklpoincare.preprocessing import PoincareNormalizer, poincare_normalize


def _reference_projection(X, epsilon):
    """The TF Addons formula, row by row, in plain Python."""
    out = []
    for row in np.asarray(X, dtype=np.float64):
        norm = float(np.sqrt(sum(v * v for v in row)))
        out.append(row * (1 - epsilon) / norm if norm > 1 - epsilon else row)
    return np.array(out)


def _mixed_rows(seed=0):
    """Rows well inside, near and far outside the ball, and a zero row."""
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(40, 5))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    norms = np.concatenate([rng.uniform(0, 0.9, 15), rng.uniform(1.0, 50.0, 15),
                            [1 - 1e-3, 1 - 1e-6, 1.0, 1 + 1e-9, 0.99999, 0.5, 2, 3, 4, 0]])
    return directions * norms[:, None]


@parametrize_with_checks([PoincareNormalizer(), PoincareNormalizer(epsilon=0.1)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("epsilon", [1e-5, 1e-2, 0.5])
def test_matches_the_reference_formula(epsilon):
    X = _mixed_rows()
    expected = _reference_projection(X, epsilon)
    np.testing.assert_allclose(poincare_normalize(X, epsilon=epsilon), expected,
                               rtol=1e-14, atol=0)
    np.testing.assert_allclose(
        PoincareNormalizer(epsilon=epsilon).fit_transform(X), expected, rtol=1e-14, atol=0
    )


def test_rows_inside_are_unchanged_and_rows_outside_land_on_the_radius():
    X = _mixed_rows(1)
    epsilon = 1e-3
    Y = poincare_normalize(X, epsilon=epsilon)
    norms = np.linalg.norm(X, axis=1)
    inside = norms <= 1 - epsilon
    assert inside.any() and (~inside).any()
    np.testing.assert_array_equal(Y[inside], X[inside])
    np.testing.assert_allclose(np.linalg.norm(Y[~inside], axis=1), 1 - epsilon, rtol=1e-14)
    # projection keeps the direction
    cosines = np.einsum("ij,ij->i", Y[~inside], X[~inside]) / (
        np.linalg.norm(Y[~inside], axis=1) * norms[~inside]
    )
    np.testing.assert_allclose(cosines, 1, rtol=1e-14)


def test_zero_rows_stay_zero():
    X = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])
    Y = poincare_normalize(X)
    np.testing.assert_array_equal(Y[0], 0.0)
    assert not np.isnan(Y).any()


def test_huge_and_tiny_entries_do_not_overflow_or_underflow():
    X = np.array([[3e200, 4e200], [3e-200, 4e-200], [1e308, 1e308]])
    Y = poincare_normalize(X, epsilon=0.5)
    np.testing.assert_allclose(Y[0], [0.3, 0.4], rtol=1e-14)
    np.testing.assert_array_equal(Y[1], X[1])
    np.testing.assert_allclose(Y[2], [0.5 / np.sqrt(2)] * 2, rtol=1e-14)


def test_axis_zero_projects_columns():
    X = _mixed_rows(2)
    np.testing.assert_array_equal(poincare_normalize(X.T, axis=0), poincare_normalize(X).T)
    np.testing.assert_array_equal(poincare_normalize(X.T, axis=-2), poincare_normalize(X).T)


def test_tuple_axis_projects_each_slice_over_those_axes():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 3, 2, 5))
    Y = poincare_normalize(X, axis=(1, 3), epsilon=0.01)
    # move the normalised axes last, flatten them: one vector per (i, k)
    flat = np.moveaxis(X, (1, 3), (2, 3)).reshape(4, 2, 15)
    expected = _reference_projection(flat.reshape(-1, 15), 0.01).reshape(4, 2, 3, 5)
    np.testing.assert_allclose(np.moveaxis(Y, (1, 3), (2, 3)).reshape(4, 2, 3, 5),
                               expected, rtol=1e-14)
    np.testing.assert_array_equal(poincare_normalize(X, axis=[1, 3], epsilon=0.01), Y)


def test_one_dimensional_input_with_axis_zero():
    np.testing.assert_allclose(poincare_normalize([3.0, 4.0], axis=0, epsilon=0.5),
                               [0.3, 0.4], rtol=1e-15)


def test_dtype_float32_is_kept_other_input_becomes_float64():
    X = _mixed_rows(4)
    Y32 = poincare_normalize(X.astype(np.float32))
    assert Y32.dtype == np.float32
    np.testing.assert_allclose(Y32, _reference_projection(X.astype(np.float32), 1e-5),
                               rtol=1e-6)
    assert np.linalg.norm(Y32.astype(np.float64), axis=1).max() < 1
    Yint = poincare_normalize(np.array([[3, 4], [0, 0]]))
    assert Yint.dtype == np.float64
    np.testing.assert_allclose(Yint, [[0.6 * (1 - 1e-5), 0.8 * (1 - 1e-5)], [0, 0]])


@pytest.mark.parametrize("epsilon", [1e-5, 1e-7, 1e-8, 1e-12])
def test_float32_rows_stay_inside_the_ball(epsilon):
    # rounding a projected row to float32 can lengthen it by half a float32
    # step: past 1 - epsilon, and onto or past 1 when epsilon is below
    # float32's resolution (2**-24 just below 1), where it acts as 2**-24
    rng = np.random.default_rng(7)
    X = rng.normal(size=(10_000, 5)) * rng.uniform(0.5, 3.0, size=(10_000, 1))
    X = X.astype(np.float32)
    X[0] = [3.0, 4.0, 0.0, 0.0, 0.0]
    radius = 1 - max(epsilon, 2.0**-24)
    expected = poincare_normalize(X.astype(np.float64), epsilon=1 - radius)
    norms_in = np.linalg.norm(X.astype(np.float64), axis=1)
    for Y in (poincare_normalize(X, epsilon=epsilon),
              PoincareNormalizer(epsilon=epsilon).fit_transform(X),
              poincare_normalize(X.T, axis=0, epsilon=epsilon).T):
        assert Y.dtype == np.float32
        norms = np.linalg.norm(Y.astype(np.float64), axis=1)
        assert norms.max() <= radius
        assert np.all(norms.astype(np.float32) < 1)
        np.testing.assert_array_equal(Y[norms_in <= radius], X[norms_in <= radius])
        np.testing.assert_allclose(Y, expected, rtol=2.5e-7)


def test_input_is_not_modified():
    X = _mixed_rows(5)
    before = X.copy()
    poincare_normalize(X)
    PoincareNormalizer().fit_transform(X)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("epsilon", [0, 1, -0.1, 1.5, np.nan, "0.1", 1e-17])
def test_epsilon_outside_open_unit_interval_is_rejected(epsilon):
    # 1e-17: 1 - epsilon would round to 1 in float64, the boundary
    with pytest.raises(InvalidParameterError, match="'epsilon' parameter"):
        poincare_normalize([[1.0, 2.0]], epsilon=epsilon)
    with pytest.raises(InvalidParameterError, match="'epsilon' parameter"):
        PoincareNormalizer(epsilon=epsilon).fit([[1.0, 2.0]])
    # stateless: transform without fit validates too
    with pytest.raises(InvalidParameterError, match="'epsilon' parameter"):
        PoincareNormalizer(epsilon=epsilon).transform([[1.0, 2.0]])


@pytest.mark.parametrize("value, word", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_input_is_rejected(value, word):
    X = [[0.1, value], [0.2, 0.3]]
    with pytest.raises(ValueError, match=word):
        poincare_normalize(X)
    with pytest.raises(ValueError, match=word):
        PoincareNormalizer().fit_transform(X)


@pytest.mark.parametrize(
    "axis, error, message",
    [
        (2, ValueError, "axis 2 is out of bounds for an array of dimension 2"),
        (-3, ValueError, "axis -3 is out of bounds"),
        ((0, -2), ValueError, "same axis more than once"),
        ((), ValueError, "at least one axis"),
        (True, TypeError, "axis must be an int or a tuple of ints"),
        ((0, 1.0), TypeError, "axis must be an int or a tuple of ints"),
    ],
)
def test_bad_axis_is_rejected(axis, error, message):
    with pytest.raises(error, match=message):
        poincare_normalize([[1.0, 2.0]], axis=axis)


def test_transform_without_fit_is_allowed_and_checks_width_after_fit():
    X = _mixed_rows(6)
    np.testing.assert_array_equal(PoincareNormalizer().transform(X), poincare_normalize(X))
    normalizer = PoincareNormalizer().fit(X)
    assert normalizer.n_features_in_ == X.shape[1]
    with pytest.raises(ValueError, match="features"):
        normalizer.transform(X[:, :3])


def test_feature_names_pass_through():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [3.0, 0.1], "b": [4.0, 0.2]})
    normalizer = PoincareNormalizer().fit(frame)
    assert list(normalizer.get_feature_names_out()) == ["a", "b"]


def test_smallest_epsilon_keeps_float64_rows_inside_the_ball():
    Y = poincare_normalize([[3.0, 4.0], [0.6, 0.8]], epsilon=2.0**-53)
    assert np.all(np.linalg.norm(Y, axis=1) < 1.0)
