"""A small static site per province and year (trang thông tin chỉ tiêu), in the spirit of Open SDG's
indicator pages: an index by mục tiêu with status badges, and a page per chỉ tiêu with its chart, its
values by level and year, its targets, status and the reason for it, the source file and cell of every
value, and the values as CSV and XLSX. Plain files that open offline from the file system: no server,
no CDN, no script."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ..attainment import STATUS_VI, target_words
from ..figures import value_text
from ..returns.model import place
from ..units import as_typed, format_vn
from ..vocabulary import LEVELS, UNITS
from .appendix_report import ROLLED_UP, STATUS_COLOURS, masked_count
from .charts import indicator_chart, objective_chart
from .pages import ENVIRONMENT
from .plan_tracking import activity_rows, budget_rows, load_activities, load_budget, spending_rows, summary_line

STATUS_TEXT_COLOURS = {
    "achieved": "#1b5e20",
    "on_track": "#33691e",
    "needs_acceleration": "#7a5c00",
    "limited_progress": "#8a3b00",
    "regressing": "#8e0000",
    "not_achieved": "#8e0000",
    "not_yet": "#7a5c00",
    "insufficient_data": "#37474f",
    "no_data": "#37474f",
}

PARTS_SQL = """
SELECT pi.plan_code, pi.objective_no, o.field, o.text AS objective_text, pi.indicator_no, pi.part,
       pi.indicator_code, pi.unit, pi.text, ag.name AS lead_agency
FROM dim_plan_indicator pi
JOIN dim_objective o USING (plan_code, objective_no)
LEFT JOIN part_reporting_agency ra  -- the agency answering for the part that year (after the 2025 reform)
       ON ra.plan_code = pi.plan_code AND ra.objective_no = pi.objective_no AND ra.indicator_no = pi.indicator_no
          AND ra.part = pi.part AND make_date($year, 12, 31) BETWEEN coalesce(ra.valid_from, DATE '0001-01-01')
          AND coalesce(ra.valid_to, DATE '9999-12-31')
LEFT JOIN dim_agency ag ON ag.agency_code = coalesce(ra.agency_code, pi.lead_agency)
WHERE pi.plan_code = $plan
ORDER BY pi.objective_no, pi.indicator_no, pi.part
"""
JUDGEMENTS_SQL = """
SELECT a.objective_no, a.indicator_no, a.part, a.target_year, a.target_value, a.direction, a.status,
       a.latest_year, a.latest_value, a.progress_ratio, a.base_year, a.base_value, a.unit, a.reason, a.status_label
FROM v_attainment a JOIN dim_plan p USING (plan_code)
WHERE a.plan_code = $plan AND a.level = 'tinh' AND a.area_code = p.province_code
ORDER BY a.objective_no, a.indicator_no, a.part, a.target_year
"""
VALUES_SQL = """
SELECT objective_no, indicator_no, part, year, level, area_name, numerator, denominator, value, unit,
       printed_text, printed_value, agency, source_file, source_sheet, source_cell, flagged, flag_reason, indicator_code
FROM v_observations
WHERE plan_code = $plan
ORDER BY objective_no, indicator_no, part, year DESC, level, area_name
"""
# The province's yearly values as attainment judged them (v_province_series): reported, or summed from its
# districts or communes; one per quantity and year (the larger, as the judgement's last point, when two plans
# of the province report the same quantity).
SERIES_SQL = """
SELECT s.indicator_code, s.year, s.numerator, s.denominator, s.value, s.rolled_up, a.area_name
FROM v_province_series s JOIN dim_plan p ON p.province_code = s.province_code
JOIN dim_area a ON a.area_code = s.area_code
WHERE p.plan_code = $plan AND s.area_code = s.province_code AND s.level = 'tinh'
  AND s.year BETWEEN p.monitoring_start AND p.monitoring_end
QUALIFY row_number() OVER (PARTITION BY s.indicator_code, s.year ORDER BY s.value DESC) = 1
ORDER BY s.indicator_code, s.year DESC
"""
DOWNLOAD_COLUMNS = {
    "year": "Năm",
    "level": "Cấp",
    "area_name": "Địa bàn",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "value": "Giá trị",
    "unit": "Đơn vị",
    "printed_text": "Số liệu in",
    "agency": "Cơ quan báo cáo",
    "source_file": "Tệp",
    "source_sheet": "Trang",
    "source_cell": "Ô",
    "flag_reason": "Cảnh báo",
}


@dataclass
class Site:
    index: Path
    pages: list[Path]
    charts: list[Path]


def part_key(plan_code: str, objective_no: int, indicator_no: int, part: str) -> str:
    return f"{plan_code}_MT{objective_no}_CT{indicator_no}{part}"


def build_site(
    con: duckdb.DuckDBPyConnection, province: str, year: int, plans: list[str], folder: Path, workbook: Path
) -> Site:
    """Write ``index.html``, ``chi-tieu/*.html``, ``bieu_do/*.png`` and ``du-lieu/*.csv|xlsx`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "style.css").write_text(
        ENVIRONMENT.get_template("style.css").render(colours=STATUS_COLOURS, text_colours=STATUS_TEXT_COLOURS),
        encoding="utf-8",
    )
    sections, pages, charts = [], [], []
    for plan_code in plans:
        title = con.execute("SELECT title FROM dim_plan WHERE plan_code = ?", [plan_code]).fetchone()
        chart = objective_chart(con, province, plan_code, folder / "bieu_do" / f"{plan_code}_theo_muc_tieu.png")
        charts += [chart] if chart else []
        parts = con.execute(PARTS_SQL, {"plan": plan_code, "year": year}).df()
        judged = con.execute(JUDGEMENTS_SQL, {"plan": plan_code}).df()
        values = con.execute(VALUES_SQL, {"plan": plan_code}).df()
        series = con.execute(SERIES_SQL, {"plan": plan_code}).df()
        objectives = []
        for (objective_no, field, objective_text), group in parts.groupby(
            ["objective_no", "field", "objective_text"], sort=False
        ):
            rows = []
            for part in group.itertuples():
                page, chart_path, row = _indicator_page(
                    con,
                    folder,
                    province,
                    year,
                    plan_code,
                    part,
                    judged,
                    values,
                    series[series.indicator_code == part.indicator_code],
                )
                pages.append(page)
                charts += [chart_path] if chart_path else []
                rows.append(row)
            objectives.append({"number": objective_no, "field": field, "text": objective_text, "rows": rows})
        sections.append(
            {
                "plan_code": plan_code,
                "title": title[0] if title else plan_code,
                "chart": f"bieu_do/{chart.name}" if chart else None,
                "objectives": objectives,
            }
        )
    activities = load_activities(con, province, year)
    budget, year_spending = load_budget(con, province, year)
    index = folder / "index.html"
    index.write_text(
        ENVIRONMENT.get_template("index.html.j2").render(
            province=province,
            year=year,
            sections=sections,
            workbook=workbook.name,
            made=_today(),
            legend=[(s, STATUS_VI[s]) for s in STATUS_VI]
            if sections and any(p["objectives"] for p in sections)
            else [],
            activities=activity_rows(activities),
            activity_summary=summary_line(activities) if len(activities) else "",
            budget=budget_rows(budget),
            spending=spending_rows(year_spending),
        ),
        encoding="utf-8",
    )
    return Site(index, pages, charts)


def _indicator_page(
    con,
    folder: Path,
    province: str,
    year: int,
    plan_code: str,
    part,
    judged: pd.DataFrame,
    values: pd.DataFrame,
    series: pd.DataFrame,
) -> tuple[Path, Path | None, dict]:
    key = part_key(plan_code, part.objective_no, part.indicator_no, part.part)
    mine = judged[
        (judged.objective_no == part.objective_no)
        & (judged.indicator_no == part.indicator_no)
        & (judged.part == part.part)
    ]
    rows = values[
        (values.objective_no == part.objective_no)
        & (values.indicator_no == part.indicator_no)
        & (values.part == part.part)
    ]
    targets = [
        {
            "text": target_words(
                j.target_value, j.direction, j.unit, j.target_year, getattr(j, "indicator_name", None)
            ),
            "status": j.status,
            "status_vi": j.status_label,
            "reason": j.reason,
        }
        for j in mine.itertuples()
    ]
    chart = _chart(con, folder, plan_code, part, mine, key)
    table = [
        {
            "year": r.year,
            "level": LEVELS[r.level],
            "area": r.area_name,
            "numerator": _count(r.numerator, r.indicator_code, r.level),
            "denominator": _count(r.denominator, r.indicator_code, r.level),
            "value": ""
            if isinstance(masked_count(r.numerator, r.indicator_code, r.level), str)
            else value_text(r.value, r.unit),
            "printed": as_typed(
                r.printed_text if isinstance(r.printed_text, str) else None, r.numerator, r.denominator, r.printed_value
            ),
            "agency": r.agency or "",
            "source": f"{r.source_file} — {place(r.source_sheet, r.source_cell)}",
            "flag": r.flag_reason if r.flagged else "",
        }
        for r in rows.itertuples()
    ]
    table += [
        {
            "year": r.year,
            "level": LEVELS["tinh"],
            "area": r.area_name,
            "numerator": format_vn(r.numerator, 0),
            "denominator": format_vn(r.denominator, 0),
            "value": value_text(r.value, part.unit),
            "printed": "",
            "agency": "",
            "source": ROLLED_UP,
            "flag": "",
        }
        for r in series.itertuples()
        if r.rolled_up
    ]
    table.sort(key=lambda r: -r["year"])  # stable: the sums stay after the rows they were made from
    downloads = _downloads(folder, key, rows)
    label = f"Chỉ tiêu {part.indicator_no}{part.part}"
    page = folder / "chi-tieu" / f"{key}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(
        ENVIRONMENT.get_template("indicator.html.j2").render(
            province=province,
            year=year,
            plan_code=plan_code,
            objective_no=part.objective_no,
            field=part.field,
            objective_text=part.objective_text,
            label=label,
            text=part.text,
            unit=UNITS[part.unit],
            agency=part.lead_agency or "",
            targets=targets,
            chart=f"../bieu_do/{chart.name}" if chart else None,
            table=table,
            downloads=downloads,
            made=_today(),
        ),
        encoding="utf-8",
    )
    first = mine.iloc[0] if not mine.empty else None
    upcoming = mine[mine.target_year >= year]
    shown = upcoming.iloc[0] if not upcoming.empty else first
    latest = series.head(1)  # the province's latest value, as attainment judged it
    against = (float(shown.target_value), shown.direction) if shown is not None else None
    row = {
        "label": label,
        "text": part.text,
        "href": f"chi-tieu/{key}.html",
        "target": target_words(
            shown.target_value, shown.direction, shown.unit, shown.target_year, getattr(shown, "indicator_name", None)
        )
        if shown is not None
        else "—",
        "status": shown.status if shown is not None else "no_data",
        "status_vi": shown.status_label if shown is not None else STATUS_VI["no_data"],
        "latest": (
            f"{value_text(float(latest.value.iloc[0]), part.unit, against)} ({latest.year.iloc[0]})"
            if not latest.empty
            else "—"
        ),
    }
    return page, chart, row


def _chart(con, folder: Path, plan_code: str, part, mine: pd.DataFrame, key: str) -> Path | None:
    path_rows = con.execute(
        """
        SELECT year, expected_value, observed_value FROM v_progress
        WHERE plan_code = $plan AND objective_no = $o AND indicator_no = $i AND part = $p ORDER BY year""",
        {"plan": plan_code, "o": part.objective_no, "i": part.indicator_no, "p": part.part},
    ).df()
    if mine.empty or path_rows.observed_value.isna().all():
        return None
    title = f"{plan_code} · Mục tiêu {part.objective_no} · Chỉ tiêu {part.indicator_no}{part.part}: {part.text}"
    return indicator_chart(
        path_rows,
        mine[["target_year", "target_value", "direction"]],
        title,
        part.unit,
        folder / "bieu_do" / f"{key}.png",
    )


def _downloads(folder: Path, key: str, rows: pd.DataFrame) -> dict[str, str]:
    """The page's values as CSV (UTF-8 with BOM, so Excel shows the diacritics) and XLSX."""
    data = folder / "du-lieu"
    data.mkdir(parents=True, exist_ok=True)
    masked = rows.copy()
    for column in ("numerator", "denominator"):
        masked[column] = [
            _count(v, c, lv) for v, c, lv in zip(rows[column], rows.indicator_code, rows.level, strict=True)
        ]
    frame = masked[list(DOWNLOAD_COLUMNS)].assign(level=masked.level.map(LEVELS)).rename(columns=DOWNLOAD_COLUMNS)
    frame.to_csv(data / f"{key}.csv", index=False, encoding="utf-8-sig")
    with pd.ExcelWriter(
        data / f"{key}.xlsx",
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    ) as xl:
        frame.to_excel(xl, index=False, sheet_name="So lieu")
    return {"csv": f"../du-lieu/{key}.csv", "xlsx": f"../du-lieu/{key}.xlsx"}


def _count(count, indicator_code: str, level: str) -> str:
    shown = masked_count(count, indicator_code, level)
    if shown is None:
        return ""
    return shown if isinstance(shown, str) else format_vn(shown, 0)


def _today() -> str:
    return f"{dt.date.today():%d/%m/%Y}"
