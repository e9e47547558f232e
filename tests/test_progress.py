"""Training progress (sklpoincare._progress): the reporter's lines, its
terminal line, and what ``PoincareEmbedder(verbose=...)`` prints."""

import io
import re
import sys

import numpy as np
import pytest

from sklpoincare import PoincareEmbedder
from sklpoincare._progress import ProgressReporter, format_duration, report_stage

ETA = re.compile(r"ETA \d+:\d\d(:\d\d)?")


class FakeClock:
    """A clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step=1.0):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def _run(reporter, losses):
    for epoch, loss in enumerate(losses, start=1):
        reporter.update(epoch, loss)
    reporter.close()


# ---------------------------------------------------------------- reporter


@pytest.mark.parametrize(
    "seconds, text",
    [(0, "0:00"), (0.4, "0:00"), (59.4, "0:59"), (61, "1:01"), (600, "10:00"),
     (3600 + 62, "1:01:02"), (36000, "10:00:00")],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize("n_epochs, expected_epochs", [
    (30, list(range(3, 31, 3))),
    (7, list(range(1, 8))),
    (25, list(range(2, 25, 2)) + [25]),  # the last epoch is always shown
])
def test_plain_lines_about_ten_times(n_epochs, expected_epochs):
    out = io.StringIO()
    reporter = ProgressReporter(n_epochs, 100, burn_in=4, stream=out)
    _run(reporter, np.linspace(3.0, 1.0, n_epochs))
    lines = out.getvalue().splitlines()
    shown = [int(re.search(r"epoch (\d+)/", line).group(1)) for line in lines]
    assert shown == expected_epochs
    assert all(f"/{n_epochs}" in line for line in lines)
    assert "\r" not in out.getvalue()
    for epoch, line in zip(shown, lines):
        assert line.startswith("[PoincareEmbedder] epoch")
        assert ("(burn-in)" in line) == (epoch <= 4)
    assert all(ETA.search(line) for line in lines[:-1])
    assert re.search(r"relations/s, done in \d+:\d\d$", lines[-1])
    assert f"epoch {n_epochs}/{n_epochs}: loss = 1.0000" in lines[-1]


def test_plain_lines_every_epoch_with_verbose_2():
    out = io.StringIO()
    _run(ProgressReporter(12, 10, verbose=2, stream=out), [1.0] * 12)
    lines = out.getvalue().splitlines()
    assert [f"epoch {k}/12" in line for k, line in enumerate(lines, 1)] == [True] * 12


def test_verbose_0_writes_nothing(terminal):
    out = terminal
    _run(ProgressReporter(5, 10, verbose=0, stream=out), [1.0] * 5)
    assert out.getvalue() == ""


def test_rate_and_eta_follow_the_clock():
    # one second per epoch, 250 relations per epoch: 250 relations/s; after
    # epoch k of 10, 10 - k epochs of one second remain
    out = io.StringIO()
    reporter = ProgressReporter(10, 250, verbose=2, stream=out, clock=FakeClock(1.0))
    _run(reporter, [2.0] * 10)
    lines = out.getvalue().splitlines()
    for k, line in enumerate(lines[:-1], start=1):
        assert "250 relations/s" in line
        assert f"elapsed {format_duration(k)}, ETA {format_duration(10 - k)}" in line
    assert lines[-1].endswith("250 relations/s, done in 0:10")


def test_long_eta_shows_hours():
    out = io.StringIO()
    reporter = ProgressReporter(1000, 1, verbose=2, stream=out, clock=FakeClock(30.0))
    reporter.update(1, 1.0)
    # 999 epochs of 30 s left
    assert f"ETA {format_duration(999 * 30)}" in out.getvalue()
    assert "ETA 8:19:30" in out.getvalue()


def test_early_stop_shows_the_last_epoch():
    out = io.StringIO()
    reporter = ProgressReporter(30, 10, stream=out)
    _run(reporter, [1.0] * 4)  # stopped after epoch 4; lines every 3 epochs
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "epoch 3/30" in lines[0]
    assert "epoch 4/30" in lines[1] and "stopped after" in lines[1]
    reporter.close()  # closing twice adds nothing
    reporter.update(5, 1.0)  # nor does an update after closing
    assert out.getvalue().splitlines() == lines


def test_terminal_gets_one_updating_line(monkeypatch, terminal):
    monkeypatch.setenv("COLUMNS", "120")
    out = terminal
    reporter = ProgressReporter(8, 100, burn_in=3, stream=out, min_interval=0)
    _run(reporter, np.linspace(2.0, 1.0, 8))
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    frames = text.rstrip("\n").split("\r")[1:]
    assert len(frames) == 8  # min_interval=0: every epoch is drawn
    bar_lengths = set()
    for k, frame in enumerate(frames, start=1):
        assert len(frame) < 120  # never wraps
        assert frame.startswith("[PoincareEmbedder] [")
        bar = re.search(r"\[([#-]+)\]", frame).group(1)
        bar_lengths.add(len(bar))
        # the bar fills in proportion to the epochs done
        assert bar.count("#") == len(bar) * k // 8
        assert f"epoch {k}/8" in frame
        assert ("(burn-in)" in frame) == (k <= 3)
        assert "relations/s" in frame
        if k < 8:
            assert ETA.search(frame)
    assert len(bar_lengths) == 1  # the bar keeps its length
    assert "done in" in frames[-1] and "#" * len(bar) in frames[-1]


def test_terminal_line_fits_a_narrow_terminal(monkeypatch, terminal):
    monkeypatch.setenv("COLUMNS", "60")
    out = terminal
    _run(ProgressReporter(500, 100000, stream=out, min_interval=0), [1.5] * 500)
    frames = out.getvalue().rstrip("\n").split("\r")[1:]
    assert all(len(frame.rstrip()) <= 59 for frame in frames)
    assert "epoch 500/500" in frames[-1]


def test_terminal_redraws_are_spaced(terminal):
    # the clock moves 0.01 s per read and redraws are 0.1 s apart at least:
    # far fewer frames than epochs, but the first and the last are drawn
    out = terminal
    reporter = ProgressReporter(200, 10, stream=out, clock=FakeClock(0.01))
    _run(reporter, [1.0] * 200)
    frames = out.getvalue().rstrip("\n").split("\r")[1:]
    assert 10 <= len(frames) <= 30
    assert "epoch 1/200" in frames[0] and "epoch 200/200" in frames[-1]


def test_terminal_early_stop_ends_the_line(terminal):
    out = terminal
    reporter = ProgressReporter(50, 10, stream=out, clock=FakeClock(0.001))
    _run(reporter, [1.0] * 7)
    text = out.getvalue()
    assert text.endswith("\n")
    last = text.rstrip("\n").split("\r")[-1]
    assert "epoch 7/50" in last and "stopped after" in last


# ------------------------------------------------------------ line format


def test_plain_lines_in_full():
    """Two seconds an epoch over 1.5 million relations: 750,000 relations/s;
    the time left is the mean epoch time so far times the epochs left."""
    out = io.StringIO()
    reporter = ProgressReporter(3, 1_500_000, burn_in=1, verbose=2, stream=out,
                                prefix="[demo]", clock=FakeClock(2.0))
    for epoch, loss in enumerate([0.5, 1 / 3, 0.25], start=1):
        reporter.update(epoch, loss)
    assert out.getvalue().splitlines() == [
        "[demo] epoch 1/3 (burn-in): loss = 0.5000, 750,000 relations/s, "
        "elapsed 0:02, ETA 0:04",
        "[demo] epoch 2/3: loss = 0.3333, 750,000 relations/s, elapsed 0:04, ETA 0:02",
        "[demo] epoch 3/3: loss = 0.2500, 750,000 relations/s, done in 0:06",
    ]
    reporter.close()  # the last epoch closed the report already
    assert len(out.getvalue().splitlines()) == 3


@pytest.mark.parametrize("verbose, n_lines", [(0, 0), (1, 10), (2, 20), (3, 20)])
def test_verbose_levels_on_a_plain_stream(verbose, n_lines):
    out = io.StringIO()
    _run(ProgressReporter(20, 10, verbose=verbose, stream=out), [1.0] * 20)
    lines = out.getvalue().splitlines()
    assert len(lines) == n_lines
    if lines:
        assert "epoch 20/20" in lines[-1]


def test_default_stream_is_stdout_when_the_reporter_is_made(capsys):
    _run(ProgressReporter(2, 10, verbose=2), [1.0, 0.5])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "[PoincareEmbedder] epoch 1/2", "[PoincareEmbedder] epoch 2/2"
    ]


class _NoIsatty:
    """A stream with write and flush only."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass


class _BrokenIsatty(io.StringIO):
    def isatty(self):
        raise ValueError("I/O operation on closed file")


@pytest.mark.parametrize("stream", [_NoIsatty(), _BrokenIsatty()], ids=repr)
def test_streams_that_cannot_say_they_are_terminals_get_plain_lines(stream):
    _run(ProgressReporter(4, 10, verbose=2, stream=stream), [1.0] * 4)
    text = "".join(stream.parts) if isinstance(stream, _NoIsatty) else stream.getvalue()
    assert "\r" not in text
    assert [line.split(":")[0] for line in text.splitlines()] == [
        f"[PoincareEmbedder] epoch {k}/4" for k in range(1, 5)
    ]


# ---------------------------------------------------------- terminal line


def test_terminal_too_narrow_for_a_bar_shows_the_status_alone(monkeypatch, terminal):
    monkeypatch.setenv("COLUMNS", "40")
    _run(ProgressReporter(9, 100, stream=terminal, min_interval=0), [1.0] * 9)
    frames = terminal.getvalue().rstrip("\n").split("\r")[1:]
    assert len(frames) == 9
    for k, frame in enumerate(frames, start=1):
        assert frame.startswith(f"epoch {k}/9  loss 1.0000")  # no prefix, no bar
        assert len(frame.rstrip()) <= 39


def test_terminal_line_without_a_prefix_starts_with_the_bar(monkeypatch, terminal):
    monkeypatch.setenv("COLUMNS", "120")
    _run(ProgressReporter(4, 100, stream=terminal, prefix="", min_interval=0), [1.0] * 4)
    frames = terminal.getvalue().rstrip("\n").split("\r")[1:]
    assert [re.match(r"\[([#-]+)\] epoch", frame).group(1).count("#") for frame in frames] \
        == [30 * k // 4 for k in range(1, 5)]  # the longest bar: 30 characters


def test_a_shorter_terminal_line_wipes_the_end_of_the_longer_one(monkeypatch, terminal):
    """The rate falls from 1,000,000 to 20 relations/s: the second line is
    shorter and padded with blanks over the end of the first."""
    monkeypatch.setenv("COLUMNS", "200")
    times = iter([0.0, 0.001, 100.0])
    reporter = ProgressReporter(3, 1000, stream=terminal, min_interval=0,
                                clock=lambda: next(times))
    reporter.update(1, 1.0)
    reporter.update(2, 1.0)
    first, second = terminal.getvalue().split("\r")[1:]
    assert "1,000,000 relations/s" in first and "20 relations/s" in second
    assert len(second.rstrip()) < len(first.rstrip())
    assert len(second) == len(first) and second.endswith("   ")


# ------------------------------------------------- PoincareEmbedder(verbose=...)


def test_estimator_verbose_1_prints_the_reporter_lines(capsys, small_tree):
    PoincareEmbedder(n_components=2, n_epochs=20, burn_in=5, n_negatives=5,
                     init="random", random_state=0, verbose=1).fit(small_tree)
    lines = capsys.readouterr().out.splitlines()
    assert [re.search(r"epoch (\d+)/20", line).group(1) for line in lines] == [
        str(k) for k in range(2, 21, 2)
    ]
    assert lines[0].startswith("[PoincareEmbedder] epoch 2/20 (burn-in): loss = ")
    assert "done in" in lines[-1]


def test_estimator_stopped_by_callback_reports_its_last_epoch(capsys, small_tree):
    PoincareEmbedder(n_components=2, n_epochs=100, burn_in=5, n_negatives=5,
                     random_state=0, verbose=1,
                     callback=lambda epoch, *_: epoch == 13).fit(small_tree)
    lines = capsys.readouterr().out.splitlines()
    assert "epoch 10/100" in lines[0]
    assert "epoch 13/100" in lines[-1] and "stopped after" in lines[-1]


def test_estimator_on_a_terminal_draws_the_bar(monkeypatch, terminal, small_tree):
    monkeypatch.setattr(sys, "stdout", terminal)
    PoincareEmbedder(n_components=2, n_epochs=5, burn_in=1, random_state=0,
                     verbose=1).fit(small_tree)
    text = terminal.getvalue()
    assert text.startswith("\r") and text.endswith("\n") and text.count("\n") == 1
    assert "epoch 5/5" in text.split("\r")[-1]


def test_verbose_reports_progress(tree, fast_params, capsys):
    PoincareEmbedder(verbose=2, init="random", **fast_params).fit(tree)
    lines = capsys.readouterr().out.strip().splitlines()
    epochs = [line for line in lines if " epoch " in line]
    assert len(epochs) == fast_params["n_epochs"] == len(lines) - 3
    assert "burn-in" in epochs[0] and "loss" in epochs[-1]


STAGE_LINE = r"\[PoincareEmbedder\] {}: {} in \d+\.\d s"


def test_verbose_2_reports_the_stages_before_training(capsys):
    # a chain a <- b <- c: 2 direct relations, 3 pairs in the closure
    PoincareEmbedder(n_components=4, n_epochs=2, verbose=2, random_state=0).fit(
        [("c", "b"), ("b", "a")]
    )
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(STAGE_LINE.format("relations", "2 among 3 nodes"), lines[0])
    assert re.fullmatch(STAGE_LINE.format("closure", "3 pairs"), lines[1])
    assert re.fullmatch(STAGE_LINE.format("start", "hierarchy"), lines[2])
    assert [" epoch " in line for line in lines] == [False] * 3 + [True] * 2


def test_verbose_2_stages_without_closure_and_warm(capsys):
    embedder = PoincareEmbedder(n_components=3, n_epochs=1, closure=False, init="random",
                                warm_start=True, verbose=2, random_state=0)
    embedder.fit([("c", "b"), ("b", "a")])
    embedder.fit([("c", "b"), ("b", "a")])
    lines = capsys.readouterr().out.splitlines()
    # c's ancestors b and a, b's ancestor a: computed for the negatives only
    closure = r"not trained on \(closure=False\); ancestor pairs, for the negatives: 3"
    assert re.fullmatch(STAGE_LINE.format("closure", closure), lines[1])
    assert re.fullmatch(STAGE_LINE.format("start", "random"), lines[2])
    assert re.fullmatch(STAGE_LINE.format("closure", closure), lines[5])
    assert re.fullmatch(STAGE_LINE.format("start", "from the fitted embedding"), lines[6])


def test_verbose_1_prints_no_stage_line(capsys, small_tree):
    PoincareEmbedder(n_components=4, n_epochs=2, verbose=1, random_state=0).fit(small_tree)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(" epoch " in line for line in lines)


def test_report_stage_prints_nothing_for_a_block_that_raises():
    out = io.StringIO()
    with pytest.raises(KeyError):
        with report_stage("closure", verbose=2, stream=out):
            raise KeyError("x")
    assert out.getvalue() == ""
