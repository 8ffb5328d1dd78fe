import io

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from align.model import Bead, FormatError, Pair, ScoreParts
from align.tmx import TmxHeader, read_tmx, write_tmx

from conftest import SHARED_DATA, TMX_DTD, needs_shared

HEADER = TmxHeader("vi", "en", "align:test|band:40", "20261124T120000Z")


def pair(vi, en, score=0.8, document="doc"):
    return Pair(document, Bead((0,), (0,)), vi, en, score, ScoreParts(0.7, 0.9))


def written(pairs) -> bytes:
    stream = io.BytesIO()
    write_tmx(stream, pairs, HEADER)
    return stream.getvalue()


@needs_shared(TMX_DTD)
def test_output_is_valid_against_the_tmx_dtd():
    data = written([pair("Đối tác Chiến lược Toàn diện", "Comprehensive Strategic Partnership"),
                    pair("A & B < C", "\"quoted\" > 'text'")])
    dtd = etree.DTD(str(TMX_DTD))
    assert dtd.validate(etree.fromstring(data)), dtd.error_log.filter_from_errors()


def test_header_and_units_carry_what_cat_tools_and_users_need():
    root = etree.fromstring(written([pair("Xin chào.", "Hello.", 0.91234, "page-1")]))
    header = root.find("header")
    for attribute in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(attribute), attribute
    assert header.get("srclang") == "vi" and header.get("segtype") == "sentence"
    assert header.findtext("prop[@type='x-align-signature']") == "align:test|band:40"
    tu = root.find("body/tu")
    assert tu.findtext("prop[@type='x-score']") == "0.9123"
    assert tu.findtext("prop[@type='x-document']") == "page-1"
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tu.findall("tuv")]
    assert langs == ["vi", "en"]
    assert [seg.text for seg in tu.iter("seg")] == ["Xin chào.", "Hello."]  # no padding inside <seg>
    assert "<seg>Xin chào.</seg>" in etree.tostring(root, encoding="unicode")


xml_text = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
                   min_size=1, max_size=40)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(xml_text, xml_text, st.floats(0, 1)), max_size=5))
def test_write_then_read_round_trips(rows):
    memory = read_tmx(io.BytesIO(written([pair(vi, en, score) for vi, en, score in rows])))
    assert [(u.text("vi"), u.text("en")) for u in memory.units] == [(vi, en) for vi, en, _ in rows]
    assert [u.prop("x-score") for u in memory.units] == [f"{score:.4f}" for _, _, score in rows]
    assert memory.signature == "align:test|band:40"


COMPLIANCE_KIT = SHARED_DATA / "tmx" / "compliance-kit"


@needs_shared(COMPLIANCE_KIT)
@pytest.mark.parametrize("name", sorted(p.name for p in COMPLIANCE_KIT.glob("*.tmx")) if COMPLIANCE_KIT.exists() else [])
def test_every_compliance_kit_file_is_read(name):
    memory = read_tmx(str(COMPLIANCE_KIT / name))
    assert memory.units
    assert all(len(unit.variants) >= 1 for unit in memory.units)


@needs_shared(COMPLIANCE_KIT)
def test_utf16_file_keeps_whitespace_and_language_tags():
    memory = read_tmx(str(COMPLIANCE_KIT / "ImportTest1A.tmx"))
    first = memory.units[0]
    assert first.text("en-us") == "First segment with [\t\t   ]"
    assert first.text("fr") == "Premier segment avec [\t\t   ]"


def test_inline_codes_are_left_out_of_the_text_but_kept_as_markup():
    data = (b'<tmx version="1.4"><header/><body><tu><tuv xml:lang="en"><seg>Click <bpt i="1">{\\b}</bpt>'
            b'here<ept i="1">}</ept> now</seg></tuv></tu></body></tmx>')
    variant = read_tmx(io.BytesIO(data)).units[0].variants[0]
    assert variant.text == "Click here now"
    assert '<bpt i="1">{\\b}</bpt>' in variant.seg_xml


@pytest.mark.parametrize("data, message", [
    (b'<tmx version="1.4"><header/><body><tu>', "malformed TMX"),
    (b"<html><body/></html>", "not a TMX file"),
    (b"", "malformed TMX"),
])
def test_malformed_tmx_is_refused(data, message):
    with pytest.raises(FormatError, match=message):
        read_tmx(io.BytesIO(data), "bad.tmx")


def test_entities_are_never_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    data = (f'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<tmx version="1.4"><header/><body><tu><tuv xml:lang="en"><seg>a&x;b</seg></tuv></tu></body></tmx>')
    memory = read_tmx(io.BytesIO(data.encode()))
    assert "SECRET" not in memory.units[0].text("en")
