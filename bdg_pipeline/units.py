"""From a measure as printed to a value in the indicator's own unit.

Values are stored as printed: 50,59 % → 50.59; 108,5/100 → 108.5 (per 100); 17,1/100.000 → 17.1
(per 100.000); 1,5 lần → 1.5. When a numerator and a denominator are given too, they are kept beside the
printed value (48/93 (51,61%) → 51.61); a printed value that differs from theirs by more than one unit of
its last printed digit is flagged, with a warning saying both numbers. Without a printed value the counts
give the value.

Two readings share this arithmetic: :func:`read_measure` for a measure printed in a free-text cell (an
appendix), :func:`read_figures` for the typed number cells of the template (Tử số, Mẫu số, Giá trị), with
no text in between. The ranges and the share rule come from :mod:`.rules`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real

from .numbers import Measure, NumberFormatError, normalize_text
from .rules import SHARE_UNITS, value_range
from .vocabulary import UNIT_TABLE, UNITS

# Multiplier from numerator/denominator to the unit.
SCALE = {code: unit.scale for code, unit in UNIT_TABLE.items() if unit.scale is not None}
YES = {"có", "đạt", "x", "yes", "1", "rồi", "đã thực hiện"}
NO = {"không", "chưa", "chưa đạt", "no", "0"}


@dataclass(frozen=True)
class Reading:
    numerator: int | None
    denominator: int | None
    value: float | None
    printed_value: float | None
    flag: str | None = None


def _whole(number: Decimal, what: str) -> int:
    if number != number.to_integral_value():
        raise NumberFormatError(
            f"{what} phải là số nguyên (đếm được), đọc được {number}",
            f"Ghi {what} là số người/đơn vị đếm được, không có phần thập phân.",
            "numerator" if what == "tử số" else "denominator",
        )
    return int(number)


VIETNAMESE_MARKS = str.maketrans({",": ".", ".": ","})  # thousands dot, decimal comma


def format_vn(value: float, decimals: int = 2) -> str:
    """50.59 → "50,59"; 17174 → "17.174" (for messages officers read)."""
    text = f"{value:,.{decimals}f}".translate(VIETNAMESE_MARKS)
    return text.rstrip("0").rstrip(",") if "," in text else text


COUNT_PERIODS = {"count_per_month": "tháng", "count_per_quarter": "quý"}
# “Số chuyên mục tuyên truyền về …”, “Số tin, bài về … mỗi quý”: the thing counted is named after “Số”
_COUNTED = re.compile(r"^Số\s+(.+?)\s+(?:về|tuyên truyền|mỗi|trên|của)\b")


def as_typed(printed_text: str | None, numerator: Real | None, denominator: Real | None, printed: Real | None) -> str:
    """What a value was read from, as the officer sees it: the text written, else the numbers typed into the
    template's cells (“7.600 / 10.000 / 74”)."""
    if printed_text is not None:
        return printed_text
    typed = [float(x) for x in (numerator, denominator, printed) if isinstance(x, Real)]  # not None nor NA
    return " / ".join(format_vn(x, 6) for x in typed if not math.isnan(x))


def counted_thing(indicator_name: str | None) -> str:
    """What a count chỉ tiêu counts, from its name (“tin bài”, “chuyên mục”); "" when the name does not say."""
    match = _COUNTED.match(normalize_text(indicator_name or ""))
    return match.group(1).replace(",", "").strip() if match else ""


def unit_words(unit: str, indicator_name: str | None = None) -> str:
    """The unit as an officer reads it after a number: “%”, “/100”, “lần”, “tin bài/quý”."""
    if unit in COUNT_PERIODS:
        thing = counted_thing(indicator_name)
        return f"{thing}/{COUNT_PERIODS[unit]}" if thing else UNITS[unit]
    return UNITS[unit]


def read_measure(measure: Measure, unit: str) -> Reading:
    """Interpret a measure as printed in ``unit``; raise :class:`NumberFormatError` when they do not fit, or
    when the value is outside what the unit can plausibly hold (never stored silently: “108.500” for a sex
    ratio at birth read as 108500 is refused with the likely meaning 108,5). Messages begin with the text."""
    try:
        return within_range(_interpret(measure, unit), unit)
    except NumberFormatError as exc:
        raise NumberFormatError(f"“{measure.raw}”: {exc}", exc.fix, exc.concerns) from None


def read_figures(
    numerator: Decimal | None, denominator: Decimal | None, value: Decimal | None, unit: str, word: str | None = None
) -> Reading:
    """Interpret the typed cells of one form row (Tử số, Mẫu số, Giá trị) in ``unit``: the same arithmetic as
    :func:`read_measure` without reading text. ``word`` is text the officer wrote in the Giá trị cell of a
    yes/no part (“Có”). Raise :class:`NumberFormatError` (message without the cell's text) when they do
    not fit; numerator and denominator come both or neither."""
    decimals = _decimals(value)
    if unit == "yes_no":
        reading = _yes_no(word) if word is not None else _yes_no_number(value)
    elif unit.startswith("count_per_"):
        reading = _count(value if value is not None else numerator)
    elif unit == "times":
        reading = _times(numerator, denominator, value)
    else:
        reading = _rate(numerator, denominator, value, decimals, unit)
    return within_range(reading, unit)


def within_range(reading: Reading, unit: str) -> Reading:
    """``reading`` when its value is one the unit can plausibly hold (see ``Unit.valid_range``)."""
    low, high = value_range(unit)
    if reading.value is None or low <= reading.value <= high:
        return reading
    symbol = "" if unit.startswith("count_per_") else UNITS[unit]
    shown = f"{format_vn(reading.value)}{symbol}"
    fix = "Kiểm tra lại số liệu và đơn vị của ô này."
    if reading.value >= 1000 and low <= reading.value / 1000 <= high:
        fix = (
            f"Nếu là {format_vn(reading.value / 1000)}{symbol}, ghi dấu phẩy thập phân: "
            f"{format_vn(reading.value / 1000)} (dấu chấm là dấu phân cách hàng nghìn)."
        )
    raise NumberFormatError(
        f"giá trị {shown} nằm ngoài khoảng hợp lý của chỉ tiêu ({format_vn(low)}–{format_vn(high)}{symbol})",
        fix,
        "numerator" if reading.numerator is not None else "value",
    )


def _interpret(measure: Measure, unit: str) -> Reading:
    """The text-only part of reading a printed measure: which of its printed numbers is the value."""
    if unit == "yes_no":
        return _yes_no(measure.raw)
    if unit.startswith("count_per_"):
        if measure.percent is not None:
            raise NumberFormatError("chỉ tiêu tính bằng số lượng", "Ghi một số ở cột Giá trị, ví dụ 4.")
        return _count(measure.number if measure.number is not None else measure.numerator)
    if measure.times is not None and unit != "times":
        raise NumberFormatError(
            f"đơn vị “lần” không hợp với chỉ tiêu tính theo {UNITS.get(unit, unit)}",
            f"Ghi giá trị theo đơn vị của chỉ tiêu ({UNITS.get(unit, unit)}).",
        )
    if unit == "times":
        printed = measure.times if measure.times is not None else measure.number
        return _times(measure.numerator, measure.denominator, printed)
    if unit != "percent" and measure.percent is not None:
        raise NumberFormatError(
            f"chỉ tiêu tính theo tỷ suất {UNITS.get(unit, unit)}, không tính bằng %",
            f"Ghi giá trị theo {UNITS.get(unit, unit)}, ví dụ 108,5 cho 108,5/100.",
        )
    if measure.numerator is not None:
        stated = measure.percent if unit == "percent" else measure.number
    else:
        stated = measure.percent if measure.percent is not None else measure.number
    return _rate(measure.numerator, measure.denominator, stated, measure.value_decimals, unit)


def _yes_no(word: str) -> Reading:
    said = normalize_text(word).casefold()
    if said in YES:
        return Reading(None, None, 1.0, 1.0)
    if said in NO:
        return Reading(None, None, 0.0, 0.0)
    raise NumberFormatError("chỉ tiêu có/không", "Ghi “Có” hoặc “Không”.")


def _yes_no_number(value: Decimal | None) -> Reading:
    if value is not None and value in (0, 1):
        return Reading(None, None, float(value), float(value))
    raise NumberFormatError("chỉ tiêu có/không", "Ghi “Có” hoặc “Không”.")


def _count(number: Decimal | None) -> Reading:
    if number is None:
        raise NumberFormatError("chỉ tiêu tính bằng số lượng", "Ghi một số ở cột Giá trị, ví dụ 4.")
    return Reading(None, None, float(number), float(number))


def _times(numerator: Decimal | None, denominator: Decimal | None, printed: Decimal | None) -> Reading:
    if numerator is not None and denominator:
        return Reading(None, None, float(numerator / denominator), float(printed) if printed is not None else None)
    if printed is None:
        raise NumberFormatError("chỉ tiêu tính bằng “lần”", "Ghi số lần, ví dụ 1,5.")
    return Reading(None, None, float(printed), float(printed))


def _rate(
    numerator: Decimal | None, denominator: Decimal | None, stated: Decimal | None, decimals: int, unit: str
) -> Reading:
    """A share or a rate: from the counts when given (the stated value checked against them), else as stated."""
    if numerator is None:
        if stated is None:
            raise NumberFormatError("không có giá trị", "Ghi giá trị, hoặc để trống cả dòng nếu chưa có số liệu.")
        if unit == "percent" and stated > 100:
            raise NumberFormatError("tỷ lệ phần trăm vượt quá 100%", "Ghi tỷ lệ từ 0 đến 100, ví dụ 51,61 cho 51,61%.")
        return Reading(None, None, float(stated), float(stated))
    scale = SCALE[unit]
    if unit != "percent" and denominator == scale:
        # "108,5/100", "17,1/100.000": the rate itself, not a count over a count.
        return Reading(None, None, float(numerator), float(numerator))
    if denominator is None:
        raise NumberFormatError("có tử số mà thiếu mẫu số", "Ghi đủ cả tử số và mẫu số.", "denominator")
    counted = _whole(numerator, "tử số")
    total = _whole(denominator, "mẫu số")
    if total == 0:
        raise NumberFormatError(
            "mẫu số bằng 0",
            "Mẫu số là tổng số (ví dụ tổng số cơ quan); nếu chưa có số liệu, để trống cả tử số và mẫu số.",
            "denominator",
        )
    if unit in SHARE_UNITS and counted > total:
        raise NumberFormatError(
            f"tử số ({counted}) lớn hơn mẫu số ({total})",
            "Tử số là phần (ví dụ số cơ quan có lãnh đạo nữ), mẫu số là tổng; kiểm tra "
            "xem hai số có bị ghi đảo chỗ không.",
            "numerator",
        )
    value = counted / total * scale
    if stated is None:
        return Reading(counted, total, value, None)
    printed = float(stated)
    flag = None
    if abs(printed - value) > 10 ** (-decimals) + 1e-9:
        what, symbol = ("Tỷ lệ", "%") if unit == "percent" else ("Giá trị", UNITS[unit])
        counts = f"{format_vn(counted, 0)}/{format_vn(total, 0)}"
        flag = (
            f"{what} in sẵn {format_vn(printed)}{symbol} khác {what.lower()} tính từ {counts} "
            f"= {format_vn(value)}{symbol}"
        )
    return Reading(counted, total, printed, printed, flag)


def _decimals(value: Decimal | None) -> int:
    """How many decimals a typed number carries (51,61 → 2): how close a stated share must be to its counts."""
    if value is None:
        return 0
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
