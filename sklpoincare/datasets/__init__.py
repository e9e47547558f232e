"""Data sets for hierarchical embeddings.

The :func:`load_mammals` loader returns the WordNet mammal closure used by
Nickel & Kiela (2017); :func:`make_balanced_tree` generates synthetic trees
with a known hierarchy.
"""

from ._base import load_mammals
from ._generators import make_balanced_tree

__all__ = ["load_mammals", "make_balanced_tree"]
