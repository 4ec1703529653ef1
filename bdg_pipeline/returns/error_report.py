"""The error report an officer gets back with a rejected return (an .xlsx beside the quarantined file).

One row per problem: the cell, the chỉ tiêu and area it reports in words, what was found and how to
fix it. Laid out to be read on screen and printed (A4 landscape, fit to width, header repeated).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ..xlsx_layout import row_points
from .model import Problem

SHEET = "Loi"
HEADER_ROW = 6
COLUMNS = (
    ("STT", 5),
    ("Trang tính", 12),
    ("Ô", 7),
    ("Chỉ tiêu, địa bàn", 36),
    ("Vấn đề", 46),
    ("Giá trị tìm thấy", 38),
    ("Cách sửa", 48),
)
SETTLED_ROW = 5  # the line saying a correction was accepted, above the table
SETTLED_MARK = "ĐÃ XỬ LÝ"
GENERAL_FIX = "Sửa theo nội dung ở cột “Vấn đề”, lưu tệp rồi gửi lại; cần hỗ trợ, gửi kèm báo cáo lỗi này."
FONT = "Times New Roman"


def write_error_report(path: Path, file_name: str, problems: list[Problem]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "BÁO CÁO LỖI BIỂU BÁO CÁO"
    ws["A1"].font = Font(name=FONT, bold=True, size=14)
    ws["A2"] = f"Tệp: {file_name}"
    ws["A3"] = f"Thời điểm kiểm tra: {dt.datetime.now():%d/%m/%Y %H:%M}"
    notes = [p.message for p in problems if p.info]
    problems = [p for p in problems if not p.info]
    ws["A4"] = (
        f"Tệp chưa được tiếp nhận: có {len(problems)} lỗi cần sửa. Sửa tất cả rồi gửi lại toàn bộ tệp "
        "(số liệu đúng trong tệp cũng chưa được ghi nhận)." + "".join(f" {n}." for n in notes)
    )
    ws["A4"].font = Font(name=FONT, bold=True, color="C00000")
    for row in range(2, 4):
        ws.cell(row=row, column=1).font = Font(name=FONT)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (title, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=title)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width
    for i, p in enumerate(problems, start=1):
        values = [i, p.sheet, p.cell or "(cả tệp)", p.about, p.message, p.found, p.fix or GENERAL_FIX]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=HEADER_ROW + i, column=col, value=value)
            cell.font = Font(name=FONT)
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, str):
                cell.data_type = "s"  # text as given: a "=..." an officer typed stays inert
        widths = [width for _, width in COLUMNS]
        ws.row_dimensions[HEADER_ROW + i].height = row_points(list(zip(values, widths, strict=True)))
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:G{HEADER_ROW + max(len(problems), 1)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def note_settled(path: Path, settled_by: str) -> None:
    """Say at the top of an error report that a corrected file of the same scope was accepted (once)."""
    if not path.exists():
        return
    wb = load_workbook(path)
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.active
    if str(ws.cell(row=SETTLED_ROW, column=1).value or "").startswith(SETTLED_MARK):
        return
    cell = ws.cell(
        row=SETTLED_ROW,
        column=1,
        value=(
            f"{SETTLED_MARK}: tệp “{settled_by}” cùng kế hoạch, cơ quan, năm và kỳ báo cáo đã được tiếp nhận "
            f"({dt.datetime.now():%d/%m/%Y %H:%M}); tệp bị trả lại này không cần gửi lại."
        ),
    )
    cell.data_type = "s"
    cell.font = Font(name=FONT, bold=True, color="007A33")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
