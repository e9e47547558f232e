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
  so that a few hubs and long branches appear, as in taxonomies;
* ``lattice``: 8 levels of 30 nodes, each node below the nodes i and i + 1
  (mod 30) of the level above, a DAG in which every node has two parents;
* ``categories``: 3,000 items, each filed under 1 or 2 of 100 categories
  drawn at random (the categories are roots);
* ``reversed``: ``random`` with 1 % of its closure pairs reversed, so the
  relations hold cycles (fitted with ``closure=False``);
* ``undirected``: a graph of 2,000 nodes grown node by node, each new node
  linked to 3 earlier ones drawn uniformly, every link given both ways
  (fitted with ``closure=False``).

The trees are given as their transitive closure, like WordNet, as
:mod:`sklpoincare.datasets` generates them (``make_balanced_tree``,
``make_chain``, ``make_forest``, ``make_random_tree``), the DAGs too; the
graphs with cycles are fitted and ranked on their relations as given.

Example::

    python benchmarks/bench_hierarchies.py --dims 5,10
    python benchmarks/bench_hierarchies.py --hierarchies lattice,undirected
"""

import argparse

import numpy as np
from _report import Table, Timer, run_header

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree, make_chain, make_forest, make_random_tree
from sklpoincare.hierarchy import transitive_closure
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


def lattice(width=30, depth=7):
    """Each node (level, i) below (level - 1, i) and (level - 1, i + 1 mod width)."""
    return [
        (f"{level}_{i}", f"{level - 1}_{(i + step) % width}")
        for level in range(1, depth + 1)
        for i in range(width)
        for step in (0, 1)
    ]


def categories(rng, n_items=3000, n_categories=100):
    """Items each filed under 1 or 2 categories drawn at random."""
    return [
        (f"item{i}", f"category{c}")
        for i in range(n_items)
        for c in rng.choice(n_categories, size=rng.randint(1, 3), replace=False)
    ]


def reversed_pairs(closure, share, rng):
    """``closure`` with a random ``share`` of its pairs turned around."""
    relations = np.array(closure, dtype=object)
    turned = rng.rand(len(relations)) < share
    relations[turned] = relations[turned][:, ::-1]
    return relations


def undirected(rng, n_nodes=2000, links=3):
    """A graph grown node by node, each new node linked to ``links`` earlier
    nodes drawn uniformly, every link given both ways."""
    edges = np.array([
        (node, target)
        for node in range(1, n_nodes)
        for target in rng.choice(node, size=min(node, links), replace=False)
    ])
    return np.vstack([edges, edges[:, ::-1]])


def hierarchies(seed):
    """``{name: (relations, closure)}``: what to fit, and the ``closure``
    setting to fit it with."""
    rng = np.random.RandomState(seed)
    random_tree = make_random_tree(3000, random_state=seed)
    return {
        "balanced": (make_balanced_tree(3, 6), True),
        "chain": (make_chain(150), True),
        "forest": (make_forest(40, 30, 1), True),
        "random": (random_tree, True),
        "lattice": (transitive_closure(lattice()), True),
        "categories": (categories(rng), True),
        "reversed": (reversed_pairs(random_tree, 0.01, rng), False),
        "undirected": (undirected(rng), False),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", default="5,10", help="comma list of dimensions")
    parser.add_argument(
        "--variants", default=",".join(VARIANTS),
        help=f"comma list among {','.join(VARIANTS)}",
    )
    parser.add_argument(
        "--hierarchies", default=None,
        help="comma list of the shapes to fit (default: all of them)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args(argv)
    dims = [int(d) for d in args.dims.split(",")]
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; choose among {list(VARIANTS)}")

    shapes = hierarchies(args.seed)
    chosen = args.hierarchies.split(",") if args.hierarchies else list(shapes)
    unknown = [name for name in chosen if name not in shapes]
    if unknown:
        parser.error(f"unknown hierarchies {unknown}; choose among {list(shapes)}")

    run_header(argv)
    table = Table(["hierarchy", "nodes", "relations", "dim", "variant", "fit s",
                   "mean rank", "MAP"], left={"hierarchy", "variant"})
    for name in chosen:
        relations, closure = shapes[name]
        n_nodes = len(np.unique(np.asarray(relations, dtype=object)))
        for dim in dims:
            for variant in variants:
                est = PoincareEmbedder(
                    n_components=dim, random_state=args.seed, n_jobs=args.n_jobs,
                    closure=closure, **VARIANTS[variant],
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
