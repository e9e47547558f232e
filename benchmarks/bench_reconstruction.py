"""Reconstruction benchmark of PoincareEmbedder on the WordNet hierarchies.

This is a script to run by hand, not a test. For each data set and embedding
dimension it fits :class:`sklpoincare.PoincareEmbedder` on the transitive
closure of a WordNet hierarchy and measures

* the wall-clock time of ``fit`` (``time.perf_counter``) and the training
  throughput, relations * epochs / fit seconds, and that of the epochs
  alone (timed by ``fit``'s ``callback``) with the time ``fit`` spends
  outside them;
* the peak resident memory of the process that ran the fit: each fit runs in
  a fresh child process (``multiprocessing``, "spawn" start method) whose
  ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is read right after ``fit``,
  so runs do not contaminate each other. The figure includes the Python
  interpreter, the imported libraries and the relations loaded in the child;
  the parent never loads the data, so its own footprint stays below that of
  any child (on Linux a child starts from its parent's high-water mark);
* the wall-clock time of the evaluation, and the reconstruction scores of the
  paper (Nickel & Kiela, 2017): mean rank and mean average precision (MAP) of
  every child's parents among all nodes, computed by
  :func:`sklpoincare.metrics.ranking_scores` on the training relations.

The results are printed as a markdown table on stdout (progress goes to
stderr), ready to paste into the docs, followed by the reference numbers of
the original code and of the paper.

Data: the mammal closure is bundled with the package
(:func:`sklpoincare.datasets.load_mammals`). The noun closure (743,086
relations, 82,115 nodes) is not; ``--data DIR`` names a directory holding
``noun_closure.tsv.gz`` (gzipped TSV with a ``child<TAB>parent`` header), e.g.
the project's ``../shared/data``.

Examples
--------
Mammals, dimensions 5 and 10, the estimator's default hyper-parameters::

    python benchmarks/bench_reconstruction.py

Mammals and nouns, dimension 10, two threads::

    python benchmarks/bench_reconstruction.py --data ../shared/data --dims 10 --n-jobs 2

Nouns with MAP and mean rank against training time, every 25 epochs on 2,000
children, then on all children at the end::

    python benchmarks/bench_reconstruction.py --data ../shared/data --datasets nouns \
        --dims 10 --n-jobs 2 --trace-every 25

A quick smoke run of the nouns (one epoch, ranking 2,000 sampled children)::

    python benchmarks/bench_reconstruction.py --data ../shared/data --datasets nouns \\
        --dims 5 --epochs 1 --eval-sample 2000
"""

import argparse
import multiprocessing
import queue
import sys
import time
import traceback

import numpy as np

from _data import (
    NOUN_FILE,
    add_set_argument,
    check_data,
    estimator_options,
    learning_rate,
    load_dataset,
    parse_datasets_and_dims,
)
from _report import Timer, peak_rss_mib, print_table, progress, run_header, thousands

REFERENCES = (
    "reference (Nickel & Kiela code, mammals, dim 5): MAP 0.927, mean rank 1.26",
    "paper (nouns, dim 10): MAP 0.851, mean rank 4.02",
)


# ---------------------------------------------------------------- data


def eval_relations(relations, n_children, seed):
    """All relations, or those of ``n_children`` distinct children drawn at random."""
    # Python dicts and sets: np.unique / np.isin are slow on object arrays.
    children = list(dict.fromkeys(relations[:, 0].tolist()))
    if not n_children or n_children >= len(children):
        return relations, len(children), len(children)
    rng = np.random.RandomState(seed)
    chosen = {children[i] for i in rng.choice(len(children), n_children, replace=False)}
    mask = np.fromiter((child in chosen for child in relations[:, 0]), bool, len(relations))
    return relations[mask], n_children, len(children)


# ------------------------------------------------------------ one run


def run_one(config):
    """Load, fit, evaluate: the body of a child process. Returns a dict."""
    from sklpoincare import PoincareEmbedder
    from sklpoincare.hierarchy import transitive_reduction
    from sklpoincare.metrics import ranking_scores

    rss_start = peak_rss_mib()
    relations = load_dataset(config["dataset"], config["data_dir"])
    rss_loaded = peak_rss_mib()

    # --trace-every: evaluate a fixed sample of children during training;
    # the time spent evaluating is not counted as training time.
    trace, eval_clock = [], [0.0]
    options = dict(config["options"])
    metric = "euclidean" if options.get("manifold") == "euclidean" else "poincare"
    if config["trace_every"]:
        traced, _, _ = eval_relations(relations, config["trace_sample"], config["seed"] + 1)

        def record(epoch, loss, embedding, nodes):
            tick = time.perf_counter()
            scores = ranking_scores(
                embedding, traced, nodes=nodes, metric=metric, n_jobs=config["n_jobs"]
            )
            trace.append(
                {"epoch": epoch, "seconds": tick - start - eval_clock[0], "loss": loss,
                 "mean_rank": scores.mean_rank, "map": scores.mean_average_precision}
            )
            eval_clock[0] += time.perf_counter() - tick
            row = trace[-1]
            progress(f"  epoch {epoch}: {row['seconds']:.1f} s, loss {loss:.4f}, "
                     f"mean rank {row['mean_rank']:.2f}, MAP {row['map']:.4f}")

    # The end of every epoch, in training seconds: the epochs' own throughput,
    # apart from what fit does before and after them (labels, closure, start).
    epoch_ends = []

    def on_epoch(epoch, loss, embedding, nodes):
        epoch_ends.append(time.perf_counter() - start - eval_clock[0])
        if config["trace_every"] and epoch % config["trace_every"] == 0:
            record(epoch, loss, embedding, nodes)
        return False

    options["callback"] = on_epoch

    est = PoincareEmbedder(
        n_components=config["dim"],
        random_state=config["seed"],
        n_jobs=config["n_jobs"],
        **options,
    )
    # --direct-links: fit on the direct links alone (the estimator trains on
    # their closure, built inside fit); scores stay on the closure file
    given = transitive_reduction(relations) if config["direct_links"] else relations
    start = time.perf_counter()
    est.fit(given)
    fit_seconds = time.perf_counter() - start - eval_clock[0]
    rss_fit = peak_rss_mib()  # read before evaluating: the peak of the fit
    # the mean epoch over all but the first, whose end also holds the setup
    epoch_seconds = (
        (epoch_ends[-1] - epoch_ends[0]) / (len(epoch_ends) - 1)
        if len(epoch_ends) > 1 else float("nan")
    )

    sample, n_eval_children, n_children = eval_relations(
        relations, config["eval_sample"], config["seed"]
    )
    with Timer() as evaluation:
        mean_rank, mean_ap = ranking_scores(
            est.embedding_, sample, nodes=est.nodes_, metric=metric, n_jobs=config["n_jobs"]
        )

    return {
        "nodes": len(est.nodes_),
        "relations": int(est.adjacency_.nnz),  # trained on
        "epochs": int(est.n_iter_),
        "fit_seconds": fit_seconds,
        "epoch_seconds": epoch_seconds,
        "peak_rss_mib": rss_fit,
        "rss_start_mib": rss_start,
        "rss_loaded_mib": rss_loaded,
        "eval_seconds": evaluation.seconds,
        "eval_relations": len(sample),
        "eval_children": n_eval_children,
        "children": n_children,
        "mean_rank": float(mean_rank),
        "map": float(mean_ap),
        "final_loss": float(est.loss_curve_[-1]),
        "trace": trace,
    }


def _child_main(config, results):
    try:
        results.put(("ok", run_one(config)))
    except BaseException:  # report everything, KeyboardInterrupt included
        results.put(("error", traceback.format_exc()))


def run_in_child(config):
    """``run_one(config)`` in a fresh spawned process; its result or an exception."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=_child_main, args=(config, results))
    proc.start()
    try:
        while True:
            try:
                status, payload = results.get(timeout=1.0)
                break
            except queue.Empty:
                if not proc.is_alive():
                    try:  # the result may have arrived just before the exit
                        status, payload = results.get(timeout=1.0)
                        break
                    except queue.Empty:
                        raise RuntimeError(
                            f"the child process died with exit code {proc.exitcode} "
                            "(killed for lack of memory?)"
                        ) from None
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.terminate()
            proc.join()
    if status != "ok":
        raise RuntimeError(f"the run {config} failed in the child process:\n{payload}")
    return payload


# ------------------------------------------------------------- parent


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Fit time, throughput, peak memory and reconstruction "
        "(mean rank, MAP) of PoincareEmbedder on WordNet mammals / nouns.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        help=f"directory holding {NOUN_FILE} (e.g. ../shared/data); adds the nouns "
        "to the default data sets",
    )
    parser.add_argument(
        "--datasets",
        help="comma list among mammals,nouns,holonymy (default: mammals, or "
        "mammals,nouns when --data is given; holonymy, the WordNet noun "
        "part-of forest, is read from DIR/wordnet-3.0)",
    )
    parser.add_argument("--dims", default="5,10", help="comma list of dimensions")
    parser.add_argument(
        "--epochs", type=int, help="n_epochs (default: the estimator's default)"
    )
    parser.add_argument("--learning-rate", type=learning_rate, help="learning_rate (default: the estimator's)")
    parser.add_argument("--n-negatives", type=int, help="n_negatives (default: the estimator's)")
    parser.add_argument("--burn-in", type=int, help="burn_in (default: the estimator's)")
    parser.add_argument("--n-jobs", type=int, default=1, help="threads for fit and evaluation")
    add_set_argument(parser)
    parser.add_argument(
        "--trace-every", type=int, default=0,
        help="every N epochs, evaluate a fixed sample of children during training (0: off)",
    )
    parser.add_argument(
        "--trace-sample", type=int, default=2000,
        help="children in the sample evaluated during training (with --trace-every)",
    )
    parser.add_argument(
        "--direct-links", action="store_true",
        help="fit on the transitive reduction of the data (its direct links); "
        "mean rank and MAP are still computed on the closure",
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state of the first run")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per configuration, with seeds seed, seed+1, ...",
    )
    parser.add_argument(
        "--eval-sample",
        type=int,
        default=0,
        help="evaluate on the relations of this many randomly drawn distinct "
        "children (0: all children)",
    )
    args = parser.parse_args(argv)

    default_datasets = "mammals,nouns" if args.data else "mammals"
    args.datasets, args.dims = parse_datasets_and_dims(
        parser, args.datasets or default_datasets, args.dims
    )
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.eval_sample < 0:
        parser.error("--eval-sample must be >= 0")
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be >= 1")
    return args


def table_row(dataset, dim, runs):
    first = runs[0]
    fit = np.mean([r["fit_seconds"] for r in runs])
    rate = np.mean([r["relations"] * r["epochs"] / r["fit_seconds"] for r in runs])
    epoch_rate = np.mean([r["relations"] / r["epoch_seconds"] for r in runs])
    outside = np.mean([r["fit_seconds"] - r["epochs"] * r["epoch_seconds"] for r in runs])
    maps = [r["map"] for r in runs]
    map_cell = f"{np.mean(maps):.3f}"
    if len(runs) > 1:
        map_cell += f" ({min(maps):.3f}–{max(maps):.3f})"
    cells = [
        dataset,
        f"{first['nodes']:,}",
        f"{first['relations']:,}",
        str(dim),
        str(first["epochs"]),
        f"{fit:.2f}",
        thousands(rate),
        "–" if np.isnan(epoch_rate) else thousands(epoch_rate),
        "–" if np.isnan(outside) else f"{outside:.2f}",
        f"{max(r['peak_rss_mib'] for r in runs):.0f}",
        f"{np.mean([r['eval_seconds'] for r in runs]):.2f}",
        f"{np.mean([r['mean_rank'] for r in runs]):.2f}",
        map_cell,
    ]
    return cells


COLUMNS = [
    "dataset",
    "nodes",
    "relations",
    "dim",
    "epochs",
    "fit s",
    "relations/s",
    "epoch relations/s",
    "outside epochs s",
    "peak RSS MiB",
    "eval s",
    "mean rank",
    "MAP",
]
LEFT = {"dataset"}


def main(argv=None):
    args = parse_args(argv)
    check_data(args.datasets, args.data)
    options = estimator_options(args)
    run_header(argv)

    rows, notes, traces = [], [], []
    for dataset in args.datasets:
        for dim in args.dims:
            runs = []
            for k in range(args.repeat):
                seed = args.seed + k
                config = {
                    "dataset": dataset,
                    "data_dir": args.data,
                    "dim": dim,
                    "seed": seed,
                    "n_jobs": args.n_jobs,
                    "options": options,
                    "eval_sample": args.eval_sample,
                    "direct_links": args.direct_links,
                    "trace_every": args.trace_every,
                    "trace_sample": args.trace_sample,
                }
                progress(f"{dataset}, dim {dim}, seed {seed} ...")
                try:
                    result = run_in_child(config)
                except RuntimeError as exc:
                    sys.exit(f"error: {exc}")
                progress(
                    f"  fit {result['fit_seconds']:.2f} s, eval "
                    f"{result['eval_seconds']:.2f} s, peak RSS "
                    f"{result['peak_rss_mib']:.0f} MiB (child after imports "
                    f"{result['rss_start_mib']:.0f}, after loading "
                    f"{result['rss_loaded_mib']:.0f}), final loss "
                    f"{result['final_loss']:.4f}, mean rank {result['mean_rank']:.2f}, "
                    f"MAP {result['map']:.4f}"
                )
                runs.append(result)
                if result["trace"]:
                    traces.append((dataset, dim, seed, result["trace"]))
            rows.append(table_row(dataset, dim, runs))
            first = runs[0]
            if first["eval_children"] < first["children"]:
                note = (
                    f"{dataset}: mean rank and MAP on the relations of "
                    f"{first['eval_children']:,} of {first['children']:,} children "
                    f"drawn at random (--eval-sample)"
                )
                if note not in notes:
                    notes.append(note)

    print()
    print_table(COLUMNS, rows, LEFT)
    print()
    if args.repeat > 1:
        print(
            f"{args.repeat} runs per row (seeds {args.seed}..{args.seed + args.repeat - 1}): "
            "means, MAP as mean (min–max), peak RSS as the largest."
        )
    for note in notes:
        print(f"note: {note}.")
    print(
        "relations/s = relations * epochs / fit seconds; epoch relations/s = relations / "
        "the mean epoch (epochs 2 to the last, timed by fit's callback); outside epochs = "
        "fit seconds minus epochs times that mean epoch (labels, closure, start, and "
        "the radii and is-a scale after training); peak RSS = ru_maxrss of a "
        "fresh child process read right after fit (interpreter, imports and data included)."
    )
    for line in REFERENCES:
        print(line)
    for dataset, dim, seed, trace in traces:
        print(
            f"\nduring training: {dataset}, dim {dim}, seed {seed}, on the relations of "
            f"{args.trace_sample:,} children drawn at random (training seconds exclude "
            "these evaluations)\n"
        )
        print_table(
            ["epoch", "train s", "loss", "mean rank", "MAP"],
            [(point["epoch"], f"{point['seconds']:.1f}", f"{point['loss']:.4f}",
              f"{point['mean_rank']:.2f}", f"{point['map']:.4f}") for point in trace],
        )


if __name__ == "__main__":
    main()
