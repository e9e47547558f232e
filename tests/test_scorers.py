"""Link-prediction scorers (sklpoincare._scorers): filtered ranks of held-out
relations, against plain references, and their use as ``scoring=``."""

import pickle

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from sklpoincare import PoincareEmbedder
from sklpoincare.metrics import (
    is_a_average_precision_scorer,
    make_hits_at_k_scorer,
    mean_average_precision_scorer,
    neg_mean_rank_scorer,
    poincare_distances,
    ranking_scorers,
    ranking_scores,
)


def _held_out(relations, n_held, seed=0):
    """A (train, test) split of the relations with every node in training."""
    rng = np.random.RandomState(seed)
    held = np.zeros(len(relations), dtype=bool)
    held[rng.choice(len(relations), n_held, replace=False)] = True
    train, test = relations[~held], relations[held]
    assert set(np.unique(train)) == set(np.unique(relations))
    return train, test


@pytest.fixture(scope="module")
def split(tree):
    """A train / held-out split of the relations (every node in training)."""
    return _held_out(tree, 25)


@pytest.fixture(scope="module")
def held_out_fit(split, fast_params):
    # held-out relations must not be implied by the training ones
    return PoincareEmbedder(n_components=4, closure=False, **fast_params).fit(split[0])


def _naive_filtered(embedding, train, test):
    """Ranks and APs, filtered, from the plain definition, child by child."""
    distances = poincare_distances(embedding)
    known = {}
    for c, p in train:
        known.setdefault(c, set()).add(p)
    positives = {}
    for c, p in test:
        positives.setdefault(c, set()).add(p)
    ranks, aps = [], []
    for child, parents in sorted(positives.items()):
        excluded = known.get(child, set()) - parents
        candidates = [
            v for v in range(len(embedding)) if v != child and v not in excluded
        ]
        d = distances[child, candidates]
        is_parent = np.array([v in parents for v in candidates])
        aps.append(average_precision_score(is_parent, -d))
        for p in parents:
            ranks.append(1 + np.sum(d[~is_parent] < distances[child, p]))
    return np.array(ranks, dtype=float), np.array(aps)


def _numpy_filtered(embedding, train, test, euclidean=False):
    """Ranks and APs, filtered, in NumPy alone: the distance matrix by its
    formula, a rank as one plus the non-parents strictly closer, an AP as
    the mean over the parents of the share of parents among the candidates
    at most as far as each."""
    x = np.asarray(embedding, dtype=float)
    sq = np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1)
    if euclidean:
        distances = np.sqrt(sq)
    else:
        alpha = 1 - np.sum(x**2, axis=1)
        distances = np.arccosh(1 + 2 * sq / np.outer(alpha, alpha))
    n = len(x)
    known = np.zeros((n, n), dtype=bool)
    known[train[:, 0], train[:, 1]] = True
    positive = np.zeros((n, n), dtype=bool)
    positive[test[:, 0], test[:, 1]] = True
    ranks, aps = [], []
    for child in np.unique(test[:, 0]):
        candidate = ~(known[child] & ~positive[child])
        candidate[child] = False
        d, is_parent = distances[child, candidate], positive[child, candidate]
        within = d[None, :] <= d[is_parent][:, None]  # one row per parent
        aps.append(np.mean((within & is_parent).sum(1) / within.sum(1)))
        ranks.append(1 + (d[None, :] < d[is_parent][:, None])[:, ~is_parent].sum(1))
    return np.concatenate(ranks).astype(float), np.array(aps)


# ------------------------------------------------------------ filtered score


def test_score_is_the_filtered_map_of_held_out_relations(held_out_fit, split):
    fitted = held_out_fit
    train, test = split
    ranks, aps = _naive_filtered(fitted.embedding_, train, test)
    assert fitted.score(test) == pytest.approx(aps.mean(), rel=1e-12)
    assert neg_mean_rank_scorer(fitted, test) == pytest.approx(-ranks.mean(), rel=1e-12)
    assert mean_average_precision_scorer(fitted, test) == fitted.score(test)
    for k in (1, 3):
        assert make_hits_at_k_scorer(k)(fitted, test) == pytest.approx(np.mean(ranks <= k))


@pytest.mark.parametrize("manifold", ["poincare", "lorentz", "euclidean"])
def test_scores_match_a_numpy_computation_on_a_tiny_embedder(small_tree, fast_params,
                                                             manifold):
    """Mean rank, MAP and hits@k of a fitted 15-node embedder, each model
    ranked by its own distance (the Lorentz model's points are returned in
    the ball)."""
    train, test = _held_out(small_tree, 10, seed=2)
    est = PoincareEmbedder(n_components=2, manifold=manifold, closure=False,
                           **fast_params).fit(train)
    np.testing.assert_array_equal(est.nodes_, np.arange(15))
    ranks, aps = _numpy_filtered(est.embedding_, train, test, manifold == "euclidean")
    assert len(ranks) == len(test) and len(aps) == len(np.unique(test[:, 0]))
    assert 1 < ranks.mean() < 14  # neither perfect nor worst: a real check
    assert neg_mean_rank_scorer(est, test) == pytest.approx(-ranks.mean(), rel=1e-12)
    assert mean_average_precision_scorer(est, test) == pytest.approx(aps.mean(), rel=1e-12)
    assert est.score(test) == mean_average_precision_scorer(est, test)
    for k in (1, 2, 5):
        assert make_hits_at_k_scorer(k)(est, test) == pytest.approx(np.mean(ranks <= k))


def test_filtering_only_removes_training_parents(held_out_fit, split):
    """Unfiltered ranking counts the training parents against the held-out
    ones, so it can only be worse, and it is on this split."""
    fitted = held_out_fit
    train, test = split
    unfiltered = ranking_scores(fitted.embedding_, test, nodes=fitted.nodes_)
    assert fitted.score(test) > unfiltered.mean_average_precision
    assert -neg_mean_rank_scorer(fitted, test) < unfiltered.mean_rank


def test_score_on_training_relations_is_the_reconstruction_map(held_out_fit, split):
    fitted = held_out_fit
    train = split[0]
    expected = ranking_scores(fitted.embedding_, train, nodes=fitted.nodes_)
    assert fitted.score(train) == pytest.approx(expected.mean_average_precision)
    assert -neg_mean_rank_scorer(fitted, train) == pytest.approx(expected.mean_rank)


def test_unseen_node_counts_as_ranked_last(held_out_fit, split):
    fitted = held_out_fit
    test = split[1]
    n_nodes = len(fitted.nodes_)
    ghost_child = np.array([[99, 0]])
    assert -neg_mean_rank_scorer(fitted, ghost_child) == n_nodes
    assert fitted.score(ghost_child) == 0.0
    with_ghost = np.vstack([test, ghost_child])
    assert fitted.score(with_ghost) < fitted.score(test)


# ----------------------------------------------------------------- scorers


def test_hits_at_k_rejects_bad_k():
    for k in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="k must be an integer >= 1"):
            make_hits_at_k_scorer(k)



def test_hits_at_k_scorer_is_a_deprecated_alias(held_out_fit, split):
    from sklpoincare.metrics import hits_at_k_scorer

    test = split[1]
    with pytest.warns(FutureWarning, match="renamed make_hits_at_k_scorer"):
        scorer = hits_at_k_scorer(3)
    assert repr(scorer) == "<sklpoincare scorer hits_at_3>"
    assert scorer(held_out_fit, test) == make_hits_at_k_scorer(3)(held_out_fit, test)

def test_ranking_scorers_are_the_three_scorers_by_name(held_out_fit, split):
    scorers = ranking_scorers(k=4)
    assert list(scorers) == ["mean_average_precision", "neg_mean_rank", "hits_at_4"]
    assert scorers["mean_average_precision"] is mean_average_precision_scorer
    assert scorers["neg_mean_rank"] is neg_mean_rank_scorer
    assert repr(scorers["hits_at_4"]) == "<sklpoincare scorer hits_at_4>"
    test = split[1]
    assert scorers["hits_at_4"](held_out_fit, test) == make_hits_at_k_scorer(4)(held_out_fit, test)
    assert list(ranking_scorers())[2] == "hits_at_10"


def test_scorers_pickle_and_score_the_same(held_out_fit, split):
    """Scorers cross process boundaries (GridSearchCV(n_jobs=2), Dask)."""
    test = split[1]
    for scorer in ranking_scorers(k=3).values():
        restored = pickle.loads(pickle.dumps(scorer))
        assert repr(restored) == repr(scorer)
        assert restored(held_out_fit, test) == scorer(held_out_fit, test)


@pytest.mark.parametrize("scorer", list(ranking_scorers(k=2).values()), ids=repr)
def test_scorers_need_a_fitted_embedder(scorer, tree):
    with pytest.raises(NotFittedError):
        scorer(PoincareEmbedder(), tree)


def test_scorers_work_with_cross_val_score(tree, fast_params):
    scores = cross_val_score(
        PoincareEmbedder(n_components=4, **fast_params), tree,
        cv=KFold(3, shuffle=True, random_state=0), scoring=make_hits_at_k_scorer(5),
    )
    assert scores.shape == (3,)
    assert np.all((scores >= 0) & (scores <= 1))


# ---------------------------------------------------------- is-a (labelled pairs)


def _labelled_pairs(relations, n_negatives, seed=0):
    """The relations (label 1) and random pairs that are not relations (0)."""
    rng = np.random.RandomState(seed)
    nodes = np.unique(relations)
    known = set(map(tuple, np.asarray(relations).tolist()))
    negatives = []
    while len(negatives) < n_negatives:
        a, b = rng.choice(nodes, 2, replace=False)
        if (a, b) not in known:
            negatives.append((a, b))
    X = np.vstack([relations, negatives])
    y = np.r_[np.ones(len(relations), int), np.zeros(n_negatives, int)]
    return X, y


def test_is_a_scorer_is_the_average_precision_of_is_a_score(fitted, tree):
    X, y = _labelled_pairs(tree, 200)
    expected = average_precision_score(y, fitted.is_a_score(X[:, 0], X[:, 1]))
    assert is_a_average_precision_scorer(fitted, X, y) == pytest.approx(expected, rel=1e-12)
    assert repr(is_a_average_precision_scorer) == "<sklpoincare scorer is_a_average_precision>"
    assert pickle.loads(pickle.dumps(is_a_average_precision_scorer))(fitted, X, y) == (
        is_a_average_precision_scorer(fitted, X, y)
    )


def test_is_a_scorer_puts_pairs_with_unseen_labels_last(fitted, tree):
    X, y = _labelled_pairs(tree, 50)
    X = np.vstack([X, [[1000, 0], [0, 1001]]])
    scores_y = np.r_[y, 0, 0]
    # unseen labels in negative pairs ranked last: the AP is unchanged
    assert is_a_average_precision_scorer(fitted, X, scores_y) == pytest.approx(
        is_a_average_precision_scorer(fitted, X[:-2], y), rel=1e-12
    )
    # an is-a pair with an unseen label counts against the embedder
    assert is_a_average_precision_scorer(fitted, X, np.r_[y, 1, 0]) < (
        is_a_average_precision_scorer(fitted, X[:-2], y)
    )


def test_is_a_scorer_corrupts_held_out_relations(fitted, tree):
    from sklpoincare._is_a import corrupted_pairs, keys_membership

    # the corrupted pairs: 10 per relation, half with the child kept, none a
    # relation nor a self-loop, the same at each call
    ids = np.arange(len(tree))
    known = np.unique(tree[:, 0].astype(np.int64) * 40 + tree[:, 1])
    children, parents = corrupted_pairs(
        tree[:, 0], tree[:, 1], keys_membership(known, 40), 40, 10, np.random.RandomState(0)
    )
    keys = children.astype(np.int64) * 40 + parents
    assert not np.isin(keys, known).any() and not np.any(children == parents)
    # the children of the root 0 (every node's ancestor) have no random
    # child to take: those draws are left out, the others kept
    expected = 10 * len(ids) - 5 * np.sum(tree[:, 1] == 0)
    assert len(children) == expected
    X = tree[tree[:, 1] != 0]
    first = is_a_average_precision_scorer(fitted, X)
    assert first == is_a_average_precision_scorer(fitted, X)
    # the same as scoring the labelled pairs by hand
    bad_children, bad_parents = corrupted_pairs(
        X[:, 0], X[:, 1], keys_membership(known, 40), 40, 10, np.random.RandomState(0)
    )
    pairs = np.vstack([X, np.stack([bad_children, bad_parents], axis=1)])
    labels = np.r_[np.ones(len(X)), np.zeros(len(bad_children))]
    assert first == pytest.approx(average_precision_score(
        labels, fitted.is_a_score(pairs[:, 0], pairs[:, 1])), rel=1e-12)


def test_csr_membership_is_set_membership():
    from scipy.sparse import random as sparse_random

    from sklpoincare._is_a import csr_membership

    # rows sorted, as the CSRs of parents and ancestors are; rows of 0 to
    # 30 entries (row 0 empty, row 1 full), so the search takes many steps
    for density in (0.2, 0.7):
        matrix = sparse_random(30, 30, density=density, format="lil", random_state=0)
        matrix[0, :] = 0
        matrix[1, :] = 1
        matrix = matrix.tocsr()
        matrix.eliminate_zeros()
        matrix.sort_indices()
        known = set(zip(*matrix.nonzero()))
        rng = np.random.RandomState(1)
        children, parents = rng.randint(30, size=2000), rng.randint(30, size=2000)
        expected = [(c, p) in known for c, p in zip(children, parents)]
        is_known = csr_membership(matrix.indptr, matrix.indices)
        assert is_known(children, parents).tolist() == expected
        assert any(expected) and not all(expected)
    assert not csr_membership(np.zeros(3, np.int32), np.zeros(0, np.int32))(
        np.array([0, 1]), np.array([1, 0])
    ).any()


def test_joined_isotonic_curve_goes_through_each_step_at_its_mean():
    from sklearn.isotonic import IsotonicRegression

    from sklpoincare._is_a import _joined_isotonic

    rng = np.random.RandomState(0)
    x = rng.randn(2000)
    labels = rng.rand(2000) < 1 / (1 + np.exp(-3 * x))
    curve_x, curve_y = _joined_isotonic(x, labels)
    fitted = IsotonicRegression().fit_transform(x, labels.astype(float))
    for value, mean_x in zip(curve_y, curve_x):
        assert mean_x == pytest.approx(x[fitted == value].mean(), rel=1e-9, abs=1e-12)
    assert np.all(np.diff(curve_x) > 0) and np.all(np.diff(curve_y) > 0)
    assert len(curve_y) > 5  # several steps: the test compares something


def test_is_a_calibration_has_a_band_per_1000_known_relations_at_their_radii():
    from sklpoincare._is_a import apply_calibration, fit_calibration

    rng = np.random.RandomState(0)
    radius = np.r_[rng.uniform(0, 10, 4000), rng.uniform(0, 10, 40000)]
    labels = np.r_[np.ones(4000, bool), np.zeros(40000, bool)]
    # known relations score higher, and more so in far bands
    geometric = rng.randn(44000) + labels * radius
    calibration = fit_calibration(radius, geometric, labels)
    np.testing.assert_allclose(
        calibration["band_radii"],
        np.quantile(radius[:4000], [0.125, 0.375, 0.625, 0.875], method="inverted_cdf"),
    )
    # at a band's centre, its own curve: the share of known relations among
    # the pairs nearest that centre, rising with the geometric score
    centre = calibration["band_radii"][2]
    curve = slice(*calibration["band_starts"][2:4])
    x, y = calibration["geometric"][curve], calibration["is_a"][curve]
    np.testing.assert_allclose(
        apply_calibration(calibration, np.full(len(x), centre), x), y, rtol=1e-12
    )
    assert y[0] < 0.1 and y[-1] > 0.9
    assert fit_calibration(radius[:4000], geometric[:4000], labels[:4000]) is None


def test_is_a_calibration_counts_each_relation_reversed_among_the_corrupted_pairs():
    # two nodes: no random pair is left to corrupt the relation with, only
    # its reversal, so the one band's curve goes from the
    # reversed pair (0) to the relation (1)
    est = PoincareEmbedder(n_components=2, n_epochs=5, random_state=0).fit([("b", "a")])
    calibration = est.is_a_calibration_
    np.testing.assert_array_equal(calibration["is_a"], [0.0, 1.0])
    np.testing.assert_allclose(
        calibration["geometric"],
        _geometric(est, ["a", "b"], ["b", "a"]),
    )
    assert bool(calibration["children_outward"])
    assert est.is_a_score("b", "a") > 0.99 and est.is_a_score("a", "b") < 0.01



def test_children_level_with_their_parent_at_the_norm_bound_count_as_farther_out():
    # a chain deeper than the ball holds at eps=1e-2: its deep end lies at
    # the norm bound, children level with their parents (equal norms, or
    # one rounding inside), which must neither turn the rule off nor take
    # its 0: they score as they would without the rule. Which seeds give
    # which case depends on rounding: six fits hold both.
    from sklpoincare._is_a import calibrated_is_a_scores, geometric_is_a_scores

    chain = [[i + 1, i] for i in range(30)]
    gaps = []
    for seed in range(6):
        est = PoincareEmbedder(n_components=2, eps=1e-2, n_epochs=20,
                               random_state=seed).fit(chain)
        rows = est.embedding_[np.searchsorted(est.nodes_, np.arange(31))]
        norms = np.linalg.norm(rows, axis=1)
        level = np.flatnonzero(norms[1:] <= norms[:-1])
        gaps.extend(norms[level + 1] - norms[level])
        assert bool(est.is_a_calibration_["children_outward"])
        geometry = est._geometry()
        assert geometric_is_a_scores(geometry, rows[level + 1], rows[level])[2].all()
        without_rule = dict(est.is_a_calibration_, children_outward=np.array(False))
        np.testing.assert_allclose(
            est.is_a_score(level + 1, level),
            calibrated_is_a_scores(without_rule, geometry, rows[level + 1], rows[level]),
        )
        # a node is still no kind of itself, at the bound or not
        assert est.is_a_score(30, 30) < 1e-3 and est.is_a_score(0, 0) < 1e-3
    gaps = np.asarray(gaps)
    assert np.any(gaps == 0) and np.any(gaps < 0)  # the cases at hand


def _geometric(est, children, parents):
    from sklpoincare._is_a import geometric_is_a_scores

    ids = {label: i for i, label in enumerate(est.nodes_.tolist())}
    points = est.embedding_[[ids[c] for c in children]]
    return geometric_is_a_scores(est._geometry(), points,
                                 est.embedding_[[ids[p] for p in parents]])[1]


@pytest.mark.parametrize("closure", [True, False])
def test_is_a_calibration_is_fitted_on_the_closure_of_the_relations(closure):
    from scipy.sparse import csr_matrix

    from sklpoincare._is_a import fit_is_a_calibration
    from sklpoincare._manifolds import get_geometry
    from sklpoincare.datasets import make_random_tree
    from sklpoincare.hierarchy import transitive_closure, transitive_reduction

    relations = make_random_tree(2000, random_state=0)
    given = relations if closure else transitive_reduction(relations)
    est = PoincareEmbedder(n_components=2, n_epochs=5, closure=closure,
                           random_state=0).fit(given)
    ids = {label: i for i, label in enumerate(est.nodes_.tolist())}
    full = transitive_closure(given)
    ancestors = csr_matrix(
        (np.ones(len(full)), ([ids[c] for c in full[:, 0]], [ids[p] for p in full[:, 1]])),
        shape=(len(ids), len(ids)),
    )
    ancestors.sort_indices()
    expected = fit_is_a_calibration(
        est.embedding_, get_geometry("poincare"), ancestors.indptr, ancestors.indices
    )
    assert est.is_a_calibration_.keys() == expected.keys()
    for key, value in expected.items():
        np.testing.assert_array_equal(est.is_a_calibration_[key], value)
    assert len(expected["band_radii"]) > 1


@pytest.mark.parametrize("manifold", ["poincare", "lorentz", "euclidean"])
def test_calibrated_is_a_scores_separate_the_closure_with_one_threshold(manifold):
    from sklpoincare._is_a import corrupted_pairs, keys_membership
    from sklpoincare.datasets import make_random_tree

    relations = make_random_tree(2000, random_state=1)
    est = PoincareEmbedder(manifold=manifold, n_components=3, n_epochs=50,
                           random_state=0).fit(relations)
    ids = {label: i for i, label in enumerate(est.nodes_.tolist())}
    children = np.array([ids[c] for c in relations[:, 0]])
    parents = np.array([ids[p] for p in relations[:, 1]])
    keys = np.unique(children.astype(np.int64) * len(ids) + parents)
    bad_children, bad_parents = corrupted_pairs(
        children, parents, keys_membership(keys, len(ids)), len(ids), 10,
        np.random.RandomState(5),
    )
    nodes = est.nodes_
    pairs = nodes[np.r_[children, bad_children]], nodes[np.r_[parents, bad_parents]]
    labels = np.r_[np.ones(len(children), bool), np.zeros(len(bad_children), bool)]
    calibrated = est.is_a_score(*pairs)
    assert len(est.is_a_calibration_["band_radii"]) > 1  # else the order is the geometric one
    assert bool(est.is_a_calibration_["children_outward"]) == (manifold != "euclidean")
    assert np.all((calibrated >= 0) & (calibrated <= 1))

    def best_f1(scores):
        # F1 of "score >= t" at each distinct score t, from the top down
        order = np.argsort(-scores, kind="stable")
        true_positives = np.cumsum(labels[order])
        cuts = np.r_[np.flatnonzero(np.diff(scores[order])), len(scores) - 1]
        return np.max(2 * true_positives[cuts] / (cuts + 1 + labels.sum()))

    est.is_a_calibration_ = None
    geometric = est.is_a_score(*pairs)
    assert best_f1(calibrated) >= best_f1(geometric)
    # for one parent, the calibrated order is the geometric one, ties
    # where the calibration is flat included (among the children farther
    # out than the parent: the others score 0 before the tie-break when
    # every known relation has its child farther out)
    norms = np.linalg.norm(est.embedding_, axis=1)
    outward = norms[np.r_[children, bad_children]] > norms[np.r_[parents, bad_parents]]
    assert np.all(outward[: len(children)]) == (manifold != "euclidean")
    for parent in np.unique(pairs[1])[:20]:
        rows = (pairs[1] == parent) & outward
        order = np.argsort(geometric[rows], kind="stable")
        rises = np.diff(geometric[rows][order]) > 0  # a pair drawn twice ties
        assert np.all(np.diff(calibrated[rows][order])[rises] > 0)
        assert rises.sum() > 10
    assert len(np.unique(calibrated)) == len(np.unique(geometric))


def test_is_a_scorer_checks_its_input(fitted, tree):
    with pytest.raises(ValueError, match="one label per pair of X"):
        is_a_average_precision_scorer(fitted, tree, np.ones(3))
    # the checks of the ranking scorers
    for scorer in (is_a_average_precision_scorer, mean_average_precision_scorer):
        with pytest.raises(ValueError, match=r"two columns \(child, parent\)"):
            scorer(fitted, [1, 2, 3])
        with pytest.raises(ValueError, match="missing or infinite label"):
            scorer(fitted, np.array([[None, 0]], dtype=object))
        with pytest.raises(ValueError, match="self-loop"):
            scorer(fitted, [[3, 3]])
    with pytest.raises(NotFittedError):
        is_a_average_precision_scorer(PoincareEmbedder(), tree)


def test_is_a_scorer_counts_relations_of_unseen_labels_as_guesses(fitted, tree):
    """A held-out relation with an unseen label ties with as many pairs as
    it would have corrupted ones: relations all unseen score the chance
    level 1 / 11, not a perfect 1."""
    assert is_a_average_precision_scorer(fitted, [[1000, 1001]]) == pytest.approx(1 / 11)
    X = tree[tree[:, 1] != 0][:5]
    seen = is_a_average_precision_scorer(fitted, X)
    assert is_a_average_precision_scorer(fitted, np.vstack([X, [[1000, 1001]]])) < seen


def test_scorers_take_the_first_two_columns_of_a_dataframe_as_fit_does(fitted, tree):
    pd = pytest.importorskip("pandas")
    X = tree[tree[:, 1] != 0][:20]
    frame = pd.DataFrame({"child": X[:, 0], "parent": X[:, 1], "weight": 0.5})
    assert fitted.score(frame) == fitted.score(X)
    for scorer in (is_a_average_precision_scorer, mean_average_precision_scorer):
        assert scorer(fitted, frame) == scorer(fitted, X)


def test_grid_search_tunes_for_is_a_on_held_out_relations(tree, fast_params):
    search = GridSearchCV(
        PoincareEmbedder(**fast_params, closure=False), {"n_components": [2, 5]},
        scoring=is_a_average_precision_scorer, cv=KFold(3, shuffle=True, random_state=0),
    ).fit(tree)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and np.all((scores > 0) & (scores <= 1))


def test_is_a_scores_stay_finite_where_the_fit_barely_moved_the_points(tree):
    """scikit-learn's isotonic regression merges x a rounding error apart
    and gives NaN past the fitted range by default."""
    from sklpoincare._is_a import _joined_isotonic

    x, y = _joined_isotonic(np.array([0.1, 0.2, 0.5, 0.5 + 1.1e-16]), np.array([0, 1, 1, 1]))
    assert np.all(np.isfinite(y))
    est = PoincareEmbedder(n_components=3, manifold="euclidean", n_epochs=5, burn_in=2,
                           init="hierarchy", random_state=0)
    est.fit(tree, sample_weight=np.full(len(tree), 1e-300))
    scores = est.is_a_score(tree[:, 0], tree[:, 1])
    assert np.all((scores >= 0) & (scores <= 1))
    assert np.isfinite(is_a_average_precision_scorer(est, tree))


def test_score_checks_the_embedding_against_the_manifold_as_queries_do(tree, tiny_params):
    est = PoincareEmbedder(**{**tiny_params, "manifold": "euclidean"}).fit(tree)
    est.set_params(manifold="poincare")  # Euclidean points, read as the ball's
    assert np.any(np.linalg.norm(est.embedding_, axis=1) >= 1)
    with pytest.raises(ValueError, match="of embedding_ has norm"):
        est.score(tree)
