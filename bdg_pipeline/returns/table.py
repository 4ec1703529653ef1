"""The table of an appendix (phụ lục) as the officer sees it, whatever it was saved as: a worksheet of an
.xlsx (openpyxl), of an .xls or .ods (python-calamine) or a table of a Word report (.docx, python-docx).

Every cell holds what is shown: a percent-formatted number as “51,61%”, an Excel error as a
:class:`CellError`, and a merged cell's value repeated in every cell it covers (as Word itself reports
merged cells), so the reader of layouts never needs to know where a table came from.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from ..numbers import normalize_text
from ..units import format_vn
from .model import Problem, ReturnRejected
from .workbook import CellError, Limits, Sheets, shown_value

MAX_COLUMNS = 40  # an appendix is a few columns wide; anything further right is not read


@dataclass
class Table:
    """One table: ``cells[row][column]`` (0-based) as shown; in a Word document, ``above`` and ``below`` are
    the document's lines before and after it (paragraphs, and the rows of its other tables: the quốc hiệu,
    the signature block). In a worksheet the lines around the table are rows of the sheet itself."""

    source: str  # sheet name, or “Bảng 2” for the second table of a Word document
    cells: list[list[Any]]
    above: list[str] = field(default_factory=list)
    below: list[str] = field(default_factory=list)
    in_word: bool = False  # cells are named “dòng 7, cột 3” (Word has no A1 names)
    formats_unknown: bool = False  # .xls/.ods read without number formats: 51,61 % may read 0.5161
    width: int = field(init=False)

    def __post_init__(self) -> None:
        self.width = min(MAX_COLUMNS, max((len(r) for r in self.cells), default=0))
        for row in self.cells:
            del row[self.width :]
            row.extend([None] * (self.width - len(row)))

    def name(self, row: int, column: int) -> str:
        if self.in_word:
            return f"dòng {row + 1}, cột {column + 1}"
        return f"{get_column_letter(column + 1)}{row + 1}"

    def column_name(self, column: int) -> str:
        return f"cột {column + 1}" if self.in_word else f"cột {get_column_letter(column + 1)}"

    def value(self, row: int, column: int) -> Any:
        value = self.cells[row][column]
        return None if isinstance(value, str) and not value.strip() else value

    def text(self, row: int, column: int) -> str:
        """The cell as text written the Vietnamese way (a number 8688 as “8.688”, 108.5 as “108,5”)."""
        value = self.value(row, column)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "Có" if value else "Không"
        if isinstance(value, float) and not math.isfinite(value):
            return "NaN" if value != value else "INF"  # written by a program, not Excel: refused where read
        if isinstance(value, (int, float)):
            return format_vn(value, 10)
        return normalize_text(str(value))

    def maybe_unformatted_percent(self, row: int, column: int) -> bool:
        """A bare fraction like 0.5161 in a file whose number formats are unknown: possibly 51,61 %."""
        value = self.value(row, column)
        return self.formats_unknown and isinstance(value, float) and not isinstance(value, bool) and 0 < value < 1


def _fill_merged(cells: list[list[Any]], ranges: list[tuple[int, int, int, int]]) -> None:
    """Repeat each merged range's top-left value over the range (0-based, inclusive bounds)."""
    for top, left, bottom, right in ranges:
        if top >= len(cells):
            continue
        value = cells[top][left] if left < len(cells[top]) else None
        for r in range(top, min(bottom, len(cells) - 1) + 1):
            row = cells[r]
            for c in range(left, min(right, MAX_COLUMNS - 1) + 1):
                row.extend([None] * (c + 1 - len(row)))
                row[c] = value


def tables_of_workbook(workbook: Workbook) -> Iterator[Table]:
    """The visible worksheets of an .xlsx read with openpyxl (merged ranges and number formats)."""
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        cells: list[list[Any]] = []
        for row in sheet.iter_rows(max_col=min(sheet.max_column, MAX_COLUMNS)):
            cells.append(
                [CellError(str(c.value)) if c.data_type == "e" and c.value is not None else shown_value(c) for c in row]
            )
        _fill_merged(
            cells, [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in sheet.merged_cells.ranges]
        )
        yield Table(sheet.title, cells)


def tables_of_sheets(sheets: Sheets) -> Iterator[Table]:
    """The sheets of an .xls or .ods read with python-calamine (merged ranges when the format keeps them)."""
    for name in sheets:
        grid = sheets[name]
        cells = [list(row) for row in grid.rows]
        _fill_merged(cells, sheets.merged_ranges(name))
        yield Table(name, cells, formats_unknown=True)


def row_text(cells: list[Any]) -> str:
    """A row as one line: its texts left to right, a merged cell's text once, cells apart by “ | ”."""
    texts: list[str] = []
    for value in cells:
        text = normalize_text(str(value)) if value is not None else ""
        if text and text not in texts:
            texts.append(text)
    return " | ".join(texts)


def tables_of_document(path: Path, limits: Limits) -> Iterator[Table]:
    """The tables of a Word report (.docx), each with the document's lines above and below it."""
    from docx import Document
    from docx.table import Table as WordTable

    try:
        document = Document(io.BytesIO(path.read_bytes()))
    except Exception as exc:
        fix = "Mở bằng Word, lưu lại dưới dạng “Tài liệu Word (*.docx)” rồi gửi lại."
        raise ReturnRejected(
            [Problem("(tệp)", "", "Không đọc được nội dung tài liệu Word", f"{type(exc).__name__}: {exc}", fix)]
        ) from exc
    blocks: list[list[list[str]] | str] = []  # a table's cells, or a paragraph's text
    for block in document.iter_inner_content():
        if not isinstance(block, WordTable):
            blocks.append(block.text)
            continue
        if len(block.rows) > limits.max_rows:
            raise ReturnRejected(
                [
                    Problem(
                        f"Bảng {sum(isinstance(b, list) for b in blocks) + 1}",
                        "",
                        f"Bảng có quá nhiều dòng ({len(block.rows)}, tối đa {limits.max_rows})",
                        fix="Chia bảng thành nhiều tài liệu.",
                    )
                ]
            )
        blocks.append([[cell.text for cell in row.cells[:MAX_COLUMNS]] for row in block.rows])

    def lines(part: list[list[list[str]] | str]) -> list[str]:
        found = [
            normalize_text(b) if isinstance(b, str) else row_text(list(r))
            for b in part
            for r in ([b] if isinstance(b, str) else b)
        ]
        return [line for line in found if line]

    number = 0
    for at, content in enumerate(blocks):
        if isinstance(content, list):
            number += 1
            yield Table(
                f"Bảng {number}", [list(r) for r in content], lines(blocks[:at]), lines(blocks[at + 1 :]), in_word=True
            )
