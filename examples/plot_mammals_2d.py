"""
====================================
WordNet mammals in the Poincaré disk
====================================

Fit a 2-dimensional :class:`~sklpoincare.PoincareEmbedder` on the bundled
WordNet mammal closure (1,180 nodes, 6,540 relations), measure how well the
embedding reconstructs the hierarchy, and draw the disk: every mammal as a
dot coloured by its large subtree (carnivores, ungulates, rodents, ...), the
edges of the hierarchy (each node to its direct parents) as hyperbolic
geodesics, and the most general nodes labelled where their labels do not
overlap. General nodes should sit near the centre and specific ones far
out. A node is drawn at a distance from the centre proportional to its
hyperbolic distance from the origin: in the ball itself the specific nodes
crowd at the rim.

Two dimensions are far too few for this hierarchy (the paper uses 5 to 50);
the picture is for the eye, not for use.

Needs matplotlib (``pip install matplotlib``), which sklpoincare itself does
not. As a script, it shows the figure, or writes it to a PNG file with
``--output`` (and the 10-dimensional picture next to it, ``_10d`` added to
the name)::

    python examples/plot_mammals_2d.py [--output mammals_2d.png] [--seed 0]
"""

import argparse
import os
import sys
import time

import numpy as np

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.metrics import ranking_scores
from sklpoincare.plot import plot_embedding

try:
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("error: this example draws with matplotlib: pip install matplotlib")

parser = argparse.ArgumentParser(
    description="Draw the WordNet mammal hierarchy in the 2-dimensional Poincaré disk."
)
parser.add_argument("--output", help="write the picture to this PNG file instead of showing it")
parser.add_argument("--seed", type=int, default=0, help="random_state")
parser.add_argument("--labels", type=int, default=25,
                    help="label this many of the most general nodes")
args = parser.parse_args()

# %%
# Fit and score
# -------------
#
# The relations are the transitive closure: every (descendant, ancestor)
# pair. The defaults train 200 epochs from a layout of the hierarchy in the
# disk: each node's children share its wedge in proportion to their subtrees.

relations = load_mammals().data
embedder = PoincareEmbedder(n_components=2, random_state=args.seed)
start = time.perf_counter()
embedder.fit(relations)
seconds = time.perf_counter() - start
scores = ranking_scores(embedder.embedding_, relations, nodes=embedder.nodes_)
print(f"mammals, 2 dimensions: fit {seconds:.1f} s, mean rank {scores.mean_rank:.2f}, "
      f"MAP {scores.mean_average_precision:.3f}")

# %%
# The norm says how general a node is
# -----------------------------------
#
# The nodes nearest the origin are the most general ones. The number of
# descendants of a node (the relations in which it is the parent) measures
# how general it is in the data.

norms = np.linalg.norm(embedder.embedding_, axis=1)
n_descendants = {}
for _, parent in relations:
    n_descendants[parent] = n_descendants.get(parent, 0) + 1
for i in np.argsort(norms)[:8]:
    node = embedder.nodes_[i]
    print(f"norm {norms[i]:.3f}  {n_descendants.get(node, 0):4d} descendants  {node}")


# %%
# Draw the disk
# -------------
#
# :func:`sklpoincare.plot.plot_embedding` draws every node and the given
# relations as geodesic edges; on a transitive closure it keeps only the
# direct edges (a relation implied by two others, dog -> canine -> carnivore
# implying dog -> carnivore, would only add clutter). It labels the nodes of
# smallest norm, leaving out labels that would overlap, and marks the
# hyperbolic distance from the origin with rings (``radial_scale="ball"``
# draws the ball itself instead). The command line draws the same picture:
# ``sklpoincare fit --dim 2 --plot mammals_2d.png``.

def draw(embedder, scores, what, path):
    """The disk of ``embedder``, titled with its scores; saved to ``path``."""
    fig, ax = plt.subplots(figsize=(9, 9))
    plot_embedding(embedder, ax=ax, edges=relations, n_labels=args.labels)
    ax.set_title(f"WordNet mammals {what} (mean rank {scores.mean_rank:.2f}, "
                 f"MAP {scores.mean_average_precision:.3f})")
    if path:
        fig.savefig(path, dpi=110, bbox_inches="tight")
        print(f"wrote {path}")


draw(embedder, scores, "in the Poincaré disk", args.output)

# %%
# Ten dimensions, drawn in the plane
# ----------------------------------
#
# Two dimensions are too few for the mammals; ten reconstruct them almost
# perfectly. To draw them, :func:`sklpoincare.plot.project_to_disk` keeps
# every node's norm and gives it a direction in the plane from the principal
# axes of the directions (``projection="directions"``, the default of the
# pictures), which spreads the subtrees around the disk.

embedder_10d = PoincareEmbedder(n_components=10, random_state=args.seed).fit(relations)
scores_10d = ranking_scores(embedder_10d.embedding_, relations, nodes=embedder_10d.nodes_)
root, ext = os.path.splitext(args.output or "")
draw(embedder_10d, scores_10d, "in 10 dimensions, drawn in the plane",
     args.output and f"{root}_10d{ext}")
if not args.output:
    plt.show()

# %%
# An interactive view
# -------------------
#
# For hierarchies too large to label, :func:`sklpoincare.plot.plot_interactive`
# writes the same picture to a standalone HTML file (it needs bokeh, ``pip
# install bokeh``): hovering over a node shows its label, norm and hyperbolic
# radius, the mouse wheel zooms. Open the file in any browser; it loads
# nothing from the network. The one of these pages is
# `here <../interactive/mammals_2d.html>`_.

import tempfile

from sklpoincare.plot import plot_interactive

try:
    html = plot_interactive(
        embedder, os.path.join(tempfile.mkdtemp(), "mammals_2d.html"), edges=relations
    )
    print(f"wrote {html}")
except ImportError as exc:  # bokeh is optional
    print(exc)
