"""The Cython ranking kernel (sklpoincare._ranking_fast) called directly,
against NumPy written from the definitions; the public functions built on it
are tested in test_metrics.py, test_scorers.py and test_queries.py."""

import numpy as np
import pytest

from _reference import random_ball

from sklpoincare._ranking_fast import (
    closest_by_norm,
    distance_keys,
    one_minus_squared_norms,
    pairwise_distances,
    rank_children,
)


def _points(seed, n, dim, max_norm=0.9):
    return random_ball(np.random.RandomState(seed), n, dim, max_norm)


def _keys(X, Y, euclidean=False):
    """|x - y|^2 / (1 - |y|^2): for a fixed x, in the order of d(x, y)."""
    sq = np.sum((X[:, None, :] - Y[None, :, :]) ** 2, axis=-1)
    return sq if euclidean else sq / (1 - np.sum(Y**2, axis=1))[None, :]


def _csr(lists):
    indptr = np.zeros(len(lists) + 1, dtype=np.intc)
    indptr[1:] = np.cumsum([len(row) for row in lists])
    indices = np.array([v for row in lists for v in sorted(row)], dtype=np.intc)
    return indptr, indices


def _reference_ranks(X, child, positives, excluded, euclidean):
    """Ranks (in the order of the sorted positives) and AP of one child,
    from the definitions."""
    key = _keys(X[[child]], X, euclidean)[0]
    candidates = [v for v in range(len(X)) if v != child and v not in excluded]
    negatives = [v for v in candidates if v not in positives]
    ranks = [1 + sum(key[v] < key[p] for v in negatives) for p in sorted(positives)]
    precisions = [
        sum(key[q] <= key[p] for q in positives) / sum(key[v] <= key[p] for v in candidates)
        for p in positives
    ]
    return ranks, np.mean(precisions)


# --------------------------------------------------------------- distances


@pytest.mark.parametrize("dim", [1, 3, 7])
def test_pairwise_distances_follow_the_formula(dim):
    X, Y = _points(dim, 9, dim), _points(dim + 10, 5, dim)
    out = np.empty((9, 5))
    pairwise_distances(X, Y, out, 2)
    alpha, beta = 1 - np.sum(X**2, axis=1), 1 - np.sum(Y**2, axis=1)
    sq = np.sum((X[:, None, :] - Y[None, :, :]) ** 2, axis=-1)
    expected = np.arccosh(1 + 2 * sq / np.outer(alpha, beta))
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)


def test_one_minus_squared_norms_of_rows_and_of_no_columns():
    X = _points(0, 6, 4)
    np.testing.assert_allclose(one_minus_squared_norms(X), 1 - np.sum(X**2, axis=1),
                               rtol=1e-14)
    np.testing.assert_array_equal(one_minus_squared_norms(np.empty((3, 0))), 1.0)


@pytest.mark.parametrize("euclidean", [False, True])
def test_distance_keys_order_nodes_as_distances_do(euclidean):
    queries, X = _points(1, 4, 3), _points(2, 12, 3)
    inv_beta = np.ones(12) if euclidean else 1 / one_minus_squared_norms(X)
    out = np.empty((4, 12))
    distance_keys(queries, X, inv_beta, out, 2)
    np.testing.assert_allclose(out, _keys(queries, X, euclidean), rtol=1e-12)


@pytest.mark.parametrize("smaller", [True, False])
def test_closest_by_norm_among_smaller_or_larger_norms(smaller):
    X = _points(3, 15, 2)
    norms = np.linalg.norm(X, axis=1)
    got = closest_by_norm(X, norms, X, norms, 1 / one_minus_squared_norms(X), smaller, 2)
    key = _keys(X, X)
    for i in range(15):
        allowed = norms < norms[i] if smaller else norms > norms[i]
        if not allowed.any():
            assert got[i] == -1  # the smallest (or largest) norm: none
        else:
            assert got[i] == np.flatnonzero(allowed)[np.argmin(key[i, allowed])]
    assert (got == -1).sum() == 1


# ----------------------------------------------------------------- ranking


@pytest.mark.parametrize("euclidean", [False, True])
def test_rank_children_with_and_without_excluded_nodes(euclidean):
    X = _points(4, 20, 3)
    children = np.array([0, 5, 7], dtype=np.intc)
    positives = [[1, 2, 9], [3], [0, 8, 12, 19]]
    excluded = [[4, 6], [], [2]]
    indptr, indices = _csr(positives)
    for excl in ([[]] * 3, excluded):
        ex_indptr, ex_indices = _csr(excl)
        ranks, aps = rank_children(X, children, indptr, indices, 2, euclidean,
                                   ex_indptr, ex_indices)
        for c, child in enumerate(children):
            expected_ranks, expected_ap = _reference_ranks(
                X, child, positives[c], excl[c], euclidean
            )
            np.testing.assert_array_equal(ranks[indptr[c]:indptr[c + 1]], expected_ranks)
            assert aps[c] == pytest.approx(expected_ap, rel=1e-12)


def test_rank_children_gives_ranks_in_the_order_of_the_positives_ties_included():
    # child 0 at the origin; positives 1 (far), 2 and 3 (the same near point)
    # and 4 (middle); negatives 5 (between middle and far) and 6 (at the
    # near point: tied with 2 and 3, so not strictly closer to 0 than they are)
    X = np.array([[0.0, 0.0], [0.8, 0.0], [0.1, 0.0], [0.1, 0.0], [0.0, 0.5],
                  [0.6, 0.0], [0.1, 0.0]])
    indptr, indices = _csr([[1, 2, 3, 4]])
    ranks, aps = rank_children(X, np.array([0], dtype=np.intc), indptr, indices)
    np.testing.assert_array_equal(ranks, [3.0, 1.0, 1.0, 2.0])
    expected_ranks, expected_ap = _reference_ranks(X, 0, [1, 2, 3, 4], [], False)
    np.testing.assert_array_equal(ranks, expected_ranks)
    assert aps[0] == pytest.approx(expected_ap, rel=1e-12)


def test_rank_children_without_exclusions_equals_empty_exclusions():
    X = _points(5, 10, 2)
    children = np.array([1, 2], dtype=np.intc)
    indptr, indices = _csr([[0, 3], [4]])
    plain = rank_children(X, children, indptr, indices)
    empty = rank_children(X, children, indptr, indices, 1, False, *_csr([[], []]))
    for a, b in zip(plain, empty):
        np.testing.assert_array_equal(a, b)


def test_rank_children_checks_the_exclusion_pointers():
    X = _points(6, 5, 2)
    indptr, indices = _csr([[0]])
    with pytest.raises(ValueError, match="one entry per child, plus one"):
        rank_children(X, np.array([1], dtype=np.intc), indptr, indices, 1, False,
                      np.zeros(3, dtype=np.intc), np.zeros(0, dtype=np.intc))
