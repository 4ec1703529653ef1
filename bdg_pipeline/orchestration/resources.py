"""Resources. The DuckDB resource opens the *staging* database: writers never touch the published file."""

from __future__ import annotations

from dagster_duckdb import DuckDBResource

from ..config import settings

# Every asset and check that writes the warehouse runs in this pool; dagster.yaml limits it to 1.
WAREHOUSE_POOL = "bdg_warehouse"


def warehouse_resource() -> DuckDBResource:
    return DuckDBResource(database=str(settings().staging))
