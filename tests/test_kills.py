"""At least twenty SIGKILLs at random moments across ingest and rebuild: after each, the published
warehouse opens and holds no half-loaded return, no file is lost, and once re-run the warehouse converges
to the build made without any kill, table by table. A run stopped just after a commit is published by
the next writer and launched again by the sensor."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import time

import duckdb

from bdg_pipeline import pipeline
from bdg_pipeline.orchestration.sensors import inbox_requests
from bdg_pipeline.samples import write_samples

from .conftest import settings_in
from .operations import filled, published, start, start_paused

KILLS = 20
TABLES = {
    "v_observations": "SELECT * FROM v_observations ORDER BY ALL",
    # arrived_at is when this installation's archive received the file: two installations differ by it
    "submission": "SELECT * EXCLUDE (arrived_at) FROM submission ORDER BY ALL",
    "fact_attainment": "SELECT * FROM fact_attainment ORDER BY ALL",
    "file_log": "SELECT file_name, content_hash, outcome, submission_id, reason, arrival_seq, "
    "regexp_extract(report_path, '[^/]*$') FROM file_log ORDER BY ALL",
}


def tables(settings) -> dict[str, list]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_sound(settings, sent: dict[str, str]) -> None:
    """The published file opens, every return in it is whole, and every file sent is somewhere."""
    if settings.warehouse.exists():
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            half = con.execute(
                "SELECT count(*) FROM submission s WHERE row_count != (SELECT count(*) FROM "
                "fact_observation o WHERE o.submission_id = s.submission_id)"
            ).fetchone()[0]
            assert half == 0
    kept = {
        digest(p)
        for folder in (settings.raw_dir, settings.processed_dir, settings.quarantine_dir)
        if folder.exists()
        for p in folder.iterdir()
        if not p.name.endswith(".loi.xlsx")
    }
    lost = {name for name, h in sent.items() if h not in kept}
    assert not lost, lost


def test_random_kills_converge_to_the_clean_build(tmp_path, catalogue):
    seed = int(os.environ.get("KILL_SEED") or time.time())
    rng = random.Random(seed)
    print(f"KILL_SEED={seed}")
    sources = write_samples(tmp_path / "nguon", catalogue)[:24]
    broken = tmp_path / "nguon" / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    sources.insert(7, broken)
    for i, path in enumerate(sources):  # arrival order fixed by modification time, as in an inbox
        os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))
    groups = [sources[i : i + 2] for i in range(0, len(sources), 2)]

    with settings_in(tmp_path / "sach") as clean:
        for group in groups:
            pipeline.ingest(clean, [shutil.copy2(p, clean.raw_dir / p.name) for p in group])
        pipeline.rebuild(clean)
        expected = tables(clean)

    with settings_in(tmp_path / "bi_giet") as s:
        kills, sent = 0, {}
        attempts = [(group, op) for group in groups for op in ("ingest", "rebuild")]
        while attempts:
            group, op = attempts.pop(0)
            if op == "ingest":
                for p in group:
                    if p.name not in sent:
                        sent[p.name] = digest(shutil.copy2(p, s.raw_dir / p.name))
            inbox = [s.raw_dir / p.name for p in group if (s.raw_dir / p.name).exists()]
            child = start(op, *map(str, inbox)) if op == "ingest" else start("rebuild")
            time.sleep(rng.uniform(0.8, 3.2))  # imports take about 1 s, the work 1–2.5 s
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
                kills += 1
            child.wait(60)
            assert_sound(s, sent)
            if op == "ingest":
                pipeline.ingest(s, inbox)
            else:
                pipeline.rebuild(s)
            assert_sound(s, sent)
            if not attempts and kills < KILLS:
                attempts.append((groups[-1], "rebuild"))
        assert kills >= KILLS
        assert tables(s) == expected, f"KILL_SEED={seed}"


def test_a_stop_just_after_a_commit_is_published_by_the_next_writer_and_the_sensor(tmp_path, catalogue):
    with settings_in(tmp_path / "dung") as s:
        pipeline.ingest(s, [filled(catalogue, s.raw_dir / "a.xlsx")])
        observed = "SELECT source_file FROM v_observations ORDER BY ALL"
        assert published(s, observed) == [("a.xlsx",)]

        # killed right after the commit of its batch: staging holds b, the published warehouse does not
        b = filled(catalogue, s.raw_dir / "b.xlsx", agency="Cục Thống kê")
        child = start_paused("ingest", str(b), at="after_commit")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(60)
        assert published(s, observed) == [("a.xlsx",)]
        requests, _ = inbox_requests(None, s, now=time.time() + 60)
        assert len(requests) == 1  # the sensor's next look launches a run
        pipeline.ingest(s, [], record_only=True)  # that run's first writing step publishes what was committed
        assert published(s, observed) == [("a.xlsx",), ("b.xlsx",)]
        assert not b.exists()

        # a run whose files were recorded and moved, stopped before its publishing step: the inbox is empty,
        # yet the sensor's next look launches a run, and any writer publishes
        c = filled(catalogue, s.raw_dir / "c.xlsx", year=2022)
        pipeline.ingest(s, [c], record_only=True)
        assert list(s.raw_dir.iterdir()) == [] and published(s, observed) == [("a.xlsx",), ("b.xlsx",)]
        first, cursor = inbox_requests(None, s)
        second, _ = inbox_requests(cursor, s)
        assert len(first) == 1 and [r.run_key for r in second] == [r.run_key for r in first]  # one run, not one a look
        pipeline.ingest(s, [], record_only=True)
        assert published(s, observed) == [("a.xlsx",), ("b.xlsx",), ("c.xlsx",)]
        assert inbox_requests(None, s)[0] == []  # caught up: nothing more to launch
