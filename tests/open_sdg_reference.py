"""Open SDG's progress measure for a series with a quantitative target, written here from its published
methodology (open-sdg/open-sdg, docs/progress-methodology.md: “Indicators with quantitative targets”,
“Special considerations for the base value and the target value”, “Minimum data requirements”) to check
``bdg_pipeline.attainment`` against an independent reading of the method.

Statuses are the methodology's: target_achieved, on_track (R ≥ 95 %), acceleration_needed (60 % ≤ R <
95 %), limited_progress (0 ≤ R < 60 %), deterioration (R < 0), unable_to_assess.
"""

from __future__ import annotations


def assess(
    series: list[tuple[int, float]],
    target: float,
    target_year: int,
    higher_is_better: bool,
    base_year: int | None = None,
) -> tuple[str, float | None]:
    """(status, R) of a yearly series [(year, value)] toward ``target`` in ``target_year``."""
    data = sorted(series)
    if not data:
        return "unable_to_assess", None
    years = [y for y, _ in data]
    # the base year is the configured one when it has data, else the first year with data after it
    start = years[0] if base_year is None else min((y for y in years if y >= base_year), default=None)
    if start is None:
        return "unable_to_assess", None
    y0 = dict(data)[start]
    t_i, y_i = data[-1]
    achieved = y_i >= target if higher_is_better else y_i <= target
    if achieved:
        return "target_achieved", None
    if t_i - start < 1:  # at least two years of data
        return "unable_to_assess", None
    # an exponential model cannot start from, or aim at, zero: 0.001 stands in
    y0 = 0.001 if y0 == 0 else y0
    goal = 0.001 if target == 0 else target
    cagr_i = (y_i / y0) ** (1 / (t_i - start)) - 1
    cagr_t = (goal / y0) ** (1 / (target_year - start)) - 1
    if cagr_t == 0:
        return "unable_to_assess", None
    d = 1 if higher_is_better else -1
    r = d * cagr_i / abs(cagr_t)
    if r >= 0.95:
        return "on_track", r
    if r >= 0.60:
        return "acceleration_needed", r
    if r >= 0:
        return "limited_progress", r
    return "deterioration", r


# the project's status for each of the methodology's
AS_PROJECT = {
    "target_achieved": "achieved",
    "on_track": "on_track",
    "acceleration_needed": "needs_acceleration",
    "limited_progress": "limited_progress",
    "deterioration": "regressing",
    "unable_to_assess": "insufficient_data",
}
