"""``bdg status``: one screen for the operator of a server — the last nightly rebuild, what waits in the inbox,
when the warehouse was published, what was quarantined. Times are Vietnam's (the schedule's own zone).

The runs come from the Dagster instance (``orchestration.run_history``); everything else from the files, so a
broken or absent instance still leaves the rest of the screen readable."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .config import Settings
from .returns.inbox import inbox_files, is_complete
from .warehouse import published_counts

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
RUN_STATUS_VI = {
    "SUCCESS": "thành công",
    "FAILURE": "thất bại",
    "CANCELED": "đã hủy",
    "STARTED": "đang chạy",
    "STARTING": "đang khởi động",
    "QUEUED": "đang chờ",
    "NOT_STARTED": "chưa bắt đầu",
    "CANCELING": "đang hủy",
    "MANAGED": "do hệ thống khác quản lý",
}


@dataclass(frozen=True)
class RunInfo:
    """One Dagster run, as the operator needs it (no Dagster types: the screen is written without Dagster)."""

    run_id: str
    status: str  # Dagster's status name: SUCCESS, FAILURE, STARTED …
    started: float | None
    ended: float | None
    trigger: str  # "lịch hằng đêm", "cảm biến hộp thư", "thủ công"


@dataclass(frozen=True)
class History:
    """What the instance says: where it keeps its history, the last nightly rebuild, the last ingest, runs going."""

    storage: str
    nightly: RunInfo | None
    ingest: RunInfo | None
    in_progress: int
    error: str = ""  # the instance could not be read: said instead of the runs


def when(timestamp: float | None) -> str:
    if timestamp is None:
        return "—"
    return dt.datetime.fromtimestamp(timestamp, VIETNAM).strftime("%d/%m/%Y %H:%M")


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{round(seconds)} giây" if minutes < 1 else f"{minutes} phút"


def storage_name(pg_url: str) -> str:
    """Which PostgreSQL holds Dagster's history, without the password."""
    parts = urlsplit(pg_url)
    return f"PostgreSQL {parts.hostname or ''}:{parts.port or 5432}{parts.path}"


def run_line(label: str, run: RunInfo | None, none_text: str) -> str:
    if run is None:
        return f"{label}: {none_text}"
    text = f"{label}: {RUN_STATUS_VI.get(run.status, run.status.lower())}, bắt đầu {when(run.started)}"
    if run.ended is not None and run.started is not None:
        text += f", kết thúc {when(run.ended)} ({duration(run.ended - run.started)})"
    return text + f" [{run.trigger}; lượt chạy {run.run_id[:8]}]"


def inbox_lines(s: Settings, now: float) -> list[str]:
    if s.instance == "national":
        from .nation.receive import inbox_snapshots

        waiting = inbox_snapshots(s.raw_dir)
    else:
        waiting = inbox_files(s.raw_dir, ready_only=False)
    if not waiting:
        return [f"Hộp thư ({s.raw_dir}): không có tệp nào đang chờ."]
    copying = [p for p in waiting if not is_complete(p, now)]
    oldest = min(p.stat().st_mtime for p in waiting)
    text = f"Hộp thư ({s.raw_dir}): {len(waiting)} tệp đang chờ"
    if copying:
        text += f" ({len(copying)} tệp đang được chép vào)"
    lines = [text + f"; tệp cũ nhất từ {when(oldest)} ({duration(now - oldest)} trước)."]
    lines += [f"  · {p.name}" for p in waiting[:5]]
    if len(waiting) > 5:
        lines.append(f"  · … và {len(waiting) - 5} tệp khác")
    return lines


def published_lines(s: Settings) -> list[str]:
    if not s.warehouse.exists():
        return [f"Kho công bố ({s.warehouse}): chưa có. Hãy chạy “bdg rebuild”."]
    published = s.warehouse.stat().st_mtime
    if s.instance == "national":
        from .nation.report import snapshots_in_force

        provinces = snapshots_in_force(s.warehouse)
        return [
            f"Kho công bố ({s.warehouse}): công bố lúc {when(published)}; gói dữ liệu đang dùng của {len(provinces)} "
            f"tỉnh: {', '.join(provinces) or 'chưa có'}."
        ]
    try:
        counts = published_counts(s.warehouse)
    except Exception:  # any damage: said as such, the operator's remedy is the same
        return [
            f"Kho công bố ({s.warehouse}): công bố lúc {when(published)} nhưng không đọc được. Hãy chạy “bdg rebuild”."
        ]
    return [
        f"Kho công bố ({s.warehouse}): công bố lúc {when(published)}; {counts['returns_in_force']} báo cáo "
        f"hiệu lực, {counts['observations_in_force']} số liệu, {counts['files_logged']} tệp đã ghi nhận."
    ]


def quarantine_lines(s: Settings) -> list[str]:
    folder = s.quarantine_dir
    rejected = (
        sorted(
            (p for p in folder.iterdir() if p.is_file() and not p.name.endswith((".loi.xlsx", ".loi.txt"))),
            key=lambda p: p.stat().st_mtime,
        )
        if folder.exists()
        else []
    )
    if not rejected:
        return [f"Cách ly ({folder}): không có tệp bị từ chối."]
    latest = rejected[-1]
    note = "loi.txt" if s.instance == "national" else "loi.xlsx"
    return [
        f"Cách ly ({folder}): {len(rejected)} tệp bị từ chối; gần nhất {latest.name} lúc "
        f"{when(latest.stat().st_mtime)} (báo cáo lỗi: {latest.name}.{note})."
    ]


def status_text(s: Settings, history: History, now: float | None = None) -> str:
    now = now if now is not None else time.time()
    lines = [
        f"Tình trạng bdg_pipeline lúc {when(now)} (giờ Việt Nam)",
        f"Lịch sử chạy: {history.storage}; lịch dựng lại hằng đêm: {s.nightly_cron}",
    ]
    if history.error:
        lines.append(f"Không đọc được lịch sử chạy của Dagster: {history.error}")
    else:
        lines.append(run_line("Dựng lại hằng đêm gần nhất", history.nightly, "chưa có lần nào"))
        lines.append(run_line("Tiếp nhận gần nhất", history.ingest, "chưa có lần nào"))
        lines.append(f"Lượt chạy đang diễn ra: {history.in_progress}")
    lines += inbox_lines(s, now) + published_lines(s) + quarantine_lines(s)
    return "\n".join(lines)


def healthy(history: History) -> bool:
    """The exit status's meaning: the instance answers and the last nightly rebuild did not fail."""
    return not history.error and (history.nightly is None or history.nightly.status != "FAILURE")
