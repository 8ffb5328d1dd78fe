"""Legacy Vietnamese encodings: every letter round-trips, real text is detected, unsure input stops."""

import unicodedata

import pytest

from align.extract import decode
from align.legacy import (CODECS, CP1258, TCVN3, VIQR, VNI, decode_legacy, detect, encode_legacy,
                          legacy_codec, vietnamese_letters)
from align.model import InputError

LETTERS = vietnamese_letters()

# Sentences of the kind the pages hold, written for these tests.
TEXTS = [
    "Thủ tướng Chính phủ chủ trì cuộc họp trực tuyến với các tỉnh miền Trung về khắc phục hậu quả bão lũ.",
    "Ngày 27/10/2025, Quốc hội thảo luận dự án Luật Dữ liệu; nhiều đại biểu đề nghị quy định rõ quyền của "
    "người dân đối với thông tin cá nhân.",
    "Giá xăng giảm nhẹ từ 15 giờ chiều nay, mỗi lít xăng RON 95 còn khoảng 20.500 đồng.",
    "Đội tuyển bóng đá nữ Việt Nam giành huy chương vàng sau trận chung kết nghẹt thở ở Hà Nội.",
]


def test_the_alphabet_has_every_vowel_with_every_tone():
    assert len(LETTERS) == 2 * (12 * 6 + 1)
    assert {"ặ", "Ặ", "ữ", "Ữ", "ỵ", "Ỵ", "ờ", "Ờ", "đ", "Đ"} <= set(LETTERS)
    assert all(unicodedata.is_normalized("NFC", letter) and len(letter) == 1 for letter in LETTERS)


@pytest.mark.parametrize("codec", [CP1258, VNI, VIQR], ids=lambda c: c.name)
@pytest.mark.parametrize("letter", LETTERS)
def test_every_letter_round_trips(codec, letter):
    inside = [f"t{letter}y"] if letter.lower() != "đ" else []  # đ only starts a syllable
    for text in [letter, f"{letter}n {letter}. {letter}"] + inside:
        assert decode_legacy(encode_legacy(text, codec), codec, "t") == text


@pytest.mark.parametrize("letter", LETTERS)
def test_every_letter_round_trips_through_tcvn3_capitals_with_a_tone_as_lower_case(letter):
    decoded = decode_legacy(encode_legacy(f"x{letter}y", TCVN3), TCVN3, "t")
    has_tone = any(mark in unicodedata.normalize("NFD", letter) for mark in "\u0300\u0301\u0303\u0309\u0323")
    # TCVN3 (VN3) has no capitals with a tone: text typed in the capital fonts comes back lower case
    assert decoded == (f"x{letter.lower()}y" if letter.isupper() and has_tone else f"x{letter}y")


@pytest.mark.parametrize("codec", CODECS, ids=lambda c: c.name)
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_real_text_round_trips_and_is_detected(codec, text):
    data = encode_legacy(text, codec)
    assert decode_legacy(data, codec, "t") == text
    assert decode(data, "old.txt", lang="vi") == text  # no --encoding: detected
    if codec is not VIQR:
        best, second = detect(data)[:2]
        assert best.codec is codec and best.confidence >= 0.9 and second.confidence < best.confidence - 0.15


@pytest.mark.parametrize("data, codec, text", [
    # bytes from the published charts, not from this module's own tables
    (b"Vi\xea\xf2t Nam", CP1258, "Việt Nam"),
    (b"Vie\xe4t Nam \xf1a\xf5 th\xf6\xf4\xf9c", VNI, "Việt Nam đã thước"),
    (b"VIE\xc4T NAM \xd1A\xd5", VNI, "VIỆT NAM ĐÃ"),
    (b"Vi\xd6t Nam \xae\xb7 th\xad\xedc", TCVN3, "Việt Nam đã thước"),
    (b"Vie^.t Nam dda~ thu+o+'c", VIQR, "Việt Nam đã thước"),
    (b"Ha` No^.i\\. Ai\\?", VIQR, "Hà Nội. Ai?"),  # a backslash keeps a mnemonic literal
])
def test_chart_samples_decode(data, codec, text):
    assert decode_legacy(data, codec, "t") == text


@pytest.mark.parametrize("name, codec", [("VNI", VNI), ("vni-windows", VNI), ("TCVN3", TCVN3), ("abc", TCVN3),
                                         ("viqr", VIQR), ("windows-1258", CP1258), ("utf-8", None)])
def test_encoding_names(name, codec):
    assert legacy_codec(name) is codec


def test_english_ascii_on_a_vietnamese_page_is_not_read_as_viqr():
    text = "Don't stop. It's 5 p.m. already? You'll see (e.g. here) the a^b case."
    assert decode(text.encode("ascii"), "page.txt", lang="vi") == text


def test_the_encoding_option_overrides_detection(cli, tmp_path):
    page = tmp_path / "old.txt"
    page.write_bytes(encode_legacy(TEXTS[0], VNI))
    assert cli("split", page, "--lang", "vi").stdout.strip() == TEXTS[0]
    forced = cli("split", page, "--lang", "vi", "--encoding", "cp1252")
    assert forced.exit_code == 0 and forced.stdout.startswith("Thu\u00fb")


def test_unsure_detection_names_the_file_and_the_candidates(cli, tmp_path):
    page = tmp_path / "short.txt"
    page.write_bytes(b"Ng\xe0y h\xf4m nay")  # too little text to tell Windows-1258 from VNI
    result = cli("split", page, "--lang", "vi")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"align: error: {page}: not UTF-8")
    assert "Windows-1258 0." in result.stderr and "VNI-Windows 0." in result.stderr
    assert "--encoding cp1258|vni" in result.stderr


def test_bytes_outside_tcvn3_are_refused_with_their_offset():
    with pytest.raises(InputError, match="byte 0xba at offset 2 is not a TCVN3"):
        decode_legacy(b"ab\xbacd", TCVN3, "t.txt")


@pytest.mark.parametrize("word, is_vietnamese", [
    ("người", True), ("khuỷu", True), ("gì", True), ("gìn", True), ("quyển", True), ("xoong", True),
    ("ngoặt", True), ("ếch", True), ("thuở", True),
    ("laõm", False), ("thaờm", False), ("chớnh", False), ("toồng", False), ("caỏp", False), ("tiề", False),
])
def test_syllable_shapes(word, is_vietnamese):
    from align.legacy import _is_syllable
    assert _is_syllable(word) is is_vietnamese


def test_one_short_sentence_is_enough_to_tell_vni_from_tcvn3():
    data = encode_legacy("Tổng Bí thư Tô Lâm thăm chính thức Vương quốc Anh; hai bên nâng cấp quan hệ.", VNI)
    best, second = detect(data)[:2]
    assert best.codec is VNI and best.confidence == 1.0 and second.confidence < 0.5


def test_encoding_command_reports_each_page_with_a_confidence(cli, tmp_path):
    (tmp_path / "vni.txt").write_bytes(encode_legacy(TEXTS[0], VNI))
    (tmp_path / "viqr.txt").write_bytes(encode_legacy(TEXTS[1], VIQR))
    (tmp_path / "utf8.txt").write_text(TEXTS[2], encoding="utf-8")
    result = cli("encoding", tmp_path / "vni.txt", tmp_path / "viqr.txt", tmp_path / "utf8.txt")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert lines[0].startswith(f"{tmp_path / 'vni.txt'}: VNI-Windows 1.00, ")
    assert lines[1].startswith(f"{tmp_path / 'viqr.txt'}: VIQR 1.00")
    assert lines[2] == f"{tmp_path / 'utf8.txt'}: UTF-8 1.00"
