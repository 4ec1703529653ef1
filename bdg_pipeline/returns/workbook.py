"""Opening a workbook an officer sent, defensively: size limits, zip bombs, encrypted and legacy files.

openpyxl parses the XML with defusedxml when it is installed (it is a pinned dependency), which
blocks entity expansion and external entities.
"""

from __future__ import annotations

import io
import re
import xml.sax
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook

from ..config import Settings
from ..config import settings as read_settings
from ..units import format_vn
from .extent import Extent, OdsScan, WorksheetScan, worksheet_titles
from .model import Problem, ReturnRejected
from .zip_parts import BrokenPart, PartTooLarge, scan_parts

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # legacy .xls, and any password-protected .xlsx
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted .xlsx is kept in
WORD_97_STREAM = "WordDocument".encode("utf-16-le")  # the main stream of a Word 97-2003 .doc
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"  # LibreOffice Calc's own format


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_uncompressed_bytes: int
    max_rows: int
    as_of_year: int = 9999  # the judging year: a return about a later year is refused
    max_columns: int = 256

    @classmethod
    def of(cls, settings: Settings | None = None) -> Limits:
        s = settings or read_settings()
        return cls(
            max_file_bytes=int(s.max_file_mb * 2**20),
            max_uncompressed_bytes=int(s.max_uncompressed_mb * 2**20),
            max_rows=s.max_rows,
            as_of_year=s.as_of_year,
            max_columns=s.max_columns,
        )


def _reject(message: str, fix: str, found: str = "") -> ReturnRejected:
    return ReturnRejected([Problem(sheet="(tệp)", cell="", message=message, found=found, fix=fix)])


def open_workbook(path: Path, limits: Limits | None = None, container: Container | None = None) -> Workbook:
    """Open ``path`` with openpyxl (values, merged cells), or raise :class:`ReturnRejected` saying why not."""
    limits = limits or Limits.of()
    has_formulas = (container or check_container(path, limits)).has_formulas
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except ReturnRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds for malformed parts
        raise _reject(
            "Không đọc được nội dung sổ tính",
            "Mở bằng Excel, lưu lại dưới dạng .xlsx rồi gửi lại.",
            f"{type(exc).__name__}: {exc}",
        ) from exc
    for sheet in workbook.worksheets:
        if sheet.max_row > limits.max_rows:
            raise ReturnRejected(
                [
                    Problem(
                        sheet.title,
                        "",
                        f"Trang tính có quá nhiều dòng ({sheet.max_row}, tối đa {limits.max_rows})",
                        fix="Xóa các dòng trống hoặc chia thành nhiều tệp.",
                    )
                ]
            )
    if has_formulas:
        reject_uncached_formulas(path, workbook)
    return workbook


def reject_uncached_formulas(path: Path, values: Workbook | None = None) -> None:
    uncached = formulas_without_values(path, values)
    if uncached:
        raise ReturnRejected(
            [
                Problem(
                    sheet,
                    cell,
                    "Ô có công thức nhưng chưa có giá trị tính sẵn",
                    formula,
                    "Mở tệp bằng Excel (để Excel tính công thức) rồi lưu lại, hoặc ghi số trực tiếp.",
                )
                for sheet, cell, formula in uncached[:50]
            ]
        )


@dataclass(frozen=True)
class CellError:
    """An Excel error value saved in a cell (#DIV/0!, #N/A, #VALUE! ...): not a number, not empty."""

    code: str

    def __str__(self) -> str:
        return self.code


class Grid:
    """The values of one sheet, read by python-calamine, addressed like Excel ("J14").

    python-calamine gives the stored value, not what Excel shows: an error cell reads as empty and 51,61 %
    typed into a percent-formatted cell reads as 0.5161. ``shown`` ({(row, column): value}, 1-based) puts
    back what the officer sees: a :class:`CellError`, or the percent value (51.61).
    """

    def __init__(self, title: str, rows: list[list[Any]], shown: Mapping[tuple[int, int], Any] | None = None):
        self.title = title
        self.rows = rows
        for (row, column), value in (shown or {}).items():
            while len(rows) < row:
                rows.append([])
            cells = rows[row - 1]
            cells.extend([""] * (column - len(cells)))
            cells[column - 1] = value
        self.max_row = len(rows)

    def __getitem__(self, coord: str) -> Any:
        col = "".join(c for c in coord if c.isalpha())
        row = int(coord[len(col) :])
        index = 0
        for c in col:
            index = index * 26 + ord(c.upper()) - 64
        if row > len(self.rows) or index > len(self.rows[row - 1]):
            return None
        value = self.rows[row - 1][index - 1]
        return None if value == "" else value


class Sheets(Mapping[str, Grid]):
    """The sheets of a workbook read by python-calamine, each one read on first use (a template is
    recognised and read from two of its four sheets)."""

    def __init__(
        self,
        book: Any,
        limits: Limits,
        shown: Mapping[str, dict[tuple[int, int], Any]] | None = None,
        values_only: bool = False,
    ):
        self.values_only = values_only  # .xls or .ods: no openpyxl view of it (merged cells, formats)
        self._book = book
        self._names = list(book.sheet_names)
        self._limits = limits
        self._shown = shown or {}
        self._grids: dict[str, Grid] = {}

    def __getitem__(self, name: str) -> Grid:
        if name not in self._grids:
            if name not in self._names:
                raise KeyError(name)
            try:
                sheet = self._book.get_sheet_by_name(name)
                # before a hostile sheet is unpacked (an .xls's own dimensions; .xlsx/.ods were scanned already)
                check_extents(
                    [Extent(name, max(sheet.height, sheet.total_height), max(sheet.width, sheet.total_width))],
                    self._limits,
                )
                self._grids[name] = Grid(name, sheet.to_python(skip_empty_area=False), self._shown.get(name))
                check_extents([Extent(name, self._grids[name].max_row)], self._limits)
            except ReturnRejected:
                raise
            except Exception as exc:
                raise _reject(
                    "Không đọc được nội dung sổ tính",
                    "Mở bằng Excel, lưu lại dưới dạng .xlsx rồi gửi lại.",
                    f"{type(exc).__name__}: {exc}",
                ) from exc
        return self._grids[name]

    def read_so_far(self) -> dict[str, Grid]:
        """The sheets read until now, in the workbook's order."""
        return {name: self._grids[name] for name in self._names if name in self._grids}

    def merged_ranges(self, name: str) -> list[tuple[int, int, int, int]]:
        """(top, left, bottom, right), 0-based: what the format keeps of merged cells (.xls does, .ods not)."""
        ranges = self._book.get_sheet_by_name(name).merged_cell_ranges or []
        return [(top, left, bottom, right) for (top, left), (bottom, right) in ranges]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def open_values(path: Path, limits: Limits | None = None, container: Container | None = None) -> Sheets:
    """The workbook's sheets through python-calamine (fast; XML read without DTDs or entities)."""
    from python_calamine import CalamineWorkbook

    limits = limits or Limits.of()
    container = container or check_container(path, limits)
    try:
        # read through a buffer: names with undecodable bytes open too, and no handle stays open
        book = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    except Exception as exc:
        raise _reject(
            "Không đọc được nội dung sổ tính",
            "Mở bằng Excel, lưu lại dưới dạng .xlsx rồi gửi lại.",
            f"{type(exc).__name__}: {exc}",
        ) from exc
    if container.has_formulas:
        reject_uncached_formulas(path)
    shown = shown_cells(path) if container.has_errors or container.has_percent else None
    return Sheets(book, limits, shown, values_only=container.values_only)


@dataclass(frozen=True)
class Container:
    has_formulas: bool  # some worksheet holds a formula
    has_errors: bool  # some worksheet holds an error value (t="e")
    has_percent: bool = False  # the styles hold a percent number format (built-in 9, 10 or one with "%")
    values_only: bool = False  # Excel 97–2003 (.xls) or OpenDocument (.ods): no number formats known
    word: bool = False  # a Word document (.docx): its tables may hold an appendix


def check_container(path: Path, limits: Limits) -> Container:
    """Size, format and zip checks, before any XML is parsed; what the worksheets hold."""
    size = path.stat().st_size
    if size == 0:
        raise _reject("Tệp rỗng (0 byte)", "Lưu lại biểu báo cáo bằng Excel rồi gửi lại.")
    if size > limits.max_file_bytes:
        raise _reject(
            f"Tệp quá lớn ({size / 2**20:.1f} MB, tối đa {limits.max_file_bytes / 2**20:.0f} MB)",
            "Chia biểu thành nhiều tệp hoặc xóa các trang tính không cần thiết.",
        )
    with path.open("rb") as f:
        head = f.read(8)
    if head == OLE_SIGNATURE:
        # an OLE compound file: an Excel 97–2003 workbook, or an .xlsx encrypted with a password
        content = path.read_bytes()
        if ENCRYPTED_STREAM in content:
            raise _reject("Tệp được đặt mật khẩu", "Bỏ mật khẩu (File > Info > Protect Workbook) rồi lưu lại.")
        if WORD_97_STREAM in content:
            raise _reject(
                "Tài liệu Word 97-2003 (.doc) chưa đọc được",
                "Mở bằng Word, lưu lại dưới dạng “Tài liệu Word (*.docx)” rồi gửi lại.",
            )
        return Container(has_formulas=False, has_errors=False, values_only=True)
    suffix = path.suffix.lower()
    if suffix in {".xlsm", ".xltm", ".xlsb", ".docm"}:
        raise _reject(
            f"Không nhận tệp có macro hoặc dạng nhị phân ({suffix})",
            "Lưu lại dưới dạng “Sổ làm việc Excel (*.xlsx)”, không kèm macro.",
        )
    if not zipfile.is_zipfile(path):
        raise _reject(
            "Tệp không phải là sổ tính Excel .xlsx (có thể là CSV hoặc tệp bị hỏng)",
            "Mở bằng Excel và lưu lại dưới dạng “Sổ làm việc Excel (*.xlsx)”.",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            declared = sum(info.file_size for info in archive.infolist())
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise _reject("Tệp chứa macro (VBA)", "Lưu lại dưới dạng .xlsx không có macro.")
            is_ods = "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE
            is_word = "[Content_Types].xml" in names and "word/document.xml" in names
            if not (is_ods or is_word) and (
                "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names)
            ):
                raise _reject(
                    "Tệp nén không phải sổ tính Excel hay tài liệu Word",
                    "Gửi đúng tệp .xlsx của biểu báo cáo (hoặc báo cáo Word .docx có bảng phụ lục).",
                )
            if any(n.startswith("xl/externalLinks/") for n in names):
                raise _reject(
                    "Tệp có liên kết tới sổ tính khác: số liệu có thể thay đổi theo tệp ngoài",
                    "Sao chép và dán giá trị (Paste Values) thay cho công thức liên kết, xóa liên kết "
                    "(Data > Edit Links > Break Link) rồi lưu lại.",
                )
        if declared > limits.max_uncompressed_bytes:
            raise _too_large(declared, limits)
        return _scan_parts(path, limits, is_ods, is_word)
    except zipfile.BadZipFile as exc:
        raise _reject("Tệp bị hỏng hoặc bị cắt cụt", "Lưu lại tệp bằng Excel rồi gửi lại.", str(exc)) from exc


def _too_large(unpacked: int, limits: Limits) -> ReturnRejected:
    most = limits.max_uncompressed_bytes / 2**20
    return _reject(
        f"Tệp giải nén quá lớn ({unpacked / 2**20:.0f} MB, tối đa {most:.0f} MB)",
        "Tệp có thể bị lỗi hoặc chứa dữ liệu thừa; lưu lại biểu chỉ với số liệu cần báo cáo.",
    )


def _scan_parts(path: Path, limits: Limits, is_ods: bool, is_word: bool) -> Container:
    """Every part unpacked as a stream, its real size counted (not the size its header declares): checksums,
    DTDs, formulas and error values, and how far each sheet reaches, before any reader builds it."""
    has_formulas = has_errors = has_percent = False
    sheets: list[WorksheetScan] = []
    ods = OdsScan() if is_ods else None
    small: dict[str, bytes] = {}  # the workbook and its relationships, to name the sheets
    try:
        for info, chunks in scan_parts(path, limits.max_uncompressed_bytes):
            name = info.filename
            worksheet = (
                WorksheetScan(name, limits.max_rows, limits.max_columns)
                if name.startswith("xl/worksheets/") and name.endswith(".xml")
                else None
            )
            tail = b""
            for data in chunks:
                text = tail + data
                if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
                    # Excel never writes a DTD; one in a workbook is an entity-expansion or XXE attempt
                    raise _reject(
                        "Không đọc được nội dung sổ tính: tệp chứa khai báo DTD/thực thể XML",
                        "Mở bằng Excel, lưu lại dưới dạng .xlsx rồi gửi lại.",
                        name,
                    )
                if worksheet is not None:
                    worksheet.feed(data)
                    has_formulas = has_formulas or b"<f>" in text or b"<f " in text
                    has_errors = has_errors or b't="e"' in text
                elif ods is not None and name == "content.xml":
                    ods.feed(data)
                if name == "xl/styles.xml":
                    has_percent = has_percent or PERCENT_STYLE.search(text) is not None
                if name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") and len(small.get(name, b"")) < 2**22:
                    small[name] = small.get(name, b"") + data
                tail = text[-16:]
            if worksheet is not None:
                sheets.append(worksheet)
    except PartTooLarge as exc:
        raise _too_large(exc.unpacked, limits) from exc
    except BrokenPart as exc:
        raise _reject("Tệp bị hỏng (không giải nén được)", "Lưu lại tệp bằng Excel rồi gửi lại.", str(exc)) from exc
    except xml.sax.SAXException as exc:
        raise _reject("Không đọc được nội dung sổ tính", "Mở bằng LibreOffice, lưu lại rồi gửi lại.", str(exc)) from exc
    extents = [s.finish() for s in sheets]
    if extents and "xl/workbook.xml" in small and "xl/_rels/workbook.xml.rels" in small:
        titles = _titles(small)
        for extent in extents:
            extent.sheet = titles.get(extent.sheet, extent.sheet)
    check_extents(extents + (ods.finish() if ods is not None else []), limits)
    return Container(has_formulas, has_errors, has_percent, values_only=is_ods, word=is_word)


def _titles(small: dict[str, bytes]) -> dict[str, str]:
    try:
        return worksheet_titles(small["xl/workbook.xml"], small["xl/_rels/workbook.xml.rels"])
    except Exception:  # a malformed workbook part is the readers' to refuse; the part name still says which sheet
        return {}


def check_extents(extents: list[Extent], limits: Limits) -> None:
    """Refuse a sheet reaching beyond the row or column limit, before it is built in memory."""
    problems = []
    for extent in extents:
        where = f": dữ liệu kéo tới ô {extent.last_cell}" if extent.columns else ""
        if extent.rows > limits.max_rows:
            problems.append(
                Problem(
                    extent.sheet,
                    "",
                    f"Trang tính có quá nhiều dòng ({format_vn(extent.rows)}, tối đa "
                    f"{format_vn(limits.max_rows)}){where}",
                    fix=EXTENT_FIX,
                )
            )
        if extent.columns > limits.max_columns:
            problems.append(
                Problem(
                    extent.sheet,
                    "",
                    f"Trang tính có quá nhiều cột ({format_vn(extent.columns)}, tối "
                    f"đa {format_vn(limits.max_columns)}){where}",
                    fix=EXTENT_FIX,
                )
            )
    if problems:
        raise ReturnRejected(problems)


EXTENT_FIX = (
    "Xóa các dòng, cột thừa ở xa vùng số liệu (nhấn Ctrl+End để thấy ô cuối cùng còn được giữ), lưu lại "
    "rồi gửi lại; số liệu nhiều hơn thì chia thành nhiều tệp."
)


PERCENT_STYLE = re.compile(rb'numFmtId="(?:9|10)"|formatCode="[^"]*%')


def shown_cells(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    """{sheet: {(row, column): value as Excel shows it}} for the cells python-calamine reads otherwise:
    Excel errors (a :class:`CellError`) and numbers in percent format (× 100: 0.5161 shown as 51,61 %)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    found: dict[str, dict[tuple[int, int], Any]] = {}
    try:
        for sheet in book.worksheets:
            cells: dict[tuple[int, int], Any] = {}
            for row in sheet.iter_rows():
                for c in row:
                    kind = getattr(c, "data_type", None)
                    if kind == "e":
                        cells[(c.row, c.column)] = CellError(str(c.value))
                    elif kind == "n" and isinstance(c.value, (int, float)) and "%" in (c.number_format or ""):
                        cells[(c.row, c.column)] = round(c.value * 100, 10)
            found[sheet.title] = cells
    finally:
        book.close()
    return found


def formulas_without_values(path: Path, values: Workbook | None = None) -> list[tuple[str, str, str]]:
    """Cells holding a formula whose result was never saved (files written by programs, not Excel).

    Such a cell reads as empty, which would silently drop a number the officer meant to report. Called
    when :func:`check_container` saw a formula in some worksheet.
    """
    values = values or openpyxl.load_workbook(path, read_only=True, data_only=True)
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    found = []
    try:
        for sheet in formulas.worksheets:
            shown = {
                (c.row, c.column): c.value
                for row in values[sheet.title].iter_rows()
                for c in row
                if hasattr(c, "column")
            }
            for row in sheet.iter_rows():
                for cell in row:
                    if (
                        isinstance(cell.value, str)
                        and cell.value.startswith("=")
                        and cell.data_type == "f"
                        and shown.get((cell.row, cell.column)) is None
                    ):
                        found.append((sheet.title, cell.coordinate, cell.value))
    finally:
        formulas.close()
    return found


def shown_value(cell: Any) -> object:
    """A cell's value as Excel shows it: a number in percent format as “51,61%” (stored as 0.5161)."""
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return f"{format_vn(value * 100, 10)}%"
    return value
