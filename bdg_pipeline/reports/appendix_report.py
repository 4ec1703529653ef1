"""The report appendix (phụ lục báo cáo) for one province and year, in the layout of the plans' own
appendices: MỤC TIÊU | CHỈ TIÊU KẾ HOẠCH | SỐ LIỆU KẾT QUẢ | ĐÁNH GIÁ | CƠ QUAN BÁO CÁO.

Written with xlsxwriter with ``strings_to_formulas`` off, so any text beginning with "=", "+", "-" or
"@" (a file name, an officer's note) is stored as text and never runs as a formula.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

from ..agencies import COLLECTING_OFFICE
from ..areas import plain
from ..attainment import STATUS_VI, target_words
from ..figures import is_met, value_text
from ..units import as_typed, format_vn
from ..vocabulary import LEVELS, SMALL_CELL_CODES, SMALL_CELL_LIMIT
from ..xlsx_layout import LINE_POINTS, lines_needed
from .plan_tracking import load_activities, load_budget, write_activity_sheet, write_budget_sheet

STATUS_COLOURS = {
    "achieved": "#C6EFCE",
    "on_track": "#E2F0D9",
    "needs_acceleration": "#FFEB9C",
    "limited_progress": "#FCE4D6",
    "regressing": "#FFC7CE",
    "not_achieved": "#FFC7CE",
    "not_yet": "#FFEB9C",
    "insufficient_data": "#EDEDED",
    "no_data": "#EDEDED",
}
# Two judgements, two columns: the report year's value against the target, and the state toward the
# target year as v_attainment holds it (the one status every output shows), with its reason.
HEADER = [
    "MỤC TIÊU",
    "CHỈ TIÊU KẾ HOẠCH",
    "ĐỊA BÀN",
    "MỤC TIÊU CẦN ĐẠT",
    "SỐ LIỆU KẾT QUẢ NĂM {year}",
    "Tử số",
    "Mẫu số",
    "Giá trị",
    "NĂM {year} SO VỚI MỤC TIÊU",
    "ĐÁNH GIÁ ĐẾN NĂM MỤC TIÊU",
    "LÝ DO ĐÁNH GIÁ",
    "CƠ QUAN BÁO CÁO",
]
WIDTHS = (26, 44, 14, 15, 19, 8, 8, 8, 12, 15, 38, 20)
HEADER_ROW = 8  # 0-based; above it the administrative heading (Nghị định 30/2020/NĐ-CP, Phụ lục I)
ISSUING_BODY = "Sở Lao động - Thương binh và Xã hội"
FONT = "Times New Roman"
HEADING_CAPITALS = 1.3  # character units a bold capital of the heading takes


class ReportError(ValueError):
    """Nothing to report for what was asked (message for officers)."""


@dataclass
class ReportData:
    province: str
    year: int
    plans: pd.DataFrame
    rows: pd.DataFrame  # one row per plan chỉ tiêu part × level
    warnings: pd.DataFrame
    submissions: pd.DataFrame
    activities: pd.DataFrame = field(default_factory=pd.DataFrame)  # v_activities of the year
    budget: pd.DataFrame = field(default_factory=pd.DataFrame)  # v_budget of the plans followed that year
    year_spending: pd.DataFrame = field(default_factory=pd.DataFrame)  # the year's fact_spending in force
    issuing_body: str = ISSUING_BODY  # the office collecting the returns in the report's year


# The collecting office of the year: after the 2025 reform, the successor taking its remaining work (Sở Nội vụ)
ISSUING_BODY_SQL = """
SELECT coalesce(
    (SELECT n.name FROM dim_agency o
     JOIN agency_successor s ON s.old_code = o.agency_code AND s.words = ''
     JOIN dim_agency n ON n.agency_code = s.new_code
     WHERE o.agency_code = $office AND o.valid_to < make_date($year, 12, 31)),
    (SELECT name FROM dim_agency WHERE agency_code = $office), $fallback)
"""

ROWS_SQL = """
WITH next_target AS (
    SELECT plan_code, objective_no, indicator_no, part,
           coalesce(min(target_year) FILTER (WHERE target_year >= $year), max(target_year)) AS target_year
    FROM fact_target GROUP BY ALL
),
parts AS (
    SELECT pi.plan_code, pi.objective_no, pi.indicator_no, pi.part, pi.indicator_code, pi.unit, pi.text,
           ind.name AS indicator_name,
           pi.labels, o.field AS objective_field, o.text AS objective_text,
           t.target_year, t.target_value, t.direction, p.province_code, pa.area_name AS province_area,
           lead.name AS lead_agency
    FROM dim_plan_indicator pi
    JOIN dim_plan p USING (plan_code)
    JOIN dim_objective o USING (plan_code, objective_no)
    JOIN next_target nt USING (plan_code, objective_no, indicator_no, part)
    JOIN fact_target t USING (plan_code, objective_no, indicator_no, part, target_year)
    JOIN dim_area pa ON pa.area_code = p.province_code
    LEFT JOIN dim_indicator ind ON ind.indicator_code = pi.indicator_code
    LEFT JOIN part_reporting_agency ra  -- the agency answering for the part that year (after the 2025 reform)
       ON ra.plan_code = pi.plan_code AND ra.objective_no = pi.objective_no AND ra.indicator_no = pi.indicator_no
          AND ra.part = pi.part AND make_date($year, 12, 31) BETWEEN coalesce(ra.valid_from, DATE '0001-01-01')
          AND coalesce(ra.valid_to, DATE '9999-12-31')
    LEFT JOIN dim_agency lead ON lead.agency_code = coalesce(ra.agency_code, pi.lead_agency)
    WHERE p.province = $province AND $year BETWEEN p.monitoring_start AND p.monitoring_end
),
obs AS (SELECT * FROM v_observations WHERE province = $province AND year = $year),
-- the province's own value as attainment judged it: reported, or summed from its districts or communes (two
-- plans of the province reporting one quantity in one year: the larger, the point the judgement takes last)
series AS (
    SELECT province_code, indicator_code, numerator, denominator, value, rolled_up FROM v_province_series
    WHERE year = $year AND level = 'tinh' AND area_code = province_code
    QUALIFY row_number() OVER (PARTITION BY province_code, indicator_code ORDER BY value DESC) = 1
),
rows AS (
    SELECT parts.*, lv.level,
           coalesce(ob.area_code, parts.province_code) AS area_code,
           coalesce(ob.area_name, parts.province_area) AS area_name,
           coalesce(ob.area_code, parts.province_code) = parts.province_code AS is_province,
           ob.numerator, ob.denominator, ob.value, ob.agency, ob.flagged
    FROM parts
    CROSS JOIN (SELECT unnest(['tinh', 'huyen', 'xa']) AS level) lv
    LEFT JOIN obs ob ON ob.plan_code = parts.plan_code AND ob.objective_no = parts.objective_no
         AND ob.indicator_no = parts.indicator_no AND ob.part = parts.part AND ob.level = lv.level
)
SELECT r.* EXCLUDE (numerator, denominator, value),
       CASE WHEN own THEN ps.numerator ELSE r.numerator END AS numerator,
       CASE WHEN own THEN ps.denominator ELSE r.denominator END AS denominator,
       CASE WHEN own THEN ps.value ELSE r.value END AS value,
       coalesce(own AND ps.rolled_up, false) AS rolled_up,
       a.status AS outlook, a.status_vi AS outlook_vi, a.status_label AS outlook_label, a.reason AS outlook_reason
FROM (SELECT *, is_province AND level = 'tinh' AS own FROM rows) r
LEFT JOIN series ps ON ps.province_code = r.province_code AND ps.indicator_code = r.indicator_code
LEFT JOIN v_attainment a ON a.plan_code = r.plan_code AND a.objective_no = r.objective_no
     AND a.indicator_no = r.indicator_no AND a.part = r.part AND a.target_year = r.target_year
     AND a.level = r.level AND a.area_code = r.area_code
ORDER BY r.plan_code, r.objective_no, r.indicator_no, r.part, r.is_province DESC, r.area_name
"""


# years the province has anything reported for: values, activities or spending (returns in force)
YEARS_SQL = """
    SELECT DISTINCT year FROM v_observations WHERE province = $1
    UNION SELECT DISTINCT year FROM v_activities WHERE province = $1 AND status <> 'not_reported'
    UNION SELECT DISTINCT s.year FROM submission s JOIN spending_in_force f USING (submission_id)
          WHERE s.province = $1
    ORDER BY 1
"""


def resolve_province(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """The province as the plans name it, from what was typed: “Lao Cai”, “tỉnh lào cai”, “Lào Cai”."""
    known = [r[0] for r in con.execute("SELECT DISTINCT province FROM dim_plan ORDER BY 1").fetchall()]
    wanted = plain(text).removeprefix("tinh")
    matches = [k for k in known if plain(k) == wanted]
    if len(matches) != 1:
        raise ReportError(f"Không có tỉnh “{text}” trong các kế hoạch. Các tỉnh: {', '.join(known)}.")
    return matches[0]


def load_report_data(con: duckdb.DuckDBPyConnection, province: str, year: int) -> ReportData:
    province = resolve_province(con, province)
    plans = con.execute(
        "SELECT * FROM dim_plan WHERE province = $province AND $year BETWEEN monitoring_start "
        "AND monitoring_end ORDER BY plan_code",
        {"province": province, "year": year},
    ).df()
    if plans.empty:
        spans = con.execute(
            "SELECT plan_code, monitoring_start, monitoring_end FROM dim_plan WHERE province = ? ORDER BY 1", [province]
        ).fetchall()
        raise ReportError(
            f"Năm {year} không thuộc kỳ theo dõi của kế hoạch nào của {province} ("
            + "; ".join(f"{c}: {a}–{b}" for c, a, b in spans)
            + ")."
        )
    years = [r[0] for r in con.execute(YEARS_SQL, [province]).fetchall()]
    if year not in years:
        have = f"các năm đã có số liệu: {', '.join(map(str, years))}" if years else "chưa có năm nào có số liệu"
        raise ReportError(
            f"Chưa có số liệu năm {year} của {province} trong kho ({have}). Hãy tiếp nhận báo cáo "
            "năm đó trước khi làm phụ lục."
        )
    rows = con.execute(ROWS_SQL, {"province": province, "year": year}).df()
    warnings = con.execute(
        """
        SELECT plan_code, objective_no, indicator_no, part, level, year, printed_text, flag_reason,
               source_file, source_sheet, source_cell, numerator, denominator, printed_value
        FROM v_observations WHERE flagged AND province = $province AND year = $year
        ORDER BY plan_code, objective_no, indicator_no, part, level""",
        {"province": province, "year": year},
    ).df()
    submissions = con.execute(
        """
        SELECT plan_code, agency, period, due_date, received_at, status, status_vi, days_after_due
        FROM v_submissions WHERE province = $province AND year = $year
        ORDER BY plan_code, period, agency""",
        {"province": province, "year": year},
    ).df()
    budget, year_spending = load_budget(con, province, year)
    issuing_body = con.execute(
        ISSUING_BODY_SQL, {"office": COLLECTING_OFFICE, "year": year, "fallback": ISSUING_BODY}
    ).fetchone()
    return ReportData(
        province,
        year,
        plans,
        rows,
        warnings,
        submissions,
        load_activities(con, province, year),
        budget,
        year_spending,
        str(issuing_body[0]) if issuing_body else ISSUING_BODY,
    )


def masked_count(count, indicator_code: str, level: str):
    """Counts of GBV victims and perpetrators below the limit at commune level are published as "<5"."""
    if pd.isna(count):
        return None
    if indicator_code in SMALL_CELL_CODES and level == "xa" and count < SMALL_CELL_LIMIT:
        return f"<{SMALL_CELL_LIMIT}"
    return int(count)


def result_text(row) -> str:
    """The report year's result as printed, at the precision that decides it against the target beside it."""
    if pd.isna(row.value):
        return "Chưa có số liệu"
    shown = value_text(
        float(row.value), row.unit, (float(row.target_value), row.direction), getattr(row, "indicator_name", None)
    )
    if row.unit == "percent":
        num, den = (
            masked_count(row.numerator, row.indicator_code, row.level),
            masked_count(row.denominator, row.indicator_code, row.level),
        )
        if isinstance(num, str) or isinstance(den, str):
            return "/".join(part if isinstance(part, str) else format_vn(part, 0) for part in (num, den))
        if num is not None and den is not None:
            shown = f"{format_vn(num, 0)}/{format_vn(den, 0)} ({shown})"
    return f"{shown}\n{ROLLED_UP}" if getattr(row, "rolled_up", False) else shown


ROLLED_UP = "(tổng hợp từ báo cáo cấp huyện, cấp xã)"


def target_text(row) -> str:
    name = getattr(row, "indicator_name", None)  # the thing a count chỉ tiêu counts is read from it
    return target_words(row.target_value, row.direction, row.unit, row.target_year, name)


def year_against_target(row) -> tuple[str, str]:
    """(text, colour status): the report year's value against the target it is judged by."""
    if pd.isna(row.value):
        return "Chưa có số liệu", "no_data"
    if is_met(float(row.value), float(row.target_value), row.direction, row.unit):
        return "Đạt", "achieved"
    return "Chưa đạt", "not_achieved"


def outlook(row) -> tuple[str, str, str]:
    """(status_label, status, reason) toward the target year, exactly as v_attainment holds them."""
    if not isinstance(row.outlook, str):
        return STATUS_VI["no_data"], "no_data", ""
    label = row.outlook_label if isinstance(getattr(row, "outlook_label", None), str) else row.outlook_vi
    return label, row.outlook, row.outlook_reason if isinstance(row.outlook_reason, str) else ""


def _part_label(row) -> str:
    label = f"Chỉ tiêu {row.indicator_no}"
    if row.part:
        label += f" ({row.part}"
        label += f": {row.labels.split(';')[0].strip()})" if isinstance(row.labels, str) and row.labels else ")"
    return f"{label}: {row.text}"


def write_report(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    base = {"font_name": FONT, "font_size": 12}
    wrap = {**base, "text_wrap": True, "valign": "top", "border": 1, "font_size": 11}
    fmt = {
        "body_left": workbook.add_format({**base, "align": "center"}),
        "body_bold": workbook.add_format({**base, "bold": True, "align": "center"}),
        "motto": workbook.add_format({**base, "bold": True, "align": "center", "underline": 1}),
        "title": workbook.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "subtitle": workbook.add_format({**base, "bold": True, "align": "center", "text_wrap": True}),
        "note": workbook.add_format({**base, "italic": True, "align": "center", "text_wrap": True}),
        "header": workbook.add_format(
            {**wrap, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#D9E1F2"}
        ),
        "text": workbook.add_format(wrap),
        "text_props": wrap,  # for formats made elsewhere in the same look
        "objective": workbook.add_format({**wrap, "bold": True}),
        "count": workbook.add_format({**wrap, "num_format": "#,##0"}),
        "value": workbook.add_format({**wrap, "num_format": "#,##0.00"}),
        "date": workbook.add_format({**wrap, "num_format": "dd/mm/yyyy"}),
        "datetime": workbook.add_format({**wrap, "num_format": "dd/mm/yyyy hh:mm"}),
    }
    status_fmt = {s: workbook.add_format({**wrap, "bg_color": c}) for s, c in STATUS_COLOURS.items()}
    if not data.rows.empty:  # a plan made only of activities has no chỉ tiêu to set out
        for level in report_levels(data):
            _level_sheet(workbook, fmt, status_fmt, data, level)
        _warnings_sheet(workbook, fmt, data)

    def heading(ws, subtitle: str, last: int) -> None:
        _heading(ws, fmt, data, subtitle, last)

    if not data.activities.empty:
        _print_setup(write_activity_sheet(workbook, fmt, status_fmt, heading, data, HEADER_ROW), HEADER_ROW)
    if not data.budget.empty:
        _print_setup(write_budget_sheet(workbook, fmt, heading, data, HEADER_ROW), HEADER_ROW)
    _tracker_sheet(workbook, fmt, status_fmt, data)
    workbook.close()
    return path


def report_levels(data: ReportData) -> list[str]:
    """Cấp tỉnh always; Cấp huyện and Cấp xã whenever the year has a value at that level."""
    return ["tinh"] + [lv for lv in ("huyen", "xa") if data.rows[data.rows.level == lv].value.notna().any()]


def level_rows(data: ReportData, level: str) -> pd.DataFrame:
    rows = data.rows[data.rows.level == level]
    if level == "tinh":
        return rows[rows.is_province].reset_index(drop=True)  # every chỉ tiêu, reported or not
    return rows[rows.value.notna()].reset_index(drop=True)


def _print_setup(ws, header_row: int) -> None:
    """A4 landscape, one page wide, the column titles repeated on every page, pages numbered."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer(f'&C&"{FONT}"Trang &P/&N')


def _heading(ws, fmt, data: ReportData, subtitle: str, last: int, widths: tuple[int, ...] | None = None) -> None:
    """Tên cơ quan and quốc hiệu side by side, then the appendix title and the “Kèm theo Báo cáo số …” line.
    The issuing body spans as many of the sheet's columns (``widths``) as its name needs, leaving the quốc
    hiệu its own."""
    right = max(3, last - 3)
    split = _name_span(data.issuing_body.upper(), widths or (), 2, right - 1)
    ws.merge_range(0, 0, 0, split, f"UBND TỈNH {data.province.upper()}", fmt["body_left"])
    ws.merge_range(1, 0, 1, split, data.issuing_body.upper(), fmt["motto"])
    ws.merge_range(0, right, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fmt["body_bold"])
    ws.merge_range(1, right, 1, last, "Độc lập - Tự do - Hạnh phúc", fmt["motto"])
    ws.merge_range(3, 0, 3, last, "PHỤ LỤC", fmt["title"])
    ws.merge_range(4, 0, 4, last, subtitle, fmt["subtitle"])
    ws.merge_range(
        5,
        0,
        5,
        last,
        f"(Kèm theo Báo cáo số …………/BC-… ngày …… tháng …… năm ………… của {data.issuing_body} tỉnh {data.province})",
        fmt["note"],
    )
    ws.merge_range(
        6,
        0,
        6,
        last,
        f"Kế hoạch: {', '.join(data.plans.plan_code)}. Số liệu trong kho đến ngày {dt.date.today():%d/%m/%Y}.",
        fmt["note"],
    )
    ws.set_row(4, 33)
    ws.set_row(5, 33)


def _name_span(name: str, widths: tuple[int, ...], least: int, most: int) -> int:
    """The last column the issuing body's merged cell needs (at least ``least``, at most ``most``): bold capitals
    in Times New Roman take about 1,3 character units each."""
    for last in range(least, min(most, len(widths) - 1) + 1):
        if sum(widths[: last + 1]) >= len(name) * HEADING_CAPITALS:
            return last
    return max(least, min(most, len(widths) - 1))


def against_due(days: float | None, status: str) -> str:
    """When a return came against its deadline, in words: “Sớm 23 ngày”, “Đúng ngày hạn”, “Trễ 7 ngày”."""
    if days is None or pd.isna(days):
        return "Chưa nhận" if status == "missing" else ""
    days = int(days)
    if days < 0:
        return f"Sớm {-days} ngày"
    return "Đúng ngày hạn" if days == 0 else f"Trễ {days} ngày"


def _level_sheet(workbook, fmt, status_fmt, data: ReportData, level: str) -> None:
    ws = workbook.add_worksheet(LEVELS[level])
    last = len(HEADER) - 1
    _heading(
        ws, fmt, data, f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU BÌNH ĐẲNG GIỚI NĂM {data.year} — {LEVELS[level].upper()}", last
    )
    for col, title in enumerate(HEADER):
        ws.write_string(HEADER_ROW, col, title.format(year=data.year), fmt["header"])
    rows = level_rows(data, level)
    ws.set_row(HEADER_ROW, 2 * LINE_POINTS)
    r = HEADER_ROW + 1
    for (plan_code, objective_no), group in rows.groupby(["plan_code", "objective_no"], sort=False):
        first = r
        label = f"[{plan_code}] Mục tiêu {objective_no}: {group.iloc[0].objective_text}"
        heights = []
        for row in group.itertuples():
            versus, versus_status = year_against_target(row)
            status_vi, status, why = outlook(row)
            agency = row.agency if isinstance(row.agency, str) else (row.lead_agency or "")
            shown = (
                _part_label(row),
                row.area_name,
                target_text(row),
                result_text(row),
                "",
                "",
                "",
                versus,
                status_vi,
                why,
                agency,
            )
            heights.append(max(lines_needed(s, w) for s, w in zip(shown, WIDTHS[1:], strict=True)))
            ws.write_string(r, 1, _part_label(row), fmt["text"])
            ws.write_string(r, 2, row.area_name, fmt["text"])
            ws.write_string(r, 3, target_text(row), fmt["text"])
            ws.write_string(r, 4, result_text(row), fmt["text"])
            for col, count in ((5, row.numerator), (6, row.denominator)):
                shown = masked_count(count, row.indicator_code, row.level)
                if isinstance(shown, str):
                    ws.write_string(r, col, shown, fmt["text"])
                elif shown is None:
                    ws.write_blank(r, col, None, fmt["count"])
                else:
                    ws.write_number(r, col, shown, fmt["count"])
            hide_value = isinstance(masked_count(row.numerator, row.indicator_code, row.level), str)
            if pd.isna(row.value) or hide_value or row.unit == "yes_no":
                ws.write_blank(r, 7, None, fmt["value"])
            else:
                ws.write_number(r, 7, float(row.value), fmt["value"])
            ws.write_string(r, 8, versus, status_fmt[versus_status])
            ws.write_string(r, 9, status_vi, status_fmt.get(status, fmt["text"]))
            ws.write_string(r, 10, why, fmt["text"])
            ws.write_string(r, 11, agency, fmt["text"])
            r += 1
        # the merged objective cell needs its lines across the group's rows
        heights[-1] += max(0, lines_needed(label, WIDTHS[0]) - sum(heights))
        for offset, lines in enumerate(heights):
            ws.set_row(first + offset, lines * LINE_POINTS)
        if r - 1 > first:
            ws.merge_range(first, 0, r - 1, 0, label, fmt["objective"])
        else:
            ws.write_string(first, 0, label, fmt["objective"])
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    _print_setup(ws, HEADER_ROW)


def _warnings_sheet(workbook, fmt, data: ReportData) -> None:
    ws = workbook.add_worksheet("Cảnh báo dữ liệu")
    headers = ["Kế hoạch", "Mục tiêu", "Chỉ tiêu", "Phần", "Cấp", "Năm", "Số liệu in", "Cảnh báo", "Tệp", "Trang", "Ô"]
    widths = (14, 9, 9, 6, 11, 7, 26, 50, 30, 11, 6)
    _heading(
        ws,
        fmt,
        data,
        f"CẢNH BÁO VỀ SỐ LIỆU NĂM {data.year} (SỐ LIỆU ĐÃ GHI NHẬN, CẦN RÀ SOÁT)",
        len(headers) - 1,
        widths,
    )
    for col, title in enumerate(headers):
        ws.write_string(HEADER_ROW, col, title, fmt["header"])
    for r, row in enumerate(data.warnings.itertuples(), start=HEADER_ROW + 1):
        values = [
            row.plan_code,
            row.objective_no,
            row.indicator_no,
            row.part,
            LEVELS[row.level],
            row.year,
            as_typed(_text(row.printed_text), row.numerator, row.denominator, row.printed_value),
            row.flag_reason,
            row.source_file,
            row.source_sheet,
            row.source_cell,
        ]
        for col, value in enumerate(values):
            if isinstance(value, str):
                ws.write_string(r, col, value, fmt["text"])
            else:
                ws.write_number(r, col, int(value), fmt["text"])
    if data.warnings.empty:
        ws.merge_range(HEADER_ROW + 1, 0, HEADER_ROW + 1, len(headers) - 1, "Không có cảnh báo.", fmt["text"])
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    _print_setup(ws, HEADER_ROW)


def _tracker_sheet(workbook, fmt, status_fmt, data: ReportData) -> None:
    ws = workbook.add_worksheet("Theo dõi nộp báo cáo")
    headers = ["Kế hoạch", "Cơ quan", "Kỳ", "Hạn nộp", "Ngày nhận", "Tình trạng", "So với hạn nộp"]
    widths = (16, 44, 10, 13, 18, 15, 15)
    _heading(ws, fmt, data, f"TÌNH HÌNH GỬI BÁO CÁO SỐ LIỆU NĂM {data.year} CỦA CÁC CƠ QUAN", len(headers) - 1, widths)
    for col, title in enumerate(headers):
        ws.write_string(HEADER_ROW, col, title, fmt["header"])
    colour = {"on_time": "achieved", "late": "needs_acceleration", "missing": "regressing", "not_due": "no_data"}
    if data.submissions.empty:
        ws.merge_range(
            HEADER_ROW + 1,
            0,
            HEADER_ROW + 1,
            len(headers) - 1,
            "Kế hoạch không có lịch báo cáo cho năm này.",
            fmt["text"],
        )
    for r, row in enumerate(data.submissions.itertuples(), start=HEADER_ROW + 1):
        ws.write_string(r, 0, row.plan_code, fmt["text"])
        ws.write_string(r, 1, row.agency or "", fmt["text"])
        ws.write_string(r, 2, "Năm" if row.period == "nam" else "6 tháng", fmt["text"])
        ws.write_datetime(r, 3, pd.Timestamp(row.due_date).to_pydatetime(), fmt["date"])
        if pd.isna(row.received_at):
            ws.write_blank(r, 4, None, fmt["datetime"])
        else:
            ws.write_datetime(r, 4, pd.Timestamp(row.received_at).to_pydatetime(), fmt["datetime"])
        ws.write_string(r, 5, row.status_vi, status_fmt[colour[row.status]])
        ws.write_string(r, 6, against_due(row.days_after_due, row.status), fmt["text"])
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    _print_setup(ws, HEADER_ROW)


def _text(value: object) -> str | None:
    """A text column of a frame: None for SQL NULL (pandas gives None or NaN)."""
    return value if isinstance(value, str) else None
