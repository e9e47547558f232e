"""Starting points for training: random, or laid out from the hierarchy.

The hierarchical layout puts each node where trained embeddings put it,
measured on the WordNet nouns (see ``doc/training_choices.rst``):

- at a hyperbolic radius proportional to ``log(n_nodes / size)``, where
  ``size`` is the number of nodes in its subtree, so the most general nodes
  sit near the origin (trained noun embeddings follow ``log(n_nodes /
  size)`` closely; it is scaled here so that leaves start at
  ``leaf_radius`` whatever the number of nodes: out there the cones have
  more room, as long as the norm bound leaves some beyond);
- at an angle of about ``exp(-r_p / 2)`` from its parent's direction (``r_p``
  the parent's radius), towards a random direction. That is the width of the
  cone of points closer to the parent than to the origin, so a subtree
  starts inside its parent's cone and no two subtrees start interleaved.

A node with several direct parents (WordNet has many) starts in the
direction between them. Which parents are direct is read off the transitive
closure of the relations, so a closure with some relations missing (a
held-out share, say) is laid out like the whole one. Training then only has to separate siblings and
reconcile the extra parents, instead of discovering the whole nesting from
a cloud of points near the origin.
"""

import numpy as np
import scipy.sparse as sp

from ._growth import _point_at, _unit_rows

# Leaves start at radius LEAF_RADIUS, or LEAF_MARGIN inside the norm bound
# (19.1 for eps=1e-8, 12.2 for 1e-5) when that is nearer, with room left to
# move outwards; the root of a single tree is at 0. Farther out the cones are
# wider apart, but past 14 the nouns at 10 dimensions lose again (see
# doc/training_choices.rst).
LEAF_RADIUS = 14.0
LEAF_MARGIN = 2.0

# The ancestor closure is computed when that takes at most this many steps
# (a pair extended by one parent) per relation, plus a fixed allowance: a
# few per relation for the WordNet nouns, while a deep closure (each node
# the child of all those above it) or a deep reduction cost up to the cube
# or the square of their depth. Past the limit, the relations are taken as
# they are, which is exact for a complete closure and for a reduction.
CLOSURE_STEPS_PER_RELATION = 20
CLOSURE_STEP_ALLOWANCE = 10_000_000


def leaf_radius(max_norm):
    """Starting radius of the leaves when points are kept at norm <= max_norm."""
    max_radius = 2.0 * np.arctanh(max_norm)
    return min(LEAF_RADIUS, max(max_radius - LEAF_MARGIN, max_radius / 2))


def random_embedding(n_nodes, n_components, init_range, rng):
    """Coordinates uniform in ``[-init_range, init_range]`` (the paper's start)."""
    return rng.uniform(-init_range, init_range, (n_nodes, n_components))


def hierarchical_embedding(graph, n_components, rng, max_norm):
    """Poincaré-ball points laid out along a spanning forest of ``graph``.

    Leaves start at :func:`leaf_radius` of ``max_norm``, the norm bound
    of training.
    """
    n_nodes = graph.n_nodes
    ancestors = ancestor_closure(graph)
    tree_parent = spanning_forest(graph, ancestors)
    levels = _levels(tree_parent)
    sizes = _subtree_sizes(tree_parent, levels)
    radius = np.log(n_nodes / sizes)
    if n_nodes > 1:
        radius *= leaf_radius(max_norm) / np.log(n_nodes)
    direct = direct_parents(graph, tree_parent, ancestors)
    n_direct = np.diff(direct.indptr)

    embedding = np.zeros((n_nodes, n_components))
    units = np.zeros_like(embedding)  # placed directions; 0 at the origin
    roots = levels[0]
    units[roots] = _unit_rows(rng.standard_normal((len(roots), n_components)))
    units[roots[radius[roots] == 0]] = 0.0
    embedding[roots] = units[roots] * np.tanh(radius[roots] / 2)[:, None]
    for level in levels[1:]:
        parents = tree_parent[level]
        angles = np.minimum(np.exp(-radius[parents] / 2), np.pi / 2)
        # A node with several direct parents starts between them, so that
        # it is not far from all but one (a root at the origin gives its
        # children random directions).
        centres = embedding[parents]
        several = np.flatnonzero(n_direct[level] > 1)
        between = direct[level[several]] @ units
        moved = np.any(between, axis=1)
        centres[several[moved]] = between[moved]
        embedding[level] = _point_at(centres, angles, np.tanh(radius[level] / 2), rng)
        units[level] = _unit_rows(embedding[level])
    return embedding


def ancestor_closure(graph, max_steps=None):
    """CSR matrix with entry (u, a) for every ancestor a of u, or None.

    The ancestors are what the relations reach by following parents, u
    itself excluded (it can be reached on a cycle). Returns None when
    computing them would take more than ``max_steps`` extensions of a pair
    by a parent (by default ``CLOSURE_STEPS_PER_RELATION`` per relation
    plus ``CLOSURE_STEP_ALLOWANCE``).
    """
    n_relations = len(graph.parent_indices)
    if max_steps is None:
        max_steps = CLOSURE_STEPS_PER_RELATION * n_relations + CLOSURE_STEP_ALLOWANCE
    parents = graph.parent_matrix(weighted=False)
    n_parents = np.diff(graph.parent_indptr)
    reach = parents.copy()
    frontier = parents
    steps = 0
    # Each round follows one more parent from the pairs found in the last
    # one only, so every (u, ancestor) pair is extended once.
    while frontier.nnz:
        steps += int(n_parents[frontier.indices].sum())
        if steps > max_steps:
            return None
        step = frontier @ parents
        step.data[:] = 1
        new = step - step.multiply(reach)
        new.eliminate_zeros()
        reach = reach + new
        frontier = new
    pairs = reach.tocoo()
    off_diagonal = pairs.row != pairs.col
    return sp.csr_matrix(
        (pairs.data[off_diagonal], (pairs.row[off_diagonal], pairs.col[off_diagonal])),
        shape=reach.shape,
    )


def direct_parents(graph, tree_parent, ancestors=None):
    """CSR matrix of the relations (u, p) with no other parent of u below p.

    p is below another parent q when it is an ancestor of q: in
    ``ancestors`` (see :func:`ancestor_closure`) or, without it, among the
    parents of q, which is the same in a complete closure. The tree parent
    of u is direct, and so is everything its ancestors imply; the other
    parents can only be among those that are not ancestors of the tree
    parent (in a closure, usually none), so only those few are compared
    with each other. Checking every pair of parents would cost the sum of
    the squared numbers of parents, quadratic in the depth of a deep
    closure.
    """
    n_nodes = graph.n_nodes
    adjacency = graph.parent_matrix(weighted=False)
    above = adjacency if ancestors is None else ancestors
    has_parent = np.flatnonzero(tree_parent >= 0)
    tree = sp.csr_matrix(
        (np.ones(len(has_parent), dtype=np.int32), (has_parent, tree_parent[has_parent])),
        shape=(n_nodes, n_nodes),
    )
    off_path = adjacency - adjacency.multiply((tree @ above) > 0) - tree
    off_path.eliminate_zeros()
    direct = tree + off_path - off_path.multiply((off_path @ above) > 0)
    direct.eliminate_zeros()
    return direct.tocsr().astype(np.float64)


def spanning_forest(graph, ancestors=None):
    """The tree parent of each node (-1 for a root).

    A node's tree parent is its parent with the fewest descendants, counted
    in the ancestor closure (see :func:`ancestor_closure`): a parent below
    another parent has fewer, so that is a direct parent, even when some
    relations of the closure are missing. Without the closure the number of
    children in the relations is counted, which does the same in a complete
    closure or a transitive reduction. Cycles in the relations are cut where
    they close.
    """
    n_nodes = graph.n_nodes
    if ancestors is None:
        n_below = np.bincount(graph.parents, minlength=n_nodes)
    else:
        n_below = np.bincount(ancestors.indices, minlength=n_nodes)
    children, parents = graph.children, graph.parents  # no self-loops (validated)
    order = np.lexsort((parents, n_below[parents], children))
    children, parents = children[order], parents[order]
    first = np.ones(len(children), dtype=bool)
    first[1:] = children[1:] != children[:-1]
    tree_parent = np.full(n_nodes, -1, dtype=np.int64)
    tree_parent[children[first]] = parents[first]
    _cut_cycles(tree_parent)
    return tree_parent


def _cut_cycles(tree_parent):
    """Make the parent pointers acyclic, in place.

    Following pointers n_nodes times from any node ends at a root or on a
    cycle; every cycle holds at least one such end point (its own nodes end
    on it), so cutting the pointer of each end point that is not a root
    leaves a forest.
    """
    n_nodes = len(tree_parent)
    nodes = np.arange(n_nodes)
    jump = np.where(tree_parent < 0, nodes, tree_parent)
    for _ in range(max(1, int(n_nodes).bit_length())):
        jump = jump[jump]
    ends = np.unique(jump)
    tree_parent[ends] = -1


def _levels(tree_parent):
    """Node indices level by level, roots first."""
    n_nodes = len(tree_parent)
    has_parent = tree_parent >= 0
    order = np.argsort(tree_parent[has_parent], kind="stable")
    child_ids = np.flatnonzero(has_parent)[order]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tree_parent[has_parent], minlength=n_nodes), out=indptr[1:])

    levels = [np.flatnonzero(~has_parent)]
    while True:
        frontier = levels[-1]
        starts, ends = indptr[frontier], indptr[frontier + 1]
        counts = ends - starts
        if counts.sum() == 0:
            return levels
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        levels.append(child_ids[np.arange(counts.sum()) + offsets])


def _subtree_sizes(tree_parent, levels):
    sizes = np.ones(len(tree_parent))
    for level in reversed(levels[1:]):
        np.add.at(sizes, tree_parent[level], sizes[level])
    return sizes
