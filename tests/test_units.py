"""One reading of a number in its unit: the template's typed cells (units.read_figures) and a printed measure
(units.read_measure) give the same value, counts, flag and refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bdg_pipeline.numbers import Measure, NumberFormatError, parse_measure
from bdg_pipeline.units import read_figures, read_measure

D = Decimal


@pytest.mark.parametrize(
    ("unit", "numerator", "denominator", "value", "printed"),
    [
        ("percent", D(48), D(93), D("51.61"), "48/93 (51,61%)"),
        ("percent", D(48), D(93), D("55.2"), "48/93 (55,2%)"),  # differs from the counts: flagged
        ("percent", D(48), D(93), None, "48/93"),
        ("percent", None, None, D("51.61"), "51,61%"),
        ("per_100", None, None, D("108.5"), "108,5/100"),
        ("per_100000", D(12), D(70000), None, "12/70.000"),
        ("times", None, None, D("1.5"), "1,5 lần"),
        ("count_per_quarter", None, None, D(4), "4"),
    ],
)
def test_typed_cells_and_printed_text_read_alike(unit, numerator, denominator, value, printed):
    typed = read_figures(numerator, denominator, value, unit)
    assert typed == read_measure(parse_measure(printed), unit)
    assert typed.value is not None


@pytest.mark.parametrize(
    ("unit", "numerator", "denominator", "value", "message", "concerns"),
    [
        ("percent", D(60), D(50), None, "tử số (60) lớn hơn mẫu số (50)", "numerator"),
        ("percent", D(5), D(0), None, "mẫu số bằng 0", "denominator"),
        ("percent", D("4.5"), D(10), None, "tử số phải là số nguyên (đếm được), đọc được 4.5", "numerator"),
        ("percent", None, None, D(120), "tỷ lệ phần trăm vượt quá 100%", "value"),
        (
            "per_100",
            None,
            None,
            D(108500),
            "giá trị 108.500/100 nằm ngoài khoảng hợp lý của chỉ tiêu (0–200/100)",
            "value",
        ),
        ("yes_no", None, None, D(2), "chỉ tiêu có/không", "value"),
    ],
)
def test_typed_cells_are_refused_with_the_printed_measures_words(
    unit, numerator, denominator, value, message, concerns
):
    with pytest.raises(NumberFormatError) as typed:
        read_figures(numerator, denominator, value, unit)
    assert str(typed.value) == message and typed.value.concerns == concerns
    text = "/".join(str(n) for n in (numerator, denominator) if n is not None) or str(value)
    with pytest.raises(NumberFormatError) as printed:
        read_measure(Measure(raw=text, numerator=numerator, denominator=denominator, number=value), unit)
    assert str(printed.value) == f"“{text}”: {message}"  # the same words, after the text they were read from


def test_a_yes_no_part_reads_the_word_the_officer_wrote():
    assert read_figures(None, None, None, "yes_no", "Có").value == 1.0
    assert read_figures(None, None, D(0), "yes_no").value == 0.0
    with pytest.raises(NumberFormatError, match="chỉ tiêu có/không"):
        read_figures(None, None, None, "yes_no", "năm mươi")
