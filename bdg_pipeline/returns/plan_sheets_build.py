"""Writing the template's “HoatDong” and “KinhPhi” sheets (column tables in :mod:`.plan_sheets`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..vocabulary import ACTIVITY_KINDS, ACTIVITY_STATUSES
from ..xlsx_layout import row_points
from .columns import Column
from .plan_sheets import (
    ACTIVITY_COLUMNS,
    ACTIVITY_LETTER,
    ACTIVITY_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    SPENDING_COLUMNS,
    SPENDING_LETTER,
    SPENDING_SHEET,
)

ROLES = {"lead": "Chủ trì", "co": "Phối hợp"}


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
