"""The pipeline's operations, shared by the ``bdg`` command and the Dagster assets so both take exactly
the same path: every step takes the writers' lock, reads what arrived from the archive, and leaves the
staging database complete. Every return comes in through :func:`ingest` (``bdg ingest``, the Dagster
``submissions`` asset, the rebuild's pass over the inbox, the benchmark, the tests).

How files flow: inbox (or ``bdg ingest PATH``) → archive + ledger (``returns.archive``) → staging
(recorded batch by batch, the ledger mirroring each batch's fate) → the inbox file moved out (``inbox``)
→ published (a copy of a complete staging, swapped in atomically). A rebuild builds a new staging file
from the ledger beside the old one and swaps it in; a missing, incomplete, corrupted or lagging staging
is rebuilt from the archive automatically.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import attainment, kept_judgements
from .build_inputs import build_row, depends_on_day, inputs_digest
from .catalogue import Catalogue, load_catalogue
from .config import Settings
from .faults import OperatorError, log, notice
from .returns.archive import Arrival, Ledger, display_name, open_ledger
from .returns.inbox import inbox_files, is_regular, refused, refused_in_inbox, settle
from .returns.ingest import FileOutcome, reading_processes, record_arrivals
from .returns.readers import Readers
from .returns.recording import Parsed, pause_point
from .warehouse import (
    expected_table_columns,
    fsync_dir,
    load_reference_tables,
    one_row,
    open_writer,
    publish,
    published_behind,
    staging_connection,
    table_columns,
    transaction,
)
from .writer_lock import writer_lock


@dataclass
class RunSummary:
    reference_rows: dict[str, int]
    outcomes: list[FileOutcome]
    published: Path | None
    rebuilt: str | None = None  # why staging was rebuilt from the archive, when it had to be
    waiting: list[str] = field(default_factory=list)  # files still being written, left for the next run
    refused: list[str] = field(default_factory=list)  # not regular files (symbolic links, folders): left in place
    kept: bool = False  # a rebuild found staging built from the very same inputs and kept it

    @property
    def accepted(self) -> int:
        return sum(o.outcome == "accepted" for o in self.outcomes)

    @property
    def rejected(self) -> int:
        return sum(o.outcome == "rejected" for o in self.outcomes)


@contextmanager
def writing(settings: Settings) -> Iterator[Ledger]:
    """The writers' lock and the ledger, for one step or a whole run (the lock is re-entrant)."""
    with writer_lock(settings), open_ledger(settings) as ledger:
        yield ledger


# -- catalogue and attainment -------------------------------------------------------------------------
def refresh_reference(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> dict[str, int]:
    counts = load_reference_tables(con, catalogue.tables())
    mark_all_stale(con)  # targets may have changed: every plan is judged again
    return counts


# The series of the stale plans' provinces, and of every province sharing an area's territory with them (a
# 2026 commune counts for old Lào Cai and for the new province): computed once from the roll-up and stored
# beside the judgements, which every output reads. The roll-up of those provinces alone (province_series_of):
# the roll-up view filtered afterwards would roll the whole country up for one province.
SERIES_CODES_SQL = """
    WITH stale AS (SELECT unnest(?::VARCHAR[]) AS province_code),
    codes AS (
        SELECT province_code FROM stale
        UNION
        SELECT unnest([a.territory_code, a.province_code]) FROM dim_area a
        WHERE a.territory_code IN (SELECT province_code FROM stale)
           OR a.province_code IN (SELECT province_code FROM stale)
    )
    SELECT coalesce(list(province_code ORDER BY province_code), []) FROM codes WHERE province_code IS NOT NULL
"""
STORE_SERIES_SQL = [
    "DELETE FROM fact_province_series WHERE province_code IN (SELECT unnest(?::VARCHAR[]))",
    "INSERT INTO fact_province_series BY NAME SELECT * FROM province_series_of(?::VARCHAR[])",
]


def refresh_attainment(
    con: duckdb.DuckDBPyConnection, as_of_year: int, before: dict[str, str] | None = None
) -> dict[str, int]:
    """Recompute attainment and the expected path of the plans whose observations or targets changed
    since the last time (the ``stale_attainment`` table, written in the same transactions as they were),
    or of every plan when the year of judgement moved on. A few provinces at a time, in one transaction.
    ``before``: the digests of the staging a build replaces (:func:`kept_judgements.earlier`), whose rows are
    taken for every plan judged from the same inputs."""
    years = {y for (y,) in con.execute("SELECT DISTINCT as_of_year FROM fact_attainment").fetchall()}
    if years - {as_of_year}:
        mark_all_stale(con)
    plans: list[tuple[str, str]] = [
        (plan, province)
        for plan, province in con.execute(
            "SELECT p.plan_code, p.province_code FROM dim_plan p JOIN stale_attainment USING (plan_code) "
            "ORDER BY p.province_code, p.plan_code"
        ).fetchall()
    ]
    provinces = sorted({province for _, province in plans})
    counts = {"plans": len(plans)}
    with transaction(con):
        for table in ("fact_attainment", "fact_progress"):
            con.execute(
                f"DELETE FROM {table} WHERE plan_code IN (SELECT plan_code FROM stale_attainment) "
                "OR plan_code NOT IN (SELECT plan_code FROM dim_plan)"
            )
        if provinces:
            (series_codes,) = one_row(con, SERIES_CODES_SQL, [provinces])
            for statement in STORE_SERIES_SQL:  # the roll-up evaluated once, stored beside the judgements
                con.execute(statement, [series_codes])
        inputs = kept_judgements.plan_inputs(con, plans, as_of_year)
        taken = kept_judgements.take(con, inputs, before) if before else set()
        kept_judgements.record(con, inputs)
        judged = attainment.judge_plans(con, [p for p in plans if p[0] not in taken], as_of_year)
        counts["fact_attainment"], counts["fact_progress"] = judged
        counts["kept"] = len(taken)
        con.execute("DELETE FROM stale_attainment")
    return counts


def mark_all_stale(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT OR IGNORE INTO stale_attainment SELECT plan_code FROM dim_plan")


# -- the ledger and staging ---------------------------------------------------------------------------
FATES_SQL = """
    SELECT f.arrival_seq, f.outcome, f.submission_id, coalesce(f.outcome = 'accepted' AND s.status = 'accepted', false)
    FROM file_log f LEFT JOIN submission s USING (submission_id)
    WHERE f.arrival_seq IS NOT NULL AND f.outcome != 'superseded'
"""


def sync_fates(con: duckdb.DuckDBPyConnection, ledger: Ledger) -> None:
    """Mirror the committed fates of staging into the ledger (what publish later checks staging against)."""
    ledger.replace_fates([tuple(row) for row in con.execute(FATES_SQL).fetchall()])


def staging_problem(settings: Settings, ledger: Ledger, con: duckdb.DuckDBPyConnection | None = None) -> str | None:
    """Why staging cannot be published or written on (None when it can): missing, unreadable, not marked
    complete, or holding fewer files or returns in force than the ledger says were committed. ``con``: the
    writer's own connection to staging, checked as it stands (left open)."""
    if con is not None:
        return _problem_in(con, ledger)
    if not settings.staging.exists():
        return "không có"
    try:
        con = duckdb.connect(str(settings.staging))
    except duckdb.Error:
        return "bị hỏng (không mở được)"
    try:
        return _problem_in(con, ledger)
    finally:
        con.close()


def _problem_in(con: duckdb.DuckDBPyConnection, ledger: Ledger) -> str | None:
    try:
        tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "build_info" not in tables or not one_row(con, "SELECT bool_or(complete) FROM build_info")[0]:
            return "chưa được dựng xong"
        if table_columns(con) != expected_table_columns():
            return "theo định dạng cũ"  # a table of sql/schema.sql gained or lost a column since it was built
        seqs = {s for (s,) in con.execute("SELECT DISTINCT arrival_seq FROM file_log").fetchall()}
        missing = set(ledger.fated()) - seqs
        if missing:
            return f"thiếu {len(missing)} tệp đã ghi nhận"
        in_force = one_row(con, "SELECT count(*) FROM submission WHERE status = 'accepted'")[0]
        if in_force < ledger.in_force():
            return f"có {in_force} báo cáo hiệu lực, ít hơn sổ ghi nhận ({ledger.in_force()})"
    except duckdb.Error:
        return "bị hỏng (không đọc được)"
    return None


def build_staging(settings: Settings, ledger: Ledger, catalogue: Catalogue) -> tuple[dict[str, int], list[FileOutcome]]:
    """A new staging database from the catalogue and every arrival of the ledger, built beside the old one
    and swapped in only once complete (the old one serves until then)."""
    build = settings.build
    for path in (build, build.with_name(build.name + ".wal")):
        path.unlink(missing_ok=True)
    arrivals = ledger.arrivals()
    day, day_bound = dt.date.today(), False

    def note_day(batch: list[Parsed], outcomes: list[FileOutcome]) -> None:
        nonlocal day_bound
        day_bound = day_bound or depends_on_day(batch)

    con = open_writer(build, settings.duckdb_memory)
    try:
        counts = refresh_reference(con, catalogue)
        outcomes = record_arrivals(con, arrivals, catalogue, settings, whole_archive=True, after_commit=note_day)
        judge_from_earlier(con, settings)
        # after reading: a file that killed its reader is in the ledger now, and in what the build was made from
        read_on = day if day_bound else None
        inputs = inputs_digest(settings, ledger, catalogue, read_on)
        # Two checkpoints: the first writes the bulk of the build; the first one after it with any change
        # rewrites much of the file once (~0.4 s on the national bench), which the row saying the build is
        # complete pays here, not the first return dropped after the nightly rebuild.
        con.execute("CHECKPOINT")
        with transaction(con):
            con.execute("DELETE FROM build_info")
            con.execute(
                "INSERT INTO build_info VALUES (?, ?, true, ?, ?)", [dt.datetime.now(), len(arrivals), inputs, read_on]
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    pause_point(settings, "before_swap")
    # the old staging's log would be replayed onto the new file: it goes first (a crash in between leaves a
    # staging that lacks committed files, which the next writer finds and rebuilds)
    settings.staging.with_name(settings.staging.name + ".wal").unlink(missing_ok=True)
    os.replace(build, settings.staging)
    fsync_dir(settings.staging.parent)
    with staging_connection(settings) as con:
        sync_fates(con, ledger)
    return counts, outcomes


def judge_from_earlier(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Judge a new build, taking the rows of every plan judged from the same inputs in the staging it replaces;
    if that staging fails while its rows are taken, every plan is judged (the failed step left nothing)."""
    with kept_judgements.earlier(con, settings.staging) as before:
        try:
            refresh_attainment(con, settings.as_of_year, before)
            return
        except duckdb.Error:
            if before is None:
                raise
            log.warning("judgements of the replaced staging could not be taken; judging every plan", exc_info=True)
    refresh_attainment(con, settings.as_of_year)


def staging_kept(settings: Settings, ledger: Ledger, catalogue: Catalogue) -> bool:
    """Whether staging is sound and was built from exactly what a rebuild would now build it from (same code,
    catalogue, settings and ledger; on the same day when it depends on the day): building it again would
    give the same tables. Any write since the build that changes its content changed the ledger too."""
    if staging_problem(settings, ledger) is not None:
        return False
    row = build_row(settings.staging)
    if row is None:
        return False
    inputs, read_on = row[0], row[1]
    if read_on is not None and read_on != dt.date.today():
        return False
    return inputs == inputs_digest(settings, ledger, catalogue, read_on)


def ensure_staging(settings: Settings, ledger: Ledger, catalogue: Catalogue | None) -> str | None:
    """Rebuild staging from the archive when it cannot be trusted, and say so and why; otherwise bring the
    ledger's fates up to staging (a run killed between its commit and the ledger's update)."""
    problem = staging_problem(settings, ledger)
    if problem is None:
        with staging_connection(settings) as con:
            sync_fates(con, ledger)
        return None
    if ledger.count() or settings.warehouse.exists():
        notice(
            f"Kho dữ liệu tạm {problem}: đang dựng lại từ kho lưu trữ các tệp đã nhận "
            f"({ledger.count()} tệp). Không báo cáo nào bị mất."
        )
    build_staging(settings, ledger, catalogue or load_catalogue(settings.catalogue_dir))
    return problem


def receive(ledger: Ledger, paths: list[Path]) -> tuple[list[Arrival], list[str]]:
    """Archive files oldest first; a file that changes while being copied is left for the next run, one
    already moved out of the inbox (its fate committed by an earlier run) is not received twice. Anything
    but a regular file (a symbolic link, a folder) was refused before and is not read."""
    present = [p for p in paths if is_regular(p)]
    arrivals, changing = ledger.receive(sorted(present, key=lambda p: (p.stat().st_mtime_ns, p.name)))
    for path in changing:
        notice(f"Tệp {display_name(path)} đang được chép vào, sẽ tiếp nhận ở lượt sau.")
    return arrivals, [display_name(p) for p in changing]


def settle_all(settings: Settings, ledger: Ledger) -> None:
    """Move every inbox file whose fate is committed out of the inbox (also those a killed run left)."""
    fated = ledger.fated()
    settle(
        ledger,
        [(a, fated[a.seq]) for a in ledger.unsettled() if a.seq in fated],
        settings.processed_dir,
        settings.quarantine_dir,
    )


def _record_pending(
    con: duckdb.DuckDBPyConnection, ledger: Ledger, catalogue: Catalogue, settings: Settings, readers: Readers | None
) -> list[FileOutcome]:
    """Record every arrival staging has not seen (new ones, and those of a run that died before its commit)."""
    done = {s for (s,) in con.execute("SELECT DISTINCT arrival_seq FROM file_log").fetchall()}
    pending = [a for a in ledger.arrivals() if a.seq not in done]

    def after_commit(batch: list[Parsed], outcomes: list[FileOutcome]) -> None:
        pause_point(settings, "after_commit")
        sync_fates(con, ledger)
        fates = {o.arrival_seq: o.outcome for o in outcomes}
        settle(
            ledger,
            [(item.arrival, fates[item.arrival.seq]) for item in batch],
            settings.processed_dir,
            settings.quarantine_dir,
        )

    return record_arrivals(con, pending, catalogue, settings, after_commit=after_commit, readers=readers)


# -- the steps, each under the writers' lock ----------------------------------------------------------
def load_targets(settings: Settings, catalogue: Catalogue | None = None) -> dict[str, int]:
    """Validate the catalogue and load it into staging (a catalogue error leaves everything as it was)."""
    catalogue = catalogue or load_catalogue(settings.catalogue_dir)
    with writing(settings) as ledger:
        ensure_staging(settings, ledger, catalogue)
        with staging_connection(settings) as con:
            return refresh_reference(con, catalogue)


def catch_up(settings: Settings, catalogue: Catalogue) -> None:
    """Publish what an earlier run committed but did not publish (it stopped in between), so nothing committed
    waits for the nightly rebuild: its files have left the inbox, no new file may come to trigger a run."""
    if published_behind(settings):
        notice("Kho công bố chưa có các báo cáo đã ghi ở lượt chạy trước (lượt đó dừng giữa chừng): đang công bố.")
        judge(settings, catalogue)
        publish_complete(settings, catalogue)


def _take_in(settings: Settings, paths: list[Path], catalogue: Catalogue, ledger: Ledger) -> RunSummary:
    """Bring staging up to the ledger, settle and publish what an earlier run left, and archive ``paths``
    (oldest first): the arrivals to record are then every one staging has not seen."""
    inbox = os.path.abspath(settings.raw_dir)
    turned_away = refused([p for p in paths if os.path.dirname(os.path.abspath(p)) != inbox])
    turned_away += refused_in_inbox(settings.raw_dir)
    rebuilt = ensure_staging(settings, ledger, catalogue)
    settle_all(settings, ledger)
    catch_up(settings, catalogue)
    _, waiting = receive(ledger, paths)
    return RunSummary({}, [], None, rebuilt, waiting, turned_away)


def judge(settings: Settings, catalogue: Catalogue | None = None) -> dict[str, int]:
    """The attainment step: recompute what changed."""
    with writing(settings) as ledger:
        ensure_staging(settings, ledger, catalogue)
        with staging_connection(settings) as con:
            return refresh_attainment(con, settings.as_of_year)


def publish_complete(settings: Settings, catalogue: Catalogue | None = None) -> Path:
    """Publish staging, never an incomplete one: a staging that fails its checks is rebuilt first."""
    with writing(settings) as ledger:
        if staging_problem(settings, ledger) is not None:
            ensure_staging(settings, ledger, catalogue)
            problem = staging_problem(settings, ledger)
            if problem is not None:
                raise OperatorError(
                    f"Kho dữ liệu tạm {problem} ngay cả sau khi dựng lại; kho công bố giữ "
                    "nguyên bản trước. Hãy báo bộ phận kỹ thuật (nhật ký: data/logs/bdg.log)."
                )
        return publish(settings)


def ingest(
    settings: Settings, paths: list[Path], catalogue: Catalogue | None = None, *, record_only: bool = False
) -> RunSummary:
    """Archive and record the given files oldest first (with any arrival a run that died left unrecorded),
    then judge and publish: what ``bdg ingest`` does. ``record_only``: stop once recorded — the Dagster
    ``submissions`` asset, whose run judges and publishes in the next assets, and the rebuild's pass over
    the inbox."""
    catalogue = catalogue or load_catalogue(settings.catalogue_dir)
    with (
        writing(settings) as ledger,
        # the reading processes start first, and load while staging is checked and the files archived
        reading_processes(catalogue, settings, len(paths)) if paths else nullcontext() as readers,
    ):
        summary = _take_in(settings, paths, catalogue, ledger)
        # one connection records, judges and publishes: staging is opened and written into its file once
        with staging_connection(settings) as con:
            summary.outcomes = _record_pending(con, ledger, catalogue, settings, readers)  # batches settle files
            if readers is not None:
                readers.shutdown()  # every file read: the processes end before the judging
            if record_only:
                return summary
            refresh_attainment(con, settings.as_of_year)
            if staging_problem(settings, ledger, con) is None:
                summary.published = publish(settings)
        if summary.published is None:  # staging failed its checks: rebuilt from the archive, then published
            summary.published = publish_complete(settings, catalogue)
    return summary


def rebuild_staging(settings: Settings, catalogue: Catalogue | None = None) -> RunSummary:
    """A new staging file from the catalogue and every arrival in the ledger, swapped in when complete."""
    catalogue = catalogue or load_catalogue(settings.catalogue_dir)
    with writing(settings) as ledger:
        if staging_kept(settings, ledger, catalogue):
            settle_all(settings, ledger)
            return RunSummary({}, [], None, kept=True)
        counts, outcomes = build_staging(settings, ledger, catalogue)
        settle_all(settings, ledger)
    return RunSummary(counts, outcomes, None)


def rebuild(settings: Settings) -> RunSummary:
    """``bdg rebuild`` and the nightly job: staging anew from the archive, then what is ready in the inbox,
    then judge and publish."""
    catalogue = load_catalogue(settings.catalogue_dir)
    with writer_lock(settings):
        summary = rebuild_staging(settings, catalogue)
        fresh = ingest(settings, inbox_files(settings.raw_dir), catalogue, record_only=True)
        judged = judge(settings, catalogue)
        summary.outcomes += fresh.outcomes
        summary.waiting, summary.refused = fresh.waiting, fresh.refused
        if summary.kept and not fresh.outcomes and not judged["plans"] and published_is_staging(settings):
            summary.published = settings.warehouse  # already a copy of this very staging
        else:
            summary.published = publish_complete(settings, catalogue)
    return summary


def published_is_staging(settings: Settings) -> bool:
    """The published file is a copy of staging's build, with every fate staging holds (nothing written since)."""
    published = build_row(settings.warehouse)
    return published is not None and published == build_row(settings.staging)
