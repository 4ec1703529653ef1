"""Every asset materialized in-process, into a temporary warehouse."""

from __future__ import annotations

import dagster as dg
import duckdb

from bdg_pipeline.definitions import defs
from bdg_pipeline.orchestration import assets as asset_module
from bdg_pipeline.orchestration.resources import BdgSettings
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix
from bdg_pipeline.warehouse import staging_connection, table_checksum

FACTS = ("fact_observation", "submission", "fact_attainment", "file_log")


def test_definitions_load():
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert {"target_catalogue", "submissions", "published_warehouse"} <= keys
    assert defs.resolve_job_def("rebuild_all").name == "rebuild_all"


def test_materialize_all(env, read_warehouse):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    assets = list(dg.load_assets_from_modules([asset_module]))
    result = dg.materialize(
        assets, resources={"bdg": BdgSettings()}, run_config={"ops": {"target_catalogue": {"config": {"fresh": True}}}}
    )
    assert result.success
    meta = result.asset_materializations_for_node("submissions")[0].metadata
    assert meta["accepted"].value == 1 and meta["rejected"].value == 0
    assert meta["receipts"].value == {"phu_luc.xlsx": "31 giá trị mới"}  # what the return changed, as told on screen
    published = result.asset_materializations_for_node("published_warehouse")[0].metadata
    assert published["observations_in_force"].value == 31 and published["returns_in_force"].value == 1
    assert read_warehouse("SELECT count(*) FROM v_targets") == [(215,)]
    assert read_warehouse("SELECT count(*) FROM v_observations WHERE plan_code = 'NT-2020'") == [(31,)]
    # the asset graph wrote staging and published a copy; both hold the same facts
    with staging_connection(env) as con:
        staging = {t: table_checksum(con, t) for t in FACTS}
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        assert {t: table_checksum(con, t) for t in FACTS} == staging
    assert len(set(staging.values())) == len(FACTS)  # four different, non-empty tables
