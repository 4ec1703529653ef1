"""Judgements kept from one build to the next. A plan's judgements and expected path are computed from its
targets (its rows of ``fact_target``, ``dim_plan_indicator`` and ``dim_plan`` that ``attainment.TARGETS_SQL``
reads), its province's series as stored in ``fact_province_series``, the year of judgement and the judging code
(``attainment`` and the modules it runs, ``sql/attainment.sql``, ``sql/progress.sql``, the libraries they run
on) — nothing else. The attainment step writes a digest of these inputs into ``attainment_inputs`` in the same
transaction as the plan's rows, so the digest always says what the rows beside it were made from; a build that
finds a plan's digest equal to the one in the staging it replaces takes that plan's rows from it instead of
judging them again. A build from the same archive after a change to the reading code changes no fact, and
judges nothing.

The series enter the digest as their row count and two sums of DuckDB's 64-bit hashes of each row (the columns
hashed in two orders, plus the count of negative zeros, which the hash does not tell from zero): order-free, so
no sort, ~0.05 s for the nation's 2.4 M rows, where hashing the ordered rows as text costs ~2 s. The rest is
hashed whole (SHA-256).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from .attainment import TARGETS_SQL
from .code_closure import closure
from .config import PROJECT_ROOT, SQL_DIR

JUDGING_SQL = ("attainment.sql", "progress.sql")
LIBRARIES = ("duckdb", "pyarrow")
TABLES = ("fact_attainment", "fact_progress")  # the rows a plan's digest speaks for
EARLIER = "earlier_staging"  # the staging a build replaces, attached read-only

COLUMNS_SQL = """
    SELECT table_name, list(column_name || ' ' || data_type ORDER BY column_index)
    FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main'
        AND table_name IN (SELECT unnest(?::VARCHAR[]))
    GROUP BY ALL ORDER BY ALL
"""
TARGETS_DIGEST_SQL = f"""
    SELECT plan_code, string_agg(to_json(t), chr(10) ORDER BY objective_no, indicator_no, part, target_year)
    FROM ({TARGETS_SQL}) AS t GROUP BY plan_code
"""
SERIES_DIGEST_SQL = """
    SELECT province_code, count(*),
           sum(hash(indicator_code, area_code, level, year, value)::HUGEINT),
           sum(hash(value, year, level, area_code, indicator_code)::HUGEINT),
           count(*) FILTER (WHERE signbit(value))
    FROM fact_province_series WHERE province_code IN (SELECT unnest(?::VARCHAR[]))
    GROUP BY province_code
"""


@functools.cache
def judging_code() -> str:
    """The code that judges, and the libraries it judges with (fixed for the life of a process)."""
    digest = hashlib.sha256(sys.version.encode())
    for library in LIBRARIES:
        digest.update(f"\0{library}={importlib.metadata.version(library)}".encode())
    for path in [*closure("bdg_pipeline.attainment"), *(SQL_DIR / name for name in JUDGING_SQL)]:
        digest.update(b"\0" + path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def plan_inputs(con: duckdb.DuckDBPyConnection, plans: list[tuple[str, str]], as_of_year: int) -> dict[str, str]:
    """The digest of what each of ``plans`` [(plan_code, province_code)] is judged from, as the warehouse holds
    it now (its provinces' series already stored)."""
    if not plans:
        return {}
    codes = [plan for plan, _ in plans]
    columns = con.execute(COLUMNS_SQL, [list(TABLES)]).fetchall()
    targets = dict(con.execute(TARGETS_DIGEST_SQL, [codes]).fetchall())
    series = {
        row[0]: repr(row[1:])
        for row in con.execute(SERIES_DIGEST_SQL, [sorted({province for _, province in plans})]).fetchall()
    }
    common = f"{judging_code()}\0{as_of_year}\0{columns!r}"
    return {
        plan: hashlib.sha256(
            f"{common}\0{plan}\0{province}\0{targets.get(plan)}\0{series.get(province)}".encode()
        ).hexdigest()
        for plan, province in plans
    }


@contextmanager
def earlier(con: duckdb.DuckDBPyConnection, staging: Path) -> Iterator[dict[str, str] | None]:
    """The staging a build replaces, attached read-only for :func:`take`, and the digests of its plans' rows;
    None when there is none or it cannot be read (every plan is judged then)."""
    if not staging.exists():
        yield None
        return
    quoted = str(staging).replace("'", "''")
    try:
        con.execute(f"ATTACH '{quoted}' AS {EARLIER} (READ_ONLY)")
    except duckdb.Error:
        yield None
        return
    try:
        try:
            digests = dict(con.execute(f"SELECT plan_code, inputs FROM {EARLIER}.attainment_inputs").fetchall())
        except duckdb.Error:  # a staging from before the digests were kept, or damaged
            digests = {}
        yield digests or None
    finally:
        con.execute(f"DETACH {EARLIER}")


def take(con: duckdb.DuckDBPyConnection, inputs: dict[str, str], before: dict[str, str]) -> set[str]:
    """Copy the rows of every plan whose digest is the same as in the staging attached by :func:`earlier`;
    the plans taken."""
    same = sorted(plan for plan, digest in inputs.items() if before.get(plan) == digest)
    if same:
        for table in TABLES:
            con.execute(
                f"INSERT INTO {table} BY NAME SELECT * FROM {EARLIER}.{table} "
                "WHERE plan_code IN (SELECT unnest(?::VARCHAR[]))",
                [same],
            )
    return set(same)


def record(con: duckdb.DuckDBPyConnection, inputs: dict[str, str]) -> None:
    """Write the digests of the plans about to be judged or taken (in their transaction), and forget those of
    plans no longer in the catalogue."""
    con.execute(
        "DELETE FROM attainment_inputs WHERE plan_code IN (SELECT unnest(?::VARCHAR[])) "
        "OR plan_code NOT IN (SELECT plan_code FROM dim_plan)",
        [list(inputs)],
    )
    if inputs:
        con.executemany("INSERT INTO attainment_inputs VALUES (?, ?)", list(inputs.items()))
