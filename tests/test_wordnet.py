"""load_wordnet on tiny Princeton-format databases written by the tests."""

import gzip
import sys
import types

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklpoincare.datasets import load_wordnet
from sklpoincare.hierarchy import transitive_closure

_LICENSE = "  1 This is a license header line.\n  2   \n"

# (key, lemmas, pointers) in data-file order; pointers are (symbol, key).
_NOUNS = [
    ("entity", ["entity"], [("~", "physical_entity"), ("~", "abstraction")]),
    ("physical_entity", ["physical_entity"], [("@", "entity")]),
    ("abstraction", ["abstraction", "abstract_entity"], [("@", "entity")]),
    ("causal_agent", ["causal_agent"], [("@", "physical_entity")]),
    ("organism", ["organism", "being"], [("@", "physical_entity")]),
    # two hypernyms
    ("person", ["person", "individual"], [("@", "organism"), ("@", "causal_agent")]),
    ("scientist", ["scientist"], [("@", "person"), ("+", "study")]),
    # an instance; upper-case first lemma
    ("einstein", ["Einstein", "Albert_Einstein"], [("@i", "scientist")]),
    ("deity", ["deity", "god"], [("@", "abstraction")]),
    ("titan", ["Titan"], [("@i", "deity")]),
    # a hypernym that is an instance: the closure stops at it
    ("epimetheus", ["Epimetheus"], [("@", "titan")]),
    ("hypostasis", ["hypostasis"], [("@", "deity")]),
    ("son", ["Son", "Word"], [("@i", "hypostasis")]),
    # an instance of an instance
    ("messiah", ["messiah"], [("@i", "son")]),
    # two synsets named after "bank"; the index lists bank_b first
    ("bank_a", ["bank"], [("@", "physical_entity")]),
    ("depository", ["depository_financial_institution", "bank"], [("@", "abstraction")]),
    ("bank_b", ["bank", "banking_company"], [("@", "depository")]),
]
_SENSE_ORDER = {"bank": ["bank_b", "bank_a", "depository"]}

_NAMES = {
    "entity": "entity.n.01", "physical_entity": "physical_entity.n.01",
    "abstraction": "abstraction.n.01", "causal_agent": "causal_agent.n.01",
    "organism": "organism.n.01", "person": "person.n.01", "scientist": "scientist.n.01",
    "einstein": "einstein.n.01", "deity": "deity.n.01", "titan": "titan.n.01",
    "epimetheus": "epimetheus.n.01", "hypostasis": "hypostasis.n.01", "son": "son.n.01",
    "messiah": "messiah.n.01", "bank_a": "bank.n.02", "bank_b": "bank.n.01",
    "depository": "depository_financial_institution.n.01",
}

# Worked out by hand: any number of instance steps, then hypernym steps.
_ANCESTORS = {
    "physical_entity": ["entity"],
    "abstraction": ["entity"],
    "causal_agent": ["physical_entity", "entity"],
    "organism": ["physical_entity", "entity"],
    "person": ["organism", "causal_agent", "physical_entity", "entity"],
    "scientist": ["person", "organism", "causal_agent", "physical_entity", "entity"],
    "einstein": ["scientist", "person", "organism", "causal_agent", "physical_entity",
                 "entity"],
    "deity": ["abstraction", "entity"],
    "titan": ["deity", "abstraction", "entity"],
    "epimetheus": ["titan"],
    "hypostasis": ["deity", "abstraction", "entity"],
    "son": ["hypostasis", "deity", "abstraction", "entity"],
    "messiah": ["son", "hypostasis", "deity", "abstraction", "entity"],
    "bank_a": ["physical_entity", "entity"],
    "depository": ["abstraction", "entity"],
    "bank_b": ["depository", "abstraction", "entity"],
}

_VERBS = [
    ("move", ["move"], []),
    ("travel", ["travel", "go"], [("@", "move")]),
    ("walk", ["walk"], [("@", "travel")]),
    ("be", ["be"], []),
    ("exist", ["exist"], [("@", "be")]),
]


def _data_text(synsets, letter, frames=False):
    """data.<pos> with true byte offsets (offset fields have fixed width,
    so line lengths do not depend on their values)."""

    def line(offsets, key, lemmas, pointers):
        words = " ".join(f"{lemma} 0" for lemma in lemmas)
        ptrs = " ".join(
            f"{symbol} {offsets.get(target, 0):08d} {'v' if symbol == '+' else letter} 0000"
            for symbol, target in pointers
        )
        tail = " 01 + 02 00" if frames else ""
        return (f"{offsets.get(key, 0):08d} 03 {letter} {len(lemmas):02x} {words} "
                f"{len(pointers):03d} {ptrs}{tail} | gloss of {key}; with | bars  \n")

    offsets, position = {}, len(_LICENSE.encode())
    for key, lemmas, pointers in synsets:
        offsets[key] = position
        position += len(line({}, key, lemmas, pointers).encode())
    offsets["study"] = 99999999  # the target of a pointer to a verb
    return _LICENSE + "".join(line(offsets, *synset) for synset in synsets), offsets


def _index_text(synsets, offsets, letter):
    senses = {}
    for key, lemmas, _ in synsets:
        for lemma in lemmas:
            senses.setdefault(lemma.lower(), []).append(key)
    if synsets is _NOUNS:
        senses.update(_SENSE_ORDER)
    lines = []
    for lemma in sorted(senses):
        keys = senses[lemma]
        targets = " ".join(f"{offsets[k]:08d}" for k in keys)
        lines.append(f"{lemma} {letter} {len(keys)} 1 @ {len(keys)} 0 {targets}  \n")
    return _LICENSE + "".join(lines)


def _write_database(directory, synsets=_NOUNS, pos="noun", compress=False, edit=None):
    letter = pos[0]
    data, offsets = _data_text(synsets, letter, frames=pos == "verb")
    index = _index_text(synsets, offsets, letter)
    if edit is not None:
        data, index = edit(data, index)
    directory.mkdir(exist_ok=True)
    for name, text in [(f"data.{pos}", data), (f"index.{pos}", index)]:
        if compress:
            (directory / f"{name}.gz").write_bytes(gzip.compress(text.encode()))
        else:
            (directory / name).write_text(text, encoding="utf-8")
    return directory


def _expected_pairs(members=None):
    return sorted(
        (_NAMES[child], _NAMES[parent])
        for child, parents in _ANCESTORS.items()
        for parent in parents
        if members is None or (child in members and parent in members)
    )


def _pairs(data):
    return [tuple(row) for row in data.tolist()]


@pytest.fixture
def nouns(tmp_path):
    return _write_database(tmp_path / "dict")


def test_offsets_of_the_test_database_are_byte_offsets(nouns):
    raw = (nouns / "data.noun").read_bytes()
    for line in raw.splitlines(keepends=True)[2:]:
        offset = int(line[:8])
        assert raw[offset:offset + len(line)] == line


def test_all_nouns_give_the_closure_with_nltk_names(nouns):
    bunch = load_wordnet(nouns)
    assert _pairs(bunch.data) == _expected_pairs()
    assert bunch.data.dtype == object
    assert all(type(label) is str for label in bunch.data.ravel())
    assert bunch.feature_names == ["child", "parent"]
    assert bunch.frame is None
    assert f"Relations (rows)    {len(_expected_pairs())}" in bunch.DESCR
    assert f"Nodes               {len(_NAMES)}" in bunch.DESCR


def test_root_none_equals_the_entity_subtree(nouns):
    assert _pairs(load_wordnet(nouns, root=None).data) == _expected_pairs()


def test_two_hypernyms_both_lead_up(nouns):
    pairs = set(_pairs(load_wordnet(nouns).data))
    assert ("person.n.01", "causal_agent.n.01") in pairs
    assert ("person.n.01", "organism.n.01") in pairs


def test_instance_hypernyms_then_hypernyms(nouns):
    pairs = set(_pairs(load_wordnet(nouns).data))
    assert {p for c, p in pairs if c == "einstein.n.01"} == {
        _NAMES[k] for k in _ANCESTORS["einstein"]
    }
    # instance of an instance: both instance steps are followed
    assert ("messiah.n.01", "hypostasis.n.01") in pairs
    # a hypernym that is itself an instance ends the chain
    assert {p for c, p in pairs if c == "epimetheus.n.01"} == {"titan.n.01"}


def test_senses_map_every_lemma_to_its_synsets_in_sense_order(nouns):
    senses = load_wordnet(nouns).senses
    assert senses["bank"] == ["bank.n.01", "bank.n.02", "depository_financial_institution.n.01"]
    # a synset under each of its lemmas, lower-cased, words joined by "_"
    assert senses["being"] == senses["organism"] == ["organism.n.01"]
    assert senses["albert_einstein"] == ["einstein.n.01"]
    assert senses["banking_company"] == ["bank.n.01"]
    expected = {lemma.lower() for _, lemmas, _ in _NOUNS for lemma in lemmas}
    assert set(senses) == expected


def test_senses_keep_only_the_returned_nodes(nouns):
    bunch = load_wordnet(nouns, root="deity.n.01")
    nodes = set(bunch.data.ravel())
    assert set(bunch.senses) == {"deity", "god", "titan", "epimetheus", "hypostasis",
                                 "son", "word", "messiah"}
    assert all(set(names) <= nodes for names in bunch.senses.values())


def test_sense_numbers_follow_the_index_order(nouns):
    nodes = set(load_wordnet(nouns).data.ravel())
    assert {"bank.n.01", "bank.n.02", "depository_financial_institution.n.01"} <= nodes
    pairs = set(_pairs(load_wordnet(nouns).data))
    # bank_b (listed first in the index) is bank.n.01, below the depository
    assert ("bank.n.01", "depository_financial_institution.n.01") in pairs
    assert ("bank.n.02", "physical_entity.n.01") in pairs


def test_subtree_keeps_descendants_and_relations_among_them(nouns):
    members = {"person", "scientist", "einstein"}
    assert _pairs(load_wordnet(nouns, root="person.n.01").data) == _expected_pairs(members)


def test_subtree_membership_follows_pointers_in_any_order(nouns):
    # epimetheus reaches deity through a hypernym then an instance hypernym:
    # it belongs to the subtree, related to titan only
    members = {"deity", "titan", "epimetheus", "hypostasis", "son", "messiah"}
    data = load_wordnet(nouns, root="deity.n.01").data
    assert _pairs(data) == _expected_pairs(members)
    assert ("epimetheus.n.01", "titan.n.01") in _pairs(data)


def test_return_X_y_and_as_frame(nouns):
    X, y = load_wordnet(nouns, return_X_y=True)
    assert y is None and _pairs(X) == _expected_pairs()
    pd = pytest.importorskip("pandas")
    bunch = load_wordnet(nouns, as_frame=True)
    assert isinstance(bunch.data, pd.DataFrame) and bunch.frame is bunch.data
    assert list(bunch.data.columns) == ["child", "parent"]
    assert [tuple(r) for r in bunch.data.itertuples(index=False)] == _expected_pairs()


def test_gzipped_files_are_read(tmp_path):
    directory = _write_database(tmp_path / "gz", compress=True)
    assert _pairs(load_wordnet(directory).data) == _expected_pairs()


def test_verbs_with_several_roots(tmp_path):
    directory = _write_database(tmp_path / "dict", synsets=_VERBS, pos="verb")
    expected = sorted([
        ("travel.v.01", "move.v.01"), ("walk.v.01", "move.v.01"),
        ("walk.v.01", "travel.v.01"), ("exist.v.01", "be.v.01"),
    ])
    assert _pairs(load_wordnet(directory, pos="verb", root=None).data) == expected
    assert _pairs(load_wordnet(directory, pos="verb", root="travel.v.01").data) == [
        ("walk.v.01", "travel.v.01")
    ]
    with pytest.raises(ValueError, match="root 'entity.n.01' is not a verb synset.*"
                                         "such as 'move.v.02'.*root=None"):
        load_wordnet(directory, pos="verb")


def test_unknown_root_suggests_synsets_of_the_lemma(nouns):
    with pytest.raises(ValueError, match=r"root 'bank.n.07' is not a noun synset.*"
                                         r"bank.n.01, bank.n.02"):
        load_wordnet(nouns, root="bank.n.07")


def test_leaf_root_is_an_error(nouns):
    with pytest.raises(ValueError, match="'einstein.n.01' has no hyponyms"):
        load_wordnet(nouns, root="einstein.n.01")


def test_missing_directory_and_files(tmp_path, nouns):
    with pytest.raises(NotADirectoryError, match="is not a directory"):
        load_wordnet(tmp_path / "absent")
    (nouns / "index.noun").unlink()
    with pytest.raises(FileNotFoundError, match=r"no index.noun \(or index.noun.gz\)"):
        load_wordnet(nouns)


@pytest.mark.parametrize(
    "edit, message",
    [
        # a pointer count larger than the pointers given
        (lambda d, i: (d.replace(" 002 @", " 009 @", 1), i),
         r"data\.noun:\d+: malformed data line"),
        (lambda d, i: (d.replace(" 03 n 01 entity", " 03 v 01 entity", 1), i),
         r"data\.noun:3: synset type 'v', expected 'n'"),
        (lambda d, i: (d, i.replace("person n 1 1 @ 1 0", "person n 2 1 @ 1 0", 1)),
         r"index\.noun:\d+: malformed index line"),
        (lambda d, i: (d, i.replace("scientist n ", "scientist v ", 1)),
         r"index\.noun:\d+: part of speech 'v', expected 'n'"),
        (lambda d, i: (d, i.replace("messiah n", "messias n", 1)),
         r"data\.noun:\d+: synset \d+ \(lemma 'messiah'\) is not listed under 'messiah'"),
    ],
)
def test_malformed_database_names_the_file_and_line(tmp_path, edit, message):
    directory = _write_database(tmp_path / "dict", edit=edit)
    with pytest.raises(ValueError, match=message):
        load_wordnet(directory)


def test_dangling_pointer_names_the_line(tmp_path):
    def dangling(data, index):
        lines = data.splitlines(keepends=True)
        lines[3] = lines[3].replace(lines[3].split(" @ ")[1][:8], "12345678", 1)
        return "".join(lines), index

    directory = _write_database(tmp_path / "dict", edit=dangling)
    with pytest.raises(ValueError, match=r"data\.noun:4: pointer to offset 12345678"):
        load_wordnet(directory)


def test_hypernym_cycle_is_an_error(tmp_path):
    cyclic = [("a", ["a"], [("@", "b")]), ("b", ["b"], [("@", "c")]),
              ("c", ["c"], [("@", "a")])]
    directory = _write_database(tmp_path / "dict", synsets=cyclic)
    with pytest.raises(ValueError, match="hypernym pointers form a cycle"):
        load_wordnet(directory, root=None)


def test_bad_parameters(nouns):
    with pytest.raises(InvalidParameterError, match="'pos' parameter"):
        load_wordnet(nouns, pos="adjective")
    with pytest.raises(InvalidParameterError, match="'root' parameter"):
        load_wordnet(nouns, root=3)


# --------------------------------------------------- locating WordNet via NLTK


class _FakePointer:
    """What NLTK's FileSystemPathPointer offers: join() and a binary open()."""

    def __init__(self, path):
        if not path.exists():
            raise OSError(f"No such file or directory: {str(path)!r}")
        self.path = path

    def join(self, name):
        return _FakePointer(self.path / name)

    def open(self):
        return open(self.path, "rb")

    def __str__(self):
        return str(self.path)


def _fake_nltk(monkeypatch, find):
    nltk = types.ModuleType("nltk")
    nltk.data = types.SimpleNamespace(find=find)
    monkeypatch.setitem(sys.modules, "nltk", nltk)


def test_without_path_reads_the_corpus_nltk_finds(monkeypatch, nouns):
    asked = []

    def find(resource):
        asked.append(resource)
        return _FakePointer(nouns)

    _fake_nltk(monkeypatch, find)
    bunch = load_wordnet()
    assert asked == ["corpora/wordnet"]
    assert _pairs(bunch.data) == _expected_pairs()
    assert str(nouns) in bunch.DESCR


def test_without_path_falls_back_to_the_zipped_corpus(monkeypatch, nouns):
    def find(resource):
        if resource != "corpora/wordnet.zip/wordnet/":
            raise LookupError(resource)
        return _FakePointer(nouns)

    _fake_nltk(monkeypatch, find)
    assert _pairs(load_wordnet(root="person.n.01").data) == _expected_pairs(
        {"person", "scientist", "einstein"}
    )


def test_without_path_and_without_corpus(monkeypatch):
    def find(resource):
        raise LookupError(resource)

    _fake_nltk(monkeypatch, find)
    with pytest.raises(FileNotFoundError, match=r"nltk.download\('wordnet'\)"):
        load_wordnet()


def test_without_path_and_without_nltk(monkeypatch):
    monkeypatch.setitem(sys.modules, "nltk", None)
    with pytest.raises(ImportError, match="pip install nltk.*or pass path="):
        load_wordnet()


def test_result_fits_an_embedder(nouns):
    from sklpoincare import PoincareEmbedder

    X = load_wordnet(nouns).data
    embedder = PoincareEmbedder(n_components=2, n_epochs=2, burn_in=1, n_negatives=2,
                                random_state=0).fit(X)
    assert len(embedder.nodes_) == len(_NAMES)
    assert np.all(np.linalg.norm(embedder.embedding_, axis=1) < 1)


def test_repeated_offset_names_both_lines(tmp_path):
    def repeat_first_offset(data, index):
        lines = data.splitlines(keepends=True)
        lines[3] = lines[2][:8] + lines[3][8:]
        return "".join(lines), index

    directory = _write_database(tmp_path / "dict", edit=repeat_first_offset)
    with pytest.raises(ValueError, match=r"data\.noun:4: offset \d+ already used on line 3"):
        load_wordnet(directory)


def test_direct_links_are_the_pointers_and_close_to_the_closure(nouns):
    direct = load_wordnet(nouns, closure=False)
    pairs = set(_pairs(direct.data))
    assert ("person.n.01", "causal_agent.n.01") in pairs
    assert ("person.n.01", "entity.n.01") not in pairs
    assert "direct links" in direct.DESCR
    closed = {tuple(p) for p in transitive_closure(direct.data).tolist()}
    # the plain closure also follows a hypernym, then an instance hypernym
    assert set(_expected_pairs()) <= closed
    assert all(c == "epimetheus.n.01" for c, _ in closed - set(_expected_pairs()))


_PARTS = [
    ("bicycle", ["bicycle"], []),
    ("briefcase", ["briefcase"], []),
    ("handle", ["handle"], [("#p", "bicycle"), ("#p", "briefcase"), ("@", "bicycle")]),
    ("spoke", ["spoke"], [("#p", "wheel")]),
    ("wheel", ["wheel"], [("#p", "bicycle"), ("+", "study")]),
]


def test_other_pointer_symbols_are_read_on_request(tmp_path):
    from sklpoincare.datasets._wordnet import _parse_data

    data, offsets = _data_text(_PARTS, "n")
    key_of = {f"{offset:08d}": key for key, offset in offsets.items()}
    lines = data.split("\n")
    _, _, (parts_of,), _ = _parse_data("data.noun", lines, "n", ("#p",))
    _, _, (hypernyms, instances), _ = _parse_data("data.noun", lines, "n")
    assert [sorted(key_of[t] for t in targets) for targets in parts_of] == [
        [], [], ["bicycle", "briefcase"], ["wheel"], ["bicycle"]
    ]
    assert [[key_of[t] for t in targets] for targets in hypernyms] == [[], [], ["bicycle"], [], []]
    assert not any(instances)
