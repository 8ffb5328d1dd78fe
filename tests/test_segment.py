import re

import pytest
from hypothesis import given, strategies as st

from align.model import Block, Document
from align.segment import segment, split_sentences


@pytest.mark.parametrize("text, expected", [
    # abbreviations and titles that do not end a sentence
    ("Hội nghị diễn ra tại TP. Hồ Chí Minh hôm qua. Các đại biểu đã thống nhất.",
     ["Hội nghị diễn ra tại TP. Hồ Chí Minh hôm qua.", "Các đại biểu đã thống nhất."]),
    ("PGS.TS. Nguyễn Văn Bình phát biểu. Ông nhấn mạnh vai trò của giáo dục.",
     ["PGS.TS. Nguyễn Văn Bình phát biểu.", "Ông nhấn mạnh vai trò của giáo dục."]),
    ("ThS. Lê Hoa và GS. Trần Minh cùng dự. BS. Phạm An cũng có mặt.",
     ["ThS. Lê Hoa và GS. Trần Minh cùng dự.", "BS. Phạm An cũng có mặt."]),
    # a name that ends in a stop does end the sentence
    ("Đoàn đã tới TP.HCM. Sau đó đoàn ra Hà Nội.", ["Đoàn đã tới TP.HCM.", "Sau đó đoàn ra Hà Nội."]),
    ("Anh là đối tác lớn nhất ở Đông Nam Á. Hai bên nhất trí mở rộng hợp tác.",
     ["Anh là đối tác lớn nhất ở Đông Nam Á.", "Hai bên nhất trí mở rộng hợp tác."]),
    # numbers and dates are not boundaries
    ("Có hơn 12.000 sinh viên, tăng 3,5% so với năm trước. Con số này dự kiến còn tăng.",
     ["Có hơn 12.000 sinh viên, tăng 3,5% so với năm trước.", "Con số này dự kiến còn tăng."]),
    ("Quan hệ được thiết lập ngày 11/9/1973. Từ đó hai nước hợp tác chặt chẽ.",
     ["Quan hệ được thiết lập ngày 11/9/1973.", "Từ đó hai nước hợp tác chặt chẽ."]),
    # quotes, questions, exclamations, ellipses
    ('Ông nói: "Chúng tôi sẵn sàng." Cuộc họp kết thúc.', ['Ông nói: "Chúng tôi sẵn sàng."', "Cuộc họp kết thúc."]),
    ("Thưa Thứ trưởng, ý nghĩa của chuyến thăm là gì? - Chuyến thăm rất quan trọng.",
     ["Thưa Thứ trưởng, ý nghĩa của chuyến thăm là gì?", "- Chuyến thăm rất quan trọng."]),
    ("Mọi thứ đã sẵn sàng… Đoàn lên đường!", ["Mọi thứ đã sẵn sàng…", "Đoàn lên đường!"]),
    ("Hai bên bàn về thương mại, đầu tư... và giáo dục.", ["Hai bên bàn về thương mại, đầu tư... và giáo dục."]),
    # a headline without a final stop is one sentence
    ("Việt Nam và Anh nâng cấp quan hệ", ["Việt Nam và Anh nâng cấp quan hệ"]),
])
def test_vietnamese_sentences(text, expected):
    assert split_sentences(text, "vi") == expected


@pytest.mark.parametrize("text, expected", [
    ("Mr. Starmer met Dr. Lee. They spoke briefly.", ["Mr. Starmer met Dr. Lee.", "They spoke briefly."]),
    ("He lives at No. 10 Downing Street. It is in London.", ["He lives at No. 10 Downing Street.", "It is in London."]),
    ("The U.S. Embassy issued a note. Nobody replied.", ["The U.S. Embassy issued a note.", "Nobody replied."]),
    ("J. K. Rowling wrote it. It sold well.", ["J. K. Rowling wrote it.", "It sold well."]),
    ("Growth reached 6.5 percent in 2024. Trade rose too.", ["Growth reached 6.5 percent in 2024.", "Trade rose too."]),
    ('"We are ready." The talks ended.', ['"We are ready."', "The talks ended."]),
    ("The visit ran from Oct. 28 to 30. It was a success.", ["The visit ran from Oct. 28 to 30.", "It was a success."]),
    ("Is it true? Yes!", ["Is it true?", "Yes!"]),
])
def test_english_sentences(text, expected):
    assert split_sentences(text, "en") == expected


def test_sentences_never_cross_blocks():
    document = Document("x", "vi", (Block("Tiêu đề", "title"), Block("Câu một. Câu hai.")))
    sentences = segment(document)
    assert [(s.text, s.block, s.kind) for s in sentences] == [
        ("Tiêu đề", 0, "title"), ("Câu một.", 1, "paragraph"), ("Câu hai.", 1, "paragraph")]


pieces = st.sampled_from(list("aĐê TP.HCM!?…\"”“'() 0123,\n") + ["Mr. ", "TP. ", "No. 1", "U.S. "])
text_with_stops = st.lists(pieces, max_size=40).map("".join)


@given(text_with_stops, st.sampled_from(["vi", "en"]))
def test_splitting_loses_and_changes_no_character(text, lang):
    sentences = split_sentences(text, lang)
    assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", text)
    assert all(s == s.strip() and s for s in sentences)
