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

from ._is_a import (
    _IS_A_CORRUPTED,
    _IS_A_SEED,
    _pair_keys,
    calibrated_is_a_scores,
    corrupted_pairs,
    keys_membership,
)
from ._manifolds import get_geometry
from ._relations import as_relation_table
from ._ranking import _rank_relations, _relation_ids
from ._threads import n_threads as _n_threads

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
    from .metrics import _check_embedding  # metrics imports this module

    check_is_fitted(estimator)
    metric = get_geometry(estimator.manifold).metric
    # as the queries check it: points of the ball for a hyperbolic manifold
    embedding = _check_embedding(estimator.embedding_, "embedding_", metric)
    child_ids, parent_ids, _ = _relation_ids(
        as_relation_table(X), estimator.nodes_, len(embedding)
    )
    adjacency = estimator.adjacency_
    return _rank_relations(
        embedding,
        child_ids,
        parent_ids,
        _n_threads(estimator.n_jobs),
        metric,
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


class _IsAScorer:
    """Callable ``scorer(estimator, X, y=None)``: average precision of the
    is-a scores (a module-level class, so that it pickles)."""

    def __call__(self, estimator, X, y=None, sample_weight=None):
        check_is_fitted(estimator)
        # the checks of the ranking scorers; unseen labels get negative ids
        children, parents, table = _relation_ids(
            as_relation_table(X), estimator.nodes_, len(estimator.embedding_)
        )
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
        scores[known] = calibrated_is_a_scores(
            estimator.is_a_calibration_, get_geometry(estimator.manifold),
            embedding[children[known]], embedding[parents[known]],
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
        bad_children, bad_parents = corrupted_pairs(
            children[known], parents[known], keys_membership(known_keys, n_nodes),
            n_nodes, _IS_A_CORRUPTED, rng,
        )
        # A relation with an unseen label scores lowest; as many pairs tie
        # with it as it would have corrupted ones, so that it counts as a
        # guess (otherwise relations all unseen would score a perfect 1).
        n_unseen = _IS_A_CORRUPTED * int(np.count_nonzero(~known))
        bad_children = np.r_[bad_children, np.full(n_unseen, -1)]
        bad_parents = np.r_[bad_parents, np.full(n_unseen, -1)]
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
