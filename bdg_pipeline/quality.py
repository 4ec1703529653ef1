"""Warehouse quality checks with great-expectations 1.x, run over DataFrames queried from DuckDB
(GX's pandas datasource; its SQL datasource does not read DuckDB through duckdb-engine).

Each suite becomes one Dagster asset check; the HTML Data Docs are written to
``<warehouse dir>/data_docs/index.html``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from .vocabulary import UNIT_TABLE

# A change from one year to the next beyond this many units of the indicator is flagged for review.
YEAR_JUMP_LIMIT = {code: u.year_jump_limit for code, u in UNIT_TABLE.items() if u.year_jump_limit is not None}
VALUE_RANGES = {code: u.valid_range for code, u in UNIT_TABLE.items()}
KEY_COLUMNS = ["plan_code", "objective_no", "indicator_no", "part", "indicator_code", "area_code", "level", "year"]


@dataclass
class SuiteOutcome:
    name: str
    success: bool
    severity: str  # "error" fails the check, "warn" flags it
    failures: list[dict] = field(default_factory=list)
    rows: int = 0


def _frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    observations = con.execute("SELECT * FROM v_observations").df()
    agencies = con.execute("""
        SELECT pi.plan_code, pi.objective_no, pi.indicator_no, pi.part, pi.indicator_code, a.agency_code AS lead_agency
        FROM dim_plan_indicator pi
        LEFT JOIN dim_agency a ON a.agency_code = pi.lead_agency""").df()
    jumps = con.execute("""
        SELECT plan_code, indicator_code, objective_no, indicator_no, part, area_code, level, unit, year, value,
               abs(value - lag(value) OVER w) AS year_change,
               year - lag(year) OVER w AS years_apart
        FROM v_observations
        WINDOW w AS (PARTITION BY plan_code, objective_no, indicator_no, part, area_code, level ORDER BY year)""").df()
    jumps = jumps[jumps.years_apart == 1]
    jumps = jumps.assign(limit=jumps.unit.map(YEAR_JUMP_LIMIT))
    return {"observations": observations, "catalogue_agencies": agencies, "year_changes": jumps}


def _suites(gx, gxe) -> dict[str, tuple[str, str, list]]:
    """name → (frame, severity, expectations)."""
    ranges = [gxe.ExpectColumnValuesToBeBetween(column="value", min_value=low, max_value=high,
                                                row_condition=f'unit=="{unit}"', condition_parser="pandas")
              for unit, (low, high) in VALUE_RANGES.items()]
    return {
        "keys_not_null": ("observations", "error",
                          [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in KEY_COLUMNS]),
        "share_numerator_within_denominator": ("observations", "error", [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="denominator", column_B="numerator", or_equal=True,
                                                        ignore_row_if="either_value_is_missing",
                                                        row_condition='unit=="percent"', condition_parser="pandas")]),
        "value_ranges_per_unit": ("observations", "error", ranges),
        "one_row_per_key_in_force": ("observations", "error",
                                     [gxe.ExpectCompoundColumnsToBeUnique(column_list=KEY_COLUMNS)]),
        "every_indicator_has_agency": ("catalogue_agencies", "error",
                                       [gxe.ExpectColumnValuesToNotBeNull(column="lead_agency")]),
        "year_over_year_jumps": ("year_changes", "warn", [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="limit", column_B="year_change", or_equal=True,
                                                        ignore_row_if="either_value_is_missing")]),
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
        context.add_data_docs_site(site_name="bdg", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
        actions.append(gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["bdg"]))
    source = context.data_sources.add_pandas("bdg_warehouse")
    batches = {name: source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all")
               for name in frames}
    outcomes = []
    for name, (frame_name, severity, expectations) in _suites(gx, gxe).items():
        suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batches[frame_name], suite=suite))
        checkpoint = context.checkpoints.add(gx.Checkpoint(name=f"check_{name}", validation_definitions=[definition],
                                                           actions=actions))
        result = checkpoint.run(batch_parameters={"dataframe": frames[frame_name]})
        failures = []
        for run in result.run_results.values():
            for item in run.results:
                config = item.expectation_config
                if not item.success and config is not None:
                    failures.append({"expectation": config.type,
                                     "kwargs": {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)},
                                     "unexpected_count": item.result.get("unexpected_count"),
                                     "examples": [str(x) for x in
                                                  (item.result.get("partial_unexpected_list") or [])[:5]]})
        outcomes.append(SuiteOutcome(name, bool(result.success), severity, failures, len(frames[frame_name])))
    return outcomes
