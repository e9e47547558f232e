"""Safe sharing: a fitted embedder round-trips through skops.io, whose
loader refuses any type it is not told to trust (unlike pickle)."""

import numpy as np
import pytest

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import make_balanced_tree

sio = pytest.importorskip("skops.io")

# The types a user must trust to load a fitted embedder; doc/user_guide.rst
# and examples/plot_persistence.py list the same.
TRUSTED = ["scipy.sparse._csr.csr_matrix", "sklpoincare._embedder.PoincareEmbedder"]


@pytest.mark.parametrize(
    "relations",
    [
        make_balanced_tree(2, 3),  # int labels
        [("dog", "canine"), ("canine", "mammal"), ("cat", "mammal")],  # str
        [("dog", 1), (1, "root"), (("pair", 0), "root")],  # mixed, unsortable
    ],
)
@pytest.mark.parametrize("manifold", ["poincare", "lorentz"])
def test_round_trip_through_skops_trusting_only_the_documented_types(relations, manifold):
    fitted = PoincareEmbedder(
        n_components=3, n_epochs=5, burn_in=2, manifold=manifold, random_state=0
    ).fit(relations)
    data = sio.dumps(fitted)
    assert sorted(sio.get_untrusted_types(data=data)) == TRUSTED
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.loads(data)
    loaded = sio.loads(data, trusted=TRUSTED)
    np.testing.assert_array_equal(loaded.embedding_, fitted.embedding_)
    assert loaded.nodes_.tolist() == fitted.nodes_.tolist()
    assert [type(n) for n in loaded.nodes_] == [type(n) for n in fitted.nodes_]
    assert (loaded.adjacency_ != fitted.adjacency_).nnz == 0
    assert loaded.get_params() == fitted.get_params()
    column = np.empty(len(fitted.nodes_), dtype=object)
    column[:] = fitted.nodes_.tolist()
    np.testing.assert_array_equal(loaded.transform(column), fitted.transform(column))
    assert loaded.score(relations) == fitted.score(relations)
    # and it keeps training
    loaded.partial_fit(relations)
    assert loaded.n_iter_ == fitted.n_iter_ + 1
