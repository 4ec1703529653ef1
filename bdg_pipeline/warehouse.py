"""The DuckDB warehouse: schema from ``sql/``, a staging file for writers, an atomically published
file for readers.

Writers (Dagster assets, ``bdg``) only ever open the staging database. :func:`publish` copies it
to a temporary file beside the published one and renames it into place, so a reader holding the
old file keeps a complete snapshot and the next reader opens the new one: no reader ever meets a
lock or a half-built table.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from .config import SQL_DIR, Settings
from .dictionary import apply_comments
from .returns.archive import fated_count

if TYPE_CHECKING:
    import pyarrow


def sql_script(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def open_writer(path: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """A writer's connection (staging, or a rebuild's new file), with the schema in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        # one checkpoint at close rather than one every 16 MB of WAL while a rebuild writes millions of rows
        con.execute("SET checkpoint_threshold = '1GB'")
        # DuckDB caches up to 80 % of the machine by default; a writer beside two parsing workers keeps less
        con.execute(f"SET memory_limit = '{memory_limit}'")
        ensure_schema(con)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def staging_connection(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_writer(settings.staging, settings.duckdb_memory)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All of it or none of it."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


TABLE_COLUMNS_SQL = """
    SELECT table_name, list(column_name ORDER BY ordinal_position) FROM information_schema.columns
    WHERE table_schema = 'main' AND table_name IN (SELECT table_name FROM information_schema.tables
                                                    WHERE table_type = 'BASE TABLE' AND table_schema = 'main')
      AND table_name != 'schema_digest'
    GROUP BY table_name
"""


def table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    return {table: list(columns) for table, columns in con.execute(TABLE_COLUMNS_SQL).fetchall()}


@functools.lru_cache(maxsize=1)
def expected_table_columns() -> dict[str, list[str]]:
    """The tables and columns sql/schema.sql defines (built once per process, in memory)."""
    with duckdb.connect() as con:
        con.execute(sql_script("schema.sql"))
        return table_columns(con)


SCHEMA_FILES = ("schema.sql", "views.sql", "dictionary.yml")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Tables, views and their descriptions as ``sql/`` defines them; skipped when the file already has
    this very definition (every writer opens with this, and the comments alone take ~0.2 s)."""
    digest = hashlib.sha256(b"".join((SQL_DIR / name).read_bytes() for name in SCHEMA_FILES)).hexdigest()
    try:
        current = con.execute("SELECT digest FROM schema_digest").fetchone()
    except duckdb.CatalogException:
        current = None
    if current is not None and current[0] == digest:
        return
    con.execute(sql_script("schema.sql"))
    con.execute(sql_script("views.sql"))  # views are replaced, and lose their comments: they are put back
    con.execute("CREATE OR REPLACE TABLE schema_digest AS SELECT ?::VARCHAR AS digest", [digest])
    apply_comments(con)


def fresh_schema() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the warehouse's schema and views (nothing in it), and the ministry's
    (``BDG_INSTANCE=national``) own names beside them: one dictionary documents both."""
    con = duckdb.connect()
    ensure_schema(con)
    con.execute(sql_script("national.sql"))
    return con


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Replace a table's rows by the frame's, matching columns by name (inside the caller's transaction)."""
    columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
    missing = [c for c in columns if c not in frame.columns]
    data = frame.assign(**{c: None for c in missing})[columns]
    con.execute(f"DELETE FROM {table}")
    if len(data):
        con.register("incoming_frame", data)
        try:
            con.execute(f"INSERT INTO {table} SELECT * FROM incoming_frame")
        finally:
            con.unregister("incoming_frame")
    return len(data)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame | pyarrow.Table) -> None:
    """Append a DataFrame or an Arrow table to ``table``, columns matched by name (absent ones NULL)."""
    if len(rows) == 0:
        return
    con.register("incoming_rows", rows)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows")
    finally:
        con.unregister("incoming_rows")


def load_reference_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Replace every reference table in one transaction: all of the catalogue or none of it."""
    counts = {}
    with transaction(con):
        for table, frame in tables.items():
            counts[table] = replace_table(con, table, frame)
    return counts


def publish(settings: Settings) -> Path:
    """Copy the staging database over the published one atomically (same directory, then rename).
    Callers hold the writers' lock and have checked that staging is complete."""
    if not settings.staging.exists():
        raise FileNotFoundError(f"staging warehouse {settings.staging} does not exist; run `bdg rebuild` first")
    # Every commit written into the file, so the copy is complete on its own. A checkpoint, not a clean close:
    # the writer may hold its connection open, and a connection opened here shares that database.
    with duckdb.connect(str(settings.staging)) as con:
        con.execute("CHECKPOINT")
    target = settings.warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):  # from a writer killed mid-copy (we hold the lock)
        leftover.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(settings.staging, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(target.parent)
    return target


def published_fates(path: Path) -> int | None:
    """How many arrivals have their fate in a warehouse file (None when it cannot be read)."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return one_row(con, "SELECT count(DISTINCT arrival_seq) FROM file_log WHERE outcome != 'superseded'")[0]
    except duckdb.Error:
        return None


def published_behind(settings: Settings) -> bool:
    """The ledger holds fates committed in staging that the published warehouse lacks: a run stopped after its
    commit and before publishing (killed, power cut). Every writer taking files, and the inbox sensor, catch
    it up. Staging itself is not opened: a writer may hold it (the ledger mirrors it after each commit)."""
    committed = fated_count(settings)
    if not committed:
        return False
    if not settings.warehouse.exists():
        return True
    published = published_fates(settings.warehouse)
    return published is not None and published < committed  # an unreadable one is the publish step's


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def table_checksum(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Order-independent digest of a table's content (used to prove a table did not change)."""
    rows = con.execute(f"SELECT * FROM {table}").fetchall()
    digest = hashlib.sha256()
    for line in sorted(repr(r) for r in rows):
        digest.update(line.encode())
    return digest.hexdigest()


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    """The single row an aggregate query returns (DuckDB types ``fetchone`` as possibly empty)."""
    row = con.execute(sql, params or []).fetchone()
    if row is None:
        raise LookupError(f"query returned no row: {sql}")
    return row


def published_counts(path: Path) -> dict[str, int]:
    """What the published file holds, for run metadata."""
    with duckdb.connect(str(path), read_only=True) as con:
        row = one_row(
            con,
            "SELECT (SELECT count(*) FROM v_observations), (SELECT count(*) FROM submission "
            "WHERE status = 'accepted'), (SELECT count(*) FROM file_log)",
        )
    return {"observations_in_force": row[0], "returns_in_force": row[1], "files_logged": row[2]}
