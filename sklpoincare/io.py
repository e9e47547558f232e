"""Reading relations from text files; saving and loading embedding vectors.

:func:`load_relations` reads (child, parent[, weight]) rows from a CSV or TSV
file, plain or gzip-compressed, into what
:meth:`PoincareEmbedder.fit <sklpoincare.PoincareEmbedder.fit>` takes.

:func:`save_word2vec_format` and :func:`load_word2vec_format` write and read
the text word2vec format, so that vectors move to and from gensim's
``KeyedVectors`` and the many tools that read that format.

Using an embedding in a neural network
--------------------------------------
A fitted :class:`~sklpoincare.PoincareEmbedder` holds everything an
embedding layer needs: row ``i`` of ``embedding_`` (Poincaré-ball
coordinates, or plain coordinates for ``manifold="euclidean"``) is the
vector of the label ``nodes_[i]``. In PyTorch:

.. code-block:: python

    import torch

    table = torch.as_tensor(embedder.embedding_)  # float64, as fitted
    layer = torch.nn.Embedding.from_pretrained(table, freeze=True)
    index = {label: i for i, label in enumerate(embedder.nodes_)}
    vectors = layer(torch.tensor([index["dog.n.01"], index["mammal.n.01"]]))

In Keras, with string labels looked up by a ``StringLookup`` layer whose
vocabulary is ``nodes_`` in the same order (no out-of-vocabulary slot, so
that index ``i`` is row ``i``):

.. code-block:: python

    import keras

    n_nodes, n_components = embedder.embedding_.shape
    lookup = keras.layers.StringLookup(
        vocabulary=list(embedder.nodes_), num_oov_indices=0
    )
    layer = keras.layers.Embedding(n_nodes, n_components, trainable=False,
                                   dtype="float64")
    layer.build((None,))
    layer.set_weights([embedder.embedding_])
    vectors = layer(lookup(["dog.n.01", "mammal.n.01"]))

Two cautions. Points of a Poincaré embedding lie close to the boundary of
the ball, where float32 loses the accuracy of distances; keep float64 where
distances matter (a float64 layer, as above), or export float32 weights
that keep them with :func:`~sklpoincare.export.export_weights`. And
training such a layer further with a Euclidean optimiser can push points
out of the ball: freeze it, or use a Riemannian optimiser, or project with
:func:`~sklpoincare.poincare_normalize` after each step.
"""

import codecs
import csv
import gzip
import io
import math
import os

import numpy as np
from sklearn.utils import check_array
from sklearn.utils._param_validation import StrOptions, validate_params

from ._relations import named_order

__all__ = ["load_relations", "load_word2vec_format", "save_word2vec_format"]

_GZIP_MAGIC = b"\x1f\x8b"
# The header of the closure files of Nickel & Kiela's code (child, parent);
# other names of the two label columns are _relations.COLUMN_NAMES.
_NUMBERED_HEADER = ("id1", "id2")
_QUOTE = '"'


def _open_binary(path):
    """Open ``path`` for reading bytes, decompressing gzip transparently.

    The gzip magic bytes decide, not the file name, so a compressed file
    without the ``.gz`` suffix (or the reverse) is still read correctly.
    """
    stream = open(path, "rb")
    try:
        magic = stream.read(2)
        stream.seek(0)
    except BaseException:
        stream.close()
        raise
    if magic == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=stream, mode="rb"), stream
    return stream, None


# Encodings in which a line ending is not the byte b"\n": their files are
# decoded as a whole stream, not line by line.
_WIDE_CODECS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


def _numbered_lines(path, encoding):
    """Yield ``(line_number, text)`` for each line, without the line ending.

    Lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac files); a
    byte-order mark starting a UTF-8 file (Excel writes one) is dropped.
    Decoding happens line by line, so that a bad byte is reported with the
    line it is on, except in UTF-16 and UTF-32, whose files are decoded as
    one stream.
    """
    codec = codecs.lookup(encoding).name
    stream, raw = _open_binary(path)
    name = os.fspath(path)
    number = 0
    try:
        try:
            if codec in _WIDE_CODECS:
                text_stream = io.TextIOWrapper(stream, encoding=encoding, newline=None)
                try:
                    for number, text in enumerate(text_stream, start=1):
                        yield number, text.rstrip("\n")
                except UnicodeDecodeError as exc:
                    raise ValueError(
                        f"{name}:{number + 1}: not valid {encoding} text ({exc.reason}, "
                        "on this line or a few after it)"
                    ) from None
                return
            decoding = "utf-8-sig" if codec == "utf-8" else encoding
            for data in stream:
                data = data[:-1] if data.endswith(b"\n") else data
                data = data[:-1] if data.endswith(b"\r") else data
                # a lone \r ends a line too (old Mac files); in these
                # encodings no character holds the byte
                for piece in data.split(b"\r"):
                    number += 1
                    try:
                        yield number, piece.decode(decoding)
                    except UnicodeDecodeError as exc:
                        raise ValueError(
                            f"{name}:{number}: not valid {encoding} text "
                            f"({exc.reason} at byte {exc.start} of the line)"
                        ) from None
        except (OSError, EOFError) as exc:  # e.g. a truncated gzip file
            raise ValueError(f"{name}: cannot be read: {exc}") from exc
    finally:
        stream.close()
        if raw is not None:
            raw.close()


def _split_fields(text, delimiter, where):
    """Split one line into stripped fields; CSV double quotes are honoured."""
    if _QUOTE not in text:
        return [field.strip() for field in text.split(delimiter)]
    try:
        # skipinitialspace: a quoted field may follow "delimiter + space"
        rows = list(csv.reader([text], delimiter=delimiter, strict=True,
                               skipinitialspace=True))
    except csv.Error as exc:
        raise ValueError(f"{where}: malformed quoting ({exc})") from None
    return [field.strip() for field in rows[0]] if rows else [""]


def _parse_weight(field, where):
    try:
        weight = float(field)
    except ValueError:
        raise ValueError(
            f"{where}: weight {field!r} is not a number (the third column holds "
            "relation weights)"
        ) from None
    if not (math.isfinite(weight) and weight >= 0):
        raise ValueError(
            f"{where}: weight {field!r} must be a finite non-negative number"
        )
    return weight


def _is_number(field):
    try:
        float(field)
    except ValueError:
        return False
    return True


def _looks_like_header(fields):
    """Whether ``header="infer"`` takes these first-line fields as a header."""
    if tuple(f.lower() for f in fields[:2]) == _NUMBERED_HEADER:
        return True
    if named_order(fields, exact=True) is not None:
        return True
    # weights are numbers: a non-numeric third field can only be a name
    return len(fields) == 3 and not _is_number(fields[2])


def _check_format_options(delimiter, comment):
    if comment is not None and not comment:
        raise ValueError(
            "comment must be a non-empty string or None; an empty prefix would "
            "make every line a comment"
        )
    if delimiter is None:
        return
    if len(delimiter) != 1 or delimiter in "\r\n" + _QUOTE:
        raise ValueError(
            f"delimiter must be a single character other than a newline or a "
            f"double quote, got {delimiter!r}"
        )


@validate_params(
    {
        "path": [str, os.PathLike],
        "delimiter": [str, None],
        "header": [StrOptions({"infer"}), "boolean"],
        "comment": [str, None],
        "encoding": [str],
    },
    prefer_skip_nested_validation=True,
)
def load_relations(
    path, *, delimiter=None, header="infer", comment="#", encoding="utf-8"
):
    """Read (child, parent) relations, with optional weights, from a text file.

    Each data line holds one relation: the child label, the parent label
    and, optionally, a weight, separated by ``delimiter``; every line must
    have the same number of fields, 2 or 3. Fields are stripped of
    surrounding whitespace, and a field may be enclosed in double quotes
    (CSV rules) to hold the delimiter. Blank lines and comment lines are
    skipped. Files compressed with gzip are recognised by their content and
    read transparently.

    Labels are returned as Python ``str``: a file has no types, so the label
    ``1`` is read as ``"1"``. Relations are returned as read: duplicates and
    self-loops (a node as its own parent, which
    :meth:`PoincareEmbedder.fit <sklpoincare.PoincareEmbedder.fit>` rejects)
    are kept; drop self-loops with ``X[X[:, 0] != X[:, 1]]``.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    delimiter : str, default=None
        The one character separating fields. ``None`` sniffs it from the
        first non-comment line: a tab if that line holds one, else a comma.
    header : "infer" or bool, default="infer"
        Whether the first non-comment line is a header of column names
        (skipped; when present, its number of fields fixes the number of
        columns). ``"infer"`` takes it as a header when its first two fields
        are ``id1, id2`` or name the two columns (``child`` and ``parent``,
        ``hyponym`` and ``hypernym``, ``descendant`` and ``ancestor``, or
        ``narrower`` and ``broader``, in either order and any case), or
        when it has three fields and the third is not a number. Pass
        ``True`` or ``False`` for any other file. A header whose names
        put the parent's column first (``parent, child``, or with
        ``header=True`` also ``parent_id, child_id``) swaps the columns as
        they are read.
    comment : str or None, default="#"
        Lines starting with this string (after leading whitespace) are
        skipped. Only whole lines are comments: the string may appear inside
        labels. ``None`` disables comments.
    encoding : str, default="utf-8"
        Text encoding of the file (UTF-16 and UTF-32 included); a UTF-8
        file may start with a byte-order mark. Lines end at ``\\n``,
        ``\\r\\n`` or ``\\r``.

    Returns
    -------
    relations : ndarray of shape (n_relations, 2), dtype=object
        The (child, parent) label pairs as ``str``, in file order; the
        columns swapped where the header names the parent's first.
    sample_weight : ndarray of shape (n_relations,) or None
        The weights of the third column as float64, or None when the file
        has two columns. Pass both on as
        ``fit(relations, sample_weight=sample_weight)``.

    Raises
    ------
    ValueError
        For any malformed line, with the message starting ``path:line:``:
        a wrong number of fields, an empty label, a weight that is not a
        finite non-negative number, broken quoting, undecodable text. Also
        when the file holds no relations.

    See Also
    --------
    sklpoincare.datasets.load_wordnet : Relations from a WordNet database.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklpoincare.io import load_relations
    >>> path = os.path.join(tempfile.mkdtemp(), "relations.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("child,parent,weight\\n# a comment\\ndog,mammal,1\\n"
    ...                 "cat,mammal,0.5\\n")
    >>> relations, sample_weight = load_relations(path)
    >>> relations.tolist()
    [['dog', 'mammal'], ['cat', 'mammal']]
    >>> sample_weight
    array([1. , 0.5])
    """
    relations, sample_weight, _ = _read_relations(path, delimiter, header, comment, encoding)
    return relations, sample_weight


def _read_relations(path, delimiter=None, header="infer", comment="#", encoding="utf-8"):
    """load_relations, and the order a header named (``"parent-first"``,
    ``"child-first"``, or None without a header that names it): the
    relations come out as (child, parent) either way."""
    _check_format_options(delimiter, comment)
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = name.decode(errors="replace")
    children, parents, weights = [], [], []
    order = None  # the order of the columns, where a header names it
    columns = ("child", "parent")  # the file's, for error messages
    n_fields = None  # fixed by the header or the first data line
    width_source = None  # where n_fields comes from, for error messages
    first = True
    for number, text in _numbered_lines(path, encoding):
        stripped = text.strip()
        if not stripped or (comment and stripped.startswith(comment)):
            continue
        where = f"{name}:{number}"
        if delimiter is None:
            delimiter = "\t" if "\t" in text else ","
        fields = _split_fields(text, delimiter, where)
        if first:
            first = False
            if header is True or (header == "infer" and _looks_like_header(fields)):
                n_fields, width_source = len(fields), f"the header on line {number}"
                # a header's names, once it is one, may hold the words (parent_id)
                order = named_order(fields)
                if order == "parent-first":
                    columns = ("parent", "child")
                if n_fields not in (2, 3):
                    raise ValueError(
                        f"{where}: the header has {n_fields} field(s); expected 2 "
                        f"(child, parent) or 3 (child, parent, weight), separated "
                        f"by {delimiter!r}"
                    )
                continue
        if n_fields is None:
            n_fields, width_source = len(fields), f"line {number}"
        if len(fields) != n_fields or n_fields not in (2, 3):
            expected = (
                f"{n_fields} as on {width_source}"
                if n_fields in (2, 3) and len(fields) != n_fields
                else "2 (child, parent) or 3 (child, parent, weight)"
            )
            raise ValueError(
                f"{where}: found {len(fields)} field(s) separated by {delimiter!r}; "
                f"expected {expected}"
            )
        for column, label in zip(columns, fields):
            if not label:
                raise ValueError(f"{where}: empty {column} label")
        children.append(fields[0])
        parents.append(fields[1])
        if n_fields == 3:
            weights.append(_parse_weight(fields[2], where))
    if not children:
        raise ValueError(f"{name}: no relations found (the file has no data lines)")
    if order == "parent-first":
        children, parents = parents, children
    relations = np.empty((len(children), 2), dtype=object)
    relations[:, 0] = children
    relations[:, 1] = parents
    sample_weight = np.asarray(weights, dtype=np.float64) if n_fields == 3 else None
    return relations, sample_weight, order


# ------------------------------------------------------------------ word2vec


def _label_text(label, index):
    """A label as the word2vec format stores it, or a clear error."""
    if isinstance(label, (str, np.str_)):
        text = str(label)
    elif isinstance(label, (int, np.integer)) and not isinstance(label, bool):
        text = str(int(label))
    else:
        raise TypeError(
            f"label {label!r:.80} at index {index} is of type {type(label).__name__}; "
            "the word2vec format stores str (or int) labels only"
        )
    if not text:
        raise ValueError(
            f"label at index {index} is empty; word2vec keys must be non-empty"
        )
    if any(ch.isspace() for ch in text):
        raise ValueError(
            f"label {text!r} at index {index} contains whitespace, which the word2vec "
            "format uses as separator (gensim could not read it back); rename it, "
            "for example with underscores"
        )
    return text


@validate_params(
    {"path": [str, os.PathLike], "vectors": ["array-like"], "labels": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def save_word2vec_format(path, vectors, labels):
    """Write vectors and their labels in the text word2vec format.

    The file starts with the line ``"<n_vectors> <n_components>"``, then one
    line per vector: the label, a space, and the coordinates separated by
    spaces. Coordinates are written with Python's ``repr`` of float64, the
    shortest text that reads back to the same float, so a round trip through
    :func:`load_word2vec_format` is exact. gensim reads the file with
    ``KeyedVectors.load_word2vec_format(path)`` (pass
    ``datatype=numpy.float64`` to keep full precision; gensim's default is
    float32). A path ending in ``.gz`` is written gzip-compressed.

    To save a fitted embedder, pass ``(embedder.embedding_,
    embedder.nodes_)``.

    Parameters
    ----------
    path : str or path-like
        The file to write (overwritten if it exists).
    vectors : array-like of shape (n_vectors, n_components)
        Finite coordinates, one row per label.
    labels : array-like of shape (n_vectors,)
        Distinct labels, ``str`` or ``int`` (ints are written as text and
        read back as ``str``). A label must be non-empty and contain no
        whitespace: the format separates fields with spaces, so such labels
        are rejected with a ValueError rather than written unreadably.

    Returns
    -------
    None

    See Also
    --------
    load_word2vec_format : Read such a file back.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklpoincare.io import load_word2vec_format, save_word2vec_format
    >>> path = os.path.join(tempfile.mkdtemp(), "vectors.txt")
    >>> save_word2vec_format(path, [[0.1, -0.2], [0.3, 0.0]], ["dog", "mammal"])
    >>> print(open(path).read(), end="")
    2 2
    dog 0.1 -0.2
    mammal 0.3 0.0
    >>> vectors, labels = load_word2vec_format(path)
    >>> labels.tolist()
    ['dog', 'mammal']
    """
    vectors = check_array(vectors, dtype=np.float64, input_name="vectors")
    labels = np.asarray(labels, dtype=object)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D, got an array of shape {labels.shape}")
    if len(labels) != len(vectors):
        raise ValueError(
            f"vectors has {len(vectors)} rows but there are {len(labels)} labels; "
            "give one label per row"
        )
    texts = [_label_text(label, i) for i, label in enumerate(labels)]
    first_index = {}
    for i, text in enumerate(texts):
        j = first_index.setdefault(text, i)
        if j != i:
            raise ValueError(
                f"label {text!r} appears at index {j} and at index {i} (as text); "
                "word2vec keys must be distinct"
            )
    suffix = ".gz" if isinstance(os.fspath(path), str) else b".gz"
    opener = gzip.open if os.fspath(path).endswith(suffix) else open
    with opener(path, "wt", encoding="utf-8", newline="\n") as f:
        f.write(f"{vectors.shape[0]} {vectors.shape[1]}\n")
        for text, row in zip(texts, vectors.tolist()):
            f.write(text + " " + " ".join(map(repr, row)) + "\n")


def _parse_header(text, where):
    parts = text.split()
    try:
        n_vectors, n_components = (int(p) for p in parts)
    except ValueError:
        n_vectors = n_components = -1
    if len(parts) != 2 or n_vectors < 1 or n_components < 1:
        raise ValueError(
            f"{where}: expected the header '<n_vectors> <n_components>' (two positive "
            f"integers), found {text!r:.80}; only the text word2vec format is read"
        )
    return n_vectors, n_components


@validate_params(
    {"path": [str, os.PathLike], "encoding": [str]},
    prefer_skip_nested_validation=True,
)
def load_word2vec_format(path, *, encoding="utf-8"):
    """Read vectors and labels from a text word2vec file.

    Reads what :func:`save_word2vec_format` and gensim's
    ``KeyedVectors.save_word2vec_format`` (with ``binary=False``, the
    default) write: a header ``"<n_vectors> <n_components>"``, then per line a
    label, a space and the coordinates. The label is the text before the
    first space, as gensim reads it; coordinates may be separated by any
    whitespace, and trailing whitespace is ignored. gzip-compressed files are
    recognised by their content. Blank lines are skipped.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    encoding : str, default="utf-8"
        Text encoding of the file (UTF-16 and UTF-32 included); a UTF-8
        file may start with a byte-order mark. Lines end at ``\\n``,
        ``\\r\\n`` or ``\\r``.

    Returns
    -------
    vectors : ndarray of shape (n_vectors, n_components), dtype=float64
        The coordinates, in file order.
    labels : ndarray of shape (n_vectors,), dtype=object
        The labels as ``str``, in file order.

    Raises
    ------
    ValueError
        With the message starting ``path:line:``, for a malformed header, a
        line with the wrong number of coordinates, a coordinate that is not a
        finite number, a repeated label, or more or fewer vectors than the
        header announces.

    See Also
    --------
    save_word2vec_format : Write such a file.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklpoincare.io import load_word2vec_format
    >>> path = os.path.join(tempfile.mkdtemp(), "vectors.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("2 3\\ndog 0.1 0.2 0.3\\nmammal 0 0 1e-3\\n")
    >>> vectors, labels = load_word2vec_format(path)
    >>> vectors
    array([[0.1  , 0.2  , 0.3  ],
           [0.   , 0.   , 0.001]])
    >>> labels.tolist()
    ['dog', 'mammal']
    """
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = name.decode(errors="replace")
    n_vectors = n_components = None
    rows, labels, seen = [], [], {}
    for number, text in _numbered_lines(path, encoding):
        where = f"{name}:{number}"
        if not text.strip():
            continue
        if n_vectors is None:
            n_vectors, n_components = _parse_header(text, where)
            continue
        if len(rows) == n_vectors:
            raise ValueError(
                f"{where}: more vectors than the {n_vectors} the header announces"
            )
        label, _, rest = text.partition(" ")
        if not label:
            raise ValueError(
                f"{where}: the line starts with a space instead of a label"
            )
        fields = rest.split()
        if len(fields) != n_components:
            raise ValueError(
                f"{where}: label {label!r:.60} has {len(fields)} coordinate(s); the "
                f"header announces {n_components}"
            )
        try:
            row = [float(field) for field in fields]
        except ValueError:
            bad = next(f for f in fields if not _is_number(f))
            raise ValueError(
                f"{where}: coordinate {bad!r:.40} is not a number"
            ) from None
        if not all(math.isfinite(value) for value in row):
            raise ValueError(
                f"{where}: label {label!r:.60} has a non-finite coordinate"
            )
        previous = seen.setdefault(label, number)
        if previous != number:
            raise ValueError(f"{where}: label {label!r:.60} already on line {previous}")
        rows.append(row)
        labels.append(label)
    if n_vectors is None:
        raise ValueError(f"{name}: the file is empty; expected a word2vec header")
    if len(rows) != n_vectors:
        raise ValueError(
            f"{name}: the header announces {n_vectors} vectors but the file holds "
            f"{len(rows)}"
        )
    vectors = np.asarray(rows, dtype=np.float64).reshape(n_vectors, n_components)
    label_array = np.empty(len(labels), dtype=object)
    label_array[:] = labels
    return vectors, label_array
