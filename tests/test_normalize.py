import unicodedata

import pytest
from hypothesis import given, strategies as st

from align.normalize import clean_text, fold, match_key, normalize_quotes, normalize_tones


@pytest.mark.parametrize("text, classic, modern", [
    ("hoà", "hòa", "hoà"),
    ("hòa", "hòa", "hoà"),
    ("thuỷ", "thủy", "thuỷ"),
    ("thủy", "thủy", "thuỷ"),
    ("khoẻ", "khỏe", "khoẻ"),
    ("Hoà Bình", "Hòa Bình", "Hoà Bình"),
    ("HOÀ", "HÒA", "HOÀ"),
    ("hoàng", "hoàng", "hoàng"),      # closed syllable: the last vowel either way
    ("quý", "quý", "quý"),            # qu- is the onset, y the nucleus
    ("quyết", "quyết", "quyết"),      # shaped vowel ê takes the mark
    ("giữ", "giữ", "giữ"),            # gi- is the onset
    ("gì", "gì", "gì"),               # ... unless i is the only vowel
    ("người", "người", "người"),      # ươ takes it on ơ
    ("mùa", "mùa", "mùa"),            # ua, open: the first vowel
    ("chìa", "chìa", "chìa"),         # ia, open: the first vowel
    ("ngoài", "ngoài", "ngoài"),      # three vowels: the middle one
    ("khuỷu", "khuỷu", "khuỷu"),
    ("tuyển", "tuyển", "tuyển"),      # uyê: ê
    ("thuở", "thuở", "thuở"),         # uơ: ơ
    ("Đối tác", "Đối tác", "Đối tác"),
    ("Tổng Bí thư", "Tổng Bí thư", "Tổng Bí thư"),
])
def test_tone_marks_follow_one_convention(text, classic, modern):
    assert normalize_tones(text, "classic") == classic
    assert normalize_tones(text, "modern") == modern


def test_decomposed_input_is_composed():
    decomposed = unicodedata.normalize("NFD", "Việt Nam hoà bình")
    assert normalize_tones(decomposed, "classic") == "Việt Nam hòa bình"


@pytest.mark.parametrize("text, folded", [
    ("Tô Lâm", "to lam"),
    ("Đối tác Chiến lược Toàn diện", "doi tac chien luoc toan dien"),
    ("Lê Thị Thu Hằng", "le thi thu hang"),
    ("Keir Starmer", "keir starmer"),
])
def test_fold_matches_names_written_without_diacritics(text, folded):
    assert fold(text) == folded


def test_clean_text_collapses_spaces_and_removes_invisible_characters():
    assert clean_text("  Hà\u00a0Nội\u200b,\t ngày\n 27/10  ") == "Hà Nội, ngày 27/10"


def test_match_key_makes_spelling_variants_equal():
    assert match_key("“Hoà bình”") == match_key('"hòa  bình"')
    assert normalize_quotes("‘a’ «b»") == "'a' \"b\""


vietnamese_text = st.text(alphabet="aăâeêioôơuưy" + "hòáảãạ qukgnđt" + "ÀÁẢÃẠ ", max_size=40)


@given(vietnamese_text, st.sampled_from(["classic", "modern"]))
def test_tone_placement_is_idempotent_and_keeps_the_letters(text, style):
    once = normalize_tones(text, style)
    assert normalize_tones(once, style) == once
    assert fold(once) == fold(text)


@given(st.text(max_size=60))
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
