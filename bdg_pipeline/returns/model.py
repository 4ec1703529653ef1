"""What a parsed return looks like, whatever its layout, and the problems found in it."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import pyarrow

from ..catalogue import Catalogue
from ..numbers import normalize_text
from ..units import Reading


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a return, said for the officer who must fix it."""

    sheet: str
    cell: str
    message: str
    found: str = ""
    fix: str = ""
    about: str = ""  # the chỉ tiêu and area the cell reports, in words
    info: bool = False  # not a fault: what was read of a refused file, said back with its problems

    def __str__(self) -> str:
        where = place(self.sheet, self.cell)
        if self.about:
            where += f" ({self.about})"
        text = f"{where}: {self.message}"
        if self.found:
            text += f" (giá trị: “{self.found}”)"
        if self.fix:
            text += f" — {self.fix}"
        return text


def place(sheet: str, cell: str) -> str:
    """Where a value is in the file sent, as the officer finds it: “trang “BaoCao”, ô J14”, or for a
    table of a Word document “Bảng 1, dòng 7, cột 3”."""
    if cell.startswith("dòng"):
        return f"{sheet}, {cell}"
    return f"trang “{sheet}”, ô {cell}" if cell else f"trang “{sheet}”"


def part_number(objective_no: int, indicator_no: int, part: str) -> str:
    """A chỉ tiêu part as the plans and the template print it: “5.2a” (objective 5, chỉ tiêu 2, part a)."""
    return f"{objective_no}.{indicator_no}{part}"


@dataclass(frozen=True)
class Scope:
    """What a return reports on: a later return of the same scope replaces its values, or settles its refusal."""

    plan_code: str
    agency_code: str | None
    year: int
    period: str


class Refusal(list[Problem]):
    """Every problem of a refused return, with the scope it was read as being for (None: not that far)."""

    def __init__(self, problems: list[Problem], scope: Scope | None = None):
        super().__init__(problems)
        self.scope = scope


class ReturnRejected(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ParsedRow:
    plan_code: str
    objective_no: int
    indicator_no: int
    part: str
    level: str
    area_code: str
    year: int
    reading: Reading
    agency_code: str | None
    sheet: str
    cell: str
    printed_text: str | None  # text the officer wrote in the cell; None for numbers typed into number cells
    withdrawn: bool = False  # “Xóa” in the value cell: the value reported earlier is withdrawn


@dataclass
class ActivityReport:
    """One activity as an agency reports it in a year (sheet HoatDong)."""

    plan_code: str
    activity_no: int
    year: int
    agency_code: str
    role: str  # lead | co
    status: str  # a key of vocabulary.ACTIVITY_STATUSES
    done_date: object | None
    area_codes: list[str]
    area_names: str | None
    result_text: str | None
    reason: str | None
    participants_male: int | None
    participants_female: int | None
    participants_total: int | None
    sheet: str
    cell: str


@dataclass
class SpendingLine:
    """Funds of one budget source allocated and spent by an agency in a year (sheet KinhPhi), triệu đồng."""

    plan_code: str
    year: int
    agency_code: str
    source_name: str
    allocated: float | None
    spent: float | None
    note: str | None
    flag: str | None
    sheet: str
    cell: str


@dataclass
class ParsedReturn:
    kind: str
    plan_code: str
    province: str
    agency_code: str | None
    year: int
    period: str
    contact: str | None = None
    report_date: object | None = None
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    frame: pyarrow.Table | None = None  # the observations as validated, inserted as is
    activities: list[ActivityReport] = field(default_factory=list)
    spending: list[SpendingLine] = field(default_factory=list)
    activity_frame: pyarrow.Table | None = None  # fact_activity_report rows, as validated
    spending_frame: pyarrow.Table | None = None  # fact_spending rows, as validated
    note: str = ""  # what was read, said back to the officer (“Đã đọc 31 số liệu của 22 chỉ tiêu …”)
    day_bound: bool = False  # its reading met a date ahead of the day it was read (``today``)


@functools.lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    return normalize_text(text).casefold()


def fold(text: object) -> str:
    """Comparable form of a name or a phrase: NFC, lower case, single spaces."""
    # cached: a return repeats the same level labels and area names on every row
    return _fold(str(text))


def resolve_agency(catalogue: Catalogue, text: str | None) -> str | None:
    """Agency code for the first agency named in ``text`` (names separated by ';', a name may wrap lines)."""
    if not text:
        return None
    by_name = {fold(name): code for name, code in catalogue.agency_aliases.items()}
    by_name.update({fold(code): code for code in catalogue.agency_aliases.values()})
    for piece in normalize_text(text).split(";"):
        key = re.sub(r"\s+", " ", fold(piece)).strip(" .,")
        if key in by_name:
            return by_name[key]
    return None


def province_area_code(catalogue: Catalogue, province: str) -> str | None:
    return {fold(k): v for k, v in catalogue.province_codes.items()}.get(fold(province))
