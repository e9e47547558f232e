"""Relations as the kernels see them: labels -> integer ids, sorted adjacency.

Everything that turns user input into typed arrays lives here, with the
checks that give a clear error for bad input; the Cython kernels trust what
they receive.
"""

import re
import warnings
from dataclasses import dataclass
from itertools import repeat
from numbers import Integral, Number, Real

import numpy as np
import scipy.sparse as sp

from .exceptions import ReversedRelationsWarning

# How many offending labels or rows an error message shows.
_MAX_SHOWN = 5

# Label types no value of which is missing (see _is_missing).
_NEVER_MISSING_TYPES = frozenset({str, bytes, int})


def _is_dataframe(X):
    return hasattr(X, "columns") and hasattr(X, "iloc")


def _is_missing(label):
    """None, a NaN or infinite number, NumPy's NaT, or pandas' NA and NaT."""
    if label is None:
        return True
    if isinstance(label, (float, np.floating)):
        return not np.isfinite(label)
    if isinstance(label, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(label))
    # pandas' missing-value markers, recognised without importing pandas
    if type(label).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(label, Number) and not isinstance(label, Integral):
        # e.g. Decimal("NaN"), which is not equal to itself
        try:
            return bool(label != label)
        except (TypeError, ArithmeticError):
            return True
    return False


def _object_array_of_rows(X):
    """A list of rows -> 2-D object array, keeping each label's own type.

    ``np.asarray`` would turn ``[("a", 1)]`` into strings ``"a", "1"`` and a
    label that is itself a tuple into an extra dimension; both silently change
    the labels, so rows are copied one by one when the fast path does not fit.
    """
    try:
        table = np.array(X, dtype=object)
    except ValueError:
        table = None
    # A 1-D result that holds lists comes from rows of different lengths (a
    # list cannot be a label: it is not hashable); the loop below names them.
    ragged = table is not None and table.ndim == 1 and any(
        isinstance(row, list) for row in table
    )
    if table is not None and table.ndim <= 2 and not ragged:
        return table
    rows = list(X)
    widths = [len(row) if isinstance(row, (tuple, list)) else 1 for row in rows]
    width = widths[0] if widths else 0
    for i, row_width in enumerate(widths):
        if row_width != width:
            raise ValueError(
                f"rows of X have different lengths: row 0 has {width} label(s), "
                f"row {i} has {row_width}; every row must hold the same number "
                "of labels"
            )
    table = np.empty((len(rows), width), dtype=object)
    for i, row in enumerate(rows):
        if width == 1 and not isinstance(row, (tuple, list)):
            row = (row,)
        for j, label in enumerate(row):
            table[i, j] = label
    return table


def as_label_table(X, first_columns=None):
    """Return ``(table, column_names)``: labels as a 1-D or 2-D ndarray.

    ``column_names`` is the list of DataFrame column names, else None; of a
    DataFrame only the ``first_columns`` first columns are taken (all when
    None), so that others (a weight) leave the labels as they are.
    Labels keep their types: numeric and string arrays stay as they are,
    everything else becomes an object array.
    """
    if _is_dataframe(X):
        if first_columns is not None:
            X = X.iloc[:, :first_columns]
        return _frame_labels(X), list(X.columns)
    if hasattr(X, "to_numpy") and getattr(X, "ndim", None) == 1:  # a Series
        name = getattr(X, "name", None)
        return X.to_numpy(), None if name is None else [name]
    if isinstance(X, np.ndarray):
        return X, None
    if hasattr(X, "__array__") and not isinstance(X, (list, tuple)):
        return np.asarray(X), None
    table = None
    if not isinstance(X, (str, bytes)) and hasattr(X, "__len__"):
        table = _object_array_of_rows(X)
    if table is None or table.ndim == 0:  # e.g. a set, or a sparse matrix
        hint = "; a set has no order: pass a list" if isinstance(X, (set, frozenset)) else ""
        raise TypeError(
            f"expected an array-like of labels, got {type(X).__name__}: {X!r:.80}{hint}"
        )
    return table, None


def _frame_labels(frame):
    """A DataFrame's labels, each column's values kept as they are: its
    to_numpy gives columns of different dtypes one common dtype first (int64
    ids beside a float column become floats, large ones merging)."""
    if len({str(dtype) for dtype in frame.dtypes}) <= 1:
        return frame.to_numpy()
    table = np.empty(frame.shape, dtype=object)
    for j in range(frame.shape[1]):
        table[:, j] = frame.iloc[:, j].to_numpy(dtype=object)
    return table


def check_no_missing_labels(table, where="X"):
    """Raise a ValueError naming the rows (of a 2-D table) or positions (of a
    1-D array) that hold None, NaN, NaT, NA or inf labels."""
    if table.dtype.kind == "c":
        raise ValueError("Complex data not supported: labels must be str, int, ...")
    if table.dtype.kind == "f":
        bad = ~np.isfinite(table)
    elif table.dtype.kind in "mM":
        bad = np.isnat(table)
    elif table.dtype == object:
        # One pass over the types settles the usual case (strings, ints) in C;
        # a test per label costs a second on the nouns.
        if set(map(type, table.reshape(-1).tolist())) <= _NEVER_MISSING_TYPES:
            return
        bad = np.frompyfunc(_is_missing, 1, 1)(table).astype(bool)
    else:
        return
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])
        shown = ", ".join(str(r) for r in rows[:_MAX_SHOWN])
        more = f" (and {len(rows) - _MAX_SHOWN} more)" if len(rows) > _MAX_SHOWN else ""
        label = "missing or infinite label (None, NaN, NaT, NA or inf)"
        if table.ndim == 1:
            raise ValueError(f"{label} in {where}, at position(s) {shown}{more}")
        raise ValueError(f"{label} in row(s) {shown}{more} of {where}")


def _is_integer_type(kind):
    return issubclass(kind, Integral) and not issubclass(kind, bool)


def as_integer_labels(table):
    """An object array of integer labels as int64, any other array as is.

    Lists of Python ints arrive as object arrays; as int64 they give the
    fitted ``nodes_`` an integer dtype, and are looked up by binary search.
    bool (an Integral too) and ints beyond int64 keep the object dtype.
    """
    if table.dtype != object or table.size == 0:
        return table
    # A first label that is no int settles it (strings, the usual case);
    # else one pass over the types, in C.
    if not _is_integer_type(type(table.flat[0])) or not all(
        map(_is_integer_type, set(map(type, table.reshape(-1).tolist())))
    ):
        return table
    try:
        return table.astype(np.int64)
    except OverflowError:
        return table


def encode_labels(flat):
    """Map labels to ids ``0..n_nodes-1``; return ``(nodes, codes)``.

    Nodes are sorted when the labels can be compared with each other (as in
    ``LabelEncoder.classes_``), else kept in order of first appearance.
    """
    if flat.dtype != object:
        nodes, codes = np.unique(flat, return_inverse=True)
        return nodes, codes.reshape(-1)
    flat = flat.tolist()
    # dict.fromkeys and map loop in C: a Python loop per label costs half a
    # second on the nouns.
    try:
        index = dict.fromkeys(flat)
    except TypeError as error:
        _raise_unhashable(flat, error, "; labels must be hashable (str, int, tuple, ...)")
    labels = list(index)
    index.update(zip(labels, range(len(labels))))
    codes = np.fromiter(map(index.__getitem__, flat), dtype=np.intp, count=len(flat))
    nodes = np.empty(len(labels), dtype=object)
    nodes[:] = labels
    try:
        order = np.array(sorted(range(len(labels)), key=labels.__getitem__), dtype=np.intp)
    except (TypeError, ValueError, ArithmeticError):
        # labels of types that do not compare: keep first appearance
        return nodes, codes
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return nodes[order], rank[codes]


def _label_index(nodes):
    return {label: i for i, label in enumerate(nodes.tolist())}


class LabelIndex:
    """The ``{label: id}`` dict of an array of labels, built on first use and
    kept: a fitted estimator queried one label at a time would otherwise
    build it at every call (25 ms on the 82,115 nouns, more than the
    query itself)."""

    def __init__(self, nodes):
        self.nodes = nodes
        self._index = None

    def of(self, nodes):
        """The dict of ``nodes``: the kept one if they are this index's array."""
        if nodes is not self.nodes:
            return _label_index(nodes)
        if self._index is None:
            self._index = _label_index(nodes)
        return self._index


def lookup_labels(nodes, labels, index=None):
    """Ids of ``labels`` (any shape) in ``nodes``; -1 where unknown.

    ``index``: a :class:`LabelIndex`, used where the labels are looked up
    by hash (those that cannot be searched in sorted order).
    """
    flat = labels.reshape(-1)
    same_kind = (
        nodes.dtype != object
        and flat.dtype != object
        and (nodes.dtype.kind in "iuf") == (flat.dtype.kind in "iuf")
        and (nodes.dtype.kind in "US") == (flat.dtype.kind in "US")
    )
    if same_kind:
        # binary search in sorted order (nodes may come unsorted from a
        # user), then check equality
        if len(nodes) > 1 and not np.all(nodes[:-1] <= nodes[1:]):
            order = np.argsort(nodes, kind="stable")
        else:
            order = np.arange(len(nodes))  # fitted nodes_ are sorted
        pos = np.clip(np.searchsorted(nodes, flat, sorter=order), 0, len(nodes) - 1)
        found = nodes[order[pos]] == flat
        codes = np.where(found, order[pos], -1)
    else:
        index = _label_index(nodes) if index is None else index.of(nodes)
        # tolist keeps objects as they are, but would turn NumPy scalars into
        # Python ones that may hash otherwise (datetime64 -> datetime.date)
        flat = flat.tolist() if flat.dtype == object else list(flat)
        try:
            codes = np.fromiter(map(index.get, flat, repeat(-1)), dtype=np.intp,
                                count=len(flat))
        except TypeError as error:
            _raise_unhashable(flat, error)
    return codes.reshape(labels.shape)


def _raise_unhashable(labels, error, hint=""):
    """Raise the TypeError that names the first unhashable label, else
    ``error`` (raised by something else, e.g. a label's ``__eq__``)."""
    for label in labels:
        try:
            hash(label)
        except TypeError:
            raise TypeError(
                f"label {label!r:.80} of type {type(label).__name__} is not "
                f"hashable{hint}"
            ) from None
    raise error


def label_ids(nodes, labels, where="X", handle_unknown="error", index=None):
    """Row ids of ``labels`` (any shape) in the fitted ``nodes``.

    Missing labels (None, NaN...) are an error; unknown ones are too with
    ``handle_unknown="error"``, else their id is -1. ``index``: as in
    :func:`lookup_labels`.
    """
    check_no_missing_labels(labels, where)
    ids = lookup_labels(nodes, as_integer_labels(labels), index)
    if handle_unknown == "error":
        check_known_labels(labels, ids, where)
    return ids


def check_no_self_loops(children, parents, labels, where="X", row_name="row", first_row=0):
    """Raise a ValueError naming the relations whose child is its own parent.

    ``children`` and ``parents`` identify the nodes of each relation (ids or
    labels), ``labels`` is the (n_relations, 2) table the message shows;
    rows are numbered from ``first_row``. No relation can say that a node is
    more general than itself, and a node is no candidate for its own parent,
    so neither training nor ranking has a meaning for one.
    """
    loops = np.flatnonzero(children == parents)
    if not len(loops):
        return
    shown = ", ".join(
        f"{row_name} {r + first_row} {tuple(labels[r].tolist())!r:.120}"
        for r in loops[:_MAX_SHOWN]
    )
    more = f" (and {len(loops) - _MAX_SHOWN} more)" if len(loops) > _MAX_SHOWN else ""
    raise ValueError(
        f"self-loop relation(s), a node as its own parent, at {shown}{more} of "
        f"{where}; remove them: a node cannot be more general than itself"
    )


def check_known_labels(labels, codes, where="X"):
    """Raise a ValueError naming the labels whose ``codes`` are -1 (unknown)."""
    unknown = codes < 0
    if not unknown.any():
        return
    names = list(dict.fromkeys(labels[unknown].tolist()))
    shown = ", ".join(f"{label!r:.80}" for label in names[:_MAX_SHOWN])
    more = f" and {len(names) - _MAX_SHOWN} more" if len(names) > _MAX_SHOWN else ""
    raise ValueError(
        f"{len(names)} label(s) in {where} unknown to the fitted embedder: "
        f"{shown}{more}. Set handle_unknown='ignore' to place them at the origin."
    )


@dataclass
class RelationGraph:
    """Deduplicated relations as integer arrays, ready for the kernels.

    ``parent_indices[parent_indptr[u]:parent_indptr[u + 1]]`` are the sorted
    parents of node u (CSR), used to reject true parents as negatives.
    """

    nodes: np.ndarray
    children: np.ndarray  # int32, one per distinct relation
    parents: np.ndarray  # int32
    weights: np.ndarray  # float64
    parent_indptr: np.ndarray  # int32, n_nodes + 1
    parent_indices: np.ndarray  # int32

    @property
    def n_nodes(self):
        return len(self.nodes)

    def parent_matrix(self, weighted=True):
        """CSR matrix with entry (u, p) for each relation (u, p): its weight,
        or 1 with ``weighted=False``."""
        data = self.weights if weighted else np.ones(len(self.parent_indices), np.int32)
        return sp.csr_matrix(
            (data, self.parent_indices, self.parent_indptr),
            shape=(self.n_nodes, self.n_nodes),
        )

    def child_csr(self):
        """``(indptr, indices)``: the sorted children of each node."""
        # The transpose of the parent CSR: SciPy's counting sort visits the
        # children in order, so each node's children come out sorted, in
        # O(n_relations) time and without the index array of a sort.
        by_parent = self.parent_matrix(weighted=False).tocsc()
        return (
            by_parent.indptr.astype(np.int32, copy=False),
            by_parent.indices.astype(np.int32, copy=False),
        )

    def degrees(self):
        """Number of relations each node takes part in (either side)."""
        return np.bincount(self.children, minlength=self.n_nodes) + np.bincount(
            self.parents, minlength=self.n_nodes
        )


def _check_weights(sample_weight, n_rows):
    if isinstance(sample_weight, Real):
        weights = np.full(n_rows, float(sample_weight))
    else:
        try:
            weights = np.asarray(sample_weight, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"sample_weight must hold numbers, one per relation: {exc}"
            ) from None
        if weights.ndim == 0:
            weights = np.full(n_rows, float(weights))
        elif weights.ndim != 1:
            raise ValueError(
                "sample_weight must be a scalar or a 1-D array, one weight per "
                f"relation; got shape {weights.shape}"
            )
    if weights.shape[0] != n_rows:
        raise ValueError(
            f"sample_weight has {weights.shape[0]} values but X has {n_rows} relations"
        )
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        rows = np.nonzero(bad)[0][:_MAX_SHOWN]
        raise ValueError(
            "sample_weight must be finite and non-negative; bad value(s) "
            + ", ".join(f"{float(weights[r])!r} at row {r}" for r in rows)
        )
    if not (weights > 0).any():
        raise ValueError("sample_weight is zero for every relation; nothing to learn")
    with np.errstate(over="ignore"):
        total = weights.sum()
    if not np.isfinite(total):
        raise ValueError(
            "sample_weight is too large: its sum overflows to inf. Scale the "
            "weights down; a common factor acts like a larger learning_rate"
        )
    return weights


def _sparse_relations(X, sample_weight):
    if sample_weight is not None:
        raise ValueError(
            "sample_weight must be None for a sparse adjacency matrix: its stored "
            "values are the relation weights"
        )
    if X.ndim != 2 or X.shape[0] != X.shape[1]:
        raise ValueError(
            f"a sparse adjacency matrix must be square (rows = children, columns = "
            f"parents), got shape {X.shape}"
        )
    rows, cols, data = _adjacency_entries(X)
    bad = ~np.isfinite(data) | (data < 0)
    if bad.any():
        i = np.nonzero(bad)[0][0]
        raise ValueError(
            f"the adjacency matrix holds {float(data[i])!r} at ({rows[i]}, {cols[i]}); "
            "entries must be finite and non-negative (they are relation weights)"
        )
    return np.arange(X.shape[0]), rows, cols, data


def _adjacency_entries(X):
    """(rows, cols, values) of the non-zero entries of a sparse matrix."""
    coo = sp.coo_matrix(X)
    coo.sum_duplicates()
    nonzero = coo.data != 0
    return coo.row[nonzero], coo.col[nonzero], coo.data[nonzero].astype(np.float64)


def as_relation_table(X):
    """Relations given to transform / score: a sparse adjacency matrix becomes
    its (child, parent) pairs, anything else is returned as is."""
    if sp.issparse(X):
        rows, cols, _ = _adjacency_entries(X)
        return np.stack([rows, cols], axis=1)
    return X


# A column of node labels given to fit: most often a fitted embedder that a
# Pipeline or ColumnTransformer refits on the column it should transform.
_LABELS_HINT = (
    ". A column of node labels is what transform takes: to use a fitted "
    "embedder on one inside a Pipeline or ColumnTransformer, which refit their "
    "steps, wrap it in sklearn.frozen.FrozenEstimator"
)


def check_relations(X, sample_weight=None):
    """Validate relations given by the user; return ``(graph, column_names)``.

    Accepts a 2-column array-like of labels (child first), a list of pairs,
    a DataFrame (its first two columns) or a square sparse adjacency matrix.
    """
    if sp.issparse(X):
        nodes, children, parents, weights = _sparse_relations(X, sample_weight)
        names = None
        labels = nodes[np.stack([children, parents], axis=1)] if len(children) else None
    else:
        table, names = as_label_table(X, first_columns=2)
        if table.shape[:1] == (0,):
            raise ValueError(f"X contains no relations (0 rows, shape {table.shape})")
        if table.ndim != 2:
            raise ValueError(
                "X must hold one relation per row, as two columns (child, parent); "
                f"got a {table.ndim}-D array of shape {table.shape}"
                + (_LABELS_HINT if table.ndim == 1 else "")
            )
        # Checks that name a problem in the values come before the column
        # count, so that the most specific error is the one raised.
        check_no_missing_labels(table)
        table = as_integer_labels(table)
        weights = (
            np.ones(table.shape[0])
            if sample_weight is None
            else _check_weights(sample_weight, table.shape[0])
        )
        if table.shape[1] != 2:
            bound = "a minimum of 2 is" if table.shape[1] < 2 else "exactly 2 are"
            hint = (
                "; give relation weights as sample_weight, not as a third column"
                if table.shape[1] > 2
                else _LABELS_HINT
            )
            raise ValueError(
                f"Found array with {table.shape[1]} feature(s) (shape={table.shape}) "
                f"while {bound} required: X must have exactly two columns, one "
                f"(child, parent) relation per row{hint}"
            )
        nodes, codes = encode_labels(table.reshape(-1))
        codes = codes.reshape(-1, 2)
        children, parents = codes[:, 0], codes[:, 1]
        labels = table
    if len(children) == 0:
        raise ValueError("X contains no relations (the adjacency matrix is empty)")
    check_no_self_loops(children, parents, labels)
    return _deduplicate(nodes, children, parents, weights), names


# fit warns when the relations have at least REVERSED_MIN_ROOTS nodes without
# a parent and more than REVERSED_RATIO times as many as nodes without a
# child: the shape of a hierarchy given as (parent, child) rows, whose
# leaves become roots. A hierarchy given as (child, parent) has few roots
# and many leaves; a chain or a lattice about as many of each.
REVERSED_MIN_ROOTS = 10
REVERSED_RATIO = 2


# Names that columns of relations go by, as (general, specific) pairs.
COLUMN_NAMES = [("parent", "child"), ("ancestor", "descendant"), ("hypernym", "hyponym"),
                ("broader", "narrower")]


def _name_words(name):
    """The words of a column name, lower case, plurals made singular:
    ``parent_ids`` -> {parent, id}, ``ChildNode`` -> {child, node}."""
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name)).lower())
    return {"child" if word == "children" else word.removesuffix("s") for word in words}


def named_order(names, exact=False):
    """What the first two column names ``names`` say of the order of each
    row: ``"parent-first"``, ``"child-first"`` or None when they name no
    pair of COLUMN_NAMES. With ``exact``, a name must be the word itself
    (case and surrounding spaces aside); otherwise holding it as a word
    counts (``parent_id``, ``ChildNode``, ``parents``; not
    ``grandparent``)."""
    if names is None or len(names) < 2:
        return None
    if exact:
        first, second = (str(name).strip().lower() for name in names[:2])
    else:
        first, second = (_name_words(name) for name in names[:2])

    def names_pair(a, b):
        return (first == a and second == b) if exact else (a in first and b in second)

    for general, specific in COLUMN_NAMES:
        if names_pair(general, specific):
            return "parent-first"
        if names_pair(specific, general):
            return "child-first"
    return None


def warn_if_reversed(graph, names=None):
    """Warn (:class:`~sklpoincare.exceptions.ReversedRelationsWarning`) when
    ``graph`` looks like a hierarchy given as (parent, child) rows: by its
    shape, or by the names of its columns (``names``, a DataFrame's)."""
    if named_order(names) == "parent-first":
        observation = (f"X looks reversed: its first column is named {names[0]!r} and its "
                       f"second {names[1]!r}")
    else:
        has_parent = np.diff(graph.parent_indptr) > 0
        has_child = np.bincount(graph.parents, minlength=graph.n_nodes) > 0
        related = has_parent | has_child
        roots, leaves = related & ~has_parent, related & ~has_child
        n_roots, n_leaves = int(roots.sum()), int(leaves.sum())
        if n_roots < REVERSED_MIN_ROOTS or n_roots <= REVERSED_RATIO * n_leaves:
            return
        shown = ", ".join(repr(label) for label in graph.nodes[leaves][:3])
        more = ", ..." if n_leaves > 3 else ""
        observation = (
            f"X looks reversed: {n_roots:,} nodes have no parent in it and only "
            f"{n_leaves:,} {'has' if n_leaves == 1 else 'have'} no child "
            f"({shown}{more}), the shape of a hierarchy given as (parent, child) rows"
        )
    warnings.warn(
        ReversedRelationsWarning(
            observation,
            "fit reads each row as (child, parent): if yours are (parent, child), "
            "swap the columns (e.g. X[:, ::-1], or df[['child', 'parent']]), or the "
            "most general nodes end at the boundary",
        ),
        stacklevel=4,  # the caller of fit (under scikit-learn's fit wrapper)
    )


def _deduplicate(nodes, children, parents, weights):
    """Keep each distinct (child, parent) once, with its largest weight."""
    n_nodes = len(nodes)
    if n_nodes >= 2**31 - 1:
        raise ValueError(f"too many nodes ({n_nodes}); at most 2**31 - 2 are supported")
    keys = children.astype(np.int64) * n_nodes + parents.astype(np.int64)
    order = np.lexsort((weights, keys))
    keys, weights = keys[order], weights[order]
    last_of_group = np.append(keys[1:] != keys[:-1], True)
    keys, weights = keys[last_of_group], weights[last_of_group]
    children = (keys // n_nodes).astype(np.int32)
    parents = (keys % n_nodes).astype(np.int32)
    return sorted_relation_graph(nodes, children, parents, weights)


def sorted_relation_graph(nodes, children, parents, weights):
    """The ``RelationGraph`` of relations sorted child-major, parent-minor
    (so each child's parents are already grouped and sorted)."""
    indptr = np.zeros(len(nodes) + 1, dtype=np.int32)
    np.cumsum(np.bincount(children, minlength=len(nodes)), out=indptr[1:])
    return RelationGraph(
        nodes=nodes,
        children=children,
        parents=parents,
        weights=np.ascontiguousarray(weights, dtype=np.float64),
        parent_indptr=indptr,
        parent_indices=parents.copy(),
    )


def alias_table(probabilities):
    """Walker's alias table ``(prob, alias)`` for O(1) sampling in C.

    Drawing a slot i uniformly, then keeping i with probability ``prob[i]``
    and taking ``alias[i]`` otherwise, samples i with ``probabilities[i]``.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    n = len(p)
    scaled = p * (n / p.sum())
    prob = np.ones(n)
    alias = np.arange(n, dtype=np.int32)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s, l = small.pop(), large.pop()
        prob[s] = scaled[s]
        alias[s] = l
        scaled[l] -= 1.0 - scaled[s]
        (small if scaled[l] < 1.0 else large).append(l)
    # leftovers are 1 up to rounding
    return prob, alias
