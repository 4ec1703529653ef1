"""The national warehouse, built anew from the snapshots in force and the national plans into
``<name>.build.duckdb`` and renamed over the published file: a reader never meets half of a build."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ..attainment import STATUS_VI
from ..config import SQL_DIR, Settings
from ..figures import is_met, value_text
from ..units import format_vn
from ..vocabulary import DIRECTIONS, UNIT_TABLE
from ..warehouse import fsync_dir
from .plan import read_national_plans
from .verify import NEEDED, Manifest

# what each province table takes from the snapshot's files (the columns national.sql declares)
LOADS = {
    "province_attainment": "v_attainment.parquet",
    "province_series": "v_province_series.parquet",
    "province_target": "v_targets.parquet",
}


@dataclass(frozen=True)
class Verdict:
    """What the ministry made of one arrival."""

    seq: int
    file_name: str
    content_hash: str
    received_at: dt.datetime
    archived: Path
    outcome: str  # accepted | superseded | duplicate | rejected
    reason: str
    manifest: Manifest | None = None

    @property
    def in_force(self) -> bool:
        return self.outcome == "accepted"


class SnapshotUnreadable(ValueError):
    """A snapshot whose digests hold but whose tables cannot be loaded (said in Vietnamese)."""

    def __init__(self, seq: int, message: str):
        super().__init__(message)
        self.seq = seq


def build_national(settings: Settings, verdicts: list[Verdict]) -> Path:
    """Build the national warehouse from ``verdicts`` (those in force give their rows) and publish it."""
    plans, targets = read_national_plans(settings.catalogue_dir)
    target = settings.warehouse
    build = settings.build
    target.parent.mkdir(parents=True, exist_ok=True)
    build.unlink(missing_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".quoc_gia.", dir=target.parent))
    try:
        con = duckdb.connect(str(build))
        try:
            con.execute(f"SET memory_limit = '{settings.duckdb_memory}'")
            con.execute((SQL_DIR / "national.sql").read_text(encoding="utf-8"))
            for verdict in verdicts:
                if verdict.in_force and verdict.manifest is not None:
                    _load_snapshot(con, verdict, work)
            _fill_reference(con, verdicts, plans, targets)
            _judge(con, settings.as_of_year)
            from ..dictionary import apply_comments

            apply_comments(con)
        finally:
            con.close()
        with build.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(build, target)
        fsync_dir(target.parent)
    finally:
        build.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return target


def _load_snapshot(con: duckdb.DuckDBPyConnection, verdict: Verdict, work: Path) -> None:
    folder = work / str(verdict.seq)
    folder.mkdir()
    manifest = verdict.manifest
    assert manifest is not None
    with zipfile.ZipFile(verdict.archived) as archive:
        for name in NEEDED:  # known names only: nothing in the zip chooses a path
            (folder / name).write_bytes(archive.read(name))
    try:
        for table, file in LOADS.items():
            columns = [
                r[0]
                for r in con.execute(
                    f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{table}'"
                ).fetchall()
            ]
            chosen = ", ".join("?" if c == "province" else c for c in columns)
            con.execute(
                f"INSERT INTO {table} SELECT {chosen} FROM read_parquet('{folder / file}')", [manifest.province]
            )
        con.execute(
            "INSERT INTO province_plan SELECT ?, plan_code, province_code, title, period_start, period_end "
            f"FROM read_parquet('{folder / 'dim_plan.parquet'}') WHERE plan_code IN (SELECT unnest(?))",
            [manifest.province, manifest.plans],
        )
    except duckdb.Error as exc:
        raise SnapshotUnreadable(
            verdict.seq,
            f"Gói dữ liệu “{verdict.file_name}” không dùng được: không nạp được bảng của gói ({exc}). "
            "Đề nghị tỉnh xuất lại gói dữ liệu bằng lệnh “bdg export” và gửi lại.",
        ) from exc


def _fill_reference(
    con: duckdb.DuckDBPyConnection, verdicts: list[Verdict], plans: pd.DataFrame, targets: pd.DataFrame
) -> None:
    rows = [
        (
            v.seq,
            v.file_name,
            v.content_hash,
            v.received_at,
            v.manifest.province if v.manifest else None,
            "; ".join(v.manifest.plans) if v.manifest else None,
            v.manifest.built_at if v.manifest else None,
            v.manifest.published_at if v.manifest else None,
            v.manifest.exported_at if v.manifest else None,
            v.outcome,
            v.in_force,
            v.reason,
        )
        for v in verdicts
    ]
    if rows:
        con.executemany("INSERT INTO national_snapshot VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.register("plans_frame", plans)
    con.execute("INSERT INTO national_plan BY NAME SELECT * FROM plans_frame")
    con.register("targets_frame", targets)
    con.execute("INSERT INTO national_target BY NAME SELECT * FROM targets_frame")
    scales = pd.DataFrame({"unit": list(UNIT_TABLE), "scale": [u.scale for u in UNIT_TABLE.values()]})
    con.register("scales_frame", scales)
    con.execute("INSERT INTO unit_scale SELECT unit, scale FROM scales_frame")


def _judge(con: duckdb.DuckDBPyConnection, as_of_year: int) -> None:
    """Each national target against the national figure: a target year already past on that year's figure, a
    target year ahead on the latest figure of the plan's period."""
    targets = con.execute("""
        SELECT t.plan_code, t.objective_no, t.indicator_no, t.part, t.indicator_code, t.unit, t.direction,
               t.target_year, t.target_value, p.period_start
        FROM national_target t JOIN national_plan p USING (plan_code)""").fetchall()
    rows = []
    for plan, objective, indicator, part, code, unit, direction, year, goal, start in targets:
        figures = con.execute(
            "SELECT year, value, provinces, numerator, denominator, province_names FROM v_national_figures "
            "WHERE indicator_code = ? AND year BETWEEN ? AND ? AND value IS NOT NULL ORDER BY year",
            [code, start - 1, year],
        ).fetchall()
        wanted = f"mục tiêu {DIRECTIONS[direction].split(' ')[0]} {value_text(goal, unit)} năm {year}"
        final = year < as_of_year
        if final:
            figures = [f for f in figures if f[0] == year]
        if not figures:
            status = "no_data"
            latest_year, latest_value, provinces = None, None, 0
            reason = f"Chưa có số liệu cả nước {'năm ' + str(year) if final else 'trong kỳ'} ({wanted})."
        else:
            latest_year, latest_value, provinces, numerator, denominator, names = figures[-1]
            met = is_met(latest_value, goal, direction, unit)
            status = "achieved" if met else ("not_achieved" if final else "not_yet")
            reason = (
                f"Cả nước năm {latest_year}: {value_text(latest_value, unit, (goal, direction))} "
                f"= {format_vn(numerator, 0)}/{format_vn(denominator, 0)} (tổng tử số và mẫu số của {provinces} tỉnh: "
                f"{names}); {wanted}."
            )
        rows.append(
            (
                plan,
                objective,
                indicator,
                part,
                year,
                latest_year,
                latest_value,
                provinces,
                status,
                STATUS_VI[status],
                reason,
                as_of_year,
            )
        )
    if rows:
        con.executemany("INSERT INTO national_judgement VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
