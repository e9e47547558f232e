"""
===================================
What the norm and the distance mean
===================================

Embed a balanced tree, whose depth and family relations are known exactly,
and check the two readings of a Poincaré embedding:

- the **norm** of a point says how general its node is: the root near the
  origin, each level of the tree farther out;
- the **distance** between two points says how related their nodes are:
  parent and child closest, then siblings, cousins, and nodes in different
  branches of the root farthest apart.

Needs matplotlib (``pip install matplotlib``). Run it as a script with
``python examples/plot_norm_and_distance.py``.
"""

import itertools

import matplotlib.pyplot as plt
import numpy as np

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree
from sklpoincare.metrics import poincare_distances, ranking_scores

# %%
# A tree with a known hierarchy
# -----------------------------
#
# :func:`~sklpoincare.datasets.make_balanced_tree` numbers the nodes
# breadth-first from the root 0, so the parent of node ``i`` is
# ``(i - 1) // branching_factor``. Training uses the transitive closure
# (every (descendant, ancestor) pair), as for WordNet.

branching_factor, depth = 3, 4
relations = make_balanced_tree(branching_factor, depth)
embedder = PoincareEmbedder(n_components=2, random_state=0).fit(relations)
scores = ranking_scores(embedder.embedding_, relations, nodes=embedder.nodes_)
print(f"{len(embedder.nodes_)} nodes, {len(relations)} relations: "
      f"mean rank {scores.mean_rank:.2f}, MAP {scores.mean_average_precision:.3f}")


def parent_of(node):
    return (node - 1) // branching_factor if node > 0 else None


def ancestors_of(node):
    """The chain of ancestors of node, nearest first."""
    chain = []
    while (node := parent_of(node)) is not None:
        chain.append(node)
    return chain


# The labels are the integers 0..n-1, sorted, so row i of embedding_ is node i.
assert list(embedder.nodes_) == list(range(len(embedder.nodes_)))
points = embedder.embedding_
levels = np.array([len(ancestors_of(node)) for node in embedder.nodes_])

# %%
# The norm grows with depth
# -------------------------
#
# The Euclidean norm :math:`\lVert x \rVert` stays below 1 and crowds towards
# it for deep nodes. The hyperbolic distance to the origin,
# :math:`d(0, x) = 2 \operatorname{artanh} \lVert x \rVert`, shows the
# geometry better: every level of the tree lies a few hyperbolic units
# farther out than the one above it, and near the rim of the disk there is
# room for exponentially many nodes.

norms = np.linalg.norm(points, axis=1)
radii = 2 * np.arctanh(norms)
for level in range(depth + 1):
    at_level = levels == level
    print(f"depth {level}: {at_level.sum():3d} nodes, mean norm "
          f"{norms[at_level].mean():.3f}, mean hyperbolic radius {radii[at_level].mean():.2f}")

fig, (disk, radius) = plt.subplots(1, 2, figsize=(11, 5))
disk.add_patch(plt.Circle((0, 0), 1.0, fill=False, color="black", linewidth=1))
for node in embedder.nodes_[1:]:
    parent = parent_of(node)
    disk.plot(*zip(points[node], points[parent]), color="0.8", linewidth=0.6, zorder=1)
dots = disk.scatter(points[:, 0], points[:, 1], c=levels, cmap="viridis", s=14, zorder=2)
fig.colorbar(dots, ax=disk, label="depth in the tree")
disk.set_xlim(-1.05, 1.05)
disk.set_ylim(-1.05, 1.05)
disk.set_aspect("equal")
disk.axis("off")
disk.set_title("the tree in the Poincaré disk")

jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(levels))
radius.scatter(levels + jitter, radii, s=10, label="hyperbolic radius $d(0, x)$")
radius.scatter(levels + jitter, norms, s=10, label=r"Euclidean norm $\Vert x \Vert$")
radius.set_xticks(range(depth + 1))
radius.set_xlabel("depth in the tree")
radius.set_ylabel("distance from the origin")
radius.legend(loc="upper left")
radius.set_title("general nodes near the centre")
fig.tight_layout()

# %%
# The distance follows kinship
# ----------------------------
#
# Group every pair of distinct nodes by how they are related and compare
# their mean Poincaré distances (computed by
# :func:`~sklpoincare.metrics.poincare_distances`). A node is nearest to its
# ancestors, which training pulls it towards (the relations are the closure),
# then to its siblings, then to other kin; nodes in different branches of the
# root are farthest apart, although many of them sit at the same depth as
# cousins do.


def kinship(a, b):
    ancestors_a, ancestors_b = ancestors_of(a), ancestors_of(b)
    if b in ancestors_a or a in ancestors_b:
        return "ancestor and descendant"
    if parent_of(a) == parent_of(b):
        return "siblings"
    if set(ancestors_a) & set(ancestors_b) != {0}:
        return "other kin (an ancestor below the root)"
    return "different branches of the root"


distances = poincare_distances(points)
by_kinship = {}
for a, b in itertools.combinations(embedder.nodes_, 2):
    by_kinship.setdefault(kinship(a, b), []).append(distances[a, b])
for group in ["ancestor and descendant", "siblings",
              "other kin (an ancestor below the root)", "different branches of the root"]:
    values = np.array(by_kinship[group])
    print(f"{group:40s} {len(values):5d} pairs, mean distance {values.mean():.2f}")

plt.show()
