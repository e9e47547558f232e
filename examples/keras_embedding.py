"""
=====================================================
Poincaré embeddings in a Keras ``Embedding`` layer
=====================================================

Projecting vectors into the ball, as ``tfa.layers.PoincareNormalize`` (or
:func:`sklpoincare.preprocessing.poincare_normalize`) does, only rescales
them to norm below 1: it knows nothing of the hierarchy, so a species that
the classifier never saw keeps a meaningless random vector. Embedding places
every node of the hierarchy (unseen species included) next to its relatives,
so a classifier that learns where the carnivores lie can place a carnivore
it never saw.

The model is the one of the question: ``Embedding`` (frozen, initialised
from the features that a fitted :class:`~sklpoincare.PoincareEmbedder`'s
``transform`` gives, cast to float32) → ``Reshape`` → ``Dense(1)`` →
sigmoid, trained with Adam's defaults for 30 epochs in batches of 32, with
Keras' ``class_weight`` set to weigh both classes alike (the tasks have 2 to
32 % positives; unweighted, a unit that predicts "no" everywhere is already
98 % accurate on the smallest). The rows are the 887 mammal species (the
leaves of the WordNet mammal closure); each task asks "is this species below
node N?" for the 33 nodes with between 20 and 443 species below them. Each
task is scored by 3-fold cross-validation over species (stratified,
shuffled, seed 0), so test species are unseen by the classifier, with
balanced accuracy. The embedder is fitted on the whole hierarchy, as an
embedding layer initialised from it would be: it knows that a lion is a
feline, but the classifier must learn from the training species which
features mark the felines.

Compared: ``transform`` with each value of the embedder's ``features``
parameter; a trainable ``Embedding`` initialised at random (Keras' default);
and random vectors projected into the ball with
:func:`~sklpoincare.preprocessing.poincare_normalize` (the semantics of
``tfa.layers.PoincareNormalize``), frozen. With TensorFlow 2.21 and Keras
3.15 on one CPU core, the script prints (mean and minimum over the 33 tasks
of the balanced accuracy, averaged over folds)::

    Embedding weights                          mean    min
    transform, features='landmarks'           0.954  0.890
    transform, features='tangent'             0.896  0.782
    transform, features='hyperboloid'         0.832  0.653
    transform, features='embedding'           0.858  0.713
    trainable Embedding (random init)         0.498  0.425
    random vectors + poincare_normalize       0.510  0.397

and, with ``--plot keras.png``, draws every task:

.. image:: /_static/keras_embedding.png
   :alt: Balanced accuracy of each task for each kind of Embedding weights

With ``--seed 1`` and ``--seed 2`` (other initialisations and batch
orders), ``'landmarks'`` gives 0.955 / 0.905 and 0.958 / 0.897.

The two baselines are at chance, as they must be: nothing ever moved the
vector of an unseen species. Among the embeddings, the features decide how
far a single sigmoid unit gets in 570 small Adam steps. In coordinates
(``"embedding"``, ``"tangent"``, ``"hyperboloid"``) a subtree is a narrow
cone around its root's direction, which a linear unit separates only with
large, finely tuned weights. The default features add, for each of the 128
most general nodes, the Gromov product with it, in a tree the depth of the
lowest common ancestor: larger for the species below that node than for all
others, so one threshold on one standardised column (weights of order 1, a
small bias) picks a subtree out.

The 99 models of a comparison (33 tasks x 3 folds) are trained side by side
in one Keras model, each with its own weights, its own batches and its own
share of the loss; each gets the updates it would get if trained alone
(checked to float32 rounding on the weights after 30 epochs) in seconds
instead of minutes. ``--separate`` trains them one by one instead (the
question's model literally, about 30 times slower).

Needs TensorFlow (``pip install tensorflow-cpu``); run it with
``python examples/keras_embedding.py``. It takes under a minute on one core.
"""

# sphinx_gallery_thumbnail_path = "_static/keras_embedding.png"

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
try:
    import keras
    import tensorflow as tf
except ImportError:
    sys.exit(
        "This example needs TensorFlow and Keras: pip install tensorflow-cpu "
        "(or tensorflow). Nothing was run."
    )

import numpy as np
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.preprocessing import poincare_normalize

EPOCHS, BATCH_SIZE, N_FOLDS = 30, 32, 3


def embedding_layer(weights, n_rows, dim):
    """A frozen ``Embedding`` holding ``weights``, or with ``weights=None`` a
    trainable one of ``n_rows`` rows initialised at random."""
    if weights is None:
        return keras.layers.Embedding(n_rows, dim)
    return keras.layers.Embedding(
        *weights.shape,
        embeddings_initializer=keras.initializers.Constant(weights),
        trainable=False,
    )


def question_model(weights=None, n_rows=None, dim=None):
    """Embedding -> Reshape -> Dense(1) -> sigmoid, the model of the question.

    ``weights``: frozen initial weights; ``None``: a trainable Embedding
    initialised at random.
    """
    embedding = embedding_layer(weights, n_rows, dim)
    dim = embedding.output_dim
    model = keras.Sequential(
        [
            keras.Input(shape=(1,), dtype="int32"),
            embedding,
            keras.layers.Reshape((dim,)),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy")
    return model


def side_by_side_model(n_models, weights=None, n_rows=None, dim=None):
    """``n_models`` copies of :func:`question_model` in one Keras model.

    Input: one row index per model, ``(batch, n_models)``. A trainable
    embedding gets a separate table per model (row ``i`` of model ``m`` is
    row ``i * n_models + m``); ``EinsumDense`` is one ``Dense(1)`` per model,
    each with Keras' ``Dense`` initialisation (Glorot uniform, zero bias).
    The model outputs the logits: Keras computes the cross-entropy of a
    ``Dense(1, activation="sigmoid")`` from its logits too, which keeps the
    gradient where the sigmoid saturates.
    """
    embedding = embedding_layer(weights, None if n_rows is None else n_rows * n_models, dim)
    dim = embedding.output_dim
    limit = np.sqrt(6 / (dim + 1))  # Glorot uniform of a (dim, 1) kernel
    model = keras.Sequential(
        [
            keras.Input(shape=(n_models,), dtype="int32"),
            embedding,
            keras.layers.EinsumDense(
                "bmd,md->bm",
                output_shape=(n_models,),
                bias_axes="m",
                kernel_initializer=keras.initializers.RandomUniform(-limit, limit),
            ),
        ]
    )

    def summed_loss(labels_and_weights, logits):
        # each model's mean binary cross-entropy over its own batch, summed
        # over models (times the batch size, which Keras divides by)
        y, w = labels_and_weights[:, :n_models], labels_and_weights[:, n_models:]
        bce = keras.losses.binary_crossentropy(
            y[..., None], logits[..., None], from_logits=True
        )
        return keras.ops.sum(w * bce, axis=-1) * BATCH_SIZE

    model.compile(optimizer=keras.optimizers.Adam(), loss=summed_loss)
    return model


def batch_schedule(train_sets, rng):
    """Each model's shuffled batches of 32, epoch after epoch, side by side.

    Returns ``(rows, models, weights)``, each ``(n_steps * 32, n_models)``:
    the row index, the model, and ``1 / batch length`` (0 for padding) of
    every slot. Step ``s`` of model ``m`` is its ``s``-th batch, as in a
    separate ``fit(..., batch_size=32, shuffle=True)``.
    """
    n_models = len(train_sets)
    n_batches = max(-(-len(t) // BATCH_SIZE) for t in train_sets)
    shape = (EPOCHS * n_batches * BATCH_SIZE, n_models)
    rows, weights = np.zeros(shape, dtype=np.int64), np.zeros(shape)
    for m, train in enumerate(train_sets):
        for epoch in range(EPOCHS):
            order = rng.permutation(train)
            for b in range(-(-len(order) // BATCH_SIZE)):
                batch = order[b * BATCH_SIZE : (b + 1) * BATCH_SIZE]
                start = (epoch * n_batches + b) * BATCH_SIZE
                rows[start : start + len(batch), m] = batch
                weights[start : start + len(batch), m] = 1 / len(batch)
    return rows, weights


def class_weights(y):
    """Keras ``class_weight`` that weighs both classes alike ("balanced")."""
    n_positive = y.sum()
    return {0: len(y) / (2 * (len(y) - n_positive)), 1: len(y) / (2 * n_positive)}


def evaluate(weights, targets, folds, separate, n_rows, dim, seed=0):
    """Balanced accuracy of every (task, fold) model on its unseen species."""
    keras.utils.set_random_seed(seed)
    models = [(t, train, test) for t in range(targets.shape[1]) for train, test in folds[t]]
    if separate:
        scores = []
        for t, train, test in models:
            model = question_model(weights, n_rows, dim)
            model.fit(train[:, None], targets[train, t], epochs=EPOCHS,
                      batch_size=BATCH_SIZE, verbose=0,
                      class_weight=class_weights(targets[train, t]))
            predicted = model.predict(test[:, None], verbose=0)[:, 0] > 0.5
            scores.append(balanced_accuracy_score(targets[test, t], predicted))
        return np.reshape(scores, (targets.shape[1], N_FOLDS))

    n_models = len(models)
    rows, slot_weights = batch_schedule([train for _, train, _ in models],
                                        np.random.default_rng(seed))
    labels = np.stack([targets[rows[:, m], t] for m, (t, _, _) in enumerate(models)], axis=1)
    for m, (t, train, _) in enumerate(models):  # Keras' class_weight
        weight_of = class_weights(targets[train, t])
        slot_weights[:, m] *= np.where(labels[:, m] == 1, weight_of[1], weight_of[0])
    # a trainable table has a block of rows per model: row i of model m is
    # row i * n_models + m
    scale, offset = (n_models, np.arange(n_models)) if weights is None else (1, 0)
    model = side_by_side_model(n_models, weights, n_rows, dim)
    model.fit(
        rows * scale + offset,
        np.hstack([labels, slot_weights]),
        batch_size=BATCH_SIZE,
        epochs=1,  # the schedule holds the 30 epochs
        shuffle=False,
        verbose=0,
    )
    every_row = np.repeat(np.arange(n_rows)[:, None], n_models, axis=1)
    logits = model.predict(every_row * scale + offset, batch_size=1024, verbose=0)
    scores = [  # sigmoid(logit) > 0.5 where logit > 0
        balanced_accuracy_score(targets[test, t], logits[test, m] > 0)
        for m, (t, _, test) in enumerate(models)
    ]
    return np.reshape(scores, (targets.shape[1], N_FOLDS))


def draw(results, path):
    """Every task's balanced accuracy per kind of weights, and their mean."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    for y, (name, per_task) in enumerate(results.items()):
        jitter = np.random.default_rng(y).uniform(-0.15, 0.15, len(per_task))
        ax.scatter(per_task, y + jitter, s=8, alpha=0.5, color="tab:blue")
        ax.plot([per_task.mean()] * 2, [y - 0.3, y + 0.3], color="black", linewidth=2)
    ax.set_yticks(range(len(results)), list(results), fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0.5, color="grey", linestyle=":", linewidth=0.8)
    ax.set_xlabel("balanced accuracy on unseen species (dots: tasks; bar: their mean)")
    ax.set_title("Embedding -> Dense(1) -> sigmoid, 30 epochs of Adam", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip("\n="))
    parser.add_argument("--tasks", type=int, default=None,
                        help="use only the first TASKS tasks (default: all 33)")
    parser.add_argument("--separate", action="store_true",
                        help="train every (task, fold) model alone (slow)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the Keras initialisation and batch order")
    parser.add_argument("--plot", metavar="PNG", help="draw the results to this image")
    args = parser.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    relations = np.asarray(load_mammals().data)
    start = time.perf_counter()
    embedder = PoincareEmbedder(n_components=10, random_state=0, n_jobs=1).fit(relations)
    print(f"PoincareEmbedder fitted on {len(relations)} relations in "
          f"{time.perf_counter() - start:.0f} s")

    # Species are the leaves; the rows of every Embedding below are species.
    species = np.array(sorted(set(relations[:, 0]) - set(relations[:, 1])))
    below = {}
    for child, parent in relations:
        below.setdefault(parent, set()).add(child)
    tasks = [node for node in sorted(below)
             if 20 <= len(below[node] & set(species)) <= len(species) // 2]
    tasks = tasks[: args.tasks]
    targets = np.array([[s in below[node] for node in tasks] for s in species], dtype=float)
    splitter = StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=0)
    folds = [list(splitter.split(species, targets[:, t])) for t in range(len(tasks))]
    print(f"{len(species)} species, {len(tasks)} tasks, {N_FOLDS} folds each\n")

    dim = embedder.n_components
    candidates = {}
    for features in ("landmarks", "tangent", "hyperboloid", "embedding"):
        # float32, as Keras keeps its weights
        weights = embedder.set_params(features=features).transform(species)
        candidates[f"transform, features={features!r}"] = weights.astype(np.float32)
    candidates["trainable Embedding (random init)"] = None
    random_vectors = np.random.default_rng(0).normal(size=(len(species), dim))
    candidates["random vectors + poincare_normalize"] = poincare_normalize(
        random_vectors
    ).astype(np.float32)

    print(f"{'Embedding weights':40s} {'mean':>6s} {'min':>6s} {'time':>6s}")
    results = {}
    for name, weights in candidates.items():
        start = time.perf_counter()
        scores = evaluate(weights, targets, folds, args.separate, len(species),
                          dim if weights is None else weights.shape[1], seed=args.seed)
        results[name] = per_task = scores.mean(axis=1)
        print(f"{name:40s} {per_task.mean():6.3f} {per_task.min():6.3f} "
              f"{time.perf_counter() - start:5.0f}s")
    if args.plot:
        draw(results, args.plot)
    print("\nbalanced accuracy on unseen species: mean and min over tasks of "
          "the mean over folds")


if __name__ == "__main__":
    main()
