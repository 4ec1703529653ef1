"""The daemon path: the ingest run publishes and stops (the checks of the published warehouse and the reports
run after it, in the outputs job, at a lower priority); the sensors wait for a run writing the warehouse
instead of launching beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import dagster as dg

from bdg_pipeline import pipeline
from bdg_pipeline.definitions import defs
from bdg_pipeline.orchestration.priority import OUTPUTS_NICENESS
from bdg_pipeline.orchestration.sensors import inbox_requests, watch_inbox
from bdg_pipeline.quality import SUITES
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix

PUBLISHED_CHECKS = {*SUITES, "observations_schema"}


def files_of(requests):
    assert len(requests) <= 1
    return requests[0].run_config["ops"]["submissions"]["config"]["files"] if requests else []


def add_run(instance: dg.DagsterInstance, job: str, status: dg.DagsterRunStatus) -> dg.DagsterRun:
    return instance.add_run(dg.DagsterRun(job_name=job, run_id=str(uuid.uuid4()), status=status))


def test_files_wait_for_a_run_writing_the_warehouse_then_go_in_one_run(env):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    requests, cursor = inbox_requests(None, env, now=1000.0, busy=True)
    assert requests == []
    write_appendix(env.raw_dir / "sau.xlsx")
    requests, cursor = inbox_requests(cursor, env, now=1005.0, busy=True)
    assert requests == []  # ready, but a run is writing: it waits
    # the run is over: both, looked at while it ran, go at once in one run
    requests, cursor = inbox_requests(cursor, env, now=1010.0)
    assert sorted(files_of(requests)) == ["phu_luc.xlsx", "sau.xlsx"]
    assert inbox_requests(cursor, env, now=1015.0)[0] == []


def test_what_a_run_committed_is_published_by_that_run_not_by_another(env):
    path = write_appendix(env.raw_dir / "phu_luc.xlsx")
    pipeline.ingest(env, [path], record_only=True)  # committed, not yet published: the run is still going
    _, cursor = inbox_requests(None, env, now=1000.0, busy=True)
    assert inbox_requests(cursor, env, now=1005.0, busy=True)[0] == []
    # the run stopped after its commit (killed): the next look with nothing running publishes it
    requests, _ = inbox_requests(cursor, env, now=1010.0)
    assert [r.tags.get("bdg/reason") for r in requests] == ["publish_committed"]


def test_the_inbox_sensor_sees_the_runs_in_progress(env):
    instance = dg.DagsterInstance.ephemeral()
    sensor = defs.get_sensor_def("inbox_sensor")

    def look(cursor):
        result = sensor(dg.build_sensor_context(cursor=cursor, instance=instance))
        why = result.skip_reason.skip_message if result.skip_reason else None
        return list(result.run_requests or []), result.cursor, why

    write_appendix(env.raw_dir / "phu_luc.xlsx")
    going = add_run(instance, "ingest_inbox", dg.DagsterRunStatus.STARTED)
    _, cursor, _ = look(None)
    requests, cursor, why = look(cursor)
    assert requests == [] and why is not None and "Đang có lượt ghi kho dữ liệu" in why
    instance.report_run_failed(going)
    nightly = add_run(instance, "rebuild_all", dg.DagsterRunStatus.STARTING)
    assert look(cursor)[0] == []
    instance.report_run_canceled(nightly)
    add_run(instance, "officer_outputs", dg.DagsterRunStatus.STARTED)  # reads only: files do not wait for it
    requests, cursor, _ = look(cursor)
    assert files_of(requests) == ["phu_luc.xlsx"]


def test_one_outputs_run_for_a_burst_of_ingests():
    instance = dg.DagsterInstance.ephemeral()
    sensor = defs.get_sensor_def("reports_after_ingest")

    def after(run: dg.DagsterRun):
        event = dg.DagsterEvent(event_type_value=dg.DagsterEventType.RUN_SUCCESS.value, job_name=run.job_name)
        context = dg.build_run_status_sensor_context(
            sensor_name="reports_after_ingest", dagster_event=event, dagster_instance=instance, dagster_run=run
        )
        return sensor(context)

    first = add_run(instance, "ingest_inbox", dg.DagsterRunStatus.SUCCESS)
    later = add_run(instance, "ingest_inbox", dg.DagsterRunStatus.STARTED)
    assert isinstance(after(first), dg.SkipReason)  # the later ingest's success asks for the outputs
    instance.report_run_failed(later)
    asked = after(first)
    assert isinstance(asked, dg.RunRequest) and asked.run_key == first.run_id
    waiting = add_run(instance, "officer_outputs", dg.DagsterRunStatus.NOT_STARTED)
    assert isinstance(after(first), dg.SkipReason)  # not yet begun: it will read the newest published file
    instance.report_run_canceled(waiting)
    add_run(instance, "officer_outputs", dg.DagsterRunStatus.STARTED)  # reading an older file: another one
    assert isinstance(after(first), dg.RunRequest)


RUNS = textwrap.dedent("""
    import json, os
    from bdg_pipeline.definitions import defs

    def checks(result):
        return sorted(e.check_name for e in result.get_asset_check_evaluations())

    config = {"ops": {"submissions": {"config": {"files": ["phu_luc.xlsx"]}}}}
    ingest = defs.resolve_job_def("ingest_inbox").execute_in_process(run_config=config)
    ingest_priority = os.getpriority(os.PRIO_PROCESS, 0)
    outputs = defs.resolve_job_def("officer_outputs").execute_in_process()
    print(json.dumps({
        "ingest": [ingest.success, checks(ingest), ingest_priority],
        "outputs": [outputs.success, checks(outputs), os.getpriority(os.PRIO_PROCESS, 0)],
        "passed": {e.check_name: e.passed for e in outputs.get_asset_check_evaluations()},
    }))
""")


def test_the_ingest_run_publishes_and_the_outputs_run_checks(env):
    """In a process of their own, as a run worker: the ingest job runs only its own check; the outputs job runs
    every check of the published warehouse on what the ingest published, and lowers its process's priority."""
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    done = subprocess.run([sys.executable, "-c", RUNS], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    told = json.loads(done.stdout.strip().splitlines()[-1])
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert told["ingest"] == [True, ["returns_accepted"], ours]
    success, ran, priority = told["outputs"]
    assert success and set(ran) == PUBLISHED_CHECKS and priority == max(OUTPUTS_NICENESS, ours)
    assert all(passed for name, passed in told["passed"].items() if name != "year_over_year_jumps")
    assert (env.warehouse.parent / "data_docs" / "ket_qua_kiem_tra.html").exists()
    assert any(env.reports_dir.rglob("*.xlsx"))  # the officers' reports of the province


def test_a_look_watches_for_a_finished_copy(env):
    """The inbox sensor's look waits for a copy it can take at once (a zip untouched for a moment) and looks as
    soon as one is renamed in; with a file waiting for its second look it looks at once."""
    old = time.time() - 60
    outside = write_appendix(env.raw_dir.parent / "phu_luc.xlsx")
    os.utime(outside, (old, old))
    begun = time.time()
    watch_inbox(None, env.raw_dir, begun + 0.6)
    assert time.time() - begun >= 0.6  # the first look at an empty inbox watches too: nothing came
    _, cursor = inbox_requests(None, env)
    begun = time.time()
    watch_inbox(cursor, env.raw_dir, begun + 0.6)
    assert time.time() - begun >= 0.6
    threading.Timer(0.3, os.replace, (outside, env.raw_dir / outside.name)).start()
    begun = time.time()
    watch_inbox(cursor, env.raw_dir, begun + 20)
    assert 0.3 <= time.time() - begun < 5
    requests, cursor = inbox_requests(cursor, env)
    assert files_of(requests) == ["phu_luc.xlsx"]  # taken at its first look
    (env.raw_dir / "cu.xls").write_bytes(b"not yet whole")  # not a zip: it waits for a second look
    _, cursor = inbox_requests(cursor, env)
    begun = time.time()
    watch_inbox(cursor, env.raw_dir, begun + 20)
    assert time.time() - begun < 1
    watch_inbox(None, env.raw_dir, begun + 20)  # a first look at files already there: nothing to compare with
    assert time.time() - begun < 1
