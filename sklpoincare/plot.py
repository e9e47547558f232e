"""Pictures of fitted embeddings: the Poincaré disk.

matplotlib is optional: it is imported only when a picture is drawn
(``pip install matplotlib``).
"""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._manifolds import (
    get_geometry,
    norm_of_radius,
    poincare_radius,
    polar_distances,
    unit_rows,
)
from ._relations import as_label_table, check_no_self_loops, check_relations, label_ids
from .hierarchy import (
    HierarchyCycleError,
    forest_levels,
    spanning_forest,
    subtree_sizes,
    transitive_reduction,
)

__all__ = ["plot_embedding", "plot_interactive", "project_to_disk"]

_PROJECTIONS = ("directions", "pca")
_RADIAL_SCALES = ("hyperbolic", "ball")
# Points of the disk are drawn inside [-_LIMIT, _LIMIT]^2, just past the rim.
_LIMIT = 1.05
# Points sampled along each geodesic edge.
_GEODESIC_SAMPLES = 24
# Colours of the largest subtrees below the trunk; the rest are grey.
_SUBTREE_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple",
                    "tab:brown", "tab:pink", "tab:olive", "tab:cyan")


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
    are placed on the horizontal axis. Points of more dimensions keep their
    norm, which says how general a node is, exactly (so the picture stays
    inside the unit disk) and get a direction in the plane:

    - ``"pca"``: the projection onto the two principal axes of the points
      taken about the origin (the uncentred principal component analysis:
      the origin, the most general point, stays put), rescaled to the
      point's norm. Angles within the plane that shows the most of the
      spread of the points are kept.
    - ``"directions"``: the unit directions ``x / |x|``, less their mean,
      projected onto their two principal axes. A hierarchy laid out in one
      half of the ball (as trained embeddings often are) then spreads around
      the whole disk, its subtrees in separate sectors.

    A point orthogonal to the plane (projected onto the origin) is drawn on
    the first axis at its norm; so is a lone point, whose only principal
    axis is its own direction. No points give an empty ``(0, 2)`` array.

    Parameters
    ----------
    points : array-like of shape (n_points, n_components)
        Coordinates, e.g. ``PoincareEmbedder.embedding_``.
    projection : {"pca", "directions"}, default="pca"
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
    norms = np.linalg.norm(points, axis=1)
    if n_points < 2:
        # fewer than two principal axes (one for a lone point, none for no
        # points): the point goes on the first axis, as when it is lost
        return np.column_stack([norms, np.zeros(n_points)])
    if projection == "directions":
        units = unit_rows(points)
        spread = units - units[norms > 0].mean(axis=0) if np.any(norms > 0) else units
        _, _, axes = np.linalg.svd(spread, full_matrices=False)
        flat = spread @ axes[:2].T
        flat[norms == 0] = 0.0
    else:
        # right singular vectors of the uncentred points: their principal
        # axes about the origin
        _, _, axes = np.linalg.svd(points, full_matrices=False)
        flat = points @ axes[:2].T
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


def _edge_ids(nodes, edges):
    """Row ids of the (child, parent) ``edges``, read as ``fit`` reads
    relations (a DataFrame's first two columns); none is no edge. A
    ValueError names unknown labels and self-loops."""
    table, _ = as_label_table(edges, first_columns=2)
    if table.size == 0:
        return np.empty((0, 2), dtype=np.intp)
    if table.ndim != 2 or table.shape[1] != 2:
        raise ValueError(
            f"edges must have two columns (child, parent), got shape {table.shape}"
        )
    ids = _label_ids(nodes, table, "edges")
    check_no_self_loops(ids[:, 0], ids[:, 1], table, "edges")
    return ids


def _label_ids(nodes, labels, name):
    """Row ids of ``labels`` in ``nodes``; a ValueError names unknown ones."""
    table, _ = as_label_table(labels)
    ids = label_ids(nodes, table, handle_unknown="ignore")
    unknown = np.argwhere(ids < 0)
    if len(unknown):
        position = tuple(int(i) for i in unknown[0])
        raise ValueError(
            f"{name} names {len(unknown)} label(s) that the embedder does not "
            f"have, the first {table[position]!r:.80} at row {position[0]}"
        )
    return ids


def _geodesics(directions, radius, pairs, n_samples=_GEODESIC_SAMPLES):
    """Points along the hyperbolic geodesic of each pair, as (radius, direction).

    The ends are taken on the hyperboloid, ``(cosh r, sinh r u)``, and the
    geodesic is ``(sinh((1 - t) d) a + sinh(t d) b) / sinh d``; the distance
    ``d`` comes from the radii and directions of the ends, so that ends near
    the boundary (radius ~19) keep their precision.
    """
    a, b = pairs[:, 0], pairs[:, 1]
    ra, rb = radius[a], radius[b]
    ua, ub = directions[a], directions[b]
    d = polar_distances(ra - rb, ra, rb, ua - ub)
    t = np.linspace(0.0, 1.0, n_samples)
    with np.errstate(invalid="ignore", divide="ignore"):
        wa = np.sinh((1 - t)[None, :] * d[:, None]) / np.sinh(d)[:, None]
        wb = np.sinh(t[None, :] * d[:, None]) / np.sinh(d)[:, None]
    same = d == 0  # one point: stay there
    wa[same], wb[same] = 1 - t, t
    # spatial part of the hyperboloid point: sinh(r) u
    space = (wa[..., None] * (np.sinh(ra)[:, None, None] * ua[:, None, :])
             + wb[..., None] * (np.sinh(rb)[:, None, None] * ub[:, None, :]))
    length = np.linalg.norm(space, axis=2)
    along = space / np.where(length > 0, length, 1.0)[..., None]
    return np.arcsinh(length), along


def _subtree_groups(n_nodes, edge_ids):
    """A group per node for colouring: which large subtree it is in.

    Along the spanning forest of the edges, the trunk is followed down from
    the root of the largest tree while one child holds more than half of
    the nodes below; the children of where it stops head the groups, the
    largest first. Nodes outside them (the trunk, small branches) get -1.
    """
    graph, _ = check_relations(edge_ids)
    ids = np.asarray(graph.nodes, dtype=np.intp)
    tree_parent = spanning_forest(graph)
    levels = forest_levels(tree_parent)
    size = subtree_sizes(tree_parent, levels)
    children = [[] for _ in ids]
    for node, parent in enumerate(tree_parent):
        if parent >= 0:
            children[parent].append(node)
    roots = levels[0]
    top = roots[np.argmax(size[roots])]
    while children[top]:
        largest = max(children[top], key=size.__getitem__)
        if size[largest] <= size[top] / 2:
            break
        top = largest
    heads = sorted(children[top], key=lambda c: -size[c])
    # each node takes the group of its parent, level by level from the heads
    group = np.full(len(ids), -1)
    group[heads] = np.arange(len(heads))
    for level in levels[1:]:
        inherit = group[level] < 0
        group[level[inherit]] = group[tree_parent[level[inherit]]]
    groups = np.full(n_nodes, -1)
    groups[ids] = group
    return groups, [ids[h] for h in heads]


def _place_labels(ax, positions, label_ids, nodes, fontsize=7):
    """Label ``label_ids`` in order, each where it overlaps no earlier label
    (beside its point, outwards first); a label with no free place is left
    out."""
    canvas = ax.figure.canvas
    # a Figure made without pyplot has a canvas that renders nothing
    renderer = (canvas.get_renderer() if hasattr(canvas, "get_renderer")
                else ax.figure._get_renderer())
    taken = []
    for i in label_ids:
        x, y = positions[i]
        outward = np.array([x, y]) / max(np.hypot(x, y), 1e-12)
        offsets = [outward * 6, (6, 4), (-6, 4), (6, -8), (-6, -8), (0, 8), (0, -10)]
        for dx, dy in offsets:
            text = ax.annotate(
                str(nodes[i]), (x, y), xytext=(dx, dy), textcoords="offset points",
                fontsize=fontsize, ha="left" if dx >= 0 else "right", zorder=4,
                parse_math=False,  # a label is text: "$5" is no formula
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7),
            )
            box = text.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(other) for other in taken):
                taken.append(box)
                break
            text.remove()


class _DiskLayout:
    """Where everything goes in a picture of the disk, whatever draws it.

    ``positions`` of the nodes, ``segments`` (the edges as polylines, or
    None), ``colours`` and ``legend`` (the large subtrees), and the ``rings``
    that mark the hyperbolic radius when ``radial_scale="hyperbolic"``.
    """

    def __init__(self, embedder, edges, direct_edges_only, projection, radial_scale):
        if not isinstance(direct_edges_only, (bool, np.bool_)):
            raise ValueError(f"direct_edges_only must be a bool, got {direct_edges_only!r}")
        if radial_scale not in _RADIAL_SCALES:
            raise ValueError(
                f"radial_scale must be one of {list(_RADIAL_SCALES)}, got {radial_scale!r}"
            )
        self.nodes = nodes = np.asarray(embedder.nodes_)
        flat = project_to_disk(embedder.embedding_, projection)
        self.in_ball = get_geometry(getattr(embedder, "manifold", "poincare")).hyperbolic
        hyperbolic = self.in_ball and radial_scale == "hyperbolic"
        edge_ids = None
        if edges is not None:
            edge_ids = _edge_ids(nodes, edges)
            if direct_edges_only and len(edge_ids):
                edge_ids = _direct_edges(edge_ids)

        self.positions, self.segments = flat, None
        self.rings, self.caption, self.r_max = [], None, 1.0
        if self.in_ball:
            radius = poincare_radius(embedder.embedding_)
            directions = unit_rows(flat)
            self.radius = radius
            self.r_max = r_max = max(float(radius.max()), 1e-12)
            if hyperbolic:
                self.positions = directions * (radius / r_max)[:, None]
                step = 5.0 if r_max > 12 else 2.0
                self.rings = list(np.arange(step, r_max, step))
                self.caption = (
                    "distance from the centre: hyperbolic distance from the origin "
                    f"(rings every {step:g}; rim {r_max:.1f})"
                )
        if edge_ids is not None and len(edge_ids):
            if self.in_ball:
                r_path, u_path = _geodesics(directions, radius, edge_ids)
                scale = r_path / r_max if hyperbolic else norm_of_radius(r_path)
                self.segments = u_path * scale[..., None]
            else:
                self.segments = self.positions[edge_ids]  # straight: (n_edges, 2, 2)

        self.colours = np.full(len(nodes), "0.55", dtype=object)
        self.legend = []
        if edge_ids is not None and len(edge_ids):
            groups, heads = _subtree_groups(len(nodes), edge_ids)
            for k, head in enumerate(heads[: len(_SUBTREE_COLOURS)]):
                self.colours[groups == k] = _SUBTREE_COLOURS[k]
                self.legend.append(
                    (_SUBTREE_COLOURS[k], f"{nodes[head]} ({np.sum(groups == k)})")
                )


def plot_embedding(
    embedder,
    *,
    ax=None,
    edges=None,
    direct_edges_only=True,
    n_labels=10,
    labels=None,
    projection="directions",
    radial_scale="hyperbolic",
):
    """Draw a fitted embedding in the Poincaré disk.

    Every node is a dot, coloured by the large subtree it belongs to when
    ``edges`` are given; the given relations are drawn as hyperbolic
    geodesics (in the disk, arcs of circles orthogonal to its rim); the most
    general nodes (the smallest norms), or the given ones, are labelled,
    leaving out any label that would cover an earlier one. With the default
    ``radial_scale="hyperbolic"`` a node is drawn at a distance from the
    centre proportional to its hyperbolic distance from the origin, which
    spreads the specific nodes that crowd at the rim of the disk; rings mark
    the distances. Embeddings of more than two dimensions are flattened by
    :func:`project_to_disk` (by default on the principal axes of their
    directions, which spreads the subtrees around the disk), each point
    keeping its own norm, so that distance from the centre still says how
    general a node is. With ``manifold="euclidean"`` the coordinates are
    drawn as they are.

    Needs matplotlib (``pip install matplotlib``).

    Parameters
    ----------
    embedder : PoincareEmbedder
        A fitted embedder (``embedding_`` and ``nodes_`` are used).
    ax : matplotlib Axes, default=None
        Where to draw; ``None`` makes a new 7 x 7 inch figure.
    edges : array-like of shape (n_edges, 2), default=None
        (child, parent) relations to draw, by label, e.g. the relations given
        to ``fit``. ``None`` draws none.
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
    projection : {"directions", "pca"}, default="directions"
        How embeddings of more than two dimensions are brought to the plane;
        see :func:`project_to_disk`.
    radial_scale : {"hyperbolic", "ball"}, default="hyperbolic"
        Distance of a node from the centre of the picture: its hyperbolic
        distance from the origin, as a share of the largest one
        (``"hyperbolic"``), or its norm in the Poincaré ball (``"ball"``,
        the model itself, in which specific nodes crowd at the rim).

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
    >>> len(ax.collections[0].get_segments())  # tree edges
    14
    >>> ax.figure.savefig("tree_disk.png")  # doctest: +SKIP
    """
    check_is_fitted(embedder, ["embedding_", "nodes_"])
    if isinstance(n_labels, bool) or not isinstance(n_labels, Integral) or n_labels < 0:
        raise ValueError(f"n_labels must be a non-negative int, got {n_labels!r}")
    layout = _DiskLayout(embedder, edges, direct_edges_only, projection, radial_scale)
    nodes = layout.nodes
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
        _, ax = plt.subplots(figsize=(7, 7))
    positions = layout.positions
    if layout.segments is not None:
        ax.add_collection(
            LineCollection(list(layout.segments), colors="0.7", linewidths=0.4, zorder=1)
        )
    ax.scatter(positions[:, 0], positions[:, 1], s=7, c=list(layout.colours), zorder=2,
               linewidths=0)
    if len(layout.legend) > 1:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], marker="o", linestyle="", color=colour, markersize=4,
                          label=name) for colour, name in layout.legend]
        legend = ax.legend(handles=handles, title="subtree (nodes)", fontsize=6,
                           title_fontsize=7, loc="lower left",
                           bbox_to_anchor=(-0.02, -0.02), frameon=False)
        for text in legend.get_texts():
            text.set_parse_math(False)  # node labels are text
    if layout.in_ball:
        for r in layout.rings:
            ax.add_patch(Circle((0.0, 0.0), r / layout.r_max, fill=False, color="0.85",
                                linewidth=0.6, linestyle="--", zorder=0))
            ax.text(0.0, r / layout.r_max, f"{r:g}", fontsize=6, color="0.5",
                    ha="center", va="bottom")
        if layout.caption:
            # at the right: the legend of the subtrees takes the lower left
            ax.text(_LIMIT, -_LIMIT, layout.caption, fontsize=7, color="0.4",
                    ha="right", va="top")
        ax.add_patch(Circle((0.0, 0.0), 1.0, fill=False, color="black", linewidth=1))
        ax.set_xlim(-_LIMIT, _LIMIT)
        ax.set_ylim(-_LIMIT - 0.06, _LIMIT)
        ax.axis("off")  # disk coordinates carry no units; the circle frames it
    else:
        ax.autoscale_view()
    ax.set_aspect("equal")
    _place_labels(ax, positions, label_ids, nodes)
    return ax


def plot_interactive(
    embedder,
    path,
    *,
    edges=None,
    direct_edges_only=True,
    projection="directions",
    radial_scale="hyperbolic",
    title=None,
):
    """Write an interactive picture of the disk to a standalone HTML file.

    The picture of :func:`plot_embedding` for hierarchies too large to label:
    hovering over a node shows its label, norm and hyperbolic radius; the
    mouse wheel zooms and dragging pans. The file holds everything it needs
    (no network), so it can be opened anywhere or shared. Needs bokeh
    (``pip install bokeh``).

    Parameters
    ----------
    embedder : PoincareEmbedder
        A fitted embedder.
    path : str or path-like
        The HTML file to write.
    edges, direct_edges_only, projection, radial_scale
        As for :func:`plot_embedding`.
    title : str, default=None
        Title of the page and the picture; ``None`` says what is drawn.

    Returns
    -------
    path : str
        The file written.

    Examples
    --------
    >>> import pytest
    >>> _ = pytest.importorskip("bokeh")
    >>> from sklpoincare import PoincareEmbedder
    >>> from sklpoincare.datasets import make_balanced_tree
    >>> from sklpoincare.plot import plot_interactive
    >>> relations = make_balanced_tree(2, 3)
    >>> embedder = PoincareEmbedder(n_components=2, n_epochs=20, burn_in=5,
    ...                             random_state=0).fit(relations)
    >>> plot_interactive(embedder, "tree.html", edges=relations)  # doctest: +SKIP
    'tree.html'
    """
    check_is_fitted(embedder, ["embedding_", "nodes_"])
    layout = _DiskLayout(embedder, edges, direct_edges_only, projection, radial_scale)
    try:
        from bokeh.embed import file_html
        from bokeh.models import ColumnDataSource, HoverTool
        from bokeh.plotting import figure
        from bokeh.resources import INLINE
    except ImportError as exc:
        raise ImportError(
            "plot_interactive needs bokeh, which is not installed: pip install bokeh"
        ) from exc
    import matplotlib.colors as mcolors  # bokeh wants hex colours

    n_nodes = len(layout.nodes)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}: {title!r:.80}")
    if title is None:
        title = (f"{n_nodes:,} nodes in {embedder.embedding_.shape[1]} dimensions"
                 + (f"; {layout.caption}" if layout.caption else ""))
    fig = figure(title=title, match_aspect=True, sizing_mode="stretch_both",
                 tools="pan,wheel_zoom,box_zoom,reset,save", active_scroll="wheel_zoom")
    fig.axis.visible = False
    fig.grid.visible = False
    if layout.in_ball:
        for r in layout.rings:
            fig.circle(0, 0, radius=r / layout.r_max, fill_color=None,
                       line_color="#dddddd", line_dash="dashed")
        fig.circle(0, 0, radius=1.0, fill_color=None, line_color="black")
    if layout.segments is not None:
        fig.multi_line([list(seg[:, 0]) for seg in layout.segments],
                       [list(seg[:, 1]) for seg in layout.segments],
                       line_color="#bbbbbb", line_width=0.6)
    norms = np.linalg.norm(embedder.embedding_, axis=1)
    source = ColumnDataSource(dict(
        x=layout.positions[:, 0],
        y=layout.positions[:, 1],
        label=[str(node) for node in layout.nodes],
        norm=[f"{n:.10f}" for n in norms],
        radius=(list(layout.radius) if layout.in_ball else [float("nan")] * n_nodes),
        colour=[mcolors.to_hex(c) for c in layout.colours],
    ))
    dots = fig.scatter("x", "y", source=source, size=5, color="colour", line_color=None)
    fig.add_tools(HoverTool(renderers=[dots], tooltips=[
        ("node", "@label"), ("norm", "@norm"), ("hyperbolic radius", "@radius{0.000}"),
    ]))
    path = str(path)
    with open(path, "w", encoding="utf-8") as f:
        f.write(file_html(fig, INLINE, title))
    return path
