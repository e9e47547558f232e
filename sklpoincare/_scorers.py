"""Link-prediction scorers: ``scoring=`` for model selection tools.

A fitted :class:`~sklpoincare.PoincareEmbedder` is scored on held-out
relations in the *filtered* setting: each held-out parent of a child is
ranked among the nodes that are parents of that child neither in the
embedder's training relations (``adjacency_``) nor among the held-out
relations, so a correct parent seen in training never counts against it.
A label never seen in training counts as ranked last. On the training
relations themselves this is the reconstruction protocol of
:func:`sklpoincare.metrics.ranking_scores`.

The is-a scorer instead scores labelled pairs (link classification): how
well :meth:`~sklpoincare.PoincareEmbedder.is_a_score` puts the is-a pairs
before the others.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.metrics import average_precision_score
from sklearn.utils.validation import check_is_fitted

from ._manifolds import get_geometry
from ._relations import as_label_table, as_relation_table, lookup_labels
from ._ranking import _rank_relations, _relation_ids
from ._threads import n_threads as _n_threads
from .hierarchy import _ranges

__all__ = [
    "hits_at_k_scorer",
    "is_a_average_precision_scorer",
    "make_hits_at_k_scorer",
    "mean_average_precision_scorer",
    "neg_mean_rank_scorer",
    "ranking_scorers",
]


def filtered_ranks(estimator, X):
    """``(ranks, average_precisions)`` of the relations ``X`` (filtered)."""
    check_is_fitted(estimator)
    embedding = estimator.embedding_
    child_ids, parent_ids, _ = _relation_ids(
        as_relation_table(X), estimator.nodes_, len(embedding)
    )
    adjacency = estimator.adjacency_
    return _rank_relations(
        embedding,
        child_ids,
        parent_ids,
        _n_threads(estimator.n_jobs),
        get_geometry(estimator.manifold).metric,
        known_parents=(adjacency.indptr, adjacency.indices),
    )


class _RankingScorer:
    """Callable ``scorer(estimator, X, y=None)``; greater is better.

    A plain class at module level, so that scorers pickle and cross process
    boundaries (``GridSearchCV(n_jobs=2)``, Dask).
    """

    def __init__(self, statistic, name, k=None):
        self.statistic = statistic
        self.name = name
        self.k = k

    def __call__(self, estimator, X, y=None, sample_weight=None):
        ranks, average_precisions = filtered_ranks(estimator, X)
        if self.statistic == "map":
            return float(np.mean(average_precisions))
        if self.statistic == "neg_mean_rank":
            return -float(np.mean(ranks))
        return float(np.mean(ranks <= self.k))

    def __repr__(self):
        return f"<sklpoincare scorer {self.name}>"


mean_average_precision_scorer = _RankingScorer("map", "mean_average_precision")
"""Scorer: mean average precision of held-out relations (filtered)."""

neg_mean_rank_scorer = _RankingScorer("neg_mean_rank", "neg_mean_rank")
"""Scorer: minus the mean filtered rank of held-out parents (greater is better)."""


# Corrupted pairs per held-out relation, half with a random parent, half with
# a random child, as in the link-classification protocol of Ganea et al.
# (2018); a fixed seed, so that every candidate is scored on the same pairs.
_IS_A_CORRUPTED = 10
_IS_A_SEED = 0
# A corrupted pair that hits a known relation is redrawn at most this often,
# then left out (the children of a root of everything have no other parent).
_IS_A_REDRAWS = 50


# Factors on the distances from the origin that choose_is_a_scale tries,
# and how many training relations it scores (with their corrupted pairs).
# Below 1 the is-a score's cone around a parent widens; above, no embedding
# measured gained (doc/training_choices.rst, "the is-a score's radius scale").
IS_A_SCALES = tuple(np.round(np.arange(0.5, 1.0001, 0.05), 2))
_IS_A_CALIBRATION_RELATIONS = 1000


def _pair_keys(children, parents, n_nodes):
    return children.astype(np.int64) * n_nodes + parents


def keys_membership(known_keys, n_nodes):
    """``is_known(children, parents)`` for :func:`corrupted_pairs`: which
    pairs are among the sorted pair keys ``known_keys``."""

    def is_known(children, parents):
        keys = _pair_keys(children, parents, n_nodes)
        found = np.searchsorted(known_keys, keys)
        return known_keys[np.minimum(found, len(known_keys) - 1)] == keys

    return is_known


def csr_membership(indptr, indices):
    """``is_known(children, parents)`` for :func:`corrupted_pairs`: which
    parents are in their child's row of a CSR (e.g. each node's ancestors);
    reads only the rows asked about."""

    def is_known(children, parents):
        starts, ends = indptr[children], indptr[children + 1]
        owner = np.repeat(np.arange(len(children)), ends - starts)
        hit = indices[_ranges(starts, ends)] == parents[owner]
        known = np.zeros(len(children), dtype=bool)
        known[owner[hit]] = True
        return known

    return is_known


def corrupted_pairs(children, parents, is_known, n_nodes, n_corrupted, rng):
    """``(children, parents)`` of ``n_corrupted`` pairs per relation, with a
    random parent for the first half and a random child for the rest, none
    a known relation (``is_known(children, parents)``, a boolean mask, see
    :func:`keys_membership`) nor a self-loop."""
    n_parent = n_corrupted // 2
    corrupt_parent = np.tile(np.arange(n_corrupted) < n_parent, len(children))
    fixed_child = np.repeat(children, n_corrupted)
    fixed_parent = np.repeat(parents, n_corrupted)
    out_children, out_parents = fixed_child.copy(), fixed_parent.copy()
    todo = np.arange(len(out_children))
    for _ in range(_IS_A_REDRAWS):
        draws = rng.randint(0, n_nodes, len(todo))
        out_parents[todo] = np.where(corrupt_parent[todo], draws, fixed_parent[todo])
        out_children[todo] = np.where(corrupt_parent[todo], fixed_child[todo], draws)
        hit = is_known(out_children[todo], out_parents[todo])
        todo = todo[hit | (out_children[todo] == out_parents[todo])]
        if not len(todo):
            break
    keep = np.ones(len(out_children), dtype=bool)
    keep[todo] = False
    return out_children[keep], out_parents[keep]


def best_f1(labels, scores):
    """The largest F1 of ``scores >= t`` over the thresholds ``t``, for
    boolean ``labels``."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores, true_positives = scores[order], np.cumsum(labels[order])
    # only where the score drops can a threshold cut
    cuts = np.r_[np.flatnonzero(np.diff(sorted_scores)), len(scores) - 1]
    return float(np.max(2 * true_positives[cuts] / (cuts + 1 + labels.sum())))


def choose_is_a_scale(embedding, geometry, children, parents, known_indptr, known_indices):
    """The factor of :data:`IS_A_SCALES` on the distances from the origin with
    which one threshold on the is-a score best separates the relations
    ``(children, parents)`` (at most ``_IS_A_CALIBRATION_RELATIONS`` of them)
    from corrupted pairs that are not known relations (``known_*``: the CSR
    of each node's known ancestors); the largest factor among ties."""
    rng = np.random.RandomState(_IS_A_SEED)
    if len(children) > _IS_A_CALIBRATION_RELATIONS:
        rows = rng.choice(len(children), _IS_A_CALIBRATION_RELATIONS, replace=False)
        children, parents = children[rows], parents[rows]
    bad_children, bad_parents = corrupted_pairs(
        children, parents, csr_membership(known_indptr, known_indices),
        len(embedding), _IS_A_CORRUPTED, rng,
    )
    if not len(bad_children):
        return 1.0
    labels = np.r_[np.ones(len(children), bool), np.zeros(len(bad_children), bool)]
    scales = sorted(IS_A_SCALES, reverse=True)
    scores = geometry.is_a_scores_by_scale(
        embedding[np.r_[children, bad_children]], embedding[np.r_[parents, bad_parents]],
        scales,
    )
    f1 = [best_f1(labels, row) for row in scores]
    return scales[int(np.argmax(f1))]  # the first maximum: the largest scale


class _IsAScorer:
    """Callable ``scorer(estimator, X, y=None)``: average precision of the
    is-a scores (a module-level class, so that it pickles)."""

    def __call__(self, estimator, X, y=None, sample_weight=None):
        check_is_fitted(estimator)
        table, _ = as_label_table(as_relation_table(X))
        if table.ndim != 2 or table.shape[1] < 2:
            raise ValueError(
                f"the is-a scorer needs X as (child, parent) pairs; got shape {table.shape}"
            )
        nodes = estimator.nodes_
        children = lookup_labels(nodes, table[:, 0])
        parents = lookup_labels(nodes, table[:, 1])
        if y is None:
            labels, children, parents = self._with_corrupted_pairs(
                estimator, children, parents
            )
            weights = None
        else:
            labels, weights = np.asarray(y), sample_weight
            if labels.shape != (len(table),):
                raise ValueError(
                    f"y must hold one label per pair of X ({len(table)}), 1 for an "
                    f"is-a pair and 0 for another; got shape {labels.shape}"
                )
        return float(average_precision_score(
            labels, self._scores(estimator, children, parents), sample_weight=weights
        ))

    @staticmethod
    def _scores(estimator, children, parents):
        """Is-a scores of id pairs; a pair with a label never seen in training
        scores lowest, as the ranking scorers rank such a parent last."""
        known = (children >= 0) & (parents >= 0)
        scores = np.empty(len(children))
        embedding = estimator.embedding_
        scores[known] = get_geometry(estimator.manifold).is_a_scores(
            embedding[children[known]], embedding[parents[known]], estimator.is_a_scale_
        )
        scores[~known] = np.min(scores[known], initial=0.0) - 1.0
        return scores

    @staticmethod
    def _with_corrupted_pairs(estimator, children, parents):
        """``(labels, children, parents)``: the relations (label 1) and their
        corrupted pairs (label 0), relations neither in training nor in X."""
        n_nodes = len(estimator.nodes_)
        adjacency = estimator.adjacency_.tocoo()
        known = (children >= 0) & (parents >= 0)
        known_keys = np.unique(np.concatenate([
            _pair_keys(adjacency.row, adjacency.col, n_nodes),
            _pair_keys(children[known], parents[known], n_nodes),
        ]))
        rng = np.random.RandomState(_IS_A_SEED)
        # relations with an unseen label are scored (lowest) but not corrupted
        bad_children, bad_parents = corrupted_pairs(
            children[known], parents[known], keys_membership(known_keys, n_nodes),
            n_nodes, _IS_A_CORRUPTED, rng,
        )
        labels = np.r_[np.ones(len(children)), np.zeros(len(bad_children))]
        return labels, np.r_[children, bad_children], np.r_[parents, bad_parents]

    def __repr__(self):
        return "<sklpoincare scorer is_a_average_precision>"


is_a_average_precision_scorer = _IsAScorer()
"""Scorer: average precision of :meth:`~sklpoincare.PoincareEmbedder.is_a_score`
(link classification).

Called with held-out relations ``X`` only, as in cross-validation, it scores
each against 10 corrupted pairs (5 with a random parent, 5 with a random
child, none a relation known in training or in ``X``; the same pairs for every
candidate), the protocol of Ganea et al. (2018): ``GridSearchCV(PoincareEmbedder(closure=False),
grid, scoring=is_a_average_precision_scorer).fit(relations)``. Called with
labels ``y`` (1 for an is-a pair, 0 for another), it scores the pairs of ``X``
as labelled. Held-out relations must not be implied by the training ones,
so cross-validation needs ``closure=False``.
"""


def make_hits_at_k_scorer(k=10):
    """Make a scorer: share of held-out parents ranked in the first ``k`` (filtered).

    Parameters
    ----------
    k : int, default=10
        Rank cut-off, at least 1.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None)`` usable as ``scoring=``.

    Examples
    --------
    >>> from sklpoincare.metrics import make_hits_at_k_scorer
    >>> make_hits_at_k_scorer(3)
    <sklpoincare scorer hits_at_3>
    """
    if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    return _RankingScorer("hits", f"hits_at_{k}", int(k))


def hits_at_k_scorer(k=10):
    """Deprecated alias of :func:`make_hits_at_k_scorer`.

    It makes a scorer rather than being one, so it is named like
    scikit-learn's :func:`~sklearn.metrics.make_scorer`.

    .. deprecated:: 0.1
        Use :func:`make_hits_at_k_scorer`; this name will be removed.
    """
    warnings.warn(
        "hits_at_k_scorer is deprecated and will be removed: it was renamed "
        "make_hits_at_k_scorer, as it makes a scorer rather than being one",
        FutureWarning,
        stacklevel=2,
    )
    return make_hits_at_k_scorer(k)


def ranking_scorers(k=10):
    """The three link-prediction scorers, as a dict for multi-metric search.

    Parameters
    ----------
    k : int, default=10
        Cut-off of the hits@k scorer.

    Returns
    -------
    scorers : dict
        ``{"mean_average_precision": ..., "neg_mean_rank": ...,
        "hits_at_<k>": ...}``, usable as ``scoring=`` of
        :class:`~sklearn.model_selection.GridSearchCV` with ``refit`` naming
        one of them.

    Examples
    --------
    >>> from sklpoincare.metrics import ranking_scorers
    >>> sorted(ranking_scorers(k=5))
    ['hits_at_5', 'mean_average_precision', 'neg_mean_rank']
    """
    hits = make_hits_at_k_scorer(k)
    return {
        "mean_average_precision": mean_average_precision_scorer,
        "neg_mean_rank": neg_mean_rank_scorer,
        hits.name: hits,
    }
