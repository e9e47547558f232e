"""Poincaré embeddings of hierarchies, as a scikit-learn transformer."""

from ._embedder import PoincareEmbedder
from .preprocessing import PoincareNormalizer, poincare_normalize

__version__ = "0.1.0.dev0"

__all__ = [
    "PoincareEmbedder",
    "PoincareNormalizer",
    "__version__",
    "poincare_normalize",
]
