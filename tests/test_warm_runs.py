"""Runs forked from the starter (``orchestration.warm_runs``), launched by the project's launcher on a real
instance (SQLite in a temporary folder) and run in real processes: a run succeeds and reports the process it
was forked as, the starter serves the next run, a starter with old code, a dead one or a stuck one is replaced,
and a run is cancelled as Dagster cancels the runs it starts."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator

import dagster as dg
import pytest

from bdg_pipeline.orchestration import launcher as launcher_module
from bdg_pipeline.orchestration import warm_runs
from bdg_pipeline.orchestration.launcher import WARM_PID_TAG, LocalRunLauncher, worker_start

from .run_jobs import slow, small

FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    launcher = {"module": launcher_module.__name__, "class": LocalRunLauncher.__name__}
    with dg.instance_for_test(overrides={"run_launcher": launcher}) as instance:
        yield instance


def launch(instance: dg.DagsterInstance, job: dg.JobDefinition) -> str:
    run = instance.create_run_for_job(job, job_code_origin=dg.reconstructable(job).get_python_origin())
    instance.launch_run(run.run_id, workspace=None)  # type: ignore[arg-type]  # a forked run needs none
    return run.run_id


def wait(instance: dg.DagsterInstance, run_id: str, until, what: str) -> dg.DagsterRun:
    deadline = time.time() + 180
    while time.time() < deadline:
        run = instance.get_run_by_id(run_id)
        assert run is not None
        if until(run):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id}: never {what}")


def finished(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRun:
    return wait(instance, run_id, lambda run: run.status in FINISHED, "finished")


def step_started(instance: dg.DagsterInstance, run_id: str) -> bool:
    return bool(instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START))


def starter(instance: dg.DagsterInstance) -> warm_runs.RunStarter:
    launcher = instance.run_launcher
    assert isinstance(launcher, LocalRunLauncher)
    return launcher._starter


def test_runs_are_forks_of_one_starter_until_its_code_is_old(instance, monkeypatch):
    first = finished(instance, launch(instance, small))
    assert first.status == dg.DagsterRunStatus.SUCCESS
    pid = int(first.tags[WARM_PID_TAG].split("@")[0])
    started = worker_start(instance, first.run_id)
    assert started is not None and started[0] == pid  # the run says it ran in the very process forked for it
    serving = starter(instance).pid
    assert serving is not None and serving != pid
    second = finished(instance, launch(instance, small))
    assert second.status == dg.DagsterRunStatus.SUCCESS and starter(instance).pid == serving
    assert second.tags[WARM_PID_TAG] != first.tags[WARM_PID_TAG]
    # a module of the package changed since the starter loaded it: its code is old, a new starter is used
    monkeypatch.setattr(warm_runs, "code_stamp", lambda: "changed")
    third = finished(instance, launch(instance, small))
    assert third.status == dg.DagsterRunStatus.SUCCESS
    assert starter(instance).pid not in (None, serving)


def test_a_dead_starter_is_replaced(instance):
    assert finished(instance, launch(instance, small)).status == dg.DagsterRunStatus.SUCCESS
    dead = starter(instance).pid
    assert dead is not None
    os.kill(dead, signal.SIGKILL)
    time.sleep(0.2)
    run = finished(instance, launch(instance, small))
    assert run.status == dg.DagsterRunStatus.SUCCESS and WARM_PID_TAG in run.tags
    assert starter(instance).pid not in (None, dead)


def test_a_stuck_starter_is_replaced(instance, monkeypatch):
    assert finished(instance, launch(instance, small)).status == dg.DagsterRunStatus.SUCCESS
    stuck = starter(instance).pid
    assert stuck is not None
    monkeypatch.setattr(warm_runs, "ANSWER_SECONDS", 1.0)
    os.kill(stuck, signal.SIGSTOP)  # alive, but answers nothing
    try:
        run = finished(instance, launch(instance, small))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(stuck, signal.SIGKILL)
    assert run.status == dg.DagsterRunStatus.SUCCESS and WARM_PID_TAG in run.tags
    assert starter(instance).pid not in (None, stuck)


def test_a_forked_run_is_cancelled_as_dagster_cancels_runs(instance):
    run_id = launch(instance, slow)
    wait(instance, run_id, lambda run: step_started(instance, run.run_id), "started its step")
    assert instance.run_launcher.terminate(run_id)
    run = finished(instance, run_id)
    assert run.status == dg.DagsterRunStatus.CANCELED
    assert not instance.run_launcher.terminate(run_id)  # nothing left to cancel
