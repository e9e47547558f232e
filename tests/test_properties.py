"""Property-based tests (hypothesis): the geometry and the label handling hold
for arbitrary inputs, not only for the examples of the other test files."""

import pickle

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

from sklpoincare import PoincareEmbedder  # noqa: E402
from sklpoincare._manifolds import spatial_norm_bound  # noqa: E402
from sklpoincare._ranking_fast import one_minus_squared_norms  # noqa: E402
from sklpoincare._relations import check_relations, lookup_labels  # noqa: E402
from sklpoincare._sgd_fast import (  # noqa: E402
    MANIFOLD_CODES,
    relation_loss_and_gradients,
    take_step,
)
from sklpoincare.metrics import poincare_distances  # noqa: E402

# deadline=None: the first call of a kernel may be slow; few examples keep
# the whole file at a few seconds.
EXAMPLES = settings(max_examples=50, deadline=None)
SLOW_EXAMPLES = settings(max_examples=20, deadline=None)

# Norms from the origin to 1 - 1e-12 (the smallest eps), with the ends of
# the range, which hypothesis favours, included.
NEAR_BOUNDARY = st.floats(0.0, 1.0 - 1e-12)
MODERATE = st.floats(0.0, 0.9)


@st.composite
def ball_points(draw, n, dim=None, radii=NEAR_BOUNDARY):
    """``n`` points of the open unit ball in ``dim`` (drawn if None) dimensions."""
    dim = draw(st.integers(1, 6)) if dim is None else dim
    directions = draw(arrays(np.float64, (n, dim), elements=st.floats(-1.0, 1.0)))
    norms = np.linalg.norm(directions, axis=1, keepdims=True)
    radius = draw(arrays(np.float64, (n, 1), elements=radii))
    with np.errstate(invalid="ignore", divide="ignore"):
        points = np.where(norms > 0, directions / norms * radius, 0.0)
    assume(np.all(one_minus_squared_norms(points) > 0))
    return points


# ------------------------------------------------------------------ distances


@EXAMPLES
@given(ball_points(6))
def test_distances_are_symmetric_non_negative_and_zero_on_the_diagonal(X):
    D = poincare_distances(X)
    assert np.all(np.isfinite(D)) and np.all(D >= 0)
    np.testing.assert_array_equal(D, D.T)
    np.testing.assert_array_equal(np.diag(D), 0.0)
    np.testing.assert_array_equal(poincare_distances(X, X[::-1]), D[:, ::-1])


@EXAMPLES
@given(ball_points(3))
def test_triangle_inequality(X):
    D = poincare_distances(X)
    # each distance is accurate to ~1e-15 relative (test_robustness.py)
    for i, j, k in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        assert D[i, k] <= (D[i, j] + D[j, k]) * (1 + 1e-12) + 1e-300


def _mobius_add(a, b):
    """Möbius addition a ⊕ b of the Poincaré ball (gyrovector formula)."""
    ab, a2, b2 = a @ b, a @ a, b @ b
    return ((1 + 2 * ab + b2) * a + (1 - a2) * b) / (1 + 2 * ab + a2 * b2)


@EXAMPLES
@given(st.integers(1, 5).flatmap(
    lambda dim: st.tuples(ball_points(4, dim, MODERATE), ball_points(1, dim, MODERATE))
))
def test_distances_are_invariant_under_a_mobius_translation(points_and_shift):
    """x -> (-a) ⊕ x is an isometry of the ball that moves a to the origin.

    Norms up to 0.9 keep the images at norm <= 0.995, where evaluating the
    translation in double precision moves a distance by ~1e-12 at most."""
    X, (a,) = points_and_shift
    translated = np.array([_mobius_add(-a, x) for x in X])
    np.testing.assert_allclose(_mobius_add(-a, a), 0.0, atol=1e-15)
    np.testing.assert_allclose(
        poincare_distances(translated), poincare_distances(X), rtol=1e-9, atol=1e-10
    )


# --------------------------------------------------------------- projection


@EXAMPLES
@given(
    data=st.data(),
    eps=st.floats(1e-12, 0.5),
    learning_rate=st.floats(1e-4, 1e300),
    manifold=st.sampled_from(["poincare", "lorentz"]),
)
def test_a_step_never_leaves_the_ball(data, eps, learning_rate, manifold):
    (row,) = data.draw(ball_points(1, radii=st.floats(0.0, 1.0 - eps)))
    grad = data.draw(arrays(np.float64, row.shape, elements=st.floats(-1e300, 1e300)))
    max_norm = 1.0 - eps
    if manifold == "lorentz":
        # the spatial part of hyperboloid points that map to ball norm 1 - eps
        max_norm = spatial_norm_bound(max_norm)
        row = row * (2.0 / one_minus_squared_norms(row[None, :])[0])
    take_step(row, grad, learning_rate, max_norm, MANIFOLD_CODES[manifold])
    assert np.all(np.isfinite(row))
    assert np.linalg.norm(row) <= max_norm * (1 + 1e-14)
    largest = np.max(np.abs(grad))
    if manifold == "poincare" and largest > 1e20 / learning_rate:
        # a step this long dwarfs the old point: the result is the point of
        # the bound in the direction of -grad, not the origin
        direction = -grad / largest
        direction /= np.linalg.norm(direction)
        assert row @ direction >= max_norm * (1 - 1e-9)


# ---------------------------------------------------------------- gradients


def _mp_loss(mpmath, rows):
    """The loss of relation (u = rows[0], parent rows[1], negatives rows[2:])."""
    u = rows[0]
    alpha = 1 - sum(v * v for v in u)
    d = []
    for t in rows[1:]:
        sq = sum((a - b) ** 2 for a, b in zip(u, t))
        beta = 1 - sum(v * v for v in t)
        d.append(mpmath.acosh(1 + 2 * sq / (alpha * beta)))
    return d[0] + mpmath.log(sum(mpmath.exp(-dk) for dk in d)), d


@SLOW_EXAMPLES
@given(st.integers(1, 4).flatmap(lambda dim: ball_points(4, dim, st.floats(0.0, 1 - 1e-7))))
def test_gradients_match_high_precision_finite_differences(embedding):
    """The kernel's Riemannian gradients against central differences of the
    loss in 50-digit arithmetic, times the metric factor (1 - |x|^2)^2 / 4.

    The Riemannian gradient of one distance has Euclidean length
    (1 - |x|^2) / 2, so each row is compared at that scale, weighted by the
    softmax coefficients: the kernel is good to ~1e-9 of it (the plain
    1 - |x|^2 near the boundary, u - t between nearby points)."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    separation = np.linalg.norm(embedding[1:] - embedding[0], axis=1)
    assume(np.all(separation > 1e-6))  # d(u, t) has a kink at t = u
    targets = np.arange(1, len(embedding), dtype=np.intc)
    _, grad_u, grad_targets = relation_loss_and_gradients(embedding, 0, targets)

    rows = [[mpmath.mpf(float(v)) for v in row] for row in embedding]
    _, d = _mp_loss(mpmath, rows)
    softmax = [mpmath.exp(-dk) / sum(mpmath.exp(-dj) for dj in d) for dk in d]
    weights = [abs((1 if k == 0 else 0) - p) for k, p in enumerate(softmax)]
    h = mpmath.mpf("1e-25")
    for r, got in [(0, grad_u)] + [(k + 1, grad_targets[k]) for k in range(len(targets))]:
        alpha = 1 - sum(v * v for v in rows[r])
        expected = []
        for i in range(embedding.shape[1]):
            plus = [list(row) for row in rows]
            minus = [list(row) for row in rows]
            plus[r][i] += h
            minus[r][i] -= h
            slope = (_mp_loss(mpmath, plus)[0] - _mp_loss(mpmath, minus)[0]) / (2 * h)
            expected.append(float(slope * alpha**2 / 4))
        weight = sum(weights) if r == 0 else weights[r - 1]
        scale = float(alpha) / 2 * (1e-7 * float(weight) + 1e-13)
        np.testing.assert_allclose(got, expected, rtol=0, atol=scale, err_msg=f"row {r}")


# ------------------------------------------------------------------ labels

LABELS = st.one_of(
    st.text(max_size=4),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.binary(max_size=3),
    st.tuples(st.text(max_size=2), st.integers(-3, 3)),
)


@st.composite
def relations_of_labels(draw, labels=LABELS, max_labels=7):
    """(child, parent) pairs over distinct labels, without self-loops."""
    nodes = draw(st.lists(labels, min_size=2, max_size=max_labels, unique=True))
    pairs = draw(st.lists(
        st.tuples(st.integers(0, len(nodes) - 1), st.integers(0, len(nodes) - 1))
        .filter(lambda pair: pair[0] != pair[1]),
        min_size=1, max_size=12,
    ))
    return [(nodes[c], nodes[p]) for c, p in pairs]


def _column(labels):
    """A 1-D object array of labels, however they look (tuples included)."""
    column = np.empty(len(labels), dtype=object)
    for i, label in enumerate(labels):
        column[i] = label
    return column


@EXAMPLES
@given(relations_of_labels())
def test_relations_encode_and_decode_round_trip(relations):
    graph, _ = check_relations(relations)
    nodes = graph.nodes.tolist()
    used = {label for pair in relations for label in pair}
    assert len(nodes) == len(used) and set(nodes) == used
    decoded = set(zip(graph.nodes[graph.children].tolist(),
                      graph.nodes[graph.parents].tolist()))
    assert decoded == set(relations)
    assert len(graph.children) == len(set(relations))  # duplicates once
    # looking the labels up again gives rows that hold them
    children = lookup_labels(graph.nodes, _column([c for c, _ in relations]))
    parents = lookup_labels(graph.nodes, _column([p for _, p in relations]))
    for (child, parent), i, j in zip(relations, children, parents):
        assert nodes[i] == child and nodes[j] == parent


@EXAMPLES
@given(st.lists(
    st.tuples(st.integers(-2**62, 2**62), st.integers(-2**62, 2**62))
    .filter(lambda pair: pair[0] != pair[1]),
    min_size=1, max_size=12,
))
def test_integer_arrays_round_trip_like_lists(relations):
    """An int64 array takes the vectorised path; it must agree with a list."""
    from_array, _ = check_relations(np.array(relations, dtype=np.int64))
    from_list, _ = check_relations(relations)
    assert from_array.nodes.tolist() == from_list.nodes.tolist()
    np.testing.assert_array_equal(from_array.children, from_list.children)
    np.testing.assert_array_equal(from_array.parents, from_list.parents)
    assert from_array.nodes.tolist() == sorted({v for pair in relations for v in pair})


@SLOW_EXAMPLES
@given(relations_of_labels())
def test_transform_after_pickle_equals_before_and_finds_each_label(relations):
    # any directed graph, cycles included: trained as given
    est = PoincareEmbedder(n_components=2, n_epochs=2, burn_in=1, n_negatives=2,
                           closure=False, random_state=0).fit(relations)
    restored = pickle.loads(pickle.dumps(est))
    column = _column(est.nodes_.tolist())
    before = est.transform(column)
    # each label, the features of its own row
    np.testing.assert_array_equal(before, est._node_features(est.embedding_))
    np.testing.assert_array_equal(restored.transform(column), before)
    np.testing.assert_array_equal(restored.transform(relations), est.transform(relations))
    assert restored.score(relations) == est.score(relations)
