"""Writing the return template for one plan, agency, year and period (layout in :mod:`.template`)."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..agencies import COLLECTING_OFFICE, PART_KEY, answering_on, not_in_existence
from ..areas import plain, world_date
from ..catalogue import Catalogue
from ..rules import outside_monitoring
from ..units import unit_words
from ..vocabulary import LEVELS, PERIODS
from .plan_sheets import agency_activities, budget_sources
from .plan_sheets_build import add_activity_sheet, add_spending_sheet
from .template import (
    COLUMNS,
    FIRST_ROW,
    HEADER_CELLS,
    HEADER_VALUE_SPAN,
    LETTER,
    LISTS,
    MARKER,
    SHEET,
    VERSION,
    TemplateError,
    cell_name,
    template_levels,
    template_units,
)
from .value_checks import value_validation


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
    if outside := outside_monitoring(plan_code, plan.monitoring_start, plan.monitoring_end, year):
        raise TemplateError(outside)
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
