"""Reporting shared by the benchmark scripts: tables, timing, memory.

Results go to stdout as markdown tables; progress goes to stderr, so that
``python bench_x.py > results.md`` keeps the results only.
"""

import os
import platform
import resource
import shlex
import sys
import time

import numpy as np


def progress(message):
    """A progress line on stderr."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_header(argv, **versions):
    """The first line of a report: the command line, versions and machine."""
    import sklpoincare

    command = " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    parts = [f"args: {command or '(defaults)'}", f"sklpoincare {sklpoincare.__version__}"]
    parts += [f"{name} {version}" for name, version in versions.items()]
    parts += [
        f"numpy {np.__version__}",
        f"python {platform.python_version()}",
        f"{os.cpu_count()} CPUs",
        f"processor {platform.processor() or 'unknown'!r} / machine {platform.machine()!r}",
    ]
    print(" | ".join(parts), flush=True)
    stale = stale_kernels()
    if stale:
        print(f"WARNING: {stale}: the figures below are not those of the sources "
              "(rebuild: pip install -e . or python setup.py build_ext --inplace)",
              flush=True)


def stale_kernels():
    """Which compiled kernels of an in-place build are older than a source
    they are built from ('' when none, or for an installed package): a build
    left by an experiment times other code than the checkout's."""
    import glob

    import sklpoincare

    package = os.path.dirname(sklpoincare.__file__)
    sources = {"_sgd_fast": ["_sgd_fast.pyx", "_geometry.pxd", "_batch.h"],
               "_ranking_fast": ["_ranking_fast.pyx", "_geometry.pxd"]}
    stale = []
    for module, names in sources.items():
        built = glob.glob(os.path.join(package, module + ".*.so")) + glob.glob(
            os.path.join(package, module + ".*.pyd"))
        paths = [os.path.join(package, name) for name in names]
        # a source checkout (an installed wheel ships no .pyx, and its
        # files' times are those of the install)
        if not os.path.exists(paths[0]):
            continue
        paths = [path for path in paths if os.path.exists(path)]
        if built:
            newest = max(paths, key=os.path.getmtime)
            if os.path.getmtime(built[0]) < os.path.getmtime(newest):
                stale.append(f"{os.path.basename(built[0])} is older than "
                             f"{os.path.basename(newest)}")
    return "; ".join(stale)


class Timer:
    """Wall-clock seconds of a ``with`` block (``time.perf_counter``)."""

    def __enter__(self):
        self._start = time.perf_counter()
        self.seconds = None
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        return False


def peak_rss_mib():
    """Peak resident memory of this process so far, in MiB (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # KiB on Linux, bytes on macOS
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def thousands(x):
    """A rate in thousands: ``"12k"``, ``"3.4k"``."""
    return f"{x / 1e3:.0f}k" if x >= 1e4 else f"{x / 1e3:.1f}k"


class Table:
    """A markdown table printed as it grows: the header at once, then each
    row when it is known (so a long run shows its results as they come).

    Columns named in ``left`` are text, aligned left; the others are
    numbers, aligned right.
    """

    def __init__(self, columns, left=(), stream=None):
        self.columns = list(columns)
        self.stream = stream
        align = ["---" if c in left else "---:" for c in self.columns]
        self._print("| " + " | ".join(self.columns) + " |")
        self._print("|" + "|".join(align) + "|")

    def _print(self, line):
        print(line, file=self.stream or sys.stdout, flush=True)

    def row(self, *cells):
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self._print("| " + " | ".join(str(c) for c in cells) + " |")


def print_table(columns, rows, left=()):
    """A whole markdown table, ``rows`` being sequences of cells."""
    table = Table(columns, left)
    for cells in rows:
        table.row(*cells)
