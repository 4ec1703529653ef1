"""The report appendix workbook read back as an officer sees it: every row of every level sheet, keyed by its
plan, objective, chỉ tiêu, part, level, area and target year."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl

from bdg_pipeline.reports.appendix_report import HEADER_ROW
from bdg_pipeline.vocabulary import LEVELS

LEVEL_OF_SHEET = {label: code for code, label in LEVELS.items()}


def workbook_rows(path: Path) -> Iterator[tuple[tuple, tuple]]:
    """((plan, objective, indicator, part, level, area, target year), the row's cells) of every level sheet."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        level = LEVEL_OF_SHEET.get(sheet.title)
        if level is None:
            continue
        plan, objective = "", 0
        for row in sheet.iter_rows(min_row=HEADER_ROW + 2, values_only=True):
            if row[0]:
                plan, number = re.match(r"\[(.+?)\] Mục tiêu (\d+)", row[0]).groups()
                objective = int(number)
            indicator, part = re.match(r"Chỉ tiêu (\d+)(?: \((\w+)[:)])?", row[1]).groups()
            year = int(re.search(r"\(năm (\d{4})\)", row[3]).group(1))
            yield (plan, objective, int(indicator), part or "", level, row[2], year), row
