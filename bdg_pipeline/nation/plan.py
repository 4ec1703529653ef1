"""National plans (``<catalogue>/national/<CODE>.yaml``): written like the provincial plans (objectives, chỉ tiêu,
parts with indicator codes of ``indicators.yaml``, targets by year), judged on the sum of every province's
numerators and denominators instead of one province's territory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml

from ..vocabulary import DIRECTIONS, UNIT_TABLE


class NationalPlanError(ValueError):
    """A national plan file that does not follow the catalogue's rules (said in Vietnamese, file and entry named)."""


class NationalTargets(pa.DataFrameModel):
    plan_code: str = pa.Field(str_matches=r"^VN-\d{4}-\d{4}$")
    objective_no: int = pa.Field(ge=1)
    indicator_no: int = pa.Field(ge=1)
    part: str
    indicator_code: str
    unit: str = pa.Field(isin=list(UNIT_TABLE))
    direction: str = pa.Field(isin=list(DIRECTIONS))
    target_year: int
    target_value: float
    period_start: int
    period_end: int

    @pa.dataframe_check(name="target_year_within_plan_period")
    def _year_in_period(cls, df):
        return (df.target_year >= df.period_start) & (df.target_year <= df.period_end)

    @pa.dataframe_check(name="target_within_unit_range")
    def _value_in_unit_range(cls, df):
        low = df.unit.map(lambda u: UNIT_TABLE[u].valid_range[0] if u in UNIT_TABLE else 0)
        high = df.unit.map(lambda u: UNIT_TABLE[u].valid_range[1] if u in UNIT_TABLE else 0)
        return (df.target_value >= low) & (df.target_value <= high)

    class Config:
        unique = ["plan_code", "objective_no", "indicator_no", "part", "target_year"]


def _units(catalogue_dir: Path) -> dict[str, str]:
    entries = yaml.safe_load((catalogue_dir / "indicators.yaml").read_text(encoding="utf-8"))
    return {e["code"]: e["unit"] for e in entries}


def read_national_plans(catalogue_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(plans, targets) of every national plan; :class:`NationalPlanError` lists every problem."""
    unit_of = _units(catalogue_dir)
    plans, rows, problems = [], [], []
    for path in sorted((catalogue_dir / "national").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        plan = doc["plan"]
        start, end = plan["period"]
        plans.append(
            {
                "plan_code": plan["code"],
                "title": plan["title"],
                "document": plan.get("document", ""),
                "responsible": plan.get("responsible", ""),
                "period_start": start,
                "period_end": end,
                "source_file": path.name,
            }
        )
        fields = {int(o["number"]): o["field"] for o in doc.get("objectives") or []}
        for ind in doc.get("indicators") or []:
            objective_no, indicator_no = (int(x) for x in str(ind["id"]).split("."))
            if objective_no not in fields:
                problems.append(f"{path.name}, chỉ tiêu {ind['id']}: không có mục tiêu {objective_no}")
            for part in ind.get("parts") or []:
                code = part.get("code", "")
                if code not in unit_of:
                    problems.append(
                        f"{path.name}, chỉ tiêu {ind['id']}: mã chỉ tiêu '{code}' không có trong indicators.yaml"
                    )
                for target in part.get("targets") or []:
                    year, value, *override = target
                    rows.append(
                        {
                            "plan_code": plan["code"],
                            "objective_no": objective_no,
                            "indicator_no": indicator_no,
                            "part": str(part.get("part", "")),
                            "indicator_code": code,
                            "unit": unit_of.get(code, "?"),
                            "direction": override[0] if override else part.get("direction", ""),
                            "target_year": int(year),
                            "target_value": float(value),
                            "period_start": start,
                            "period_end": end,
                            "objective_field": fields.get(objective_no, ""),
                            "indicator_text": ind.get("text", ""),
                            "note": ind.get("note", ""),
                            "source": ind.get("source", ""),
                            "source_file": path.name,
                        }
                    )
    targets = pd.DataFrame(
        rows,
        columns=[
            *NationalTargets.to_schema().columns,
            "objective_field",
            "indicator_text",
            "note",
            "source",
            "source_file",
        ],
    )
    try:
        NationalTargets.validate(targets, lazy=True)
    except pa.errors.SchemaErrors as err:
        for case in err.failure_cases.itertuples():
            index = case.index
            where = (
                f"{targets.at[index, 'source_file']}, chỉ tiêu {targets.at[index, 'objective_no']}."
                f"{targets.at[index, 'indicator_no']} năm {targets.at[index, 'target_year']}"
                if isinstance(index, int) and index in targets.index
                else "toàn bảng"
            )
            problems.append(f"{where}: kiểm tra '{case.check}' không đạt (giá trị: {case.failure_case})")
    if problems:
        raise NationalPlanError("Kế hoạch quốc gia có lỗi:\n" + "\n".join(problems))
    return pd.DataFrame(plans), targets.drop(columns=["period_start", "period_end"])
