"""Judging in bulk (sql/attainment.sql) against the one-series judge of bdg_pipeline.attainment, over
thousands of random targets and series: every field of every judgement, and every text, the same."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bdg_pipeline.attainment import STATUS_VI, compute_attainment, gap, judge, reason, status_label

DIRECTIONS = ["at_least", "above", "at_most", "below", "about", "maintain"]
UNITS = ["percent", "per_1000", "per_100000", "times", "count_per_quarter", "yes_no"]

values = st.one_of(
    st.sampled_from([0.0, 0.0005, 1.0, 30.0, 50.0]),
    st.floats(min_value=0.0, max_value=120.0, allow_nan=False).map(lambda v: round(v, 2)),
)


@st.composite
def case(draw):
    unit = draw(st.sampled_from(UNITS))
    value_of = st.sampled_from([0.0, 1.0]) if unit == "yes_no" else values
    years = draw(st.lists(st.integers(min_value=2008, max_value=2036), max_size=8, unique=True))
    # now and then two values in one year (one indicator measured by two chỉ tiêu of a plan)
    twice = draw(st.lists(st.sampled_from(years), max_size=2)) if years else []
    points = [(y, draw(value_of)) for y in years] + [(y, draw(value_of)) for y in twice]
    stated = draw(st.booleans())
    return {
        "points": points,
        "other": [(y, draw(value_of)) for y in draw(st.lists(st.integers(2008, 2036), max_size=4, unique=True))],
        "target_year": draw(st.integers(min_value=2011, max_value=2035)),
        "target_value": draw(value_of),
        "direction": draw(st.sampled_from(DIRECTIONS)),
        "unit": unit,
        "baseline": (draw(st.integers(2005, 2030)), draw(value_of)) if stated else (None, None),
        "phase_start": draw(st.integers(min_value=2010, max_value=2030)),
        "monitoring_start": draw(st.integers(min_value=2008, max_value=2030)),
    }


@st.composite
def toward(draw):
    """A base, a target on either side of it, and later values somewhere along (or off) the way: the progress
    measure's classes near their thresholds."""
    base = draw(st.floats(min_value=0.5, max_value=90.0))
    target = round(base * draw(st.floats(min_value=0.2, max_value=5.0)), 2)
    first = draw(st.integers(min_value=2016, max_value=2022))
    later = draw(st.lists(st.integers(min_value=first + 1, max_value=2026), min_size=1, max_size=4, unique=True))
    share = draw(st.floats(min_value=-0.6, max_value=1.4))
    points = [(first, round(base, 2))] + [
        (y, round(max(0.0, base + share * (y - first) / (2030 - first) * (target - base)), 2)) for y in sorted(later)
    ]
    direction = draw(
        st.sampled_from(["about", "at_least", "above"] if target > base else ["at_most", "below", "about"])
    )
    return {
        "points": points,
        "other": points[1:],
        "target_year": 2030,
        "target_value": target,
        "direction": direction,
        "unit": draw(st.sampled_from(UNITS[:4])),
        "baseline": (None, None),
        "phase_start": 2016,
        "monitoring_start": 2015,
    }


def frames(cases: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    targets, series = [], []
    for i, c in enumerate(cases):
        province = f"P{i}"
        targets.append(
            {
                "plan_code": f"K{i}",
                "objective_no": 1,
                "indicator_no": 1,
                "part": "",
                "indicator_code": "x",
                "unit": c["unit"],
                "province_code": province,
                "target_year": c["target_year"],
                "target_value": c["target_value"],
                "direction": c["direction"],
                "baseline_year": c["baseline"][0],
                "baseline_value": c["baseline"][1],
                "phase_start": c["phase_start"],
                "monitoring_start": c["monitoring_start"],
            }
        )
        for place, level, points in ((province, "tinh", c["points"]), (f"{province}01", "xa", c["other"])):
            series += [
                {"province_code": province, "indicator_code": "x", "area_code": place, "level": level, "year": y}
                | {"value": v}
                for y, v in points
            ]
    columns = ["province_code", "indicator_code", "area_code", "level", "year", "value"]
    return pd.DataFrame(targets), pd.DataFrame(series, columns=columns)


def same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return a == b


def compare(cases: list[dict], as_of: int) -> None:
    """Every judgement of the bulk path against judge() on the same series."""
    targets, series = frames(cases)
    rows = compute_attainment(targets, series, as_of)
    by_place = {(r.plan_code, r.level): r for r in rows.itertuples(index=False)}
    for i, c in enumerate(cases):
        for level, points, baseline in (("tinh", c["points"], c["baseline"]), ("xa", c["other"], (None, None))):
            row = by_place.pop((f"K{i}", level), None)
            if level == "xa" and not points:
                assert row is None  # a place that never reported the indicator is not judged
                continue
            assert row is not None
            args = (c["target_year"], c["target_value"], c["direction"], c["unit"])
            j = judge(points, *args, as_of, c["phase_start"], baseline, c["monitoring_start"])
            expected = {
                "latest_year": j.latest_year,
                "latest_value": j.latest_value,
                "attained": j.attained,
                "status": j.status,
                "progress_ratio": j.progress_ratio,
                "base_year": j.base_year,
                "base_value": j.base_value,
                "gap": gap(j.latest_value, c["target_value"], c["direction"])[0],
                "shortfall": gap(j.latest_value, c["target_value"], c["direction"])[1],
                "status_vi": STATUS_VI[j.status],
                "status_label": status_label(j, *args),
                "reason": reason(j, c["target_value"], c["target_year"], c["direction"], c["unit"]),
                "observations": sum(y >= c["monitoring_start"] for y, _ in points),
            }
            for field, value in expected.items():
                found = getattr(row, field)
                found = None if found is pd.NA else found
                assert same(value, found), (field, value, found, c, as_of, level)
    assert not by_place  # no judgement more than the cases ask


def test_every_class_boundary_of_the_progress_measure():
    """Latest values in steps of 0.01 on both sides of a base, for every direction: R runs through each
    threshold (0.95, 0.6, 0) and the base-equals-target case many times over."""
    cases = []
    for direction in DIRECTIONS:
        for step in range(-400, 1200):
            latest = round(10 + step * 0.01, 2)
            target = 14.0 if direction not in {"at_most", "below"} else 6.0
            latest = latest if target > 10 else round(20 - latest, 2)
            cases.append(
                {
                    "points": [(2020, 10.0), (2024, latest)],
                    "other": [(2021, 10.0), (2026, latest)],
                    "target_year": 2030,
                    "target_value": 10.0 if step % 97 == 0 else target,
                    "direction": direction,
                    "unit": "percent" if step % 2 else "per_1000",
                    "baseline": (None, None),
                    "phase_start": 2020,
                    "monitoring_start": 2019,
                }
            )
    targets, series = frames(cases)
    statuses = set(compute_attainment(targets, series, 2026).status)
    assert {"on_track", "needs_acceleration", "limited_progress", "regressing", "achieved"} <= statuses
    compare(cases, 2026)


@settings(max_examples=150, deadline=None)
@given(
    cases=st.lists(st.one_of(case(), toward()), min_size=1, max_size=25),
    as_of=st.one_of(st.just(2026), st.integers(min_value=2015, max_value=2036)),
)
def test_bulk_judging_is_the_one_series_judge(cases, as_of):
    compare(cases, as_of)
