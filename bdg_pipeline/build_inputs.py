"""What a build of staging is made from, as one digest: a rebuild whose inputs are those of the staging it
would replace keeps that staging (and the published copy of it) instead of making the same file again.

A build depends on the package's code, ``sql/``, the libraries it runs on, the catalogue, the settings that
steer reading and judging, and the ledger (every arrival, in order, and the files that killed a reader); it is
also taken to depend on the kept readings it was recorded from, so that deleting them is a way to ask for a
build from the archive's files themselves. It
depends on the day only through readings that met a date ahead of the day they were read (``today``) and
through refusals, which are kept for a day: a build holding any of them names its day too, so it is kept only
on that day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import importlib.metadata
import os
import sys
from pathlib import Path

import duckdb

from .catalogue import Catalogue
from .config import SQL_DIR, Settings
from .returns.archive import Ledger
from .returns.model import ParsedReturn
from .returns.readings import reading_key, readings_dir
from .returns.recording import Parsed
from .returns.workbook import Limits

PACKAGE = Path(__file__).resolve().parent
LIBRARIES = ("duckdb", "pandas", "numpy", "pyarrow", "python-calamine", "openpyxl", "pandera", "vietnamadminunits")


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """The whole package, ``sql/`` and the libraries (fixed for the life of a process)."""
    digest = hashlib.sha256(sys.version.encode())
    for library in LIBRARIES:
        try:
            digest.update(f"\0{library}={importlib.metadata.version(library)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"\0{library}=-".encode())
    for path in [*sorted(PACKAGE.rglob("*.py")), *sorted(p for p in SQL_DIR.iterdir() if p.is_file())]:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def inputs_digest(settings: Settings, ledger: Ledger, catalogue: Catalogue, day: dt.date | None) -> str:
    """Digest of everything a build from the ledger is made from; ``day`` when the build depends on it."""
    key = reading_key(catalogue, Limits.of(settings))  # the catalogue, the reading code and limits
    digest = hashlib.sha256(f"{code_digest()}\0{key}\0{settings.as_of_year}\0{day and day.isoformat()}".encode())
    for arrival in ledger.arrivals():
        digest.update(b"\0" + repr(dataclasses.astuple(arrival)).encode())
    digest.update(b"\0" + repr(sorted(ledger.crashed_readers())).encode())
    # the kept readings it was recorded from: deleting them (to have every file read again) asks for a build
    kept = readings_dir(settings.archive_dir) / key
    digest.update(b"\0" + repr(sorted(os.listdir(kept)) if kept.is_dir() else []).encode())
    return digest.hexdigest()


def depends_on_day(batch: list[Parsed]) -> bool:
    """Whether recording these files depended on the day they were read: a refusal (kept for its day only), or
    a return whose reading met a date ahead of its day. A duplicate's empty list is the ledger's, not the day's."""
    return any(
        (isinstance(item.result, list) and bool(item.result))
        or (isinstance(item.result, ParsedReturn) and item.result.day_bound)
        for item in batch
    )


def build_row(path: Path) -> tuple[str, dt.date | None, dt.datetime, int] | None:
    """(inputs, read_on, built_at, files with a fate) of a complete build in a warehouse file; None when the file
    is missing, unreadable or holds no complete build that names its inputs."""
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute(
                "SELECT inputs, read_on, built_at, (SELECT count(DISTINCT arrival_seq) FROM file_log "
                "WHERE outcome != 'superseded') FROM build_info WHERE complete AND inputs IS NOT NULL"
            ).fetchall()
    except duckdb.Error:
        return None
    return row[0] if len(row) == 1 else None
