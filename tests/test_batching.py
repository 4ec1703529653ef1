"""Returns parsed, validated and recorded in batches, and attainment recomputed only where something
changed, give the same answers as one file and one plan at a time."""

from __future__ import annotations

import duckdb
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import bdg_pipeline
from bdg_pipeline import pipeline
from bdg_pipeline.catalogue import load_catalogue
from bdg_pipeline.config import CATALOGUE_DIR
from bdg_pipeline.returns.ingest import parse_returns
from bdg_pipeline.returns.model import ParsedReturn
from bdg_pipeline.returns.parsing import CHUNKS_PER_READER, PARSE_CHUNK_MAX, PARSE_CHUNK_MIN, chunk_size
from bdg_pipeline.returns.template import FIRST_ROW, SHEET
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix
from bdg_pipeline.warehouse import staging_connection, table_checksum


def filled(catalogue, path, plan="QN-2021-2030", agency="Sở Y tế", year=2023, numerator=11050):
    wb = build_template(catalogue, plan, agency, year)
    wb[SHEET][f"J{FIRST_ROW}"], wb[SHEET][f"K{FIRST_ROW}"] = numerator, 10000
    wb.save(path)
    return path


def test_one_validation_call_still_names_the_file_and_cell(catalogue, tmp_path):
    good = filled(catalogue, tmp_path / "a.xlsx")
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023)
    ws = wb[SHEET]
    ws[f"J{FIRST_ROW}"], ws[f"K{FIRST_ROW}"] = 5300, 4800
    ws[f"J{FIRST_ROW + 1}"], ws[f"K{FIRST_ROW + 1}"], ws[f"H{FIRST_ROW + 1}"] = 5310, 4810, "Cấp tỉnh"  # same key
    bad = tmp_path / "b.xlsx"
    wb.save(bad)
    other = filled(catalogue, tmp_path / "c.xlsx", year=2024)

    results = parse_returns([good, bad, other], catalogue)

    assert isinstance(results[0], ParsedReturn) and isinstance(results[2], ParsedReturn)
    assert results[0].frame.num_rows == results[2].frame.num_rows == 1
    assert isinstance(results[1], list) and results[1]
    assert all("trùng" in p.message and p.sheet == SHEET for p in results[1])
    assert {p.cell for p in results[1]} == {f"J{FIRST_ROW}", f"J{FIRST_ROW + 1}"}
    assert results[1] == parse_returns([bad], catalogue)[0]  # alone, the same problems


def attainment_of(con, plans):
    return con.execute(
        "SELECT * FROM fact_attainment WHERE plan_code IN (SELECT unnest(?::VARCHAR[])) ORDER BY ALL", [plans]
    ).fetchall()


def test_attainment_recomputed_for_the_touched_territory_only(env, catalogue):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    pipeline.rebuild(env)
    with staging_connection(env) as con:
        untouched_before = attainment_of(con, ["NT-2020", "LC-2021-2030"])
    pipeline.ingest(env, [filled(catalogue, env.raw_dir / "y_te.xlsx")], catalogue, record_only=True)
    with staging_connection(env) as con:
        # both Quảng Ninh plans are judged on province 22's territory; nothing else is touched
        assert {p for (p,) in con.execute("SELECT plan_code FROM stale_attainment").fetchall()} == {
            "QN-2011-2015",
            "QN-2021-2030",
        }
        counts = pipeline.refresh_attainment(con, env.as_of_year)
        assert counts["plans"] == 2
        assert con.execute("SELECT count(*) FROM stale_attainment").fetchone()[0] == 0
        assert attainment_of(con, ["NT-2020", "LC-2021-2030"]) == untouched_before
        seen = con.execute(
            "SELECT latest_value FROM fact_attainment WHERE plan_code = 'QN-2021-2030' "
            "AND indicator_code = 'sex_ratio_at_birth' AND level = 'tinh' AND target_year = 2025"
        ).fetchone()[0]
        assert seen == 110.5  # 11050 boys per 10000 girls
        incremental = table_checksum(con, "fact_attainment")
        pipeline.mark_all_stale(con)
        assert pipeline.refresh_attainment(con, env.as_of_year)["plans"] == len(load_catalogue(CATALOGUE_DIR).plans)
        assert table_checksum(con, "fact_attainment") == incremental  # the same as judging everything


def test_a_new_year_of_judgement_recomputes_every_plan(env):
    pipeline.rebuild(env)
    with staging_connection(env) as con:
        plans = con.execute("SELECT count(*) FROM dim_plan").fetchone()[0]
        assert pipeline.refresh_attainment(con, env.as_of_year)["plans"] == 0  # nothing changed
        assert pipeline.refresh_attainment(con, env.as_of_year + 1)["plans"] == plans
        assert con.execute("SELECT DISTINCT as_of_year FROM fact_attainment").fetchall() == [(env.as_of_year + 1,)]


def test_query_gives_the_rows_of_df(env):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    pipeline.rebuild(env)
    sql = "SELECT plan_code, area_name, level, target_year, status, latest_value FROM v_attainment"
    fast = bdg_pipeline.query(sql)
    con = duckdb.connect(str(env.warehouse), read_only=True)
    classic = con.execute(sql).df()
    con.close()
    assert len(fast) == len(classic) > 100
    assert str(fast.dtypes["status"]) == "string[pyarrow]"

    def rows(df):
        return sorted(
            repr(tuple(None if pd.isna(v) else v for v in row)) for row in df.astype(object).itertuples(index=False)
        )

    assert rows(fast) == rows(classic)
    assert bdg_pipeline.query("SELECT count(*) AS n FROM v_attainment WHERE plan_code = ?", ["NT-2020"]).n[0] > 0


@given(files=st.integers(1, 20_000), readers=st.integers(1, 8))
def test_every_reader_gets_its_share_of_a_run_in_chunks_of_a_bounded_size(files, readers):
    size = chunk_size(files, readers)
    chunks = -(-files // size)
    assert PARSE_CHUNK_MIN <= size <= PARSE_CHUNK_MAX
    if files >= readers * PARSE_CHUNK_MIN:
        assert chunks >= readers  # no reader idle for want of a chunk
    wanted = readers * CHUNKS_PER_READER  # chunks enough to share the tail of a run among the readers
    if size < PARSE_CHUNK_MAX:
        assert chunks <= wanted
    if size > PARSE_CHUNK_MIN:
        assert -(-files // (size - 1)) > wanted  # the largest chunks that still give that many
