"""The officer's error report: the right cell, the chỉ tiêu and area in words, what was found, how to fix
it, and never an error the officer did not make."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.returns.error_report import COLUMNS, HEADER_ROW
from bdg_pipeline.returns.ingest import parse_return
from bdg_pipeline.returns.model import ReturnRejected
from bdg_pipeline.returns.template import FIRST_ROW, HEADER_CELLS, SHEET
from bdg_pipeline.returns.template_build import build_template

PLAN, AGENCY = "QN-2021-2030", "Sở Lao động - Thương binh và Xã hội"


def _row_of_unit(ws, symbol: str) -> int:
    """The first province-level row whose chỉ tiêu is measured in ``symbol``."""
    for r in range(FIRST_ROW, ws.max_row + 1):
        if ws[f"G{r}"].value == symbol and ws[f"H{r}"].value == "Cấp tỉnh":
            return r
    raise AssertionError(f"no {symbol} row")


def _problems(catalogue, tmp_path, fill) -> list:
    wb = build_template(catalogue, PLAN, AGENCY, 2023)
    ws = wb[SHEET]
    fill(ws)
    path = tmp_path / "bieu.xlsx"
    wb.save(path)
    with pytest.raises(ReturnRejected) as err:
        parse_return(path, catalogue)
    return err.value.problems


def _error(ws, cell: str, code: str) -> None:
    ws[cell] = code
    ws[cell].data_type = "e"  # a cached Excel error, as Excel saves it


@pytest.mark.parametrize(
    "column, typed, expected_cell_column, message",
    [
        ("L", "khoảng 31,5%", "L", "Ô số chứa chữ"),  # text in the value cell, numerator left blank on purpose
        ("L", "1.234,5", "L", "vượt quá 100%"),  # a percent written with a thousands dot: at L, not J
        ("L", 100.5, "L", "vượt quá 100%"),
        ("J", "#N/A", "J", "lỗi công thức #N/A"),  # an error value is not a missing denominator
        ("L", "#DIV/0!", "L", "lỗi công thức #DIV/0!"),  # a cached #DIV/0! is named, not dropped
    ],
)
def test_each_error_at_its_cell_and_only_once(catalogue, tmp_path, column, typed, expected_cell_column, message):
    row = {}

    def fill(ws):
        row["r"] = r = _row_of_unit(ws, "%")
        if isinstance(typed, str) and typed.startswith("#"):
            _error(ws, f"{column}{r}", typed)
            if column == "J":
                ws[f"K{r}"] = 100
        else:
            ws[f"{column}{r}"] = typed

    problems = _problems(catalogue, tmp_path, fill)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.cell == f"{expected_cell_column}{row['r']}" and message in problem.message, str(problem)
    assert problem.fix, str(problem)


def test_every_problem_names_the_indicator_and_area_and_says_how_to_fix(catalogue, tmp_path):
    def fill(ws):
        r = _row_of_unit(ws, "%")
        ws[f"J{r}"], ws[f"K{r}"] = 120, 100  # numerator above denominator
        ws[f"L{r + 1}"] = "năm mươi"  # text in a number cell, next row

    problems = _problems(catalogue, tmp_path, fill)
    assert len(problems) == 2, [str(p) for p in problems]
    bigger, text = problems
    assert "lớn hơn mẫu số" in bigger.message and "đảo chỗ" in bigger.fix
    assert "để trống" in text.fix  # no data → leave the cell empty, rather than writing words
    for problem in problems:
        assert problem.about.startswith("chỉ tiêu ") and "Quảng Ninh" in problem.about, problem.about


@pytest.mark.parametrize("typed", ["15/12/2023", 45275, dt.datetime(2023, 12, 15)])
def test_report_date_as_excel_shows_it(catalogue, tmp_path, typed):
    wb = build_template(catalogue, PLAN, AGENCY, 2023)
    ws = wb[SHEET]
    r = _row_of_unit(ws, "%")
    ws[f"J{r}"], ws[f"K{r}"] = 48, 93
    ws[HEADER_CELLS["report_date"]] = typed
    path = tmp_path / "bieu.xlsx"
    wb.save(path)
    assert parse_return(path, catalogue).report_date == dt.date(2023, 12, 15)


def test_impossible_date_is_named(catalogue, tmp_path):
    problems = _problems(catalogue, tmp_path, lambda ws: ws.__setitem__(HEADER_CELLS["report_date"], "31/02/2023"))
    assert [p.cell for p in problems] == [HEADER_CELLS["report_date"]]
    assert "15/12/2025" in problems[0].fix


def test_error_report_workbook_as_an_officer_opens_it(env, catalogue):
    wb = build_template(catalogue, PLAN, AGENCY, 2023)
    ws = wb[SHEET]
    r = _row_of_unit(ws, "%")
    ws[f"J{r}"], ws[f"K{r}"] = 120, 100
    path = env.raw_dir / "bieu_loi.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    outcome = pipeline.ingest(env, [path]).outcomes[0]
    assert outcome.outcome == "rejected"
    report = openpyxl.load_workbook(outcome.report_path)
    sheet = report.active
    assert [c.value for c in sheet[HEADER_ROW]] == [title for title, _ in COLUMNS]
    row = [c.value for c in sheet[HEADER_ROW + 1]]
    assert row[2] == f"J{r}" and "Quảng Ninh" in row[3] and "lớn hơn mẫu số" in row[4] and row[6]
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert "bieu_loi.xlsx" in sheet["A2"].value
