"""Dagster entry point: ``dagster dev -m bdg_pipeline.definitions``."""

import dagster as dg

from .config import settings
from .orchestration import assets, checks
from .orchestration.priority import OUTPUTS_JOB
from .orchestration.resources import BdgSettings
from .orchestration.sensors import build_inbox_sensor, build_reports_sensor

all_assets = dg.load_assets_from_modules([assets])
all_checks = dg.load_asset_checks_from_modules([checks])

rebuild_job = dg.define_asset_job(
    "rebuild_all",
    selection=dg.AssetSelection.all(),
    description="Dựng lại toàn bộ từ danh mục và kho lưu trữ báo cáo (cùng các tệp đã sẵn sàng trong data/raw).",
    config={"ops": {"target_catalogue": {"config": {"fresh": True}}}},
)
# The checks of the published warehouse read it once it is published: they run in the outputs job after the
# ingest, not in the ingest run, whose file is published the moment its publish step ends.
published_checks = dg.AssetSelection.checks_for_assets(assets.published_warehouse)
ingest_job = dg.define_asset_job(
    "ingest_inbox",
    selection=dg.AssetSelection.assets(assets.submissions, assets.attainment, assets.published_warehouse)
    - published_checks,
    description="Tiếp nhận các tệp báo cáo mới, đánh giá lại mức độ đạt và công bố kho.",
    # one process for the whole run: the steps are sequential anyway, and a drop should show in seconds
    executor_def=dg.in_process_executor,
)
reports_job = dg.define_asset_job(
    OUTPUTS_JOB,
    selection=dg.AssetSelection.assets(assets.officer_reports) | published_checks,
    description="Kiểm tra kho công bố (great-expectations, pandera); phụ lục báo cáo, biểu đồ, trang HTML của "
    "các tỉnh có báo cáo thay đổi.",
    executor_def=dg.in_process_executor,
)
nightly_rebuild = dg.ScheduleDefinition(
    name="nightly_rebuild",
    job=rebuild_job,
    execution_timezone="Asia/Ho_Chi_Minh",
    cron_schedule=settings().nightly_cron,  # the operator's hour (BDG_NIGHTLY_CRON), read when the code loads
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Dựng lại toàn bộ kho hằng đêm (mặc định 02:00 giờ Việt Nam, BDG_NIGHTLY_CRON) từ danh mục và mọi "
    "báo cáo đã tiếp nhận.",
)


def provincial_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=all_assets,
        asset_checks=all_checks,
        jobs=[rebuild_job, ingest_job, reports_job],
        schedules=[nightly_rebuild],
        sensors=[build_inbox_sensor(ingest_job), build_reports_sensor(ingest_job, reports_job)],
        resources={"bdg": BdgSettings()},
    )


# The instance is chosen by BDG_INSTANCE: the ministry's code location receives provinces' snapshots instead.
if settings().instance == "national":
    from .orchestration.nation import national_definitions

    defs = national_definitions()
else:
    defs = provincial_definitions()
