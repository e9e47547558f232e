"""The scale benchmark runs the private stages of ``fit`` one by one; it
must stay in step with them (the benchmarks themselves are run by hand)."""

import pathlib
import subprocess
import sys

BENCH_SCALE = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scale.py"


def test_scale_benchmark_runs_every_stage_of_fit():
    # a separate process: the benchmark starts tracemalloc, which would slow
    # every later test down
    result = subprocess.run(
        [sys.executable, str(BENCH_SCALE), "--sizes", "2k", "--epochs", "1",
         "--n-jobs", "1", "--verbose", "0"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("| 2k |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert "—" not in cells and "error" not in cells, row
    assert "stopped" not in result.stderr
