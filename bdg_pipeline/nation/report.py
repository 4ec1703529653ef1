"""The national page and workbook (trang và biểu tổng hợp toàn quốc), read from the ministry's published
warehouse: the national targets judged on the sums of the provinces' counts, each provincial target beside the
national one it restates, every province's attainment side by side, and the snapshots in use. Made the way a
province's outputs are (``reports/``: the same style sheet, status colours, value printing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..figures import value_text
from ..reports.appendix_report import STATUS_COLOURS
from ..reports.pages import ENVIRONMENT
from ..reports.site import STATUS_TEXT_COLOURS
from ..vocabulary import DIRECTIONS

MINISTRY = "Bộ Nội vụ"  # follows the national strategy since 01/03/2025
SENDERS = "Sở Nội vụ các tỉnh, thành phố"  # the provincial office collecting returns since 01/03/2025
PAGE = jinja2.Environment(
    loader=jinja2.PackageLoader("bdg_pipeline.nation", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
COMPARISON_COLOURS = {"stronger": "#C6EFCE", "equal": "#E2F0D9", "weaker": "#FFC7CE", "not_comparable": "#EDEDED"}


class NationalReportError(ValueError):
    """Said to the officer in Vietnamese."""


@dataclass(frozen=True)
class NationalOutputs:
    html: Path
    workbook: Path
    provinces: int


def _sign(direction: str) -> str:
    return DIRECTIONS[direction].split(" ")[0]


def _target(value: float, unit: str, direction: str) -> str:
    return f"{_sign(direction)} {value_text(value, unit)}"


def _frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    return {
        "snapshots": con.sql("SELECT * FROM v_national_snapshots ORDER BY arrival_seq").df(),
        "targets": con.sql(
            "SELECT t.*, f.numerator, f.denominator, f.province_names FROM v_national_targets t "
            "LEFT JOIN v_national_figures f ON f.indicator_code = t.indicator_code AND f.year = t.latest_year "
            "ORDER BY objective_no, indicator_no, part, target_year"
        ).df(),
        "comparison": con.sql(
            "SELECT * FROM v_target_comparison ORDER BY national_objective_no, national_indicator_no, target_year, "
            "province, plan_code"
        ).df(),
        "attainment": con.sql("""
            SELECT * FROM v_national_attainment a
            WHERE indicator_code IN (SELECT indicator_code FROM v_national_attainment GROUP BY 1
                                     HAVING count(DISTINCT province) > 1)
            QUALIFY row_number() OVER (PARTITION BY province, indicator_code
                                       ORDER BY target_year DESC, plan_code DESC) = 1
            ORDER BY indicator_code, province""").df(),
    }


def build_national_outputs(warehouse: Path, out_dir: Path) -> NationalOutputs:
    if not warehouse.exists():
        raise NationalReportError(
            f"Chưa có kho dữ liệu toàn quốc ({warehouse}). Hãy đặt gói dữ liệu của các tỉnh vào thư mục nhận và "
            "chạy “bdg rebuild” (BDG_INSTANCE=national)."
        )
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        frames = _frames(con)
    finally:
        con.close()
    in_force = frames["snapshots"][frames["snapshots"].in_force]
    if in_force.empty:
        raise NationalReportError("Kho dữ liệu toàn quốc chưa có gói dữ liệu nào của tỉnh đang dùng.")
    folder = out_dir / "quoc-gia"
    folder.mkdir(parents=True, exist_ok=True)
    workbook = _write_workbook(frames, folder / "bao_cao_toan_quoc.xlsx")
    html = _write_page(frames, folder, workbook)
    return NationalOutputs(html, workbook, len(in_force))


def snapshots_in_force(warehouse: Path) -> list[str]:
    """The provinces whose snapshot the national warehouse reads."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [
            r[0] for r in con.execute("SELECT province FROM v_national_snapshots WHERE in_force ORDER BY 1").fetchall()
        ]
    finally:
        con.close()


def national_summary(warehouse: Path) -> str:
    """What the national warehouse holds, for ``bdg summary`` on the ministry's instance."""
    if not warehouse.exists():
        raise NationalReportError(f"Chưa có kho dữ liệu toàn quốc ({warehouse}).")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        frames = _frames(con)
    finally:
        con.close()
    snapshots, targets = frames["snapshots"], frames["targets"]
    lines = ["Gói dữ liệu: " + ", ".join(f"{k} {v}" for k, v in snapshots.outcome_vi.value_counts().items())]
    lines += [
        f"  {r.province}: kho công bố lúc {r.published_at:%d/%m/%Y %H:%M} ({r.file_name})"
        for r in snapshots[snapshots.in_force].itertuples()
    ]
    lines.append("Mục tiêu quốc gia: " + ", ".join(f"{k} {v}" for k, v in targets.status_vi.value_counts().items()))
    return "\n".join(lines)


def _page_rows(frames: dict[str, pd.DataFrame]) -> dict:
    targets = [
        {
            "key": f"{r.objective_no}.{r.indicator_no}{r.part}",
            "text": r.indicator_text,
            "target": f"{_target(r.target_value, r.unit, r.direction)} ({r.target_year})",
            "latest": value_text(r.latest_value, r.unit, (r.target_value, r.direction))
            + (f" ({int(r.latest_year)})" if pd.notna(r.latest_year) else ""),
            "counts": f"{int(r.numerator):,}/{int(r.denominator):,}".replace(",", ".")
            if pd.notna(r.numerator) and pd.notna(r.denominator)
            else "—",
            "provinces": r.province_names if isinstance(r.province_names, str) else "—",
            "status": r.status,
            "status_vi": r.status_vi,
            "reason": r.reason,
            "note": r.note,
        }
        for r in frames["targets"].itertuples()
    ]
    comparison = [
        {
            "key": f"{r.national_objective_no}.{r.national_indicator_no}{r.national_part}",
            "year": r.target_year,
            "province": r.province,
            "plan": f"{r.plan_code} {r.objective_no}.{r.indicator_no}{r.part}",
            "target": _target(r.target_value, r.unit, r.direction),
            "national": _target(r.national_target_value, r.unit, r.national_direction),
            "comparison": r.comparison,
            "comparison_vi": r.comparison_vi,
        }
        for r in frames["comparison"].itertuples()
    ]
    attainment = frames["attainment"]
    provinces = sorted(attainment.province.unique()) if not attainment.empty else []
    side_by_side = []
    for code, rows in attainment.groupby("indicator_code", sort=True):
        cells = {r.province: r for r in rows.itertuples()}
        side_by_side.append(
            {
                "name": rows.indicator_name.iloc[0],
                "cells": [
                    {
                        "target": f"{_target(c.target_value, c.unit, c.direction)} ({c.target_year})",
                        "latest": value_text(c.latest_value, c.unit)
                        + (f" ({int(c.latest_year)})" if pd.notna(c.latest_year) else ""),
                        "status": c.status,
                        "label": c.status_label,
                        "plan": c.plan_code,
                    }
                    if (c := cells.get(p)) is not None
                    else None
                    for p in provinces
                ],
                "code": code,
            }
        )
    return {"targets": targets, "comparison": comparison, "provinces": provinces, "side_by_side": side_by_side}


def _write_page(frames: dict[str, pd.DataFrame], folder: Path, workbook: Path) -> Path:
    (folder / "style.css").write_text(
        ENVIRONMENT.get_template("style.css").render(colours=STATUS_COLOURS, text_colours=STATUS_TEXT_COLOURS)
        + "".join(f".cmp-{k} {{ background: {v}; }}\n" for k, v in COMPARISON_COLOURS.items()),
        encoding="utf-8",
    )
    snapshots = [
        {
            "province": r.province or "—",
            "file": r.file_name,
            "published": r.published_at.strftime("%d/%m/%Y %H:%M") if pd.notna(r.published_at) else "—",
            "outcome": r.outcome_vi,
            "in_force": bool(r.in_force),
            "reason": r.reason,
        }
        for r in frames["snapshots"].itertuples()
    ]
    html = folder / "index.html"
    html.write_text(
        PAGE.get_template("national.html.j2").render(
            ministry=MINISTRY,
            senders=SENDERS,
            made=dt.date.today().strftime("%d/%m/%Y"),
            workbook=workbook.name,
            snapshots=snapshots,
            in_force=sum(1 for s in snapshots if s["in_force"]),
            **_page_rows(frames),
        ),
        encoding="utf-8",
    )
    return html


SHEETS = {
    "MucTieuQuocGia": (
        "targets",
        [
            ("Chỉ tiêu", lambda r: f"{r.objective_no}.{r.indicator_no}{r.part}", 9),
            ("Nội dung chỉ tiêu", lambda r: r.indicator_text, 45),
            ("Năm mục tiêu", lambda r: r.target_year, 10),
            ("Mục tiêu", lambda r: _target(r.target_value, r.unit, r.direction), 12),
            ("Năm số liệu", lambda r: None if pd.isna(r.latest_year) else int(r.latest_year), 10),
            ("Tử số (tổng các tỉnh)", lambda r: None if pd.isna(r.numerator) else int(r.numerator), 14),
            ("Mẫu số (tổng các tỉnh)", lambda r: None if pd.isna(r.denominator) else int(r.denominator), 14),
            ("Số liệu cả nước", lambda r: value_text(r.latest_value, r.unit, (r.target_value, r.direction)), 14),
            ("Số tỉnh", lambda r: int(r.provinces), 8),
            ("Đánh giá", lambda r: r.status_vi, 14),
            ("Lý do đánh giá", lambda r: r.reason, 45),
            ("Nguồn số liệu mục tiêu", lambda r: r.note, 35),
        ],
    ),
    "SoSanhMucTieu": (
        "comparison",
        [
            ("Tỉnh", lambda r: r.province, 16),
            ("Kế hoạch", lambda r: r.plan_code, 14),
            ("Chỉ tiêu tỉnh", lambda r: f"{r.objective_no}.{r.indicator_no}{r.part}", 10),
            (
                "Chỉ tiêu quốc gia",
                lambda r: f"{r.national_objective_no}.{r.national_indicator_no}{r.national_part}",
                10,
            ),
            ("Năm mục tiêu", lambda r: r.target_year, 10),
            ("Mục tiêu tỉnh", lambda r: _target(r.target_value, r.unit, r.direction), 14),
            ("Mục tiêu quốc gia", lambda r: _target(r.national_target_value, r.unit, r.national_direction), 14),
            ("So với mức quốc gia", lambda r: r.comparison_vi, 22),
        ],
    ),
    "CacTinh": (
        "attainment",
        [
            ("Mã chỉ số", lambda r: r.indicator_code, 30),
            ("Chỉ số", lambda r: r.indicator_name, 50),
            ("Tỉnh", lambda r: r.province, 16),
            ("Kế hoạch", lambda r: r.plan_code, 14),
            ("Năm mục tiêu", lambda r: r.target_year, 10),
            ("Mục tiêu", lambda r: _target(r.target_value, r.unit, r.direction), 12),
            ("Số liệu mới nhất", lambda r: value_text(r.latest_value, r.unit), 14),
            ("Năm", lambda r: None if pd.isna(r.latest_year) else int(r.latest_year), 8),
            ("Đánh giá", lambda r: r.status_label, 30),
        ],
    ),
    "GoiDuLieu": (
        "snapshots",
        [
            ("Số", lambda r: r.arrival_seq, 8),
            ("Tệp", lambda r: r.file_name, 44),
            ("Tỉnh", lambda r: r.province, 16),
            ("Kho công bố lúc", lambda r: None if pd.isna(r.published_at) else r.published_at.to_pydatetime(), 18),
            ("Kết quả", lambda r: r.outcome_vi, 16),
            ("Ghi chú", lambda r: r.reason, 60),
        ],
    ),
}
TITLES = {
    "MucTieuQuocGia": "Mục tiêu quốc gia (Nghị quyết 28/NQ-CP) và số liệu cả nước: tổng tử số / tổng mẫu số các tỉnh",
    "SoSanhMucTieu": "Mục tiêu của tỉnh so với mục tiêu quốc gia mà tỉnh cụ thể hóa",
    "CacTinh": "Đánh giá của các tỉnh, đặt cạnh nhau theo chỉ số dùng chung",
    "GoiDuLieu": "Gói dữ liệu các tỉnh đã gửi",
}


def _write_workbook(frames: dict[str, pd.DataFrame], path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)
    font, bold = Font(name="Times New Roman", size=11), Font(name="Times New Roman", size=11, bold=True)
    for sheet_name, (frame_name, columns) in SHEETS.items():
        sheet = book.create_sheet(sheet_name)
        sheet["A1"] = f"{MINISTRY.upper()} — {TITLES[sheet_name]}"
        sheet["A1"].font = Font(name="Times New Roman", size=13, bold=True)
        for col, (title, _get, width) in enumerate(columns, start=1):
            cell = sheet.cell(row=3, column=col, value=title)
            cell.font, cell.alignment = bold, Alignment(wrap_text=True, vertical="center", horizontal="center")
            sheet.column_dimensions[get_column_letter(col)].width = width
        sheet.row_dimensions[3].height = 15 * 3
        for row_no, row in enumerate(frames[frame_name].itertuples(), start=4):
            lines = 1
            for col, (title, get, width) in enumerate(columns, start=1):
                cell = sheet.cell(row=row_no, column=col, value=get(row))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text is never a formula, whatever it starts with
                    # wrapped text needs its height: neither Excel nor LibreOffice grows a row openpyxl wrote
                    lines = max(lines, -(-len(cell.value) // max(1, int(width * 1.1))))
                # a year right-aligned beside a left-aligned target reads as one figure (“2025 ≥ 60%”)
                across = "center" if title.startswith("Năm") else None
                cell.font, cell.alignment = font, Alignment(wrap_text=True, vertical="top", horizontal=across)
                if title == "Đánh giá" and hasattr(row, "status"):
                    cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[row.status].lstrip("#"))
                if title == "So với mức quốc gia":
                    cell.fill = PatternFill("solid", fgColor=COMPARISON_COLOURS[row.comparison].lstrip("#"))
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "DD/MM/YYYY HH:MM"
            sheet.row_dimensions[row_no].height = 15 * lines
        sheet.freeze_panes = "A4"
        sheet.print_title_rows = "3:3"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    tmp = path.with_name(f".{path.name}.tmp")
    book.save(tmp)
    tmp.replace(path)
    return path
