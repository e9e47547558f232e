import gzip
from importlib import resources

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_mammals
from sklpoincare.io import load_relations, load_word2vec_format, save_word2vec_format


def _write(path, text, compress=False, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    if compress:
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def _labels(relations):
    return relations.tolist()


# ------------------------------------------------------------- load_relations


def test_tsv_with_inferred_header(tmp_path):
    path = _write(tmp_path / "r.tsv", "child\tparent\ndog\tmammal\ncat\tmammal\n")
    relations, weights = load_relations(path)
    assert _labels(relations) == [["dog", "mammal"], ["cat", "mammal"]]
    assert relations.dtype == object and weights is None
    assert all(type(label) is str for label in relations.ravel())


def test_csv_without_header_with_comments_and_blank_lines(tmp_path):
    text = "# relations\n\ndog,mammal\n   # indented comment\ncat , mammal\r\n\n"
    relations, weights = load_relations(_write(tmp_path / "r.csv", text))
    assert _labels(relations) == [["dog", "mammal"], ["cat", "mammal"]]
    assert weights is None


def test_gzip_is_detected_by_content_not_name(tmp_path):
    text = "child\tparent\na\tb\nc\tb\n"
    plain = load_relations(_write(tmp_path / "plain.tsv", text))[0]
    for name in ["r.tsv.gz", "no_suffix.tsv"]:
        compressed = load_relations(_write(tmp_path / name, text, compress=True))[0]
        assert _labels(compressed) == _labels(plain) == [["a", "b"], ["c", "b"]]


def test_weight_column_with_header(tmp_path):
    text = "id1,id2,weight\na,b,1\nc,b,0.25\nc,a,0\n"
    relations, weights = load_relations(_write(tmp_path / "r.csv", text))
    assert _labels(relations) == [["a", "b"], ["c", "b"], ["c", "a"]]
    assert weights.dtype == np.float64
    np.testing.assert_array_equal(weights, [1.0, 0.25, 0.0])


def test_weight_column_without_header(tmp_path):
    relations, weights = load_relations(_write(tmp_path / "r.tsv", "a\tb\t2.5\nc\tb\t1e-3\n"))
    assert _labels(relations) == [["a", "b"], ["c", "b"]]
    np.testing.assert_array_equal(weights, [2.5, 1e-3])


def test_three_fields_with_a_non_numeric_third_are_a_header(tmp_path):
    relations, weights = load_relations(_write(tmp_path / "r.csv", "from,to,w\na,b,3\n"))
    assert _labels(relations) == [["a", "b"]]
    np.testing.assert_array_equal(weights, [3.0])


def test_explicit_header_flag(tmp_path):
    path = _write(tmp_path / "r.csv", "source,target\na,b\n")
    assert _labels(load_relations(path, header=True)[0]) == [["a", "b"]]
    # an unknown two-field first line is data under "infer"
    assert _labels(load_relations(path)[0]) == [["source", "target"], ["a", "b"]]
    path = _write(tmp_path / "s.csv", "child,parent\na,b\n")
    assert _labels(load_relations(path, header=False)[0]) == [["child", "parent"], ["a", "b"]]


@pytest.mark.parametrize(
    "text, header",
    [
        ("parent\tchild\nmammal\tdog\nmammal\tcat\n", "infer"),
        ("Hypernym,Hyponym\nmammal,dog\nmammal,cat\n", "infer"),
        ("broader,narrower\nmammal,dog\nmammal,cat\n", True),
        ("ancestor , descendant\nmammal,dog\nmammal,cat\n", "infer"),
    ],
)
def test_a_header_naming_the_parent_first_swaps_the_columns(tmp_path, text, header):
    relations, weights = load_relations(_write(tmp_path / "r.txt", text), header=header)
    assert _labels(relations) == [["dog", "mammal"], ["cat", "mammal"]]
    assert weights is None


def test_a_named_header_keeps_weights_with_their_rows(tmp_path):
    text = "parent,child,weight\nmammal,dog,2\nanimal,mammal,0.5\n"
    relations, weights = load_relations(_write(tmp_path / "r.csv", text))
    assert _labels(relations) == [["dog", "mammal"], ["mammal", "animal"]]
    np.testing.assert_array_equal(weights, [2.0, 0.5])
    # named child first: read as they stand
    text = "descendant,ancestor\ndog,mammal\n"
    assert _labels(load_relations(_write(tmp_path / "s.csv", text))[0]) == [["dog", "mammal"]]
    # names that only hold the words are data, not a header, unless told
    text = "parent_id,child_id\nmammal,dog\n"
    assert _labels(load_relations(_write(tmp_path / "t.csv", text))[0]) == [
        ["parent_id", "child_id"], ["mammal", "dog"]]
    path = _write(tmp_path / "u.csv", text)
    assert _labels(load_relations(path, header=True)[0]) == [["dog", "mammal"]]
    # an empty label is named by the column it is in
    with pytest.raises(ValueError, match=r"v\.csv:2: empty parent label"):
        load_relations(_write(tmp_path / "v.csv", "parent,child\n,dog\n"))


def test_labels_stay_strings(tmp_path):
    relations, _ = load_relations(_write(tmp_path / "r.csv", "1,2\n3,2\n"))
    assert _labels(relations) == [["1", "2"], ["3", "2"]]


def test_quoted_fields_hold_the_delimiter(tmp_path):
    text = 'child,parent\n"Washington, D.C.",city\n"say ""hi""",greeting\n'
    relations, _ = load_relations(_write(tmp_path / "r.csv", text))
    assert _labels(relations) == [["Washington, D.C.", "city"], ['say "hi"', "greeting"]]


def test_explicit_delimiter_and_comment_prefix(tmp_path):
    text = "% header comment\na;b\n#c;b\n"
    relations, _ = load_relations(_write(tmp_path / "r.txt", text), delimiter=";", comment="%")
    # '#' is not a comment here: it is part of a label
    assert _labels(relations) == [["a", "b"], ["#c", "b"]]
    relations, _ = load_relations(_write(tmp_path / "s.txt", "#a,b\n"), comment=None)
    assert _labels(relations) == [["#a", "b"]]


def test_other_encoding(tmp_path):
    path = _write(tmp_path / "r.csv", "café,boisson\n", encoding="latin-1")
    assert _labels(load_relations(path, encoding="latin-1")[0]) == [["café", "boisson"]]


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path):
    # Excel's "CSV UTF-8" starts with one: the header must still be seen as
    # one, here one that names the parent first
    path = _write(tmp_path / "r.csv", "\ufeffparent,child\nmammal,dog\n")
    assert _labels(load_relations(path)[0]) == [["dog", "mammal"]]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_and_utf32_files_are_read(tmp_path, encoding):
    # Excel's "Unicode text" is UTF-16 TSV; its line ends are not the byte \n
    path = _write(tmp_path / "r.tsv", "child\tparent\r\ncafé\tboisson\r\n", encoding=encoding)
    assert _labels(load_relations(path, encoding=encoding)[0]) == [["café", "boisson"]]


def test_old_mac_line_endings_end_lines(tmp_path):
    path = _write(tmp_path / "r.csv", b"dog,mammal\rcat,mammal\rmammal,animal\r")
    assert _labels(load_relations(path)[0]) == [
        ["dog", "mammal"], ["cat", "mammal"], ["mammal", "animal"]]
    with pytest.raises(ValueError, match=r"r\.txt:3: not valid utf-8 text"):
        load_relations(_write(tmp_path / "r.txt", b"a,b\rc,d\re\xff,f\r"))


def test_a_quoted_field_may_follow_a_space_after_the_delimiter(tmp_path):
    path = _write(tmp_path / "r.csv", 'dog, "mammal, big"\n')
    assert _labels(load_relations(path)[0]) == [["dog", "mammal, big"]]


def test_reads_the_bundled_mammal_closure_like_load_mammals():
    ref = resources.files("sklpoincare.datasets").joinpath("data", "mammal_closure.tsv.gz")
    with resources.as_file(ref) as path:
        relations, weights = load_relations(path)
    assert weights is None
    assert _labels(relations) == load_mammals().data.tolist()


def test_output_fits_an_embedder(tmp_path):
    text = "child,parent,weight\ndog,mammal,1\ncat,mammal,1\nmammal,animal,2\n"
    relations, weights = load_relations(_write(tmp_path / "r.csv", text))
    embedder = PoincareEmbedder(n_components=2, n_epochs=3, burn_in=1, n_negatives=1,
                                random_state=0)
    embedder.fit(relations, sample_weight=weights)
    assert list(embedder.nodes_) == ["animal", "cat", "dog", "mammal"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("a,b\n# comment\n\nc,d,1,2\n", r"r\.txt:4: found 4 field\(s\) separated by ','; "
                                         r"expected 2 as on line 1"),
        ("a,b,1\nc,d\n", r"r\.txt:2: found 2 field\(s\).*expected 3 as on line 1"),
        ("id1,id2,weight\nc,d\n", r"r\.txt:2: found 2 field\(s\).*header on line 1"),
        ("a\nb\n", r"r\.txt:1: found 1 field\(s\).*expected 2 \(child, parent\) or 3"),
        ("a,b,c,d\n", r"r\.txt:1: found 4 field\(s\)"),
        ("a,b\n,d\n", r"r\.txt:2: empty child label"),
        ("a,b\nc,  \n", r"r\.txt:2: empty parent label"),
        ("a,b,1\nc,d,heavy\n", r"r\.txt:2: weight 'heavy' is not a number"),
        ("a,b,1\nc,d,\n", r"r\.txt:2: weight '' is not a number"),
        ("a,b,-1\n", r"r\.txt:1: weight '-1' must be a finite non-negative number"),
        ("a,b,nan\n", r"r\.txt:1: weight 'nan' must be a finite"),
        ("a,b,inf\n", r"r\.txt:1: weight 'inf' must be a finite"),
        ('a,b\n"c,d\n', r"r\.txt:2: malformed quoting"),
        ("child,parent,weight,extra\na,b,1,2\n", r"r\.txt:1: the header has 4 field"),
        ("# only a comment\n\n", r"r\.txt: no relations found"),
        ("child,parent\n", r"r\.txt: no relations found"),
        ("", r"r\.txt: no relations found"),
    ],
)
def test_malformed_files_name_the_file_and_line(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_relations(_write(tmp_path / "r.txt", text))


def test_header_with_wrong_width_names_the_line(tmp_path):
    path = _write(tmp_path / "r.txt", "# c\nnodes\na\n")
    with pytest.raises(ValueError, match=r"r\.txt:2: the header has 1 field"):
        load_relations(path, header=True)


def test_undecodable_bytes_name_the_line(tmp_path):
    path = _write(tmp_path / "r.txt", b"a,b\nc\xff,d\n")
    with pytest.raises(ValueError, match=r"r\.txt:2: not valid utf-8 text"):
        load_relations(path)


def test_truncated_gzip_is_a_clear_error(tmp_path):
    data = gzip.compress(b"a,b\n" * 1000)
    path = _write(tmp_path / "r.csv.gz", data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"r\.csv\.gz: cannot be read"):
        load_relations(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.tsv"):
        load_relations(tmp_path / "absent.tsv")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"delimiter": ",,"}, ValueError, "delimiter must be a single character"),
        ({"delimiter": '"'}, ValueError, "delimiter must be a single character"),
        ({"delimiter": "\n"}, ValueError, "delimiter must be a single character"),
        ({"comment": ""}, ValueError, "comment must be a non-empty string"),
        ({"header": "yes"}, InvalidParameterError, "'header' parameter"),
        ({"delimiter": 1}, InvalidParameterError, "'delimiter' parameter"),
    ],
)
def test_bad_options(tmp_path, kwargs, error, message):
    path = _write(tmp_path / "r.csv", "a,b\n")
    with pytest.raises(error, match=message):
        load_relations(path, **kwargs)


# ------------------------------------------------------------------ word2vec


def _awkward_vectors():
    rng = np.random.default_rng(0)
    vectors = rng.uniform(-1, 1, size=(5, 3))
    vectors[0] = [1 / 3, -0.0, 1e-300]
    vectors[1] = [np.nextafter(1.0, 0.0), -1e-17, 123456789.123456789]
    return vectors


def test_round_trip_is_exact(tmp_path):
    vectors = _awkward_vectors()
    labels = ["a.n.01", "b'c", "é", "x_y", "Z"]
    path = tmp_path / "v.txt"
    save_word2vec_format(path, vectors, labels)
    loaded, loaded_labels = load_word2vec_format(path)
    assert loaded.dtype == np.float64
    np.testing.assert_array_equal(loaded, vectors)
    assert np.signbit(loaded[0, 1])
    assert loaded_labels.dtype == object and loaded_labels.tolist() == labels


def test_written_text_follows_the_format(tmp_path):
    path = tmp_path / "v.txt"
    save_word2vec_format(path, [[0.5, -2.0], [1e-20, 3.0]], np.array(["u", "v"]))
    assert path.read_text(encoding="utf-8") == "2 2\nu 0.5 -2.0\nv 1e-20 3.0\n"


def test_gz_path_is_written_compressed(tmp_path):
    path = tmp_path / "v.txt.gz"
    vectors = _awkward_vectors()
    save_word2vec_format(path, vectors, list("abcde"))
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    loaded, labels = load_word2vec_format(path)
    np.testing.assert_array_equal(loaded, vectors)
    assert labels.tolist() == list("abcde")


def test_integer_labels_are_written_as_text(tmp_path):
    path = tmp_path / "v.txt"
    save_word2vec_format(path, np.eye(3), np.array([10, 2, 7]))
    _, labels = load_word2vec_format(path)
    assert labels.tolist() == ["10", "2", "7"]


def test_fitted_embedding_and_nodes_round_trip(tmp_path):
    relations = [("dog", "mammal"), ("cat", "mammal"), ("mammal", "animal")]
    embedder = PoincareEmbedder(n_components=3, n_epochs=3, burn_in=1, n_negatives=1,
                                random_state=0).fit(relations)
    path = tmp_path / "v.txt"
    save_word2vec_format(path, embedder.embedding_, embedder.nodes_)
    vectors, labels = load_word2vec_format(path)
    np.testing.assert_array_equal(vectors, embedder.embedding_)
    assert labels.tolist() == embedder.nodes_.tolist()


@pytest.mark.parametrize(
    "labels, error, message",
    [
        (["a b", "c"], ValueError, r"label 'a b' at index 0 contains whitespace"),
        (["a", "b\tc"], ValueError, r"index 1 contains whitespace"),
        (["a", "b\n"], ValueError, r"index 1 contains whitespace"),
        (["a", ""], ValueError, r"label at index 1 is empty"),
        (["a", "a"], ValueError, r"label 'a' appears at index 0 and at index 1"),
        ([1, "1"], ValueError, r"label '1' appears at index 0 and at index 1"),
        (["a", ("b", "c")], TypeError, r"label \('b', 'c'\) at index 1 is of type tuple"),
        (["a", 1.5], TypeError, r"at index 1 is of type float"),
        (["a", True], TypeError, r"at index 1 is of type bool"),
        (["a"], ValueError, r"vectors has 2 rows but there are 1 labels"),
        ([["a"], ["b"]], ValueError, r"labels must be 1-D"),
    ],
)
def test_save_rejects_bad_labels(tmp_path, labels, error, message):
    path = tmp_path / "v.txt"
    with pytest.raises(error, match=message):
        save_word2vec_format(path, [[0.1, 0.2], [0.3, 0.4]], labels)
    assert not path.exists()


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_save_rejects_non_finite_vectors(tmp_path, value):
    with pytest.raises(ValueError, match="vectors"):
        save_word2vec_format(tmp_path / "v.txt", [[0.1, value]], ["a"])


def test_load_accepts_trailing_spaces_and_tab_in_labels(tmp_path):
    # the C word2vec tool ends lines with a space; gensim keeps a tab in a key
    path = _write(tmp_path / "v.txt", "2 2\na 0.5 1 \r\nb\tc -1  2\n\n")
    vectors, labels = load_word2vec_format(path)
    np.testing.assert_array_equal(vectors, [[0.5, 1.0], [-1.0, 2.0]])
    assert labels.tolist() == ["a", "b\tc"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", r"v\.txt: the file is empty"),
        ("a 0.1 0.2\n", r"v\.txt:1: expected the header '<n_vectors> <n_components>'"),
        ("2\n", r"v\.txt:1: expected the header"),
        ("0 2\n", r"v\.txt:1: expected the header"),
        ("1 2\na 0.1\n", r"v\.txt:2: label 'a' has 1 coordinate\(s\); the header announces 2"),
        ("1 2\na 0.1 x\n", r"v\.txt:2: coordinate 'x' is not a number"),
        ("1 2\na 0.1 nan\n", r"v\.txt:2: label 'a' has a non-finite coordinate"),
        ("1 2\n 0.1 0.2\n", r"v\.txt:2: the line starts with a space"),
        ("2 1\na 1\n\na 2\n", r"v\.txt:4: label 'a' already on line 2"),
        ("1 1\na 1\nb 2\n", r"v\.txt:3: more vectors than the 1 the header announces"),
        ("3 1\na 1\nb 2\n", r"v\.txt: the header announces 3 vectors but the file holds 2"),
    ],
)
def test_load_malformed_files_name_the_file_and_line(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_word2vec_format(_write(tmp_path / "v.txt", text))


def test_load_binary_file_is_a_clear_error(tmp_path):
    vector = np.array([0.5, -0.25], dtype=np.float32).tobytes()
    path = _write(tmp_path / "v.bin", b"1 2\n\xe9t\xe9 " + vector + b"\n")
    with pytest.raises(ValueError, match=r"v\.bin:2: not valid utf-8 text"):
        load_word2vec_format(path)


def test_gensim_reads_our_file(tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    vectors = _awkward_vectors()
    labels = ["mammal.n.01", "dog.n.01", "'hood.n.01", "é.n.01", "x"]
    path = tmp_path / "v.txt"
    save_word2vec_format(path, vectors, labels)
    kv = gensim_models.KeyedVectors.load_word2vec_format(path, datatype=np.float64)
    assert kv.index_to_key == labels
    np.testing.assert_array_equal(kv.vectors, vectors)
    # gensim's default float32 gives the float32 rounding of our values
    kv32 = gensim_models.KeyedVectors.load_word2vec_format(path)
    np.testing.assert_array_equal(kv32.vectors, vectors.astype(np.float32))


def test_we_read_a_file_gensim_wrote(tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(1)
    labels = ["mammal.n.01", "dog.n.01", "'hood.n.01", "é.n.01"]
    kv = gensim_models.KeyedVectors(vector_size=4)
    kv.add_vectors(labels, rng.normal(size=(4, 4)).astype(np.float32))
    path = tmp_path / "gensim.txt"
    kv.save_word2vec_format(str(path))
    vectors, loaded_labels = load_word2vec_format(path)
    assert loaded_labels.tolist() == labels
    # gensim writes the shortest text of each float32; reading it as float64
    # and rounding back to float32 must give gensim's vectors exactly
    np.testing.assert_array_equal(vectors.astype(np.float32), kv.vectors)
