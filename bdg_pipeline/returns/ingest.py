"""One entry point for every return: ``bdg ingest``, the inbox sensor and the rebuild all call
:func:`ingest_files`.

A file is either accepted whole — a ``submission`` row and all its observations in one transaction —
or rejected whole: moved to the quarantine folder with an error report beside it. The same bytes
twice add nothing; a new return for the same plan, agency, year and period supersedes the earlier one,
which stays in history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import sys
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from ..catalogue import Catalogue
from ..config import Settings
from ..schemas import ObservationBatch
from ..warehouse import insert_rows
from .appendix import find_appendix, parse_appendix
from .error_report import write_error_report
from .model import ParsedReturn, Problem, ReturnRejected
from .template import is_template, parse_template
from .workbook import Limits, open_values, open_workbook

log = logging.getLogger(__name__)
PARALLEL_MIN_FILES = 8  # below this, starting worker processes costs more than it saves
PARSE_CHUNK = 16  # at most this many returns parsed and validated together (one pandera call)
CHUNKS_AHEAD = 4  # chunks parsed ahead of the recording
RECORD_FILES = 64  # files recorded in one transaction during a long ingest
RECORD_ROWS = 100_000
OBSERVATION_COLUMNS = ["submission_id", "plan_code", "objective_no", "indicator_no", "part", "indicator_code",
                       "area_code", "level", "year", "numerator", "denominator", "value", "printed_value",
                       "printed_text", "unit", "agency_code", "source_file", "source_sheet", "source_cell",
                       "flagged", "flag_reason"]  # the order of fact_observation in sql/schema.sql
FILE_LOG_COLUMNS = ["logged_at", "file_name", "content_hash", "outcome", "submission_id", "reason", "report_path"]
FIELD_NAMES = {"numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị", "level": "Cấp",
               "unit": "Đơn vị", "year": "Năm"}
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
INBOX_PATTERNS = ("*.xlsx", "*.xlsm", "*.xls")
IGNORED_PREFIXES = ("~$", ".")
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload")


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

    def summary(self) -> str:
        if self.outcome == "accepted":
            text = f"✔ {self.file_name}: đã tiếp nhận {self.rows} dòng số liệu"
            if self.flagged:
                text += f" ({self.flagged} dòng có cảnh báo chất lượng)"
            if self.superseded:
                text += f"; thay thế báo cáo trước: {', '.join(self.superseded)}"
            return text
        if self.outcome == "duplicate":
            return f"= {self.file_name}: trùng nội dung với báo cáo {self.submission_id} đã tiếp nhận, bỏ qua"
        lines = [f"✘ {self.file_name}: KHÔNG tiếp nhận, {len(self.problems)} lỗi"]
        lines += [f"    - {p}" for p in self.problems]
        if self.report_path:
            lines.append(f"    Báo cáo lỗi: {self.report_path}")
        return "\n".join(lines)


def display_name(path: Path) -> str:
    """The file name as text that can be printed and stored (undecodable bytes become U+FFFD)."""
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def pause_point(name: str) -> None:
    """Debugging aid: with BDG_PAUSE_AT=<name>, say so on stderr and wait (to inspect or kill a run here)."""
    if os.environ.get("BDG_PAUSE_AT") == name:
        print(f"BDG_PAUSE_AT {name}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("BDG_PAUSE_SECONDS", "30")))


def is_inbox_file(path: Path) -> bool:
    """A file the inbox should look at (Excel lock files, hidden and partial downloads are not)."""
    name = path.name
    return (path.is_file() and not name.startswith(IGNORED_PREFIXES)
            and not name.lower().endswith(IGNORED_SUFFIXES) and any(path.match(p) for p in INBOX_PATTERNS))


def inbox_files(raw_dir: Path) -> list[Path]:
    """Inbox files oldest first, so a rebuild replays returns in the order they arrived."""
    files = [p for p in raw_dir.iterdir() if is_inbox_file(p)] if raw_dir.exists() else []
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_return(path: Path, catalogue: Catalogue, limits: Limits | None = None) -> ParsedReturn:
    """Read a workbook of either layout into rows (not validated yet); raise :class:`ReturnRejected`
    when it cannot be read at all."""
    grids = open_values(path, limits)
    if is_template(grids):
        return parse_template(grids, catalogue)
    workbook = open_workbook(path, limits)  # free-form layouts need merged cells
    try:
        if find_appendix(workbook) is None:
            raise ReturnRejected([Problem("(tệp)", "", "Không nhận ra biểu báo cáo: không phải biểu mẫu của hệ "
                                          "thống và không có bảng MỤC TIÊU | CHỈ TIÊU | SỐ LIỆU KẾT QUẢ",
                                          fix="Dùng biểu mẫu tạo bằng lệnh “bdg template”.")])
        return parse_appendix(workbook, catalogue)
    finally:
        workbook.close()


def parse_returns(paths: list[Path], catalogue: Catalogue,
                  limits: Limits | None = None) -> list[ParsedReturn | list[Problem]]:
    """Parse several returns; each comes back validated, or as the list of every problem found in it.

    The rows of all of them are validated in one pandera call: its cost is mostly per call, not per row.
    """
    read: list[ParsedReturn | list[Problem]] = []
    for path in paths:
        try:
            read.append(read_return(path, catalogue, limits))
        except ReturnRejected as exc:
            read.append(exc.problems)
    returns = [r for r in read if isinstance(r, ParsedReturn)]
    for parsed, problems in zip(returns, validate_returns(returns, catalogue)):
        parsed.problems = parsed.problems + problems
    return [r.problems if isinstance(r, ParsedReturn) and r.problems else r for r in read]


def parse_return(path: Path, catalogue: Catalogue, limits: Limits | None = None) -> ParsedReturn:
    """Parse and validate one workbook; raise :class:`ReturnRejected` with every problem found."""
    result = parse_returns([path], catalogue, limits)[0]
    if isinstance(result, list):
        raise ReturnRejected(result)
    return result


# The observations of one return as parsed (fact_observation without submission_id and source_file).
PARSED_SCHEMA = pyarrow.schema([
    ("plan_code", pyarrow.string()), ("objective_no", pyarrow.int64()), ("indicator_no", pyarrow.int64()),
    ("part", pyarrow.string()), ("indicator_code", pyarrow.string()), ("unit", pyarrow.string()),
    ("level", pyarrow.string()), ("area_code", pyarrow.string()), ("year", pyarrow.int64()),
    ("numerator", pyarrow.int64()), ("denominator", pyarrow.int64()), ("value", pyarrow.float64()),
    ("printed_value", pyarrow.float64()), ("printed_text", pyarrow.string()), ("agency_code", pyarrow.string()),
    ("source_sheet", pyarrow.string()), ("source_cell", pyarrow.string()), ("flagged", pyarrow.bool_()),
    ("flag_reason", pyarrow.string()),
])


def observations_table(parsed: ParsedReturn, catalogue: Catalogue) -> pyarrow.Table:
    """A return's rows as an Arrow table: built column by column in C, inserted by DuckDB without
    touching a Python object, and cheap to send from a worker process."""
    parts = catalogue.parts_index
    rows = parsed.rows
    keys = [parts[(r.plan_code, r.objective_no, r.indicator_no, r.part)] for r in rows]
    readings = [r.reading for r in rows]
    return pyarrow.table({
        "plan_code": [r.plan_code for r in rows], "objective_no": [r.objective_no for r in rows],
        "indicator_no": [r.indicator_no for r in rows], "part": [r.part for r in rows],
        "indicator_code": [k[0] for k in keys], "unit": [k[1] for k in keys],
        "level": [r.level for r in rows], "area_code": [r.area_code for r in rows], "year": [r.year for r in rows],
        "numerator": [x.numerator for x in readings], "denominator": [x.denominator for x in readings],
        "value": [x.value for x in readings], "printed_value": [x.printed_value for x in readings],
        "printed_text": [r.printed_text for r in rows], "agency_code": [r.agency_code for r in rows],
        "source_sheet": [r.sheet for r in rows], "source_cell": [r.cell for r in rows],
        "flagged": [x.flag is not None for x in readings], "flag_reason": [x.flag for x in readings],
    }, schema=PARSED_SCHEMA)


def _schema_problems(err: pa.errors.SchemaErrors, frame: pd.DataFrame) -> list[tuple[int | None, Problem]]:
    """pandera's failure cases as (row of ``frame``, problem for the officer)."""
    found = []
    for case in err.failure_cases.itertuples():
        if case.column == "return_no":
            continue  # part of a batch's key only, nothing the officer wrote
        row = case.index if case.index in frame.index else None
        sheet = frame.at[row, "source_sheet"] if row is not None else "(tệp)"
        cell = frame.at[row, "source_cell"] if row is not None else ""
        check = str(case.check)
        name = FIELD_NAMES.get(case.column, case.column)
        if "unique" in check:
            message = "Số liệu bị trùng: cùng chỉ tiêu, cấp, địa bàn và năm xuất hiện hơn một lần"
        elif check.startswith("greater_than_or_equal_to"):
            message = f"“{name}” không được âm"
        elif check.startswith("isin"):
            message = f"“{name}” không thuộc danh mục cho phép"
        else:
            message = f"Giá trị không hợp lệ ở “{name}” (kiểm tra {check})"
        found.append((row, Problem(sheet, cell, message, str(case.failure_case), "Sửa hoặc xóa dòng bị lặp/sai.")))
    return found


def validate_returns(returns: list[ParsedReturn], catalogue: Catalogue) -> list[list[Problem]]:
    """pandera (lazy: every error of every file) plus the checks that need the catalogue, per return."""
    problems: list[list[Problem]] = [[] for _ in returns]
    tables = []
    for no, parsed in enumerate(returns):
        if parsed.rows:
            parsed.frame = observations_table(parsed, catalogue)
            tables.append(parsed.frame.append_column("return_no", pyarrow.array([no] * parsed.frame.num_rows,
                                                                              pyarrow.int64())))
        elif not parsed.problems:
            problems[no].append(Problem("(tệp)", "", "Biểu không có dòng số liệu nào",
                                        fix="Điền số liệu vào các cột Tử số, Mẫu số hoặc Giá trị."))
    if tables:
        # one conversion to pandas for the whole batch, already in the schema's dtypes (no coercion needed);
        # counts keep their missing values as pandas' nullable integers
        combined = pyarrow.concat_tables(tables)
        batch = combined.to_pandas()
        for column in ("numerator", "denominator"):
            batch[column] = combined.column(column).to_pandas(types_mapper={pyarrow.int64(): pd.Int64Dtype()}.get)
        try:
            ObservationBatch.validate(batch, lazy=True)
        except pa.errors.SchemaErrors as err:
            found = _schema_problems(err, batch)
            if any(row is None for row, _ in found) and len(tables) > 1:
                # a failure not tied to a row cannot be attributed to one file: look at each file alone
                return [sum(validate_returns([parsed], catalogue), []) for parsed in returns]
            for row, problem in found:
                problems[int(batch.at[row, "return_no"]) if row is not None else 0].append(problem)
    plans = catalogue.plans.set_index("plan_code")
    known_areas = catalogue.area_codes
    for no, parsed in enumerate(returns):
        if not parsed.rows:
            continue
        plan = plans.loc[parsed.plan_code]
        if not plan.monitoring_start <= parsed.year <= plan.monitoring_end:
            first = parsed.rows[0]
            problems[no].append(Problem(first.sheet, first.cell, f"Năm số liệu {parsed.year} nằm ngoài kỳ theo dõi "
                                        f"của kế hoạch {parsed.plan_code} ({plan.monitoring_start}–"
                                        f"{plan.monitoring_end})", str(parsed.year), "Kiểm tra lại năm báo cáo."))
        problems[no] += [Problem(row.sheet, row.cell, "Địa bàn không có trong danh mục", row.area_code)
                         for row in parsed.rows if row.area_code not in known_areas]
    return problems


def _quarantine(path: Path, settings: Settings, problems: list[Problem], stamp: str) -> Path:
    settings.quarantine_dir.mkdir(parents=True, exist_ok=True)
    # Only the last path component, made printable: a name cannot lead outside the quarantine folder.
    safe = display_name(path).replace("\\", "_").replace("/", "_").lstrip(".") or "tep"
    target = settings.quarantine_dir / f"{stamp}_{safe}"
    shutil.move(str(path), target)
    return write_error_report(target.with_name(target.name + ".loi.xlsx"), display_name(path), problems)


_WORKER_CATALOGUE: Catalogue | None = None


def _worker_init(catalogue: Catalogue) -> None:
    global _WORKER_CATALOGUE
    _WORKER_CATALOGUE = catalogue


def _worker_parse(job: tuple[list[Path], Limits | None]) -> list[ParsedReturn | list[Problem]]:
    results = parse_returns(job[0], _WORKER_CATALOGUE, job[1])
    for result in results:
        if isinstance(result, ParsedReturn):
            result.rows = []  # validated: only its Arrow table crosses the pipe (buffers, not str objects)
    return results


def parse_all(paths: list[Path], catalogue: Catalogue, limits: Limits | None,
              pool: ProcessPoolExecutor | None) -> Iterator[ParsedReturn | list[Problem]]:
    """Parse returns in order, a chunk at a time, in the worker processes of ``pool`` when there is one,
    keeping at most ``CHUNKS_AHEAD`` chunks waiting so memory stays bounded while the recording catches up."""
    chunks = [paths[i:i + PARSE_CHUNK] for i in range(0, len(paths), PARSE_CHUNK)]
    if pool is None:
        for chunk in chunks:
            yield from parse_returns(chunk, catalogue, limits)
        return
    pending: deque = deque()
    for chunk in chunks:
        pending.append(pool.submit(_worker_parse, (chunk, limits)))
        if len(pending) >= CHUNKS_AHEAD:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


@dataclass
class Arrival:
    """A file of the inbox with its content hash and what parsing made of it."""

    path: Path
    digest: str
    result: ParsedReturn | list[Problem]

    @property
    def rows(self) -> int:
        frame = getattr(self.result, "frame", None)
        return 0 if frame is None else frame.num_rows


def _in_force(con: duckdb.DuckDBPyConnection, plans: list[str]) -> dict[tuple, list[tuple[str, str]]]:
    """Accepted submissions of these plans by what a newer return replaces: plan, agency, year, period, kind."""
    found: dict[tuple, list[tuple[str, str]]] = {}
    for *key, submission_id, file_name in con.execute(
            "SELECT plan_code, coalesce(agency_code, ''), year, period, kind, submission_id, file_name "
            "FROM submission WHERE status = 'accepted' AND plan_code IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY received_at", [plans]).fetchall():
        found.setdefault(tuple(key), []).append((submission_id, file_name))
    return found


def record_batch(con: duckdb.DuckDBPyConnection, arrivals: list[Arrival], settings: Settings) -> list[FileOutcome]:
    """Record files in arrival order in one transaction: each file is accepted whole or rejected whole,
    and a crash leaves none of the batch behind (its files wait in the inbox for the next run).

    Duplicates and supersessions are worked out here, in arrival order, so the batch is written with a
    handful of statements instead of several per file."""
    returns = [a.result for a in arrivals if isinstance(a.result, ParsedReturn)]
    seen = dict(con.execute("SELECT content_hash, submission_id FROM submission "
                            "WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))", [[a.digest for a in arrivals]]).fetchall())
    in_force = _in_force(con, sorted({r.plan_code for r in returns}))
    outcomes, tables, submissions, logged = [], [], [], []
    replaced: dict[str, str] = {}  # submission id → the id of the return that supersedes it

    def log_row(file_name: str, digest: str | None, outcome: str, submission_id: str | None, reason: str | None,
                report_path: Path | None = None) -> None:
        logged.append((dt.datetime.now(), file_name, digest, outcome, submission_id, reason,
                       str(report_path) if report_path else None))

    for arrival in arrivals:
        name, digest, result = display_name(arrival.path), arrival.digest, arrival.result
        if digest in seen:
            outcomes.append(FileOutcome(name, "duplicate", submission_id=seen[digest]))
            log_row(name, digest, "duplicate", seen[digest], "cùng nội dung với báo cáo đã tiếp nhận")
            continue
        if isinstance(result, list):
            outcome = FileOutcome(name, "rejected", problems=result)
            outcome.report_path = _quarantine(arrival.path, settings, result, dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
            outcomes.append(outcome)
            log_row(name, digest, "rejected", None, "; ".join(str(p) for p in result)[:2000], outcome.report_path)
            log.warning("rejected %s: %d problems", name, len(result))
            continue
        parsed, submission_id = result, digest[:16]
        table = parsed.frame
        rows = table.num_rows
        tables.append(table.append_column("submission_id", pyarrow.array([submission_id] * rows, pyarrow.string()))
                           .append_column("source_file", pyarrow.array([name] * rows, pyarrow.string())))
        outcome = FileOutcome(name, "accepted", submission_id=submission_id, rows=rows,
                              flagged=int(pc.sum(table["flagged"]).as_py() or 0))
        key = (parsed.plan_code, parsed.agency_code or "", parsed.year, parsed.period, parsed.kind)
        for old_id, old_name in in_force.get(key, []):
            replaced[old_id] = submission_id
            outcome.superseded.append(old_name)
            log_row(old_name, None, "superseded", old_id, f"thay thế bởi {name} ({submission_id})")
        in_force[key] = [(submission_id, name)]
        submissions.append({
            "submission_id": submission_id, "content_hash": digest, "file_name": name, "kind": parsed.kind,
            "plan_code": parsed.plan_code, "province": parsed.province, "agency_code": parsed.agency_code,
            "year": parsed.year, "period": parsed.period, "contact": parsed.contact, "report_date": parsed.report_date,
            "received_at": dt.datetime.fromtimestamp(arrival.path.stat().st_mtime), "row_count": rows,
            "status": "accepted", "superseded_by": None})
        seen[digest] = submission_id
        outcomes.append(outcome)
        log_row(name, digest, "accepted", submission_id, None)

    con.execute("BEGIN TRANSACTION")
    try:
        if submissions:
            insert_rows(con, "submission", pd.DataFrame(submissions))
            if replaced:
                con.executemany("UPDATE submission SET status = 'superseded', superseded_by = ? "
                                "WHERE submission_id = ?", [[new, old] for old, new in replaced.items()])
            con.register("incoming_observations", pyarrow.concat_tables(tables, promote_options="permissive"))
            con.execute("INSERT INTO fact_observation BY NAME SELECT * FROM incoming_observations")
            touched = "SELECT DISTINCT plan_code, area_code FROM incoming_observations"
            if replaced:
                touched += (" UNION SELECT DISTINCT plan_code, area_code FROM fact_observation "
                            "WHERE submission_id IN (SELECT unnest(?::VARCHAR[]))")
            con.execute(STALE_PLANS_SQL.format(touched=touched), [list(replaced)] if replaced else [])
            con.unregister("incoming_observations")
        if logged:
            insert_rows(con, "file_log", pd.DataFrame(logged, columns=FILE_LOG_COLUMNS))
        pause_point("in_transaction")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return outcomes


def ingest_files(con: duckdb.DuckDBPyConnection, paths: list[Path], catalogue: Catalogue, settings: Settings,
                 limits: Limits | None = None, workers: int | None = None) -> list[FileOutcome]:
    """Ingest files in the order they arrived: parse (in parallel), then record in batches."""
    ordered = sorted(paths, key=lambda p: (p.stat().st_mtime_ns, p.name))
    digests = [content_hash(p) for p in ordered]
    known = {h for (h,) in con.execute("SELECT content_hash FROM submission").fetchall()}
    workers = workers if workers is not None else int(os.environ.get("BDG_WORKERS") or min(os.cpu_count() or 1, 2))
    parsing = [p for p, h in zip(ordered, digests) if h not in known]
    pool = (ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(catalogue,))
            if workers > 1 and len(parsing) >= PARALLEL_MIN_FILES else None)
    outcomes: list[FileOutcome] = []
    batch: list[Arrival] = []
    batch_rows = 0
    try:
        # workers parse ahead while this process records, batch by batch in arrival order
        results = parse_all(parsing, catalogue, limits, pool)
        for path, digest in zip(ordered, digests):
            batch.append(Arrival(path, digest, next(results) if digest not in known else []))
            batch_rows += batch[-1].rows
            if len(batch) >= RECORD_FILES or batch_rows >= RECORD_ROWS:
                outcomes += record_batch(con, batch, settings)
                batch, batch_rows = [], 0
        if batch:
            outcomes += record_batch(con, batch, settings)
    finally:
        if pool is not None:
            pool.shutdown()
    return outcomes
