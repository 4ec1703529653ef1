"""The data dictionary's tests (``data_tests:`` beside the columns, and those the rules declare), run against a
warehouse built from the bundled sample returns, and against rows that break them."""

from __future__ import annotations

import duckdb

from bdg_pipeline import pipeline
from bdg_pipeline.data_tests import failures
from bdg_pipeline.dictionary import data_tests
from bdg_pipeline.rules import NON_NEGATIVE
from bdg_pipeline.samples import write_samples
from bdg_pipeline.warehouse import fresh_schema


def test_a_warehouse_built_from_the_samples_passes_every_data_test(env, catalogue):
    pipeline.ingest(env, write_samples(env.raw_dir, catalogue))
    tests = data_tests()
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        assert failures(con, tests) == {}
        tested = {t.table for t in tests}
        filled = {t for t in tested if con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]}
    # the tests looked at rows: every table they test holds some
    assert {"fact_observation", "fact_activity_report", "fact_spending", "submission", "dim_plan"} <= filled
    kinds = {t.kind for t in tests}
    assert {"not_null", "unique", "relationships", "accepted_values", "non_negative", "parts_within_whole"} <= kinds
    assert {"within_range[percent]", "within_denominator[percent]"} <= kinds
    # every column the rules call a count or an amount is tested wherever it is stored
    assert {(t.table, t.column) for t in tests if t.kind == "non_negative"} == {
        (table, column) for table, columns in NON_NEGATIVE.items() for column in columns
    }


SUBMISSION = """
    INSERT INTO submission (submission_id, content_hash, file_name, kind, plan_code, province, year, period,
                            received_at, row_count, status)
    VALUES ('s1', 'h1', 'a.xlsx', 'letter', 'QN-2021-2030', 'Quảng Ninh', 2024, 'nam', now(), 2, 'accepted')"""
OBSERVATIONS = """
    INSERT INTO fact_observation (submission_id, plan_code, objective_no, indicator_no, part, indicator_code,
                                  area_code, level, year, numerator, denominator, value, unit, source_file,
                                  source_sheet, source_cell, flagged)
    VALUES ('s1', 'QN-2021-2030', 1, 1, '', 'x', 'A', 'tinh', 2024, 60, 50, 120, 'percent', 'a.xlsx', 'S', 'J14',
            false),
           ('s2', 'QN-2021-2030', 1, 2, '', 'x', 'A', 'tinh', 2024, NULL, NULL, 108.5, 'per_100', 'a.xlsx', 'S',
            'J15', false)"""
ACTIVITY = """
    INSERT INTO fact_activity_report (submission_id, plan_code, activity_no, year, agency_code, role, status,
                                      participants_male, participants_female, participants_total, source_file,
                                      source_sheet, source_cell)
    VALUES ('s1', 'QN-2021-2030', 1, 2024, 'SYT', 'lead', 'done', 30, 25, 50, 'a.xlsx', 'HoatDong', 'G7')"""
SPENDING = """
    INSERT INTO fact_spending (submission_id, plan_code, year, agency_code, source_name, allocated_million_vnd,
                               spent_million_vnd, flagged, source_file, source_sheet, source_cell)
    VALUES ('s1', 'QN-2021-2030', 2024, 'SYT', 'Ngân sách tỉnh', 10, -1, false, 'a.xlsx', 'KinhPhi', 'E7')"""


def test_rows_that_break_the_rules_are_found_by_name():
    with fresh_schema() as con:
        con.execute("INSERT INTO dim_unit SELECT 'percent', '%', 100, 0, 100, 25, 1")
        con.execute("INSERT INTO dim_unit SELECT 'per_100', '/100', 100, 0, 200, 10, 1")
        for statement in (SUBMISSION, OBSERVATIONS, ACTIVITY, SPENDING):
            con.execute(statement)
        found = failures(con, data_tests())
    assert found == {
        "accepted_values(submission.kind)": 1,  # 'letter' is neither a template nor an appendix
        "relationships(submission.plan_code)": 1,  # no such plan in dim_plan
        "relationships(fact_observation.submission_id)": 1,  # 's2' was never recorded
        "relationships(fact_observation.area_code)": 2,  # no area 'A'
        "within_range[percent](fact_observation.value)": 1,  # 120 %
        "within_denominator[percent](fact_observation.numerator)": 1,  # 60 of 50
        "parts_within_whole(fact_activity_report.participants_total)": 1,  # 30 men + 25 women of 50
        "relationships(fact_activity_report.status)": 1,  # dim_activity_status is empty here
        "non_negative(fact_spending.spent_million_vnd)": 1,
    }
