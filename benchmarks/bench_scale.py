"""How do time and memory grow with the size of a taxonomy? A benchmark.

Run by hand, not a test. For each size it generates a random taxonomy
(:func:`sklpoincare.datasets.make_random_taxonomy`: heavy-tailed numbers of
children, leaves at every depth, 2 % of the nodes with a second parent),
given as its direct edges, then runs the stages of
``PoincareEmbedder(n_components=10, n_jobs=2).fit`` one by one, as ``fit``
runs them, and measures each:

* ``generate``: the taxonomy (int64 edges);
* ``labels``: validation and the label table (``check_relations``: int64
  labels to ids ``0..n-1``, duplicates dropped);
* ``closure``: the transitive closure (every (descendant, ancestor) pair),
  the relations training runs on;
* ``CSR``: the children of each node (the CSR training reads subtree
  negatives from);
* ``start``: the hierarchical layout training starts from;
* ``epoch``: one training epoch (seconds per epoch, relations per second);
* ``finish``: the fitted state (radii put in order, the is-a calibration, ``adjacency_``);
* ``transform``: features of 10,000 labels.

Memory is measured two ways. ``MiB peak`` / ``MiB kept`` are the NumPy /
SciPy arrays a stage allocates (``tracemalloc``, which NumPy reports its
buffers to): the most it held at once above what it started with, and what
it leaves allocated. ``RSS`` is the peak resident memory of the process so
far (``ru_maxrss``), which includes the interpreter and the libraries.

The results are a cost-growth table (rows = sizes, columns = stages,
seconds) and, for each size, a table of its stages. A fit is stopped where
it raises (a closure above ``--max-closure-size``, say), with the error in
the table.

Example::

    python benchmarks/bench_scale.py --sizes 10k,100k,1M --epochs 2
    python benchmarks/bench_scale.py --sizes 10M --epochs 1 --verbose 1
"""

import argparse
import time
import tracemalloc

import numpy as np
from _report import Table, peak_rss_mib, print_table, progress, run_header, thousands

from sklpoincare import PoincareEmbedder
from sklpoincare._relations import check_relations
from sklpoincare.datasets import make_random_taxonomy
from sklearn.utils import check_random_state

STAGES = ["generate", "labels", "closure", "CSR", "start", "epoch", "finish", "transform"]
MIB = 2**20


def parse_size(text):
    """``10k`` -> 10_000, ``1M`` -> 1_000_000, ``2500`` -> 2500."""
    text = text.strip()
    scale = {"k": 10**3, "K": 10**3, "M": 10**6, "m": 10**6}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def size_name(n):
    if n >= 10**6 and n % 10**6 == 0:
        return f"{n // 10**6}M"
    if n >= 10**3 and n % 10**3 == 0:
        return f"{n // 10**3}k"
    return str(n)


class Stage:
    """Seconds and NumPy memory (tracemalloc) of a ``with`` block."""

    def __init__(self, name, results):
        self.name, self.results = name, results

    def __enter__(self):
        progress(f"  {self.name} ...")
        self._start_bytes = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        self._start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb):
        seconds = time.perf_counter() - self._start
        current, peak = tracemalloc.get_traced_memory()
        self.results[self.name] = {
            "seconds": seconds,
            "peak": (peak - self._start_bytes) / MIB,
            "kept": (current - self._start_bytes) / MIB,
            "total": peak / MIB,
            "rss": peak_rss_mib(),
            "error": None if exc is None else f"{exc_type.__name__}: {exc}",
        }
        progress(
            f"  {self.name}: {seconds:.1f} s, NumPy peak +{self.results[self.name]['peak']:,.0f} "
            f"MiB, RSS peak {self.results[self.name]['rss']:,.0f} MiB"
        )
        return False


def run_size(n_nodes, args):
    """Run every stage on a taxonomy of ``n_nodes``; return the measures."""
    results, notes = {}, {}
    estimator = PoincareEmbedder(
        n_components=10,
        n_epochs=args.epochs,
        n_jobs=args.n_jobs,
        max_closure_size=args.max_closure_size,
        random_state=0,
        verbose=args.verbose,
    )
    epoch_ends = []
    estimator.callback = lambda *_: epoch_ends.append(time.perf_counter())
    try:
        with Stage("generate", results):
            edges = make_random_taxonomy(n_nodes, depth=args.depth, random_state=0)
        notes["edges"] = len(edges)
        # the stages of PoincareEmbedder.fit, one by one
        with Stage("labels", results):
            graph, names = check_relations(edges)
        del edges
        with Stage("closure", results):
            graph, ancestors = estimator._training_graph(graph)
        notes["pairs"] = len(graph.children)
        with Stage("CSR", results):
            graph.child_csr()
        rng = check_random_state(estimator.random_state)
        with Stage("start", results):
            start, embedding = estimator._fresh_start(graph, rng, ancestors)
        not_negatives = estimator._not_negatives(graph, ancestors)
        del ancestors
        epochs = [(False, *estimator._epoch_rates(e, 0, start)) for e in range(args.epochs)]
        with Stage("epoch", results):
            began = time.perf_counter()
            loss_curve = estimator._train(graph, embedding, rng, epochs, not_negatives, start)
        # Seconds per epoch from the callback. The first epoch also holds the
        # set-up of training (the CSR again, the degree table with burn-in):
        # after two or more epochs the first is left out, after one the CSR
        # stage's time is taken off it.
        per_epoch = np.diff([began] + epoch_ends)
        if len(per_epoch) > 1:
            results["epoch"]["seconds"] = float(per_epoch[1:].mean())
        else:
            results["epoch"]["seconds"] = float(per_epoch[0] - results["CSR"]["seconds"])
        with Stage("finish", results):
            estimator._set_fitted_state(
                graph, embedding, loss_curve, names, not_negatives, start, rng
            )
        del graph, embedding
        labels = np.random.RandomState(0).choice(estimator.nodes_, size=10_000)
        with Stage("transform", results):
            estimator.transform(labels)
    except (ValueError, MemoryError) as exc:
        progress(f"  stopped: {type(exc).__name__}: {exc}")
    return results, notes


def cell(results, stage, key, fmt):
    if stage not in results:
        return "—"
    if results[stage]["error"]:
        return "error"
    return fmt(results[stage][key])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1M,10M", help="node counts: 10k,1M,...")
    parser.add_argument("--epochs", type=int, default=2, help="training epochs per size")
    parser.add_argument("--depth", type=int, default=12, help="levels below the root")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--verbose", type=int, default=1, help="the estimator's verbose")
    parser.add_argument(
        "--max-closure-size", type=int, default=2**31 - 2,
        help="PoincareEmbedder's max_closure_size (its default is 100,000,000)",
    )
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    run_header(argv)
    tracemalloc.start()

    growth = Table(
        ["nodes", "edges", "closure pairs"] + [f"{s} s" for s in STAGES]
        + ["relations/s", "NumPy peak MiB", "RSS MiB"],
        left=["nodes"],
    )
    per_size = {}
    for n_nodes in sizes:
        progress(f"{size_name(n_nodes)} nodes")
        results, notes = run_size(n_nodes, args)
        per_size[n_nodes] = results, notes
        epoch = results.get("epoch")
        rate = (
            thousands(notes["pairs"] / epoch["seconds"])
            if epoch and not epoch["error"] else "—"
        )
        growth.row(
            size_name(n_nodes),
            f"{notes.get('edges', 0):,}",
            f"{notes['pairs']:,}" if "pairs" in notes else "—",
            *[cell(results, s, "seconds", lambda x: f"{x:.1f}") for s in STAGES],
            rate,
            f"{max((r['total'] for r in results.values()), default=0):,.0f}",
            f"{max((r['rss'] for r in results.values()), default=0):,.0f}",
        )

    for n_nodes, (results, notes) in per_size.items():
        print(f"\n{size_name(n_nodes)} nodes, stage by stage:\n", flush=True)
        rows = [
            (
                stage,
                cell(results, stage, "seconds", lambda x: f"{x:.1f}"),
                cell(results, stage, "peak", lambda x: f"{x:,.0f}"),
                cell(results, stage, "kept", lambda x: f"{x:,.0f}"),
                cell(results, stage, "rss", lambda x: f"{x:,.0f}"),
            )
            for stage in STAGES
        ]
        print_table(["stage", "s", "NumPy peak MiB", "NumPy kept MiB", "RSS MiB"], rows, left=["stage"])
        for stage in STAGES:
            if stage in results and results[stage]["error"]:
                print(f"\n{stage} stopped: {results[stage]['error']}")


if __name__ == "__main__":
    main()
