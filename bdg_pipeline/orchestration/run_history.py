"""The runs ``bdg status`` reports, read from the Dagster instance of DAGSTER_HOME (SQLite or PostgreSQL)."""

from __future__ import annotations

import logging
import os

import dagster as dg
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES

from ..config import Settings
from ..status import History, RunInfo, storage_name

TRIGGERS = {"dagster/schedule_name": "lịch hằng đêm", "dagster/sensor_name": "cảm biến hộp thư"}


def _last(instance: dg.DagsterInstance, job: str) -> RunInfo | None:
    records = instance.get_run_records(filters=dg.RunsFilter(job_name=job), limit=1)
    if not records:
        return None
    record = records[0]
    run = record.dagster_run
    trigger = next((text for tag, text in TRIGGERS.items() if tag in run.tags), "thủ công")
    return RunInfo(
        run_id=run.run_id, status=run.status.value, started=record.start_time, ended=record.end_time, trigger=trigger
    )


def read_history(s: Settings) -> History:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return History("—", None, None, 0, error="chưa đặt biến DAGSTER_HOME (thư mục của phiên bản Dagster)")
    try:
        with dg.DagsterInstance.get() as instance:
            postgres = type(instance.run_storage).__module__.startswith("dagster_postgres")
            storage = storage_name(s.pg_url) if postgres else f"SQLite trong {home}"
            in_progress = len(instance.get_run_ids(filters=dg.RunsFilter(statuses=list(IN_PROGRESS_RUN_STATUSES))))
            # the ministry's instance has one job, both nightly and on each new snapshot
            nightly, ingest = (
                ("receive_snapshots",) * 2 if s.instance == "national" else ("rebuild_all", "ingest_inbox")
            )
            return History(storage, _last(instance, nightly), _last(instance, ingest), in_progress)
    except Exception as exc:  # a database down or a yaml wrong: the rest of the screen still helps
        logging.getLogger(__name__).warning("Dagster instance not readable", exc_info=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return History(f"DAGSTER_HOME={home}", None, None, 0, error=f"{first} (chi tiết: data/logs/bdg.log)")
