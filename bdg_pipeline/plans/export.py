"""A catalogued plan as a :class:`PlanDraft`, from the validated catalogue tables (what the warehouse and
the templates use), so that loading the exported workbook gives back the same catalogue."""

from __future__ import annotations

import math

import pandas as pd

from ..catalogue import Catalogue
from .model import Activity, BudgetLine, Deadline, Objective, PlanDraft, PlanInfo, TargetRow


class UnknownPlan(ValueError):
    """Asked for a plan the catalogue does not hold (message for officers)."""


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not math.isnan(value) else None


def export_plan(catalogue: Catalogue, plan_code: str) -> PlanDraft:
    plans = catalogue.plans.set_index("plan_code")
    if plan_code not in plans.index:
        raise UnknownPlan(f"Không có kế hoạch “{plan_code}” trong danh mục. Các kế hoạch: {', '.join(plans.index)}")
    plan = plans.loc[plan_code]
    agency_name = dict(zip(catalogue.agencies.agency_code, catalogue.agencies.name, strict=True))
    deadlines = catalogue.reporting_deadlines
    budget = catalogue.budget[catalogue.budget.plan_code == plan_code] if not catalogue.budget.empty else None
    info = PlanInfo(
        code=plan_code,
        province=str(plan.province),
        title=str(plan.title),
        start=int(plan.period_start),
        end=int(plan.period_end),
        monitoring_start=int(plan.monitoring_start),
        monitoring_end=int(plan.monitoring_end),
        seed_file=_text(plan.seed_file),
        province_code=str(plan.province_code) if "@" in str(plan.province_code) else "",
        deadlines=[
            Deadline(d.period, f"{d.due_day}/{d.due_month}", _text(d.source))
            for d in deadlines[deadlines.plan_code == plan_code].itertuples()
        ],
    )
    if budget is not None and not budget.empty:
        info.budget_unit = _text(budget.unit_note.iloc[0]) or "triệu đồng"
        info.budget_source = _text(budget.source.iloc[0])
    objectives = catalogue.objectives[catalogue.objectives.plan_code == plan_code]
    return PlanDraft(
        info=info,
        objectives=[
            Objective(int(o.objective_no), str(o.field), str(o.text), _text(o.source)) for o in objectives.itertuples()
        ],
        rows=_target_rows(catalogue, plan_code, agency_name),
        activities=_activities(catalogue, plan_code, agency_name),
        budget=[
            BudgetLine(b.category, str(b.name), float(b.amount_million_vnd), int(b.period_start), int(b.period_end))
            for b in budget.itertuples()
        ]
        if budget is not None
        else [],
    )


def _target_rows(catalogue: Catalogue, plan_code: str, agency_name: dict[str, str]) -> list[TargetRow]:
    pi = catalogue.plan_indicators
    pi = pi[pi.plan_code == plan_code]
    targets = catalogue.targets[catalogue.targets.plan_code == plan_code]
    bridge = catalogue.indicator_agencies[catalogue.indicator_agencies.plan_code == plan_code]
    names = catalogue.indicator_names
    rows: list[TargetRow] = []
    for part in pi.itertuples():
        key = (part.objective_no, part.indicator_no, part.part)
        agencies = bridge[(bridge.objective_no == key[0]) & (bridge.indicator_no == key[1]) & (bridge.part == key[2])]
        agencies = agencies.sort_values("position")
        leads = [agency_name[a] for a in agencies[agencies.role == "lead"].agency_code]
        cos = [agency_name[a] for a in agencies[agencies.role == "co"].agency_code]
        chosen = targets[(targets.objective_no == key[0]) & (targets.indicator_no == key[1]) & (targets.part == key[2])]
        for target in chosen.itertuples():
            rows.append(
                TargetRow(
                    objective_no=int(part.objective_no),
                    indicator_no=int(part.indicator_no),
                    part=str(part.part),
                    text=str(part.text),
                    indicator_code=str(part.indicator_code),
                    unit=str(part.unit),
                    direction=str(target.direction),
                    year=int(target.target_year),
                    value=float(target.target_value),
                    leads=leads,
                    cos=cos,
                    baseline_value=_number(part.baseline_value),
                    baseline_year=None if pd.isna(part.baseline_year) else int(part.baseline_year),
                    yearly=bool(target.is_yearly),
                    indicator_name=names.get(str(part.indicator_code), ""),
                    labels=[label for label in _text(part.labels).split("; ") if label],
                    default=bool(part.is_default),
                    note=_text(part.note),
                    source=_text(part.source),
                    agency_source=_text(part.agency_source),
                )
            )
    return rows


def _activities(catalogue: Catalogue, plan_code: str, agency_name: dict[str, str]) -> list[Activity]:
    if catalogue.activities.empty:
        return []
    acts = catalogue.activities[catalogue.activities.plan_code == plan_code]
    return [
        Activity(
            number=int(a.activity_no),
            text=str(a.text),
            lead=agency_name[a.lead_agency],
            cos=[agency_name[c] for c in _text(a.co_agencies).split("; ") if c],
            district=_text(a.district),
            commune=_text(a.commune),
            due=a.due_date if a.due_date is not None and not pd.isna(a.due_date) else None,
            source=_text(a.source),
        )
        for a in acts.itertuples()
    ]
