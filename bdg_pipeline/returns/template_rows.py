"""The common row of a filled template read in one pass: a known chỉ tiêu, a level and an area as the dropdowns
wrote them, and Tử số, Mẫu số, Giá trị typed as numbers (or “Có”/“Không” for a yes/no part).

Any row with anything unusual — text in a number cell, an unknown level or area, a negative or non-finite
number, “Xóa”, figures that do not fit the unit, a percent an .xls/.ods may have lost — is left to
:func:`.template_read.parse_template`'s reading of the row, which names the cell at fault. A row read here is the
one that reading gives when it finds no problem: the same steps in the same order, only without the checks a
number cell needs when it holds something else.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from ..areas import plain
from ..numbers import NumberFormatError
from ..units import read_figures
from ..vocabulary import LEVELS
from .model import ParsedRow, fold
from .template import POSITION, SHEET, cell_name

LEVEL_BY_LABEL = {fold(label): code for code, label in LEVELS.items()}
WITHDRAW_WORD = "xoa"  # “Xóa” in a value cell, folded: the earlier value is withdrawn
OBJECTIVE, INDICATOR, PART, LEVEL, AREA, NUMERATOR, DENOMINATOR, VALUE = (
    POSITION[key] for key in ("objective", "indicator", "part", "level", "area", "numerator", "denominator", "value")
)
WIDTH = max(OBJECTIVE, INDICATOR, PART, LEVEL, AREA, NUMERATOR, DENOMINATOR, VALUE) + 1


@dataclass(frozen=True)
class RowContext:
    plan_code: str
    agency_code: str
    year: int
    parts: dict[tuple[str, int, int, str], tuple[str, str]]
    by_display: dict[str, str]
    units: pd.DataFrame
    formats_unknown: bool = False  # .xls/.ods: a percent-formatted 51,61 % reads 0.5161


def typed_number(value: int | float) -> Decimal:
    """A finite, non-negative number typed into a cell, as the decimal it shows (5321.0 → 5321, 51.61 → 51.61)."""
    if isinstance(value, int) or value.is_integer():
        return Decimal(int(value))  # the common case, counts: no trip through str
    number = Decimal(str(value)).normalize()  # 5321.0 → 5321, so decimals count what was typed
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


def is_withdrawal_word(value: object) -> bool:
    """“Xóa” as officers write it: with or without diacritics (Xoá, XOA), any case, extra spaces."""
    return isinstance(value, str) and _withdraws(value)


@functools.lru_cache(maxsize=4096)
def _withdraws(text: str) -> bool:
    # cached: a yes/no chỉ tiêu's “Có” and “Không” come back on every row
    return plain(text) == WITHDRAW_WORD


def _is_number(value: Any) -> bool:
    """A number the cell's reading takes as it is: finite and not negative."""
    if type(value) is int:
        return value >= 0
    return type(value) is float and math.isfinite(value) and value >= 0


def clean_row(row: list[Any], r: int, context: RowContext) -> ParsedRow | None:
    """Row ``r`` read when nothing in it is unusual; None otherwise (for the reading that names the fault)."""
    if len(row) < WIDTH:
        return None
    try:
        objective, indicator, part = int(row[OBJECTIVE]), int(row[INDICATOR]), str(row[PART] or "")
    except (TypeError, ValueError):
        return None
    key = (context.plan_code, objective, indicator, part)
    found = context.parts.get(key)
    if found is None:
        return None
    unit = found[1]
    level = LEVEL_BY_LABEL.get(fold(row[LEVEL] or ""))
    area_code = context.by_display.get(fold(row[AREA] or ""))
    if level is None or area_code is None:
        return None
    numerator_cell, denominator_cell = row[NUMERATOR], row[DENOMINATOR]
    if numerator_cell == "" or numerator_cell is None:
        numerator = None
    elif _is_number(numerator_cell):
        numerator = typed_number(numerator_cell)
    else:
        return None
    if denominator_cell == "" or denominator_cell is None:
        denominator = None
    elif _is_number(denominator_cell):
        denominator = typed_number(denominator_cell)
    else:
        return None
    if (numerator is None) != (denominator is None):
        return None
    value_cell = row[VALUE]
    value = written = None
    if _is_number(value_cell):
        if context.formats_unknown and unit == "percent" and isinstance(value_cell, float) and 0 < value_cell < 1:
            return None
        value = typed_number(value_cell)
    elif isinstance(value_cell, str) and value_cell and unit == "yes_no" and not is_withdrawal_word(value_cell):
        written = value_cell  # “Có”, “Không”: the one text read as a value
    elif not (value_cell == "" or value_cell is None):
        return None
    try:
        reading = read_figures(numerator, denominator, value, unit, written)
    except NumberFormatError:
        return None
    source = "numerator" if numerator is not None else "value"
    return ParsedRow(
        *key, level, area_code, context.year, reading, context.agency_code, SHEET, cell_name(source, r), written
    )
