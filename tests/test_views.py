"""Given/expect tests of the views that carry logic: a few given rows inserted into a fresh DuckDB built from
sql/, the view's rows compared with the rows expected (as dbt's unit tests do)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from bdg_pipeline.vocabulary import ACTIVITY_STATUSES, NOT_REPORTED
from bdg_pipeline.warehouse import fresh_schema

PLAN = {"plan_code": "LC-2021-2030", "province": "Lào Cai", "title": "Kế hoạch", "seed_file": "lc.md"}


def given(con: duckdb.DuckDBPyConnection, table: str, *rows: dict) -> None:
    frame = pd.DataFrame(list(rows))
    con.register("given_rows", frame)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM given_rows")
    con.unregister("given_rows")


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return [tuple(r) for r in con.execute(sql).fetchall()]


def submission(submission_id: str, agency: str, year: int, report_date: dt.date, seq: int) -> dict:
    return {
        "submission_id": submission_id,
        "content_hash": f"hash-{submission_id}",
        "file_name": f"{submission_id}.xlsx",
        "kind": "template",
        "plan_code": PLAN["plan_code"],
        "province": PLAN["province"],
        "agency_code": agency,
        "year": year,
        "period": "nam",
        "report_date": report_date,
        "received_at": dt.datetime(year + 1, 1, 5),
        "row_count": 1,
        "status": "accepted",
        "arrival_seq": seq,
    }


@pytest.fixture
def con():
    with fresh_schema() as con:
        given(
            con,
            "dim_plan",
            {
                **PLAN,
                "period_start": 2021,
                "period_end": 2022,
                "monitoring_start": 2020,
                "monitoring_end": 2022,
                "province_code": "P",
                "phase_start": 2021,
            },
        )
        given(con, "dim_agency", {"agency_code": "SYT", "name": "Sở Y tế"}, {"agency_code": "SLD", "name": "Sở LĐ"})
        yield con


def test_v_budget_sums_the_spending_in_force_per_total_phase_and_source(con):
    plan = PLAN["plan_code"]
    given(
        con,
        "plan_budget",
        {"plan_code": plan, "category": "total", "name": "Tổng", "amount_million_vnd": 100.0},
        {
            "plan_code": plan,
            "category": "phase",
            "name": "2021–2025",
            "period_start": 2021,
            "period_end": 2025,
            "amount_million_vnd": 60.0,
        },
        {
            "plan_code": plan,
            "category": "phase",
            "name": "2026–2030",
            "period_start": 2026,
            "period_end": 2030,
            "amount_million_vnd": 40.0,
        },
        {"plan_code": plan, "category": "source", "name": "Ngân sách tỉnh", "amount_million_vnd": 70.0},
        {"plan_code": plan, "category": "source", "name": "Ngân sách TW", "amount_million_vnd": 30.0},
    )
    given(
        con,
        "submission",
        submission("a", "SYT", 2022, dt.date(2023, 1, 10), 1),
        submission("b", "SYT", 2022, dt.date(2023, 2, 10), 2),  # the same scope, dated later: replaces a's line
        submission("c", "SYT", 2027, dt.date(2028, 1, 10), 3),
    )
    line = {
        "plan_code": plan,
        "agency_code": "SYT",
        "flagged": False,
        "source_file": "f.xlsx",
        "source_sheet": "KinhPhi",
        "source_cell": "E7",
    }
    given(
        con,
        "fact_spending",
        {
            **line,
            "submission_id": "a",
            "year": 2022,
            "source_name": "Ngân sách tỉnh",
            "allocated_million_vnd": 20.0,
            "spent_million_vnd": 10.0,
        },
        {
            **line,
            "submission_id": "b",
            "year": 2022,
            "source_name": "Ngân sách tỉnh",
            "allocated_million_vnd": 25.0,
            "spent_million_vnd": 15.0,
        },
        {
            **line,
            "submission_id": "c",
            "year": 2027,
            "source_name": "Ngân sách TW",
            "allocated_million_vnd": 5.0,
            "spent_million_vnd": 40.0,
        },
    )
    got = rows(
        con,
        """SELECT category, name, planned_million_vnd, allocated_million_vnd, spent_million_vnd, execution_rate,
                  disbursement_rate, over_plan, years_reported, first_year, last_year
           FROM v_budget ORDER BY category, name""",
    )
    assert got == [
        ("phase", "2021–2025", 60.0, 25.0, 15.0, 25.0, 60.0, False, 1, 2022, 2022),
        ("phase", "2026–2030", 40.0, 5.0, 40.0, 100.0, 800.0, False, 1, 2027, 2027),
        ("source", "Ngân sách TW", 30.0, 5.0, 40.0, 133.33, 800.0, True, 1, 2027, 2027),
        ("source", "Ngân sách tỉnh", 70.0, 25.0, 15.0, 21.43, 60.0, False, 1, 2022, 2022),
        ("total", "Tổng", 100.0, 30.0, 55.0, 55.0, 183.33, False, 2, 2022, 2027),
    ]


def test_v_activities_shows_the_lead_report_in_force_and_every_year_unreported(con):
    plan = PLAN["plan_code"]
    given(con, "dim_year", {"year": 2021}, {"year": 2022})
    given(con, "dim_reporting_deadline", {"plan_code": plan, "period": "nam", "due_day": 15, "due_month": 12})
    statuses = {**ACTIVITY_STATUSES, **NOT_REPORTED}
    given(
        con,
        "dim_activity_status",
        *({"status": s, "label": label, "sort_order": i} for i, (s, label) in enumerate(statuses.items())),
    )
    given(con, "dim_activity_kind", {"activity_kind": "training", "label": "Tập huấn"})
    given(
        con,
        "plan_activity",
        {
            "plan_code": plan,
            "activity_no": 1,
            "text": "Tập huấn",
            "lead_agency": "SYT",
            "co_agencies": "SLD",
            "activity_kind": "training",
        },
        {
            "plan_code": plan,
            "activity_no": 2,
            "text": "Khảo sát",
            "lead_agency": "SLD",
            "due_date": dt.date(2021, 6, 30),
            "activity_kind": "training",
        },
    )
    given(
        con,
        "submission",
        submission("a", "SYT", 2021, dt.date(2021, 12, 1), 1),
        submission("b", "SLD", 2021, dt.date(2021, 12, 5), 2),
        submission("c", "SLD", 2021, dt.date(2021, 12, 20), 3),  # dated after b: its activity 2 replaces b's
    )
    report = {"plan_code": plan, "year": 2021, "source_file": "f.xlsx", "source_sheet": "HoatDong", "source_cell": "G7"}
    given(
        con,
        "fact_activity_report",
        {
            **report,
            "submission_id": "a",
            "activity_no": 1,
            "agency_code": "SYT",
            "role": "lead",
            "status": "done",
            "participants_male": 10,
            "participants_female": 20,
        },
        {**report, "submission_id": "b", "activity_no": 1, "agency_code": "SLD", "role": "co", "status": "in_progress"},
        {
            **report,
            "submission_id": "b",
            "activity_no": 2,
            "agency_code": "SLD",
            "role": "lead",
            "status": "in_progress",
        },
        {
            **report,
            "submission_id": "c",
            "activity_no": 2,
            "agency_code": "SLD",
            "role": "lead",
            "status": "dropped",
            "reason": "Không có kinh phí",
        },
    )
    got = rows(
        con,
        """SELECT activity_no, year, status, due_date, overdue, reported_by, reported_as, agencies_reporting,
                  participants_total, reason, activity_kind_vi
           FROM v_activities ORDER BY activity_no, year""",
    )
    assert got == [
        (1, 2021, "done", dt.date(2021, 12, 15), False, "Sở Y tế", "lead", 2, 30, None, "Tập huấn"),
        (1, 2022, "not_reported", dt.date(2022, 12, 15), True, None, None, 0, None, None, "Tập huấn"),
        (2, 2021, "dropped", dt.date(2021, 6, 30), False, "Sở LĐ", "lead", 1, None, "Không có kinh phí", "Tập huấn"),
        (2, 2022, "not_reported", dt.date(2021, 6, 30), True, None, None, 0, None, None, "Tập huấn"),
    ]


def test_v_province_series_rolls_districts_up_only_where_the_province_reported_nothing(con):
    plan = PLAN["plan_code"]
    area = {"province_code": "P", "province_name": "Lào Cai", "territory_code": "P"}
    given(
        con,
        "dim_area",
        {**area, "area_code": "P", "area_name": "Lào Cai", "level": "tinh", "official_code": "10"},
        {
            **area,
            "area_code": "D1",
            "area_name": "Bát Xát",
            "level": "huyen",
            "parent_code": "P",
            "official_code": "82",
        },
        {**area, "area_code": "D2", "area_name": "Sa Pa", "level": "huyen", "parent_code": "P", "official_code": "88"},
        {
            **area,
            "area_code": "X1",
            "area_name": "Trịnh Tường",
            "level": "xa",
            "parent_code": "D1",
            "official_code": "2700",
        },
    )
    given(
        con,
        "submission",
        submission("a", "SYT", 2022, dt.date(2023, 1, 10), 1),
        submission("b", "SYT", 2023, dt.date(2024, 1, 10), 2),
    )
    value = {
        "plan_code": plan,
        "objective_no": 1,
        "indicator_no": 1,
        "part": "",
        "indicator_code": "share",
        "unit": "percent",
        "agency_code": "SYT",
        "source_file": "f.xlsx",
        "source_sheet": "BaoCao",
        "source_cell": "J14",
        "flagged": False,
    }
    given(
        con,
        "fact_observation",
        {
            **value,
            "submission_id": "a",
            "area_code": "D1",
            "level": "huyen",
            "year": 2022,
            "numerator": 3,
            "denominator": 10,
            "value": 30.0,
        },
        {
            **value,
            "submission_id": "a",
            "area_code": "D2",
            "level": "huyen",
            "year": 2022,
            "numerator": 5,
            "denominator": 10,
            "value": 50.0,
        },
        {
            **value,
            "submission_id": "a",
            "area_code": "X1",
            "level": "xa",
            "year": 2022,
            "numerator": 1,
            "denominator": 4,
            "value": 25.0,
        },
        {**value, "submission_id": "b", "area_code": "P", "level": "tinh", "year": 2023, "value": 55.0},
        {
            **value,
            "submission_id": "b",
            "area_code": "D1",
            "level": "huyen",
            "year": 2023,
            "numerator": 3,
            "denominator": 10,
            "value": 30.0,
        },
    )
    given(
        con,
        "dim_unit",
        {"unit": "percent", "symbol": "%", "scale": 100, "valid_low": 0.0, "valid_high": 100.0, "about_tolerance": 1.0},
    )
    con.execute("INSERT INTO fact_province_series BY NAME SELECT * FROM province_series_rollup")
    got = rows(
        con,
        """SELECT province_code, area_code, level, year, numerator, denominator, value, rolled_up
           FROM v_province_series ORDER BY year, rolled_up, area_code""",
    )
    assert got == [
        ("P", "D1", "huyen", 2022, 3, 10, 30.0, False),
        ("P", "D2", "huyen", 2022, 5, 10, 50.0, False),
        ("P", "X1", "xa", 2022, 1, 4, 25.0, False),
        ("P", "P", "tinh", 2022, 8, 20, 40.0, True),  # the districts' counts, not the commune's
        ("P", "D1", "huyen", 2023, 3, 10, 30.0, False),
        ("P", "P", "tinh", 2023, None, None, 55.0, False),  # the province's own value: nothing rolled up
    ]
