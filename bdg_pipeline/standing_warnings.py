"""Warnings that stay true until someone acts (an over-plan spending line, a jump between two years): raised
once when their failing rows change, then told as already raised — so that an operator who sees a warning
knows it is new. Errors are never quieted. The last raised rows per check are kept in a small JSON file beside
the Data Docs (derived state: deleting it raises every standing warning once more)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = "canh_bao_da_bao.json"


@dataclass(frozen=True)
class Standing:
    """Whether a warning is new, and since when the same rows have been raised."""

    new: bool
    since: str  # dd/mm/yyyy HH:MM of the run that first raised these rows


def _digest(failures: list[dict]) -> str:
    return hashlib.sha256(json.dumps(failures, sort_keys=True, default=str).encode()).hexdigest()


def standing(warnings: dict[str, list[dict]], folder: Path, now: dt.datetime | None = None) -> dict[str, Standing]:
    """For each failing warning (check name → its failing rows): new, or raised before with the same rows.
    Records what was raised; a warning that passes is forgotten, so its return is new again."""
    path = folder / STATE_FILE
    try:
        before = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = {}
    stamp = f"{now or dt.datetime.now():%d/%m/%Y %H:%M}"
    result: dict[str, Standing] = {}
    after: dict[str, dict[str, str]] = {}
    for name, failures in warnings.items():
        digest = _digest(failures)
        known = before.get(name) if isinstance(before, dict) else None
        if isinstance(known, dict) and known.get("digest") == digest:
            result[name] = Standing(False, str(known.get("since", stamp)))
        else:
            result[name] = Standing(True, stamp)
        after[name] = {"digest": digest, "since": result[name].since}
    folder.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(after, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(scratch, path)
    return result
