"""Growing a fitted hierarchy: merging new relations, placing new nodes.

Used by ``PoincareEmbedder.partial_fit`` and by ``fit`` with
``warm_start=True``: both continue from a fitted embedding on a graph that
may hold nodes the embedding has never seen.
"""

import numpy as np

from ._relations import RelationGraph, _deduplicate, encode_labels

# A new node starts this far (in hyperbolic distance) beyond its most specific
# known parent, in the parent's direction give or take _ANGLE_JITTER: farther
# from the origin, as a more specific node should be, and apart from its new
# siblings so that training can tell them apart.
_STEP_OUT = 0.5
_ANGLE_JITTER = 0.1


def graph_from_adjacency(nodes, adjacency):
    """The ``RelationGraph`` stored as a fitted ``adjacency_`` CSR matrix."""
    indptr = adjacency.indptr.astype(np.int32)
    parents = adjacency.indices.astype(np.int32)
    children = np.repeat(np.arange(len(nodes), dtype=np.int32), np.diff(indptr))
    return RelationGraph(
        nodes=nodes,
        children=children,
        parents=parents,
        weights=adjacency.data.astype(np.float64),
        parent_indptr=indptr,
        parent_indices=parents.copy(),
    )


def _concatenate_labels(a, b):
    """Both label arrays in one, without numpy turning ints into strings."""
    if a.dtype == b.dtype or (a.dtype.kind in "iu" and b.dtype.kind in "iu") or (
        a.dtype.kind == b.dtype.kind == "U"
    ):
        return np.concatenate([a, b])
    return np.concatenate([a.astype(object), b.astype(object)])


def extend_graph(old, new):
    """Union of two relation graphs; a relation in both keeps its larger weight."""
    nodes, codes = encode_labels(_concatenate_labels(old.nodes, new.nodes))
    old_ids, new_ids = codes[: old.n_nodes], codes[old.n_nodes :]
    return _deduplicate(
        nodes,
        np.concatenate([old_ids[old.children], new_ids[new.children]]),
        np.concatenate([old_ids[old.parents], new_ids[new.parents]]),
        np.concatenate([old.weights, new.weights]),
    )


def place_new_nodes(embedding, placed, graph, rng, init_range, hyperbolic=True):
    """Fill, in place, the rows of ``embedding`` not yet ``placed``.

    Each new node goes next to its most specific (largest-norm) placed
    parent, a little farther out; nodes placed so become parents for the
    next round, so chains of new nodes follow each other. Nodes with no
    placed ancestor (new roots) start near the origin, as in ``fit``.
    ``embedding`` holds Poincaré-ball points, or Euclidean ones when
    ``hyperbolic`` is False.
    """
    placed = placed.copy()
    while not placed.all():
        candidates = ~placed[graph.children] & placed[graph.parents]
        if not candidates.any():
            break
        children, parents = graph.children[candidates], graph.parents[candidates]
        norms = np.linalg.norm(embedding[parents], axis=1)
        order = np.lexsort((norms, children))
        children, parents = children[order], parents[order]
        best = np.append(children[1:] != children[:-1], True)  # largest norm last
        children, parents = children[best], parents[best]
        embedding[children] = _beyond(embedding[parents], rng, hyperbolic)
        placed[children] = True
    roots = ~placed
    embedding[roots] = rng.uniform(
        -init_range, init_range, (roots.sum(), embedding.shape[1])
    )


def _beyond(parents, rng, hyperbolic):
    """Points a little farther from the origin than ``parents``, one each."""
    norms = np.linalg.norm(parents, axis=1, keepdims=True)
    safe = np.where(norms > 0, norms, 1.0)
    direction = np.where(norms > 0, parents / safe, 0.0)
    direction = direction + rng.uniform(-_ANGLE_JITTER, _ANGLE_JITTER, parents.shape)
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    if hyperbolic:
        # hyperbolic distance to the origin 2 artanh(r), plus _STEP_OUT
        radius = np.tanh(np.arctanh(np.minimum(norms, 1 - 1e-15)) + _STEP_OUT / 2)
    else:
        radius = norms + _STEP_OUT
    return direction * radius
