"""Draw the WordNet mammal hierarchy embedded in the 2-dimensional Poincaré disk.

Fits a 2-dimensional PoincareEmbedder on the bundled mammal closure, prints
its reconstruction mean rank and MAP, and saves a picture of the disk: every
mammal as a dot, the edges of the hierarchy (each node to its direct
parents) as grey lines, and the most general nodes labelled. General nodes
should sit near the centre and specific ones near the rim.

Needs matplotlib (``pip install matplotlib``), which sklpoincare itself does
not. Run it with::

    python examples/plot_mammals_2d.py [--output mammals_2d.png] [--seed 0]
"""

import argparse
import sys
import time

import numpy as np

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.metrics import ranking_scores


def transitive_reduction(relations):
    """Direct (child, parent) edges of a closure: drop pairs implied by others."""
    ancestors = {}
    for child, parent in relations:
        ancestors.setdefault(child, set()).add(parent)
    edges = []
    for child, parents in ancestors.items():
        implied = set().union(*(ancestors.get(p, set()) for p in parents))
        edges.extend((child, parent) for parent in parents - implied)
    return edges


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="mammals_2d.png", help="PNG file to write")
    parser.add_argument("--seed", type=int, default=0, help="random_state")
    parser.add_argument("--labels", type=int, default=25,
                        help="label this many of the most general nodes")
    args = parser.parse_args()
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("error: this example draws with matplotlib: pip install matplotlib")

    relations = load_mammals().data
    embedder = PoincareEmbedder(n_components=2, random_state=args.seed)
    start = time.perf_counter()
    embedder.fit(relations)
    seconds = time.perf_counter() - start
    scores = ranking_scores(embedder.embedding_, relations, nodes=embedder.nodes_)
    print(f"mammals, 2 dimensions: fit {seconds:.1f} s, mean rank {scores.mean_rank:.2f}, "
          f"MAP {scores.mean_average_precision:.3f}")

    points = dict(zip(embedder.nodes_, embedder.embedding_))
    n_descendants = {}
    for _, parent in relations:
        n_descendants[parent] = n_descendants.get(parent, 0) + 1

    fig, ax = plt.subplots(figsize=(9, 9))
    ax.add_patch(plt.Circle((0, 0), 1.0, fill=False, color="black", linewidth=1))
    for child, parent in transitive_reduction(relations):
        (x0, y0), (x1, y1) = points[child], points[parent]
        ax.plot([x0, x1], [y0, y1], color="0.8", linewidth=0.4, zorder=1)
    xy = embedder.embedding_
    ax.scatter(xy[:, 0], xy[:, 1], s=4, color="tab:blue", zorder=2)
    general = sorted(n_descendants, key=n_descendants.get, reverse=True)[: args.labels]
    for node in general:
        x, y = points[node]
        ax.annotate(node.split(".")[0], (x, y), fontsize=7, zorder=3)
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(
        f"WordNet mammals in the Poincaré disk (mean rank {scores.mean_rank:.2f}, "
        f"MAP {scores.mean_average_precision:.3f})"
    )
    fig.savefig(args.output, dpi=110, bbox_inches="tight")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
