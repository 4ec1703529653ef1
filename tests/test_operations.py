"""Nothing an officer sends is lost or counted twice, whatever runs at the same time, dies in the middle
or is malformed — one test per failure of the operations issue, each with real processes and files."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import time

import dagster as dg
import psutil
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bdg_pipeline import pipeline
from bdg_pipeline.cli import main
from bdg_pipeline.definitions import defs
from bdg_pipeline.orchestration import assets as asset_module
from bdg_pipeline.orchestration.resources import BdgSettings
from bdg_pipeline.returns.archive import Ledger
from bdg_pipeline.returns.template import FIRST_ROW, SHEET
from bdg_pipeline.samples import write_samples
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix
from bdg_pipeline.warehouse import staging_connection

from .operations import bdg, filled, published, start, start_paused, wait_for_line

WAITING = "Đang chờ lượt ghi kho dữ liệu"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def base(env):
    """A published warehouse holding the Ninh Thuận appendix (31 observations)."""
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    pipeline.rebuild(env)
    assert published(env, "SELECT count(*) FROM v_observations") == [(31,)]
    return env


def test_1_rebuild_waits_for_an_ingest_inside_its_transaction(base, catalogue):
    x = filled(catalogue, base.raw_dir / "x.xlsx")
    ingest = start_paused("ingest", str(x), at="in_transaction", seconds=6)
    rebuild = start("rebuild")
    wait_for_line(rebuild, WAITING)
    assert ingest.wait(60) == 0 and rebuild.wait(120) == 0
    assert published(base, "SELECT count(*) FROM v_observations") == [(32,)]
    assert published(base, "SELECT file_name, outcome FROM file_log ORDER BY arrival_seq") == [
        ("phu_luc.xlsx", "accepted"),
        ("x.xlsx", "accepted"),
    ]


def test_1_ingest_waits_for_a_rebuild_inside_its_transaction(base, catalogue):
    rebuild = start_paused("rebuild", at="in_transaction", seconds=6)
    x = filled(catalogue, base.raw_dir / "x.xlsx")
    ingest = start("ingest", str(x))
    wait_for_line(ingest, WAITING)
    assert rebuild.wait(60) == 0 and ingest.wait(120) == 0
    assert published(base, "SELECT count(*) FROM v_observations") == [(32,)]
    assert published(base, "SELECT count(*) FROM file_log") == [(2,)]


@pytest.mark.parametrize("damage", ["deleted", "emptied", "garbage"])
def test_2_and_7_lost_or_damaged_staging_is_rebuilt_from_the_archive(base, catalogue, capsys, damage):
    if damage == "deleted":
        base.staging.unlink()
    else:
        base.staging.write_bytes(b"" if damage == "emptied" else os.urandom(50_000))
    summary = pipeline.ingest(base, [filled(catalogue, base.raw_dir / "x.xlsx")])
    assert [o.outcome for o in summary.outcomes] == ["accepted"]
    assert "đang dựng lại từ kho lưu trữ" in capsys.readouterr().err
    assert published(base, "SELECT count(*) FROM v_observations") == [(32,)]
    assert published(base, "SELECT count(*) FROM file_log WHERE outcome = 'accepted'") == [(2,)]


def test_2_an_incomplete_staging_is_never_published(base):
    with staging_connection(base) as con:
        con.execute("DELETE FROM build_info")
        con.execute("DELETE FROM fact_observation")  # what a half-built staging looks like
    pipeline.publish_complete(base)
    assert published(base, "SELECT count(*) FROM v_observations") == [(31,)]


def test_3_a_malformed_return_rejects_itself_only(base, catalogue):
    good = filled(catalogue, base.raw_dir / "tot.xlsx")
    meta = filled(catalogue, base.raw_dir / "nam_bang_chu.xlsx", plan="LC-2021-2030", numerator=5000)
    wb = load_workbook(meta)
    row = next(r for r in wb["_meta"].iter_rows() if r[0].value == "year")
    row[1].value = "năm 2023"
    wb.save(meta)
    huge = filled(catalogue, base.raw_dir / "so_qua_lon.xlsx", plan="LC-2021-2030", agency="Sở Nội vụ", numerator=1e20)
    wb = load_workbook(huge)
    wb[SHEET][f"K{FIRST_ROW}"] = 2e20
    wb.save(huge)
    outcomes = {o.file_name: o for o in pipeline.ingest(base, [good, meta, huge]).outcomes}
    assert outcomes["tot.xlsx"].outcome == "accepted"
    assert "_meta" in str(outcomes["nam_bang_chu.xlsx"].problems[0])
    assert "Số quá lớn" in str(outcomes["so_qua_lon.xlsx"].problems[0])
    assert sorted(p.name for p in base.raw_dir.iterdir()) == []  # nothing left to crash the next run
    assert pipeline.rebuild(base).rejected == 2  # replayed from the archive, again rejected, no crash


def test_3_an_unforeseen_error_is_a_rejection_with_the_traceback_in_the_log(base, catalogue, monkeypatch):
    from bdg_pipeline.returns import parsing

    real = parsing.read_return

    def flaky(path, catalogue, limits=None, sheets=None):
        if path.read_bytes() == bad.read_bytes():
            raise ZeroDivisionError("a bug nobody foresaw")
        return real(path, catalogue, limits, sheets)

    monkeypatch.setattr(parsing, "read_return", flaky)
    good = filled(catalogue, base.raw_dir / "tot.xlsx")
    bad = filled(catalogue, base.raw_dir / "bat_ngo.xlsx", plan="LC-2021-2030", numerator=4000)
    outcomes = {o.file_name: o for o in pipeline.ingest(base, [good, bad]).outcomes}
    assert outcomes["tot.xlsx"].outcome == "accepted"
    assert "gửi tệp này cho bộ phận kỹ thuật" in str(outcomes["bat_ngo.xlsx"].problems[0])
    assert "ZeroDivisionError: a bug nobody foresaw" in (base.log_dir / "bdg.log").read_text(encoding="utf-8")


def test_4_files_still_being_copied_stay_in_the_inbox(base):
    whole = write_appendix(base.data_dir / "ban_day_du.xlsx").read_bytes()
    (base.raw_dir / "dang_chep.xlsx").write_bytes(whole[: len(whole) // 2])
    (base.raw_dir / "rong.xlsx").write_bytes(b"")
    summary = pipeline.rebuild(base)
    assert summary.rejected == 0
    assert sorted(p.name for p in base.raw_dir.iterdir()) == ["dang_chep.xlsx", "rong.xlsx"]
    assert not base.quarantine_dir.exists() or not any(base.quarantine_dir.iterdir())


def test_5_quarantine_names_never_collide(base, tmp_path):
    first, second = tmp_path / "a" / "baocao.xlsx", tmp_path / "b" / "baocao.xlsx"
    for path, text in ((first, b"not a workbook"), (second, b"PK\x03\x04 broken zip")):
        path.parent.mkdir()
        path.write_bytes(text)
    in_inbox = base.raw_dir / "baocao.xlsx"
    in_inbox.write_bytes(b"a third one")
    outcomes = pipeline.ingest(base, [first, second, in_inbox]).outcomes
    reports = {o.report_path for o in outcomes}
    assert len(reports) == 3 and all(p.exists() for p in reports)
    assert first.read_bytes() == b"not a workbook" and second.exists()  # never moved from the officer's folder
    moved = sorted(p.name for p in base.quarantine_dir.iterdir() if not p.name.endswith(".loi.xlsx"))
    assert len(moved) == 1 and moved[0].endswith("_baocao.xlsx")


def test_6_nothing_moves_before_the_commit(base, catalogue):
    good = filled(catalogue, base.raw_dir / "tot.xlsx")
    bad = base.raw_dir / "hong.xlsx"
    bad.write_bytes(b"not a workbook at all")
    child = start_paused("ingest", str(good), str(bad), at="in_transaction")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(30)
    assert good.exists() and bad.exists()
    assert published(base, "SELECT count(*) FROM file_log") == [(1,)]
    result = bdg("ingest", str(good), str(bad))
    assert result.returncode == 1, result.stderr
    moved = [p for p in base.quarantine_dir.iterdir() if p.name.endswith("_hong.xlsx")]
    assert len(moved) == 1
    assert published(base, "SELECT outcome, report_path IS NOT NULL FROM file_log WHERE file_name = 'hong.xlsx'") == [
        ("rejected", True)
    ]


def test_7_a_rebuild_killed_before_its_swap_loses_no_history(base, catalogue):
    pipeline.ingest(base, [filled(catalogue, base.raw_dir / f"y_{year}.xlsx", year=year) for year in (2022, 2023)])
    before = published(base, "SELECT * FROM file_log ORDER BY arrival_seq, outcome")
    child = start_paused("rebuild", at="before_swap")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(30)
    with staging_connection(base) as con:
        assert con.execute("SELECT * FROM file_log ORDER BY arrival_seq, outcome").fetchall() == before
    assert published(base, "SELECT * FROM file_log ORDER BY arrival_seq, outcome") == before
    pipeline.rebuild(base)
    assert published(base, "SELECT * FROM file_log ORDER BY arrival_seq, outcome") == before


def test_8_files_outside_the_inbox_are_never_moved_and_never_dropped(base, catalogue, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# not a return\n", encoding="utf-8")
    outside = filled(catalogue, tmp_path / "nop" / "Y_TE.XLSX")
    result = bdg("ingest", str(readme), str(outside))
    assert result.returncode == 1
    assert readme.read_text(encoding="utf-8") == "# not a return\n" and outside.exists()
    assert published(base, "SELECT count(*) FROM v_observations WHERE source_file = 'Y_TE.XLSX'") == [(1,)]
    assert bdg("rebuild").returncode == 0
    assert published(base, "SELECT count(*) FROM v_observations WHERE source_file = 'Y_TE.XLSX'") == [(1,)]
    assert published(base, "SELECT outcome FROM file_log WHERE file_name = 'Y_TE.XLSX'") == [("accepted",)]


def test_9_a_second_writer_waits_then_gives_up_in_vietnamese(base, catalogue):
    holder = start_paused("ingest", str(filled(catalogue, base.raw_dir / "x.xlsx")), at="in_transaction", seconds=8)
    y = filled(catalogue, base.raw_dir / "y.xlsx", plan="LC-2021-2030", numerator=4000)
    impatient = bdg("ingest", str(y), BDG_LOCK_TIMEOUT="1")
    assert impatient.returncode == 2
    assert WAITING in impatient.stderr and "vẫn đang bận" in impatient.stderr
    assert "Traceback" not in impatient.stderr + impatient.stdout and y.exists()
    patient = bdg("ingest", str(y))
    assert patient.returncode == 0 and WAITING in patient.stderr
    assert holder.wait(30) == 0
    assert published(base, "SELECT count(*) FROM v_observations") == [(33,)]


def test_10_workers_die_with_their_parent_and_temporary_files_go(base, catalogue):
    files = [
        filled(
            catalogue,
            base.raw_dir / f"f{i}.xlsx",
            numerator=10000 + i,
            year=2020 + i % 5,  # before 2025
            agency=("Sở Y tế", "Cục Thống kê")[i % 2],
        )
        for i in range(10)
    ]
    child = start_paused("ingest", *map(str, files), at="in_transaction")
    workers = psutil.Process(child.pid).children()
    assert len(workers) >= 1
    os.kill(child.pid, signal.SIGKILL)
    child.wait(30)
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []
    leftover = base.warehouse.with_name(f".{base.warehouse.name}.4242.tmp")
    leftover.write_bytes(b"half a copy")
    assert pipeline.ingest(base, files).accepted == 10
    assert not leftover.exists()


def test_11_the_sensor_launches_nothing_for_what_is_already_in(env, catalogue):
    files = write_samples(env.raw_dir, catalogue)
    pipeline.rebuild(env)
    assert list(env.raw_dir.iterdir()) == []  # every sample moved out once its fate was committed
    for path in files[:5]:  # the same bytes dropped again
        shutil.copy(
            env.processed_dir / next(p.name for p in env.processed_dir.iterdir() if p.name.endswith(path.name)), path
        )
    sensor = defs.get_sensor_def("inbox_sensor")
    cursor = None
    with dg.DagsterInstance.ephemeral() as instance:  # the sensor asks it which inbox runs failed
        for _ in range(3):
            result = sensor(dg.build_sensor_context(cursor=cursor, instance=instance))
            assert not result.run_requests
            cursor = result.cursor


def test_11_a_run_with_a_rejected_file_is_not_a_plain_success(base):
    (base.raw_dir / "hong.xlsx").write_bytes(b"not a workbook")
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [asset_module.submissions],
        resources={"bdg": BdgSettings()},
        instance=instance,
        run_config={"ops": {"submissions": {"config": {"files": ["hong.xlsx"]}}}},
    )
    check = result.get_asset_check_evaluations()[0]
    assert check.check_name == "returns_accepted" and not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR and "hong.xlsx" in check.description
    assert "hong.xlsx" in check.metadata["rejected"].value
    table = check.metadata["rejected_files"].value  # plain text on the run's page, not behind “Show JSON”
    assert "| hong.xlsx | " in table and ".loi.xlsx" in table
    assert instance.get_run_by_id(result.run_id).tags[asset_module.REJECTED_TAG] == "1"  # shown in the runs list


def run_cli(*args):
    return CliRunner().invoke(main, list(args))


def test_12_disk_full_says_what_to_do_and_keeps_the_last_warehouse(base, catalogue, monkeypatch):
    import bdg_pipeline.warehouse as warehouse

    def full(*_):
        raise OSError(errno.ENOSPC, "No space left on device", str(base.warehouse))

    monkeypatch.setattr(warehouse.shutil, "copyfile", full)
    result = run_cli("ingest", str(filled(catalogue, base.raw_dir / "x.xlsx")))
    assert result.exit_code == 2 and "Ổ đĩa đã đầy" in result.output and "Traceback" not in result.output
    assert published(base, "SELECT count(*) FROM v_observations") == [(31,)]
    assert not list(base.warehouse.parent.glob(".*.tmp"))
    monkeypatch.undo()
    assert pipeline.publish_complete(base) and published(base, "SELECT count(*) FROM v_observations") == [(32,)]


def test_12_read_only_folder_says_what_to_do(base, catalogue, monkeypatch):
    def denied(self, path):
        raise PermissionError(errno.EACCES, "Permission denied", str(self.dir))

    monkeypatch.setattr(Ledger, "_copy_in", denied)
    x = filled(catalogue, base.raw_dir / "x.xlsx")
    result = run_cli("ingest", str(x))
    assert result.exit_code == 2 and "Không có quyền ghi" in result.output and x.exists()


def test_12_corrupted_published_warehouse_says_rebuild(base):
    base.warehouse.write_bytes(os.urandom(20_000))
    result = run_cli("summary")
    assert result.exit_code == 2 and "bdg rebuild" in result.output and "Traceback" not in result.output
    assert run_cli("rebuild").exit_code == 0
    assert published(base, "SELECT count(*) FROM v_observations") == [(31,)]


def test_the_ledger_and_archive_keep_every_arrival(base, catalogue):
    x = filled(catalogue, base.raw_dir / "x.xlsx")
    x_digest = digest(x)
    pipeline.ingest(base, [x])
    ledger = Ledger(base)
    try:
        arrivals = ledger.arrivals()
    finally:
        ledger.close()
    assert [a.file_name for a in arrivals] == ["phu_luc.xlsx", "x.xlsx"]
    assert digest(arrivals[1].archived) == x_digest
    assert arrivals[1].archived.stat().st_mode & 0o222 == 0  # archived copies are read-only
    assert time.time() - arrivals[1].archived_at.timestamp() < 600


def test_11_reports_are_redone_only_for_the_provinces_a_run_touched(base, catalogue):
    from bdg_pipeline.reports.build import build_changed

    assert set(build_changed(base.warehouse, base.reports_dir)) == {"Ninh Thuận"}
    assert build_changed(base.warehouse, base.reports_dir) == {}  # nothing changed, nothing redone
    workbook = next(base.reports_dir.glob("ninh-thuan_*/*.xlsx"))
    written = workbook.stat().st_mtime_ns
    pipeline.ingest(base, [filled(catalogue, base.raw_dir / "lc.xlsx", plan="LC-2021-2030", numerator=5000)])
    assert set(build_changed(base.warehouse, base.reports_dir)) == {"Lào Cai"}
    assert workbook.stat().st_mtime_ns == written


def test_12_faults_raised_by_duckdb_itself_are_said_plainly():
    import duckdb

    from bdg_pipeline.faults import explain

    assert "Ổ đĩa đã đầy" in str(explain(duckdb.IOException("IO Error: Could not write file: No space left on device")))
    assert "Không có quyền ghi" in str(explain(duckdb.IOException("IO Error: Cannot open file: Permission denied")))
    assert "bdg rebuild" in str(explain(duckdb.IOException('IO Error: The file "x" is not a valid DuckDB database')))
