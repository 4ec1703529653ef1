"""Where things live. Every path comes from a ``BDG_*`` environment variable with a project default,
so a second warehouse can be built anywhere (tests do exactly that)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = PROJECT_ROOT / "assets" / "catalogue"
SQL_DIR = PROJECT_ROOT / "sql"


def _path(var: str, default: str) -> Path:
    value = os.environ.get(var) or default
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    """Every ``BDG_*`` variable, read once by :func:`settings` (the table in README.md lists the same)."""

    raw_dir: Path
    warehouse: Path
    catalogue_dir: Path
    as_of_year: int
    lock_timeout: float = 600.0
    max_file_mb: float = 100.0
    max_uncompressed_mb: float = 600.0
    max_rows: int = 200_000
    max_columns: int = 256  # Excel 97-2003's own width: far more than any return needs
    read_memory_mb: float = 2048.0  # address space a reading process may add to what it starts with
    read_seconds: float = 300.0  # processor time one file may take to read
    workers: int = 2
    duckdb_memory: str = "1GB"
    pause_at: str = ""  # debugging aid: a writer waits at this named point (tests kill it there)
    pause_seconds: float = 30.0
    archive_root: Path | None = None  # None: ``archive/`` beside the inbox's folder
    nightly_cron: str = "0 2 * * *"  # the nightly rebuild, in Vietnam's time
    pg_url: str = ""  # the Dagster instance's PostgreSQL (deploy/dagster.yaml); empty: SQLite in DAGSTER_HOME
    instance: str = "province"  # "national": the ministry's instance, whose inbox takes provinces' snapshots

    @property
    def data_dir(self) -> Path:
        """The project's own data folder: everything under it but the inbox was written by the project."""
        return self.raw_dir.parent

    @property
    def staging(self) -> Path:
        """The writers' database. Readers only ever open the published ``warehouse`` file."""
        return self.warehouse.with_name(self.warehouse.stem + ".staging.duckdb")

    @property
    def build(self) -> Path:
        """Where a rebuild builds a new staging database before swapping it in."""
        return self.warehouse.with_name(self.warehouse.stem + ".build.duckdb")

    @property
    def lock_path(self) -> Path:
        """The one lock every writer takes (CLI, Dagster runs, rebuild, benchmark)."""
        return self.warehouse.with_name(self.warehouse.stem + ".lock")

    @property
    def archive_dir(self) -> Path:
        """Content-addressed copies of every file that ever arrived, and the ledger of arrivals."""
        return self.archive_root or self.data_dir / "archive"

    @property
    def ledger_path(self) -> Path:
        return self.archive_dir / "ledger.sqlite3"

    @property
    def processed_dir(self) -> Path:
        """Inbox files whose fate is committed (accepted or duplicate) are moved here."""
        return self.data_dir / "processed"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def exports_dir(self) -> Path:
        """Snapshots of the published warehouse written by ``bdg export`` (sent to the ministry)."""
        return self.data_dir / "exports"

    @property
    def log_dir(self) -> Path:
        """Developers' log: the tracebacks officers are spared."""
        return self.data_dir / "logs"


# Each public variable and the field it sets: the one place the environment is read.
ENVIRONMENT = {
    "BDG_RAW_DIR": "raw_dir",
    "BDG_WAREHOUSE": "warehouse",
    "BDG_CATALOGUE_DIR": "catalogue_dir",
    "BDG_AS_OF_YEAR": "as_of_year",
    "BDG_LOCK_TIMEOUT": "lock_timeout",
    "BDG_MAX_FILE_MB": "max_file_mb",
    "BDG_MAX_UNCOMPRESSED_MB": "max_uncompressed_mb",
    "BDG_MAX_ROWS": "max_rows",
    "BDG_MAX_COLUMNS": "max_columns",
    "BDG_READ_MEMORY_MB": "read_memory_mb",
    "BDG_READ_SECONDS": "read_seconds",
    "BDG_WORKERS": "workers",
    "BDG_DUCKDB_MEMORY": "duckdb_memory",
    "BDG_PAUSE_AT": "pause_at",
    "BDG_PAUSE_SECONDS": "pause_seconds",
    "BDG_ARCHIVE_DIR": "archive_root",
    "BDG_NIGHTLY_CRON": "nightly_cron",
    "BDG_PG_URL": "pg_url",
    "BDG_INSTANCE": "instance",
}


def settings() -> Settings:
    """Read the environment now (not at import), so tests and the CLI can point elsewhere."""
    env = {field: os.environ.get(var) or None for var, field in ENVIRONMENT.items()}
    defaults = Settings(Path(), Path(), Path(), 0)
    return Settings(
        raw_dir=_path("BDG_RAW_DIR", "data/raw"),
        warehouse=_path("BDG_WAREHOUSE", "data/warehouse/bdg.duckdb"),
        catalogue_dir=_path("BDG_CATALOGUE_DIR", str(CATALOGUE_DIR)),
        # The year attainment is judged in: targets of earlier years are final.
        as_of_year=int(env["as_of_year"] or dt.date.today().year),
        # How long a writer waits for the one writer ahead of it before giving up.
        lock_timeout=float(env["lock_timeout"] or defaults.lock_timeout),
        max_file_mb=float(env["max_file_mb"] or defaults.max_file_mb),
        max_uncompressed_mb=float(env["max_uncompressed_mb"] or defaults.max_uncompressed_mb),
        max_rows=int(env["max_rows"] or defaults.max_rows),
        max_columns=int(env["max_columns"] or defaults.max_columns),
        # each file is read in a child process held to these (a file beyond them is refused, not the run)
        read_memory_mb=float(env["read_memory_mb"] or defaults.read_memory_mb),
        read_seconds=float(env["read_seconds"] or defaults.read_seconds),
        # parsing processes: two at most by default, the writer beside them needs a core too
        workers=int(env["workers"] or min(os.cpu_count() or 1, defaults.workers)),
        duckdb_memory=env["duckdb_memory"] or defaults.duckdb_memory,
        pause_at=env["pause_at"] or "",
        pause_seconds=float(env["pause_seconds"] or defaults.pause_seconds),
        archive_root=_path("BDG_ARCHIVE_DIR", env["archive_root"]) if env["archive_root"] else None,
        nightly_cron=env["nightly_cron"] or defaults.nightly_cron,
        pg_url=env["pg_url"] or "",
        instance=_instance(env["instance"] or defaults.instance),
    )


INSTANCES = ("province", "national")


def _instance(value: str) -> str:
    if value not in INSTANCES:
        raise ValueError(f"BDG_INSTANCE phải là “province” (tỉnh) hoặc “national” (bộ), không phải “{value}”")
    return value
