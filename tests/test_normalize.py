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
    # decomposed text with a soft hyphen between a letter and its marks: one composed syllable
    assert clean_text("Vie\u00ad\u0302\u0323t Nam") == "Việt Nam"


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


# Every vowel cluster of Vietnamese rhymes, open and closed, with the onsets gi- and qu-:
# (classic "hòa" style, modern "hoà" style). Only the open oa, oe, uy differ between the two.
VOWEL_CLUSTERS = [
    ("hóa", "hoá"), ("khỏe", "khoẻ"), ("thúy", "thuý"),                       # oa oe uy, open
    ("toán", "toán"), ("khỏe mạnh", "khoẻ mạnh"), ("huýt", "huýt"), ("hoạch", "hoạch"),  # closed: last vowel
    ("hái", "hái"), ("báo", "báo"), ("sáu", "sáu"), ("máy", "máy"), ("kéo", "kéo"),  # ai ao au ay eo
    ("kìa", "kìa"), ("níu", "níu"), ("bói", "bói"), ("múa", "múa"), ("túi", "túi"),  # ia iu oi ua ui
    ("cấu", "cấu"), ("mấy", "mấy"), ("nếu", "nếu"), ("tối", "tối"), ("mới", "mới"),  # âu ây êu ôi ơi
    ("mứa", "mứa"), ("gửi", "gửi"), ("cứu", "cứu"),                               # ưa ưi ưu
    ("thuế", "thuế"), ("thuở", "thuở"), ("người", "người"), ("được", "được"),     # uê uơ ươi ươ
    ("tiếng", "tiếng"), ("yến", "yến"), ("muốn", "muốn"), ("tuấn", "tuấn"),       # iê yê uô uâ
    ("ngoái", "ngoái"), ("xoáy", "xoáy"), ("khuấy", "khuấy"), ("muối", "muối"),   # oai oay uây uôi
    ("rượu", "rượu"), ("yếu", "yếu"), ("hiếu", "hiếu"), ("ngoẻo", "ngoẻo"),       # ươu yêu iêu oeo
    ("khuỷu", "khuỷu"), ("chuyến", "chuyến"), ("xoắn", "xoắn"), ("khuỵu", "khuỵu"),  # uyu uyê oă
    ("giá", "giá"), ("giữa", "giữa"), ("giấy", "giấy"), ("giỏi", "giỏi"),         # gi- is an onset
    ("quá", "quá"), ("quý", "quý"), ("quyển", "quyển"), ("quốc", "quốc"),         # qu- is an onset
]


def _with_tone_on_each_vowel(word: str) -> set[str]:
    """`word` with its one tone mark moved onto each of its vowels in turn."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = next(ch for ch in decomposed if ch in "\u0300\u0301\u0303\u0309\u0323")
    bare = decomposed.replace(tone, "")
    spots = [i + 1 for i, ch in enumerate(bare) if ch.lower() in "aeiouy"]
    variants = set()
    for spot in spots:
        end = spot
        while end < len(bare) and unicodedata.combining(bare[end]):
            end += 1
        variants.add(unicodedata.normalize("NFC", bare[:end] + tone + bare[end:]))
    return variants


@pytest.mark.parametrize("classic, modern", VOWEL_CLUSTERS, ids=[c for c, _ in VOWEL_CLUSTERS])
def test_every_vowel_cluster_gets_its_tone_where_the_convention_puts_it(classic, modern):
    for classic_word, modern_word in zip(classic.split(), modern.split()):
        for misplaced in _with_tone_on_each_vowel(classic_word):
            assert normalize_tones(misplaced, "classic") == classic_word, misplaced
            assert normalize_tones(misplaced, "modern") == modern_word, misplaced
    for style in ("classic", "modern"):  # matching sees one spelling whichever the page used
        assert match_key(classic, style) == match_key(modern, style)
    assert fold(classic) == fold(modern)
