"""The project's return template (biểu mẫu báo cáo): its layout, shared by the module that writes it for one
plan, agency, year and period (:mod:`.template_build`) and the one that reads it back exactly
(:mod:`.template_read`).

Sheet "BaoCao" holds a header block and one row per chỉ tiêu × part × level × area; indicator codes
and wording are locked, level and area are dropdowns, numbers have formats and validation. A hidden
sheet "_meta" says which plan, agency, year and period the workbook belongs to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..areas import display_name, units_for, world_date
from ..catalogue import Catalogue
from ..vocabulary import LEVELS
from .columns import Column, letters, positions
from .model import province_area_code

MARKER = "bdg_template"
VERSION = 1
SHEET = "BaoCao"
LISTS = "DanhMuc"
FIRST_ROW = 14
HEADER_CELLS = {"report_date": "C9", "contact": "C10", "phone": "C11"}
HEADER_VALUE_SPAN = 5  # the header's answers (C4:C11) are merged across C:E
COLUMNS = (
    Column("number", "STT", 6),
    Column("objective", "Mục tiêu", 14),
    Column("indicator", "Chỉ tiêu", 8),
    Column("part", "Phần", 6),
    Column("code", "Mã chỉ tiêu", 30),
    Column("text", "Nội dung chỉ tiêu", 60),
    Column("unit", "Đơn vị", 12),
    Column("level", "Cấp", 12, officer_fills=True),
    Column("area", "Địa bàn", 18, officer_fills=True),
    Column("numerator", "Tử số", 12, officer_fills=True, number_format="#,##0"),
    Column("denominator", "Mẫu số", 12, officer_fills=True, number_format="#,##0"),
    Column("value", "Giá trị", 12, officer_fills=True, number_format="#,##0.00"),
    Column("note", "Ghi chú", 30, officer_fills=True),
)
POSITION = positions(COLUMNS)
LETTER = letters(COLUMNS)


def cell_name(key: str, row: int) -> str:
    """Where column ``key`` of ``row`` is, as Excel names it ("J14")."""
    return f"{LETTER[key]}{row}"


class TemplateError(ValueError):
    """Asked for a template that cannot exist (message for officers)."""


def template_levels(units: pd.DataFrame) -> list[str]:
    """The levels a template's province rows carry: no “Cấp huyện” once districts no longer exist (from
    1 July 2025), as the area dataset's validity says."""
    return [level for level in LEVELS if level != "huyen" or (units.level == "huyen").any()]


def template_units(catalogue: Catalogue, province: str, year: int, period: str) -> pd.DataFrame:
    """The province (its pre-2025 territory) and the units inside it valid for the return's period,
    with the names the dropdown shows."""
    day = world_date(year, period)
    key = ("template_units", province, day)
    if key in catalogue.cache:
        return catalogue.cache[key]
    code = province_area_code(catalogue, province)
    if code is None:
        raise TemplateError(f"Tỉnh “{province}” không có trong danh mục đơn vị hành chính")
    territory = _territory(catalogue, code)
    # two periods with the same units valid share one frame: ten years after the 2025 reform are worked out once
    same = ("template_units", code, territory.valid_on(day))
    if same not in catalogue.cache:
        units = units_for(territory.areas, code, day).copy()
        parents = catalogue.area_names
        units["display"] = [
            name if level != "xa" else display_name(name, parents.get(parent))
            for name, level, parent in zip(units.area_name, units.level, units.parent_code, strict=True)
        ]
        catalogue.cache[same] = units.reset_index(drop=True)
    catalogue.cache[key] = catalogue.cache[same]
    return catalogue.cache[key]


@dataclass(frozen=True)
class Territory:
    """The areas a territory's units are chosen from (itself, and what lies inside it in either world), in the
    dataset's order, with their dates read once."""

    areas: pd.DataFrame
    starts: pd.Series
    ends: pd.Series

    def valid_on(self, day: dt.date) -> bytes:
        """Which of the areas are valid on ``day``, one byte each: :func:`areas.valid_on`'s test."""
        moment = pd.Timestamp(day)
        valid = (self.starts.isna() | (self.starts <= moment)) & (self.ends.isna() | (self.ends >= moment))
        return valid.to_numpy().tobytes()


def _territory(catalogue: Catalogue, code: str) -> Territory:
    """Found once per catalogue: each period's units are then picked from a few hundred rows, not the country's."""
    key = ("territory", code)
    if key not in catalogue.cache:
        areas = catalogue.areas
        inside = areas[(areas.territory_code == code) | (areas.province_code == code) | (areas.area_code == code)]
        catalogue.cache[key] = Territory(
            inside,
            pd.to_datetime(inside.valid_from),
            pd.to_datetime(inside.valid_to),
        )
    return catalogue.cache[key]
