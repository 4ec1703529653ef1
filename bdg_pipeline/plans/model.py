"""A plan as the review workbook holds it: one row per target year of each part of each chỉ tiêu, and the
plan's own facts. Agencies are kept by their full names, as the officer reads and picks them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class TargetRow:
    """One target year of one part of a chỉ tiêu (a row of sheet ChiTieu)."""

    objective_no: int | None
    indicator_no: int | None
    part: str
    text: str  # the chỉ tiêu's wording (Nội dung chỉ tiêu)
    indicator_code: str
    unit: str
    direction: str
    year: int | None
    value: float | None
    leads: list[str] = field(default_factory=list)
    cos: list[str] = field(default_factory=list)
    review: str = ""  # Cần xem lại: why the text does not settle this row, in Vietnamese
    quote: str = ""  # Câu trong kế hoạch: the words the row was read from
    baseline_value: float | None = None
    baseline_year: int | None = None
    yearly: bool = False  # one of the targets of a “hằng năm” chỉ tiêu, set for every year of the period
    indicator_name: str = ""  # the name of the quantity (a new code's name goes to indicators.yaml)
    labels: list[str] = field(default_factory=list)
    default: bool = False
    note: str = ""
    source: str = ""  # where in the plan the chỉ tiêu is (“II.1 Chỉ tiêu 2”)
    agency_source: str = ""  # where in the plan its agencies are named
    excel_row: int = 0  # the workbook row it was read from (0: not read from a workbook)

    @property
    def key(self) -> tuple[int | None, int | None, str]:
        return (self.objective_no, self.indicator_no, self.part)


@dataclass
class Objective:
    number: int
    field: str
    text: str
    source: str = ""
    excel_row: int = 0


@dataclass
class Activity:
    number: int
    text: str
    lead: str
    cos: list[str] = field(default_factory=list)
    district: str = ""
    commune: str = ""
    due: dt.date | None = None
    source: str = ""
    review: str = ""
    excel_row: int = 0


@dataclass
class BudgetLine:
    category: str  # total / phase / source
    name: str
    amount: float | None
    start: int | None = None
    end: int | None = None
    excel_row: int = 0


@dataclass
class Deadline:
    period: str  # nam / 6thang
    due: str  # “10/12”
    source: str = ""


@dataclass
class PlanInfo:
    code: str
    province: str
    title: str
    start: int | None
    end: int | None
    monitoring_start: int | None = None
    monitoring_end: int | None = None
    seed_file: str = ""
    province_code: str = ""  # only for a province created on 1 July 2025 (“56@2025”)
    deadlines: list[Deadline] = field(default_factory=list)
    budget_unit: str = "triệu đồng"
    budget_source: str = ""
    review: dict[str, str] = field(default_factory=dict)  # field → why it needs a look


@dataclass
class PlanDraft:
    """Everything the review workbook holds about one plan."""

    info: PlanInfo
    objectives: list[Objective] = field(default_factory=list)
    rows: list[TargetRow] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    budget: list[BudgetLine] = field(default_factory=list)
