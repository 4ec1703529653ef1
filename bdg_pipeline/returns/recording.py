"""Recording parsed arrivals in the staging warehouse: each file accepted whole (a ``submission`` row and
all its observations) or rejected whole (an error report in ``data/quarantine/``), many files per
transaction, every one with its fate in ``file_log``. The same bytes twice add nothing; a return replaces,
for its plan, agency, year and period, only the values it carries (the rule is SQL's: ``values_as_of`` in
``sql/views.sql``), and gets a receipt saying what it changed.

Nothing is moved here: inbox files leave the inbox only after this transaction commits (``inbox.settle``).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import astuple, dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from ..config import Settings
from ..warehouse import insert_rows, transaction
from .archive import Arrival
from .error_report import write_error_report
from .inbox import safe_name
from .model import ParsedReturn, Problem, Refusal, Scope
from .settled import settle_refusals
from .standing import ScopeStates, settle_arrivals

log = logging.getLogger(__name__)
FILE_LOG_COLUMNS = [
    "logged_at",
    "file_name",
    "content_hash",
    "outcome",
    "submission_id",
    "reason",
    "report_path",
    "arrival_seq",
    "receipt",
    "plan_code",
    "agency_code",
    "year",
    "period",
]
# Plans whose targets are judged on the territory of an area that incoming rows (or the rows of the
# returns they replace) report on: their attainment must be computed again.
STALE_PLANS_SQL = """
    INSERT OR IGNORE INTO stale_attainment
    WITH touched AS ({touched})
    SELECT plan_code FROM touched
    UNION
    SELECT p.plan_code FROM dim_plan p JOIN dim_area a ON p.province_code IN (a.territory_code, a.province_code)
    WHERE a.area_code IN (SELECT area_code FROM touched)
"""
INCOMING_TOUCHED_SQL = "SELECT DISTINCT plan_code, area_code FROM incoming_observations"
# the rows of returns already recorded (those of the batch's scopes) are looked up only when there are any: the
# look-up scans every observation
RECORDED_TOUCHED_SQL = """
    SELECT DISTINCT plan_code, area_code FROM fact_observation WHERE submission_id IN (SELECT unnest(?::VARCHAR[]))
"""
# the values and the withdrawals (“Xóa”) each incoming return carries, counted on the batch's own rows
OWN_VALUES_SQL = """
    SELECT submission_id, count(*) FILTER (WHERE NOT withdrawn), count(*) FILTER (WHERE withdrawn)
    FROM incoming_observations GROUP BY submission_id
"""


@dataclass
class FileOutcome:
    file_name: str
    outcome: str  # accepted | rejected | duplicate
    submission_id: str | None = None
    rows: int = 0
    flagged: int = 0
    problems: list[Problem] = field(default_factory=list)
    report_path: Path | None = None
    superseded: list[str] = field(default_factory=list)
    arrival_seq: int | None = None
    activities: int = 0  # activities reported (sheet HoatDong)
    spending: int = 0  # spending lines (sheet KinhPhi)
    spending_flags: list[str] = field(default_factory=list)
    note: str = ""  # what was read (“Đã đọc 31 số liệu của 22 chỉ tiêu …; bỏ qua 9 dòng ngoài bảng …”)
    receipt: str = ""  # what the return changed among the values in force (standing.Receipt)
    scope: Scope | None = None  # a refused return's plan, agency, year and period, when read that far
    settles: list[str] = field(default_factory=list)  # refused files of its scope this accepted return settles

    def logged_receipt(self) -> str:
        """The receipt as ``file_log`` keeps it: the values, then what else the return reported."""
        text = self.receipt + (f" — {self.note}" if self.note else "")
        if self.activities:
            text += f"; {self.activities} hoạt động"
        if self.spending:
            text += f"; {self.spending} dòng kinh phí"
        return text

    def summary(self) -> str:
        if self.outcome == "accepted":
            text = f"✔ {self.file_name}: đã tiếp nhận {self.rows} dòng số liệu"
            if self.flagged:
                text += f" ({self.flagged} dòng có cảnh báo chất lượng)"
            if self.activities:
                text += f", {self.activities} hoạt động"
            if self.spending:
                text += f", {self.spending} dòng kinh phí"
            if self.spending_flags:
                text += " (cảnh báo: " + "; ".join(self.spending_flags) + ")"
            if self.rows:
                text += f" — {self.receipt}"
            if self.superseded:
                text += f"; thay thế báo cáo trước: {', '.join(self.superseded)}"
            if self.settles:
                text += f"; đã xử lý tệp bị trả lại trước: {', '.join(self.settles)}"
            return text + (f"\n    {self.note}" if self.note else "")
        if self.outcome == "duplicate":
            return f"= {self.file_name}: trùng nội dung với báo cáo {self.submission_id} đã tiếp nhận, bỏ qua"
        faults = [p for p in self.problems if not p.info]
        lines = [f"✘ {self.file_name}: KHÔNG tiếp nhận, {len(faults)} lỗi"]
        lines += [f"    - {p}" for p in faults]
        lines += [f"    {p.message}" for p in self.problems if p.info]
        if self.report_path:
            lines.append(f"    Báo cáo lỗi: {self.report_path}")
        return "\n".join(lines)


def rejected_table(refused: list[FileOutcome]) -> str:
    """The refused files as plain text on the run's page: name, first fault, where its error report is."""
    if not refused:
        return "Không có tệp bị từ chối."
    lines = ["| Tệp | Lỗi đầu tiên | Báo cáo lỗi |", "|---|---|---|"]
    for o in refused:
        first = next((str(p) for p in o.problems if not p.info), "")
        cells = [o.file_name, first, str(o.report_path or "")]
        lines.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines)


@dataclass
class Parsed:
    """An arrival and what parsing made of it (a validated return, or every problem found in it)."""

    arrival: Arrival
    result: ParsedReturn | list[Problem]

    @property
    def rows(self) -> int:
        frame = getattr(self.result, "frame", None)
        return 0 if frame is None else frame.num_rows


def pause_point(settings: Settings, name: str) -> None:
    """Debugging aid: with BDG_PAUSE_AT=<name>, say so on stderr and wait (to inspect or kill a run here)."""
    if settings.pause_at == name:
        print(f"BDG_PAUSE_AT {name}", file=sys.stderr, flush=True)
        time.sleep(settings.pause_seconds)


def error_report(arrival: Arrival, problems: list[Problem], settings: Settings) -> Path:
    """The officer's error report, named after the arrival (a rebuild finds it again instead of rewriting it)."""
    path = settings.quarantine_dir / f"{safe_name(arrival)}.loi.xlsx"
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            write_error_report(tmp, arrival.file_name, problems)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return path


def _stamped(table: pyarrow.Table, submission_id: str, file_name: str) -> pyarrow.Table:
    rows = table.num_rows
    return table.append_column(
        "submission_id", pyarrow.repeat(pyarrow.scalar(submission_id, pyarrow.string()), rows)
    ).append_column("source_file", pyarrow.repeat(pyarrow.scalar(file_name, pyarrow.string()), rows))


def _rows(frame: pyarrow.Table | None) -> int:
    return 0 if frame is None else frame.num_rows


def _spending_flags(frame: pyarrow.Table | None) -> list[str]:
    """What was flagged in the spending lines (a kept reading has the lines as a table only)."""
    return [] if frame is None else [flag for flag in frame.column("flag_reason").to_pylist() if flag]


def record_batch(
    con: duckdb.DuckDBPyConnection, batch: list[Parsed], settings: Settings, states: ScopeStates | None = None
) -> list[FileOutcome]:
    """Record arrivals in order in one transaction: a crash leaves none of the batch behind (they are
    processed again from the archive by the next run). ``states``: the states of the scopes the batches
    recorded before this one (of the same ingest, in arrival order) found.

    Duplicates are worked out here, in arrival order, so the batch is written with a handful of statements
    instead of several per file; what each return changed is worked out in SQL once its rows are in
    (``standing``)."""
    seen = dict(
        con.execute(
            "SELECT content_hash, submission_id FROM submission WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))",
            [[p.arrival.content_hash for p in batch]],
        ).fetchall()
    )
    outcomes, tables, submissions, logged = [], [], [], []
    activities: list[pyarrow.Table] = []
    spending: list[pyarrow.Table] = []
    accepted: dict[str, tuple[Arrival, FileOutcome]] = {}

    def log_row(
        arrival: Arrival,
        file_name: str,
        digest: str | None,
        outcome: str,
        submission_id: str | None,
        reason: str | None,
        report_path: Path | None = None,
        receipt: str | None = None,
        scope: Scope | None = None,
    ) -> None:
        logged.append(
            (
                arrival.archived_at,
                file_name,
                digest,
                outcome,
                submission_id,
                reason,
                str(report_path) if report_path else None,
                arrival.seq,
                receipt,
                *(astuple(scope) if scope else (None, None, None, None)),
            )
        )

    for item in batch:
        arrival, result = item.arrival, item.result
        name, digest, seq = arrival.file_name, arrival.content_hash, arrival.seq
        if digest in seen:
            outcomes.append(FileOutcome(name, "duplicate", submission_id=seen[digest], arrival_seq=seq))
            continue
        if isinstance(result, list):
            outcome = FileOutcome(
                name,
                "rejected",
                problems=result,
                arrival_seq=seq,
                report_path=error_report(arrival, result, settings),
                scope=result.scope if isinstance(result, Refusal) else None,
            )
            outcomes.append(outcome)
            log.warning("rejected %s: %d problems", name, len(result))
            continue
        parsed, submission_id = result, digest[:16]
        table = parsed.frame
        assert isinstance(table, pyarrow.Table)
        rows = table.num_rows
        tables.append(_stamped(table, submission_id, name))
        for frame, found in ((parsed.activity_frame, activities), (parsed.spending_frame, spending)):
            if frame is not None and frame.num_rows:
                found.append(_stamped(frame, submission_id, name))
        outcome = FileOutcome(
            name,
            "accepted",
            submission_id=submission_id,
            rows=rows,
            arrival_seq=seq,
            flagged=int(pc.sum(table["flagged"]).as_py() or 0),
            activities=_rows(parsed.activity_frame),
            spending=_rows(parsed.spending_frame),
            spending_flags=_spending_flags(parsed.spending_frame),
            note=parsed.note,
        )
        submissions.append(
            {
                "submission_id": submission_id,
                "content_hash": digest,
                "file_name": name,
                "kind": parsed.kind,
                "plan_code": parsed.plan_code,
                "province": parsed.province,
                "agency_code": parsed.agency_code,
                "year": parsed.year,
                "period": parsed.period,
                "contact": parsed.contact,
                "report_date": parsed.report_date,
                "received_at": arrival.received_at,
                "row_count": rows,
                "status": "accepted",
                "superseded_by": None,
                "arrival_seq": seq,
                "arrived_at": arrival.archived_at,
            }
        )
        seen[digest] = submission_id
        outcomes.append(outcome)
        accepted[submission_id] = (arrival, outcome)

    with transaction(con):
        if submissions:
            insert_rows(con, "submission", pd.DataFrame(submissions))
            con.register("incoming_observations", pyarrow.concat_tables(tables, promote_options="permissive"))
            con.execute("INSERT INTO fact_observation BY NAME SELECT * FROM incoming_observations")
            own = {s: (values, xoa) for s, values, xoa in con.execute(OWN_VALUES_SQL).fetchall()}
            for target, found in (("fact_activity_report", activities), ("fact_spending", spending)):
                if found:
                    con.register("incoming_rows", pyarrow.concat_tables(found))
                    con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM incoming_rows")
                    con.unregister("incoming_rows")
            standings, shared = settle_arrivals(con, list(accepted), own, states)
            names = _file_names(con, [old for s in standings.values() for old in s.superseded])
            for submission_id, standing in standings.items():
                arrival, outcome = accepted[submission_id]
                outcome.receipt = standing.receipt.text()
                outcome.superseded = [names[old] for old in standing.superseded]
                for old in standing.superseded:
                    log_row(
                        arrival,
                        names[old],
                        None,
                        "superseded",
                        old,
                        f"mọi giá trị đã được thay bởi {outcome.file_name} ({submission_id})",
                    )
                if not standing.in_force:  # history only from the start: later-dated values, or the yearly return
                    log_row(arrival, outcome.file_name, None, "superseded", submission_id, outcome.receipt)
            # attainment of every area whose values may have moved: those just reported, and every value of
            # the returns they share a scope with
            recorded = [s for s in shared if s not in accepted]
            if recorded:
                touched = f"{INCOMING_TOUCHED_SQL} UNION {RECORDED_TOUCHED_SQL}"
                con.execute(STALE_PLANS_SQL.format(touched=touched), [recorded])
            else:
                con.execute(STALE_PLANS_SQL.format(touched=INCOMING_TOUCHED_SQL))
            con.unregister("incoming_observations")
        for item, outcome in zip(batch, outcomes, strict=True):
            _log_outcome(item.arrival, outcome, log_row)
        if logged:
            insert_rows(con, "file_log", pd.DataFrame(logged, columns=FILE_LOG_COLUMNS))
        pause_point(settings, "in_transaction")
    settle_refusals(con, outcomes)
    return outcomes


def _file_names(con: duckdb.DuckDBPyConnection, submission_ids: list[str]) -> dict[str, str]:
    return dict(
        con.execute(
            "SELECT submission_id, file_name FROM submission WHERE submission_id IN (SELECT unnest(?::VARCHAR[]))",
            [submission_ids],
        ).fetchall()
    )


def _log_outcome(arrival: Arrival, outcome: FileOutcome, log_row) -> None:
    """The arrival's own line of ``file_log`` (the lines of returns it superseded are logged beside it)."""
    name, digest = outcome.file_name, arrival.content_hash
    if outcome.outcome == "duplicate":
        log_row(arrival, name, digest, "duplicate", outcome.submission_id, "cùng nội dung với báo cáo đã tiếp nhận")
    elif outcome.outcome == "rejected":
        message = "; ".join(str(p) for p in outcome.problems)[:2000]
        log_row(arrival, name, digest, "rejected", None, message, outcome.report_path, scope=outcome.scope)
    else:
        log_row(arrival, name, digest, "accepted", outcome.submission_id, None, receipt=outcome.logged_receipt())
