"""The plan review workbook (bdg plan export / load): written by openpyxl, read back by the loader, the same
catalogue again for every plan; an officer's mistakes named at their cell, nothing written until all is valid."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from bdg_pipeline.catalogue import read_catalogue
from bdg_pipeline.cli import main
from bdg_pipeline.config import CATALOGUE_DIR
from bdg_pipeline.plans.export import export_plan
from bdg_pipeline.plans.load import PlanLoadError, load_plan_workbook
from bdg_pipeline.plans.review_workbook import review_workbook
from bdg_pipeline.plans.sheets import CONTRACT_TITLES, TARGET_LETTER
from bdg_pipeline.returns.template_build import build_template

PLANS = ["QN-2011-2015", "LC-2021-2030", "NT-2020", "QN-2021-2030", "TTH-2015"]
TABLES = [
    "plans",
    "reporting_deadlines",
    "objectives",
    "indicator_codes",
    "plan_indicators",
    "indicator_agencies",
    "targets",
    "activities",
    "budget",
]


@pytest.fixture
def catalogue_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    return target


def exported(catalogue, code: str, path: Path) -> Path:
    review_workbook(export_plan(catalogue, code), list(catalogue.agencies.name), "danh mục").save(path)
    return path


def run(*args):
    result = CliRunner().invoke(main, list(args), prog_name="bdg", catch_exceptions=False)
    return result.exit_code, result.output


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("code", PLANS)
def test_export_then_load_gives_the_same_catalogue(catalogue, catalogue_copy, tmp_path, code):
    """Every table of the catalogue read from the loaded plan equals the one read from the hand-written YAML."""
    workbook = exported(catalogue, code, tmp_path / f"{code}.xlsx")
    before = (catalogue_copy / "plans" / f"{code}.yaml").read_text(encoding="utf-8")
    loaded = load_plan_workbook(workbook, catalogue_copy, replace=True)
    assert loaded.plan_file.read_text(encoding="utf-8") != before  # really rewritten from the workbook
    again = read_catalogue(catalogue_copy)
    for name in TABLES:
        pd.testing.assert_frame_equal(
            getattr(again, name).reset_index(drop=True), getattr(catalogue, name).reset_index(drop=True), obj=name
        )
    assert loaded.targets == int((catalogue.targets.plan_code == code).sum())


def test_sheets_titles_and_dropdowns(catalogue, tmp_path):
    wb = openpyxl.load_workbook(exported(catalogue, "LC-2021-2030", tmp_path / "lc.xlsx"))
    assert wb.sheetnames[:4] == ["HuongDan", "KeHoach", "MucTieu", "ChiTieu"] and "KinhPhi" in wb.sheetnames
    ws = wb["ChiTieu"]
    titles = tuple(c.value for c in ws[1])
    assert titles[:13] == CONTRACT_TITLES
    assert ws.freeze_panes == "A2"
    rules = {str(r.sqref).split(":")[0][0]: r.formula1 for r in ws.data_validations.dataValidation}
    lists = wb["DanhMuc"]
    assert rules[TARGET_LETTER["unit"]] == "DanhMuc!$A$1:$A$8"
    assert rules[TARGET_LETTER["direction"]] == "DanhMuc!$B$1:$B$6"
    agencies = [c.value for c in lists["C"] if c.value]
    assert rules[TARGET_LETTER["leads"]] == f"DanhMuc!$C$1:$C${len(agencies)}"
    assert "Sở Lao động - Thương binh và Xã hội" in agencies  # full names, not codes
    first = {t: c.value for t, c in zip(titles, ws[2], strict=True)}
    assert first["Đơn vị"] == "percent" and first["Chiều"] == "at_least" and first["Cơ quan chủ trì"] == "Sở Nội vụ"
    assert ws.column_dimensions[TARGET_LETTER["text"]].width >= 40
    assert ws.cell(row=2, column=4).alignment.wrap_text
    assert "bdg plan load" in " ".join(str(c.value) for c in wb["HuongDan"]["A"])
    budget = [[c.value for c in row] for row in wb["KinhPhi"].iter_rows(min_row=2, values_only=False)]
    assert budget[0] == ["Tổng", "Tổng nhu cầu kinh phí", 2021, 2030, 18168]


def edit(path: Path, changes: dict[tuple[str, str], object]) -> Path:
    wb = openpyxl.load_workbook(path)
    for (sheet, cell), value in changes.items():
        wb[sheet][cell] = value
    wb.save(path)
    return path


def problems(path: Path, folder: Path) -> list[str]:
    with pytest.raises(PlanLoadError) as err:
        load_plan_workbook(path, folder, replace=True)
    return err.value.problems


def test_mistakes_named_at_their_cell_and_nothing_written(catalogue, catalogue_copy, tmp_path):
    before = snapshot(catalogue_copy)
    workbook = exported(catalogue, "LC-2021-2030", tmp_path / "lc.xlsx")
    col = TARGET_LETTER
    edit(
        workbook,
        {
            ("ChiTieu", f"{col['unit']}3"): "phan tram",
            ("ChiTieu", f"{col['direction']}4"): "tăng",
            ("ChiTieu", f"{col['leads']}5"): "Sở Lao động",
            ("ChiTieu", f"{col['value']}6"): "bốn mươi",
            ("ChiTieu", f"{col['review']}7"): "Văn bản ghi năm 2052: có thể gõ nhầm",
        },
    )
    found = problems(workbook, catalogue_copy)
    assert any(p.startswith(f"trang “ChiTieu”, ô {col['unit']}3: Đơn vị không có trong danh sách") for p in found)
    assert any(f"ô {col['direction']}4: Chiều không có trong danh sách" in p for p in found)
    assert any(f"ô {col['leads']}5: Cơ quan “Sở Lao động” không có trong danh mục" in p for p in found)
    assert any(f"ô {col['value']}6: Giá trị phải là số" in p for p in found)
    assert any(f"ô {col['review']}7: Dòng còn ghi “Cần xem lại”" in p for p in found)
    assert snapshot(catalogue_copy) == before


def test_schema_checks_name_the_cell(catalogue, catalogue_copy, tmp_path):
    """A year outside the period and a duplicate row pass the cell checks and are caught by the catalogue's
    pandera schemas, still named at their cell."""
    before = snapshot(catalogue_copy)
    workbook = exported(catalogue, "QN-2021-2030", tmp_path / "qn.xlsx")
    col = TARGET_LETTER
    edit(workbook, {("ChiTieu", f"{col['year']}3"): 2035})
    found = problems(workbook, catalogue_copy)
    assert any(f"ô {col['year']}3: Năm mục tiêu nằm ngoài kỳ kế hoạch 2021–2030" in p for p in found), found
    ws = openpyxl.load_workbook(workbook)["ChiTieu"]
    edit(workbook, {("ChiTieu", f"{col['year']}3"): ws[f"{col['year']}2"].value})
    found = problems(workbook, catalogue_copy)
    assert any("Trùng dòng" in p for p in found), found
    assert snapshot(catalogue_copy) == before


def test_a_part_is_one_quantity(catalogue, catalogue_copy, tmp_path):
    workbook = exported(catalogue, "LC-2021-2030", tmp_path / "lc.xlsx")
    col = TARGET_LETTER
    edit(workbook, {("ChiTieu", f"{col['code']}3"): "female_wage_employment_share"})  # row 2 is 1.1 2025
    found = problems(workbook, catalogue_copy)
    assert any(f"ô {col['code']}3: Mã chỉ số khác dòng 2 của cùng chỉ tiêu 1.1" in p for p in found), found


def test_new_plan_new_code_and_its_template(catalogue, catalogue_copy, tmp_path):
    """A plan under a new code with a new quantity: the code is appended to indicators.yaml, the plan file is
    written, and bdg template works for its agency."""
    workbook = exported(catalogue, "LC-2021-2030", tmp_path / "lc.xlsx")
    col = TARGET_LETTER
    ws = openpyxl.load_workbook(workbook)["ChiTieu"]
    rows = [r for r in range(2, ws.max_row + 1) if ws[f"{col['objective']}{r}"].value == 1]
    changes: dict[tuple[str, str], object] = {
        ("KeHoach", "B2"): "LC-2026-2030",
        ("KeHoach", "B5"): 2026,
        ("KeHoach", "B6"): 2030,
        ("KeHoach", "B7"): 2025,
    }
    for r in rows:
        changes[("ChiTieu", f"{col['code']}{r}")] = "commune_female_key_leader_share"
        changes[("ChiTieu", f"{col['indicator_name']}{r}")] = "Tỷ lệ xã có lãnh đạo chủ chốt là nữ"
    for r in range(2, ws.max_row + 1):
        if ws[f"{col['year']}{r}"].value == 2025:
            changes[("ChiTieu", f"{col['year']}{r}")] = 2027
    edit(workbook, changes)
    # a plan of 2026 cannot give work to the agencies dissolved in 2025: the officer is told whom to name instead
    code, out = run_in(catalogue_copy, "plan", "load", str(workbook))
    assert (
        code != 0
        and "chỉ tiêu 2.1: cơ quan “Sở Lao động - Thương binh và Xã hội” đã không còn từ ngày "
        "01/03/2025, trước kỳ của kế hoạch (2026); ghi cơ quan kế nhiệm “Sở Nội vụ”"
        in out
    ), out
    edit(workbook, successors_named(workbook, catalogue))
    code, out = run_in(catalogue_copy, "plan", "load", str(workbook))
    assert code == 0, out
    assert "Đã nạp kế hoạch LC-2026-2030: 20 chỉ tiêu" in out and "commune_female_key_leader_share" in out
    assert (catalogue_copy / "plans" / "LC-2026-2030.yaml").exists()
    assert "commune_female_key_leader_share" in (catalogue_copy / "indicators.yaml").read_text(encoding="utf-8")
    again = read_catalogue(catalogue_copy)
    targets = again.targets[again.targets.plan_code == "LC-2026-2030"]
    assert sorted(set(targets.target_year)) == [2027, 2030]
    template = build_template(again, "LC-2026-2030", "Sở Nội vụ", 2027)
    codes = {c.value for c in template["BaoCao"]["E"]}
    assert "commune_female_key_leader_share" in codes


def successors_named(workbook: Path, catalogue) -> dict[tuple[str, str], object]:
    """Each agency of sheet ChiTieu replaced by the one answering for the row's chỉ tiêu in 2026, as an officer
    would pick them."""
    ws = openpyxl.load_workbook(workbook)["ChiTieu"]
    names = dict(zip(catalogue.agencies.agency_code, catalogue.agencies.name, strict=True))
    col, changes = TARGET_LETTER, {}
    for r in range(2, ws.max_row + 1):
        function = catalogue.indicator_names.get(ws[f"{col['code']}{r}"].value or "", "")
        for key in ("leads", "cos"):
            text = ws[f"{col[key]}{r}"].value
            if text:
                codes = [catalogue.agency_aliases[n.strip()] for n in str(text).split(";")]
                now = [names[catalogue.timeline.on(c, function, dt.date(2026, 1, 1))] for c in codes]
                changes[("ChiTieu", f"{col[key]}{r}")] = "; ".join(dict.fromkeys(now))
    return changes


def run_in(folder: Path, *args: str):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BDG_CATALOGUE_DIR", str(folder))
        return run(*args)


def test_cli_export_and_load(catalogue_copy, tmp_path):
    out = tmp_path / "nt.xlsx"
    code, text = run_in(catalogue_copy, "plan", "export", "--plan", "NT-2020", "-o", str(out))
    assert code == 0 and "Đã ghi biểu rà soát kế hoạch NT-2020" in text and out.exists()
    code, text = run_in(catalogue_copy, "plan", "load", str(out))
    assert code == 1 and "Kế hoạch NT-2020 đã có trong danh mục" in text and "--replace" in text
    code, text = run_in(catalogue_copy, "plan", "load", str(out), "--replace")
    assert code == 0 and "Đã nạp kế hoạch NT-2020: 22 chỉ tiêu, 32 dòng mục tiêu" in text
    code, text = run_in(catalogue_copy, "plan", "export", "--plan", "XX-2020")
    assert code == 1 and "Không có kế hoạch “XX-2020”" in text
    not_xlsx = tmp_path / "ghi_chu.xlsx"
    not_xlsx.write_text("không phải sổ tính", encoding="utf-8")
    code, text = run_in(catalogue_copy, "plan", "load", str(not_xlsx))
    assert code == 1 and "Traceback" not in text and "ghi_chu.xlsx" in text


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_a_workbook_saved_by_libreoffice_loads_the_same(catalogue, catalogue_copy, tmp_path):
    """An officer who reviews in LibreOffice Calc and saves as .xlsx: the catalogue comes back the same."""
    source = exported(catalogue, "LC-2021-2030", tmp_path / "lc.xlsx")
    out = tmp_path / "calc"
    subprocess.run(
        [
            "libreoffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    load_plan_workbook(out / "lc.xlsx", catalogue_copy, replace=True)
    again = read_catalogue(catalogue_copy)
    for name in TABLES:
        pd.testing.assert_frame_equal(
            getattr(again, name).reset_index(drop=True), getattr(catalogue, name).reset_index(drop=True), obj=name
        )


def test_plan_facts_still_to_review_are_refused(catalogue, catalogue_copy, tmp_path):
    workbook = exported(catalogue, "NT-2020", tmp_path / "nt.xlsx")
    edit(
        workbook,
        {("KeHoach", "D3"): "Không nhận ra tỉnh trong tên kế hoạch: ghi tên tỉnh", ("KeHoach", "B11"): "15-12"},
    )
    found = problems(workbook, catalogue_copy)
    assert any(p.startswith("trang “KeHoach”, ô D3: Dòng còn ghi “Cần xem lại”") for p in found), found
    assert any("ô B11: Hạn báo cáo phải có dạng ngày/tháng" in p for p in found), found
