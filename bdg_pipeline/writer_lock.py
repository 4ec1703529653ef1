"""One writer at a time, everywhere: ``bdg`` commands, Dagster runs, the rebuild and the benchmark all
take the same OS-level lock (``filelock``) before touching the archive ledger or the staging database.

The lock is released by the operating system when its process dies, so a killed writer never leaves it
held. Within one process it is re-entrant (a rebuild inside an ingest takes it once)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from .config import Settings
from .faults import WriterBusy, notice

_LOCKS: dict[str, FileLock] = {}


def _lock_for(settings: Settings) -> FileLock:
    key = str(settings.lock_path)
    if key not in _LOCKS:
        settings.lock_path.parent.mkdir(parents=True, exist_ok=True)
        _LOCKS[key] = FileLock(key, thread_local=False)
    return _LOCKS[key]


@contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """Hold the writers' lock; wait for it with a visible message, give up after ``BDG_LOCK_TIMEOUT`` seconds."""
    lock = _lock_for(settings)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        notice(
            f"Đang chờ lượt ghi kho dữ liệu… (một lượt ghi khác đang chạy; chờ tối đa {settings.lock_timeout:.0f} giây)"
        )
        try:
            lock.acquire(timeout=settings.lock_timeout)
        except Timeout as exc:
            raise WriterBusy(
                f"Đã chờ {settings.lock_timeout:.0f} giây mà kho dữ liệu vẫn đang bận ghi. Không có "
                "tệp nào bị mất: các tệp chờ trong thư mục nhận. Hãy chạy lại lệnh sau ít phút (thời "
                "gian chờ đặt bằng biến BDG_LOCK_TIMEOUT)."
            ) from exc
    try:
        yield
    finally:
        lock.release()
