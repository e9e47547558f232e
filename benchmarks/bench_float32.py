"""Float32 weights for Keras and PyTorch: how far are their distances from float64?

Run by hand, not a test. Fits an embedder, exports its weights in float32
in each representation of :func:`sklpoincare.export.export_weights`, and
compares the distances that :func:`~sklpoincare.export.paired_distances`
computes from them in float32 arithmetic with the embedder's own float64
distances, on three sets of pairs: the relations, random pairs, and each
node with its nearest neighbour. A first row casts the ball coordinates to
float32 as they are and uses the textbook formula ``arcosh(1 + z)``, which
is what a hand-written layer would do.

For each set: the share of pairs whose float32 distance is not finite, the
share off by more than 1e-3 (relative), and the largest relative error
among the finite ones.

Data: the bundled mammals, and the nouns with ``--data DIR`` (a directory
holding ``noun_closure.tsv.gz``, e.g. ``../shared/data``).

Example::

    python benchmarks/bench_float32.py
    python benchmarks/bench_float32.py --data ../shared/data --datasets nouns --n-jobs 2
"""

import argparse

import numpy as np
from _data import (
    add_data_arguments,
    add_set_argument,
    data_arguments,
    estimator_options,
    load_dataset,
)
from _report import Table, progress, run_header

from sklpoincare import PoincareEmbedder
from sklpoincare.export import export_weights, paired_distances

TOLERANCE = 1e-3
REPRESENTATIONS = ("tangent", "hyperboloid", "polar", "ball")


def plain_cast_distances(points, a, b):
    """Float32 distances of ball coordinates cast as they are, with
    ``arcosh(1 + z)`` written out; infinite where a row rounds onto or
    outside the unit sphere."""
    x, y = points[a].astype(np.float32), points[b].astype(np.float32)
    one = np.float32(1)
    gap_x = one - np.sum(x * x, axis=1)
    gap_y = one - np.sum(y * y, axis=1)
    squared = np.sum((x - y) ** 2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = np.float32(2) * squared / (gap_x * gap_y)
        distances = np.log1p(z + np.sqrt(z * (z + np.float32(2))))
    distances[(gap_x <= 0) | (gap_y <= 0)] = np.inf
    return distances


def error_summary(distances, truth):
    """``(share not finite, share off by more than TOLERANCE, largest relative
    error among the finite)``."""
    finite = np.isfinite(distances)
    relative = np.abs(distances[finite].astype(np.float64) - truth[finite]) / truth[finite]
    off = (~finite).sum() + (relative > TOLERANCE).sum()
    largest = relative.max() if len(relative) else np.nan
    return 1 - finite.mean(), off / len(distances), largest


def pair_sets(embedder, relations, n_random, rng):
    """Row pairs ``(a, b)``: the relations, random pairs, nearest neighbours."""
    row = {label: i for i, label in enumerate(embedder.nodes_.tolist())}
    relations = np.asarray(relations)
    n = len(embedder.nodes_)
    a, b = rng.integers(0, n, n_random), rng.integers(0, n, n_random)
    nearest = embedder.kneighbors(embedder.nodes_, n_neighbors=2, return_distance=False)[:, 1]
    return {
        "relations": (np.array([row[c] for c in relations[:, 0].tolist()]),
                      np.array([row[p] for p in relations[:, 1].tolist()])),
        "random pairs": (a[a != b], b[a != b]),
        "nearest neighbours": (np.arange(n), nearest),
    }


def cell(summary):
    not_finite, off, largest = summary
    return f"{100 * not_finite:.2g} % / {100 * off:.3g} % / {largest:.1e}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--random-pairs", type=int, default=20_000,
                        help="random pairs drawn (pairs of a node with itself dropped)")
    add_set_argument(parser)
    args = parser.parse_args(argv)
    datasets, dims = data_arguments(parser, args)
    run_header(argv)
    options = estimator_options(args)

    for name in datasets:
        relations = load_dataset(name, args.data)
        for dim in dims:
            progress(f"{name}, {dim} dimensions: fit")
            embedder = PoincareEmbedder(n_components=dim, random_state=args.seed,
                                        n_jobs=args.n_jobs, **options).fit(relations)
            points = embedder.embedding_
            pairs = pair_sets(embedder, relations, args.random_pairs,
                              np.random.default_rng(args.seed))
            radii = 2 * np.arctanh(np.linalg.norm(points, axis=1))
            directions = points / np.linalg.norm(points, axis=1, keepdims=True)
            a, b = pairs["nearest neighbours"]
            smallest_angle = np.min(np.linalg.norm(directions[a] - directions[b], axis=1))
            cast = points.astype(np.float32)
            on_sphere = int(np.sum(np.sum(cast * cast, axis=1) >= np.float32(1)))
            print(f"\n{name}, {dim} dimensions: {len(points)} nodes, radii up to "
                  f"{radii.max():.1f}, smallest angle between a node and its nearest "
                  f"neighbour {smallest_angle:.1e} rad; {on_sphere} rows of the plain "
                  "float32 cast on or outside the unit sphere. Each cell: not finite / "
                  f"off by more than {TOLERANCE:g} / largest relative error.\n")
            table = Table(["float32 weights", *pairs], left=["float32 weights"])
            truths = {kind: embedder.distance(embedder.nodes_[a], embedder.nodes_[b])
                      for kind, (a, b) in pairs.items()}
            table.row("ball coordinates, plain cast", *(
                cell(error_summary(plain_cast_distances(points, a, b), truths[kind]))
                for kind, (a, b) in pairs.items()))
            for representation in REPRESENTATIONS:
                weights, _ = export_weights(embedder, representation)
                table.row(f'export_weights(..., "{representation}")', *(
                    cell(error_summary(
                        paired_distances(weights[a], weights[b], representation=representation),
                        truths[kind]))
                    for kind, (a, b) in pairs.items()))


if __name__ == "__main__":
    main()
