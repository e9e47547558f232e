"""Generators of synthetic hierarchies.

Each returns (child, parent) relations of integer node ids as an int64
array of shape (n_relations, 2), sorted by child, then parent: the direct
edges, or with ``transitive_closure=True`` every (descendant, ancestor)
pair, the form in which WordNet hierarchies such as ``load_mammals`` come.
"""

import numbers
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from .. import hierarchy

# Node ids are stored as int32 in training.
_MAX_NODES = 2**31 - 2


def _check_positive_int(value, name):
    """Return ``value`` as int, or raise ValueError naming the parameter."""
    # bool is an Integral subclass, but True/False as a size is surely a bug.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{name} must be a positive integer, got {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def make_balanced_tree(branching_factor=2, depth=3, *, transitive_closure=True):
    """Generate the relations of a complete (balanced) tree.

    Node ``0`` is the root and nodes are numbered in breadth-first order, so
    the children of node ``i`` are the contiguous nodes
    ``branching_factor * i + 1, ..., branching_factor * i + branching_factor``.
    The tree has ``sum(branching_factor**k for k in range(depth + 1))`` nodes.

    Parameters
    ----------
    branching_factor : int, default=2
        Number of children of every internal node. Must be >= 1.

    depth : int, default=3
        Number of levels below the root; the leaves are at distance ``depth``
        from the root. Must be >= 1: a tree of depth 0 is a single node and
        has no relation.

    transitive_closure : bool, default=True
        If True, return every (descendant, ancestor) pair, the form in which
        WordNet hierarchies such as :func:`load_mammals` are given. If False,
        return only the (child, parent) edges of the tree.

    Returns
    -------
    relations : ndarray of shape (n_relations, 2), dtype=int64
        One (child, parent) relation per row, child first, sorted by child
        then by parent. With ``b = branching_factor`` and ``d = depth``,
        ``n_relations`` is ``sum(b**k for k in range(1, d + 1))`` for the
        edges and ``sum(k * b**k for k in range(1, d + 1))`` for the closure.

    Examples
    --------
    >>> from sklpoincare.datasets import make_balanced_tree
    >>> make_balanced_tree(2, 2, transitive_closure=False)
    array([[1, 0],
           [2, 0],
           [3, 1],
           [4, 1],
           [5, 2],
           [6, 2]])
    >>> make_balanced_tree(2, 2).shape
    (10, 2)
    """
    b = _check_positive_int(branching_factor, "branching_factor")
    d = _check_positive_int(depth, "depth")
    if not isinstance(transitive_closure, (bool, np.bool_)):
        raise ValueError(
            f"transitive_closure must be a bool, got {transitive_closure!r}."
        )

    # Count levels with a cap, so that a typo such as depth=10**6 is an error
    # at once instead of a sum of huge integers and an impossible allocation.
    n_nodes, level = 0, 1
    for _ in range(d + 1):
        n_nodes += level
        level *= b
        if n_nodes > _MAX_NODES:
            raise ValueError(
                f"a balanced tree with branching_factor={b} and depth={d} has more "
                f"than {_MAX_NODES:,} nodes; choose a smaller tree"
            )
    # Every non-root node, in breadth-first order; this is already the child
    # order required for the output.
    children = np.arange(1, n_nodes, dtype=np.int64)
    parents = (children - 1) // b
    if not transitive_closure:
        return np.column_stack((children, parents))

    # Walk up one level at a time: at step k, ``ancestors`` holds the k-th
    # ancestor of every node deep enough to have one.
    blocks_child = []
    blocks_anc = []
    nodes, ancestors = children, parents
    while nodes.size:
        blocks_child.append(nodes)
        blocks_anc.append(ancestors)
        deep_enough = ancestors > 0  # the root has no further ancestor
        nodes = nodes[deep_enough]
        ancestors = (ancestors[deep_enough] - 1) // b
    child = np.concatenate(blocks_child)
    ancestor = np.concatenate(blocks_anc)
    # Sort by child, then by ancestor (lexsort uses the last key as primary).
    order = np.lexsort((ancestor, child))
    return np.column_stack((child[order], ancestor[order]))


def _closure_or_edges(children, parents, transitive_closure):
    """Edges given child-major as an int64 array, or their closure."""
    edges = np.column_stack((children, parents)).astype(np.int64, copy=False)
    if transitive_closure:
        return hierarchy.transitive_closure(edges)
    return edges


@validate_params(
    {
        "n_nodes": [Interval(Integral, 2, _MAX_NODES, closed="both")],
        "transitive_closure": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_chain(n_nodes=10, *, transitive_closure=True):
    """Generate the relations of a chain: the deepest hierarchy of its size.

    Node ``0`` is the root and node ``i`` is the child of node ``i - 1``,
    so the hierarchy has depth ``n_nodes - 1`` and its closure holds
    ``n_nodes * (n_nodes - 1) / 2`` relations: every node is an ancestor of
    all those after it.

    Parameters
    ----------
    n_nodes : int, default=10
        Number of nodes, at least 2.

    transitive_closure : bool, default=True
        If True, return every (descendant, ancestor) pair; if False, only
        the ``n_nodes - 1`` edges.

    Returns
    -------
    relations : ndarray of shape (n_relations, 2), dtype=int64
        One (child, parent) relation per row, sorted by child then parent.

    Raises
    ------
    ValueError
        When the closure would hold more than ``2**31 - 2`` relations.

    See Also
    --------
    make_balanced_tree : A complete tree, as shallow as its branching allows.

    Examples
    --------
    >>> from sklpoincare.datasets import make_chain
    >>> make_chain(3, transitive_closure=False).tolist()
    [[1, 0], [2, 1]]
    >>> make_chain(3).tolist()
    [[1, 0], [2, 0], [2, 1]]
    """
    nodes = np.arange(n_nodes, dtype=np.int64)
    if not transitive_closure:
        return np.column_stack((nodes[1:], nodes[:-1]))
    if n_nodes * (n_nodes - 1) // 2 > hierarchy.MAX_RELATIONS:
        raise ValueError(
            f"the closure of a chain of {n_nodes:,} nodes holds more than "
            f"{hierarchy.MAX_RELATIONS:,} relations; choose a shorter chain or "
            "transitive_closure=False"
        )
    # node i has the ancestors 0, ..., i - 1
    children = np.repeat(nodes, nodes)
    parents = np.arange(len(children)) - np.repeat(np.cumsum(nodes) - nodes, nodes)
    return np.column_stack((children, parents))


@validate_params(
    {
        "n_trees": [Interval(Integral, 1, None, closed="left")],
        "branching_factor": [Interval(Integral, 1, None, closed="left")],
        "depth": [Interval(Integral, 1, None, closed="left")],
        "transitive_closure": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_forest(n_trees=3, branching_factor=2, depth=3, *, transitive_closure=True):
    """Generate the relations of a forest of balanced trees: several roots.

    ``n_trees`` copies of :func:`make_balanced_tree`, numbered one after the
    other: tree ``t`` holds the nodes ``t * s, ..., t * s + s - 1``, where
    ``s`` is the number of nodes of one tree, and ``t * s`` is its root.
    ``depth=1`` gives stars, each root with ``branching_factor`` leaves.

    Parameters
    ----------
    n_trees : int, default=3
        Number of trees (and of roots), at least 1.

    branching_factor : int, default=2
        Number of children of every internal node, at least 1.

    depth : int, default=3
        Number of levels below each root, at least 1.

    transitive_closure : bool, default=True
        If True, return every (descendant, ancestor) pair; if False, only
        the edges of the trees.

    Returns
    -------
    relations : ndarray of shape (n_relations, 2), dtype=int64
        One (child, parent) relation per row, sorted by child then parent.

    Raises
    ------
    ValueError
        When the forest would have more than ``2**31 - 2`` nodes.

    See Also
    --------
    make_balanced_tree : One such tree.

    Examples
    --------
    >>> from sklpoincare.datasets import make_forest
    >>> make_forest(2, 2, 1).tolist()
    [[1, 0], [2, 0], [4, 3], [5, 3]]
    """
    tree = make_balanced_tree(
        branching_factor, depth, transitive_closure=transitive_closure
    )
    tree_size = int(tree.max()) + 1
    if n_trees * tree_size > _MAX_NODES:
        raise ValueError(
            f"a forest of {n_trees:,} trees of {tree_size:,} nodes has more than "
            f"{_MAX_NODES:,} nodes; choose fewer or smaller trees"
        )
    # each tree's block is sorted and the blocks are in increasing order
    offsets = np.arange(n_trees, dtype=np.int64) * tree_size
    return (tree[None, :, :] + offsets[:, None, None]).reshape(-1, 2)


@validate_params(
    {
        "n_nodes": [Interval(Integral, 2, _MAX_NODES, closed="both")],
        "random_state": ["random_state"],
        "transitive_closure": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_random_tree(n_nodes=100, *, random_state=None, transitive_closure=True):
    """Generate a random recursive tree grown by preferential attachment.

    Nodes arrive in order: node ``0`` is the root, and each later node
    ``v`` takes as its parent one of the nodes ``0, ..., v - 1``, each drawn
    with probability proportional to one plus its number of children so
    far. A few hubs with many children and some long branches appear, as in
    real taxonomies; the depth grows like ``log(n_nodes)``.

    Parameters
    ----------
    n_nodes : int, default=100
        Number of nodes, at least 2.

    random_state : int, RandomState instance or None, default=None
        Seed of the draws; pass an int for reproducible output.

    transitive_closure : bool, default=True
        If True, return every (descendant, ancestor) pair; if False, only
        the ``n_nodes - 1`` edges.

    Returns
    -------
    relations : ndarray of shape (n_relations, 2), dtype=int64
        One (child, parent) relation per row, sorted by child then parent.
        Every parent has a smaller id than its children.

    See Also
    --------
    make_random_taxonomy : Large taxonomies of a given depth, with some
        nodes under two parents.

    Examples
    --------
    >>> from sklpoincare.datasets import make_random_tree
    >>> edges = make_random_tree(5, random_state=0, transitive_closure=False)
    >>> edges[:, 0].tolist()
    [1, 2, 3, 4]
    >>> bool((edges[:, 1] < edges[:, 0]).all())
    True
    """
    rng = check_random_state(random_state)
    nodes = np.arange(1, n_nodes, dtype=np.int64)
    # Node v meets v + (v - 1) units of weight: one per node, one per
    # child. So it draws a node uniformly with probability v / (2v - 1), or
    # else an existing edge uniformly, taking that edge's parent (a node
    # with c children is the parent of c edges).
    uniform = rng.random_sample(len(nodes)) * (2 * nodes - 1) < nodes
    drawn = (rng.random_sample(len(nodes)) * nodes).astype(np.int64)  # in [0, v)
    copied_edge = 1 + (rng.random_sample(len(nodes)) * (nodes - 1)).astype(np.int64)
    # ``source[v]`` is the node whose draw v's parent is: itself, or the
    # child of the copied edge, which is earlier; follow the pointers by
    # doubling until every one ends on a node with a uniform draw.
    source = np.where(uniform, nodes, copied_edge)
    source = np.concatenate(([0], source))
    while True:
        jumped = source[source]
        if np.array_equal(jumped, source):
            break
        source = jumped
    own_draw = np.concatenate(([0], drawn))
    parents = own_draw[source[1:]]
    return _closure_or_edges(nodes, parents, transitive_closure)


def _level_sizes(n_below_root, depth):
    """Sizes of the levels 1..depth, each at least 1, growing geometrically
    by the ratio ``r`` with ``r + r**2 + ... + r**depth = n_below_root``."""
    powers = np.arange(1, depth + 1, dtype=np.float64)
    # r**depth alone reaches n_below_root at the upper end: no overflow
    low, high = 1.0, float(n_below_root) ** (1.0 / depth)
    for _ in range(100):  # bisection on the growth ratio
        ratio = (low + high) / 2
        if np.sum(ratio**powers) > n_below_root:
            high = ratio
        else:
            low = ratio
    share = np.cumsum(low**powers)
    share /= share[-1]
    extra = np.round(share * (n_below_root - depth)).astype(np.int64)
    return 1 + np.diff(extra, prepend=0)


@validate_params(
    {
        "n_nodes": [Interval(Integral, 2, _MAX_NODES, closed="both")],
        "depth": [Interval(Integral, 1, None, closed="left"), None],
        "tail_index": [Interval(Real, 0, None, closed="neither")],
        "second_parent_share": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
        "transitive_closure": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_random_taxonomy(
    n_nodes=1000,
    *,
    depth=None,
    tail_index=1.5,
    second_parent_share=0.02,
    random_state=None,
    transitive_closure=False,
):
    """Generate a random taxonomy: hubs, leaves at every depth, some nodes
    with two parents. Fast enough for scale tests (10 million nodes).

    Node ``0`` is the root; the other nodes fill ``depth`` levels whose
    sizes grow geometrically, and are numbered level by level. Each node of
    a level draws its parent from the level above, each candidate with
    probability proportional to a weight drawn from a Pareto distribution
    of index ``tail_index``: the numbers of children are heavy-tailed (the
    share of parents with more than ``k`` children falls off about like
    ``k ** -tail_index``), so a few hubs hold many children while many
    nodes have none and are leaves, at every depth. The children of a node
    are numbered contiguously, as in :func:`make_balanced_tree`.

    A share ``second_parent_share`` of the nodes below level 1 also draw a
    second parent, different from the first, from the same level: as for
    WordNet synsets with two hypernyms, neither link implies the other, so
    the edges returned are the transitive reduction of the taxonomy.

    Everything is drawn level by level with vectorised NumPy: 10 million
    nodes take a few seconds and little memory beyond the result.

    Parameters
    ----------
    n_nodes : int, default=1000
        Number of nodes, at least 2.

    depth : int, default=None
        Number of levels below the root: the depth of the deepest leaves.
        At most ``n_nodes - 1`` (each level holds a node). ``None`` means
        ``min(10, n_nodes - 1)``.

    tail_index : float, default=1.5
        Index (shape) of the Pareto distribution of the parents' weights,
        > 0. Smaller is more heavy-tailed: larger hubs and more leaves.

    second_parent_share : float, default=0.02
        Probability that a node below level 1 has a second parent, in
        [0, 1]. Nodes whose level above holds a single node keep one
        parent.

    random_state : int, RandomState instance or None, default=None
        Seed of the draws; pass an int for reproducible output.

    transitive_closure : bool, default=False
        If True, return every (descendant, ancestor) pair instead of the
        edges; the closure of a large taxonomy is about ``depth`` times
        larger than its edges.

    Returns
    -------
    relations : ndarray of shape (n_relations, 2), dtype=int64
        One (child, parent) relation per row, sorted by child then parent.
        Every parent has a smaller id than its children. Without the
        closure there are ``n_nodes - 1`` rows plus one per second parent.

    See Also
    --------
    make_random_tree : A random tree grown one node at a time.

    Examples
    --------
    >>> import numpy as np
    >>> from sklpoincare.datasets import make_random_taxonomy
    >>> edges = make_random_taxonomy(10_000, depth=6, random_state=0)
    >>> len(np.unique(edges[:, 0]))  # every node but the root has a parent
    9999
    >>> len(edges) > 9999  # some have two
    True
    """
    rng = check_random_state(random_state)
    if depth is None:
        depth = min(10, n_nodes - 1)
    if depth > n_nodes - 1:
        raise ValueError(
            f"depth={depth} needs at least {depth + 1} nodes (one per level and "
            f"the root), got n_nodes={n_nodes}"
        )
    sizes = np.concatenate(([1], _level_sizes(n_nodes - 1, depth)))
    starts = np.concatenate(([0], np.cumsum(sizes)))
    # Which nodes get a second parent is decided first, so that the result
    # is allocated once, at its final size.
    second = rng.random_sample(n_nodes) < second_parent_share
    second[0] = False
    for level in np.flatnonzero(sizes[:-1] == 1) + 1:  # a single candidate above
        second[starts[level] : starts[level + 1]] = False
    relations = np.empty((n_nodes - 1 + int(np.count_nonzero(second)), 2), dtype=np.int64)

    weights = np.ones(1)
    first_row = 0
    for level in range(1, depth + 1):
        above, size = starts[level - 1], sizes[level]
        two = second[starts[level] : starts[level + 1]]
        # the first row of each node of the level: one row per parent
        rows = np.cumsum(two, dtype=np.int64)
        rows -= two
        rows += np.arange(first_row, first_row + size)
        first_row += size + int(np.count_nonzero(two))
        relations[rows, 0] = np.arange(starts[level], starts[level] + size)
        # Parents in increasing order, so that siblings are contiguous.
        counts = rng.multinomial(size, weights / weights.sum())
        first = above + np.repeat(np.arange(len(weights), dtype=np.int64), counts)
        del counts
        relations[rows, 1] = first
        extra = np.flatnonzero(two)
        if len(extra):
            cumulative = np.cumsum(weights)
            other = above + np.searchsorted(
                cumulative, rng.random_sample(len(extra)) * cumulative[-1], side="right"
            )
            other = np.minimum(other, above + len(weights) - 1)
            # a draw of the first parent again moves to another node, uniformly
            same = np.flatnonzero(other == first[extra])
            shift = rng.randint(1, len(weights), size=len(same))
            other[same] = above + (other[same] - above + shift) % len(weights)
            low = np.minimum(first[extra], other)
            relations[rows[extra], 1] = low
            relations[rows[extra] + 1, 0] = relations[rows[extra], 0]
            relations[rows[extra] + 1, 1] = first[extra] + other - low
        del first, rows
        weights = rng.pareto(tail_index, size) + 1.0
    if transitive_closure:
        return hierarchy.transitive_closure(relations)
    return relations
