"""PoincareEmbedder: the estimator. Validation, the epoch loop, transform, score.

The arithmetic of an epoch lives in ``_sgd_fast.pyx``; this module prepares
the typed arrays, owns the random state and the learning-rate schedule, and
checks that training stays finite.
"""

import sys
import time
from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._relations import (
    alias_table,
    as_label_table,
    as_relation_table,
    check_no_missing_labels,
    check_relations,
    lookup_labels,
)
from ._manifolds import MANIFOLDS, lorentz_to_poincare, spatial_norm_bound
from ._sgd_fast import MANIFOLD_CODES, train_epoch
from .metrics import N_JOBS_CONSTRAINT, _rank_relations, _relation_ids

# During burn-in the rate is learning_rate * _BURN_IN_RATE_FACTOR, as the
# paper's c = 10.
_BURN_IN_RATE_FACTOR = 0.1

# Smallest eps: at norm 1 - eps, 1 - |x|^2 ~ 2 eps must stay well above the
# rounding error of a sum of n_components squares (~n_components * 1.1e-16).
_MIN_EPS = 1e-12

# The kernels count the negatives and the parent of a relation in a C int.
_MAX_NEGATIVES = 2**31 - 2


class PoincareEmbedder(TransformerMixin, BaseEstimator):
    """Learn Poincaré embeddings of a hierarchy from (child, parent) relations.

    Each node of the hierarchy becomes a point of the open unit ball of
    dimension ``n_components`` (Nickel & Kiela, 2017). Training pulls every
    child towards its parents and pushes it away from sampled non-parents, in
    hyperbolic distance; general nodes end up near the origin and specific
    ones near the boundary. So the norm of a point says how general a node is,
    and the distance between two points how related they are.

    The fitted embedder is a transformer: :meth:`transform` maps node labels to
    their coordinates, so a categorical column whose values are nodes of the
    hierarchy becomes ``n_components`` numeric features.

    Parameters
    ----------
    n_components : int, default=10
        Dimension of the Poincaré ball. Ten dimensions reconstruct WordNet
        nouns about as well as fifty in the paper, at a fifth of the cost.

    manifold : {"poincare", "lorentz", "euclidean"}, default="poincare"
        Model in which training runs. ``"poincare"``: Riemannian SGD in the
        ball with the paper's first-order update and projection.
        ``"lorentz"``: the hyperboloid model (Nickel & Kiela, 2018) with its
        exact exponential-map update, which moves a point by the same
        hyperbolic length wherever it is; :attr:`embedding_` is still given
        in Poincaré-ball coordinates. ``"euclidean"``: the paper's Euclidean
        baseline (squared Euclidean distance, plain SGD, no norm bound);
        :attr:`embedding_` is then ordinary coordinates and :meth:`score`
        ranks by Euclidean distance.

    n_epochs : int, default=200
        Passes over the relations, burn-in included. On the WordNet mammals
        (1,180 nodes) MAP stops improving after about 200 epochs.

    learning_rate : float, default=0.3
        Rate of the Riemannian SGD steps (one step per relation) after
        burn-in. It decays linearly to zero over the epochs that follow
        burn-in, so the last epochs settle the points instead of shaking
        them. On mammals, rates from 0.1 to 0.5 give MAP within 0.01 of each
        other; 1.0 and above lose 0.03 MAP or more.

    n_negatives : int, default=50
        Non-parents sampled for each relation, as in the paper.

    subtree_negatives : float in [0, 1], default=0.2
        Share of the negatives of a relation (u, v) drawn among the
        descendants of v -- u's siblings, cousins and own descendants, the
        non-parents hardest to keep farther from u than v -- instead of
        uniformly among all nodes (after burn-in; a draw that hits a parent
        of u is redrawn). Uniform negatives alone, as in the paper, see
        those near nodes rarely on a large hierarchy: on the WordNet
        organism subtree (19,448 nodes) at 10 dimensions, 0.2 raises MAP
        from 0.841 to 0.891 and lowers the mean rank from 3.12 to 3.07;
        0.5 to 1.0 give MAP 0.888 with mean rank 3.4 to 4.0. ``0`` is the
        paper's sampling.

    burn_in : int, default=50
        Number of initial epochs run at a tenth of ``learning_rate``, with
        negatives sampled in proportion to node degree (the paper's burn-in,
        which gives a good angular layout before points move outwards). It
        matters more than anything else for the mean rank: on mammals at 5
        dimensions, 200 epochs give mean rank 6.3 without burn-in, 1.26 with
        20 epochs of it and 1.09 with 50.

    init_range : float, default=1e-3
        Initial coordinates are drawn uniformly in ``[-init_range, init_range]``.

    eps : float in [1e-12, 1), default=1e-5
        Points are kept at norm at most ``1 - eps``, strictly inside the ball
        (with ``manifold="lorentz"``, at the hyperboloid points that map
        there). Ignored with ``manifold="euclidean"``. Closer to the boundary
        than 1e-12, ``1 - |x|^2`` drowns in the rounding error of ``|x|^2``.

    handle_unknown : {"error", "ignore"}, default="error"
        What :meth:`transform` does with labels not seen in ``fit``: raise a
        ``ValueError`` naming them, or map them to the origin (the most
        general point).

    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the order of relations and the negative
        sampling. Pass an int for reproducible results.

    n_jobs : int, default=None
        Number of threads for training and scoring. ``None`` means 1, ``-1``
        all cores. With ``n_jobs=1`` and a fixed ``random_state`` two fits are
        bitwise identical; with more threads, updates race Hogwild style and
        results are not reproducible.

    verbose : int, default=0
        0 is silent, 1 reports about ten times during training, 2 every epoch.

    callback : callable, default=None
        Called after every epoch as ``callback(epoch, loss, embedding, nodes)``
        with the 1-based epoch number, its mean loss, the current embedding
        (a read-only view; copy it to keep it) and the node labels. Returning
        ``True`` stops training after that epoch. Use it to log, to evaluate
        during training or to stop early.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_nodes, n_components)
        One row per node, in Poincaré-ball coordinates (every row of norm < 1)
        whether training ran in the ball or on the hyperboloid; ordinary
        coordinates with ``manifold="euclidean"``.

    nodes_ : ndarray of shape (n_nodes,)
        Node labels in row order of ``embedding_``: sorted when the labels
        can be compared with each other, else in order of first appearance.

    loss_curve_ : list of float
        Mean loss per relation for each epoch.

    n_iter_ : int
        Number of epochs run.

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
    parent (more general). Give the transitive closure of the hierarchy (every
    (descendant, ancestor) pair), as the paper does, for the best results.
    Duplicate relations count once; self-loops are rejected.

    The loss of a relation is the softmax cross-entropy of
    ``-d(u, v)`` against ``-d(u, v')`` for the sampled non-parents ``v'``;
    every point involved follows its Riemannian gradient and is projected back
    inside the ball.

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
    >>> relations = [("dog", "mammal"), ("cat", "mammal"), ("mammal", "animal"),
    ...              ("dog", "animal"), ("cat", "animal")]
    >>> embedder = PoincareEmbedder(n_components=2, n_epochs=50, burn_in=10,
    ...                             random_state=0)
    >>> embedder.fit(relations).transform(["dog", "animal"]).shape
    (2, 2)
    >>> list(embedder.nodes_)
    ['animal', 'cat', 'dog', 'mammal']
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "manifold": [StrOptions(set(MANIFOLDS))],
        "n_epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "n_negatives": [Interval(Integral, 1, _MAX_NEGATIVES, closed="both")],
        "subtree_negatives": [Interval(Real, 0, 1, closed="both")],
        "burn_in": [Interval(Integral, 0, None, closed="left")],
        "init_range": [Interval(Real, 0, 1, closed="neither")],
        "eps": [Interval(Real, _MIN_EPS, 1, closed="left")],
        "handle_unknown": [StrOptions({"error", "ignore"})],
        "random_state": ["random_state"],
        "n_jobs": N_JOBS_CONSTRAINT,
        "verbose": ["verbose"],
        "callback": [callable, None],
    }

    def __init__(
        self,
        n_components=10,
        *,
        manifold="poincare",
        n_epochs=200,
        learning_rate=0.3,
        n_negatives=50,
        subtree_negatives=0.2,
        burn_in=50,
        init_range=1e-3,
        eps=1e-5,
        handle_unknown="error",
        random_state=None,
        n_jobs=None,
        verbose=0,
        callback=None,
    ):
        self.n_components = n_components
        self.manifold = manifold
        self.n_epochs = n_epochs
        self.learning_rate = learning_rate
        self.n_negatives = n_negatives
        self.subtree_negatives = subtree_negatives
        self.burn_in = burn_in
        self.init_range = init_range
        self.eps = eps
        self.handle_unknown = handle_unknown
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.callback = callback

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
            ``0..n-1``, the stored values are the relation weights).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_relations,), default=None
            Weight of each relation in the loss. A relation given several
            times counts once, with the largest of its weights.

        Returns
        -------
        self : PoincareEmbedder
            The fitted embedder.
        """
        graph, names = check_relations(X, sample_weight)
        rng = check_random_state(self.random_state)
        n_threads = effective_n_jobs(self.n_jobs)
        max_norm = 1.0 - self.eps
        lorentz = self.manifold == "lorentz"
        if lorentz:
            # the spatial norm of hyperboloid points at ball norm 1 - eps
            max_norm = spatial_norm_bound(max_norm)
        elif self.manifold == "euclidean":
            max_norm = np.inf  # the paper's baseline is unconstrained
        # training coordinates: ball points, or spatial parts of hyperboloid
        # points; to_ball maps them to what users see
        to_ball = lorentz_to_poincare if lorentz else (lambda points: points)

        embedding = rng.uniform(
            -self.init_range, self.init_range, (graph.n_nodes, int(self.n_components))
        )
        _project_into_ball(embedding, max_norm)

        # Burn-in draws negatives by degree, the rest of training uniformly.
        burn_in_prob, burn_in_alias = alias_table(graph.degrees().astype(np.float64))
        no_prob, no_alias = np.empty(0), np.empty(0, dtype=np.int32)
        child_indptr, child_indices = graph.child_csr()
        n_relations = len(graph.children)
        total_weight = graph.weights.sum()

        loss_curve = []
        start = time.perf_counter()
        for epoch in range(self.n_epochs):
            in_burn_in = epoch < self.burn_in
            lr_start, lr_end = self._epoch_rates(epoch)
            order = rng.permutation(n_relations).astype(np.int32)
            seed = int(rng.randint(np.iinfo(np.uint64).max, dtype=np.uint64))
            loss = train_epoch(
                embedding,
                graph.children,
                graph.parents,
                graph.weights,
                order,
                graph.parent_indptr,
                graph.parent_indices,
                burn_in_prob if in_burn_in else no_prob,
                burn_in_alias if in_burn_in else no_alias,
                manifold=MANIFOLD_CODES[self.manifold],
                child_indptr=child_indptr,
                child_indices=child_indices,
                subtree_share=0.0 if in_burn_in else self.subtree_negatives,
                lr_start=lr_start,
                lr_end=lr_end,
                n_negatives=self.n_negatives,
                max_norm=max_norm,
                seed=seed,
                n_threads=n_threads,
            )
            if not np.isfinite(loss):
                raise FloatingPointError(
                    f"the loss became non-finite at epoch {epoch + 1}; training "
                    f"diverged. Try a smaller learning_rate (now {self.learning_rate})"
                )
            # the last steps of an epoch can overflow after its last loss
            if not np.isfinite(embedding).all():
                raise FloatingPointError(
                    f"the embedding became non-finite at epoch {epoch + 1}; training "
                    f"diverged. Try a smaller learning_rate (now {self.learning_rate})"
                )
            loss_curve.append(loss / total_weight)
            self._report(epoch, loss_curve[-1], n_relations, start)
            if self.callback is not None and self._call_back(
                epoch, loss_curve[-1], to_ball(embedding), graph.nodes
            ):
                break

        # Fitted attributes are written only once training has succeeded, so
        # a fit that raises leaves no half-fitted state behind.
        self._record_input_columns(names)
        self.embedding_ = to_ball(embedding)
        self.nodes_ = graph.nodes
        self.loss_curve_ = loss_curve
        self.n_iter_ = len(loss_curve)
        return self

    def _call_back(self, epoch, loss, embedding, nodes):
        view = embedding.view()
        view.flags.writeable = False
        return bool(self.callback(epoch + 1, loss, view, nodes))

    def _epoch_rates(self, epoch):
        """Learning rates at the start and end of an epoch."""
        if epoch < self.burn_in:
            rate = self.learning_rate * _BURN_IN_RATE_FACTOR
            return rate, rate
        n_main = self.n_epochs - self.burn_in
        done = epoch - self.burn_in
        return (
            self.learning_rate * (1.0 - done / n_main),
            self.learning_rate * (1.0 - (done + 1) / n_main),
        )

    def _report(self, epoch, loss, n_relations, start):
        if not self.verbose:
            return
        every = 1 if self.verbose >= 2 else max(1, self.n_epochs // 10)
        if (epoch + 1) % every and epoch + 1 != self.n_epochs:
            return
        elapsed = time.perf_counter() - start
        rate = n_relations * (epoch + 1) / max(elapsed, 1e-9)
        phase = " (burn-in)" if epoch < self.burn_in else ""
        print(
            f"[PoincareEmbedder] epoch {epoch + 1}/{self.n_epochs}{phase}: "
            f"loss = {loss:.4f}, {rate:,.0f} relations/s, {elapsed:.1f} s",
            file=sys.stdout,
            flush=True,
        )

    def _record_input_columns(self, names):
        self.n_features_in_ = 2
        if names is not None and all(isinstance(n, str) for n in names):
            self.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    # ------------------------------------------------------------ transform

    def transform(self, X):
        """Coordinates of the nodes named in ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            Node labels. Each column becomes ``n_components`` output columns,
            so the relations themselves give ``2 * n_components`` columns.
            A sparse adjacency matrix is read as its list of relations.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_columns * n_components)
            The coordinates, column by column. Unknown labels raise a
            ``ValueError``, or map to the origin when
            ``handle_unknown="ignore"``.
        """
        check_is_fitted(self)
        table, _ = as_label_table(as_relation_table(X))
        if table.ndim == 1:
            table = table.reshape(-1, 1)
        elif table.ndim != 2:
            raise ValueError(
                f"X must be a 1-D or 2-D array of node labels, got {table.ndim}-D"
            )
        check_no_missing_labels(table)
        codes = lookup_labels(self.nodes_, table)
        unknown = codes < 0
        if unknown.any() and self.handle_unknown == "error":
            labels = list(dict.fromkeys(table[unknown].tolist()))
            shown = ", ".join(f"{label!r:.80}" for label in labels[:5])
            more = f" and {len(labels) - 5} more" if len(labels) > 5 else ""
            raise ValueError(
                f"{len(labels)} label(s) unknown to the fitted embedder: {shown}{more}. "
                "Set handle_unknown='ignore' to map them to the origin."
            )
        # an extra all-zero row for unknown labels: the origin
        padded = np.vstack([self.embedding_, np.zeros((1, self.embedding_.shape[1]))])
        codes = np.where(unknown, len(self.embedding_), codes)
        return padded[codes].reshape(table.shape[0], table.shape[1] * padded.shape[1])

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: ``<input column>_<k>``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the columns given to :meth:`transform`. ``None`` means
            the relation columns of ``fit`` (``feature_names_in_``, or
            ``["child", "parent"]``).

        Returns
        -------
        feature_names_out : ndarray of str
            ``n_components`` names per input column.
        """
        check_is_fitted(self)
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", ["child", "parent"])
        return np.asarray(
            [f"{feature}_{k}" for feature in input_features for k in range(self.n_components)],
            dtype=object,
        )

    # ---------------------------------------------------------------- score

    def score(self, X, y=None):
        """Mean average precision (MAP) of the relations ``X``.

        Each child's parents in ``X`` are ranked by Poincaré distance among
        all nodes, as in the paper's reference code (see
        :mod:`sklpoincare.metrics`). Higher is better; 1 is perfect. A label
        not seen in ``fit`` counts as ranked last.

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
        check_is_fitted(self)
        child_ids, parent_ids, _ = _relation_ids(
            as_relation_table(X), self.nodes_, len(self.nodes_)
        )
        _, _, aps = _rank_relations(
            self.embedding_,
            child_ids,
            parent_ids,
            effective_n_jobs(self.n_jobs),
            "euclidean" if self.manifold == "euclidean" else "poincare",
        )
        return float(np.mean(aps))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.sparse = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = False
        tags.requires_fit = True
        tags.non_deterministic = effective_n_jobs(self.n_jobs) > 1
        return tags


def _project_into_ball(points, max_norm):
    """Shrink, in place, the rows of norm >= max_norm onto that norm."""
    norms = np.linalg.norm(points, axis=1)
    outside = norms >= max_norm
    points[outside] *= (max_norm / norms[outside])[:, None]
