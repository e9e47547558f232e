"""
========================================================
Hierarchy embeddings as features of a categorical column
========================================================

A table has a categorical column, ``species``, whose values are nodes of the
WordNet mammal hierarchy, and a target: is the species a carnivore or an
ungulate? A one-hot encoding of the column knows nothing about a species it
did not see in training; a Poincaré embedding of the hierarchy places it next
to its relatives, so a classifier generalises to unseen species.

To keep the comparison honest, the embedder never sees the answer: every
relation "x is a carnivore" or "x is an ungulate" is removed from the
relations it is fitted on. It still learns that a lion is a feline and a
feline a mammal, and the classifier learns from the training rows which parts
of the hierarchy are carnivores.

Both models see the same rows and the same folds (5-fold cross-validation
over species, so test species are unseen by the classifier); the script
prints both accuracies. Run it with ``python examples/plot_entity_embedding.py``.
"""

from copy import deepcopy

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals

TARGETS = ("carnivore.n.01", "ungulate.n.01")

relations = np.asarray(load_mammals().data)
ancestors = {}
for child, parent in relations:
    ancestors.setdefault(child, set()).add(parent)

# the table: every descendant of exactly one of the two targets
species = sorted(
    node for node, known in ancestors.items()
    if len(known.intersection(TARGETS)) == 1
)
is_carnivore = np.array([TARGETS[0] in ancestors[s] for s in species])
depth = np.array([len(ancestors[s]) for s in species], dtype=float)
print(f"{len(species)} species: {is_carnivore.sum()} carnivores, "
      f"{(~is_carnivore).sum()} ungulates")

# the embedder never sees the answer
hidden = np.isin(relations[:, 1], TARGETS)
embedder = PoincareEmbedder(n_components=5, random_state=0).fit(relations[~hidden])
print(f"embedder fitted on {(~hidden).sum()} relations "
      f"({hidden.sum()} 'is a carnivore / ungulate' relations held out)")

cv = StratifiedKFold(5, shuffle=True, random_state=0)
classifier = LogisticRegression(max_iter=1000)

# 1. A plain pipeline on a column of node labels.
labels_only = make_pipeline(FrozenEstimator(embedder), classifier)
poincare = cross_val_score(labels_only, np.array(species), is_carnivore, cv=cv)
one_hot = cross_val_score(
    make_pipeline(OneHotEncoder(handle_unknown="ignore"), classifier),
    np.array(species).reshape(-1, 1), is_carnivore, cv=cv,
)
# the ball coordinates themselves, for contrast: deep nodes crowd at norm ~1
ball = cross_val_score(
    make_pipeline(FrozenEstimator(deepcopy(embedder).set_params(features="embedding")),
                  classifier),
    np.array(species), is_carnivore, cv=cv,
)
print("\nspecies column alone          accuracy (5-fold)")
print(f"  Poincaré features (5 dims)   {poincare.mean():.3f} +- {poincare.std():.3f}")
print(f"  ball coordinates (5 dims)    {ball.mean():.3f} +- {ball.std():.3f}")
print(f"  one-hot encoding             {one_hot.mean():.3f} +- {one_hot.std():.3f}")

# %%
# The accuracies side by side.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3))
encodings = ["Poincaré features\n(transform)", "ball coordinates\n(embedding_)", "one-hot"]
scores = [poincare, ball, one_hot]
ax.barh(encodings, [s.mean() for s in scores], xerr=[s.std() for s in scores],
        color=["tab:blue", "tab:gray", "tab:orange"])
ax.axvline(0.5, color="black", linewidth=0.8, linestyle=":")
ax.text(0.51, 2.45, "chance", fontsize=8)
ax.set_xlim(0, 1)
ax.invert_yaxis()
ax.set_xlabel("accuracy on unseen species (5-fold), carnivore vs ungulate")
for y, s in enumerate(scores):
    ax.text(s.mean() - 0.02, y, f"{s.mean():.3f}", va="center", ha="right", color="white")
fig.tight_layout()

# 2. A table with another column, through a ColumnTransformer.
try:
    import pandas as pd
except ImportError:
    print("\n(pandas is not installed: the ColumnTransformer part is skipped)")
else:
    table = pd.DataFrame({"species": species, "depth": depth})

    def model(species_encoder):
        return make_pipeline(
            ColumnTransformer([
                ("species", species_encoder, ["species"]),
                ("depth", StandardScaler(), ["depth"]),
            ]),
            classifier,
        )

    poincare = cross_val_score(model(FrozenEstimator(embedder)), table, is_carnivore, cv=cv)
    one_hot = cross_val_score(
        model(OneHotEncoder(handle_unknown="ignore")), table, is_carnivore, cv=cv
    )
    print("\nspecies + depth columns       accuracy (5-fold)")
    print(f"  Poincaré features (5 dims)   {poincare.mean():.3f} +- {poincare.std():.3f}")
    print(f"  one-hot encoding             {one_hot.mean():.3f} +- {one_hot.std():.3f}")

    fitted = model(FrozenEstimator(embedder)).fit(table, is_carnivore)
    names = fitted[0].get_feature_names_out()
    print(f"\nfeatures: {', '.join(names[:3])}, ..., {names[-1]}")
    print("predicted for the first three species:",
          dict(zip(table.species[:3], fitted.predict(table[:3]))))
