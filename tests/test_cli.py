"""The ``bdg`` command against a temporary warehouse (BDG_RAW_DIR / BDG_WAREHOUSE)."""

from __future__ import annotations

from click.testing import CliRunner

from bdg_pipeline.cli import main
from bdg_pipeline.samples.ninh_thuan_appendix import ROWS, write_appendix


def run(*args):
    result = CliRunner().invoke(main, list(args), prog_name="bdg", catch_exceptions=False)
    return result.exit_code, result.output


def test_rebuild_with_samples(env, read_warehouse):
    code, out = run("sample-data")
    assert code == 0 and "Đã ghi 90 báo cáo mẫu" in out and "NT-2020" in out
    code, out = run("rebuild")
    assert code == 0
    assert "đã tiếp nhận 31 dòng số liệu (1 dòng có cảnh báo chất lượng)" in out
    # each return's receipt: the Word report received the next day replaces every value of the workbook
    assert (
        "NT-2020_phu-luc_ket-qua-2019.xlsx: đã tiếp nhận 31 dòng số liệu (1 dòng có cảnh báo chất lượng) — 31 giá "
        "trị mới" in out
    )
    assert (
        "NT-2020_bao-cao-ket-qua-2019.docx: đã tiếp nhận 31 dòng số liệu (1 dòng có cảnh báo chất lượng) — 31 "
        "thay thế giá trị trước; thay thế báo cáo trước: NT-2020_phu-luc_ket-qua-2019.xlsx" in out
    )
    assert "LC-2021-2030" in out and "QN-2011-2015" in out
    assert read_warehouse("SELECT count(DISTINCT plan_code) FROM v_targets") == [(4,)]
    # rebuilding again gives the same warehouse content
    first = read_warehouse("SELECT * FROM v_observations ORDER BY ALL")
    assert run("rebuild")[0] == 0
    assert read_warehouse("SELECT * FROM v_observations ORDER BY ALL") == first


def test_ingest_exit_codes(env, tmp_path, read_warehouse):
    good = write_appendix(tmp_path / "good.xlsx")
    code, out = run("ingest", str(good))
    assert code == 0 and "✔ good.xlsx" in out
    rows = list(ROWS)
    rows[11] = (4, rows[11][1], "một trăm lẻ tám", rows[11][3])
    bad = write_appendix(tmp_path / "bad.xlsx", rows)
    code, out = run("ingest", str(bad))
    assert code == 1
    assert "✘ bad.xlsx: KHÔNG tiếp nhận" in out and "ô C18" in out and "Báo cáo lỗi:" in out
    assert read_warehouse("SELECT count(*) FROM v_observations") == [(31,)]


def test_template_command(env, tmp_path):
    out_file = tmp_path / "bieu.xlsx"
    code, out = run("template", "--plan", "NT-2020", "--agency", "Sở Y tế", "--year", "2020", "-o", str(out_file))
    assert code == 0 and out_file.exists()
    code, out = run("template", "--plan", "NT-2020", "--agency", "Sở Y tế", "--year", "2025")
    assert code == 1 and "ngoài kỳ theo dõi" in out


def test_help_and_usage_errors_in_vietnamese(env):
    code, out = run("--help")
    assert code == 0 and "Cách dùng: bdg" in out and "Lệnh:" in out and "Tiếp nhận các tệp báo cáo." in out
    assert "Usage" not in out and "Show this message" not in out
    code, out = run("report", "-h")
    assert code == 0 and "[bắt buộc]" in out and "Xem hướng dẫn này rồi thoát." in out
    code, out = run("report", "--year", "2019")
    assert code == 2 and "Lỗi: Thiếu tùy chọn --province." in out and "bdg report --help" in out
    code, out = run("baocao")
    assert code == 2 and "Không có lệnh “baocao”" in out


def test_names_as_officers_type_them(env, tmp_path):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    assert run("rebuild")[0] == 0
    code, out = run("report", "--province", "ninh thuan", "--year", "2019")
    assert code == 0 and "ninh-thuan_2019" in out
    code, out = run("report", "--province", "Ninh Thuận", "--year", "2017")
    assert code == 1 and "Chưa có số liệu năm 2017 của Ninh Thuận" in out and "2019" in out
    code, out = run("report", "--province", "Hà Nội", "--year", "2019")
    assert code == 1 and "Các tỉnh:" in out and "Ninh Thuận" in out
    code, out = run(
        "template", "--plan", "LC-2021-2030", "--agency", "So Y te", "--year", "2024", "-o", str(tmp_path / "b.xlsx")
    )
    assert code == 1 and "Có phải: “Sở Y tế”" in out and not (tmp_path / "b.xlsx").exists()


def test_summary_speaks_vietnamese(env):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    code, out = run("rebuild")
    assert code == 0 and "đang hiệu lực 1" in out and "{" not in out
    assert "Đánh giá mục tiêu (cấp tỉnh): Không có số liệu" in out and "no_data" not in out


def test_long_work_reports_its_progress(env, catalogue):
    from bdg_pipeline import pipeline
    from bdg_pipeline.returns import ingest
    from bdg_pipeline.samples import write_samples

    files = write_samples(env.raw_dir, catalogue)
    told = []
    token = ingest.progress.set(lambda done, total: told.append((done, total)))
    try:
        pipeline.ingest(env, files)
    finally:
        ingest.progress.reset(token)
    # after each committed batch: files recorded so far out of all, ending at all of them
    assert told[-1] == (len(files), len(files)) and [d for d, _ in told] == sorted(d for d, _ in told)
