"""Generators of synthetic hierarchies."""

import numbers

import numpy as np

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
