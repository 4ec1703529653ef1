"""The rules a number must keep, each declared once, beside the units' own table (``vocabulary.UNIT_TABLE``).

The readers (template, appendix, plan sheets) apply them to each cell with a message for the officer; the
pandera schemas (:mod:`.schemas`) to the rows of a return before they are recorded; the great-expectations
suites (:mod:`.quality`) to the warehouse after it is published; the data dictionary's tests
(:mod:`.data_tests`) to the warehouse's tables. All of them take the columns and bounds from here.
"""

from __future__ import annotations

from .vocabulary import UNIT_TABLE

# Counts, rates and money are never below zero, wherever they are stored (a parsed return's frame, the
# warehouse table that records it, the view that shows it).
NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "fact_observation": ("numerator", "denominator", "value"),
    "fact_activity_report": ("participants_male", "participants_female", "participants_total"),
    "fact_spending": ("allocated_million_vnd", "spent_million_vnd"),
    "plan_budget": ("amount_million_vnd",),
}
# The units whose numerator counts a part of its denominator (a share): numerator ≤ denominator.
SHARE_UNITS: tuple[str, ...] = ("percent",)
# Parts that add up to at most their stated whole: nam + nữ ≤ tổng số người tham gia.
PARTS_WITHIN_WHOLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "fact_activity_report": ("participants_total", ("participants_male", "participants_female")),
}


def non_negative(column: str) -> bool:
    """Whether ``column`` holds a count or an amount (never below zero) wherever it is stored."""
    return any(column in columns for columns in NON_NEGATIVE.values())


def value_range(unit: str) -> tuple[float, float]:
    """What a value in ``unit`` can plausibly be (0–100 for a percent, 0–200 per 100 ...)."""
    return UNIT_TABLE[unit].valid_range


def value_ranges() -> dict[str, tuple[float, float]]:
    return {code: unit.valid_range for code, unit in UNIT_TABLE.items()}


def parts_exceed_whole(parts: list[int | None], whole: int | None) -> bool:
    """Whether parts (nam, nữ; a missing one counted as 0) add up to more than their stated whole."""
    return whole is not None and sum(p or 0 for p in parts) > whole


def monitored(start: int, end: int, year: int) -> bool:
    """Whether ``year`` is one of the plan's monitoring years (``start``–``end``)."""
    return int(start) <= year <= int(end)


def outside_monitoring(plan_code: str, start: int, end: int, year: int, what: str = "Năm") -> str | None:
    """The officer's message when ``year`` is outside the plan's monitoring years (``start``–``end``), else
    None: a return, a template and a row are only about the years the plan is monitored in."""
    if monitored(start, end, year):
        return None
    return f"{what} {year} nằm ngoài kỳ theo dõi của kế hoạch {plan_code} ({start}–{end})"
