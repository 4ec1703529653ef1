"""The report appendix read back with openpyxl, the charts, and the submission tracker."""

from __future__ import annotations

import datetime as dt
import os

import openpyxl
import pytest
from click.testing import CliRunner

from bdg_pipeline import pipeline
from bdg_pipeline.cli import main
from bdg_pipeline.reports.appendix_report import masked_count
from bdg_pipeline.returns.template import FIRST_ROW, SHEET, build_template
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix


@pytest.fixture
def nt_report(env):
    # a file name starting with "=": it must come back as text in the warnings sheet, never as a formula
    write_appendix(env.raw_dir / "=HYPERLINK(1).xlsx")
    pipeline.rebuild(env)
    result = CliRunner().invoke(main, ["report", "--province", "Ninh Thuận", "--year", "2019"])
    assert result.exit_code == 0, result.output
    folder = env.reports_dir / "ninh-thuan_2019"
    return folder, openpyxl.load_workbook(folder / "phu_luc_bao_cao_ninh-thuan_2019.xlsx")


def find_row(ws, text):
    for row in ws.iter_rows(min_row=5):
        if row[1].value and text in row[1].value:
            return row
    raise AssertionError(text)


def test_report_cells_merges_formats(nt_report):
    folder, wb = nt_report
    assert wb.sheetnames == ["Cấp tỉnh", "Cấp huyện", "Cấp xã", "Cảnh báo dữ liệu", "Theo dõi nộp báo cáo"]
    ws = wb["Cấp tỉnh"]
    assert ws["D4"].value == "SỐ LIỆU KẾT QUẢ NĂM 2019"
    row = find_row(ws, "Chỉ tiêu 1: Tỷ lệ nữ đạt 50% trong tổng số người được tạo việc làm mới")
    assert row[3].value == "8.688/17.174 (50,59%)"
    assert (row[4].value, row[5].value) == (8688, 17174)
    assert row[4].number_format == "#,##0" and row[6].number_format == "#,##0.00"
    assert row[6].value == pytest.approx(50.588, abs=1e-3)
    assert row[7].value == "Đạt" and row[8].value == "Sở Lao động - Thương binh và Xã hội"
    assert row[7].fill.fgColor.rgb.endswith("C6EFCE")
    srb = find_row(ws, "Tỷ số giới tính khi sinh không vượt quá 110")
    assert srb[3].value == "108,5/100" and srb[2].value == "≤ 110 /100 (năm 2020)"
    housework = find_row(ws, "xuống 1,5 lần")
    assert housework[3].value == "1,5 lần"
    pmtct = find_row(ws, "dự phòng lây truyền HIV")
    assert pmtct[3].value == "16,8%" and pmtct[7].value.startswith("Chưa đạt")
    # objective 1 spans its six rows (chỉ tiêu 1 a/b/c, 2, 3 a/b) in one merged cell
    top = next(r for r in ws.merged_cells.ranges if r.min_col == 1 and r.min_row == 5)
    assert (top.min_row, top.max_row) == (5, 10) and "Mục tiêu 1" in ws["A5"].value
    assert len([r for r in ws.merged_cells.ranges if r.min_col == 1 and r.min_row >= 5]) == 7  # one per objective
    huyen = wb["Cấp huyện"]
    assert find_row(huyen, "cấp ủy")[3].value == "48/268 (17,91%)"


def test_report_warnings_and_escaping(nt_report):
    _, wb = nt_report
    ws = wb["Cảnh báo dữ liệu"]
    assert ws["G2"].value == "Cấp huyện: 48/268 (16,78%)"
    assert ws["H2"].value == "Tỷ lệ in sẵn 16,78% khác tỷ lệ tính từ 48/268 = 17,91%"
    assert ws["I2"].value == "=HYPERLINK(1).xlsx" and ws["I2"].data_type == "s"


def test_charts_and_html(nt_report):
    folder, _ = nt_report
    pngs = sorted((folder / "bieu_do").glob("*.png"))
    assert (folder / "bieu_do" / "NT-2020_theo_muc_tieu.png") in pngs
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000 for p in pngs)
    page = (folder / "bao_cao_ninh-thuan_2019.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == len(pngs) and "Ninh Thuận" in page


def test_small_cells_masked():
    assert masked_count(3, "gbv_victims_service_access_share", "xa") == "<5"
    assert masked_count(3, "gbv_victims_service_access_share", "huyen") == 3
    assert masked_count(12, "gbv_victims_service_access_share", "xa") == 12
    assert masked_count(3, "female_masters_share", "xa") == 3


def stamp(path, when: dt.datetime):
    os.utime(path, (when.timestamp(), when.timestamp()))


def lc_return(catalogue, env, agency, year, when):
    wb = build_template(catalogue, "LC-2021-2030", agency, year)
    ws = wb[SHEET]
    ws[f"J{FIRST_ROW}"], ws[f"K{FIRST_ROW}"] = 10, 20
    path = env.raw_dir / f"{agency}_{year}.xlsx"
    wb.save(path)
    stamp(path, when)
    return path


def test_tracker_on_time_late_missing(catalogue, env, read_warehouse):
    # Lào Cai's annual report is due before 30/11 (seed 001 §III.3)
    lc_return(catalogue, env, "Sở Y tế", 2023, dt.datetime(2023, 11, 28, 10))            # on time
    lc_return(catalogue, env, "Sở Nội vụ", 2023, dt.datetime(2023, 12, 5, 9))           # 5 days late
    pipeline.rebuild(env)
    rows = dict(read_warehouse("""SELECT agency_code, status FROM v_submissions
                                  WHERE plan_code = 'LC-2021-2030' AND year = 2023 AND period = 'nam'"""))
    assert rows["YTE"] == "on_time" and rows["NOIVU"] == "late"
    assert rows["GDDT"] == "missing" and rows["CTK"] == "missing"
    assert set(rows) == {"NOIVU", "LDTBXH", "KHDT", "CTK", "YTE", "GDDT", "TTTT"}
    late = read_warehouse("SELECT days_after_due, due_date FROM v_submissions WHERE agency_code = 'NOIVU' "
                          "AND plan_code = 'LC-2021-2030' AND year = 2023")
    assert late == [(5, dt.date(2023, 11, 30))]
    future = read_warehouse("SELECT DISTINCT status FROM v_submissions WHERE plan_code = 'LC-2021-2030' AND year = 2030"
                            )
    assert future == [("not_due",)]
