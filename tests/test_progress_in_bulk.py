"""The expected path of every plan at once (sql/progress.sql) against the one-plan statement of the rules,
attainment.compute_progress, over thousands of random plans: every year of every path, its expected and its
observed value, the same (as doubles, not approximately)."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bdg_pipeline.attainment import compute_progress, paths_sql, tolerances

DIRECTIONS = ["at_least", "above", "at_most", "below", "about", "maintain"]
UNITS = ["percent", "per_1000", "per_100000", "times", "count_per_quarter", "yes_no"]
KEYS = ["plan_code", "objective_no", "indicator_no", "part", "year"]

values = st.one_of(
    st.sampled_from([0.0, 0.1, 0.3, 1.0, 30.0, 50.0]),
    st.floats(min_value=0.0, max_value=120.0, allow_nan=False),
    st.floats(min_value=0.0, max_value=120.0, allow_nan=False).map(lambda v: round(v, 2)),
)


@st.composite
def plan(draw):
    """A chỉ tiêu with one to three targets, a stated baseline or none, and the province's series (now and
    then two values in one year, a missing value, a value of another place)."""
    unit = draw(st.sampled_from(UNITS))
    value_of = st.sampled_from([0.0, 1.0]) if unit == "yes_no" else values
    target_years = draw(st.lists(st.integers(2015, 2035), min_size=1, max_size=3, unique=True))
    years = draw(st.lists(st.integers(2008, 2036), max_size=8, unique=True))
    twice = draw(st.lists(st.sampled_from(years), max_size=2)) if years else []
    series = [(y, draw(value_of)) for y in years + twice]
    if years and draw(st.booleans()):
        series.append((draw(st.sampled_from(years)), None))
    stated = draw(st.integers(0, 3))
    return {
        "unit": unit,
        "targets": [(y, draw(value_of), draw(st.sampled_from(DIRECTIONS))) for y in target_years],
        # a baseline stated in full, half stated (ignored), or none
        "baseline": [
            (None, None),
            (draw(st.integers(2005, 2036)), draw(value_of)),
            (draw(st.sampled_from(target_years)), draw(value_of)),
            (draw(st.integers(2005, 2030)), None),
        ][stated],
        "monitoring_start": draw(st.integers(2008, 2030)),
        "series": series,
        "elsewhere": [(y, draw(value_of)) for y in draw(st.lists(st.integers(2008, 2036), max_size=3, unique=True))],
    }


def frames(plans: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    targets, series = [], []
    for i, p in enumerate(plans):
        province, indicator = f"P{i % 3}", f"x{i}"
        for year, value, direction in p["targets"]:
            targets.append(
                {
                    "plan_code": f"K{i}",
                    "objective_no": 1,
                    "indicator_no": 1,
                    "part": "",
                    "indicator_code": indicator,
                    "unit": p["unit"],
                    "province_code": province,
                    "target_year": year,
                    "target_value": value,
                    "direction": direction,
                    "baseline_year": p["baseline"][0],
                    "baseline_value": p["baseline"][1],
                    "phase_start": p["monitoring_start"],
                    "monitoring_start": p["monitoring_start"],
                }
            )
        own = [(province, "tinh", y, v) for y, v in p["series"]]
        # a district of the province, and a province-level row of another code: neither is the province's own
        own += [(f"{province}01", "huyen", y, v) for y, v in p["elsewhere"]]
        own += [(f"Q{i}", "tinh", y, v) for y, v in p["elsewhere"]]
        series += [(province, indicator, *row) for row in own]
    columns = ["province_code", "indicator_code", "area_code", "level", "year", "value"]
    target_frame = pd.DataFrame(targets).astype({"baseline_year": "Int64", "baseline_value": "Float64"})
    return target_frame, pd.DataFrame(series, columns=columns).astype({"value": "float64"})


def in_bulk(targets: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    with duckdb.connect() as con:
        con.register("judged_targets", targets)
        con.register("judged_series", series)
        with tolerances(con):
            return con.sql(paths_sql()).df()


def rows(frame: pd.DataFrame) -> dict[tuple, tuple]:
    found = {}
    for r in frame.itertuples(index=False):
        key = tuple(getattr(r, k) for k in KEYS)
        assert key not in found, key  # one row per plan's chỉ tiêu and year
        found[key] = tuple(
            None if v is None or (isinstance(v, float) and math.isnan(v)) else v
            for v in (r.indicator_code, r.province_code, r.expected_value, r.observed_value)
        )
    return found


def compare(plans: list[dict]) -> None:
    targets, series = frames(plans)
    expected, found = rows(compute_progress(targets, series)), rows(in_bulk(targets, series))
    assert found.keys() == expected.keys()
    for key, values in expected.items():
        assert found[key] == values, (key, values, found[key])


def test_paths_the_reports_draw():
    """A plan of 2021–2030 with its base in 2020, targets in 2025 and 2030; a second one already past its
    first target at the base (the path holds the target); a third with two values in one year."""
    plans = [
        {
            "unit": "percent",
            "targets": [(2025, 50.0, "at_least"), (2030, 60.0, "at_least")],
            "baseline": (None, None),
            "monitoring_start": 2020,
            "series": [(2019, 10.0), (2020, 40.0), (2023, 47.0)],
            "elsewhere": [],
        },
        {
            "unit": "per_1000",
            "targets": [(2025, 20.0, "at_most"), (2030, 15.0, "at_most")],
            "baseline": (2020, 18.0),
            "monitoring_start": 2020,
            "series": [(2022, 19.0)],
            "elsewhere": [],
        },
        {
            "unit": "percent",
            "targets": [(2030, 30.0, "above")],
            "baseline": (None, None),
            "monitoring_start": 2020,
            "series": [(2026, 10.0), (2026, 20.0), (2028, 25.0)],
            "elsewhere": [],
        },
    ]
    compare(plans)
    targets, series = frames(plans)
    path = in_bulk(targets, series).set_index(["plan_code", "year"])
    assert path.loc[("K0", 2020), "expected_value"] == 40.0
    assert path.loc[("K0", 2023), "expected_value"] == 40.0 + 10.0 * 3 / 5
    assert path.loc[("K0", 2030), "expected_value"] == 60.0
    assert path.loc[("K0", 2023), "observed_value"] == 47.0
    assert path.loc[("K1", 2020), "expected_value"] == 20.0  # 18 ‰ already meets ≤ 20 ‰
    assert path.loc[("K2", 2026), "expected_value"] == 10.0  # the base: the smaller value of its year
    assert path.loc[("K2", 2026), "observed_value"] == 20.0  # shown: the larger, the judgement's latest
    assert len(path.loc["K0"]) == 11 and len(path.loc["K2"]) == 5


@settings(max_examples=200, deadline=None)
@given(plans=st.lists(plan(), min_size=1, max_size=20))
def test_bulk_path_is_the_one_plan_path(plans):
    compare(plans)
