"""Poincaré embeddings of hierarchies, as a scikit-learn transformer."""

try:
    from . import _ranking_fast, _sgd_fast  # noqa: F401  (compiled kernels)
except ImportError as exc:  # a source tree whose Cython kernels are not built
    raise ImportError(
        f"{exc}. sklpoincare's Cython kernels are not built here ({__path__[0]}): "
        "install the package with `pip install .` (or `pip install -e .` for "
        "development), or build them in place with "
        "`python setup.py build_ext --inplace`; a C compiler is needed."
    ) from exc

from ._embedder import PoincareEmbedder  # noqa: E402
from .preprocessing import PoincareNormalizer, poincare_normalize  # noqa: E402

__version__ = "0.1.0.dev0"

__all__ = [
    "PoincareEmbedder",
    "PoincareNormalizer",
    "__version__",
    "poincare_normalize",
]
