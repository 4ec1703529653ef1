"""Faults an officer or operator can meet, said in Vietnamese with what to do; the traceback goes to the
developers' log (``data/logs/bdg.log``) instead of the screen."""

from __future__ import annotations

import errno
import logging
import sys
import traceback
from pathlib import Path

import duckdb

log = logging.getLogger("bdg_pipeline")


class OperatorError(Exception):
    """A fault stopped the run; ``str()`` is the Vietnamese message for the person at the keyboard."""


class WriterBusy(OperatorError):
    pass


class StagingUnusable(Exception):
    """The writers' database is missing, incomplete, behind the ledger or unreadable (rebuilt from the archive)."""


def notice(message: str) -> None:
    """Tell the person running the command (stderr; Dagster keeps it in the run's logs)."""
    print(message, file=sys.stderr, flush=True)
    log.info(message)


def explain(exc: BaseException) -> OperatorError | None:
    """The Vietnamese message for an expected fault (disk full, read-only folder, corrupted database)."""
    if isinstance(exc, OperatorError):
        return exc
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return OperatorError(
                f"Ổ đĩa đã đầy{where}: không ghi được kho dữ liệu. Kho công bố giữ nguyên bản trước "
                "và không tệp nào bị mất. Hãy giải phóng dung lượng rồi chạy lại lệnh (hoặc chờ lượt "
                "chạy tự động tiếp theo)."
            )
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return OperatorError(
                f"Không có quyền ghi vào thư mục{where}. Hãy cấp quyền ghi cho tài khoản chạy "
                "chương trình (hoặc gắn lại ổ đĩa ở chế độ ghi) rồi chạy lại lệnh."
            )
    if isinstance(exc, duckdb.Error):
        text = str(exc)
        if "No space left on device" in text:  # DuckDB says it in its own exception, not as an OSError
            return explain(OSError(errno.ENOSPC, text))
        if "Permission denied" in text or "Read-only file system" in text:
            return explain(OSError(errno.EACCES, text))
        if "lock" in text.lower():
            return WriterBusy(
                "Kho dữ liệu đang được một chương trình khác mở để ghi. Hãy đóng chương trình đó "
                "(hoặc chờ nó chạy xong) rồi chạy lại lệnh."
            )
        if any(word in text for word in ("not a valid DuckDB", "Corrupt", "corrupt", "checksum", "IO Error")):
            return OperatorError(
                "Tệp kho dữ liệu bị hỏng. Hãy chạy “bdg rebuild”: kho được dựng lại từ kho lưu "
                "trữ các tệp đã nhận, không mất báo cáo nào."
            )
    return None


def log_traceback(exc: BaseException, log_dir: Path | None) -> Path | None:
    """Write the traceback for developers; returns the log file (None when it could not be written)."""
    log.debug("traceback written to the developers' log", exc_info=exc)  # never on an officer's screen
    if log_dir is None:
        return None
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "bdg.log"
        with path.open("a", encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(exc)) + "\n")
        return path
    except OSError:
        return None
