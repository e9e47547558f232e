"""sklpoincare against gensim's PoincareModel on the WordNet hierarchies.

This is a script to run by hand, not a test. For each data set and embedding
dimension it trains

* gensim's :class:`gensim.models.poincare.PoincareModel` (the best known
  implementation of Nickel & Kiela 2017 on PyPI; NumPy, one thread),
* :class:`sklpoincare.PoincareEmbedder` with the same settings: dimension,
  negatives, total epochs, burn-in epochs and seed (``--n-jobs`` threads),
* :class:`sklpoincare.PoincareEmbedder` with its default settings (only
  ``n_components`` and ``random_state`` given): what a user gets,

on the same relations and measures for each

* the wall-clock training time (``time.perf_counter``): ``PoincareModel(...)``
  (vocabulary and initialisation) plus ``train``, against ``fit``, which also
  encodes the labels;
* the throughput, positive relations processed per second: relations *
  epochs / training seconds, burn-in epochs included for both;
* the ratios sklpoincare / gensim of time and throughput;
* the reconstruction scores of the paper, mean rank and mean average
  precision (MAP) of every child's parents among all nodes. Both embeddings
  are scored by the same function, :func:`sklpoincare.metrics.ranking_scores`
  on the training relations, so the protocol is the same for both systems.

gensim is an optional dependency of this script only (``pip install
gensim``); sklpoincare never imports it. Without it the script prints the
sklpoincare rows and says that gensim is missing.

The two systems do not run the same algorithm, only the same budget. gensim
runs ``burn_in`` epochs at ``burn_in_alpha`` (0.01 by default, an absolute rate)
and then ``train(epochs=...)`` more epochs at a constant ``alpha`` (0.1 by
default), updates in mini-batches (10 relations by default), draws every
negative in proportion to node frequency, and adds an L2 penalty on the
parent's vector (``regularization_coeff=1``). sklpoincare takes one SGD step
per relation, runs its burn-in at a tenth of ``learning_rate`` with negatives
drawn by degree, and then decays the rate linearly to zero with uniform
negatives. Here gensim gets ``train(epochs=EPOCHS - BURN_IN)`` so that both
make EPOCHS passes over the relations in all.

Data: the mammal closure is bundled with the package
(:func:`sklpoincare.datasets.load_mammals`). The noun closure (743,086
relations, 82,115 nodes) is not; ``--data DIR`` names a directory holding
``noun_closure.tsv.gz`` (gzipped TSV with a ``child<TAB>parent`` header), e.g.
the project's ``../shared/data``. Unlike bench_reconstruction.py, ``--data``
does not add the nouns by itself: name them with ``--datasets``, as 50
epochs of them take gensim about an hour at its mammal throughput (~12k
relations/s with 10 negatives), likely more.

Caveat: the default is 10 negatives, not the paper's 50, because gensim's
negative sampler redraws the whole sample until it holds no parent of the
child and no duplicate; at 50 negatives that takes many redraws per relation
and gensim becomes orders of magnitude slower. ``--negatives 50`` works, but
expect gensim to crawl.

Examples
--------
Mammals, dimension 10, 10 negatives, 50 epochs of which 10 burn-in (a few
seconds for sklpoincare, about half a minute for gensim)::

    python benchmarks/bench_peers.py

The nouns, 5 epochs (of which 1 burn-in: by default a fifth of the epochs,
at most 10)::

    python benchmarks/bench_peers.py --data ../shared/data --datasets nouns --epochs 5

sklpoincare only, on two threads::

    python benchmarks/bench_peers.py --skip-gensim --n-jobs 2
"""

import argparse
import traceback

import numpy as np

from _data import (
    NOUN_FILE,
    check_data,
    learning_rate,
    load_dataset,
    parse_datasets_and_dims,
)
from _report import Timer, print_table, progress, run_header, thousands

# Rows of a gensim embedding at norm >= 1 are put back at this norm.
GENSIM_MAX_NORM = 1.0 - 1e-9

GENSIM = "gensim"
SKL_SAME = "sklpoincare"
SKL_DEFAULTS = "sklpoincare (defaults)"


# ---------------------------------------------------------------- data


# ------------------------------------------------------------ systems


def gensim_version():
    try:
        import gensim
    except ImportError:
        return None
    return gensim.__version__


def gensim_settings(args, dim):
    """Constructor keywords and train() keywords of PoincareModel, as passed."""
    init = {"size": dim, "negative": args.negatives, "burn_in": args.burn_in,
            "seed": args.seed, "workers": 1}
    if args.gensim_alpha is not None:
        init["alpha"] = args.gensim_alpha
    if args.gensim_burn_in_alpha is not None:
        init["burn_in_alpha"] = args.gensim_burn_in_alpha
    train = {"epochs": args.epochs - args.burn_in, "batch_size": args.gensim_batch_size}
    return init, train


def run_gensim(relations, dim, args):
    from gensim.models.poincare import PoincareModel
    from sklpoincare.metrics import ranking_scores

    init, train = gensim_settings(args, dim)
    pairs = [(str(child), str(parent)) for child, parent in relations.tolist()]
    with Timer() as fit:
        with Timer() as vocab:
            model = PoincareModel(pairs, **init)
        model.train(**train)

    # The embedding in the order of a sorted node list, as sklpoincare's.
    nodes = np.array(sorted(model.kv.key_to_index), dtype=object)
    rows = [model.kv.key_to_index[node] for node in nodes]
    embedding = np.array(model.kv.vectors[rows], dtype=np.float64)
    norms = np.linalg.norm(embedding, axis=1)
    outside = ~(norms < 1.0)
    n_outside = int(outside.sum())
    if n_outside:
        embedding[outside] *= (GENSIM_MAX_NORM / norms[outside])[:, None]

    with Timer() as evaluation:
        mean_rank, mean_ap = ranking_scores(embedding, relations, nodes=nodes,
                                            n_jobs=args.n_jobs)
    effective = {
        "alpha": model.train_alpha,
        "burn_in_alpha": model.burn_in_alpha,
        "epsilon": model.epsilon,
        "regularization_coeff": model.regularization_coeff,
        "init_range": model.init_range,
        "dtype": np.dtype(model.dtype).name,
    }
    return {
        "nodes": len(nodes),
        "epochs": args.epochs,
        "burn_in": args.burn_in,
        "negatives": args.negatives,
        "fit_seconds": fit.seconds,
        "vocab_seconds": vocab.seconds,
        "eval_seconds": evaluation.seconds,
        "mean_rank": float(mean_rank),
        "map": float(mean_ap),
        "n_outside": n_outside,
        "max_norm": float(norms.max()),
        "settings": (init, train, effective),
    }


def sklpoincare_settings(args, dim, defaults):
    if defaults:
        return {"n_components": dim, "random_state": args.seed}
    params = {"n_components": dim, "n_epochs": args.epochs, "n_negatives": args.negatives,
              "burn_in": args.burn_in, "random_state": args.seed, "n_jobs": args.n_jobs}
    if args.learning_rate is not None:
        params["learning_rate"] = args.learning_rate
    return params


def run_sklpoincare(relations, dim, args, defaults):
    from sklpoincare import PoincareEmbedder
    from sklpoincare.metrics import ranking_scores

    params = sklpoincare_settings(args, dim, defaults)
    est = PoincareEmbedder(**params)
    with Timer() as fit:
        est.fit(relations)
    with Timer() as evaluation:
        mean_rank, mean_ap = ranking_scores(
            est.embedding_, relations, nodes=est.nodes_, n_jobs=args.n_jobs
        )
    return {
        "nodes": len(est.nodes_),
        "epochs": int(est.n_iter_),
        "burn_in": est.burn_in,
        "negatives": est.n_negatives,
        "fit_seconds": fit.seconds,
        "eval_seconds": evaluation.seconds,
        "mean_rank": float(mean_rank),
        "map": float(mean_ap),
        "final_loss": float(est.loss_curve_[-1]),
        "settings": (params, est.get_params()),
    }


# ------------------------------------------------------------- parent


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Training time, throughput and reconstruction (mean rank, MAP) of "
        "gensim's PoincareModel and sklpoincare's PoincareEmbedder on the same data "
        "and settings.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--data", metavar="DIR", help=f"directory holding {NOUN_FILE} "
                        "(e.g. ../shared/data); needed for --datasets nouns")
    parser.add_argument("--datasets", default="mammals",
                        help="comma list among mammals,nouns")
    parser.add_argument("--dims", default="10", help="comma list of dimensions")
    parser.add_argument("--negatives", type=int, default=10,
                        help="negatives per relation, both systems (gensim crawls at 50)")
    parser.add_argument("--epochs", type=int, default=50,
                        help="passes over the relations in all, burn-in included, both systems")
    parser.add_argument("--burn-in", type=int,
                        help="burn-in epochs, both systems, part of --epochs (default: 10, "
                        "or a fifth of --epochs when that is below 50)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random_state of sklpoincare, seed of gensim")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="threads of sklpoincare's fit and of the evaluation "
                        "(gensim trains on one thread)")
    parser.add_argument("--learning-rate", type=learning_rate,
                        help="sklpoincare's learning_rate (default: the estimator's)")
    parser.add_argument("--gensim-alpha", type=float, help="gensim's alpha (default: gensim's)")
    parser.add_argument("--gensim-burn-in-alpha", type=float,
                        help="gensim's burn_in_alpha (default: gensim's)")
    parser.add_argument("--gensim-batch-size", type=int, default=10,
                        help="batch_size of gensim's train (gensim's default)")
    parser.add_argument("--skip-gensim", action="store_true", help="do not run gensim")
    args = parser.parse_args(argv)

    args.datasets, args.dims = parse_datasets_and_dims(parser, args.datasets, args.dims)
    if args.epochs < 1:
        parser.error("--epochs must be >= 1")
    if args.burn_in is None:
        args.burn_in = min(10, args.epochs // 5)
    if not 0 <= args.burn_in <= args.epochs:
        parser.error("--burn-in must be between 0 and --epochs (it is part of the epochs)")
    if args.negatives < 1:
        parser.error("--negatives must be >= 1")
    if args.gensim_batch_size < 1:
        parser.error("--gensim-batch-size must be >= 1")
    return args


def ratio(x):
    if x is None:
        return "–"
    return f"{x:.2f}" if 0.1 <= x < 10 else (f"{x:.3g}" if x < 1000 else f"{x:.0f}")


def kwargs_text(kwargs, symbolic=()):
    """``k=v, ...`` with repr values, but the names in ``symbolic`` as ``k=dim``."""
    return ", ".join(f"{k}=dim" if k in symbolic else f"{k}={v!r}" for k, v in kwargs.items())


COLUMNS = ["system", "dataset", "nodes", "relations", "dim", "epochs (burn-in)", "negatives",
           "fit s", "relations/s", "fit s ÷ gensim", "relations/s ÷ gensim",
           "mean rank", "MAP"]
LEFT = {"system", "dataset"}


def table_rows(dataset, n_relations, dim, results):
    base = results.get(GENSIM)
    rows = []
    for system in (GENSIM, SKL_SAME, SKL_DEFAULTS):
        r = results.get(system)
        if r is None:
            continue
        rate = n_relations * r["epochs"] / r["fit_seconds"]
        r["rate"] = rate
        time_ratio = rate_ratio = None
        if base is not None:
            time_ratio = r["fit_seconds"] / base["fit_seconds"]
            rate_ratio = rate / (n_relations * base["epochs"] / base["fit_seconds"])
        cells = [system, dataset, f"{r['nodes']:,}", f"{n_relations:,}", str(dim),
                 f"{r['epochs']} ({r['burn_in']})", str(r["negatives"]),
                 f"{r['fit_seconds']:.2f}", thousands(rate), ratio(time_ratio),
                 ratio(rate_ratio), f"{r['mean_rank']:.2f}", f"{r['map']:.3f}"]
        rows.append(cells)
    return rows


def main(argv=None):
    args = parse_args(argv)
    check_data(args.datasets, args.data)
    gversion = None if args.skip_gensim else gensim_version()
    run_header(argv, gensim="skipped" if args.skip_gensim else (gversion or "not installed"))
    run_gensim_too = gversion is not None

    rows, notes, settings = [], [], {}
    for dataset in args.datasets:
        progress(f"loading {dataset} ...")
        relations = load_dataset(dataset, args.data)
        for dim in args.dims:
            results = {}
            runs = [(SKL_SAME, lambda: run_sklpoincare(relations, dim, args, False)),
                    (SKL_DEFAULTS, lambda: run_sklpoincare(relations, dim, args, True))]
            if run_gensim_too:
                runs.insert(0, (GENSIM, lambda: run_gensim(relations, dim, args)))
            for system, run in runs:
                progress(f"{system}, {dataset}, dim {dim} ...")
                try:
                    result = run()
                except Exception:
                    if system != GENSIM:
                        raise
                    notes.append(f"gensim failed on {dataset}, dim {dim}:\n"
                                 + traceback.format_exc().rstrip())
                    progress(notes[-1])
                    continue
                extra = (f", of which vocabulary {result['vocab_seconds']:.2f} s"
                         if "vocab_seconds" in result else "")
                progress(f"  fit {result['fit_seconds']:.2f} s{extra}, eval "
                         f"{result['eval_seconds']:.2f} s, mean rank "
                         f"{result['mean_rank']:.2f}, MAP {result['map']:.4f}")
                results[system] = result
                settings.setdefault(system, result["settings"])
                if system == GENSIM and result["n_outside"]:
                    notes.append(
                        f"gensim, {dataset}, dim {dim}: {result['n_outside']} of "
                        f"{result['nodes']:,} row(s) at norm >= 1 (largest "
                        f"{result['max_norm']!r}) rescaled to norm 1 - 1e-9 before ranking"
                    )
            rows.extend(table_rows(dataset, len(relations), dim, results))

    print()
    print_table(COLUMNS, rows, LEFT)
    print()
    print("relations/s = relations * epochs / fit seconds, burn-in epochs included; "
          "÷ gensim = this row / the gensim row of the same data set and dimension "
          "(fit s below 1 and relations/s above 1: faster than gensim). Mean rank and "
          "MAP by sklpoincare.metrics.ranking_scores on all training relations, for "
          "every system.")
    if args.skip_gensim:
        print("gensim: skipped (--skip-gensim).")
    elif not run_gensim_too:
        print("gensim is not installed: `pip install gensim` to add its row.")
    for note in notes:
        print(f"note: {note}.")

    print()
    print("settings (dim = each of --dims):")
    if GENSIM in settings:
        init, train, effective = settings[GENSIM]
        print(f"- gensim: PoincareModel(relations, {kwargs_text(init, ('size',))})"
              f".train({kwargs_text(train)}); burn-in epochs run before the train epochs, "
              f"{args.burn_in} + {train['epochs']} = {args.epochs} in all; "
              f"the others at their defaults or as given: {kwargs_text(effective)}")
    for system in (SKL_SAME, SKL_DEFAULTS):
        if system in settings:
            given, effective = settings[system]
            others = {k: v for k, v in effective.items() if k not in given and k != "verbose"}
            print(f"- {system}: PoincareEmbedder({kwargs_text(given, ('n_components',))}); "
                  f"the others at their defaults: {kwargs_text(others)}")


if __name__ == "__main__":
    main()
