"""Shared fixtures: the real catalogue, and settings pointing at a temporary inbox and warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from bdg_pipeline.catalogue import load_catalogue
from bdg_pipeline.config import CATALOGUE_DIR, Settings, settings


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(CATALOGUE_DIR)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """BDG_* variables pointing into tmp_path; returns the resulting settings."""
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    monkeypatch.setenv("BDG_RAW_DIR", str(raw))
    monkeypatch.setenv("BDG_WAREHOUSE", str(tmp_path / "data" / "warehouse" / "bdg.duckdb"))
    return settings()


@contextmanager
def settings_in(root: Path, **extra: str) -> Iterator[Settings]:
    """BDG_* variables pointing into ``root`` for a module-scoped fixture (plus any ``extra`` variables)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BDG_RAW_DIR", str(root / "raw"))
        mp.setenv("BDG_WAREHOUSE", str(root / "warehouse" / "bdg.duckdb"))
        for key, value in extra.items():
            mp.setenv(key, value)
        s = settings()
        s.raw_dir.mkdir(parents=True, exist_ok=True)
        yield s


@pytest.fixture
def read_warehouse(env: Settings):
    """Query the published warehouse read-only, as an analyst would."""

    def query(sql: str, params: list | None = None):
        con = duckdb.connect(str(env.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return query
