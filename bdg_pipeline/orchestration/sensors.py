"""The inbox sensor: a return dropped into BDG_RAW_DIR starts a run that ingests just that file."""

import json

import dagster as dg

from ..config import settings
from ..returns.ingest import content_hash, is_inbox_file

INBOX_INTERVAL_SECONDS = 5


def inbox_requests(cursor: str | None) -> tuple[list[dg.RunRequest], str]:
    """Run requests for files whose size and time stood still between two looks; the new cursor.

    The cursor remembers each file's size and modification time at the last look and the content hash
    already requested, so a restart does not request old files again; the run key is the content hash,
    so the same bytes run once and a changed file under the same name runs again.
    """
    raw_dir = settings().raw_dir
    previous = json.loads(cursor) if cursor else {}
    current, requests = {}, []
    paths = sorted(p for p in raw_dir.iterdir() if is_inbox_file(p)) if raw_dir.exists() else []
    for path in paths:
        stat = path.stat()
        entry = {"size": stat.st_size, "mtime": stat.st_mtime_ns, "hash": None}
        before = previous.get(path.name)
        if before and before["size"] == entry["size"] and before["mtime"] == entry["mtime"]:
            entry["hash"] = before.get("hash")
            if entry["hash"] is None:  # stable since the last look: take it
                entry["hash"] = content_hash(path)
                requests.append(dg.RunRequest(
                    run_key=entry["hash"],
                    run_config={"ops": {"submissions": {"config": {"files": [path.name]}}}},
                    tags={"bdg/file": path.name[:200]},
                ))
        current[path.name] = entry
    return requests, json.dumps(current, sort_keys=True)


def build_inbox_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(name="inbox_sensor", job=job, minimum_interval_seconds=INBOX_INTERVAL_SECONDS,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Theo dõi thư mục data/raw: biểu báo cáo mới hoặc thay đổi được tiếp nhận tự động.")
    def inbox_sensor(context: dg.SensorEvaluationContext):
        requests, cursor = inbox_requests(context.cursor)
        # The cursor goes back in the result: it must be kept on skipped ticks too (the first look).
        return dg.SensorResult(run_requests=requests, cursor=cursor,
                               skip_reason=None if requests else "Không có tệp mới ổn định trong thư mục nhận")

    return inbox_sensor
