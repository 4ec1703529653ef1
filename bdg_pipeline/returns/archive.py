"""The immutable archive and its ledger: every file that arrives — from the inbox, from ``bdg ingest
PATH``, whatever the case of its extension — is first copied into a content-addressed archive and
recorded as an *arrival*; processing reads the archived copy. A rebuild replays the ledger, not whatever
happens to be in the inbox, so an accepted return can never vanish.

``data/archive/<2 hex>/<sha256>.<ext>`` holds the bytes (read-only, never rewritten);
``data/archive/ledger.sqlite3`` holds, per arrival (``seq`` in arrival order): the name it came under,
where it came from, its size and time, and — once committed in the warehouse — its fate (``fate``), and
where the inbox file went afterwards (``settled_to``). Only writers holding the writers' lock write it.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings

LEDGER_SQL = """
CREATE TABLE IF NOT EXISTS arrival (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    content_hash TEXT NOT NULL,
    file_name    TEXT NOT NULL,     -- the name it arrived under, printable
    source_path  BLOB NOT NULL,     -- where it was read (bytes: any file name the system allows)
    from_inbox   INTEGER NOT NULL,  -- 1: an inbox file, moved once its fate is committed
    size         INTEGER NOT NULL,
    mtime_ns     INTEGER NOT NULL,
    received_at  TEXT NOT NULL,     -- the file's modification time: when the agency sent it
    archived_at  TEXT NOT NULL,
    archive_name TEXT NOT NULL,     -- relative to the archive folder
    settled_to   TEXT,              -- where the inbox file went after its fate ('' = left where it was)
    settled_at   TEXT
);
CREATE INDEX IF NOT EXISTS arrival_hash ON arrival (content_hash);
-- The fate of each arrival as committed in the staging warehouse (a mirror of its file log).
CREATE TABLE IF NOT EXISTS fate (
    seq           INTEGER PRIMARY KEY,
    outcome       TEXT NOT NULL,    -- accepted | rejected | duplicate
    submission_id TEXT,
    in_force      INTEGER NOT NULL  -- 1: an accepted return not superseded since
);
-- Content that killed the process reading it: later runs and rebuilds reject it without reading it again.
CREATE TABLE IF NOT EXISTS crashed_reader (
    content_hash TEXT PRIMARY KEY,
    file_name    TEXT NOT NULL,     -- the name it had when it did
    crashed_at   TEXT NOT NULL
);
"""
ARCHIVED_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


class NotRegularFile(Exception):
    """A symbolic link, folder, pipe or device where a return was expected: never read."""


@dataclass(frozen=True)
class Arrival:
    """One file as it arrived: processing reads ``archived`` and speaks of ``file_name``."""

    seq: int
    content_hash: str
    file_name: str
    source_path: Path
    from_inbox: bool
    size: int
    mtime_ns: int
    received_at: dt.datetime
    archived_at: dt.datetime
    archived: Path


def display_name(path: Path) -> str:
    """The file name as text that can be printed and stored (undecodable bytes become U+FFFD)."""
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Ledger:
    """The ledger of arrivals (SQLite, durable at every commit)."""

    def __init__(self, settings: Settings, read_only: bool = False):
        self.dir = settings.archive_dir
        self.raw_dir = settings.raw_dir
        if read_only:
            self.con = sqlite3.connect(f"file:{settings.ledger_path}?mode=ro", uri=True, timeout=30)
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(settings.ledger_path, timeout=30, isolation_level=None)
        self.con.execute("PRAGMA journal_mode = WAL")
        self.con.execute("PRAGMA synchronous = FULL")
        self.con.executescript(LEDGER_SQL)
        for leftover in self.dir.glob(".incoming.*.tmp"):  # a copy cut short by a kill (only writers open this)
            leftover.unlink(missing_ok=True)

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- arrivals -------------------------------------------------------------------------------------
    def _arrival(self, row: tuple) -> Arrival:
        seq, digest, name, source, inbox, size, mtime_ns, received, archived_at, archive_name = row
        return Arrival(
            seq,
            digest,
            name,
            Path(os.fsdecode(source)),
            bool(inbox),
            size,
            mtime_ns,
            dt.datetime.fromisoformat(received),
            dt.datetime.fromisoformat(archived_at),
            self.dir / archive_name,
        )

    _COLUMNS = (
        "seq, content_hash, file_name, source_path, from_inbox, size, mtime_ns, received_at, archived_at, archive_name"
    )

    def arrivals(self, where: str = "TRUE", params: Iterable = ()) -> list[Arrival]:
        rows = self.con.execute(f"SELECT {self._COLUMNS} FROM arrival WHERE {where} ORDER BY seq", tuple(params))
        return [self._arrival(r) for r in rows.fetchall()]

    def unsettled(self) -> list[Arrival]:
        """Arrivals whose inbox file has not been dealt with yet (no fate committed, or not moved yet)."""
        return self.arrivals("settled_at IS NULL")

    def count(self) -> int:
        return self.con.execute("SELECT count(*) FROM arrival").fetchone()[0]

    def receive(self, paths: list[Path]) -> tuple[list[Arrival], list[Path]]:
        """Copy files into the archive and record their arrivals in one ledger transaction, in the given
        order; a file already received and still unsettled (a run that died before committing its fate)
        keeps its arrival. Returns the arrivals and the files that changed while being copied."""
        found, changing, new = [], [], []
        for path in paths:
            path = Path(os.path.abspath(path))
            before = os.lstat(path)
            try:
                digest, archived = self._copy_in(path)
            except NotRegularFile:  # replaced by a link or a folder since it was looked at: next run says so
                changing.append(path)
                continue
            after = os.lstat(path)
            if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                changing.append(path)
                continue
            source = os.fsencode(path)
            earlier = self.arrivals("source_path = ? AND content_hash = ? AND settled_at IS NULL", [source, digest])
            if earlier:
                found.append(earlier[0])
                continue
            from_inbox = path.parent == Path(os.path.abspath(self.raw_dir))
            received = dt.datetime.fromtimestamp(before.st_mtime_ns / 1e9).isoformat()
            new.append(
                (
                    digest,
                    display_name(path),
                    source,
                    int(from_inbox),
                    before.st_size,
                    before.st_mtime_ns,
                    received,
                    dt.datetime.now().isoformat(),
                    str(archived.relative_to(self.dir)),
                )
            )
        if new:
            with self.transaction() as con:
                first = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM arrival").fetchone()[0]
                con.executemany(
                    "INSERT INTO arrival (content_hash, file_name, source_path, from_inbox, size, mtime_ns, "
                    "received_at, archived_at, archive_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    new,
                )
            found += self.arrivals("seq >= ?", [first])
        return sorted(found, key=lambda a: a.seq), changing

    def _copy_in(self, path: Path) -> tuple[str, Path]:
        """Copy while hashing into a temporary file beside the archive, then name it by its hash."""
        suffix = path.suffix.lower() if path.suffix.lower() in ARCHIVED_SUFFIXES else ".bin"
        tmp = self.dir / f".incoming.{os.getpid()}.tmp"
        digest = hashlib.sha256()
        try:
            # the file itself, never what a symbolic link points to (any readable file of the machine)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise NotRegularFile(path) from exc
                raise
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise NotRegularFile(path)
            with os.fdopen(fd, "rb") as src, tmp.open("wb") as dst:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    digest.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            name = digest.hexdigest()
            target = self.dir / name[:2] / f"{name}{suffix}"
            if target.exists():
                return name, target  # the same bytes arrived before: the archive keeps one copy
            target.parent.mkdir(exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
            return name, target
        finally:
            tmp.unlink(missing_ok=True)

    def settle(self, settled: list[tuple[int, Path | None]]) -> None:
        """Record where inbox files went once their fates were committed (None: left where they were)."""
        now = dt.datetime.now().isoformat()
        with self.transaction() as con:
            con.executemany(
                "UPDATE arrival SET settled_to = ?, settled_at = ? WHERE seq = ?",
                [(str(target) if target else "", now, seq) for seq, target in settled],
            )

    # -- fates ----------------------------------------------------------------------------------------
    def replace_fates(self, fates: list[tuple[int, str, str | None, bool]]) -> None:
        """Mirror the staging warehouse's fates (seq, outcome, submission id, in force) after a commit."""
        with self.transaction() as con:
            con.execute("DELETE FROM fate")
            con.executemany("INSERT INTO fate VALUES (?, ?, ?, ?)", [(s, o, i, int(f)) for s, o, i, f in fates])

    def fated(self) -> dict[int, str]:
        return dict(self.con.execute("SELECT seq, outcome FROM fate").fetchall())

    # -- files that crashed a reader ------------------------------------------------------------------
    def remember_crash(self, digest: str, file_name: str) -> None:
        with self.transaction() as con:
            con.execute(
                "INSERT OR IGNORE INTO crashed_reader VALUES (?, ?, ?)",
                [digest, file_name, dt.datetime.now().isoformat()],
            )

    def crashed_readers(self) -> set[str]:
        return {h for (h,) in self.con.execute("SELECT content_hash FROM crashed_reader")}

    def in_force(self) -> int:
        return self.con.execute("SELECT count(*) FROM fate WHERE in_force = 1").fetchone()[0]


@contextmanager
def open_ledger(settings: Settings) -> Iterator[Ledger]:
    ledger = Ledger(settings)
    try:
        yield ledger
    finally:
        ledger.close()


def settled_hashes(settings: Settings) -> set[str]:
    """Content whose fate is committed, read without writing (the sensor skips it without launching a run)."""
    if not settings.ledger_path.exists():
        return set()
    ledger = Ledger(settings, read_only=True)
    try:
        return {h for (h,) in ledger.con.execute("SELECT DISTINCT content_hash FROM arrival JOIN fate USING (seq)")}
    except sqlite3.Error:
        return set()  # a ledger not created yet
    finally:
        ledger.close()


def fated_count(settings: Settings) -> int:
    """How many arrivals have a committed fate, read without writing (0 before the ledger exists)."""
    if not settings.ledger_path.exists():
        return 0
    ledger = Ledger(settings, read_only=True)
    try:
        return ledger.con.execute("SELECT count(*) FROM fate").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        ledger.close()
