"""Sample returns bundled with the project: made by code, written as real .xlsx (and one .docx) files,
and labelled as sample data (DỮ LIỆU MẪU) inside each workbook; the Ninh Thuận appendix is the seed's
own table, copied as printed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..catalogue import Catalogue
from .activity_returns import write_activity_samples
from .ninh_thuan_appendix import report_spec, write_appendix, write_appendix_document
from .trajectories import write_trajectory_samples


def write_samples(target: Path, catalogue: Catalogue) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    appendix = write_appendix(target / "NT-2020_phu-luc_ket-qua-2019.xlsx")
    # received when the plan it is appended to was issued (tháng 02 năm 2020), as the submission tracker reads it
    issued = dt.datetime(2020, 2, 1, 9, 0).timestamp()
    os.utime(appendix, (issued, issued))
    # the same appendix sent again the next day inside the department's Word report: it replaces the workbook
    report = write_appendix_document(target / "NT-2020_bao-cao-ket-qua-2019.docx", report_spec())
    os.utime(report, (issued + 86400, issued + 86400))
    return [appendix, report, *write_trajectory_samples(target, catalogue), *write_activity_samples(target, catalogue)]
