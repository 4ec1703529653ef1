"""The report appendix (phụ lục báo cáo) for one province and year, in the layout of the plans' own
appendices: MỤC TIÊU | CHỈ TIÊU KẾ HOẠCH | SỐ LIỆU KẾT QUẢ | ĐÁNH GIÁ | CƠ QUAN BÁO CÁO.

Written with xlsxwriter with ``strings_to_formulas`` off, so any text beginning with "=", "+", "-" or
"@" (a file name, an officer's note) is stored as text and never runs as a formula.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

from ..attainment import is_met
from ..units import format_vn
from ..vocabulary import LEVELS, SMALL_CELL_CODES, SMALL_CELL_LIMIT, UNITS

STATUS_COLOURS = {
    "achieved": "#C6EFCE", "on_track": "#E2F0D9", "needs_acceleration": "#FFEB9C",
    "limited_progress": "#FCE4D6", "regressing": "#FFC7CE", "not_achieved": "#FFC7CE",
    "not_yet": "#FFEB9C", "insufficient_data": "#EDEDED", "no_data": "#EDEDED",
}
HEADER = ["MỤC TIÊU", "CHỈ TIÊU KẾ HOẠCH", "MỤC TIÊU CẦN ĐẠT", "SỐ LIỆU KẾT QUẢ NĂM {year}", "Tử số", "Mẫu số",
          "Giá trị", "ĐÁNH GIÁ", "CƠ QUAN BÁO CÁO"]
DIRECTION_SIGNS = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<", "about": "≈", "maintain": "duy trì ≥"}


class ReportError(ValueError):
    """Nothing to report for what was asked (message for officers)."""


@dataclass
class ReportData:
    province: str
    year: int
    plans: pd.DataFrame
    rows: pd.DataFrame          # one row per plan chỉ tiêu part × level
    warnings: pd.DataFrame
    submissions: pd.DataFrame


ROWS_SQL = """
WITH next_target AS (
    SELECT plan_code, objective_no, indicator_no, part,
           coalesce(min(target_year) FILTER (WHERE target_year >= $year), max(target_year)) AS target_year
    FROM fact_target GROUP BY ALL
)
SELECT pi.plan_code, pi.objective_no, pi.indicator_no, pi.part, pi.indicator_code, pi.unit, pi.text,
       pi.labels, o.field AS objective_field, o.text AS objective_text,
       t.target_year, t.target_value, t.direction, lv.level,
       ob.numerator, ob.denominator, ob.value, ob.agency, ob.flagged,
       a.status AS outlook, a.status_vi AS outlook_vi, lead.name AS lead_agency
FROM dim_plan_indicator pi
JOIN dim_plan p USING (plan_code)
JOIN dim_objective o USING (plan_code, objective_no)
JOIN next_target nt USING (plan_code, objective_no, indicator_no, part)
JOIN fact_target t USING (plan_code, objective_no, indicator_no, part, target_year)
CROSS JOIN (SELECT unnest(['tinh', 'huyen', 'xa']) AS level) lv
JOIN dim_area pa ON pa.area_code = p.province_code
LEFT JOIN v_observations ob ON ob.plan_code = pi.plan_code AND ob.objective_no = pi.objective_no
     AND ob.indicator_no = pi.indicator_no AND ob.part = pi.part AND ob.year = $year
     AND ob.level = lv.level AND ob.area_code = pa.area_code
LEFT JOIN v_attainment a ON a.plan_code = pi.plan_code AND a.objective_no = pi.objective_no
     AND a.indicator_no = pi.indicator_no AND a.part = pi.part AND a.target_year = t.target_year
     AND a.level = lv.level AND a.area_code = pa.area_code
LEFT JOIN dim_agency lead ON lead.agency_code = pi.lead_agency
WHERE p.province = $province AND $year BETWEEN p.monitoring_start AND p.monitoring_end
ORDER BY pi.plan_code, pi.objective_no, pi.indicator_no, pi.part
"""


def load_report_data(con: duckdb.DuckDBPyConnection, province: str, year: int) -> ReportData:
    plans = con.execute("SELECT * FROM dim_plan WHERE province = $province AND $year BETWEEN monitoring_start "
                        "AND monitoring_end ORDER BY plan_code", {"province": province, "year": year}).df()
    if plans.empty:
        known = [r[0] for r in con.execute("SELECT DISTINCT province FROM dim_plan ORDER BY 1").fetchall()]
        raise ReportError(f"Không có kế hoạch nào của “{province}” theo dõi năm {year} (các tỉnh: {', '.join(known)})")
    rows = con.execute(ROWS_SQL, {"province": province, "year": year}).df()
    warnings = con.execute("""
        SELECT plan_code, objective_no, indicator_no, part, level, year, printed_text, flag_reason,
               source_file, source_sheet, source_cell
        FROM v_observations WHERE flagged AND province = $province AND year = $year
        ORDER BY plan_code, objective_no, indicator_no, part, level""", {"province": province, "year": year}).df()
    submissions = con.execute("""
        SELECT plan_code, agency, period, due_date, received_at, status, status_vi, days_after_due
        FROM v_submissions WHERE province = $province AND year = $year
        ORDER BY plan_code, period, agency""", {"province": province, "year": year}).df()
    return ReportData(province, year, plans, rows, warnings, submissions)


def masked_count(count, indicator_code: str, level: str):
    """Counts of GBV victims and perpetrators below the limit at commune level are published as "<5"."""
    if pd.isna(count):
        return None
    if indicator_code in SMALL_CELL_CODES and level == "xa" and count < SMALL_CELL_LIMIT:
        return f"<{SMALL_CELL_LIMIT}"
    return int(count)


def result_text(row) -> str:
    if pd.isna(row.value):
        return "Chưa có số liệu"
    unit = row.unit
    if unit == "yes_no":
        return "Có" if row.value >= 1 else "Không"
    if unit == "times":
        return f"{format_vn(row.value)} lần"
    if unit.startswith("count_per_"):
        return format_vn(row.value, 0)
    if unit == "percent":
        num, den = masked_count(row.numerator, row.indicator_code, row.level), \
            masked_count(row.denominator, row.indicator_code, row.level)
        if isinstance(num, str) or isinstance(den, str):
            shown = [part if isinstance(part, str) else format_vn(part, 0) for part in (num, den)]
            return "/".join(shown)
        share = f"{format_vn(row.value)}%"
        return f"{format_vn(num, 0)}/{format_vn(den, 0)} ({share})" if num is not None and den is not None else share
    return f"{format_vn(row.value)}{UNITS[unit]}"


def target_text(row) -> str:
    sign = DIRECTION_SIGNS.get(row.direction, "")
    value = ("Có" if row.target_value >= 1 else "Không") if row.unit == "yes_no" else \
        f"{format_vn(row.target_value)}{'%' if row.unit == 'percent' else ' ' + UNITS[row.unit]}"
    return f"{sign} {value} (năm {int(row.target_year)})"


def assessment(row) -> tuple[str, str]:
    """(text, status for colour) for one row of the report year."""
    if pd.isna(row.value):
        return "Chưa có số liệu", "no_data"
    met = is_met(float(row.value), float(row.target_value), row.direction, row.unit)
    text = "Đạt" if met else "Chưa đạt"
    status = "achieved" if met else (row.outlook if isinstance(row.outlook, str) else "not_achieved")
    if not met and isinstance(row.outlook_vi, str) and row.outlook != "achieved":
        text += f" — {row.outlook_vi}"
    return text, status


def _part_label(row) -> str:
    label = f"Chỉ tiêu {row.indicator_no}"
    if row.part:
        label += f" ({row.part}"
        label += f": {row.labels.split(';')[0].strip()})" if isinstance(row.labels, str) and row.labels else ")"
    return f"{label}: {row.text}"


def write_report(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wrap = {"text_wrap": True, "valign": "top", "border": 1, "font_name": "Times New Roman", "font_size": 11}
    fmt = {
        "title": workbook.add_format({"bold": True, "font_size": 13, "align": "center",
                                      "font_name": "Times New Roman"}),
        "header": workbook.add_format({**wrap, "bold": True, "align": "center", "bg_color": "#D9E1F2"}),
        "text": workbook.add_format(wrap),
        "objective": workbook.add_format({**wrap, "bold": True}),
        "count": workbook.add_format({**wrap, "num_format": "#,##0"}),
        "value": workbook.add_format({**wrap, "num_format": "#,##0.00"}),
        "date": workbook.add_format({**wrap, "num_format": "dd/mm/yyyy"}),
        "datetime": workbook.add_format({**wrap, "num_format": "dd/mm/yyyy hh:mm"}),
    }
    status_fmt = {s: workbook.add_format({**wrap, "bg_color": c}) for s, c in STATUS_COLOURS.items()}
    levels = ["tinh"] + [lv for lv in ("huyen", "xa") if data.rows[data.rows.level == lv].value.notna().any()]
    for level in levels:
        _level_sheet(workbook, fmt, status_fmt, data, level)
    _warnings_sheet(workbook, fmt, data)
    _tracker_sheet(workbook, fmt, status_fmt, data)
    workbook.close()
    return path


def _level_sheet(workbook, fmt, status_fmt, data: ReportData, level: str) -> None:
    ws = workbook.add_worksheet(LEVELS[level])
    ws.merge_range(0, 0, 0, 8, f"PHỤ LỤC KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU BÌNH ĐẲNG GIỚI TỈNH {data.province.upper()} "
                                f"NĂM {data.year}", fmt["title"])
    ws.merge_range(1, 0, 1, 8, f"{LEVELS[level]} — kế hoạch: {', '.join(data.plans.plan_code)} — lập ngày "
                                f"{dt.date.today():%d/%m/%Y}", fmt["title"])
    for col, title in enumerate(HEADER):
        ws.write_string(3, col, title.format(year=data.year), fmt["header"])
    rows = data.rows[data.rows.level == level].reset_index(drop=True)
    r = 4
    for (plan_code, objective_no), group in rows.groupby(["plan_code", "objective_no"], sort=False):
        first = r
        for row in group.itertuples():
            text, status = assessment(row)
            ws.write_string(r, 1, _part_label(row), fmt["text"])
            ws.write_string(r, 2, target_text(row), fmt["text"])
            ws.write_string(r, 3, result_text(row), fmt["text"])
            for col, count in ((4, row.numerator), (5, row.denominator)):
                shown = masked_count(count, row.indicator_code, row.level)
                if isinstance(shown, str):
                    ws.write_string(r, col, shown, fmt["text"])
                elif shown is None:
                    ws.write_blank(r, col, None, fmt["count"])
                else:
                    ws.write_number(r, col, shown, fmt["count"])
            hide_value = isinstance(masked_count(row.numerator, row.indicator_code, row.level), str)
            if pd.isna(row.value) or hide_value:
                ws.write_blank(r, 6, None, fmt["value"])
            else:
                ws.write_number(r, 6, float(row.value), fmt["value"])
            ws.write_string(r, 7, text, status_fmt.get(status, fmt["text"]))
            ws.write_string(r, 8, row.agency if isinstance(row.agency, str) else (row.lead_agency or ""), fmt["text"])
            r += 1
        label = f"[{plan_code}] Mục tiêu {objective_no}: {group.iloc[0].objective_text}"
        if r - 1 > first:
            ws.merge_range(first, 0, r - 1, 0, label, fmt["objective"])
        else:
            ws.write_string(first, 0, label, fmt["objective"])
    for col, width in enumerate((34, 60, 18, 28, 10, 10, 10, 26, 24)):
        ws.set_column(col, col, width)
    ws.freeze_panes(4, 0)


def _warnings_sheet(workbook, fmt, data: ReportData) -> None:
    ws = workbook.add_worksheet("Cảnh báo dữ liệu")
    headers = ["Kế hoạch", "Mục tiêu", "Chỉ tiêu", "Phần", "Cấp", "Năm", "Số liệu in", "Cảnh báo", "Tệp", "Trang", "Ô"]
    for col, title in enumerate(headers):
        ws.write_string(0, col, title, fmt["header"])
    for r, row in enumerate(data.warnings.itertuples(), start=1):
        values = [row.plan_code, row.objective_no, row.indicator_no, row.part, LEVELS[row.level], row.year,
                  row.printed_text, row.flag_reason, row.source_file, row.source_sheet, row.source_cell]
        for col, value in enumerate(values):
            if isinstance(value, str):
                ws.write_string(r, col, value, fmt["text"])
            else:
                ws.write_number(r, col, int(value), fmt["text"])
    if data.warnings.empty:
        ws.write_string(1, 0, "Không có cảnh báo.", fmt["text"])
    for col, width in enumerate((14, 9, 9, 6, 10, 7, 28, 60, 36, 12, 6)):
        ws.set_column(col, col, width)


def _tracker_sheet(workbook, fmt, status_fmt, data: ReportData) -> None:
    ws = workbook.add_worksheet("Theo dõi nộp báo cáo")
    headers = ["Kế hoạch", "Cơ quan", "Kỳ", "Hạn nộp", "Ngày nhận", "Tình trạng", "Số ngày sau hạn"]
    for col, title in enumerate(headers):
        ws.write_string(0, col, title, fmt["header"])
    colour = {"on_time": "achieved", "late": "needs_acceleration", "missing": "regressing",
              "not_due": "no_data"}
    for r, row in enumerate(data.submissions.itertuples(), start=1):
        ws.write_string(r, 0, row.plan_code, fmt["text"])
        ws.write_string(r, 1, row.agency or "", fmt["text"])
        ws.write_string(r, 2, "Năm" if row.period == "nam" else "6 tháng", fmt["text"])
        ws.write_datetime(r, 3, pd.Timestamp(row.due_date).to_pydatetime(), fmt["date"])
        if pd.isna(row.received_at):
            ws.write_blank(r, 4, None, fmt["datetime"])
        else:
            ws.write_datetime(r, 4, pd.Timestamp(row.received_at).to_pydatetime(), fmt["datetime"])
        ws.write_string(r, 5, row.status_vi, status_fmt[colour[row.status]])
        if pd.isna(row.days_after_due):
            ws.write_blank(r, 6, None, fmt["count"])
        else:
            ws.write_number(r, 6, int(row.days_after_due), fmt["count"])
    for col, width in enumerate((14, 40, 9, 12, 17, 14, 10)):
        ws.set_column(col, col, width)
