"""Reading the template's “HoatDong” and “KinhPhi” sheets back; each mistake becomes a problem naming its
cell (column tables in :mod:`.plan_sheets`)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pandas as pd

from ..activities import over_plan, status_code
from ..areas import AreaError
from ..areas import resolve as resolve_area
from ..catalogue import Catalogue
from ..numbers import normalize_text, shorten
from ..rules import parts_exceed_whole
from ..units import format_vn
from ..vocabulary import ACTIVITY_STATUSES
from .columns import Column
from .model import ActivityReport, Problem, SpendingLine, fold
from .plan_sheets import (
    ACTIVITY_COLUMNS,
    ACTIVITY_LETTER,
    ACTIVITY_SHEET,
    FIRST_ROW,
    POSITION,
    SPENDING_COLUMNS,
    SPENDING_LETTER,
    SPENDING_SHEET,
    agency_activities,
    budget_sources,
)
from .today import is_ahead
from .workbook import Grid

MONEY_FIX = (
    "Ghi số tiền bằng số, đơn vị triệu đồng, ví dụ 1.234,5 (dấu chấm phân cách hàng nghìn, dấu phẩy thập "
    "phân). Nguồn không có kinh phí: để trống."
)
ACTIVITY_FILLED = ("status", "date", "area", "result", "reason", "male", "female", "total")


@dataclass(frozen=True)
class SheetContext:
    """What reading the two sheets needs: the return's plan, agency and year, and how to read cells."""

    plan_code: str
    province: str
    agency_code: str
    year: int
    period_start: int
    units: pd.DataFrame  # the province's units valid in the year (template_units)
    number: Callable[[object, str, str, list[Problem]], Decimal | None]  # template_read._number
    read_date: Callable[[object], dt.date | None]  # template_read.read_report_date


def _cell(row: list[Any], columns: tuple[Column, ...], key: str) -> Any:
    index = POSITION[columns][key]
    value = row[index] if index < len(row) else None
    return None if isinstance(value, str) and not value.strip() else value


def read_activities(
    grid: Grid, catalogue: Catalogue, ctx: SheetContext, problems: list[Problem]
) -> list[ActivityReport]:
    """The filled rows of sheet HoatDong; each mistake becomes a problem naming its cell."""
    mine = agency_activities(catalogue, ctx.plan_code, ctx.agency_code).set_index("activity_no")
    plan_acts = (
        set(catalogue.activities[catalogue.activities.plan_code == ctx.plan_code].activity_no)
        if not catalogue.activities.empty
        else set()
    )
    reports: list[ActivityReport] = []
    seen: set[int] = set()
    marks: list[tuple[int, str]] = []  # (first problem of a row, what the row is about in words)
    for r in range(FIRST_ROW, grid.max_row + 1):
        row = grid.rows[r - 1]
        if all(_cell(row, ACTIVITY_COLUMNS, k) is None for k in ACTIVITY_FILLED):
            continue
        at = {k: f"{ACTIVITY_LETTER[k]}{r}" for k in ACTIVITY_LETTER}
        before = len(problems)
        text = normalize_text(str(_cell(row, ACTIVITY_COLUMNS, "text") or ""))
        marks.append((before, f"hoạt động {_cell(row, ACTIVITY_COLUMNS, 'activity_no')} “{shorten(text)}”"))

        problem = functools.partial(_add_problem, problems, ACTIVITY_SHEET, at)

        activity_no = _activity_no(_cell(row, ACTIVITY_COLUMNS, "activity_no"), mine, plan_acts, seen, ctx, problem)
        if activity_no is None:
            continue
        seen.add(activity_no)
        label = _cell(row, ACTIVITY_COLUMNS, "status")
        status = status_code(label)
        if status is None:
            problem(
                "status",
                "Tình trạng không có trong danh sách" if label else "Chưa chọn tình trạng",
                label,
                "Chọn một trong: " + "; ".join(ACTIVITY_STATUSES.values()) + ".",
            )
        reason = _cell(row, ACTIVITY_COLUMNS, "reason")
        if status == "dropped" and reason is None:
            problem("reason", "Hoạt động “Không thực hiện” chưa ghi lý do", "", "Ghi lý do không thực hiện.")
        done = _done_date(_cell(row, ACTIVITY_COLUMNS, "date"), ctx, problem)
        codes, names = _places(_cell(row, ACTIVITY_COLUMNS, "area"), ctx, problem)
        male, female, total = _participants(row, at, ctx, problems, problem)
        if len(problems) > before or status is None:
            continue
        result = _cell(row, ACTIVITY_COLUMNS, "result")
        reports.append(
            ActivityReport(
                ctx.plan_code,
                activity_no,
                ctx.year,
                ctx.agency_code,
                str(mine.at[activity_no, "role"]),
                status,
                done,
                codes,
                names,
                None if result is None else normalize_text(str(result)),
                None if reason is None else normalize_text(str(reason)),
                male,
                female,
                total,
                ACTIVITY_SHEET,
                at["status"],
            )
        )
    _say_about(problems, marks)
    return reports


def _activity_no(
    raw_no: Any, mine: pd.DataFrame, plan_acts: set[int], seen: set[int], ctx: SheetContext, problem: Callable
) -> int | None:
    """The number of the activity a row reports: one of the agency's, not reported twice on the sheet."""
    try:
        activity_no = int(raw_no)
    except (TypeError, ValueError):
        problem(
            "activity_no",
            "Dòng có báo cáo nhưng không có mã hoạt động",
            raw_no,
            "Không thêm dòng mới; dùng các dòng có sẵn của biểu mẫu.",
        )
        return None
    if activity_no not in mine.index:
        why = (
            "không giao cho cơ quan này trong kế hoạch"
            if activity_no in plan_acts
            else f"không có trong kế hoạch {ctx.plan_code}"
        )
        problem(
            "activity_no",
            f"Hoạt động {activity_no} {why}",
            activity_no,
            "Tải lại biểu mẫu bằng lệnh “bdg template”; không sửa cột Mã hoạt động.",
        )
        return None
    if activity_no in seen:
        problem(
            "activity_no",
            f"Hoạt động {activity_no} được báo cáo hai lần",
            activity_no,
            "Giữ một dòng cho mỗi hoạt động.",
        )
        return None
    return activity_no


def _done_date(value: object, ctx: SheetContext, problem: Callable) -> dt.date | None:
    """The date an activity was carried out: a date, not ahead of today, not before the plan's period."""
    done = None
    try:
        done = ctx.read_date(value)
    except ValueError as exc:
        problem("date", "Ngày không đọc được thành ngày", str(exc), "Ghi ngày dạng ngày/tháng/năm, ví dụ 15/10/2015.")
    if done is not None and is_ahead(done):
        problem("date", "Ngày thực hiện sau ngày hôm nay", f"{done:%d/%m/%Y}", "Ghi ngày đã thực hiện.")
    elif done is not None and done.year < ctx.period_start - 1:
        problem(
            "date",
            f"Ngày thực hiện trước kỳ kế hoạch ({ctx.period_start})",
            f"{done:%d/%m/%Y}",
            "Kiểm tra lại năm.",
        )
    return done


def _participants(
    row: list[Any], at: dict[str, str], ctx: SheetContext, problems: list[Problem], problem: Callable
) -> tuple[int | None, int | None, int | None]:
    """Participants by sex and in all (nam, nữ, tổng số): whole numbers, nam + nữ within the total."""
    people = {
        k: ctx.number(_cell(row, ACTIVITY_COLUMNS, k), ACTIVITY_SHEET, at[k], problems)
        for k in ("male", "female", "total")
    }
    if any(v is not None and v != int(v) for v in people.values()):
        problem("male", "Số người tham gia phải là số nguyên", "", "Ghi số người, ví dụ 45.")
    male, female, total = (None if v is None else int(v) for v in (people["male"], people["female"], people["total"]))
    if parts_exceed_whole([male, female], total):
        problem(
            "total",
            f"Nam ({male or 0}) + nữ ({female or 0}) nhiều hơn tổng số người tham gia ({total})",
            total,
            "Sửa lại số nam, số nữ hoặc tổng số (tổng số không nhỏ hơn nam + nữ).",
        )
    return male, female, total


def _say_about(problems: list[Problem], marks: list[tuple[int, str]]) -> None:
    """Name the activity or source each row's problems are about, for the error report."""
    ends = [start for start, _ in marks[1:]] + [len(problems)]
    for (start, about), end in zip(marks, ends[: len(marks)], strict=True):
        problems[start:end] = [replace(p, about=about) for p in problems[start:end]]


def _add_problem(
    problems: list[Problem], sheet: str, at: dict[str, str], key: str, message: str, found: object = "", fix: str = ""
) -> None:
    shown = normalize_text(str(found)) if found not in (None, "") else ""
    problems.append(Problem(sheet, at[key], message, shown[:120], fix))


def _places(value: object, ctx: SheetContext, problem: Callable[..., None]) -> tuple[list[str], str | None]:
    """Area codes of “Xã Lộc Điền (Huyện Phú Lộc); Xã Hồng Bắc”, each among the province's units."""
    if value is None:
        return [], None
    names = [n.strip() for n in normalize_text(str(value)).split(";") if n.strip()]
    by_display = dict(zip(ctx.units.display.map(fold), ctx.units.area_code, strict=True))
    codes = []
    for name in names:
        code = by_display.get(fold(name))
        if code is None:
            try:
                code = resolve_area(name, ctx.units)
            except AreaError as exc:
                problem(
                    "area",
                    f"Địa bàn “{name}” không thuộc tỉnh {ctx.province} (năm {ctx.year}): {exc}",
                    value,
                    "Chọn xã, huyện trong danh sách thả xuống; nhiều nơi cách nhau “;”.",
                )
                continue
        codes.append(code)
    return codes, "; ".join(names)


def read_spending(grid: Grid, catalogue: Catalogue, ctx: SheetContext, problems: list[Problem]) -> list[SpendingLine]:
    """The filled rows of sheet KinhPhi, each flagged when its spending passes the source's planned total."""
    sources = budget_sources(catalogue, ctx.plan_code)
    planned = {fold(n): (n, float(a)) for n, a in zip(sources.name, sources.amount_million_vnd, strict=True)}
    lines: list[SpendingLine] = []
    seen: set[str] = set()
    marks: list[tuple[int, str]] = []
    for r in range(FIRST_ROW, grid.max_row + 1):
        row = grid.rows[r - 1]
        allocated_raw = _cell(row, SPENDING_COLUMNS, "allocated")
        spent_raw = _cell(row, SPENDING_COLUMNS, "spent")
        if allocated_raw is None and spent_raw is None:
            continue
        at = {k: f"{SPENDING_LETTER[k]}{r}" for k in SPENDING_LETTER}
        source = _cell(row, SPENDING_COLUMNS, "source")
        marks.append((len(problems), f"kinh phí năm {ctx.year}, nguồn “{normalize_text(str(source or ''))}”"))
        known = planned.get(fold(source or ""))
        if known is None:
            problems.append(
                Problem(
                    SPENDING_SHEET,
                    at["source"],
                    "Nguồn kinh phí không có trong kế hoạch",
                    normalize_text(str(source or "")),
                    "Không sửa cột Nguồn kinh phí; tải lại biểu mẫu bằng lệnh “bdg template”.",
                )
            )
            continue
        name, planned_total = known
        if name in seen:
            problems.append(
                Problem(
                    SPENDING_SHEET,
                    at["source"],
                    f"Nguồn “{name}” được báo cáo hai lần",
                    name,
                    "Gộp thành một dòng cho mỗi nguồn.",
                )
            )
            continue
        seen.add(name)
        before = len(problems)
        allocated = ctx.number(allocated_raw, SPENDING_SHEET, at["allocated"], problems)
        spent = ctx.number(spent_raw, SPENDING_SHEET, at["spent"], problems)
        if len(problems) > before:
            problems[before:] = [
                replace(p, fix=MONEY_FIX) if p.message.startswith("Ô số chứa chữ") else p for p in problems[before:]
            ]
            continue
        flags = [f for f in (over_plan(None if spent is None else float(spent), planned_total),) if f]
        if spent is not None and allocated is not None and spent > allocated:
            flags.append(
                f"Kinh phí đã chi {format_vn(float(spent))} nhiều hơn kinh phí được bố trí "
                f"{format_vn(float(allocated))} triệu đồng"
            )
        note = _cell(row, SPENDING_COLUMNS, "note")
        lines.append(
            SpendingLine(
                ctx.plan_code,
                ctx.year,
                ctx.agency_code,
                name,
                None if allocated is None else float(allocated),
                None if spent is None else float(spent),
                None if note is None else normalize_text(str(note)),
                "; ".join(flags) or None,
                SPENDING_SHEET,
                at["spent"] if spent is not None else at["allocated"],
            )
        )
    _say_about(problems, marks)
    return lines
