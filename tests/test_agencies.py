"""Agencies across the 2025 reform of provincial departments: validity, successors chosen per chỉ tiêu by its
function, and what the project sends out and accepts for the years before and after."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.agencies import answering_on
from bdg_pipeline.areas import world_date
from bdg_pipeline.catalogue import CatalogueError, read_catalogue
from bdg_pipeline.config import CATALOGUE_DIR
from bdg_pipeline.returns.ingest import parse_return
from bdg_pipeline.returns.model import ReturnRejected
from bdg_pipeline.returns.template import FIRST_ROW, SHEET, TemplateError
from bdg_pipeline.returns.template_build import build_template

REFORM = dt.date(2025, 3, 1)


def parts_of(ws) -> list[str]:
    return sorted(
        {
            f"{ws[f'B{r}'].value}.{ws[f'C{r}'].value}{ws[f'D{r}'].value or ''}"
            for r in range(FIRST_ROW, ws.max_row + 1)
            if ws[f"B{r}"].value is not None
        }
    )


def test_dissolved_agencies_and_their_successors(catalogue):
    agencies = catalogue.agencies.set_index("agency_code")
    for code in ("LDTBXH", "KHDT", "TTTT", "NNPTNT", "TNMT", "CTK"):
        assert agencies.at[code, "valid_to"] == dt.datetime(2025, 2, 28), code
        assert "176/2025/QH15" in agencies.at[code, "source"]
    for code in ("NNMT", "CCTK"):
        assert agencies.at[code, "valid_from"] == dt.datetime(2025, 3, 1)
    assert pd.isna(agencies.at["NOIVU", "valid_to"]) and pd.isna(agencies.at["NOIVU", "valid_from"])
    timeline = catalogue.timeline
    assert timeline.successor("KHDT", "bất kỳ") == "TAICHINH" and timeline.successor("TTTT", "") == "KHCN"
    assert timeline.successor("NNPTNT", "") == timeline.successor("TNMT", "") == "NNMT"
    assert timeline.successor("NOIVU", "") is None


@pytest.mark.parametrize(
    "part, before, after",
    [
        # the Sở LĐ-TB&XH's work split by function (agencies.yaml)
        ((2, 1, ""), "LDTBXH", "NOIVU"),  # lao động nữ làm công hưởng lương: labour
        ((6, 1, ""), "LDTBXH", "NOIVU"),  # kiến thức về bình đẳng giới: gender equality
        ((3, 2, "a"), "LDTBXH", "YTE"),  # người bị bạo lực ... dịch vụ hỗ trợ: social protection
        ((3, 3, ""), "LDTBXH", "YTE"),  # nạn nhân bị mua bán trở về
        ((3, 4, "a"), "LDTBXH", "YTE"),  # cơ sở trợ giúp xã hội công lập
        ((5, 3, "a"), "LDTBXH", "GDDT"),  # tuyển mới giáo dục nghề nghiệp
        ((2, 3, ""), "KHDT", "TAICHINH"),
        ((6, 3, "a"), "TTTT", "KHCN"),
        ((3, 1, ""), "CTK", "CCTK"),
        ((4, 1, ""), "YTE", "YTE"),  # an agency that goes on keeps its chỉ tiêu
    ],
)
def test_each_chi_tieu_goes_to_the_successor_of_its_function(catalogue, part, before, after):
    r = catalogue.reporters
    mine = r[
        (r.plan_code == "LC-2021-2030")
        & (r.objective_no == part[0])
        & (r.indicator_no == part[1])
        & (r.part == part[2])
    ]
    by_day = {
        day: set(
            mine[
                ((mine.valid_from.isna()) | (mine.valid_from <= day))
                & ((mine.valid_to.isna()) | (mine.valid_to >= day))
            ].agency_code
        )
        for day in (dt.datetime(2025, 2, 28), dt.datetime(2025, 3, 1), dt.datetime(2030, 12, 31))
    }
    assert by_day == {
        dt.datetime(2025, 2, 28): {before},
        dt.datetime(2025, 3, 1): {after},
        dt.datetime(2030, 12, 31): {after},
    }


def _catalogue_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    return target


def test_an_unknown_successor_fails_with_the_entry_named(tmp_path):
    folder = _catalogue_copy(tmp_path)
    path = folder / "agencies.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("- {code: GDDT, words", "- {code: GDDTT, words"), encoding="utf-8"
    )
    with pytest.raises(CatalogueError) as err:
        read_catalogue(folder)
    assert any(
        "agencies.yaml, code LDTBXH, cơ quan kế nhiệm GDDTT" in p and "known_successor_agency" in p
        for p in err.value.problems
    ), err.value.problems


def test_a_split_needs_one_successor_for_the_rest_and_a_dissolved_agency_a_successor(tmp_path):
    folder = _catalogue_copy(tmp_path)
    path = folder / "agencies.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    - {code: NOIVU}\n", "")
    text = text.replace("  successors: [{code: TAICHINH}]  # hợp nhất vào Sở Tài chính\n", "")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        read_catalogue(folder)
    assert any("code LDTBXH" in p and "đúng một cơ quan kế nhiệm" in p for p in err.value.problems)
    assert any("code KHDT" in p and "không có cơ quan kế nhiệm" in p for p in err.value.problems)


def test_a_plan_after_the_reform_cannot_give_work_to_a_dissolved_agency(tmp_path):
    folder = _catalogue_copy(tmp_path)
    path = folder / "plans" / "LC-2021-2030.yaml"
    text = path.read_text(encoding="utf-8").replace("period: [2021, 2030]", "period: [2026, 2030]")
    path.write_text(text.replace("[2025, ", "[2026, "), encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        read_catalogue(folder)
    assert (
        "LC-2021-2030, chỉ tiêu 2.1: cơ quan “Sở Lao động - Thương binh và Xã hội” đã không còn từ ngày "
        "01/03/2025, trước kỳ của kế hoạch (2026); ghi cơ quan kế nhiệm “Sở Nội vụ”"
    ) in err.value.problems
    assert any(p.startswith("LC-2021-2030, chỉ tiêu 3.3: ") and p.endswith("“Sở Y tế”") for p in err.value.problems)


def test_template_after_the_reform_carries_the_successors_chi_tieu(catalogue, tmp_path):
    path = tmp_path / "noi_vu_2026.xlsx"
    build_template(catalogue, "LC-2021-2030", "Sở Nội vụ", 2026).save(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    assert ws["C6"].value == "Sở Nội vụ"
    # its own chỉ tiêu, and those of the Sở LĐ-TB&XH whose function went to it
    own = parts_of(wb_for(catalogue, tmp_path, "Sở Nội vụ", 2024))
    assert parts_of(ws) == sorted(set(own) | {"2.1", "2.2", "6.1", "6.2"})
    assert not {"3.2a", "5.3a", "2.3"} & set(parts_of(ws))
    instructions = [c.value for c in wb["HuongDan"]["A"] if c.value]
    assert any(line.endswith("gửi về Sở Nội vụ.") for line in instructions)
    assert not any("Lao động - Thương binh" in line for line in instructions)


def wb_for(catalogue, tmp_path: Path, agency: str, year: int):
    path = tmp_path / f"{agency}_{year}.xlsx"
    build_template(catalogue, "LC-2021-2030", agency, year).save(path)
    return openpyxl.load_workbook(path)[SHEET]


def test_years_before_the_reform_are_unchanged(catalogue, tmp_path):
    ws = wb_for(catalogue, tmp_path, "Sở Lao động - Thương binh và Xã hội", 2024)
    assert parts_of(ws) == ["2.1", "2.2", "3.2a", "3.2b", "3.3", "3.4a", "3.4b", "5.3a", "5.3b", "6.1", "6.2"]
    pi = catalogue.plan_indicators
    led = pi[(pi.plan_code == "LC-2021-2030") & (pi.lead_agency == "NOIVU")]
    assert (
        parts_of(wb_for(catalogue, tmp_path, "Sở Nội vụ", 2024))
        == sorted(f"{r.objective_no}.{r.indicator_no}{r.part}" for r in led.itertuples())
        == ["1.1", "5.4a", "5.4b"]
    )


def test_a_template_for_a_dissolved_agency_names_its_successors(catalogue):
    with pytest.raises(TemplateError) as err:
        build_template(catalogue, "LC-2021-2030", "Sở Lao động - Thương binh và Xã hội", 2026)
    message = str(err.value)
    assert "không còn từ ngày 01/03/2025" in message and "Nghị định 45/2025/NĐ-CP" in message
    assert "Sở Nội vụ (chỉ tiêu 2.1, 2.2, 6.1, 6.2)" in message
    assert "Sở Y tế (chỉ tiêu 3.2a, 3.2b, 3.3, 3.4a, 3.4b)" in message
    assert "Sở Giáo dục và Đào tạo (chỉ tiêu 5.3a, 5.3b)" in message
    with pytest.raises(TemplateError, match="Sở Khoa học và Công nghệ"):
        build_template(catalogue, "QN-2021-2030", "Sở TT&TT", 2025)
    with pytest.raises(TemplateError, match="được thành lập từ ngày 01/03/2025"):
        build_template(catalogue, "LC-2021-2030", "Chi cục Thống kê tỉnh", 2024)


def _filled(catalogue, path: Path, agency: str, year: int, as_year: int | None = None) -> Path:
    """A return on the template, every row at the province level filled; ``as_year`` edits the hidden year as an
    office reusing last year's workbook would get it wrong."""
    wb = build_template(catalogue, "LC-2021-2030", agency, year)
    ws = wb[SHEET]
    for r in range(FIRST_ROW, ws.max_row + 1):
        if ws[f"H{r}"].value == "Cấp tỉnh" and ws[f"I{r}"].value == "Tỉnh Lào Cai":
            unit = ws[f"G{r}"].value
            ws[f"J{r}"], ws[f"K{r}"], ws[f"L{r}"] = (40, 100, None) if unit == "%" else (None, None, 1)
    if as_year is not None:
        for row in wb["_meta"].iter_rows():
            if row[0].value == "year":
                row[1].value = as_year
        ws["C7"] = as_year
    wb.save(path)
    return path


def test_returns_are_accepted_from_the_agency_of_their_year(catalogue, env, read_warehouse, tmp_path):
    old = _filled(catalogue, env.raw_dir / "ldtbxh_2024.xlsx", "Sở LĐ-TB&XH", 2024)
    late_name = _filled(catalogue, env.raw_dir / "ldtbxh_2026.xlsx", "Sở LĐ-TB&XH", 2024, as_year=2026)
    new = _filled(catalogue, env.raw_dir / "noi_vu_2026.xlsx", "Sở Nội vụ", 2026)
    outcomes = {o.file_name: o for o in pipeline.ingest(env, [old, late_name, new]).outcomes}
    assert outcomes["ldtbxh_2024.xlsx"].outcome == "accepted"
    assert outcomes["noi_vu_2026.xlsx"].outcome == "accepted"
    refused = outcomes["ldtbxh_2026.xlsx"]
    assert refused.outcome == "rejected"
    [problem] = [p for p in refused.problems if not p.info]
    assert (problem.sheet, problem.cell) == ("_meta", "B4")
    assert "không còn từ ngày 01/03/2025" in problem.message
    assert "Sở Nội vụ (chỉ tiêu 2.1, 2.2, 6.1, 6.2)" in problem.message
    in_force = read_warehouse("SELECT agency_code, year, status FROM submission ORDER BY year")
    assert in_force == [("LDTBXH", 2024, "accepted"), ("NOIVU", 2026, "accepted")]
    tracker = read_warehouse(
        "SELECT agency_code, year, status FROM v_submissions WHERE plan_code = 'LC-2021-2030' "
        "AND year IN (2024, 2026) AND agency_code IN ('LDTBXH', 'NOIVU') "
        "ORDER BY year, agency_code"
    )
    assert [(a, y) for a, y, _ in tracker] == [("LDTBXH", 2024), ("NOIVU", 2024), ("NOIVU", 2026)]
    assert dict(((a, y), s) for a, y, s in tracker)[("LDTBXH", 2024)] in ("on_time", "late")


def test_tracker_expects_the_successors_after_the_reform(catalogue, env, read_warehouse):
    pipeline.rebuild(env)
    expected = {
        year: set(
            a
            for (a,) in read_warehouse(
                "SELECT DISTINCT agency_code FROM v_submissions WHERE plan_code = 'LC-2021-2030' AND year = ?", [year]
            )
        )
        for year in (2024, 2025, 2026)
    }
    assert expected[2024] == {"NOIVU", "LDTBXH", "KHDT", "CTK", "YTE", "GDDT", "TTTT"}
    assert expected[2026] == expected[2025] == {"NOIVU", "TAICHINH", "CCTK", "YTE", "GDDT", "KHCN"}
    rows = read_warehouse("SELECT count(*), count(DISTINCT (plan_code, agency_code, year, period)) FROM v_submissions")
    assert rows[0][0] == rows[0][1]  # an agency that is both lead and successor is expected once


def test_nothing_sent_out_after_the_reform_names_a_dissolved_agency(catalogue, env, read_warehouse, tmp_path):
    """For every plan and every year from 2026: no template, tracker row or report names an agency whose
    valid_to has passed."""
    from bdg_pipeline.reports.build import build_outputs

    agencies = catalogue.agencies
    gone = agencies[agencies.valid_to.notna()]
    gone_names = set(gone.name)
    checked = expected = 0
    for plan in catalogue.plans.itertuples():
        for year in range(max(2026, plan.monitoring_start), plan.monitoring_end + 1):
            day = world_date(year)
            answering = answering_on(catalogue.reporters, day)
            expected += answering[answering.plan_code == plan.plan_code].agency_code.nunique()
            for code in agencies.agency_code:
                name = agencies.set_index("agency_code").at[code, "name"]
                if not catalogue.timeline.exists_on(code, day):
                    with pytest.raises(TemplateError):
                        build_template(catalogue, plan.plan_code, name, year)
                    continue
                try:
                    wb = build_template(catalogue, plan.plan_code, name, year)
                except TemplateError as exc:
                    assert "không chủ trì" in str(exc)
                    continue
                text = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
                assert not [t for t in text if any(g in t for g in gone_names)], (plan.plan_code, year, code)
                checked += 1
    assert checked == expected >= 2 * 5 * 6  # two 2021–2030 plans, 2026–2030, six agencies each at least

    _filled(catalogue, env.raw_dir / "noi_vu_2026.xlsx", "Sở Nội vụ", 2026)
    pipeline.rebuild(env)
    tracker = read_warehouse("SELECT DISTINCT plan_code, year, agency FROM v_submissions WHERE year >= 2026")
    assert tracker and not [row for row in tracker if row[2] in gone_names]
    outputs = build_outputs(env.warehouse, "Lào Cai", 2026, tmp_path / "reports")
    assert outputs.workbook.exists()
    written = openpyxl.load_workbook(outputs.workbook)
    cells = [str(c.value) for ws in written.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("Sở Y tế" in c for c in cells) and not [c for c in cells if any(g in c for g in gone_names)]
    pages = [p.read_text(encoding="utf-8") for p in outputs.workbook.parent.rglob("*.html")]
    assert pages and not [g for g in gone_names for page in pages if g in page]


def test_parse_refuses_a_dissolved_agency_only_for_years_after(catalogue, tmp_path):
    before = parse_return(_filled(catalogue, tmp_path / "a.xlsx", "Sở LĐ-TB&XH", 2024), catalogue)
    assert before.agency_code == "LDTBXH" and not [p for p in before.problems if not p.info]
    with pytest.raises(ReturnRejected) as err:
        parse_return(_filled(catalogue, tmp_path / "b.xlsx", "Sở LĐ-TB&XH", 2024, as_year=2025), catalogue)
    assert [(p.sheet, p.cell) for p in err.value.problems if not p.info] == [("_meta", "B4")]
    assert "Năm 2025, các chỉ tiêu của cơ quan này" in str(err.value)


def test_the_synthetic_national_plans_name_the_agencies_of_2026(tmp_path):
    from bdg_pipeline.bench.generate import bench_catalogue

    national = read_catalogue(bench_catalogue(tmp_path / "bench_catalogue"))  # the loader refuses dissolved ones
    bridge = national.indicator_agencies
    named = set(bridge[bridge.plan_code.str.startswith("QG")].agency_code)
    gone = set(national.agencies[national.agencies.valid_to.notna()].agency_code)
    assert named and not named & gone
    pi = national.plan_indicators
    lao_cai = pi[pi.plan_code == "QG15-2026-2035"]
    leads = dict(zip(lao_cai.indicator_code, lao_cai.lead_agency, strict=True))
    assert (
        leads["gbv_victims_service_access_share"],
        leads["vocational_enrolment_female_share"],
        leads["female_wage_employment_share"],
        leads["female_enterprise_owner_share"],
    ) == ("YTE", "GDDT", "NOIVU", "TAICHINH")
