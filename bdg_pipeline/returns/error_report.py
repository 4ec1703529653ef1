"""The error report an officer gets back with a rejected return (an .xlsx beside the quarantined file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .model import Problem


def write_error_report(path: Path, file_name: str, problems: list[Problem]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Loi"
    ws["A1"] = "BÁO CÁO LỖI BIỂU BÁO CÁO"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"Tệp: {file_name}"
    ws["A3"] = f"Thời điểm kiểm tra: {dt.datetime.now():%d/%m/%Y %H:%M}"
    ws["A4"] = f"Tệp chưa được tiếp nhận: có {len(problems)} lỗi cần sửa. Sửa xong gửi lại toàn bộ tệp."
    headers = ["STT", "Trang tính", "Ô", "Vấn đề", "Giá trị tìm thấy", "Cách sửa"]
    for col, title in enumerate(headers, start=1):
        ws.cell(row=6, column=col, value=title).font = Font(bold=True)
    for i, p in enumerate(problems, start=1):
        # Prefixing "'" is not needed: openpyxl writes str as text; data_type "s" keeps "=..." inert.
        for col, value in enumerate([i, p.sheet, p.cell, p.message, p.found, p.fix], start=1):
            cell = ws.cell(row=6 + i, column=col, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, str):
                cell.data_type = "s"
    for col, width in zip("ABCDEF", (5, 14, 8, 60, 40, 60), strict=True):
        ws.column_dimensions[col].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
