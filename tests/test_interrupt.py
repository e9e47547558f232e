"""Ctrl-C during a long fit: it stops within an epoch, and the estimator is
left as it was before the call (unfitted, or with its previous fit), never
half-written."""

import signal
import subprocess
import sys
import textwrap

import pytest

_CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from sklpoincare import PoincareEmbedder
    from sklpoincare.datasets import make_balanced_tree

    tree = make_balanced_tree(4, 6)  # 5,461 nodes, ~25k relations
    est = PoincareEmbedder(n_components=5, n_epochs=3, burn_in=1, random_state=0)
    if sys.argv[1] == "refit":
        est.fit(tree)
        before = est.embedding_.copy()
    last = [0]

    def report(epoch, loss, embedding, nodes):
        last[0] = epoch
        print("epoch", epoch, flush=True)

    est.set_params(n_epochs=100_000, callback=report)
    try:
        est.fit(tree)
    except KeyboardInterrupt:
        fitted = hasattr(est, "embedding_")
        same = fitted and sys.argv[1] == "refit" and np.array_equal(est.embedding_, before)
        print("interrupted after epoch", last[0], "fitted", fitted, "same", same, flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is a POSIX signal")
@pytest.mark.parametrize("mode", ["fresh", "refit"])
def test_ctrl_c_stops_within_an_epoch_and_leaves_no_half_fit(mode):
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, mode], stdout=subprocess.PIPE, text=True
    )
    try:
        for line in child.stdout:
            if line.startswith("epoch") and int(line.split()[1]) >= 2:
                child.send_signal(signal.SIGINT)
                interrupted_at = int(line.split()[1])
                break
        rest = child.stdout.read().split("\n")
        child.wait(timeout=60)
    finally:
        child.kill()
    summary = [line for line in rest if line.startswith("interrupted")]
    assert summary, f"the fit did not stop on SIGINT: {rest[-3:]}"
    words = summary[0].split()
    # the epoch running when the signal came may finish, no more
    assert int(words[3]) <= interrupted_at + 1
    if mode == "fresh":
        assert words[5] == "False"  # never fitted: no fitted attribute at all
    else:
        assert words[5] == "True" and words[7] == "True"  # the previous fit, intact
