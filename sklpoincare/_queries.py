"""Questions asked of a fitted embedding: neighbours, distances, depth, chains.

:class:`EmbeddingQueriesMixin` gives :class:`~sklpoincare.PoincareEmbedder`
the queries of gensim's ``PoincareKeyedVectors`` (``most_similar``,
``distance``, ``similarity``, ``norm``, ``closest_parent``,
``closest_child``, ``ancestors``, ``descendants``) under this library's names,
vectorised over many query labels; ``doc/gensim_mapping.rst`` maps one set
of names to the other. Loops over all nodes run in ``_ranking_fast.pyx``.
"""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._is_a import calibrated_is_a_scores
from ._manifolds import get_geometry
from ._ranking_fast import closest_by_norm, distance_keys
from ._relations import label_ids
from .metrics import _check_embedding
from ._threads import n_threads as _n_threads

# Entries of the (queries x nodes) key matrix of one block of kneighbors
# queries: 2**22 doubles are 32 MiB (about 50 queries at a time on the
# 82,115 WordNet nouns), so memory stays bounded however many queries come.
_BLOCK_ENTRIES = 2**22


def _as_label_array(X, name):
    """``(labels, is_single)``: X as a 1-D object or typed array of labels.

    A list, ndarray, pandas Series or Index holds several labels; anything
    else (a str, a number, a tuple) is one label. Lists are copied label by
    label so that tuple labels stay whole and mixed types are not cast.
    """
    if isinstance(X, np.ndarray) or (
        hasattr(X, "to_numpy") and getattr(X, "ndim", None) == 1
    ):
        labels = X if isinstance(X, np.ndarray) else X.to_numpy()
        if labels.ndim == 0:
            return labels.reshape(1), True
        if labels.ndim != 1:
            raise ValueError(
                f"{name} must be one label or a 1-D array-like of labels, got an "
                f"array of shape {labels.shape}"
            )
        return labels, False
    if isinstance(X, list):
        labels = np.empty(len(X), dtype=object)
        for i, label in enumerate(X):
            labels[i] = label
        return labels, False
    labels = np.empty(1, dtype=object)
    labels[0] = X
    return labels, True


def _check_max_depth(max_depth):
    if max_depth is None:
        return
    if isinstance(max_depth, bool) or not isinstance(max_depth, Integral) or max_depth < 1:
        raise ValueError(f"max_depth must be an integer >= 1 or None, got {max_depth!r}")


def _smallest_keys(keys, k):
    """Columns of the k smallest keys of each row, sorted by key then column.

    ``argpartition`` alone leaves open which of several keys tied at the
    k-th place are kept; here the lowest columns are, so results do not
    depend on the selection algorithm.
    """
    nearest = np.argpartition(keys, k - 1, axis=1)[:, :k]
    nearest_keys = np.take_along_axis(keys, nearest, axis=1)
    last = nearest_keys.max(axis=1)
    kept_at_last = (nearest_keys == last[:, None]).sum(axis=1)
    for row in np.nonzero((keys == last[:, None]).sum(axis=1) > kept_at_last)[0]:
        below = np.flatnonzero(keys[row] < last[row])
        tied = np.flatnonzero(keys[row] == last[row])[: k - len(below)]
        nearest[row] = np.concatenate([below, tied])
        nearest_keys[row] = keys[row, nearest[row]]
    order = np.lexsort((nearest, nearest_keys), axis=1)
    return np.take_along_axis(nearest, order, axis=1), np.take_along_axis(
        nearest_keys, order, axis=1
    )


def _single_or_array(values, is_single):
    return values[0].item() if is_single else values


class EmbeddingQueriesMixin:
    """Queries on a fitted embedding, by node label.

    Relies on the fitted attributes ``embedding_`` (one point per node) and
    ``nodes_`` (their labels), on the parameters ``manifold``, ``n_jobs``
    and ``handle_unknown`` of the estimator it is mixed into, and, where it
    has one, on its ``_label_index`` (a ``LabelIndex`` of ``nodes_``).

    Every method takes one label or a 1-D array-like (list, ndarray, pandas
    Series) of labels; one label gives one answer, an array one answer per
    label. A tuple is one label, as tuples can be nodes.

    Distances are Poincaré distances; with ``manifold="euclidean"`` they are
    Euclidean distances, the geometry that embedding was trained in. The
    Euclidean norm of a node's point is its depth: small norms are general
    nodes, norms near 1 specific ones. A node is *more general* than another
    when its norm is strictly smaller, *more specific* when it is strictly
    larger.

    Labels not seen in ``fit`` raise a ``ValueError`` naming them, or, with
    ``handle_unknown="ignore"``, stand for the origin (the most general
    point), as in ``transform``. None, NaN and inf labels always raise.
    """

    # ------------------------------------------------------------ helpers

    def _query_geometry(self):
        """``(embedding, geometry)``: the checked fitted points and the
        model's geometry (``_manifolds.py``)."""
        check_is_fitted(self)
        geometry = get_geometry(self.manifold)
        embedding = _check_embedding(self.embedding_, "embedding_", geometry.metric)
        if len(self.nodes_) != embedding.shape[0]:
            raise ValueError(
                f"nodes_ has {len(self.nodes_)} labels but embedding_ has "
                f"{embedding.shape[0]} rows"
            )
        return embedding, geometry

    @staticmethod
    def _node_norms(embedding):
        # np.linalg.norm, as gensim computes it: "more general" then compares
        # exactly the values that norms() returns
        return np.linalg.norm(embedding, axis=1)

    def _locate(self, X, name):
        """``(ids, is_single)`` of the labels in X; -1 for an unknown label
        (only with ``handle_unknown="ignore"``)."""
        check_is_fitted(self)
        labels, is_single = _as_label_array(X, name)
        ids = label_ids(self.nodes_, labels, name, self.handle_unknown,
                        getattr(self, "_label_index", None))
        return ids, is_single

    @staticmethod
    def _points(embedding, ids):
        """Rows of ``embedding`` for ids, the origin for -1."""
        points = np.zeros((len(ids), embedding.shape[1]))
        known = ids >= 0
        points[known] = embedding[ids[known]]
        return points

    def _pair_points(self, a, b, names):
        """``(points_a, points_b, is_single, geometry)`` of the label pairs
        (a[i], b[i]); a single label pairs with every label of the other."""
        ids_a, single_a = self._locate(a, names[0])
        ids_b, single_b = self._locate(b, names[1])
        if not (single_a or single_b) and len(ids_a) != len(ids_b):
            raise ValueError(
                f"{names[0]} and {names[1]} must hold as many labels as each other, "
                f"or one of them a single label; got {len(ids_a)} and {len(ids_b)} labels"
            )
        embedding, geometry = self._query_geometry()
        ids_a, ids_b = np.broadcast_arrays(ids_a, ids_b)
        points_a, points_b = self._points(embedding, ids_a), self._points(embedding, ids_b)
        return points_a, points_b, single_a and single_b, geometry

    def _chains(self, ids, smaller, max_depth):
        """Chains of closest more general (``smaller``) or more specific
        node ids, one list per query id; ids of -1 start at the origin."""
        embedding, geometry = self._query_geometry()
        norms, inv_beta = self._node_norms(embedding), geometry.key_scales(embedding)
        n_threads = _n_threads(self.n_jobs)
        chains = [[] for _ in ids]
        points = self._points(embedding, ids)
        point_norms = np.where(ids >= 0, norms[np.maximum(ids, 0)], 0.0)
        active = np.arange(len(ids))
        depth = 0
        # All chains advance together, one kernel call per step; norms move
        # strictly in one direction, so every chain ends.
        while len(active) and (max_depth is None or depth < max_depth):
            steps = closest_by_norm(
                points[active], point_norms[active], embedding, norms, inv_beta,
                smaller, n_threads,
            )
            found = steps >= 0
            active, steps = active[found], steps[found]
            for query, step in zip(active, steps):
                chains[query].append(step)
            points[active] = embedding[steps]
            point_norms[active] = norms[steps]
            depth += 1
        return chains

    def _closest_labels(self, X, smaller):
        """Object array of the closest node's label per query, None if none."""
        ids, is_single = self._locate(X, "X")
        chains = self._chains(ids, smaller, max_depth=1)
        labels = np.empty(len(ids), dtype=object)
        for i, chain in enumerate(chains):
            if chain:
                labels[i] = self.nodes_[chain[0] : chain[0] + 1].tolist()[0]
        return labels[0] if is_single else labels

    def _chain_labels(self, X, smaller, max_depth):
        ids, is_single = self._locate(X, "X")
        chains = [
            self.nodes_[np.asarray(chain, dtype=np.intp)].tolist()
            for chain in self._chains(ids, smaller, max_depth)
        ]
        return chains[0] if is_single else chains

    # ------------------------------------------------------------ queries

    def kneighbors(self, X=None, n_neighbors=5, return_distance=True):
        """The ``n_neighbors`` nodes nearest to each query node, as row indices.

        As in scikit-learn's neighbour searches, the neighbours are given by
        their row in :attr:`embedding_` (and :attr:`nodes_`), sorted by
        increasing distance, ties broken by row order. The query nodes are
        given by label. A query node is never its own neighbour: the node
        whose label is the query is left out (other nodes at distance 0 are
        kept), whether the queries are given or ``X=None``. An unknown label
        with ``handle_unknown="ignore"`` stands for the origin and leaves
        nothing out. :meth:`most_similar` gives the neighbours' labels.

        Parameters
        ----------
        X : label or array-like of shape (n_queries,), default=None
            Query nodes. ``None`` means every node, in the order of ``nodes_``.
        n_neighbors : int, default=5
            Number of neighbours, from 1 to ``n_nodes - 1``.
        return_distance : bool, default=True
            Whether to return the distances too.

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors)
            Distance to each neighbour (Poincaré; Euclidean with
            ``manifold="euclidean"``). Only when ``return_distance=True``.
        indices : ndarray of shape (n_queries, n_neighbors)
            Rows of the neighbours in :attr:`nodes_`. For a single query
            label both arrays have shape (n_neighbors,).

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> distances, indices = embedder.kneighbors(["dog", "eagle"], n_neighbors=1)
        >>> embedder.nodes_[indices]
        array([['mammal'],
               ['bird']], dtype=object)
        >>> embedder.kneighbors(n_neighbors=2, return_distance=False).shape
        (5, 2)
        """
        distances, indices = self._nearest(X, n_neighbors, return_distance)
        return (distances, indices) if return_distance else indices

    def most_similar(self, X, topn=5, return_distance=True):
        """The ``topn`` nodes nearest to each query node, by label.

        :meth:`kneighbors` with the neighbours' labels instead of their
        rows. gensim: ``most_similar(node, topn=topn)``, which returns the
        same as a list of (label, distance) pairs.

        Parameters
        ----------
        X : label or array-like of shape (n_queries,)
            Query nodes.
        topn : int, default=5
            Number of neighbours, from 1 to ``n_nodes - 1``.
        return_distance : bool, default=True
            Whether to return the distances too.

        Returns
        -------
        distances : ndarray of shape (n_queries, topn)
            Distance to each neighbour. Only when ``return_distance=True``.
        labels : ndarray of shape (n_queries, topn)
            Labels of the neighbours, of the dtype of ``nodes_``. For a
            single query label both arrays have shape (topn,).

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> embedder.most_similar("dog", topn=1, return_distance=False)
        array(['mammal'], dtype=object)
        """
        distances, indices = self._nearest(X, topn, return_distance, name="topn")
        labels = self.nodes_[indices]
        return (distances, labels) if return_distance else labels

    def _nearest(self, X, n_neighbors, return_distance, name="n_neighbors"):
        """``(distances, rows)`` of the nearest neighbours of the queries; a
        single query label gives 1-D arrays."""
        if not isinstance(return_distance, (bool, np.bool_)):
            raise ValueError(f"return_distance must be a bool, got {return_distance!r}")
        distances, neighbors, is_single = self._neighbor_search(X, n_neighbors, name)
        if is_single:
            return distances[0], neighbors[0]
        return distances, neighbors

    def _neighbor_search(self, X, n_neighbors, name):
        embedding, geometry = self._query_geometry()
        inv_beta = geometry.key_scales(embedding)
        n_nodes = embedding.shape[0]
        if X is None:
            ids, is_single = np.arange(n_nodes), False
        else:
            ids, is_single = self._locate(X, "X")
        if (
            isinstance(n_neighbors, bool)
            or not isinstance(n_neighbors, Integral)
            or not 1 <= n_neighbors <= n_nodes - 1
        ):
            raise ValueError(
                f"{name} must be an integer from 1 to n_nodes - 1 = {n_nodes - 1} "
                f"(a node is not its own neighbour), got {n_neighbors!r}"
            )

        n_threads = _n_threads(self.n_jobs)
        n_queries = len(ids)
        distances = np.empty((n_queries, n_neighbors))
        neighbors = np.empty((n_queries, n_neighbors), dtype=np.intp)
        block = max(1, _BLOCK_ENTRIES // n_nodes)
        for start in range(0, n_queries, block):
            block_ids = ids[start : start + block]
            points = self._points(embedding, block_ids)
            keys = np.empty((len(block_ids), n_nodes))
            distance_keys(points, embedding, inv_beta, keys, n_threads)
            rows = np.nonzero(block_ids >= 0)[0]
            keys[rows, block_ids[rows]] = np.inf  # a node is not its own neighbour
            nearest, nearest_keys = _smallest_keys(keys, n_neighbors)
            distances[start : start + block] = geometry.distances_from_keys(
                points, nearest_keys
            )
            neighbors[start : start + block] = nearest
        return distances, neighbors, is_single


    def distance(self, a, b):
        """Distance between nodes ``a[i]`` and ``b[i]``.

        Poincaré distance; Euclidean distance with ``manifold="euclidean"``.
        gensim: ``distance(w1, w2)``, and ``distances(node, other_nodes)``
        with ``a`` a single label.

        Parameters
        ----------
        a : label or array-like of shape (n_pairs,)
            First node of each pair.
        b : label or array-like of shape (n_pairs,)
            Second node of each pair. A single label in ``a`` or ``b`` is
            paired with every label of the other.

        Returns
        -------
        distances : float or ndarray of shape (n_pairs,)
            A float when ``a`` and ``b`` are both single labels.

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> embedder.distance("dog", "mammal") < embedder.distance("dog", "eagle")
        True
        >>> embedder.distance("dog", ["mammal", "eagle", "dog"]).shape
        (3,)
        """
        points_a, points_b, is_single, geometry = self._pair_points(a, b, ("a", "b"))
        return _single_or_array(geometry.paired_distances(points_a, points_b), is_single)

    def similarity(self, a, b):
        """gensim's similarity of nodes: ``1 / (1 + distance(a, b))``.

        In (0, 1], 1 for a node with itself; it decreases as the distance
        grows (the Euclidean distance with ``manifold="euclidean"``).
        gensim: ``similarity(w1, w2)``.

        Parameters
        ----------
        a : label or array-like of shape (n_pairs,)
            First node of each pair.
        b : label or array-like of shape (n_pairs,)
            Second node of each pair; single labels pair as in
            :meth:`distance`.

        Returns
        -------
        similarities : float or ndarray of shape (n_pairs,)
            A float when ``a`` and ``b`` are both single labels.

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> embedder.similarity("dog", "dog")
        1.0
        >>> embedder.similarity("dog", "mammal") > embedder.similarity("dog", "eagle")
        True
        """
        return 1.0 / (1.0 + self.distance(a, b))

    def is_a_score(self, child, parent):
        """How likely ``child[i]`` is a kind of ``parent[i]``, on one scale.

        Training puts a node's descendants in the direction of the node,
        farther out, so ``d(child, origin) - d(child, parent)``, how much
        nearer the child lies to the parent than to the origin, is large for
        is-a pairs and small for unrelated pairs and for pairs in the wrong
        order. How large depends on the parent, though: its descendants may
        spread widely or narrowly. So this geometric score is calibrated
        after training (:attr:`is_a_calibration_`): for parents at about
        the parent's distance from the origin, the score is the share of
        known relations among known and corrupted pairs (random parent or
        child, or the relation reversed) with that geometric score (and a
        thousandth of the geometric score, squashed, to order the pairs
        where that share is flat). When every known relation has its child
        farther from the origin than its parent, as training leaves a
        hierarchy without cycles, a pair whose child is not farther out
        (a node and itself included) gets a share of 0. The score lies in
        [0, 1], grows with the geometric score among the children farther
        out than a given parent, and puts is-a pairs before the others
        whatever their depth, so that one threshold, tuned on labelled
        pairs, classifies them (see :ref:`benchmarks-is-a` and
        :ref:`benchmarks-hypernymy`).
        Without a calibration (a fit with no corrupted pair to draw) it is
        the geometric score. With ``manifold="euclidean"`` the distances
        are Euclidean. A label unknown with ``handle_unknown="ignore"``
        stands for the origin.

        Parameters
        ----------
        child : label or array-like of shape (n_pairs,)
            The more specific node of each pair.
        parent : label or array-like of shape (n_pairs,)
            The more general node of each pair; single labels pair as in
            :meth:`distance`.

        Returns
        -------
        scores : float or ndarray of shape (n_pairs,)
            A float when both are single labels. Greater means more likely
            an is-a pair; :data:`sklpoincare.metrics.is_a_average_precision_scorer`
            tunes for it.

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> scores = embedder.is_a_score("dog", ["mammal", "animal", "bird", "eagle"])
        >>> bool(min(scores[:2]) > max(scores[2:]))  # the is-a pairs first
        True
        """
        points, parents, is_single, geometry = self._pair_points(
            child, parent, ("child", "parent")
        )
        scores = calibrated_is_a_scores(self.is_a_calibration_, geometry, points, parents)
        return _single_or_array(scores, is_single)

    def norms(self, X):
        """Euclidean norm of each node's point: its depth in the hierarchy.

        Training puts general nodes near the origin and specific ones near
        the boundary of the ball, so a smaller norm means a more general
        node. ``norms(b) - norms(a)`` is gensim's
        ``difference_in_hierarchy(a, b)``, positive when ``a`` is more
        general. gensim: ``norm(node)``.

        Parameters
        ----------
        X : label or array-like of shape (n_queries,)
            Nodes.

        Returns
        -------
        norms : float or ndarray of shape (n_queries,)
            In [0, 1) for points of the ball; any non-negative value with
            ``manifold="euclidean"``. 0 for an unknown label with
            ``handle_unknown="ignore"`` (the origin).

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> embedder.norms("animal") < embedder.norms("mammal") < embedder.norms("dog")
        True
        """
        ids, is_single = self._locate(X, "X")
        # the rows asked for only: each row's norm is the same bits either way
        embedding = self._query_geometry()[0]
        values = np.where(ids >= 0, self._node_norms(embedding[np.maximum(ids, 0)]), 0.0)
        return _single_or_array(values, is_single)

    def closest_more_general(self, X):
        """The nearest node that is more general (smaller norm) than each node.

        Among the nodes whose norm is strictly smaller than the query's, the
        one at the smallest distance; ties go to the first in ``nodes_``.
        gensim: ``closest_parent(node)``.

        Parameters
        ----------
        X : label or array-like of shape (n_queries,)
            Nodes.

        Returns
        -------
        labels : label, None or ndarray of shape (n_queries,), dtype=object
            The closest more general node of each query; None where no node
            is more general (the most general node, or an unknown label at
            the origin).

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> embedder.closest_more_general(["dog", "mammal", "animal"])
        array(['mammal', 'animal', None], dtype=object)
        """
        return self._closest_labels(X, smaller=True)

    def closest_more_specific(self, X):
        """The nearest node that is more specific (larger norm) than each node.

        Among the nodes whose norm is strictly larger than the query's, the
        one at the smallest distance; ties go to the first in ``nodes_``.
        gensim: ``closest_child(node)``.

        Parameters
        ----------
        X : label or array-like of shape (n_queries,)
            Nodes.

        Returns
        -------
        labels : label, None or ndarray of shape (n_queries,), dtype=object
            The closest more specific node of each query; None where no
            node is more specific (the node of largest norm).

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> embedder.closest_more_specific(["mammal", "bird"])
        array(['dog', 'eagle'], dtype=object)
        """
        return self._closest_labels(X, smaller=False)

    def ancestors(self, X, max_depth=None):
        """The chain of closest more general nodes above each node.

        Starts with :meth:`closest_more_general` of the node, then that
        node's, and so on until no node is more general (or ``max_depth``
        nodes). The chain is the embedding's guess at the path to the root;
        it need not follow the relations given to ``fit``. gensim:
        ``ancestors(node)``.

        Parameters
        ----------
        X : label or array-like of shape (n_queries,)
            Nodes.
        max_depth : int or None, default=None
            Longest chain returned; None follows each chain to its end.

        Returns
        -------
        ancestors : list of labels, or list of such lists
            From the nearest to the most general; a list per query when
            ``X`` is an array-like.

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> embedder.ancestors("dog")
        ['mammal', 'animal']
        >>> embedder.ancestors(["eagle", "animal"])
        [['bird', 'animal'], []]
        """
        _check_max_depth(max_depth)
        return self._chain_labels(X, smaller=True, max_depth=max_depth)

    def descendants(self, X, max_depth=5):
        """The chain of closest more specific nodes below each node.

        Starts with :meth:`closest_more_specific` of the node, then that
        node's, and so on for at most ``max_depth`` nodes, or until no node
        is more specific. gensim: ``descendants(node, max_depth=5)``, which
        fails instead of stopping when a chain ends early.

        Parameters
        ----------
        X : label or array-like of shape (n_queries,)
            Nodes.
        max_depth : int or None, default=5
            Longest chain returned; None follows each chain to its end.

        Returns
        -------
        descendants : list of labels, or list of such lists
            From the nearest to the most specific; a list per query when
            ``X`` is an array-like.

        Examples
        --------
        >>> from sklpoincare import PoincareEmbedder
        >>> relations = [("mammal", "animal"), ("bird", "animal"),
        ...              ("dog", "mammal"), ("eagle", "bird")]
        >>> embedder = PoincareEmbedder(n_components=2, n_epochs=100, burn_in=10,
        ...                             random_state=0).fit(relations)
        >>> embedder.descendants("mammal", max_depth=1)
        ['dog']
        >>> embedder.descendants(["mammal", "bird"], max_depth=1)
        [['dog'], ['eagle']]
        """
        _check_max_depth(max_depth)
        return self._chain_labels(X, smaller=False, max_depth=max_depth)
