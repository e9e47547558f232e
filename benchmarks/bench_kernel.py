"""Speed of the training kernel against the paper's update as a plain C loop.

This is a script to run by hand, not a test. It times one training epoch
of sklpoincare's kernel (``sklpoincare._sgd_fast.train_epoch``, Poincare
ball, one thread, uniform negatives) and one epoch of
``reference_epoch.c``, the paper's update written as the obvious scalar C
loop (with the library's one trick: softmax weights without ``exp``; see
that file), on the same
relations, from the same starting embedding, with the same number of
negatives and the same sampler. The reference is compiled here with the C
compiler of the package's extensions and ``-O3`` (no ``-march``), as
``setup.py`` builds the kernels, and loaded with ctypes.

The two run in alternation, A/B then B/A, several rounds in one process, so
that a busy machine slows both alike; the table gives relations/s of each
round and the ratio library / reference. Each epoch starts from the same
copy of an embedding trained for a few epochs (``--warm-epochs``), so the
points sit where training puts them, not at the origin.

The library's epoch scales each step's turn as ``fit`` does
(``--max-turn-scale``, default the estimator's; 1 gives the paper's update
exactly, as the reference computes it).

``--against PATH`` times a second build of the kernel in the same
rotation: PATH is the ``_sgd_fast`` extension file of another checkout
(built there with ``python setup.py build_ext --inplace``). Builds timed one
after the other can differ by more than a kernel change does (the machine
drifts within the hour); timed in one process, in turn, they share it. The
other build must take the same arguments (``train_epoch``'s signature).

``--only library|reference`` runs that epoch alone (``--rounds`` times,
after the warm-up epochs), for instruction counts that do not depend on
other jobs: the instructions of one epoch are half the difference between
the totals of ``--rounds 3`` and ``--rounds 1``, e.g.::

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        python benchmarks/bench_kernel.py --only library --rounds 3

(valgrind runs no AVX-512: under it the kernel takes its AVX2 version).

``--dataset nouns --data DIR`` times the nouns instead of the mammals: a
graph whose rows and relations no longer fit in the caches, where reading
the relations is a good part of the epoch (the plain loop prefetches
nothing; the library reads the relations in blocks and prefetches rows).

Examples
--------
Mammals, 10 dimensions, 50 negatives, 7 rounds::

    python benchmarks/bench_kernel.py

The nouns, 5 rounds from one warm-up epoch::

    python benchmarks/bench_kernel.py --dataset nouns --data ../shared/data \
        --rounds 5 --warm-epochs 1
"""

import argparse
import ctypes
import importlib.util
import os
import shlex
import subprocess
import sysconfig
import tempfile
import time

import numpy as np

from _data import DATASETS, check_data, load_dataset
from _report import print_table, progress, run_header, thousands

from sklpoincare._embedder import _MAX_TURN_SCALE

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_NORM = 1.0 - 1e-8


def kernel_relations(dataset, data_dir):
    """children, parents (int32 codes) and the sorted parent CSR of u."""
    labels = load_dataset(dataset, data_dir)
    nodes, codes = np.unique(labels, return_inverse=True)
    codes = codes.reshape(labels.shape).astype(np.int32)
    children, parents = codes[:, 0].copy(), codes[:, 1].copy()
    by_child = np.lexsort((parents, children))
    indptr = np.zeros(len(nodes) + 1, dtype=np.int32)
    np.add.at(indptr, children + 1, 1)
    return (len(nodes), children, parents, np.cumsum(indptr).astype(np.int32),
            parents[by_child].copy())


def build_reference(directory):
    """Compile reference_epoch.c into a shared library; return it (ctypes)."""
    cc = shlex.split(sysconfig.get_config_var("CC") or "cc")
    target = os.path.join(directory, "reference_epoch.so")
    subprocess.run(cc + ["-O3", "-fPIC", "-shared", os.path.join(HERE, "reference_epoch.c"),
                         "-o", target, "-lm"], check=True)
    library = ctypes.CDLL(target)
    library.reference_epoch.restype = ctypes.c_double
    p = ctypes.c_void_p
    library.reference_epoch.argtypes = [
        p, ctypes.c_int, ctypes.c_int, p, p, p, ctypes.c_long, p, p,
        ctypes.c_int, ctypes.c_double, ctypes.c_double, ctypes.c_uint64, p, p, p, p]
    return library


def warm_embedding(n_nodes, data, dim, args):
    """Start from points that a few epochs of the library moved out."""
    rng = np.random.RandomState(args.seed)
    embedding = rng.uniform(-1e-3, 1e-3, size=(n_nodes, dim))
    run = library_epoch(data, args)
    for epoch in range(args.warm_epochs):
        run(embedding, rng.permutation(len(data[1])).astype(np.int32), args.seed + epoch)
    return embedding


def load_build(path):
    """The ``_sgd_fast`` module of another build, from its extension file."""
    spec = importlib.util.spec_from_file_location("sklpoincare._sgd_fast", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def library_epoch(data, args, module=None):
    if module is None:
        from sklpoincare import _sgd_fast as module
    train_epoch = module.train_epoch

    n_nodes, children, parents, indptr, indices = data
    weights = np.ones(len(children))
    no_prob, no_alias = np.empty(0), np.empty(0, dtype=np.int32)

    def run(embedding, order, seed):
        return train_epoch(embedding, children, parents, weights, order, indptr, indices,
                           no_prob, no_alias, lr_start=args.learning_rate,
                           lr_end=args.learning_rate, n_negatives=args.negatives,
                           max_norm=MAX_NORM, seed=seed, n_threads=1,
                           max_turn_scale=args.max_turn_scale)

    return run


def reference_epoch(data, args, library):
    n_nodes, children, parents, indptr, indices = data
    n_targets = args.negatives + 1
    targets = np.empty(n_targets, dtype=np.int32)
    work = np.empty(5 * n_targets)

    def ptr(a):
        return a.ctypes.data

    def run(embedding, order, seed):
        dim = embedding.shape[1]
        grad_u, grad_t = np.empty(dim), np.empty(n_targets * dim)
        return library.reference_epoch(
            ptr(embedding), n_nodes, dim, ptr(children), ptr(parents), ptr(order),
            len(order), ptr(indptr), ptr(indices), args.negatives, args.learning_rate,
            MAX_NORM, seed, ptr(targets), ptr(work), ptr(grad_u), ptr(grad_t))

    return run


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Relations/s of sklpoincare's training kernel and of the paper's "
        "update as a plain scalar C loop, alternating, one thread.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--dataset", choices=DATASETS, default="mammals",
                        help="the relations (the nouns and the holonymy need --data)")
    parser.add_argument("--data", metavar="DIR", help="directory of the nouns' closure "
                        "(and of wordnet-3.0/ for the holonymy)")
    parser.add_argument("--dim", type=int, default=10)
    parser.add_argument("--negatives", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--learning-rate", type=float, default=0.3)
    parser.add_argument("--warm-epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-turn-scale", type=float, default=_MAX_TURN_SCALE,
                        help="the library's scaling of each step's turn (fit's default; "
                        "1: the paper's update, as the reference)")
    parser.add_argument("--against", metavar="PATH",
                        help="another build's _sgd_fast extension file, timed in the "
                        "same rotation")
    parser.add_argument("--only", choices=["library", "reference"],
                        help="run this epoch alone, --rounds times (for callgrind)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    check_data([args.dataset], args.data)
    data = kernel_relations(args.dataset, args.data)
    n_relations = len(data[1])
    with tempfile.TemporaryDirectory() as tmp:
        systems = {"library": library_epoch(data, args),
                   "reference": reference_epoch(data, args, build_reference(tmp))}
        start = warm_embedding(data[0], data, args.dim, args)
        if args.against:
            # loaded after the warm-up, which runs the library's own build
            systems["against"] = library_epoch(data, args, load_build(args.against))
        order = np.random.RandomState(args.seed + 1).permutation(n_relations).astype(np.int32)
        if args.only:
            for _ in range(args.rounds):
                systems[args.only](start.copy(), order, args.seed)
            return

        run_header(argv)
        names = list(systems)
        rows, ratios, against = [], [], []
        for i in range(args.rounds):
            rates = {}
            # each system first in turn, so that none always follows another
            turn = names[i % len(names):] + names[:i % len(names)]
            for name in turn:
                embedding = start.copy()
                begin = time.perf_counter()
                systems[name](embedding, order, args.seed)
                rates[name] = n_relations / (time.perf_counter() - begin)
            ratios.append(rates["library"] / rates["reference"])
            row = [str(i + 1), " → ".join(turn), thousands(rates["library"]),
                   thousands(rates["reference"]), f"{ratios[-1]:.2f}"]
            if args.against:
                against.append(rates["library"] / rates["against"])
                row[3:3] = [thousands(rates["against"])]
                row.append(f"{against[-1]:.3f}")
            rows.append(row)
            progress(" | ".join(rows[-1]))
    header = ["round", "order", "library relations/s", "reference relations/s",
              "library ÷ reference"]
    if args.against:
        header[3:3] = ["against relations/s"]
        header.append("library ÷ against")
    print_table(header, rows, {"order"})
    print(f"\n{args.dataset} ({n_relations:,} relations), {args.dim} dimensions, {args.negatives} "
          f"negatives, one thread; median ratio {np.median(ratios):.2f} "
          f"(range {min(ratios):.2f}–{max(ratios):.2f})")
    if args.against:
        print(f"library ÷ {args.against}: median {np.median(against):.3f} "
              f"(range {min(against):.3f}–{max(against):.3f})")


if __name__ == "__main__":
    main()
