"""Whether a value meets its target, and how a value is printed with its unit: the one home of both, so the
warehouse, the report appendix, the site and the charts never judge or print a number two ways.

A figure printed beside a judgement is printed at the precision that decided it. Statuses are decided on
the values as stored (Open SDG's method, which the project follows, works on them); the printed figure
takes as many decimals as it needs to fall on the same side of the bound as the stored value: 29,996 %
against “≥ 30%” prints “29,996%”, never “30%”; R = 0,9496 prints “0,9496”, never “0,95” (the bound of
“Đúng tiến độ”). Two decimals remain the rule everywhere else.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal

from .units import COUNT_PERIODS, counted_thing, format_vn
from .vocabulary import UNIT_TABLE

ABOUT_TOLERANCE = {code: unit.about_tolerance for code, unit in UNIT_TABLE.items()}
LOWER_IS_BETTER = {"at_most", "below"}
DECIMALS = 2  # as officers print values and rates
MOST_DECIMALS = 6  # beyond this a figure is cut toward its side of the bound instead


def is_met(value: float, target: float, direction: str, unit: str) -> bool:
    """Whether one value meets the target (``maintain`` judged per year, like ``at_least``)."""
    if direction in {"at_least", "maintain"}:
        return value >= target
    if direction == "above":
        return value > target
    if direction == "at_most":
        return value <= target
    if direction == "below":
        return value < target
    if direction == "about":
        return abs(value - target) <= ABOUT_TOLERANCE.get(unit, 0.0) + 1e-9
    raise ValueError(f"unknown direction {direction!r}")


def target_for_year(year: int, targets: list[tuple[int, float, str]]) -> tuple[int, float, str]:
    """The target a year's value is held against: the first due in or after that year, else the last one
    (``targets``: (target_year, target_value, direction))."""
    ordered = sorted(targets)
    return next((t for t in ordered if t[0] >= year), ordered[-1])


def decisive(value: float, decides: Callable[[float], object], decimals: int = DECIMALS) -> float:
    """``value`` rounded to the fewest decimals (at least ``decimals``) at which ``decides`` still gives the
    same answer as for the value itself; cut toward the value's side when even many decimals would not."""
    wanted = decides(value)
    for places in range(decimals, MOST_DECIMALS + 1):
        shown = round(value, places)
        if decides(shown) == wanted:
            return shown
    step = Decimal(1).scaleb(-MOST_DECIMALS)
    down = float(Decimal(repr(value)).quantize(step, rounding=ROUND_FLOOR))
    return down if decides(down) == wanted else float(Decimal(repr(down)) + step)


@functools.lru_cache(maxsize=1 << 16)  # the reasons of a whole country repeat the same targets and values
def value_text(
    value: float | None, unit: str, against: tuple[float, str] | None = None, indicator_name: str | None = None
) -> str:
    """A value with its unit as an officer writes it: 50,59%; 108,5/100; 1,5 lần; 4 tin bài/quý (the thing
    counted read from ``indicator_name``, else 4/quý); Có. With ``against`` = (target, direction), printed at
    the precision that decides whether it meets the target."""
    if value is None or value != value:  # None or NaN
        return "—"
    if unit == "yes_no":
        return "Có" if value >= 1 else "Không"
    places = 0 if unit.startswith("count_per_") else DECIMALS
    if against is not None:
        target, direction = against
        value = decisive(value, lambda v: is_met(v, target, direction, unit), places)
        places = max(places, _places(value))
    number = format_vn(value, places)
    if unit == "percent":
        return f"{number}%"
    if unit == "times":
        return f"{number} lần"
    if unit in COUNT_PERIODS:
        thing = counted_thing(indicator_name)
        return f"{number} {thing}/{COUNT_PERIODS[unit]}" if thing else f"{number}/{COUNT_PERIODS[unit]}"
    return f"{number}{UNIT_TABLE[unit].symbol}"


def ratio_text(ratio: float, classify: Callable[[float], str]) -> str:
    """Open SDG's R printed at the precision that decided its class (``classify``: R → class)."""
    shown = decisive(ratio, classify)
    return format_vn(shown, max(DECIMALS, _places(shown)))


def _places(value: float) -> int:
    """Decimals needed to print ``value`` as it stands (0,9496 → 4)."""
    if not math.isfinite(value):
        return DECIMALS
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
