"""Readings kept beside the archive: what reading an archived file gave — its observations, activities and
spending as validated, the return's header and what was read, or every problem found in it — so that a
rebuild reads each file once and afterwards only what reading it gave.

A reading depends on the file's bytes and on nothing else but the reading key: the code that reads (the
package minus the parts reading never imports, ``NOT_READING``), the libraries it reads with, the
catalogue, the area dataset and the reading limits. ``data/archive/readings/<key>/`` holds the readings
made under one key, one Arrow IPC file per archived file, named ``<file digest>.<crc32>.arrow``:

- the observations, the schema's metadata carrying the header (``bdg_reading``, JSON); a return with
  activities or spending has them in ``<digest>.activities.<crc32>.arrow`` and ``….spending.…`` beside it,
  written before it, so a reading is whole once its observations file has its name;
- every file is written under a temporary name and renamed, and its name carries the CRC-32 of its bytes:
  a file cut short by a kill, or damaged since, fails the check and is read again from the archive.

Kept readings are derived state: deleting any of them, or the folder, only costs reading the files again.
A refusal is kept for the day it was read (dates ahead of today are refused, and the day moves on), and so
is an accepted reading that met a date ahead of its day (``today``); a reading that failed for want of
memory or by surprise is not kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import re
import sys
from pathlib import Path

import pyarrow
import pyarrow.ipc

from ..catalogue import Catalogue
from . import derived
from .derived import checksum, write_whole
from .model import ParsedReturn, Problem, Refusal, Scope
from .parsing import PARSED_SCHEMA, TOO_MUCH_MEMORY, UNEXPECTED
from .readers import CRASHED
from .workbook import Limits

log = logging.getLogger(__name__)
FORMAT = 1  # the layout of a kept reading; raising it sets every kept reading aside
PACKAGE = Path(__file__).resolve().parent.parent
# Parts of the package that reading a file never imports (tests/test_readings.py checks it): changing them
# keeps the readings. Anything not listed counts as reading code.
NOT_READING = (
    "orchestration",
    "reports",
    "bench",
    "samples",
    "plans",
    "nation",
    "__main__.py",
    "attainment.py",
    "cli.py",
    "definitions.py",
    "pipeline.py",
    "warehouse.py",
    "quality.py",
    "dictionary.py",
    "writer_lock.py",
    "build_inputs.py",
    "returns/archive.py",
    "returns/error_report.py",
    "returns/inbox.py",
    "returns/ingest.py",
    "returns/recording.py",
    "returns/standing.py",
    "returns/readings.py",
    "returns/settled.py",
    "standing_warnings.py",
    "figures.py",
    "status.py",
)
READING_LIBRARIES = (
    "python-calamine",
    "openpyxl",
    "defusedxml",
    "python-docx",
    "pandera",
    "pandas",
    "numpy",
    "pyarrow",
    "vietnamadminunits",
)
HEADER = b"bdg_reading"
_NAME = re.compile(r"^([0-9a-f]{64})(?:\.(activities|spending))?\.([0-9a-f]{8})\.arrow$")
_TRANSIENT = (UNEXPECTED.split("(")[0], TOO_MUCH_MEMORY, CRASHED)
_RETURN_FIELDS = ("kind", "plan_code", "province", "agency_code", "year", "period", "contact", "note")


def _reading_code(path: Path) -> bool:
    relative = path.relative_to(PACKAGE).as_posix()
    return not any(relative == part or relative.startswith(part + "/") for part in NOT_READING)


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Digest of the reading code and the libraries it reads with (fixed for the life of a process)."""
    reading = sorted(p for p in PACKAGE.rglob("*.py") if _reading_code(p))
    return derived.code_digest(f"{FORMAT}\0{sys.version}", READING_LIBRARIES, reading, PACKAGE)


def catalogue_digest(catalogue: Catalogue) -> str:
    """Digest of what the catalogue holds (see :meth:`Catalogue.digest`)."""
    return catalogue.digest()


def reading_key(catalogue: Catalogue, limits: Limits) -> str:
    """What a reading depends on besides the file's bytes, as a short name."""
    parts = [
        code_digest(),
        catalogue_digest(catalogue),
        repr(dataclasses.astuple(limits)),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def keepable(result: ParsedReturn | list[Problem]) -> bool:
    """A reading worth keeping: a validated return, or a refusal for what the file says (not for want of
    memory, nor a reader's surprise or death, which another attempt may not meet)."""
    if isinstance(result, ParsedReturn):
        return result.frame is not None
    return not any(p.message.startswith(_TRANSIENT) for p in result)


def _ipc(table: pyarrow.Table) -> bytes:
    sink = pyarrow.BufferOutputStream()
    with pyarrow.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _load(path: Path, crc: str) -> pyarrow.Table:
    data = path.read_bytes()
    if checksum(data) != crc:
        raise ValueError(f"{path.name}: checksum does not match")
    table = pyarrow.ipc.open_file(pyarrow.py_buffer(data)).read_all()
    table.validate(full=True)
    return table


class KeptReadings:
    """The readings kept under one reading key, as found when the run began."""

    def __init__(self, root: Path, key: str):
        self.dir = root / key
        self.today = dt.date.today().isoformat()
        self.files: dict[tuple[str, str], tuple[str, str]] = {}  # (digest, table) → (file name, crc)
        if self.dir.is_dir():
            for entry in os.scandir(self.dir):
                match = _NAME.match(entry.name)
                if match:
                    self.files[(match[1], match[2] or "observations")] = (entry.name, match[3])

    def has(self, digest: str) -> bool:
        return (digest, "observations") in self.files

    def recall(self, digest: str) -> ParsedReturn | list[Problem] | None:
        """The kept reading of the file with ``digest``; None when there is none to trust (then it is read)."""
        if not self.has(digest):
            return None
        try:
            return self._recall(digest)
        except Exception as exc:  # damaged, cut short, or of another layout: read the file again
            log.warning("kept reading of %s set aside (%s: %s)", digest[:16], type(exc).__name__, exc)
            self._forget(digest)
            return None

    def _recall(self, digest: str) -> ParsedReturn | list[Problem] | None:
        name, crc = self.files[(digest, "observations")]
        table = _load(self.dir / name, crc)
        header = json.loads((table.schema.metadata or {})[HEADER])
        if header["format"] != FORMAT or header["digest"] != digest:
            raise ValueError("not a reading of this file")
        if header["day_bound"] and header["read_on"] != self.today:
            return None  # it met a date ahead of its day: today it may read otherwise
        if header["outcome"] == "rejected":
            scope = header.get("scope")  # a refusal's scope: a later accepted return of it settles the refusal
            return Refusal([Problem(**p) for p in header["problems"]], Scope(**scope) if scope else None)
        if table.schema.remove_metadata() != PARSED_SCHEMA:
            raise ValueError("observations of another schema")
        fields = header["return"]
        parsed = ParsedReturn(
            **{k: fields[k] for k in _RETURN_FIELDS},
            report_date=dt.date.fromisoformat(fields["report_date"]) if fields["report_date"] else None,
            frame=table.replace_schema_metadata(None),
            day_bound=header["day_bound"],  # read today: whoever keeps what it gave must know it is today's
        )
        for part, expected in (("activities", header["activities"]), ("spending", header["spending"])):
            if expected:
                name, crc = self.files[(digest, part)]
                found = _load(self.dir / name, crc)
                if found.num_rows != expected:
                    raise ValueError(f"{part}: {found.num_rows} rows, {expected} expected")
                setattr(parsed, "activity_frame" if part == "activities" else "spending_frame", found)
        return parsed

    def keep(self, digest: str, result: ParsedReturn | list[Problem]) -> None:
        """Keep a reading (when :func:`keepable`); a folder that cannot be written only costs the keeping."""
        if not keepable(result):
            return
        try:
            self._keep(digest, result)
        except OSError as exc:
            log.warning("reading of %s not kept: %s", digest[:16], exc)

    def _keep(self, digest: str, result: ParsedReturn | list[Problem]) -> None:
        header: dict = {"format": FORMAT, "digest": digest, "read_on": self.today, "activities": 0, "spending": 0}
        if isinstance(result, list):
            header.update(
                outcome="rejected",
                day_bound=True,
                problems=[dataclasses.asdict(p) for p in result],
                scope=dataclasses.asdict(result.scope) if isinstance(result, Refusal) and result.scope else None,
            )
            table = PARSED_SCHEMA.empty_table()
        else:
            assert result.frame is not None
            header.update(
                outcome="accepted",
                day_bound=result.day_bound,
                **{
                    "return": {
                        **{k: getattr(result, k) for k in _RETURN_FIELDS},
                        "report_date": result.report_date.isoformat()
                        if isinstance(result.report_date, dt.date)
                        else None,
                    }
                },
            )
            table = result.frame
            for part, frame in (("activities", result.activity_frame), ("spending", result.spending_frame)):
                if frame is not None and frame.num_rows:
                    self._write(digest, part, frame)
                    header[part] = frame.num_rows
        metadata = {HEADER: json.dumps(header, ensure_ascii=False).encode()}
        self._write(digest, "observations", table.replace_schema_metadata(metadata))

    def _write(self, digest: str, part: str, table: pyarrow.Table) -> None:
        data = _ipc(table)
        crc = checksum(data)
        name = f"{digest}.{crc}.arrow" if part == "observations" else f"{digest}.{part}.{crc}.arrow"
        earlier = self.files.get((digest, part))
        write_whole(self.dir, name, data)
        self.files[(digest, part)] = (name, crc)
        if earlier is not None and earlier[0] != name:
            (self.dir / earlier[0]).unlink(missing_ok=True)

    def _forget(self, digest: str) -> None:
        for part in ("observations", "activities", "spending"):
            found = self.files.pop((digest, part), None)
            if found is not None:
                (self.dir / found[0]).unlink(missing_ok=True)


def readings_dir(archive_dir: Path) -> Path:
    return archive_dir / "readings"
