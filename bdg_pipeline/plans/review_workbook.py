"""The review workbook written for an officer (openpyxl): instructions in Vietnamese, the plan's facts, its
objectives, one row per target year of each part, activities and budget; dropdowns for unit, direction and
agency; wrapped text, frozen titles, rows marked “Cần xem lại” shaded."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..returns.columns import Column, letters
from ..vocabulary import DIRECTIONS, UNITS
from ..xlsx_layout import row_points
from .model import PlanDraft, TargetRow
from .sheets import (
    ACTIVITIES_SHEET,
    ACTIVITY_COLUMNS,
    BUDGET_CATEGORIES,
    BUDGET_COLUMNS,
    BUDGET_SHEET,
    CONTRACT_TITLES,
    FIRST_ROW,
    GUIDE_SHEET,
    LISTS_SHEET,
    MARKER,
    OBJECTIVE_COLUMNS,
    OBJECTIVES_SHEET,
    PLAN_FIELDS,
    PLAN_SHEET,
    PLAN_TITLES,
    TARGET_COLUMNS,
    TARGETS_SHEET,
    YES,
    names,
)

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FILL = PatternFill("solid", fgColor="DDEBF7")
EXTRA_FILL = PatternFill("solid", fgColor="EDEDED")  # titles of the columns after the contract
REVIEW_FILL = PatternFill("solid", fgColor="FFF2CC")
WRAP = Alignment(wrap_text=True, vertical="top")


def review_workbook(draft: PlanDraft, agency_names: Sequence[str], origin: str) -> Workbook:
    """The workbook for ``draft``; ``agency_names`` fill the agency dropdowns; ``origin`` says where the rows
    come from (the catalogue, or the document a draft was read from)."""
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE_SHEET
    _plan_sheet(wb.create_sheet(PLAN_SHEET), draft)
    _objectives_sheet(wb.create_sheet(OBJECTIVES_SHEET), draft)
    _targets_sheet(wb.create_sheet(TARGETS_SHEET), draft.rows, len(agency_names))
    if draft.activities:
        _activities_sheet(wb.create_sheet(ACTIVITIES_SHEET), draft, len(agency_names))
    if draft.budget:
        _budget_sheet(wb.create_sheet(BUDGET_SHEET), draft)
    _lists(wb, agency_names)
    meta = wb.create_sheet("_meta")
    meta.append(["marker", MARKER])
    meta.append(["plan_code", draft.info.code])
    meta.sheet_state = "veryHidden"
    _guide(guide, draft, origin)
    wb.active = wb.sheetnames.index(TARGETS_SHEET)
    return wb


def _lists(wb: Workbook, agency_names: Sequence[str]) -> None:
    lists = wb.create_sheet(LISTS_SHEET)
    columns = [list(UNITS), list(DIRECTIONS), list(agency_names), [YES], list(BUDGET_CATEGORIES.values())]
    for col, values in enumerate(columns, start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=col, value=value)
    lists.sheet_state = "hidden"


def _list_rule(column: str, count: int, title: str, message: str, strict: bool = True) -> DataValidation:
    rule = DataValidation(
        type="list",
        formula1=f"{LISTS_SHEET}!${column}$1:${column}${max(count, 1)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=message,
    )
    if not strict:  # several agencies may share a cell (“Sở Nội vụ; Ban Tổ chức Tỉnh ủy”): warn, do not forbid
        rule.errorStyle = "warning"
    return rule


def _titles(ws: Worksheet, columns: Sequence[Column], extra_from: int | None = None) -> None:
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=column.title)
        cell.font = Font(bold=True)
        cell.fill = EXTRA_FILL if extra_from is not None and col > extra_from else TITLE_FILL
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.column_dimensions[letters(tuple(columns))[column.key]].width = column.width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    ws.auto_filter.ref = f"A1:{letters(tuple(columns))[columns[-1].key]}1"
    _page(ws)
    ws.print_title_rows = "1:1"


def _page(ws: Worksheet, paper: str = "A4") -> None:
    """Printed landscape, one page wide, pages numbered."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "Trang &P / &N"


def _write_row(
    ws: Worksheet, row: int, columns: Sequence[Column], values: dict[str, object], shaded: bool = False
) -> None:
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=col, value=values.get(column.key))
        cell.alignment = WRAP
        cell.border = BORDER
        if column.number_format:
            cell.number_format = column.number_format
        if shaded:
            cell.fill = REVIEW_FILL
    ws.row_dimensions[row].height = row_points([(values.get(c.key) or "", c.width * 0.8) for c in columns])


def _plan_sheet(ws: Worksheet, draft: PlanDraft) -> None:
    info = draft.info
    due = {d.period: d for d in info.deadlines}
    values: dict[str, object] = {
        "code": info.code,
        "province": info.province,
        "title": info.title,
        "start": info.start,
        "end": info.end,
        "monitoring_start": info.monitoring_start,
        "monitoring_end": info.monitoring_end,
        "seed_file": info.seed_file,
        "province_code": info.province_code or None,
        "due_6thang": due["6thang"].due if "6thang" in due else None,
        "due_nam": due["nam"].due if "nam" in due else None,
        "budget_unit": info.budget_unit if draft.budget else None,
        "budget_source": info.budget_source or None,
    }
    notes = {
        "due_6thang": due["6thang"].source if "6thang" in due else "",
        "due_nam": due["nam"].source if "nam" in due else "",
    }
    for col, title in enumerate(PLAN_TITLES, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font, cell.fill, cell.border = Font(bold=True), TITLE_FILL, BORDER
    for row, (key, label) in enumerate(PLAN_FIELDS, start=FIRST_ROW):
        why = info.review.get(key, "")
        cells = (label, values[key], notes.get(key) or None, why or None)
        for col, value in enumerate(cells, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.alignment, cell.border = WRAP, BORDER
            if why:
                cell.fill = REVIEW_FILL
        ws.row_dimensions[row].height = row_points([(values[key] or "", 80), (why, 45)])
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 80
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 45
    ws.freeze_panes = "A2"
    _page(ws)


def _objectives_sheet(ws: Worksheet, draft: PlanDraft) -> None:
    _titles(ws, OBJECTIVE_COLUMNS)
    for row, obj in enumerate(draft.objectives, start=FIRST_ROW):
        _write_row(
            ws,
            row,
            OBJECTIVE_COLUMNS,
            {"number": obj.number, "field": obj.field, "text": obj.text, "source": obj.source or None},
        )


def target_values(t: TargetRow) -> dict[str, object]:
    return {
        "objective": t.objective_no,
        "indicator": t.indicator_no,
        "part": t.part or None,
        "text": t.text,
        "code": t.indicator_code or None,
        "unit": t.unit or None,
        "direction": t.direction or None,
        "year": t.year,
        "value": t.value,
        "leads": names(t.leads) or None,
        "cos": names(t.cos) or None,
        "review": t.review or None,
        "quote": t.quote or None,
        "baseline_value": t.baseline_value,
        "baseline_year": t.baseline_year,
        "yearly": YES if t.yearly else None,
        "indicator_name": t.indicator_name or None,
        "labels": "; ".join(t.labels) or None,
        "default": YES if t.default else None,
        "note": t.note or None,
        "source": t.source or None,
        "agency_source": t.agency_source or None,
    }


def _targets_sheet(ws: Worksheet, rows: list[TargetRow], agencies: int) -> None:
    _titles(ws, TARGET_COLUMNS, extra_from=len(CONTRACT_TITLES))
    # printed: the columns the officer reviews; the catalogue's own columns stay on screen
    _page(ws, "A3")
    ws.print_area = f"A1:{letters(TARGET_COLUMNS)['quote']}{FIRST_ROW + len(rows)}"
    for row, target in enumerate(rows, start=FIRST_ROW):
        _write_row(ws, row, TARGET_COLUMNS, target_values(target), shaded=bool(target.review))
    last = max(FIRST_ROW + len(rows) + 200, 500)  # room for rows the officer adds
    letter = letters(TARGET_COLUMNS)
    rules = {
        "unit": _list_rule("A", len(UNITS), "Đơn vị không hợp lệ", "Chọn đơn vị trong danh sách (percent, per_100 …)"),
        "direction": _list_rule(
            "B", len(DIRECTIONS), "Chiều không hợp lệ", "Chọn chiều trong danh sách (at_least, below …)"
        ),
        "leads": _list_rule(
            "C",
            agencies,
            "Cơ quan chưa có trong danh mục",
            "Chọn cơ quan trong danh sách; nhiều cơ quan thì ghi cách nhau bằng dấu “;”",
            strict=False,
        ),
        "cos": _list_rule(
            "C",
            agencies,
            "Cơ quan chưa có trong danh mục",
            "Chọn cơ quan trong danh sách; nhiều cơ quan thì ghi cách nhau bằng dấu “;”",
            strict=False,
        ),
        "yearly": _list_rule("D", 1, "Chỉ ghi “Có”", "Ghi “Có” hoặc để trống"),
        "default": _list_rule("D", 1, "Chỉ ghi “Có”", "Ghi “Có” hoặc để trống"),
    }
    for key, rule in rules.items():
        ws.add_data_validation(rule)
        rule.add(f"{letter[key]}{FIRST_ROW}:{letter[key]}{last}")
    years = DataValidation(
        type="whole",
        operator="between",
        formula1="2000",
        formula2="2050",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Năm không hợp lệ",
        error="Ghi năm bốn chữ số, ví dụ 2025",
    )
    ws.add_data_validation(years)
    years.add(f"{letter['year']}{FIRST_ROW}:{letter['year']}{last}")


def _activities_sheet(ws: Worksheet, draft: PlanDraft, agencies: int) -> None:
    _titles(ws, ACTIVITY_COLUMNS)
    for row, act in enumerate(draft.activities, start=FIRST_ROW):
        _write_row(
            ws,
            row,
            ACTIVITY_COLUMNS,
            {
                "number": act.number,
                "text": act.text,
                "lead": act.lead,
                "cos": names(act.cos) or None,
                "district": act.district or None,
                "commune": act.commune or None,
                "due": act.due,
                "source": act.source or None,
                "review": act.review or None,
            },
            shaded=bool(act.review),
        )
    letter = letters(ACTIVITY_COLUMNS)
    last = FIRST_ROW + len(draft.activities) + 100
    for key, strict in (("lead", True), ("cos", False)):
        rule = _list_rule("C", agencies, "Cơ quan chưa có trong danh mục", "Chọn cơ quan trong danh sách", strict)
        ws.add_data_validation(rule)
        rule.add(f"{letter[key]}{FIRST_ROW}:{letter[key]}{last}")


def _budget_sheet(ws: Worksheet, draft: PlanDraft) -> None:
    _titles(ws, BUDGET_COLUMNS)
    ws.cell(row=1, column=len(BUDGET_COLUMNS), value=f"Số tiền ({draft.info.budget_unit})")
    for row, line in enumerate(draft.budget, start=FIRST_ROW):
        _write_row(
            ws,
            row,
            BUDGET_COLUMNS,
            {
                "category": BUDGET_CATEGORIES[line.category],
                "name": line.name,
                "start": line.start,
                "end": line.end,
                "amount": line.amount,
            },
        )
    rule = _list_rule("E", len(BUDGET_CATEGORIES), "Loại không hợp lệ", "Chọn Tổng, Giai đoạn hoặc Nguồn")
    ws.add_data_validation(rule)
    rule.add(f"A{FIRST_ROW}:A{FIRST_ROW + len(draft.budget) + 20}")


def _guide(ws: Worksheet, draft: PlanDraft, origin: str) -> None:
    flagged = sum(1 for r in draft.rows if r.review) + sum(1 for a in draft.activities if a.review)
    lines = [
        "HƯỚNG DẪN RÀ SOÁT KẾ HOẠCH",
        f"Kế hoạch: {draft.info.code} — {draft.info.title}",
        f"Nguồn: {origin}",
        f"Số dòng cần xem lại: {flagged}" if flagged else "Không có dòng nào đánh dấu cần xem lại.",
        "",
        "1. Trang “KeHoach”: mã, tỉnh, tên, kỳ kế hoạch (từ năm, đến năm), hạn báo cáo (ngày/tháng, ví dụ 10/12).",
        "2. Trang “MucTieu”: mỗi dòng một mục tiêu (số, lĩnh vực, nội dung).",
        "3. Trang “ChiTieu”: mỗi dòng là một năm mục tiêu của một chỉ tiêu (hoặc một phần a, b, c của chỉ tiêu "
        "khi chỉ tiêu nêu nhiều đích đo được). Chỉ tiêu “hằng năm” có một dòng cho mỗi năm của kỳ kế hoạch "
        "(cột “Hằng năm” ghi “Có”); chỉ tiêu không ghi năm có hai dòng, năm 2025 và năm 2030.",
        "4. Cột “Đơn vị”: percent (%), per_100 (/100), per_1000 (/1.000), per_100000 (/100.000), times (lần), "
        "count_per_month (số lượng mỗi tháng), count_per_quarter (số lượng mỗi quý), yes_no (có/không: 1 = đạt).",
        "5. Cột “Chiều”: " + "; ".join(f"{code} {label}" for code, label in DIRECTIONS.items()) + ".",
        "6. Cột “Mã chỉ số”: mã trong danh mục chỉ số dùng chung (indicators.yaml); mã mới (chữ thường, số, dấu _) "
        "được thêm vào danh mục khi nạp, với “Tên chỉ số” và “Đơn vị” của dòng.",
        "7. Cơ quan chủ trì, phối hợp: chọn trong danh sách, ghi đủ tên; nhiều cơ quan thì cách nhau bằng dấu “;” "
        "(cơ quan chủ trì ghi đầu tiên là cơ quan báo cáo số liệu).",
        "8. Cột “Cần xem lại” (tô vàng) nói vì sao văn bản chưa đủ rõ. Sửa các ô liên quan rồi XÓA nội dung ô "
        "“Cần xem lại”: tệp còn dòng cần xem lại sẽ không được nạp.",
        "9. Cột “Câu trong kế hoạch”: câu chữ trong văn bản mà dòng được đọc ra, để đối chiếu.",
        "10. Nạp vào danh mục: bdg plan load <tệp.xlsx>. Lỗi (nếu có) chỉ rõ trang tính và ô.",
    ]
    for i, line in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = row_points([(line, 110)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 110
    _page(ws)
