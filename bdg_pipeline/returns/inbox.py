"""The inbox (``BDG_RAW_DIR``): which files to look at, when a file is ready to take, and where an inbox
file goes once its fate is committed.

A file is taken only when it is complete: never at 0 bytes, and an .xlsx/.xlsm only when its zip central directory
can be read (a copy over a network share or a slow USB stick stalls half-written for long seconds). A file that
stays unreadable for ``GIVE_UP_SECONDS`` is taken anyway, so the officer gets an error report instead of silence;
one whose first bytes can begin no zip (a web page, a CSV, a workbook protected by a password or an .xls under an
.xlsx name) is no copy in progress and is taken once untouched for ``NOT_A_ZIP_SECONDS``. After the commit that
records its fate, an inbox file is moved — only if it is unchanged since it was read — to ``data/processed/``
(accepted, duplicate) or ``data/quarantine/`` (rejected, with its error report), under a name that starts with its
arrival number, so two files of the same name never collide, shortened to fit the file system when needed.

Only regular files are taken: a symbolic link (whose target could be any readable file of the machine),
a folder or a device named like a return is refused with a message and left where it is, never followed.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
import zipfile
from pathlib import Path

from .archive import Arrival, Ledger, content_hash, display_name

INBOX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".docm", ".doc")
IGNORED_PREFIXES = ("~$", ".")
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload")
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".docx", ".docm")
GIVE_UP_SECONDS = 600  # a file unreadable for this long is taken anyway (and rejected with a report)
NOT_A_ZIP_SECONDS = 5  # a zip-named file that can never become a zip, untouched for this long, is taken
ZIP_START = b"PK\x03\x04"  # every zip begins so, written first by whatever copies it


MAX_NAME_BYTES = 200  # numbered names, leaving room for “.loi.xlsx” and a temporary “.<pid>.tmp” within 255 bytes
MARK = "…"  # where a shortened name was cut


def looks_like_return(path: Path) -> bool:
    """Named like a return (Excel lock files, hidden and partial downloads are not)."""
    name = path.name.lower()
    return (
        not name.startswith(IGNORED_PREFIXES) and not name.endswith(IGNORED_SUFFIXES) and name.endswith(INBOX_SUFFIXES)
    )


def is_regular(path: Path) -> bool:
    """A regular file itself: not a symbolic link (never followed), folder, pipe or device."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def is_inbox_file(path: Path) -> bool:
    """A file the inbox should look at."""
    return looks_like_return(path) and is_regular(path)


def not_regular_reason(path: Path) -> str:
    """Why ``path`` is refused, for the officer (it is not a regular file)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "không đọc được"
    if stat.S_ISLNK(mode):
        return "là liên kết (symlink/shortcut) tới tệp khác, không phải chính tệp báo cáo"
    if stat.S_ISDIR(mode):
        return "là thư mục, không phải tệp"
    return "không phải tệp thông thường"


def refused(paths: list[Path]) -> list[str]:
    """The message for each of ``paths`` that is not a regular file; they are left where they are."""
    return [
        f"{display_name(p)}: không tiếp nhận — {not_regular_reason(p)}; để nguyên tại chỗ. Hãy chép chính tệp "
        "báo cáo (không phải liên kết) vào thư mục nhận."
        for p in paths
        if not is_regular(p)
    ]


def refused_in_inbox(raw_dir: Path) -> list[str]:
    """The inbox entries named like returns that are not regular files."""
    if not raw_dir.exists():
        return []
    return refused(sorted(p for p in raw_dir.iterdir() if looks_like_return(p)))


def is_complete(path: Path, now: float | None = None) -> bool:
    """Whether a file looks completely written: not empty, and a readable zip for the zip formats."""
    stat = path.stat()
    if (now or time.time()) - stat.st_mtime > GIVE_UP_SECONDS:
        return True
    if stat.st_size == 0:
        return False
    if path.name.lower().endswith(ZIP_SUFFIXES):
        try:
            with zipfile.ZipFile(path) as archive:
                archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return (now or time.time()) - stat.st_mtime > NOT_A_ZIP_SECONDS and never_a_zip(path)
    return True


def never_a_zip(path: Path) -> bool:
    """Whether a file's first bytes can begin no zip: neither the zip signature nor a part of it, followed by
    the zeros a copy that reserved the file's size leaves where its bytes have not arrived yet."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(ZIP_START))
    except OSError:
        return False
    return not ZIP_START.startswith(head.rstrip(b"\0"))


def inbox_files(raw_dir: Path, ready_only: bool = True) -> list[Path]:
    """Inbox files oldest first (the order they arrived), leaving out those still being written."""
    if not raw_dir.exists():
        return []
    files = [p for p in raw_dir.iterdir() if is_inbox_file(p)]
    if ready_only:
        files = [p for p in files if is_complete(p)]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def safe_name(arrival: Arrival) -> str:
    """``<arrival no>_<name>``: unique, printable, only a last path component, and short enough for the file
    system (a long name is cut in its middle part, keeping the extension; the ledger keeps it whole)."""
    name = arrival.file_name.replace("\\", "_").replace("/", "_").lstrip(".") or "tep"
    numbered = f"{arrival.seq:06d}_{name}"
    if len(numbered.encode()) <= MAX_NAME_BYTES:
        return numbered
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension.encode()) > 10:
        stem, extension = name, ""
    keep = MAX_NAME_BYTES - len(f"{arrival.seq:06d}_{MARK}.{extension}".encode())
    cut = stem.encode()[:keep].decode("utf-8", "ignore")  # never half a character
    return f"{arrival.seq:06d}_{cut}{MARK}" + (f".{extension}" if extension else "")


def settle(ledger: Ledger, fated: list[tuple[Arrival, str]], processed_dir: Path, quarantine_dir: Path) -> None:
    """Move inbox files whose fate is committed out of the inbox, each only if it is still the file that
    was read, and record where they went.

    Files from elsewhere (``bdg ingest PATH``) are never moved: the officer keeps them, the archive has a copy."""
    settled = []
    for arrival, outcome in fated:
        settled.append((arrival.seq, _move_out(arrival, outcome, processed_dir, quarantine_dir)))
    if settled:
        ledger.settle(settled)


def _move_out(arrival: Arrival, outcome: str, processed_dir: Path, quarantine_dir: Path) -> Path | None:
    source = arrival.source_path
    if not (arrival.from_inbox and source.exists()):
        return None
    stat = source.stat()
    unchanged = (stat.st_size, stat.st_mtime_ns) == (arrival.size, arrival.mtime_ns)
    if not unchanged or content_hash(source) != arrival.content_hash:
        return None  # changed since it was read: a new arrival for the next run
    folder = quarantine_dir if outcome == "rejected" else processed_dir
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_name(arrival)
    if target.exists():  # left by an earlier attempt that died after moving: keep both, never overwrite
        target = folder / f"{safe_name(arrival)}.{os.getpid()}"
    shutil.move(os.fsdecode(source), target)
    return target
