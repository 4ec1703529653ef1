"""The leader's workbook read as a leader reads it: deadlines in words, the issuing body whole, no empty
column title, units and numbers as an officer writes them."""

from __future__ import annotations

import re

import duckdb
import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from bdg_pipeline import pipeline
from bdg_pipeline.attainment import target_words
from bdg_pipeline.catalogue import load_catalogue
from bdg_pipeline.config import CATALOGUE_DIR
from bdg_pipeline.reports.appendix_report import HEADER_ROW, against_due
from bdg_pipeline.reports.build import build_outputs
from bdg_pipeline.returns.template import FIRST_ROW, SHEET
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.samples import write_samples

from .conftest import settings_in

PROVINCE, YEAR = "Lào Cai", 2024


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    root = tmp_path_factory.mktemp("leader")
    with settings_in(root, BDG_AS_OF_YEAR="2026") as s:
        catalogue = load_catalogue(CATALOGUE_DIR)
        paths = write_samples(root / "samples", catalogue)
        # a return whose printed share differs from its counts: a warning with thousands in it
        wb = build_template(catalogue, "LC-2021-2030", "Sở Nội vụ", YEAR)
        ws = wb[SHEET]
        r = next(
            r for r in range(FIRST_ROW, ws.max_row + 1) if ws[f"G{r}"].value == "%" and ws[f"H{r}"].value == "Cấp tỉnh"
        )
        ws[f"J{r}"], ws[f"K{r}"], ws[f"L{r}"] = 7600, 10000, 74
        ws["C9"] = "31/12/2024"
        extra = root / "canh_bao.xlsx"
        wb.save(extra)
        summary = pipeline.ingest(s, sorted(paths) + [extra], catalogue)
        assert summary.rejected == 0
        out = build_outputs(s.warehouse, PROVINCE, YEAR, root / "reports")
        with duckdb.connect(str(s.warehouse), read_only=True) as con:
            tracked = con.execute(
                "SELECT agency, status, days_after_due FROM v_submissions WHERE province = ? AND year = ?",
                [PROVINCE, YEAR],
            ).fetchall()
        yield openpyxl.load_workbook(out.workbook), tracked


def _merged_text_width(ws, row: int, col: int) -> tuple[str, float]:
    for merged in ws.merged_cells.ranges:
        if merged.min_row == row and merged.min_col == col:
            width = sum(
                ws.column_dimensions[get_column_letter(c)].width for c in range(merged.min_col, merged.max_col + 1)
            )
            return str(ws.cell(row=row, column=col).value), width
    return str(ws.cell(row=row, column=col).value), ws.column_dimensions[get_column_letter(col)].width


def test_tracker_says_early_on_time_and_late_in_words(workbook):
    wb, tracked = workbook
    ws = wb["Theo dõi nộp báo cáo"]
    assert ws.cell(row=HEADER_ROW + 1, column=7).value == "So với hạn nộp"
    shown = {
        ws.cell(row=r, column=2).value: (ws.cell(row=r, column=6).value, ws.cell(row=r, column=7).value)
        for r in range(HEADER_ROW + 2, ws.max_row + 1)
        if ws.cell(row=r, column=2).value
    }
    assert len(shown) == len(tracked) and any(days is not None and days < 0 for _, _, days in tracked)
    for agency, status, days in tracked:
        status_vi, words = shown[agency]
        assert not str(words).lstrip().startswith(("-", "−"))
        if status == "on_time":
            assert words == ("Đúng ngày hạn" if days == 0 else f"Sớm {-days} ngày"), (agency, words)
        elif status == "late":
            assert words == f"Trễ {days} ngày"


def test_issuing_body_is_never_cut(workbook):
    wb, _ = workbook
    for ws in wb.worksheets:
        text, width = _merged_text_width(ws, 2, 1)
        assert text.startswith("SỞ "), (ws.title, text)
        # bold capitals of Times New Roman 12 take about 1,2 character units each
        assert len(text) * 1.2 <= width, (ws.title, text, width)


def test_budget_sheet_has_no_empty_column_title(workbook):
    wb, _ = workbook
    ws = wb["Kinh phí"]
    header_rows = [r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Kế hoạch"]
    assert len(header_rows) == 2
    covered = {(m.min_row, c) for m in ws.merged_cells.ranges for c in range(m.min_col + 1, m.max_col + 1)}
    for r in header_rows:
        for c in range(1, 9):
            assert ws.cell(row=r, column=c).value or (r, c) in covered, (r, c)


def test_units_and_numbers_as_an_officer_reads_them(workbook):
    wb, _ = workbook
    ws = wb["Cấp tỉnh"]
    targets = [
        ws.cell(row=r, column=4).value for r in range(HEADER_ROW + 2, ws.max_row + 1) if ws.cell(row=r, column=4).value
    ]
    assert any("tin bài/quý" in t for t in targets), targets
    assert not [t for t in targets if "số lượng" in t or re.search(r"\d /", t)]
    warnings = wb["Cảnh báo dữ liệu"]
    printed = [warnings.cell(row=r, column=7).value for r in range(HEADER_ROW + 2, warnings.max_row + 1)]
    assert "7.600 / 10.000 / 74" in printed, printed
    reasons = [warnings.cell(row=r, column=8).value for r in range(HEADER_ROW + 2, warnings.max_row + 1)]
    assert any("tính từ 7.600/10.000 = 76%" in str(reason) for reason in reasons), reasons


@pytest.mark.parametrize(
    "days, status, words",
    [
        (-23, "on_time", "Sớm 23 ngày"),
        (0, "on_time", "Đúng ngày hạn"),
        (9, "late", "Trễ 9 ngày"),
        (None, "missing", "Chưa nhận"),
        (None, "not_due", ""),
    ],
)
def test_against_due(days, status, words):
    assert against_due(days, status) == words


@pytest.mark.parametrize(
    "target, direction, unit, name, words",
    [
        (
            4,
            "at_least",
            "count_per_quarter",
            "Số tin, bài về bình đẳng giới mỗi quý trên hệ thống thông tin cơ sở",
            "≥ 4 tin bài/quý (năm 2025)",
        ),
        (
            2,
            "at_least",
            "count_per_month",
            "Số chuyên mục tuyên truyền về bình đẳng giới mỗi tháng",
            "≥ 2 chuyên mục/tháng (năm 2025)",
        ),
        (112, "at_most", "per_100", "Tỷ số giới tính khi sinh", "≤ 112/100 (năm 2025)"),
        (7600, "at_least", "per_100000", "", "≥ 7.600/100.000 (năm 2025)"),
        (1.5, "at_least", "times", "", "≥ 1,5 lần (năm 2025)"),
    ],
)
def test_target_words(target, direction, unit, name, words):
    assert target_words(target, direction, unit, 2025, name) == words
