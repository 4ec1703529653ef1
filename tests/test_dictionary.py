"""The data dictionary: every column of every table and view described, in the warehouse itself."""

from __future__ import annotations

import duckdb

from bdg_pipeline import pipeline
from bdg_pipeline.dictionary import PAGE, render_markdown, undocumented
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix
from bdg_pipeline.warehouse import fresh_schema


def test_every_column_has_its_description_in_the_published_file(env):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    pipeline.rebuild(env)
    with duckdb.connect(str(env.warehouse), read_only=True) as con:  # as a notebook opens it
        columns = con.execute("""
            SELECT c.table_name, c.column_name, c.comment FROM duckdb_columns() c
            WHERE c.schema_name = 'main' AND c.table_name NOT IN (SELECT view_name FROM duckdb_views() WHERE internal)
            """).fetchall()
        views = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    assert len(columns) > 250
    assert [(t, c) for t, c, comment in columns if not comment] == []
    assert all(views.values()) and {"v_targets", "v_observations", "v_attainment"} <= set(views)
    comment = {(t, c): text for t, c, text in columns}
    for column in ("gap", "shortfall", "progress_ratio"):
        assert len(comment[("v_attainment", column)]) > 40
    assert "on_track" in comment[("v_attainment", "status")] and "Đúng hạn" in comment[("v_submissions", "status_vi")]
    assert "'tinh'" in comment[("v_observations", "level")]


def test_nothing_described_that_does_not_exist_and_the_page_is_current():
    with fresh_schema() as con:
        assert undocumented(con) == []
        assert PAGE.read_text(encoding="utf-8") == render_markdown(con), (
            "docs/data_dictionary.md is out of date: run python -m bdg_pipeline.dictionary"
        )
