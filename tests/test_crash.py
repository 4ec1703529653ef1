"""An ingest killed (SIGKILL) inside its transaction: the warehouse is the last good one, and the
file is picked up again by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from bdg_pipeline import pipeline
from bdg_pipeline.returns.template import FIRST_ROW, SHEET
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix
from bdg_pipeline.warehouse import staging_connection, table_checksum

FACTS = ("fact_observation", "submission", "fact_attainment", "file_log")


def checksums(settings, published=False):
    import duckdb

    con = duckdb.connect(str(settings.warehouse), read_only=True) if published else None
    if con is None:
        with staging_connection(settings) as con:
            return {t: table_checksum(con, t) for t in FACTS}
    try:
        return {t: table_checksum(con, t) for t in FACTS}
    finally:
        con.close()


def test_sigkill_inside_the_transaction(env, catalogue, read_warehouse):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    pipeline.rebuild(env)
    before_staging, before_published = checksums(env), checksums(env, published=True)
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023)
    wb[SHEET][f"J{FIRST_ROW}"], wb[SHEET][f"K{FIRST_ROW}"] = 5321, 4812
    path = env.raw_dir / "y_te_2023.xlsx"
    wb.save(path)

    child = subprocess.Popen(
        [sys.executable, "-m", "bdg_pipeline", "ingest", str(path)],
        env={**os.environ, "BDG_PAUSE_AT": "in_transaction", "BDG_PAUSE_SECONDS": "120"},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    for line in child.stderr:  # wait until the rows are inserted but not committed
        if "BDG_PAUSE_AT in_transaction" in line:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert checksums(env, published=True) == before_published
    assert checksums(env) == before_staging  # the uncommitted transaction is gone after recovery
    assert path.exists()  # nothing moved: the file waits in the inbox

    outcome = pipeline.ingest(env, [path]).outcomes[0]
    assert outcome.outcome == "accepted" and outcome.rows == 1
    assert read_warehouse("SELECT numerator, denominator FROM v_observations WHERE source_file = 'y_te_2023.xlsx'") == [
        (5321, 4812)
    ]
