import json

import pytest

from align import dictcache
from align.dictcache import load_dictionary
from align.files import cache_folder
from align.lexicon import Lexicon, dictionary_translations, read_dictionary
from align.model import InputError, Term

WORDS = "hợp tác\tcooperation\nkinh tế\teconomy\nđối tác\tpartner\ngiáo dục\teducation\n"


@pytest.fixture
def word_list(tmp_path):
    path = tmp_path / "words.tsv"
    path.write_text(WORDS, encoding="utf-8")
    return path


def _compiled_by_hand(path):
    words = read_dictionary(path)
    return dictionary_translations(words.terms), words.resource


def test_a_dictionary_is_compiled_once_and_read_back_the_same(word_list, monkeypatch):
    first = load_dictionary(word_list)
    assert first == _compiled_by_hand(word_list)
    assert len(list(cache_folder().glob("dictionary-*.json"))) == 1

    def not_again(*args, **kwargs):
        raise AssertionError("compiled again")
    monkeypatch.setattr(dictcache, "read_dictionary", not_again)
    assert load_dictionary(word_list) == first


def test_an_edited_dictionary_or_another_tone_style_is_compiled_again(word_list):
    load_dictionary(word_list)
    word_list.write_text(WORDS + "hòa bình\tpeace\n", encoding="utf-8")
    table, resource = load_dictionary(word_list)
    assert "hòa bình" in table and resource.entries == 5
    table, _ = load_dictionary(word_list, "modern")
    assert "hoà bình" in table
    assert len(list(cache_folder().glob("dictionary-*.json"))) == 3


def test_the_same_words_under_another_name_are_named_after_the_file_given(word_list, tmp_path):
    load_dictionary(word_list)
    copy = tmp_path / "copy.tsv"
    copy.write_bytes(word_list.read_bytes())
    assert load_dictionary(copy)[1].name == "copy.tsv"


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"entries": 4}', b'{"entries": 4, "translations": []}'])
def test_a_damaged_cache_entry_is_compiled_again(word_list, damage):
    expected = load_dictionary(word_list)
    (entry,) = cache_folder().glob("dictionary-*.json")
    entry.write_bytes(damage)
    assert load_dictionary(word_list) == expected
    assert json.loads(entry.read_bytes())["entries"] == 4  # and kept again


def test_a_cache_folder_that_cannot_be_written_is_done_without(word_list, tmp_path, monkeypatch):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv("ALIGN_CACHE", str(blocker / "align"))
    assert load_dictionary(word_list) == _compiled_by_hand(word_list)


def test_errors_in_the_file_are_reported_as_without_a_cache(tmp_path):
    with pytest.raises(InputError, match="no such file|cannot read"):
        load_dictionary(tmp_path / "missing.tsv")
    bad = tmp_path / "latin1.tsv"
    bad.write_bytes("hợp tác\tcoopération\n".encode("utf-8").replace("é".encode(), b"\xe9"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_dictionary(bad)


def test_a_lexicon_from_the_compiled_table_is_the_lexicon_built_from_the_entries(word_list):
    table, _ = load_dictionary(word_list)
    terms = tuple(Term(vi, en) for vi, en in (line.split("\t") for line in WORDS.splitlines()))
    assert Lexicon.build(dictionary=terms).translations == Lexicon().with_translations(table).translations


def test_without_the_keying_code_to_read_nothing_is_cached(word_list, monkeypatch):
    monkeypatch.setattr(dictcache, "KEYING_CODE", ("no-such-module.py",))
    assert load_dictionary(word_list) == _compiled_by_hand(word_list)
    assert not list(cache_folder().glob("dictionary-*.json"))


def test_entries_of_older_code_are_pruned_to_the_most_recently_used(word_list, tmp_path, monkeypatch):
    other_list = tmp_path / "other.tsv"
    other_list.write_text("hòa bình\tpeace\n", encoding="utf-8")
    load_dictionary(other_list)  # another file's entry: never pruned for this one
    load_dictionary(word_list, "modern")  # nor another tone style's
    kept = set(cache_folder().glob("dictionary-*.json"))
    for version in range(5):  # five versions of align in turn, each compiling the word list again
        monkeypatch.setattr(dictcache, "_code_fingerprint", lambda version=version: f"version {version}")
        assert load_dictionary(word_list) == _compiled_by_hand(word_list)
    entries = set(cache_folder().glob("dictionary-*.json")) - kept
    assert len(entries) == 1 + dictcache.KEPT_OTHER_VERSIONS
    assert kept <= set(cache_folder().glob("dictionary-*.json"))
    # the three newest survive: versions 4, 3 and 2 read their entries without compiling
    monkeypatch.setattr(dictcache, "read_dictionary", lambda *a: (_ for _ in ()).throw(AssertionError("again")))
    for version in (4, 3, 2):
        monkeypatch.setattr(dictcache, "_code_fingerprint", lambda version=version: f"version {version}")
        load_dictionary(word_list)
