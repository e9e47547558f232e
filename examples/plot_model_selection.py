"""
==============================================
Choosing hyperparameters on held-out relations
==============================================

:class:`~sklearn.model_selection.GridSearchCV` takes a
:class:`~sklpoincare.PoincareEmbedder` and the relations as they are: each
fold fits on the training relations and scores the held-out ones with
:meth:`~sklpoincare.PoincareEmbedder.score`, the mean average precision in
the *filtered* link-prediction setting (a held-out parent is ranked among
the nodes that are parents of its child neither in training nor in the
held-out fold; a node never seen in training counts as ranked last).

:func:`sklpoincare.metrics.ranking_scorers` adds the mean rank (negated, so
that greater is better) and hits@k for a multi-metric search; ``refit``
names the one that picks the final model.

Run it with ``python examples/plot_model_selection.py``.
"""

import time

import numpy as np
from sklearn.model_selection import GridSearchCV, KFold

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.metrics import ranking_scorers

relations = load_mammals().data

# %%
# A grid over the dimension and the learning rate, five folds of relations.
# ``n_jobs=2`` runs two fits at a time in separate processes: the estimator
# and its fitted state cross process boundaries.

# ``closure=False``: the folds hold out relations of the closure, which the
# closure of the training folds would otherwise give back.
search = GridSearchCV(
    PoincareEmbedder(n_epochs=100, burn_in=20, closure=False, random_state=0),
    {"n_components": [2, 5], "learning_rate": [0.3, 1.0]},
    cv=KFold(5, shuffle=True, random_state=0),
    scoring=ranking_scorers(k=10),
    refit="mean_average_precision",
    n_jobs=2,
)
start = time.perf_counter()
search.fit(relations)
print(f"{len(search.cv_results_['params']) * 5} fits in {time.perf_counter() - start:.1f} s")

results = search.cv_results_
print("n_components  learning_rate  MAP    mean rank  hits@10")
for i, params in enumerate(results["params"]):
    print(
        f"{params['n_components']:12d}  {params['learning_rate']:13.1f}  "
        f"{results['mean_test_mean_average_precision'][i]:.3f}  "
        f"{-results['mean_test_neg_mean_rank'][i]:9.2f}  "
        f"{results['mean_test_hits_at_10'][i]:.3f}"
    )
print("best:", search.best_params_)

# %%
# The refitted best model was trained on all relations; on them (the
# reconstruction setting) it scores as follows.

best = search.best_estimator_
print(f"reconstruction MAP of the refitted model: {best.score(relations):.3f}")
print(f"it embeds {len(best.nodes_)} nodes in {best.embedding_.shape[1]} dimensions; "
      f"max norm {np.linalg.norm(best.embedding_, axis=1).max():.5f}")

# %%
# Held-out MAP of every setting, with its spread over the five folds.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.5))
params = results["params"]
for n_components, marker in [(2, "o"), (5, "s")]:
    rows = [i for i, p in enumerate(params) if p["n_components"] == n_components]
    rates = [params[i]["learning_rate"] for i in rows]
    ax.errorbar(
        rates,
        results["mean_test_mean_average_precision"][rows],
        yerr=results["std_test_mean_average_precision"][rows],
        marker=marker, capsize=4, label=f"n_components={n_components}",
    )
ax.set_xlabel("learning_rate")
ax.set_ylabel("held-out MAP (filtered, 5 folds)")
ax.set_xticks([0.3, 1.0])
ax.legend()
fig.tight_layout()
