"""The read floor: what merely reading the workload's cells costs — every cell of the sheets the parser
needs (BaoCao and _meta of a template, every sheet of an appendix) with python-calamine, in one process,
without a single check. The rebuild's figures are given as multiples of it, measured in the same run."""

from __future__ import annotations

import time
from pathlib import Path

from python_calamine import CalamineWorkbook

TEMPLATE_SHEETS = ("BaoCao", "_meta")


def read_floor(files: list[Path]) -> tuple[float, int]:
    """Seconds to read every needed cell of ``files``, and how many cells that is."""
    cells = 0
    start = time.perf_counter()
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        wanted = [n for n in TEMPLATE_SHEETS if n in names] if TEMPLATE_SHEETS[0] in names else names
        for name in wanted:
            rows = workbook.get_sheet_by_name(name).to_python()
            cells += sum(len(row) for row in rows)
        workbook.close()
    return time.perf_counter() - start, cells
