"""Asset checks: the great-expectations suites over the warehouse and pandera over observations."""
# No "from __future__ import annotations": Dagster reads the resource annotations at runtime.

import dagster as dg
import duckdb
import pandera.pandas as pa

from ..quality import RESULTS_PAGE, SUITES, run_expectations
from ..schemas import Observations
from ..standing_warnings import standing
from .assets import published_warehouse
from .priority import yield_to_ingest
from .resources import BdgSettings


@dg.multi_asset_check(
    specs=[dg.AssetCheckSpec(name, asset=published_warehouse, description=text) for name, text in SUITES.items()],
)
def warehouse_expectations(context: dg.AssetCheckExecutionContext, bdg: BdgSettings):
    """great-expectations: các bộ kiểm tra trên kho công bố (chỉ đọc); kết quả đọc được khi không có mạng:
    data/warehouse/data_docs/ket_qua_kiem_tra.html."""
    yield_to_ingest(context.job_def.name)
    warehouse = bdg.settings().warehouse
    docs = warehouse.parent / "data_docs"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcomes = run_expectations(con, docs)
    known = standing({o.name: o.failures for o in outcomes if o.severity == "warn" and not o.success}, docs)
    for outcome in outcomes:
        told = known.get(outcome.name)
        quiet = told is not None and not told.new  # raised before with the same rows: a red check is always new
        yield dg.AssetCheckResult(
            asset_key=published_warehouse.key,
            check_name=outcome.name,
            passed=outcome.success or quiet,
            severity=dg.AssetCheckSeverity.WARN if outcome.severity == "warn" else dg.AssetCheckSeverity.ERROR,
            description=f"Cảnh báo đã báo từ {told.since}, chưa thay đổi (xem trang kết quả kiểm tra)"
            if quiet and told
            else None,
            metadata={
                "rows_checked": outcome.rows,
                "failures": dg.MetadataValue.json(outcome.failures),
                "standing_since": told.since if told else "",
                "results_page": dg.MetadataValue.path(str(docs / RESULTS_PAGE)),
            },
        )


@dg.asset_check(
    asset=published_warehouse, description="pandera: mọi số liệu đang hiệu lực (kho công bố) thỏa lược đồ Observations"
)
def observations_schema(context: dg.AssetCheckExecutionContext, bdg: BdgSettings) -> dg.AssetCheckResult:
    yield_to_ingest(context.job_def.name)
    with duckdb.connect(str(bdg.settings().warehouse), read_only=True) as con:
        frame = con.execute("SELECT * FROM v_observations").df()
    frame["numerator"] = frame["numerator"].astype("Int64")
    frame["denominator"] = frame["denominator"].astype("Int64")
    try:
        Observations.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.head(50)
        return dg.AssetCheckResult(
            passed=False,
            metadata={
                "failure_cases": dg.MetadataValue.md(cases.to_markdown(index=False)),
                "failures": len(err.failure_cases),
                "rows_checked": len(frame),
            },
        )
    return dg.AssetCheckResult(passed=True, metadata={"rows_checked": len(frame)})
