"""
=================================
Saving and loading a fitted model
=================================

A fitted :class:`~sklpoincare.PoincareEmbedder` is saved like any
scikit-learn estimator, with :mod:`pickle` or :func:`joblib.dump`, and gives
the same ``transform`` output once loaded, in this or another Python
process. Its pickle holds the parameters and the fitted arrays only:
``embedding_``, ``nodes_``, ``adjacency_`` (the training relations, which
:meth:`~sklpoincare.PoincareEmbedder.score` and
:meth:`~sklpoincare.PoincareEmbedder.partial_fit` need) and the loss curve.

A pickle runs code when it is loaded, so never load one from a source you
do not trust. To share a model publicly (on a model hub, say), save it with
`skops <https://skops.readthedocs.io>`_ (``pip install skops``): its loader
builds only the types it is told to trust, and a fitted embedder needs
exactly two, ``sklpoincare._embedder.PoincareEmbedder`` and
``scipy.sparse._csr.csr_matrix`` (``adjacency_``).

To hand the vectors to another tool, write them in the word2vec text format,
which gensim's ``KeyedVectors`` reads; or use ``embedding_`` and ``nodes_``
directly to initialise an embedding layer (see :mod:`sklpoincare.io`).

Run it with ``python examples/plot_persistence.py``.
"""

import json
import os
import pickle
import subprocess
import sys
import tempfile

import joblib
import numpy as np

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.io import load_word2vec_format

relations = load_mammals().data
embedder = PoincareEmbedder(n_components=5, n_epochs=100, burn_in=20, random_state=0)
embedder.fit(relations)
species = ["dog.n.01", "cat.n.01", "mammal.n.01"]
before = embedder.transform(species)

folder = tempfile.mkdtemp()
pickle_path = os.path.join(folder, "mammals.pkl")
joblib_path = os.path.join(folder, "mammals.joblib")
with open(pickle_path, "wb") as f:
    pickle.dump(embedder, f)
joblib.dump(embedder, joblib_path)
print(f"pickle: {os.path.getsize(pickle_path) / 1024:.0f} KiB, "
      f"joblib: {os.path.getsize(joblib_path) / 1024:.0f} KiB")

# %%
# Load in a fresh Python process and compare the coordinates bit for bit.

script = f"""
import pickle, joblib
a = pickle.load(open({pickle_path!r}, "rb")).transform({species!r})
b = joblib.load({joblib_path!r}).transform({species!r})
print(repr(a.tolist()), repr(b.tolist()), sep="\\n")
"""
lines = subprocess.run(
    [sys.executable, "-c", script], capture_output=True, text=True, check=True
).stdout.splitlines()
for name, line in zip(("pickle", "joblib"), lines):
    same = np.array_equal(np.array(json.loads(line)), before)
    print(f"{name} round trip in a new process: identical transform = {same}")

# %%
# skops, for models shared with others: loading refuses every type that is
# not trusted explicitly.

try:
    import skops.io as sio
except ImportError:
    print("skops is not installed: pip install skops")
else:
    skops_path = os.path.join(folder, "mammals.skops")
    sio.dump(embedder, skops_path)
    untrusted = sio.get_untrusted_types(file=skops_path)
    print("types to trust:", untrusted)
    loaded = sio.load(skops_path, trusted=untrusted)
    print("skops round trip: identical transform =",
          np.array_equal(loaded.transform(species), before))

# %%
# The word2vec text format: a header line, then a label and its coordinates
# per line, at full precision.

vectors_path = os.path.join(folder, "mammals.txt")
embedder.save_word2vec_format(vectors_path)
vectors, labels = load_word2vec_format(vectors_path)
print(open(vectors_path).readline().strip(), "<- header of", vectors_path)
print("vectors read back equal embedding_:", np.array_equal(vectors, embedder.embedding_))

# %%
# What each format costs on disk for the 1,180 mammals at 5 dimensions.

import matplotlib.pyplot as plt

sizes = {
    "pickle": pickle_path,
    "joblib": joblib_path,
    "word2vec text\n(vectors only)": vectors_path,
}
if "skops_path" in globals():
    sizes["skops"] = skops_path
fig, ax = plt.subplots(figsize=(6, 2.6))
kib = [os.path.getsize(path) / 1024 for path in sizes.values()]
ax.barh(list(sizes), kib, color="tab:blue")
for y, value in enumerate(kib):
    ax.text(value, y, f" {value:.0f} KiB", va="center", fontsize=8)
ax.set_xlim(0, max(kib) * 1.25)
ax.invert_yaxis()
ax.set_xlabel("file size (KiB)")
fig.tight_layout()
