"""The pipeline's operations, shared by the ``bdg`` command and the Dagster assets so both take
exactly the same path: load the catalogue, ingest returns, publish."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import attainment
from .catalogue import Catalogue, load_catalogue
from .config import Settings
from .returns.ingest import FileOutcome, inbox_files, ingest_files
from .warehouse import ensure_schema, insert_rows, load_reference_tables, publish, staging_connection


@dataclass
class RunSummary:
    reference_rows: dict[str, int]
    outcomes: list[FileOutcome]
    published: Path | None

    @property
    def accepted(self) -> int:
        return sum(o.outcome == "accepted" for o in self.outcomes)

    @property
    def rejected(self) -> int:
        return sum(o.outcome == "rejected" for o in self.outcomes)


def reset_staging(settings: Settings) -> None:
    """Start the writers' database from nothing (the published file stays until replaced)."""
    settings.staging.parent.mkdir(parents=True, exist_ok=True)
    for path in (settings.staging, settings.staging.with_name(settings.staging.name + ".wal")):
        path.unlink(missing_ok=True)


def previous_file_log(settings: Settings) -> "pd.DataFrame":
    import pandas as pd

    if not settings.staging.exists():
        return pd.DataFrame()
    try:
        con = duckdb.connect(str(settings.staging), read_only=True)
    except duckdb.Error:
        return pd.DataFrame()
    try:
        return con.execute("SELECT * FROM file_log").df()
    except duckdb.Error:
        return pd.DataFrame()
    finally:
        con.close()


def fresh_staging(settings: Settings) -> "pd.DataFrame":
    """Empty the staging warehouse for a rebuild; return its file log, which outlives rebuilds."""
    history = previous_file_log(settings)
    reset_staging(settings)
    return history


def refresh_reference(con: duckdb.DuckDBPyConnection, catalogue: Catalogue,
                      history: "pd.DataFrame | None" = None) -> dict[str, int]:
    ensure_schema(con)
    tables = catalogue.tables()
    if history is not None and not history.empty:
        tables["file_log"] = history
    counts = load_reference_tables(con, tables)
    mark_all_stale(con)  # targets may have changed: every plan is judged again
    return counts


TARGETS_SQL = """
    SELECT t.plan_code, t.objective_no, t.indicator_no, t.part, pi.indicator_code, pi.unit,
           p.province_code, t.target_year, t.target_value, t.direction,
           pi.baseline_year, pi.baseline_value, p.period_start
    FROM fact_target t
    JOIN dim_plan p USING (plan_code)
    JOIN dim_plan_indicator pi USING (plan_code, objective_no, indicator_no, part)
    WHERE t.plan_code IN (SELECT unnest(?::VARCHAR[]))
"""
SERIES_SQL = """
    CREATE OR REPLACE TEMP TABLE stale_series AS
    SELECT province_code, indicator_code, area_code, level, year, value
    FROM v_province_series WHERE province_code IN (SELECT unnest(?::VARCHAR[]))
"""
ATTAINMENT_BATCH_PROVINCES = 4  # provinces judged together: bounds memory at national scale


def refresh_attainment(con: duckdb.DuckDBPyConnection, as_of_year: int) -> dict[str, int]:
    """Recompute attainment and the expected path of the plans whose observations or targets changed
    since the last time (the ``stale_attainment`` table, written in the same transactions as they were),
    or of every plan when the year of judgement moved on. A few provinces at a time, in one transaction."""
    years = {y for (y,) in con.execute("SELECT DISTINCT as_of_year FROM fact_attainment").fetchall()}
    if years - {as_of_year}:
        mark_all_stale(con)
    plans = con.execute("SELECT p.plan_code, p.province_code FROM dim_plan p JOIN stale_attainment USING (plan_code) "
                        "ORDER BY p.province_code, p.plan_code").fetchall()
    provinces = sorted({province for _, province in plans})
    counts = {"plans": len(plans), "fact_attainment": 0, "fact_progress": 0}
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("fact_attainment", "fact_progress"):
            con.execute(f"DELETE FROM {table} WHERE plan_code IN (SELECT plan_code FROM stale_attainment) "
                        "OR plan_code NOT IN (SELECT plan_code FROM dim_plan)")
        con.execute(SERIES_SQL, [provinces])  # the roll-up view evaluated once, not once per group
        for i in range(0, len(provinces), ATTAINMENT_BATCH_PROVINCES):
            group = provinces[i:i + ATTAINMENT_BATCH_PROVINCES]
            codes = [plan for plan, province in plans if province in group]
            targets = con.execute(TARGETS_SQL, [codes]).df()
            series = con.execute("SELECT * FROM stale_series WHERE province_code IN (SELECT unnest(?::VARCHAR[]))",
                                 [group]).df()
            judged = attainment.compute_attainment(targets, series, as_of_year)
            path = attainment.compute_progress(targets, series)
            insert_rows(con, "fact_attainment", judged)
            insert_rows(con, "fact_progress", path)
            counts["fact_attainment"] += len(judged)
            counts["fact_progress"] += len(path)
        con.execute("DELETE FROM stale_attainment")
        con.execute("DROP TABLE IF EXISTS stale_series")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return counts


def mark_all_stale(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT OR IGNORE INTO stale_attainment SELECT plan_code FROM dim_plan")


def ingest(settings: Settings, paths: list[Path], catalogue: Catalogue | None = None) -> RunSummary:
    """Ingest the given files into staging and publish (what ``bdg ingest`` and the sensor's run do)."""
    catalogue = catalogue or load_catalogue(settings.catalogue_dir)
    with staging_connection(settings) as con:
        counts = {}
        if con.execute("SELECT count(*) FROM dim_plan").fetchone()[0] == 0:
            counts = refresh_reference(con, catalogue)
        outcomes = ingest_files(con, paths, catalogue, settings)
        refresh_attainment(con, settings.as_of_year)
    return RunSummary(counts, outcomes, publish(settings))


def rebuild(settings: Settings) -> RunSummary:
    """Everything from the catalogue and the returns in the inbox, into a fresh staging, then publish."""
    catalogue = load_catalogue(settings.catalogue_dir)
    history = fresh_staging(settings)
    with staging_connection(settings) as con:
        counts = refresh_reference(con, catalogue, history)
        outcomes = ingest_files(con, inbox_files(settings.raw_dir), catalogue, settings)
        refresh_attainment(con, settings.as_of_year)
    return RunSummary(counts, outcomes, publish(settings))
