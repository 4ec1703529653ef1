"""Activities and money in the officers' outputs: what v_activities and v_budget say for a province and a
year, as two sheets of the report workbook (“Hoạt động”, “Kinh phí”) and two sections of the HTML index."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from ..numbers import shorten
from ..units import format_vn
from ..xlsx_layout import row_points

ACTIVITIES_SQL = """
    SELECT plan_code, activity_no, activity_text, activity_kind_vi, lead_agency, year, status, status_vi, overdue,
           due_date, done_date, area_names, result_text, reason, participants_male, participants_female,
           participants_total, reported_by, reported_as, source_file
    FROM v_activities
    WHERE province = $province AND year = $year
    ORDER BY plan_code, activity_no
"""
BUDGET_SQL = """
    SELECT plan_code, category, category_vi, name, period_start, period_end, planned_million_vnd,
           allocated_million_vnd, spent_million_vnd, execution_rate, disbursement_rate, over_plan
    FROM v_budget
    WHERE province = $province
      AND plan_code IN (SELECT plan_code FROM dim_plan WHERE $year BETWEEN monitoring_start AND monitoring_end)
    ORDER BY plan_code, CASE category WHEN 'total' THEN 0 WHEN 'phase' THEN 1 ELSE 2 END, period_start, name
"""
YEAR_SPENDING_SQL = """
    SELECT f.plan_code, f.source_name, ag.name AS agency, f.allocated_million_vnd, f.spent_million_vnd,
           f.flag_reason, f.source_file
    FROM spending_in_force f
    JOIN dim_plan p ON p.plan_code = f.plan_code
    LEFT JOIN dim_agency ag ON ag.agency_code = f.agency_code
    WHERE p.province = $province AND f.year = $year
    ORDER BY f.plan_code, f.source_name, agency
"""
# activity statuses drawn in the colours of the attainment statuses they resemble
STATUS_LOOK = {
    "done": "achieved",
    "in_progress": "on_track",
    "not_started": "needs_acceleration",
    "dropped": "regressing",
    "not_reported": "no_data",
}
ROLE_VI = {"lead": "chủ trì", "co": "phối hợp"}


def load_activities(con: duckdb.DuckDBPyConnection, province: str, year: int) -> pd.DataFrame:
    return con.execute(ACTIVITIES_SQL, {"province": province, "year": year}).df()


def load_budget(con: duckdb.DuckDBPyConnection, province: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plans' budget lines against what was spent so far, and the year's spending by source."""
    args = {"province": province, "year": year}
    return con.execute(BUDGET_SQL, args).df(), con.execute(YEAR_SPENDING_SQL, args).df()


def money(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else format_vn(float(value), 1)


def rate(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else f"{format_vn(float(value), 1)}%"


def activity_rows(activities: pd.DataFrame) -> list[dict]:
    """Each activity as the report shows it (text cells, Vietnamese numbers)."""
    rows = []
    for a in activities.itertuples():
        people = ""
        if not pd.isna(a.participants_male) or not pd.isna(a.participants_female):
            people = (
                f"Nam {format_vn(a.participants_male or 0, 0)}, nữ {format_vn(a.participants_female or 0, 0)}"
                f" / tổng {format_vn(a.participants_total or 0, 0)}"
            )
        reported = "" if pd.isna(a.reported_by) else f"{a.reported_by} ({ROLE_VI.get(a.reported_as, '')})"
        rows.append(
            {
                "plan_code": a.plan_code,
                "number": int(a.activity_no),
                "text": a.activity_text,
                "kind": a.activity_kind_vi,
                "lead": a.lead_agency or "",
                "status": a.status,
                "look": STATUS_LOOK[a.status],
                "status_vi": a.status_vi,
                "overdue": bool(a.overdue),
                "due": "" if pd.isna(a.due_date) else f"{pd.Timestamp(a.due_date):%d/%m/%Y}",
                "done": "" if pd.isna(a.done_date) else f"{pd.Timestamp(a.done_date):%d/%m/%Y}",
                "where": a.area_names or "",
                "result": a.reason if a.status == "dropped" else (a.result_text or ""),
                "people": people,
                "reported": reported,
            }
        )
    return rows


def budget_rows(budget: pd.DataFrame) -> list[dict]:
    return [
        {
            "plan_code": b.plan_code,
            "category": b.category_vi,
            "name": b.name,
            "years": "" if pd.isna(b.period_start) else f"{int(b.period_start)}–{int(b.period_end)}",
            "planned": money(b.planned_million_vnd),
            "allocated": money(b.allocated_million_vnd),
            "spent": money(b.spent_million_vnd),
            "execution": rate(b.execution_rate),
            "disbursement": rate(b.disbursement_rate),
            "over": bool(b.over_plan),
        }
        for b in budget.itertuples()
    ]


def spending_rows(spending: pd.DataFrame) -> list[dict]:
    return [
        {
            "plan_code": s.plan_code,
            "source": s.source_name,
            "agency": s.agency or "",
            "allocated": money(s.allocated_million_vnd),
            "spent": money(s.spent_million_vnd),
            "flag": s.flag_reason or "",
        }
        for s in spending.itertuples()
    ]


def summary_line(activities: pd.DataFrame) -> str:
    """“41 hoạt động: Đã hoàn thành 34, Đang triển khai 3, …; quá hạn 6”."""
    counts = activities.status_vi.value_counts()
    text = f"{len(activities)} hoạt động: " + ", ".join(f"{label} {n}" for label, n in counts.items())
    overdue = int(activities.overdue.sum())
    return text + (f"; quá hạn {overdue}" if overdue else "")


def activity_lines(activities: pd.DataFrame, width: int = 70) -> list[str]:
    """The activities for a terminal: a summary, then “TTH-2015 · 7  [Chưa triển khai, quá hạn] Thành lập …”."""
    if activities.empty:
        return []
    lines = [summary_line(activities)]
    for a in activities.itertuples():
        text = shorten(a.activity_text, width)
        status = a.status_vi + (", quá hạn" if a.overdue else "")
        lines.append(f"  {a.plan_code} · {a.activity_no:>2}  [{status}] {text} ({a.lead_agency})")
    return lines


def write_activity_sheet(workbook, fmt, status_fmt, heading, data, header_row: int) -> Any:
    """Sheet “Hoạt động”: every activity of the year with its status, who reported it, where, people by sex."""
    ws = workbook.add_worksheet("Hoạt động")
    headers = [
        "Kế hoạch",
        "Số",
        "Hoạt động",
        "Cơ quan chủ trì",
        "Tình trạng",
        "Hạn",
        "Ngày thực hiện",
        "Địa bàn",
        "Kết quả / lý do",
        "Người tham gia",
        "Cơ quan báo cáo",
    ]
    heading(ws, f"TÌNH HÌNH THỰC HIỆN CÁC HOẠT ĐỘNG NĂM {data.year}", len(headers) - 1)
    for col, title in enumerate(headers):
        ws.write_string(header_row, col, title, fmt["header"])
    widths = (12, 5, 48, 22, 16, 11, 11, 20, 30, 18, 24)
    ws.set_row(header_row, row_points(list(zip(headers, widths, strict=True))))
    for r, row in enumerate(activity_rows(data.activities), start=header_row + 1):
        status = row["status_vi"] + (f" — quá hạn {row['due']}" if row["overdue"] else "")
        values = [
            row["plan_code"],
            str(row["number"]),
            row["text"],
            row["lead"],
            status,
            row["due"],
            row["done"],
            row["where"],
            row["result"],
            row["people"],
            row["reported"],
        ]
        for col, value in enumerate(values):
            ws.write_string(r, col, value, status_fmt[row["look"]] if col == 4 else fmt["text"])
        ws.set_row(r, row_points(list(zip(values, widths, strict=True))))
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(header_row + 1, 0)
    return ws


def write_budget_sheet(workbook, fmt, heading, data, header_row: int) -> Any:
    """Sheet “Kinh phí”: each line of the plan's budget against allocated and spent, then the year's spending.
    Amounts are numbers (they add up in Excel), shown with one decimal."""
    ws = workbook.add_worksheet("Kinh phí")
    amount = workbook.add_format({**fmt["text_props"], "num_format": "#,##0.0"})
    percent = workbook.add_format({**fmt["text_props"], "num_format": '0.0"%"'})
    headers = [
        "Kế hoạch",
        "Khoản",
        "Tên",
        "Thời gian / cơ quan báo cáo",
        "Dự toán (triệu đồng)",
        "Đã bố trí",
        "Đã chi",
        "Tỷ lệ thực hiện so với dự toán",
        "Tỷ lệ giải ngân so với bố trí",
    ]
    widths = (14, 11, 32, 24, 13, 13, 13, 14, 14)
    heading(ws, f"TÌNH HÌNH KINH PHÍ THỰC HIỆN KẾ HOẠCH (SỐ LIỆU ĐẾN NĂM {data.year})", len(headers) - 1)

    def write_row(r: int, texts: list[str], numbers: list[float | None], rates: list[float | None]) -> None:
        for col, text in enumerate(texts):
            ws.write_string(r, col, text, fmt["text"])
        for col, value in enumerate(numbers + rates, start=len(texts)):
            style = amount if col < len(texts) + len(numbers) else percent
            if value is None or pd.isna(value):
                ws.write_blank(r, col, None, style)
            else:
                ws.write_number(r, col, float(value), style)
        ws.set_row(r, row_points(list(zip(texts, widths, strict=False))))

    for col, title in enumerate(headers):
        ws.write_string(header_row, col, title, fmt["header"])
    ws.set_row(header_row, row_points(list(zip(headers, widths, strict=True))))
    r = header_row
    for r, b in enumerate(data.budget.itertuples(), start=header_row + 1):
        years = "" if pd.isna(b.period_start) else f"{int(b.period_start)}–{int(b.period_end)}"
        write_row(
            r,
            [b.plan_code, b.category_vi, b.name + (" (chi vượt dự toán)" if b.over_plan else ""), years],
            [b.planned_million_vnd, b.allocated_million_vnd, b.spent_million_vnd],
            [b.execution_rate, b.disbursement_rate],
        )
    r += 2
    ws.merge_range(
        r, 0, r, len(headers) - 1, f"Kinh phí năm {data.year} theo nguồn và cơ quan báo cáo", fmt["subtitle"]
    )
    r += 1
    # the amounts stand under the columns of the same name above; the agency spans the planned column
    for col, title in enumerate(["Kế hoạch", "Năm", "Nguồn"]):
        ws.write_string(r, col, title, fmt["header"])
    ws.merge_range(r, 3, r, 4, "Cơ quan báo cáo", fmt["header"])
    for col, title in ((5, "Bố trí trong năm"), (6, "Đã chi trong năm"), (7, "Cảnh báo")):
        ws.write_string(r, col, title, fmt["header"])
    if data.year_spending.empty:
        ws.merge_range(r + 1, 0, r + 1, 7, f"Chưa có báo cáo kinh phí năm {data.year}.", fmt["text"])
    for r2, f in enumerate(data.year_spending.itertuples(), start=r + 1):
        write_row(r2, [f.plan_code, str(data.year), f.source_name], [], [])
        ws.merge_range(r2, 3, r2, 4, f.agency or "", fmt["text"])
        for col, value in ((5, f.allocated_million_vnd), (6, f.spent_million_vnd)):
            if value is None or pd.isna(value):
                ws.write_blank(r2, col, None, amount)
            else:
                ws.write_number(r2, col, float(value), amount)
        ws.write_string(r2, 7, f.flag_reason or "", fmt["text"])
        ws.set_row(
            r2,
            row_points(
                [(f.source_name, widths[2]), (f.agency or "", widths[3] + widths[4]), (f.flag_reason or "", 14)]
            ),
        )
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    return ws
