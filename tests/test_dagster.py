"""Every asset materialized in-process, into a temporary warehouse."""

from __future__ import annotations

import dagster as dg

from bdg_pipeline.definitions import defs
from bdg_pipeline.orchestration import assets as asset_module
from bdg_pipeline.orchestration.resources import warehouse_resource
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix


def test_definitions_load():
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert {"target_catalogue", "submissions", "published_warehouse"} <= keys
    assert defs.resolve_job_def("rebuild_all") is not None


def test_materialize_all(env, read_warehouse):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    assets = list(dg.load_assets_from_modules([asset_module]))
    result = dg.materialize(assets, resources={"duckdb": warehouse_resource()},
                            run_config={"ops": {"target_catalogue": {"config": {"fresh": True}}}})
    assert result.success
    meta = result.asset_materializations_for_node("submissions")[0].metadata
    assert meta["accepted"].value == 1 and meta["rejected"].value == 0
    assert meta["observations_in_force"].value == 31
    assert read_warehouse("SELECT count(*) FROM v_targets") == [(207,)]
    assert read_warehouse("SELECT count(*) FROM v_observations WHERE plan_code = 'NT-2020'") == [(31,)]
    # the asset graph wrote staging and published a copy; both hold the same facts
    assert env.staging.exists() and env.warehouse.exists()
