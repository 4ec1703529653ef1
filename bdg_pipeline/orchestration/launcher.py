"""The run launcher of a single server: Dagster's own, plus a health check of each run's process.

Dagster's default launcher cannot tell that a run's process is gone: a run whose process was killed with the
daemon (a crash, a power cut, the service restarted) would stay "started" for ever and hold its pool slot.
Here the run's process id, which the run reports itself when it starts, is looked up on this machine; when it
is gone, run monitoring (``run_monitoring`` in the instance yaml) marks the run failed and frees its slot."""

from __future__ import annotations

import psutil
from dagster import DagsterEventType, DagsterInstance, DagsterRun, DefaultRunLauncher
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus

# the run's own process says so in these words (step processes of a multiprocess run report a pid too)
STARTED_PROCESS = "Started process for run"
# a process that started this long after its run said it had started is another process with a reused id
START_SLACK_SECONDS = 5.0


class LocalRunLauncher(DefaultRunLauncher):
    """Launches runs as Dagster's default launcher does; tells run monitoring whether each one's process lives."""

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
