"""Opening a workbook an officer sent, defensively: size limits, zip bombs, encrypted and legacy files.

openpyxl parses the XML with defusedxml when it is installed (it is a pinned dependency), which
blocks entity expansion and external entities.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .model import Problem, ReturnRejected

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # legacy .xls, and any password-protected .xlsx


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_uncompressed_bytes: int
    max_rows: int

    @classmethod
    def from_env(cls) -> "Limits":
        return cls(
            max_file_bytes=int(float(os.environ.get("BDG_MAX_FILE_MB", "100")) * 2**20),
            max_uncompressed_bytes=int(float(os.environ.get("BDG_MAX_UNCOMPRESSED_MB", "600")) * 2**20),
            max_rows=int(os.environ.get("BDG_MAX_ROWS", "200000")),
        )


def _reject(message: str, fix: str, found: str = "") -> ReturnRejected:
    return ReturnRejected([Problem(sheet="(tệp)", cell="", message=message, found=found, fix=fix)])


def open_workbook(path: Path, limits: Limits | None = None) -> Workbook:
    """Open ``path`` for reading values, or raise :class:`ReturnRejected` saying why not."""
    limits = limits or Limits.from_env()
    size = path.stat().st_size
    if size == 0:
        raise _reject("Tệp rỗng (0 byte)", "Lưu lại biểu báo cáo bằng Excel rồi gửi lại.")
    if size > limits.max_file_bytes:
        raise _reject(f"Tệp quá lớn ({size / 2**20:.1f} MB, tối đa {limits.max_file_bytes / 2**20:.0f} MB)",
                      "Chia biểu thành nhiều tệp hoặc xóa các trang tính không cần thiết.")
    with path.open("rb") as f:
        head = f.read(8)
    if head == OLE_SIGNATURE:
        raise _reject("Tệp được đặt mật khẩu hoặc là định dạng Excel cũ (.xls)",
                      "Bỏ mật khẩu và lưu lại dưới dạng “Sổ làm việc Excel (*.xlsx)”.")
    suffix = path.suffix.lower()
    if suffix in {".xlsm", ".xltm", ".xlsb"}:
        raise _reject(f"Không nhận tệp có macro hoặc dạng nhị phân ({suffix})",
                      "Lưu lại dưới dạng “Sổ làm việc Excel (*.xlsx)”, không kèm macro.")
    if not zipfile.is_zipfile(path):
        raise _reject("Tệp không phải là sổ tính Excel .xlsx (có thể là CSV hoặc tệp bị hỏng)",
                      "Mở bằng Excel và lưu lại dưới dạng “Sổ làm việc Excel (*.xlsx)”.")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise _reject("Tệp chứa macro (VBA)", "Lưu lại dưới dạng .xlsx không có macro.")
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise _reject("Tệp nén không phải sổ tính Excel", "Gửi đúng tệp .xlsx của biểu báo cáo.")
            if any(n.startswith("xl/externalLinks/") for n in names):
                raise _reject("Tệp có liên kết tới sổ tính khác: số liệu có thể thay đổi theo tệp ngoài",
                              "Sao chép và dán giá trị (Paste Values) thay cho công thức liên kết, xóa liên kết "
                              "(Data > Edit Links > Break Link) rồi lưu lại.")
            if unpacked > limits.max_uncompressed_bytes:
                raise _reject(f"Tệp giải nén quá lớn ({unpacked / 2**20:.0f} MB, tối đa "
                              f"{limits.max_uncompressed_bytes / 2**20:.0f} MB)",
                              "Tệp có thể bị lỗi hoặc chứa dữ liệu thừa; lưu lại biểu chỉ với số liệu cần báo cáo.")
            bad = archive.testzip()
            if bad:
                raise _reject("Tệp bị hỏng (không giải nén được)", "Lưu lại tệp bằng Excel rồi gửi lại.", bad)
    except zipfile.BadZipFile as exc:
        raise _reject("Tệp bị hỏng hoặc bị cắt cụt", "Lưu lại tệp bằng Excel rồi gửi lại.", str(exc)) from exc
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except ReturnRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds for malformed parts
        raise _reject("Không đọc được nội dung sổ tính", "Mở bằng Excel, lưu lại dưới dạng .xlsx rồi gửi lại.",
                      f"{type(exc).__name__}: {exc}") from exc
    for sheet in workbook.worksheets:
        if sheet.max_row > limits.max_rows:
            raise ReturnRejected([Problem(sheet.title, "", f"Trang tính có quá nhiều dòng ({sheet.max_row}, tối đa "
                                          f"{limits.max_rows})", fix="Xóa các dòng trống hoặc chia thành nhiều tệp.")])
    uncached = formulas_without_values(path, workbook)
    if uncached:
        raise ReturnRejected([Problem(sheet, cell, "Ô có công thức nhưng chưa có giá trị tính sẵn", formula,
                                      "Mở tệp bằng Excel (để Excel tính công thức) rồi lưu lại, hoặc ghi số trực tiếp.")
                              for sheet, cell, formula in uncached[:50]])
    return workbook


def formulas_without_values(path: Path, values: Workbook) -> list[tuple[str, str, str]]:
    """Cells holding a formula whose result was never saved (files written by programs, not Excel).

    Such a cell reads as empty, which would silently drop a number the officer meant to report.
    """
    with zipfile.ZipFile(path) as archive:
        if not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                   for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            return []
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    found = []
    try:
        for sheet in formulas.worksheets:
            shown = values[sheet.title]
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type == "f" \
                            and shown[cell.coordinate].value is None:
                        found.append((sheet.title, cell.coordinate, cell.value))
    finally:
        formulas.close()
    return found


def merged_value(sheet: Worksheet, row: int, column: int) -> object:
    """The value shown in a cell, taking merged ranges into account (the top-left cell holds it)."""
    cell = sheet.cell(row=row, column=column)
    if cell.value is not None:
        return cell.value
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return sheet.cell(row=merged.min_row, column=merged.min_col).value
    return None
