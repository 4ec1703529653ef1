"""Build every output for a province and year from the published warehouse (read-only)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .appendix_report import load_report_data, write_report
from .plan_tracking import activity_lines
from .site import build_site


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


@dataclass
class Outputs:
    workbook: Path
    html: Path  # the site's index.html
    charts: list[Path] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)  # one line per activity of the year, with its status


def build_outputs(warehouse: Path, province: str, year: int, out_dir: Path) -> Outputs:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        data = load_report_data(con, province, year)
        folder = out_dir / f"{slug(data.province)}_{year}"
        workbook = write_report(data, folder / f"phu_luc_bao_cao_{slug(data.province)}_{year}.xlsx")
        site = build_site(con, data.province, year, list(data.plans.plan_code), folder, workbook)
    finally:
        con.close()
    return Outputs(workbook, site.index, site.charts, site.pages, activity_lines(data.activities))


REPORTS_VERSION = "5"  # bump when the outputs' layout changes, so every province is written again
# per province: its latest year with anything reported (values, activities, spending) in returns in force,
# and a digest of those returns and of the judging year
FINGERPRINT_SQL = """
    SELECT s.province, max(s.year) AS year,
           sha256(string_agg(s.submission_id, ',' ORDER BY s.submission_id)
                  || coalesce((SELECT max(as_of_year)::VARCHAR FROM fact_attainment), '')) AS fingerprint
    FROM submission s
    WHERE s.status = 'accepted' AND (
        EXISTS (SELECT 1 FROM fact_observation o WHERE o.submission_id = s.submission_id)
        OR EXISTS (SELECT 1 FROM fact_activity_report a WHERE a.submission_id = s.submission_id)
        OR EXISTS (SELECT 1 FROM fact_spending f WHERE f.submission_id = s.submission_id))
    GROUP BY s.province ORDER BY s.province
"""


def build_changed(warehouse: Path, out_dir: Path) -> dict[str, Outputs]:
    """Outputs for every province whose returns in force changed since its outputs were last written (each
    for its latest year with data): after a run that touched one province, the others are not redone."""
    import json

    state_file = out_dir / ".trang_thai.json"
    state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        provinces = con.execute(FINGERPRINT_SQL).fetchall()
    finally:
        con.close()
    written = {}
    for province, year, fingerprint in provinces:
        key = f"{REPORTS_VERSION}:{year}:{fingerprint}"
        if state.get(province) == key:
            continue
        written[province] = build_outputs(warehouse, province, int(year), out_dir)
        state[province] = key
        out_dir.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    return written
