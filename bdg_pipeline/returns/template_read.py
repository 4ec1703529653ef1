"""Reading a filled return template back: the "_meta" sheet says whose it is, each filled row of "BaoCao"
becomes a reading (layout in :mod:`.template`). Typed number cells are read as numbers
(:func:`units.read_figures`); text is kept only where the officer wrote text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pandas as pd

from ..agencies import not_in_existence
from ..areas import AreaError, world_date
from ..areas import resolve as resolve_area
from ..catalogue import Catalogue
from ..numbers import NumberFormatError, normalize_text, parse_number, shorten
from ..rules import outside_monitoring
from ..units import Reading, format_vn, read_figures
from ..vocabulary import PERIODS
from .model import ParsedReturn, ParsedRow, Problem, ReturnRejected, fold, part_number
from .plan_sheets import ACTIVITY_SHEET, SPENDING_SHEET
from .plan_sheets_read import SheetContext, read_activities, read_spending
from .template import (
    FIRST_ROW,
    HEADER_CELLS,
    MARKER,
    POSITION,
    SHEET,
    cell_name,
    template_units,
)
from .template_rows import LEVEL_BY_LABEL, RowContext, clean_row, is_withdrawal_word, typed_number
from .today import is_ahead
from .workbook import CellError, Grid

NUMBER_KEYS = ("numerator", "denominator", "value")


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
            problems.append(Problem(sheet, cell, "Số liệu không được âm", format_vn(value, 6), "Ghi số không âm."))
            return None
        return typed_number(value)
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


NUMBER_POSITIONS = tuple(POSITION[k] for k in NUMBER_KEYS)
BLANK = (None, "")


def _is_blank(row: list[Any]) -> bool:
    numerator, denominator, value = NUMBER_POSITIONS
    if len(row) > max(NUMBER_POSITIONS):  # every row of a sheet read whole
        return row[numerator] in BLANK and row[denominator] in BLANK and row[value] in BLANK
    return all(i >= len(row) or row[i] in BLANK for i in NUMBER_POSITIONS)


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
    plan = catalogue.plan(plan_code)
    if agency_code not in _agency_codes(catalogue):
        problems.append(
            Problem(
                "_meta",
                "B4",
                "Biểu mẫu ghi cơ quan không có trong danh mục",
                agency_code,
                "Tạo lại biểu mẫu bằng lệnh “bdg template”; không sửa trang “_meta”.",
            )
        )
    elif period in PERIODS and not _exists_on(catalogue, agency_code, world_date(year, period)):
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
    if outside := outside_monitoring(plan_code, plan.monitoring_start, plan.monitoring_end, year):
        problems.append(
            Problem("_meta", "B5", outside, str(year), "Tạo lại biểu mẫu cho đúng năm bằng lệnh “bdg template”.")
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
    context = RowContext(
        plan_code,
        agency_code,
        year,
        catalogue.parts_index,
        _places(catalogue, province, year, period, units),
        units,
        formats_unknown=bool(getattr(grids, "values_only", False)),
    )
    rows = ws.rows
    for r in range(FIRST_ROW, ws.max_row + 1):
        row = rows[r - 1]
        if _is_blank(row):
            continue  # nothing reported on this row
        read = clean_row(row, r, context)
        if read is not None:
            parsed.rows.append(read)
            continue
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


def _exists_on(catalogue: Catalogue, agency_code: str, day: dt.date) -> bool:
    key = ("template_agency_exists", agency_code, day)
    if key not in catalogue.cache:
        catalogue.cache[key] = catalogue.timeline.exists_on(agency_code, day)
    return catalogue.cache[key]


def _agency_codes(catalogue: Catalogue) -> frozenset[str]:
    key = "template_agency_codes"
    if key not in catalogue.cache:
        catalogue.cache[key] = frozenset(catalogue.agencies.agency_code)
    return catalogue.cache[key]


def _places(catalogue: Catalogue, province: str, year: int, period: str, units: pd.DataFrame) -> dict[str, str]:
    """The dropdown's names, folded, → area code: a template's Địa bàn cells as its dropdown wrote them."""
    key = ("template_places", province, world_date(year, period))
    if key not in catalogue.cache:
        # periods sharing one frame of units (see template_units) share its names too
        same = ("template_places_of", id(units))
        if same not in catalogue.cache or catalogue.cache[same][0] is not units:
            catalogue.cache[same] = (units, dict(zip(units.display.map(fold), units.area_code, strict=True)))
        catalogue.cache[key] = catalogue.cache[same][1]
    return catalogue.cache[key]


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
    key = _part_key(row, r, context, problems)
    if key is None:
        return None
    unit = context.parts[key][1]
    level, area_code = _place(row, r, context, problems)
    withdrawal = _withdrawal(row, r, problems)
    if withdrawal is not None:
        if not withdrawal or level is None or area_code is None:
            return None
        said = normalize_text(str(_at(row, "value")))
        withdrawn = Reading(None, None, None, None)
        cell = cell_name("value", r)
        return ParsedRow(*key, level, area_code, context.year, withdrawn, context.agency_code, SHEET, cell, said, True)
    before = len(problems)
    numerator, denominator, value, written = _figures(row, r, unit, context, problems)
    if len(problems) > before or level is None or area_code is None:
        return None  # the cell at fault is named above; nothing further can be read from this row
    if not _paired(numerator, denominator, r, problems):
        return None
    source = "numerator" if numerator is not None else "value"
    word = written if unit == "yes_no" else None  # “Có”, “Không”: the one text read as a value
    try:
        reading = read_figures(numerator, denominator, value, unit, word)
    except NumberFormatError as exc:
        numbers = {"numerator": numerator, "denominator": denominator, "value": value}
        at = exc.concerns if numbers.get(exc.concerns) is not None else source
        shown = numbers[at]
        said = (word or "") if shown is None else format_vn(float(shown), 6)
        problems.append(Problem(SHEET, cell_name(at, r), str(exc), said, exc.fix))
        return None
    return ParsedRow(
        *key, level, area_code, context.year, reading, context.agency_code, SHEET, cell_name(source, r), written
    )


def _part_key(row: list[Any], r: int, context: RowContext, problems: list[Problem]) -> tuple[str, int, int, str] | None:
    """The chỉ tiêu part a row reports (plan, objective, indicator, part), or None with its problem appended."""
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
    return key


def _place(row: list[Any], r: int, context: RowContext, problems: list[Problem]) -> tuple[str | None, str | None]:
    """The row's level and area code; None for one that cannot be read (its problem appended)."""
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
    return level, area_code


Figures = tuple[Decimal | None, Decimal | None, Decimal | None, str | None]


def _figures(row: list[Any], r: int, unit: str, context: RowContext, problems: list[Problem]) -> Figures:
    """Tử số, Mẫu số and Giá trị as typed, and the text the officer wrote in Giá trị (“Có”, “45%”) if any;
    problems appended for cells that hold no number."""
    numerator = _number(_at(row, "numerator"), SHEET, cell_name("numerator", r), problems)
    denominator = _number(_at(row, "denominator"), SHEET, cell_name("denominator", r), problems)
    value_cell = _at(row, "value")
    written = value_cell if isinstance(value_cell, str) else None
    value = None
    if unit == "percent" and isinstance(value_cell, str) and (share := PERCENT_TEXT.fullmatch(value_cell.strip())):
        value_cell = share.group(1)  # “45%” typed as text in a percent chỉ tiêu says what it means
    if not (unit == "yes_no" and isinstance(value_cell, str)):
        value = _number(value_cell, SHEET, cell_name("value", r), problems)
    if context.formats_unknown and unit == "percent" and isinstance(value_cell, float) and 0 < value_cell < 1:
        shown = format_vn(value_cell, 6)
        problems.append(
            Problem(SHEET, cell_name("value", r), PERCENT_LOST.format(shown=shown), shown, PERCENT_LOST_FIX)
        )
    return numerator, denominator, value, written


def _paired(numerator: Decimal | None, denominator: Decimal | None, r: int, problems: list[Problem]) -> bool:
    """Whether Tử số and Mẫu số are given both or neither (the problem appended when not)."""
    if (numerator is None) == (denominator is None):
        return True
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
    return False


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
