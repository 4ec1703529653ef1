"""The template's sheets for plans made of activities and money: “HoatDong” (each activity the agency
leads or joins: status from a closed list, date, where, result, participants by sex) and “KinhPhi”
(funds allocated and spent in the year by source, in triệu đồng). Written and read by the same
column tables, like the “BaoCao” sheet."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..activities import over_plan, status_code
from ..areas import AreaError
from ..areas import resolve as resolve_area
from ..catalogue import Catalogue
from ..numbers import normalize_text, shorten
from ..units import format_vn
from ..vocabulary import ACTIVITY_KINDS, ACTIVITY_STATUSES
from ..xlsx_layout import row_points
from .columns import Column, letters, positions
from .model import ActivityReport, Problem, SpendingLine, fold
from .today import is_ahead
from .workbook import Grid

ACTIVITY_SHEET = "HoatDong"
SPENDING_SHEET = "KinhPhi"
HEADER_ROW = 6
FIRST_ROW = HEADER_ROW + 1
ROLES = {"lead": "Chủ trì", "co": "Phối hợp"}
MONEY_FIX = (
    "Ghi số tiền bằng số, đơn vị triệu đồng, ví dụ 1.234,5 (dấu chấm phân cách hàng nghìn, dấu phẩy thập "
    "phân). Nguồn không có kinh phí: để trống."
)


ACTIVITY_COLUMNS = (
    Column("number", "STT", 5),
    Column("activity_no", "Mã hoạt động", 9),
    Column("text", "Nội dung hoạt động (theo kế hoạch)", 55),
    Column("role", "Vai trò", 10),
    Column("kind", "Loại hoạt động", 14),
    Column("planned_area", "Địa bàn theo kế hoạch", 18),
    Column("status", "Tình trạng", 16, officer_fills=True),
    Column("date", "Ngày thực hiện / hoàn thành", 13, officer_fills=True, number_format="DD/MM/YYYY"),
    Column("area", "Địa bàn thực hiện (xã, huyện; nhiều nơi cách nhau “;”)", 24, officer_fills=True),
    Column("result", "Kết quả (ngắn gọn)", 36, officer_fills=True),
    Column("reason", "Lý do (nếu không thực hiện)", 24, officer_fills=True),
    Column("male", "Người tham gia: Nam", 10, officer_fills=True, number_format="#,##0"),
    Column("female", "Người tham gia: Nữ", 10, officer_fills=True, number_format="#,##0"),
    Column("total", "Tổng số người tham gia", 11, officer_fills=True, number_format="#,##0"),
)
SPENDING_COLUMNS = (
    Column("number", "STT", 5),
    Column("source", "Nguồn kinh phí", 34),
    Column("planned", "Dự toán cả kế hoạch (triệu đồng)", 16, number_format="#,##0.0"),
    Column("allocated", "Kinh phí được bố trí trong năm (triệu đồng)", 18, officer_fills=True, number_format="#,##0.0"),
    Column("spent", "Kinh phí đã chi trong năm (triệu đồng)", 18, officer_fills=True, number_format="#,##0.0"),
    Column("note", "Ghi chú", 36, officer_fills=True),
)
ACTIVITY_FILLED = ("status", "date", "area", "result", "reason", "male", "female", "total")


ACTIVITY_LETTER = letters(ACTIVITY_COLUMNS)
SPENDING_LETTER = letters(SPENDING_COLUMNS)
POSITION: dict[tuple[Column, ...], dict[str, int]] = {
    columns: positions(columns) for columns in (ACTIVITY_COLUMNS, SPENDING_COLUMNS)
}


def agency_activities(catalogue: Catalogue, plan_code: str, agency_code: str) -> pd.DataFrame:
    """The plan's activities the agency leads or joins, with its ``role``, in plan order."""
    acts = catalogue.activities
    if acts.empty:
        return acts.assign(role=pd.Series(dtype=str))
    acts = acts[acts.plan_code == plan_code]
    co = acts.co_agencies.fillna("").map(lambda text: agency_code in [c.strip() for c in text.split(";")])
    mine = acts[(acts.lead_agency == agency_code) | co].copy()
    mine["role"] = ["lead" if lead == agency_code else "co" for lead in mine.lead_agency]
    return mine.sort_values("activity_no")


def budget_sources(catalogue: Catalogue, plan_code: str) -> pd.DataFrame:
    budget = catalogue.budget
    if budget.empty:
        return budget
    return budget[(budget.plan_code == plan_code) & (budget.category == "source")]


def _sheet(wb: Workbook, name: str, title: str, lines: list[str], columns: tuple[Column, ...]) -> Worksheet:
    ws = wb.create_sheet(name)
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    for i, line in enumerate(lines, start=2):
        ws.cell(row=i, column=1, value=line)
    thin = Side(style="thin")
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=column.title)
        cell.font, cell.border = Font(bold=True), Border(left=thin, right=thin, top=thin, bottom=thin)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"A{FIRST_ROW}"
    return ws


def _fill_row(ws: Worksheet, row: int, columns: tuple[Column, ...], values: dict[str, Any]) -> None:
    thin = Side(style="thin")
    # Calibri (the template's font) is wider than the Times New Roman row_points is measured on
    ws.row_dimensions[row].height = row_points([(values.get(c.key) or "", c.width * 0.85) for c in columns])
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=col, value=values.get(column.key))
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.officer_fills:
            cell.protection = Protection(locked=False)
        else:
            cell.fill = PatternFill("solid", fgColor="EDEDED")
        if column.number_format:
            cell.number_format = column.number_format


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False


def add_activity_sheet(
    wb: Workbook, activities: pd.DataFrame, agency_name: str, year: int, lists: Worksheet, areas: int
) -> None:
    """Sheet HoatDong: one locked row per activity, the officer fills status, date, place, result, people."""
    ws = _sheet(
        wb,
        ACTIVITY_SHEET,
        "BÁO CÁO TÌNH HÌNH THỰC HIỆN CÁC HOẠT ĐỘNG CỦA KẾ HOẠCH",
        [
            f"Cơ quan báo cáo: {agency_name} — Năm {year}",
            "Chọn “Tình trạng” trong danh sách; “Không thực hiện” phải ghi lý do. Ngày ghi dạng ngày/tháng/năm.",
            "Số người tham gia (nam, nữ) ghi với hoạt động tập huấn, hội nghị, truyền thông. "
            "Hoạt động chưa có gì để báo cáo: để trống cả dòng.",
        ],
        ACTIVITY_COLUMNS,
    )
    for number, act in enumerate(activities.itertuples(), start=1):
        planned = ", ".join(str(x) for x in (act.commune, act.district) if isinstance(x, str) and x)
        _fill_row(
            ws,
            FIRST_ROW + number - 1,
            ACTIVITY_COLUMNS,
            {
                "number": number,
                "activity_no": int(act.activity_no),
                "text": act.text,
                "role": ROLES[act.role],
                "kind": ACTIVITY_KINDS[act.activity_kind],
                "planned_area": planned or "Toàn tỉnh",
            },
        )
    last = FIRST_ROW + max(len(activities), 1) - 1
    for i, label in enumerate(ACTIVITY_STATUSES.values(), start=1):
        lists.cell(row=i, column=3, value=label)
    rules = {
        "status": DataValidation(
            type="list",
            formula1=f"{lists.title}!$C$1:$C${len(ACTIVITY_STATUSES)}",
            allow_blank=True,
            error="Chọn tình trạng trong danh sách",
            errorTitle="Tình trạng không hợp lệ",
        ),
        "area": DataValidation(
            type="list",
            formula1=f"{lists.title}!$B$1:$B${max(areas, 1)}",
            allow_blank=True,
            errorStyle="warning",
            errorTitle="Địa bàn",
            error="Địa bàn nên chọn trong danh sách (nhiều nơi: cách nhau “;”)",
        ),
        "date": DataValidation(
            type="date",
            operator="greaterThan",
            formula1="36526",
            allow_blank=True,
            error="Ghi ngày dạng ngày/tháng/năm",
            errorTitle="Ngày không hợp lệ",
        ),
    }
    for key in ("male", "female", "total"):
        rules[key] = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            error="Nhập số người (số nguyên không âm)",
            errorTitle="Số người không hợp lệ",
        )
    for key, rule in rules.items():
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
        rule.add(f"{ACTIVITY_LETTER[key]}{FIRST_ROW}:{ACTIVITY_LETTER[key]}{last}")
    _protect(ws)


def add_spending_sheet(wb: Workbook, sources: pd.DataFrame, agency_name: str, year: int, unit_note: str) -> None:
    """Sheet KinhPhi: one locked row per source of the plan's budget, the officer fills allocated and spent."""
    ws = _sheet(
        wb,
        SPENDING_SHEET,
        f"BÁO CÁO KINH PHÍ THỰC HIỆN KẾ HOẠCH NĂM {year}",
        [
            f"Cơ quan báo cáo: {agency_name} — đơn vị tính: {unit_note}",
            "Ghi kinh phí được bố trí và đã chi trong năm của cơ quan, theo từng nguồn (ví dụ 1.234,5).",
            "Nguồn không có kinh phí trong năm: để trống.",
        ],
        SPENDING_COLUMNS,
    )
    for number, src in enumerate(sources.itertuples(), start=1):
        _fill_row(
            ws,
            FIRST_ROW + number - 1,
            SPENDING_COLUMNS,
            {"number": number, "source": src.name, "planned": float(src.amount_million_vnd)},
        )
    last = FIRST_ROW + max(len(sources), 1) - 1
    for key in ("allocated", "spent"):
        rule = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            error="Nhập số tiền không âm (triệu đồng)",
            errorTitle="Kinh phí không hợp lệ",
        )
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
        rule.add(f"{SPENDING_LETTER[key]}{FIRST_ROW}:{SPENDING_LETTER[key]}{last}")
    _protect(ws)


@dataclass(frozen=True)
class SheetContext:
    """What reading the two sheets needs: the return's plan, agency and year, and how to read cells."""

    plan_code: str
    province: str
    agency_code: str
    year: int
    period_start: int
    units: pd.DataFrame  # the province's units valid in the year (template_units)
    number: Callable[[object, str, str, list[Problem]], Decimal | None]  # template._number
    read_date: Callable[[object], dt.date | None]  # template.read_report_date


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

        raw_no = _cell(row, ACTIVITY_COLUMNS, "activity_no")
        try:
            activity_no = int(raw_no)
        except (TypeError, ValueError):
            problem(
                "activity_no",
                "Dòng có báo cáo nhưng không có mã hoạt động",
                raw_no,
                "Không thêm dòng mới; dùng các dòng có sẵn của biểu mẫu.",
            )
            continue
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
            continue
        if activity_no in seen:
            problem(
                "activity_no",
                f"Hoạt động {activity_no} được báo cáo hai lần",
                activity_no,
                "Giữ một dòng cho mỗi hoạt động.",
            )
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
        done = None
        try:
            done = ctx.read_date(_cell(row, ACTIVITY_COLUMNS, "date"))
        except ValueError as exc:
            problem(
                "date", "Ngày không đọc được thành ngày", str(exc), "Ghi ngày dạng ngày/tháng/năm, ví dụ 15/10/2015."
            )
        if done is not None and is_ahead(done):
            problem("date", "Ngày thực hiện sau ngày hôm nay", f"{done:%d/%m/%Y}", "Ghi ngày đã thực hiện.")
        elif done is not None and done.year < ctx.period_start - 1:
            problem(
                "date",
                f"Ngày thực hiện trước kỳ kế hoạch ({ctx.period_start})",
                f"{done:%d/%m/%Y}",
                "Kiểm tra lại năm.",
            )
        codes, names = _places(_cell(row, ACTIVITY_COLUMNS, "area"), ctx, problem)
        people = {
            k: ctx.number(_cell(row, ACTIVITY_COLUMNS, k), ACTIVITY_SHEET, at[k], problems)
            for k in ("male", "female", "total")
        }
        if any(v is not None and v != int(v) for v in people.values()):
            problem("male", "Số người tham gia phải là số nguyên", "", "Ghi số người, ví dụ 45.")
        male, female, total = (
            None if v is None else int(v) for v in (people["male"], people["female"], people["total"])
        )
        if total is not None and (male or 0) + (female or 0) > total:
            problem(
                "total",
                f"Nam ({male or 0}) + nữ ({female or 0}) nhiều hơn tổng số người tham gia ({total})",
                total,
                "Sửa lại số nam, số nữ hoặc tổng số (tổng số không nhỏ hơn nam + nữ).",
            )
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
