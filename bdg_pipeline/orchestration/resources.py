"""Resources. The DuckDB resource opens the *staging* database: writers never touch the published file."""

from __future__ import annotations

from dagster_duckdb import DuckDBResource

from ..config import settings

# Every asset and check that writes the warehouse runs in this pool; dagster.yaml limits it to 1.
WAREHOUSE_POOL = "bdg_warehouse"


def warehouse_resource() -> DuckDBResource:
    staging = settings().staging
    # DuckDB does not create folders, and the resource retries a failed open for ~100 s.
    staging.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(database=str(staging))
