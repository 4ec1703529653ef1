"""Excel's own check of the template's Giá trị cells, chỉ tiêu part by part: what the instructions ask an
officer to write there is exactly what Excel lets through (the reader still checks every cell)."""

from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation

from ..rules import value_range
from ..units import format_vn
from ..vocabulary import UNITS

WITHDRAW_WORDS = ("Xóa", "Xoá", "Xoa")  # Excel compares text without case
YES_NO_WORDS = ("Có", "Không", "Xóa")


def value_validation(unit: str, first: str) -> DataValidation:
    """Excel's check of the Giá trị cells of one chỉ tiêu part, by its unit: “Có”/“Không” from a list for a
    yes/no part; otherwise a number in the unit's range (a percent also as text “45%”); “Xóa” everywhere, to
    withdraw a value sent earlier. ``first`` is the range's first cell (relative: Excel moves it down)."""
    if unit == "yes_no":
        return DataValidation(
            type="list",
            formula1='"' + ",".join(YES_NO_WORDS) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Giá trị không hợp lệ",
            error="Chọn “Có” hoặc “Không” (hoặc “Xóa” để rút lại số liệu đã gửi)",
        )
    low, high = value_range(unit)
    number = f"AND(ISNUMBER({first}),{first}>={low},{first}<={high})"
    if unit.startswith("count_per_"):
        number = f"AND(ISNUMBER({first}),{first}>={low},{first}<={high},INT({first})={first})"
    words = [f'{first}="{w}"' for w in WITHDRAW_WORDS]
    if unit == "percent":
        words.append(f'RIGHT(TRIM({first}),1)="%"')  # “45%” kept as text: the reader checks the number
    shown = f"{format_vn(low)}–{format_vn(high)}{'' if unit.startswith('count_per_') else UNITS[unit]}"
    return DataValidation(
        type="custom",
        formula1=f"OR({number},{','.join(words)})",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Giá trị không hợp lệ",
        error=f"Nhập số từ {shown}, hoặc “Xóa” để rút lại số liệu đã gửi",
    )
