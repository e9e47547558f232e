"""Data sets for hierarchical embeddings.

The :func:`load_mammals` loader returns the WordNet mammal closure used by
Nickel & Kiela (2017); :func:`load_wordnet` builds the closure of any WordNet
subtree from a WordNet database; :func:`make_balanced_tree` generates
synthetic trees with a known hierarchy.
"""

from ._base import load_mammals
from ._generators import make_balanced_tree
from ._wordnet import load_wordnet

__all__ = ["load_mammals", "load_wordnet", "make_balanced_tree"]
