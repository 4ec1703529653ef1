"""Refused returns settled by a correction: once a return of the same plan, agency, year and period is accepted
after a refused one, the refusal is answered. The warehouse says so (``v_submissions_log.settled_by``), the
accepted return's summary names the files it settles, and the refused file's error report in quarantine
gets a line at its top (the report is the project's own file; the refused file itself is left as it is).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from .error_report import note_settled

if TYPE_CHECKING:
    from .recording import FileOutcome

SETTLED_SQL = """
    SELECT file_name, report_path, settled_by, settled_by_seq
    FROM v_submissions_log
    WHERE outcome = 'rejected' AND settled_by_seq IN (SELECT unnest(?::INTEGER[]))
    ORDER BY arrival_seq
"""


def settle_refusals(con: duckdb.DuckDBPyConnection, outcomes: list[FileOutcome]) -> None:
    """After a commit: the refused files each newly accepted return settles, named on its outcome and marked
    in their error reports."""
    accepted = {o.arrival_seq: o for o in outcomes if o.outcome == "accepted" and o.arrival_seq is not None}
    if not accepted:
        return
    for file_name, report_path, settled_by, by_seq in con.execute(SETTLED_SQL, [list(accepted)]).fetchall():
        accepted[by_seq].settles.append(file_name)
        if report_path:
            note_settled(Path(report_path), settled_by)
