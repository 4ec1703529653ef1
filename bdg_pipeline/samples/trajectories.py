"""Sample returns on the project's template for Lào Cai (LC-2021-2030) and Quảng Ninh (QN-2021-2030),
years 2021–2024 for every lead agency and 2025 for about half of them (late returns are realistic). A year after
the 2025 reform of provincial departments is returned by the agency then in existence (Sở Nội vụ, Sở Y tế …
for the chỉ tiêu of Sở Lao động - Thương binh và Xã hội).

Made up but plausible: each part follows a trajectory chosen in turn from the progress classes, so
the demo shows every status. Every workbook says DỮ LIỆU MẪU in its header and file name.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

from ..areas import world_date
from ..catalogue import Catalogue
from ..returns.template import FIRST_ROW, SHEET
from ..returns.template_build import agency_indicators, build_template
from .activity_returns import SPENDING_AGENCY, fill_spending

PLANS = ("LC-2021-2030", "QN-2021-2030")
YEARS = (2021, 2022, 2023, 2024)
BANNER = "DỮ LIỆU MẪU — số liệu minh họa cho bản chạy thử, không phải số liệu thật"
# Share of the required yearly growth each scenario achieves (None: special cases below).
SCENARIOS = [
    ("on_track", 1.2),
    ("needs_acceleration", 0.75),
    ("limited_progress", 0.3),
    ("regressing", -0.5),
    ("achieved", None),
    ("insufficient", None),
]
LOWER = {"at_most", "below"}


def _trajectory(
    target: float, direction: str, unit: str, scenario: str, rate_share: float | None, rng: random.Random
) -> dict[int, float]:
    lower = direction in LOWER
    cap = 100.0 if unit == "percent" else float("inf")
    if scenario == "achieved":
        start = target * (0.92 if lower else 1.04)
        return {y: min(cap, start * (1 + rng.uniform(-0.005, 0.005))) for y in YEARS + (2025,)}
    base = target * (1.3 if lower else 0.72)
    required = (target / base) ** (1 / 9) - 1  # 2021 → 2030
    values = {}
    for i, year in enumerate(YEARS + (2025,)):
        growth = (1 + required * rate_share) ** i
        values[year] = min(cap - 0.5, base * growth * (1 + rng.uniform(-0.003, 0.003)))
    return values


def _fill(ws, row: int, unit: str, value: float, rng: random.Random) -> None:
    if unit == "percent":
        denominator = rng.randint(400, 20000)
        ws[f"J{row}"], ws[f"K{row}"] = round(value / 100 * denominator), denominator
    elif unit == "yes_no":
        ws[f"L{row}"] = "Có" if value >= 1 else "Không"
    elif unit.startswith("count_per_"):
        ws[f"L{row}"] = round(value)
    else:
        ws[f"L{row}"] = round(value, 2 if unit == "times" else 1)


def write_trajectory_samples(target_dir: Path, catalogue: Catalogue) -> list[Path]:
    rng = random.Random(20251231)
    written: list[Path] = []
    for plan_code in PLANS:
        pi = catalogue.plan_indicators
        agencies = sorted(set(pi[pi.plan_code == plan_code].lead_agency))
        targets = catalogue.targets[catalogue.targets.plan_code == plan_code]
        deadlines = catalogue.reporting_deadlines
        annual = deadlines[(deadlines.plan_code == plan_code) & (deadlines.period == "nam")].iloc[0]
        plans = {}
        writers: dict[tuple[int, str], set[tuple[int, int, str]]] = {}
        turn = 0
        for agency_no, agency in enumerate(agencies):
            for part in agency_indicators(catalogue, plan_code, agency).itertuples():
                own = targets[
                    (targets.objective_no == part.objective_no)
                    & (targets.indicator_no == part.indicator_no)
                    & (targets.part == part.part)
                ].sort_values("target_year")
                last = own.iloc[-1]
                scenario, share = SCENARIOS[turn % len(SCENARIOS)]
                turn += 1
                if part.unit == "yes_no":
                    # every other qualitative target is met (from 2023, or all along when it is "duy trì")
                    met_from = (2021 if last.direction == "maintain" else 2023) if turn % 2 else 9999
                    values = {y: 1.0 if y >= met_from else 0.0 for y in YEARS + (2025,)}
                else:
                    values = _trajectory(
                        float(last.target_value), last.direction, part.unit, scenario, share or 1.0, rng
                    )
                if scenario == "insufficient":
                    values = {2024: values[2021]}
                plans[(part.objective_no, part.indicator_no, part.part)] = (part.unit, values)
            years = YEARS + ((2025,) if agency_no % 2 == 0 else ())
            for year in years:  # the agency answering for each part that year writes it
                for part in agency_indicators(catalogue, plan_code, agency).itertuples():
                    writer = catalogue.timeline.on(
                        agency, catalogue.indicator_names[part.indicator_code], world_date(year)
                    )
                    writers.setdefault((year, writer), set()).add((part.objective_no, part.indicator_no, part.part))
        for (year, agency), keys in sorted(writers.items()):
            agency_name = catalogue.agencies.set_index("agency_code").at[agency, "name"]
            wb = build_template(catalogue, plan_code, agency_name, year, "nam", banner=BANNER)
            ws = wb[SHEET]
            filled = 0
            for row in range(FIRST_ROW, ws.max_row + 1):
                key = (ws[f"B{row}"].value, ws[f"C{row}"].value, ws[f"D{row}"].value or "")
                if ws[f"H{row}"].value != "Cấp tỉnh" or key not in keys:
                    continue
                unit, values = plans[key]
                if year in values:
                    _fill(ws, row, unit, values[year], rng)
                    filled += 1
            if (plan_code, agency) == SPENDING_AGENCY:
                fill_spending(wb, year)  # the Sở LĐ-TB&XH also reports the plan's spending
            ws["C9"].value = None
            ws["C10"] = "Cán bộ đầu mối (mẫu)"
            if filled:
                path = target_dir / f"MAU_{plan_code}_{agency}_{year}_nam.xlsx"
                wb.save(path)
                # received around the annual deadline: most on time, some days or weeks late
                due = dt.date(year, annual.due_month, annual.due_day)
                received = dt.datetime.combine(due, dt.time(9)) + dt.timedelta(days=rng.randint(-25, 12))
                os.utime(path, (received.timestamp(), received.timestamp()))
                written.append(path)
    return written
