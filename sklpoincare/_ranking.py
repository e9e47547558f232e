"""Ranking relations by distance: the core of every ranking metric.

Turns (child, parent) relations into node ids and ranks each child's parents
among the other nodes with the Cython kernel, in the reconstruction setting
or, given the known parents, in the filtered setting of link prediction.
"""

import numpy as np

from ._ranking_fast import rank_children as _rank_children
from ._relations import (
    as_integer_labels,
    as_label_table,
    check_no_missing_labels,
    check_no_self_loops,
    encode_labels,
    lookup_labels,
)


def _relation_ids(relations, nodes, n_rows):
    """(child_ids, parent_ids) of the relations; -1 marks unknown labels."""
    table, _ = as_label_table(relations, first_columns=2)
    if table.shape[:1] == (0,):
        raise ValueError("relations is empty (0 rows): there is nothing to rank")
    if table.ndim != 2 or table.shape[1] != 2:
        raise ValueError(
            f"relations must have two columns (child, parent), got shape {table.shape}"
        )
    check_no_missing_labels(table)
    table = as_integer_labels(table)
    if nodes is None:
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
    check_no_self_loops(ids[:, 0], ids[:, 1], table, "relations")
    return ids[:, 0], ids[:, 1], table


def _check_nodes(nodes, n_rows):
    """``nodes`` as a 1-D array of ``n_rows`` distinct labels."""
    # as_label_table keeps each label's type (np.asarray would turn the 1 of
    # [1, "x"] into "1")
    nodes = as_integer_labels(as_label_table(nodes)[0])
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


def _excluded_csr(children, positive_pairs, known_parents):
    """Per child, the sorted known parents that are not among its positives.

    ``known_parents`` is ``(indptr, indices)``, the parents of each node
    (a CSR over node ids), or None for no exclusion.
    """
    if known_parents is None:
        return None, None
    indptr, indices = known_parents
    starts, stops = indptr[children], indptr[children + 1]
    counts = stops - starts
    owner = np.repeat(np.arange(len(children)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    parents = indices[np.repeat(starts, counts) + offsets]
    n = np.int64(max(indptr.shape[0], 1))
    keys = children[owner].astype(np.int64) * n + parents
    positive_keys = positive_pairs[:, 0].astype(np.int64) * n + positive_pairs[:, 1]
    keep = ~np.isin(keys, positive_keys)
    owner, parents = owner[keep], parents[keep]
    out_indptr = np.zeros(len(children) + 1, dtype=np.int32)
    np.cumsum(np.bincount(owner, minlength=len(children)), out=out_indptr[1:])
    return out_indptr, np.ascontiguousarray(parents, dtype=np.int32)


def _rank_relations(embedding, child_ids, parent_ids, n_threads, metric="poincare",
                    known_parents=None):
    """Rank of every distinct relation and average precision of every child.

    Labels unknown to the embedding (negative ids) count as ranked last: an
    unknown child gets rank ``n_nodes`` for each of its parents and AP 0; an
    unknown parent of a known child comes after every known candidate.
    ``known_parents`` (a CSR ``(indptr, indices)`` of each node's parents,
    e.g. the training relations) switches to the filtered setting: a known
    parent of a child that is not among its relations here is not a
    candidate, so it never counts against the ranked parents.
    Returns ``(ranks, average_precisions)``: the ranks of the pairs with an
    unknown child, then of the known pairs (sorted by child, then parent),
    then of the unknown parents; one average precision per distinct child.
    """
    n_nodes = embedding.shape[0]
    pairs = np.unique(np.stack([child_ids, parent_ids], axis=1), axis=0)
    known_child = pairs[:, 0] >= 0
    unknown_child_pairs = pairs[~known_child]
    pairs = pairs[known_child]

    ranks = [np.full(len(unknown_child_pairs), float(n_nodes))]
    average_precisions = [np.zeros(len(np.unique(unknown_child_pairs[:, 0])))]

    children, starts = np.unique(pairs[:, 0], return_index=True)
    counts = np.diff(np.append(starts, len(pairs)))
    known_parent = pairs[:, 1] >= 0
    n_known = np.add.reduceat(known_parent.astype(np.intp), starts) if len(pairs) else counts
    n_unknown = counts - n_known

    known_pairs = pairs[known_parent]
    excluded_indptr, excluded_indices = _excluded_csr(children, known_pairs, known_parents)
    n_excluded = (
        np.zeros(len(children)) if excluded_indptr is None else np.diff(excluded_indptr)
    )
    ranked = n_known > 0
    indptr = np.zeros(ranked.sum() + 1, dtype=np.int32)
    np.cumsum(n_known[ranked], out=indptr[1:])
    if excluded_indptr is not None:
        # keep the exclusion lists of the ranked children only
        kept = np.repeat(ranked, n_excluded.astype(np.intp))
        excluded_indices = excluded_indices[kept]
        excluded_indptr = np.zeros(ranked.sum() + 1, dtype=np.int32)
        np.cumsum(n_excluded[ranked], out=excluded_indptr[1:])
    known_ranks, aps = _rank_children(
        embedding,
        children[ranked].astype(np.int32),
        indptr,
        known_pairs[:, 1].astype(np.int32),
        n_threads,
        metric == "euclidean",
        excluded_indptr,
        excluded_indices,
    )
    ranks.append(known_ranks)

    # Unknown parents of known children: after all n_nodes - 1 - k - e
    # candidates (e: the child's excluded known parents).
    k, m = n_known.astype(np.float64), n_unknown.astype(np.float64)
    n_candidates = n_nodes - 1 - k - n_excluded
    ranks.append(np.repeat(1.0 + n_candidates, n_unknown))
    child_ap = np.zeros(len(children))
    child_ap[ranked] = aps * k[ranked]
    with np.errstate(invalid="ignore", divide="ignore"):
        child_ap += m * (k + m) / (n_candidates + k + m)
    child_ap /= k + m
    average_precisions.append(child_ap)
    return np.concatenate(ranks), np.concatenate(average_precisions)
