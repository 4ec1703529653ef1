"""The ``bdg`` command against a temporary warehouse (BDG_RAW_DIR / BDG_WAREHOUSE)."""

from __future__ import annotations

from click.testing import CliRunner

from bdg_pipeline.cli import main
from bdg_pipeline.samples.ninh_thuan_appendix import ROWS, write_appendix


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_rebuild_with_samples(env, read_warehouse):
    code, out = run("sample-data")
    assert code == 0 and "Đã ghi 74 báo cáo mẫu" in out and "NT-2020" in out
    code, out = run("rebuild")
    assert code == 0
    assert "đã tiếp nhận 31 dòng số liệu (1 dòng có cảnh báo chất lượng)" in out
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
