"""The resume manifest: results kept exactly, reused only under the same key, damage tolerated."""

import json

from hypothesis import given, strategies as st

from align.config import Settings
from align.lexicon import Lexicon
from align.manifest import Manifest, entry_bytes, folder_for, pair_key, result_from_json, result_to_json, run_key
from align.model import BLOCK_KINDS, Bead, DocumentPair, Pair, PairResult, ScoreParts, Sentence

indices = st.lists(st.integers(0, 500), max_size=3).map(tuple)
beads = st.builds(Bead, indices, indices)
scores = st.floats(0, 1)
sentences = st.lists(st.builds(Sentence, st.text(), st.integers(0, 99), st.sampled_from(BLOCK_KINDS + ("",))),
                     max_size=5).map(tuple)
parts = st.builds(ScoreParts, scores, scores, st.none() | scores, st.none() | scores)
pairs = st.lists(st.builds(Pair, st.text(), beads, st.text(), st.text(), scores, parts, st.booleans()),
                 max_size=5).map(tuple)
results = st.builds(PairResult, st.text(), sentences, sentences, st.lists(beads, max_size=6).map(tuple), pairs)


@given(results)
def test_a_result_comes_back_from_json_exactly(result):
    text = json.dumps(result_to_json(result), ensure_ascii=False)
    assert result_from_json(json.loads(text)) == result


def test_a_pair_key_changes_with_each_page_the_id_and_the_run():
    base = pair_key("run", "doc", b"vi", b"en")
    assert len({base, pair_key("run2", "doc", b"vi", b"en"), pair_key("run", "doc2", b"vi", b"en"),
                pair_key("run", "doc", b"vi!", b"en"), pair_key("run", "doc", b"vi", b"en!")}) == 5
    assert pair_key("run", "doc", b"vi", b"en") == base


def test_the_run_key_names_settings_and_the_learnt_table():
    lexicon = Lexicon.build()
    key = run_key(Settings().signature(), lexicon)
    assert run_key(Settings(min_score=0.3).signature(), lexicon) != key
    assert run_key(Settings().signature(), lexicon.with_translations({"nhà": frozenset({"house"})})) != key
    assert run_key(Settings().signature(), Lexicon.build()) == key


def _result(name="doc"):
    bead = Bead((0,), (0,))
    return PairResult(name, (Sentence("Xin chào."),), (Sentence("Hello."),), (bead,),
                      (Pair(name, bead, "Xin chào.", "Hello.", 0.75, ScoreParts(0.9, 0.6)),))


def test_entries_are_reused_only_under_their_key_and_damage_means_missing(tmp_path):
    pair = DocumentPair("doc", "vi/doc.txt", "en/doc.txt")
    manifest = Manifest(tmp_path / "m.tmx", resume=False)
    assert manifest.stored_key(pair) is None
    manifest.save(pair, entry_bytes("k1", _result()))
    again = Manifest(tmp_path / "m.tmx", resume=True)
    assert again.stored_key(pair) == "k1"
    assert again.load(pair, "k2") is None
    assert again.load(pair, "k1") == _result() and again.reused == 1
    entry = next(folder_for(tmp_path / "m.tmx").glob("*/*.json"))
    entry.write_bytes(entry.read_bytes()[:40])  # a disk that filled up, a copy cut short
    assert again.load(pair, "k1") is None
    assert Manifest(tmp_path / "m.tmx", resume=False).stored_key(pair) is None  # a fresh run forgets


def test_pairs_with_the_same_id_but_other_files_have_their_own_entries(tmp_path):
    manifest = Manifest(tmp_path / "m.tmx", resume=False)
    first, second = DocumentPair("doc", "a/vi.txt", "a/en.txt"), DocumentPair("doc", "b/vi.txt", "b/en.txt")
    manifest.save(first, entry_bytes("k1", _result()))
    assert manifest.stored_key(second) is None
