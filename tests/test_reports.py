"""The report appendix read back with openpyxl, the charts, and the submission tracker."""

from __future__ import annotations

import datetime as dt
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.colors import to_rgba

from bdg_pipeline import pipeline
from bdg_pipeline.attainment import Judgement, reason
from bdg_pipeline.cli import main
from bdg_pipeline.reports.appendix_report import HEADER_ROW, masked_count, outlook, target_text, year_against_target
from bdg_pipeline.reports.charts import MET, NOT_MET, indicator_figure
from bdg_pipeline.returns.template import FIRST_ROW, SHEET
from bdg_pipeline.returns.template_build import build_template
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
    for row in ws.iter_rows(min_row=HEADER_ROW + 2):
        if row[1].value and text in row[1].value:
            return row
    raise AssertionError(text)


def test_report_cells_merges_formats(nt_report):
    folder, wb = nt_report
    assert wb.sheetnames == ["Cấp tỉnh", "Cấp huyện", "Cấp xã", "Cảnh báo dữ liệu", "Theo dõi nộp báo cáo"]
    ws = wb["Cấp tỉnh"]
    header = HEADER_ROW + 1  # as Excel numbers rows
    assert ws[f"E{header}"].value == "SỐ LIỆU KẾT QUẢ NĂM 2019"
    row = find_row(ws, "Chỉ tiêu 1: Tỷ lệ nữ đạt 50% trong tổng số người được tạo việc làm mới")
    assert row[2].value == "Tỉnh Ninh Thuận" and row[4].value == "8.688/17.174 (50,59%)"
    assert (row[5].value, row[6].value) == (8688, 17174)
    assert row[5].number_format == "#,##0" and row[7].number_format == "#,##0.00"
    assert row[7].value == pytest.approx(50.59)  # as printed (8.688/17.174 is 50,588)
    assert row[8].value == "Đạt" and row[11].value == "Sở Lao động - Thương binh và Xã hội"
    assert row[8].fill.fgColor.rgb.endswith("C6EFCE")
    srb = find_row(ws, "Tỷ số giới tính khi sinh không vượt quá 110")
    assert srb[4].value == "108,5/100" and srb[3].value == "≤ 110/100 (năm 2020)"
    housework = find_row(ws, "xuống 1,5 lần")
    assert housework[4].value == "1,5 lần"
    pmtct = find_row(ws, "dự phòng lây truyền HIV")
    assert pmtct[4].value == "16,8%" and pmtct[8].value.startswith("Chưa đạt")
    # objective 1 spans its six rows (chỉ tiêu 1 a/b/c, 2, 3 a/b) in one merged cell
    top = next(r for r in ws.merged_cells.ranges if r.min_col == 1 and r.min_row == header + 1)
    assert (top.min_row, top.max_row) == (header + 1, header + 6) and "Mục tiêu 1" in ws[f"A{header + 1}"].value
    objectives = [r for r in ws.merged_cells.ranges if r.min_col == 1 and r.min_row > header]
    assert len(objectives) == 7  # one per objective
    huyen = wb["Cấp huyện"]
    assert find_row(huyen, "cấp ủy")[4].value == "48/268 (16,78%)"  # as printed, flagged beside it


def test_report_reads_like_an_administrative_appendix(nt_report):
    """Nghị định 30/2020/NĐ-CP layout, printed A4 landscape one page wide with the titles repeated."""
    _, wb = nt_report
    for ws in wb.worksheets:
        assert ws["A1"].value == "UBND TỈNH NINH THUẬN" and ws["A2"].value == "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
        right = [c.value for c in ws[1] if c.value and c.column > 1]
        assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ws.title
        assert ws["A4"].value == "PHỤ LỤC" and ws["A6"].value.startswith("(Kèm theo Báo cáo số")
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1: the default
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == f"${HEADER_ROW + 1}:${HEADER_ROW + 1}"
        assert ws["A4"].font.name == "Times New Roman" and ws[f"B{HEADER_ROW + 2}"].font.name == "Times New Roman"
    tracker = wb["Theo dõi nộp báo cáo"]
    rows = [[c.value for c in r] for r in tracker.iter_rows(min_row=HEADER_ROW + 2) if r[0].value]
    # the 2019 appendix counts for every agency it names; the 6-month returns never came
    assert {r[5] for r in rows if r[2] == "Năm"} == {"Trễ hạn"} and {r[5] for r in rows if r[2] == "6 tháng"} == {
        "Chưa nộp"
    }
    assert len(rows) == 22


def test_yes_no_targets_and_two_named_judgements():
    row = SimpleNamespace(
        unit="yes_no",
        direction="maintain",
        target_value=1.0,
        target_year=2025,
        value=0.0,
        outlook="not_achieved",
        outlook_vi="Không đạt",
        outlook_reason="Mục tiêu duy trì …",
    )
    assert target_text(row) == "Duy trì: Có (năm 2025)"
    # the year's value against the target, and the state toward the target year: two columns, never one phrase
    assert year_against_target(row) == ("Chưa đạt", "not_achieved")
    assert outlook(row) == ("Không đạt", "not_achieved", "Mục tiêu duy trì …")
    row.direction = "at_least"
    assert target_text(row) == "Có (năm 2025)"
    row.value = 1.0
    assert year_against_target(row) == ("Đạt", "achieved")


def test_commune_values_get_their_sheet(catalogue, env):
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023)
    ws = wb[SHEET]
    row = next(
        r
        for r in range(FIRST_ROW, ws.max_row + 1)
        if ws[f"H{r}"].value == "Cấp xã" and "(" in str(ws[f"I{r}"].value) and ws[f"G{r}"].value == "/100"
    )
    commune = ws[f"I{row}"].value
    ws[f"L{row}"] = 109.2
    path = env.raw_dir / "xa.xlsx"
    wb.save(path)
    pipeline.rebuild(env)
    result = CliRunner().invoke(main, ["report", "--province", "Lào Cai", "--year", "2023"])
    assert result.exit_code == 0, result.output
    report = openpyxl.load_workbook(env.reports_dir / "lao-cai_2023" / "phu_luc_bao_cao_lao-cai_2023.xlsx")
    assert "Cấp xã" in report.sheetnames
    shown = [[c.value for c in r] for r in report["Cấp xã"].iter_rows(min_row=HEADER_ROW + 2) if r[1].value]
    assert [r[4] for r in shown if r[2] and r[2] in commune] == ["109,2/100"], shown


def test_report_warnings_and_escaping(nt_report):
    _, wb = nt_report
    ws = wb["Cảnh báo dữ liệu"]
    first = HEADER_ROW + 2
    assert ws[f"G{first}"].value == "Cấp huyện: 48/268 (16,78%)"
    assert ws[f"H{first}"].value == "Tỷ lệ in sẵn 16,78% khác tỷ lệ tính từ 48/268 = 17,91%"
    assert ws[f"I{first}"].value == "=HYPERLINK(1).xlsx" and ws[f"I{first}"].data_type == "s"


class Links(HTMLParser):
    """Every local link and image of a page, and anything that would need the network."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.remote, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("href", "src"):
            target = attrs.get(key)
            if target and re.match(r"(https?:)?//", target):
                self.remote.append(target)
            elif target and not target.startswith("#"):
                (self.images if tag == "img" else self.links).append(target.split("#")[0])

    def handle_data(self, data):
        self.text.append(data)


def read_page(path):
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_static_site_per_province_and_year(nt_report):
    folder, _ = nt_report
    index = read_page(folder / "index.html")
    assert index.remote == [] and "Ninh Thuận" in "".join(index.text)
    pages = [link for link in index.links if link.startswith("chi-tieu/")]
    assert len(pages) == 32  # every chỉ tiêu part of NT-2020, each with its page
    assert all((folder / link).exists() for link in index.links + index.images)
    assert "bieu_do/NT-2020_theo_muc_tieu.png" in index.images
    text = " ".join(index.text)
    for label in ("Mục tiêu 1", "Mục tiêu 7", "Không đạt", "Không có số liệu"):
        assert label in text
    # a page: its chart, its targets with status and reason, every value with its source cell, downloads
    page_path = folder / "chi-tieu" / "NT-2020_MT2_CT1.html"
    page = read_page(page_path)
    assert page.remote == [] and all((page_path.parent / link).exists() for link in page.links + page.images)
    body = " ".join(page.text)
    assert "8.688" in body and "17.174" in body and "50,59%" in body
    # the source cell of the value, with the file name shown as text (it starts with "=")
    assert "=HYPERLINK(1).xlsx — trang" in body and re.search(r"ô C\d+", body)
    assert "≥ 50% (năm 2020)" in body
    downloads = sorted(link for link in page.links if "du-lieu/" in link)
    assert [Path(d).suffix for d in downloads] == [".csv", ".xlsx"]
    csv = (page_path.parent / downloads[0]).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("Năm,Cấp,Địa bàn,Tử số") and "Cấp tỉnh" in csv
    sheet = openpyxl.load_workbook(page_path.parent / downloads[1]).active
    assert sheet["A1"].value == "Năm" and sheet["C2"].value == "Tỉnh Ninh Thuận"
    pngs = sorted((folder / "bieu_do").glob("*.png"))
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000 for p in pngs)


def test_status_reasons_say_the_numbers():
    progress = Judgement(2025, 45.26, False, "limited_progress", 0.3, 2021, 43.33)
    assert reason(progress, 60.0, 2030, "at_least", "percent") == (
        "Từ 43,33% (2021) đến 45,26% (2025): tốc độ bằng 0,3 lần mức cần để đạt 60% năm 2030 — tiến bộ chậm."
    )
    missed = Judgement(2025, 45.26, False, "not_achieved", None, 2021, 43.33)
    assert reason(missed, 60.0, 2025, "at_least", "percent") == (
        "Năm 2025 đã qua; số liệu năm 2025 là 45,26%, chưa đạt 60%."
    )
    kept = Judgement(2025, 1.0, True, "achieved", None, 2021, 0.0)
    assert reason(kept, 1.0, 2025, "at_least", "yes_no") == "Số liệu năm 2025 là Có, đạt mục tiêu Có của năm 2025."
    broken = Judgement(2024, 100.0, False, "not_achieved", None, 2021, 100.0, missed_year=2022, missed_value=99.996)
    assert reason(broken, 100.0, 2030, "maintain", "percent") == (
        "Mục tiêu duy trì 100% không đạt ở năm 2022 (99,996%)."
    )


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
    lc_return(catalogue, env, "Sở Y tế", 2023, dt.datetime(2023, 11, 28, 10))  # on time
    lc_return(catalogue, env, "Sở Nội vụ", 2023, dt.datetime(2023, 12, 5, 9))  # 5 days late
    pipeline.rebuild(env)
    rows = dict(
        read_warehouse("""SELECT agency_code, status FROM v_submissions
                                  WHERE plan_code = 'LC-2021-2030' AND year = 2023 AND period = 'nam'""")
    )
    assert rows["YTE"] == "on_time" and rows["NOIVU"] == "late"
    assert rows["GDDT"] == "missing" and rows["CTK"] == "missing"
    assert set(rows) == {"NOIVU", "LDTBXH", "KHDT", "CTK", "YTE", "GDDT", "TTTT"}
    late = read_warehouse(
        "SELECT days_after_due, due_date FROM v_submissions WHERE agency_code = 'NOIVU' "
        "AND plan_code = 'LC-2021-2030' AND year = 2023"
    )
    assert late == [(5, dt.date(2023, 11, 30))]
    future = read_warehouse(
        "SELECT DISTINCT status FROM v_submissions WHERE plan_code = 'LC-2021-2030' AND year = 2030"
    )
    assert future == [("not_due",)]


def _labels(axis):
    axis.figure.canvas.draw()  # tick labels are laid out on drawing
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def test_charts_read_as_officers_write():
    path = pd.DataFrame({"year": [2019], "expected_value": [None], "observed_value": [50.59]})
    targets = pd.DataFrame({"target_year": [2020], "target_value": [50.0], "direction": ["at_least"]})
    title = (
        "NT-2020 · Mục tiêu 2 · Chỉ tiêu 1: Tỷ lệ nữ đạt 50% trong tổng số người được tạo việc làm mới "
        "trong năm, được duy trì và nâng dần qua các năm của kỳ kế hoạch, ở tất cả các huyện, thành phố "
        "và các xã, phường, thị trấn trên địa bàn tỉnh"
    )
    ax = indicator_figure(path, targets, title, "percent").axes[0]
    assert _labels(ax.xaxis) == ["2019", "2020"]  # whole years, never “−1, 0, +2.02e3”
    assert any("," in label for label in _labels(ax.yaxis)) and not any("." in t for t in _labels(ax.yaxis))
    assert ax.get_title().endswith("…") and ax.get_title().count("\n") == 2  # wrapped, cut at a word
    points = ax.collections[0].get_facecolors()  # the reported values, coloured by whether they meet the target
    assert [tuple(c) for c in points] == [to_rgba(MET)]
    missed = indicator_figure(path.assign(observed_value=[40.0]), targets, "x", "percent").axes[0]
    assert [tuple(c) for c in missed.collections[0].get_facecolors()] == [to_rgba(NOT_MET)]
    yes_no = indicator_figure(
        path.assign(observed_value=[1.0]), targets.assign(target_value=[1.0]), "Có/không", "yes_no"
    ).axes[0]
    assert _labels(yes_no.yaxis) == ["Không", "Có"] and yes_no.get_ylabel() == ""
