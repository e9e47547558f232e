"""The command line (sklpoincare._cli, ``python -m sklpoincare``)."""

import gzip
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import sklpoincare
from sklpoincare import PoincareEmbedder
from sklpoincare._cli import main
from sklpoincare.datasets import make_balanced_tree
from sklpoincare.hierarchy import transitive_reduction
from sklpoincare.metrics import ranking_scores

# Short training on the command line, and the estimator parameters it stands for.
FAST_OPTIONS = ["--epochs", "6", "--burn-in", "2", "--negatives", "5", "--dim", "3"]
FAST_PARAMS = dict(n_epochs=6, burn_in=2, n_negatives=5, n_components=3)


# ------------------------------------------------------------ command line


@pytest.fixture
def relations_file(tmp_path):
    """A 3-ary tree of depth 2 (closure, 13 nodes, 21 relations) as a TSV."""
    pairs = [(f"n{c}", f"n{p}") for c, p in make_balanced_tree(3, 2)]
    path = tmp_path / "tree.tsv"
    path.write_text("".join(f"{c}\t{p}\n" for c, p in pairs), encoding="utf-8")
    return path, pairs


def _read_word2vec(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    n, dim = (int(field) for field in lines[0].split())
    assert len(lines) == n + 1
    labels = [line.split()[0] for line in lines[1:]]
    vectors = np.array([[float(v) for v in line.split()[1:]] for line in lines[1:]])
    assert vectors.shape == (n, dim)
    return labels, vectors


def test_fit_writes_the_vectors_of_the_estimator(relations_file, tmp_path, capsys):
    path, pairs = relations_file
    out = tmp_path / "vectors.txt"
    status = main(["fit", str(path), *FAST_OPTIONS, "--seed", "3", "-o", str(out)])
    assert status == 0
    labels, vectors = _read_word2vec(out)

    # same seed, one thread: the same vectors, to the last bit
    expected = PoincareEmbedder(random_state=3, n_jobs=1, **FAST_PARAMS).fit(pairs)
    assert labels == list(expected.nodes_)
    np.testing.assert_array_equal(vectors, expected.embedding_)

    printed = capsys.readouterr().out
    scores = ranking_scores(expected.embedding_, pairs, nodes=expected.nodes_)
    assert f"mean rank: {scores.mean_rank:.3f}" in printed
    assert f"MAP:       {scores.mean_average_precision:.4f}" in printed
    assert "fit time:" in printed
    assert "21 relations" in printed
    # progress lines, plain since captured output is not a terminal
    assert "epoch 6/6: loss = " in printed and "epoch 3/6 (burn-in)" not in printed


def test_fit_gzipped_csv_with_header(relations_file, tmp_path):
    _, pairs = relations_file
    path = tmp_path / "tree.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("child,parent\n" + "".join(f"{c}, {p}\n" for c, p in pairs))
    out = tmp_path / "v.txt"
    assert main(["fit", str(path), "--header", *FAST_OPTIONS, "-q", "-o", str(out)]) == 0
    labels, _ = _read_word2vec(out)
    assert labels == sorted({label for pair in pairs for label in pair})


def test_fit_with_explicit_delimiter(relations_file, tmp_path):
    _, pairs = relations_file
    path = tmp_path / "tree.txt"
    path.write_text("".join(f"{c};{p}\n" for c, p in pairs), encoding="utf-8")
    out = tmp_path / "v.txt"
    status = main(["fit", str(path), "--delimiter", ";", *FAST_OPTIONS, "-q",
                   "-o", str(out)])
    assert status == 0
    assert _read_word2vec(out)[0] == sorted({label for pair in pairs for label in pair})


def test_euclidean_manifold_ranks_by_euclidean_distance(relations_file, capsys):
    path, pairs = relations_file
    main(["fit", str(path), *FAST_OPTIONS, "--manifold", "euclidean", "-q"])
    expected = PoincareEmbedder(manifold="euclidean", random_state=0, n_jobs=1,
                                **FAST_PARAMS).fit(pairs)
    scores = ranking_scores(expected.embedding_, pairs, nodes=expected.nodes_,
                            metric="euclidean")
    assert f"MAP:       {scores.mean_average_precision:.4f}" in capsys.readouterr().out


@pytest.mark.parametrize("dim, auto_rate", [("1", "0.3"), ("5", "1.0")])
def test_lr_auto_is_the_estimator_rule(relations_file, tmp_path, dim, auto_rate):
    # 1.0 from the hierarchy (5 dimensions), 0.3 from a random start (1)
    path, _ = relations_file
    vectors = {}
    for rate in ("auto", "0.3", "1.0"):
        out = tmp_path / f"{rate}.txt"
        assert main(["fit", str(path), *FAST_OPTIONS, "--dim", dim, "--lr", rate, "-q",
                     "-o", str(out)]) == 0
        vectors[rate] = _read_word2vec(out)[1]
    other = "1.0" if auto_rate == "0.3" else "0.3"
    np.testing.assert_array_equal(vectors["auto"], vectors[auto_rate])
    assert not np.array_equal(vectors["auto"], vectors[other])


def test_quiet_prints_no_progress(relations_file, capsys):
    path, _ = relations_file
    assert main(["fit", str(path), *FAST_OPTIONS, "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "epoch" not in printed and "\r" not in printed
    assert "mean rank:" in printed and "MAP:" in printed


def test_fit_on_a_terminal_draws_one_bar(relations_file, monkeypatch, terminal):
    path, _ = relations_file
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["fit", str(path), *FAST_OPTIONS]) == 0
    text = terminal.getvalue()
    progress = text[text.index("\r"):text.index("\n", text.index("\r"))]
    assert "epoch 6/6" in progress.split("\r")[-1] and "[" in progress
    assert "MAP:" in text.split("\r")[-1]


def test_default_relations_are_the_bundled_mammals(capsys):
    status = main(["fit", "--epochs", "1", "--burn-in", "1", "--negatives", "2",
                   "--dim", "2"])
    assert status == 0
    printed = capsys.readouterr().out
    assert "6,540 relations from the bundled WordNet mammals" in printed
    assert "nodes:     1,180" in printed


def _error(capsys):
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


@pytest.mark.parametrize("options, message", [
    (["--dim", "0"], "argument -d/--dim: must be a positive integer, got '0'"),
    (["--dim", "two"], "argument -d/--dim: must be an integer, got 'two'"),
    (["--epochs", "-3"], "argument --epochs: must be a positive integer"),
    (["--lr", "nan"], "argument --lr: must be a positive number, got 'nan'"),
    (["--burn-in", "-1"], "argument --burn-in: must be a non-negative integer"),
    (["--jobs", "0"], "argument --jobs: must be a positive number of threads"),
    (["--manifold", "sphere"], "argument --manifold: invalid choice: 'sphere'"),
    (["--delimiter", "ab"], "argument --delimiter: must be a single character"),
    (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    # named by the option, not by the estimator's parameter behind it
    (["--seed", "-1"], "argument --seed: must be an integer from 0 to 4,294,967,295"),
    (["--negatives", "99999999999"], "argument --negatives: must be an integer from 1 to"),
])
def test_bad_options_exit_2(options, message, relations_file, capsys):
    path, _ = relations_file
    assert main(["fit", str(path), *options]) == 2
    assert message in _error(capsys)


def test_no_command_exits_2(capsys):
    assert main([]) == 2
    assert "required: COMMAND" in _error(capsys)


def test_missing_file_exits_2(tmp_path, capsys):
    missing = tmp_path / "nothing.tsv"
    assert main(["fit", str(missing)]) == 2
    assert f"sklpoincare fit: error: no such file: {missing}" in _error(capsys)


@pytest.mark.parametrize("content, message", [
    ("a\tb\nc\td\te\n", ":2: found 3 field(s) separated by '\\t'; expected 2"),
    ("a\tb\n\nc\n", ":3: found 1 field(s)"),
    ("a\tb\nc\t \n", ":2: empty parent label"),
    ("a\tb\nc\tc\n", "self-loop relation(s), a node as its own parent, at relation 2 ('c', 'c')"),
    ("\n\n", "no relations found"),
    (b"a\tb\n\xff\tc\n", ":2: not valid utf-8 text"),
])
def test_bad_relations_file_exits_2_naming_the_line(content, message, tmp_path, capsys):
    path = tmp_path / "bad.tsv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert main(["fit", str(path), *FAST_OPTIONS]) == 2
    err = _error(capsys)
    assert str(path) in err and message in err


def test_corrupt_gzip_exits_2(tmp_path, capsys):
    path = tmp_path / "broken.tsv.gz"
    data = gzip.compress("".join(f"n{i}\tn{i + 1}\n" for i in range(2000)).encode())
    path.write_bytes(data[: len(data) // 2])
    assert main(["fit", str(path), *FAST_OPTIONS]) == 2
    assert f"{path}: cannot be read" in _error(capsys)


def test_labels_with_blanks_cannot_go_to_word2vec(tmp_path, capsys):
    path = tmp_path / "spaces.tsv"
    path.write_text("golden retriever\tdog\ndog\tanimal\n", encoding="utf-8")
    out = tmp_path / "v.txt"
    assert main(["fit", str(path), *FAST_OPTIONS, "-o", str(out)]) == 2
    assert "'golden retriever'" in _error(capsys)
    assert not out.exists()
    # without --output the same file trains
    assert main(["fit", str(path), *FAST_OPTIONS, "-q"]) == 0


def test_output_in_a_missing_folder_fails_before_training(relations_file, tmp_path, capsys):
    path, _ = relations_file
    out = tmp_path / "no" / "such" / "v.txt"
    assert main(["fit", str(path), *FAST_OPTIONS, "-o", str(out)]) == 2
    err = _error(capsys)
    assert "--output" in err and "does not exist" in err
    assert "epoch" not in capsys.readouterr().out


def test_diverging_training_exits_2(relations_file, capsys):
    path, _ = relations_file
    status = main(["fit", str(path), *FAST_OPTIONS, "--manifold", "euclidean",
                   "--lr", "1e300", "--burn-in", "0", "-q"])
    assert status == 2
    assert "diverged" in _error(capsys)


def test_plot_without_matplotlib_fails_before_training(relations_file, tmp_path,
                                                       monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    path, _ = relations_file
    status = main(["fit", str(path), *FAST_OPTIONS, "--plot", str(tmp_path / "d.png")])
    assert status == 2
    assert "pip install matplotlib" in _error(capsys)


def test_a_cycle_is_an_error_that_names_the_option_to_allow_it(tmp_path, capsys):
    path = tmp_path / "cycle.tsv"
    path.write_text("a\tb\nb\ta\n", encoding="utf-8")
    assert main(["fit", str(path), *FAST_OPTIONS]) == 2
    err = _error(capsys)
    assert "'a' -> 'b' -> 'a'" in err and "run again with --no-closure" in err
    assert "closure=False" not in err


def test_plot_in_an_unknown_format_fails_before_training(relations_file, tmp_path,
                                                        monkeypatch, capsys):
    pytest.importorskip("matplotlib")

    def no_training(*args, **kwargs):
        raise AssertionError("trained")

    monkeypatch.setattr(PoincareEmbedder, "fit", no_training)
    path, _ = relations_file
    assert main(["fit", str(path), "--plot", str(tmp_path / "d.xyz")]) == 2
    assert "matplotlib writes no .xyz images" in _error(capsys)


def test_plot_writes_a_png(relations_file, tmp_path):
    pytest.importorskip("matplotlib")
    path, _ = relations_file
    picture = tmp_path / "disk.png"
    assert main(["fit", str(path), *FAST_OPTIONS, "-q", "--plot", str(picture)]) == 0
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_help_lists_the_options(capsys):
    assert main(["fit", "--help"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("usage: sklpoincare fit")
    for option in ("--dim", "--epochs", "--lr", "--negatives", "--burn-in",
                   "--manifold", "--seed", "--jobs", "--output", "--plot",
                   "--quiet", "--delimiter"):
        assert option in printed


def test_python_dash_m_help():
    root = os.path.dirname(os.path.dirname(os.path.abspath(sklpoincare.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "sklpoincare", "--help"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: sklpoincare")
    assert re.search(r"^\s+fit\s+embed", result.stdout, re.MULTILINE)


def test_direct_links_are_scored_on_their_closure(relations_file, tmp_path, capsys):
    """Fitting on the direct links trains on, and scores, their closure: the
    same vectors and scores as the closure file."""
    path, pairs = relations_file
    direct = tmp_path / "direct.tsv"
    direct.write_text(
        "".join(f"{c}\t{p}\n" for c, p in transitive_reduction(pairs)), encoding="utf-8"
    )
    outputs = []
    for source in (path, direct):
        out = tmp_path / f"{source.stem}.txt"
        assert main(["fit", str(source), *FAST_OPTIONS, "-q", "-o", str(out)]) == 0
        outputs.append(_read_word2vec(out))
    np.testing.assert_array_equal(outputs[0][1], outputs[1][1])
    printed = capsys.readouterr().out.split("nodes:")
    assert "closure:   21 relations" in printed[2]
    assert printed[1].split("fit time")[0] == printed[2].split("fit time")[0]


def test_a_relation_of_weight_zero_is_counted_and_scored(tmp_path, capsys):
    # fit keeps it in adjacency_ as a stored zero
    path = tmp_path / "w.csv"
    path.write_text("child,parent,weight\ndog,mammal,0\ncat,mammal,1\nmammal,animal,1\n",
                    encoding="utf-8")
    assert main(["fit", str(path), *FAST_OPTIONS, "-q"]) == 0
    assert "closure:   5 relations" in capsys.readouterr().out


def test_no_closure_trains_and_scores_the_relations_as_given(relations_file, tmp_path, capsys):
    path, pairs = relations_file
    direct = tmp_path / "direct.tsv"
    edges = transitive_reduction(pairs)
    direct.write_text("".join(f"{c}\t{p}\n" for c, p in edges), encoding="utf-8")
    assert main(["fit", str(direct), *FAST_OPTIONS, "--no-closure", "-q"]) == 0
    expected = PoincareEmbedder(random_state=0, n_jobs=1, closure=False, **FAST_PARAMS)
    expected.fit(edges)
    scores = ranking_scores(expected.embedding_, edges, nodes=expected.nodes_)
    printed = capsys.readouterr().out
    assert f"MAP:       {scores.mean_average_precision:.4f}" in printed
    assert "closure:" not in printed


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"sklpoincare {sklpoincare.__version__}"


def test_parent_first_reads_reversed_rows_and_the_warning_names_it(tmp_path, capsys):
    pairs = [(f"n{c}", f"n{p}") for c, p in make_balanced_tree(3, 3)]  # 27 leaves
    reversed_path = tmp_path / "parent_child.tsv"
    reversed_path.write_text("".join(f"{p}\t{c}\n" for c, p in pairs), encoding="utf-8")
    # read as (child, parent): the 27 leaves have no parent, only n0 no child
    assert main(["fit", str(reversed_path), *FAST_OPTIONS, "-q"]) == 0
    error = capsys.readouterr().err
    assert re.search(r"parent_child.tsv looks reversed: 27 nodes have no parent.*"
                     r"only 1 has no child \('n0'\).*run again with --parent-first", error)
    out = tmp_path / "vectors.txt"
    assert main(["fit", str(reversed_path), *FAST_OPTIONS, "--parent-first", "--seed", "3",
                 "-q", "-o", str(out)]) == 0
    assert "reversed" not in capsys.readouterr().err
    labels, vectors = _read_word2vec(out)
    expected = PoincareEmbedder(random_state=3, n_jobs=1, **FAST_PARAMS).fit(pairs)
    assert labels == list(expected.nodes_)
    np.testing.assert_array_equal(vectors, expected.embedding_)


def test_a_header_naming_the_parent_first_is_read_so(tmp_path, capsys):
    pairs = [(f"n{c}", f"n{p}") for c, p in make_balanced_tree(3, 3)]
    path = tmp_path / "named.tsv"
    path.write_text("parent\tchild\n" + "".join(f"{p}\t{c}\n" for c, p in pairs),
                    encoding="utf-8")
    out = tmp_path / "vectors.txt"
    assert main(["fit", str(path), *FAST_OPTIONS, "--seed", "3", "-q", "-o", str(out)]) == 0
    assert "reversed" not in capsys.readouterr().err
    labels, vectors = _read_word2vec(out)
    expected = PoincareEmbedder(random_state=3, n_jobs=1, **FAST_PARAMS).fit(pairs)
    assert labels == list(expected.nodes_)
    np.testing.assert_array_equal(vectors, expected.embedding_)
    # the header already gives the order: --parent-first would swap it back
    assert main(["fit", str(path), *FAST_OPTIONS, "--parent-first", "-q"]) == 2
    error = capsys.readouterr().err
    assert re.search(r"the header of .*named.tsv names its columns \(parent first\).*"
                     r"without --parent-first", error)


def test_parent_first_needs_a_file(capsys):
    assert main(["fit", *FAST_OPTIONS, "--parent-first", "-q"]) == 2
    assert "--parent-first is about the rows of a RELATIONS file" in capsys.readouterr().err
