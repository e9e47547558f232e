"""Growing a fitted hierarchy: merging new relations, placing new nodes.

Used by ``PoincareEmbedder.partial_fit`` and by ``fit`` with
``warm_start=True``: both continue from a fitted embedding on a graph that
may hold nodes the embedding has never seen.
"""

import numpy as np

from ._manifolds import POINCARE, unit_rows
from ._relations import RelationGraph, _deduplicate, encode_labels

# A new node starts where its most specific known parent's known children
# lie on average, in polar terms: as much farther from the origin (in
# hyperbolic radius 2 artanh |x|, or in norm for the Euclidean model) and at
# the same angle from the parent's direction, turned away from its siblings
# (_TURN_CANDIDATES). Near the boundary, where trained children lie far from
# their parent in angle rather than in radius, a step along the parent's
# direction would land far too close to it. A parent with no known child gets the
# averages over the whole graph; with none at all, _DEFAULT_RADIUS_STEP and
# _DEFAULT_ANGLE.
_DEFAULT_RADIUS_STEP = 0.5
_DEFAULT_ANGLE = 0.1
# Those averages do not fit a parent that is a leaf of the fit: leaves lie
# near the norm bound, past which the mean step would carry the child (a
# point on the bound hardly moves in training), and the mean angle, which the
# children of general nodes inflate, would put it nearer its parent's
# siblings than its parent. A leaf's new child steps at most half the way
# left to the bound, and at most _LEAF_ANGLE_SHARE of the angle between the
# leaf and its nearest sibling.
_LEAF_ANGLE_SHARE = 0.03
# The turn of a new node is the best of this many random ones: the farthest
# from the turns of its parent's children already placed (at most
# _MAX_SIBLINGS of them, drawn at random), as the layout spreads siblings.
_TURN_CANDIDATES = 32
_MAX_SIBLINGS = 1000


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
    """Both label arrays in one, without numpy turning ints into strings, or
    int64 and uint64 labels into floats (which would merge large ones)."""
    if a.dtype == b.dtype or a.dtype.kind == b.dtype.kind == "U" or (
        a.dtype.kind in "iu" and b.dtype.kind in "iu" and np.result_type(a, b).kind in "iu"
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


def place_new_nodes(embedding, placed, graph, rng, init_range, geometry=POINCARE,
                    max_radius=np.inf):
    """Fill, in place, the rows of ``embedding`` not yet ``placed``.

    Each new node goes where the placed children of its most specific
    (largest-norm) placed parent lie on average, in radius and angle; nodes
    placed so become parents for the next round, so chains of new nodes
    follow each other. A parent without placed children (a leaf of the fit)
    takes the whole graph's averages, bounded by ``max_radius`` (the radius
    of the norm bound) and by its nearest sibling (_LEAF_ANGLE_SHARE). Nodes
    with no placed ancestor (new roots) start near the origin, as in
    ``fit``. ``embedding`` holds the output points of ``geometry``
    (``_manifolds.py``), whose radius steps they follow.
    """
    placed = placed.copy()
    radius = geometry.radius_of_norm(np.linalg.norm(embedding, axis=1))
    children, parents = _most_specific_parents(embedding, placed, placed, graph)
    radius_steps = _mean_by_parent(
        radius[children] - radius[parents], parents, len(embedding), _DEFAULT_RADIUS_STEP
    )
    angles = _mean_by_parent(
        _angle(embedding[children], embedding[parents]), parents, len(embedding),
        _DEFAULT_ANGLE,
    )
    is_leaf = np.bincount(parents, minlength=len(embedding)) == 0
    child_csr = None  # built on first need, for the siblings of leaves
    while not placed.all():
        children, parents = _most_specific_parents(embedding, ~placed, placed, graph)
        if len(children) == 0:
            break
        steps, child_angles = radius_steps[parents], angles[parents]
        leaf = is_leaf[parents]
        if leaf.any():
            steps[leaf] = np.minimum(steps[leaf], 0.5 * (max_radius - radius[parents[leaf]]))
            child_csr = graph.child_csr() if child_csr is None else child_csr
            sibling_angles = _nearest_sibling_angles(embedding, placed, graph, child_csr,
                                                     parents[leaf])
            child_angles[leaf] = np.fmin(child_angles[leaf], _LEAF_ANGLE_SHARE * sibling_angles)
        new_radius = radius[parents] + steps
        turns = _turns_away_from_siblings(embedding, placed, graph, children, parents, rng)
        embedding[children] = _point_at(
            embedding[parents], child_angles, geometry.norm_of_radius(new_radius), rng,
            turns=turns,
        )
        radius[children] = new_radius
        placed[children] = True
    roots = ~placed
    embedding[roots] = rng.uniform(
        -init_range, init_range, (roots.sum(), embedding.shape[1])
    )


def _turns_away_from_siblings(embedding, placed, graph, children, parents, rng):
    """A unit turn, perpendicular to its parent's direction, for each new node
    ``children[i]`` of ``parents[i]``: the best of ``_TURN_CANDIDATES``
    random turns, the one whose nearest turn among the parent's placed
    children (the new ones included, in order) is farthest. Zero rows for a
    parent at the origin, which ``_point_at`` turns at random."""
    n, dim = len(children), embedding.shape[1]
    turns = np.zeros((n, dim))
    radial = unit_rows(embedding[parents])
    known = placed[graph.children] & np.isin(graph.parents, parents)
    known_children, known_parents = graph.children[known], graph.parents[known]
    order = np.argsort(known_parents, kind="stable")
    known_children, known_parents = known_children[order], known_parents[order]
    for parent in np.unique(parents):
        rows = np.flatnonzero(parents == parent)
        axis = radial[rows[0]]
        if not axis.any():
            continue
        lo, hi = np.searchsorted(known_parents, [parent, parent + 1])
        siblings = known_children[lo:hi]
        if len(siblings) > _MAX_SIBLINGS:
            siblings = rng.choice(siblings, _MAX_SIBLINGS, replace=False)
        taken = _perpendicular_units(embedding[siblings], axis)
        taken = taken[taken.any(axis=1)]
        for row in rows:
            candidates = _perpendicular_units(rng.standard_normal((_TURN_CANDIDATES, dim)), axis)
            best = 0
            if len(taken):
                best = int(np.argmin(np.max(candidates @ taken.T, axis=1)))
            turns[row] = candidates[best]
            taken = np.vstack([taken, candidates[best]])
    return turns


def _nearest_sibling_angles(embedding, placed, graph, child_csr, nodes):
    """Per entry of ``nodes``, the smallest angle between it and another
    placed child of its most specific placed parent (at most _MAX_SIBLINGS
    of them, evenly spaced); NaN where there is none. ``child_csr`` is
    ``graph.child_csr()``."""
    unique, position = np.unique(nodes, return_inverse=True)
    mask = np.zeros(len(embedding), dtype=bool)
    mask[unique] = True
    kids, parents = _most_specific_parents(embedding, mask, placed, graph)
    indptr, indices = child_csr
    nearest = np.full(len(unique), np.nan)
    for node, parent in zip(kids, parents):
        siblings = indices[indptr[parent] : indptr[parent + 1]]
        siblings = siblings[placed[siblings] & (siblings != node)]
        if len(siblings) > _MAX_SIBLINGS:
            siblings = siblings[np.linspace(0, len(siblings) - 1, _MAX_SIBLINGS).astype(np.intp)]
        if len(siblings):
            point = np.broadcast_to(embedding[node], (len(siblings), embedding.shape[1]))
            nearest[np.searchsorted(unique, node)] = _angle(point, embedding[siblings]).min()
    return nearest[position]


def _perpendicular_units(vectors, axes):
    """The rows' components perpendicular to the unit vectors ``axes`` (one
    per row, or one for all), as unit vectors (zero rows where there is
    none, as in 1-d)."""
    axes = np.broadcast_to(axes, vectors.shape)
    return unit_rows(vectors - np.einsum("ij,ij->i", vectors, axes)[:, None] * axes)


def _most_specific_parents(embedding, child_mask, parent_mask, graph):
    """``(children, parents)``: each child of ``child_mask`` with its
    largest-norm parent among ``parent_mask`` (children without one left out)."""
    candidates = child_mask[graph.children] & parent_mask[graph.parents]
    children, parents = graph.children[candidates], graph.parents[candidates]
    norms = np.linalg.norm(embedding[parents], axis=1)
    order = np.lexsort((norms, children))
    children, parents = children[order], parents[order]
    if len(children) == 0:  # no child with such a parent: new roots only
        return children, parents
    last = np.append(children[1:] != children[:-1], True)  # largest norm last
    return children[last], parents[last]


def _mean_by_parent(values, parents, n_nodes, default):
    """Per node, the mean of ``values`` over its entries in ``parents``; the
    overall mean for nodes without entries (``default`` when there are none)."""
    out = np.full(n_nodes, values.mean() if len(values) else default)
    counts = np.bincount(parents, minlength=n_nodes)
    totals = np.bincount(parents, weights=values, minlength=n_nodes)
    has = counts > 0
    out[has] = totals[has] / counts[has]
    return out


def _angle(x, y):
    """Row-wise angle between x and y (0 where either is the origin)."""
    norms = np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)
    cosines = np.einsum("ij,ij->i", x, y) / np.where(norms > 0, norms, 1.0)
    return np.where(norms > 0, np.arccos(np.clip(cosines, -1.0, 1.0)), 0.0)


def _point_at(parents, angles, norms, rng, turns):
    """Points of the given norms, at the given angles from ``parents``'
    directions, turned towards ``turns`` (unit vectors perpendicular to
    those directions); a parent at the origin gets a random direction and
    turn."""
    radial = unit_rows(parents)
    origin = np.linalg.norm(parents, axis=1) == 0
    turn = turns
    if origin.any():  # no direction to be perpendicular to before
        radial[origin] = unit_rows(rng.standard_normal((origin.sum(), parents.shape[1])))
        turn = turns.copy()
        turn[origin] = _perpendicular_units(rng.standard_normal(radial[origin].shape),
                                            radial[origin])
    direction = np.cos(angles)[:, None] * radial + np.sin(angles)[:, None] * turn
    return unit_rows(direction) * norms[:, None]
