"""Inputs once read wrong without a word: Excel's percent format, a thousands dot in a rate, a tampered
``_meta``, a year or date ahead, a 6-month and a yearly return of one year. Each is now read as Excel
shows it or refused with the cell named; never stored silently."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.returns.ingest import parse_return
from bdg_pipeline.returns.model import ReturnRejected
from bdg_pipeline.returns.template import FIRST_ROW, HEADER_CELLS, SHEET
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.samples.ninh_thuan_appendix import build_appendix_workbook


def _row(ws, code: str, level: str = "Cấp tỉnh") -> int:
    for r in range(FIRST_ROW, ws.max_row + 1):
        if ws[f"E{r}"].value == code and ws[f"H{r}"].value == level:
            return r
    raise AssertionError(code)


def test_a_percent_formatted_cell_is_read_as_shown(catalogue, tmp_path):
    wb = build_template(catalogue, "QN-2021-2030", "Sở Lao động - Thương binh và Xã hội", 2023)
    ws = wb[SHEET]
    r = FIRST_ROW  # chỉ tiêu 2.1, a percent
    ws[f"L{r}"] = 0.5161  # what Excel stores for “51,61 %” typed into a percent cell
    ws[f"L{r}"].number_format = "0.00%"
    wb.save(tmp_path / "pct.xlsx")
    rows = parse_return(tmp_path / "pct.xlsx", catalogue).rows
    assert [row.reading.value for row in rows] == [pytest.approx(51.61)]


def test_a_percent_formatted_appendix_cell_is_read_as_shown(catalogue, tmp_path):
    wb = build_appendix_workbook()
    ws = wb.active
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "48/93 đạt 51,61%")
    cell.value, cell.number_format = 0.5161, "0.00%"
    wb.save(tmp_path / "phu_luc.xlsx")
    rows = parse_return(tmp_path / "phu_luc.xlsx", catalogue).rows
    value = next(row.reading.value for row in rows if (row.objective_no, row.indicator_no) == (1, 2))
    assert value == pytest.approx(51.61)


def test_a_thousands_dot_in_a_rate_is_refused_with_its_likely_meaning(catalogue, tmp_path):
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023)
    ws = wb[SHEET]
    r = _row(ws, "sex_ratio_at_birth")
    ws[f"L{r}"] = "108.500"  # a rate of 108,5 written with a thousands dot reads as 108500
    wb.save(tmp_path / "srb.xlsx")
    with pytest.raises(ReturnRejected) as err:
        parse_return(tmp_path / "srb.xlsx", catalogue)
    [problem] = err.value.problems
    assert problem.cell == f"L{r}" and "ngoài khoảng hợp lý" in problem.message
    assert "108,5" in problem.fix


@pytest.mark.parametrize(
    "cell, value, message",
    [
        ("B4", "KHONGCO", "cơ quan không có trong danh mục"),
        ("B6", "quy3", "kỳ báo cáo không hợp lệ"),
        ("B5", 2040, "nằm ngoài kỳ theo dõi"),
    ],
)
def test_a_tampered_meta_is_refused(catalogue, tmp_path, cell, value, message):
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023)
    wb[SHEET][f"L{FIRST_ROW}"] = 109
    wb["_meta"][cell] = value
    wb.save(tmp_path / "meta.xlsx")
    with pytest.raises(ReturnRejected) as err:
        parse_return(tmp_path / "meta.xlsx", catalogue)
    assert [(p.sheet, p.cell) for p in err.value.problems] == [("_meta", cell)]
    assert message in err.value.problems[0].message


def test_a_year_after_the_judging_year_and_a_date_ahead_are_refused(catalogue, env):
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2029)
    wb[SHEET][f"L{FIRST_ROW}"] = 109
    path = env.raw_dir / "nam_2029.xlsx"
    wb.save(path)
    outcome = pipeline.ingest(dataclasses.replace(env, as_of_year=2025), [path]).outcomes[0]
    assert outcome.outcome == "rejected" and "sau năm đánh giá 2025" in str(outcome.problems)
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023)
    wb[SHEET][f"L{FIRST_ROW}"] = 109
    wb[SHEET][HEADER_CELLS["report_date"]] = dt.date.today() + dt.timedelta(days=800)
    wb.save(env.raw_dir / "ngay.xlsx")
    outcome = pipeline.ingest(env, [env.raw_dir / "ngay.xlsx"]).outcomes[0]
    assert outcome.outcome == "rejected"
    assert [p.cell for p in outcome.problems] == [HEADER_CELLS["report_date"]]


def _return(catalogue, env, period: str, value: float, name: str):
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023, period)
    wb[SHEET][f"L{FIRST_ROW}"] = value
    path = env.raw_dir / name
    wb.save(path)
    return path


@pytest.mark.parametrize("order", ["6-month first", "yearly first"])
def test_the_yearly_return_is_in_force_over_the_6_month_one(catalogue, env, read_warehouse, order):
    half = _return(catalogue, env, "6thang", 111.0, "sau_thang.xlsx")
    year = _return(catalogue, env, "nam", 109.5, "ca_nam.xlsx")
    told = {}
    for path in [half, year] if order == "6-month first" else [year, half]:
        summary = pipeline.ingest(env, [path])
        assert summary.accepted == 1
        told[path.name] = summary.outcomes[0]
    if order == "6-month first":
        assert told["ca_nam.xlsx"].superseded == ["sau_thang.xlsx"]
    else:
        assert told["sau_thang.xlsx"].receipt.startswith("không có hiệu lực: đã có báo cáo năm")
    superseded = read_warehouse("SELECT file_name FROM v_submissions_log WHERE outcome = 'superseded'")
    assert superseded == [("sau_thang.xlsx",)]
    key = (
        "WHERE plan_code = 'LC-2021-2030' AND indicator_code = 'sex_ratio_at_birth' AND level = 'tinh' AND year = 2023"
    )
    assert read_warehouse(f"SELECT value FROM v_observations {key}") == [(109.5,)]
    assert sorted(read_warehouse(f"SELECT value FROM fact_observation {key}")) == [(109.5,), (111.0,)]  # history
    periods = dict(read_warehouse("SELECT period, status FROM submission"))
    assert periods == {"nam": "accepted", "6thang": "superseded"}
    assert read_warehouse(
        "SELECT observations FROM v_attainment WHERE plan_code = 'LC-2021-2030' "
        "AND indicator_code = 'sex_ratio_at_birth' AND level = 'tinh' AND target_year = 2030"
    ) == [(1,)]


def _as_xls(book, path):
    """An officer's “Save as Excel 97–2003 (.xls)”, written here with xlwt."""
    import xlwt

    old = xlwt.Workbook()
    for sheet in book.worksheets:
        copy = old.add_sheet(sheet.title)
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    copy.write(cell.row - 1, cell.column - 1, cell.value)
    old.save(str(path))


def _as_ods(book, path):
    """LibreOffice's own format (.ods), written here with pandas' odf writer."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for sheet in book.worksheets:
            grid = [[cell.value for cell in row] for row in sheet.iter_rows()]
            pd.DataFrame(grid).to_excel(writer, sheet_name=sheet.title, header=False, index=False)


@pytest.mark.parametrize("suffix, save", [(".xls", _as_xls), (".ods", _as_ods)])
def test_a_template_saved_in_another_format_reads_the_same(catalogue, tmp_path, suffix, save):
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023)
    ws = wb[SHEET]
    ws[f"L{_row(ws, 'sex_ratio_at_birth')}"] = 109.2
    r = _row(ws, "maternal_mortality_ratio")
    ws[f"J{r}"], ws[f"K{r}"] = 3, 14250
    wb.save(tmp_path / "bieu.xlsx")
    save(wb, tmp_path / f"bieu{suffix}")
    modern = parse_return(tmp_path / "bieu.xlsx", catalogue).rows
    other = parse_return(tmp_path / f"bieu{suffix}", catalogue).rows
    assert len(modern) == 2
    assert [(r.indicator_no, r.area_code, r.reading) for r in other] == [
        (r.indicator_no, r.area_code, r.reading) for r in modern
    ]


@pytest.mark.parametrize("suffix, save", [(".xls", _as_xls), (".ods", _as_ods)])
def test_a_percent_lost_in_xls_or_ods_is_refused_not_read_as_a_fraction(catalogue, tmp_path, suffix, save):
    wb = build_template(catalogue, "QN-2021-2030", "Sở Lao động - Thương binh và Xã hội", 2023)
    ws = wb[SHEET]
    ws[f"L{FIRST_ROW}"] = 0.5161  # what 51,61 % typed into a percent cell is saved as; .xls/.ods keep no format
    save(wb, tmp_path / f"bieu{suffix}")
    with pytest.raises(ReturnRejected) as err:
        parse_return(tmp_path / f"bieu{suffix}", catalogue)
    assert any(p.cell == f"L{FIRST_ROW}" and "có thể là tỷ lệ phần trăm" in p.message for p in err.value.problems), [
        str(p) for p in err.value.problems
    ]
