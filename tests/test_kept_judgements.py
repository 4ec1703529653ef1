"""A build takes a plan's judgements and expected path from the staging it replaces when the plan is judged from
the same inputs (its targets, its province's series, the year of judgement, the judging code), and judges it
otherwise: the warehouse is the same as one judging every plan, table by table, whatever changed; and losing
the staging replaced, or its digests, only costs judging again."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bdg_pipeline import attainment, kept_judgements, pipeline
from bdg_pipeline.returns import readings
from bdg_pipeline.samples import write_samples
from bdg_pipeline.warehouse import open_writer

from .conftest import settings_in
from .operations import filled
from .test_readings import warehouse_state

JUDGED_TABLES = ("fact_attainment", "fact_progress", "attainment_inputs", "fact_province_series")


@contextmanager
def judged_plans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The plans the attainment step judges (rather than takes) while in the block."""
    judged: list[str] = []
    real = attainment.judge_plans

    def judging(con, plans, as_of_year):
        judged.extend(plan for plan, _ in plans)
        return real(con, plans, as_of_year)

    with monkeypatch.context() as m:
        m.setattr(attainment, "judge_plans", judging)
        yield judged


@pytest.fixture(scope="module")
def built(tmp_path_factory, catalogue):
    """The sample returns and a refused one, ingested and rebuilt: a staging whose every plan has its digest."""
    with settings_in(tmp_path_factory.mktemp("kept_judgements")) as s:
        write_samples(s.raw_dir, catalogue)
        filled(catalogue, s.raw_dir / "am.xlsx", numerator=-5)
        pipeline.ingest(s, sorted(s.raw_dir.iterdir()))
        pipeline.rebuild(s)
        yield s


def all_plans(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {p for (p,) in con.execute("SELECT plan_code FROM dim_plan").fetchall()}


def test_a_cold_rebuild_takes_every_judgement_and_equals_one_judging_everything(built, monkeypatch):
    settings_ = built
    plans = all_plans(settings_.staging)
    assert len(plans) == 5
    shutil.rmtree(readings.readings_dir(settings_.archive_dir))  # as after a change to the reading code
    with judged_plans(monkeypatch) as judged:
        summary = pipeline.rebuild(settings_)
    assert not summary.kept and summary.accepted and judged == []  # every plan's rows taken
    kept = warehouse_state(settings_)
    assert sum(len(kept[t]) for t in JUDGED_TABLES) > 1000 and len(kept["attainment_inputs"]) == len(plans)

    settings_.staging.unlink()  # nothing to take from: every plan judged
    with judged_plans(monkeypatch) as judged:
        pipeline.rebuild(settings_)
    assert sorted(judged) == sorted(plans)
    scratch = warehouse_state(settings_)
    assert scratch.keys() == kept.keys()
    for name in scratch:
        assert scratch[name] == kept[name], name


def digests_lost(staging: Path) -> None:
    with duckdb.connect(str(staging)) as con:
        con.execute("DELETE FROM attainment_inputs")


def digest_table_dropped(staging: Path) -> None:
    with duckdb.connect(str(staging)) as con:
        con.execute("DROP TABLE attainment_inputs")


def staging_garbled(staging: Path) -> None:
    staging.write_bytes(b"not a database" * 1000)


def rows_of_a_table_lost(staging: Path) -> None:
    """Judgements gone under digests that still name them: not a state any write leaves, but one taking must
    survive the way it survives any other damage — by reading what it can and judging the rest."""
    with duckdb.connect(str(staging)) as con:
        con.execute("DROP TABLE fact_progress")


@pytest.mark.parametrize("loss", [digests_lost, digest_table_dropped, staging_garbled, rows_of_a_table_lost])
def test_losing_the_replaced_staging_or_its_digests_only_costs_judging_again(built, monkeypatch, loss):
    settings_ = built
    pipeline.rebuild(settings_)
    before = warehouse_state(settings_)
    loss(settings_.staging)
    shutil.rmtree(readings.readings_dir(settings_.archive_dir), ignore_errors=True)
    with judged_plans(monkeypatch) as judged:
        summary = pipeline.rebuild(settings_)
    assert not summary.kept and sorted(judged) == sorted(all_plans(settings_.staging))
    assert warehouse_state(settings_) == before


# -- every kind of change a judgement's inputs may see, on copies of a built staging -----------------------
def fresh(con: duckdb.DuckDBPyConnection) -> None:
    """The staging as a build finds it once every return is recorded: nothing judged, every plan stale."""
    for table in JUDGED_TABLES:
        con.execute(f"DELETE FROM {table}")
    pipeline.mark_all_stale(con)


def observation_changed(con: duckdb.DuckDBPyConnection, n: int, amount: float) -> None:
    row = n % con.execute("SELECT count(*) FROM fact_observation WHERE value IS NOT NULL").fetchone()[0]
    con.execute(
        "UPDATE fact_observation SET value = value + ? WHERE rowid = "
        "(SELECT rowid FROM fact_observation WHERE value IS NOT NULL ORDER BY ALL LIMIT 1 OFFSET ?)",
        [amount, row],
    )


def target_changed(con: duckdb.DuckDBPyConnection, n: int, amount: float) -> None:
    row = n % con.execute("SELECT count(*) FROM fact_target").fetchone()[0]
    con.execute(
        "UPDATE fact_target SET target_value = target_value + ? WHERE rowid = "
        "(SELECT rowid FROM fact_target ORDER BY ALL LIMIT 1 OFFSET ?)",
        [amount, row],
    )


def area_moved(con: duckdb.DuckDBPyConnection, n: int, amount: float) -> None:
    """An area that reported counted for another province (as the 2025 reform moved communes)."""
    areas = con.execute(
        "SELECT DISTINCT area_code FROM fact_observation JOIN dim_area USING (area_code) ORDER BY 1"
    ).fetchall()
    provinces = con.execute("SELECT DISTINCT province_code FROM dim_plan ORDER BY 1").fetchall()
    (area,) = areas[n % len(areas)]
    (province,) = provinces[int(abs(amount)) % len(provinces)]
    con.execute(
        "UPDATE dim_area SET territory_code = ?, province_code = ? WHERE area_code = ?", [province, province, area]
    )


def plan_removed(con: duckdb.DuckDBPyConnection, n: int, amount: float) -> None:
    plans = con.execute("SELECT plan_code FROM dim_plan ORDER BY 1").fetchall()
    (plan,) = plans[n % len(plans)]
    for table in ("fact_target", "dim_plan_indicator", "dim_plan"):
        con.execute(f"DELETE FROM {table} WHERE plan_code = ?", [plan])


def plan_added(con: duckdb.DuckDBPyConnection, n: int, amount: float) -> None:
    """A plan like another, with a target of its own (the new plan's rows cannot be anyone's)."""
    plans = con.execute("SELECT plan_code FROM dim_plan ORDER BY 1").fetchall()
    (plan,) = plans[n % len(plans)]
    for table in ("dim_plan", "dim_plan_indicator", "fact_target"):
        con.execute(
            f"INSERT INTO {table} SELECT * REPLACE ('MOI-' || plan_code AS plan_code) FROM {table} WHERE plan_code = ?",
            [plan],
        )
    con.execute("UPDATE fact_target SET target_value = target_value + ? WHERE plan_code = ?", [amount, "MOI-" + plan])


def nothing_changed(con: duckdb.DuckDBPyConnection, n: int, amount: float) -> None:
    pass


CHANGES: list[Callable[[duckdb.DuckDBPyConnection, int, float], None]] = [
    observation_changed,
    target_changed,
    area_moved,
    plan_removed,
    plan_added,
    nothing_changed,
]


def table_rows(path: Path, table: str, where: str = "true", params: list | None = None) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return sorted(map(repr, con.execute(f"SELECT * FROM {table} WHERE {where}", params or []).fetchall()))


def judge_copy(old: Path, new: Path, change, n: int, amount: float, as_of_year: int, take: bool, mp) -> list[str]:
    """Judge a copy of ``old`` after ``change``, as a build does, taking from ``old`` or not; the plans judged."""
    shutil.copy(old, new)
    con = open_writer(new, "256MB")
    try:
        change(con, n, amount)
        fresh(con)
        with judged_plans(mp) as judged, kept_judgements.earlier(con, old) as before:
            pipeline.refresh_attainment(con, as_of_year, before if take else None)
    finally:
        con.close()
    return judged


@given(
    change=st.sampled_from(CHANGES),
    n=st.integers(0, 10_000),
    amount=st.sampled_from([0.5, 1.0, 7.0, 12.25, -3.0, 40.0]),
    years_on=st.sampled_from([0, 0, 0, 1, -2]),
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_taking_judgements_equals_judging_from_scratch_whatever_changed(built, tmp_path, change, n, amount, years_on):
    old = built.staging
    as_of_year = built.as_of_year + years_on
    with pytest.MonkeyPatch.context() as mp:
        judged = judge_copy(old, tmp_path / "kept.duckdb", change, n, amount, as_of_year, True, mp)
        every = judge_copy(old, tmp_path / "scratch.duckdb", change, n, amount, as_of_year, False, mp)
    new, scratch = tmp_path / "kept.duckdb", tmp_path / "scratch.duckdb"
    for table in JUDGED_TABLES:
        assert table_rows(new, table) == table_rows(scratch, table), table
    assert sorted(every) == sorted(all_plans(new))

    # a plan whose inputs moved is judged again; one whose inputs did not is taken, not judged
    with duckdb.connect(str(new), read_only=True) as con:
        plans = con.execute("SELECT plan_code, province_code FROM dim_plan").fetchall()
    for plan, province in plans:
        series_same = table_rows(old, "fact_province_series", "province_code = ?", [province]) == table_rows(
            new, "fact_province_series", "province_code = ?", [province]
        )
        targets = (
            "(SELECT * FROM fact_target WHERE plan_code = $1) "
            "UNION ALL BY NAME (SELECT * FROM dim_plan_indicator WHERE plan_code = $1) "
            "UNION ALL BY NAME (SELECT * FROM dim_plan WHERE plan_code = $1)"
        )
        targets_same = table_rows(old, f"({targets})", params=[plan]) == table_rows(new, f"({targets})", params=[plan])
        unchanged = series_same and targets_same and years_on == 0
        assert (plan not in judged) == unchanged, (change.__name__, plan)
