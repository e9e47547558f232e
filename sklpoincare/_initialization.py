"""Starting points for training: random, or laid out from the hierarchy.

The hierarchical layout puts each node where trained embeddings put it,
measured on the WordNet nouns (see ``doc/training_choices.rst``):

- at a hyperbolic radius proportional to ``log(n_nodes / size)``, where
  ``size`` is the number of nodes it is above in the closure, itself
  included (its subtree, in a tree), so the most general nodes sit near
  the origin (trained noun embeddings follow ``log(n_nodes / size)``
  closely; it is scaled here so that leaves start at
  ``leaf_radius`` whatever the number of nodes: out there the cones have
  more room, as long as the norm bound leaves some beyond);
- at an angle of about ``exp(-r_p / 2)`` from its parent's direction (``r_p``
  the parent's radius). That is the width of the cone of points closer to
  the parent than to the origin, so a subtree starts inside its parent's
  cone and no two subtrees start interleaved;
- turned towards a direction of its own: the children of one parent take
  directions spread evenly around it (points pushed apart on the sphere of
  directions perpendicular to the parent's, mirrored at random per parent),
  not independent random ones, which in few dimensions often start two
  siblings almost on top of each other; a sibling whose subtree has
  ancestors or descendants in other branches (off its path up the
  forest) takes the direction, of those spread, that faces them most;
  from 20 dimensions a family whose member's subtree crosses at least once
  per node also turns as a whole, its spread kept, until that member faces
  them as well as the spread allows; and below 6 dimensions a sibling
  with a big subtree then pushes the others away the harder the bigger it
  is, so that it takes more room, as the wedges of the plane give it.

A tree of the spanning forest (a hierarchy with several roots has several)
whose nodes are above more nodes of other trees than of their own, as a
whole is above parts that hang from other wholes, is then turned about the
origin towards those nodes, by the share of its relations that cross.

A node with several direct parents (WordNet has many) starts in the cone
of one of them, its parent in the spanning forest (the one whose chain
holds the most of its specific ancestors, so that those left off its path
are few and general), and training pulls it towards
the others: starting in the direction between its parents instead
ranked worse once trained (``doc/training_choices.rst``). The forest is
read off the transitive closure of the relations, so a closure with some
relations missing (a held-out share, say) is laid out like the whole one.
Training then only has to separate siblings and reconcile the extra
parents, instead of discovering the whole nesting from a cloud of points
near the origin.
"""

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components
from threadpoolctl import threadpool_limits

from ._growth import _point_at
from ._manifolds import norm_of_radius, poincare_radius, radius_of_norm, unit_rows
from ._ranking import _rank_relations
from ._relations import _deduplicate
from .hierarchy import (
    HierarchyCycleError,
    _ranges,
    ancestor_closure,
    ancestor_matrix,
    descendant_counts,
    earlier_siblings_sum,
    family_starts,
    forest_levels,
    level_ancestors,
    off_path_pairs,
    preorder_positions,
    spanning_forest,
    subtree_sizes,
    topological_levels,
    unique_nodes,
)

# Leaves start at radius LEAF_RADIUS, or LEAF_MARGIN inside the norm bound
# (19.1 for eps=1e-8, 12.2 for 1e-5) when that is nearer, with room left to
# move outwards; the root of a single tree is at 0. Farther out the cones are
# wider apart, but past 14 the nouns at 10 dimensions lose again (see
# doc/training_choices.rst).
LEAF_RADIUS = 14.0
LEAF_MARGIN = 2.0

def leaf_radius(max_norm):
    """Starting radius of the leaves when points are kept at norm <= max_norm."""
    max_radius = radius_of_norm(max_norm)
    return min(LEAF_RADIUS, max(max_radius - LEAF_MARGIN, max_radius / 2))


def random_embedding(n_nodes, n_components, init_range, rng):
    """Coordinates uniform in ``[-init_range, init_range]`` (the paper's start)."""
    return rng.uniform(-init_range, init_range, (n_nodes, n_components))


def hierarchical_embedding(graph, n_components, rng, max_norm, ancestors=None):
    """Poincaré-ball points laid out along a spanning forest of ``graph``.

    Leaves start at :func:`leaf_radius` of ``max_norm``, the norm bound
    of training. ``ancestors``, the ancestor closure of ``graph`` when it is
    known already, saves computing it (see
    :func:`~sklpoincare.hierarchy.ancestor_closure`).
    """
    return _HierarchyLayout(graph, n_components, max_norm, ancestors).draw(rng)


# A drawn layout is scored on the relations of this many children drawn at
# random: about a second per layout on the WordNet nouns, but a noisy
# reading of the whole mean rank, whose excess sits in a thin tail
# (doc/training_choices.rst, 'the best of several layouts').
LAYOUT_SCORE_CHILDREN = 2000


def best_hierarchical_embedding(graph, n_components, rng, max_norm, n_layouts, n_threads,
                                ancestors=None):
    """The best of ``n_layouts`` draws of :func:`hierarchical_embedding`.

    The draws differ in the random orientations of the siblings' spread
    directions, which decide how subtrees meet their cousins; the layout
    kept ranks the relations of up to :data:`LAYOUT_SCORE_CHILDREN` children
    drawn at random best (lowest mean rank; the first drawn on a tie). A
    draw that cannot be scored (no relations to rank, as when breaking the
    cycles of ``closure=False`` leaves none, or a NaN mean rank) ranks after
    every scored one, so the first draw is kept when none can be scored. One
    draw takes nothing from ``rng`` beyond the layout itself. The forest,
    the radii and the crossings are computed once for all the draws.
    """
    layout = _HierarchyLayout(graph, n_components, max_norm, ancestors)
    if n_layouts == 1:
        return layout.draw(rng)
    children = rng.choice(graph.n_nodes, min(LAYOUT_SCORE_CHILDREN, graph.n_nodes), replace=False)
    scored = np.isin(graph.children, children)
    if not scored.any():  # only roots drawn
        scored[:] = True
    best, best_score = None, np.inf
    for _ in range(n_layouts):
        points = layout.draw(rng)
        ranks, _ = _rank_relations(points, graph.children[scored], graph.parents[scored], n_threads)
        # an unscored draw (no relations, or a NaN rank) scores +inf: never
        # better than a scored one, and the first of them kept when no draw
        # is scored (a NaN would compare false against everything)
        score = ranks.mean() if len(ranks) else np.inf
        if np.isnan(score):
            score = np.inf
        if best is None or score < best_score:
            best, best_score = points, score
    return best


class _HierarchyLayout:
    """What a hierarchical layout of ``graph`` needs that no random draw
    changes: the spanning forest, each node's radius, the off-path
    crossings, the trees that turn towards other trees (:class:`_TreesAbove`)
    and the spherical codes. :meth:`draw` lays the nodes out."""

    def __init__(self, graph, n_components, max_norm, ancestors=None):
        n_nodes = graph.n_nodes
        if ancestors is None:
            ancestors = ancestor_closure(graph)
        self.n_components = n_components
        self.tree_parent = spanning_forest(graph, ancestors)
        self.levels = forest_levels(self.tree_parent)
        self.sizes = subtree_sizes(self.tree_parent, self.levels)
        # A node is as general as all it is above, the nodes that hang from
        # another parent in the forest included. Without the closure, the
        # relations of a reduction count only direct children; the forest
        # subtree is then the larger count.
        closure_sizes = np.maximum(self.sizes, 1.0 + descendant_counts(graph, ancestors))
        self.radius = np.log(n_nodes / closure_sizes)
        if n_nodes > 1:
            self.radius *= leaf_radius(max_norm) / np.log(n_nodes)
        self.crossings = None
        # the wedges of the plane face no crossings, but the trees of a
        # forest still turn towards the nodes they are above
        if n_components != 2 or len(self.levels[0]) > 1:
            self.crossings = _Crossings(
                ancestor_matrix(graph, ancestors), self.tree_parent, self.levels, self.sizes,
                n_components,
            )
        self.room = self.sizes if n_components < MAKE_ROOM_BELOW else None
        self.trees_above = None
        if self.crossings is not None and len(self.levels[0]) > 1:  # a forest
            self.trees_above = _TreesAbove.find(
                self.crossings, self.levels, closure_sizes - 1.0
            )
        self.codes = {}  # spherical codes by (points, dimension), shared by levels and draws

    def draw(self, rng):
        """Ball points of one layout, its random choices taken from ``rng``."""
        tree_parent, levels, radius = self.tree_parent, self.levels, self.radius
        if self.n_components == 2:
            angles = wedge_angles(tree_parent, levels, self.sizes, rng)
            radii = np.tanh(radius / 2)
            embedding = np.stack([np.cos(angles), np.sin(angles)], axis=1) * radii[:, None]
        else:
            embedding = np.zeros((len(tree_parent), self.n_components))
            roots = levels[0]
            # the roots, like the children of a root at the origin, are spread
            # over the whole sphere of directions
            # the spreading multiplies small matrices, which threads only slow down
            with threadpool_limits(limits=1):
                directions = spread_directions(
                    np.zeros(len(roots), dtype=np.intp), self.n_components, rng, self.codes
                )
                embedding[roots] = directions * norm_of_radius(radius[roots])[:, None]
                _lay_out_levels(
                    embedding, levels, tree_parent, radius, rng, self.codes, self.crossings,
                    self.room,
                )
        if self.trees_above is not None:
            self.trees_above.turn(embedding)
        return embedding


def _lay_out_levels(embedding, levels, tree_parent, radius, rng, codes, crossings, room=None):
    """Place the nodes level by level, each at its radius in its tree
    parent's cone, siblings spread around the parent, those that cross to
    other branches facing them (:func:`face_pulls`); with ``room`` (a
    weight per node), siblings then push each other apart the harder the
    heavier (:func:`make_room`)."""
    n_components = embedding.shape[1]
    for depth, level in enumerate(levels[1:], start=1):
        pulls, turning = crossings.pulls(depth, embedding)
        parents = tree_parent[level]
        norms = norm_of_radius(radius[level])
        at_origin = ~np.any(embedding[parents], axis=1)
        if at_origin.any():
            ids = level[at_origin]
            directions = spread_directions(parents[at_origin], n_components, rng, codes)
            embedding[ids] = directions * norms[at_origin, None]
            level, parents, norms = level[~at_origin], parents[~at_origin], norms[~at_origin]
            pulls = pulls[~at_origin]
            turning = turning[~at_origin]
        angles = np.minimum(np.exp(-radius[parents] / 2), np.pi / 2)
        parent_points = embedding[parents]  # laid out a level before
        turns = spread_turns(parent_points, parents, rng, codes)
        turns = face_pulls(turns, parents, pulls, parent_points, turning)
        if room is not None:
            turns = make_room(turns, parents, parent_points, room[level])
        embedding[level] = _point_at(parent_points, angles, norms, rng, turns=turns)


# Below FACE_EVERY_CROSSING_FROM dimensions a subtree faces the branches it
# crosses to only when it holds at least MIN_CROSSINGS_PER_NODE off-path
# pairs per node: every turn towards them also takes the subtree's other
# nodes away from the middle of their ancestors' cones, turns that agree add
# up from level to level, and in few dimensions the turned nodes come near
# other branches (random taxonomies in 5 to 9 dimensions lose). From 10
# dimensions on every subtree with an off-path pair faces them: the nouns
# rank far better, random taxonomies about as well (a little mean rank for a
# little MAP; doc/training_choices.rst).
MIN_CROSSINGS_PER_NODE = 1.0
FACE_EVERY_CROSSING_FROM = 10

# From TURN_FAMILIES_FROM dimensions a member whose subtree holds
# MIN_CROSSINGS_PER_NODE off-path pairs per node also turns its whole family
# towards them (face_pulls). There a few spread turns are nearly
# perpendicular to any pull, and the nouns' mean rank gains most; at 10
# dimensions the nouns gain less, and link classification and the random
# taxonomies' MAP lose; at 5 the random taxonomies lose both
# (doc/training_choices.rst).
TURN_FAMILIES_FROM = 20
# ... and only where at least MIN_TURNING_SHARE of that subtree's nodes are
# ends of off-path pairs: a few nodes with many off-path ancestors (a random
# taxonomy's second parents) would otherwise turn a family whose other
# members lose by it (doc/training_choices.rst).
MIN_TURNING_SHARE = 0.25


class _Crossings:
    """The off-path pairs of the closure (see
    :func:`~sklpoincare.hierarchy.off_path_pairs`), each seen from both of
    its ends, and where each end's partner is as the levels are laid out."""

    def __init__(self, closure, tree_parent, levels, sizes, n_components):
        self.levels = levels
        per_node = MIN_CROSSINGS_PER_NODE if n_components < FACE_EVERY_CROSSING_FROM else 0.0
        self.min_crossings = np.maximum(1.0, per_node * sizes)
        # the members whose family turns towards their crossings
        self.min_turning = np.full(len(sizes), np.inf)
        self.min_turning_nodes = self.min_turning
        if n_components >= TURN_FAMILIES_FROM:
            self.min_turning = np.maximum(1.0, MIN_CROSSINGS_PER_NODE * sizes)
            self.min_turning_nodes = MIN_TURNING_SHARE * sizes
        self.positions = preorder_positions(tree_parent, levels, sizes)
        below, above = off_path_pairs(closure, self.positions, sizes)
        self.ends = np.concatenate([below, above])
        self.partners = np.concatenate([above, below])
        self.depth = np.zeros(len(tree_parent), dtype=np.intp)
        for depth, level in enumerate(levels):
            self.depth[level] = depth
        self.end_depth = self.depth[self.ends]

    @property
    def pairs(self):
        """The off-path pairs as ``(below, above)`` (views into ``ends``)."""
        half = len(self.ends) // 2
        return self.ends[:half], self.ends[half:]

    def _distinct_ends(self, rows, ends, n_rows):
        """How many distinct nodes are among each row's ``ends``: a node lies
        below one row only, so the distinct ends of all rows, counted by
        row."""
        row_of = np.empty(len(self.depth), dtype=np.intp)
        row_of[ends] = rows
        return np.bincount(row_of[unique_nodes(ends, len(self.depth))], minlength=n_rows)

    def pulls(self, depth, embedding):
        """For each node of level ``depth``, the sum of the directions of
        its subtree's partners, each seen at its ancestor in the level
        above (laid out already), zero where the subtree has too few; and
        whether its family turns towards them (see :func:`face_pulls`)."""
        level = self.levels[depth]
        inside = np.flatnonzero(self.end_depth >= depth)
        rows = np.searchsorted(self.positions[level], self.positions[self.ends[inside]], side="right") - 1
        counts = np.bincount(rows, minlength=len(level))
        enough = counts >= self.min_crossings[level]
        turning = counts >= self.min_turning[level]
        if turning.any():
            marked = turning[rows]
            nodes = self._distinct_ends(rows[marked], self.ends[inside[marked]], len(level))
            turning &= nodes >= self.min_turning_nodes[level]
        if not enough.any():
            return np.zeros((len(level), embedding.shape[1])), turning
        kept = enough[rows]
        rows, partners = rows[kept], self.partners[inside[kept]]
        # the partners' ancestors in the level above, or themselves
        deeper = self.depth[partners] >= depth
        partners[deeper] = level_ancestors(partners[deeper], self.levels[depth - 1], self.positions)
        # many pairs share a partner: count them, then add each direction once
        partners, which = unique_nodes(partners, len(self.depth), return_inverse=True)
        directions = embedding[partners]
        lengths = np.linalg.norm(directions, axis=1)
        placed = lengths > 0  # a root at the origin has no direction
        directions[placed] /= lengths[placed, None]
        counts = sp.csr_matrix(
            (np.ones(len(rows)), (rows, which)), shape=(len(level), len(partners))
        )
        return counts @ directions, turning


# A tree of the spanning forest whose nodes are above more nodes of other
# trees than of their own (a whole whose parts hang from other wholes, a
# root above a node of another tree) turns towards those nodes once laid
# out. Trees mostly above their own nodes keep their directions: turned by
# their small share, the trees of random taxonomies split below their root
# lost MAP (doc/training_choices.rst).
MOSTLY_ABOVE_OTHER_TREES = 0.5


class _TreesAbove:
    """The trees of the spanning forest that are mostly above nodes of other
    trees: each node's tree (its root's id), each tree's share of crossing
    pairs, the crossing pairs of the turning trees, and the order to turn
    them in."""

    def __init__(self, tree, share, below, above, order):
        self.tree, self.share, self.below, self.above, self.order = (
            tree, share, below, above, order
        )

    @classmethod
    def find(cls, crossings, levels, descendants):
        """The trees that turn, or None. ``descendants`` counts the nodes
        below each node in the closure."""
        below, above = crossings.pairs
        tree = level_ancestors(np.arange(len(descendants)), levels[0], crossings.positions)
        across = tree[below] != tree[above]
        if not across.any():
            return None
        below, above = below[across], above[across]
        # a tree's closure pairs are those of its nodes as ancestors
        pairs = np.bincount(tree, weights=descendants, minlength=len(tree))
        share = np.bincount(tree[above], minlength=len(tree)) / np.maximum(pairs, 1.0)
        turning = share >= MOSTLY_ABOVE_OTHER_TREES
        kept = turning[tree[above]]
        if not kept.any():
            return None
        below, above = below[kept], above[kept]
        return cls(tree, share, below, above, _turning_order(tree, below, above))

    def turn(self, embedding):
        """Turn each tree about the origin (an isometry, so the tree keeps
        its shape) in the plane of its root's direction and the mean
        direction of the nodes of other trees it is above, by the share of
        its closure pairs that cross to them; a tree turns after those it is
        above (:func:`_turning_order`)."""
        slot = np.full(len(self.tree), -1)
        for roots in self.order:
            slot[roots] = np.arange(len(roots))
            pairs = np.flatnonzero(slot[self.tree[self.above]] >= 0)
            # the directions of the nodes they are above, summed per tree
            nodes, column = np.unique(self.below[pairs], return_inverse=True)
            goal = sp.csr_matrix(
                (np.ones(len(pairs)), (slot[self.tree[self.above[pairs]]], column)),
                shape=(len(roots), len(nodes)),
            ) @ unit_rows(embedding[nodes])
            start = unit_rows(embedding[roots])
            end = _towards(start, unit_rows(goal), self.share[roots])
            members = np.flatnonzero(slot[self.tree] >= 0)
            which = slot[self.tree[members]]
            embedding[members] = _rotate(embedding[members], start[which], end[which])
            slot[roots] = -1


def _turning_order(tree, below, above):
    """The turning trees (root ids) in groups: a tree comes after the trees
    it is above, except where two are above each other's nodes (then they
    share a group)."""
    roots, index = np.unique(tree[above], return_inverse=True)
    slot = np.full(len(tree), -1)
    slot[roots] = np.arange(len(roots))
    targets = slot[tree[below]]
    edge = targets >= 0  # a tree above a tree that does not turn waits for none
    graph = sp.csr_matrix(
        (np.ones(edge.sum()), (index[edge], targets[edge])), shape=(len(roots), len(roots))
    )
    n_groups, group = connected_components(graph, directed=True, connection="strong")
    upper, lower = group[index[edge]], group[targets[edge]]
    apart = upper != lower
    if not apart.any():
        return [roots]
    # the groups as a hierarchy, each under the groups it is above: its
    # topological levels turn in order
    levels = topological_levels(_deduplicate(
        np.arange(n_groups), upper[apart], lower[apart], np.ones(apart.sum())
    ))
    return [roots[np.isin(group, level)] for level in levels]


def _towards(start, goal, share):
    """Unit rows ``share`` of the way from ``start`` to ``goal`` along the
    great circle (all unit rows)."""
    cosine = np.clip(np.einsum("ij,ij->i", start, goal), -1.0, 1.0)
    normal = goal - cosine[:, None] * start
    length = np.linalg.norm(normal, axis=1)
    apart = length > 1e-12  # opposite or equal directions: no plane, no turn
    normal[apart] /= length[apart, None]
    angle = np.where(apart, share * np.arccos(cosine), 0.0)
    return np.cos(angle)[:, None] * start + np.sin(angle)[:, None] * normal


def _rotate(x, start, end):
    """Each row of ``x`` turned by the rotation that takes the unit row
    ``start`` to the unit row ``end`` in their plane, fixing everything
    perpendicular to it."""
    cosine = np.clip(np.einsum("ij,ij->i", start, end), -1.0, 1.0)
    normal = end - cosine[:, None] * start
    sine = np.linalg.norm(normal, axis=1)
    turned = sine > 0
    normal[turned] /= sine[turned, None]
    along, across = np.einsum("ij,ij->i", x, start), np.einsum("ij,ij->i", x, normal)
    return (
        x
        + ((cosine - 1.0) * along - sine * across)[:, None] * start
        + ((cosine - 1.0) * across + sine * along)[:, None] * normal
    )


# How many times face_pulls deals a family's turns out and turns them
# together towards the pulls. Few are needed: one round and three laid the
# nouns out alike in 20 dimensions (mean rank / MAP of the layout 7.24 /
# 0.943 and 7.32 / 0.942, every pulled family turned).
FACE_ROUNDS = 3


def face_pulls(turns, parents, pulls, axes, turning=None):
    """Deal each family's turns out again, and turn a family with a member
    marked in ``turning`` as a whole, so that its members face their pulls
    as much as they can together: the largest total of ``turn . pull``.

    Both moves keep the family's spread (the angles between its turns):
    dealing the turns out among the members is an assignment problem,
    solved exactly; turning them all about the parent's axis (``axes``,
    the parents' points), towards the pulls of the marked members, an
    orthogonal Procrustes problem. Each is the best move given the other,
    and they take turns :data:`FACE_ROUNDS` times, ending with a deal; the
    turns stay perpendicular to the axis. A family's members are
    consecutive rows, as :func:`~sklpoincare.hierarchy.forest_levels`
    lists them.
    """
    pulled = np.any(pulls, axis=1)
    if not pulled.any():
        return turns
    turns = turns.copy()
    turning = np.zeros(len(turns), dtype=bool) if turning is None else turning & pulled
    starts = family_starts(parents)
    ends = np.r_[starts[1:], len(parents)]
    for start, end in zip(starts, ends):
        # past MAX_SPREAD_SIBLINGS the turns are random, not spread, and the
        # assignment's cubic cost would not pay
        if not 2 <= end - start <= MAX_SPREAD_SIBLINGS or not pulled[start:end].any():
            continue
        family, family_pulls = turns[start:end], pulls[start:end]
        if turning[start:end].any():
            axis = axes[start] / np.linalg.norm(axes[start])
            family_pulls = family_pulls - np.outer(family_pulls @ axis, axis)
            turned_pulls = family_pulls * turning[start:end, None]
            for _ in range(FACE_ROUNDS):
                family = _deal(family, family_pulls)
                family = family @ _turn_towards(family, turned_pulls, axis)
            # rounding: back onto the unit sphere perpendicular to the axis
            family = unit_rows(family - np.outer(family @ axis, axis))
        turns[start:end] = _deal(family, family_pulls)
    return turns


def _deal(turns, pulls):
    """``turns`` in the order that faces ``pulls`` best (row by row)."""
    _, order = linear_sum_assignment(pulls @ turns.T, maximize=True)
    return turns[order]


def _turn_towards(turns, pulls, axis):
    """The orthogonal matrix R that keeps ``axis`` and makes the total of
    ``(turns R) . pulls`` the largest (orthogonal Procrustes). The axis is
    weighted past every other singular value, so that R keeps it exactly
    and turns only the directions perpendicular to it."""
    target = turns.T @ pulls
    target += (1.0 + np.linalg.norm(target)) * np.outer(axis, axis)
    left, _, right = np.linalg.svd(target)
    return left @ right


# Below MAKE_ROOM_BELOW dimensions a family's big subtrees take more room
# (make_room): there the sphere of turns is crowded, and the nouns and random
# taxonomies rank better; from 6 dimensions on they rank no better, and in
# 10 the room turns the faced members away from their crossings
# (doc/training_choices.rst). It takes ROOM_STEPS steps
# of repulsion, families of the same size together, in batches of at most
# ROOM_BATCH entries of their k x k weights.
MAKE_ROOM_BELOW = 6
ROOM_STEPS = 30
ROOM_BATCH = 1 << 20


def make_room(turns, parents, axes, weights):
    """Move the turns of each family apart on their sphere, each pair with a
    force in proportion to the product of their ``weights``: a member with
    a big subtree pushes its siblings farther away, as the plane's wedges
    give it a wider share (:func:`wedge_angles`), so its subtree is laid out
    with fewer cousins near it. A family whose weights are all equal, or
    which is past :data:`MAX_SPREAD_SIBLINGS`, keeps its turns. ``axes`` are
    the parents' points, which the turns stay perpendicular to; the rows of
    a family are consecutive (:func:`~sklpoincare.hierarchy.forest_levels`).
    """
    starts = family_starts(parents)
    counts = np.diff(np.r_[starts, len(parents)])
    turns = turns.copy()
    for k in np.unique(counts[(counts >= 3) & (counts <= MAX_SPREAD_SIBLINGS)]):
        rows = starts[counts == k][:, None] + np.arange(k)
        rows = rows[np.ptp(weights[rows], axis=1) > 0]
        batch = max(1, ROOM_BATCH // (k * k))
        for first in range(0, len(rows), batch):
            chunk = rows[first : first + batch]
            family_weights = weights[chunk]
            turns[chunk] = _repel(
                turns[chunk], ROOM_STEPS, 0.25,
                family_weights[:, :, None] * family_weights[:, None, :],
                unit_rows(axes[chunk[:, 0]]),
            )
    return turns


def _repel(x, steps, step_size, pair_weights=None, axes=None):
    """``steps`` steps of a repulsion on families ``x`` (families x k x m
    unit vectors), in place: energy sum of ``pair_weights[i, j] / |x_i -
    x_j|^2`` (1 without weights), each family's largest move ``step_size``
    times the typical spacing of k points, decaying to zero. With ``axes``
    (families x m unit vectors) the points stay perpendicular to them."""
    k, m = x.shape[1:]
    sphere_dim = m - 1 if axes is None else m - 2
    spacing = k ** (-1.0 / max(sphere_dim, 1))  # the typical distance between neighbours
    diagonal = np.arange(k)
    for step in range(steps):
        # on the unit sphere |x_i - x_j|^2 = 2 - 2 <x_i, x_j>
        weight = x @ x.transpose(0, 2, 1)
        weight *= -2.0
        weight += 2.0
        np.maximum(weight, 1e-6, out=weight)
        weight *= weight
        # the force of j on i: (x_i - x_j) / |x_i - x_j|^4, times the pair's weight
        if pair_weights is None:
            np.reciprocal(weight, out=weight)
        else:
            np.divide(pair_weights, weight, out=weight)
        weight[:, diagonal, diagonal] = 0.0
        force = x * weight.sum(axis=2)[:, :, None] - weight @ x
        force -= np.einsum("fkm,fkm->fk", force, x)[:, :, None] * x  # along the sphere
        if axes is not None:
            force -= np.einsum("fkm,fm->fk", force, axes)[:, :, None] * axes[:, None, :]
        largest = np.sqrt(np.einsum("fkm,fkm->fk", force, force).max(axis=1))
        if not (largest > 0).any():
            break
        scale = np.divide(
            step_size * spacing * (1 - step / steps), largest,
            out=np.zeros_like(largest), where=largest > 0,
        )
        x += scale[:, None, None] * force
        if axes is not None:
            x -= np.einsum("fkm,fm->fk", x, axes)[:, :, None] * axes[:, None, :]
        x /= np.linalg.norm(x, axis=2, keepdims=True)
    return x


# Siblings are spread by repulsion, which costs k^2 per step for k siblings:
# past MAX_SPREAD_SIBLINGS children of one parent their directions are
# random, as before spreading. SPREAD_STEPS steps get within a degree or
# so of the converged spacing (664 siblings in 4 dimensions: 16.7 degrees
# apart after 50 steps, 17.2 after 200; random directions: 2).
MAX_SPREAD_SIBLINGS = 1000
SPREAD_STEPS = 50


def spread_turns(parent_points, parents, rng, codes=None):
    """A unit vector perpendicular to its parent's direction for each row,
    those of the children of one parent spread evenly apart."""
    n, dim = parent_points.shape
    _, group_of = np.unique(parents, return_inverse=True)
    turns = np.zeros((n, dim))
    turns[:, 1:] = _spread(group_of, dim - 1, rng, codes)  # perpendicular to e_0
    # the reflection that takes e_0 to +-(the parent's direction) takes
    # those onto vectors perpendicular to it
    axis = unit_rows(parent_points)
    axis *= np.where(axis[:, :1] < 0, -1.0, 1.0)
    axis[:, 0] += 1.0
    turns -= axis * (2 * np.einsum("ij,ij->i", axis, turns) / np.einsum("ij,ij->i", axis, axis))[
        :, None
    ]
    return unit_rows(turns)


def spread_directions(groups, dim, rng, codes=None):
    """Unit vectors of R^dim, those of a group spread evenly apart."""
    _, group_of = np.unique(groups, return_inverse=True)
    return _spread(group_of, dim, rng, codes)


def _spread(group_of, m, rng, codes=None):
    """Unit vectors of R^m, one per row; the k rows of a group get the k
    points of a spherical code, reflected at random (one mirror per group).
    ``codes`` caches the codes by ``(size, m)``."""
    n = len(group_of)
    sizes = np.bincount(group_of)
    # each row's place in its group: 0, 1, ... in row order
    rank = np.empty(n, dtype=np.intp)
    rank[np.argsort(group_of, kind="stable")] = _ranges(np.zeros_like(sizes), sizes)
    codes = {} if codes is None else codes
    row_sizes = sizes[group_of]
    spread = [int(k) for k in np.unique(row_sizes) if k <= MAX_SPREAD_SIBLINGS] if m >= 2 else []
    out = np.empty((n, m))
    # the rows of each size, in row order, from one sort (a scan of all rows
    # per size grew with the number of sizes times the rows)
    by_size = np.argsort(row_sizes, kind="stable")
    sorted_sizes = row_sizes[by_size]
    for k in spread:
        size = _code_size(k)
        if (size, m) not in codes:
            codes[size, m] = _spherical_code(size, m)
        first, last = np.searchsorted(sorted_sizes, [k, k + 1])
        rows = by_size[first:last]
        out[rows] = codes[size, m][rank[rows]]
    rest = np.flatnonzero(~np.isin(row_sizes, spread))
    out[rest] = rng.standard_normal((len(rest), m))  # random points instead
    mirror = unit_rows(rng.standard_normal((len(sizes), m)))[group_of]
    out -= mirror * (2 * np.einsum("ij,ij->i", mirror, out))[:, None]
    return unit_rows(out)


def _code_size(k):
    """The size of the code that k siblings take their first k points from:
    k itself up to 64, then the next of a ladder of sizes 10 % apart, so
    that a taxonomy with many different large families computes few codes."""
    if k <= 64:
        return k
    return int(np.ceil(64 * 1.1 ** np.ceil(np.log(k / 64) / np.log(1.1) - 1e-9)))


def _spherical_code(k, m):
    """k points of the unit sphere of R^m, pushed apart by a repulsion
    (energy sum of 1 / |x_i - x_j|^2) from a fixed random start."""
    x = unit_rows(np.random.default_rng([k, m]).standard_normal((k, m)))
    if k == 1:
        return x
    x = x.astype(np.float32)  # a start needs no more, and it halves the work
    x = _repel(x[None], SPREAD_STEPS, 0.5)[0]
    return unit_rows(x.astype(np.float64))


def wedge_angles(tree_parent, levels, sizes, rng):
    """Polar angle of each node in a radial layout of the forest.

    In the plane a cone has no room for a random turn: the circle is cut
    into wedges instead, the roots sharing it and each node's children
    sharing its wedge, in proportion to their subtree sizes, and each node
    sits in the middle of its wedge. Subtrees then start side by side and
    never interleave. The circle starts at a random angle.
    """
    start = np.zeros(len(tree_parent))
    width = np.zeros(len(tree_parent))
    roots = levels[0]
    width[roots] = 2 * np.pi * sizes[roots] / sizes[roots].sum()
    start[roots] = rng.uniform(0, 2 * np.pi) + np.cumsum(width[roots]) - width[roots]
    for level in levels[1:]:
        parents = tree_parent[level]
        order = np.argsort(parents, kind="stable")
        level, parents = level[order], parents[order]
        # each child's share of its parent's wedge; the children of a node
        # hold all of its subtree but itself
        share = width[parents] * sizes[level] / (sizes[parents] - 1)
        start[level] = start[parents] + earlier_siblings_sum(share, parents)
        width[level] = share
    return start + width / 2


# After training, a child is moved out to at least this far (in hyperbolic
# radius) beyond the farthest of its parents, when it is not already there.
RADIAL_ORDER_MARGIN = 1e-3


def order_radii(points, graph, max_norm, margin=RADIAL_ORDER_MARGIN):
    """Move, in place, each node nearer the origin than one of its parents
    out to just beyond that parent, along its own direction.

    So that the norm orders every relation, as a hierarchy's embedding
    should: the root nearest the origin, each parent nearer than its
    children. Nodes are visited parents first (topological levels), so a
    moved node's children are checked against where it ends up. A node at
    the origin takes the direction of its farthest parent. Radii are capped
    at the norm bound ``max_norm``, where a child of a parent at the bound
    stays level with it. Rows that need no move are left untouched (bit for
    bit); relations with a cycle, which no radii can order, leave every row
    as it is. Returns the number of nodes moved.
    """
    try:
        levels = topological_levels(graph)
    except HierarchyCycleError:
        return 0
    radius = poincare_radius(points)
    cap = radius_of_norm(max_norm)
    indptr, parents = graph.parent_indptr, graph.parent_indices
    moved = []
    for level in levels[1:]:  # every node of these has a parent
        # the parents of the level's nodes, row after row of the CSR
        counts = indptr[level + 1] - indptr[level]
        starts = np.cumsum(counts) - counts
        level_parents = parents[_ranges(indptr[level], indptr[level + 1])]
        farthest = np.maximum.reduceat(radius[level_parents], starts)
        need = np.minimum(farthest + margin, cap)
        short = np.flatnonzero(radius[level] < need)
        if not len(short):
            continue
        ids = level[short]
        radius[ids] = need[short]
        directions = unit_rows(points[ids])
        at_origin = np.flatnonzero(~np.any(points[ids], axis=1))
        for k in at_origin:  # rare: take the direction of the farthest parent
            own = parents[indptr[ids[k]] : indptr[ids[k] + 1]]
            directions[k] = unit_rows(points[own[[np.argmax(radius[own])]]])[0]
        points[ids] = directions * norm_of_radius(radius[ids])[:, None]
        moved.append(ids)
    return int(sum(len(ids) for ids in moved))
