"""Downstream benchmark: which features of an embedding serve ordinary models.

Run by hand, not a test. :class:`sklpoincare.PoincareEmbedder` is fitted on
the whole transitive closure of a hierarchy; its vectors then become the
features of classifiers with their default settings, on *subtree tasks*:

* the samples are the species, the leaves of the hierarchy (nodes that are
  nobody's parent);
* each task is a node ``t`` with at least 20 (mammals; all such nodes) or
  100 (nouns; ``--max-tasks`` of them drawn with ``--seed``) and at most
  half of the leaves below it; the target is "is this species below ``t``?";
* 3-fold ``StratifiedKFold(shuffle=True)`` over the species, so the test
  species are unseen by the classifier; the score is the balanced accuracy
  over the folds, and each cell reports its mean and minimum over the tasks.

Classifiers: ``LR`` (LogisticRegression), ``MLP`` (MLPClassifier), ``HGB``
(HistGradientBoostingClassifier), and ``Dense``, a NumPy stand-in for a
Keras ``Embedding`` (frozen, initialised from the features) followed by
``Dense(1, sigmoid)`` and trained by Adam (learning rate 1e-3) for 600
steps of 32 species: it fails on features that need large weights or a
large bias. Convergence warnings of LR and MLP (their default ``max_iter``
is small) are silenced.

The representations are what ``transform`` returns for each value of the
estimator's ``features`` parameter, named on the command line:

* ``embedding`` (the ball coordinates, ``embedding_``), ``tangent`` (log
  map at the origin), ``hyperboloid``, ``landmarks`` (the default: log-map
  coordinates and Gromov products with the most general nodes,
  standardised);
* ``landmarks-K`` sets ``n_landmarks=K``;
* ``-fair`` drops, in each task, the column of the task's own node when it
  is a landmark (the table says in how many tasks it was): the features
  must then generalise from the other columns.

Other candidates measured once (Klein coordinates, Busemann functions,
farthest-point landmarks, unstandardised Gromov products) and the reasons
they lost are in ``doc/training_choices.rst``.

Two baselines use the hierarchy itself instead of an embedding: ``onehot``
of the species (0.5 on unseen species by construction, so only LR runs) and
``multihot`` of every ancestor of a species, less the task's own column.

For the nouns, each task keeps at most ``--max-species`` species: all its
positives up to half of that, and random negatives for the rest. The
classes are then less unbalanced than in the whole noun set (a 100-leaf
subtree is 0.15% of the species); the negatives remain a uniform sample.

Data: the bundled mammals, and the nouns with ``--data DIR`` (a directory
holding ``noun_closure.tsv.gz``, e.g. ``../shared/data``). A 10-dimensional
noun fit takes 5 to 15 minutes on one core; ``--cache DIR`` pickles each
fitted embedder there and reuses it on the next run with the same data
set, dimension, seed and ``--set`` parameters.

Examples
--------
Mammals, the default representations and every classifier (about five
minutes on one core)::

    python benchmarks/bench_downstream.py --cache /tmp/bench-cache

Nouns, logistic regression and the Dense stand-in, reusing an earlier fit::

    python benchmarks/bench_downstream.py --data ../shared/data --datasets nouns \\
        --classifiers LR,Dense --cache /tmp/bench-cache

Another parameter of the embedder (``--set``, as in the other scripts)::

    python benchmarks/bench_downstream.py --classifiers LR --set subtree_negatives=0.02
"""

import argparse
import os
import pickle
import warnings

import numpy as np
from _data import (
    DATASETS,
    NOUN_FILE,
    NOUN_ORIGIN,
    add_set_argument,
    estimator_options,
    load_dataset,
    parse_datasets_and_dims,
)
from _report import Table, Timer, progress, run_header
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from sklpoincare import PoincareEmbedder

class DenseAdam(ClassifierMixin, BaseEstimator):
    """A NumPy stand-in for Keras ``Dense(1, sigmoid)`` on frozen features.

    What a small network sees when an ``Embedding`` layer is initialised from
    the features and frozen: float32, Glorot-uniform weights and a zero bias,
    binary cross-entropy, Adam (Keras defaults: learning rate 1e-3, epsilon
    1e-7) on shuffled mini-batches of 32, and only ``steps`` updates (about
    30 epochs of 600 species). So few steps move each weight by at most
    ~``steps * learning_rate``: features must separate a subtree with O(1)
    weights and a small bias.
    """

    def __init__(self, steps=600, learning_rate=1e-3, batch_size=32, random_state=0):
        self.steps = steps
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, X, y):
        X = np.asarray(X, dtype=np.float32)
        self.classes_, y = np.unique(y, return_inverse=True)
        y = y.astype(np.float32)
        rng = np.random.default_rng(self.random_state)
        limit = np.sqrt(6.0 / (X.shape[1] + 1))
        params = [rng.uniform(-limit, limit, X.shape[1]).astype(np.float32),
                  np.zeros(1, dtype=np.float32)]
        moments = [np.zeros_like(p) for p in params]
        squares = [np.zeros_like(p) for p in params]
        beta1, beta2 = 0.9, 0.999
        queue = np.empty(0, dtype=int)
        for step in range(1, self.steps + 1):
            if len(queue) < self.batch_size:  # epochs of shuffled batches
                queue = np.concatenate([queue, rng.permutation(len(y))])
            batch, queue = queue[:self.batch_size], queue[self.batch_size:]
            logits = X[batch] @ params[0] + params[1][0]
            error = (1.0 / (1.0 + np.exp(-np.clip(logits, -60, 60))) - y[batch]) / len(batch)
            grads = [X[batch].T @ error, np.array([error.sum()], dtype=np.float32)]
            for p, (g, m, v) in enumerate(zip(grads, moments, squares)):
                m[:] = beta1 * m + (1 - beta1) * g
                v[:] = beta2 * v + (1 - beta2) * g * g
                rate = self.learning_rate * np.sqrt(1 - beta2**step) / (1 - beta1**step)
                params[p] = params[p] - rate * m / (np.sqrt(v) + 1e-7)
        self.coef_, self.intercept_ = params
        return self

    def predict(self, X):
        logits = np.asarray(X, dtype=np.float32) @ self.coef_ + self.intercept_[0]
        return self.classes_[(logits > 0).astype(int)]


CLASSIFIERS = {
    "LR": lambda seed: LogisticRegression(),
    "MLP": lambda seed: MLPClassifier(random_state=seed),
    "HGB": lambda seed: HistGradientBoostingClassifier(random_state=seed),
    "Dense": lambda seed: DenseAdam(random_state=seed),
}
BASELINES = ("onehot", "multihot")
FEATURES = ("landmarks", "tangent", "hyperboloid", "embedding")
DEFAULT_FEATURES = "embedding,tangent,hyperboloid,landmarks,landmarks-fair"
MIN_LEAVES = {"mammals": 20, "nouns": 100}
DENSE_INPUT = ("HGB", "Dense")
# densify a sparse baseline for them only below this many cells
MAX_DENSE_CELLS = 20_000_000


# ----------------------------------------------------------------- hierarchy


def leaf_ancestors(relations):
    """Leaves (sorted) and, for each, the sorted list of its ancestors."""
    parents = set(relations[:, 1].tolist())
    ancestors = {}
    for child, parent in relations:
        if child not in parents:
            ancestors.setdefault(child, []).append(parent)
    leaves = sorted(ancestors)
    return np.asarray(leaves, dtype=object), [sorted(ancestors[leaf]) for leaf in leaves]


def subtree_tasks(leaves, ancestors, min_leaves, max_tasks, rng):
    """Task nodes and their targets: each with min_leaves to half of the leaves below.

    Returns a list of ``(node, y)`` with ``y`` a boolean array over
    ``leaves``, sorted by node; at most ``max_tasks`` drawn with ``rng``
    (0: all).
    """
    below = {}
    for i, nodes in enumerate(ancestors):
        for node in nodes:
            below.setdefault(node, []).append(i)
    names = sorted(node for node, rows in below.items()
                   if min_leaves <= len(rows) <= len(leaves) / 2)
    if max_tasks and len(names) > max_tasks:
        names = sorted(rng.choice(names, max_tasks, replace=False).tolist())
    tasks = []
    for node in names:
        y = np.zeros(len(leaves), dtype=bool)
        y[below[node]] = True
        tasks.append((node, y))
    return tasks


def task_species(y, max_species, rng):
    """Rows of the species kept for one task: all, or positives first then negatives."""
    if not max_species or len(y) <= max_species:
        return np.arange(len(y))
    positives, negatives = np.flatnonzero(y), np.flatnonzero(~y)
    n_pos = min(len(positives), max_species // 2)
    n_neg = min(len(negatives), max_species - n_pos)
    return np.sort(np.concatenate([
        rng.choice(positives, n_pos, replace=False),
        rng.choice(negatives, n_neg, replace=False),
    ]))


# ---------------------------------------------------------- representations


def parse_representation(name):
    """``(features, n_landmarks, fair)`` of a name like ``landmarks-64-fair``."""
    features, *options = name.split("-")
    if features not in FEATURES:
        raise ValueError(f"unknown representation {name!r}")
    n_landmarks, fair = None, False
    for option in options:
        if option.isdigit() and features == "landmarks":
            n_landmarks = int(option)
        elif option == "fair" and features == "landmarks":
            fair = True
        else:
            raise ValueError(f"unknown option {option!r} in {name!r}")
    return features, n_landmarks, fair


def represent(embedder, name, labels):
    """``transform`` of the nodes ``labels`` with ``features`` set by ``name``,
    and the landmark label of each column (None for coordinates)."""
    features, n_landmarks, _ = parse_representation(name)
    params = {"features": features}
    if n_landmarks is not None:
        params["n_landmarks"] = n_landmarks
    embedder.set_params(**params)
    column = np.empty(len(labels), dtype=object)
    column[:] = list(labels)
    X = embedder.transform(column)
    prefix = "n_gromov_"
    columns = np.asarray(
        [name[len(prefix):] if name.startswith(prefix) else None
         for name in embedder.get_feature_names_out(["n"])],
        dtype=object,
    )
    return X, columns


def baseline(name, ancestors):
    """Sparse one-hot of the species or multi-hot of their ancestors, and column labels."""
    if name == "onehot":
        return sparse.identity(len(ancestors), format="csr"), None
    columns = sorted({node for nodes in ancestors for node in nodes})
    position = {node: j for j, node in enumerate(columns)}
    indices = [position[node] for nodes in ancestors for node in nodes]
    indptr = np.cumsum([0] + [len(nodes) for nodes in ancestors])
    data = np.ones(len(indices))
    return (sparse.csr_matrix((data, indices, indptr), shape=(len(ancestors), len(columns))),
            np.asarray(columns, dtype=object))


# ---------------------------------------------------------------- evaluation


def cross_validate(X, y, classifier, seed):
    """Mean balanced accuracy of ``classifier`` over 3 stratified folds."""
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    scores = []
    for train, test in folds.split(np.zeros(len(y)), y):
        model = CLASSIFIERS[classifier](seed).fit(X[train], y[train])
        scores.append(balanced_accuracy_score(y[test], model.predict(X[test])))
    return float(np.mean(scores))


def task_matrix(features, columns, node, rows, drop_own, classifier):
    """The features of one task: its species, less the task's own column if asked."""
    X = features[rows]
    n_dropped = 0
    if drop_own and columns is not None:
        keep = columns != node
        n_dropped = int((~keep).sum())
        X = X[:, keep]
    if sparse.issparse(X):
        # only columns some kept species uses matter; some models need dense input
        X = X[:, np.flatnonzero(X.getnnz(axis=0))]
        if classifier in DENSE_INPUT:
            if X.shape[0] * X.shape[1] > MAX_DENSE_CELLS:
                return None, n_dropped
            X = X.toarray()
    return X, n_dropped


def evaluate(features, columns, tasks, task_rows, drop_own, classifiers, seed):
    """``{classifier: scores over tasks}`` and how many tasks lost their own column.

    A classifier gets None where it cannot run every task (one-hot for all
    but LR; a sparse matrix too big to densify).
    """
    results = {}
    dropped = set()
    for classifier in classifiers:
        if columns is None and sparse.issparse(features) and classifier != "LR":
            # one-hot: unseen species have no active column, 0.5 by construction
            results[classifier] = None
            continue
        scores = []
        for (node, y), rows in zip(tasks, task_rows):
            X, n_dropped = task_matrix(features, columns, node, rows, drop_own, classifier)
            if n_dropped:
                dropped.add(node)
            if X is None:
                break
            scores.append(cross_validate(X, y[rows], classifier, seed))
        results[classifier] = np.asarray(scores) if len(scores) == len(tasks) else None
    return results, len(dropped)


def fitted_embedder(dataset, relations, dim, seed, n_jobs, cache, options):
    """The embedder fitted on all of ``relations`` with the parameters
    ``options`` (``--set``), and the fit seconds (None when read back from
    ``cache``)."""
    settings = "".join(f"-{name}={value}" for name, value in sorted(options.items()))
    path = os.path.join(cache or "", f"{dataset}-{dim}d-seed{seed}{settings}.pkl")
    if cache and os.path.isfile(path):
        with open(path, "rb") as f:
            return pickle.load(f), None
    est = PoincareEmbedder(n_components=dim, random_state=seed, n_jobs=n_jobs, **options)
    with Timer() as fit:
        est.fit(relations)
    if cache:
        os.makedirs(cache, exist_ok=True)
        with open(path, "wb") as f:
            pickle.dump(est, f)
    return est, fit.seconds


def cell(scores):
    return "–" if scores is None else f"{scores.mean():.3f} / {scores.min():.3f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", metavar="DIR", help="directory holding noun_closure.tsv.gz")
    parser.add_argument("--datasets", help=f"comma list among {','.join(DATASETS)} "
                                           "(default: mammals, and nouns with --data)")
    parser.add_argument("--dims", default="10", help="comma list of dimensions")
    parser.add_argument("--features", default=DEFAULT_FEATURES,
                        help="comma list of representations (see the module docstring)")
    parser.add_argument("--classifiers", default=",".join(CLASSIFIERS),
                        help=f"comma list among {','.join(CLASSIFIERS)}")
    parser.add_argument("--no-baselines", action="store_true",
                        help="skip the one-hot and multi-hot baselines")
    parser.add_argument("--max-tasks", type=int, default=50,
                        help="nouns: draw at most this many tasks (0: all); mammals use all")
    parser.add_argument("--max-species", type=int, default=5000,
                        help="keep at most this many species per task (0: all)")
    parser.add_argument("--cache", metavar="DIR",
                        help="pickle each fitted embedder here and reuse it")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="threads of the fit and of the classifiers")
    add_set_argument(parser)
    args = parser.parse_args(argv)
    options = estimator_options(args)
    datasets, dims = parse_datasets_and_dims(
        parser, args.datasets or ("mammals,nouns" if args.data else "mammals"), args.dims
    )
    classifiers = [c.strip() for c in args.classifiers.split(",") if c.strip()]
    if not classifiers or any(c not in CLASSIFIERS for c in classifiers):
        parser.error(f"--classifiers must be a comma list among {','.join(CLASSIFIERS)}")
    representations = [r.strip() for r in args.features.split(",") if r.strip()]
    try:
        for name in representations:
            parse_representation(name)
    except ValueError as error:
        parser.error(f"--features: {error}")
    if "nouns" in datasets:
        path = os.path.join(args.data or "", NOUN_FILE)
        if args.data is None or not os.path.isfile(path):
            # exit status 2, like any other bad command line
            where = "--data DIR is missing" if args.data is None else (
                f"{os.path.abspath(path)} does not exist")
            parser.error(f"the nouns need {NOUN_FILE} in --data DIR, and {where}. "
                         f"{NOUN_FILE} is {NOUN_ORIGIN}.")

    run_header(argv)
    print("balanced accuracy on unseen species, mean / min over the tasks; "
          "convergence warnings silenced", flush=True)
    for dataset in datasets:
        relations = load_dataset(dataset, args.data)
        leaves, ancestors = leaf_ancestors(relations)
        rng = np.random.default_rng(args.seed)
        max_tasks = 0 if dataset == "mammals" else args.max_tasks
        tasks = subtree_tasks(leaves, ancestors, MIN_LEAVES[dataset], max_tasks, rng)
        task_rows = [task_species(y, args.max_species, rng) for _, y in tasks]
        kept = [len(rows) for rows in task_rows]
        sampling = ("all species" if max(kept) == len(leaves) and min(kept) == len(leaves)
                    else f"{min(kept):,}-{max(kept):,} species per task: all positives up "
                         "to half, random negatives for the rest")
        for dim in dims:
            embedder, seconds = fitted_embedder(dataset, relations, dim, args.seed,
                                                args.n_jobs, args.cache, options)
            fit_note = "from cache" if seconds is None else f"fit {seconds:.1f} s"
            print(f"\n### {dataset}, {dim} dimensions ({fit_note}); {len(leaves):,} "
                  f"species, {len(tasks)} tasks, {sampling}\n")
            table = Table(["features", "columns", "max abs", "task columns dropped",
                           *classifiers], left={"features"})
            rows = [(name, True) for name in ([] if args.no_baselines else BASELINES)]
            rows += [(name, False) for name in representations]
            for name, is_baseline in rows:
                with Timer() as timer:
                    if is_baseline:
                        features, columns = baseline(name, ancestors)
                        drop_own = name == "multihot"
                    else:
                        features, columns = represent(embedder, name, leaves)
                        drop_own = parse_representation(name)[2]
                    with threadpool_limits(limits=args.n_jobs), warnings.catch_warnings():
                        warnings.simplefilter("ignore", ConvergenceWarning)
                        results, n_dropped = evaluate(features, columns, tasks, task_rows,
                                                      drop_own, classifiers, args.seed)
                    largest = abs(features).max()
                    table.row(name, f"{features.shape[1]:,}", f"{largest:.3g}",
                              n_dropped if drop_own else "–",
                              *(cell(results[c]) for c in classifiers))
                progress(f"  {name}: {timer.seconds:.1f} s")


if __name__ == "__main__":
    main()
