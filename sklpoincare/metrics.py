"""Poincaré distances and the reconstruction metrics of Nickel & Kiela (2017).

The ranking protocol is the one of the paper's reference code: for each child
u, its known parents are the positives and every other node except u itself
is a candidate; the rank of a parent is 1 + the number of non-parents closer
to u; the average precision of u is scikit-learn's
:func:`~sklearn.metrics.average_precision_score` of the positives against all
other nodes scored by negative distance (ties counted as scikit-learn counts
them). ``mean_rank`` averages ranks over all relations, the mean average
precision (MAP) averages AP over children.

The ranking runs in blocks in Cython: memory stays O(n_nodes) per thread, so
the full WordNet noun hierarchy needs no n_nodes x n_nodes matrix.
"""

from collections import namedtuple
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, validate_params

from ._ranking_fast import one_minus_squared_norms as _one_minus_squared_norms
from ._ranking_fast import pairwise_distances as _pairwise_distances
from ._ranking_fast import rank_children as _rank_children
from ._relations import (
    as_label_table,
    check_no_missing_labels,
    encode_labels,
    lookup_labels,
)

__all__ = [
    "RankingScores",
    "mean_average_precision",
    "mean_rank",
    "poincare_distances",
    "ranking_scores",
]

RankingScores = namedtuple("RankingScores", ["mean_rank", "mean_average_precision"])

# joblib's convention: a positive count of threads, or -1, -2, ... for all
# cores but |n_jobs| - 1; 0 means nothing.
N_JOBS_CONSTRAINT = [
    Interval(Integral, None, -1, closed="right"),
    Interval(Integral, 1, None, closed="left"),
    None,
]
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
    _pairwise_distances(X, Y, out, effective_n_jobs(n_jobs))
    return out


def _relation_ids(relations, nodes, n_rows):
    """(child_ids, parent_ids) of the relations; -1 marks unknown labels."""
    table, _ = as_label_table(relations)
    if table.shape[:1] == (0,):
        raise ValueError("relations is empty (0 rows): there is nothing to rank")
    if table.ndim != 2 or table.shape[1] != 2:
        raise ValueError(
            f"relations must have two columns (child, parent), got shape {table.shape}"
        )
    check_no_missing_labels(table)
    if nodes is None:
        if table.dtype == object and all(
            isinstance(label, Integral) for label in table.reshape(-1)
        ):
            table = table.astype(np.intp)
        if table.dtype.kind not in "iu":
            raise ValueError(
                "relations must be integer row indices of the embedding when "
                "nodes is None; pass nodes=... to use labels"
            )
        ids = table.astype(np.intp)
        ids[(ids < 0) | (ids >= n_rows)] = -1
    else:
        nodes = _check_nodes(nodes, n_rows)
        ids = lookup_labels(nodes, table)
    unknown = ids < 0
    if unknown.any():
        # distinct negative ids, one per unknown label, so that distinct
        # unknown nodes stay distinct relations
        _, codes = encode_labels(table[unknown])
        ids[unknown] = -1 - codes
    loops = np.nonzero(ids[:, 0] == ids[:, 1])[0]
    if len(loops):
        # a node is no candidate for its own parent: the rank is undefined
        r = loops[0]
        raise ValueError(
            f"{len(loops)} self-loop relation(s), a node as its own parent, the "
            f"first at row {r}: {tuple(table[r].tolist())!r:.120}"
        )
    return ids[:, 0], ids[:, 1], table


def _check_nodes(nodes, n_rows):
    """``nodes`` as a 1-D array of ``n_rows`` distinct labels."""
    nodes = np.asarray(nodes)
    if nodes.ndim != 1:
        raise ValueError(
            "nodes must be a 1-D array-like of labels, one per row of the "
            f"embedding; got shape {nodes.shape}"
        )
    if len(nodes) != n_rows:
        raise ValueError(
            f"nodes has {len(nodes)} labels but the embedding has {n_rows} rows"
        )
    first_row = {}
    for i, label in enumerate(nodes.tolist()):
        try:
            j = first_row.setdefault(label, i)
        except TypeError:
            raise TypeError(
                f"label {label!r:.80} at row {i} of nodes is not hashable"
            ) from None
        if j != i:
            raise ValueError(
                f"nodes holds the label {label!r:.80} at rows {j} and {i}; each "
                "row of the embedding needs a label of its own"
            )
    return nodes


def _raise_unknown(child_ids, parent_ids, table):
    bad_rows = np.nonzero((child_ids < 0) | (parent_ids < 0))[0]
    if len(bad_rows):
        r = bad_rows[0]
        raise ValueError(
            f"{len(bad_rows)} relation(s) name nodes that the embedding does not "
            f"have, the first at row {r}: {tuple(table[r].tolist())!r:.120}"
        )


def _rank_relations(embedding, child_ids, parent_ids, n_threads, metric="poincare"):
    """Rank sums and average precisions, one per distinct child.

    Labels unknown to the embedding (negative ids) count as ranked last: an unknown
    child gets rank ``n_nodes`` for each of its parents and AP 0; an unknown
    parent of a known child comes after every known candidate.
    Returns ``(rank_sum, n_relations, average_precisions)``.
    """
    n_nodes = embedding.shape[0]
    pairs = np.unique(np.stack([child_ids, parent_ids], axis=1), axis=0)
    known_child = pairs[:, 0] >= 0
    unknown_child_pairs = pairs[~known_child]
    pairs = pairs[known_child]
    n_relations = len(pairs) + len(unknown_child_pairs)

    rank_sum = float(n_nodes) * len(unknown_child_pairs)
    average_precisions = [np.zeros(len(np.unique(unknown_child_pairs[:, 0])))]

    children, starts = np.unique(pairs[:, 0], return_index=True)
    counts = np.diff(np.append(starts, len(pairs)))
    known_parent = pairs[:, 1] >= 0
    n_known = np.add.reduceat(known_parent.astype(np.intp), starts) if len(pairs) else counts
    n_unknown = counts - n_known

    ranked = n_known > 0
    known_pairs = pairs[known_parent]
    indptr = np.zeros(ranked.sum() + 1, dtype=np.int32)
    np.cumsum(n_known[ranked], out=indptr[1:])
    ranks, aps = _rank_children(
        embedding,
        children[ranked].astype(np.int32),
        indptr,
        known_pairs[:, 1].astype(np.int32),
        n_threads,
        metric == "euclidean",
    )
    rank_sum += ranks.sum()

    # Unknown parents of known children: after all n_nodes - 1 - k candidates.
    k, m = n_known.astype(np.float64), n_unknown.astype(np.float64)
    rank_sum += float(np.sum(m * (1.0 + (n_nodes - 1 - k))))
    child_ap = np.zeros(len(children))
    child_ap[ranked] = aps * k[ranked]
    with np.errstate(invalid="ignore", divide="ignore"):
        child_ap += m * (k + m) / (n_nodes - 1 + m)
    child_ap /= k + m
    average_precisions.append(child_ap)
    return rank_sum, n_relations, np.concatenate(average_precisions)


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
    rank_sum, n_relations, aps = _rank_relations(
        embedding, child_ids, parent_ids, effective_n_jobs(n_jobs), metric
    )
    return RankingScores(float(rank_sum / n_relations), float(np.mean(aps)))


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
