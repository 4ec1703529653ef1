"""Attainment of targets and progress toward them (đánh giá mức độ đạt chỉ tiêu).

Attained, by direction: ``at_least`` v ≥ T; ``above`` v > T; ``at_most`` v ≤ T; ``below`` v < T;
``about`` |v − T| ≤ the unit's tolerance; ``maintain`` v ≥ T in every observed year of the plan's phase
up to the target year.

Progress toward a target year still ahead is Open SDG's progress measure (after Statistics Canada,
``open-sdg/open-sdg`` docs/progress-methodology.md). With base year b and base value y_b (the plan's
stated baseline, else the first value in the plan's own monitoring window), latest year t and target
year T, d = +1 when higher is better and −1 when lower is better::

    CAGR_o = (y_t / y_b) ** (1 / (t − b)) − 1        observed compound annual growth
    CAGR_r = (y_T / y_b) ** (1 / (T − b)) − 1        growth required to reach the target on time
    R = d · CAGR_o / |CAGR_r|

so R > 0 always means moving the right way, also when the base had already met the target. A base
or target of 0 is replaced by 0.001, as Open SDG does. Classes: achieved (met now); on_track
R ≥ 0.95; needs_acceleration 0.6 ≤ R < 0.95; limited_progress 0 ≤ R < 0.6; regressing R < 0;
insufficient_data (fewer than two years in the window).

:func:`judge` states the rules for one series; the attainment step judges every target at every place at
once with ``sql/attainment.sql`` (:func:`judge_all`), tested to agree with :func:`judge` field by field.

Departures from Open SDG, each for a reason (also in README, each tested):

1. ``above``/``below`` are strict: the plans write “trên 30%”, “dưới 25/100.000”, and the legal
   reading of trên/dưới excludes the bound. Open SDG knows only ≥ and ≤.
2. Base equal to the target, not met (only possible with a strict bound): CAGR_r = 0 and Open SDG's
   R is a division by zero. The class follows the sign of the movement instead: worse than the base
   → regressing, unchanged → limited_progress.
3. ``about`` targets are judged on the distance |v − T| (lower is better, met within the unit's
   tolerance), like Open SDG's transformation of its “Goldilocks” indicators: overshooting moves
   away from the target and reads as regressing, never as progress.
4. Zero: bases and targets below 0.001 (not only exactly 0) are taken as 0.001, so the measure is
   continuous as a value approaches 0 (Open SDG replaces exactly 0 only; values between 0 and 0.001
   do not occur in units printed to one or two decimals).
5. A target year already past is judged on that year's value: achieved, not_achieved, or no_data
   when the year was not reported. Open SDG measures trends toward a future year only.
6. ``maintain`` (duy trì) is missed for good once any observed year of the plan's phase misses it
   (not_achieved, even before the target year). The phase is the plan's period, or the longer phase a
   yearly plan carries out (``phase_start``: NT-2020's “duy trì … nhiệm kỳ 2015 - 2020” holds from 2016).
7. Yes/no targets are binary, as Open SDG's binary indicators: achieved or, before the target
   year, not_yet (after it, not_achieved).
8. Only values in the plan's own monitoring window count (``window_start``): a plan of 2021–2030
   never takes its base from a 2011 value reported for an older plan on the same indicator.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .config import SQL_DIR
from .figures import ABOUT_TOLERANCE, LOWER_IS_BETTER, is_met, ratio_text, value_text

# Open SDG / Statistics Canada thresholds on R, highest first.
PROGRESS_THRESHOLDS: list[tuple[str, float]] = [
    ("on_track", 0.95),
    ("needs_acceleration", 0.60),
    ("limited_progress", 0.0),
]
ZERO_FLOOR = 0.001  # Open SDG's stand-in for a zero base or target, applied below it too (departure 4)

STATUS_VI = {
    "achieved": "Đã đạt",
    "on_track": "Đúng tiến độ",
    "needs_acceleration": "Cần tăng tốc",
    "limited_progress": "Tiến bộ chậm",
    "regressing": "Đi xuống",
    "insufficient_data": "Chưa đủ số liệu",
    "not_yet": "Chưa đạt",
    "not_achieved": "Không đạt",
    "no_data": "Không có số liệu",
}


def growth(new: float, old: float, years: int) -> float:
    """Compound annual growth rate from ``old`` to ``new`` over ``years``."""
    return (max(new, 0.0) / old) ** (1 / years) - 1


def progress_ratio(
    base_year: int,
    base: float,
    latest_year: int,
    latest: float,
    target_year: int,
    target: float,
    lower_is_better: bool = False,
) -> float | None:
    """Open SDG's R = d · CAGR_o / |CAGR_r|; None when it is undefined (one year, or base = target)."""
    if latest_year <= base_year or target_year <= base_year:
        return None
    start, goal = max(base, ZERO_FLOOR), max(target, ZERO_FLOOR)
    required = growth(goal, start, target_year - base_year)
    if required == 0:
        return None
    sign = -1 if lower_is_better else 1
    return sign * growth(latest, start, latest_year - base_year) / abs(required)


def classify(ratio: float) -> str:
    for name, threshold in PROGRESS_THRESHOLDS:
        if ratio >= threshold:
            return name
    return "regressing"


@dataclass(frozen=True)
class Judgement:
    latest_year: int | None
    latest_value: float | None
    attained: bool | None
    status: str
    progress_ratio: float | None
    base_year: int | None
    base_value: float | None
    missed_year: int | None = None  # the year a "duy trì" target was first missed
    missed_value: float | None = None  # and its value


def judge(
    series: list[tuple[int, float]],
    target_year: int,
    target: float,
    direction: str,
    unit: str,
    as_of_year: int,
    phase_start: int,
    baseline: tuple[int | None, float | None] = (None, None),
    window_start: int | None = None,
) -> Judgement:
    """Judge one target on one yearly series [(year, value)] (any order, one value per year); values
    before ``window_start`` (the plan's first monitored year) are not the plan's and are left out."""
    points = sorted(
        (y, v)
        for y, v in series
        if v is not None
        and not (isinstance(v, float) and math.isnan(v))
        and (window_start is None or y >= window_start)
    )
    return judge_points(points, target_year, target, direction, unit, as_of_year, phase_start, baseline)


def judge_points(
    points: list[tuple[int, float]],
    target_year: int,
    target: float,
    direction: str,
    unit: str,
    as_of_year: int,
    phase_start: int,
    baseline: tuple[int | None, float | None] = (None, None),
) -> Judgement:
    """:func:`judge` on a series already in year order, without missing values, inside the plan's window."""
    passed = target_year < as_of_year
    relevant = [(y, v) for y, v in points if y <= (target_year if passed else as_of_year)]
    if not relevant:
        return Judgement(None, None, None, "no_data", None, None, None)
    latest_year, latest = relevant[-1]
    met = is_met(latest, target, direction, unit)
    stated_year, stated_value = baseline
    if stated_year is not None and stated_value is not None:
        base_year, base = stated_year, stated_value
    else:
        base_year, base = relevant[0]
    if direction == "maintain":
        missed = [(y, v) for y, v in relevant if y >= phase_start and not is_met(v, target, direction, unit)]
        if missed:
            # "duy trì" broken in some year: the promise cannot be kept any more (departure 6)
            return Judgement(latest_year, latest, False, "not_achieved", None, base_year, base, *missed[0])
    if passed:
        if latest_year != target_year:
            return Judgement(latest_year, latest, None, "no_data", None, base_year, base)
        return Judgement(latest_year, latest, met, "achieved" if met else "not_achieved", None, base_year, base)
    if met:
        return Judgement(latest_year, latest, True, "achieved", None, base_year, base)
    if unit == "yes_no":
        return Judgement(latest_year, latest, False, "not_yet", None, base_year, base)
    if latest_year <= base_year:
        return Judgement(latest_year, latest, False, "insufficient_data", None, base_year, base)
    ratio, status = measure(base_year, base, latest_year, latest, target_year, target, direction, unit)
    return Judgement(latest_year, latest, False, status, ratio, base_year, base)


def measure(
    base_year: int,
    base: float,
    latest_year: int,
    latest: float,
    target_year: int,
    target: float,
    direction: str,
    unit: str,
) -> tuple[float | None, str]:
    """(R, class) of a target not yet met, at least two years apart."""
    lower = direction in LOWER_IS_BETTER
    if direction == "about":
        # on the distance to the target, lower is better, met within the tolerance (departure 3)
        base, latest, target, lower = abs(base - target), abs(latest - target), ABOUT_TOLERANCE.get(unit, 0.0), True
    ratio = progress_ratio(base_year, base, latest_year, latest, target_year, target, lower)
    if ratio is not None:
        return ratio, classify(ratio)
    # base = target, not met (a strict bound): no rate is required, the movement decides (departure 2)
    worse = latest > base if lower else latest < base
    return None, "regressing" if worse else "limited_progress"


DIRECTION_SIGNS = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<", "about": "≈", "maintain": "duy trì ≥"}


def target_words(target: float, direction: str, unit: str, year: int, indicator_name: str | None = None) -> str:
    """A target as the reports print it: “≥ 50% (năm 2025)”, “≤ 110/100 (năm 2030)”, “≥ 4 tin bài/quý (năm
    2025)” (the thing counted read from ``indicator_name``), “Có (năm 2025)”."""
    when = f"(năm {int(year)})"
    if unit == "yes_no":
        wanted = "Có" if (target >= 1) != (direction in LOWER_IS_BETTER) else "Không"
        return f"{'Duy trì: ' if direction == 'maintain' else ''}{wanted} {when}"
    return f"{DIRECTION_SIGNS.get(direction, '')} {value_text(target, unit, indicator_name=indicator_name)} {when}"


def reason(j: Judgement, target: float, target_year: int, direction: str, unit: str) -> str:
    """Why the status is what it is, in Vietnamese, with the numbers an officer can check, each printed at the
    precision that decided the status (:mod:`bdg_pipeline.figures`)."""
    goal, latest = value_text(target, unit), value_text(j.latest_value, unit, (target, direction))
    if j.status == "no_data":
        return (
            f"Không có số liệu của năm {target_year} để đối chiếu với mục tiêu {goal}."
            if j.latest_year is not None
            else "Chưa có số liệu nào để đánh giá."
        )
    if j.status == "achieved":
        return f"Số liệu năm {j.latest_year} là {latest}, đạt mục tiêu {goal} của năm {target_year}."
    if j.missed_year is not None:
        missed = value_text(j.missed_value, unit, (target, direction))
        return f"Mục tiêu duy trì {goal} không đạt ở năm {j.missed_year} ({missed})."
    if j.status == "not_achieved":
        return f"Năm {target_year} đã qua; số liệu năm {j.latest_year} là {latest}, chưa đạt {goal}."
    if j.status == "not_yet":
        return f"Năm {j.latest_year}: {latest.lower()}; mục tiêu {goal} vào năm {target_year}."
    if j.status == "insufficient_data":
        return (
            f"Mới có số liệu năm {j.latest_year} ({latest}); cần ít nhất hai năm để tính tốc độ tiến tới "
            f"{goal} năm {target_year}."
        )
    base = f"{value_text(j.base_value, unit)} ({j.base_year})"
    if j.progress_ratio is None:
        return (
            f"Năm gốc {base} bằng mức mục tiêu {goal}; năm {j.latest_year} là {latest}: {STATUS_VI[j.status].lower()}."
        )
    what = "khoảng cách tới mục tiêu" if direction == "about" else "tốc độ"
    ratio = ratio_text(j.progress_ratio, classify)
    return (
        f"Từ {base} đến {latest} ({j.latest_year}): {what} bằng {ratio} lần mức cần để đạt {goal} năm "
        f"{target_year} — {STATUS_VI[j.status].lower()}."
    )


def status_label(j: Judgement, target_year: int, target: float, direction: str, unit: str) -> str:
    """The badge: the status in Vietnamese, naming the year it speaks of when the target's year has no value
    but an earlier year has (“Chưa có số liệu năm 2025 — mới nhất 43,15% (2024)”)."""
    if j.status == "no_data" and j.latest_year is not None and j.latest_year != target_year:
        latest = value_text(j.latest_value, unit, (target, direction))
        return f"Chưa có số liệu năm {target_year} — mới nhất {latest} ({j.latest_year})"
    return STATUS_VI[j.status]


def expected_value(year: int, path: list[tuple[int, float]]) -> float | None:
    """Linear interpolation along the target path [(base_year, base), (T1, v1), (T2, v2), ...]."""
    path = sorted(path)
    if not path or year < path[0][0] or year > path[-1][0]:
        return None
    for (y0, v0), (y1, v1) in pairwise(path):
        if y0 <= year <= y1:
            return v0 if y1 == y0 else v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    return path[-1][1] if year == path[-1][0] else None


def gap(latest: float | None, target: float, direction: str) -> tuple[float | None, float | None]:
    """(target − latest, shortfall ≥ 0 in the good direction; 0 once met)."""
    if latest is None:
        return None, None
    signed = target - latest
    if direction in LOWER_IS_BETTER:
        return signed, max(0.0, latest - target)
    if direction == "about":
        return signed, abs(signed)
    return signed, max(0.0, signed)


@contextmanager
def tolerances(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The ``about_tolerance`` table the judging and path queries read (each unit's tolerance of “khoảng”)."""
    con.execute("CREATE OR REPLACE TEMP TABLE about_tolerance (unit VARCHAR, tolerance DOUBLE)")
    con.executemany("INSERT INTO about_tolerance VALUES (?, ?)", list(ABOUT_TOLERANCE.items()))
    try:
        yield
    finally:
        con.execute("DROP TABLE IF EXISTS about_tolerance")


TEXT_INPUTS = (
    *("latest_year", "latest_value", "attained", "status", "progress_ratio", "base_year", "base_value"),
    *("missed_year", "missed_value", "target_year", "target_value", "direction", "unit"),
)


def judge_all(con: duckdb.DuckDBPyConnection, as_of_year: int) -> pa.Table:
    """:func:`judge` for every target at every place at once (``sql/attainment.sql``): the province itself
    always, other areas where they reported. ``con`` holds ``judged_targets`` and ``judged_series`` (see
    :func:`compute_attainment`); the texts are written here, from the same :func:`reason` and
    :func:`status_label` a single judgement uses, once for all the judgements the query finds told in the same
    words (``text_id``)."""
    with tolerances(con):
        judged = con.sql(_sql("attainment.sql"), params={"as_of": as_of_year}).to_arrow_table()
    text_ids = judged.column("text_id")
    rows = pa.table({"text_id": text_ids, "row": pa.array(range(judged.num_rows), pa.int64())})
    first = rows.group_by("text_id").aggregate([("row", "min")]).sort_by("text_id").column("row_min")
    told = judged.select(list(TEXT_INPUTS)).take(first)
    labels, reasons = [], []
    for row in zip(*(told.column(c).to_pylist() for c in TEXT_INPUTS), strict=True):
        j = Judgement(*row[:9])
        target_year, target, direction, unit = row[9:]
        labels.append(status_label(j, target_year, target, direction, unit))
        reasons.append(reason(j, target, target_year, direction, unit))
    statuses = pa.array([STATUS_VI[s] for s in STATUS_VI], pa.string())
    status_vi = pc.take(statuses, pc.index_in(judged.column("status"), pa.array(list(STATUS_VI), pa.string())))
    return (
        judged.drop_columns(["missed_year", "missed_value", "text_id"])
        .append_column("status_vi", status_vi)
        .append_column("status_label", pc.take(pa.array(labels, pa.string()), text_ids))
        .append_column("reason", pc.take(pa.array(reasons, pa.string()), text_ids))
    )


# What a target is judged against, read where it lies (the catalogue's tables in the warehouse).
TARGETS_SQL = """
    SELECT t.plan_code, t.objective_no, t.indicator_no, t.part, pi.indicator_code, pi.unit,
           p.province_code, t.target_year, t.target_value, t.direction,
           pi.baseline_year, pi.baseline_value, p.phase_start, p.monitoring_start
    FROM fact_target t
    JOIN dim_plan p USING (plan_code)
    JOIN dim_plan_indicator pi USING (plan_code, objective_no, indicator_no, part)
    WHERE t.plan_code IN (SELECT unnest(?::VARCHAR[]))
"""
BATCH_PROVINCES = 4  # provinces judged together: bounds memory at national scale


def judge_plans(con: duckdb.DuckDBPyConnection, plans: list[tuple[str, str]], as_of_year: int) -> tuple[int, int]:
    """Judge the targets of ``plans`` [(plan_code, province_code)] against their provinces' series in
    ``fact_province_series`` and write the judgements into ``fact_attainment`` and the expected path into
    ``fact_progress`` (rows of these plans already there stay: the caller deletes them). A few provinces at a
    time; returns the rows written to each."""
    provinces = sorted({province for _, province in plans})
    written = [0, 0]
    for i in range(0, len(provinces), BATCH_PROVINCES):
        group = provinces[i : i + BATCH_PROVINCES]
        codes = [plan for plan, province in plans if province in group]
        # judged where they lie: no frame between the tables and the query
        con.execute(f"CREATE OR REPLACE TEMP TABLE judged_targets AS {TARGETS_SQL}", [codes])
        con.execute(
            "CREATE OR REPLACE TEMP TABLE judged_series AS SELECT province_code, indicator_code, area_code, level, "
            "year, value FROM fact_province_series WHERE province_code IN (SELECT unnest(?::VARCHAR[]))",
            [group],
        )
        judged = judge_all(con, as_of_year)
        if judged.num_rows:
            con.register("judged_rows", judged)
            try:
                con.execute("INSERT INTO fact_attainment BY NAME SELECT * FROM judged_rows")
            finally:
                con.unregister("judged_rows")
        with tolerances(con):  # the expected path, written where it is computed
            paths = con.execute(f"INSERT INTO fact_progress BY NAME {paths_sql()}").fetchall()
        con.execute("DROP TABLE judged_targets")
        con.execute("DROP TABLE judged_series")
        written[0] += judged.num_rows
        written[1] += paths[0][0]
    return written[0], written[1]


def paths_sql() -> str:
    """:func:`compute_progress` for every plan at once (``sql/progress.sql``), over the ``judged_targets`` and
    ``judged_series`` of :func:`judge_all`, to run inside :func:`tolerances`."""
    return _sql("progress.sql")


@functools.cache
def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def compute_attainment(targets: pd.DataFrame, series: pd.DataFrame, as_of_year: int) -> pd.DataFrame:
    """One row per target × (area, level), from frames: :func:`judge_all` over them.

    ``targets``: plan_code, objective_no, indicator_no, part, indicator_code, unit, province_code,
    target_year, target_value, direction, baseline_year, baseline_value, phase_start, monitoring_start.
    ``series``: rows of the view ``v_province_series`` (province_code, indicator_code, area_code, level,
    year, value), where districts and communes are already summed into their province.
    """
    with duckdb.connect() as con:
        con.register("judged_targets", targets)
        con.register("judged_series", series)
        return judge_all(con, as_of_year).to_pandas()


def compute_progress(targets: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """Expected value on the path base → targets for every year, beside the province's observed value: the
    one-plan statement of the rules, which the attainment step applies to every plan at once
    (:func:`paths_sql`). A year with two values (one indicator measured by two chỉ tiêu) shows the
    larger, the one :func:`judge` takes as a latest value, and starts a path from the smaller, as its base."""
    columns = (series.province_code, series.indicator_code, series.area_code, series.level, series.year, series.value)
    by_indicator: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for p, c, a, lvl, y, v in zip(*columns, strict=True):
        if a == p and lvl == "tinh" and v is not None and not math.isnan(v):
            by_indicator.setdefault((p, c), []).append((int(y), float(v)))
    observed = {(p, c, y): v for (p, c), points in by_indicator.items() for y, v in sorted(points)}
    rows = []
    keys = ["plan_code", "objective_no", "indicator_no", "part"]
    for key, group in targets.groupby(keys):
        first = group.iloc[0]
        path = [(int(y), float(v)) for y, v in zip(group.target_year, group.target_value, strict=True)]
        if not pd.isna(first.baseline_year) and not pd.isna(first.baseline_value):
            path.append((int(first.baseline_year), float(first.baseline_value)))
        else:
            seen = sorted(
                (y, v)
                for y, v in by_indicator.get((first.province_code, first.indicator_code), [])
                if first.monitoring_start <= y < min(group.target_year)
            )
            if seen:
                path.append(seen[0])
        path = sorted(dict(path).items())
        first_target = group.sort_values("target_year").iloc[0]
        if path[0][0] < first_target.target_year and is_met(
            path[0][1], float(first_target.target_value), first_target.direction, first_target.unit
        ):
            # already past the first target at the base: the path holds the target, it does not go back
            path[0] = (path[0][0], float(first_target.target_value))
        for year in range(path[0][0], path[-1][0] + 1):
            rows.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "indicator_code": first.indicator_code,
                    "province_code": first.province_code,
                    "year": year,
                    "expected_value": expected_value(year, path),
                    "observed_value": observed.get((first.province_code, first.indicator_code, year)),
                }
            )
    return pd.DataFrame(rows)
