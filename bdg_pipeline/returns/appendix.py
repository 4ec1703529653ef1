"""Free-form appendices (phụ lục) like the one closing the Ninh Thuận 2020 plan.

Layout: title rows naming the province and the plan year; a header row MỤC TIÊU | CÁC CHỈ TIÊU KẾ
HOẠCH | SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC NĂM <year> | CƠ QUAN BÁO CÁO; objectives and agencies in cells
merged down their rows; several results in one cell on separate lines. Each row is matched to its
catalogue chỉ tiêu by objective and indicator numbers, and its wording is checked against the plan's.
"""

from __future__ import annotations

import re

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..catalogue import Catalogue
from ..numbers import NumberFormatError, normalize_text, parse_result_cell
from ..units import read_measure
from .matching import MatchError, indicator_text, level_of_label, parts_of, plan_for, resolve_part, text_overlap
from .model import ParsedReturn, ParsedRow, Problem, fold, province_area_code, resolve_agency
from .workbook import merged_value, shown_value

MIN_TEXT_OVERLAP = 0.5
HEADER_SCAN_ROWS = 40


def find_header(sheet: Worksheet) -> tuple[int, dict[str, int]] | None:
    """Row and columns of the header: objective, indicator, result, agency (agency may be absent)."""
    for row in range(1, min(sheet.max_row, HEADER_SCAN_ROWS) + 1):
        columns: dict[str, int] = {}
        for col in range(1, min(sheet.max_column, 20) + 1):
            text = fold(sheet.cell(row=row, column=col).value or "")
            if not text:
                continue
            if text.startswith("mục tiêu") and "objective" not in columns:
                columns["objective"] = col
            elif "chỉ tiêu" in text and "indicator" not in columns:
                columns["indicator"] = col
            elif ("số liệu" in text or "kết quả" in text) and "result" not in columns:
                columns["result"] = col
            elif "cơ quan" in text and "agency" not in columns:
                columns["agency"] = col
        if {"objective", "indicator", "result"} <= columns.keys():
            return row, columns
    return None


def find_appendix(workbook: Workbook) -> tuple[Worksheet, int, dict[str, int]] | None:
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        found = find_header(sheet)
        if found:
            return sheet, *found
    return None


def parse_appendix(workbook: Workbook, catalogue: Catalogue) -> ParsedReturn:
    found = find_appendix(workbook)
    if found is None:
        raise ValueError("no appendix header found")
    sheet, header_row, columns = found
    name = sheet.title
    problems: list[Problem] = []
    title = " ".join(
        normalize_text(sheet.cell(row=r, column=c).value)
        for r in range(1, header_row) for c in range(1, sheet.max_column + 1)
        if sheet.cell(row=r, column=c).value not in (None, "")
    )
    result_header = normalize_text(sheet.cell(row=header_row, column=columns["result"]).value or "")
    result_cell = f"{get_column_letter(columns['result'])}{header_row}"
    year_match = re.search(r"năm\s*(\d{4})", fold(result_header))
    year = int(year_match.group(1)) if year_match else 0
    if not year_match:
        problems.append(Problem(name, result_cell, "Không xác định được năm của số liệu", result_header,
                                "Ghi năm vào tiêu đề cột, ví dụ “SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC NĂM 2019”."))
    provinces = [p for p in catalogue.plans.province.unique() if fold(p) in fold(title)]
    title_years = [int(y) for y in re.findall(r"\b(20\d\d)\b", title)]
    plan = plan_for(catalogue, provinces[0], title_years + [year]) if len(provinces) == 1 else None
    if plan is None:
        problems.append(Problem(name, "A1", "Không xác định được tỉnh và kế hoạch từ tiêu đề phụ lục", title[:200],
                                "Tiêu đề cần ghi tên tỉnh và năm của kế hoạch, ví dụ “... TỈNH NINH THUẬN NĂM 2020”."))
        return ParsedReturn("appendix", "", provinces[0] if provinces else "", None, year, "nam", problems=problems)
    area_code = province_area_code(catalogue, plan.province) or ""
    parsed = ParsedReturn("appendix", plan.plan_code, plan.province, None, year, "nam", problems=problems)
    current = (0, 0)
    for row in range(header_row + 1, sheet.max_row + 1):
        ind_raw = sheet.cell(row=row, column=columns["indicator"]).value
        res_raw = shown_value(sheet.cell(row=row, column=columns["result"]))  # percent format as shown
        if ind_raw in (None, "") and res_raw in (None, ""):
            continue
        ind_cell = f"{get_column_letter(columns['indicator'])}{row}"
        res_cell = f"{get_column_letter(columns['result'])}{row}"
        row_text = normalize_text(ind_raw or "")
        objective = re.search(r"mục tiêu\s*(\d+)", fold(merged_value(sheet, row, columns["objective"]) or ""))
        numbered = re.search(r"chỉ tiêu\s*(\d+)", fold(row_text))
        if not objective:
            problems.append(Problem(name, f"{get_column_letter(columns['objective'])}{row}",
                                    "Dòng không thuộc mục tiêu nào", fix="Ghi “Mục tiêu N: …” ở cột MỤC TIÊU."))
            continue
        if numbered:
            current = (int(objective.group(1)), int(numbered.group(1)))
        elif row_text.startswith(("-", "+", "•")) and current[0] == int(objective.group(1)):
            pass  # a further line of the chỉ tiêu above ("- Tỷ lệ nữ đại biểu Quốc hội ...")
        else:
            problems.append(Problem(name, ind_cell, "Không xác định được số thứ tự chỉ tiêu", row_text[:120],
                                    "Bắt đầu ô bằng “Chỉ tiêu N:”."))
            continue
        objective_no, indicator_no = current
        reference = indicator_text(catalogue, plan.plan_code, objective_no, indicator_no)
        if reference is None:
            problems.append(Problem(name, ind_cell,
                                    f"Kế hoạch {plan.plan_code} không có chỉ tiêu {indicator_no} "
                                    f"của mục tiêu {objective_no}", row_text[:120],
                                    "Kiểm tra lại số mục tiêu, chỉ tiêu."))
            continue
        if text_overlap(row_text, reference) < MIN_TEXT_OVERLAP:
            problems.append(Problem(name, ind_cell, f"Nội dung dòng không khớp chỉ tiêu {indicator_no} của mục tiêu "
                                    f"{objective_no} trong kế hoạch", row_text[:120],
                                    f"Chỉ tiêu trong kế hoạch: “{reference[:120]}”."))
            continue
        agency_cell_value = merged_value(sheet, row, columns["agency"]) if "agency" in columns else None
        agency_text = None if agency_cell_value is None else str(agency_cell_value)
        agency = resolve_agency(catalogue, agency_text)
        if agency_text and agency is None:
            agency_cell = f"{get_column_letter(columns['agency'])}{row}"
            problems.append(Problem(name, agency_cell, "Không nhận ra cơ quan báo cáo",
                                    normalize_text(agency_text), "Ghi đúng tên cơ quan, ví dụ “Sở Y tế”."))
        if res_raw in (None, ""):
            problems.append(Problem(name, res_cell, "Chưa có số liệu kết quả", fix="Điền số liệu hoặc xóa dòng."))
            continue
        parts = parts_of(catalogue, plan.plan_code, objective_no, indicator_no)
        try:
            measures = parse_result_cell(str(res_raw))
        except NumberFormatError as exc:
            problems.append(Problem(name, res_cell, str(exc), normalize_text(str(res_raw))[:120], exc.fix))
            continue
        for measure in measures:
            try:
                part = resolve_part(parts, measure, row_text)
                reading = read_measure(measure, part.unit)
            except (MatchError, NumberFormatError) as exc:
                problems.append(Problem(name, res_cell, str(exc), measure.raw, getattr(exc, "fix", "")))
                continue
            parsed.rows.append(ParsedRow(
                plan.plan_code, objective_no, indicator_no, part.part, level_of_label(measure.label) or "tinh",
                area_code, year, reading, agency, name, res_cell,
                f"{measure.label}: {measure.raw}" if measure.label else measure.raw,
            ))
    return parsed
