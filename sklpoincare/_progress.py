"""Training progress: one reporter for ``PoincareEmbedder(verbose=...)`` and the CLI.

On a terminal the reporter redraws a single line (``\\r``) with a bar, the
epoch, the loss, the throughput and the time left. Anywhere else (a file, a
pipe, a notebook, captured output) it prints plain lines: about ten per fit
with ``verbose=1``, one per epoch with ``verbose>=2``. With ``verbose>=2``
the stages before training (validation, closure, start) print a line each
too, with their size and time (:func:`report_stage`): on a large hierarchy
they take minutes.
"""

import os
import shutil
import sys
import time
from contextlib import contextmanager

# Epoch lines a non-terminal stream gets over a fit with verbose=1.
_PLAIN_LINES_PER_FIT = 10
# Redrawing a terminal line costs a write; tiny fits run thousands of epochs
# a second, so redraws are spaced by at least this many seconds.
_MIN_REDRAW_INTERVAL = 0.1
_MAX_BAR_WIDTH = 30
_MIN_BAR_WIDTH = 5
# Characters the status text of the terminal line may grow by (more digits,
# "done in" for "ETA") without pushing the line past the terminal width.
_STATUS_SLACK = 6


def format_duration(seconds):
    """``m:ss`` below an hour, ``h:mm:ss`` above, rounded to the second.

    >>> format_duration(7.4), format_duration(125), format_duration(3725)
    ('0:07', '2:05', '1:02:05')
    """
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


class ProgressReporter:
    """Report the epochs of a training run to a stream.

    Parameters
    ----------
    n_epochs : int
        Epochs the run is planned for.
    n_relations : int
        Relations per epoch, for the relations/s figure.
    burn_in : int, default=0
        The first ``burn_in`` epochs are marked ``(burn-in)``.
    verbose : int, default=1
        0 reports nothing; 1 about ten lines per fit on a non-terminal
        stream; 2 or more one line per epoch. A terminal always gets the
        single updating line.
    stream : file-like, default=None
        Where to write; ``None`` means ``sys.stdout`` at construction time.
        It is a terminal when its ``isatty()`` returns True.
    prefix : str, default="[PoincareEmbedder]"
        Start of every line.
    min_interval : float, default=0.1
        Least number of seconds between two redraws of the terminal line
        (the first and the last epoch are always drawn).
    clock : callable, default=time.perf_counter
        Returns the current time in seconds; the clock starts at
        construction.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> progress = ProgressReporter(n_epochs=20, n_relations=100, burn_in=5,
    ...                             stream=out, prefix="[demo]")
    >>> for epoch in range(1, 21):
    ...     progress.update(epoch, loss=1.0 / epoch)
    >>> progress.close()
    >>> lines = out.getvalue().splitlines()
    >>> len(lines), lines[0].split(":")[0], lines[-1].split(":")[0]
    (10, '[demo] epoch 2/20 (burn-in)', '[demo] epoch 20/20')
    """

    def __init__(
        self,
        n_epochs,
        n_relations,
        *,
        burn_in=0,
        verbose=1,
        stream=None,
        prefix="[PoincareEmbedder]",
        min_interval=_MIN_REDRAW_INTERVAL,
        clock=time.perf_counter,
    ):
        self.n_epochs = n_epochs
        self.n_relations = n_relations
        self.burn_in = burn_in
        self.verbose = verbose
        self.stream = sys.stdout if stream is None else stream
        self.prefix = prefix
        self.min_interval = min_interval
        self._clock = clock
        self._start = clock()
        self._is_tty = bool(verbose) and _is_terminal(self.stream)
        self._every = (
            1 if verbose >= 2 else max(1, n_epochs // _PLAIN_LINES_PER_FIT)
        )
        self._last = None  # (epoch, loss, elapsed) of the latest update
        self._shown_epoch = 0
        self._last_redraw = None
        self._line_width = 0  # of the terminal line now shown
        self._layout = None  # (prefix, bar width, room), set at the first redraw
        self._closed = False

    def update(self, epoch, loss):
        """Record that ``epoch`` (1-based) ended with mean loss ``loss``."""
        if not self.verbose or self._closed:
            return
        now = self._clock()
        self._last = (epoch, loss, now - self._start)
        if self._is_tty:
            due = (
                self._last_redraw is None
                or epoch >= self.n_epochs
                or now - self._last_redraw >= self.min_interval
            )
            if due:
                self._redraw(now)
        elif epoch % self._every == 0 or epoch >= self.n_epochs:
            self._write_plain()
        if epoch >= self.n_epochs:
            self.close()

    def close(self):
        """End the report: show the last epoch if it is not shown yet.

        Called by :meth:`update` after the last planned epoch; call it
        yourself when a run stops early. Closing twice does nothing.
        """
        if self._closed:
            return
        self._closed = True
        if not self.verbose or self._last is None:
            return
        if self._is_tty:
            if self._shown_epoch != self._last[0] or self._last[0] < self.n_epochs:
                self._redraw(self._clock())
            self._write("\n")
        elif self._shown_epoch != self._last[0]:
            self._write_plain()

    # -------------------------------------------------------------- drawing

    def _status(self, plain):
        """``epoch i/n (burn-in)``, loss, relations/s, and the time part."""
        epoch, loss, elapsed = self._last
        phase = " (burn-in)" if epoch <= self.burn_in else ""
        rate = self.n_relations * epoch / max(elapsed, 1e-9)
        if epoch >= self.n_epochs:
            timing = f"done in {format_duration(elapsed)}"
        elif self._closed:
            timing = f"stopped after {format_duration(elapsed)}"
        else:
            eta = elapsed / epoch * (self.n_epochs - epoch)
            timing = f"ETA {format_duration(eta)}"
            if plain:
                timing = f"elapsed {format_duration(elapsed)}, {timing}"
        if plain:
            return (
                f"epoch {epoch}/{self.n_epochs}{phase}: loss = {loss:.4f}, "
                f"{rate:,.0f} relations/s, {timing}"
            )
        return (
            f"epoch {epoch}/{self.n_epochs}{phase}  loss {loss:.4f}  "
            f"{rate:,.0f} relations/s  {timing}"
        )

    def _write_plain(self):
        self._shown_epoch = self._last[0]
        self._write(f"{self.prefix} {self._status(plain=True)}\n")

    def _redraw(self, now):
        self._shown_epoch = self._last[0]
        self._last_redraw = now
        status = self._status(plain=False)
        if self._layout is None:
            self._layout = self._plan_layout(len(status))
        prefix, bar_width, room = self._layout
        if bar_width:
            filled = bar_width * self._last[0] // self.n_epochs
            bar = "[" + "#" * filled + "-" * (bar_width - filled) + "] "
        else:
            bar = ""
        line = f"{prefix}{bar}{status}"[:room]
        # pad with blanks to wipe the end of a longer previous line
        padding = " " * max(self._line_width - len(line), 0)
        self._line_width = len(line)
        self._write("\r" + line + padding)

    def _plan_layout(self, status_width):
        """``(prefix, bar_width, room)`` of the terminal line, fixed at the
        first redraw so that the bar keeps its length.

        The line stays within the terminal width minus one column, so that it
        never wraps (a wrapped line cannot be redrawn with ``\\r``). The bar
        takes what the text leaves, the text being given some slack to grow;
        the prefix goes first when it leaves no room for a bar.
        """
        room = max(_terminal_columns(self.stream) - 1, 1)
        text_width = status_width + _STATUS_SLACK
        prefix = self.prefix + " " if self.prefix else ""
        if room - text_width - len(prefix) - 3 < _MIN_BAR_WIDTH:
            prefix = ""
        bar_width = min(_MAX_BAR_WIDTH, room - text_width - len(prefix) - 3)
        return prefix, bar_width if bar_width >= _MIN_BAR_WIDTH else 0, room

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()


# Stage lines need at least this verbose.
_STAGE_VERBOSE = 2


class _Stage:
    """What the block of :func:`report_stage` says about its result."""

    detail = ""


@contextmanager
def report_stage(name, verbose, stream=None, prefix="[PoincareEmbedder]", clock=time.perf_counter):
    """Time a ``with`` block and, with ``verbose >= 2``, print one line for it.

    The block may set ``detail`` on the object it gets, which goes before the
    time: ``[PoincareEmbedder] closure: 1,234,567 pairs in 2.3 s``. A block
    that raises prints nothing.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> with report_stage("closure", verbose=2, stream=out,
    ...                   clock=iter([0.0, 2.25]).__next__) as stage:
    ...     stage.detail = f"{1234567:,} pairs"
    >>> out.getvalue()
    '[PoincareEmbedder] closure: 1,234,567 pairs in 2.2 s\\n'
    """
    stage = _Stage()
    start = clock()
    yield stage
    if verbose >= _STAGE_VERBOSE:
        detail = f"{stage.detail} " if stage.detail else ""
        stream = sys.stdout if stream is None else stream
        stream.write(f"{prefix} {name}: {detail}in {clock() - start:.1f} s\n")
        stream.flush()


def _is_terminal(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


def _terminal_columns(stream):
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0  # not a real terminal (e.g. a test double)
    # a pseudo-terminal may report 0 columns: then COLUMNS, or 80
    return columns or shutil.get_terminal_size((80, 24)).columns
