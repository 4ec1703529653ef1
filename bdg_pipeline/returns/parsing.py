"""Reading returns: a workbook of either layout into rows, validated (pandera and the catalogue), as an
Arrow table ready to insert. Parsing runs in confined reading processes (``readers``).

Any exception while reading or validating one file rejects that file only — with a Vietnamese message
asking to send it to the technical team, the traceback in the developers' log — and the run goes on
with the others.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pyarrow

from ..catalogue import Catalogue
from ..faults import log_traceback
from ..rules import outside_monitoring
from ..schemas import ActivityReports, ObservationBatch, SpendingLines
from .appendix import parse_appendix
from .kept_sheets import SheetNotKept, SheetsAt, keep, recall
from .model import ParsedReturn, Problem, Refusal, ReturnRejected, Scope
from .table import tables_of_document, tables_of_sheets, tables_of_workbook
from .template_read import ALTERED, is_altered_template, is_template, parse_template
from .today import met_ahead, start_reading
from .workbook import Limits, check_container, open_values, open_workbook

log = logging.getLogger(__name__)
# returns parsed and validated together (one pandera call, whose cost is mostly per call): few per chunk when
# a run has few files, so that every reader gets its share; up to 64 in a long run (1.9 → 1.5 ms per template)
PARSE_CHUNK_MIN, PARSE_CHUNK_MAX = 4, 64
CHUNKS_PER_READER = 8


def chunk_size(files: int, readers: int) -> int:
    """How many of ``files`` returns a reader parses at a time, ``readers`` reading."""
    return max(PARSE_CHUNK_MIN, min(PARSE_CHUNK_MAX, -(-files // (readers * CHUNKS_PER_READER))))


FIELD_NAMES = {
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "value": "Giá trị",
    "level": "Cấp",
    "unit": "Đơn vị",
    "year": "Năm",
}
MAX_COUNT = 2**63 - 1
UNEXPECTED = (
    "Lỗi không lường trước khi đọc tệp này ({kind}). Tệp chưa được tiếp nhận; các tệp khác vẫn được xử lý bình thường"
)
UNEXPECTED_FIX = "Hãy gửi tệp này cho bộ phận kỹ thuật (kèm báo cáo lỗi này) để được hỗ trợ."
TOO_MUCH_MEMORY = "Tệp cần quá nhiều bộ nhớ để đọc (vượt giới hạn của chương trình đọc tệp)"
TOO_MUCH_MEMORY_FIX = (
    "Xóa các dòng, cột, trang tính thừa (nhấn Ctrl+End để thấy ô cuối cùng), lưu lại rồi gửi lại; "
    "số liệu nhiều thì chia thành nhiều tệp."
)


def unexpected_problem(exc: BaseException, log_dir: Path | None) -> Problem:
    """What the officer is told when reading a file failed in a way nobody foresaw."""
    log_traceback(exc, log_dir)
    return Problem("(tệp)", "", UNEXPECTED.format(kind=type(exc).__name__), fix=UNEXPECTED_FIX)


def read_return(
    path: Path, catalogue: Catalogue, limits: Limits | None = None, sheets: SheetsAt | None = None
) -> ParsedReturn:
    """Read a return of any layout into rows (not validated yet); raise :class:`ReturnRejected` when it
    cannot be read at all. A template is read from its kept sheets when ``sheets`` has them, and its sheets
    are kept there when not."""
    limits = limits or Limits.of()
    if sheets is not None and (book := recall(sheets)) is not None:
        with contextlib.suppress(SheetNotKept):  # this reading needs a sheet the earlier one did not
            return parse_template(book, catalogue)
    container = check_container(path, limits)
    if container.word:
        return parse_appendix(tables_of_document(path, limits), catalogue)
    grids = open_values(path, limits, container)
    if is_template(grids):
        try:
            return parse_template(grids, catalogue)
        finally:
            if sheets is not None:  # what was read of it, also for a refusal: the same is read next time
                keep(sheets, list(grids), grids.read_so_far(), grids.values_only)
    if is_altered_template(grids):
        raise ReturnRejected([ALTERED])
    if container.values_only:
        return parse_appendix(tables_of_sheets(grids), catalogue)
    workbook = open_workbook(path, limits, container)  # free-form layouts need merged cells and number formats
    try:
        return parse_appendix(tables_of_workbook(workbook), catalogue)
    finally:
        workbook.close()


def parse_returns(
    paths: list[Path],
    catalogue: Catalogue,
    limits: Limits | None = None,
    log_dir: Path | None = None,
    before_each: Callable[[], None] | None = None,
    sheets: Mapping[Path, SheetsAt] | None = None,
) -> list[ParsedReturn | list[Problem]]:
    """Parse several returns; each comes back validated, or as the list of every problem found in it.
    ``before_each`` runs before each file is read (a reading process sets its processor-time limit there);
    ``sheets`` says where each file's sheets are kept (:mod:`.kept_sheets`).

    The rows of all of them are validated in one pandera call: its cost is mostly per call, not per row.
    """
    read: list[ParsedReturn | list[Problem]] = []
    for path in paths:
        if before_each is not None:
            before_each()
        try:
            start_reading()
            parsed = read_return(path, catalogue, limits, sheets.get(path) if sheets else None)
            parsed.day_bound = met_ahead()
            if limits is not None and parsed.year > limits.as_of_year:
                parsed.problems.append(
                    Problem(
                        "_meta" if parsed.kind == "template" else "(tệp)",
                        "",
                        f"Năm số liệu {parsed.year} sau năm đánh giá {limits.as_of_year}: "
                        "chưa thể có số liệu của năm này",
                        str(parsed.year),
                        "Kiểm tra năm số liệu; dùng biểu mẫu của đúng năm (lệnh bdg template).",
                    )
                )
            read.append(parsed)
        except ReturnRejected as exc:
            read.append(exc.problems)
        except MemoryError:
            log.warning("reading %s ran out of the memory a reader may use", path.name)
            read.append([Problem("(tệp)", "", TOO_MUCH_MEMORY, fix=TOO_MUCH_MEMORY_FIX)])
        except Exception as exc:  # one file's surprise must not stop the others
            read.append([unexpected_problem(exc, log_dir)])
    returns = [r for r in read if isinstance(r, ParsedReturn)]
    if before_each is not None:
        before_each()  # the validation of the chunk gets a file's allowance too
    try:
        checked = validate_returns(returns, catalogue)
    except Exception:
        checked = [_validate_alone(parsed, catalogue, log_dir) for parsed in returns]
    for parsed, problems in zip(returns, checked, strict=True):
        parsed.problems = parsed.problems + problems
    return [_refusal(r) if isinstance(r, ParsedReturn) and r.problems else r for r in read]


def _refusal(parsed: ParsedReturn) -> Refusal:
    """A refused return's problems, and what was read of it (the officer sees the reader understood the rest),
    for the scope it names (a later accepted return of that scope settles it)."""
    said = [Problem("(tệp)", "", parsed.note, info=True)] if parsed.note else []
    return Refusal(parsed.problems + said, Scope(parsed.plan_code, parsed.agency_code, parsed.year, parsed.period))


def _validate_alone(parsed: ParsedReturn, catalogue: Catalogue, log_dir: Path | None) -> list[Problem]:
    try:
        return validate_returns([parsed], catalogue)[0]
    except Exception as exc:
        parsed.frame = None
        return [unexpected_problem(exc, log_dir)]


def parse_return(path: Path, catalogue: Catalogue, limits: Limits | None = None) -> ParsedReturn:
    """Parse and validate one workbook; raise :class:`ReturnRejected` with every problem found."""
    result = parse_returns([path], catalogue, limits)[0]
    if isinstance(result, list):
        raise ReturnRejected(result)
    return result


# The observations of one return as parsed (fact_observation without submission_id and source_file).
PARSED_SCHEMA = pyarrow.schema(
    [
        ("plan_code", pyarrow.string()),
        ("objective_no", pyarrow.int64()),
        ("indicator_no", pyarrow.int64()),
        ("part", pyarrow.string()),
        ("indicator_code", pyarrow.string()),
        ("unit", pyarrow.string()),
        ("level", pyarrow.string()),
        ("area_code", pyarrow.string()),
        ("year", pyarrow.int64()),
        ("numerator", pyarrow.int64()),
        ("denominator", pyarrow.int64()),
        ("value", pyarrow.float64()),
        ("printed_value", pyarrow.float64()),
        ("printed_text", pyarrow.string()),
        ("agency_code", pyarrow.string()),
        ("source_sheet", pyarrow.string()),
        ("source_cell", pyarrow.string()),
        ("flagged", pyarrow.bool_()),
        ("flag_reason", pyarrow.string()),
        ("withdrawn", pyarrow.bool_()),
    ]
)


def observations_table(parsed: ParsedReturn, catalogue: Catalogue) -> pyarrow.Table:
    """A return's rows as an Arrow table: built column by column in C, inserted by DuckDB without
    touching a Python object, and cheap to send from a worker process."""
    parts = catalogue.parts_index
    rows = parsed.rows
    keys = [parts[(r.plan_code, r.objective_no, r.indicator_no, r.part)] for r in rows]
    readings = [r.reading for r in rows]
    return pyarrow.table(
        {
            "plan_code": [r.plan_code for r in rows],
            "objective_no": [r.objective_no for r in rows],
            "indicator_no": [r.indicator_no for r in rows],
            "part": [r.part for r in rows],
            "indicator_code": [k[0] for k in keys],
            "unit": [k[1] for k in keys],
            "level": [r.level for r in rows],
            "area_code": [r.area_code for r in rows],
            "year": [r.year for r in rows],
            "numerator": [x.numerator for x in readings],
            "denominator": [x.denominator for x in readings],
            "value": [x.value for x in readings],
            "printed_value": [x.printed_value for x in readings],
            "printed_text": [r.printed_text for r in rows],
            "agency_code": [r.agency_code for r in rows],
            "source_sheet": [r.sheet for r in rows],
            "source_cell": [r.cell for r in rows],
            "flagged": [x.flag is not None for x in readings],
            "flag_reason": [x.flag for x in readings],
            "withdrawn": [r.withdrawn for r in rows],
        },
        schema=PARSED_SCHEMA,
    )


ACTIVITY_SCHEMA = pyarrow.schema(
    [
        ("plan_code", pyarrow.string()),
        ("activity_no", pyarrow.int64()),
        ("year", pyarrow.int64()),
        ("agency_code", pyarrow.string()),
        ("role", pyarrow.string()),
        ("status", pyarrow.string()),
        ("done_date", pyarrow.date32()),
        ("area_codes", pyarrow.list_(pyarrow.string())),
        ("area_names", pyarrow.string()),
        ("result_text", pyarrow.string()),
        ("reason", pyarrow.string()),
        ("participants_male", pyarrow.int64()),
        ("participants_female", pyarrow.int64()),
        ("participants_total", pyarrow.int64()),
        ("source_sheet", pyarrow.string()),
        ("source_cell", pyarrow.string()),
    ]
)
SPENDING_SCHEMA = pyarrow.schema(
    [
        ("plan_code", pyarrow.string()),
        ("year", pyarrow.int64()),
        ("agency_code", pyarrow.string()),
        ("source_name", pyarrow.string()),
        ("allocated_million_vnd", pyarrow.float64()),
        ("spent_million_vnd", pyarrow.float64()),
        ("note", pyarrow.string()),
        ("flagged", pyarrow.bool_()),
        ("flag_reason", pyarrow.string()),
        ("source_sheet", pyarrow.string()),
        ("source_cell", pyarrow.string()),
    ]
)


def activities_table(parsed: ParsedReturn) -> pyarrow.Table:
    return pyarrow.Table.from_pylist(
        [
            {
                "plan_code": a.plan_code,
                "activity_no": a.activity_no,
                "year": a.year,
                "agency_code": a.agency_code,
                "role": a.role,
                "status": a.status,
                "done_date": a.done_date,
                "area_codes": a.area_codes,
                "area_names": a.area_names,
                "result_text": a.result_text,
                "reason": a.reason,
                "participants_male": a.participants_male,
                "participants_female": a.participants_female,
                "participants_total": a.participants_total,
                "source_sheet": a.sheet,
                "source_cell": a.cell,
            }
            for a in parsed.activities
        ],
        schema=ACTIVITY_SCHEMA,
    )


def spending_table(parsed: ParsedReturn) -> pyarrow.Table:
    return pyarrow.Table.from_pylist(
        [
            {
                "plan_code": s.plan_code,
                "year": s.year,
                "agency_code": s.agency_code,
                "source_name": s.source_name,
                "allocated_million_vnd": s.allocated,
                "spent_million_vnd": s.spent,
                "note": s.note,
                "flagged": s.flag is not None,
                "flag_reason": s.flag,
                "source_sheet": s.sheet,
                "source_cell": s.cell,
            }
            for s in parsed.spending
        ],
        schema=SPENDING_SCHEMA,
    )


def validate_plan_sheets(parsed: ParsedReturn) -> list[Problem]:
    """The activities and spending of a return, as Arrow tables checked by pandera like the observations."""
    found: list[Problem] = []
    for attribute, build, model in (
        ("activity_frame", activities_table, ActivityReports),
        ("spending_frame", spending_table, SpendingLines),
    ):
        table = build(parsed)
        setattr(parsed, attribute, table)
        if table.num_rows == 0:
            continue
        frame = table.to_pandas(types_mapper={pyarrow.int64(): pd.Int64Dtype()}.get)
        try:
            model.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as err:
            found += [problem for _, problem in _schema_problems(err, frame)]
    return found


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


def _numbers_too_large(parsed: ParsedReturn) -> list[Problem]:
    """Counts beyond what any register holds (and than a 64-bit integer can): a typing slip, said by cell."""
    return [
        Problem(
            row.sheet,
            row.cell,
            "Số quá lớn, không thể là số liệu thống kê",
            f"{value:,}".replace(",", "."),
            "Kiểm tra lại ô này (có thể gõ thừa chữ số hoặc dán nhầm).",
        )
        for row in parsed.rows
        for value in (row.reading.numerator, row.reading.denominator)
        if value is not None and abs(value) > MAX_COUNT
    ]


def validate_returns(returns: list[ParsedReturn], catalogue: Catalogue) -> list[list[Problem]]:
    """pandera (lazy: every error of every file) plus the checks that need the catalogue, per return."""
    problems: list[list[Problem]] = [[] for _ in returns]
    tables = []
    for no, parsed in enumerate(returns):
        if parsed.rows:
            try:
                parsed.frame = observations_table(parsed, catalogue)
            except (OverflowError, pyarrow.ArrowInvalid):
                problems[no] += _numbers_too_large(parsed) or [Problem("(tệp)", "", "Số liệu không đọc được")]
                continue
            tables.append(
                parsed.frame.append_column("return_no", pyarrow.array([no] * parsed.frame.num_rows, pyarrow.int64()))
            )
        elif not parsed.problems and not (parsed.activities or parsed.spending):
            problems[no].append(
                Problem(
                    "(tệp)",
                    "",
                    "Biểu không có dòng số liệu nào",
                    fix="Điền số liệu vào các cột Tử số, Mẫu số hoặc Giá trị (hoặc báo cáo "
                    "hoạt động ở trang “HoatDong”, kinh phí ở trang “KinhPhi”).",
                )
            )
        else:
            parsed.frame = PARSED_SCHEMA.empty_table()  # activities or spending only
        if parsed.activities or parsed.spending:
            problems[no] += validate_plan_sheets(parsed)
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
    known_areas = catalogue.area_codes
    for no, parsed in enumerate(returns):
        if not parsed.rows:
            continue
        plan = catalogue.plan(parsed.plan_code)
        start, end = plan.monitoring_start, plan.monitoring_end
        if outside := outside_monitoring(parsed.plan_code, start, end, parsed.year, "Năm số liệu"):
            first = parsed.rows[0]
            problems[no].append(
                Problem(first.sheet, first.cell, outside, str(parsed.year), "Kiểm tra lại năm báo cáo.")
            )
        problems[no] += [
            Problem(row.sheet, row.cell, "Địa bàn không có trong danh mục", row.area_code)
            for row in parsed.rows
            if row.area_code not in known_areas
        ]
    return problems
