"""Warehouse quality checks with great-expectations 1.x, run over DataFrames queried from DuckDB
(GX's pandas datasource; its SQL datasource does not read DuckDB through duckdb-engine).

Each suite becomes one Dagster asset check. Every failure names the rows at fault (plan, chỉ tiêu,
area, level, year and the values), found from the row labels GX gives for the first failing rows. Results are written
as a page that reads offline, ``<warehouse dir>/data_docs/ket_qua_kiem_tra.html`` (GX's own Data Docs,
written beside it, load their styles and scripts from a CDN and show blank without a network).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from .rules import NON_NEGATIVE, SHARE_UNITS, value_ranges
from .units import format_vn
from .vocabulary import ACTIVITY_STATUSES, LEVELS, NOT_REPORTED, UNIT_TABLE

# A change from one year to the next beyond this many units of the indicator is flagged for review.
YEAR_JUMP_LIMIT = {code: u.year_jump_limit for code, u in UNIT_TABLE.items() if u.year_jump_limit is not None}
VALUE_RANGES = value_ranges()
KEY_COLUMNS = ["plan_code", "objective_no", "indicator_no", "part", "indicator_code", "area_code", "level", "year"]
# Vietnamese description of each suite: the Dagster check descriptions and the results page use these.
SUITES = {
    "keys_not_null": "Khóa (kế hoạch, chỉ tiêu, địa bàn, cấp, năm) không để trống",
    "share_numerator_within_denominator": "Chỉ tiêu tỷ lệ: tử số không lớn hơn mẫu số",
    "value_ranges_per_unit": "Giá trị nằm trong khoảng của đơn vị tính (0–100 % ...)",
    "one_row_per_key_in_force": "Mỗi chỉ tiêu, địa bàn, cấp, năm chỉ có một số liệu đang hiệu lực",
    "every_indicator_has_agency": "Mọi chỉ tiêu trong danh mục có cơ quan chủ trì",
    "year_over_year_jumps": "Biến động giữa hai năm liền nhau vượt ngưỡng (cảnh báo)",
    "activities_in_force": "Hoạt động: một tình trạng mỗi năm, thuộc danh sách; số người tham gia không âm",
    "budget_adds_up": "Kinh phí: các nguồn và các giai đoạn cộng lại bằng tổng dự toán; số tiền không âm",
    "spending_within_plan": "Kinh phí đã chi không vượt dự toán của từng khoản (cảnh báo)",
}
# The columns that say which row failed, per frame (shown with every failure).
ROW_NAMES = {
    "observations": [
        "plan_code",
        "objective_no",
        "indicator_no",
        "part",
        "indicator_code",
        "province",
        "area_name",
        "level",
        "year",
    ],
    "catalogue_agencies": ["plan_code", "objective_no", "indicator_no", "part", "indicator_code"],
    "year_changes": [
        "plan_code",
        "objective_no",
        "indicator_no",
        "part",
        "indicator_code",
        "province",
        "area_name",
        "level",
        "year",
        "value",
    ],
    "activities": ["plan_code", "activity_no", "year", "status", "reported_by"],
    "budget": ["plan_code", "category", "name", "planned_million_vnd", "spent_million_vnd"],
    "budget_sums": ["plan_code", "total", "sources", "phases"],
}
SHOWN_FAILURES = 20


@dataclass
class SuiteOutcome:
    name: str
    success: bool
    severity: str  # "error" fails the check, "warn" flags it
    failures: list[dict] = field(default_factory=list)
    rows: int = 0


def _frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    checked = dict.fromkeys([*KEY_COLUMNS, *ROW_NAMES["observations"], "unit", "numerator", "denominator", "value"])
    observations = con.execute(f"SELECT {', '.join(checked)} FROM v_observations").df()  # the columns checked
    agencies = con.execute("""
        SELECT pi.plan_code, pi.objective_no, pi.indicator_no, pi.part, pi.indicator_code, a.agency_code AS lead_agency
        FROM dim_plan_indicator pi
        LEFT JOIN dim_agency a ON a.agency_code = pi.lead_agency""").df()
    jumps = con.execute("""
        SELECT plan_code, indicator_code, objective_no, indicator_no, part, province, area_code, area_name, level,
               unit, year, value,
               abs(value - lag(value) OVER w) AS year_change,
               year - lag(year) OVER w AS years_apart
        FROM v_observations
        WINDOW w AS (PARTITION BY plan_code, objective_no, indicator_no, part, area_code, level ORDER BY year)""").df()
    jumps = jumps[jumps.years_apart == 1]
    jumps = jumps.assign(limit=jumps.unit.map(YEAR_JUMP_LIMIT))
    activities = con.execute("SELECT * FROM v_activities").df()
    budget = con.execute("SELECT * FROM v_budget").df()
    sums = con.execute("""
        SELECT plan_code,
               sum(planned_million_vnd) FILTER (WHERE category = 'total') AS total,
               sum(planned_million_vnd) FILTER (WHERE category = 'source') AS sources,
               sum(planned_million_vnd) FILTER (WHERE category = 'phase') AS phases
        FROM v_budget GROUP BY plan_code""").df()
    return {
        "observations": observations,
        "catalogue_agencies": agencies,
        "year_changes": jumps,
        "activities": activities,
        "budget": budget,
        "budget_sums": sums,
    }


def _suites(gx, gxe) -> dict[str, tuple[str, str, list]]:
    """name → (frame, severity, expectations)."""
    ranges = [
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=low, max_value=high, row_condition=f'unit=="{unit}"', condition_parser="pandas"
        )
        for unit, (low, high) in VALUE_RANGES.items()
    ]
    return {
        "keys_not_null": ("observations", "error", [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in KEY_COLUMNS]),
        "share_numerator_within_denominator": (
            "observations",
            "error",
            [
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="denominator",
                    column_B="numerator",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    row_condition=f'unit=="{unit}"',
                    condition_parser="pandas",
                )
                for unit in SHARE_UNITS
            ],
        ),
        "value_ranges_per_unit": ("observations", "error", ranges),
        "one_row_per_key_in_force": (
            "observations",
            "error",
            [gxe.ExpectCompoundColumnsToBeUnique(column_list=KEY_COLUMNS)],
        ),
        "every_indicator_has_agency": (
            "catalogue_agencies",
            "error",
            [gxe.ExpectColumnValuesToNotBeNull(column="lead_agency")],
        ),
        "activities_in_force": (
            "activities",
            "error",
            [
                gxe.ExpectColumnValuesToBeInSet(column="status", value_set=[*ACTIVITY_STATUSES, *NOT_REPORTED]),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["plan_code", "activity_no", "year"]),
                *[
                    gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0)
                    for c in NON_NEGATIVE["fact_activity_report"]
                ],
            ],
        ),
        "budget_adds_up": (
            "budget_sums",
            "error",
            [
                gxe.ExpectColumnPairValuesToBeEqual(
                    column_A="total", column_B=lines, ignore_row_if="either_value_is_missing"
                )
                for lines in ("sources", "phases")
            ],
        ),
        "spending_within_plan": (
            "budget",
            "warn",
            [gxe.ExpectColumnValuesToBeInSet(column="over_plan", value_set=[False])],
        ),
        "year_over_year_jumps": (
            "year_changes",
            "warn",
            [
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="limit", column_B="year_change", or_equal=True, ignore_row_if="either_value_is_missing"
                )
            ],
        ),
    }


def run_expectations(con: duckdb.DuckDBPyConnection, docs_dir: Path | None) -> list[SuiteOutcome]:
    """Validate the warehouse; write Data Docs to ``docs_dir`` when given."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no usage reports leave the machine
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    frames = _frames(con)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    actions: list[gx.checkpoint.ValidationAction] = []
    if docs_dir is not None:
        docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(
            site_name="bdg",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        actions.append(gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["bdg"]))
    source = context.data_sources.add_pandas("bdg_warehouse")
    batches = {
        name: source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all") for name in frames
    }
    outcomes = []
    for name, (frame_name, severity, expectations) in _suites(gx, gxe).items():
        suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batches[frame_name], suite=suite)
        )
        # the first failing rows come back as the frame's row labels, named below: asked to name them itself,
        # GX names every failing row, one Python call per row and column (minutes for 500,000 year jumps)
        result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SHOWN_FAILURES}
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"check_{name}", validation_definitions=[definition], actions=actions, result_format=result_format
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frames[frame_name]})
        failures = []
        for run in result.run_results.values():
            for item in run.results:
                config = item.expectation_config
                if not item.success and config is not None:
                    failures.append(
                        {
                            "expectation": config.type,
                            "kwargs": {k: _plain(v) for k, v in config.kwargs.items() if k != "batch_id"},
                            "unexpected_count": item.result.get("unexpected_count"),
                            "rows": _named_rows(
                                frames[frame_name],
                                item.result.get("partial_unexpected_index_list") or [],
                                [*_domain(config.kwargs), *ROW_NAMES[frame_name]],
                            ),
                        }
                    )
        outcomes.append(SuiteOutcome(name, bool(result.success), severity, failures, len(frames[frame_name])))
    if docs_dir is not None:
        write_results_page(outcomes, docs_dir / RESULTS_PAGE)
    return outcomes


def _domain(kwargs: dict) -> list[str]:
    """The columns an expectation looks at (shown beside the columns that name the row)."""
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list") or [])


def _named_rows(frame: pd.DataFrame, labels: list, columns: list[str]) -> list[dict]:
    """The failing rows at ``labels`` of ``frame``: what they hold in ``columns``, as plain values."""
    shown = frame.loc[labels, list(dict.fromkeys(columns))]
    return [{k: _plain(v) for k, v in row.items()} for row in shown.to_dict("records")]


RESULTS_PAGE = "ket_qua_kiem_tra.html"
COLUMN_WORDS = {
    "plan_code": "Kế hoạch",
    "objective_no": "Mục tiêu",
    "indicator_no": "Chỉ tiêu",
    "part": "Phần",
    "indicator_code": "Mã chỉ tiêu",
    "province": "Tỉnh",
    "area_name": "Địa bàn",
    "level": "Cấp",
    "year": "Năm",
    "value": "Giá trị",
    "year_change": "Biến động so với năm trước",
    "limit": "Ngưỡng",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "lead_agency": "Cơ quan chủ trì",
    "activity_no": "Hoạt động",
    "status": "Tình trạng",
    "reported_by": "Cơ quan báo cáo",
    "category": "Loại",
    "name": "Tên",
    "planned_million_vnd": "Dự toán (triệu đồng)",
    "spent_million_vnd": "Đã chi (triệu đồng)",
    "total": "Tổng nhu cầu",
    "sources": "Tổng theo nguồn",
    "phases": "Tổng theo giai đoạn",
    "over_plan": "Vượt dự toán",
}


def _cell(value: object) -> object:
    """A failing row's value as an officer reads it: Có/Không, numbers the Vietnamese way, no float noise."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float):
        return "" if value != value else format_vn(value)
    if isinstance(value, int):
        return value if abs(value) < 10_000 else format_vn(value, 0)  # years and numbers below stay as written
    return value


def _plain(value: object) -> object:
    """numpy scalars and the like as plain JSON values (Dagster metadata, the page)."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def write_results_page(outcomes: list[SuiteOutcome], path: Path) -> Path:
    """One self-contained HTML page with every suite, pass or fail, and the rows that failed."""
    import datetime as dt

    from .reports.pages import ENVIRONMENT

    suites = []
    for outcome in outcomes:
        words = {"level": LEVELS, "status": {**ACTIVITY_STATUSES, **NOT_REPORTED}}
        rows = [
            {k: words[k].get(str(v), v) if k in words else v for k, v in row.items()}
            for failure in outcome.failures
            for row in failure["rows"]
        ]
        named = [c for names in ROW_NAMES.values() for c in names]
        columns = sorted(
            dict.fromkeys(k for row in rows for k in row), key=lambda c: named.index(c) if c in named else len(named)
        )
        suites.append(
            {
                "name": outcome.name,
                "description": SUITES.get(outcome.name, outcome.name),
                "success": outcome.success,
                "warn": outcome.severity == "warn",
                "checked": outcome.rows,
                "count": sum(f["unexpected_count"] or 0 for f in outcome.failures),
                "columns": [COLUMN_WORDS.get(c, c) for c in columns],
                "rows": [[_cell(row.get(c, "")) for c in columns] for row in rows],
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        ENVIRONMENT.get_template("quality.html.j2").render(
            suites=suites, made=f"{dt.datetime.now():%d/%m/%Y %H:%M}", shown=SHOWN_FAILURES
        ),
        encoding="utf-8",
    )
    return path
