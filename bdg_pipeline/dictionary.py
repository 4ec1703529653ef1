"""The data dictionary (``sql/dictionary.yml``): applied to the warehouse as ``COMMENT ON`` so a notebook
sees every description in ``duckdb_columns()``, and rendered to ``docs/data_dictionary.md``.

``python -m bdg_pipeline.dictionary`` writes the Markdown page (a test keeps it in step with the YAML).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from .config import PROJECT_ROOT
from .data_tests import DataTest, declared, from_rules

DICTIONARY = PROJECT_ROOT / "sql" / "dictionary.yml"
PAGE = PROJECT_ROOT / "docs" / "data_dictionary.md"
# the warehouse's own relations, not DuckDB's catalogue views
OWN_COLUMNS_SQL = """
    SELECT c.table_name, c.column_name, c.data_type, c.comment, v.view_name IS NOT NULL AS is_view
    FROM duckdb_columns() c
    LEFT JOIN duckdb_views() v ON v.view_name = c.table_name AND v.schema_name = c.schema_name
    WHERE c.schema_name = 'main' AND c.database_name = current_database()
      AND (v.view_name IS NULL OR NOT v.internal)
    ORDER BY c.table_name, c.column_index
"""


@dataclass(frozen=True)
class Relation:
    name: str
    is_view: bool
    description: str
    columns: list[tuple[str, str, str]]  # (column, type, description)


@functools.lru_cache(maxsize=1)
def _dictionary() -> dict:
    with DICTIONARY.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def describe(table: str, column: str) -> str:
    """A column's description: the table's own entry (or that of the table whose columns it repeats),
    else the shared meaning of its name."""
    data = _dictionary()
    entry = data["tables"].get(table) or {}
    own = (entry.get("columns") or {}).get(column)
    if isinstance(own, dict):  # a description with the column's data_tests beside it
        own = own.get("description", "")
    if not own and entry.get("columns_as"):  # a view repeating a table's columns: described there
        return describe(entry["columns_as"], column)
    return own or data["columns"].get(column, "")


def data_tests() -> list[DataTest]:
    """The warehouse's data tests: those written in the dictionary and those the rules declare."""
    return declared(_dictionary()) + from_rules()


def relations(con: duckdb.DuckDBPyConnection) -> list[Relation]:
    """Every table and view of the warehouse with its columns and their descriptions."""
    tables = _dictionary()["tables"]
    found: dict[str, Relation] = {}
    for table, column, data_type, _comment, is_view in con.execute(OWN_COLUMNS_SQL).fetchall():
        if table not in found:
            found[table] = Relation(table, is_view, (tables.get(table) or {}).get("description", ""), [])
        found[table].columns.append((column, data_type, describe(table, column)))
    return list(found.values())


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def apply_comments(con: duckdb.DuckDBPyConnection) -> None:
    """COMMENT ON every table, view and column that the dictionary describes (one script, one round trip)."""
    statements = []
    for relation in relations(con):
        kind = "VIEW" if relation.is_view else "TABLE"
        if relation.description:
            statements.append(f"COMMENT ON {kind} {relation.name} IS {_quoted(relation.description)};")
        statements += [
            f"COMMENT ON COLUMN {relation.name}.{column} IS {_quoted(text)};"
            for column, _type, text in relation.columns
            if text
        ]
    con.execute("\n".join(statements))


def undocumented(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables, views and columns the dictionary does not describe, and entries naming nothing."""
    data = _dictionary()
    present = relations(con)
    missing = [r.name for r in present if not r.description]
    missing += [f"{r.name}.{column}" for r in present for column, _type, text in r.columns if not text]
    names = {r.name: {c for c, _t, _d in r.columns} for r in present}
    for table, entry in data["tables"].items():
        if table not in names:
            missing.append(f"{table} (described, not in the warehouse)")
        missing += [
            f"{table}.{column} (described, no such column)"
            for column in (entry or {}).get("columns") or {}
            if column not in names.get(table, set())
        ]
    used = {c for columns in names.values() for c in columns}
    missing += [f"{column} (shared meaning, used nowhere)" for column in data["columns"] if column not in used]
    return missing


def render_markdown(con: duckdb.DuckDBPyConnection) -> str:
    found = relations(con)
    tested: dict[tuple[str, str], list[str]] = {}
    for test in data_tests():
        tested.setdefault((test.table, test.column), []).append(test.kind)
    views, tables = [r for r in found if r.is_view], [r for r in found if not r.is_view]
    lines = [
        "# Data dictionary",
        "",
        "Every table and view of the warehouse (`data/warehouse/bdg.duckdb`) and every column. Generated from",
        "`sql/dictionary.yml` by `python -m bdg_pipeline.dictionary`; the same text is in the warehouse as",
        "`COMMENT ON`, so a notebook reads it with",
        "`SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main'`.",
        "",
        "The views (`v_*`) are the public contract for analysts; the tables behind them may change.",
        "",
    ]
    for heading, group in (("Views (public)", views), ("Tables", tables)):
        lines += [f"## {heading}", ""]
        for relation in group:
            lines += [
                f"### `{relation.name}`",
                "",
                relation.description,
                "",
                "| column | type | description |",
                "|---|---|---|",
            ]
            lines += [
                f"| `{column}` | {data_type} | {_cell(text)}{_tests(tested, relation.name, column)} |"
                for column, data_type, text in relation.columns
            ]
            lines.append("")
    return "\n".join(lines)


def _tests(tested: dict[tuple[str, str], list[str]], table: str, column: str) -> str:
    kinds = tested.get((table, column))
    return f" Tests: {', '.join(f'`{k}`' for k in kinds)}." if kinds else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def write_page(con: duckdb.DuckDBPyConnection, path: Path = PAGE) -> Path:
    """The Markdown page of the warehouse that ``con`` holds (its schema, perhaps nothing else)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(con), encoding="utf-8")
    return path


if __name__ == "__main__":
    # run as the program, this module is not the one the warehouse imports: no cycle
    from .warehouse import fresh_schema

    with fresh_schema() as schema:
        print(write_page(schema))
