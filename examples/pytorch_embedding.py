"""
=====================================================
Poincaré embeddings in a PyTorch ``nn.Embedding``
=====================================================

:func:`sklpoincare.export.export_weights` writes a fitted
:class:`~sklpoincare.PoincareEmbedder` as a float32 weight matrix, one row
per node, that ``torch.nn.Embedding.from_pretrained`` takes as is. This
script loads the ``"polar"`` weights, ports the float32-safe distance of
:func:`sklpoincare.export.paired_distances` to torch, and checks it against
the embedder's own float64 :meth:`~sklpoincare.PoincareEmbedder.distance`
on the training relations and a few chosen pairs; a plain float32 cast of
the ball coordinates is shown for contrast.

With ``--plot errors.png`` it draws the two error distributions over the
6,540 training relations of the mammals (10 dimensions):

.. image:: /_static/pytorch_embedding.png
   :alt: Relative errors of float32 distances: polar export against a plain cast

Needs PyTorch (``pip install torch``; the CPU build is enough); run it with
``python examples/pytorch_embedding.py``.
"""

# sphinx_gallery_thumbnail_path = "_static/pytorch_embedding.png"

import sys

try:
    import torch
except ImportError:
    sys.exit("This example needs PyTorch: pip install torch. Nothing was run.")

import numpy as np

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.export import export_weights


def polar_distance(a, b):
    """Poincaré distance between rows of ``"polar"`` weights, in their dtype.

    Layout of a row (``k`` = ``n_components``): ``r_hi, r_lo, u_hi (k),
    u_lo (k)``, the hyperbolic radius ``r`` and the unit direction ``u``,
    each as a float32 value plus its rounding error. The differences take
    the ``hi`` parts first, so nearby points keep their digits, and the
    hyperbolic law of cosines in the form

        sinh^2(d / 2) = sinh^2((r_a - r_b) / 2) + sinh r_a sinh r_b |u_a - u_b|^2 / 4

    adds two non-negative terms: nothing cancels and nothing overflows.
    """
    k = (a.shape[-1] - 2) // 2
    dr = (a[..., 0] - b[..., 0]) + (a[..., 1] - b[..., 1])
    du = (a[..., 2 : 2 + k] - b[..., 2 : 2 + k]) + (a[..., 2 + k :] - b[..., 2 + k :])
    r_a, r_b = a[..., 0] + a[..., 1], b[..., 0] + b[..., 1]
    angular = torch.sqrt(torch.sinh(r_a)) * torch.sqrt(torch.sinh(r_b)) * du.norm(dim=-1) / 2
    return 2 * torch.asinh(torch.hypot(torch.sinh(dr / 2), angular))


def ball_distance(a, b):
    """The usual formula, arcosh(1 + 2 |a - b|^2 / ((1 - |a|^2)(1 - |b|^2)))."""
    z = 2 * (a - b).pow(2).sum(-1) / ((1 - a.pow(2).sum(-1)) * (1 - b.pow(2).sum(-1)))
    return torch.acosh(1 + z)


relations = np.asarray(load_mammals().data)
embedder = PoincareEmbedder(n_components=10, random_state=0, n_jobs=1).fit(relations)

weights, index = export_weights(embedder, "polar")  # float32, rows in nodes_ order
layer = torch.nn.Embedding.from_pretrained(torch.from_numpy(weights))  # frozen
assert layer.weight.dtype == torch.float32

children = torch.tensor([index[c] for c in relations[:, 0]])
parents = torch.tensor([index[p] for p in relations[:, 1]])
with torch.no_grad():
    distances = polar_distance(layer(children), layer(parents)).numpy()
truth = embedder.distance(relations[:, 0], relations[:, 1])  # float64
error = np.abs(distances - truth) / truth
print(f"{len(relations)} training relations, float32 'polar' weights in torch: "
      f"largest relative error {error.max():.1e}")

# The same relations from ball coordinates cast to float32: deep points
# round onto the boundary (1 - 1e-8 is 1 in float32).
ball = torch.nn.Embedding.from_pretrained(
    torch.from_numpy(embedder.embedding_.astype(np.float32))
)
with torch.no_grad():
    cast = ball_distance(ball(children), ball(parents)).numpy()
cast_error = np.abs(cast - truth) / truth
print(f"same relations, ball coordinates cast to float32: "
      f"{np.mean(~np.isfinite(cast)):.2%} infinite or NaN, "
      f"{np.mean(~(cast_error <= 1e-3)):.1%} off by more than 1e-3\n")

pairs = [
    ("dog.n.01", "canine.n.02"),
    ("dalmatian.n.02", "dog.n.01"),
    ("lion.n.01", "big_cat.n.01"),
    ("killer_whale.n.01", "dolphin.n.02"),
    ("persian_cat.n.01", "dalmatian.n.02"),
]
a = torch.tensor([index[x] for x, _ in pairs])
b = torch.tensor([index[y] for _, y in pairs])
with torch.no_grad():
    check = polar_distance(layer(a), layer(b)).numpy()
reference = embedder.distance([x for x, _ in pairs], [y for _, y in pairs])
print(f"{'pair':38s} {'torch float32':>13s} {'float64':>10s} {'rel. error':>10s}")
for (x, y), d32, d64 in zip(pairs, check, reference):
    print(f"{x + ' - ' + y:38s} {d32:13.6f} {d64:10.6f} {abs(d32 - d64) / d64:10.1e}")
assert np.allclose(check, reference, rtol=1e-3) and error.max() < 1e-3

# %%
# With ``--plot PATH``, the two error distributions as a picture.

if "--plot" in sys.argv:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = np.logspace(-10, 1, 45)
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    # an exact float32 result has error 0: shown in the first bin
    ax.hist(np.clip(error, bins[0], None), bins=bins, alpha=0.8,
            label="export_weights 'polar', torch float32")
    finite = np.isfinite(cast_error)
    ax.hist(np.clip(cast_error[finite], bins[0], bins[-1]), bins=bins, alpha=0.8,
            label=f"ball coordinates cast to float32\n({np.mean(~finite):.2%} inf or NaN, not shown)")
    ax.axvline(1e-3, color="black", linestyle=":", linewidth=0.8)
    ax.text(1.2e-3, ax.get_ylim()[1] * 0.9, "1e-3", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("relative error of the distance against float64 (6,540 relations)")
    ax.set_ylabel("relations")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(sys.argv[sys.argv.index("--plot") + 1], dpi=110)
