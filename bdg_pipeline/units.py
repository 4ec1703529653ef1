"""From a measure as printed to a value in the indicator's own unit.

Values are stored as printed: 50,59 % → 50.59; 108,5/100 → 108.5 (per 100); 17,1/100.000 → 17.1
(per 100.000); 1,5 lần → 1.5. When a numerator and a denominator are given, the value is recomputed
from them and the printed value kept beside it; a printed value that differs from the recomputed one
by more than one unit of its last printed digit is flagged (kept, with a warning saying both numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .numbers import Measure, NumberFormatError, normalize_text
from .vocabulary import UNITS

# Multiplier from numerator/denominator to the unit.
SCALE = {"percent": 100, "per_100": 100, "per_1000": 1000, "per_100000": 100000, "times": 1}
YES = {"có", "đạt", "x", "yes", "1", "rồi", "đã thực hiện"}
NO = {"không", "chưa", "chưa đạt", "no", "0"}


@dataclass(frozen=True)
class Reading:
    numerator: int | None
    denominator: int | None
    value: float | None
    printed_value: float | None
    flag: str | None = None


def _whole(number: Decimal, what: str, raw: str) -> int:
    if number != number.to_integral_value():
        raise NumberFormatError(f"“{raw}”: {what} phải là số nguyên (đếm được), đọc được {number}")
    return int(number)


def format_vn(value: float, decimals: int = 2) -> str:
    """50.59 → "50,59"; 17174 → "17.174" (for messages officers read)."""
    text = f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return text.rstrip("0").rstrip(",") if "," in text else text


def read_measure(measure: Measure, unit: str) -> Reading:
    """Interpret a measure in ``unit``; raise :class:`NumberFormatError` when they do not fit."""
    raw = measure.raw
    if unit == "yes_no":
        word = normalize_text(raw).casefold()
        if word in YES:
            return Reading(None, None, 1.0, 1.0)
        if word in NO:
            return Reading(None, None, 0.0, 0.0)
        raise NumberFormatError(f"“{raw}”: chỉ tiêu có/không — ghi “Có” hoặc “Không”")
    if unit.startswith("count_per_"):
        number = measure.number if measure.number is not None else measure.numerator
        if number is None or measure.percent is not None:
            raise NumberFormatError(f"“{raw}”: chỉ tiêu tính bằng số lượng — ghi một số, ví dụ 4")
        return Reading(None, None, float(number), float(number))
    if measure.times is not None and unit != "times":
        raise NumberFormatError(f"“{raw}”: đơn vị “lần” không hợp với chỉ tiêu tính theo {unit}")
    if unit == "times":
        printed = measure.times if measure.times is not None else measure.number
        if measure.numerator is not None and measure.denominator:
            value = measure.numerator / measure.denominator
            return Reading(None, None, float(value), float(printed) if printed is not None else None)
        if printed is None:
            raise NumberFormatError(f"“{raw}”: chỉ tiêu tính bằng “lần” — ghi ví dụ 1,5 lần")
        return Reading(None, None, float(printed), float(printed))
    scale = SCALE[unit]
    if unit != "percent" and measure.percent is not None:
        raise NumberFormatError(f"“{raw}”: chỉ tiêu tính theo tỷ suất {unit}, không ghi bằng %")
    if measure.numerator is not None:
        if unit != "percent" and measure.denominator == scale:
            # "108,5/100", "17,1/100.000": the rate itself, not a count over a count.
            return Reading(None, None, float(measure.numerator), float(measure.numerator))
        numerator = _whole(measure.numerator, "tử số", raw)
        denominator = _whole(measure.denominator, "mẫu số", raw)
        if denominator == 0:
            raise NumberFormatError(f"“{raw}”: mẫu số bằng 0")
        if unit == "percent" and numerator > denominator:
            raise NumberFormatError(f"“{raw}”: tử số ({numerator}) lớn hơn mẫu số ({denominator})")
        value = numerator / denominator * scale
        printed_raw = measure.percent if unit == "percent" else measure.number
        printed = float(printed_raw) if printed_raw is not None else None
        flag = None
        if printed is not None and abs(printed - value) > 10 ** (-measure.value_decimals) + 1e-9:
            what, symbol = ("Tỷ lệ", "%") if unit == "percent" else ("Giá trị", UNITS[unit])
            flag = (f"{what} in sẵn {format_vn(printed)}{symbol} khác {what.lower()} tính từ {numerator}/{denominator} "
                    f"= {format_vn(value)}{symbol}")
        return Reading(numerator, denominator, value, printed, flag)
    printed = measure.percent if measure.percent is not None else measure.number
    if printed is None:
        raise NumberFormatError(f"“{raw}”: không có giá trị")
    if unit == "percent" and printed > 100:
        raise NumberFormatError(f"“{raw}”: tỷ lệ phần trăm vượt quá 100%")
    return Reading(None, None, float(printed), float(printed))
