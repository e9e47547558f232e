"""Data loading shared by the benchmark scripts.

The mammal closure ships with sklpoincare; the noun closure does not, and is
read from ``--data DIR`` (e.g. the project's ``../shared/data``).
"""

import ast
import os
import sys

import numpy as np

from sklpoincare.datasets import load_mammals
from sklpoincare.datasets._wordnet import _Database, _parse_data, _parse_index, _synset_names
from sklpoincare.hierarchy import transitive_closure
from sklpoincare.io import load_relations

DATASETS = ("mammals", "nouns", "holonymy")
NOUN_FILE = "noun_closure.tsv.gz"
WORDNET_DIR = "wordnet-3.0"  # Princeton's data.noun and index.noun, for the holonymy
# member, part and substance holonym pointers: (part, whole) pairs
HOLONYM_POINTERS = ("#m", "#p", "#s")

NOUN_ORIGIN = (
    "the transitive closure of the WordNet 3.0 noun hypernym hierarchy "
    "(743,086 child<TAB>parent relations over 82,115 synsets, as in Nickel & "
    "Kiela 2017); it is not bundled with sklpoincare: the project keeps it "
    "in shared/data (see shared/data/README.md), or build it from WordNet "
    "3.0 with NLTK like the transitive_closure.py script of "
    "facebookresearch/poincare-embeddings"
)


HOLONYMY_ORIGIN = (
    "Princeton's WordNet 3.0 database (data.noun and index.noun, plain or "
    "gzip-compressed); the project keeps it in shared/data/wordnet-3.0"
)


def load_dataset(name, data_dir):
    """The relations of ``name``: mammals (bundled), nouns or holonymy (from
    ``data_dir``)."""
    if name == "mammals":
        return load_mammals().data
    if name == "holonymy":
        return load_holonymy(os.path.join(data_dir, WORDNET_DIR))
    # a child<TAB>parent file with a header line
    relations, _ = load_relations(os.path.join(data_dir, NOUN_FILE), delimiter="\t",
                                  header=True)
    return relations


def load_holonymy(directory):
    """The transitive closure of WordNet's noun holonymy: each synset under
    the wholes it is a member, part or substance of (23,153 synsets, 22,187
    pointers, 118,228 pairs in WordNet 3.0). Unlike the hypernymy it is a
    forest of 2,748 roots, and many parts hang from several wholes (a
    handle from a briefcase, a coffee cup, a frying pan...)."""
    database = _Database(directory)
    index_display, index_lines = database.read_lines("index.noun")
    data_display, data_lines = database.read_lines("data.noun")
    offsets, lemmas, by_symbol, line_numbers = _parse_data(
        data_display, data_lines, "n", HOLONYM_POINTERS
    )
    names = _synset_names(
        offsets, lemmas, _parse_index(index_display, index_lines, "n"), "n",
        data_display, index_display, line_numbers,
    )
    name_of = dict(zip(offsets, names))
    pairs = {
        (name_of[offset], name_of[whole])
        for wholes in by_symbol
        for offset, targets in zip(offsets, wholes)
        for whole in targets
    }
    return transitive_closure(np.array(sorted(pairs), dtype=object))


def check_data(datasets, data_dir):
    """Exit with a message naming the missing file when the nouns or the
    holonymy cannot be read."""
    if "holonymy" in datasets:
        directory = os.path.join(data_dir or ".", WORDNET_DIR)
        if data_dir is None or not any(
            os.path.isfile(os.path.join(directory, "data.noun" + ext)) for ext in ("", ".gz")
        ):
            sys.exit(
                f"error: the holonymy needs --data DIR, a directory holding "
                f"{WORDNET_DIR}/data.noun and index.noun (looked in "
                f"{os.path.abspath(directory)}): {HOLONYMY_ORIGIN}."
            )
    if "nouns" not in datasets:
        return
    if data_dir is None:
        sys.exit(
            f"error: the nouns need --data DIR, a directory holding {NOUN_FILE}: "
            f"{NOUN_ORIGIN}."
        )
    path = os.path.join(data_dir, NOUN_FILE)
    if not os.path.isdir(data_dir):
        sys.exit(
            f"error: --data {data_dir!r}: no such directory, so {NOUN_FILE} is "
            f"missing (looked for {os.path.abspath(path)}). {NOUN_FILE} is "
            f"{NOUN_ORIGIN}."
        )
    if not os.path.isfile(path):
        sys.exit(
            f"error: {NOUN_FILE} is missing from {data_dir!r} (looked for "
            f"{os.path.abspath(path)}). It is {NOUN_ORIGIN}."
        )


def comma_list(text):
    return [item.strip() for item in text.split(",") if item.strip()]


def learning_rate(text):
    """An argparse type for ``--learning-rate``: a number, or "auto"."""
    return text if text == "auto" else float(text)


def add_set_argument(parser):
    """``--set PARAM=VALUE`` (repeatable): any other PoincareEmbedder parameter."""
    parser.add_argument(
        "--set", action="append", default=[], metavar="PARAM=VALUE",
        help="any other PoincareEmbedder parameter, e.g. --set manifold=lorentz "
        "--set eps=1e-8 (repeatable; VALUE is a Python literal or a string)",
    )


# command-line options that set a PoincareEmbedder parameter of another name
_OPTION_PARAMS = {
    "epochs": "n_epochs",
    "learning_rate": "learning_rate",
    "n_negatives": "n_negatives",
    "burn_in": "burn_in",
    "init": "init",
}


def estimator_options(args):
    """PoincareEmbedder parameters from whichever of ``_OPTION_PARAMS`` the
    script has and were given, then from ``--set``."""
    options = {}
    for arg, param in _OPTION_PARAMS.items():
        value = getattr(args, arg, None)
        if value is not None:
            options[param] = value
    options.update(parse_setting(item) for item in args.set)
    return options


def parse_setting(item):
    """'name=value' -> (name, value), value a Python literal when it parses as one."""
    name, sep, text = item.partition("=")
    if not sep or not name.isidentifier():
        raise SystemExit(f"--set expects PARAM=VALUE, got {item!r}")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = text
    return name, value


def comma_floats(parser, option, text):
    """A comma list of numbers in [0, 1]; ``parser.error`` naming ``option``."""
    try:
        values = [float(v) for v in comma_list(text)]
    except ValueError:
        parser.error(f"{option} must be a comma list of numbers, got {text!r}")
    if not values or min(values) < 0 or max(values) > 1:
        parser.error(f"{option} must name at least one share, each in [0, 1]")
    return values


def parse_datasets_and_dims(parser, datasets_text, dims_text):
    """``--datasets`` and ``--dims`` as lists; ``parser.error`` on bad values."""
    datasets = comma_list(datasets_text)
    if not datasets or any(d not in DATASETS for d in datasets):
        parser.error(
            f"--datasets must be a comma list among {','.join(DATASETS)}, "
            f"got {datasets_text!r}"
        )
    try:
        dims = [int(d) for d in comma_list(dims_text)]
    except ValueError:
        parser.error(f"--dims must be a comma list of integers, got {dims_text!r}")
    if not dims or min(dims) < 1:
        parser.error("--dims must name at least one dimension, each >= 1")
    return list(dict.fromkeys(datasets)), dims


def add_data_arguments(parser, dims="10"):
    """``--data``, ``--datasets`` and ``--dims``, as the benchmarks read them
    with :func:`data_arguments`."""
    parser.add_argument("--data", metavar="DIR", help=f"directory holding {NOUN_FILE} "
                                                       f"(and {WORDNET_DIR}/ for the holonymy)")
    parser.add_argument("--datasets", help=f"comma list among {','.join(DATASETS)} "
                                           "(default: mammals, and nouns with --data)")
    parser.add_argument("--dims", default=dims, help="comma list of dimensions")


def data_arguments(parser, args):
    """``(datasets, dims)`` of :func:`add_data_arguments`' options; exits with
    a message naming the missing file when the nouns cannot be read."""
    datasets, dims = parse_datasets_and_dims(
        parser, args.datasets or ("mammals,nouns" if args.data else "mammals"), args.dims
    )
    check_data(datasets, args.data)
    return datasets, dims
