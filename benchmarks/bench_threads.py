"""Thread scaling of the training epochs: relations/s at 1, 2, 4, ... threads.

This is a script to run by hand, not a test. For each thread count it fits
``PoincareEmbedder`` for a few epochs (``n_jobs`` threads, everything else
at the defaults) and times the epochs by ``fit``'s ``callback``: the rate of
a fit is the relations of epochs 2 to the last over their seconds, so the
labels, closure, start and calibration around them do not count.

The thread counts run in a rotating order, one fit each per round, so that
a machine that slows down during the run slows every count alike. The table
gives, per thread count, the epoch rate of each round, the speed-up over one
thread (the median over rounds of the rate divided by the same round's
one-thread rate; one thread is always measured) and the efficiency
(speed-up / threads). Beyond one thread the updates are Hogwild: the fits
differ from run to run, but every count does the same work per epoch.

Examples
--------
The bundled mammals, 1 and 2 threads::

    python benchmarks/bench_threads.py

The WordNet nouns on a 16-core machine::

    python benchmarks/bench_threads.py --data ../shared/data --datasets nouns \\
        --threads 1,2,4,8,12,16 --rounds 3
"""

import argparse
import os
import statistics
import time

from _data import add_data_arguments, comma_list, data_arguments, load_dataset
from _report import Table, progress, run_header, thousands


def physical_cores():
    """Distinct (package, core) pairs in /proc/cpuinfo, or None elsewhere."""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
    except OSError:
        return None
    cores, package = set(), None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "physical id":
            package = value.strip()
        elif key == "core id":
            cores.add((package, value.strip()))
    return len(cores) or None


def epoch_rate(relations, dim, n_epochs, n_jobs, seed):
    """Relations/s of the epochs after the first (whose end holds the setup)."""
    from sklpoincare import PoincareEmbedder

    ends = []
    est = PoincareEmbedder(
        n_components=dim, n_epochs=n_epochs, n_jobs=n_jobs, random_state=seed,
        callback=lambda epoch, loss, embedding, nodes: ends.append(time.perf_counter()),
    )
    est.fit(relations)
    return est.adjacency_.nnz * (len(ends) - 1) / (ends[-1] - ends[0])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    default_threads = sorted({1, 2, os.cpu_count() or 1})
    parser.add_argument(
        "--threads", default=",".join(map(str, default_threads)),
        help="comma list of thread counts; 1 is always added "
        "(default: 1, 2 and this machine's CPU count)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="fits per thread count")
    parser.add_argument("--epochs", type=int, default=6,
                        help="epochs per fit; the first is not timed (at least 2)")
    parser.add_argument("--seed", type=int, default=0, help="random_state of every fit")
    args = parser.parse_args(argv)
    datasets, dims = data_arguments(parser, args)
    try:
        threads = sorted({1, *(int(t) for t in comma_list(args.threads))})
    except ValueError:
        parser.error(f"--threads must be a comma list of integers, got {args.threads!r}")
    if threads[0] < 1:
        parser.error("--threads must be positive")
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch is not timed")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args, datasets, dims, threads


def main(argv=None):
    args, datasets, dims, threads = parse_args(argv)
    run_header(argv)
    print(f"physical cores: {physical_cores() or 'unknown'} | OMP_PROC_BIND="
          f"{os.environ.get('OMP_PROC_BIND', '(unset)')} | OMP_PLACES="
          f"{os.environ.get('OMP_PLACES', '(unset)')}\n", flush=True)
    for dataset in datasets:
        relations = load_dataset(dataset, args.data)
        for dim in dims:
            rates = {t: [] for t in threads}
            for r in range(args.rounds):
                # rotate the order, so that no count always runs first or last
                for t in threads[r % len(threads):] + threads[:r % len(threads)]:
                    rates[t].append(epoch_rate(relations, dim, args.epochs, t, args.seed))
                    progress(f"{dataset} {dim}-d round {r + 1}: {t} thread(s), "
                             f"{thousands(rates[t][-1])} relations/s")
            print(f"{dataset}, {dim} dimensions, epochs 2-{args.epochs} of each fit, "
                  f"{args.rounds} rounds; epoch relations/s:\n", flush=True)
            table = Table(["threads", "relations/s per round", "speed-up (median)",
                           "efficiency"], left=["relations/s per round"])
            for t in threads:
                speedup = statistics.median(
                    rate / one for rate, one in zip(rates[t], rates[1])
                )
                table.row(t, ", ".join(thousands(x) for x in rates[t]),
                          f"{speedup:.2f}×", f"{speedup / t:.0%}")
            print(flush=True)


if __name__ == "__main__":
    main()
