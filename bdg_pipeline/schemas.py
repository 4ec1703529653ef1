"""pandera schemas: the catalogue as loaded from YAML; observations, activities and spending parsed from returns.

Every frame carries ``source_file`` and ``entry`` columns so a failure names where to look.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera import dtypes
from pandera.engines import pandas_engine
from pandera.typing import Series

from .rules import PARTS_WITHIN_WHOLE, non_negative
from .vocabulary import ACTIVITY_STATUSES, DIRECTIONS, LEVELS, UNITS


@pandas_engine.Engine.register_dtype
@dtypes.immutable
class Text(pandas_engine.NpString):
    """pandera's ``str`` for the columns of every return read: whether each value is a text (or missing) is
    first asked of pandas' type inference, one pass in C over the column; only when it finds anything else does
    pandera's own check run, element by element, naming each failing value and row as ``str`` does."""

    def check(self, pandera_dtype: dtypes.DataType, data_container: Any = None) -> Any:
        if data_container is not None and pd.api.types.infer_dtype(data_container, skipna=True) in TEXTS:
            return True
        return super().check(pandera_dtype, data_container)

    def __str__(self) -> str:
        return "str"  # named as ``str`` in failure cases (“dtype('str')”)


TEXTS = ("string", "empty")  # what infer_dtype says of a column of texts and missing values only


def counted(column: str) -> Any:
    """The pandera field of a count or an amount (``rules.NON_NEGATIVE``): nullable, never below zero."""
    if not non_negative(column):
        raise ValueError(f"{column} is not declared a count or an amount in rules.NON_NEGATIVE")
    return pa.Field(nullable=True, ge=0)


class IndicatorCodes(pa.DataFrameModel):
    indicator_code: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z0-9_]+$")
    name: Series[str] = pa.Field(str_length={"min_value": 3})
    unit: Series[str] = pa.Field(isin=list(UNITS))
    source_file: Series[str]
    entry: Series[str]


class Agencies(pa.DataFrameModel):
    agency_code: Series[str] = pa.Field(unique=True, str_matches=r"^[A-Z]+$")
    name: Series[str]
    valid_from: Series[pd.Timestamp] = pa.Field(nullable=True)
    valid_to: Series[pd.Timestamp] = pa.Field(nullable=True)
    source_file: Series[str]
    entry: Series[str]

    class Config:
        coerce = True

    @pa.dataframe_check(name="valid_from_not_after_valid_to")
    def _ordered(cls, df):
        return df["valid_from"].isna() | df["valid_to"].isna() | (df["valid_from"] <= df["valid_to"])


class AgencySuccessors(pa.DataFrameModel):
    """One row per successor of a dissolved agency; ``new_code`` is checked against the agencies at load."""

    old_code: Series[str]
    new_code: Series[str] = pa.Field(str_matches=r"^[A-Z]+$")
    position: Series[int] = pa.Field(ge=1)
    words: Series[str]
    source_file: Series[str]
    entry: Series[str]

    class Config:
        coerce = True
        unique = ["old_code", "new_code"]


class PlanIndicators(pa.DataFrameModel):
    """One row per chỉ tiêu × part of a plan."""

    plan_code: Series[str]
    objective_no: Series[int] = pa.Field(ge=1)
    indicator_no: Series[int] = pa.Field(ge=1)
    part: Series[str] = pa.Field(isin=["", "a", "b", "c", "d"])
    indicator_code: Series[str]
    unit: Series[str] = pa.Field(isin=list(UNITS))
    text: Series[str] = pa.Field(str_length={"min_value": 10})
    lead_agency: Series[str]
    baseline_year: Series[pa.Int64] = pa.Field(nullable=True, ge=2000, le=2035)
    baseline_value: Series[float] = pa.Field(nullable=True)
    source_file: Series[str]
    entry: Series[str]

    class Config:
        coerce = True
        unique = ["plan_code", "objective_no", "indicator_no", "part"]

    @pa.check("indicator_code", name="known_indicator_code")
    def _no_null_code(cls, code: Series[str]) -> Series[bool]:
        return code.str.len() > 0


class Targets(pa.DataFrameModel):
    plan_code: Series[str]
    objective_no: Series[int]
    indicator_no: Series[int]
    part: Series[str]
    target_year: Series[int]
    target_value: Series[float] = pa.Field(ge=0)
    direction: Series[str] = pa.Field(isin=list(DIRECTIONS))
    period_start: Series[int]
    period_end: Series[int]
    source_file: Series[str]
    entry: Series[str]

    class Config:
        coerce = True
        unique = ["plan_code", "objective_no", "indicator_no", "part", "target_year"]

    @pa.dataframe_check(name="target_year_within_plan_period")
    def _year_in_period(cls, df):
        return (df["target_year"] >= df["period_start"]) & (df["target_year"] <= df["period_end"])


class Observations(pa.DataFrameModel):
    """Rows parsed from one return, before they reach ``fact_observation``."""

    plan_code: Series[Text]
    objective_no: Series[int]
    indicator_no: Series[int]
    part: Series[Text]
    indicator_code: Series[Text]
    unit: Series[Text] = pa.Field(isin=list(UNITS))
    level: Series[Text] = pa.Field(isin=list(LEVELS))
    area_code: Series[Text]
    year: Series[int]
    numerator: Series[pa.Int64] = counted("numerator")
    denominator: Series[pa.Int64] = counted("denominator")
    value: Series[float] = counted("value")
    agency_code: Series[Text] = pa.Field(nullable=True)
    source_sheet: Series[Text]
    source_cell: Series[Text]

    class Config:
        coerce = True
        unique = ["plan_code", "objective_no", "indicator_no", "part", "level", "area_code", "year"]


class ObservationBatch(Observations):
    """The rows of several returns validated in one call; ``return_no`` says which return a row is from."""

    return_no: Series[int]

    class Config:
        coerce = False  # built from Arrow in the schema's dtypes; a wrong dtype is a bug, not bad input
        unique = ["return_no", "plan_code", "objective_no", "indicator_no", "part", "level", "area_code", "year"]


class ActivityReports(pa.DataFrameModel):
    """Activities reported in one return (sheet HoatDong), before they reach ``fact_activity_report``."""

    plan_code: Series[Text]
    activity_no: Series[int] = pa.Field(ge=1)
    year: Series[int]
    agency_code: Series[Text]
    role: Series[Text] = pa.Field(isin=["lead", "co"])
    status: Series[Text] = pa.Field(isin=list(ACTIVITY_STATUSES))
    participants_male: Series[pa.Int64] = counted("participants_male")
    participants_female: Series[pa.Int64] = counted("participants_female")
    participants_total: Series[pa.Int64] = counted("participants_total")
    source_sheet: Series[Text]
    source_cell: Series[Text]

    class Config:
        coerce = True
        unique = ["plan_code", "activity_no", "year", "agency_code"]

    @pa.dataframe_check(name="participants_within_stated_total")
    def _within_total(cls, df):
        whole, parts = PARTS_WITHIN_WHOLE["fact_activity_report"]
        added = sum(df[part].fillna(0) for part in parts)
        return df[whole].isna() | (added <= df[whole])


class SpendingLines(pa.DataFrameModel):
    """Spending reported in one return (sheet KinhPhi), before it reaches ``fact_spending``; triệu đồng."""

    plan_code: Series[Text]
    year: Series[int]
    agency_code: Series[Text]
    source_name: Series[Text]
    allocated_million_vnd: Series[float] = counted("allocated_million_vnd")
    spent_million_vnd: Series[float] = counted("spent_million_vnd")
    flagged: Series[bool]
    source_sheet: Series[Text]
    source_cell: Series[Text]

    class Config:
        coerce = True
        unique = ["plan_code", "year", "agency_code", "source_name"]
