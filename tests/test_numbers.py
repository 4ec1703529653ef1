"""The number parser, by example (cells of the seed appendix) and by property (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bdg_pipeline.numbers import NumberFormatError, parse_measure, parse_number, parse_result_cell, printed_decimals
from bdg_pipeline.units import read_measure


@pytest.mark.parametrize(
    "text, expected",
    [
        ("17.174", Decimal("17174")),
        ("8.688", Decimal("8688")),
        ("1.753", Decimal("1753")),
        ("50,59", Decimal("50.59")),
        ("1,5", Decimal("1.5")),
        ("1.5", Decimal("1.5")),
        ("05", Decimal("5")),
        ("100.000", Decimal("100000")),
        ("1.234.567,8", Decimal("1234567.8")),
        ("0.25", Decimal("0.25")),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["năm mươi", "1,234,567", "1.23.4", "", "12a", "1,234.5", "0,5.25"])
def test_parse_number_rejects(text):
    with pytest.raises(NumberFormatError):
        parse_number(text)


def vn_grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(st.integers(min_value=0, max_value=10**12))
def test_grouped_integers_round_trip(n):
    assert parse_number(vn_grouped(n)) == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_decimal_comma_round_trip(whole, cents):
    text = f"{vn_grouped(whole)},{cents:02d}"
    assert parse_number(text) == Decimal(whole) + Decimal(cents) / 100
    assert printed_decimals(text) == 2


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_fraction_cells_round_trip(num, den):
    share = f"{num / den * 100:.2f}".replace(".", ",")
    measure = parse_measure(f"{vn_grouped(num)}/{vn_grouped(den)} ({share}%)")
    assert (measure.numerator, measure.denominator) == (num, den)
    assert measure.percent == Decimal(share.replace(",", "."))
    if num <= den:
        reading = read_measure(measure, "percent")
        assert reading.numerator == num and reading.denominator == den
        assert reading.flag is None  # a share printed from the fraction is never flagged


@given(
    st.lists(st.sampled_from(["Cấp tỉnh", "Cấp huyện", "Cấp xã"]), min_size=1, max_size=3, unique=True),
    st.sampled_from(["\n", " / ", "\n\n"]),
)
def test_labelled_levels_split(labels, separator):
    cell = separator.join(
        f"{label}: {i + 1}/{i + 10} ({(i + 1) / (i + 10) * 100:.1f}%)".replace(".", ",")
        for i, label in enumerate(labels)
    )
    measures = parse_result_cell(cell)
    assert [m.label for m in measures] == labels
    assert [int(m.numerator) for m in measures] == list(range(1, len(labels) + 1))


SEED_CELLS = [
    # (cell as printed in seed 002's PHỤ LỤC, unit, [(label, numerator, denominator, value, printed)]): the value
    # is the printed one, the counts kept beside it (48/268 ≠ 16,78 % is flagged, still stored as printed)
    (
        "Cấp tỉnh: 05/50 (10%) / Cấp huyện: 48/268 (16,78%) / Cấp xã: 226/828 (27,3%)",
        "percent",
        [("Cấp tỉnh", 5, 50, 10.0, 10.0), ("Cấp huyện", 48, 268, 16.78, 16.78), ("Cấp xã", 226, 828, 27.3, 27.3)],
    ),
    ("8.688/17.174 (50,59%)", "percent", [(None, 8688, 17174, 50.59, 50.59)]),
    ("48/93 đạt 51,61%", "percent", [(None, 48, 93, 51.61, 51.61)]),
    ("02/06 (33,33%)", "percent", [(None, 2, 6, 33.33, 33.33)]),
    ("82/86(95%)", "percent", [(None, 82, 86, 95.0, 95.0)]),
    ("(16,8%)", "percent", [(None, None, None, 16.8, 16.8)]),
    ("100%", "percent", [(None, None, None, 100.0, 100.0)]),
    ("Tiến sỹ: 0%", "percent", [("Tiến sỹ", None, None, 0.0, 0.0)]),
    ("108,5/100 ", "per_100", [(None, None, None, 108.5, 108.5)]),
    ("17,1/100.000 ", "per_100000", [(None, None, None, 17.1, 17.1)]),
    (" (2,5/100)", "per_100", [(None, None, None, 2.5, 2.5)]),
    ("1.5 lần ", "times", [(None, None, None, 1.5, 1.5)]),
    ("1,5 lần", "times", [(None, None, None, 1.5, 1.5)]),
    ("Thạc sỹ: 17/40 (42,5%)", "percent", [("Thạc sỹ", 17, 40, 42.5, 42.5)]),
    ("Số nạn nhân: 87/109 (80%)", "percent", [("Số nạn nhân", 87, 109, 80.0, 80.0)]),
    (
        "Cơ quan Nhà nước (Sở, ban, ngành và các đơn vị trực thuộc và tương đương): 48/136 (35,29%)",
        "percent",
        [("Cơ quan Nhà nước (Sở, ban, ngành và các đơn vị trực thuộc và tương đương)", 48, 136, 35.29, 35.29)],
    ),
]


@pytest.mark.parametrize("cell, unit, expected", SEED_CELLS)
def test_seed_cells(cell, unit, expected):
    measures = parse_result_cell(cell)
    got = []
    for m in measures:
        r = read_measure(m, unit)
        got.append((m.label, r.numerator, r.denominator, pytest.approx(r.value), r.printed_value))
    assert got == [(label, n, d, pytest.approx(v), p) for label, n, d, v, p in expected]


def test_inconsistent_share_is_flagged_with_both_numbers():
    # The one inconsistent cell of the seed appendix: 48/268 is 17,91%, printed 16,78%.
    reading = read_measure(parse_measure("48/268 (16,78%)"), "percent")
    assert reading.flag == "Tỷ lệ in sẵn 16,78% khác tỷ lệ tính từ 48/268 = 17,91%"
    # within one unit of the last printed digit: not flagged (87/109 = 79,82% printed 80%)
    assert read_measure(parse_measure("87/109 (80%)"), "percent").flag is None


@pytest.mark.parametrize(
    "cell, unit, message",
    [
        ("-5/10 (50%)", "percent", "âm"),
        ("12/10", "percent", "lớn hơn mẫu số"),
        ("5/0", "percent", "mẫu số bằng 0"),
        ("năm mươi", "percent", "không tìm thấy số liệu"),
        ("1,5 lần", "percent", "lần"),
        ("17,5%", "per_100000", "không tính bằng %"),
        ("150%", "percent", "vượt quá 100%"),
        ("4,5/10", "percent", "số nguyên"),
    ],
)
def test_bad_measures(cell, unit, message):
    with pytest.raises(NumberFormatError, match=message):
        read_measure(parse_measure(cell), unit)
