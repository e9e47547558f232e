"""The is-a score, calibrated across the hierarchy.

The geometric score ``d(u, o) - d(u, v)`` (how much nearer u lies to v than
to the origin) puts the descendants of v before the other nodes, but its
scale depends on where v lies: the cone that holds v's descendants after
training is wide for some parents and narrow for others, whatever their
radius. One threshold for the whole hierarchy needs the scores of all
parents on one scale. So after training, known relations and corrupted
pairs (a random parent or a random child) are grouped into bands by the
parent's distance from the origin, and in each band an isotonic regression
maps the geometric score to the share of known relations among the pairs
with that score. The is-a score of a pair is that share, read between the
two bands nearest its parent's radius: a number in [0, 1] that grows with
the geometric score among a parent's candidate children (a small share of
the geometric score orders the pairs where a curve is flat).

Random pairs are easy to reject; the pairs that hypernymy data ask about
are not (co-hyponyms, pairs in the wrong order). So the corrupted pairs
also hold each drawn relation reversed: a node and its direct child score
like two siblings, and they teach each band how high a sibling's score
goes. And where every drawn relation has its child farther from the
origin than its parent (as training leaves a hierarchy without cycles), a
pair whose child is not farther out is no is-a pair: its share is 0. Points
level at the norm bound count as farther out, so that rounding there
neither turns the rule off nor scores such a relation 0.
"""

import numpy as np
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression

from ._initialization import RADIAL_ORDER_MARGIN

# Corrupted pairs per relation, half with a random parent, half with a
# random child, as in the link-classification protocol of Ganea et al.
# (2018); a fixed seed, so that every candidate is scored on the same pairs.
_IS_A_CORRUPTED = 10
_IS_A_SEED = 0
# A corrupted pair that hits a known relation is redrawn at most this often,
# then left out (the children of a root of everything have no other parent).
_IS_A_REDRAWS = 50


def _pair_keys(children, parents, n_nodes):
    return children.astype(np.int64) * n_nodes + parents


def keys_membership(known_keys, n_nodes):
    """``is_known(children, parents)`` for :func:`corrupted_pairs`: which
    pairs are among the sorted pair keys ``known_keys``."""

    def is_known(children, parents):
        keys = _pair_keys(children, parents, n_nodes)
        found = np.searchsorted(known_keys, keys)
        return known_keys[np.minimum(found, len(known_keys) - 1)] == keys

    return is_known


def csr_membership(indptr, indices):
    """``is_known(children, parents)`` for :func:`corrupted_pairs`: which
    parents are in their child's row of a CSR whose rows are sorted (e.g.
    each node's parents or ancestors); a binary search in every row asked
    about at once, no copy of the CSR."""
    steps = int(np.diff(indptr).max(initial=0)).bit_length()
    last = max(len(indices) - 1, 0)

    def is_known(children, parents):
        if not len(indices):
            return np.zeros(len(children), dtype=bool)
        low, end = indptr[children], indptr[children + 1]
        high = end.copy()
        for _ in range(steps):
            middle = (low + high) // 2
            searching = low < high
            right = searching & (indices[np.minimum(middle, last)] < parents)
            high = np.where(searching & ~right, middle, high)
            low = np.where(right, middle + 1, low)
        return (low < end) & (indices[np.minimum(low, last)] == parents)

    return is_known


def corrupted_pairs(children, parents, is_known, n_nodes, n_corrupted, rng):
    """``(children, parents)`` of ``n_corrupted`` pairs per relation, with a
    random parent for the first half and a random child for the rest, none
    a known relation (``is_known(children, parents)``, a boolean mask, see
    :func:`keys_membership`) nor a self-loop."""
    n_parent = n_corrupted // 2
    corrupt_parent = np.tile(np.arange(n_corrupted) < n_parent, len(children))
    fixed_child = np.repeat(children, n_corrupted)
    fixed_parent = np.repeat(parents, n_corrupted)
    out_children, out_parents = fixed_child.copy(), fixed_parent.copy()
    todo = np.arange(len(out_children))
    for _ in range(_IS_A_REDRAWS):
        draws = rng.randint(0, n_nodes, len(todo))
        out_parents[todo] = np.where(corrupt_parent[todo], draws, fixed_parent[todo])
        out_children[todo] = np.where(corrupt_parent[todo], fixed_child[todo], draws)
        hit = is_known(out_children[todo], out_parents[todo])
        todo = todo[hit | (out_children[todo] == out_parents[todo])]
        if not len(todo):
            break
    keep = np.ones(len(out_children), dtype=bool)
    keep[todo] = False
    return out_children[keep], out_parents[keep]


# Known relations drawn to calibrate (each with _IS_A_CORRUPTED corrupted
# pairs and itself reversed), and how many of them a radius band holds at
# least.
_CALIBRATION_RELATIONS = 50_000
_RELATIONS_PER_BAND = 1000
# Weight of the geometric score (through a logistic) in the is-a score:
# it only breaks the ties where the calibration is flat.
_GEOMETRIC_SHARE = 1e-3


# A child counts as farther out than its parent unless it lies at least this
# far (in radius) inside it: order_radii leaves a child a whole margin beyond
# its parents, or level with them at the norm bound, where rounding can put
# either one a hair farther out.
_LEVEL_RADIUS = RADIAL_ORDER_MARGIN / 2


def geometric_is_a_scores(geometry, points, parents):
    """``(parent radius, d(x, origin) - d(x, p), whether x lies farther
    from the origin than p)`` for each row x of ``points`` and p of
    ``parents``. Points level to within ``_LEVEL_RADIUS`` count as farther
    out, except a point and itself."""
    parent_radius = geometry.radius_of_norm(np.linalg.norm(parents, axis=1))
    child_radius = geometry.radius_of_norm(np.linalg.norm(points, axis=1))
    outward = (child_radius > parent_radius - _LEVEL_RADIUS) & np.any(points != parents, axis=1)
    return parent_radius, geometry.is_a_scores(points, parents), outward


def fit_calibration(parent_radius, geometric, labels):
    """The calibration of pairs with these parent radii, geometric scores and
    labels (true for a known relation): bands of at least
    ``_RELATIONS_PER_BAND`` known relations by parent radius, and an
    isotonic regression of the labels on the geometric score in each; None
    without both kinds of pairs.

    A dict of arrays (so that the fitted state needs no class of its own):
    ``band_radii``, one increasing radius per band; for band k, the entries
    ``band_starts[k]:band_starts[k + 1]`` of ``geometric`` and ``is_a``, an
    increasing curve, linear in between and constant beyond.
    """
    positives = parent_radius[labels]
    if labels.all() or not len(positives):
        return None
    n_bands = max(1, len(positives) // _RELATIONS_PER_BAND)
    levels = (np.arange(n_bands) + 0.5) / n_bands
    band_radii = np.unique(np.quantile(positives, levels, method="inverted_cdf"))
    band = np.searchsorted((band_radii[1:] + band_radii[:-1]) / 2, parent_radius)
    curves = [_joined_isotonic(geometric[band == k], labels[band == k])
              for k in range(len(band_radii))]
    return {
        "band_radii": band_radii,
        "band_starts": np.cumsum([0] + [len(x) for x, _ in curves]),
        "geometric": np.concatenate([x for x, _ in curves]),
        "is_a": np.concatenate([y for _, y in curves]),
    }


def apply_calibration(calibration, parent_radius, geometric):
    """Is-a scores of pairs of the given parent radii and geometric scores:
    each band's curve, weighted by how near the parent lies to the band."""
    band_radii, starts = calibration["band_radii"], calibration["band_starts"]
    place = np.interp(parent_radius, band_radii, np.arange(len(band_radii)))
    low = np.floor(place).astype(np.intp)
    weight = place - low
    scores = np.zeros(len(place))
    for band in range(len(band_radii)):
        curve = slice(starts[band], starts[band + 1])
        x, y = calibration["geometric"][curve], calibration["is_a"][curve]
        for rows, share in ((low == band, 1 - weight), (low == band - 1, weight)):
            rows &= share > 0
            scores[rows] += share[rows] * np.interp(geometric[rows], x, y)
    return scores


def _joined_isotonic(x, labels):
    """``(x, y)`` of the isotonic regression of ``labels`` on ``x``, each step
    replaced by its mean ``x``, so that the curve joining them rises
    strictly: pairs within one step keep the order of their ``x``."""
    order = np.argsort(x, kind="stable")
    x = x[order]
    # an array whatever the user's set_config(transform_output=...); "clip":
    # scikit-learn merges x a rounding error apart, which can leave the
    # largest x past the fitted range, NaN by default (an embedding barely
    # moved from its start)
    isotonic = IsotonicRegression(increasing=True, out_of_bounds="clip").set_output(
        transform="default")
    fitted = isotonic.fit_transform(x, labels[order].astype(float))
    starts = np.r_[0, np.flatnonzero(np.diff(fitted)) + 1]
    step_x = np.add.reduceat(x, starts) / np.diff(np.r_[starts, len(x)])
    return step_x, fitted[starts]


def fit_is_a_calibration(embedding, geometry, known_indptr, known_indices):
    """The calibration (:func:`fit_calibration`) of ``embedding`` on up to
    ``_CALIBRATION_RELATIONS`` known relations, drawn from the CSR of each
    node's known ancestors, and their corrupted pairs (random ones and the
    relation reversed, none a known relation), with ``children_outward``:
    whether every relation drawn has its child farther out than its
    parent. None when no corrupted pair can be drawn."""
    rng = np.random.RandomState(_IS_A_SEED)
    n_known = int(known_indptr[-1])
    if not n_known:
        return None
    if n_known <= _CALIBRATION_RELATIONS:
        entries = np.arange(n_known)
    else:  # draws with replacement: no permutation of a closure of 1e8 pairs
        entries = np.unique(rng.randint(0, n_known, _CALIBRATION_RELATIONS))
    children = np.searchsorted(known_indptr, entries, side="right") - 1
    parents = np.asarray(known_indices[entries], dtype=np.int64)
    is_known = csr_membership(known_indptr, known_indices)
    bad_children, bad_parents = corrupted_pairs(
        children, parents, is_known, len(embedding), _IS_A_CORRUPTED, rng,
    )
    reversible = ~is_known(parents, children)  # a cycle makes both orders known
    bad_children = np.r_[bad_children, parents[reversible]]
    bad_parents = np.r_[bad_parents, children[reversible]]
    labels = np.r_[np.ones(len(children), bool), np.zeros(len(bad_children), bool)]
    radius, geometric, outward = geometric_is_a_scores(
        geometry, embedding[np.r_[children, bad_children]], embedding[np.r_[parents, bad_parents]]
    )
    calibration = fit_calibration(radius, geometric, labels)
    if calibration is not None:
        calibration["children_outward"] = np.array(bool(np.all(outward[labels])))
    return calibration


def calibrated_is_a_scores(calibration, geometry, points, parents):
    """Is-a scores of the pairs of rows of ``points`` and ``parents``; the
    geometric score where there is no calibration."""
    radius, geometric, outward = geometric_is_a_scores(geometry, points, parents)
    if calibration is None:
        return geometric
    # Beyond its first and last steps a curve is flat: most known relations
    # would score exactly 1 and most random pairs 0. A small share of the
    # squashed geometric score orders them as the geometric score does.
    calibrated = apply_calibration(calibration, radius, geometric)
    if calibration.get("children_outward", False):
        calibrated[~outward] = 0.0
    return (1 - _GEOMETRIC_SHARE) * calibrated + _GEOMETRIC_SHARE * expit(geometric)
