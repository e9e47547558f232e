"""Data sets for hierarchical embeddings.

The :func:`load_mammals` loader returns the WordNet mammal closure used by
Nickel & Kiela (2017); :func:`load_wordnet` builds the closure of any WordNet
subtree from a WordNet database. The ``make_*`` generators build synthetic
hierarchies of known shape, as integer (child, parent) relations: a balanced
tree, a chain, a forest, a random tree, and large random taxonomies for
scale tests (:func:`make_random_taxonomy`).
"""

from ._base import load_mammals
from ._generators import (
    make_balanced_tree,
    make_chain,
    make_forest,
    make_random_taxonomy,
    make_random_tree,
)
from ._wordnet import load_wordnet

__all__ = [
    "load_mammals",
    "load_wordnet",
    "make_balanced_tree",
    "make_chain",
    "make_forest",
    "make_random_taxonomy",
    "make_random_tree",
]
