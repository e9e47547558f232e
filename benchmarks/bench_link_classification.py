"""Link classification benchmark: is u a kind of v, with one threshold?

Run by hand, not a test. Follows the protocol of Ganea, Bécigneul & Hofmann
(2018, "Hyperbolic Entailment Cones", section 5) on a random split of our
own: the pairs of the transitive closure whose parent is the root of
everything are left out (they are true of every node; on the nouns this
leaves the 661,127 pairs of the paper); the others that are
not in the transitive reduction (the "non-basic" pairs) are shuffled, 5 % go
to validation and 5 % to test, and training gets the reduction plus
``--shares`` of the non-basic pairs. Each validation and test pair comes
with 10 corrupted pairs (5 with a random parent, 5 with a random child, none
in the closure). One threshold on
:meth:`~sklpoincare.PoincareEmbedder.is_a_score` is tuned for F1 on
validation; the table gives test F1 at that threshold, and the same for
minus the distance (the score the paper's Poincaré baseline thresholds).

Training runs with ``closure=False``: the closure of the training pairs is
the whole closure (the reduction is in training), so training on it would
make every test pair a training pair. ``--closure`` shows that figure
anyway, labelled.

Data: the bundled mammals, and the nouns (or the holonymy, a forest) with
``--data DIR``.

Examples::

    python benchmarks/bench_link_classification.py --data ../shared/data --datasets nouns --dims 10 --n-jobs 2
    python benchmarks/bench_link_classification.py --dims 2,5,10 --set subtree_negatives=0
"""

import argparse

import numpy as np
from sklearn.metrics import precision_recall_curve
from _data import (
    add_data_arguments,
    add_set_argument,
    comma_floats,
    data_arguments,
    estimator_options,
    learning_rate,
    load_dataset,
)
from _report import Table, Timer, progress, run_header

from sklpoincare import PoincareEmbedder
from sklpoincare._is_a import corrupted_pairs, keys_membership
from sklpoincare.hierarchy import transitive_closure, transitive_reduction

# Ganea et al. (2018), table 1, WordNet nouns, 10 dimensions, test F1 (%)
# for 0 / 10 / 25 % of the non-basic pairs in training; the shadow cones of
# Yu et al. (ICLR 2024) as reported there.
PUBLISHED = {
    "Poincaré embeddings": (28.9, 71.4, 82.0),
    "hyperbolic entailment cones": (32.2, 85.9, 91.0),
    "shadow cones": (52.2, 89.4, 95.7),
}
PUBLISHED_SHARES = (0.0, 0.1, 0.25)


def best_threshold(scores, is_a):
    """The threshold of ``score >= threshold`` that maximises F1 on these
    labelled scores."""
    precision, recall, thresholds = precision_recall_curve(is_a, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, np.finfo(float).tiny)
    return thresholds[np.argmax(f1[:-1])]


def f1_at(scores, is_a, threshold):
    predicted = scores >= threshold
    return 2 * np.sum(predicted & is_a) / (predicted.sum() + is_a.sum())


def split(relations, seed):
    """Node labels, the closure as id pairs without the root's pairs, and
    ``(basic, val, test, pool)`` row indices into it."""
    # closed first: a closure file may lack pairs (the nouns' lacks 155),
    # and then even the root seems not to be above every node
    relations = transitive_closure(relations)
    nodes, ids = np.unique(relations, return_inverse=True)
    ids = ids.reshape(relations.shape).astype(np.int64)
    # a parent of every other node is the root of everything
    n_children = np.bincount(ids[:, 1], minlength=len(nodes))
    ids = ids[n_children[ids[:, 1]] < len(nodes) - 1]
    nodes, ids = np.unique(nodes[ids], return_inverse=True)
    ids = ids.reshape(-1, 2).astype(np.int64)
    n_nodes = len(nodes)
    reduction = transitive_reduction(ids)
    keys = ids[:, 0] * n_nodes + ids[:, 1]
    basic = np.isin(keys, reduction[:, 0] * n_nodes + reduction[:, 1])
    rng = np.random.default_rng(seed)
    non_basic = rng.permutation(np.flatnonzero(~basic))
    k = int(0.05 * len(non_basic))
    return nodes, ids, np.flatnonzero(basic), non_basic[:k], non_basic[k : 2 * k], non_basic[2 * k :]


def labelled(ids, rows, n_nodes, seed):
    """The pairs of ``rows`` (is-a) and 10 corrupted pairs each (not in ``ids``)."""
    keys = np.unique(ids[:, 0] * n_nodes + ids[:, 1])
    children, parents = ids[rows, 0], ids[rows, 1]
    bad_children, bad_parents = corrupted_pairs(
        children, parents, keys_membership(keys, n_nodes), n_nodes, 10,
        np.random.RandomState(seed),
    )
    pairs = np.stack([np.r_[children, bad_children], np.r_[parents, bad_parents]], axis=1)
    return pairs, np.r_[np.ones(len(rows), bool), np.zeros(len(bad_children), bool)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--shares", default="0,0.1,0.25",
                        help="comma list of shares of the non-basic pairs in training")
    parser.add_argument("--epochs", type=int, help="n_epochs (default: the estimator's)")
    parser.add_argument("--learning-rate", type=learning_rate,
                        help="learning_rate (default: the estimator's)")
    parser.add_argument("--closure", action="store_true",
                        help="train with closure=True (every test pair is then implied)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    add_set_argument(parser)
    args = parser.parse_args(argv)
    datasets, dims = data_arguments(parser, args)
    shares = comma_floats(parser, "--shares", args.shares)
    run_header(argv)
    table = Table(
        ["dataset", "dim", "share", "closure", "train pairs", "test pairs", "fit s",
         "F1 is_a_score", "threshold", "F1 -distance"],
        left={"dataset", "closure"},
    )
    for dataset in datasets:
        nodes, ids, basic, val, test, pool = split(load_dataset(dataset, args.data), args.seed)
        val_pairs, val_is_a = labelled(ids, val, len(nodes), args.seed + 1)
        test_pairs, test_is_a = labelled(ids, test, len(nodes), args.seed + 2)
        for share in shares:
            train = ids[np.r_[basic, pool[: int(round(share * (len(pool) + len(val) + len(test))))]]]
            for dim in dims:
                progress(f"{dataset}, {dim} dims, share {share}: fitting on {len(train):,} pairs")
                est = PoincareEmbedder(n_components=dim, closure=args.closure,
                                       random_state=args.seed, n_jobs=args.n_jobs,
                                       **estimator_options(args))
                with Timer() as fit:
                    est.fit(nodes[train])
                cells = []
                for score in (est.is_a_score, lambda a, b: -est.distance(a, b)):
                    on_val = score(nodes[val_pairs[:, 0]], nodes[val_pairs[:, 1]])
                    on_test = score(nodes[test_pairs[:, 0]], nodes[test_pairs[:, 1]])
                    threshold = best_threshold(on_val, val_is_a)
                    cells.append((100 * f1_at(on_test, test_is_a, threshold), threshold))
                table.row(dataset, dim, f"{share:.0%}", "yes" if args.closure else "no",
                          f"{len(train):,}", f"{len(test_pairs):,}", f"{fit.seconds:.0f}",
                          f"{cells[0][0]:.1f}", f"{cells[0][1]:.3f}",
                          f"{cells[1][0]:.1f}")
    print()
    print("Published, WordNet nouns, 10 dimensions, test F1 (%) at 0 / 10 / 25 %:")
    for method, figures in PUBLISHED.items():
        print(f"- {method}: " + " / ".join(f"{f:.1f}" for f in figures))


if __name__ == "__main__":
    main()
