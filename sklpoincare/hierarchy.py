"""Hierarchy algorithms: transitive closure and reduction, order, spanning forest.

A hierarchy is given as (child, parent) relations. The two public functions,
:func:`transitive_closure` and :func:`transitive_reduction`, take and return
labelled relations; the others work on relations as integer ids (a
``RelationGraph``) and serve the estimator, which trains on the closure of
what it is given, and its hierarchical start.

Everything runs in vectorised NumPy / SciPy: one sparse product per level of
the hierarchy, not one Python step per node.
"""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.utils._param_validation import Interval, validate_params

from ._relations import RelationGraph, check_relations, sorted_relation_graph

__all__ = ["transitive_closure", "transitive_reduction"]

# The kernels index relations with a C int.
MAX_RELATIONS = 2**31 - 2

# The ancestor closure used by the hierarchical start is computed when that
# takes at most this many steps (a pair extended by one parent) per
# relation, plus a fixed allowance: a few per relation for the WordNet
# nouns, while a deep closure (each node the child of all those above it) or
# a deep reduction cost up to the cube or the square of their depth. Past
# the limit, the relations are taken as they are, which is exact for a
# complete closure and for a reduction.
CLOSURE_STEPS_PER_RELATION = 20
CLOSURE_STEP_ALLOWANCE = 10_000_000


class HierarchyCycleError(ValueError):
    """The relations hold a cycle, so they do not describe a hierarchy.

    ``cycle`` lists the labels of one cycle, child first, each the child of
    the next, the last equal to the first.
    """

    def __init__(self, message, cycle=()):
        super().__init__(message)
        self.cycle = list(cycle)


# ------------------------------------------------------------ order, size


def topological_levels(graph):
    """Node ids level by level: roots first, then each node one level below
    its deepest parent (the length of the longest path up to a root).

    Raises :class:`HierarchyCycleError`, naming the nodes of one cycle, when
    some node is its own ancestor.
    """
    n_nodes = graph.n_nodes
    child_indptr, child_indices = graph.child_csr()
    waiting = np.diff(graph.parent_indptr).astype(np.int64)  # parents not yet placed
    level = np.flatnonzero(waiting == 0)
    levels = []
    n_placed = 0
    while len(level):
        levels.append(level)
        n_placed += len(level)
        starts, ends = child_indptr[level], child_indptr[level + 1]
        reached = np.bincount(child_indices[_ranges(starts, ends)], minlength=n_nodes)
        waiting -= reached
        # the counts are there already: cheaper than a np.unique of the children
        level = np.flatnonzero((reached > 0) & (waiting == 0))
    if n_placed < n_nodes:
        cycle = _find_cycle(graph, waiting > 0)
        raise HierarchyCycleError(_describe_cycle(cycle), cycle)
    return levels


def _ranges(starts, ends):
    """Concatenation of ``arange(s, e)`` for each pair, vectorised."""
    counts = ends - starts
    total = int(counts.sum())
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    return np.arange(total) + offsets


def _find_cycle(graph, unplaced):
    """The labels of one cycle among the ``unplaced`` nodes, closed.

    Every unplaced node has an unplaced parent, so following such parents
    from any unplaced node must come back to a node already visited.
    """
    node = int(np.flatnonzero(unplaced)[0])
    seen = {}
    path = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        parents = graph.parent_indices[graph.parent_indptr[node] : graph.parent_indptr[node + 1]]
        node = int(parents[unplaced[parents]][0])
    return [graph.nodes[i] for i in path[seen[node] :] + [node]]


def describe_cycle(cycle):
    """``cycle`` (labels, closed) as ``'a' -> 'b' -> 'a'``, shortened."""
    shown = " -> ".join(f"{label!r:.60}" for label in cycle[:8])
    if len(cycle) > 8:
        shown += f" -> ... ({len(cycle) - 1} nodes)"
    return shown


def _describe_cycle(cycle):
    shown = describe_cycle(cycle)
    return (
        f"the relations hold a cycle (child -> parent): {shown}; a hierarchy "
        "cannot, since a node cannot be its own ancestor. Remove one of these "
        "relations, or set closure=False to train on the relations exactly as "
        "given"
    )


def closure_size_bounds(graph, levels):
    """Lower and upper bounds on the number of pairs of the closure.

    Each node has at least as many ancestors as its level (one per node on
    its longest path up), and at most as many as there are paths up from it
    (an ancestor reached along several paths counts once). Both are exact for
    a forest; the upper bound is a float, as path counts can grow
    exponentially with depth.
    """
    lower = sum(depth * len(level) for depth, level in enumerate(levels))
    parents = graph.parent_matrix(weighted=False).astype(np.float64)
    paths_up = np.zeros(graph.n_nodes)
    for level in levels[1:]:
        paths_up[level] = parents[level] @ (1.0 + paths_up)
    return int(lower), float(paths_up.sum())


# ---------------------------------------------------------------- closure


def ancestor_closure(graph, max_steps=None, max_pairs=None):
    """CSR matrix with entry (u, a) for every ancestor a of u, or None.

    The ancestors are what the relations reach by following parents, u
    itself excluded (it can be reached on a cycle). Returns None when
    computing them would take more than ``max_steps`` extensions of a pair
    by a parent (by default ``CLOSURE_STEPS_PER_RELATION`` per relation
    plus ``CLOSURE_STEP_ALLOWANCE``), or would find more than ``max_pairs``
    pairs.
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
        if max_pairs is not None and reach.nnz > max_pairs:
            return None
    pairs = reach.tocoo()
    off_diagonal = pairs.row != pairs.col
    return sp.csr_matrix(
        (pairs.data[off_diagonal], (pairs.row[off_diagonal], pairs.col[off_diagonal])),
        shape=reach.shape,
    )


def cycle_groups(graph):
    """``(n_groups, group)``: the strongly connected components of the
    relations, nodes on a common cycle in one group. Without a cycle each
    node is a group of its own."""
    return connected_components(
        graph.parent_matrix(weighted=False), directed=True, connection="strong"
    )


def break_cycles(graph):
    """``graph`` without the relations that run against the order of their
    cycle, so that no cycle is left.

    Inside each group of nodes on a common cycle (see
    :func:`cycle_groups`), a node scores its parents in the group minus its
    children in the group, and a relation of the group is kept only from a
    higher score to a lower one: the more specific end must be the child.
    In a hierarchy with a few relations reversed by mistake, most relations
    of a cycle agree with the hierarchy and outvote the reversed one; a
    link given both ways is dropped both ways. Kept relations lower the
    score along every cycle group, and the groups themselves form no cycle,
    so the result has none. Returns ``graph`` itself when it has no cycle.
    """
    n_groups, group = cycle_groups(graph)
    if n_groups == graph.n_nodes:
        return graph
    children, parents = graph.children, graph.parents
    inside = group[children] == group[parents]
    score = np.bincount(children[inside], minlength=graph.n_nodes) - np.bincount(
        parents[inside], minlength=graph.n_nodes
    )
    kept = ~inside | (score[children] > score[parents])
    # a subset of relations sorted child-major stays sorted
    return sorted_relation_graph(
        graph.nodes, children[kept], parents[kept], graph.weights[kept]
    )


def ancestors_above(graph, ancestors):
    """``ancestors`` (see :func:`ancestor_closure`) without the pairs of
    nodes on a common cycle, each the other's ancestor, except the
    relations themselves.

    What is left is a strict order: a node's ancestors that are not also
    below it. Followed through cycles, the relations of an undirected graph
    (each link given both ways) make every node of a connected component
    the ancestor of every other, and a hierarchy cannot put either of two
    such nodes above the other.
    """
    n_groups, group = cycle_groups(graph)
    if n_groups == graph.n_nodes:
        return ancestors  # no cycle
    pairs = ancestors.tocoo()
    apart = group[pairs.row] != group[pairs.col]
    kept = sp.csr_matrix(
        (pairs.data[apart], (pairs.row[apart], pairs.col[apart])), shape=ancestors.shape
    )
    kept = kept + graph.parent_matrix(weighted=False)
    kept.data[:] = 1
    return kept.astype(ancestors.dtype)


def close_graph(graph, max_size=MAX_RELATIONS, limit="max_size", advice=""):
    """The graph of every (descendant, ancestor) pair that ``graph`` implies.

    Returns ``(closed_graph, ancestors)``, ``ancestors`` being the closure as
    a CSR matrix. A relation of ``graph`` keeps its weight; an implied one
    gets weight 1. The size of the closure is bounded before it is built
    (see :func:`closure_size_bounds`), and a closure of more than
    ``max_size`` pairs is a ``ValueError`` that says to raise ``limit`` (the
    caller's name of ``max_size``), followed by ``advice``; a cycle is a
    :class:`HierarchyCycleError` naming it.
    """
    levels = topological_levels(graph)
    lower, upper = closure_size_bounds(graph, levels)
    if lower > max_size:
        raise _too_large(f"at least {lower:,}", max_size, limit, advice)
    ancestors = ancestor_closure(
        graph, max_steps=np.inf, max_pairs=None if upper <= max_size else max_size
    )
    if ancestors is None:
        raise _too_large(f"more than {max_size:,}", max_size, limit, advice)
    ancestors.sort_indices()
    n_nodes = graph.n_nodes
    children = np.repeat(np.arange(n_nodes, dtype=np.int32), np.diff(ancestors.indptr))
    parents = ancestors.indices.astype(np.int32)
    # both key lists are sorted child-major, parent-minor
    keys = children.astype(np.int64) * n_nodes + parents
    given = graph.children.astype(np.int64) * n_nodes + graph.parents
    weights = np.ones(len(keys))
    weights[np.searchsorted(keys, given)] = graph.weights
    closed = RelationGraph(
        nodes=graph.nodes,
        children=children,
        parents=parents,
        weights=weights,
        parent_indptr=ancestors.indptr.astype(np.int32),
        parent_indices=parents.copy(),
    )
    return closed, ancestors


def _too_large(size, max_size, limit, advice):
    return ValueError(
        f"the transitive closure of the relations holds {size} (descendant, "
        f"ancestor) pairs, more than {limit}={max_size:,}. Raise {limit}{advice}"
    )


# ------------------------------------------------------- direct parents


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
    above = ancestor_matrix(graph, ancestors)
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


# ------------------------------------------------------- spanning forest


def ancestor_matrix(graph, ancestors=None):
    """``ancestors``, the ancestor closure as a CSR matrix of ones (see
    :func:`ancestor_closure`), or without it the parent matrix of the
    relations, which is the same for a complete closure."""
    return graph.parent_matrix(weighted=False) if ancestors is None else ancestors


def descendant_counts(graph, ancestors=None):
    """Number of nodes below each node: in ``ancestors``, the ancestor
    closure (see :func:`ancestor_closure`), or without it in the relations,
    which is the same for a complete closure."""
    below = graph.parents if ancestors is None else ancestors.indices
    return np.bincount(below, minlength=graph.n_nodes)


def multi_parent_share(graph, ancestors=None, chunk=1 << 24):
    """Share of the related nodes that have more than one direct parent.

    Read off the ancestor closure (``ancestors``, see
    :func:`ancestor_closure`, or the relations when they are a complete
    closure) by counting alone: a node with one direct parent p has p's
    ancestors and p, so that parent has exactly one ancestor fewer than the
    node, and no ancestor of a node with two direct parents has (each
    misses the other parent or one of its ancestors). The closure is read
    ``chunk`` pairs at a time.
    """
    above = ancestor_matrix(graph, ancestors).tocsr()
    n_above = np.diff(above.indptr)
    several = 0
    for first, last in _row_blocks(above.indptr, chunk):
        rows = first + np.flatnonzero(n_above[first:last])
        if len(rows) == 0:
            continue
        starts = above.indptr[rows] - above.indptr[first]
        counts = n_above[above.indices[above.indptr[first] : above.indptr[last]]]
        most = np.maximum.reduceat(counts, starts)
        several += np.count_nonzero(most < n_above[rows] - 1)
    return float(several) / max(1, np.count_nonzero(graph.degrees()))


# An ancestor left off a node's path up the forest costs rank the more, the
# more specific it is: on the trained WordNet nouns the mean rank of such
# ancestors falls about as the square root of their number of descendants
# (378 / 141 / 40 / 10 / 1.9 for 1-9 / 10-99 / ... / 10,000 or more). But
# a threshold on the is-a score sees each off-path pair as one hard case,
# whatever its rank. Weights of size ** -0.25, between the two, rank the
# nouns best and keep link classification (doc/training_choices.rst).
ANCESTOR_WEIGHT_EXPONENT = 0.25


def spanning_forest(graph, ancestors=None):
    """The tree parent of each node (-1 for a root).

    A node's tree parent is the parent whose ancestors, itself included,
    weigh the most, each weighing ``size ** -0.25`` (``size`` the number of
    nodes it is above in the ancestor closure, itself included; see
    :func:`ancestor_closure`); among equals, the one with the fewest
    descendants, then the smallest id. The node's other ancestors are left
    off its path up the forest, outside the cones the layout starts it in,
    and there a specific ancestor costs more rank than a general one
    (``doc/training_choices.rst``). A parent that is an ancestor of another
    parent weighs less and has more descendants, so the tree parent is a
    direct parent, even when some relations of the closure are missing.
    Without the closure, parents and children in the relations are counted,
    which does the same in a complete closure. Cycles in the relations are
    cut where they close.
    """
    n_nodes = graph.n_nodes
    n_parents = np.diff(graph.parent_indptr)
    n_below = descendant_counts(graph, ancestors)
    # the product sums each row in its order: equal sets weigh exactly the same
    above = ancestor_matrix(graph, ancestors)
    weight = (1.0 + n_below) ** -ANCESTOR_WEIGHT_EXPONENT
    mass = above @ weight + weight
    # Segmented maxima over the rows of the parent CSR (no self-loops,
    # validated), not a sort: linear in the number of relations. Among the
    # heaviest, the fewest below, then the smallest id.
    parents = graph.parent_indices
    has_parent = np.flatnonzero(n_parents)
    starts = graph.parent_indptr[has_parent]
    counts = n_parents[has_parent]
    heaviest = mass[parents] == np.repeat(np.maximum.reduceat(mass[parents], starts), counts)
    below = np.where(heaviest, n_below[parents], n_nodes + 1)
    fewest = below == np.repeat(np.minimum.reduceat(below, starts), counts)
    candidates = np.where(fewest, parents, n_nodes)
    tree_parent = np.full(n_nodes, -1, dtype=np.int64)
    tree_parent[has_parent] = np.minimum.reduceat(candidates, starts)
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
        farther = jump[jump]
        if np.array_equal(farther, jump):  # nothing moves any more
            break
        jump = farther
    tree_parent[unique_nodes(jump, n_nodes)] = -1


def forest_levels(tree_parent):
    """Node ids of a forest level by level, roots first."""
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
        if (ends - starts).sum() == 0:
            return levels
        levels.append(child_ids[_ranges(starts, ends)])


def subtree_sizes(tree_parent, levels):
    """Number of nodes in each node's subtree of the forest, itself included."""
    sizes = np.ones(len(tree_parent))
    for level in reversed(levels[1:]):
        np.add.at(sizes, tree_parent[level], sizes[level])
    return sizes


def preorder_positions(tree_parent, levels, sizes):
    """Each node's place in a depth-first walk of the forest that visits
    children in the order of ``levels`` (see :func:`forest_levels`).

    A subtree holds the places ``[position, position + size)``, so that v
    lies on u's path up the forest exactly when u's place falls in v's
    range; and the places rise along each level.
    """
    positions = np.zeros(len(tree_parent), dtype=np.int64)
    roots = levels[0]
    positions[roots] = np.cumsum(sizes[roots]) - sizes[roots]
    for level in levels[1:]:
        # forest_levels lists the children of one parent together, the
        # parents in their own level's order
        before = earlier_siblings_sum(sizes[level], tree_parent[level])
        positions[level] = positions[tree_parent[level]] + 1 + before.astype(np.int64)
    return positions


def family_starts(parents):
    """The first row of each family in ``parents``, whose rows list the
    children of one parent together (as :func:`forest_levels` does)."""
    return np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])


def earlier_siblings_sum(values, parents):
    """For each row, the sum of ``values`` over the rows before it in its
    family (see :func:`family_starts`)."""
    before = np.cumsum(values) - values
    starts = family_starts(parents)
    return before - np.repeat(before[starts], np.diff(np.r_[starts, len(parents)]))


def level_ancestors(nodes, level, positions):
    """The ancestor in the forest level ``level`` (node ids, as listed by
    :func:`forest_levels`) of each of ``nodes``, none of them above it; a
    node of that level is its own."""
    return level[np.searchsorted(positions[level], positions[nodes], side="right") - 1]


def off_path_pairs(ancestors, positions, sizes, chunk=1 << 24):
    """The (descendant, ancestor) pairs of the ancestor closure whose
    ancestor is not on the descendant's path up the forest: the relations
    that a layout along the forest leaves out of each other's cones.

    The closure is read ``chunk`` pairs at a time, so that the work arrays
    stay small next to it (it has 128 million pairs for 10 million nodes).
    """
    indptr = ancestors.indptr
    below, above = [], []
    for first, last in _row_blocks(indptr, chunk):
        rows = np.repeat(
            np.arange(first, last, dtype=np.int32), np.diff(indptr[first : last + 1])
        )
        columns = ancestors.indices[indptr[first] : indptr[last]]
        offset = positions[rows] - positions[columns]
        off = (offset < 0) | (offset >= sizes[columns])
        below.append(rows[off])
        above.append(columns[off])
    if not below:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    return np.concatenate(below), np.concatenate(above).astype(np.int32, copy=False)


def unique_nodes(nodes, n_nodes, return_inverse=False):
    """``np.unique(nodes)`` (with ``return_inverse``) for node ids below
    ``n_nodes``, by marking instead of sorting: linear time, for arrays of
    millions of ids taken level by level (the layout's crossings)."""
    present = np.zeros(n_nodes, dtype=bool)
    present[nodes] = True
    unique = np.flatnonzero(present)
    if not return_inverse:
        return unique
    rank = np.empty(n_nodes, dtype=np.intp)
    rank[unique] = np.arange(len(unique))
    return unique, rank[nodes]


def _row_blocks(indptr, chunk):
    """``(first, last)`` row ranges of a CSR matrix with ``indptr``, each of
    about ``chunk`` entries (a row longer than that alone)."""
    bounds = np.unique(np.searchsorted(indptr, np.arange(0, indptr[-1], chunk), side="right") - 1)
    bounds = np.r_[bounds, len(indptr) - 1]
    return zip(bounds[:-1], bounds[1:])


# ------------------------------------------------------- labelled relations


def _labelled_pairs(nodes, children, parents):
    pairs = np.empty((len(children), 2), dtype=object if nodes.dtype == object else nodes.dtype)
    pairs[:, 0] = nodes[children]
    pairs[:, 1] = nodes[parents]
    return pairs


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "max_size": [Interval(Integral, 1, MAX_RELATIONS, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def transitive_closure(X, *, max_size=MAX_RELATIONS):
    """Every (descendant, ancestor) pair implied by (child, parent) relations.

    Parameters
    ----------
    X : array-like of shape (n_relations, 2), DataFrame or sparse matrix
        (child, parent) relations, as given to
        :meth:`PoincareEmbedder.fit <sklpoincare.PoincareEmbedder.fit>`:
        direct parent links, a partial closure or a complete one.
    max_size : int, default=2**31 - 2
        Largest number of pairs allowed; a larger closure raises a
        ``ValueError`` before it is built whenever its size can be bounded
        from below in advance.

    Returns
    -------
    closure : ndarray of shape (n_pairs, 2)
        The pairs sorted by child, then parent, in the order of
        ``PoincareEmbedder.nodes_``.

    Raises
    ------
    ValueError
        When the relations hold a cycle (the message names it) or the
        closure is larger than ``max_size``.

    See Also
    --------
    transitive_reduction : The relations that no other relation implies.

    Examples
    --------
    >>> from sklpoincare.hierarchy import transitive_closure
    >>> transitive_closure([("dog", "canine"), ("canine", "mammal")]).tolist()
    [['canine', 'mammal'], ['dog', 'canine'], ['dog', 'mammal']]
    """
    graph, _ = check_relations(X)
    closed, _ = close_graph(graph, max_size)
    return _labelled_pairs(closed.nodes, closed.children, closed.parents)


@validate_params({"X": ["array-like", "sparse matrix"]}, prefer_skip_nested_validation=True)
def transitive_reduction(X):
    """The (child, parent) relations that no chain of other relations implies.

    For a hierarchy given as its transitive closure these are the direct
    parent links; a relation (u, p) is dropped when p is an ancestor of
    another parent of u.

    Parameters
    ----------
    X : array-like of shape (n_relations, 2), DataFrame or sparse matrix
        (child, parent) relations.

    Returns
    -------
    reduction : ndarray of shape (n_direct, 2)
        The direct relations, sorted by child, then parent.

    Raises
    ------
    ValueError
        When the relations hold a cycle (the message names it).

    See Also
    --------
    transitive_closure : Every pair the relations imply.

    Examples
    --------
    >>> from sklpoincare.hierarchy import transitive_reduction
    >>> closure = [("dog", "canine"), ("dog", "mammal"), ("canine", "mammal")]
    >>> transitive_reduction(closure).tolist()
    [['canine', 'mammal'], ['dog', 'canine']]
    """
    graph, _ = check_relations(X)
    topological_levels(graph)  # a cycle has no reduction
    ancestors = ancestor_closure(graph, max_steps=np.inf)
    direct = direct_parents(graph, spanning_forest(graph, ancestors), ancestors)
    direct.sort_indices()
    children = np.repeat(np.arange(graph.n_nodes), np.diff(direct.indptr))
    return _labelled_pairs(graph.nodes, children, direct.indices)
