"""What an officer meets in the template and the error report: chỉ tiêu named as printed, the Giá trị check
by unit, the header wide enough, “45%” read, candidates for a wrong area, refusals settled by a correction,
no district row after the 2025 reform, the budget sheet only for the office reporting the money."""

from __future__ import annotations

import duckdb
import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from bdg_pipeline import pipeline
from bdg_pipeline.agencies import COLLECTING_OFFICE
from bdg_pipeline.areas import world_date
from bdg_pipeline.returns.error_report import SETTLED_MARK, SETTLED_ROW
from bdg_pipeline.returns.ingest import parse_return
from bdg_pipeline.returns.model import ParsedReturn, ReturnRejected
from bdg_pipeline.returns.template import FIRST_ROW, HEADER_CELLS, LETTER, POSITION, SHEET
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.returns.template_read import _about
from bdg_pipeline.units import unit_words
from bdg_pipeline.vocabulary import UNIT_TABLE, UNITS

QN, QN_LDTBXH = "QN-2021-2030", "Sở Lao động - Thương binh và Xã hội"
LC = "LC-2021-2030"


def _rows(ws, unit: str | None = None, level: str | None = None) -> list[int]:
    return [
        r
        for r in range(FIRST_ROW, ws.max_row + 1)
        if (unit is None or ws[f"G{r}"].value == UNITS[unit]) and (level is None or ws[f"H{r}"].value == level)
    ]


def _parse(catalogue, wb, path):
    wb.save(path)
    try:
        return parse_return(path, catalogue)
    except ReturnRejected as err:
        return err.problems


def _problems(catalogue, wb, path) -> list:
    with pytest.raises(ReturnRejected) as err:
        wb.save(path)
        parse_return(path, catalogue)
    return err.value.problems


# -- 5: the chỉ tiêu as printed ---------------------------------------------------------------------------


def test_every_part_of_every_plan_is_named_as_printed(catalogue):
    """A workbook keeps 5 and 2 as 5.0 and 2.0 (python-calamine gives floats): the name is still “5.2a”."""
    parts = catalogue.plan_indicators
    assert len(parts) > 60
    for p in parts.itertuples():
        for typed in ((p.objective_no, p.indicator_no), (float(p.objective_no), float(p.indicator_no))):
            row: list = [None] * len(POSITION)
            row[POSITION["objective"]], row[POSITION["indicator"]] = typed
            row[POSITION["part"]] = p.part or None
            row[POSITION["area"]], row[POSITION["level"]] = "Tỉnh X", "Cấp tỉnh"
            text = _about(row, p.plan_code, catalogue)
            assert text.startswith(f"chỉ tiêu {p.objective_no}.{p.indicator_no}{p.part} “"), (p.plan_code, text)


def test_error_report_and_run_log_name_the_part_as_printed(env, catalogue):
    wb = build_template(catalogue, QN, QN_LDTBXH, 2023)
    ws = wb[SHEET]
    r = _rows(ws, "percent", "Cấp tỉnh")[0]
    printed = f"{ws[f'B{r}'].value}.{ws[f'C{r}'].value}{ws[f'D{r}'].value or ''}"
    ws[f"L{r}"] = "năm mươi"
    path = env.raw_dir / "ten_chi_tieu.xlsx"
    wb.save(path)
    outcome = pipeline.ingest(env, [path]).outcomes[0]
    assert outcome.outcome == "rejected"
    assert f"chỉ tiêu {printed} “" in outcome.summary()  # the line the Dagster run logs
    about = openpyxl.load_workbook(outcome.report_path).active.cell(row=7, column=4).value
    assert about.startswith(f"chỉ tiêu {printed} “") and ".0" not in about


# -- 6: Giá trị checked by the part's unit ----------------------------------------------------------------


def _rules_by_cell(ws) -> dict[str, list]:
    rules: dict[str, list] = {}
    for dv in ws.data_validations.dataValidation:
        for cells in dv.sqref.ranges:
            for (cell,) in ws.iter_rows(
                min_row=cells.min_row, max_row=cells.max_row, min_col=cells.min_col, max_col=cells.max_col
            ):
                rules.setdefault(cell.coordinate, []).append((dv, cells.min_row))
    return rules


@pytest.mark.parametrize(
    "plan, agency, year", [(LC, "Sở Y tế", 2023), (QN, QN_LDTBXH, 2023), (QN, "Sở Thông tin và Truyền thông", 2023)]
)
def test_value_cells_accept_what_the_instructions_ask_for(catalogue, tmp_path, plan, agency, year):
    path = tmp_path / "bieu.xlsx"
    build_template(catalogue, plan, agency, year).save(path)
    wb = openpyxl.load_workbook(path)  # the validations as Excel reads them from the file
    ws = wb[SHEET]
    guide = " ".join(str(c.value) for c in wb["HuongDan"]["A"] if c.value)
    assert "ghi “Có” hoặc “Không” vào cột Giá trị" in guide
    rules = _rules_by_cell(ws)
    column = LETTER["value"]
    units_seen = set()
    for r in range(FIRST_ROW, ws.max_row + 1):
        key = (plan, ws[f"B{r}"].value, ws[f"C{r}"].value, ws[f"D{r}"].value or "")
        unit = catalogue.parts_index[key][1]
        assert ws[f"G{r}"].value == unit_words(unit, catalogue.indicator_names[catalogue.parts_index[key][0]])
        units_seen.add(unit)
        found = rules.get(f"{column}{r}", [])
        assert len(found) == 1, (r, found)  # one rule per cell: the rule of its own part's unit
        dv, first = found[0]
        assert dv.showErrorMessage and dv.allow_blank
        if unit == "yes_no":
            assert dv.type == "list" and dv.formula1.strip('"').split(",") == ["Có", "Không", "Xóa"]
        else:
            low, high = UNIT_TABLE[unit].valid_range
            anchor = f"{column}{first}"
            assert dv.type == "custom" and f"ISNUMBER({anchor})" in dv.formula1
            assert f"{anchor}>={low}" in dv.formula1 and f"{anchor}<={high}" in dv.formula1
            assert f'{anchor}="Xóa"' in dv.formula1
            assert ("RIGHT(TRIM(" in dv.formula1) == (unit == "percent")
    if plan == LC:
        assert "yes_no" in units_seen
    if agency == "Sở Thông tin và Truyền thông":
        assert "count_per_quarter" in units_seen


def test_yes_no_part_read_from_co(catalogue, tmp_path):
    wb = build_template(catalogue, LC, "Sở Y tế", 2023)
    ws = wb[SHEET]
    r = _rows(ws, "yes_no", "Cấp tỉnh")[0]
    ws[f"L{r}"] = "Có"
    parsed = _parse(catalogue, wb, tmp_path / "co.xlsx")
    assert isinstance(parsed, ParsedReturn) and [row.reading.value for row in parsed.rows] == [1.0]


# -- 7: the header and “45%” ------------------------------------------------------------------------------


def _merged_width(ws, coordinate: str) -> float:
    for merged in ws.merged_cells.ranges:
        if coordinate in merged:
            return sum(
                ws.column_dimensions[get_column_letter(c)].width for c in range(merged.min_col, merged.max_col + 1)
            )
    return ws.column_dimensions[coordinate.rstrip("0123456789")].width


def test_header_wide_enough_for_a_date_and_its_labels(catalogue, tmp_path):
    path = tmp_path / "bieu.xlsx"
    build_template(catalogue, QN, QN_LDTBXH, 2023).save(path)
    ws = openpyxl.load_workbook(path)[SHEET]
    # “15/12/2025” in DD/MM/YYYY needs 10 characters and a margin, or Excel shows “###”
    assert _merged_width(ws, HEADER_CELLS["report_date"]) >= 14
    assert ws[HEADER_CELLS["report_date"]].number_format == "DD/MM/YYYY"
    assert not ws[HEADER_CELLS["report_date"]].protection.locked
    for r in range(4, 12):
        label = ws[f"A{r}"].value
        # bold labels take about 1.1 character units per letter
        assert len(label) * 1.1 <= _merged_width(ws, f"A{r}"), label
        assert ws[f"B{r}"].value is None


@pytest.mark.parametrize("typed, value", [("45%", 45.0), ("51,61 %", 51.61), (" 7% ", 7.0)])
def test_percent_typed_as_text_is_read(catalogue, tmp_path, typed, value):
    wb = build_template(catalogue, QN, QN_LDTBXH, 2023)
    ws = wb[SHEET]
    ws[f"L{_rows(ws, 'percent', 'Cấp tỉnh')[0]}"] = typed
    parsed = _parse(catalogue, wb, tmp_path / "pct.xlsx")
    assert isinstance(parsed, ParsedReturn), [str(p) for p in parsed]
    assert [row.reading.value for row in parsed.rows] == [value]


@pytest.mark.parametrize(
    "unit, typed, message",
    [
        ("percent", "khoảng 45%", "Ô số chứa chữ"),
        ("percent", "45% - 50%", "Ô số chứa chữ"),
        ("percent", "145%", "vượt quá 100%"),
        ("per_100", "108%", "Ô số chứa chữ"),  # a sex ratio is not a percent
    ],
)
def test_ambiguous_text_still_refused(catalogue, tmp_path, unit, typed, message):
    plan, agency = (QN, QN_LDTBXH) if unit == "percent" else (LC, "Sở Y tế")
    wb = build_template(catalogue, plan, agency, 2023)
    ws = wb[SHEET]
    r = _rows(ws, unit, "Cấp tỉnh")[0]
    ws[f"L{r}"] = typed
    problems = _problems(catalogue, wb, tmp_path / "mo_ho.xlsx")
    assert len(problems) == 1 and problems[0].cell == f"L{r}" and message in problems[0].message, [
        str(p) for p in problems
    ]


# -- 8: a wrong commune, and a refusal settled by its correction -------------------------------------------


def _wrong_commune(catalogue):
    wb = build_template(catalogue, QN, QN_LDTBXH, 2023)
    ws = wb[SHEET]
    r = _rows(ws, "percent", "Cấp xã")[0]
    ws[f"I{r}"], ws[f"J{r}"], ws[f"K{r}"] = "xã Hạ Longg (Huyện Vân Đồn)", 12, 40
    return wb, r


def test_wrong_commune_lists_the_closest_names(catalogue, tmp_path):
    wb, r = _wrong_commune(catalogue)
    problems = _problems(catalogue, wb, tmp_path / "sai_xa.xlsx")
    assert len(problems) == 1 and problems[0].cell == f"I{r}"
    assert "gần nhất: Xã Hạ Long (Huyện Vân Đồn)" in problems[0].message, problems[0].message


def test_correction_of_the_same_scope_settles_the_refusal(env, catalogue):
    wb, r = _wrong_commune(catalogue)
    bad = env.raw_dir / "bao_cao_sai.xlsx"
    wb.save(bad)
    other = env.raw_dir / "khac_pham_vi.xlsx"  # another agency's refusal stays waiting
    wb2 = build_template(catalogue, QN, "Sở Y tế", 2023)
    wb2[SHEET][f"L{FIRST_ROW}"] = "năm mươi"
    wb2.save(other)
    first = pipeline.ingest(env, [bad, other]).outcomes
    assert [o.outcome for o in first] == ["rejected", "rejected"]
    kept = {o.file_name: (env.quarantine_dir / f"{o.arrival_seq:06d}_{o.file_name}").read_bytes() for o in first}
    wb[SHEET][f"I{r}"] = "Xã Hạ Long (Huyện Vân Đồn)"
    fixed = env.raw_dir / "bao_cao_da_sua.xlsx"
    wb.save(fixed)
    outcome = pipeline.ingest(env, [fixed]).outcomes[0]
    assert outcome.outcome == "accepted" and outcome.settles == ["bao_cao_sai.xlsx"]
    assert "đã xử lý tệp bị trả lại trước: bao_cao_sai.xlsx" in outcome.summary()
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        log = dict(
            con.execute("SELECT file_name, settled_by FROM v_submissions_log WHERE outcome = 'rejected'").fetchall()
        )
    assert log == {"bao_cao_sai.xlsx": "bao_cao_da_sua.xlsx", "khac_pham_vi.xlsx": None}
    reports = {o.file_name: openpyxl.load_workbook(o.report_path).active for o in first}
    assert (
        reports["bao_cao_sai.xlsx"]
        .cell(row=SETTLED_ROW, column=1)
        .value.startswith(f"{SETTLED_MARK}: tệp “bao_cao_da_sua.xlsx”")
    )
    assert reports["khac_pham_vi.xlsx"].cell(row=SETTLED_ROW, column=1).value is None
    # the refused files themselves are left exactly as they came
    assert {
        o.file_name: (env.quarantine_dir / f"{o.arrival_seq:06d}_{o.file_name}").read_bytes() for o in first
    } == kept
    # a rebuild says the same
    pipeline.rebuild(env)
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        assert (
            dict(
                con.execute("SELECT file_name, settled_by FROM v_submissions_log WHERE outcome = 'rejected'").fetchall()
            )
            == log
        )


def test_summary_lists_refusals_still_waiting(env, catalogue):
    from bdg_pipeline.cli import _summary_text

    wb, _ = _wrong_commune(catalogue)
    bad = env.raw_dir / "cho_sua.xlsx"
    wb.save(bad)
    pipeline.ingest(env, [bad])
    text = _summary_text(env.warehouse)
    assert "Tệp bị trả lại: 1 (0 đã xử lý" in text and "chờ gửi lại: cho_sua.xlsx" in text


# -- 9: no district row after 1 July 2025; the budget sheet for the office reporting the money -------------


@pytest.mark.parametrize("year, districts", [(2024, True), (2025, False), (2026, False)])
def test_district_rows_only_while_districts_exist(catalogue, year, districts):
    wb = build_template(catalogue, LC, "Sở Y tế", year)
    ws = wb[SHEET]
    levels = {ws[f"H{r}"].value for r in range(FIRST_ROW, ws.max_row + 1)}
    listed = {c.value for c in wb["DanhMuc"]["A"] if c.value}
    assert ("Cấp huyện" in levels) == districts and ("Cấp huyện" in listed) == districts
    assert {"Cấp tỉnh", "Cấp xã"} <= levels


@pytest.mark.parametrize("year", [2023, 2026])
def test_budget_sheet_only_for_the_collecting_office(catalogue, year):
    office = catalogue.timeline.on(COLLECTING_OFFICE, "", world_date(year, "nam"))
    names = catalogue.agencies.set_index("agency_code")["name"]
    leads = set(catalogue.plan_indicators[catalogue.plan_indicators.plan_code == LC].lead_agency)
    day = world_date(year, "nam")
    checked = 0
    for code in sorted(leads | {office}):
        if not catalogue.timeline.exists_on(code, day):
            continue
        try:
            wb = build_template(catalogue, LC, names[code], year)
        except ValueError:
            continue  # an agency with nothing to report that year
        assert ("KinhPhi" in wb.sheetnames) == (code == office), (code, wb.sheetnames)
        checked += 1
    assert checked >= 3
