"""A province's snapshot (gói dữ liệu): its published warehouse as Parquet, one file per table, and
``manifest.json`` naming the province, when the warehouse was built and published, the schema version and
the sha256 of every file. Written under a temporary name and renamed, so a reader never meets half of one."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..config import SQL_DIR
from ..reports.appendix_report import resolve_province
from ..reports.build import slug
from ..returns.archive import content_hash
from ..warehouse import fsync_dir, one_row

FORMAT = "bdg-snapshot"
SCHEMA_VERSION = 1  # raised when the files a national build reads change their columns
MANIFEST = "manifest.json"
# What a national build reads, cut to the province's own plans; the star tables travel whole beside them.
NATIONAL_VIEWS = {
    "v_attainment": "SELECT * FROM v_attainment WHERE plan_code IN (SELECT unnest($plans))",
    "v_targets": "SELECT * FROM v_targets WHERE plan_code IN (SELECT unnest($plans))",
    "v_province_series": "SELECT * FROM v_province_series WHERE province_code IN (SELECT unnest($territories))",
}
KEPT_BACK = {"stale_attainment", "attainment_inputs"}  # bookkeeping of the writer, meaningless elsewhere


class ExportError(ValueError):
    """Said to the officer in Vietnamese."""


@dataclass(frozen=True)
class Exported:
    path: Path
    province: str
    tables: int
    rows: int
    size: int


def schema_digest() -> str:
    """A digest of the star schema the snapshot's tables follow (the ministry sees which release wrote it)."""
    return hashlib.sha256((SQL_DIR / "schema.sql").read_bytes()).hexdigest()[:16]


def export_snapshot(warehouse: Path, province: str, out_dir: Path, as_zip: bool = True) -> Exported:
    """Write the snapshot of ``province`` from the published ``warehouse`` into ``out_dir``."""
    if not warehouse.exists():
        raise ExportError(f"Chưa có kho dữ liệu công bố ({warehouse}). Hãy chạy “bdg rebuild” trước khi xuất.")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        exact = one_row(con, "SELECT count(*) FROM dim_plan WHERE province = ?", [province])[0]
        try:
            province = province if exact else resolve_province(con, province)
        except ValueError as exc:
            raise ExportError(str(exc)) from exc
        rows = con.execute("SELECT plan_code, province_code FROM dim_plan WHERE province = ? ORDER BY 1", [province])
        found = rows.fetchall()
        plans, territories = [r[0] for r in found], sorted({r[1] for r in found})
        built_at = one_row(con, "SELECT max(built_at) FROM build_info")[0]
        published_at = dt.datetime.fromtimestamp(warehouse.stat().st_mtime).replace(microsecond=0)
        exported_at = dt.datetime.now().replace(microsecond=0)
        name = f"goi_du_lieu_{slug(province)}_{exported_at:%Y%m%d_%H%M%S}"
        out_dir.mkdir(parents=True, exist_ok=True)
        work = out_dir / f".{name}.{os.getpid()}.tmp"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        try:
            files = _write_tables(con, work, plans, territories)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    finally:
        con.close()
    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "schema_digest": schema_digest(),
        "province": province,
        "territories": territories,
        "plans": plans,
        "built_at": built_at.isoformat() if built_at else None,
        "published_at": published_at.isoformat(),
        "exported_at": exported_at.isoformat(),
        "files": files,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    target = out_dir / (f"{name}.zip" if as_zip else name)
    number = 1
    while target.exists():  # two exports within a second: neither replaces the other
        number += 1
        target = out_dir / (f"{name}_{number}.zip" if as_zip else f"{name}_{number}")
    target = _finish(work, target, as_zip)
    size = target.stat().st_size if as_zip else sum(p.stat().st_size for p in target.iterdir())
    return Exported(target, province, len(files), sum(f["rows"] for f in files.values()), size)


def _write_tables(con: duckdb.DuckDBPyConnection, work: Path, plans: list[str], territories: list[str]) -> dict:
    tables = [
        r[0]
        for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1").fetchall()
        if r[0] not in KEPT_BACK
    ]
    queries = {t: f'SELECT * FROM "{t}"' for t in tables} | NATIONAL_VIEWS
    files = {}
    for table, query in queries.items():
        path = work / f"{table}.parquet"
        # DuckDB's COPY takes no parameters: the province's plans are written into the query as literals
        literal = query.replace("$plans", _literal(plans)).replace("$territories", _literal(territories))
        rows = one_row(con, f"SELECT count(*) FROM ({literal})")[0]
        con.execute(f"COPY ({literal}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
        files[path.name] = {"sha256": content_hash(path), "rows": rows, "bytes": path.stat().st_size}
    return files


def _literal(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _finish(work: Path, target: Path, as_zip: bool) -> Path:
    """Rename the finished snapshot into place (a zip is written beside it first, then renamed)."""
    for path in work.iterdir():
        with path.open("rb") as f:
            os.fsync(f.fileno())
    if not as_zip:
        os.replace(work, target)
        fsync_dir(target.parent)
        return target
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:  # Parquet is compressed already
            for path in sorted(work.iterdir()):
                archive.write(path, path.name)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    fsync_dir(target.parent)
    return target
