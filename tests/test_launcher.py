"""The launcher's health check, on a real instance and real processes: a run is failed only when the process it
said it runs in is gone (the whole daemon path is in test_postgres.py)."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
from dagster._core.events import EngineEventData
from dagster._core.launcher import WorkerStatus

from bdg_pipeline.orchestration.launcher import LocalRunLauncher

from .run_jobs import small


def test_health_follows_the_run_process():
    with dg.DagsterInstance.ephemeral() as instance:
        launcher = LocalRunLauncher()
        launcher.register_instance(instance)
        run = instance.create_run_for_job(small)
        # no process reported yet: nothing to judge by, the run is not failed on a guess
        assert launcher.check_run_worker_health(run).status == WorkerStatus.RUNNING
        worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            # what a run's process reports when it starts (dagster api execute_run)
            instance.report_engine_event(
                f"Started process for run (pid: {worker.pid}).", run, EngineEventData.in_process(worker.pid)
            )
            # a step process of a multiprocess run reports its pid too: it is not the run's process
            instance.report_engine_event(
                "Executing steps using multiprocess executor: parent process (pid: 1)",
                run,
                EngineEventData.in_process(1),
            )
            assert launcher.check_run_worker_health(run).status == WorkerStatus.RUNNING
        finally:
            worker.kill()
            worker.wait()
        result = launcher.check_run_worker_health(run)
        assert result.status == WorkerStatus.FAILED and f"tiến trình {worker.pid}" in (result.msg or "")
