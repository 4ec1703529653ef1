"""The pipeline's operations, shared by the ``bdg`` command and the Dagster assets so both take
exactly the same path: load the catalogue, ingest returns, publish."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .catalogue import Catalogue, load_catalogue
from .config import Settings
from .returns.ingest import FileOutcome, inbox_files, ingest_files
from .warehouse import ensure_schema, load_reference_tables, publish, staging_connection


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


def refresh_reference(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> dict[str, int]:
    ensure_schema(con)
    return load_reference_tables(con, catalogue.tables())


def ingest(settings: Settings, paths: list[Path], catalogue: Catalogue | None = None) -> RunSummary:
    """Ingest the given files into staging and publish (what ``bdg ingest`` and the sensor's run do)."""
    catalogue = catalogue or load_catalogue(settings.catalogue_dir)
    with staging_connection(settings) as con:
        counts = {}
        if con.execute("SELECT count(*) FROM dim_plan").fetchone()[0] == 0:
            counts = refresh_reference(con, catalogue)
        outcomes = ingest_files(con, paths, catalogue, settings)
    return RunSummary(counts, outcomes, publish(settings))


def rebuild(settings: Settings) -> RunSummary:
    """Everything from the catalogue and the returns in the inbox, into a fresh staging, then publish."""
    catalogue = load_catalogue(settings.catalogue_dir)
    reset_staging(settings)
    with staging_connection(settings) as con:
        counts = refresh_reference(con, catalogue)
        outcomes = ingest_files(con, inbox_files(settings.raw_dir), catalogue, settings)
    return RunSummary(counts, outcomes, publish(settings))
