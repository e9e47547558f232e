"""Poincaré distances and the reconstruction metrics of Nickel & Kiela (2017).

The ranking protocol is the one of the paper's reference code: for each child
u, its known parents are the positives and every other node except u itself
is a candidate; the rank of a parent is 1 + the number of non-parents closer
to u; the average precision of u is scikit-learn's
:func:`~sklearn.metrics.average_precision_score` of the positives against all
other nodes scored by negative distance (ties counted as scikit-learn counts
them). ``mean_rank`` averages ranks over all relations, the mean average
precision (MAP) averages AP over children.

For model selection on held-out relations, :func:`ranking_scorers` and the
scorers :data:`mean_average_precision_scorer`, :data:`neg_mean_rank_scorer`
and :func:`make_hits_at_k_scorer` rank in the *filtered* setting of link
prediction, excluding the parents known from training (see
:meth:`sklpoincare.PoincareEmbedder.score`). For link classification,
:data:`is_a_average_precision_scorer` scores labelled pairs by
:meth:`~sklpoincare.PoincareEmbedder.is_a_score`.

The ranking runs in blocks in Cython: memory stays O(n_nodes) per thread, so
the full WordNet noun hierarchy needs no n_nodes x n_nodes matrix.
"""

from collections import namedtuple

import numpy as np
from sklearn.utils import check_array
from sklearn.utils._param_validation import validate_params

from ._ranking import _raise_unknown, _rank_relations, _relation_ids
from ._ranking_fast import one_minus_squared_norms as _one_minus_squared_norms
from ._ranking_fast import pairwise_distances as _pairwise_distances
from ._scorers import (
    hits_at_k_scorer,
    is_a_average_precision_scorer,
    make_hits_at_k_scorer,
    mean_average_precision_scorer,
    neg_mean_rank_scorer,
    ranking_scorers,
)
from ._threads import N_JOBS_CONSTRAINT
from ._threads import n_threads as _n_threads

__all__ = [
    "RankingScores",
    "hits_at_k_scorer",
    "is_a_average_precision_scorer",
    "make_hits_at_k_scorer",
    "mean_average_precision",
    "mean_average_precision_scorer",
    "mean_rank",
    "neg_mean_rank_scorer",
    "poincare_distances",
    "ranking_scorers",
    "ranking_scores",
]

RankingScores = namedtuple("RankingScores", ["mean_rank", "mean_average_precision"])

# ``metric`` is checked by _check_embedding, whose message names the options.
_RANKING_CONSTRAINTS = {
    "embedding": ["array-like"],
    "relations": ["array-like"],
    "nodes": ["array-like", None],
    "n_jobs": N_JOBS_CONSTRAINT,
}


def _check_in_ball(X, name):
    # the same 1 - |x|^2 as the kernels use, so that every accepted point
    # has a finite distance to every other
    outside = np.nonzero(~(_one_minus_squared_norms(X) > 0.0))[0]
    if len(outside):
        i = outside[0]
        raise ValueError(
            f"row {i} of {name} has norm {float(np.linalg.norm(X[i]))!r}; points of "
            f"the Poincaré ball must have norm < 1 ({len(outside)} row(s) outside)"
        )


def _check_embedding(X, name="X", metric="poincare"):
    X = check_array(X, dtype=np.float64, order="C", input_name=name)
    if metric == "poincare":
        _check_in_ball(X, name)
    elif metric != "euclidean":
        raise ValueError(f"metric must be 'poincare' or 'euclidean', got {metric!r}")
    return X


@validate_params(
    {"X": ["array-like"], "Y": ["array-like", None], "n_jobs": N_JOBS_CONSTRAINT},
    prefer_skip_nested_validation=True,
)
def poincare_distances(X, Y=None, *, n_jobs=None):
    """Pairwise Poincaré distances between the rows of X and Y.

    .. math:: d(x, y) = \\operatorname{arcosh}\\left(1 + 2
       \\frac{\\lVert x - y \\rVert^2}{(1 - \\lVert x \\rVert^2)(1 - \\lVert y \\rVert^2)}\\right)

    evaluated in a form that stays accurate for nearby points and near the
    boundary of the ball.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        Points strictly inside the unit ball.
    Y : array-like of shape (n_samples_Y, n_features), default=None
        Points strictly inside the unit ball. ``None`` means ``Y = X``.
    n_jobs : int, default=None
        Number of threads. ``None`` means 1, ``-1`` all cores.

    Returns
    -------
    distances : ndarray of shape (n_samples_X, n_samples_Y)

    Examples
    --------
    >>> from sklpoincare.metrics import poincare_distances
    >>> poincare_distances([[0.0, 0.0]], [[0.5, 0.0]]).round(6)
    array([[1.098612]])
    """
    X = _check_embedding(X, "X")
    Y = X if Y is None else _check_embedding(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} features but Y has {Y.shape[1]}; they must match"
        )
    out = np.empty((X.shape[0], Y.shape[0]))
    _pairwise_distances(X, Y, out, _n_threads(n_jobs))
    return out


@validate_params(_RANKING_CONSTRAINTS, prefer_skip_nested_validation=True)
def ranking_scores(embedding, relations, *, nodes=None, metric="poincare", n_jobs=None):
    """Mean rank and mean average precision of relations, in one pass.

    Parameters
    ----------
    embedding : array-like of shape (n_nodes, n_components)
        One row per node: points strictly inside the unit ball, or any
        points with ``metric="euclidean"``.
    relations : array-like of shape (n_relations, 2)
        (child, parent) pairs: row indices of ``embedding``, or labels when
        ``nodes`` is given. Duplicate relations count once.
    nodes : array-like of shape (n_nodes,), default=None
        Label of each row of ``embedding`` (e.g. ``PoincareEmbedder.nodes_``).
    metric : {"poincare", "euclidean"}, default="poincare"
        Distance that ranks the candidates: Poincaré distance, or Euclidean
        distance for embeddings trained with ``manifold="euclidean"``.
    n_jobs : int, default=None
        Number of threads. ``None`` means 1, ``-1`` all cores.

    Returns
    -------
    scores : RankingScores
        Named tuple ``(mean_rank, mean_average_precision)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklpoincare.metrics import ranking_scores

    A root 0 at the origin, children 1 and 2, and 3 a child of 1. Node 3 is
    closer to 1 than the root is, so the parent of 1 gets rank 2:

    >>> embedding = np.array([[0.0, 0.0], [0.5, 0.0], [-0.5, 0.0], [0.6, 0.1]])
    >>> relations = [[1, 0], [2, 0], [3, 1], [3, 0]]
    >>> scores = ranking_scores(embedding, relations)
    >>> scores.mean_rank, round(scores.mean_average_precision, 3)
    (1.25, 0.833)
    """
    embedding = _check_embedding(embedding, "embedding", metric)
    child_ids, parent_ids, table = _relation_ids(relations, nodes, embedding.shape[0])
    _raise_unknown(child_ids, parent_ids, table)
    ranks, aps = _rank_relations(
        embedding, child_ids, parent_ids, _n_threads(n_jobs), metric
    )
    return RankingScores(float(np.mean(ranks)), float(np.mean(aps)))


@validate_params(_RANKING_CONSTRAINTS, prefer_skip_nested_validation=True)
def mean_rank(embedding, relations, *, nodes=None, metric="poincare", n_jobs=None):
    """Mean rank of each relation's parent among all nodes (lower is better).

    See :func:`ranking_scores` for the parameters and the protocol.

    Returns
    -------
    mean_rank : float
        At least 1; 1 means every parent is closer than every non-parent.
    """
    return ranking_scores(
        embedding, relations, nodes=nodes, metric=metric, n_jobs=n_jobs
    ).mean_rank


@validate_params(_RANKING_CONSTRAINTS, prefer_skip_nested_validation=True)
def mean_average_precision(embedding, relations, *, nodes=None, metric="poincare",
                           n_jobs=None):
    """Mean over children of the average precision of their parents.

    See :func:`ranking_scores` for the parameters and the protocol.

    Returns
    -------
    map : float
        In (0, 1]; 1 means every child's parents are its nearest nodes.
    """
    return ranking_scores(
        embedding, relations, nodes=nodes, metric=metric, n_jobs=n_jobs
    ).mean_average_precision

