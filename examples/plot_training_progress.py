"""
=========================================
Following training: burn-in and the score
=========================================

Use the ``callback`` of :class:`~sklpoincare.PoincareEmbedder` to evaluate
the embedding of the WordNet mammals while it trains, and compare three
starts at 5 dimensions: the default, a layout computed from the hierarchy
(``init="auto"``, which needs no burn-in); the paper's random start with
its burn-in (50 of the 200 epochs); and the random start without burn-in.

During burn-in the learning rate is a tenth of ``learning_rate`` and the
negatives are drawn in proportion to node degree, so general nodes are
pushed away often; this settles the angular layout while all points are
still near the origin. After burn-in the rate decays linearly to zero.

Needs matplotlib (``pip install matplotlib``). Run it as a script with
``python examples/plot_training_progress.py``.
"""

import matplotlib.pyplot as plt

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.metrics import ranking_scores

relations = load_mammals().data

# %%
# Evaluate every 10 epochs
# ------------------------
#
# The callback receives the 1-based epoch number, the mean loss of that
# epoch, a read-only view of the current embedding (in ball coordinates) and
# the node labels. Returning ``True`` would stop training; here it only
# records the reconstruction scores.


def fit_and_trace(init, burn_in, every=10):
    trace = {"epoch": [], "mean rank": [], "MAP": []}

    def evaluate(epoch, loss, embedding, nodes):
        if epoch % every == 0:
            scores = ranking_scores(embedding, relations, nodes=nodes)
            trace["epoch"].append(epoch)
            trace["mean rank"].append(scores.mean_rank)
            trace["MAP"].append(scores.mean_average_precision)

    embedder = PoincareEmbedder(
        n_components=5, init=init, burn_in=burn_in, callback=evaluate, random_state=0
    ).fit(relations)
    return embedder, trace


starts = {
    "default (hierarchy layout)": ("auto", 50),
    "random start, burn_in=50": ("random", 50),
    "random start, burn_in=0": ("random", 0),
}
runs = {name: fit_and_trace(*start) for name, start in starts.items()}
for name, (embedder, trace) in runs.items():
    print(f"{name:27s}: after {embedder.n_iter_} epochs mean rank "
          f"{trace['mean rank'][-1]:.2f}, MAP {trace['MAP'][-1]:.3f}")

# %%
# Loss and scores against epochs
# ------------------------------
#
# The loss (``loss_curve_``) is the mean softmax cross-entropy per relation.
# The dotted line marks the end of the burn-in of the random start. From a
# random start, without burn-in both scores end far behind: burn-in is
# there, as in the paper, to give the points a good angular layout while
# they are still near the origin, before the full learning rate moves them
# outwards. The hierarchy layout starts with that layout (and more: each
# subtree in its parent's cone), so it is ahead from the first epoch.

fig, axes = plt.subplots(1, 3, figsize=(13, 4))
for label, (embedder, trace) in runs.items():
    axes[0].plot(range(1, embedder.n_iter_ + 1), embedder.loss_curve_, label=label)
    axes[1].plot(trace["epoch"], trace["mean rank"], marker=".", label=label)
    axes[2].plot(trace["epoch"], trace["MAP"], marker=".", label=label)
for ax, title in zip(axes, ["loss", "mean rank (lower is better)", "MAP (higher is better)"]):
    ax.axvline(50, color="0.6", linestyle=":", linewidth=1)
    ax.set_xlabel("epoch")
    ax.set_title(title)
    ax.legend()
axes[1].set_yscale("log")
fig.tight_layout()
plt.show()
