"""The ministry receives snapshots the way a province receives returns: under the writers' lock, every file is
copied into the content-addressed archive and recorded in the ledger (``returns.archive``), judged (whole or
refused, a resend counted once, the newest of a province in force), the national warehouse is built anew and
published, the ledger mirrors the fates, and inbox files leave the inbox (``returns.inbox``): accepted and
duplicate ones to ``processed/``, refused ones to ``quarantine/`` beside a ``.loi.txt`` saying why."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..returns.archive import Arrival, Ledger, open_ledger
from ..returns.inbox import is_complete, is_regular, refused, safe_name, settle
from ..writer_lock import writer_lock
from .build import SnapshotUnreadable, Verdict, build_national
from .verify import Manifest, SnapshotDamaged, verify_snapshot

SNAPSHOT_SUFFIX = ".zip"
# Each arrival's verdict, kept in the ledger's own database beside the arrivals (written after the publish).
VERDICT_SQL = """
CREATE TABLE IF NOT EXISTS snapshot_verdict (
    seq       INTEGER PRIMARY KEY,
    outcome   TEXT NOT NULL,     -- accepted | duplicate | rejected (superseded is worked out at each build)
    reason    TEXT NOT NULL,
    manifest  TEXT               -- the manifest's JSON of a whole snapshot
);
"""
OUTCOME_LINES = {"accepted": "✔", "superseded": "✔", "duplicate": "=", "rejected": "✘"}


@dataclass
class NationalRun:
    verdicts: list[Verdict] = field(default_factory=list)
    new: list[int] = field(default_factory=list)  # arrival numbers received by this run
    refused: list[str] = field(default_factory=list)  # not regular files, left where they are
    published: Path | None = None

    @property
    def rejected(self) -> int:
        return sum(1 for v in self.verdicts if v.seq in self.new and v.outcome == "rejected")

    def lines(self) -> list[str]:
        lines = [f"{OUTCOME_LINES[v.outcome]} {v.file_name}: {v.reason}" for v in self.verdicts if v.seq in self.new]
        return lines + [f"✘ {message}" for message in self.refused]


def inbox_snapshots(raw_dir: Path) -> list[Path]:
    """Snapshots waiting in the inbox, oldest first (a zip still being copied waits)."""
    if not raw_dir.exists():
        return []
    found = [
        p
        for p in raw_dir.iterdir()
        if p.name.lower().endswith(SNAPSHOT_SUFFIX) and not p.name.startswith((".", "~$")) and is_regular(p)
    ]
    return sorted((p for p in found if is_complete(p)), key=lambda p: (p.stat().st_mtime_ns, p.name))


def receive_snapshots(settings: Settings, paths: list[Path], take_inbox: bool = True) -> NationalRun:
    """Receive ``paths`` (and the inbox), judge every arrival, build and publish the national warehouse."""
    run = NationalRun(refused=refused(paths))
    files = [p for p in paths if is_regular(p)] + (inbox_snapshots(settings.raw_dir) if take_inbox else [])
    with writer_lock(settings), open_ledger(settings) as ledger:
        ledger.con.executescript(VERDICT_SQL)
        known = {seq for (seq,) in ledger.con.execute("SELECT seq FROM snapshot_verdict")}
        arrivals, _changing = ledger.receive(files)
        run.new = [a.seq for a in arrivals if a.seq not in known]
        verdicts = _judge_all(settings, ledger)
        while True:
            try:
                run.published = build_national(settings, verdicts)
                break
            except SnapshotUnreadable as exc:  # refuse it and build without it: nothing partial is published
                verdicts = [
                    Verdict(v.seq, v.file_name, v.content_hash, v.received_at, v.archived, "rejected", str(exc))
                    if v.seq == exc.seq
                    else v
                    for v in verdicts
                ]
                verdicts = _in_force(verdicts)
        _record(ledger, verdicts)
        run.verdicts = verdicts
        fated = {v.seq: v for v in verdicts}
        unsettled = [a for a in ledger.unsettled() if a.seq in fated]
        for arrival in unsettled:
            if fated[arrival.seq].outcome == "rejected":
                _error_note(settings, arrival, fated[arrival.seq].reason)
        settle(
            ledger,
            [(a, "rejected" if fated[a.seq].outcome == "rejected" else "accepted") for a in unsettled],
            settings.processed_dir,
            settings.quarantine_dir,
        )
    return run


def _judge_all(settings: Settings, ledger: Ledger) -> list[Verdict]:
    """Every arrival's verdict: kept ones as recorded, new ones verified now, in arrival order."""
    kept = {
        seq: (outcome, reason, json.loads(manifest) if manifest else None)
        for seq, outcome, reason, manifest in ledger.con.execute(
            "SELECT seq, outcome, reason, manifest FROM snapshot_verdict"
        )
    }
    verdicts: list[Verdict] = []
    seen_hashes: dict[str, int] = {}
    seen_keys: dict[str, int] = {}
    for arrival in ledger.arrivals():
        if arrival.seq in kept and kept[arrival.seq][0] == "rejected":
            verdicts.append(_verdict(arrival, "rejected", kept[arrival.seq][1]))
            continue
        recorded = kept[arrival.seq][2] if arrival.seq in kept else None
        try:
            manifest = (
                Manifest(**recorded)
                if recorded
                else verify_snapshot(arrival.archived, arrival.file_name, settings.max_uncompressed_mb)
            )
        except SnapshotDamaged as exc:
            verdicts.append(_verdict(arrival, "rejected", str(exc)))
            continue
        earlier = seen_hashes.get(arrival.content_hash) or seen_keys.get(manifest.content_key)
        if earlier is not None:
            reason = f"trùng gói số {earlier:06d} đã nhận ({manifest.province}); không tính lần nữa."
            verdicts.append(_verdict(arrival, "duplicate", reason, manifest))
            continue
        seen_hashes[arrival.content_hash] = arrival.seq
        seen_keys[manifest.content_key] = arrival.seq
        verdicts.append(_verdict(arrival, "accepted", "", manifest))
    return _in_force(verdicts)


def _verdict(arrival: Arrival, outcome: str, reason: str, manifest: Manifest | None = None) -> Verdict:
    return Verdict(
        arrival.seq,
        arrival.file_name,
        arrival.content_hash,
        arrival.received_at,
        arrival.archived,
        outcome,
        reason,
        manifest,
    )


def _in_force(verdicts: list[Verdict]) -> list[Verdict]:
    """The newest whole snapshot of each province is in force (by its warehouse's publication time, then its
    export, then its arrival); the older ones are superseded, whatever order they arrived in."""
    newest: dict[str, tuple[tuple[str, str, int], Manifest]] = {}
    for v in verdicts:
        if v.outcome in {"accepted", "superseded"} and v.manifest is not None:
            key = (v.manifest.published_at, v.manifest.exported_at, v.seq)
            if v.manifest.province not in newest or key > newest[v.manifest.province][0]:
                newest[v.manifest.province] = (key, v.manifest)
    judged = []
    for v in verdicts:
        if v.outcome not in {"accepted", "superseded"} or v.manifest is None:
            judged.append(v)
            continue
        (_published, _exported, best_seq), best = newest[v.manifest.province]
        if best_seq == v.seq:
            reason = f"{v.manifest.province}: kho công bố lúc {_when(v.manifest.published_at)}, đang dùng."
            judged.append(_replace(v, "accepted", reason))
        else:
            reason = (
                f"{v.manifest.province}: đã có gói mới hơn (số {best_seq:06d}, kho công bố lúc "
                f"{_when(best.published_at)}); gói này được giữ trong kho lưu trữ."
            )
            judged.append(_replace(v, "superseded", reason))
    return judged


def _replace(v: Verdict, outcome: str, reason: str) -> Verdict:
    return Verdict(v.seq, v.file_name, v.content_hash, v.received_at, v.archived, outcome, reason, v.manifest)


def _when(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso


def _record(ledger: Ledger, verdicts: list[Verdict]) -> None:
    """Keep each verdict and mirror the fates in the ledger (after the publish: a kill before it judges again)."""
    rows = [
        (
            v.seq,
            "accepted" if v.outcome == "superseded" else v.outcome,
            v.reason,
            json.dumps(v.manifest.__dict__, ensure_ascii=False) if v.manifest else None,
        )
        for v in verdicts
    ]
    with ledger.transaction() as con:
        con.execute("DELETE FROM snapshot_verdict")
        con.executemany("INSERT INTO snapshot_verdict VALUES (?, ?, ?, ?)", rows)
    ledger.replace_fates(
        [
            (
                v.seq,
                "accepted" if v.outcome == "superseded" else v.outcome,
                f"goi:{v.seq}" if v.manifest else None,
                v.in_force,
            )
            for v in verdicts
        ]
    )


def _error_note(settings: Settings, arrival: Arrival, reason: str) -> None:
    """``quarantine/<no>_<name>.loi.txt``: why the snapshot beside it was refused (the officer reads it)."""
    if not arrival.from_inbox:
        return
    settings.quarantine_dir.mkdir(parents=True, exist_ok=True)
    note = settings.quarantine_dir / f"{safe_name(arrival)}.loi.txt"
    tmp = note.with_name(f".{note.name}.{os.getpid()}.tmp")
    tmp.write_text(reason + "\n", encoding="utf-8")
    os.replace(tmp, note)
