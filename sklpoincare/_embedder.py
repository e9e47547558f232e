"""PoincareEmbedder: the estimator. Validation, the epoch loop, transform, score.

The arithmetic of an epoch lives in ``_sgd_fast.pyx``; this module prepares
the typed arrays, owns the random state and the learning-rate schedule, and
checks that training stays finite.
"""

import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._set_output import ADAPTERS_MANAGER, _get_output_config
from sklearn.utils.validation import check_is_fitted

from ._growth import extend_graph, graph_from_adjacency, place_new_nodes
from ._features import FEATURES, Standardisation, landmark_rows, node_features
from ._initialization import best_hierarchical_embedding, order_radii, random_embedding
from .hierarchy import (
    MAX_RELATIONS,
    ancestor_closure,
    ancestors_above,
    break_cycles,
    close_graph,
    multi_parent_share,
)
from ._relations import (
    LabelIndex,
    alias_table,
    as_label_table,
    as_relation_table,
    check_relations,
    label_ids,
    lookup_labels,
    warn_if_reversed,
)
from ._manifolds import MANIFOLDS, get_geometry
from ._progress import ProgressReporter, report_stage
from ._queries import EmbeddingQueriesMixin
from ._is_a import fit_is_a_calibration
from ._scorers import filtered_ranks
from ._sgd_fast import train_epoch
from ._threads import N_JOBS_CONSTRAINT
from ._threads import n_threads as _n_threads

# During burn-in the rate is learning_rate * _BURN_IN_RATE_FACTOR, as the
# paper's c = 10.
_BURN_IN_RATE_FACTOR = 0.1
# For this share of the relations (u, v), subtree negatives come from the
# subtree of a random ancestor of v (u's cousins), not of v (u's siblings):
# cousins compete with v for u's first ranks. Measured in
# doc/training_choices.rst ("half of the subtree draws from an ancestor's").
_ANCESTOR_SUBTREE_SHARE = 0.5
# init="auto" starts from random points at these dimensions, where the
# layouts lose to it (see ``init``); at 2 the plane's wedge layout, from 3
# the cone layout (with siblings spread around their parent it wins in 3
# dimensions too; doc/training_choices.rst)
_AUTO_RANDOM_START_COMPONENTS = (1,)
# init="auto" lays out relations with cycles (closure=False) when breaking
# the cycles keeps at least this share of them: the mammals with 1 % or 5 %
# of their closure pairs reversed (98.6 % and 94.1 % kept) lay out better
# than a random start, with 10 % or more (89 % kept or less), or with 30 %
# of the links also given the other way (76 % kept), they do not
# (doc/training_choices.rst).
_AUTO_LAYOUT_MIN_KEPT = 0.9
# init="auto" starts from random points, from this many dimensions, where at
# least this share of the nodes has several direct parents: the layout
# follows one parent per node, and there a random start ranks better (the
# lattice and the items filed under two categories of benchmarks.rst, random
# taxonomies with half their nodes under two parents; at 20 to 30 % the two
# trade mean rank for MAP, below it the layout wins, WordNet's nouns having
# 2.6 %; in 2 dimensions the wedge layout wins at half too;
# doc/training_choices.rst).
_AUTO_RANDOM_SEVERAL_PARENTS = 0.4
_AUTO_RANDOM_SEVERAL_PARENTS_FROM = 3
# learning_rate="auto": from the hierarchical start larger steps rank better
# in the same epochs; a random start (and the Euclidean baseline's plain
# SGD) needs the smaller rate. Measured in doc/training_choices.rst
# ('Changed: learning_rate="auto"').
_AUTO_RATE_FROM_LAYOUT = 1.0
_AUTO_RATE_FROM_RANDOM = 0.3
# Far from the origin a Riemannian step hardly turns a point (by about
# 1 / sinh(r)^2 of its gradient's turning part), so training kept the
# layout's directions; the turn of each step is scaled up by sinh(r), up to
# this factor (radius asinh(1e3) = 7.6). Measured in doc/training_choices.rst
# ("each step turns a point as if it were nearer the origin").
_MAX_TURN_SCALE = 1e3

# Smallest eps: at norm 1 - eps, 1 - |x|^2 ~ 2 eps must stay well above the
# rounding error of a sum of n_components squares (~n_components * 1.1e-16).
_MIN_EPS = 1e-12

# Private attributes that only save work between calls (_keep_query_caches).
_QUERY_CACHES = ("_label_index", "_standardisation")

# The kernels count the negatives and the parent of a relation in a C int.
_MAX_NEGATIVES = 2**31 - 2


def _shuffled_order(rng, n_relations):
    """The relations' order for one epoch: a permutation drawn from ``rng``."""
    return rng.permutation(n_relations).astype(np.int32)


# auto_wrap_output_keys=None: transform builds its own pandas / polars output,
# because its number of output columns follows its input (one block of
# n_components columns per label column), which scikit-learn's generic
# wrapper, naming columns from fit, cannot know.
class PoincareEmbedder(
    EmbeddingQueriesMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """Learn Poincaré embeddings of a hierarchy from (child, parent) relations.

    Each node of the hierarchy becomes a point of the open unit ball of
    dimension ``n_components`` (Nickel & Kiela, 2017). Training pulls every
    child towards its parents and pushes it away from sampled non-parents, in
    hyperbolic distance; general nodes end up near the origin and specific
    ones near the boundary. So the norm of a point says how general a node is,
    and the distance between two points how related they are.

    The fitted embedder is a transformer: :meth:`transform` maps node labels to
    numeric features (see ``features``), so a categorical column whose values
    are nodes of the hierarchy becomes columns that ordinary estimators can
    use, for nodes they never saw in training.

    Parameters
    ----------
    n_components : int, default=10
        Dimension of the Poincaré ball. Ten dimensions reconstruct the
        WordNet nouns about as well as fifty, at a fifth of the cost; two
        are for pictures. See :ref:`comparison-nouns` and
        :ref:`benchmarks-parameters`.

    manifold : {"poincare", "lorentz", "euclidean"}, default="poincare"
        Model in which training runs. ``"poincare"``: Riemannian SGD in the
        ball with the paper's first-order update and projection, each
        step's turn about the origin scaled up from 3 dimensions (see
        Notes).
        ``"lorentz"``: the hyperboloid model (Nickel & Kiela, 2018) with its
        exact exponential-map update, which moves a point by the same
        hyperbolic length wherever it is; :attr:`embedding_` is still given
        in Poincaré-ball coordinates. It takes plain steps, without the
        ball's scaled turns, and costs more per step. ``"euclidean"``: the
        paper's Euclidean baseline (squared Euclidean distance, plain SGD,
        no norm bound); :attr:`embedding_` is then ordinary coordinates and
        :meth:`score` ranks by Euclidean distance. See :ref:`benchmarks-parameters`.

    n_epochs : int, default=200
        Passes over the relations, burn-in included. Beyond 200, mean rank
        and MAP barely improve. See :ref:`benchmarks-parameters`.

    learning_rate : float or "auto", default="auto"
        Rate of the Riemannian SGD steps (one step per relation) after
        burn-in. It decays linearly to zero over the epochs that follow
        burn-in, so the last epochs settle the points instead of shaking
        them. Much smaller rates need many more epochs. ``"auto"``: 1.0
        when a hyperbolic model starts from the hierarchy (see ``init``),
        else 0.3 (a random start, or ``manifold="euclidean"``). See
        :ref:`benchmarks-parameters`.

    n_negatives : int, default=50
        Non-parents sampled for each relation, as in the paper.

    subtree_negatives : float in [0, 1], default=0.02
        Share of the negatives of a relation (u, v) drawn near u instead of
        uniformly among all nodes (after burn-in; a draw that hits u or a
        parent of u is redrawn): for half of the relations among the
        descendants of v (u's siblings and their descendants), for the
        other half among the descendants of a random ancestor of v (u's
        cousins too). These are the non-parents hardest to keep farther
        from u than v, and uniform draws alone (``0``, the paper's
        sampling) see them rarely on a large hierarchy. A small share is
        enough; a large one costs mean rank. See
        :ref:`benchmarks-parameters`.

    burn_in : int, default=50
        With a random start (see ``init``), the number of initial epochs run
        at a tenth of ``learning_rate``, with negatives sampled in proportion
        to node degree (the paper's burn-in). It finds the angular layout
        that a random start lacks, before points move outwards; the
        hierarchical start has that layout and skips it. See
        :ref:`benchmarks-parameters`.

    init : {"auto", "hierarchy", "random"}, default="auto"
        Where training starts. ``"random"``: coordinates uniform in
        ``[-init_range, init_range]``, as in the paper, followed by
        ``burn_in``. ``"hierarchy"``: a layout computed from the relations,
        with each node along a spanning forest at a radius that grows with
        how specific it is, inside its parent's cone, siblings spread evenly
        around the parent (below 6 dimensions, the big subtrees given more
        room; in 2, in a wedge of the disk shared among siblings by subtree
        size); a node with several direct parents
        starts in the cone of the one that leaves the fewest specific
        ancestors off its path; with several roots, a tree of the forest
        that is mostly above nodes of other trees (a whole whose parts hang
        from other wholes) turned towards them. The forest is read off the
        transitive closure of the relations, so a closure that misses some
        implied relations (held out, say) is laid out like the complete
        one. It needs no burn-in, and on a large hierarchy it reaches what
        a random start never does. ``"auto"``: ``"hierarchy"``, except
        ``"random"`` in 1 dimension, where the layout has no room; from 3
        dimensions, where at least 40 % of the nodes have several direct
        parents (a lattice, items filed under several categories), which a
        layout along one parent per node does not fit; and for
        relations whose cycles (possible with ``closure=False``) cannot be
        broken without dropping more than a tenth of them, such as an
        undirected graph: no order fits those. Otherwise the layout breaks
        each cycle at the relations that run against the order of the rest
        (a hierarchy with a few relations reversed by mistake). See
        :ref:`benchmarks-parameters`.

    init_range : float, default=1e-3
        With ``init="random"``, initial coordinates are drawn uniformly in
        ``[-init_range, init_range]``. Also the spread of nodes that start
        without any placed ancestor in :meth:`partial_fit`.

    n_init : int, default=1
        With the hierarchical start, the number of layouts drawn (the
        directions of siblings are turned at random, which decides how
        subtrees meet their cousins); training starts from the one that
        ranks best the relations of up to 2,000 children drawn at random.
        Each draw costs a layout and that ranking, about a second on the
        WordNet nouns. The best of 8 ranked the nouns a little better on
        average at 10 dimensions and as well at 5, with less spread over
        seeds; at 5 a layout that ranks better alone does not reliably
        train better
        (:ref:`training-choices-n-init`). In 2 dimensions the layouts
        differ only by a rotation. Ignored with a random start.

    eps : float in [1e-12, 1), default=1e-8
        Points are kept at norm at most ``1 - eps``, strictly inside the ball
        (with ``manifold="lorentz"``, at the hyperboloid points that map
        there): within hyperbolic radius 19.1 for 1e-8, 12.2 for the paper's
        1e-5. More room spreads a hierarchy better; closer to the boundary
        than 1e-12, ``1 - |x|^2`` drowns in the rounding error of
        ``|x|^2``. The hierarchical start puts the leaves at radius 14, or 2
        inside the bound when that is nearer. Ignored with
        ``manifold="euclidean"``. See :ref:`benchmarks-parameters`.

    closure : bool, default=True
        Train on the transitive closure of the relations: every
        (descendant, ancestor) pair they imply, computed once before
        training. So a taxonomy can be given as its direct parent links, a
        partial closure or the complete one, with the same result. A
        relation given in ``X`` keeps its ``sample_weight``; an implied one
        gets weight 1. Relations with a cycle are then an error that names
        the cycle. ``False`` trains on the relations exactly as given, as
        the paper does (it gives the closure): for graphs that are not
        hierarchies, and for link prediction, where held-out relations must
        not be implied by the training ones. Its negatives still leave out
        the ancestors the relations imply, which training would otherwise
        push away (see :ref:`benchmarks-is-a`), except, on a cycle, the
        nodes that are below a node as well as above it: each link of an
        undirected graph given both ways keeps the rest of the graph among
        its negatives. See :ref:`benchmarks-direct-links`.

    max_closure_size : int, default=100_000_000
        With ``closure=True``, the largest number of pairs the closure may
        hold; a larger one raises a ``ValueError`` (before it is built when
        its size can be bounded from below in advance). ``fit`` needs about
        70 bytes per pair at its peak (the hierarchical start), training
        about 24 (see :ref:`benchmarks-scale`).

    features : {"landmarks", "tangent", "hyperboloid", "embedding"}, \
            default="landmarks"
        What :meth:`transform` returns for a node at ball point ``x``, at
        hyperbolic radius ``r`` from the origin (:attr:`embedding_` always
        holds the ball coordinates):

        - ``"landmarks"``: the ``n_components`` coordinates ``r x / |x|``,
          then the Gromov product of the node with each of the
          ``n_landmarks`` most general nodes (in a tree, the depth of their
          lowest common ancestor: one threshold on the column of ``l`` picks
          out ``l``'s subtree), every column standardised over the fitted
          nodes. Best for linear models, neural networks and trees alike.
        - ``"tangent"``: ``r x / |x|``, the logarithmic map at the origin.
        - ``"hyperboloid"``: ``(cosh r, sinh r x / |x|)``, in which a
          hyperbolic half-space is linear; values reach ``2 / eps``.
        - ``"embedding"``: the rows of :attr:`embedding_`.

        Ignored with ``manifold="euclidean"``, whose coordinates are
        returned as they are. See :ref:`benchmarks-features`.

    n_landmarks : int, default=128
        With ``features="landmarks"``, how many of the most general nodes
        (nearest the origin) give a column each; all nodes when there are
        fewer.

    handle_unknown : {"error", "ignore"}, default="error"
        What :meth:`transform` does with labels not seen in ``fit``: raise a
        ``ValueError`` naming them, or map them to the origin (the most
        general point).

    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the order of relations and the negative
        sampling. Pass an int for reproducible results. :meth:`partial_fit`
        draws on from where the fit it continues stopped: each call shuffles
        and samples anew.

    n_jobs : int, default=None
        Number of threads for training and scoring. ``None`` means 1, ``-1``
        all cores. With ``n_jobs=1`` and a fixed ``random_state`` two fits are
        bitwise identical; with more threads, updates race Hogwild style and
        results are not reproducible.

    verbose : int, default=0
        0 is silent, 1 reports about ten times during training, 2 every
        epoch and, before training, the size and time of each stage of
        :meth:`fit` (relations, closure, start).

    callback : callable, default=None
        Called after every epoch as ``callback(epoch, loss, embedding, nodes)``
        with the 1-based epoch number (its place in ``loss_curve_``: a warm
        start and :meth:`partial_fit` count on), its mean loss, the current embedding
        (a read-only view; copy it to keep it; the radii of the fitted one
        are put in order after the last epoch, see Notes) and the node labels. Returning
        ``True`` stops training after that epoch. Use it to log, to evaluate
        during training or to stop early.

    warm_start : bool, default=False
        When True and the embedder is fitted, :meth:`fit` starts from the
        current embedding instead of a random one and runs another
        ``n_epochs`` epochs, without burn-in (the layout it sets up exists
        already), the rate decaying linearly from ``learning_rate``. Nodes
        new to the relations start next to their most specific known
        parent. See also :meth:`partial_fit`.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_nodes, n_components)
        One row per node, in Poincaré-ball coordinates (every row of norm < 1)
        whether training ran in the ball or on the hyperboloid; ordinary
        coordinates with ``manifold="euclidean"``.

    nodes_ : ndarray of shape (n_nodes,)
        Node labels in row order of ``embedding_``: sorted when the labels
        can be compared with each other, else in order of first appearance.
        Integer labels give an int64 array (also when given as a list of
        Python ints), strings and mixed labels an object array.

    adjacency_ : scipy.sparse.csr_matrix of shape (n_nodes, n_nodes)
        The deduplicated training relations (with ``closure=True``, the
        transitive closure of those given): entry (i, j) is the weight of
        "node i is a child of node j". :meth:`score` uses it to filter known
        parents, :meth:`partial_fit` extends it.

    loss_curve_ : list of float
        Mean loss per relation for each epoch, over all calls to :meth:`fit`
        (with ``warm_start=True``) and :meth:`partial_fit` since the last
        fresh start.

    n_iter_ : int
        Number of epochs run, ``len(loss_curve_)``.

    learning_rate_ : float
        The learning rate used: ``learning_rate``, with ``"auto"`` resolved.

    is_a_calibration_ : dict of ndarray or None
        Maps the geometry of a pair to its :meth:`is_a_score`, fitted after
        training on up to 50,000 known relations (the closure of the
        relations, also with ``closure=False``) against corrupted pairs
        (random parent or child, and the relation reversed; none a known
        relation): by the parent's distance from the origin, the share of
        known relations among pairs that lie alike. ``children_outward``
        says whether every known relation drawn has its child farther from
        the origin than its parent (or level with it at the norm bound).
        None when no corrupted pair can be drawn.

    n_features_in_ : int
        Number of columns of the relations seen in ``fit`` (2).

    feature_names_in_ : ndarray of shape (2,)
        Column names of ``X`` when it is a DataFrame with string column names.

    See Also
    --------
    sklpoincare.metrics.ranking_scores : Mean rank and MAP of an embedding.

    Notes
    -----
    A relation (u, v) means "u is a v": u is the child (more specific), v the
    parent (more general). By default training runs on the transitive
    closure of the relations (every (descendant, ancestor) pair), as the
    paper's does, so direct parent links are enough. Duplicate relations
    count once; self-loops are rejected.

    The loss of a relation is the softmax cross-entropy of
    ``-d(u, v)`` against ``-d(u, v')`` for the sampled non-parents ``v'``;
    every point involved follows its Riemannian gradient and is projected back
    inside the ball. In the ball, from 3 dimensions, the part of each step
    that turns a point about the origin is scaled by ``sinh`` of the point's
    distance from it (at most 1,000 times), without which points far out
    hardly turn (see :ref:`training-choices-turn-scale`). After training,
    the few nodes that ended nearer the origin than one of their parents
    are moved out along their direction to just beyond it, so that the norm
    orders every relation (see :ref:`training-choices-order-radii`).

    References
    ----------
    M. Nickel and D. Kiela. "Poincaré Embeddings for Learning Hierarchical
    Representations". Advances in Neural Information Processing Systems 30
    (NeurIPS 2017).

    M. Nickel and D. Kiela. "Learning Continuous Hierarchies in the Lorentz
    Model of Hyperbolic Geometry". ICML 2018.

    Examples
    --------
    >>> from sklpoincare import PoincareEmbedder
    >>> relations = [("dog", "mammal"), ("cat", "mammal"), ("mammal", "animal")]
    >>> embedder = PoincareEmbedder(n_components=5, n_landmarks=2, random_state=0)
    >>> embedder.fit(relations).adjacency_.nnz  # trained on the closure
    5
    >>> embedder.transform(["dog", "animal"]).shape
    (2, 7)
    >>> embedder.get_feature_names_out(["node"]).tolist()
    ['node_0', 'node_1', 'node_2', 'node_3', 'node_4', 'node_gromov_animal', 'node_gromov_mammal']
    >>> list(embedder.nodes_)
    ['animal', 'cat', 'dog', 'mammal']
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "manifold": [StrOptions(set(MANIFOLDS))],
        "n_epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "n_negatives": [Interval(Integral, 1, _MAX_NEGATIVES, closed="both")],
        "subtree_negatives": [Interval(Real, 0, 1, closed="both")],
        "burn_in": [Interval(Integral, 0, None, closed="left")],
        "init": [StrOptions({"auto", "hierarchy", "random"})],
        "init_range": [Interval(Real, 0, 1, closed="neither")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "eps": [Interval(Real, _MIN_EPS, 1, closed="left")],
        "closure": ["boolean"],
        "max_closure_size": [Interval(Integral, 1, MAX_RELATIONS, closed="both")],
        "features": [StrOptions(set(FEATURES))],
        "n_landmarks": [Interval(Integral, 1, None, closed="left")],
        "handle_unknown": [StrOptions({"error", "ignore"})],
        "random_state": ["random_state"],
        "n_jobs": N_JOBS_CONSTRAINT,
        "verbose": ["verbose"],
        "callback": [callable, None],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        n_components=10,
        *,
        manifold="poincare",
        n_epochs=200,
        learning_rate="auto",
        n_negatives=50,
        subtree_negatives=0.02,
        burn_in=50,
        init="auto",
        init_range=1e-3,
        n_init=1,
        eps=1e-8,
        closure=True,
        max_closure_size=100_000_000,
        features="landmarks",
        n_landmarks=128,
        handle_unknown="error",
        random_state=None,
        n_jobs=None,
        verbose=0,
        callback=None,
        warm_start=False,
    ):
        self.n_components = n_components
        self.manifold = manifold
        self.n_epochs = n_epochs
        self.learning_rate = learning_rate
        self.n_negatives = n_negatives
        self.subtree_negatives = subtree_negatives
        self.burn_in = burn_in
        self.init = init
        self.init_range = init_range
        self.n_init = n_init
        self.eps = eps
        self.closure = closure
        self.max_closure_size = max_closure_size
        self.features = features
        self.n_landmarks = n_landmarks
        self.handle_unknown = handle_unknown
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.callback = callback
        self.warm_start = warm_start

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Learn the embedding of the nodes of the relations ``X``.

        Parameters
        ----------
        X : array-like of shape (n_relations, 2), DataFrame or sparse matrix
            One relation per row, child first: a 2-column array or list of
            (child, parent) pairs of hashable labels, a DataFrame (its first
            two columns are used), or a square sparse adjacency matrix whose
            entry (i, j) > 0 says that node i is a child of node j (labels
            ``0..n-1``, the stored values are the relation weights). Direct
            parent links are enough with ``closure=True``.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_relations,), default=None
            Weight of each relation in the loss. A relation given several
            times counts once, with the largest of its weights. A weight
            multiplies its relation's step, as in ``SGDClassifier``: weights
            far above 1 (counts, say) act as a larger ``learning_rate``, so
            divide them by their mean.

        Returns
        -------
        self : PoincareEmbedder
            The fitted embedder.

        Warns
        -----
        ReversedRelationsWarning
            With ``closure=True``, when ``X`` looks like (parent, child) rows
            (see :class:`~sklpoincare.exceptions.ReversedRelationsWarning`).
        """
        with self._stage("relations") as stage:
            graph, names = check_relations(X, sample_weight)
            if self.closure:  # a hierarchy: its orientation can be checked
                warn_if_reversed(graph, names)
            stage.detail = f"{len(graph.children):,} among {graph.n_nodes:,} nodes"
        with self._stage("closure") as stage:
            graph, ancestors = self._training_graph(graph)
            stage.detail = self._closure_detail(graph, ancestors)
        rng = check_random_state(self.random_state)
        warm = self.warm_start and hasattr(self, "embedding_")
        with self._stage("start") as stage:
            if warm:
                stage.detail = "from the fitted embedding"
                start = self._start
                embedding = self._continued_embedding(graph, rng)
                burn_in, loss_curve = 0, list(self.loss_curve_)
            else:
                start, embedding = self._fresh_start(graph, rng, ancestors)
                stage.detail = start
                burn_in, loss_curve = self._burn_in_epochs(start), []
        not_negatives = self._not_negatives(graph, ancestors)
        del ancestors  # 8 bytes per pair of the closure that training does not need
        epochs = [
            (burn_in > 0 and epoch < burn_in, *self._epoch_rates(epoch, burn_in, start))
            for epoch in range(self.n_epochs)
        ]
        # epochs counted on from the fitted ones (warm start), as partial_fit does
        loss_curve += self._train(graph, embedding, rng, epochs, not_negatives, start,
                                  first_epoch=len(loss_curve))
        self._set_fitted_state(graph, embedding, loss_curve, names, not_negatives, start, rng)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Add the relations ``X``, then run one epoch over all relations.

        On an unfitted embedder the first call initialises the embedding.
        Later calls keep every node and relation learnt so far: the relations
        of ``X`` (with ``closure=True``, with all that they imply together with
        the known ones) are added to :attr:`adjacency_`, and labels new to the
        embedder are added to :attr:`nodes_`, each placed next to its most
        specific known parent, away from that parent's other children (new
        roots near the origin). The epoch then
        visits every known relation, old and new: revisiting the old ones is
        what keeps them from being forgotten while the new ones are learnt
        (an epoch costs as much as an epoch of :meth:`fit`, and each call
        also refits the calibration of :meth:`is_a_score` on up to 50,000
        known relations, as :meth:`fit` does once). Call it repeatedly to
        run more epochs.

        The first ``burn_in`` epochs of a fresh embedder are burn-in epochs;
        the others run at the constant rate ``learning_rate``, as there is no
        end of training to decay towards. With ``manifold="euclidean"``,
        whose plain SGD needs the decay, lower ``learning_rate`` (e.g. to
        0.03) before continuing a fitted embedder.

        Parameters
        ----------
        X : array-like of shape (n_relations, 2), DataFrame or sparse matrix
            (child, parent) relations, as for :meth:`fit`.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_relations,), default=None
            Weight of each relation of ``X``; see :meth:`fit`.

        Returns
        -------
        self : PoincareEmbedder
            The updated embedder.
        """
        new, names = check_relations(X, sample_weight)
        rng = None
        if hasattr(self, "embedding_"):
            names = self._continued_columns(names)
            # the stream of the fit continued: with an int random_state, a new
            # RandomState would repeat the same shuffle and negatives every call
            rng = getattr(self, "_rng", None)
        if rng is None:
            rng = check_random_state(self.random_state)
        if hasattr(self, "embedding_"):
            start = self._start
            old = graph_from_adjacency(self.nodes_, self.adjacency_)
            graph = extend_graph(old, new)
            adds_nothing = graph.n_nodes == old.n_nodes and len(graph.children) == len(
                old.children
            )
            # the closure of a closure is itself: repeated calls with known
            # relations (one epoch each) need not recompute it
            ancestors = None
            if not (
                adds_nothing and self.closure and getattr(self, "_adjacency_is_closure", False)
            ):
                graph, ancestors = self._training_graph(graph)
            embedding = self._continued_embedding(graph, rng)
            loss_curve = list(self.loss_curve_)
        else:
            graph, ancestors = self._training_graph(new)
            start, embedding = self._fresh_start(graph, rng, ancestors)
            loss_curve = []
        not_negatives = self._not_negatives(graph, ancestors)
        del ancestors  # as in fit
        epoch = len(loss_curve)
        in_burn_in = epoch < self._burn_in_epochs(start)
        rate = self._learning_rate(start) * (_BURN_IN_RATE_FACTOR if in_burn_in else 1.0)
        loss_curve += self._train(
            graph, embedding, rng, [(in_burn_in, rate, rate)], not_negatives, start,
            first_epoch=epoch,
        )
        self._set_fitted_state(graph, embedding, loss_curve, names, not_negatives, start, rng)
        return self

    def _stage(self, name):
        """Times a stage of ``fit``, and prints it with ``verbose >= 2``."""
        return report_stage(name, self.verbose)

    def _fresh_start(self, graph, rng, ancestors):
        """``(start, embedding)``: ``init`` resolved for the training
        ``graph`` (``"hierarchy"`` or ``"random"``), and the training
        coordinates it starts from. ``ancestors`` are those of
        :meth:`_training_graph`."""
        # The layout needs an order. A cycle is possible with closure=False
        # only: the layout then reads the relations with their cycles broken,
        # which serves a hierarchy with a few relations reversed.
        ordered = graph if self.closure else break_cycles(graph)
        if ordered is not graph:
            ancestors = None  # those of the ordered relations: the layout computes them
        start = self.init
        if start == "auto":
            start = "hierarchy"
            if int(self.n_components) in _AUTO_RANDOM_START_COMPONENTS:
                start = "random"
            # where breaking the cycles drops many relations (an undirected
            # graph drops all), no order fits and a random start ranks better
            elif len(ordered.children) < _AUTO_LAYOUT_MIN_KEPT * len(graph.children):
                start = "random"
            elif self._mostly_several_parents(ordered, ancestors):
                start = "random"
        return start, self._initial_embedding(ordered, rng, ancestors, start)

    def _mostly_several_parents(self, graph, ancestors):
        """Whether init="auto" starts ``graph`` at random for its share of
        nodes with several direct parents (see _AUTO_RANDOM_SEVERAL_PARENTS);
        ``ancestors`` as in :meth:`_fresh_start`, where they are known."""
        if int(self.n_components) < _AUTO_RANDOM_SEVERAL_PARENTS_FROM or ancestors is None:
            return False  # (closure=False only) ancestors too many to compute
        return multi_parent_share(graph, ancestors) >= _AUTO_RANDOM_SEVERAL_PARENTS

    def _learning_rate(self, start):
        """``learning_rate`` with ``"auto"`` resolved, for a fit that started
        from ``start`` (see :meth:`_fresh_start`)."""
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        if self._geometry().hyperbolic and start == "hierarchy":
            return _AUTO_RATE_FROM_LAYOUT
        return _AUTO_RATE_FROM_RANDOM

    def _max_turn_scale(self):
        """How far the kernel may scale up a step's turn about the origin
        (1: the plain Riemannian step)."""
        if self.manifold == "poincare" and self.n_components >= 3:
            return _MAX_TURN_SCALE
        return 1.0

    def _burn_in_epochs(self, start):
        # the burn-in finds the angular layout that a random start lacks
        return 0 if start == "hierarchy" else self.burn_in

    def _training_graph(self, graph):
        """``(graph, ancestors)``: the relations training runs on and their
        ancestor closure, which the layout and the negatives read. With
        ``closure=False`` the relations stay as given, ``ancestors`` leaves
        out the nodes on a common cycle (see
        :func:`~sklpoincare.hierarchy.ancestors_above`), and it is None
        where computing it costs too much (see
        :func:`~sklpoincare.hierarchy.ancestor_closure`)."""
        if not self.closure:
            ancestors = ancestor_closure(graph, max_pairs=self.max_closure_size)
            return graph, None if ancestors is None else ancestors_above(graph, ancestors)
        return close_graph(
            graph, self.max_closure_size, "max_closure_size",
            " (fit needs about 70 bytes of memory per pair at its peak), or set "
            "closure=False to train on the relations exactly as given",
        )

    def _closure_detail(self, graph, ancestors):
        """What the closure stage of ``fit`` says it made."""
        if self.closure:
            return f"{len(graph.children):,} pairs"
        known = "not computed" if ancestors is None else f"{ancestors.nnz:,}"
        return f"not trained on (closure=False); ancestor pairs, for the negatives: {known}"

    def _initial_embedding(self, graph, rng, ancestors, start):
        """Training coordinates of a fresh ``start``, ``"hierarchy"`` (the
        layout of ``graph``, which must hold no cycle) or ``"random"``."""
        n_components = int(self.n_components)
        if start == "hierarchy":
            layout = best_hierarchical_embedding(
                graph, n_components, rng, 1.0 - self.eps, self.n_init,
                _n_threads(self.n_jobs), ancestors,
            )
            embedding = self._geometry().to_training(layout)
        else:
            embedding = random_embedding(graph.n_nodes, n_components, self.init_range, rng)
        return self._geometry().project(embedding, self.eps)

    def _not_negatives(self, graph, ancestors):
        """CSR ``(indptr, indices)`` of the nodes never drawn as negatives of
        each node: its ancestors (``ancestors``, from :meth:`_training_graph`),
        so that training with ``closure=False`` does not push apart what the
        relations imply; its parents where they are the ancestors already
        (``closure=True``) or the ancestors are unknown."""
        if self.closure or ancestors is None:
            return graph.parent_indptr, graph.parent_indices
        ancestors.sort_indices()
        return ancestors.indptr.astype(np.int32), ancestors.indices.astype(np.int32)

    def _geometry(self):
        """The geometry of ``manifold`` (see ``_manifolds.py``)."""
        return get_geometry(self.manifold)

    def _continued_embedding(self, graph, rng):
        """Training coordinates for ``graph`` that start from the fitted state."""
        if self.embedding_.shape[1] != self.n_components:
            raise ValueError(
                f"n_components is {self.n_components} but the fitted embedding has "
                f"{self.embedding_.shape[1]} dimensions; to start afresh, call fit with "
                "warm_start=False"
            )
        rows = lookup_labels(self.nodes_, graph.nodes)
        embedding = np.zeros((graph.n_nodes, self.n_components))
        known = rows >= 0
        embedding[known] = self.embedding_[rows[known]]
        geometry = self._geometry()
        max_radius = geometry.radius_of_norm(1.0 - self.eps) if geometry.hyperbolic else np.inf
        place_new_nodes(embedding, known, graph, rng, self.init_range, geometry, max_radius)
        return geometry.project(geometry.to_training(embedding), self.eps)

    def _train(self, graph, embedding, rng, epochs, not_negatives, start, first_epoch=0):
        """Run ``epochs``, a list of ``(in_burn_in, lr_start, lr_end)``, in place.

        ``not_negatives`` is the CSR of :meth:`_not_negatives`, ``start``
        what training started from (see :meth:`_fresh_start`).

        Returns the loss per epoch. Raises before anything is fitted when
        training diverges.
        """
        geometry = self._geometry()
        n_threads = _n_threads(self.n_jobs)
        # Burn-in draws negatives by degree, the rest of training uniformly.
        # The table is built only when some epoch needs it: on 10 million
        # nodes it takes seconds, and a hierarchical start has no burn-in.
        no_prob, no_alias = np.empty(0), np.empty(0, dtype=np.int32)
        burn_in_prob, burn_in_alias = no_prob, no_alias
        if any(in_burn_in for in_burn_in, _, _ in epochs):
            burn_in_prob, burn_in_alias = alias_table(graph.degrees().astype(np.float64))
        child_indptr, child_indices = graph.child_csr()
        n_relations = len(graph.children)
        total_weight = graph.weights.sum()
        not_negative_indptr, not_negative_indices = not_negatives
        max_turn_scale = self._max_turn_scale()

        # With several threads, the next epoch's shuffle is drawn while this
        # one trains, in the order the stream of ``rng`` had (the bits do
        # not move): between epochs it would run alone, on one core.
        prefetch = n_threads > 1 and len(epochs) > 1
        next_order = None
        losses = []
        progress = ProgressReporter(
            len(epochs),
            n_relations,
            burn_in=sum(in_burn_in for in_burn_in, _, _ in epochs),
            verbose=self.verbose,
            prefix="[PoincareEmbedder]",
        )
        try:
            with ThreadPoolExecutor(max_workers=1) if prefetch else nullcontext() as pool:
                for i, (in_burn_in, lr_start, lr_end) in enumerate(epochs):
                    if next_order is None:
                        order = _shuffled_order(rng, n_relations)
                    else:
                        order = next_order.result()
                    seed = int(rng.randint(np.iinfo(np.uint64).max, dtype=np.uint64))
                    if prefetch and i + 1 < len(epochs):
                        next_order = pool.submit(_shuffled_order, rng, n_relations)
                    loss = train_epoch(
                        embedding,
                        graph.children,
                        graph.parents,
                        graph.weights,
                        order,
                        not_negative_indptr,
                        not_negative_indices,
                        burn_in_prob if in_burn_in else no_prob,
                        burn_in_alias if in_burn_in else no_alias,
                        manifold=geometry.kernel_code,
                        child_indptr=child_indptr,
                        child_indices=child_indices,
                        subtree_share=0.0 if in_burn_in else self.subtree_negatives,
                        ancestor_share=_ANCESTOR_SUBTREE_SHARE,
                        lr_start=lr_start,
                        lr_end=lr_end,
                        n_negatives=self.n_negatives,
                        max_norm=geometry.norm_bound(self.eps),
                        seed=seed,
                        n_threads=n_threads,
                        max_turn_scale=max_turn_scale,
                    )
                    epoch = first_epoch + i
                    if not np.isfinite(loss):
                        if (loss == np.inf and geometry.hyperbolic
                                and np.isfinite(embedding).all()):
                            # bounded points have bounded losses: the weighted
                            # sum overflowed, training did not diverge
                            raise ValueError(
                                f"the loss of epoch {epoch + 1} overflows: sample_weight "
                                f"(up to {graph.weights.max():.3g}) times the relations' "
                                "losses exceeds the float range. Scale the weights down; "
                                "a common factor acts like a larger learning_rate"
                            )
                        raise self._divergence("loss", epoch, start)
                    # the last steps of an epoch can overflow after its last loss
                    if not np.isfinite(embedding).all():
                        raise self._divergence("embedding", epoch, start)
                    losses.append(loss / total_weight)
                    progress.update(i + 1, losses[-1])
                    if self.callback is not None and self._call_back(
                        epoch, losses[-1], geometry.from_training(embedding), graph.nodes
                    ):
                        break
        finally:
            progress.close()  # ends the terminal line, also when stopped early
        return losses

    def _divergence(self, what, epoch, start):
        return FloatingPointError(
            f"the {what} became non-finite at epoch {epoch + 1}; training diverged. "
            f"Try a smaller learning_rate (now {self._learning_rate(start)}) or smaller "
            "sample_weight values"
        )

    def _set_fitted_state(self, graph, embedding, loss_curve, names, not_negatives, start,
                          rng):
        # Fitted attributes are written only once training has succeeded, so
        # a fit that raises (or is interrupted) leaves the previous state.
        self._rng = rng  # what partial_fit draws from next
        self._record_input_columns(names)
        geometry = self._geometry()
        self.embedding_ = geometry.from_training(embedding)
        if geometry.hyperbolic:
            order_radii(self.embedding_, graph, 1.0 - self.eps)
        self.is_a_calibration_ = fit_is_a_calibration(self.embedding_, geometry, *not_negatives)
        self.nodes_ = graph.nodes
        self._keep_query_caches()
        self.adjacency_ = graph.parent_matrix()
        self._adjacency_is_closure = bool(self.closure)
        self.loss_curve_ = loss_curve
        self.n_iter_ = len(loss_curve)
        self.learning_rate_ = self._learning_rate(start)
        self._start = start  # what a warm start continues

    def _keep_query_caches(self):
        # What transform and the queries would otherwise work out again at
        # every call; neither is pickled (see __getstate__).
        self._label_index = LabelIndex(self.nodes_)
        self._standardisation = Standardisation()

    def __getstate__(self):
        state = super().__getstate__()
        for cache in _QUERY_CACHES:
            state.pop(cache, None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if hasattr(self, "nodes_"):
            self._keep_query_caches()

    def _call_back(self, epoch, loss, embedding, nodes):
        view = embedding.view()
        view.flags.writeable = False
        return bool(self.callback(epoch + 1, loss, view, nodes))

    def _epoch_rates(self, epoch, burn_in, start):
        """Learning rates at the start and end of an epoch of ``fit``."""
        learning_rate = self._learning_rate(start)
        if epoch < burn_in:
            rate = learning_rate * _BURN_IN_RATE_FACTOR
            return rate, rate
        n_main = self.n_epochs - burn_in
        done = epoch - burn_in
        return (
            learning_rate * (1.0 - done / n_main),
            learning_rate * (1.0 - (done + 1) / n_main),
        )

    def _continued_columns(self, names):
        """The fitted column names, once ``names`` (those of the relations
        given to partial_fit) are checked against them as scikit-learn
        checks a later batch: other names are an error, names given or
        missing on one side only a warning."""
        fitted = getattr(self, "feature_names_in_", None)
        given = names if names is not None and all(isinstance(n, str) for n in names) else None
        if fitted is not None and given is not None and list(fitted) != list(given):
            raise ValueError(
                f"the relations' column names {list(given)} are not those of the "
                f"relations fitted, {list(fitted)}"
            )
        if (fitted is None) != (given is None):
            warnings.warn(
                "X has column names, but PoincareEmbedder was fitted without them"
                if fitted is None else
                "X has no column names, but PoincareEmbedder was fitted with them",
                UserWarning,
            )
        return None if fitted is None else list(fitted)

    def _record_input_columns(self, names):
        self.n_features_in_ = 2
        if names is not None and all(isinstance(n, str) for n in names):
            self.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    # ------------------------------------------------------------ transform

    def transform(self, X):
        """Features of the nodes named in ``X`` (see ``features``).

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            Node labels. Each column becomes a block of output columns (as
            many as :meth:`get_feature_names_out` names per input column).
            A sparse adjacency matrix is read as its list of relations.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_columns * n_features_per_node)
            The features, label column by label column. Unknown labels
            raise a ``ValueError``, or are placed at the origin when
            ``handle_unknown="ignore"``.
        """
        check_is_fitted(self)
        table, columns = as_label_table(as_relation_table(X))
        if table.ndim == 1:
            table = table.reshape(-1, 1)
        elif table.ndim != 2:
            raise ValueError(
                f"X must be a 1-D or 2-D array of node labels, got {table.ndim}-D"
            )
        codes = label_ids(self.nodes_, table, handle_unknown=self.handle_unknown,
                          index=getattr(self, "_label_index", None))
        # unknown labels (-1) get the origin
        points = self._points(self.embedding_, codes.reshape(-1))
        features = self._node_features(points)
        out = features.reshape(table.shape[0], table.shape[1] * features.shape[1])
        container = _get_output_config("transform", self)["dense"]
        if container == "default":
            return out
        return ADAPTERS_MANAGER.adapters[container].create_container(
            out, X, columns=self._output_names(columns, table.shape[1])
        )

    def _node_features(self, points):
        features = self.features if self._geometry().hyperbolic else "embedding"
        return node_features(points, self.embedding_, features, self.n_landmarks,
                             getattr(self, "_standardisation", None))

    def _output_names(self, columns, n_columns):
        """Output column names for ``n_columns`` label columns."""
        if columns is None or not all(isinstance(c, str) for c in columns):
            if n_columns == 2:  # relations, named as in fit
                columns = None
            elif n_columns == 1:
                columns = ["node"]
            else:
                columns = [f"x{j}" for j in range(n_columns)]
        return self.get_feature_names_out(columns)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, per input column ``<c>``.

        ``<c>_<k>`` for the coordinates (``<c>_t``, then ``<c>_<k>``, with
        ``features="hyperboloid"``), and with ``features="landmarks"``
        ``<c>_gromov_<landmark label>`` for the Gromov products (the labels'
        ``repr`` where two print alike, e.g. ``1`` and ``"1"``).

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the columns given to :meth:`transform`. ``None`` means
            the relation columns of ``fit`` (``feature_names_in_``, or
            ``["child", "parent"]``).

        Returns
        -------
        feature_names_out : ndarray of str
            One block of names per input column.
        """
        check_is_fitted(self)
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", ["child", "parent"])
        suffixes = [str(k) for k in range(self.embedding_.shape[1])]
        hyperbolic = self._geometry().hyperbolic
        if hyperbolic and self.features == "hyperboloid":
            suffixes.insert(0, "t")
        elif hyperbolic and self.features == "landmarks":
            rows = landmark_rows(self.embedding_, self.n_landmarks)
            names = [str(label) for label in self.nodes_[rows].tolist()]
            if len(set(names)) < len(names):
                # labels that print alike (1 and "1"): told apart by repr
                names = [repr(label) for label in self.nodes_[rows].tolist()]
            suffixes += [f"gromov_{name}" for name in names]
        return np.asarray(
            [f"{feature}_{suffix}" for feature in input_features for suffix in suffixes],
            dtype=object,
        )

    def save_word2vec_format(self, path):
        """Write :attr:`embedding_` with :attr:`nodes_` as labels, word2vec text.

        gensim's ``KeyedVectors.load_word2vec_format(path)`` reads the file;
        :func:`sklpoincare.io.load_word2vec_format` reads it back exactly.
        Labels must be ``str`` or ``int`` without whitespace.

        Parameters
        ----------
        path : str or path-like
            The file to write; a name ending in ``.gz`` is gzip-compressed.

        Returns
        -------
        self : PoincareEmbedder
            The estimator.
        """
        from .io import save_word2vec_format

        check_is_fitted(self)
        save_word2vec_format(path, self.embedding_, self.nodes_)
        return self

    # ---------------------------------------------------------------- score

    def score(self, X, y=None):
        """Mean average precision (MAP) of the relations ``X``, filtered.

        Each child's parents in ``X`` are ranked by distance among the nodes
        that are parents of that child neither in the training relations
        (:attr:`adjacency_`) nor in ``X``: the *filtered* setting of link
        prediction, so a correct parent seen in training never counts
        against a held-out one. On the training relations themselves this is
        the reconstruction MAP of the paper (see :mod:`sklpoincare.metrics`).
        ``X`` is scored as given: to score the closure of a hierarchy given
        by its direct links, pass
        :func:`~sklpoincare.hierarchy.transitive_closure` of them. Relations
        held out for scoring must not be implied by the training ones, so
        link prediction needs ``closure=False``.
        A label never seen in ``fit`` counts as ranked last. Higher is
        better; 1 is perfect. This is what :class:`~sklearn.model_selection.GridSearchCV`
        uses by default; :func:`sklpoincare.metrics.ranking_scorers` gives
        mean rank and hits@k too.

        Parameters
        ----------
        X : array-like of shape (n_relations, 2) or sparse matrix
            (child, parent) relations, as given to :meth:`fit`.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean average precision.
        """
        _, average_precisions = filtered_ranks(self, X)
        return float(np.mean(average_precisions))

    def set_output(self, *, transform=None):
        """Set the output container of :meth:`transform` and ``fit_transform``.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            ``"default"``: ndarray; ``"pandas"`` / ``"polars"``: a DataFrame
            whose columns are named ``<input column>_<k>`` (see
            :meth:`get_feature_names_out`); ``None``: unchanged.

        Returns
        -------
        self : PoincareEmbedder
            The estimator.
        """
        if transform is not None:
            if transform not in ADAPTERS_MANAGER.adapters and transform != "default":
                raise ValueError(
                    f"transform must be 'default', 'pandas' or 'polars', got {transform!r}"
                )
            self._sklearn_output_config = {"transform": transform}
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.sparse = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = False
        tags.requires_fit = True
        tags.non_deterministic = _n_threads(self.n_jobs) > 1
        return tags

