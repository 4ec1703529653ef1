"""The project's return template (biểu mẫu báo cáo): written for one plan, agency, year and period,
and read back exactly.

Sheet "BaoCao" holds a header block and one row per chỉ tiêu × part × level × area; indicator codes
and wording are locked, level and area are dropdowns, numbers have formats and validation. A hidden
sheet "_meta" says which plan, agency, year and period the workbook belongs to.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..areas import AreaError, display_name, units_for, world_date
from ..areas import resolve as resolve_area
from ..catalogue import Catalogue
from ..numbers import Measure, NumberFormatError, normalize_text, parse_number
from ..units import read_measure
from ..vocabulary import LEVELS, PERIODS, UNITS
from .model import ParsedReturn, ParsedRow, Problem, ReturnRejected, fold, province_area_code
from .workbook import Grid

MARKER = "bdg_template"
VERSION = 1
SHEET = "BaoCao"
LISTS = "DanhMuc"
FIRST_ROW = 14
HEADER_CELLS = {"report_date": "C9", "contact": "C10", "phone": "C11"}
COLUMNS = ["STT", "Mục tiêu", "Chỉ tiêu", "Phần", "Mã chỉ tiêu", "Nội dung chỉ tiêu", "Đơn vị", "Cấp",
           "Địa bàn", "Tử số", "Mẫu số", "Giá trị", "Ghi chú"]
LEVEL_BY_LABEL = {fold(label): code for code, label in LEVELS.items()}


class TemplateError(ValueError):
    """Asked for a template that cannot exist (message for officers)."""


def agency_indicators(catalogue: Catalogue, plan_code: str, agency_code: str):
    """The parts of the chỉ tiêu the agency leads in the plan, in plan order."""
    bridge = catalogue.indicator_agencies
    led = bridge[(bridge.plan_code == plan_code) & (bridge.agency_code == agency_code) & (bridge.role == "lead")]
    keys = set(zip(led.objective_no, led.indicator_no, strict=True))
    pi = catalogue.plan_indicators
    led_rows = pd.Series([k in keys for k in zip(pi.objective_no, pi.indicator_no, strict=True)], index=pi.index)
    rows = pi[(pi.plan_code == plan_code) & led_rows]
    return rows.sort_values(["objective_no", "indicator_no", "part"])


def build_template(catalogue: Catalogue, plan_code: str, agency: str, year: int, period: str = "nam",
                   banner: str | None = None) -> Workbook:
    from .model import resolve_agency

    plans = catalogue.plans.set_index("plan_code")
    if plan_code not in plans.index:
        raise TemplateError(f"Không có kế hoạch “{plan_code}”. Các kế hoạch: {', '.join(plans.index)}")
    plan = plans.loc[plan_code]
    agency_code = resolve_agency(catalogue, agency)
    if agency_code is None:
        raise TemplateError(f"Không nhận ra cơ quan “{agency}”")
    if period not in PERIODS:
        raise TemplateError(f"Kỳ báo cáo “{period}” không hợp lệ: dùng {' hoặc '.join(PERIODS)}")
    if not plan.monitoring_start <= year <= plan.monitoring_end:
        raise TemplateError(f"Năm {year} nằm ngoài kỳ theo dõi của kế hoạch {plan_code} "
                            f"({plan.monitoring_start}–{plan.monitoring_end})")
    indicators = agency_indicators(catalogue, plan_code, agency_code)
    if indicators.empty:
        raise TemplateError(f"{agency} không chủ trì báo cáo chỉ tiêu nào trong kế hoạch {plan_code}")
    agency_name = catalogue.agencies.set_index("agency_code").at[agency_code, "name"]
    names = catalogue.indicator_codes.set_index("indicator_code")["name"]
    units = template_units(catalogue, plan.province, year, period)
    areas = units.display.tolist()

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
    header = [("Tỉnh", plan.province), ("Kế hoạch", plan_code), ("Cơ quan báo cáo", agency_name),
              ("Năm số liệu", year), ("Kỳ báo cáo", PERIODS[period]), ("Ngày báo cáo", None),
              ("Người liên hệ", None), ("Điện thoại / email", None)]
    for i, (label, value) in enumerate(header, start=4):
        ws.cell(row=i, column=1, value=label).font = bold
        cell = ws.cell(row=i, column=3, value=value)
        if value is None:
            cell.protection = Protection(locked=False)
            cell.border = border
    ws[HEADER_CELLS["report_date"]].number_format = "DD/MM/YYYY"
    for col, title in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=FIRST_ROW - 1, column=col, value=title)
        cell.font, cell.border = bold, border
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")

    # Per chỉ tiêu: the province's own rows at each level (as the plans' appendices report them),
    # then one row per district and commune of the province valid in the return's year.
    places = [(level, areas[0]) for level in LEVELS] + list(zip(units.level.iloc[1:], units.display.iloc[1:], strict=True))
    row = FIRST_ROW
    for number, ind in enumerate(indicators.itertuples(), start=1):
        for level, place in places:
            values = [number, ind.objective_no, ind.indicator_no, ind.part, ind.indicator_code,
                      names[ind.indicator_code], UNITS[ind.unit], LEVELS[level], place]
            for col, value in enumerate(values, start=1):
                cell = ws.cell(row=row, column=col, value=value)
                cell.border = border
                if col <= 7:
                    cell.fill = locked_fill
            for col in range(8, 14):
                cell = ws.cell(row=row, column=col)
                cell.protection, cell.border = Protection(locked=False), border
            ws.cell(row=row, column=10).number_format = "#,##0"
            ws.cell(row=row, column=11).number_format = "#,##0"
            ws.cell(row=row, column=12).number_format = "#,##0.00"
            row += 1
    last = row - 1

    lists = wb.create_sheet(LISTS)
    for i, label in enumerate(LEVELS.values(), start=1):
        lists.cell(row=i, column=1, value=label)
    for i, name in enumerate(areas, start=1):
        lists.cell(row=i, column=2, value=name)
    lists.sheet_state = "hidden"
    validations = [
        (DataValidation(type="list", formula1=f"{LISTS}!$A$1:$A${len(LEVELS)}", allow_blank=True,
                        error="Chọn Cấp tỉnh, Cấp huyện hoặc Cấp xã", errorTitle="Cấp không hợp lệ"), "H"),
        (DataValidation(type="list", formula1=f"{LISTS}!$B$1:$B${max(len(areas), 1)}", allow_blank=True,
                        error="Chọn địa bàn trong danh sách", errorTitle="Địa bàn không hợp lệ"), "I"),
        (DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                        error="Nhập số nguyên không âm", errorTitle="Tử số không hợp lệ"), "J"),
        (DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                        error="Nhập số nguyên không âm", errorTitle="Mẫu số không hợp lệ"), "K"),
        (DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                        error="Nhập số không âm", errorTitle="Giá trị không hợp lệ"), "L"),
    ]
    for validation, col in validations:
        validation.showErrorMessage = True
        ws.add_data_validation(validation)
        validation.add(f"{col}{FIRST_ROW}:{col}{last}")
    for col, width in zip("ABCDEFGHIJKLM", (5, 8, 8, 6, 30, 60, 12, 12, 18, 12, 12, 12, 30), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False

    meta = wb.create_sheet("_meta")
    for key, value in (("marker", MARKER), ("version", VERSION), ("plan_code", plan_code),
                       ("agency_code", agency_code), ("year", year), ("period", period)):
        meta.append([key, value])
    meta.sheet_state = "veryHidden"
    _instructions(wb.create_sheet("HuongDan", 0), plan_code, agency_name, year, period)
    wb.active = 1
    return wb


def _instructions(ws, plan_code: str, agency_name: str, year: int, period: str) -> None:
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
        "6. Không ghi chữ vào ô số (ví dụ “năm mươi”, “50%”); không ghi số âm; tử số không lớn hơn mẫu số.",
        "7. Dòng không có số liệu: để trống cả Tử số, Mẫu số và Giá trị.",
        "8. Chọn Cấp và Địa bàn trong danh sách thả xuống.",
        "9. Lưu tệp dạng .xlsx (không đặt mật khẩu, không dùng macro) và gửi về Sở Lao động - Thương binh và Xã hội.",
        "Tệp sai sẽ được trả lại kèm báo cáo lỗi chỉ rõ trang tính, ô, giá trị và cách sửa.",
    ]
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=line)
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 120


def template_units(catalogue: Catalogue, province: str, year: int, period: str) -> pd.DataFrame:
    """The province (its pre-2025 territory) and the units inside it valid for the return's period,
    with the names the dropdown shows."""
    key = ("template_units", province, world_date(year, period))
    if key in catalogue.cache:
        return catalogue.cache[key]
    code = province_area_code(catalogue, province)
    units = units_for(catalogue.areas, code, world_date(year, period)).copy()
    parents = dict(zip(catalogue.areas.area_code, catalogue.areas.area_name, strict=True))
    units["display"] = [name if level != "xa" else display_name(name, parents.get(parent))
                        for name, level, parent in zip(units.area_name, units.level, units.parent_code, strict=True)]
    catalogue.cache[key] = units.reset_index(drop=True)
    return catalogue.cache[key]


def is_template(grids: dict[str, Grid]) -> bool:
    return "_meta" in grids and grids["_meta"]["B1"] == MARKER


def _number(value: object, sheet: str, cell: str, problems: list[Problem]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(Problem(sheet, cell, "Ô số chứa giá trị đúng/sai", str(value), "Ghi một số."))
        return None
    if isinstance(value, (int, float)):
        if value < 0:
            problems.append(Problem(sheet, cell, "Số liệu không được âm", str(value), "Ghi số không âm."))
            return None
        if isinstance(value, int) or value.is_integer():
            return Decimal(int(value))  # the common case, counts: no trip through str
        number = Decimal(str(value)).normalize()  # 5321.0 → 5321, so decimals count what was typed
        return number.quantize(Decimal(1)) if number == number.to_integral_value() else number
    try:
        return parse_number(str(value))
    except NumberFormatError:
        problems.append(Problem(sheet, cell, "Ô số chứa chữ hoặc ký hiệu", normalize_text(value),
                                "Chỉ ghi số, ví dụ 48 hoặc 51,61 (không ghi “%”, không ghi bằng chữ)."))
        return None


def _meta_year(value: object) -> int:
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(f"năm “{value}”")


def parse_template(grids: dict[str, Grid], catalogue: Catalogue) -> ParsedReturn:
    """Read a filled template (its sheets' values, see :func:`workbook.open_values`)."""
    meta = {row[0]: row[1] for row in grids["_meta"].rows if len(row) >= 2}
    try:
        plan_code, agency_code = str(meta["plan_code"]), str(meta["agency_code"])
        year, period = _meta_year(meta["year"]), str(meta["period"])
    except (KeyError, ValueError) as exc:
        raise ReturnRejected([Problem("_meta", "", "Trang ẩn “_meta” của biểu mẫu đã bị sửa nên không biết biểu "
                                      "thuộc kế hoạch, cơ quan, năm nào", str(exc),
                                      "Tạo lại biểu mẫu bằng lệnh “bdg template”, chép số liệu sang rồi gửi lại; "
                                      "không sửa trang “_meta”.")]) from exc
    provinces = catalogue.plan_provinces
    problems: list[Problem] = []
    if plan_code not in provinces:
        problems.append(Problem("_meta", "B3", "Biểu mẫu thuộc kế hoạch không còn trong danh mục", plan_code,
                                "Tải biểu mẫu mới bằng lệnh bdg template."))
        return ParsedReturn("template", plan_code, "", agency_code, year, period, problems=problems)
    province = provinces[plan_code]
    if SHEET not in grids:
        problems.append(Problem(SHEET, "", "Thiếu trang tính “BaoCao”", fix="Dùng đúng biểu mẫu, không đổi tên trang."))
        return ParsedReturn("template", plan_code, province, agency_code, year, period, problems=problems)
    ws = grids[SHEET]
    contact = " ".join(str(ws[HEADER_CELLS[k]]) for k in ("contact", "phone") if ws[HEADER_CELLS[k]])
    report_date = ws[HEADER_CELLS["report_date"]]
    if report_date is not None and not isinstance(report_date, (dt.date, dt.datetime)):
        problems.append(Problem(SHEET, HEADER_CELLS["report_date"], "Ngày báo cáo không đúng dạng ngày",
                                normalize_text(report_date), "Ghi ngày dạng 15/12/2025."))
        report_date = None
    parsed = ParsedReturn("template", plan_code, province, agency_code, year, period,
                          contact=contact or None,
                          report_date=report_date.date() if isinstance(report_date, dt.datetime) else report_date,
                          problems=problems)
    parts = catalogue.parts_index
    units = template_units(catalogue, province, year, period)
    by_display = dict(zip(units.display.map(fold), units.area_code, strict=True))
    for r in range(FIRST_ROW, ws.max_row + 1):
        if all(v in (None, "") for v in ws.rows[r - 1][9:12]):  # J, K, L empty: nothing reported on this row
            continue
        cells = ws.row_values(r, "BCDHIJKL")
        try:
            key = (plan_code, int(cells["B"]), int(cells["C"]), str(cells["D"] or ""))
        except (TypeError, ValueError):
            problems.append(Problem(SHEET, f"B{r}", "Dòng có số liệu nhưng không có mã mục tiêu/chỉ tiêu",
                                    fix="Không thêm dòng mới; dùng các dòng có sẵn của biểu mẫu."))
            continue
        if key not in parts:
            problems.append(Problem(SHEET, f"C{r}", "Chỉ tiêu không có trong kế hoạch",
                                    f"mục tiêu {key[1]}, chỉ tiêu {key[2]}{key[3]}", "Tải lại biểu mẫu mới."))
            continue
        unit = parts[key][1]
        level = LEVEL_BY_LABEL.get(fold(cells["H"] or ""))
        if level is None:
            problems.append(Problem(SHEET, f"H{r}", "Cấp không hợp lệ", normalize_text(cells["H"] or ""),
                                    "Chọn Cấp tỉnh, Cấp huyện hoặc Cấp xã."))
        area_code = by_display.get(fold(cells["I"] or ""))
        if area_code is None:
            try:
                area_code = resolve_area(str(cells["I"] or ""), units)
            except AreaError as exc:
                problems.append(Problem(SHEET, f"I{r}", f"Địa bàn không có trong danh mục của năm {year}: {exc}",
                                        normalize_text(cells["I"] or ""), "Chọn địa bàn trong danh sách thả xuống."))
        numerator = _number(cells["J"], SHEET, f"J{r}", problems)
        denominator = _number(cells["K"], SHEET, f"K{r}", problems)
        value_cell = cells["L"]
        if unit == "yes_no" and isinstance(value_cell, str):
            measure = Measure(raw=value_cell)
        else:
            value = _number(value_cell, SHEET, f"L{r}", problems)
            if (numerator is None) != (denominator is None):
                problems.append(Problem(SHEET, f"{'K' if denominator is None else 'J'}{r}",
                                        "Có tử số mà thiếu mẫu số (hoặc ngược lại)", fix="Ghi đủ cả tử số và mẫu số."))
                continue
            decimals = max(0, -value.as_tuple().exponent) if value is not None else 0
            measure = Measure(
                raw=" / ".join(str(x) for x in (numerator, denominator, value) if x is not None),
                numerator=numerator, denominator=denominator,
                percent=value if unit == "percent" else None, value_decimals=decimals,
                times=value if unit == "times" else None,
                number=value if unit not in ("percent", "times") else None,
            )
            if unit == "yes_no" and value is not None:
                measure = Measure(raw=str(int(value)) if value in (0, 1) else str(value))
        if level is None or area_code is None:
            continue
        try:
            reading = read_measure(measure, unit)
        except NumberFormatError as exc:
            problems.append(Problem(SHEET, f"J{r}", str(exc), measure.raw))
            continue
        parsed.rows.append(ParsedRow(plan_code, key[1], key[2], key[3], level, area_code, year, reading,
                                     agency_code, SHEET, f"J{r}" if numerator is not None else f"L{r}",
                                     measure.raw))
    return parsed
