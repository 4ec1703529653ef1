"""Connections for analysts' notebooks, always on the published warehouse (never the writers' file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from .config import settings

if TYPE_CHECKING:
    import pandas as pd
    import sqlalchemy


def connect(read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the published warehouse (``BDG_WAREHOUSE``)."""
    return duckdb.connect(str(settings().warehouse), read_only=read_only)


def engine(read_only: bool = True) -> sqlalchemy.Engine:
    """A SQLAlchemy engine (duckdb-engine) on the published warehouse.

    No connection pool: each query opens the file anew, so it sees the latest published build and
    holds nothing open between queries. Its connections are opened exactly as ``duckdb.connect(path,
    read_only=True)`` and :func:`connect` open theirs: DuckDB refuses, within one process, a second
    connection to a file with other settings (duckdb-engine's own connections add a ``custom_user_agent``),
    so a notebook may keep a plain connection open beside the engine.
    """
    import sqlalchemy  # imported here: every writer imports this package, few of them need SQLAlchemy
    from duckdb_engine import ConnectionWrapper

    path = str(settings().warehouse)
    return sqlalchemy.create_engine(
        "duckdb://",
        poolclass=sqlalchemy.pool.NullPool,
        creator=lambda: ConnectionWrapper(duckdb.connect(path, read_only=read_only)),
    )


def query(sql: str, params: list | None = None) -> pd.DataFrame:
    """Run ``sql`` on the published warehouse and return an Arrow-backed pandas DataFrame.

    Columns come as ``string[pyarrow]``, ``int32[pyarrow]``, … straight from DuckDB's Arrow export, with no
    Python object made per value: the whole country's ``v_attainment`` (≈280,000 rows) arrives in tens of
    milliseconds instead of the several hundred that ``.df()`` spends making a Python string of every cell.
    Filters, ``value_counts``, ``groupby`` and plotting work as usual; ``.astype(object)`` gives plain strings.
    """
    import pandas as pd

    con = connect(read_only=True)
    try:
        return con.sql(sql, params=params).to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)
    finally:
        con.close()
