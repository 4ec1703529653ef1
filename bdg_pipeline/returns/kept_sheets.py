"""Sheets kept beside the archive: the half of reading a template that needs no catalogue — opening the
workbook defensively (``workbook.check_container``) and reading its sheets' values with python-calamine (with
what Excel shows put back) — kept so that a change to the reading code or to the catalogue reads the kept
sheets again, not the workbooks.

``data/archive/sheets/<key>/<file digest>.<crc32>.arrow`` holds the sheets a template's reader used, one
Arrow IPC stream per workbook (LZ4), named like the kept readings (``readings``): written under a
temporary name and renamed, its CRC-32 in its name, so a file cut short or damaged is read again from the
archive. The key is the digest of what opening depends on: the code that opens (this module and the
modules it reads with), python-calamine's and openpyxl's versions, and the size limits. The reading key
(``readings.reading_key``) includes this module's code, so a reading never outlives the sheets it was made
from.

Layout: sheet after sheet down the rows of one table; column ``j`` of the sheets is two Arrow columns,
``t<j>`` (text) and ``n<j>`` (number), an empty cell null in both. The few cells of other kinds (a date, a
whole number, true/false, an Excel error ...) are listed in the schema's metadata with the sheets' names,
heights and widths and the workbook's sheet names. Only templates are kept (appendices need merged cells
and number formats, which are not values).

Kept sheets are derived state: deleting any of them only costs opening the workbooks again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow
import pyarrow.compute
import pyarrow.ipc

from . import extent, workbook, zip_parts
from .derived import checksum, code_digest, write_whole
from .workbook import CellError, Grid, Limits

log = logging.getLogger(__name__)
FORMAT = 1  # the layout of kept sheets; raising it sets every kept sheet aside
HEADER = b"bdg_sheets"
OPENING_CODE = (workbook, extent, zip_parts)  # with this module: what turns a workbook's bytes into grids
OPENING_LIBRARIES = ("python-calamine", "openpyxl", "defusedxml", "pyarrow")
_OPTIONS = pyarrow.ipc.IpcWriteOptions(compression="lz4")  # zstd is a third smaller, and slower to open


class SheetNotKept(Exception):
    """The reader asked for a sheet of the workbook that was not kept: open the workbook itself."""


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    opening = sorted(Path(str(module.__file__)) for module in (*OPENING_CODE, sys.modules[__name__]))
    return code_digest(f"{FORMAT}\0{sys.version}", OPENING_LIBRARIES, opening, Path(__file__).parent.parent)


def sheets_key(limits: Limits) -> str:
    """What kept sheets depend on besides the file's bytes, as a short name (the judging year is not)."""
    sizes = (limits.max_file_bytes, limits.max_uncompressed_bytes, limits.max_rows, limits.max_columns)
    return hashlib.sha256(f"{_code_digest()}\0{sizes!r}".encode()).hexdigest()[:24]


def sheets_dir(archive_dir: Path) -> Path:
    return archive_dir / "sheets"


class KeptBook(Mapping[str, Grid]):
    """A template's kept sheets, read like the workbook (``workbook.Sheets``): every sheet name is there,
    but asking for one that was not kept raises :class:`SheetNotKept`."""

    def __init__(self, names: list[str], grids: dict[str, Grid], values_only: bool):
        self._names = names
        self._grids = grids
        self.values_only = values_only

    def __getitem__(self, name: str) -> Grid:
        if name in self._grids:
            return self._grids[name]
        if name in self._names:
            raise SheetNotKept(name)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


# -- cells of kinds other than text and float, written in the metadata -------------------------------------
def _other(value: Any) -> list | None:
    """[kind, what it holds] for a cell that is neither text nor a float; None for one not known here."""
    kind = type(value)
    if kind is bool:
        return ["bool", value]
    if kind is int:
        return ["int", str(value)]  # JSON numbers lose whole numbers beyond 2**53
    if kind is CellError:
        return ["error", value.code]
    if kind in (dt.datetime, dt.date, dt.time):
        return [kind.__name__, value.isoformat()]
    if kind is dt.timedelta:
        return ["timedelta", [value.days, value.seconds, value.microseconds]]
    if value is None:
        return ["none", None]
    return None


def _restore(kind: str, held: Any) -> Any:
    if kind == "bool":
        return bool(held)
    if kind == "int":
        return int(held)
    if kind == "error":
        return CellError(held)
    if kind == "datetime":
        return dt.datetime.fromisoformat(held)
    if kind == "date":
        return dt.date.fromisoformat(held)
    if kind == "time":
        return dt.time.fromisoformat(held)
    if kind == "timedelta":
        return dt.timedelta(days=held[0], seconds=held[1], microseconds=held[2])
    if kind == "none":
        return None
    raise ValueError(f"cell of unknown kind {kind!r}")


def encode(names: list[str], grids: dict[str, Grid], values_only: bool) -> bytes | None:
    """The kept form of a workbook's sheets; None when a cell holds what this layout cannot say exactly."""
    width = max((len(row) for grid in grids.values() for row in grid.rows), default=0)
    texts: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[list[float | None]] = [[] for _ in range(width)]
    others: list[list] = []
    shapes = []
    top = 0
    for name, grid in grids.items():
        lengths = {len(row) for row in grid.rows}
        shapes.append([name, len(grid.rows), sorted(lengths)[0] if len(lengths) == 1 else [len(r) for r in grid.rows]])
        rows = grid.rows if lengths == {width} else [[*row, *[""] * (width - len(row))] for row in grid.rows]
        for j, column in enumerate(zip(*rows, strict=True)):
            kinds = set(map(type, column))
            if kinds == {str}:  # most columns: text and empty cells only
                texts[j] += [v or None for v in column]
                numbers[j] += [None] * len(column)
                continue
            texts[j] += [v if type(v) is str and v else None for v in column]
            numbers[j] += [v if type(v) is float else None for v in column]
            if kinds <= {str, float}:
                continue
            for i, v in enumerate(column):
                if type(v) is not str and type(v) is not float:
                    other = _other(v)
                    if other is None:
                        return None
                    others.append([top + i, j, *other])
        top += len(grid.rows)
    columns = {}
    for j in range(width):
        columns[f"t{j}"] = pyarrow.array(texts[j], pyarrow.string())
        columns[f"n{j}"] = pyarrow.array(numbers[j], pyarrow.float64())
    header = {"format": FORMAT, "names": names, "values_only": values_only, "shapes": shapes, "others": others}
    table = pyarrow.table(columns) if columns else pyarrow.table({"empty": pyarrow.nulls(top)})
    table = table.replace_schema_metadata({HEADER: json.dumps(header, ensure_ascii=False).encode()})
    sink = pyarrow.BufferOutputStream()
    with pyarrow.ipc.new_stream(sink, table.schema, options=_OPTIONS) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _column(part: pyarrow.Table, j: int) -> list[Any]:
    """Column ``j`` of a sheet as Python values: its text, with its numbers put in their rows."""
    column = pyarrow.compute.fill_null(part.column(f"t{j}"), "").to_pylist()
    numbers = part.column(f"n{j}")
    if numbers.null_count < len(numbers):
        at = pyarrow.compute.indices_nonzero(numbers.is_valid())
        for i, n in zip(at.to_pylist(), numbers.take(at).to_pylist(), strict=True):
            column[i] = n
    return column


def decode(data: bytes) -> KeptBook:
    table = pyarrow.ipc.open_stream(pyarrow.py_buffer(data)).read_all()
    header = json.loads((table.schema.metadata or {})[HEADER])
    if header["format"] != FORMAT:
        raise ValueError("kept sheets of another layout")
    if table.num_rows != sum(height for _, height, _ in header["shapes"]):
        raise ValueError("kept sheets of another height")
    others: dict[int, list] = {}
    for i, j, kind, held in header["others"]:
        others.setdefault(i, []).append((j, _restore(kind, held)))
    grids = {}
    top = 0
    for name, height, lengths in header["shapes"]:
        part = table.slice(top, height)
        width = lengths if isinstance(lengths, int) else max(lengths, default=0)
        rows = list(map(list, zip(*(_column(part, j) for j in range(width)), strict=True)))
        if not width:
            rows = [[] for _ in range(height)]
        if not isinstance(lengths, int):
            rows = [row[:n] for row, n in zip(rows, lengths, strict=True)]
        for i in (i for i in others if top <= i < top + height):
            for j, value in others[i]:
                rows[i - top][j] = value
        top += height
        grids[name] = Grid(name, rows)
    return KeptBook(header["names"], grids, header["values_only"])


@dataclass(frozen=True)
class SheetsAt:
    """Where a file's sheets are kept, or would be: the folder of the key, the file's digest, and the name of
    its kept sheets when there are some."""

    folder: Path
    digest: str
    name: str | None


class KeptSheets:
    """The sheets kept under one key, as found when the run began (the names the readers are told)."""

    def __init__(self, root: Path, key: str):
        self.dir = root / key
        self.names: dict[str, str] = {}  # digest → file name
        if self.dir.is_dir():
            for entry in os.scandir(self.dir):
                parts = entry.name.split(".")
                if len(parts) == 3 and parts[2] == "arrow" and len(parts[0]) == 64:
                    self.names[parts[0]] = entry.name

    def at(self, digest: str) -> SheetsAt:
        return SheetsAt(self.dir, digest, self.names.get(digest))


def recall(at: SheetsAt) -> KeptBook | None:
    """The kept sheets of a file; None when there are none to trust (then the workbook is opened)."""
    if at.name is None:
        return None
    try:
        data = (at.folder / at.name).read_bytes()
        if checksum(data) != at.name.split(".")[1]:
            raise ValueError("checksum does not match")
        return decode(data)
    except Exception as exc:  # damaged, cut short, or of another layout
        log.warning("kept sheets %s set aside (%s: %s)", at.name[:16], type(exc).__name__, exc)
        (at.folder / at.name).unlink(missing_ok=True)
        return None


def keep(at: SheetsAt, names: list[str], grids: dict[str, Grid], values_only: bool) -> None:
    """Keep a template's sheets; a folder that cannot be written, or a cell the layout cannot hold, only
    costs the keeping."""
    try:
        data = encode(names, grids, values_only)
    except (pyarrow.ArrowException, ValueError, TypeError) as exc:  # text that is not UTF-8, a huge number
        log.warning("sheets of %s not kept: %s", at.digest[:16], exc)
        return
    if data is None:
        return
    name = f"{at.digest}.{checksum(data)}.arrow"
    try:
        write_whole(at.folder, name, data)
    except OSError as exc:
        log.warning("sheets of %s not kept: %s", at.digest[:16], exc)
        return
    if at.name is not None and at.name != name:  # kept again with a sheet more: the earlier file goes
        (at.folder / at.name).unlink(missing_ok=True)
