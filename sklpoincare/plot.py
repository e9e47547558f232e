"""Pictures of fitted embeddings: the Poincaré disk.

matplotlib is optional: it is imported only when a picture is drawn
(``pip install matplotlib``).
"""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._relations import as_label_table, check_no_missing_labels, lookup_labels
from .hierarchy import HierarchyCycleError, transitive_reduction

__all__ = ["plot_embedding", "project_to_disk"]

_PROJECTIONS = ("pca",)
# Points of the disk are drawn inside [-_LIMIT, _LIMIT]^2, just past the rim.
_LIMIT = 1.05


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "sklpoincare.plot needs matplotlib, which is not installed: "
            "pip install matplotlib (or pip install 'sklpoincare[plot]')"
        ) from exc
    return plt


def project_to_disk(points, projection="pca"):
    """Map points of any dimension to the plane, keeping each point's norm.

    Two-dimensional points are returned as they are; one-dimensional points
    are placed on the horizontal axis. Points of more dimensions are
    projected onto the two principal axes of the points taken about the
    origin (the uncentred principal component analysis: the origin, the
    most general point, stays put), and each projected point is then
    rescaled so that its norm in the plane equals its norm in the ball.
    The norm, which says how general a node is, is thus kept exactly, the
    picture stays inside the unit disk, and the directions are those of the
    plane that shows the most of the spread of the points. A point
    orthogonal to that plane (projected onto the origin) is drawn on the
    first axis at its norm.

    Parameters
    ----------
    points : array-like of shape (n_points, n_components)
        Coordinates, e.g. ``PoincareEmbedder.embedding_``.
    projection : {"pca"}, default="pca"
        How points of more than two dimensions are brought to the plane.

    Returns
    -------
    points_2d : ndarray of shape (n_points, 2)
        Planar coordinates with the norms of ``points``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklpoincare.plot import project_to_disk
    >>> points = np.array([[0.0, 0.0, 0.0], [0.6, 0.0, 0.1], [0.0, -0.8, 0.1]])
    >>> flat = project_to_disk(points)
    >>> np.allclose(np.linalg.norm(flat, axis=1), np.linalg.norm(points, axis=1))
    True
    """
    if projection not in _PROJECTIONS:
        raise ValueError(
            f"projection must be one of {list(_PROJECTIONS)}, got {projection!r}"
        )
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] < 1:
        raise ValueError(
            f"points must be a 2-D array with at least one column, got shape {points.shape}"
        )
    if not np.all(np.isfinite(points)):
        row = np.nonzero(~np.all(np.isfinite(points), axis=1))[0][0]
        raise ValueError(f"points hold a non-finite coordinate at row {row}")
    n_points, dim = points.shape
    if dim == 1:
        return np.column_stack([points[:, 0], np.zeros(n_points)])
    if dim == 2:
        return points.copy()
    # right singular vectors of the uncentred points: their principal axes
    # about the origin
    _, _, axes = np.linalg.svd(points, full_matrices=False)
    flat = points @ axes[:2].T
    norms = np.linalg.norm(points, axis=1)
    flat_norms = np.linalg.norm(flat, axis=1)
    lost = (flat_norms <= 1e-12 * np.maximum(norms, 1e-300)) & (norms > 0)
    flat[lost] = [1.0, 0.0]
    flat_norms[lost] = 1.0
    scale = np.divide(norms, flat_norms, out=np.zeros(n_points), where=flat_norms > 0)
    return flat * scale[:, None]


def _direct_edges(edge_ids):
    """The pairs of ``edge_ids`` that no chain of other pairs implies (the
    transitive reduction); all of them when they hold a cycle, which has no
    single reduction."""
    try:
        return transitive_reduction(edge_ids).astype(np.intp).reshape(-1, 2)
    except HierarchyCycleError:
        return edge_ids


def _label_ids(nodes, labels, name):
    """Row ids of ``labels`` in ``nodes``; a ValueError names unknown ones."""
    table, _ = as_label_table(labels)
    check_no_missing_labels(table)
    ids = lookup_labels(nodes, table)
    unknown = np.argwhere(ids < 0)
    if len(unknown):
        position = tuple(int(i) for i in unknown[0])
        raise ValueError(
            f"{name} names {len(unknown)} label(s) that the embedder does not "
            f"have, the first {table[position]!r:.80} at row {position[0]}"
        )
    return ids


def plot_embedding(
    embedder,
    *,
    ax=None,
    edges=None,
    direct_edges_only=True,
    n_labels=10,
    labels=None,
    projection="pca",
):
    """Draw a fitted embedding in the Poincaré disk.

    Every node is a dot; the unit circle, the boundary of the disk, is
    drawn; the given relations are grey straight segments (not the
    hyperbolic geodesics, which are arcs); the most general nodes
    (the smallest norms) or the given ones are labelled. Embeddings of more
    than two dimensions are flattened by :func:`project_to_disk`: the two
    principal axes about the origin, then each point rescaled to its own
    norm, so that distance from the centre still says how general a node
    is. With ``manifold="euclidean"`` the coordinates are not in the ball:
    no circle is drawn and the limits follow the points.

    Needs matplotlib (``pip install matplotlib``).

    Parameters
    ----------
    embedder : PoincareEmbedder
        A fitted embedder (``embedding_`` and ``nodes_`` are used).
    ax : matplotlib Axes, default=None
        Where to draw; ``None`` makes a new 6 x 6 inch figure.
    edges : array-like of shape (n_edges, 2), default=None
        (child, parent) relations to draw as segments, by label, e.g. the
        relations given to ``fit``. ``None`` draws none.
    direct_edges_only : bool, default=True
        Draw only the edges that no chain of other edges implies (see
        :func:`~sklpoincare.hierarchy.transitive_reduction`): given the
        transitive closure, the direct edges of the hierarchy instead of
        every (descendant, ancestor) pair. Edges with a cycle are all drawn.
    n_labels : int, default=10
        Number of nodes to label, the most general first (smallest norm).
        Ignored when ``labels`` is given.
    labels : array-like of shape (n,), default=None
        Labels of the nodes to annotate, instead of the ``n_labels`` most
        general ones.
    projection : {"pca"}, default="pca"
        How embeddings of more than two dimensions are brought to the plane;
        see :func:`project_to_disk`.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    Examples
    --------
    >>> import pytest
    >>> matplotlib = pytest.importorskip("matplotlib")  # the example draws
    >>> matplotlib.use("Agg")
    >>> from sklpoincare import PoincareEmbedder
    >>> from sklpoincare.datasets import make_balanced_tree
    >>> from sklpoincare.plot import plot_embedding
    >>> relations = make_balanced_tree(2, 3)
    >>> embedder = PoincareEmbedder(n_components=2, n_epochs=20, burn_in=5,
    ...                             random_state=0).fit(relations)
    >>> ax = plot_embedding(embedder, edges=relations, n_labels=3)
    >>> len(ax.texts), len(ax.collections[0].get_segments())  # labels, tree edges
    (3, 14)
    >>> ax.figure.savefig("tree_disk.png")  # doctest: +SKIP
    """
    check_is_fitted(embedder, ["embedding_", "nodes_"])
    if isinstance(n_labels, bool) or not isinstance(n_labels, Integral) or n_labels < 0:
        raise ValueError(f"n_labels must be a non-negative int, got {n_labels!r}")
    if not isinstance(direct_edges_only, (bool, np.bool_)):
        raise ValueError(f"direct_edges_only must be a bool, got {direct_edges_only!r}")
    nodes = np.asarray(embedder.nodes_)
    points = project_to_disk(embedder.embedding_, projection)
    in_ball = getattr(embedder, "manifold", "poincare") != "euclidean"

    if edges is not None:
        edge_ids = _label_ids(nodes, edges, "edges")
        if edge_ids.ndim != 2 or edge_ids.shape[1] != 2:
            raise ValueError(
                f"edges must have two columns (child, parent), got shape {edge_ids.shape}"
            )
        if direct_edges_only:
            edge_ids = _direct_edges(edge_ids)
    if labels is not None:
        label_ids = _label_ids(nodes, labels, "labels").reshape(-1)
    else:
        # the most general nodes: smallest norm, ties in row order
        norms = np.linalg.norm(embedder.embedding_, axis=1)
        label_ids = np.argsort(norms, kind="stable")[:n_labels]

    plt = _import_pyplot()
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6))
    if in_ball:
        ax.add_patch(Circle((0.0, 0.0), 1.0, fill=False, color="black", linewidth=1))
    if edges is not None:
        segments = points[edge_ids]  # (n_edges, 2 ends, 2 coordinates)
        ax.add_collection(
            LineCollection(segments, colors="0.75", linewidths=0.4, zorder=1)
        )
    ax.scatter(points[:, 0], points[:, 1], s=6, color="tab:blue", zorder=2)
    for i in label_ids:
        ax.annotate(str(nodes[i]), points[i], fontsize=7, zorder=3)
    ax.set_aspect("equal")
    if in_ball:
        ax.set_xlim(-_LIMIT, _LIMIT)
        ax.set_ylim(-_LIMIT, _LIMIT)
        ax.axis("off")  # disk coordinates carry no units; the circle frames it
    else:
        ax.autoscale_view()
    return ax
