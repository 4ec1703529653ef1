"""The project's return template (biểu mẫu báo cáo): written for one plan, agency, year and period,
and read back exactly.

Sheet "BaoCao" holds a header block and one row per chỉ tiêu × part × level × area; indicator codes
and wording are locked, level and area are dropdowns, numbers have formats and validation. A hidden
sheet "_meta" says which plan, agency, year and period the workbook belongs to.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..agencies import COLLECTING_OFFICE, PART_KEY, answering_on, not_in_existence
from ..areas import AreaError, display_name, plain, units_for, world_date
from ..areas import resolve as resolve_area
from ..catalogue import Catalogue
from ..numbers import Measure, NumberFormatError, normalize_text, parse_number, shorten
from ..units import Reading, format_vn, read_measure, unit_words
from ..vocabulary import LEVELS, PERIODS
from .columns import Column, letters, positions
from .model import ParsedReturn, ParsedRow, Problem, ReturnRejected, fold, part_number, province_area_code
from .plan_sheets import (
    ACTIVITY_SHEET,
    SPENDING_SHEET,
    SheetContext,
    add_activity_sheet,
    add_spending_sheet,
    agency_activities,
    budget_sources,
    read_activities,
    read_spending,
)
from .today import is_ahead
from .value_checks import value_validation
from .workbook import CellError, Grid

MARKER = "bdg_template"
VERSION = 1
SHEET = "BaoCao"
LISTS = "DanhMuc"
FIRST_ROW = 14
HEADER_CELLS = {"report_date": "C9", "contact": "C10", "phone": "C11"}
HEADER_VALUE_SPAN = 5  # the header's answers (C4:C11) are merged across C:E


COLUMNS = (
    Column("number", "STT", 6),
    Column("objective", "Mục tiêu", 14),
    Column("indicator", "Chỉ tiêu", 8),
    Column("part", "Phần", 6),
    Column("code", "Mã chỉ tiêu", 30),
    Column("text", "Nội dung chỉ tiêu", 60),
    Column("unit", "Đơn vị", 12),
    Column("level", "Cấp", 12, officer_fills=True),
    Column("area", "Địa bàn", 18, officer_fills=True),
    Column("numerator", "Tử số", 12, officer_fills=True, number_format="#,##0"),
    Column("denominator", "Mẫu số", 12, officer_fills=True, number_format="#,##0"),
    Column("value", "Giá trị", 12, officer_fills=True, number_format="#,##0.00"),
    Column("note", "Ghi chú", 30, officer_fills=True),
)
POSITION = positions(COLUMNS)
LETTER = letters(COLUMNS)
NUMBER_KEYS = ("numerator", "denominator", "value")
LEVEL_BY_LABEL = {fold(label): code for code, label in LEVELS.items()}
WITHDRAW_WORD = "xoa"  # “Xóa” in a value cell, folded: the earlier value is withdrawn


def cell_name(key: str, row: int) -> str:
    """Where column ``key`` of ``row`` is, as Excel names it ("J14")."""
    return f"{LETTER[key]}{row}"


class TemplateError(ValueError):
    """Asked for a template that cannot exist (message for officers)."""


def agency_indicators(catalogue: Catalogue, plan_code: str, agency_code: str, day: dt.date | None = None):
    """The chỉ tiêu parts whose numbers the agency reports in the plan, in plan order: those it is the first
    lead of, or on ``day``, those it answers for then (a successor for a dissolved lead's parts)."""
    pi = catalogue.plan_indicators
    if day is None:
        rows = pi[(pi.plan_code == plan_code) & (pi.lead_agency == agency_code)]
    else:
        now = answering_on(catalogue.reporters, day)
        rows = pi.merge(now[(now.plan_code == plan_code) & (now.agency_code == agency_code)][PART_KEY], on=PART_KEY)
    return rows.sort_values(["objective_no", "indicator_no", "part"])


def agency_candidates(catalogue: Catalogue, plan_code: str, typed: str) -> str:
    """What to say when an agency name is not recognised: the agencies it may mean, else every agency that
    leads a chỉ tiêu in the plan."""
    agencies = catalogue.agencies
    pi = catalogue.plan_indicators
    leads = set(pi[pi.plan_code == plan_code].lead_agency)
    wanted = plain(typed)
    near = [
        name
        for name, aliases in zip(agencies.name, agencies.aliases, strict=True)
        if wanted
        and any(wanted in plain(n) or plain(n) in wanted for n in [name, *str(aliases).split(";")] if plain(n))
    ]
    shown = near or [n for c, n in zip(agencies.agency_code, agencies.name, strict=True) if c in leads]
    return (
        f"Không nhận ra cơ quan “{typed}”. "
        + ("Có phải: " if near else "Các cơ quan chủ trì trong kế hoạch: ")
        + "; ".join(f"“{n}”" for n in shown)
        + ". Ghi đúng tên, có dấu."
    )


def build_template(
    catalogue: Catalogue, plan_code: str, agency: str, year: int, period: str = "nam", banner: str | None = None
) -> Workbook:
    from .model import resolve_agency

    plans = catalogue.plans.set_index("plan_code")
    if plan_code not in plans.index:
        raise TemplateError(f"Không có kế hoạch “{plan_code}”. Các kế hoạch: {', '.join(plans.index)}")
    plan = plans.loc[plan_code]
    agency_code = resolve_agency(catalogue, agency)
    if agency_code is None:
        raise TemplateError(agency_candidates(catalogue, plan_code, agency))
    if period not in PERIODS:
        raise TemplateError(f"Kỳ báo cáo “{period}” không hợp lệ: dùng {' hoặc '.join(PERIODS)}")
    if not plan.monitoring_start <= year <= plan.monitoring_end:
        raise TemplateError(
            f"Năm {year} nằm ngoài kỳ theo dõi của kế hoạch {plan_code} ({plan.monitoring_start}–{plan.monitoring_end})"
        )
    day = world_date(year, period)
    if not catalogue.timeline.exists_on(agency_code, day):
        raise TemplateError(
            not_in_existence(catalogue.timeline, catalogue.reporters, plan_code, agency_code, year, day)
        )
    indicators = agency_indicators(catalogue, plan_code, agency_code, day)
    activities = agency_activities(catalogue, plan_code, agency_code)
    sources = budget_sources(catalogue, plan_code)
    if indicators.empty and activities.empty:
        raise TemplateError(
            f"{agency} không chủ trì báo cáo chỉ tiêu nào và không có hoạt động nào trong kế hoạch {plan_code}"
        )
    agency_name = catalogue.agencies.set_index("agency_code").at[agency_code, "name"]
    names = catalogue.indicator_codes.set_index("indicator_code")["name"]
    units = template_units(catalogue, plan.province, year, period)
    areas = units.display.tolist()
    levels = template_levels(units)
    office_code = catalogue.timeline.on(COLLECTING_OFFICE, "", day)

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    bold = Font(bold=True)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    locked_fill = PatternFill("solid", fgColor="EDEDED")
    ws["A1"] = "BIỂU BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ TIÊU BÌNH ĐẲNG GIỚI"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = plan.title
    if banner:
        ws["A3"] = banner
        ws["A3"].font = Font(bold=True, color="C00000")
    header = [
        ("Tỉnh", plan.province),
        ("Kế hoạch", plan_code),
        ("Cơ quan báo cáo", agency_name),
        ("Năm số liệu", year),
        ("Kỳ báo cáo", PERIODS[period]),
        ("Ngày báo cáo", None),
        ("Người liên hệ", None),
        ("Điện thoại / email", None),
    ]
    for i, (label, value) in enumerate(header, start=4):
        # labels across A:B and answers across C:E, so a typed date is not “###” and no label is cut
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=2)
        ws.merge_cells(start_row=i, start_column=3, end_row=i, end_column=HEADER_VALUE_SPAN)
        ws.cell(row=i, column=1, value=label).font = bold
        cell = ws.cell(row=i, column=3, value=value)
        cell.alignment = Alignment(horizontal="left")
        if value is None:
            cell.protection = Protection(locked=False)
            for col in range(3, HEADER_VALUE_SPAN + 1):
                ws.cell(row=i, column=col).border = border
    ws[HEADER_CELLS["report_date"]].number_format = "DD/MM/YYYY"
    for col, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=FIRST_ROW - 1, column=col, value=column.title)
        cell.font, cell.border = bold, border
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")

    # Per chỉ tiêu: the province's own rows at each level (as the plans' appendices report them),
    # then one row per district and commune of the province valid in the return's year.
    below = zip(units.level.iloc[1:], units.display.iloc[1:], strict=True)
    places = [(level, areas[0]) for level in levels] + list(below)
    row = FIRST_ROW
    blocks: list[tuple[str, int, int]] = []  # (unit, first row, last row) of each chỉ tiêu part
    for number, ind in enumerate(indicators.itertuples(), start=1):
        blocks.append((ind.unit, row, row + len(places) - 1))
        for level, place in places:
            prefilled = {
                "number": number,
                "objective": ind.objective_no,
                "indicator": ind.indicator_no,
                "part": ind.part,
                "code": ind.indicator_code,
                "text": names[ind.indicator_code],
                "unit": unit_words(ind.unit, names[ind.indicator_code]),
                "level": LEVELS[level],
                "area": place,
            }
            for col, column in enumerate(COLUMNS, start=1):
                cell = ws.cell(row=row, column=col, value=prefilled.get(column.key))
                cell.border = border
                if column.officer_fills:
                    cell.protection = Protection(locked=False)
                else:
                    cell.fill = locked_fill
                if column.number_format:
                    cell.number_format = column.number_format
            row += 1
    if indicators.empty:
        ws.cell(
            row=FIRST_ROW,
            column=1,
            value="(Cơ quan không chủ trì báo cáo chỉ tiêu nào của kế hoạch này: "
            "báo cáo các hoạt động ở trang “HoatDong”.)",
        ).font = Font(italic=True)
    last = max(row - 1, FIRST_ROW)

    lists = wb.create_sheet(LISTS)
    for i, level in enumerate(levels, start=1):
        lists.cell(row=i, column=1, value=LEVELS[level])
    for i, name in enumerate(areas, start=1):
        lists.cell(row=i, column=2, value=name)
    lists.sheet_state = "hidden"
    validations = {
        "level": DataValidation(
            type="list",
            formula1=f"{LISTS}!$A$1:$A${len(levels)}",
            allow_blank=True,
            error="Chọn " + " hoặc ".join(LEVELS[lv] for lv in levels),
            errorTitle="Cấp không hợp lệ",
        ),
        "area": DataValidation(
            type="list",
            formula1=f"{LISTS}!$B$1:$B${max(len(areas), 1)}",
            allow_blank=True,
            error="Chọn địa bàn trong danh sách",
            errorTitle="Địa bàn không hợp lệ",
        ),
        "numerator": DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            error="Nhập số nguyên không âm",
            errorTitle="Tử số không hợp lệ",
        ),
        "denominator": DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            error="Nhập số nguyên không âm",
            errorTitle="Mẫu số không hợp lệ",
        ),
    }
    for key, validation in validations.items():
        validation.showErrorMessage = True
        ws.add_data_validation(validation)
        validation.add(f"{cell_name(key, FIRST_ROW)}:{cell_name(key, last)}")
    for unit, first, end in blocks:
        validation = value_validation(unit, cell_name("value", first))
        ws.add_data_validation(validation)
        validation.add(f"{cell_name('value', first)}:{cell_name('value', end)}")
    for column in COLUMNS:
        ws.column_dimensions[LETTER[column.key]].width = column.width
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.print_title_rows = f"{FIRST_ROW - 1}:{FIRST_ROW - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False

    if not activities.empty:
        add_activity_sheet(wb, activities, agency_name, year, lists, len(areas))
    if not sources.empty and agency_code == office_code:  # the office collecting the returns reports the money
        unit_note = str(sources.unit_note.iloc[0] or "triệu đồng")
        add_spending_sheet(wb, sources, agency_name, year, unit_note)
    meta = wb.create_sheet("_meta")
    for key, value in (
        ("marker", MARKER),
        ("version", VERSION),
        ("plan_code", plan_code),
        ("agency_code", agency_code),
        ("year", year),
        ("period", period),
    ):
        meta.append([key, value])
    meta.sheet_state = "veryHidden"
    office = catalogue.agencies.set_index("agency_code").at[office_code, "name"]
    _instructions(wb.create_sheet("HuongDan", 0), plan_code, agency_name, year, period, office)
    wb.active = 1
    return wb


def _instructions(ws, plan_code: str, agency_name: str, year: int, period: str, office: str) -> None:
    lines = [
        "HƯỚNG DẪN ĐIỀN BIỂU BÁO CÁO",
        f"Kế hoạch: {plan_code} — Cơ quan báo cáo: {agency_name} — Năm số liệu: {year} — {PERIODS[period]}",
        "",
        "1. Điền số liệu ở trang “BaoCao”, mỗi dòng là một chỉ tiêu ở một cấp (tỉnh, huyện, xã) và một địa bàn.",
        "2. Các cột Mục tiêu, Chỉ tiêu, Mã chỉ tiêu, Nội dung, Đơn vị đã khóa: không sửa, không xóa dòng.",
        "3. Tỷ lệ (%): ghi Tử số và Mẫu số bằng số nguyên (ví dụ 48 và 93); hệ thống tự tính tỷ lệ. "
        "Nếu chỉ có tỷ lệ, ghi vào cột Giá trị (ví dụ 51,61).",
        "4. Tỷ suất /100, /1.000, /100.000: ghi Tử số, Mẫu số (số ca, số trẻ đẻ sống) hoặc ghi thẳng giá trị "
        "vào cột Giá trị (ví dụ 17,1 cho 17,1/100.000).",
        "5. Chỉ tiêu “lần”: ghi giá trị, ví dụ 1,5. Chỉ tiêu có/không: ghi “Có” hoặc “Không” vào cột Giá trị.",
        "6. Không ghi chữ vào ô số (ví dụ “năm mươi”); không ghi số âm; tử số không lớn hơn mẫu số. Ô Giá trị của "
        "chỉ tiêu tỷ lệ (%) ghi 51,61 hoặc 51,61%.",
        "7. Dòng không có số liệu: để trống cả Tử số, Mẫu số và Giá trị.",
        "   Gửi lại để bổ sung hoặc sửa: chỉ cần điền các dòng cần thay; dòng để trống giữ nguyên số liệu đã gửi "
        "trước. Báo cáo có Ngày báo cáo muộn hơn được dùng (cùng ngày: báo cáo đến sau).",
        "   Rút lại một số liệu đã gửi: ghi chữ “Xóa” vào cột Giá trị của dòng đó (không cần dấu, chữ hoa hay thường "
        "đều được) và để trống Tử số, Mẫu số.",
        "8. Chọn Cấp và Địa bàn trong danh sách thả xuống.",
        "9. Trang “HoatDong” (nếu có): chọn tình trạng từng hoạt động, ngày, địa bàn, kết quả và số người tham "
        "gia (nam, nữ). Trang “KinhPhi” (nếu có): kinh phí được bố trí và đã chi trong năm theo nguồn, triệu đồng.",
        f"10. Lưu tệp dạng .xlsx (không đặt mật khẩu, không dùng macro) và gửi về {office}.",
        "Tệp sai sẽ được trả lại kèm báo cáo lỗi chỉ rõ trang tính, ô, giá trị và cách sửa.",
    ]
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=line)
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 120


def template_levels(units: pd.DataFrame) -> list[str]:
    """The levels a template's province rows carry: no “Cấp huyện” once districts no longer exist (from
    1 July 2025), as the area dataset's validity says."""
    return [level for level in LEVELS if level != "huyen" or (units.level == "huyen").any()]


def template_units(catalogue: Catalogue, province: str, year: int, period: str) -> pd.DataFrame:
    """The province (its pre-2025 territory) and the units inside it valid for the return's period,
    with the names the dropdown shows."""
    key = ("template_units", province, world_date(year, period))
    if key in catalogue.cache:
        return catalogue.cache[key]
    code = province_area_code(catalogue, province)
    if code is None:
        raise TemplateError(f"Tỉnh “{province}” không có trong danh mục đơn vị hành chính")
    units = units_for(catalogue.areas, code, world_date(year, period)).copy()
    parents = dict(zip(catalogue.areas.area_code, catalogue.areas.area_name, strict=True))
    units["display"] = [
        name if level != "xa" else display_name(name, parents.get(parent))
        for name, level, parent in zip(units.area_name, units.level, units.parent_code, strict=True)
    ]
    catalogue.cache[key] = units.reset_index(drop=True)
    return catalogue.cache[key]


def is_template(grids: Mapping[str, Grid]) -> bool:
    return "_meta" in grids and grids["_meta"]["B1"] == MARKER


ALTERED = Problem(
    "_meta",
    "B1",
    "Biểu mẫu của hệ thống đã bị sửa phần nhận dạng (trang ẩn _meta): không đọc được "
    "như biểu mẫu, cũng không phải bảng phụ lục",
    fix="Tạo lại biểu mẫu bằng lệnh “bdg template”, chép số liệu sang rồi gửi lại; không sửa trang _meta.",
)


def is_altered_template(grids: Mapping[str, Grid]) -> bool:
    """The project's template whose identifying sheet was edited (it is neither a template nor an appendix)."""
    return "_meta" in grids and SHEET in grids and not is_template(grids)


NO_DATA_HINT = "Nếu chưa có số liệu, để trống ô."
PERCENT_TEXT = re.compile(r"(\d+(?:[.,]\d+)*)\s*%")  # one share and its sign, nothing else: “45%”, “51,61 %”
# .xls and .ods are read without number formats: 51,61 % typed into a percent cell arrives as 0.5161
PERCENT_LOST = (
    "Ô số {shown} có thể là tỷ lệ phần trăm bị lưu dưới dạng số thập phân (định dạng %, tệp .xls/.ods "
    "không giữ định dạng)"
)
PERCENT_LOST_FIX = "Ghi rõ tỷ lệ kèm dấu %, ví dụ “51,61%”, hoặc lưu tệp dưới dạng .xlsx."
# NaN and INF cannot be typed in Excel; a program that wrote the file put them there
NOT_FINITE = "Ô chứa giá trị không phải là một số (NaN hoặc vô cực), do chương trình tạo tệp ghi vào"
NOT_FINITE_FIX = f"Ghi lại số liệu vào ô này bằng Excel (hoặc để trống), lưu lại rồi gửi lại. {NO_DATA_HINT}"
EXCEL_ERRORS = {
    "#DIV/0!": "chia cho 0",
    "#N/A": "hàm tra cứu không tìm thấy giá trị",
    "#VALUE!": "phép tính gặp chữ",
    "#REF!": "tham chiếu tới ô đã bị xóa",
    "#NAME?": "tên hàm hoặc tên vùng sai",
    "#NUM!": "số không hợp lệ",
    "#NULL!": "vùng không giao nhau",
}


def _number(value: object, sheet: str, cell: str, problems: list[Problem]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, CellError):
        cause = EXCEL_ERRORS.get(value.code, "công thức không tính ra được")
        problems.append(
            Problem(
                sheet,
                cell,
                f"Ô có lỗi công thức {value.code} ({cause})",
                value.code,
                f"Sửa công thức để ra một số, hoặc ghi số trực tiếp. {NO_DATA_HINT}",
            )
        )
        return None
    if isinstance(value, bool):
        problems.append(Problem(sheet, cell, "Ô số chứa giá trị đúng/sai", str(value), f"Ghi một số. {NO_DATA_HINT}"))
        return None
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(Problem(sheet, cell, NOT_FINITE, "NaN" if value != value else "INF", NOT_FINITE_FIX))
        return None
    if isinstance(value, (int, float)):
        if value < 0:
            problems.append(Problem(sheet, cell, "Số liệu không được âm", str(value), "Ghi số không âm."))
            return None
        if isinstance(value, int) or value.is_integer():
            return Decimal(int(value))  # the common case, counts: no trip through str
        number = Decimal(str(value)).normalize()  # 5321.0 → 5321, so decimals count what was typed
        return number.quantize(Decimal(1)) if number == number.to_integral_value() else number
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        problems.append(
            Problem(
                sheet,
                cell,
                "Ô số đang ở dạng ngày giờ",
                str(value),
                "Định dạng lại ô thành Số (Format Cells > Number) rồi ghi lại số liệu.",
            )
        )
        return None
    text = normalize_text(str(value))
    if text.startswith(("-", "−", "–")) and text.lstrip("-−– ")[:1].isdigit():
        problems.append(Problem(sheet, cell, "Số liệu không được âm", text, "Ghi số không âm."))
        return None
    try:
        return parse_number(text)
    except NumberFormatError as exc:
        problems.append(
            Problem(
                sheet,
                cell,
                "Ô số chứa chữ hoặc ký hiệu",
                normalize_text(str(value)),
                f"Chỉ ghi một số, ví dụ 48 hoặc 51,61 (không ghi bằng chữ, không ghi khoảng). {NO_DATA_HINT}"
                if not exc.fix
                else exc.fix,
            )
        )
        return None


EXCEL_DAY_ZERO = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 in Excel's (Lotus-compatible) count
TEXT_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")


def read_report_date(value: object) -> dt.date | None:
    """The report date as Excel shows it: a date cell, an Excel serial number, or text “15/12/2025”."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 36526 <= value < 73051:  # 2000–2099
        return EXCEL_DAY_ZERO + dt.timedelta(days=int(value))
    if isinstance(value, str) and (match := TEXT_DATE.fullmatch(value.strip())):
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)  # ValueError for 31/02/2025
    raise ValueError(str(value))


def _meta_year(value: object) -> int:
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(f"năm “{value}”")


def _is_blank(row: list[Any]) -> bool:
    return all(POSITION[k] >= len(row) or row[POSITION[k]] in (None, "") for k in NUMBER_KEYS)


def parse_template(grids: Mapping[str, Grid], catalogue: Catalogue) -> ParsedReturn:
    """Read a filled template (its sheets' values, see :func:`workbook.open_values`)."""
    meta = {row[0]: row[1] for row in grids["_meta"].rows if len(row) >= 2}
    try:
        plan_code, agency_code = str(meta["plan_code"]), str(meta["agency_code"])
        year, period = _meta_year(meta["year"]), str(meta["period"])
    except (KeyError, ValueError) as exc:
        raise ReturnRejected(
            [
                Problem(
                    "_meta",
                    "",
                    "Trang ẩn “_meta” của biểu mẫu đã bị sửa nên không biết biểu thuộc kế hoạch, cơ quan, năm nào",
                    str(exc),
                    "Tạo lại biểu mẫu bằng lệnh “bdg template”, chép số liệu sang rồi gửi lại; "
                    "không sửa trang “_meta”.",
                )
            ]
        ) from exc
    provinces = catalogue.plan_provinces
    problems: list[Problem] = []
    if plan_code not in provinces:
        problems.append(
            Problem(
                "_meta",
                "B3",
                "Biểu mẫu thuộc kế hoạch không còn trong danh mục",
                plan_code,
                "Tải biểu mẫu mới bằng lệnh bdg template.",
            )
        )
        return ParsedReturn("template", plan_code, "", agency_code, year, period, problems=problems)
    province = provinces[plan_code]
    plan = catalogue.plans.set_index("plan_code").loc[plan_code]
    if agency_code not in set(catalogue.agencies.agency_code):
        problems.append(
            Problem(
                "_meta",
                "B4",
                "Biểu mẫu ghi cơ quan không có trong danh mục",
                agency_code,
                "Tạo lại biểu mẫu bằng lệnh “bdg template”; không sửa trang “_meta”.",
            )
        )
    elif period in PERIODS and not catalogue.timeline.exists_on(agency_code, world_date(year, period)):
        problems.append(
            Problem(
                "_meta",
                "B4",
                not_in_existence(
                    catalogue.timeline, catalogue.reporters, plan_code, agency_code, year, world_date(year, period)
                ),
                agency_code,
                "Tạo biểu mẫu cho cơ quan kế nhiệm bằng lệnh “bdg template”, chép số "
                "liệu sang và gửi lại từ cơ quan đó.",
            )
        )
    if period not in PERIODS:
        problems.append(
            Problem(
                "_meta",
                "B6",
                "Biểu mẫu ghi kỳ báo cáo không hợp lệ",
                period,
                f"Kỳ báo cáo là {' hoặc '.join(PERIODS)}; tạo lại biểu mẫu bằng lệnh “bdg template”.",
            )
        )
    if not plan.monitoring_start <= year <= plan.monitoring_end:
        problems.append(
            Problem(
                "_meta",
                "B5",
                f"Năm {year} nằm ngoài kỳ theo dõi của kế hoạch {plan_code} "
                f"({plan.monitoring_start}–{plan.monitoring_end})",
                str(year),
                "Tạo lại biểu mẫu cho đúng năm bằng lệnh “bdg template”.",
            )
        )
    if problems:
        return ParsedReturn("template", plan_code, province, agency_code, year, period, problems=problems)
    if SHEET not in grids:
        problems.append(Problem(SHEET, "", "Thiếu trang tính “BaoCao”", fix="Dùng đúng biểu mẫu, không đổi tên trang."))
        return ParsedReturn("template", plan_code, province, agency_code, year, period, problems=problems)
    ws = grids[SHEET]
    contact = " ".join(str(ws[HEADER_CELLS[k]]) for k in ("contact", "phone") if ws[HEADER_CELLS[k]])
    report_date = None
    try:
        report_date = read_report_date(ws[HEADER_CELLS["report_date"]])
    except ValueError as exc:
        problems.append(
            Problem(
                SHEET,
                HEADER_CELLS["report_date"],
                "Ngày báo cáo không đọc được thành ngày",
                str(exc),
                "Ghi ngày dạng ngày/tháng/năm, ví dụ 15/12/2025, hoặc để trống.",
            )
        )
    if report_date is not None and is_ahead(report_date):
        problems.append(
            Problem(
                SHEET,
                HEADER_CELLS["report_date"],
                "Ngày báo cáo sau ngày hôm nay",
                f"{report_date:%d/%m/%Y}",
                "Ghi ngày lập báo cáo (không muộn hơn hôm nay).",
            )
        )
        report_date = None
    parsed = ParsedReturn(
        "template",
        plan_code,
        province,
        agency_code,
        year,
        period,
        contact=contact or None,
        report_date=report_date,
        problems=problems,
    )
    units = template_units(catalogue, province, year, period)
    by_display = dict(zip(units.display.map(fold), units.area_code, strict=True))
    context = RowContext(
        plan_code,
        agency_code,
        year,
        catalogue.parts_index,
        by_display,
        units,
        formats_unknown=bool(getattr(grids, "values_only", False)),
    )
    for r in range(FIRST_ROW, ws.max_row + 1):
        row = ws.rows[r - 1]
        if _is_blank(row):
            continue  # nothing reported on this row
        before = len(problems)
        read = _read_row(row, r, context, problems)
        if read is not None:
            parsed.rows.append(read)
        if len(problems) > before:  # said in words only for rows at fault: most rows have none
            about = _about(row, plan_code, catalogue)
            problems[before:] = [replace(p, about=about) for p in problems[before:]]
    sheets = SheetContext(
        plan_code, province, agency_code, year, int(plan.period_start), units, _number, read_report_date
    )
    if ACTIVITY_SHEET in grids:
        parsed.activities = read_activities(grids[ACTIVITY_SHEET], catalogue, sheets, problems)
    if SPENDING_SHEET in grids:
        parsed.spending = read_spending(grids[SPENDING_SHEET], catalogue, sheets, problems)
    return parsed


@dataclass(frozen=True)
class RowContext:
    plan_code: str
    agency_code: str
    year: int
    parts: dict[tuple[str, int, int, str], tuple[str, str]]
    by_display: dict[str, str]
    units: pd.DataFrame
    formats_unknown: bool = False  # .xls/.ods: a percent-formatted 51,61 % reads 0.5161


def _at(row: list[Any], key: str) -> Any:
    index = POSITION[key]
    value = row[index] if index < len(row) else None
    return None if value == "" else value


def _about(row: list[Any], plan_code: str, catalogue: Catalogue) -> str:
    """The chỉ tiêu and area a row reports, in words, for the officer's error report."""
    objective, indicator, part = _at(row, "objective"), _at(row, "indicator"), _at(row, "part") or ""
    place, level = _at(row, "area"), _at(row, "level")
    try:
        # a workbook stores the numbers 5 and 2 as 5.0 and 2.0: the officer's sheet prints “5.2a”
        key = (plan_code, int(objective), int(indicator), str(part))
    except (TypeError, ValueError):
        key = None
    text = f"chỉ tiêu {part_number(*key[1:]) if key else f'{objective}.{indicator}{part}'}"
    code = catalogue.parts_index.get(key) if key else None
    if code is not None:
        text += f" “{shorten(catalogue.indicator_names.get(code[0], ''))}”"
    if place:
        text += f", {normalize_text(str(place))}"
    return text + (f" ({level})" if level else "")


def _read_row(row: list[Any], r: int, context: RowContext, problems: list[Problem]) -> ParsedRow | None:
    """One filled row of the sheet, or None with its problems appended."""
    try:
        key = (context.plan_code, int(_at(row, "objective")), int(_at(row, "indicator")), str(_at(row, "part") or ""))
    except (TypeError, ValueError):
        problems.append(
            Problem(
                SHEET,
                cell_name("objective", r),
                "Dòng có số liệu nhưng không có mã mục tiêu/chỉ tiêu",
                fix="Không thêm dòng mới; dùng các dòng có sẵn của biểu mẫu.",
            )
        )
        return None
    if key not in context.parts:
        problems.append(
            Problem(
                SHEET,
                cell_name("indicator", r),
                "Chỉ tiêu không có trong kế hoạch",
                f"chỉ tiêu {part_number(*key[1:])}",
                "Tải lại biểu mẫu mới.",
            )
        )
        return None
    unit = context.parts[key][1]
    level_text, place = _at(row, "level"), _at(row, "area")
    level = LEVEL_BY_LABEL.get(fold(level_text or ""))
    if level is None:
        problems.append(
            Problem(
                SHEET,
                cell_name("level", r),
                "Cấp không hợp lệ",
                normalize_text(str(level_text or "")),
                "Chọn Cấp tỉnh, Cấp huyện hoặc Cấp xã.",
            )
        )
    area_code = context.by_display.get(fold(place or ""))
    if area_code is None:
        try:
            area_code = resolve_area(normalize_text(str(place or "")), context.units)
        except AreaError as exc:
            problems.append(
                Problem(
                    SHEET,
                    cell_name("area", r),
                    f"Địa bàn không có trong danh mục của năm {context.year}: {exc}",
                    normalize_text(str(place or "")),
                    "Chọn địa bàn trong danh sách thả xuống.",
                )
            )
    withdrawal = _withdrawal(row, r, problems)
    if withdrawal is not None:
        if not withdrawal or level is None or area_code is None:
            return None
        return ParsedRow(
            context.plan_code,
            key[1],
            key[2],
            key[3],
            level,
            area_code,
            context.year,
            Reading(None, None, None, None),
            context.agency_code,
            SHEET,
            cell_name("value", r),
            normalize_text(str(_at(row, "value"))),
            withdrawn=True,
        )
    before = len(problems)
    numerator = _number(_at(row, "numerator"), SHEET, cell_name("numerator", r), problems)
    denominator = _number(_at(row, "denominator"), SHEET, cell_name("denominator", r), problems)
    value_cell = _at(row, "value")
    value = None
    if unit == "percent" and isinstance(value_cell, str) and (share := PERCENT_TEXT.fullmatch(value_cell.strip())):
        value_cell = share.group(1)  # “45%” typed as text in a percent chỉ tiêu says what it means
    if not (unit == "yes_no" and isinstance(value_cell, str)):
        value = _number(value_cell, SHEET, cell_name("value", r), problems)
    if context.formats_unknown and unit == "percent" and isinstance(value_cell, float) and 0 < value_cell < 1:
        problems.append(
            Problem(
                SHEET,
                cell_name("value", r),
                PERCENT_LOST.format(shown=format_vn(value_cell, 6)),
                format_vn(value_cell, 6),
                PERCENT_LOST_FIX,
            )
        )
    if len(problems) > before or level is None or area_code is None:
        return None  # the cell at fault is named above; nothing further can be read from this row
    if (numerator is None) != (denominator is None):
        missing = "denominator" if denominator is None else "numerator"
        problems.append(
            Problem(
                SHEET,
                cell_name(missing, r),
                f"Có {'tử số' if missing == 'denominator' else 'mẫu số'} mà thiếu "
                f"{'mẫu số' if missing == 'denominator' else 'tử số'}",
                "",
                "Ghi đủ cả tử số và mẫu số, hoặc để trống cả hai và ghi ở cột Giá trị.",
            )
        )
        return None
    if unit == "yes_no":
        if isinstance(value_cell, str):
            raw = value_cell
        elif value is None:
            raw = ""
        else:
            raw = str(int(value)) if value in (0, 1) else str(value)
        measure = Measure(raw=raw)
    else:
        measure = Measure(
            raw=" / ".join(_shown(x) for x in (numerator, denominator, value) if x is not None),
            numerator=numerator,
            denominator=denominator,
            percent=value if unit == "percent" else None,
            value_decimals=_decimals(value),
            times=value if unit == "times" else None,
            number=value if unit not in ("percent", "times") else None,
        )
    source = "numerator" if numerator is not None else "value"
    try:
        reading = read_measure(measure, unit)
    except NumberFormatError as exc:
        numbers = {"numerator": numerator, "denominator": denominator, "value": value}
        at = exc.concerns if numbers.get(exc.concerns) is not None else source
        shown = numbers[at]
        problems.append(
            Problem(
                SHEET,
                cell_name(at, r),
                str(exc).split(": ", 1)[-1],
                measure.raw if shown is None else format_vn(float(shown), 6),
                exc.fix,
            )
        )
        return None
    return ParsedRow(
        context.plan_code,
        key[1],
        key[2],
        key[3],
        level,
        area_code,
        context.year,
        reading,
        context.agency_code,
        SHEET,
        cell_name(source, r),
        measure.raw,
    )


def is_withdrawal_word(value: object) -> bool:
    """“Xóa” as officers write it: with or without diacritics (Xoá, XOA), any case, extra spaces."""
    return isinstance(value, str) and plain(value) == WITHDRAW_WORD


def _withdrawal(row: list[Any], r: int, problems: list[Problem]) -> bool | None:
    """None when the row reports numbers; True when its value cell withdraws the earlier value (“Xóa”);
    False when “Xóa” is written where it cannot be read (problems appended)."""
    words = [key for key in NUMBER_KEYS if is_withdrawal_word(_at(row, key))]
    if not words:
        return None
    if words != ["value"]:
        misplaced = [key for key in words if key != "value"]
        problems.append(
            Problem(
                SHEET,
                cell_name(misplaced[0], r),
                "Chữ “Xóa” phải ghi ở cột Giá trị",
                str(_at(row, misplaced[0])),
                f"Để rút lại số liệu đã báo cáo, ghi “Xóa” vào ô {cell_name('value', r)} và để trống Tử số, Mẫu số.",
            )
        )
        return False
    if _at(row, "numerator") is not None or _at(row, "denominator") is not None:
        problems.append(
            Problem(
                SHEET,
                cell_name("value", r),
                "Ô Giá trị ghi “Xóa” nhưng dòng vẫn có Tử số/Mẫu số",
                str(_at(row, "value")),
                "Để rút lại số liệu đã báo cáo, để trống Tử số và Mẫu số; để báo cáo số mới, xóa chữ “Xóa”.",
            )
        )
        return False
    return True


def _shown(number: Decimal) -> str:
    """A number of the row as the officer reads it back: “7.600”, “51,61” (thousands dot, decimal comma)."""
    return format_vn(float(number), _decimals(number))


def _decimals(value: Decimal | None) -> int:
    if value is None:
        return 0
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
