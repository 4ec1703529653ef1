"""Assets: the catalogue, the returns, the published warehouse. Each calls bdg_pipeline.pipeline."""
# No "from __future__ import annotations": Dagster reads the config and resource annotations at runtime.


import dagster as dg
import duckdb as duckdb_module
from dagster_duckdb import DuckDBResource

from .. import pipeline
from ..catalogue import CatalogueError, load_catalogue
from ..config import settings
from ..returns.ingest import inbox_files, ingest_files
from ..reports.build import build_outputs
from ..warehouse import publish
from .resources import WAREHOUSE_POOL


class CatalogueConfig(dg.Config):
    fresh: bool = False  # start the staging warehouse from nothing (the nightly rebuild)


class SubmissionsConfig(dg.Config):
    files: list[str] = []  # the inbox files to ingest; empty means every file in the inbox


@dg.asset(group_name="warehouse", pool=WAREHOUSE_POOL, kinds={"duckdb", "yaml"})
def target_catalogue(context: dg.AssetExecutionContext, config: CatalogueConfig,
                     duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Danh mục chỉ tiêu: every chỉ tiêu of the plans, validated with pandera, in the star tables."""
    s = settings()
    try:
        catalogue = load_catalogue(s.catalogue_dir)
    except CatalogueError as exc:
        raise dg.Failure(description=f"Danh mục chỉ tiêu có lỗi, kho dữ liệu giữ nguyên bản trước.\n{exc}") from exc
    history = pipeline.fresh_staging(s) if config.fresh else None
    with duckdb.get_connection() as con:
        counts = pipeline.refresh_reference(con, catalogue, history)
    context.log.info("catalogue loaded: %s", counts)
    return dg.MaterializeResult(metadata={
        "plans": len(catalogue.plans), "indicators": int(catalogue.plan_indicators[["plan_code", "objective_no", "indicator_no"]].drop_duplicates().shape[0]),
        "targets": counts["fact_target"], "rows_by_table": dg.MetadataValue.json(counts),
    })


@dg.asset(group_name="warehouse", pool=WAREHOUSE_POOL, deps=[target_catalogue], kinds={"duckdb", "excel"})
def submissions(context: dg.AssetExecutionContext, config: SubmissionsConfig,
                duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Biểu báo cáo: returns from the inbox, validated; rejected files quarantined with a report."""
    s = settings()
    catalogue = load_catalogue(s.catalogue_dir)
    paths = [s.raw_dir / name for name in config.files] if config.files else inbox_files(s.raw_dir)
    paths = [p for p in paths if p.exists()]
    with duckdb.get_connection() as con:
        if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'dim_plan'").fetchone()[0] == 0 \
                or con.execute("SELECT count(*) FROM dim_plan").fetchone()[0] == 0:
            pipeline.refresh_reference(con, catalogue)  # first run from the sensor, before any rebuild
        outcomes = ingest_files(con, paths, catalogue, s)
        observations = con.execute("SELECT count(*) FROM v_observations").fetchone()[0]
    for outcome in outcomes:
        (context.log.warning if outcome.outcome == "rejected" else context.log.info)(outcome.summary())
    reports = [str(o.report_path) for o in outcomes if o.report_path]
    return dg.MaterializeResult(metadata={
        "files_seen": len(outcomes),
        "accepted": sum(o.outcome == "accepted" for o in outcomes),
        "rejected": sum(o.outcome == "rejected" for o in outcomes),
        "duplicates": sum(o.outcome == "duplicate" for o in outcomes),
        "observations_in_force": observations,
        "error_reports": dg.MetadataValue.json(reports),
    })


@dg.asset(group_name="warehouse", pool=WAREHOUSE_POOL, deps=[submissions], kinds={"duckdb"})
def attainment(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Đánh giá: every target judged (attained, gap, progress class) and the expected path by year, for
    the plans whose returns or targets changed since the last run."""
    s = settings()
    with duckdb.get_connection() as con:
        counts = pipeline.refresh_attainment(con, s.as_of_year)
        table = con.execute(
            "SELECT plan_code, status_vi, count(*) AS n FROM v_attainment WHERE level = 'tinh' "
            "GROUP BY ALL ORDER BY plan_code, n DESC").df()
    markdown = "| kế hoạch | đánh giá | số mục tiêu |\n|---|---|---|\n" + "\n".join(
        f"| {r.plan_code} | {r.status_vi} | {r.n} |" for r in table.itertuples())
    return dg.MaterializeResult(metadata={"as_of_year": s.as_of_year, "plans_recomputed": counts["plans"],
                                          "rows_recomputed": counts["fact_attainment"],
                                          "summary": dg.MetadataValue.md(markdown)})


@dg.asset(group_name="warehouse", pool=WAREHOUSE_POOL, deps=[attainment], kinds={"duckdb"})
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The file analysts open (BDG_WAREHOUSE), replaced atomically from staging."""
    path = publish(settings())
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)),
                                          "size_bytes": path.stat().st_size})


@dg.asset(group_name="outputs", deps=[published_warehouse], kinds={"excel", "html"})
def officer_reports(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Phụ lục báo cáo, biểu đồ, trang HTML: per province, for its latest year with data (data/reports/)."""
    s = settings()
    con = duckdb_module.connect(str(s.warehouse), read_only=True)
    try:
        latest = con.execute("SELECT province, max(year) FROM v_observations GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        con.close()
    written = {}
    for province, year in latest:
        outputs = build_outputs(s.warehouse, province, int(year), s.reports_dir)
        written[f"{province} {year}"] = str(outputs.workbook)
        context.log.info("%s %s: %s, %d charts", province, year, outputs.workbook, len(outputs.charts))
    return dg.MaterializeResult(metadata={"reports": dg.MetadataValue.json(written),
                                          "folder": dg.MetadataValue.path(str(s.reports_dir))})
