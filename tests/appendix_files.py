"""The Ninh Thuận appendix laid out the ways offices lay it out, and written by the programs offices (and
their software) write with: openpyxl, xlsxwriter, xlwt (.xls), odfpy (.ods), python-docx (.docx)."""

from __future__ import annotations

import re
from pathlib import Path

import xlsxwriter
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

from bdg_pipeline.samples.ninh_thuan_appendix import (
    OBJECTIVES,
    ROWS,
    TITLE,
    TableSpec,
    appendix_spec,
    spec_document,
    spec_workbook,
    title_columns,
)

LEVEL_LABELS = {"Cấp tỉnh": 0, "Cấp huyện": 1, "Cấp xã": 2}
_LABELLED = re.compile(r"^\s*([^\d(:][^:]*?)\s*:\s*(.*)$", re.DOTALL)


def _measures(result: str) -> list[tuple[str | None, str]]:
    """(label, text) of each line of a result cell, as the seed prints them."""
    found = []
    for line in result.split("\n"):
        if not line.strip():
            continue
        match = _LABELLED.match(line)
        found.append((match.group(1).strip(), match.group(2).strip()) if match else (None, line.strip()))
    return found


def _by_level(result: str) -> list[str]:
    """The result cell split into tỉnh | huyện | xã cells (unlabelled lines belong to the tỉnh cell)."""
    cells: list[list[str]] = [[], [], []]
    for label, text in _measures(result):
        if label in LEVEL_LABELS:
            cells[LEVEL_LABELS[label]].append(text)
        else:
            cells[0].append(f"{label}: {text}" if label else text)
    return ["\n".join(c) for c in cells]


def _split_fraction(text: str) -> tuple[object, object, str]:
    """“48/268 (16,78%)” → (48, 268, “16,78%”); a rate without counts keeps its printed form."""
    match = re.match(r"^\s*([\d.]+)\s*/\s*([\d.]+)\s*(?:đạt)?\s*\(?([^)]*%)?\)?\s*$", text)
    if match and not match.group(2).startswith("100"):
        return int(match.group(1).replace(".", "")), int(match.group(2).replace(".", "")), match.group(3) or ""
    return "", "", text.strip().strip("()").strip()


def levels_in_columns() -> TableSpec:
    """MỤC TIÊU | CHỈ TIÊU | NĂM 2019 over Cấp tỉnh | Cấp huyện | Cấp xã | CƠ QUAN; objectives merged down."""
    base = appendix_spec()
    rows: list[list[object]] = [
        ["MỤC TIÊU", "CHỈ TIÊU", "SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC NĂM 2019", "", "", "CƠ QUAN BÁO CÁO"],
        ["", "", "Cấp tỉnh", "Cấp huyện", "Cấp xã", ""],
    ]
    merges = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 4), (0, 5, 1, 5)]
    for objective, text, result, agency in (r for r in base.rows[1:]):
        rows.append([objective, text, *_by_level(str(result)), agency])
    merges += [(t + 1, 0 if c == 0 else 5, b + 1, 0 if c == 0 else 5) for t, c, b, _ in base.merges]
    return TableSpec(list(TITLE), rows, merges, 2, [40, 70, 25, 25, 25, 22])


def fractions_by_level() -> TableSpec:
    """STT | CHỈ TIÊU | ĐƠN VỊ TÍNH | NĂM 2019 over each level over Tử số | Mẫu số | Tỷ lệ, giá trị | CƠ QUAN:
    no MỤC TIÊU column (headings “Mục tiêu N” merged across the table), a row numbering the columns, numbers
    as numbers, labelled results on sub-rows of their chỉ tiêu."""
    levels = ["Cấp tỉnh", "Cấp huyện", "Cấp xã"]
    width = 3 + 3 * len(levels) + 1
    rows: list[list[object]] = [
        ["STT", "CHỈ TIÊU", "ĐƠN VỊ TÍNH"] + ["KẾT QUẢ NĂM 2019"] * 9 + ["CƠ QUAN BÁO CÁO"],
        ["", "", ""] + [lv for lv in levels for _ in range(3)] + [""],
        ["", "", ""] + ["Tử số", "Mẫu số", "Tỷ lệ, giá trị"] * 3 + [""],
        [f"({i})" for i in range(1, width + 1)],
    ]
    merges = [
        (0, 0, 2, 0),
        (0, 1, 2, 1),
        (0, 2, 2, 2),
        (0, 3, 0, 11),
        (1, 3, 1, 5),
        (1, 6, 1, 8),
        (1, 9, 1, 11),
        (0, 12, 2, 12),
    ]
    objective = 0
    number = 0
    for obj, text, result, agency in ROWS:
        if obj != objective:
            objective = obj
            rows.append([OBJECTIVES[obj]] * width)
            merges.append((len(rows) - 1, 0, len(rows) - 1, width - 1))
        measures = _measures(result)
        labelled = [m for m in measures if m[0] and m[0] not in LEVEL_LABELS]
        number += 1
        unit = "lần" if "lần" in result else "%" if "%" in result else ""
        if labelled:
            rows.append([number, text, unit] + [""] * 9 + [agency or ""])
            for label, value in labelled:
                rows.append(["", f"- {label}", unit, *_split_fraction(value), *[""] * 6, ""])
            continue
        cells: list[object] = []
        for level_text in _by_level(result):
            cells += list(_split_fraction(level_text)) if level_text else ["", "", ""]
        rows.append([number, text, unit, *cells, agency or ""])
    return TableSpec(list(TITLE), rows, merges, 4, [6, 60, 8] + [10] * 9 + [20])


def years_side_by_side() -> TableSpec:
    """MỤC TIÊU | CHỈ TIÊU | KẾT QUẢ THỰC HIỆN over Năm 2018 | Năm 2019 | CƠ QUAN (2018 repeats 2019's
    results, so both years must read the same)."""
    base = appendix_spec()
    rows: list[list[object]] = [
        ["MỤC TIÊU", "CHỈ TIÊU", "KẾT QUẢ THỰC HIỆN", "", "CƠ QUAN BÁO CÁO"],
        ["", "", "Năm 2018", "Năm 2019", ""],
    ]
    merges = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4)]
    for objective, text, result, agency in base.rows[1:]:
        rows.append([objective, text, result, result, agency])
    merges += [(t + 1, 0 if c == 0 else 4, b + 1, 0 if c == 0 else 4) for t, c, b, _ in base.merges]
    return TableSpec(list(TITLE), rows, merges, 2, [40, 70, 40, 40, 22])


LAYOUTS = {
    "goc": appendix_spec,
    "cap-theo-cot": levels_in_columns,
    "tu-mau-ty-le": fractions_by_level,
    "nhieu-nam": years_side_by_side,
}


def _cell_value(value: object) -> object:
    return None if value == "" else value


def write_openpyxl(spec: TableSpec, path: Path) -> Path:
    spec_workbook(spec).save(path)
    return path


def write_xlsxwriter(spec: TableSpec, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(spec.sheet)
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    width = max(len(r) for r in spec.rows)
    for i, line in enumerate(spec.title):
        if isinstance(line, list):
            for c, text in zip(title_columns(len(line), width), line, strict=True):
                sheet.write(i, c, text)
        else:
            sheet.merge_range(i, 0, i, width - 1, line)
    top = len(spec.title) + 1
    for r, line in enumerate(spec.below):
        for c, text in zip(title_columns(len(line), width), line, strict=True):
            sheet.write(top + len(spec.rows) + 1 + r, c, text)
    covered = spec.covered()
    for r, values in enumerate(spec.rows):
        for c, value in enumerate(values):
            if (r, c) not in covered and value != "":
                sheet.write(top + r, c, value, wrap)
    for t, left, b, right in spec.merges:
        value = spec.rows[t][left]
        sheet.merge_range(top + t, left, top + b, right, None if value == "" else value, wrap)
    book.close()
    return path


def write_xlwt(spec: TableSpec, path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(spec.sheet)
    width = max(len(r) for r in spec.rows)
    for i, line in enumerate(spec.title):
        if isinstance(line, list):
            for c, text in zip(title_columns(len(line), width), line, strict=True):
                sheet.write(i, c, text)
        else:
            sheet.write_merge(i, i, 0, width - 1, line)
    top = len(spec.title) + 1
    for r, line in enumerate(spec.below):
        for c, text in zip(title_columns(len(line), width), line, strict=True):
            sheet.write(top + len(spec.rows) + 1 + r, c, text)
    covered = spec.covered()
    for r, values in enumerate(spec.rows):
        for c, value in enumerate(values):
            if (r, c) not in covered and value != "":
                sheet.write(top + r, c, value)
    for t, left, b, right in spec.merges:
        sheet.write_merge(top + t, top + b, left, right, spec.rows[t][left])
    book.save(str(path))
    return path


def write_odf(spec: TableSpec, path: Path) -> Path:
    """OpenDocument as LibreOffice saves it: merged cells span, the cells they cover are “covered” cells."""
    document = OpenDocumentSpreadsheet()
    table = Table(name=spec.sheet)
    width = max(len(r) for r in spec.rows)

    def spread(line: str | list[str]) -> list[object]:
        cells: list[object] = [""] * width
        for c, text in zip(
            title_columns(1 if isinstance(line, str) else len(line), width),
            [line] if isinstance(line, str) else line,
            strict=True,
        ):
            cells[c] = text
        return cells

    title_rows = [spread(line) for line in spec.title] + [[""] * width]
    offset = len(title_rows)
    merges = [(i, 0, i, width - 1) for i, line in enumerate(spec.title) if isinstance(line, str)]
    merges += [(t + offset, left, b + offset, right) for t, left, b, right in spec.merges]
    starts = {(m[0], m[1]): m for m in merges}
    covered = {(r, c) for m in merges for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)} - set(starts)
    below = [[""] * width] + [spread(line) for line in spec.below] if spec.below else []
    for r, values in enumerate(title_rows + spec.rows + below):
        row = TableRow()
        for c in range(width):
            value = values[c] if c < len(values) else ""
            if (r, c) in covered:
                row.addElement(CoveredTableCell())
                continue
            span = {}
            if (r, c) in starts:
                t, left, b, right = starts[(r, c)]
                span = {"numberrowsspanned": b - t + 1, "numbercolumnsspanned": right - left + 1}
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell = TableCell(valuetype="float", value=value, **span)
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string", **span)
                for line in str(value).split("\n") if value != "" else []:
                    cell.addElement(P(text=line))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def write_docx(spec: TableSpec, path: Path) -> Path:
    spec_document(spec).save(str(path))
    return path


WRITERS = {
    "openpyxl.xlsx": write_openpyxl,
    "xlsxwriter.xlsx": write_xlsxwriter,
    "xlwt.xls": write_xlwt,
    "odfpy.ods": write_odf,
    "python-docx.docx": write_docx,
}
