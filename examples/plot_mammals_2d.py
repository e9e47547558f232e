"""Draw the WordNet mammal hierarchy embedded in the 2-dimensional Poincaré disk.

Fits a 2-dimensional PoincareEmbedder on the bundled mammal closure, prints
its reconstruction mean rank and MAP, and saves a picture of the disk drawn
by :func:`sklpoincare.plot.plot_embedding`: every mammal as a dot, the
direct edges of the hierarchy as grey lines, and the most general nodes (the
smallest norms) labelled. General nodes should sit near the centre and
specific ones near the rim.

Needs matplotlib (``pip install matplotlib``), which sklpoincare itself does
not. Run it with::

    python examples/plot_mammals_2d.py [--output mammals_2d.png] [--seed 0]

The command line draws the same picture:
``sklpoincare fit --dim 2 --plot mammals_2d.png``.
"""

import argparse
import sys
import time

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.metrics import ranking_scores
from sklpoincare.plot import plot_embedding


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="mammals_2d.png", help="PNG file to write")
    parser.add_argument("--seed", type=int, default=0, help="random_state")
    parser.add_argument("--labels", type=int, default=15,
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

    fig, ax = plt.subplots(figsize=(9, 9))
    # the closure's relations are given; only its direct edges are drawn
    plot_embedding(embedder, ax=ax, edges=relations, n_labels=args.labels)
    ax.set_title(
        f"WordNet mammals in the Poincaré disk (mean rank {scores.mean_rank:.2f}, "
        f"MAP {scores.mean_average_precision:.3f})"
    )
    fig.savefig(args.output, dpi=110, bbox_inches="tight")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
