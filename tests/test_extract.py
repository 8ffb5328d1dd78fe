import codecs

import pytest

from align.extract import decode, extract
from align.model import CAPTION, HEADING, ITEM, PARAGRAPH, TITLE, InputError

from conftest import to_cp1258

NEWS_PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Tin tức - Báo Mẫu</title>
<style>.x {{color: red}}</style><script>var ads = "Quảng cáo";</script></head>
<body>
<header><div class="logo">Báo Mẫu</div><nav><a href="/">Trang chủ</a><a href="/the-gioi">Thế giới</a></nav></header>
<ul class="breadcrumb"><li><a href="/">Trang chủ</a></li><li>Thời sự</li></ul>
<article class="article">
  <h1 class="article-title">Hai nước ký kết thỏa thuận mới</h1>
  <div class="article-meta"><span class="author">Minh Anh</span><span class="date">27/10/2025 08:00</span></div>
  <div class="share-buttons">Chia sẻ Facebook</div>
  <p class="sapo">Hai bên đã ký thỏa thuận hợp tác.</p>
  <p>Đoạn thứ nhất có <strong>chữ đậm</strong> và&nbsp;khoảng trắng.<br>Dòng sau thẻ br.</p>
  <figure><img src="a.jpg" alt="ảnh"><figcaption>Lễ ký kết tại Hà Nội (Ảnh: TTXVN)</figcaption></figure>
  <h2>Triển vọng hợp tác</h2>
  <ul><li>Mục thứ nhất</li><li>Mục thứ hai</li></ul>
  <div class="related-news"><h3>Tin liên quan</h3><ul><li><a href="#">Bài khác</a></li></ul></div>
  <div class="tags">Từ khóa: hợp tác</div>
</article>
<aside><h3>Đọc nhiều</h3><p>Bài đọc nhiều nhất.</p></aside>
<div class="comments"><p>Bình luận (0)</p></div>
<footer><p>© Báo Mẫu. Giấy phép số 123.</p></footer>
</body></html>
"""


def test_html_keeps_the_article_and_drops_page_furniture():
    document = extract(NEWS_PAGE.encode("utf-8"), "page.html", "vi")
    assert [(b.kind, b.text) for b in document.blocks] == [
        (TITLE, "Hai nước ký kết thỏa thuận mới"),
        (PARAGRAPH, "Hai bên đã ký thỏa thuận hợp tác."),
        (PARAGRAPH, "Đoạn thứ nhất có chữ đậm và khoảng trắng. Dòng sau thẻ br."),
        (CAPTION, "Lễ ký kết tại Hà Nội (Ảnh: TTXVN)"),
        (HEADING, "Triển vọng hợp tác"),
        (ITEM, "Mục thứ nhất"),
        (ITEM, "Mục thứ hai"),
    ]


def test_html_without_article_element_uses_the_richest_container():
    page = ("<html><body><div class='menu'><p>Trang chủ</p></div><h1>Tiêu đề</h1>"
            "<div class='content'><p>Câu thứ nhất của bài viết khá dài.</p><p>Câu thứ hai cũng dài.</p></div>"
            "<div class='footer'><p>Bản quyền</p></div></body></html>")
    document = extract(page.encode(), "page.html", "vi")
    assert [b.text for b in document.blocks] == ["Tiêu đề", "Câu thứ nhất của bài viết khá dài.", "Câu thứ hai cũng dài."]


def test_plain_text_blocks_title_and_bullets():
    text = "Tiêu đề bài viết\n\nĐoạn một, dòng một\nvẫn là đoạn một.\n\n- Mục một\n- Mục hai\n\nĐoạn cuối."
    document = extract(text.encode(), "page.txt", "vi")
    assert [(b.kind, b.text) for b in document.blocks] == [
        (TITLE, "Tiêu đề bài viết"),
        (PARAGRAPH, "Đoạn một, dòng một vẫn là đoạn một."),
        (ITEM, "- Mục một"),
        (ITEM, "- Mục hai"),
        (PARAGRAPH, "Đoạn cuối."),
    ]


@pytest.mark.parametrize("data", [
    codecs.BOM_UTF8 + "Việt Nam".encode("utf-8"),
    codecs.BOM_UTF16_LE + "Việt Nam".encode("utf-16-le"),
    codecs.BOM_UTF16_BE + "Việt Nam".encode("utf-16-be"),
])
def test_byte_order_marks_are_obeyed(data):
    assert decode(data, "x.txt") == "Việt Nam"


def test_windows_1258_declared_in_meta_is_decoded_to_nfc():
    page = '<html><head><meta charset="windows-1258"></head><body><p>Đối tác Chiến lược Toàn diện</p></body></html>'
    document = extract(to_cp1258(page), "page.html", "vi")
    assert document.blocks[0].text == "Đối tác Chiến lược Toàn diện"


def test_windows_1258_by_option_is_decoded():
    assert decode(to_cp1258("Tổng Bí thư Tô Lâm"), "x.txt", encoding="cp1258") == "Tổng Bí thư Tô Lâm"


@pytest.mark.parametrize("data, message", [
    (b"", "empty file"),
    (b"  \n\t\n", "empty file"),
    (b"%PDF-1.7\n...", "looks like a PDF"),
    (b"\x00\x01\x02binary\x00", "NUL bytes"),
    (b"caf\xe9 au lait, cr\xe8me br\xfbl\xe9e", "not UTF-8 (byte 0xe9 at offset 3)"),
    ("Đối tác Chiến lược".encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"), "garbled"),
])
def test_bad_bytes_are_refused_with_the_reason(data, message):
    with pytest.raises(InputError) as caught:
        decode(data, "bad.txt")
    assert caught.value.where == "bad.txt"
    assert message in caught.value.problem


@pytest.mark.parametrize("data", [
    to_cp1258("Việt Nam và Anh hợp tác toàn diện"),
    # VNI-Windows: marks are bytes after the vowel
    b"Vie\xe4t Nam va\xf8 Anh h\xf4\xefp ta\xf9c toa\xf8n die\xe4n",
    # TCVN3 (ABC): one byte per accented letter
    b"Vi\xd6t Nam v\xb5 Anh h\xee\x70 t\xb8c to\xb5n di\xd6n",
])
def test_undeclared_legacy_encodings_are_detected_and_decoded(data):
    assert decode(data, "old.txt", lang="vi") == "Việt Nam và Anh hợp tác toàn diện"


def test_undeclared_legacy_bytes_on_an_english_page_are_refused():
    with pytest.raises(InputError, match="--encoding"):
        decode("The café’s crème brûlée".encode("cp1252"), "old.txt", lang="en")


@pytest.mark.parametrize("page, message", [
    ("<html><body><article><p>Bài viết bị cắt ngang", "truncated"),
    ("<html><body><nav>Trang chủ</nav><script>x()</script></body></html>", "no article text"),
])
def test_broken_html_is_refused(page, message):
    with pytest.raises(InputError, match=message):
        extract(page.encode(), "page.html", "vi")
