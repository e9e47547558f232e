"""The ``sklpoincare`` command line (also ``python -m sklpoincare``).

``sklpoincare fit [RELATIONS] -o vectors.txt --plot disk.png`` embeds the
relations of a 2-column TSV/CSV file (or the bundled WordNet mammals), shows
the training progress, prints the reconstruction mean rank and MAP on those
relations, and writes the vectors and a picture of the disk.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np

# Exit status of a usage or input error, as argparse uses.
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_PROG = "sklpoincare"
_MAMMALS_NAME = "the bundled WordNet mammals"


class CommandError(Exception):
    """An error in the user's command or input: printed without a traceback."""


# -------------------------------------------------------------- arguments


def _positive_int(text):
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _bounded_int(low, high):
    """An argparse type: an integer from ``low`` to ``high``, as the
    estimator parameter behind the option takes it (so that its error names
    the option, not the parameter)."""

    def parse(text):
        value = _int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be an integer from {low:,} to {high:,}, got {text!r}")
        return value

    return parse


def _non_negative_int(text):
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}")
    return value


def _int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _rate(text):
    return "auto" if text == "auto" else _positive_float(text)


def _jobs(text):
    value = _int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be a positive number of threads or -1 (all)")
    return value


def _delimiter(text):
    # a shell makes typing a tab awkward, so the escape "\t" stands for it
    value = "\t" if text in ("\\t", "tab") else text
    if len(value) != 1 or value in "\r\n\"":
        raise argparse.ArgumentTypeError(
            f"must be a single character (or '\\t' for a tab), got {text!r}"
        )
    return value


def _build_parser():
    # the estimator's defaults are ours
    from ._embedder import _AUTO_RANDOM_START_COMPONENTS, _MAX_NEGATIVES, PoincareEmbedder
    from ._manifolds import MANIFOLDS

    defaults = PoincareEmbedder().get_params()
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Poincaré embeddings of hierarchies (Nickel & Kiela, 2017).",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"{_PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    fit = commands.add_parser(
        "fit",
        help="embed (child, parent) relations and report mean rank and MAP",
        description=(
            "Embed the (child, parent) relations of RELATIONS, print the training "
            "progress, then the mean rank and MAP of those relations and the fit "
            "time; optionally write the vectors and a picture of the disk."
        ),
        epilog=(
            "RELATIONS has one relation per line, child first, in two columns "
            "separated by a tab (or a comma for .csv files); it may be "
            "gzip-compressed (.gz). Without --quiet, progress goes to standard "
            "output: one updating line with a bar on a terminal, plain lines "
            "otherwise."
        ),
    )
    fit.add_argument(
        "relations", nargs="?", metavar="RELATIONS",
        help=f"TSV/CSV file of (child, parent) pairs; default: {_MAMMALS_NAME}",
    )
    fit.add_argument(
        "-d", "--dim", type=_positive_int, default=defaults["n_components"],
        help="dimension of the ball, n_components (default: %(default)s)",
    )
    fit.add_argument(
        "--epochs", type=_positive_int, default=defaults["n_epochs"],
        help="epochs, burn-in included (default: %(default)s)",
    )
    fit.add_argument(
        "--lr", type=_rate, default=defaults["learning_rate"],
        help="learning rate after burn-in, a positive number or 'auto' (1.0 from "
        "the hierarchy, 0.3 from a random start) (default: %(default)s)",
    )
    fit.add_argument(
        "--negatives", type=_bounded_int(1, _MAX_NEGATIVES), default=defaults["n_negatives"],
        help="non-parents sampled per relation (default: %(default)s)",
    )
    fit.add_argument(
        "--burn-in", type=_non_negative_int, default=defaults["burn_in"],
        help="epochs at a tenth of the rate at the start, after a random start "
        f"(in {' or '.join(map(str, _AUTO_RANDOM_START_COMPONENTS))} "
        f"dimension{'s' if len(_AUTO_RANDOM_START_COMPONENTS) > 1 else ''}, or "
        "with --no-closure relations whose cycles no order fits, such as an "
        "undirected graph) only (default: %(default)s)",
    )
    fit.add_argument(
        "--manifold", choices=MANIFOLDS,
        default=defaults["manifold"], help="training model (default: %(default)s)",
    )
    fit.add_argument(
        "--no-closure", dest="closure", action="store_false",
        help="train on the relations exactly as given, not on their transitive "
        "closure (for graphs that are not hierarchies); mean rank and MAP are "
        "computed on the relations trained on",
    )
    fit.add_argument(
        "--seed", type=_bounded_int(0, 2**32 - 1), default=0,
        help="random seed; with --jobs 1 a run is reproducible (default: %(default)s)",
    )
    fit.add_argument(
        "--jobs", type=_jobs, default=1,
        help="threads, -1 for all cores (default: %(default)s)",
    )
    fit.add_argument(
        "-o", "--output", metavar="VECTORS",
        help="write the vectors here, in word2vec text format",
    )
    fit.add_argument(
        "--plot", metavar="PNG",
        help="draw the disk to this image file (needs matplotlib)",
    )
    fit.add_argument(
        "--delimiter", type=_delimiter, default=None,
        help="column separator of RELATIONS (default: ',' for .csv, tab otherwise)",
    )
    fit.add_argument(
        "--header", action="store_true",
        help="the first line of RELATIONS is a header: skip it",
    )
    fit.add_argument(
        "--parent-first", action="store_true",
        help="the rows of RELATIONS are (parent, child) pairs, not (child, parent) "
             "(a header that names the columns, such as 'parent,child', says so itself)",
    )
    fit.add_argument(
        "-q", "--quiet", action="store_true",
        help="no progress; print only the results",
    )
    return parser


# ------------------------------------------------------------ input, output


def read_relations(path, delimiter=None, header=False, parent_first=False):
    """``(relations, sample_weight)`` of a TSV/CSV file as (child, parent)
    rows, through :func:`sklpoincare.io.load_relations`; its errors name
    the file and line. ``parent_first``: the file's rows are (parent,
    child), which a header that names the columns says instead.
    """
    from ._relations import check_no_self_loops
    from .io import _read_relations

    try:
        relations, weights, named = _read_relations(
            path, delimiter=delimiter, header=True if header else "infer"
        )
    except FileNotFoundError:
        raise CommandError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not a file of relations") from None
    except (OSError, EOFError) as exc:  # unreadable, bad gzip
        raise CommandError(f"cannot read {path}: {exc}") from None
    if parent_first and named is not None:
        raise CommandError(
            f"the header of {path} names its columns ({named.replace('-', ' ')}), "
            "which gives their order: run again without --parent-first"
        )
    if parent_first:
        relations = relations[:, ::-1]
    try:
        check_no_self_loops(relations[:, 0], relations[:, 1], relations, path, "relation", 1)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    return relations, weights


def _check_writable(path, option):
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CommandError(f"{option} {path} is a directory")
    if not os.path.isdir(folder):
        raise CommandError(f"{option} {path}: folder {folder} does not exist")


# ------------------------------------------------------------------ fit


def _fit_command(args, out):
    # every check that can fail fast runs before a possibly long training
    if args.output:
        _check_writable(args.output, "--output")
    if args.plot:
        _check_writable(args.plot, "--plot")
        try:
            import matplotlib  # noqa: F401
            from matplotlib.backend_bases import FigureCanvasBase
        except ImportError:
            raise CommandError(
                "--plot needs matplotlib, which is not installed: pip install matplotlib"
            ) from None
        # savefig's format comes from the name; none means matplotlib's default
        suffix = os.path.splitext(args.plot)[1][1:].lower()
        formats = FigureCanvasBase.get_supported_filetypes()
        if suffix and suffix not in formats:
            raise CommandError(
                f"--plot {args.plot}: matplotlib writes no .{suffix} images; name a file "
                f"ending in one of: {', '.join('.' + f for f in sorted(formats))}"
            )

    if args.relations is None:
        if args.parent_first:
            raise CommandError("--parent-first is about the rows of a RELATIONS file; "
                               "the bundled mammals need no option")
        from .datasets import load_mammals

        relations, weights = load_mammals().data, None
        source = _MAMMALS_NAME
    else:
        relations, weights = read_relations(args.relations, args.delimiter, args.header,
                                            args.parent_first)
        source = args.relations
    if args.output:  # before training: labels the word2vec format cannot hold
        from .io import _label_text

        for index, label in enumerate(np.unique(relations)):
            _label_text(label, index)

    from ._embedder import PoincareEmbedder
    from ._manifolds import get_geometry
    from .exceptions import ReversedRelationsWarning
    from .metrics import ranking_scores

    embedder = PoincareEmbedder(
        n_components=args.dim,
        manifold=args.manifold,
        n_epochs=args.epochs,
        learning_rate=args.lr,
        n_negatives=args.negatives,
        burn_in=args.burn_in,
        closure=args.closure,
        random_state=args.seed,
        n_jobs=args.jobs,
        verbose=0 if args.quiet else 1,
    )
    if not args.quiet:
        print(
            f"{_PROG}: {len(relations):,} relations from {source}; "
            f"{args.dim} dimensions, {args.manifold}, {args.epochs} epochs",
            file=out, flush=True,
        )
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReversedRelationsWarning)
        embedder.fit(relations, sample_weight=weights)
    seconds = time.perf_counter() - start
    for warning in caught:
        if issubclass(warning.category, ReversedRelationsWarning):
            # the same advice in this command's terms
            flip = "without" if args.parent_first else "with"
            observation = warning.message.observation.replace("X looks", f"{source} looks", 1)
            print(f"{_PROG}: warning: {observation}. Its rows are read as (child, parent)"
                  f"{', swapped' if args.parent_first else ''}: if that is not their order, "
                  f"run again {flip} --parent-first", file=sys.stderr)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)

    # Scored on the relations trained on: with the closure, the paper's
    # reconstruction of every (descendant, ancestor) pair.
    # its stored entries: a relation of weight 0 is one too (nonzero() drops it)
    stored = embedder.adjacency_.tocoo()
    trained = np.stack([stored.row, stored.col], axis=1)
    scores = ranking_scores(
        embedder.embedding_, trained, metric=get_geometry(args.manifold).metric,
        n_jobs=args.jobs,
    )
    print(f"nodes:     {len(embedder.nodes_):,}", file=out)
    if args.closure:
        print(f"closure:   {len(trained):,} relations, scored below", file=out)
    print(f"mean rank: {scores.mean_rank:.3f}", file=out)
    print(f"MAP:       {scores.mean_average_precision:.4f}", file=out)
    print(f"fit time:  {seconds:.2f} s", file=out)

    if args.output:
        embedder.save_word2vec_format(args.output)
        print(f"wrote {args.output}", file=out)
    if args.plot:
        _save_plot(args.plot, embedder, relations, scores, source)
        print(f"wrote {args.plot}", file=out)
    return 0


def _save_plot(path, embedder, relations, scores, source):
    import matplotlib

    matplotlib.use("Agg")  # a file, no window: works without a display
    import matplotlib.pyplot as plt

    from .plot import plot_embedding

    fig, ax = plt.subplots(figsize=(9, 9))
    try:
        plot_embedding(embedder, ax=ax, edges=relations, n_labels=25)
        dims = embedder.embedding_.shape[1]
        view = "" if dims <= 2 else f", {dims}-d shown on the principal axes of the directions"
        ax.set_title(
            f"{source}: mean rank {scores.mean_rank:.2f}, "
            f"MAP {scores.mean_average_precision:.3f}{view}",
            fontsize=10,
        )
        fig.savefig(path, dpi=110, bbox_inches="tight")
    except ValueError as exc:  # e.g. an image format matplotlib does not know
        raise CommandError(f"--plot {path}: {exc}") from None
    finally:
        plt.close(fig)


# ----------------------------------------------------------------- main


def main(argv=None):
    """Run the command line; return the exit status (0 on success).

    Parameters
    ----------
    argv : list of str, default=None
        Arguments after the program name; ``None`` means ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 for a usage or input error (with a message on
        standard error), 130 when interrupted.

    Examples
    --------
    An invalid option prints a message on standard error and returns 2:

    >>> from sklpoincare._cli import main
    >>> main(["fit", "--dim", "0"])
    2
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    out = sys.stdout
    try:
        return _fit_command(args, out)
    # ValueError: the estimator's checks of the relations and parameters;
    # FloatingPointError: training diverged (the message suggests a fix)
    except (CommandError, ValueError, TypeError, OSError, FloatingPointError) as exc:
        _end_progress_line(out)
        # the estimator's advice in this command's terms
        message = str(exc).replace("set closure=False", "run again with --no-closure")
        print(f"{_PROG} {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        _end_progress_line(out)
        print(f"{_PROG} {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _end_progress_line(out):
    """Move past a progress line left open on a terminal by an interrupted fit."""
    try:
        if out.isatty():
            out.write("\n")
            out.flush()
    except (AttributeError, ValueError, OSError):
        pass
