"""The ministry's instance in Dagster (BDG_INSTANCE=national): one asset, the national warehouse, built by the
same step as ``bdg rebuild`` (``nation.receive``); a sensor launching it when a new snapshot is in the inbox,
and the nightly schedule."""

import hashlib

import dagster as dg

from ..config import settings
from ..nation.receive import inbox_snapshots, receive_snapshots
from ..returns.archive import content_hash, settled_hashes
from .resources import WAREHOUSE_POOL, BdgSettings

SNAPSHOTS_CHECK = "snapshots_accepted"


@dg.asset(
    group_name="nation",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb", "parquet"},
    check_specs=[
        dg.AssetCheckSpec(
            SNAPSHOTS_CHECK,
            asset="national_warehouse",
            description="Mọi gói dữ liệu của lượt chạy đều dùng được (gói bị từ chối nằm trong thư mục cách ly)",
        )
    ],
)
def national_warehouse(context: dg.AssetExecutionContext, bdg: BdgSettings):
    """Kho dữ liệu toàn quốc: gói dữ liệu các tỉnh được lưu trữ, kiểm tra và dựng thành các bảng toàn quốc."""
    run = receive_snapshots(bdg.settings(), [], take_inbox=True)
    for line in run.lines():
        (context.log.warning if line.startswith("✘") else context.log.info)(line)
    refused = [line for line in run.lines() if line.startswith("✘")]
    in_force = sorted(v.manifest.province for v in run.verdicts if v.in_force and v.manifest)
    yield dg.MaterializeResult(
        metadata={
            "provinces": len(in_force),
            "provinces_in_force": ", ".join(in_force),
            "snapshots_received": len(run.new),
            "path": dg.MetadataValue.path(str(run.published)),
        }
    )
    yield dg.AssetCheckResult(
        check_name=SNAPSHOTS_CHECK,
        passed=not refused,
        severity=dg.AssetCheckSeverity.ERROR,
        description="\n".join(refused) or "Không có gói nào bị từ chối",
    )


national_job = dg.define_asset_job(
    "receive_snapshots",
    selection=dg.AssetSelection.assets(national_warehouse),
    description="Tiếp nhận gói dữ liệu của các tỉnh và dựng lại kho dữ liệu toàn quốc.",
    executor_def=dg.in_process_executor,
)


@dg.sensor(job=national_job, minimum_interval_seconds=5, default_status=dg.DefaultSensorStatus.RUNNING)
def snapshot_sensor(context: dg.SensorEvaluationContext):
    """Gói dữ liệu mới trong thư mục nhận: một lượt tiếp nhận cho mọi gói đã chép xong."""
    s = settings()
    committed = settled_hashes(s)
    waiting = sorted(h for h in (content_hash(p) for p in inbox_snapshots(s.raw_dir)) if h not in committed)
    if not waiting:
        return dg.SkipReason("Không có gói dữ liệu mới")
    key = hashlib.sha256(",".join(waiting).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=key)


nightly_national = dg.ScheduleDefinition(
    name="nightly_national_rebuild",
    job=national_job,
    execution_timezone="Asia/Ho_Chi_Minh",
    cron_schedule=settings().nightly_cron,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Dựng lại kho dữ liệu toàn quốc hằng đêm (BDG_NIGHTLY_CRON) từ các gói đang dùng.",
)


def national_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[national_warehouse],
        jobs=[national_job],
        schedules=[nightly_national],
        sensors=[snapshot_sensor],
        resources={"bdg": BdgSettings()},
    )
