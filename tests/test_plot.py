"""sklpoincare.plot: the disk picture and the projection of higher dimensions."""

import importlib
import re
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree
from sklpoincare.plot import plot_embedding, project_to_disk

@pytest.fixture(scope="module")
def fitted_2d(small_tree, fast_params):
    return PoincareEmbedder(n_components=2, **fast_params).fit(small_tree)


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def _scatter_points(ax):
    from matplotlib.collections import PathCollection

    (scatter,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    return scatter.get_offsets()


def _segments(ax):
    from matplotlib.collections import LineCollection

    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    return np.asarray(lines.get_segments())


def _circles(ax):
    from matplotlib.patches import Circle

    return [p for p in ax.patches if isinstance(p, Circle)]


def _unit_circle(ax):
    (circle,) = [c for c in _circles(ax) if c.get_radius() == 1.0]
    return circle


def _node_labels(ax):
    """The node labels: annotations (ring marks and the caption are texts)."""
    from matplotlib.text import Annotation

    return [t for t in ax.texts if isinstance(t, Annotation)]


# --------------------------------------------------------------- projection


def test_projection_keeps_norms_and_the_origin():
    rng = np.random.default_rng(0)
    directions = rng.normal(size=(50, 6))
    points = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    points *= rng.uniform(0, 0.99, size=(50, 1))
    points[0] = 0.0
    flat = project_to_disk(points)
    assert flat.shape == (50, 2)
    np.testing.assert_allclose(
        np.linalg.norm(flat, axis=1), np.linalg.norm(points, axis=1), rtol=1e-12
    )
    np.testing.assert_array_equal(flat[0], [0.0, 0.0])
    assert np.all(np.linalg.norm(flat, axis=1) < 1)


def test_projection_keeps_the_principal_plane():
    # points in the plane of the first two coordinates, with a tiny third:
    # the projection finds that plane, so angles between points are kept up
    # to a rotation or reflection of the plane
    rng = np.random.default_rng(1)
    planar = rng.uniform(-0.5, 0.5, size=(30, 2))
    points = np.column_stack([planar, 1e-9 * rng.normal(size=30)])
    flat = project_to_disk(points)
    np.testing.assert_allclose(flat @ flat.T, planar @ planar.T, atol=1e-8)


def test_directions_projection_spreads_a_half_ball_around_the_disk():
    """Points in one half of the ball (all with a positive first coordinate,
    as trained embeddings often are) fill the whole circle of directions,
    with their norms kept and nearby directions kept near."""
    rng = np.random.default_rng(2)
    directions = rng.normal(size=(200, 6))
    directions[:, 0] = np.abs(directions[:, 0]) + 2.0
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    points = directions * rng.uniform(0.1, 0.99, size=(200, 1))
    points[0] = 0.0
    flat = project_to_disk(points, "directions")
    np.testing.assert_allclose(
        np.linalg.norm(flat, axis=1), np.linalg.norm(points, axis=1), rtol=1e-12
    )
    np.testing.assert_array_equal(flat[0], [0.0, 0.0])
    def largest_gap(flat):
        angles = np.sort(np.arctan2(flat[1:, 1], flat[1:, 0]))
        return np.diff(np.append(angles, angles[0] + 2 * np.pi)).max()

    assert largest_gap(flat) < np.pi / 4  # no empty sector of the disk
    # while the uncentred projection leaves half of it empty
    assert largest_gap(project_to_disk(points, "pca")) > np.pi


def test_projection_of_2d_and_1d():
    points = np.array([[0.1, -0.2], [0.5, 0.3]])
    np.testing.assert_array_equal(project_to_disk(points), points)
    np.testing.assert_array_equal(
        project_to_disk([[0.3], [-0.7]]), [[0.3, 0.0], [-0.7, 0.0]]
    )


def test_point_orthogonal_to_the_plane_keeps_its_norm():
    points = np.zeros((5, 3))
    points[:4, :2] = [[0.5, 0], [-0.5, 0], [0, 0.4], [0, -0.4]]
    points[4] = [0, 0, 0.3]  # no component in the principal plane
    flat = project_to_disk(points)
    assert np.linalg.norm(flat[4]) == pytest.approx(0.3)


@pytest.mark.parametrize("projection", ["pca", "directions"])
def test_projection_of_one_point_and_of_none(projection):
    # one point spans a single principal axis and none spans none: the point
    # goes on the first axis at its norm (so at its hyperbolic radius), as a
    # point with no component in the plane does
    point = np.array([[0.1, 0.2, 0.3]])
    np.testing.assert_array_equal(
        project_to_disk(point, projection), [[np.linalg.norm(point), 0.0]]
    )
    np.testing.assert_array_equal(project_to_disk(np.zeros((1, 3)), projection),
                                  [[0.0, 0.0]])
    empty = project_to_disk(np.empty((0, 3)), projection)
    assert empty.shape == (0, 2) and empty.dtype == np.float64


@pytest.mark.parametrize("points, projection, message", [
    ([[0.1, 0.2, 0.3]], "tsne", "projection must be one of"),
    ([0.1, 0.2], "pca", "points must be a 2-D array"),
    ([[0.1, np.nan, 0.3]], "pca", "non-finite coordinate at row 0"),
])
def test_projection_rejects_bad_input(points, projection, message):
    with pytest.raises(ValueError, match=message):
        project_to_disk(points, projection)


# ------------------------------------------------------------------ drawing


@pytest.mark.parametrize("radial_scale", ["ball", "hyperbolic"])
def test_disk_has_unit_circle_points_edges_and_general_labels(
    plt, small_tree, fitted_2d, radial_scale
):
    ax = plot_embedding(fitted_2d, edges=small_tree, n_labels=4, radial_scale=radial_scale)
    assert tuple(_unit_circle(ax).center) == (0.0, 0.0)

    points = _scatter_points(ax)
    x = fitted_2d.embedding_
    if radial_scale == "ball":
        np.testing.assert_array_equal(points, x)
    else:  # same directions, radius proportional to the hyperbolic radius
        radius = 2 * np.arctanh(np.linalg.norm(x, axis=1))
        np.testing.assert_allclose(np.linalg.norm(points, axis=1), radius / radius.max())
        np.testing.assert_allclose(
            points / np.linalg.norm(points, axis=1, keepdims=True),
            x / np.linalg.norm(x, axis=1, keepdims=True),
        )

    # the closure's direct edges: each node of the binary tree to its parent,
    # drawn from the child's point to the parent's
    segments = _segments(ax)
    assert len(segments) == 14
    index = {node: i for i, node in enumerate(fitted_2d.nodes_)}
    expected = {
        (index[c], index[p]) for c, p in make_balanced_tree(2, 3, transitive_closure=False)
    }
    drawn = set()
    for path in segments:
        c = int(np.argmin(np.linalg.norm(points - path[0], axis=1)))
        p = int(np.argmin(np.linalg.norm(points - path[-1], axis=1)))
        np.testing.assert_allclose(path[0], points[c], atol=1e-9)
        np.testing.assert_allclose(path[-1], points[p], atol=1e-9)
        drawn.add((c, p))
    assert drawn == expected

    # labels: the most general nodes in order, less any that would overlap
    norms = np.linalg.norm(x, axis=1)
    most_general = [str(fitted_2d.nodes_[i]) for i in np.argsort(norms)[:4]]
    shown = [text.get_text() for text in _node_labels(ax)]
    assert shown and shown == [name for name in most_general if name in shown]


def test_edges_are_hyperbolic_geodesics(plt, small_tree, fitted_2d):
    """Every drawn point of an edge lies on the geodesic between its ends:
    its distances to the two ends add up to theirs."""
    from sklpoincare.metrics import poincare_distances

    ax = plot_embedding(fitted_2d, edges=small_tree, radial_scale="ball")
    for path in _segments(ax):
        ends = poincare_distances(path[:1], path[-1:])[0, 0]
        to_start = poincare_distances(path, path[:1])[:, 0]
        to_end = poincare_distances(path, path[-1:])[:, 0]
        np.testing.assert_allclose(to_start + to_end, ends, rtol=1e-6, atol=1e-9)
        assert np.all(np.diff(to_start) > 0)  # in order along the edge


def test_labels_never_overlap(plt, fast_params):
    relations = make_balanced_tree(3, 4)
    embedder = PoincareEmbedder(n_components=2, **fast_params).fit(relations)
    ax = plot_embedding(embedder, edges=relations, n_labels=40)
    renderer = ax.figure.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in _node_labels(ax)]
    assert 1 < len(boxes) <= 40
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1:])


def test_nodes_are_coloured_by_large_subtree(plt, fast_params):
    relations = make_balanced_tree(3, 2, transitive_closure=False)
    embedder = PoincareEmbedder(n_components=2, **fast_params).fit(relations)
    ax = plot_embedding(embedder, edges=relations)
    from matplotlib.collections import PathCollection

    (scatter,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    colours = {tuple(c) for c in scatter.get_facecolors()}
    # the root and the three subtrees of its children
    assert len(colours) == 4


def test_all_relations_drawn_when_asked(plt, small_tree, fitted_2d):
    ax = plot_embedding(fitted_2d, edges=small_tree, direct_edges_only=False)
    assert len(_segments(ax)) == len(small_tree)


def test_explicit_labels_and_no_edges(plt, fitted_2d):
    ax = plot_embedding(fitted_2d, labels=[7, 3], n_labels=50, radial_scale="ball")
    assert [text.get_text() for text in _node_labels(ax)] == ["7", "3"]
    i = list(fitted_2d.nodes_).index(7)
    np.testing.assert_array_equal(_node_labels(ax)[0].xy, fitted_2d.embedding_[i])
    from matplotlib.collections import LineCollection

    assert not any(isinstance(c, LineCollection) for c in ax.collections)


def test_no_labels(plt, fitted_2d):
    assert len(_node_labels(plot_embedding(fitted_2d, n_labels=0))) == 0


def test_draws_on_the_given_axes(plt, fitted_2d):
    fig, ax = plt.subplots()
    assert plot_embedding(fitted_2d, ax=ax) is ax
    assert len(fig.axes) == 1


def test_higher_dimension_is_drawn_through_the_projection(plt, small_tree, fast_params):
    embedder = PoincareEmbedder(n_components=5, **fast_params).fit(small_tree)
    ax = plot_embedding(embedder, edges=small_tree, radial_scale="ball")
    points = _scatter_points(ax)
    np.testing.assert_allclose(points, project_to_disk(embedder.embedding_, "directions"))
    np.testing.assert_allclose(
        np.linalg.norm(points, axis=1), np.linalg.norm(embedder.embedding_, axis=1)
    )
    assert len(_circles(ax)) == 1  # no rings on the ball scale


def test_euclidean_embedding_has_no_disk(plt, small_tree, fast_params):
    embedder = PoincareEmbedder(n_components=2, manifold="euclidean", **fast_params)
    embedder.fit(small_tree)
    ax = plot_embedding(embedder, edges=small_tree)
    assert _circles(ax) == []
    np.testing.assert_array_equal(_scatter_points(ax), embedder.embedding_)
    low, high = ax.get_xlim()
    assert low <= embedder.embedding_[:, 0].min() and high >= embedder.embedding_[:, 0].max()


def test_string_labels(plt, fast_params):
    relations = [("dog", "mammal"), ("cat", "mammal"), ("mammal", "animal"),
                 ("dog", "animal"), ("cat", "animal")]
    embedder = PoincareEmbedder(n_components=2, **fast_params).fit(relations)
    ax = plot_embedding(embedder, edges=relations, labels=["dog"])
    assert len(_segments(ax)) == 3
    assert [text.get_text() for text in _node_labels(ax)] == ["dog"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(edges=[[1, 0], [99, 0]]), r"edges names 1 label\(s\).* 99 at row 1"),
    (dict(edges=[1, 2, 3]), "edges must have two columns"),
    (dict(labels=["nope"]), "labels names 1 label"),
    (dict(n_labels=-1), "n_labels must be a non-negative int"),
    (dict(n_labels=2.5), "n_labels must be a non-negative int"),
    (dict(direct_edges_only="yes"), "direct_edges_only must be a bool"),
    (dict(projection="tsne"), "projection must be one of"),
    (dict(radial_scale="log"), "radial_scale must be one of"),
])
def test_bad_arguments(plt, fitted_2d, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_embedding(fitted_2d, **kwargs)


def test_unfitted_embedder_raises(plt):
    with pytest.raises(NotFittedError):
        plot_embedding(PoincareEmbedder())


def test_missing_matplotlib_gives_an_install_hint(fitted_2d, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_embedding(fitted_2d)


def test_modules_import_without_matplotlib(monkeypatch):
    # fresh imports of the modules while matplotlib cannot be imported
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    for name in ("sklpoincare.plot", "sklpoincare._cli"):
        monkeypatch.delitem(sys.modules, name, raising=False)
        module = importlib.import_module(name)
        assert module.__name__ == name


def test_interactive_view_is_a_standalone_html_file(tmp_path, small_tree, fitted_2d):
    pytest.importorskip("bokeh")
    from sklpoincare.plot import plot_interactive

    path = plot_interactive(fitted_2d, tmp_path / "tree.html", edges=small_tree)
    html = (tmp_path / "tree.html").read_text(encoding="utf-8")
    assert path == str(tmp_path / "tree.html")
    # every label is in the page, for the hover tool
    assert all(f'"{node}"' in html for node in map(str, fitted_2d.nodes_))
    # bokeh's code is inlined: no script tag of the page loads from the network
    assert "<script" in html and not re.search(r"<script[^>]*\bsrc=", html)


def test_interactive_view_needs_bokeh(tmp_path, fitted_2d, monkeypatch):
    from sklpoincare.plot import plot_interactive

    monkeypatch.setitem(sys.modules, "bokeh", None)
    monkeypatch.setitem(sys.modules, "bokeh.embed", None)
    with pytest.raises(ImportError, match="pip install bokeh"):
        plot_interactive(fitted_2d, tmp_path / "x.html")


def test_labels_with_dollar_signs_are_drawn_as_text(plt, tiny_params):
    est = PoincareEmbedder(**tiny_params).fit([("price_$5_to_$10", "root"), ("x", "root")])
    ax = plot_embedding(est, n_labels=3)
    ax.figure.canvas.draw()  # mathtext would fail here on an odd number of $
    drawn = {text.get_text() for text in ax.texts}
    assert "price_$5_to_$10" in drawn


def test_an_axes_of_a_figure_made_without_pyplot_works(plt, fitted_2d):
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    assert plot_embedding(fitted_2d, ax=ax, n_labels=3) is ax
    assert len(ax.texts) > 0


def test_edges_are_read_as_fit_reads_relations(plt, fitted_2d, small_tree):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"child": small_tree[:, 0], "parent": small_tree[:, 1], "weight": 2.0})
    from_frame = _segments(plot_embedding(fitted_2d, edges=frame, n_labels=0))
    plt.close("all")
    assert len(from_frame) == len(_segments(plot_embedding(fitted_2d, edges=small_tree, n_labels=0)))
    with pytest.raises(ValueError, match=r"edges must have two columns \(child, parent\), got shape \(1, 3\)"):
        plot_embedding(fitted_2d, edges=[[3, 1, 1.0]])
    with pytest.raises(ValueError, match=r"self-loop .* at row 0 \(3, 3\) of edges"):
        plot_embedding(fitted_2d, edges=[(3, 3)])
    from matplotlib.collections import LineCollection

    for empty in ([], np.empty((0, 2), dtype=int)):  # no edge to draw, as with None
        ax = plot_embedding(fitted_2d, edges=empty, n_labels=0)
        assert not any(len(c.get_segments()) for c in ax.collections
                       if isinstance(c, LineCollection))


def test_interactive_title_must_be_text(fitted_2d, tmp_path):
    pytest.importorskip("bokeh")
    from sklpoincare.plot import plot_interactive

    with pytest.raises(TypeError, match="title must be a str or None, got int: 3"):
        plot_interactive(fitted_2d, tmp_path / "t.html", title=3)
