"""Assets: the catalogue, the returns, attainment, the published warehouse, the officers' outputs.
Each is a few lines calling a step of bdg_pipeline.pipeline (which takes the writers' lock)."""
# No "from __future__ import annotations": Dagster reads the config and resource annotations at runtime.

import dagster as dg

from .. import pipeline
from ..catalogue import CatalogueError, load_catalogue
from ..returns.inbox import inbox_files
from ..returns.recording import rejected_table
from ..warehouse import published_counts
from .priority import yield_to_ingest
from .resources import WAREHOUSE_POOL, BdgSettings

REJECTED_CHECK = "returns_accepted"
REJECTED_TAG = "bdg/rejected_files"  # run tag: how many files of the run were refused


class CatalogueConfig(dg.Config):
    fresh: bool = False  # rebuild staging from the catalogue and the archive (the nightly rebuild)


class SubmissionsConfig(dg.Config):
    files: list[str] = []  # the inbox files to ingest; empty means every ready file in the inbox


@dg.asset(group_name="warehouse", pool=WAREHOUSE_POOL, kinds={"duckdb", "yaml"})
def target_catalogue(
    context: dg.AssetExecutionContext, config: CatalogueConfig, bdg: BdgSettings
) -> dg.MaterializeResult:
    """Danh mục chỉ tiêu: mọi chỉ tiêu, mục tiêu năm 2025/2030 của các kế hoạch, kiểm tra bằng pandera, nạp vào kho."""
    s = bdg.settings()
    try:
        catalogue = load_catalogue(s.catalogue_dir)
    except CatalogueError as exc:
        raise dg.Failure(description=f"Danh mục chỉ tiêu có lỗi, kho dữ liệu giữ nguyên bản trước.\n{exc}") from exc
    if config.fresh:
        counts = pipeline.rebuild_staging(s, catalogue).reference_rows
    else:
        counts = pipeline.load_targets(s, catalogue)
    return dg.MaterializeResult(
        metadata={
            "plans": len(catalogue.plans),
            "targets": counts["fact_target"],
            "rows_by_table": dg.MetadataValue.json(counts),
        }
    )


@dg.asset(
    group_name="warehouse",
    pool=WAREHOUSE_POOL,
    deps=[target_catalogue],
    kinds={"duckdb", "excel"},
    check_specs=[
        dg.AssetCheckSpec(
            REJECTED_CHECK,
            asset="submissions",
            description="Mọi tệp của lượt chạy được tiếp nhận (tệp bị từ chối có báo cáo lỗi trong data/quarantine)",
        )
    ],
)
def submissions(context: dg.AssetExecutionContext, config: SubmissionsConfig, bdg: BdgSettings) -> dg.MaterializeResult:
    """Biểu báo cáo: tệp được lưu trữ, kiểm tra và ghi vào kho; tệp bị từ chối kèm báo cáo lỗi (.loi.xlsx)."""
    s = bdg.settings()
    paths = [s.raw_dir / name for name in config.files] if config.files else inbox_files(s.raw_dir)
    summary = pipeline.ingest(s, paths, record_only=True)
    refused = [o for o in summary.outcomes if o.outcome == "rejected"]
    # one event per kind, a line per file: each event is a write into the instance's event log
    said = [o.summary() for o in summary.outcomes if o.outcome != "rejected"]
    refusals = [o.summary() for o in refused] + summary.refused
    if said:
        context.log.info("\n".join(said))
    if refusals:
        context.log.warning("\n".join(refusals))
    rejected = {o.file_name: str(o.report_path) for o in refused}
    if refused:  # seen in the runs list, beside the run's status
        context.instance.add_run_tags(context.run_id, {REJECTED_TAG: str(len(refused))})
    receipts = {o.file_name: o.receipt for o in summary.outcomes if o.outcome == "accepted"}
    counts = {kind: sum(o.outcome == kind for o in summary.outcomes) for kind in ("accepted", "rejected", "duplicate")}
    return dg.MaterializeResult(
        metadata={
            "files_seen": len(summary.outcomes),
            **counts,
            "still_being_copied": len(summary.waiting),
            "refused_not_regular_files": len(summary.refused),
            "rebuilt_from_archive": summary.rebuilt or "",
            "error_reports": dg.MetadataValue.json(rejected),
            "rejected_files": dg.MetadataValue.md(rejected_table(refused)),
            "receipts": dg.MetadataValue.json(receipts),
        },
        check_results=[
            dg.AssetCheckResult(
                # ERROR, not blocking: the accepted files of the same run are still published
                check_name=REJECTED_CHECK,
                passed=not refused,
                severity=dg.AssetCheckSeverity.ERROR,
                description=(f"{len(refused)} tệp bị từ chối: " + "; ".join(o.file_name for o in refused))
                if refused
                else "Không có tệp bị từ chối",
                metadata={
                    "rejected": dg.MetadataValue.json(rejected),
                    "rejected_files": dg.MetadataValue.md(rejected_table(refused)),
                },
            )
        ],
    )


@dg.asset(group_name="warehouse", pool=WAREHOUSE_POOL, deps=[submissions], kinds={"duckdb"})
def attainment(context: dg.AssetExecutionContext, bdg: BdgSettings) -> dg.MaterializeResult:
    """Đánh giá: mức độ đạt từng mục tiêu (đạt, khoảng cách, xếp loại tiến độ) và lộ trình cần đạt theo năm,
    cho các kế hoạch có số liệu hoặc mục tiêu thay đổi từ lần trước."""
    s = bdg.settings()
    counts = pipeline.judge(s)
    return dg.MaterializeResult(
        metadata={
            "as_of_year": s.as_of_year,
            "plans_recomputed": counts["plans"],
            "rows_recomputed": counts["fact_attainment"],
        }
    )


@dg.asset(group_name="warehouse", pool=WAREHOUSE_POOL, deps=[attainment], kinds={"duckdb"})
def published_warehouse(context: dg.AssetExecutionContext, bdg: BdgSettings) -> dg.MaterializeResult:
    """Kho công bố (BDG_WAREHOUSE) cho người phân tích: thay trọn vẹn bằng bản dựng đầy đủ, không bao giờ dở dang."""
    path = pipeline.publish_complete(bdg.settings())
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "size_bytes": path.stat().st_size, **published_counts(path)}
    )


@dg.asset(group_name="outputs", deps=[published_warehouse], kinds={"excel", "html"})
def officer_reports(context: dg.AssetExecutionContext, bdg: BdgSettings) -> dg.MaterializeResult:
    """Phụ lục báo cáo, biểu đồ, trang HTML (data/reports/), làm lại cho các tỉnh có báo cáo thay đổi."""
    from ..reports.build import build_changed  # matplotlib: loaded by the reports job only

    yield_to_ingest(context.job_name)
    s = bdg.settings()
    written = build_changed(s.warehouse, s.reports_dir)
    return dg.MaterializeResult(
        metadata={
            "reports": dg.MetadataValue.json({p: str(o.workbook) for p, o in written.items()}),
            "provinces_redone": len(written),
            "folder": dg.MetadataValue.path(str(s.reports_dir)),
        }
    )
