"""Small synthetic archives for the scale tests: document pairs built from sentence pairs written
for these tests, each document with its own numbers so that no two are alike."""

from __future__ import annotations

from pathlib import Path

SENTENCES = [
    ("Thư viện thành phố mở cửa lúc {a} giờ sáng.", "The city library opens at {a} in the morning."),
    ("Năm {y}, thư viện có {n} đầu sách mới.", "In {y}, the library had {n} new titles."),
    ("Chợ Bến Thành đông khách vào cuối tuần.", "Ben Thanh Market is busy at the weekend."),
    ("Giá gạo tăng {a} phần trăm trong tháng {m}.", "The price of rice rose {a} percent in month {m}."),
    ("Trời mưa to suốt buổi chiều.", "It rained heavily all afternoon."),
    ("Đà Nẵng đón {n} du khách trong dịp lễ.", "Da Nang welcomed {n} visitors over the holiday."),
    ("Các em học sinh trồng {a} cây xanh quanh trường.", "The pupils planted {a} trees around the school."),
    ("Cây cầu mới dài {n} mét.", "The new bridge is {n} metres long."),
    ("Bệnh viện Chợ Rẫy khám cho {n} bệnh nhân mỗi ngày.", "Cho Ray Hospital sees {n} patients a day."),
    ("Nông dân ở Cần Thơ thu hoạch lúa sớm.", "Farmers in Can Tho harvested their rice early."),
    ("Đội bóng Hà Nội thắng {a} - 1.", "The Hanoi team won {a} to 1."),
    ("Buổi hòa nhạc kéo dài {a} tiếng.", "The concert lasted {a} hours."),
]


def document(k: int, length: int = 8) -> tuple[list[str], list[str]]:
    """Document k: `length` sentence pairs starting at a k-dependent place, with k's numbers."""
    vi, en = [], []
    for i in range(length):
        v, e = SENTENCES[(k * 5 + i) % len(SENTENCES)]
        numbers = dict(a=2 + (k + i) % 9, y=1990 + k % 30, n=(k + 1) * 137 + i, m=1 + (k + i) % 12)
        vi.append(v.format(**numbers))
        en.append(e.format(**numbers))
    return vi, en


def write_archive(folder: Path, count: int, length: int = 8) -> Path:
    """`count` presegmented document pairs named differently on each side, and their pair list."""
    for side in ("vi", "en"):
        (folder / side).mkdir(parents=True, exist_ok=True)
    lines = []
    for k in range(count):
        vi, en = document(k, length)
        (folder / "vi" / f"bai-{k:03d}.txt").write_text("\n".join(vi) + "\n", encoding="utf-8")
        (folder / "en" / f"story-{k:03d}.txt").write_text("\n".join(en) + "\n", encoding="utf-8")
        lines.append(f"vi/bai-{k:03d}.txt\ten/story-{k:03d}.txt\tdoc-{k:03d}\n")
    (folder / "pairs.tsv").write_text("".join(lines), encoding="utf-8")
    return folder / "pairs.tsv"
