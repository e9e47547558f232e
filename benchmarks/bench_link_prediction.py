"""Link prediction benchmark: rank relations held out of training.

Run by hand, not a test. Follows the protocol of Nickel & Kiela (2017),
section 4.1: the relations of the transitive closure that are *not* in its
transitive reduction are split at random, a share ``--test-share`` is held
out, and :class:`sklpoincare.PoincareEmbedder` is fitted on the rest (which
keeps every edge of the reduction, so the hierarchy stays connected). Each
held-out (u, v) is then ranked among all nodes in the filtered setting:
u itself and u's training parents are not candidates, nor are u's other
held-out parents. Mean rank averages over held-out relations, MAP over
children that have held-out relations.

Data: the bundled mammals, and the nouns with ``--data DIR`` (a directory
holding ``noun_closure.tsv.gz``, e.g. ``../shared/data``). The paper reports
mean rank 4.3 / MAP 0.852 for 10-dimensional Poincaré embeddings of the
nouns.

Example::

    python benchmarks/bench_link_prediction.py --data ../shared/data --dims 10 --n-jobs 2
"""

import argparse

import numpy as np
from _data import (
    add_data_arguments,
    add_set_argument,
    data_arguments,
    estimator_options,
    learning_rate,
    load_dataset,
)
from _report import Table, Timer, run_header

from sklpoincare import PoincareEmbedder
from sklpoincare.hierarchy import transitive_reduction
from sklpoincare.metrics import neg_mean_rank_scorer

PAPER = {("nouns", 10): (4.3, 0.852)}


def split_closure(relations, test_share, rng):
    """(train, test) relation index arrays; test only outside the reduction."""
    direct = set(map(tuple, transitive_reduction(relations).tolist()))
    implied = np.array([(child, parent) not in direct for child, parent in relations])
    candidates = np.flatnonzero(implied)
    test = rng.choice(candidates, size=int(round(test_share * len(relations))),
                      replace=False)
    train = np.setdiff1d(np.arange(len(relations)), test)
    return train, np.sort(test)


def held_out_sample(test, max_children, rng):
    """The rows of ``test`` whose child is among ``max_children`` drawn at
    random (all rows when 0 or when there are no more children)."""
    children = sorted(set(test[:, 0].tolist()))
    if not max_children or len(children) <= max_children:
        return test, len(children)
    chosen = {children[i] for i in rng.choice(len(children), max_children, replace=False)}
    return test[[child in chosen for child in test[:, 0]]], max_children


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--test-share", type=float, default=0.1,
                        help="share of all relations held out (from the non-reduction ones)")
    parser.add_argument("--epochs", type=int, help="n_epochs (default: the estimator's)")
    parser.add_argument("--learning-rate", type=learning_rate,
                        help="learning_rate (default: the estimator's)")
    parser.add_argument("--init", help="init (default: the estimator's)")
    parser.add_argument("--eval-children", type=int, default=5000,
                        help="rank the held-out relations of at most this many children (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    add_set_argument(parser)
    args = parser.parse_args(argv)
    datasets, dims = data_arguments(parser, args)
    run_header(argv)
    table = Table(
        ["dataset", "dim", "train relations", "held out", "fit s", "children ranked",
         "mean rank", "MAP", "paper (rank / MAP)"],
        left={"dataset", "paper (rank / MAP)"},
    )
    for dataset in datasets:
        relations = load_dataset(dataset, args.data)
        rng = np.random.default_rng(args.seed)
        train_idx, test_idx = split_closure(relations, args.test_share, rng)
        train, test = relations[train_idx], relations[test_idx]
        for dim in dims:
            # closure=False: the closure of the training split would give
            # most held-out relations back as training relations
            est = PoincareEmbedder(n_components=dim, random_state=args.seed,
                                   n_jobs=args.n_jobs, closure=False, **estimator_options(args))
            with Timer() as fit:
                est.fit(train)
            # a set, not np.isin: isin on object labels is quadratic
            seen = set(est.nodes_.tolist())
            test_known = test[[c in seen and p in seen for c, p in test]]
            ranked, n_children = held_out_sample(test_known, args.eval_children, rng)
            mean_ap = est.score(ranked)
            mean_rank = -neg_mean_rank_scorer(est, ranked)
            paper = PAPER.get((dataset, dim))
            table.row(dataset, dim, f"{len(train):,}", f"{len(test_known):,}",
                      f"{fit.seconds:.1f}", f"{n_children:,}", f"{mean_rank:.2f}",
                      f"{mean_ap:.3f}", f"{paper[0]} / {paper[1]}" if paper else "–")

if __name__ == "__main__":
    main()
