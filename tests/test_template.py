"""The return template: written for an agency, filled like an officer would, read back exactly."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.returns.ingest import parse_return
from bdg_pipeline.returns.model import ReturnRejected
from bdg_pipeline.returns.template import FIRST_ROW, SHEET, TemplateError
from bdg_pipeline.returns.template_build import build_template


def test_template_layout(catalogue, tmp_path):
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023)
    assert wb.sheetnames[:2] == ["HuongDan", SHEET]
    ws = wb[SHEET]
    codes = {ws[f"E{r}"].value for r in range(FIRST_ROW, ws.max_row + 1)}
    # exactly the chỉ tiêu Sở Y tế reports in Lào Cai's plan (§VI.5: every chỉ tiêu of mục tiêu 4)
    assert codes == {
        "sex_ratio_at_birth",
        "maternal_mortality_ratio",
        "adolescent_birth_rate",
        "lgbt_health_service_pilot",
    }
    assert ws.protection.sheet and ws["E14"].protection.locked and not ws["J14"].protection.locked
    lists: dict[str, set] = {}
    for dv in ws.data_validations.dataValidation:
        lists.setdefault(str(dv.sqref)[0], set()).add(dv.type)
    # Giá trị by unit: numbers (custom, with “Xóa”), or “Có”/“Không”/“Xóa” from a list for the yes/no part
    assert lists == {"H": {"list"}, "I": {"list"}, "J": {"whole"}, "K": {"whole"}, "L": {"custom", "list"}}
    assert ws["J14"].number_format == "#,##0" and ws["L14"].number_format == "#,##0.00"
    assert ws["C4"].value == "Lào Cai" and ws["C7"].value == 2023
    assert "HƯỚNG DẪN" in wb["HuongDan"]["A1"].value
    guide = " ".join(str(c.value) for c in wb["HuongDan"]["A"] if c.value)
    assert "ghi chữ “Xóa” vào cột Giá trị" in guide and "dòng để trống giữ nguyên số liệu đã gửi trước" in guide


@pytest.mark.parametrize(
    "plan, agency, year, message",
    [
        ("NT-2020", "Sở Y tế", 2025, "ngoài kỳ theo dõi"),
        ("XX-2020", "Sở Y tế", 2020, "Không có kế hoạch"),
        ("NT-2020", "Sở Ngoại vụ", 2020, "Không nhận ra cơ quan"),
        ("LC-2021-2030", "Sở Tư pháp", 2023, "không chủ trì"),
    ],
)
def test_template_refuses(catalogue, plan, agency, year, message):
    with pytest.raises(TemplateError, match=message):
        build_template(catalogue, plan, agency, year)


def fill(ws, values: dict[int, tuple]):
    for row, (num, den, val) in values.items():
        ws[f"J{row}"], ws[f"K{row}"], ws[f"L{row}"] = num, den, val


def test_round_trip(catalogue, tmp_path):
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023, "nam")
    ws = wb[SHEET]
    rows = {
        ws[f"E{r}"].value + "/" + ws[f"H{r}"].value: r
        for r in range(FIRST_ROW, ws.max_row + 1)
        if ws[f"I{r}"].value == "Tỉnh Lào Cai"
    }  # the province's own rows, one per level
    fill(
        ws,
        {
            rows["sex_ratio_at_birth/Cấp tỉnh"]: (5321, 4812, None),  # boys / girls
            rows["maternal_mortality_ratio/Cấp tỉnh"]: (None, None, 48.2),  # per 100.000, value only
            rows["adolescent_birth_rate/Cấp huyện"]: (212, 40125, 5.28),  # counts and printed rate
            rows["lgbt_health_service_pilot/Cấp tỉnh"]: (None, None, "Có"),
        },
    )
    ws["C9"], ws["C10"], ws["C11"] = dt.datetime(2023, 11, 20), "Nguyễn Thị Hoa", "0214 3840 123"
    path = tmp_path / "bieu.xlsx"
    wb.save(path)
    parsed = parse_return(path, catalogue)
    assert (parsed.plan_code, parsed.agency_code, parsed.year, parsed.period) == ("LC-2021-2030", "YTE", 2023, "nam")
    assert parsed.contact == "Nguyễn Thị Hoa 0214 3840 123" and parsed.report_date == dt.date(2023, 11, 20)
    got = {
        (r.objective_no, r.indicator_no, r.part, r.level, r.area_code): (
            r.reading.numerator,
            r.reading.denominator,
            r.reading.value,
            r.reading.printed_value,
        )
        for r in parsed.rows
    }
    assert got == {
        (4, 1, "", "tinh", "10"): (5321, 4812, pytest.approx(5321 / 4812 * 100), None),
        (4, 2, "", "tinh", "10"): (None, None, 48.2, 48.2),
        (4, 3, "", "huyen", "10"): (212, 40125, 5.28, 5.28),  # the value as typed, the counts agree
        (4, 4, "", "tinh", "10"): (None, None, 1.0, 1.0),
    }


@pytest.mark.parametrize(
    "cell_values, cell, message",
    [
        ({"J": "năm mươi", "K": 100}, "J", "Ô số chứa chữ"),
        ({"J": "50%", "K": 100}, "J", "Ô số chứa chữ"),
        ({"J": -3, "K": 100}, "J", "âm"),
        ({"J": 120, "K": 100}, "J", "lớn hơn mẫu số"),
        ({"J": 5, "K": 0}, "K", "mẫu số bằng 0"),
        ({"J": 5}, "K", "thiếu mẫu số"),
        ({"J": 5, "K": 10, "I": "Hà Giang"}, "I", "Địa bàn không có"),
        ({"J": 5, "K": 10, "H": "Cấp thôn"}, "H", "Cấp không hợp lệ"),
    ],
)
def test_bad_cells_named(catalogue, tmp_path, cell_values, cell, message):
    wb = build_template(catalogue, "QN-2021-2030", "Sở Lao động - Thương binh và Xã hội", 2023)
    ws = wb[SHEET]
    for col, value in cell_values.items():
        ws[f"{col}{FIRST_ROW}"] = value
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(ReturnRejected) as err:
        parse_return(path, catalogue)
    assert any(p.cell == f"{cell}{FIRST_ROW}" and message in str(p) for p in err.value.problems), [
        str(p) for p in err.value.problems
    ]


@pytest.mark.parametrize("typed, shown", [(-7, "-7"), (-7.0, "-7"), (-1.5, "-1,5"), (-12345.25, "-12.345,25")])
def test_a_negative_number_is_shown_as_the_officer_typed_it(catalogue, tmp_path, typed, shown):
    wb = build_template(catalogue, "QN-2021-2030", "Sở Lao động - Thương binh và Xã hội", 2023)
    wb[SHEET][f"J{FIRST_ROW}"], wb[SHEET][f"K{FIRST_ROW}"] = typed, 100
    path = tmp_path / "am.xlsx"
    wb.save(path)
    with pytest.raises(ReturnRejected) as err:
        parse_return(path, catalogue)
    assert [(p.cell, p.found) for p in err.value.problems if "âm" in p.message] == [(f"J{FIRST_ROW}", shown)]


def test_duplicate_rows_rejected(catalogue, tmp_path):
    wb = build_template(catalogue, "QN-2021-2030", "Sở Y tế", 2023)
    ws = wb[SHEET]
    ws[f"J{FIRST_ROW}"], ws[f"K{FIRST_ROW}"] = 5300, 4800
    ws[f"J{FIRST_ROW + 1}"], ws[f"K{FIRST_ROW + 1}"], ws[f"H{FIRST_ROW + 1}"] = 5310, 4810, "Cấp tỉnh"
    path = tmp_path / "dup.xlsx"
    wb.save(path)
    with pytest.raises(ReturnRejected, match="trùng"):
        parse_return(path, catalogue)


def filled_return(catalogue, path, value, agency="Sở Y tế", year=2023):
    wb = build_template(catalogue, "QN-2021-2030", agency, year)
    ws = wb[SHEET]
    ws[f"J{FIRST_ROW}"], ws[f"K{FIRST_ROW}"] = value, 10000
    wb.save(path)
    return path


def test_duplicates_and_supersede(catalogue, env, read_warehouse):
    first = filled_return(catalogue, env.raw_dir / "y_te_2023.xlsx", 11050)
    assert pipeline.ingest(env, [first]).outcomes[0].outcome == "accepted"
    assert not first.exists() and (env.processed_dir / "000001_y_te_2023.xlsx").exists()  # out of the inbox
    shutil.copy(env.processed_dir / "000001_y_te_2023.xlsx", first)  # the officer sends it again
    assert pipeline.ingest(env, [first]).outcomes[0].outcome == "duplicate"
    assert read_warehouse("SELECT count(*) FROM fact_observation") == [(1,)]
    second = filled_return(catalogue, env.raw_dir / "y_te_2023_sua.xlsx", 11020)
    outcome = pipeline.ingest(env, [second]).outcomes[0]
    assert outcome.outcome == "accepted" and outcome.superseded == ["y_te_2023.xlsx"]
    assert read_warehouse("SELECT numerator FROM v_observations") == [(11020,)]
    assert read_warehouse("SELECT count(*) FROM fact_observation") == [(2,)]  # history kept
    assert read_warehouse("SELECT status FROM submission ORDER BY received_at") == [("superseded",), ("accepted",)]
    fates = read_warehouse("SELECT file_name, outcome FROM file_log ORDER BY arrival_seq, outcome DESC")
    assert fates == [
        ("y_te_2023.xlsx", "accepted"),
        ("y_te_2023.xlsx", "duplicate"),
        ("y_te_2023.xlsx", "superseded"),
        ("y_te_2023_sua.xlsx", "accepted"),
    ]
