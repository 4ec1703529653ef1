"""The plan reader's rules on sentences written for the purpose (the seed plans are measured in
test_plan_draft.py): numbering styles, units, directions, years, what it flags and what it leaves alone."""

from __future__ import annotations

import pytest

from bdg_pipeline.plans.reader.paragraphs import paragraphs
from bdg_pipeline.plans.reader.parts import PartReader
from bdg_pipeline.plans.reader.structure import objectives


def targets(text: str, start: int = 2021, end: int = 2030):
    return [
        (p.unit, sorted((y, v, d) for y, (v, d) in p.targets.items()), p.flags)
        for p in PartReader(start, end).read(text)
    ]


@pytest.mark.parametrize(
    "text, unit, expected",
    [
        (
            "Tỷ lệ nữ đạt 60% vào năm 2025 và khoảng 70% vào năm 2030.",
            "percent",
            [(2025, 60, "at_least"), (2030, 70, "about")],
        ),
        ("Đến năm 2025 đạt 40% và đến 2030 đạt trên 50%.", "percent", [(2025, 40, "at_least"), (2030, 50, "above")]),
        (
            "Tỷ số giới tính khi sinh không vượt quá 110 trẻ trai/100 trẻ gái.",
            "per_100",
            [(2025, 110, "at_most"), (2030, 110, "at_most")],
        ),
        ("Tỷ lệ tử vong bà mẹ xuống <40/100.000 trẻ đẻ sống vào năm 2030.", "per_100000", [(2030, 40, "below")]),
        ("Tỷ suất sinh vị thành niên còn 18/1.000 vào năm 2025.", "per_1000", [(2025, 18, "at_most")]),
        ("Thời gian làm việc nhà của nữ gấp nam giảm còn 1,5 lần vào năm 2030.", "times", [(2030, 1.5, "at_most")]),
        (
            "Mỗi quý có ít nhất 03 tin, bài trên hệ thống thông tin cơ sở vào năm 2025.",
            "count_per_quarter",
            [(2025, 3, "at_least")],
        ),
        (
            "Từ năm 2025 trở đi 100% cơ quan được phổ biến thông tin về bình đẳng giới.",
            "percent",
            [(2025, 100, "at_least"), (2030, 100, "at_least")],
        ),
        (
            "Hằng năm có từ 45% trở lên cán bộ nữ được đào tạo.",
            "percent",
            [(y, 45, "at_least") for y in range(2021, 2031)],
        ),
        (
            "Duy trì 100% xã có chuyên mục về bình đẳng giới.",
            "percent",
            [(2025, 100, "maintain"), (2030, 100, "maintain")],
        ),
    ],
)
def test_values_units_directions_years(text, unit, expected):
    found = targets(text)
    assert len(found) == 1 and found[0][0] == unit and found[0][1] == expected and found[0][2] == []


def test_parts_and_baselines():
    assert [p[1] for p in targets("Tỷ lệ nữ thạc sỹ đạt 40%, nữ tiến sỹ đạt 20% vào năm 2030.")] == [
        [(2030, 40, "at_least")],
        [(2030, 20, "at_least")],
    ]
    parts = PartReader(2021, 2030).read("Tỷ suất sinh giảm từ 23 ca sinh/1.000 phụ nữ xuống 18/1.000 vào năm 2025.")
    assert len(parts) == 1 and parts[0].baseline == (None, 23) and parts[0].targets == {2025: (18, "at_most")}
    bodies = targets("Đến năm 2025, Đài Phát thanh và Truyền hình tỉnh, Báo tỉnh và 90% đài huyện có chuyên mục.")
    assert [(u, t) for u, t, _f in bodies] == [
        ("yes_no", [(2025, 1, "at_least")]),
        ("yes_no", [(2025, 1, "at_least")]),
        ("percent", [(2025, 90, "at_least")]),
    ]
    condition = targets("Đạt 30% cơ quan có lãnh đạo chủ chốt là nữ nếu cơ quan có tỷ lệ 30% trở lên nữ.")
    assert len(condition) == 1 and "điều kiện" in condition[0][2][0]


@pytest.mark.parametrize(
    "text, flag",
    [
        ("Tỷ lệ nữ đạt 60% vào năm 2052.", "Năm 2052 nằm ngoài kỳ kế hoạch 2021–2030"),
        ("Tỷ lệ nữ đại biểu nhiệm kỳ 2021 - 2026 đạt 35%.", "“nhiệm kỳ 2021 - 2026” (nhiệm kỳ) thay cho năm"),
        ("Tỷ lệ nữ đạt 45 trong tổng số người được tạo việc làm mới.", "Số “45” không rõ đơn vị"),
        ("Tỷ số giới tính khi sinh ở mức 111 bé trai/100 bé gái vào năm 2025.", "“ở mức”"),
        ("Đến năm 2025, giảm 60% sản phẩm mang định kiến giới.", "“giảm 60%”"),
    ],
)
def test_what_is_flagged(text, flag):
    found = targets(text)
    assert any(flag in f for _u, _t, flags in found for f in flags), found


NUMBERING = """II. MỤC TIÊU
1. Mục tiêu 1: Chính trị
- Chỉ tiêu 1: Đạt 50% vào năm 2025.
Nhóm các giải pháp để thực hiện Mục tiêu 1:
- Rà soát quy hoạch cán bộ nữ đạt 90% vào năm 2025.
b) Mục tiêu 2: Trong lĩnh vực kinh tế:
Chỉ tiêu: Đạt 30% vào năm 2025.
2.3 . Mục tiêu 3: Trong lĩnh vực y tế
Bảo đảm bình đẳng giới trong y tế
- Chỉ tiêu 1: Tỷ lệ phá thai xuống 2/100 trẻ đẻ sống vào năm
2025 và dưới 1,5/100 vào năm 2030.
- Chỉ tiêu 2. Có ít nhất một cơ sở y tế.
III. GIẢI PHÁP
a) Mục tiêu 4: không phải chỉ tiêu của kế hoạch
- Chỉ tiêu 1: Đạt 10%.
"""


def test_numbering_styles_and_wrapped_lines():
    found = objectives(paragraphs(NUMBERING))
    assert [(o.number, [(i.number, i.text[:12]) for i in o.indicators]) for o in found] == [
        (1, [(1, "Đạt 50% vào ")]),
        (2, [(1, "Đạt 30% vào ")]),
        (3, [(1, "Tỷ lệ phá th"), (2, "Có ít nhất m")]),
    ]
    assert found[2].statement == "Bảo đảm bình đẳng giới trong y tế"
    assert found[2].indicators[0].text.endswith("dưới 1,5/100 vào năm 2030.")
