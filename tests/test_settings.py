"""Every BDG_* variable is read in one place (config.settings) and listed in the README table."""

from __future__ import annotations

import re
from pathlib import Path

from bdg_pipeline.config import ENVIRONMENT, PROJECT_ROOT, Settings, settings

VARIABLE = re.compile(r"\bBDG_[A-Z_]+\b")


def readme_variables() -> set[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^\| `(BDG_[A-Z_]+)` \|", text, flags=re.MULTILINE)}


def code_variables() -> set[str]:
    found = set()
    for path in (PROJECT_ROOT / "bdg_pipeline").rglob("*.py"):
        found |= set(VARIABLE.findall(path.read_text(encoding="utf-8")))
    return found


def test_readme_config_and_code_name_the_same_variables():
    assert readme_variables() == set(ENVIRONMENT)
    assert code_variables() == set(ENVIRONMENT)
    assert set(ENVIRONMENT.values()) <= set(Settings.__dataclass_fields__)


def test_each_variable_sets_its_field(monkeypatch, tmp_path: Path):
    values = {
        "BDG_RAW_DIR": str(tmp_path / "hop_thu"),
        "BDG_WAREHOUSE": str(tmp_path / "kho.duckdb"),
        "BDG_CATALOGUE_DIR": str(tmp_path / "danh_muc"),
        "BDG_AS_OF_YEAR": "2031",
        "BDG_LOCK_TIMEOUT": "7",
        "BDG_MAX_FILE_MB": "3",
        "BDG_MAX_UNCOMPRESSED_MB": "9",
        "BDG_MAX_ROWS": "11",
        "BDG_WORKERS": "1",
        "BDG_DUCKDB_MEMORY": "512MB",
        "BDG_PAUSE_AT": "before_swap",
        "BDG_PAUSE_SECONDS": "2",
        "BDG_MAX_COLUMNS": "30",
        "BDG_READ_MEMORY_MB": "700",
        "BDG_READ_SECONDS": "40",
        "BDG_ARCHIVE_DIR": str(tmp_path / "luu_tru"),
        "BDG_NIGHTLY_CRON": "30 1 * * *",
        "BDG_PG_URL": "postgresql+psycopg2://bdg@127.0.0.1:5432/bdg_dagster",
        "BDG_INSTANCE": "national",
    }
    assert set(values) == set(ENVIRONMENT)
    for var, value in values.items():
        monkeypatch.setenv(var, value)
    s = settings()
    assert (s.raw_dir, s.warehouse, s.catalogue_dir) == (
        tmp_path / "hop_thu",
        tmp_path / "kho.duckdb",
        tmp_path / "danh_muc",
    )
    assert (s.as_of_year, s.lock_timeout, s.max_file_mb, s.max_uncompressed_mb, s.max_rows, s.workers) == (
        2031,
        7.0,
        3.0,
        9.0,
        11,
        1,
    )
    assert (s.duckdb_memory, s.pause_at, s.pause_seconds) == ("512MB", "before_swap", 2.0)
    assert (s.max_columns, s.read_memory_mb, s.read_seconds) == (30, 700.0, 40.0)
    assert (s.archive_dir, s.ledger_path) == (tmp_path / "luu_tru", tmp_path / "luu_tru" / "ledger.sqlite3")
    assert (s.nightly_cron, s.pg_url) == ("30 1 * * *", "postgresql+psycopg2://bdg@127.0.0.1:5432/bdg_dagster")
    assert s.instance == "national"


def test_archive_beside_the_inbox_by_default(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("BDG_RAW_DIR", str(tmp_path / "du_lieu" / "raw"))
    monkeypatch.delenv("BDG_ARCHIVE_DIR", raising=False)
    assert settings().archive_dir == tmp_path / "du_lieu" / "archive"
    monkeypatch.setenv("BDG_ARCHIVE_DIR", "luu_tru")  # relative: from the project root, like every path
    assert settings().archive_dir == PROJECT_ROOT / "luu_tru"
