"""The inbox sensor, the nightly schedule, the checks, and rebuild = incremental ingest."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import dagster as dg

from bdg_pipeline import pipeline
from bdg_pipeline.catalogue import load_catalogue
from bdg_pipeline.config import CATALOGUE_DIR
from bdg_pipeline.definitions import defs, rebuild_job
from bdg_pipeline.orchestration import assets as asset_module
from bdg_pipeline.orchestration import checks as check_module
from bdg_pipeline.orchestration.resources import BdgSettings
from bdg_pipeline.orchestration.sensors import RETRY_SECONDS, inbox_requests
from bdg_pipeline.quality import SuiteOutcome, run_expectations, write_results_page
from bdg_pipeline.samples import write_samples
from bdg_pipeline.samples.ninh_thuan_appendix import ROWS, write_appendix
from bdg_pipeline.standing_warnings import standing
from bdg_pipeline.warehouse import staging_connection, table_checksum

# made once, before any test writes its files: the sensor's first look must come right after they are written
INSTANCE = dg.DagsterInstance.ephemeral()


def evaluate(cursor):
    sensor = defs.get_sensor_def("inbox_sensor")
    result = sensor(dg.build_sensor_context(cursor=cursor, instance=INSTANCE))
    return list(result.run_requests or []), result.cursor


def files_of(requests):
    assert len(requests) <= 1  # one tick, at most one run
    return requests[0].run_config["ops"]["submissions"]["config"]["files"] if requests else []


def test_sensor_batches_stable_complete_files_and_skips_the_ledger(env):
    path = write_appendix(env.raw_dir / "phu_luc.xlsx")
    (env.raw_dir / "~$phu_luc.xlsx").write_bytes(b"lock")
    (env.raw_dir / "dang_chep.xlsx.part").write_bytes(b"partial")
    (env.raw_dir / "tam.tmp").write_bytes(b"tmp")
    (env.raw_dir / "rong.xlsx").write_bytes(b"")  # 0 bytes: never taken
    other_rows = list(ROWS)
    other_rows[11] = (4, other_rows[11][1], "108,0/100", other_rows[11][3])
    whole = write_appendix(env.raw_dir.parent / "khac.xlsx", other_rows).read_bytes()
    half = env.raw_dir / "mot_nua.xlsx"
    half.write_bytes(whole[:3000])  # a copy that stalled: no zip central directory yet
    shutil.copy(path, env.raw_dir / "HOA.XLSX")  # upper-case extension: an inbox file like any other
    requests, cursor = evaluate(None)
    assert requests == []  # first look: nothing is stable yet
    requests, cursor = evaluate(cursor)
    assert sorted(files_of(requests)) == ["HOA.XLSX", "phu_luc.xlsx"]  # one run carries every ready file
    assert evaluate(cursor)[0] == []  # requested once, not again
    # the stalled copy completes: it is taken on the next looks
    half.write_bytes(whole)
    os.utime(half, ns=(half.stat().st_atime_ns, half.stat().st_mtime_ns + 10**9))
    requests, cursor = evaluate(cursor)
    assert requests == []
    requests, cursor = evaluate(cursor)
    assert files_of(requests) == ["mot_nua.xlsx"]
    # once the ledger holds a content's fate, a file with that content launches nothing
    pipeline.ingest(env, [env.raw_dir / "phu_luc.xlsx", env.raw_dir / "HOA.XLSX", half])
    assert sorted(p.name for p in env.raw_dir.iterdir()) == [
        "dang_chep.xlsx.part",
        "rong.xlsx",
        "tam.tmp",
        "~$phu_luc.xlsx",
    ]
    assert sorted(p.name for p in env.processed_dir.iterdir()) == [
        "000001_phu_luc.xlsx",
        "000002_HOA.XLSX",
        "000003_mot_nua.xlsx",
    ]
    rows = list(ROWS)
    shutil.copy(env.processed_dir / "000001_phu_luc.xlsx", env.raw_dir / "gui_lai.xlsx")
    requests, cursor = evaluate(cursor)
    requests, cursor = evaluate(cursor)
    assert requests == []
    # a changed file is new content: it runs
    rows[11] = (4, rows[11][1], "109,0/100", rows[11][3])
    write_appendix(env.raw_dir / "gui_lai.xlsx", rows)
    requests, cursor = evaluate(cursor)
    requests, cursor = evaluate(cursor)
    assert files_of(requests) == ["gui_lai.xlsx"]


def test_a_file_whose_run_failed_is_asked_again_once(env):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    _, cursor = inbox_requests(None, env, now=1000.0)
    first, cursor = inbox_requests(cursor, env, now=1010.0)
    assert files_of(first) == ["phu_luc.xlsx"]
    assert inbox_requests(cursor, env, now=1020.0)[0] == []  # its run is going: not asked again
    # the run was killed and marked failed: the next look asks again at once, under a new run key
    again, cursor = inbox_requests(cursor, env, now=1030.0, failed_runs=frozenset({first[0].run_key}))
    assert files_of(again) == ["phu_luc.xlsx"] and again[0].run_key != first[0].run_key
    # that one fails too (a fault that stays): no run at every look, only after RETRY_SECONDS
    failed = frozenset({first[0].run_key, again[0].run_key})
    assert inbox_requests(cursor, env, now=1040.0, failed_runs=failed)[0] == []
    assert files_of(inbox_requests(cursor, env, now=1030.0 + RETRY_SECONDS + 1, failed_runs=failed)[0]) == [
        "phu_luc.xlsx"
    ]


def test_schedule_nightly_in_vietnam_time():
    schedule = defs.get_schedule_def("nightly_rebuild")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 24, 2, 0))
    assert len(schedule.evaluate_tick(context).run_requests) == 1
    assert schedule.job_name == "rebuild_all"
    # the job it runs starts from a fresh staging warehouse
    assert rebuild_job.config == {"ops": {"target_catalogue": {"config": {"fresh": True}}}}


def test_whole_graph_with_checks(env):
    write_samples(env.raw_dir, load_catalogue(CATALOGUE_DIR))
    assets = list(dg.load_assets_from_modules([asset_module]))
    checks = list(dg.load_asset_checks_from_modules([check_module]))
    result = dg.materialize(
        [*assets, *checks],
        resources={"bdg": BdgSettings()},
        run_config={"ops": {"target_catalogue": {"config": {"fresh": True}}}},
    )
    assert result.success
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {
        "keys_not_null": True,
        "share_numerator_within_denominator": True,
        "value_ranges_per_unit": True,
        "one_row_per_key_in_force": True,
        "every_indicator_has_agency": True,
        "year_over_year_jumps": True,
        "observations_schema": True,
        "returns_accepted": True,
        "activities_in_force": True,
        "budget_adds_up": True,
        # a warning: the Lào Cai sample spends beyond one source's planned total
        "spending_within_plan": False,
    }
    assert (env.warehouse.parent / "data_docs" / "index.html").exists()
    # the next run, nothing changed: the standing warning is told as already raised, not raised again
    again = dg.materialize(
        [*assets, *checks],
        resources={"bdg": BdgSettings()},
        selection=dg.AssetSelection.checks_for_assets(asset_module.published_warehouse),
    )
    told = {e.check_name: e for e in again.get_asset_check_evaluations()}["spending_within_plan"]
    assert told.passed and "đã báo từ" in (told.description or "")
    assert told.metadata["failures"].value  # the rows are still there to read


def test_checks_fail_on_a_bad_warehouse(env):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    pipeline.rebuild(env)
    with staging_connection(env) as con:
        con.execute("UPDATE fact_observation SET value = 150 WHERE objective_no = 2 AND indicator_no = 1")
        con.execute(
            "UPDATE fact_observation SET numerator = denominator + 5 WHERE objective_no = 2 AND indicator_no = 2"
        )
        con.execute(
            "INSERT INTO fact_observation SELECT * REPLACE ('copy' AS submission_id) FROM fact_observation "
            "WHERE objective_no = 4 AND indicator_no = 1"
        )
        con.execute(
            "INSERT INTO submission SELECT * REPLACE ('copy' AS submission_id, 'x' AS content_hash) "
            "FROM submission LIMIT 1"
        )
        con.execute(
            "UPDATE fact_observation SET value = value + 40 WHERE objective_no = 4 AND indicator_no = 1 "
            "AND submission_id = 'copy'"
        )
        con.execute(
            "UPDATE fact_observation SET year = 2018 WHERE objective_no = 4 AND indicator_no = 1 "
            "AND submission_id = 'copy'"
        )
        con.execute(
            "UPDATE dim_plan_indicator SET lead_agency = 'KHONGCO' WHERE plan_code = 'NT-2020' AND objective_no = 7"
        )
        outcomes = {o.name: o for o in run_expectations(con, env.warehouse.parent / "data_docs")}
    assert not outcomes["value_ranges_per_unit"].success
    # each failure says which chỉ tiêu, area and year, not just the values
    jumps = outcomes["year_over_year_jumps"].failures[0]["rows"]
    assert {(r["plan_code"], r["objective_no"], r["indicator_no"], r["area_name"], r["year"]) for r in jumps} == {
        ("NT-2020", 4, 1, "Tỉnh Ninh Thuận", 2019)
    }
    ranges = outcomes["value_ranges_per_unit"].failures[0]["rows"]
    assert {(r["objective_no"], r["indicator_no"], r["year"]) for r in ranges} == {(2, 1, 2019)}
    page = (env.warehouse.parent / "data_docs" / "ket_qua_kiem_tra.html").read_text(encoding="utf-8")
    assert "Biến động giữa hai năm liền nhau" in page and "Tỉnh Ninh Thuận" in page and "http" not in page
    assert not outcomes["share_numerator_within_denominator"].success
    assert not outcomes["every_indicator_has_agency"].success
    assert not outcomes["year_over_year_jumps"].success and outcomes["year_over_year_jumps"].severity == "warn"
    assert outcomes["keys_not_null"].success
    with staging_connection(env) as con:
        # the same values again from a return of another scope (within one scope the later one would hold them)
        con.execute(
            "INSERT INTO fact_observation SELECT * REPLACE ('copy2' AS submission_id) FROM fact_observation "
            "WHERE objective_no = 4 AND indicator_no = 2"
        )
        con.execute(
            "INSERT INTO submission SELECT * REPLACE ('copy2' AS submission_id, 'y' AS content_hash, "
            "'template' AS kind) FROM submission LIMIT 1"
        )
        assert not {o.name: o for o in run_expectations(con, None)}["one_row_per_key_in_force"].success


def snapshot(settings):
    with staging_connection(settings) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_name != 'build_info'"
            ).fetchall()
        ]
        return {t: table_checksum(con, t) for t in sorted(tables)}


def test_nightly_rebuild_equals_incremental_ingest(env):
    files = write_samples(env.raw_dir, load_catalogue(CATALOGUE_DIR))
    for i, path in enumerate(files):  # arrive one by one, as the sensor sees them
        os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))
    for path in files:
        pipeline.ingest(env, [path])
    incremental = snapshot(env)
    pipeline.rebuild(env)
    assert snapshot(env) == incremental
    assert len(incremental) >= 15


def test_quality_page_reads_as_vietnamese(tmp_path):
    """The offline page of a failing budget check, rows as great-expectations returns them (floats with their
    binary noise, booleans, column codes): Vietnamese headings, Có/Không, numbers the Vietnamese way."""
    rows = [
        {
            "plan_code": "LC-2021-2030",
            "category": "source",
            "name": "Ngân sách tỉnh",
            "planned_million_vnd": 49.900000000000006,
            "spent_million_vnd": 12345.5,
            "over_plan": True,
        }
    ]
    outcome = SuiteOutcome(
        "spending_within_plan",
        False,
        "warn",
        [{"expectation": "x", "kwargs": {}, "unexpected_count": 1, "rows": rows}],
        rows=3,
    )
    page = write_results_page([outcome], tmp_path / "page.html").read_text(encoding="utf-8")
    headings = re.findall(r"<th>([^<]*)</th>", page)
    assert "Dự toán (triệu đồng)" in headings and "Vượt dự toán" in headings
    assert not [h for h in headings if "_" in h]
    assert "<td>49,9</td>" in page and "<td>12.345,5</td>" in page and "<td>Có</td>" in page
    assert not re.search(r">(True|False)<|\d\.\d{4,}", page)


def test_standing_warnings_raised_once_per_change(tmp_path):
    rows = [{"rows": [{"plan_code": "LC-2021-2030", "name": "Ngân sách tỉnh"}]}]
    first = standing({"spending_within_plan": rows}, tmp_path, dt.datetime(2026, 11, 1, 2, 0))
    assert first["spending_within_plan"].new
    second = standing({"spending_within_plan": rows}, tmp_path, dt.datetime(2026, 11, 2, 2, 0))
    assert not second["spending_within_plan"].new and second["spending_within_plan"].since == "01/11/2026 02:00"
    other = [{"rows": [{"plan_code": "LC-2021-2030", "name": "Ngân sách trung ương"}]}]
    assert standing({"spending_within_plan": other}, tmp_path)["spending_within_plan"].new  # changed rows: new
    standing({}, tmp_path)  # the warning passed: forgotten
    assert standing({"spending_within_plan": other}, tmp_path)["spending_within_plan"].new
    (tmp_path / "canh_bao_da_bao.json").write_text("{not json", encoding="utf-8")  # a damaged state raises again
    assert standing({"spending_within_plan": other}, tmp_path)["spending_within_plan"].new
