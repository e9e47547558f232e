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

``--side-by-side`` also runs, for each thread count t > 1, t one-thread
fits at once in t separate processes (each pinned to its own core where
the system allows), which share no rows. Their rate, against one such fit
alone, is the share of the loss in efficiency that belongs to the machine
(clocks, shared caches, memory) rather than to the threads' sharing of the
embedding (Hogwild). Each process loads the data itself, and all start
their fits together.

Examples
--------
The bundled mammals, 1 and 2 threads::

    python benchmarks/bench_threads.py

The WordNet nouns on a 16-core machine::

    python benchmarks/bench_threads.py --data ../shared/data --datasets nouns \\
        --threads 1,2,4,8,12,16 --rounds 3
"""

import argparse
import multiprocessing
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


def _one_thread_fit(dataset, data_dir, dim, n_epochs, seed, core, start, rates):
    """A one-thread fit in a process of its own, pinned to ``core``: waits at
    the ``start`` barrier once its data are loaded, puts its rate in
    ``rates``."""
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {core})
        except OSError:  # fewer cores than processes: run unpinned
            pass
    relations = load_dataset(dataset, data_dir)
    start.wait()
    rates.put(epoch_rate(relations, dim, n_epochs, 1, seed))


def side_by_side_rates(dataset, data_dir, dim, n_epochs, seed, n_processes):
    """The epoch rates of ``n_processes`` one-thread fits run at once."""
    context = multiprocessing.get_context("spawn")  # no fork of an OpenMP runtime
    start, rates = context.Barrier(n_processes), context.Queue()
    processes = [
        context.Process(target=_one_thread_fit,
                        args=(dataset, data_dir, dim, n_epochs, seed, core, start, rates))
        for core in range(n_processes)
    ]
    for process in processes:
        process.start()
    results = [rates.get() for _ in processes]
    for process in processes:
        process.join()
    return results


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
    parser.add_argument("--side-by-side", action="store_true",
                        help="also time, per thread count t > 1, t one-thread fits run at "
                        "once in separate processes")
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
            if args.side_by_side:
                side_by_side(args, dataset, dim, threads, rates)


def side_by_side(args, dataset, dim, threads, hogwild):
    """The table of ``--side-by-side``: per count t, t one-thread fits at once
    against one fit alone, next to the threads' efficiency (``hogwild``)."""
    relations = load_dataset(dataset, args.data)
    alone, together = [], {t: [] for t in threads if t > 1}
    for r in range(args.rounds):
        alone.append(epoch_rate(relations, dim, args.epochs, 1, args.seed))
        for t in together:
            together[t].append(side_by_side_rates(dataset, args.data, dim, args.epochs,
                                                  args.seed, t))
            progress(f"{dataset} {dim}-d round {r + 1}: {t} processes side by side, "
                     f"median {thousands(statistics.median(together[t][-1]))} relations/s")
    print(f"{dataset}, {dim} dimensions: one-thread fits side by side in separate "
          f"processes (no shared rows), {args.rounds} rounds; one fit alone "
          f"{', '.join(thousands(x) for x in alone)} relations/s:\n", flush=True)
    table = Table(["processes", "relations/s per process (median, by round)",
                   "per process ÷ alone (median)", "threads' efficiency"],
                  left=["relations/s per process (median, by round)"])
    for t, rounds in together.items():
        medians = [statistics.median(rates) for rates in rounds]
        share = statistics.median(m / one for m, one in zip(medians, alone))
        efficiency = statistics.median(
            rate / one for rate, one in zip(hogwild[t], hogwild[1])) / t
        table.row(t, ", ".join(thousands(m) for m in medians), f"{share:.0%}",
                  f"{efficiency:.0%}")
    print(flush=True)


if __name__ == "__main__":
    main()
