"""Link-prediction scorers: ``scoring=`` for model selection tools.

A fitted :class:`~sklpoincare.PoincareEmbedder` is scored on held-out
relations in the *filtered* setting: each held-out parent of a child is
ranked among the nodes that are parents of that child neither in the
embedder's training relations (``adjacency_``) nor among the held-out
relations, so a correct parent seen in training never counts against it.
A label never seen in training counts as ranked last. On the training
relations themselves this is the reconstruction protocol of
:func:`sklpoincare.metrics.ranking_scores`.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._manifolds import get_geometry
from ._relations import as_relation_table
from ._ranking import _rank_relations, _relation_ids
from ._threads import n_threads as _n_threads

__all__ = [
    "hits_at_k_scorer",
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
