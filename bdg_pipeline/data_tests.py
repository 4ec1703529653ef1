"""Tests of the warehouse's tables, in the manner of dbt's ``data_tests``: each is a query selecting the rows
that break it, and passes when it selects none.

Two sources: the data dictionary (``sql/dictionary.yml``: ``data_tests:`` under a column, written beside its
description) and the rules every number keeps (:mod:`.rules`: counts and amounts never below zero, values
within their unit's range, a share's numerator within its denominator, nam + nữ within the total).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .rules import NON_NEGATIVE, PARTS_WITHIN_WHOLE, SHARE_UNITS, value_ranges

KINDS = ("not_null", "unique", "accepted_values", "relationships")


@dataclass(frozen=True)
class DataTest:
    table: str
    column: str
    kind: str
    sql: str  # selects the rows that break the test

    @property
    def name(self) -> str:
        return f"{self.kind}({self.table}.{self.column})"


def declared(dictionary: dict) -> list[DataTest]:
    """The tests written under the columns of ``sql/dictionary.yml``'s tables."""
    tests = []
    for table, entry in (dictionary.get("tables") or {}).items():
        for column, described in ((entry or {}).get("columns") or {}).items():
            if isinstance(described, dict):
                tests += [_compile(table, column, spec) for spec in described.get("data_tests") or []]
    return tests


def _compile(table: str, column: str, spec: str | dict) -> DataTest:
    kind, options = (spec, {}) if isinstance(spec, str) else next(iter(spec.items()))
    if kind == "not_null":
        sql = f"SELECT * FROM {table} WHERE {column} IS NULL"
    elif kind == "unique":
        sql = f"SELECT {column}, count(*) AS n FROM {table} WHERE {column} IS NOT NULL GROUP BY ALL HAVING n > 1"
    elif kind == "accepted_values":
        values = ", ".join(_literal(v) for v in options["values"])
        sql = f"SELECT * FROM {table} WHERE {column} IS NOT NULL AND {column} NOT IN ({values})"
    elif kind == "relationships":
        to, field = options["to"], options["field"]
        sql = (
            f"SELECT * FROM {table} t WHERE t.{column} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {to} r WHERE r.{field} = t.{column})"
        )
    else:
        raise ValueError(f"{table}.{column}: unknown data test {kind!r} (known: {', '.join(KINDS)})")
    return DataTest(table, column, kind, sql)


def _literal(value: object) -> str:
    return str(value) if isinstance(value, (int, float)) else "'" + str(value).replace("'", "''") + "'"


def from_rules() -> list[DataTest]:
    """The tests the rules declare, on the tables that record what returns say."""
    tests = [
        DataTest(table, column, "non_negative", f"SELECT * FROM {table} WHERE {column} < 0")
        for table, columns in NON_NEGATIVE.items()
        for column in columns
    ]
    tests += [
        DataTest(
            "fact_observation",
            "value",
            f"within_range[{unit}]",
            f"SELECT * FROM fact_observation WHERE unit = '{unit}' AND NOT value BETWEEN {low} AND {high}",
        )
        for unit, (low, high) in value_ranges().items()
    ]
    tests += [
        DataTest(
            "fact_observation",
            "numerator",
            f"within_denominator[{unit}]",
            f"SELECT * FROM fact_observation WHERE unit = '{unit}' AND numerator > denominator",
        )
        for unit in SHARE_UNITS
    ]
    tests += [
        DataTest(
            table,
            whole,
            "parts_within_whole",
            f"SELECT * FROM {table} WHERE {whole} < " + " + ".join(f"coalesce({p}, 0)" for p in parts),
        )
        for table, (whole, parts) in PARTS_WITHIN_WHOLE.items()
    ]
    return tests


def failures(con: duckdb.DuckDBPyConnection, tests: list[DataTest]) -> dict[str, int]:
    """Each failing test's name and how many rows break it."""
    found = {}
    for test in tests:
        (count,) = con.execute(f"SELECT count(*) FROM ({test.sql})").fetchone() or (0,)
        if count:
            found[test.name] = int(count)
    return found
