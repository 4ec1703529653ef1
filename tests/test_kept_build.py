"""A rebuild that finds staging built from the very same inputs keeps it (and the published copy of it): the
kept warehouse equals one built from the archive's files, table by table, and anything a build is made from
that changed since — a file received, the code, the settings, the kept readings, the day of a refusal, a
damaged staging — makes the rebuild build again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import duckdb
import pytest

from bdg_pipeline import build_inputs, pipeline
from bdg_pipeline.returns import readings
from bdg_pipeline.samples import write_samples

from .operations import filled
from .test_readings import no_reading, warehouse_state


@pytest.fixture
def built(env, catalogue):
    """The sample returns and one refused return, ingested, then rebuilt from the archive."""
    write_samples(env.raw_dir, catalogue)
    filled(catalogue, env.raw_dir / "am.xlsx", numerator=-5)
    pipeline.ingest(env, sorted(env.raw_dir.iterdir()))
    summary = pipeline.rebuild(env)
    assert not summary.kept  # staging was built before the files came: its inputs were others
    assert summary.accepted and summary.rejected == 1
    return env


def no_build(monkeypatch) -> None:
    """Make building staging or publishing fail the test: what follows must keep both."""

    def refuse(*args, **kwargs):
        raise AssertionError("built or published although nothing changed")

    monkeypatch.setattr(pipeline, "build_staging", refuse)
    monkeypatch.setattr(pipeline, "publish", refuse)


def test_a_rebuild_with_nothing_changed_keeps_a_warehouse_equal_to_one_built_from_the_files(built, monkeypatch):
    settings = built
    before = warehouse_state(settings)
    with monkeypatch.context() as m:
        no_build(m)
        no_reading(m)
        summary = pipeline.rebuild(settings)
    assert summary.kept and summary.published == settings.warehouse and not summary.outcomes
    kept = warehouse_state(settings)
    assert kept == before

    shutil.rmtree(readings.readings_dir(settings.archive_dir))  # every file read again from the archive
    summary = pipeline.rebuild(settings)
    assert not summary.kept and summary.accepted
    scratch = warehouse_state(settings)
    assert len(scratch) >= 30 and sum(len(rows) for rows in scratch.values()) > 1000
    assert scratch.keys() == kept.keys()
    for name in scratch:
        assert scratch[name] == kept[name], name


def staging_build(settings) -> tuple:
    with duckdb.connect(str(settings.staging), read_only=True) as con:
        return con.execute("SELECT built_at, inputs, read_on FROM build_info").fetchall()[0]


def yesterday(settings) -> None:
    with duckdb.connect(str(settings.staging)) as con:
        con.execute("UPDATE build_info SET read_on = read_on - 1")  # as if built the day before


def damage(settings) -> None:
    with duckdb.connect(str(settings.staging)) as con:
        con.execute("DELETE FROM build_info")


def test_a_change_to_what_the_build_is_made_from_makes_the_rebuild_build(built, catalogue, monkeypatch):
    settings = built
    assert staging_build(settings)[2] == dt.date.today()  # a refusal ties the build to its day
    later = dataclasses.replace(settings, as_of_year=settings.as_of_year + 1)
    changes = [
        ("another day", settings, lambda: yesterday(settings)),
        ("another year of judgement", later, lambda: None),
        ("the kept readings deleted", later, lambda: shutil.rmtree(readings.readings_dir(later.archive_dir))),
        ("staging damaged", later, lambda: damage(later)),
        ("other code", later, lambda: monkeypatch.setattr(build_inputs, "code_digest", lambda: "other code")),
        ("a file received", later, lambda: pipeline.ingest(later, [filled(catalogue, later.raw_dir / "moi.xlsx")])),
    ]
    for what, settings, change in changes:
        built_at = staging_build(settings)[0]
        change()
        summary = pipeline.rebuild(settings)
        assert not summary.kept and staging_build(settings)[0] > built_at, what
    settings.warehouse.unlink()  # the published file lost: staging is kept, and published again
    summary = pipeline.rebuild(settings)
    assert summary.kept and summary.published == settings.warehouse and settings.warehouse.exists()
