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

from ..catalogue import Catalogue
from ..config import Settings
from ..schemas import Observations
from .appendix import find_appendix, parse_appendix
from .error_report import write_error_report
from .model import ParsedReturn, Problem, ReturnRejected
from .template import is_template, parse_template
from .workbook import Limits, open_values, open_workbook

log = logging.getLogger(__name__)
PARALLEL_MIN_FILES = 8  # below this, starting worker processes costs more than it saves
PARSE_AHEAD = 32
OBSERVATION_COLUMNS = ["submission_id", "plan_code", "objective_no", "indicator_no", "part", "indicator_code",
                       "area_code", "level", "year", "numerator", "denominator", "value", "printed_value",
                       "printed_text", "unit", "agency_code", "source_file", "source_sheet", "source_cell",
                       "flagged", "flag_reason"]  # the order of fact_observation in sql/schema.sql
FIELD_NAMES = {"numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị", "level": "Cấp",
               "unit": "Đơn vị", "year": "Năm"}
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


def parse_return(path: Path, catalogue: Catalogue, limits: Limits | None = None) -> ParsedReturn:
    """Parse a workbook of either layout; raise :class:`ReturnRejected` with every problem found."""
    grids = open_values(path, limits)
    if is_template(grids):
        parsed = parse_template(grids, catalogue)
    else:
        workbook = open_workbook(path, limits)  # free-form layouts need merged cells
        try:
            if find_appendix(workbook) is None:
                raise ReturnRejected([Problem("(tệp)", "", "Không nhận ra biểu báo cáo: không phải biểu mẫu của hệ "
                                              "thống và không có bảng MỤC TIÊU | CHỈ TIÊU | SỐ LIỆU KẾT QUẢ",
                                              fix="Dùng biểu mẫu tạo bằng lệnh “bdg template”.")])
            parsed = parse_appendix(workbook, catalogue)
        finally:
            workbook.close()
    problems = parsed.problems + validate_rows(parsed, catalogue)
    if problems:
        raise ReturnRejected(problems)
    return parsed


def observations_frame(parsed: ParsedReturn, catalogue: Catalogue) -> pd.DataFrame:
    parts = catalogue.parts_index
    records = []
    for row in parsed.rows:
        code, unit = parts[(row.plan_code, row.objective_no, row.indicator_no, row.part)]
        records.append({
            "plan_code": row.plan_code, "objective_no": row.objective_no, "indicator_no": row.indicator_no,
            "part": row.part, "indicator_code": code, "unit": unit,
            "level": row.level, "area_code": row.area_code, "year": row.year,
            "numerator": row.reading.numerator, "denominator": row.reading.denominator,
            "value": row.reading.value, "printed_value": row.reading.printed_value, "printed_text": row.printed_text,
            "agency_code": row.agency_code, "source_sheet": row.sheet, "source_cell": row.cell,
            "flagged": row.reading.flag is not None, "flag_reason": row.reading.flag,
        })
    frame = pd.DataFrame(records)
    if not frame.empty:
        frame["numerator"] = frame["numerator"].astype("Int64")
        frame["denominator"] = frame["denominator"].astype("Int64")
    return frame


def validate_rows(parsed: ParsedReturn, catalogue: Catalogue) -> list[Problem]:
    """pandera (lazy: every error of the file) plus the checks that need the catalogue."""
    if not parsed.rows:
        return [] if parsed.problems else [Problem("(tệp)", "", "Biểu không có dòng số liệu nào",
                                                    fix="Điền số liệu vào các cột Tử số, Mẫu số hoặc Giá trị.")]
    frame = observations_frame(parsed, catalogue)
    parsed.frame = frame
    problems: list[Problem] = []
    try:
        Observations.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        for case in err.failure_cases.itertuples():
            where = frame.loc[case.index] if case.index in frame.index else None
            sheet = where.source_sheet if where is not None else "(tệp)"
            cell = where.source_cell if where is not None else ""
            check = str(case.check)
            if "unique" in check:
                message = "Số liệu bị trùng: cùng chỉ tiêu, cấp, địa bàn và năm xuất hiện hơn một lần"
            elif check.startswith("greater_than_or_equal_to"):
                message = f"“{FIELD_NAMES.get(case.column, case.column)}” không được âm"
            elif check.startswith("isin"):
                message = f"“{FIELD_NAMES.get(case.column, case.column)}” không thuộc danh mục cho phép"
            else:
                message = f"Giá trị không hợp lệ ở “{FIELD_NAMES.get(case.column, case.column)}” (kiểm tra {check})"
            problems.append(Problem(sheet, cell, message, str(case.failure_case), "Sửa hoặc xóa dòng bị lặp/sai."))
    plan = catalogue.plans.set_index("plan_code").loc[parsed.plan_code]
    if not plan.monitoring_start <= parsed.year <= plan.monitoring_end:
        first = parsed.rows[0]
        problems.append(Problem(first.sheet, first.cell, f"Năm số liệu {parsed.year} nằm ngoài kỳ theo dõi của kế hoạch "
                                f"{parsed.plan_code} ({plan.monitoring_start}–{plan.monitoring_end})", str(parsed.year),
                                "Kiểm tra lại năm báo cáo."))
    known_areas = set(catalogue.areas.area_code)
    for row in parsed.rows:
        if row.area_code not in known_areas:
            problems.append(Problem(row.sheet, row.cell, "Địa bàn không có trong danh mục", row.area_code))
    return problems


def _quarantine(path: Path, settings: Settings, problems: list[Problem], stamp: str) -> Path:
    settings.quarantine_dir.mkdir(parents=True, exist_ok=True)
    # Only the last path component, made printable: a name cannot lead outside the quarantine folder.
    safe = display_name(path).replace("\\", "_").replace("/", "_").lstrip(".") or "tep"
    target = settings.quarantine_dir / f"{stamp}_{safe}"
    shutil.move(str(path), target)
    return write_error_report(target.with_name(target.name + ".loi.xlsx"), display_name(path), problems)


def _log(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, digest: str | None, reason: str | None) -> None:
    con.execute("INSERT INTO file_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                [dt.datetime.now(), outcome.file_name, digest, outcome.outcome, outcome.submission_id, reason,
                 str(outcome.report_path) if outcome.report_path else None])


def _parse_or_problems(path: Path, catalogue: Catalogue, limits: Limits | None) -> ParsedReturn | list[Problem]:
    try:
        return parse_return(path, catalogue, limits)
    except ReturnRejected as exc:
        return exc.problems


_WORKER_CATALOGUE: Catalogue | None = None


def _worker_init(catalogue: Catalogue) -> None:
    global _WORKER_CATALOGUE
    _WORKER_CATALOGUE = catalogue


def _worker_parse(job: tuple[Path, Limits | None]) -> ParsedReturn | list[Problem]:
    return _parse_or_problems(job[0], _WORKER_CATALOGUE, job[1])


def parse_all(paths: list[Path], catalogue: Catalogue, limits: Limits | None,
              pool: ProcessPoolExecutor | None) -> Iterator[ParsedReturn | list[Problem]]:
    """Parse returns in order, in the worker processes of ``pool`` when there is one, keeping at most
    ``PARSE_AHEAD`` results waiting so memory stays bounded while the recording catches up."""
    if pool is None:
        for path in paths:
            yield _parse_or_problems(path, catalogue, limits)
        return
    pending: deque = deque()
    for path in paths:
        pending.append(pool.submit(_worker_parse, (path, limits)))
        if len(pending) >= PARSE_AHEAD:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _record(con: duckdb.DuckDBPyConnection, path: Path, name: str, digest: str,
            result: ParsedReturn | list[Problem], catalogue: Catalogue, settings: Settings) -> FileOutcome:
    existing = con.execute("SELECT submission_id FROM submission WHERE content_hash = ?", [digest]).fetchone()
    if existing:
        outcome = FileOutcome(name, "duplicate", submission_id=existing[0])
        _log(con, outcome, digest, "cùng nội dung với báo cáo đã tiếp nhận")
        return outcome
    if isinstance(result, list):
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        outcome = FileOutcome(name, "rejected", problems=result)
        outcome.report_path = _quarantine(path, settings, result, stamp)
        _log(con, outcome, digest, "; ".join(str(p) for p in result)[:2000])
        log.warning("rejected %s: %d problems", name, len(result))
        return outcome
    parsed = result
    frame = parsed.frame if parsed.frame is not None else observations_frame(parsed, catalogue)
    submission_id = digest[:16]
    frame["submission_id"] = submission_id
    frame["source_file"] = name
    received = dt.datetime.fromtimestamp(path.stat().st_mtime)
    outcome = FileOutcome(name, "accepted", submission_id=submission_id, rows=len(frame),
                          flagged=int(frame["flagged"].sum()))
    con.execute("BEGIN TRANSACTION")
    try:
        replaced = con.execute(
            "UPDATE submission SET status = 'superseded', superseded_by = ? "
            "WHERE plan_code = ? AND coalesce(agency_code, '') = ? AND year = ? AND period = ? AND kind = ? "
            "AND status = 'accepted' RETURNING submission_id, file_name",
            [submission_id, parsed.plan_code, parsed.agency_code or "", parsed.year, parsed.period, parsed.kind],
        ).fetchall()
        con.execute(
            "INSERT INTO submission VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', NULL)",
            [submission_id, digest, name, parsed.kind, parsed.plan_code, parsed.province, parsed.agency_code,
             parsed.year, parsed.period, parsed.contact, parsed.report_date, received, len(frame)],
        )
        con.register("incoming_observations", frame[OBSERVATION_COLUMNS])
        con.execute("INSERT INTO fact_observation SELECT * FROM incoming_observations")
        con.unregister("incoming_observations")
        pause_point("in_transaction")
        for old_id, old_name in replaced:
            outcome.superseded.append(old_name)
            con.execute("INSERT INTO file_log VALUES (?, ?, NULL, 'superseded', ?, ?, NULL)",
                        [dt.datetime.now(), old_name, old_id, f"thay thế bởi {name} ({submission_id})"])
        _log(con, outcome, digest, None)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return outcome


def ingest_files(con: duckdb.DuckDBPyConnection, paths: list[Path], catalogue: Catalogue, settings: Settings,
                 limits: Limits | None = None, workers: int | None = None) -> list[FileOutcome]:
    """Ingest files in the order they arrived: parse (in parallel), then record one by one."""
    ordered = sorted(paths, key=lambda p: (p.stat().st_mtime_ns, p.name))
    digests = [content_hash(p) for p in ordered]
    known = {h for (h,) in con.execute("SELECT content_hash FROM submission").fetchall()}
    workers = workers if workers is not None else int(os.environ.get("BDG_WORKERS") or min(os.cpu_count() or 1, 2))
    outcomes = []
    pending = sum(h not in known for h in digests)
    pool = (ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(catalogue,))
            if workers > 1 and pending >= PARALLEL_MIN_FILES else None)
    try:
        # workers parse ahead while this process records, file by file in arrival order
        parsing = [p for p, h in zip(ordered, digests) if h not in known]
        results = parse_all(parsing, catalogue, limits, pool)
        for path, digest in zip(ordered, digests):
            result = next(results) if digest not in known else []
            outcomes.append(_record(con, path, display_name(path), digest, result, catalogue, settings))
    finally:
        if pool is not None:
            pool.shutdown()
    return outcomes
