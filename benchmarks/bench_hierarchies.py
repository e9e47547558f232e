"""Do the defaults hold on hierarchies nobody tuned on? A benchmark.

Run by hand, not a test. Builds a few synthetic hierarchies of different
shapes, fits :class:`sklpoincare.PoincareEmbedder` with its defaults (and
with the variants named by ``--variants``) and prints fit time, mean rank
and MAP (reconstruction, :func:`sklpoincare.metrics.ranking_scores`) as a
markdown table:

* ``balanced``: a complete tree, branching 3, depth 6 (1,093 nodes);
* ``chain``: a path of 150 nodes (depth 149, 11,175 closure relations);
* ``forest``: 40 shallow trees, each a root with 30 leaves (1,240 nodes);
* ``random``: a random recursive tree of 3,000 nodes, each new node
  attached to a parent drawn in proportion to (1 + number of children),
  so that a few hubs and long branches appear, as in taxonomies.

Every hierarchy is given as its transitive closure, like WordNet, as
:mod:`sklpoincare.datasets` generates it (``make_balanced_tree``,
``make_chain``, ``make_forest``, ``make_random_tree``).

Example::

    python benchmarks/bench_hierarchies.py --dims 5,10
"""

import argparse

import numpy as np
from _report import Table, Timer, run_header

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree, make_chain, make_forest, make_random_tree
from sklpoincare.metrics import ranking_scores

VARIANTS = {
    "defaults": {},
    "paper-sampling": {"subtree_negatives": 0.0},
    "subtree-0.05": {"subtree_negatives": 0.05},
    "more-subtree": {"subtree_negatives": 0.2},
    "lorentz": {"manifold": "lorentz"},
    "random-start": {"init": "random"},
    "hierarchy-start": {"init": "hierarchy"},
}


def hierarchies(seed):
    return {
        "balanced": make_balanced_tree(3, 6),
        "chain": make_chain(150),
        "forest": make_forest(40, 30, 1),
        "random": make_random_tree(3000, random_state=seed),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", default="5,10", help="comma list of dimensions")
    parser.add_argument(
        "--variants", default=",".join(VARIANTS),
        help=f"comma list among {','.join(VARIANTS)}",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args(argv)
    dims = [int(d) for d in args.dims.split(",")]
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; choose among {list(VARIANTS)}")

    run_header(argv)
    table = Table(["hierarchy", "nodes", "relations", "dim", "variant", "fit s",
                   "mean rank", "MAP"], left={"hierarchy", "variant"})
    for name, relations in hierarchies(args.seed).items():
        n_nodes = len(np.unique(relations))
        for dim in dims:
            for variant in variants:
                est = PoincareEmbedder(
                    n_components=dim, random_state=args.seed, n_jobs=args.n_jobs,
                    **VARIANTS[variant],
                )
                with Timer() as fit:
                    est.fit(relations)
                scores = ranking_scores(est.embedding_, relations, nodes=est.nodes_,
                                        n_jobs=args.n_jobs)
                table.row(name, f"{n_nodes:,}", f"{len(relations):,}", dim, variant,
                          f"{fit.seconds:.2f}", f"{scores.mean_rank:.2f}",
                          f"{scores.mean_average_precision:.3f}")


if __name__ == "__main__":
    main()
