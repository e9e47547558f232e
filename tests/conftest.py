"""Fixtures shared by the test modules.

Layout: one test module per source module, named after it without the
leading underscore: ``sklpoincare/_growth.py`` is tested in
``tests/test_growth.py``, ``sklpoincare/hierarchy.py`` in
``tests/test_hierarchy.py``, the Cython kernels likewise
(``_sgd_fast.pyx`` in ``test_sgd_fast.py``, ``_ranking_fast.pyx`` in
``test_ranking_fast.py``), ``sklpoincare/datasets/`` in ``test_datasets.py``
with its WordNet reader in ``test_wordnet.py``, and ``__main__.py`` with the
command line in ``test_cli.py``. ``_ranking.py``, the ranking behind the
metrics, is tested with them in ``test_metrics.py``; ``_geometry.pxd`` and
``_batch.h``, C helpers of both kernels, through the kernels' tests, and
the geometry objects of ``_manifolds.py`` in ``test_manifolds.py``. A test goes to the
module whose behaviour it checks, whichever public function it calls to get
there.

Besides them, cross-cutting modules check many modules at once:
``test_common.py`` (scikit-learn's estimator checks), ``test_properties.py``
(hypothesis), ``test_robustness.py`` (the whole numerical range),
``test_bad_inputs.py`` (the catalogue of ``doc/bad_inputs.rst``),
``test_integration.py`` (scikit-learn's tools: model selection, output
containers, pipelines, persistence, Dask, skops), ``test_lorentz.py`` (the
hyperboloid and Euclidean models from kernel to estimator, with the
conversions of ``_manifolds.py``), ``test_pinned.py``
(the bits of a few fits) and ``test_package.py`` (the package as installed).

Fixtures and settings that more than one module uses live here, once;
reference formulas written out in NumPy (distance matrices, random points
of the ball) in ``_reference.py``. A
fixture that fits is session-scoped and must not be changed by the tests
that use it (its arrays are read-only to make sure); a test that needs to
change a fit makes its own.
"""

import io
from types import MappingProxyType

import numpy as np
import pytest

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree

# Enough training for the toy trees to be learnt (MAP > 0.9 on ``tree``),
# at a fraction of the defaults' cost. Tests that need more epochs set them
# explicitly where they fit.
_FAST = dict(n_epochs=30, burn_in=10, n_negatives=10, random_state=0)
# The least training that still runs every stage (burn-in, then the main
# epochs): for tests of validation, errors and bookkeeping, not of quality.
_TINY = dict(n_components=2, n_epochs=4, burn_in=1, n_negatives=3, random_state=0)


def _read_only(array):
    array.flags.writeable = False
    return array


@pytest.fixture(scope="session")
def fast_params():
    """Training settings that learn the toy trees quickly (read-only mapping:
    ``PoincareEmbedder(**fast_params)``, ``{**fast_params, "n_epochs": 60}``)."""
    return MappingProxyType(_FAST)


@pytest.fixture(scope="session")
def tiny_params():
    """The cheapest training, in 2 dimensions, for tests not about quality."""
    return MappingProxyType(_TINY)


@pytest.fixture(scope="session")
def tree():
    """Closure of a 3-ary tree of depth 3: 40 nodes, 102 relations."""
    return _read_only(make_balanced_tree(3, 3))


@pytest.fixture(scope="session")
def small_tree():
    """Closure of a binary tree of depth 3: 15 nodes, 34 relations, 14 edges."""
    return _read_only(make_balanced_tree(2, 3))


@pytest.fixture(scope="session")
def fitted(tree):
    """An embedder fitted on ``tree`` in 5 dimensions with the fast settings."""
    est = PoincareEmbedder(n_components=5, **_FAST).fit(tree)
    _read_only(est.embedding_)
    return est


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self):
        return True


@pytest.fixture
def terminal():
    """An empty in-memory stream that says it is a terminal."""
    return FakeTerminal()
