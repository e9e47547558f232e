"""Poincaré embeddings of hierarchies, as a scikit-learn transformer."""

from ._embedder import PoincareEmbedder

__version__ = "0.1.0.dev0"

__all__ = ["PoincareEmbedder", "__version__"]
