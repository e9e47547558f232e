"""The transitive closure of WordNet hypernyms, read from a Princeton database.

Princeton's WordNet database (what NLTK's ``wordnet`` corpus holds) stores
one synset per line of ``data.<pos>``: its byte offset, lexicographer file,
type, lemmas and typed pointers to other synsets, keyed by their offsets.
``index.<pos>`` lists, for each lemma, the offsets of its synsets in sense
order, which gives NLTK's synset names ``<first lemma>.<pos letter>.<NN>``.
"""

import gzip
import os

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order
from sklearn.utils._param_validation import StrOptions, validate_params

from .._relations import _deduplicate
from ..hierarchy import (
    HierarchyCycleError,
    ancestor_closure,
    describe_cycle,
    topological_levels,
)
from ._base import relations_bunch

_POS_LETTER = {"noun": "n", "verb": "v"}
# a root to name in an error message, per part of speech
_ROOT_EXAMPLE = {"noun": "mammal.n.01", "verb": "move.v.02"}
_HYPERNYM = "@"
_INSTANCE_HYPERNYM = "@i"
# Lines of the Princeton files that start with two spaces are the license.
_LICENSE_PREFIX = "  "
_GZIP_MAGIC = b"\x1f\x8b"
_NLTK_HINT = (
    "install NLTK and its WordNet corpus with `pip install nltk` and "
    "`python -c \"import nltk; nltk.download('wordnet')\"`, or pass "
    "path=<directory holding data.noun and index.noun>"
)


# ------------------------------------------------------------- file access


class _Database:
    """Opens the files of one WordNet database, from a directory or NLTK."""

    def __init__(self, path):
        if path is None:
            self._pointer = _find_nltk_wordnet()
            self._directory = None
            self.location = str(self._pointer)
        else:
            self._pointer = None
            self._directory = os.fspath(path)
            self.location = self._directory
            if not os.path.isdir(self._directory):
                raise NotADirectoryError(
                    f"path {self._directory!r} is not a directory; pass the "
                    "directory of a WordNet database in Princeton format "
                    "(data.noun, index.noun, ...)"
                )

    def read_lines(self, name):
        """``(display_name, lines)`` of the file ``name`` (or ``name.gz``)."""
        if self._pointer is not None:
            try:
                with self._pointer.join(name).open() as stream:
                    data = stream.read()
            except OSError as exc:
                raise FileNotFoundError(
                    f"NLTK's WordNet corpus at {self.location} has no {name}: {exc}"
                ) from None
            display = f"{self.location}/{name}"
        else:
            for candidate in (name, name + ".gz"):
                display = os.path.join(self._directory, candidate)
                if os.path.isfile(display):
                    with open(display, "rb") as stream:
                        data = stream.read()
                    break
            else:
                raise FileNotFoundError(
                    f"no {name} (or {name}.gz) in {self._directory!r}: expected a "
                    "WordNet database directory in Princeton format"
                )
        if data[:2] == _GZIP_MAGIC:
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:
                raise ValueError(f"{display}: cannot be decompressed: {exc}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ValueError(f"{display}:{line}: not valid UTF-8 text") from None
        # split on newlines only: str.splitlines also breaks at rarer
        # separators (form feed, U+2028...), which would shift line numbers
        return display, text.split("\n")


def _find_nltk_wordnet():
    """NLTK's path pointer to its WordNet corpus (a directory or a zip)."""
    try:
        import nltk
    except ImportError as exc:
        raise ImportError(
            f"load_wordnet() without a path needs NLTK to find WordNet: {_NLTK_HINT}"
        ) from exc
    # NLTK keeps the corpus either unpacked or as corpora/wordnet.zip
    for resource in ("corpora/wordnet", "corpora/wordnet.zip/wordnet/"):
        try:
            return nltk.data.find(resource)
        except LookupError:
            continue
    raise FileNotFoundError(f"NLTK's WordNet corpus was not found: {_NLTK_HINT}")


# ------------------------------------------------------------------ parsing


def _data_lines(lines):
    """``(line_number, text)`` of the lines after the license header."""
    for number, text in enumerate(lines, start=1):
        if text.strip() and not text.startswith(_LICENSE_PREFIX):
            yield number, text


def _parse_index(display, lines, letter):
    """lemma -> list of synset offsets in sense order."""
    senses = {}
    for number, text in _data_lines(lines):
        fields = text.split()
        try:
            lemma, line_pos, n_synsets, n_pointers = (
                fields[0], fields[1], int(fields[2]), int(fields[3])
            )
            offsets = fields[6 + n_pointers:]
        except (IndexError, ValueError):
            offsets, line_pos, n_synsets = None, None, -1
        if offsets is None or len(offsets) != n_synsets or n_synsets < 1:
            raise ValueError(
                f"{display}:{number}: malformed index line (expected: lemma pos "
                f"synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt "
                f"offset...): {text[:80]!r}"
            )
        if line_pos != letter:
            raise ValueError(
                f"{display}:{number}: part of speech {line_pos!r}, expected {letter!r}"
            )
        senses[lemma] = offsets
    return senses


def _parse_data(display, lines, letter, symbols=(_HYPERNYM, _INSTANCE_HYPERNYM)):
    """Parse ``data.<pos>``; return offsets, first lemmas, pointers, line numbers.

    ``pointers`` holds, for each of ``symbols`` (pointer symbols such as
    ``"@"``), the targets of each synset's pointers of that kind. Pointers
    are kept as offsets (str, as written) and resolved once all synsets are
    known. The offset field of a line is its key; pointers refer to synsets
    by that key.
    """
    offsets, lemmas, line_numbers = [], [], []
    pointers_by_symbol = tuple([] for _ in symbols)
    slot = {symbol: k for k, symbol in enumerate(symbols)}
    for number, text in _data_lines(lines):
        fields = text.split(" | ", 1)[0].split()
        where = f"{display}:{number}"
        try:
            offset, ss_type = fields[0], fields[2]
            n_words = int(fields[3], 16)
            first_lemma = fields[4]
            pointer_start = 4 + 2 * n_words
            n_pointers = int(fields[pointer_start])
            pointers = fields[pointer_start + 1 : pointer_start + 1 + 4 * n_pointers]
        except (IndexError, ValueError):
            pointers, n_pointers, n_words = None, 0, 0
        if pointers is None or n_words < 1 or len(pointers) != 4 * n_pointers:
            raise ValueError(
                f"{where}: malformed data line (expected: offset lex_filenum ss_type "
                f"w_cnt word lex_id ... p_cnt pointer...): {text[:80]!r}"
            )
        if ss_type != letter:
            raise ValueError(f"{where}: synset type {ss_type!r}, expected {letter!r}")
        targets = tuple([] for _ in symbols)
        for k in range(0, len(pointers), 4):
            symbol, target, target_pos = pointers[k : k + 3]
            # pointers to other parts of speech are not part of this hierarchy
            if target_pos == letter and symbol in slot:
                targets[slot[symbol]].append(target)
        offsets.append(offset)
        lemmas.append(first_lemma)
        for kept, found in zip(pointers_by_symbol, targets):
            kept.append(found)
        line_numbers.append(number)
    return offsets, lemmas, pointers_by_symbol, line_numbers


def _synset_names(
    offsets, lemmas, senses, letter, data_display, index_display, line_numbers
):
    """NLTK's names: first lemma lower-cased, then the sense number of this
    synset among that lemma's synsets in ``index.<pos>``."""
    names = []
    for offset, lemma, number in zip(offsets, lemmas, line_numbers):
        key = lemma.lower()
        try:
            sense = senses[key].index(offset) + 1
        except (KeyError, ValueError):
            raise ValueError(
                f"{data_display}:{number}: synset {offset} (lemma {lemma!r}) is not "
                f"listed under {key!r} in {index_display}; the two files do not match"
            ) from None
        names.append(f"{key}.{letter}.{sense:02d}")
    return names


def _resolve(targets_per_synset, position, display, line_numbers):
    """Offsets -> synset indices, with an error naming any dangling pointer."""
    resolved = []
    for i, targets in enumerate(targets_per_synset):
        try:
            resolved.append([position[t] for t in targets])
        except KeyError as exc:
            raise ValueError(
                f"{display}:{line_numbers[i]}: pointer to offset {exc.args[0]}, which "
                "is not a synset of this file"
            ) from None
    return resolved


# ------------------------------------------------------------------ closure


def _pointer_pairs(targets_per_synset):
    """(synsets, targets) index arrays of the pointers, one per pointer."""
    counts = np.fromiter(map(len, targets_per_synset), dtype=np.intp,
                         count=len(targets_per_synset))
    sources = np.repeat(np.arange(len(targets_per_synset)), counts)
    targets = np.fromiter(
        (t for targets in targets_per_synset for t in targets),
        dtype=np.intp,
        count=int(counts.sum()),
    )
    return sources, targets


def _ancestors(pairs, names, kind):
    """CSR matrix of the synsets reachable from each one in one or more
    steps along the ``pairs`` (synset, target); a cycle is an error."""
    sources, targets = pairs
    if not len(sources):
        return sp.csr_matrix((len(names), len(names)), dtype=np.int32)
    graph = _deduplicate(
        names, sources.astype(np.int32), targets.astype(np.int32), np.ones(len(sources))
    )
    try:
        topological_levels(graph)
    except HierarchyCycleError as exc:
        raise ValueError(
            f"the {kind} pointers form a cycle: {describe_cycle(exc.cycle)}; "
            "WordNet's hierarchy must be acyclic"
        ) from None
    return ancestor_closure(graph, max_steps=np.inf)


def _closure(hypernyms, instances, names):
    """Each synset's ancestors (CSR): any number of instance-hypernym steps,
    then any number of hypernym steps (at least one step in all).

    This is the closure of the noun hierarchy used by Nickel & Kiela (2017):
    a hypernym of an instance's class is an ancestor of the instance, but an
    instance hypernym reached through a hypernym is not.
    """
    above = _ancestors(hypernyms, names, "hypernym")
    instance_of = _ancestors(instances, names, "instance hypernym")
    closure = (above + instance_of + instance_of @ above).tocsr()
    closure.data[:] = 1
    return closure


def _pointer_matrix(n, *pairs):
    """CSR matrix with an entry (s, t) for each pointer, duplicates merged."""
    sources = np.concatenate([p[0] for p in pairs])
    targets = np.concatenate([p[1] for p in pairs])
    matrix = sp.csr_matrix((np.ones(len(sources)), (sources, targets)), shape=(n, n))
    matrix.data[:] = 1
    return matrix


def _subtree(root, pointers):
    """Boolean mask of the root and every synset from which the root can be
    reached along ``pointers`` (a CSR matrix synset -> target)."""
    below = breadth_first_order(pointers.T.tocsr(), root, directed=True,
                                return_predecessors=False)
    members = np.zeros(pointers.shape[0], dtype=bool)
    members[below] = True
    return members


def _pointers_within(pairs, members):
    """The pointers whose both ends are members."""
    sources, targets = pairs
    inside = members[sources] & members[targets]
    return sources[inside], targets[inside]


def _sorted_pairs(ancestors, names, members):
    """(child, parent) synset indices of ``ancestors`` (CSR), sorted by name.

    Sorting integer keys built from each name's rank is much faster than
    sorting 743,086 pairs of strings.
    """
    n = len(names)
    children = np.repeat(np.arange(n), np.diff(ancestors.indptr))
    parents = ancestors.indices.astype(np.intp)
    if members is not None:
        inside = members[children] & members[parents]
        children, parents = children[inside], parents[inside]
    rank = np.empty(n, dtype=np.int64)
    rank[sorted(range(n), key=names.__getitem__)] = np.arange(n)
    order = np.argsort(rank[children] * n + rank[parents], kind="stable")
    return children[order], parents[order]


# ------------------------------------------------------------------ loader


def _unknown_root(root, names, pos, location):
    lemma = root.split(".", 1)[0].lower()
    close = sorted(n for n in names if n.split(".", 1)[0] == lemma)[:5]
    hint = f"; {pos} synsets of that lemma: {', '.join(close)}" if close else ""
    return ValueError(
        f"root {root!r} is not a {pos} synset of the WordNet database at "
        f"{location}{hint}. Pass a synset name such as "
        f"{_ROOT_EXAMPLE[pos]!r}, or "
        f"root=None for the closure over all {pos}s"
    )


def _describe(pos, root, location, n_nodes, n_relations, closure):
    scope = f"all {pos}s" if root is None else f"the subtree below {root!r}"
    what = "transitive closure" if closure else "direct links"
    meaning = (
        "Each row (child, parent) says that parent is an ancestor of child: "
        "reachable by any number of instance-hypernym pointers followed by any "
        "number of hypernym pointers, the closure used by Nickel & Kiela (2017). "
        if closure
        else "Each row (child, parent) is one hypernym or instance-hypernym "
        "pointer of the database. "
    )
    return (
        f"WordNet {pos} hierarchy: {what} of {scope}\n"
        f"{'=' * 60}\n\n"
        f"Read from the WordNet database at {location}.\n\n"
        f"=================   ==========================\n"
        f"Relations (rows)    {n_relations:,}\n"
        f"Nodes               {n_nodes:,}\n"
        f"Columns             2 (``child``, ``parent``)\n"
        f"Node type           str (NLTK synset name)\n"
        f"=================   ==========================\n\n"
        f"{meaning}"
        "A subtree keeps its root, the synsets from which the root can be "
        "reached along these pointers, and the relations among them. WordNet "
        "is distributed under the WordNet 3.0 license of Princeton University, "
        "which must accompany any copy of the data.\n"
    )


@validate_params(
    {
        "path": [str, os.PathLike, None],
        "root": [str, None],
        "pos": [StrOptions(set(_POS_LETTER))],
        "closure": ["boolean"],
        "return_X_y": ["boolean"],
        "as_frame": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_wordnet(
    path=None,
    *,
    root="entity.n.01",
    pos="noun",
    closure=True,
    return_X_y=False,
    as_frame=False,
):
    """Load a WordNet hierarchy from its database: closure or direct links.

    Reads a WordNet database in Princeton format (``data.noun`` and
    ``index.noun``, plain or gzip-compressed, as NLTK's ``wordnet`` corpus
    and Princeton's ``dict/`` directory hold them) and returns every
    (child, parent) pair of the hypernym closure, with NLTK's synset names
    (``"dog.n.01"``). A parent is an ancestor of the child: reachable by any
    number of instance-hypernym pointers followed by any number of hypernym
    pointers, the closure used by Nickel & Kiela (2017). For the nouns of
    WordNet 3.0 this gives 82,115 nodes and 743,086 relations. With
    ``closure=False`` it returns the pointers themselves (84,427 direct
    links for the nouns).

    With ``root``, only its subtree is kept: the root, every synset from
    which the root can be reached along hypernym and instance-hypernym
    pointers (in any order), and the closure relations among them. The
    default root, ``entity.n.01``, keeps all nouns. ``root="mammal.n.01"``
    gives 1,182 nodes and 6,542 relations: unlike :func:`load_mammals`
    (1,180 and 6,540), it applies no filter to the subtree.

    Parameters
    ----------
    path : str or path-like, default=None
        Directory of the database. ``None`` locates NLTK's ``wordnet``
        corpus with ``nltk.data.find`` (requires NLTK and the corpus, from
        ``nltk.download("wordnet")``).
    root : str or None, default="entity.n.01"
        NLTK name of the synset whose subtree is returned. ``None`` returns
        the closure over all synsets of ``pos`` (for verbs, which have many
        roots). The default covers all nouns, as every noun descends from
        ``entity.n.01``.
    pos : {"noun", "verb"}, default="noun"
        Which hierarchy to read (``data.<pos>`` and ``index.<pos>``).
    closure : bool, default=True
        If True, every (descendant, ancestor) pair of the closure; if False,
        one pair per hypernym or instance-hypernym pointer between members
        (the direct links; their plain transitive closure, which
        :class:`~sklpoincare.PoincareEmbedder` trains on by default, adds
        the few pairs that follow a hypernym pointer, then an
        instance-hypernym pointer: 155 for the nouns).
    return_X_y : bool, default=False
        If True, return ``(data, None)`` instead of a Bunch, as
        :func:`load_mammals` does: relations have no target.
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame with columns ``"child"`` and
        ``"parent"`` and ``frame`` holds the same DataFrame. Requires pandas.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : ndarray of shape (n_relations, 2) or DataFrame
            The (child, parent) relations, sorted, as Python ``str`` in an
            ``object`` array.
        feature_names : list of str
            ``["child", "parent"]``.
        frame : DataFrame of shape (n_relations, 2) or None
            The relations as a DataFrame when ``as_frame=True``, else None.
        DESCR : str
            Description of the data: source, scope and size.
        senses : dict of str to list of str
            The synsets of each lemma (lower case, words joined by ``_``, as
            ``index.<pos>`` writes them) among the returned nodes, in
            WordNet's sense order: ``senses["dog"][0] == "dog.n.01"``. It
            maps the words of word-level data (e.g. hypernymy pairs) to
            nodes.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` as described above and ``target=None``.

    Raises
    ------
    ImportError
        When ``path`` is None and NLTK is not installed.
    FileNotFoundError
        When one of the database's files cannot be found, or NLTK's corpus.
    NotADirectoryError
        When ``path`` is not a directory.
    ValueError
        For a malformed database file (the message names the file and
        line), an unknown ``root``, or a root without descendants.

    See Also
    --------
    load_mammals : The mammal subtree bundled with sklpoincare.
    sklpoincare.io.load_relations : Relations from a CSV or TSV file.

    References
    ----------
    .. [1] M. Nickel and D. Kiela, "Poincaré Embeddings for Learning
       Hierarchical Representations", NeurIPS 2017.
    .. [2] Princeton University, "WordNet 3.0", https://wordnet.princeton.edu

    Examples
    --------
    With NLTK's corpus installed (``nltk.download("wordnet")``):

    >>> from sklpoincare.datasets import load_wordnet
    >>> nouns = load_wordnet()  # doctest: +SKIP
    >>> nouns.data.shape  # doctest: +SKIP
    (743086, 2)
    >>> mammals = load_wordnet(root="mammal.n.01").data  # doctest: +SKIP
    """
    letter = _POS_LETTER[pos]
    database = _Database(path)
    index_display, index_lines = database.read_lines(f"index.{pos}")
    data_display, data_lines = database.read_lines(f"data.{pos}")
    senses = _parse_index(index_display, index_lines, letter)
    del index_lines
    offsets, lemmas, (hypernym_offsets, instance_offsets), line_numbers = _parse_data(
        data_display, data_lines, letter
    )
    del data_lines
    if not offsets:
        raise ValueError(f"{data_display}: no synsets found")
    position = {}
    for i, offset in enumerate(offsets):
        first = position.setdefault(offset, i)
        if first != i:
            raise ValueError(
                f"{data_display}:{line_numbers[i]}: offset {offset} already used on "
                f"line {line_numbers[first]}"
            )
    names = _synset_names(
        offsets, lemmas, senses, letter, data_display, index_display, line_numbers
    )
    hypernyms = _pointer_pairs(
        _resolve(hypernym_offsets, position, data_display, line_numbers)
    )
    instances = _pointer_pairs(
        _resolve(instance_offsets, position, data_display, line_numbers)
    )
    name_array = np.empty(len(names), dtype=object)
    name_array[:] = names
    if root is None:
        members = None
    else:
        index_of_name = {name: i for i, name in enumerate(names)}
        if root not in index_of_name:
            raise _unknown_root(root, names, pos, database.location)
        members = _subtree(
            index_of_name[root], _pointer_matrix(len(names), hypernyms, instances)
        )
        if members.sum() == 1:
            raise ValueError(
                f"root {root!r} has no hyponyms or instances: its subtree holds no "
                "relations"
            )
        # Every synset on a path between two members reaches the root, so
        # it is a member too: the closure of the subtree needs only the
        # pointers among members.
        hypernyms = _pointers_within(hypernyms, members)
        instances = _pointers_within(instances, members)
    if closure:
        ancestors = _closure(hypernyms, instances, name_array)
    else:
        ancestors = _pointer_matrix(len(names), hypernyms, instances)
    children, parents = _sorted_pairs(ancestors, names, members)
    if not len(children):
        raise ValueError(
            f"{data_display}: the {pos} hierarchy holds no hypernym pointers"
        )
    nodes = np.union1d(children, parents)
    data = np.stack([name_array[children], name_array[parents]], axis=1)
    bunch = relations_bunch(
        data,
        _describe(pos, root, database.location, len(nodes), len(data), closure),
        "load_wordnet",
        as_frame,
        return_X_y,
    )
    if not return_X_y:
        bunch.senses = _lemma_senses(senses, position, name_array, nodes)
    return bunch


def _lemma_senses(senses, position, names, nodes):
    """lemma -> the names of its synsets among ``nodes``, in sense order."""
    is_node = np.zeros(len(names), dtype=bool)
    is_node[nodes] = True
    out = {}
    for lemma, offsets in senses.items():
        found = [names[position[o]] for o in offsets if o in position and is_node[position[o]]]
        if found:
            out[lemma] = found
    return out
