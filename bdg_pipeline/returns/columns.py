"""The columns of a template sheet: one table the writer and the reader both go by."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Column:
    """One column of a sheet of the template."""

    key: str
    title: str
    width: int
    officer_fills: bool = False  # unlocked for the officer; the others are locked and shaded
    number_format: str | None = None


def positions(columns: tuple[Column, ...]) -> dict[str, int]:
    """{key: 0-based position}, as in a row of values."""
    return {c.key: i for i, c in enumerate(columns)}


def letters(columns: tuple[Column, ...]) -> dict[str, str]:
    """{key: column letter}, as Excel names it."""
    return {c.key: get_column_letter(i + 1) for i, c in enumerate(columns)}
