"""A return without a report date is dated by its file's time, capped at its arrival in the archive: an
undated correction sent after its original is in force even when the original's file says a later day; an
undated appendix keeps its own older time against a dated report."""

from __future__ import annotations

import datetime as dt
import os

from bdg_pipeline import pipeline

from .operations import filled, published


def stamp(path, when: dt.datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_an_undated_correction_received_later_wins_whatever_the_file_times(env, catalogue):
    original = filled(catalogue, env.raw_dir / "y_te_2023.xlsx", numerator=5000)
    stamp(original, dt.datetime(2036, 1, 15, 9))  # a copy whose time lies ahead (a wrong clock, a generator)
    pipeline.ingest(env, [original])
    correction = filled(catalogue, env.raw_dir / "y_te_2023_sua.xlsx", numerator=6000)  # written now
    summary = pipeline.ingest(env, [correction])
    assert [o.outcome for o in summary.outcomes] == ["accepted"]

    rows = published(
        env,
        "SELECT s.file_name, s.report_date, CAST(s.received_at AS DATE), "
        "CAST(s.arrived_at AS DATE) = current_date FROM submission s ORDER BY s.arrival_seq",
    )
    assert rows == [
        ("y_te_2023.xlsx", None, dt.date(2036, 1, 15), True),
        ("y_te_2023_sua.xlsx", None, dt.date.today(), True),
    ]
    in_force = published(
        env,
        "SELECT o.numerator, s.file_name FROM v_observations o JOIN submission s "
        "USING (submission_id) WHERE o.numerator IS NOT NULL",
    )
    assert in_force == [(6000, "y_te_2023_sua.xlsx")]
    statuses = published(env, "SELECT file_name, status FROM submission ORDER BY arrival_seq")
    assert statuses == [("y_te_2023.xlsx", "superseded"), ("y_te_2023_sua.xlsx", "accepted")]

    pipeline.rebuild(env)  # the ledger keeps the arrivals' days: a rebuild decides the same
    assert published(env, "SELECT file_name, status FROM submission ORDER BY arrival_seq") == statuses
