"""The reading and recording step of ``pipeline.ingest`` (the one entry point of every return: ``bdg ingest``,
the Dagster ``submissions`` asset, the rebuild, the benchmark): :func:`record_arrivals` reads archived copies
(``archive``), parses them in confined reading processes (``readers``, ``parsing``) and records them batch
by batch in arrival order (``recording``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path

import duckdb

from ..catalogue import Catalogue
from ..config import Settings
from .archive import Arrival, display_name, open_ledger
from .derived import set_aside_others
from .inbox import inbox_files, is_inbox_file
from .kept_sheets import KeptSheets, sheets_dir, sheets_key
from .model import ParsedReturn, Problem
from .parsing import PARSED_SCHEMA, parse_return, parse_returns
from .readers import Confinement, Readers, crashed_problem, read_all
from .readings import KeptReadings, reading_key, readings_dir
from .recording import FileOutcome, Parsed, record_batch
from .standing import ScopeStates
from .workbook import Limits

__all__ = [
    "FileOutcome",
    "PARSED_SCHEMA",
    "display_name",
    "inbox_files",
    "reading_processes",
    "record_arrivals",
    "is_inbox_file",
    "parse_return",
    "parse_returns",
]
PARALLEL_MIN_FILES = 8  # below this, starting a second reading process costs more than it saves
RECORD_FILES = 64  # files recorded in one transaction during a long ingest
RECORD_ROWS = 100_000
# A build of a new staging is swapped in whole or not at all: its batches only bound memory, and each batch
# costs a commit and the settling of its scopes (~0.1 s) whatever its size.
BUILD_FILES, BUILD_ROWS = 256, 200_000
AfterCommit = Callable[[list[Parsed], list[FileOutcome]], None]
# Told (files recorded so far, files in this ingest) after every committed batch: the CLI draws a progress
# bar with it. Ambient rather than a parameter, so the steps between the command and here stay unchanged.
progress: ContextVar[Callable[[int, int], None] | None] = ContextVar("progress", default=None)


def reading_processes(catalogue: Catalogue, settings: Settings, files: int, workers: int | None = None) -> Readers:
    """The reading processes for ``files`` files to read, started now."""
    workers = workers if workers is not None else settings.workers
    return Readers(
        max(1, workers) if files >= PARALLEL_MIN_FILES else 1, catalogue.for_readers(), Confinement.of(settings)
    )


def record_arrivals(
    con: duckdb.DuckDBPyConnection,
    arrivals: list[Arrival],
    catalogue: Catalogue,
    settings: Settings,
    limits: Limits | None = None,
    workers: int | None = None,
    after_commit: AfterCommit | None = None,
    whole_archive: bool = False,
    readers: Readers | None = None,
) -> list[FileOutcome]:
    """Record arrivals in their order: parse (in parallel) the files whose reading is not kept, then record
    in batches, calling ``after_commit`` once each batch is committed (the ledger's fates, moving inbox
    files). ``whole_archive``: these are every arrival, so readings kept under another key are deleted.
    ``readers``: reading processes the caller started (and shuts down), else started here when needed."""
    known = {h for (h,) in con.execute("SELECT content_hash FROM submission").fetchall()}
    with open_ledger(settings) as ledger:
        crashed = ledger.crashed_readers()  # never read again: each killed the process reading it
    workers = workers if workers is not None else settings.workers
    limits = limits or Limits.of(settings)
    key = reading_key(catalogue, limits)
    kept = KeptReadings(readings_dir(settings.archive_dir), key)
    sheets = KeptSheets(sheets_dir(settings.archive_dir), sheets_key(limits))
    skipped = known | crashed
    parsing = [a for a in arrivals if a.content_hash not in skipped and not kept.has(a.content_hash)]
    recalled = {a.seq for a in arrivals if a.content_hash not in skipped and kept.has(a.content_hash)}
    reading = {a.seq for a in parsing}
    own = readers is None
    if own and (parsing or recalled):
        # a kept reading found damaged is read then, alone: the pool is started for such a file too
        readers = reading_processes(catalogue, settings, len(parsing), workers)
    by_path = {a.archived: a for a in arrivals}

    def remember(path: Path) -> None:
        crashed.add(by_path[path].content_hash)
        with open_ledger(settings) as ledger:
            ledger.remember_crash(by_path[path].content_hash, by_path[path].file_name)

    def read_now(arrival: Arrival) -> ParsedReturn | list[Problem]:
        assert readers is not None
        result = readers.read_alone(arrival.archived, limits, sheets.at(arrival.content_hash))
        if result is None:
            remember(arrival.archived)
            return [crashed_problem()]
        return result

    outcomes: list[FileOutcome] = []
    batch: list[Parsed] = []
    batch_rows = 0
    most_files, most_rows = (BUILD_FILES, BUILD_ROWS) if whole_archive else (RECORD_FILES, RECORD_ROWS)
    states = ScopeStates(con)  # what each batch finds of the scopes it shares with earlier ones, for the next

    def record() -> None:
        recorded = record_batch(con, batch, settings, states)
        outcomes.extend(recorded)
        if after_commit is not None:
            after_commit(batch, recorded)
        tell = progress.get()
        if tell is not None:
            tell(len(outcomes), len(arrivals))

    try:
        # readers parse ahead while this process records, batch by batch in arrival order
        results: Iterator[ParsedReturn | list[Problem]] = iter(())
        if parsing and readers is not None:
            places = {a.archived: sheets.at(a.content_hash) for a in parsing}
            results = read_all([a.archived for a in parsing], limits, readers, remember, places)
        for arrival in arrivals:
            if arrival.content_hash in known:
                result: ParsedReturn | list[Problem] = []
            elif arrival.seq in reading:
                result = next(results)
                kept.keep(arrival.content_hash, result)
            elif arrival.seq in recalled:
                found = kept.recall(arrival.content_hash)
                if found is None:
                    found = read_now(arrival)
                    kept.keep(arrival.content_hash, found)
                result = found
            else:
                result = [crashed_problem()]
            batch.append(Parsed(arrival, result))
            batch_rows += batch[-1].rows
            if len(batch) >= most_files or batch_rows >= most_rows:
                record()
                batch, batch_rows = [], 0
        if batch:
            record()
    finally:
        if own and readers is not None:
            readers.shutdown()
    if whole_archive:
        set_aside_others(readings_dir(settings.archive_dir), key)
        set_aside_others(sheets_dir(settings.archive_dir), sheets.dir.name)
    return outcomes
