"""Time of the queries of a fitted embedder, by label, one call at a time.

This is a script to run by hand, not a test. It fits a
:class:`sklpoincare.PoincareEmbedder` (a few epochs: the time of a query
does not depend on how well the points are placed) and times each query
method and ``transform`` called with one label, as a user looking up nodes
one by one does (median of ``--repeat`` calls after a first one), and called
once with ``--batch`` labels, per label. Every query looks at all nodes (a
neighbour search, the closest more general node) or at a few; both kinds
also pay what a call costs whatever it asks: checking the labels and the
embedding, finding the labels' rows.

Examples
--------
The mammals (bundled)::

    python benchmarks/bench_queries.py

The nouns, 82,115 nodes::

    python benchmarks/bench_queries.py --dataset nouns --data ../shared/data
"""

import argparse
import time

import numpy as np

from _data import DATASETS, check_data, load_dataset
from _report import Table, progress, run_header
from sklpoincare import PoincareEmbedder


def _median_ms(call, repeat):
    call()  # the first call may build what later ones reuse
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def queries(est, a, b):
    """(name, call on one label, call on a batch of labels) of each query."""
    return [
        ("transform", lambda: est.transform([a]), lambda q, _: est.transform(q)),
        ("kneighbors", lambda: est.kneighbors([a]), lambda q, _: est.kneighbors(q)),
        ("most_similar", lambda: est.most_similar(a), lambda q, _: est.most_similar(q)),
        ("distance", lambda: est.distance(a, b), lambda q, r: est.distance(q, r)),
        ("is_a_score", lambda: est.is_a_score(a, b), lambda q, r: est.is_a_score(q, r)),
        ("norms", lambda: est.norms(a), lambda q, _: est.norms(q)),
        ("closest_more_general", lambda: est.closest_more_general(a),
         lambda q, _: est.closest_more_general(q)),
        ("ancestors", lambda: est.ancestors(a), lambda q, _: est.ancestors(q)),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=DATASETS, default="mammals")
    parser.add_argument("--data", metavar="DIR", help="directory of the nouns' closure")
    parser.add_argument("--dim", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args(argv)
    check_data([args.dataset], args.data)
    run_header(argv)

    relations = load_dataset(args.dataset, args.data)
    progress(f"fitting {args.dataset} ({args.epochs} epochs)")
    est = PoincareEmbedder(n_components=args.dim, n_epochs=args.epochs,
                           burn_in=min(args.epochs - 1, 10), random_state=0,
                           n_jobs=args.n_jobs).fit(relations)
    a, b = np.asarray(relations)[0]
    rng = np.random.default_rng(0)
    picks = rng.integers(len(est.nodes_), size=(2, args.batch))
    batch, others = est.nodes_[picks[0]], est.nodes_[picks[1]]

    table = Table(["query", "one label, ms per call", f"{args.batch} labels, ms per label"],
                  left=("query",))
    for name, one, many in queries(est, a, b):
        single = _median_ms(one, args.repeat)
        start = time.perf_counter()
        many(batch, others)
        per_label = 1e3 * (time.perf_counter() - start) / args.batch
        table.row(f"``{name}``", f"{single:.2f}", f"{per_label:.3f}")
    print(f"\n{args.dataset}: {len(est.nodes_):,} nodes, {args.dim} dimensions, "
          f"n_jobs={args.n_jobs}; one label: median of {args.repeat} calls")


if __name__ == "__main__":
    main()
