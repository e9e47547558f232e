"""The scale benchmark runs the private stages of ``fit`` one by one; it
must stay in step with them (the benchmarks themselves are run by hand)."""

import os
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


def test_holonymy_benchmark_data_reads_a_wordnet_database(tmp_path, monkeypatch):
    # the benchmarks read WordNet's holonym pointers with the package's
    # private parser: they must stay in step with it
    from test_wordnet import _PARTS, _data_text, _index_text

    monkeypatch.syspath_prepend(str(BENCH_SCALE.parent))
    from _data import WORDNET_DIR, load_dataset

    data, offsets = _data_text(_PARTS, "n")
    directory = tmp_path / WORDNET_DIR
    directory.mkdir()
    (directory / "data.noun").write_text(data, encoding="utf-8")
    (directory / "index.noun").write_text(_index_text(_PARTS, offsets, "n"), encoding="utf-8")
    pairs = {tuple(pair) for pair in load_dataset("holonymy", str(tmp_path))}
    assert pairs == {
        ("handle.n.01", "bicycle.n.01"), ("handle.n.01", "briefcase.n.01"),
        ("wheel.n.01", "bicycle.n.01"), ("spoke.n.01", "wheel.n.01"),
        ("spoke.n.01", "bicycle.n.01"),
    }


def test_shapes_benchmark_builds_the_graphs_it_names(monkeypatch):
    # bench_hierarchies.py measures graphs that are not trees; each must be
    # what its description says, or its figures mean something else
    import numpy as np
    from scipy.sparse.csgraph import connected_components

    from sklpoincare._relations import check_relations

    monkeypatch.syspath_prepend(str(BENCH_SCALE.parent))
    from bench_hierarchies import hierarchies, lattice

    def graph(relations):
        return check_relations(np.asarray(relations, dtype=object))[0]

    def has_cycle(relations):
        g = graph(relations)
        return connected_components(g.parent_matrix(), connection="strong")[0] < g.n_nodes

    shapes = hierarchies(0)
    links = graph(lattice())
    assert np.bincount(links.children, minlength=links.n_nodes).tolist().count(2) == 210
    assert [closure for _, closure in shapes.values()].count(False) == 2
    assert not has_cycle(shapes["lattice"][0]) and has_cycle(shapes["reversed"][0])
    per_item = np.bincount(graph(shapes["categories"][0]).children)
    assert set(per_item[per_item > 0]) == {1, 2}
    edges = {tuple(edge) for edge in shapes["undirected"][0].tolist()}
    assert edges == {(b, a) for a, b in edges}
    assert len(edges) == 2 * (1 + 2 + 3 * 1997)


def test_the_report_names_a_kernel_build_older_than_its_sources(tmp_path, monkeypatch):
    # a build left in place by an experiment times other code than the
    # checkout's: every benchmark's header says so
    import sklpoincare

    monkeypatch.syspath_prepend(str(BENCH_SCALE.parent))
    from _report import stale_kernels

    package = tmp_path / "sklpoincare"
    package.mkdir()
    for name in ["__init__.py", "_sgd_fast.pyx", "_batch.h", "_geometry.pxd",
                 "_sgd_fast.cpython-311-x86_64-linux-gnu.so"]:
        (package / name).write_text("")
    monkeypatch.setattr(sklpoincare, "__file__", str(package / "__init__.py"))
    os.utime(package / "_batch.h", (1000, 1000))
    os.utime(package / "_sgd_fast.pyx", (1000, 1000))
    os.utime(package / "_geometry.pxd", (1000, 1000))
    os.utime(package / "_sgd_fast.cpython-311-x86_64-linux-gnu.so", (2000, 2000))
    assert stale_kernels() == ""
    os.utime(package / "_batch.h", (3000, 3000))
    assert stale_kernels() == "_sgd_fast.cpython-311-x86_64-linux-gnu.so is older than _batch.h"
    # an installed package ships no .pyx, and its files' times say nothing
    (package / "_sgd_fast.pyx").unlink()
    assert stale_kernels() == ""
