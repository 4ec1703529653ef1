"""Dagster entry point: ``dagster dev -m bdg_pipeline.definitions``."""

from __future__ import annotations

import dagster as dg

from .orchestration import assets
from .orchestration.resources import warehouse_resource

all_assets = dg.load_assets_from_modules([assets])

rebuild_job = dg.define_asset_job(
    "rebuild_all", selection=dg.AssetSelection.all(),
    description="Everything from the catalogue and every return in the inbox, into a fresh warehouse.",
    config={"ops": {"target_catalogue": {"config": {"fresh": True}}}},
)

defs = dg.Definitions(
    assets=all_assets,
    jobs=[rebuild_job],
    resources={"duckdb": warehouse_resource()},
)
