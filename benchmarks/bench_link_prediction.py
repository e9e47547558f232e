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
import time

import numpy as np
from _data import DATASETS, check_data, load_dataset, parse_datasets_and_dims

from sklpoincare import PoincareEmbedder
from sklpoincare.hierarchy import transitive_reduction
from sklpoincare.metrics import poincare_distances

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


def filtered_scores(embedding, nodes, train, test, max_children, rng, n_jobs):
    """Mean rank and MAP of ``test`` relations, filtering training parents."""
    index = {label: i for i, label in enumerate(nodes)}
    known = {}
    for child, parent in train:
        known.setdefault(index[child], []).append(index[parent])
    held_out = {}
    for child, parent in test:
        held_out.setdefault(index[child], []).append(index[parent])
    children = np.array(sorted(held_out))
    if max_children and len(children) > max_children:
        children = np.sort(rng.choice(children, max_children, replace=False))
    ranks, aps = [], []
    for start in range(0, len(children), 256):
        block = children[start:start + 256]
        dists = poincare_distances(embedding[block], embedding, n_jobs=n_jobs)
        for row, u in zip(dists, block):
            positives = np.array(held_out[u])
            candidates = np.ones(len(nodes), dtype=bool)
            candidates[u] = False
            candidates[known.get(u, [])] = False
            candidates[positives] = False
            negatives = np.sort(row[candidates])
            pos = np.sort(row[positives])
            below = np.searchsorted(negatives, pos, side="left")
            ranks.extend(1 + below)
            aps.append(np.mean(np.arange(1, len(pos) + 1) / (np.arange(1, len(pos) + 1) + below)))
    return float(np.mean(ranks)), float(np.mean(aps)), len(children), len(ranks)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", metavar="DIR", help="directory holding noun_closure.tsv.gz")
    parser.add_argument("--datasets", help=f"comma list among {','.join(DATASETS)}")
    parser.add_argument("--dims", default="10", help="comma list of dimensions")
    parser.add_argument("--test-share", type=float, default=0.1,
                        help="share of all relations held out (from the non-reduction ones)")
    parser.add_argument("--epochs", type=int, help="n_epochs (default: the estimator's)")
    parser.add_argument("--init", help="init (default: the estimator's)")
    parser.add_argument("--eval-children", type=int, default=5000,
                        help="rank the held-out relations of at most this many children (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args(argv)
    datasets, dims = parse_datasets_and_dims(
        parser, args.datasets or ("mammals,nouns" if args.data else "mammals"), args.dims
    )
    check_data(datasets, args.data)
    print(f"args: {vars(args)}")
    print("| dataset | dim | train relations | held out | fit s | children ranked "
          "| mean rank | MAP | paper (rank / MAP) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for dataset in datasets:
        relations = load_dataset(dataset, args.data)
        rng = np.random.default_rng(args.seed)
        train_idx, test_idx = split_closure(relations, args.test_share, rng)
        train, test = relations[train_idx], relations[test_idx]
        for dim in dims:
            options = {} if args.epochs is None else {"n_epochs": args.epochs}
            if args.init is not None:
                options["init"] = args.init
            # closure=False: the closure of the training split would give
            # most held-out relations back as training relations
            est = PoincareEmbedder(n_components=dim, random_state=args.seed,
                                   n_jobs=args.n_jobs, closure=False, **options)
            start = time.perf_counter()
            est.fit(train)
            seconds = time.perf_counter() - start
            # a set, not np.isin: isin on object labels is quadratic
            seen = set(est.nodes_.tolist())
            test_known = test[[c in seen and p in seen for c, p in test]]
            mean_rank, mean_ap, n_children, _ = filtered_scores(
                est.embedding_, est.nodes_, train, test_known, args.eval_children, rng,
                args.n_jobs,
            )
            paper = PAPER.get((dataset, dim))
            paper_cell = f"{paper[0]} / {paper[1]}" if paper else "–"
            print(f"| {dataset} | {dim} | {len(train):,} | {len(test_known):,} | "
                  f"{seconds:.1f} | {n_children:,} | {mean_rank:.2f} | {mean_ap:.3f} | "
                  f"{paper_cell} |", flush=True)


if __name__ == "__main__":
    main()
