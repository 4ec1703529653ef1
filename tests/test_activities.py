"""Plans made of activities and money: activity returns (sheet HoatDong) and spending returns (sheet KinhPhi),
through the same ingest, validation, archive and error report as observations; v_activities and v_budget;
the officers' outputs."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.catalogue import load_catalogue
from bdg_pipeline.returns.model import ParsedReturn, SpendingLine
from bdg_pipeline.returns.parsing import validate_plan_sheets
from bdg_pipeline.returns.plan_sheets import ACTIVITY_LETTER, FIRST_ROW, SPENDING_LETTER, agency_activities
from bdg_pipeline.returns.template import FIRST_ROW as FIRST_ROW_REPORT
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.samples.activity_returns import SPENDING, fill_spending
from bdg_pipeline.warehouse import staging_connection, table_checksum

from .conftest import CATALOGUE_DIR

TTH = "TTH-2015"
LDTBXH = "Sở Lao động - Thương binh và Xã hội"
LC = "LC-2021-2030"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(CATALOGUE_DIR)


def activity_return(
    catalogue, path: Path, fill: dict[int, dict[str, object]], agency: str = LDTBXH, received: dt.datetime | None = None
) -> Path:
    """The agency's TTH-2015 template with ``fill`` ({activity_no: {column key: value}}) written in."""
    wb = build_template(catalogue, TTH, agency, 2015)
    ws = wb["HoatDong"]
    rows = {ws[f"{ACTIVITY_LETTER['activity_no']}{r}"].value: r for r in range(FIRST_ROW, ws.max_row + 1)}
    for activity_no, cells in fill.items():
        for key, value in cells.items():
            ws[f"{ACTIVITY_LETTER[key]}{rows[activity_no]}"] = value
    wb.save(path)
    stamp = (received or dt.datetime(2015, 10, 20, 9)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def spending_return(catalogue, path: Path, year: int, amounts: dict[str, tuple[object, object]] | None = None) -> Path:
    wb = build_template(catalogue, LC, LDTBXH, year)
    if amounts is None:
        assert fill_spending(wb, year)
    else:
        ws = wb["KinhPhi"]
        for r in range(FIRST_ROW, ws.max_row + 1):
            source = ws[f"{SPENDING_LETTER['source']}{r}"].value
            if source in amounts:
                ws[f"{SPENDING_LETTER['allocated']}{r}"], ws[f"{SPENDING_LETTER['spent']}{r}"] = amounts[source]
    wb.save(path)
    return path


DONE_1 = {
    "status": "Đã hoàn thành",
    "date": "20/09/2015",
    "area": "Xã Lộc Điền (Huyện Phú Lộc)",
    "result": "Duy trì mô hình 3 tại Lộc Điền",
}
TRAINING_5 = {
    "status": "Đã hoàn thành",
    "date": dt.date(2015, 8, 12),
    "male": 18,
    "female": 42,
    "total": 60,
    "result": "2 lớp tập huấn",
}


def test_template_lists_the_agencys_activities_as_lead_and_co(catalogue):
    wb = build_template(catalogue, TTH, LDTBXH, 2015)
    assert "HoatDong" in wb.sheetnames and "KinhPhi" not in wb.sheetnames
    ws = wb["HoatDong"]
    mine = agency_activities(catalogue, TTH, "LDTBXH")
    listed = [ws[f"{ACTIVITY_LETTER['activity_no']}{r}"].value for r in range(FIRST_ROW, FIRST_ROW + len(mine))]
    assert (
        listed == list(mine.activity_no)
        and ws[f"{ACTIVITY_LETTER['activity_no']}{FIRST_ROW + len(mine)}"].value is None
    )
    roles = {
        ws[f"{ACTIVITY_LETTER['activity_no']}{r}"].value: ws[f"{ACTIVITY_LETTER['role']}{r}"].value
        for r in range(FIRST_ROW, FIRST_ROW + len(mine))
    }
    assert roles[1] == "Chủ trì" and roles[3] == "Phối hợp"  # activity 3 is led by Ban Dân tộc tỉnh
    status_rule = next(v for v in ws.data_validations.dataValidation if ACTIVITY_LETTER["status"] in str(v.sqref))
    assert status_rule.type == "list" and status_rule.showErrorMessage
    assert ws.protection.sheet and not ws[f"{ACTIVITY_LETTER['status']}{FIRST_ROW}"].protection.locked
    assert ws[f"{ACTIVITY_LETTER['text']}{FIRST_ROW}"].protection.locked
    lc = build_template(catalogue, LC, LDTBXH, 2022)
    sources = [lc["KinhPhi"][f"B{r}"].value for r in range(FIRST_ROW, FIRST_ROW + 3)]
    assert sources == ["Ngân sách địa phương", "Trung ương hỗ trợ", "Huy động các nguồn lực khác"]
    assert [lc["KinhPhi"][f"C{r}"].value for r in range(FIRST_ROW, FIRST_ROW + 3)] == [7479, 9512, 1177]


def test_activity_return_is_recorded_and_judged(env, read_warehouse, catalogue):
    path = activity_return(
        catalogue,
        env.raw_dir / "hoat_dong.xlsx",
        {
            1: DONE_1,
            5: TRAINING_5,
            7: {"status": "Chưa triển khai"},
            16: {"status": "Không thực hiện", "reason": "Chưa bố trí kinh phí"},
        },
    )
    outcome = pipeline.ingest(env, [path]).outcomes[0]
    assert outcome.outcome == "accepted" and outcome.activities == 4, [str(p) for p in outcome.problems]
    rows = {
        r[0]: r[1:]
        for r in read_warehouse("""
        SELECT activity_no, status, status_vi, overdue, done_date, area_names, participants_male, participants_female,
               participants_total, reported_by, reported_as, source_cell
        FROM v_activities WHERE plan_code = 'TTH-2015' AND year = 2015""")
    }
    assert len(rows) == 41  # every activity of the plan, reported or not
    assert rows[1][:5] == ("done", "Đã hoàn thành", False, dt.date(2015, 9, 20), "Xã Lộc Điền (Huyện Phú Lộc)")
    assert rows[5][5:8] == (18, 42, 60)
    assert rows[7][:3] == ("not_started", "Chưa triển khai", True)  # due 30/10/2015, long past
    assert rows[16][:3] == ("dropped", "Không thực hiện", False)
    assert rows[2][:3] == ("not_reported", "Chưa báo cáo", True)
    assert rows[1][8:] == (LDTBXH, "lead", f"G{FIRST_ROW}")
    tracker = read_warehouse("SELECT status FROM v_submissions WHERE plan_code = 'TTH-2015' AND agency_code = 'LDTBXH'")
    assert tracker == [("on_time",)]  # the tracker counts activity returns too


def test_a_correction_supersedes_and_history_stays(env, read_warehouse, catalogue):
    pipeline.ingest(env, [activity_return(catalogue, env.raw_dir / "a.xlsx", {7: {"status": "Chưa triển khai"}})])
    fixed = activity_return(
        catalogue,
        env.raw_dir / "b.xlsx",
        {7: {"status": "Đã hoàn thành", "date": "15/10/2015"}},
        received=dt.datetime(2015, 10, 25, 9),
    )
    assert pipeline.ingest(env, [fixed]).outcomes[0].superseded == ["a.xlsx"]
    assert read_warehouse(
        "SELECT status, overdue FROM v_activities WHERE plan_code = 'TTH-2015' AND activity_no = 7"
    ) == [("done", False)]
    assert read_warehouse("SELECT count(*) FROM fact_activity_report WHERE activity_no = 7") == [(2,)]


def test_a_resend_replaces_only_the_activities_and_sources_it_reports(env, read_warehouse, catalogue):
    """Activities and spending lines are values too: rows left empty keep what was reported before."""
    pipeline.ingest(
        env,
        [
            activity_return(
                catalogue,
                env.raw_dir / "a.xlsx",
                {1: {"status": "Đã hoàn thành", "date": "20/09/2015"}, 7: {"status": "Chưa triển khai"}},
            )
        ],
    )
    resend = activity_return(
        catalogue, env.raw_dir / "b.xlsx", {7: {"status": "Đang triển khai"}}, received=dt.datetime(2015, 10, 25, 9)
    )
    assert pipeline.ingest(env, [resend]).outcomes[0].superseded == []
    status = (
        "SELECT activity_no, status, source_file FROM v_activities WHERE plan_code = 'TTH-2015' "
        "AND activity_no IN (1, 7) ORDER BY activity_no"
    )
    assert read_warehouse(status) == [(1, "done", "a.xlsx"), (7, "in_progress", "b.xlsx")]
    first = spending_return(
        catalogue,
        env.raw_dir / "kp.xlsx",
        2022,
        {"Ngân sách địa phương": (800, 765.2), "Huy động các nguồn lực khác": (300, 310)},
    )
    fixed = spending_return(catalogue, env.raw_dir / "kp_sua.xlsx", 2022, {"Ngân sách địa phương": (800, 790)})
    os.utime(fixed, (first.stat().st_mtime + 86400,) * 2)
    pipeline.ingest(env, [first])
    pipeline.ingest(env, [fixed])
    budget = (
        "SELECT name, spent_million_vnd FROM v_budget WHERE category = 'source' AND plan_code = 'LC-2021-2030' "
        "AND name IN ('Ngân sách địa phương', 'Huy động các nguồn lực khác') ORDER BY name"
    )
    assert read_warehouse(budget) == [("Huy động các nguồn lực khác", 310), ("Ngân sách địa phương", 790)]
    before = read_warehouse(status), read_warehouse(budget)
    pipeline.rebuild(env)
    assert (read_warehouse(status), read_warehouse(budget)) == before


def test_the_lead_agencys_report_gives_the_status(env, read_warehouse, catalogue):
    # activity 3: led by Ban Dân tộc tỉnh, the Sở LĐ-TB&XH joins; the co-agency's later report does not override
    lead = activity_return(
        catalogue,
        env.raw_dir / "lead.xlsx",
        {3: {"status": "Đã hoàn thành", "date": "01/09/2015"}},
        agency="Ban Dân tộc tỉnh",
    )
    co = activity_return(
        catalogue, env.raw_dir / "co.xlsx", {3: {"status": "Đang triển khai"}}, received=dt.datetime(2015, 10, 28, 9)
    )
    pipeline.ingest(env, [lead, co])
    assert read_warehouse("SELECT status, reported_by, agencies_reporting FROM v_activities WHERE activity_no = 3") == [
        ("done", "Ban Dân tộc tỉnh", 2)
    ]


def _set(cells: dict[int, dict[str, object]]):
    return lambda catalogue, folder: activity_return(catalogue, folder / "sai.xlsx", cells)


def _renumbered(number: int):
    def make(catalogue, folder):
        path = activity_return(catalogue, folder / "sai.xlsx", {1: DONE_1})
        wb = openpyxl.load_workbook(path)
        wb["HoatDong"][f"{ACTIVITY_LETTER['activity_no']}{FIRST_ROW}"] = number
        wb.save(path)
        return path

    return make


def _spending(amounts):
    return lambda catalogue, folder: spending_return(catalogue, folder / "sai.xlsx", 2022, amounts)


@pytest.mark.parametrize(
    "make, cell, said",
    [
        (_renumbered(99), f"B{FIRST_ROW}", "Hoạt động 99 không có trong kế hoạch TTH-2015"),
        (_renumbered(2), f"B{FIRST_ROW}", "Hoạt động 2 không giao cho cơ quan này"),  # led by Sở VH-TT&DL alone
        (_set({1: {**DONE_1, "status": "Xong rồi"}}), f"G{FIRST_ROW}", "Tình trạng không có trong danh sách"),
        (_set({1: {"result": "Đã làm", "date": "01/09/2015"}}), f"G{FIRST_ROW}", "Chưa chọn tình trạng"),
        (_set({16: {"status": "Không thực hiện"}}), None, "chưa ghi lý do"),
        (_set({5: {**TRAINING_5, "total": 50}}), None, "Nam (18) + nữ (42) nhiều hơn tổng số người tham gia (50)"),
        (_set({5: {**TRAINING_5, "female": -4}}), None, "Số liệu không được âm"),
        (_set({1: {**DONE_1, "area": "Xã Tả Van (Thị xã Sa Pa)"}}), f"I{FIRST_ROW}", "không thuộc tỉnh Thừa Thiên Huế"),
        (_set({1: {**DONE_1, "date": "01/09/2099"}}), f"H{FIRST_ROW}", "Ngày thực hiện sau ngày hôm nay"),
        (_spending({"Ngân sách địa phương": (1200, -5)}), f"E{FIRST_ROW}", "Số liệu không được âm"),
        (_spending({"Trung ương hỗ trợ": ("-1.234,5", 10)}), f"D{FIRST_ROW + 1}", "Số liệu không được âm"),
        (_spending({"Trung ương hỗ trợ": (800, "tám trăm")}), f"E{FIRST_ROW + 1}", "Ô số chứa chữ"),
    ],
)
def test_bad_activity_and_spending_returns_are_refused_whole(make, cell, said, env, catalogue):
    good = activity_return(catalogue, env.raw_dir / "a_dung.xlsx", {1: DONE_1})
    pipeline.ingest(env, [good, spending_return(catalogue, env.raw_dir / "b_dung.xlsx", 2021)])
    with staging_connection(env) as con:
        before = {t: table_checksum(con, t) for t in ("fact_activity_report", "fact_spending", "submission")}
    outcome = pipeline.ingest(env, [make(catalogue, env.raw_dir)]).outcomes[0]
    assert outcome.outcome == "rejected"
    assert any(said in str(p) and (cell is None or p.cell == cell) for p in outcome.problems), [
        str(p) for p in outcome.problems
    ]
    assert outcome.report_path.exists()
    with staging_connection(env) as con:
        assert {t: table_checksum(con, t) for t in before} == before


def test_spending_above_a_sources_plan_is_accepted_and_flagged(env, read_warehouse, catalogue):
    path = spending_return(
        catalogue, env.raw_dir / "kinh_phi.xlsx", 2022, {"Huy động các nguồn lực khác": ("1.300", "1.250,5")}
    )
    outcome = pipeline.ingest(env, [path]).outcomes[0]
    assert outcome.outcome == "accepted" and outcome.spending == 1
    assert "vượt dự toán của nguồn trong kế hoạch (1.177 triệu đồng)" in outcome.summary()
    assert read_warehouse("SELECT spent_million_vnd, flagged FROM fact_spending") == [(1250.5, True)]
    assert read_warehouse(
        "SELECT over_plan, execution_rate FROM v_budget WHERE name = 'Huy động các nguồn lực khác'"
    ) == [(True, round(100 * 1250.5 / 1177, 2))]


def test_v_budget_for_lao_cai(env, read_warehouse, catalogue):
    paths = [spending_return(catalogue, env.raw_dir / f"kp_{year}.xlsx", year) for year in sorted(SPENDING)]
    assert [o.outcome for o in pipeline.ingest(env, paths).outcomes] == ["accepted"] * len(paths)
    lines = {
        (r[0], r[1]): r[2:]
        for r in read_warehouse("""
        SELECT category, name, planned_million_vnd, allocated_million_vnd, spent_million_vnd, execution_rate
        FROM v_budget WHERE plan_code = 'LC-2021-2030'""")
    }
    assert sum(v[0] for (category, _), v in lines.items() if category == "source") == 18168
    assert lines[("total", "Tổng nhu cầu kinh phí")][0] == 18168
    assert sum(v[0] for (category, _), v in lines.items() if category == "phase") == 18168
    spent = sum(s for year in SPENDING.values() for _, s in year.values())
    allocated = sum(a for year in SPENDING.values() for a, _ in year.values())
    total = lines[("total", "Tổng nhu cầu kinh phí")]
    assert total[1:] == (pytest.approx(allocated), pytest.approx(spent), round(100 * spent / 18168, 2))
    assert lines[("phase", "Giai đoạn II")][1:] == (0, 0, 0)  # 2026–2030: nothing reported yet
    local = sum(year["Ngân sách địa phương"][1] for year in SPENDING.values())
    assert lines[("source", "Ngân sách địa phương")][2] == pytest.approx(local)


def test_pandera_checks_the_spending_and_activity_frames(catalogue):
    parsed = ParsedReturn("template", LC, "Lào Cai", "LDTBXH", 2022, "nam")
    line = SpendingLine(LC, 2022, "LDTBXH", "Trung ương hỗ trợ", -1.0, 2.0, None, None, "KinhPhi", "D8")
    parsed.spending = [line, line]  # negative, and the same source twice
    problems = [str(p) for p in validate_plan_sheets(parsed)]
    assert any("không được âm" in p and "ô D8" in p for p in problems), problems
    assert any("trùng" in p for p in problems), problems


def test_report_lists_every_activity_of_thua_thien_hue(env, catalogue):
    from click.testing import CliRunner

    from bdg_pipeline.cli import main

    pipeline.ingest(env, [activity_return(catalogue, env.raw_dir / "hd.xlsx", {1: DONE_1, 5: TRAINING_5})])
    result = CliRunner().invoke(
        main, ["report", "--province", "Thừa Thiên Huế", "--year", "2015"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("  TTH-2015 · ")]
    assert len(lines) == 41
    assert "[Đã hoàn thành] Tiếp tục triển khai mô hình" in lines[0]
    assert "41 hoạt động: Chưa báo cáo 39, Đã hoàn thành 2; quá hạn 39" in result.output
    folder = env.reports_dir / "thua-thien-hue_2015"
    book = openpyxl.load_workbook(folder / "phu_luc_bao_cao_thua-thien-hue_2015.xlsx")
    assert "Hoạt động" in book.sheetnames and "Cấp tỉnh" not in book.sheetnames
    sheet = book["Hoạt động"]
    numbers = [sheet.cell(row=r, column=2).value for r in range(10, sheet.max_row + 1)]
    assert numbers == [str(n) for n in range(1, 42)]
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert html.count("TTH-2015 · ") == 41 and "Nam 18, nữ 42 / tổng 60" in html


def test_sheets_left_empty_change_nothing(catalogue, tmp_path):
    from bdg_pipeline.returns.parsing import parse_returns
    from bdg_pipeline.returns.template import SHEET

    wb = build_template(catalogue, LC, LDTBXH, 2023)  # KinhPhi left empty, as most agencies will
    ws = wb[SHEET]
    ws[f"J{FIRST_ROW_REPORT}"], ws[f"K{FIRST_ROW_REPORT}"] = 1200, 4000
    wb.save(tmp_path / "chi_so_lieu.xlsx")
    parsed = parse_returns([tmp_path / "chi_so_lieu.xlsx"], catalogue)[0]
    assert isinstance(parsed, ParsedReturn), [str(p) for p in parsed]
    assert len(parsed.rows) == 1 and parsed.spending == [] and parsed.activities == []
