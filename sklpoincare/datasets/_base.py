"""Loaders for the data sets bundled with sklpoincare."""

from importlib import resources

from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ..hierarchy import transitive_reduction
from ..io import load_relations

# Resources are looked up relative to this package, so the loader works the
# same from a source checkout, an installed wheel or a zip import.
_PACKAGE = __name__.rpartition(".")[0]
_MAMMALS_FILE = "mammal_closure.tsv.gz"
_MAMMALS_DESCR = "mammals.rst"
_FEATURE_NAMES = ["child", "parent"]


def _read_text(*parts):
    """Return a bundled text resource as ``str``."""
    return resources.files(_PACKAGE).joinpath(*parts).read_text(encoding="utf-8")


def _read_relations(*parts):
    """A bundled gzipped ``child<TAB>parent`` TSV as an (n, 2) object array
    of ``str``, read by :func:`sklpoincare.io.load_relations`."""
    # as_file: a real path even when the package is imported from a zip
    with resources.as_file(resources.files(_PACKAGE).joinpath(*parts)) as path:
        relations, _ = load_relations(path, delimiter="\t", header=True, comment=None)
    return relations


@validate_params(
    {"closure": ["boolean"], "return_X_y": ["boolean"], "as_frame": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_mammals(*, closure=True, return_X_y=False, as_frame=False):
    """Load the WordNet mammal hierarchy (transitive closure or direct links).

    The data are the 6,540 (hyponym, hypernym) relations of the transitive
    closure of the WordNet 3.0 noun hierarchy below ``mammal.n.01``, filtered
    as in Nickel & Kiela (2017), or with ``closure=False`` its 1,180 direct
    links (the transitive reduction). There are 1,180 distinct nodes, named
    after NLTK synsets (e.g. ``"mammal.n.01"``). Each row is one relation
    with the child (the more specific synset) first.

    =================   ==========================
    Relations (rows)    6,540
    Nodes               1,180
    Columns             2 (``child``, ``parent``)
    Node type           str (WordNet synset name)
    =================   ==========================

    The WordNet 3.0 license ships with the data
    (``sklpoincare/datasets/data/WORDNET_LICENSE``).

    Parameters
    ----------
    closure : bool, default=True
        If True, every (descendant, ancestor) pair, as the paper trains on;
        if False, only the direct links, as a taxonomy usually comes.
        :class:`~sklpoincare.PoincareEmbedder` trains on the closure of
        either by default, with the same result.

    return_X_y : bool, default=False
        If True, return ``(data, None)`` instead of a Bunch. The second
        element is always None: the relations have no target; they are
        themselves what an embedding is fitted to.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame with columns ``"child"`` and
        ``"parent"`` and ``frame`` holds the same DataFrame. Requires pandas.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : ndarray of shape (6540, 2) or (1180, 2), or DataFrame
            The (child, parent) relations, sorted. As an ndarray its dtype
            is ``object`` and its entries are Python ``str``.
        feature_names : list of str
            ``["child", "parent"]``.
        frame : DataFrame of shape (n_relations, 2) or None
            The relations as a DataFrame when ``as_frame=True``, else None.
        DESCR : str
            Full description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` as described above and ``target=None``.

    References
    ----------
    .. [1] M. Nickel and D. Kiela, "Poincaré Embeddings for Learning
       Hierarchical Representations", Advances in Neural Information
       Processing Systems 30 (NeurIPS), 2017.

    Examples
    --------
    >>> from sklpoincare.datasets import load_mammals
    >>> X = load_mammals().data
    >>> X.shape
    (6540, 2)
    >>> X[0].tolist()
    ['aardvark.n.01', 'mammal.n.01']
    >>> load_mammals(closure=False).data.shape
    (1180, 2)
    >>> X, y = load_mammals(return_X_y=True)
    >>> y is None
    True
    """
    data = _read_relations("data", _MAMMALS_FILE)
    if not closure:
        data = transitive_reduction(data)
    return relations_bunch(
        data, _read_text("descr", _MAMMALS_DESCR), "load_mammals", as_frame, return_X_y
    )


def relations_bunch(data, descr, loader, as_frame, return_X_y):
    """What a relations loader returns: ``(data, None)`` or a Bunch, the
    relations as an (n, 2) object array or, with ``as_frame``, a DataFrame."""
    feature_names = list(_FEATURE_NAMES)
    frame = None
    if as_frame:
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(
                f"{loader}(as_frame=True) requires pandas; install it with "
                "`pip install pandas` or use as_frame=False."
            ) from exc
        frame = pd.DataFrame(data, columns=feature_names)
        data = frame
    if return_X_y:
        return data, None
    return Bunch(data=data, feature_names=feature_names, frame=frame, DESCR=descr)
