"""Helpers for the operations tests: filled returns, `bdg` in a child process, pauses at named points."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from bdg_pipeline.returns.template import FIRST_ROW, SHEET
from bdg_pipeline.returns.template_build import build_template


def filled(catalogue, path: Path, numerator=11050, plan="QN-2021-2030", agency="Sở Y tế", year=2023) -> Path:
    wb = build_template(catalogue, plan, agency, year)
    wb[SHEET][f"J{FIRST_ROW}"], wb[SHEET][f"K{FIRST_ROW}"] = numerator, 10000
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def bdg(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bdg_pipeline", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def start(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bdg_pipeline", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_paused(*args: str, at: str, seconds: float = 120) -> subprocess.Popen:
    """Start ``bdg`` and return once it is waiting at the pause point ``at`` (BDG_PAUSE_AT)."""
    child = start(*args, BDG_PAUSE_AT=at, BDG_PAUSE_SECONDS=str(seconds))
    assert child.stderr is not None
    for line in child.stderr:
        if f"BDG_PAUSE_AT {at}" in line:
            return child
    raise AssertionError(f"never reached {at}: {child.wait()} {child.stdout.read() if child.stdout else ''}")


def wait_for_line(child: subprocess.Popen, text: str) -> str:
    assert child.stderr is not None
    seen = []
    for line in child.stderr:
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"{text!r} never printed; stderr was: {''.join(seen)}")


def published(settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
