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
    ("Tổng Bí thư Tô Lâm thăm chính thức Vương quốc Anh", ["Tổng Bí thư Tô Lâm thăm chính thức Vương quốc Anh"]),
    # city, district and ward abbreviations, with and without a space
    ("Tp. Cần Thơ có mưa lớn. Hà Nội trời nắng.", ["Tp. Cần Thơ có mưa lớn.", "Hà Nội trời nắng."]),
    ("Ông sống ở Q. 1, TP.HCM. Bà sống ở P. 5, Q. 10.", ["Ông sống ở Q. 1, TP.HCM.", "Bà sống ở P. 5, Q. 10."]),
    ("Văn phòng đặt tại Q.1, P.5. Giờ mở cửa từ 8 giờ.", ["Văn phòng đặt tại Q.1, P.5.", "Giờ mở cửa từ 8 giờ."]),
    ("Cửa hàng ở Q. Bình Thạnh. Giá rẻ.", ["Cửa hàng ở Q. Bình Thạnh.", "Giá rẻ."]),  # quận, before a name
    ("GS.TS. Phan Thanh và BS. Đỗ Lan đã đến. PGS.TS. Hà Vy vắng mặt.",
     ["GS.TS. Phan Thanh và BS. Đỗ Lan đã đến.", "PGS.TS. Hà Vy vắng mặt."]),
    ("Báo cáo của ThS.BS. Vũ Nam được đánh giá cao. TS. Lý Hùng đồng ý.",
     ["Báo cáo của ThS.BS. Vũ Nam được đánh giá cao.", "TS. Lý Hùng đồng ý."]),
    # dot thousands, comma decimals, dates
    ("Dự án có vốn 1.250,5 tỷ đồng. Tổng số là 2.000.000 người.",
     ["Dự án có vốn 1.250,5 tỷ đồng.", "Tổng số là 2.000.000 người."]),
    ("Lạm phát là 3,25%. Ngày 27/10/2025, hội nghị khai mạc. Ngày 28/10 bế mạc.",
     ["Lạm phát là 3,25%.", "Ngày 27/10/2025, hội nghị khai mạc.", "Ngày 28/10 bế mạc."]),
    ("Sự kiện diễn ra năm 2025. 1.500 khách đã đến.", ["Sự kiện diễn ra năm 2025.", "1.500 khách đã đến."]),
    # typographic quotes and guillemets; a dash after a quote is an attribution, not a new sentence
    ("Ông cho biết: “Chúng tôi sẽ tiếp tục.” Bà gật đầu.", ["Ông cho biết: “Chúng tôi sẽ tiếp tục.”", "Bà gật đầu."]),
    ("Ông hỏi: «Bao giờ xong?» Không ai trả lời.", ["Ông hỏi: «Bao giờ xong?»", "Không ai trả lời."]),
    ('"Sao lại thế?" - bà hỏi. Ông im lặng.', ['"Sao lại thế?" - bà hỏi.', "Ông im lặng."]),
    ("Kinh tế tăng trưởng... Tuy nhiên, lạm phát vẫn cao.", ["Kinh tế tăng trưởng...", "Tuy nhiên, lạm phát vẫn cao."]),
    # bullet and dash lists run into one block
    ("Chương trình gồm: - Thứ nhất, đào tạo. - Thứ hai, nghiên cứu.",
     ["Chương trình gồm: - Thứ nhất, đào tạo.", "- Thứ hai, nghiên cứu."]),
    ("Các bước: • Đăng ký. • Nộp hồ sơ.", ["Các bước: • Đăng ký.", "• Nộp hồ sơ."]),
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
    ("Mr. and Mrs. Smith arrived at 5 p.m. on Friday. They left early.",
     ["Mr. and Mrs. Smith arrived at 5 p.m. on Friday.", "They left early."]),
    ("She wrote to J. R. R. Tolkien in 1950. He replied.", ["She wrote to J. R. R. Tolkien in 1950.", "He replied."]),
    ("Prices rose 3.75 per cent to $1,204.50. Wages did not.",
     ["Prices rose 3.75 per cent to $1,204.50.", "Wages did not."]),
    ("The U.S. economy grew. It was built in the U.S. The design came from Britain.",
     ["The U.S. economy grew.", "It was built in the U.S.", "The design came from Britain."]),
    ('He said, "It is over." Then he left.', ['He said, "It is over."', "Then he left."]),
    ("He asked: 'Why not?' Nobody knew.", ["He asked: 'Why not?'", "Nobody knew."]),
    ("Please see Fig. 3 and No. 10 for details.", ["Please see Fig. 3 and No. 10 for details."]),
    ("Google, Inc. The company grew. Enron Corp. common stock fell.",
     ["Google, Inc.", "The company grew.", "Enron Corp. common stock fell."]),
    # forum and e-mail English starts sentences in lower case; an ellipsis before one does not end it
    ("i think so. what about you? see you tomorrow.", ["i think so.", "what about you?", "see you tomorrow."]),
    ("We use e.g. the new rules... and they work.", ["We use e.g. the new rules... and they work."]),
    ("It was a great place.Highly recommended!", ["It was a great place.", "Highly recommended!"]),
])
def test_english_sentences(text, expected):
    assert split_sentences(text, "en") == expected


def test_sentences_never_cross_blocks():
    document = Document("x", "vi", (Block("Tiêu đề", "title"), Block("Câu một. Câu hai.")))
    sentences = segment(document)
    assert [(s.text, s.block, s.kind) for s in sentences] == [
        ("Tiêu đề", 0, "title"), ("Câu một.", 1, "paragraph"), ("Câu hai.", 1, "paragraph")]


pieces = st.sampled_from(list("aĐê TP.HCM!?…\"”“'() 0123,\n-") + ["Mr. ", "TP. ", "No. 1", "U.S. ", " the ",
                                                                  "Inc. ", " :) ", "... ", "Q. ", "quality.You "])
text_with_stops = st.lists(pieces, max_size=40).map("".join)


@given(text_with_stops, st.sampled_from(["vi", "en"]))
def test_splitting_loses_and_changes_no_character(text, lang):
    sentences = split_sentences(text, lang)
    assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", text)
    assert all(s == s.strip() and s for s in sentences)
