"""Appendices as offices send them — four layouts, five writers (.xlsx by openpyxl and xlsxwriter, .xls by
xlwt, .ods by odfpy, .docx by python-docx) — read to exactly the observations of the .xlsx appendix; and
what cannot be read with confidence refused with what was understood."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.catalogue import load_catalogue
from bdg_pipeline.returns.model import ParsedReturn, Problem
from bdg_pipeline.returns.parsing import parse_returns
from bdg_pipeline.returns.workbook import OLE_SIGNATURE
from bdg_pipeline.samples.ninh_thuan_appendix import appendix_spec, write_appendix, write_appendix_document
from bdg_pipeline.warehouse import staging_connection, table_checksum
from tests.appendix_files import LAYOUTS, WRITERS, fractions_by_level, levels_in_columns, write_openpyxl

from .conftest import CATALOGUE_DIR


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(CATALOGUE_DIR)


def observations(parsed: ParsedReturn, year: int | None = None) -> list[tuple]:
    """What a return tells, whatever its layout: chỉ tiêu, part, level, year, the numbers, the agency."""
    return sorted(
        (r.objective_no, r.indicator_no, r.part, r.level, r.area_code, r.year, r.reading, r.agency_code)
        for r in parsed.rows
        if year is None or r.year == year
    )


def read(path: Path, catalogue) -> ParsedReturn | list[Problem]:
    return parse_returns([path], catalogue)[0]


@pytest.fixture(scope="module")
def reference(catalogue, tmp_path_factory):
    parsed = read(write_appendix(tmp_path_factory.mktemp("ref") / "phu_luc.xlsx"), catalogue)
    assert isinstance(parsed, ParsedReturn)
    assert len(parsed.rows) == 31
    return parsed


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_and_format_reads_as_the_xlsx_appendix(layout, writer, reference, catalogue, tmp_path):
    suffix = writer.rsplit(".", 1)[1]
    path = WRITERS[writer](LAYOUTS[layout](), tmp_path / f"phu_luc.{suffix}")
    signature = {"xls": OLE_SIGNATURE, "ods": b"PK", "docx": b"PK", "xlsx": b"PK"}[suffix]
    assert path.read_bytes().startswith(signature)  # a real file of that format, not a renamed .xlsx
    parsed = read(path, catalogue)
    assert isinstance(parsed, ParsedReturn), [str(p) for p in parsed]
    assert (parsed.plan_code, parsed.year) == (reference.plan_code, 2019)
    assert observations(parsed, 2019) == observations(reference)
    if layout == "nhieu-nam":  # 2018 is written with 2019's results
        assert [o[:5] + o[6:] for o in observations(parsed, 2018)] == [o[:5] + o[6:] for o in observations(reference)]
        assert len(parsed.rows) == 62
    else:
        assert len(parsed.rows) == 31
    cells = {r.cell for r in parsed.rows}
    if suffix == "docx":  # Word has no A1 names: cells are named by row and column of the table
        assert all(re.fullmatch(r"dòng \d+, cột \d+", c) for c in cells) and parsed.rows[0].sheet == "Bảng 1"
    else:
        assert all(re.fullmatch(r"[A-Z]+\d+", c) for c in cells) and parsed.rows[0].sheet == "Phụ lục"


def test_word_report_ingests_and_replaces_the_workbook_sent_before(env, read_warehouse):
    first = pipeline.ingest(env, [write_appendix(env.raw_dir / "a_phu_luc.xlsx")])
    again = pipeline.ingest(env, [write_appendix_document(env.raw_dir / "b_bao_cao.docx")])
    assert [o.outcome for o in first.outcomes + again.outcomes] == ["accepted", "accepted"]
    assert again.outcomes[0].superseded
    rows = read_warehouse(
        "SELECT source_file, source_sheet, source_cell FROM v_observations WHERE objective_no = 2 AND indicator_no = 1"
    )
    assert len(rows) == 1 and rows[0][0].endswith("b_bao_cao.docx") and rows[0][1:] == ("Bảng 1", "dòng 7, cột 3")
    assert read_warehouse("SELECT count(*) FROM v_observations")[0][0] == 31  # in force once, not twice


def _problems(result) -> list[str]:
    assert isinstance(result, list), "expected the file to be refused"
    return [str(p) for p in result]


def _with_header(spec, row: int, column: int, text: str):
    spec.rows[row][column] = text
    return spec


@pytest.mark.parametrize(
    "spec, said",
    [
        (_with_header(levels_in_columns(), 0, 2, "SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC"), "không rõ năm của số liệu ở cột C"),
        (
            _with_header(fractions_by_level(), 2, 4, "Số khác"),
            "cột E có số liệu nhưng tiêu đề “KẾT QUẢ NĂM 2019 / Cấp tỉnh / Số khác”",
        ),
        (
            _with_header(fractions_by_level(), 2, 4, "Ghi chú"),
            "có cột tử số mà không có cột mẫu số (năm 2019 cấp tỉnh)",
        ),
        (_with_header(fractions_by_level(), 0, 0, "Ghi nhận"), "cột A có số liệu nhưng tiêu đề “Ghi nhận”"),
        (
            _with_header(fractions_by_level(), 2, 7, "Ghi nhận"),
            "cột H có số liệu nhưng tiêu đề “KẾT QUẢ NĂM 2019 / Cấp huyện / Ghi nhận”",
        ),
        (_with_header(levels_in_columns(), 1, 3, "Cấp tỉnh"), "hai cột cùng là kết quả năm 2019 cấp tỉnh"),
    ],
)
def test_a_layout_not_read_with_confidence_is_refused_with_what_was_understood(spec, said, catalogue, tmp_path):
    problems = _problems(read(write_openpyxl(spec, tmp_path / "phu_luc.xlsx"), catalogue))
    assert len(problems) == 1
    assert "Không đọc chắc chắn được bảng phụ lục" in problems[0] and said in problems[0], problems
    assert "Đã hiểu:\ncột A" in problems[0] and "\ncột B “CHỈ TIÊU” = chỉ tiêu\n" in problems[0]


def test_a_row_matched_to_no_chi_tieu_is_named_never_guessed(catalogue, tmp_path):
    spec = fractions_by_level()
    row = next(i for i, r in enumerate(spec.rows) if str(r[1]).startswith("Chỉ tiêu 2: Tỷ lệ nữ làm chủ"))
    spec.rows[row][1] = "Tỷ lệ nữ được hỗ trợ"  # no number, and the wording fits several chỉ tiêu
    problems = _problems(read(write_openpyxl(spec, tmp_path / "phu_luc.xlsx"), catalogue))
    assert any(
        f"ô B{len(spec.title) + 2 + row}: Không xác định được dòng này thuộc chỉ tiêu nào" in p for p in problems
    ), problems


def test_unnumbered_rows_are_matched_by_the_plan_wording(catalogue, tmp_path, reference):
    spec = fractions_by_level()
    for r in spec.rows[spec.header_rows :]:
        r[1] = re.sub(r"^Chỉ tiêu \d+:\s*", "", str(r[1]))  # the office wrote the wording only
    parsed = read(write_openpyxl(spec, tmp_path / "phu_luc.xlsx"), catalogue)
    assert isinstance(parsed, ParsedReturn), _problems(parsed)
    assert observations(parsed) == observations(reference)


def test_a_level_label_against_its_column_is_refused(catalogue, tmp_path):
    spec = levels_in_columns()
    spec.rows[2][3] = "Cấp xã: 48/268 (16,78%)"  # written in the Cấp huyện column
    problems = _problems(read(write_openpyxl(spec, tmp_path / "phu_luc.xlsx"), catalogue))
    cell = f"ô D{len(spec.title) + 2 + 2}:"  # the table starts below the title and a blank row
    assert any(cell in p and "khác cấp của cột (cấp huyện)" in p for p in problems), problems


def test_percent_format_lost_in_xls_is_refused_not_read_as_a_fraction(catalogue, tmp_path):
    spec = fractions_by_level()
    row = next(i for i, r in enumerate(spec.rows) if r[0] == 6)  # 2.1: 8.688/17.174 (50,59%)
    spec.rows[row][3:6] = ["", "", 0.5059]  # 50,59 % typed into a percent-formatted cell
    path = tmp_path / "phu_luc.xls"
    from tests.appendix_files import write_xlwt

    write_xlwt(spec, path)
    problems = _problems(read(path, catalogue))
    assert any("có thể là tỷ lệ phần trăm" in p and f"ô F{len(spec.title) + 2 + row}" in p for p in problems), problems


def test_excel_error_in_an_appendix_is_named(catalogue, tmp_path):
    spec = fractions_by_level()
    row = next(i for i, r in enumerate(spec.rows) if r[0] == 6)
    spec.rows[row][5] = "=1/0"
    spec_path = write_openpyxl(spec, tmp_path / "phu_luc.xlsx")
    import openpyxl

    book = openpyxl.load_workbook(spec_path)  # as Excel saves it: the formula and its cached error
    cell = book["Phụ lục"].cell(row=len(spec.title) + 2 + row, column=6)
    cell.value, cell.data_type = "#DIV/0!", "e"
    book.save(spec_path)
    problems = _problems(read(spec_path, catalogue))
    assert any("Ô có lỗi công thức #DIV/0! (chia cho 0)" in p and f"ô F{cell.row}" in p for p in problems), problems


@pytest.mark.parametrize(
    "content, said",
    [
        (None, "Không nhận ra biểu báo cáo"),  # a Word letter with no table
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\0" * 600,
            "Tài liệu Word 97-2003 (.doc) chưa đọc được",
        ),
    ],
)
def test_word_files_that_cannot_hold_an_appendix_are_refused(content, said, catalogue, tmp_path):
    if content is None:
        from docx import Document

        document = Document()
        document.add_paragraph("Kính gửi: Sở Lao động - Thương binh và Xã hội tỉnh Ninh Thuận")
        path = tmp_path / "cong_van.docx"
        document.save(str(path))
    else:
        path = tmp_path / "bao_cao.doc"
        path.write_bytes(content)
    problems = _problems(read(path, catalogue))
    assert any(said in p for p in problems), problems


def test_refused_word_report_leaves_the_warehouse_unchanged(env):
    pipeline.ingest(env, [write_appendix(env.raw_dir / "a_good.xlsx")])
    with staging_connection(env) as con:
        before = {t: table_checksum(con, t) for t in ("fact_observation", "submission")}
    spec = appendix_spec()
    spec.rows[8][2] = "17.174/8.688"  # 2.1 numerator above its denominator
    bad = write_appendix_document(env.raw_dir / "b_bad.docx", spec)
    outcome = pipeline.ingest(env, [bad]).outcomes[0]
    assert outcome.outcome == "rejected"
    assert any(
        p.sheet == "Bảng 1" and p.cell == "dòng 9, cột 3" and "lớn hơn mẫu số" in str(p) for p in outcome.problems
    ), [str(p) for p in outcome.problems]
    assert outcome.report_path.exists()
    with staging_connection(env) as con:
        assert {t: table_checksum(con, t) for t in ("fact_observation", "submission")} == before
