"""The inbox sensor: returns dropped into BDG_RAW_DIR start one run that ingests every ready file; the
reports sensor redoes the officers' outputs and checks the published warehouse after a run, off the
officer's critical path."""

import datetime as dt
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.storage.dagster_run import NOT_FINISHED_STATUSES

from ..config import Settings, settings
from ..returns.archive import content_hash, fated_count, settled_hashes
from ..returns.inbox import ZIP_SUFFIXES, inbox_files, is_complete
from ..warehouse import published_behind

INBOX_INTERVAL_SECONDS = 4  # the daemon looks every 5 s; a 5 s minimum would skip every other look
SETTLE_SECONDS = 2
# A look first watches the inbox this long for a copy that the look takes at once, so such a drop is seen
# in a fraction of a second instead of at the daemon's next look (0–5 s later); the daemon's 5 s cadence
# still counts from the start of each look.
WATCH_SECONDS = 3.5
WATCH_EVERY_SECONDS = 0.2
RETRY_SECONDS = 900  # a file requested but still not in the ledger this long after is requested again
WRITING_JOBS = ["ingest_inbox", "rebuild_all"]  # runs that write the warehouse: new files wait for them
NOT_YET_BEGUN = {dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING}


def inbox_requests(
    cursor: str | None,
    s: Settings | None = None,
    now: float | None = None,
    failed_runs: frozenset[str] = frozenset(),
    busy: bool = False,
) -> tuple[list[dg.RunRequest], str]:
    """At most one run request carrying every file that is ready, and the new cursor.

    Ready: complete (not empty; a readable zip for .xlsx) and either unchanged between two looks or,
    for a zip, untouched for ``SETTLE_SECONDS``; and its content not already committed in the ledger.
    The cursor keeps each file's size, time and hash and what was requested when, so a restart
    requests nothing twice. A file whose run is among ``failed_runs`` (run keys; the run was killed or
    failed) is requested again at once, one time; after that only every ``RETRY_SECONDS``, so a run that
    fails for good is not launched again at every look.

    ``busy``: a run writing the warehouse is in progress. Nothing is requested then (the files are still
    looked at, so they are ready at the next look): the files that came meanwhile go in one run once it is
    over, instead of a run of their own waiting for the warehouse step by step between the busy run's steps;
    and what that run committed it publishes itself.
    """
    s = s or settings()
    now = now if now is not None else time.time()
    previous = json.loads(cursor) if cursor else {}
    looked, requested = previous.get("files", {}), previous.get("requested", {})
    run_of, retried = previous.get("runs", {}), previous.get("retried", {})
    committed = settled_hashes(s)
    current, ready = {}, []
    for path in inbox_files(s.raw_dir, ready_only=False):
        try:
            entry = _look(path, looked.get(path.name), now)
        except FileNotFoundError:
            continue  # moved out of the inbox by a run since the listing: its fate is that run's
        if entry["hash"] is not None:
            asked = requested.get(entry["hash"])
            failed = run_of.get(entry["hash"]) in failed_runs and entry["hash"] not in retried
            if entry["hash"] not in committed and (asked is None or now - asked > RETRY_SECONDS or failed):
                ready.append((path.name, entry["hash"]))
                if failed and not busy:
                    retried[entry["hash"]] = now
        current[path.name] = entry
    if busy:
        ready = []
    in_inbox = {e["hash"] for e in current.values()}
    requested = {h: t for h, t in requested.items() if h in in_inbox and h not in committed}
    run_of = {h: k for h, k in run_of.items() if h in requested}
    retried = {h: t for h, t in retried.items() if h in requested}
    requests = []
    if not ready and not busy and published_behind(s):
        # a run stopped after its commit: its files have left the inbox, but what it committed is not published;
        # keyed by what staging holds, so one run however many looks it takes to start
        requests.append(
            dg.RunRequest(
                run_key=f"publish-{fated_count(s)}",
                run_config={"ops": {"submissions": {"config": {"files": []}}}},
                tags={"bdg/files": "0", "bdg/reason": "publish_committed"},
            )
        )
    if ready:
        names = [name for name, _ in ready]
        key = hashlib.sha256(" ".join(sorted(h for _, h in ready)).encode()).hexdigest()[:32]
        run_key = f"{key}-{int(now)}"
        requests.append(
            dg.RunRequest(
                run_key=run_key,
                run_config={"ops": {"submissions": {"config": {"files": names}}}},
                tags={"bdg/files": str(len(names)), "bdg/first_file": names[0][:200]},
            )
        )
        requested.update({h: now for _, h in ready})
        run_of.update({h: run_key for _, h in ready})
    return requests, json.dumps(
        {"files": current, "requested": requested, "runs": run_of, "retried": retried}, sort_keys=True
    )


def _look(path: Path, before: dict[str, Any] | None, now: float) -> dict[str, Any]:
    """A file's size, time and, once it is complete and stable, its content hash."""
    stat = path.stat()
    entry: dict[str, Any] = {"size": stat.st_size, "mtime": stat.st_mtime_ns, "hash": None}
    unchanged = before and (before["size"], before["mtime"]) == (entry["size"], entry["mtime"])
    # a zip's central directory is written last: readable, and untouched for a moment, it is complete
    # without waiting for a second look (the drop shows seconds sooner)
    settled = path.name.lower().endswith(ZIP_SUFFIXES) and now - stat.st_mtime > SETTLE_SECONDS
    if (unchanged or settled) and is_complete(path, now):
        entry["hash"] = (before or {}).get("hash") or content_hash(path)
    return entry


def watch_inbox(cursor: str | None, raw_dir: Path, until: float) -> None:
    """Return once the inbox holds a new or changed zip-based file untouched for ``SETTLE_SECONDS`` (one the
    look takes at once) and has not changed since the watch's last glance (files renamed in together go in
    one run), or at ``until``. At once on a first look at an inbox holding files (nothing to compare them
    with) and when the last look left a file waiting for a second look: those looks keep their pace, the time
    between two looks being what says a file stopped changing."""
    if cursor is None and inbox_files(raw_dir, ready_only=False):
        return
    looked = json.loads(cursor).get("files", {}) if cursor else {}
    if any(entry["hash"] is None for entry in looked.values()):
        return
    glanced: dict[str, tuple[int, int]] | None = None
    while time.time() < until:
        now = time.time()
        zips = _zip_files(raw_dir)
        if glanced is not None and zips == glanced:
            return
        takeable = any(
            (size, mtime) != _size_and_time(looked.get(name)) and now - mtime / 1e9 > SETTLE_SECONDS
            for name, (size, mtime) in zips.items()
        )
        glanced = zips if takeable else None
        time.sleep(WATCH_EVERY_SECONDS)


def _zip_files(raw_dir: Path) -> dict[str, tuple[int, int]]:
    """Size and time (ns) of each zip-based file in the inbox."""
    found = {}
    for path in inbox_files(raw_dir, ready_only=False):
        if path.name.lower().endswith(ZIP_SUFFIXES):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # moved out since the listing
            found[path.name] = (stat.st_size, stat.st_mtime_ns)
    return found


def _size_and_time(entry: dict[str, Any] | None) -> tuple[int, int] | None:
    return (entry["size"], entry["mtime"]) if entry else None


def unfinished_runs(instance: dg.DagsterInstance, jobs: list[str], now: float) -> list[dg.DagsterRun]:
    """Runs of these jobs queued, starting or going, begun less than ``RETRY_SECONDS`` ago (one stuck longer
    holds nothing back)."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            statuses=list(NOT_FINISHED_STATUSES),
            created_after=dt.datetime.fromtimestamp(now - RETRY_SECONDS, dt.UTC),
        )
    )
    return [r.dagster_run for r in records if r.dagster_run.job_name in jobs]


def failed_run_keys(instance: dg.DagsterInstance, now: float) -> frozenset[str]:
    """Run keys of the inbox runs that failed or were cancelled lately (killed runs are marked failed by run
    monitoring: see orchestration.launcher)."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            job_name="ingest_inbox",
            statuses=[dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED],
            updated_after=dt.datetime.fromtimestamp(now - RETRY_SECONDS, dt.UTC),
        )
    )
    return frozenset(run.tags["dagster/run_key"] for run in runs if "dagster/run_key" in run.tags)


def build_inbox_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(
        name="inbox_sensor",
        job=job,
        minimum_interval_seconds=INBOX_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Theo dõi thư mục data/raw: biểu báo cáo mới hoặc thay đổi được tiếp nhận tự động.",
    )
    def inbox_sensor(context: dg.SensorEvaluationContext):
        busy = bool(unfinished_runs(context.instance, WRITING_JOBS, time.time()))
        if not busy:
            watch_inbox(context.cursor, settings().raw_dir, time.time() + WATCH_SECONDS)
        now = time.time()
        requests, cursor = inbox_requests(
            context.cursor, now=now, failed_runs=failed_run_keys(context.instance, now), busy=busy
        )
        # The cursor goes back in the result: it must be kept on skipped ticks too (the first look).
        return dg.SensorResult(
            run_requests=requests,
            cursor=cursor,
            skip_reason=None
            if requests
            else "Đang có lượt ghi kho dữ liệu: tệp mới chờ lượt sau"
            if busy
            else "Không có tệp mới ổn định trong thư mục nhận",
        )

    return inbox_sensor


def build_reports_sensor(ingest_job, reports_job) -> dg.RunStatusSensorDefinition:
    @dg.run_status_sensor(
        name="reports_after_ingest",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[ingest_job],
        request_job=reports_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Sau mỗi lượt tiếp nhận: làm lại phụ lục, biểu đồ, trang HTML của tỉnh có thay đổi.",
    )
    def reports_after_ingest(context: dg.RunStatusSensorContext):
        # one outputs run for a burst of ingests: the last ingest's success asks for it, and an outputs run not
        # yet begun reads the newest published file anyway
        now = time.time()
        others = [
            r
            for r in unfinished_runs(context.instance, [ingest_job.name], now)
            if r.run_id != context.dagster_run.run_id
        ]
        waiting = [r for r in unfinished_runs(context.instance, [reports_job.name], now) if r.status in NOT_YET_BEGUN]
        if others or waiting:
            return dg.SkipReason("Lượt tiếp nhận khác đang chạy hoặc lượt làm báo cáo đang chờ: báo cáo làm sau")
        return dg.RunRequest(run_key=context.dagster_run.run_id)

    return reports_after_ingest
