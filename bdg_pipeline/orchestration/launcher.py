"""The run launcher of a single server: Dagster's own, with runs forked from a process that has the code
loaded (:mod:`.warm_runs`), plus a health check of each run's process.

Dagster's default launcher cannot tell that a run's process is gone: a run whose process was killed with the
daemon (a crash, a power cut, the service restarted) would stay "started" for ever and hold its pool slot.
Here the run's process id, which the run reports itself when it starts, is looked up on this machine; when it
is gone, run monitoring (``run_monitoring`` in the instance yaml) marks the run failed and frees its slot."""

from __future__ import annotations

import os
import signal

import psutil
from dagster import DagsterEventType, DagsterInstance, DagsterRun, DefaultRunLauncher
from dagster._core.launcher import CheckRunHealthResult, LaunchRunContext, WorkerStatus
from dagster._grpc.types import ExecuteRunArgs
from dagster._serdes import serialize_value

from .warm_runs import RunStarter

# the run's own process says so in these words (step processes of a multiprocess run report a pid too)
STARTED_PROCESS = "Started process for run"
# a process that started this long after its run said it had started is another process with a reused id
START_SLACK_SECONDS = 5.0
WARM_PID_TAG = "bdg/run_pid"  # a run forked by the starter: its process, for cancelling it


class LocalRunLauncher(DefaultRunLauncher):
    """Launches runs forked from a starter with the code loaded, else as Dagster's default launcher does; tells
    run monitoring whether each one's process lives."""

    def __init__(self, inst_data=None):
        super().__init__(inst_data)
        self._starter = RunStarter()

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        if run.job_code_origin is not None:
            ref = self._instance.get_ref()
            args = ExecuteRunArgs(job_origin=run.job_code_origin, run_id=run.run_id, instance_ref=ref)
            pid = self._starter.start(args.get_command_args()[-3:], serialize_value(ref))  # api execute_run ARGS
            if pid is not None:
                self._instance.add_run_tags(run.run_id, {WARM_PID_TAG: process_tag(pid)})
                self._run_ids.add(run.run_id)
                return
        super().launch_run(context)

    def terminate(self, run_id: str) -> bool:
        """A forked run is interrupted as Dagster interrupts the runs it starts (SIGINT: the run stops at its next
        step boundary and is marked cancelled); others are Dagster's to cancel."""
        run = self._instance.get_run_by_id(run_id)
        if run is None or run.is_finished or WARM_PID_TAG not in run.tags:
            return super().terminate(run_id)
        self._instance.report_run_canceling(run)
        pid = int(run.tags[WARM_PID_TAG].split("@")[0])
        try:
            if process_tag(pid) != run.tags[WARM_PID_TAG]:
                return False  # ended; the id may name another process now
            os.kill(pid, signal.SIGINT)
        except (psutil.Error, ProcessLookupError):
            return False
        return True

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        started = worker_start(self._instance, run.run_id)
        if started is None:  # not yet reported: nothing to judge by, so nothing is failed on a guess
            return CheckRunHealthResult(WorkerStatus.RUNNING, "chưa rõ tiến trình của lượt chạy")
        pid, at = started
        try:
            process = psutil.Process(pid)
            alive = process.is_running() and process.status() != psutil.STATUS_ZOMBIE
            alive = alive and process.create_time() <= at + START_SLACK_SECONDS
        except psutil.Error:
            alive = False
        if alive:
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"tiến trình {pid} đang chạy")
        return CheckRunHealthResult(
            WorkerStatus.FAILED, f"tiến trình {pid} của lượt chạy không còn (bị dừng đột ngột cùng dịch vụ?)"
        )


def worker_start(instance: DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The process id a run reported when its process started, and when (the last report, for a resumed run)."""
    found = None
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
        event = record.dagster_event
        if event is None or not (event.message or "").startswith(STARTED_PROCESS):
            continue
        pid = event.engine_event_data.metadata.get("pid")
        if pid is not None:
            found = (int(str(pid.value)), record.timestamp)
    return found


def process_tag(pid: int) -> str:
    """A process id with the time its process started: names that very process even once the id is reused."""
    try:
        return f"{pid}@{psutil.Process(pid).create_time():.2f}"
    except psutil.Error:  # already ended
        return f"{pid}@ended"
