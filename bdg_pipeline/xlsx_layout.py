"""Row heights for wrapped text in the workbooks the project writes: set explicitly, since neither
openpyxl nor xlsxwriter sizes rows to their text and not every spreadsheet program does it on opening."""

from __future__ import annotations

LINE_POINTS = 15  # one line of 11 pt Times New Roman


def lines_needed(text: object, width: float) -> int:
    """Lines a wrapped cell of ``width`` (Excel character units) takes."""
    per_line = max(1, int(width * 1.3))  # Times New Roman is narrower than the unit's Calibri digit
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


def row_points(cells: list[tuple[object, float]]) -> int:
    """Height in points of a row holding ``(text, column width)`` cells."""
    return max((lines_needed(text, width) for text, width in cells), default=1) * LINE_POINTS
