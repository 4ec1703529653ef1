"""The daemon path, measured through a real ``dagster dev`` that this module starts and stops:

- one return dropped into an idle system → its fate in the published warehouse;
- with 30 returns already ingested, those 30 dropped again beside a burst of 40 new ones → the 40 in the
  published warehouse, and how many runs named any of the 30 (it should be none);
- 500 returns of the national workload dropped at once → all of them published.

A drop is a rename into the inbox from a folder on the same disk, so every file appears whole at once.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, cast

import duckdb
import psutil

from ..config import PROJECT_ROOT
from . import ROOT

TIMEOUT = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def published_names(warehouse: Path) -> set[str]:
    if not warehouse.exists():
        return set()
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return {
                n for (n,) in con.execute("SELECT file_name FROM file_log WHERE outcome != 'superseded'").fetchall()
            }
    except duckdb.Error:
        return set()  # replaced under our feet: look again


def wait_published(warehouse: Path, names: set[str], start: float) -> float:
    while time.time() - start < TIMEOUT:
        if names <= published_names(warehouse):
            return time.time() - start
        time.sleep(0.25)
    raise TimeoutError(f"{len(names - published_names(warehouse))} files never published")


def drop(files: list[Path], inbox: Path, outbox: Path) -> float:
    """Copy into a folder beside the inbox, then rename them all in; the moment the renames began."""
    outbox.mkdir(parents=True, exist_ok=True)
    staged = [Path(shutil.copy2(f, outbox / f.name)) for f in files]
    for path in staged:  # the workload's times are its due dates, some ahead: a real copy keeps a past time
        os.utime(path, (time.time() - 60, time.time() - 60))
    start = time.time()
    for path in staged:
        os.replace(path, inbox / path.name)
    return start


def runs_naming(home: Path, names: set[str], since: float) -> int:
    os.environ["DAGSTER_HOME"] = str(home)
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.get() as instance:
        runs = instance.get_runs(filters=RunsFilter(job_name="ingest_inbox"))
        count = 0
        for run in runs:
            config = cast(dict[str, Any], run.run_config)
            files = config.get("ops", {}).get("submissions", {}).get("config", {}).get("files", [])
            stats = instance.get_run_stats(run.run_id)
            if (stats.launch_time or 0) >= since and names & set(files):
                count += 1
        return count


STEPS = ("submissions", "attainment", "published_warehouse")


def where_time_went(home: Path, since: float, until: float) -> dict[str, Any]:
    """From the Dagster event log of the ingest runs created between ``since`` (a drop) and ``until``: how many
    runs, when the first was created (the sensor's look), from a run's creation to its first step (its process
    starting, loading the definitions, waiting for the warehouse pool), and the seconds of each step, summed
    over the runs. The runs' own timestamps, so a shared machine's load shows in the steps, not in a guess."""
    os.environ["DAGSTER_HOME"] = str(home)
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.get() as instance:
        records = [
            r
            for r in instance.get_run_records(filters=RunsFilter(job_name="ingest_inbox"))
            if since <= r.create_timestamp.timestamp() < until
        ]
        steps = dict.fromkeys(STEPS, 0.0)
        to_first_step = 0.0
        for record in records:
            begun: dict[str, float] = {}
            first = None
            for entry in instance.all_logs(record.dagster_run.run_id):
                event = entry.dagster_event
                if event is None or event.step_key not in steps:
                    continue
                if event.event_type_value == "STEP_START":
                    begun[event.step_key] = entry.timestamp
                    first = entry.timestamp if first is None else min(first, entry.timestamp)
                elif event.event_type_value == "STEP_SUCCESS" and event.step_key in begun:
                    steps[event.step_key] += entry.timestamp - begun[event.step_key]
            if first is not None:
                to_first_step += first - record.create_timestamp.timestamp()
        created = [r.create_timestamp.timestamp() for r in records]
        return {
            "runs": len(records),
            "drop_to_first_run": round(min(created) - since, 2) if created else None,
            "run_created_to_first_step": round(to_first_step, 2),
            **{f"step_{name}": round(seconds, 2) for name, seconds in steps.items()},
        }


class TreeClock:
    """Processor seconds of a process tree (``dagster dev``: webserver, daemon, code server, each run), read
    every half second from each living process: a run's process ends without its parent adding it up."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.seen: dict[tuple[int, float], float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done.wait(0.5):
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for process in processes:
                try:
                    times = process.cpu_times()
                    self.seen[(process.pid, process.create_time())] = times.user + times.system
                except psutil.Error:
                    continue  # ended between the listing and the look

    def seconds(self) -> float:
        self.done.set()
        self.thread.join()
        return round(sum(self.seen.values()), 1)


def measure_daemon(root: Path) -> dict:
    root = root.resolve()  # DAGSTER_HOME must be absolute
    base = root / "daemon"
    shutil.rmtree(base, ignore_errors=True)
    inbox, outbox, home = base / "inbox", base / "outbox", base / "dagster_home"
    for folder in (inbox, outbox, home):
        folder.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    warehouse = base / "warehouse" / "bdg.duckdb"
    env = {
        **os.environ,
        "BDG_CATALOGUE_DIR": str(root / "catalogue"),
        "BDG_RAW_DIR": str(inbox),
        "BDG_WAREHOUSE": str(warehouse),
        "BDG_AS_OF_YEAR": "2036",
        "DAGSTER_HOME": str(home),
    }
    templates = sorted((root / "raw").glob("GL_QG*.xlsx"))
    old, burst, single, national = templates[:30], templates[30:70], templates[70], templates[71:571]
    done = subprocess.run(
        [sys.executable, "-m", "bdg_pipeline", "ingest", *map(str, old)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    log = (base / "dagster_dev.log").open("w")
    dev = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-m",
            "bdg_pipeline.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(_free_port()),
        ],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    clock = TreeClock(dev.pid)
    try:
        started = time.time()
        while "Checking for new runs for sensor: inbox_sensor" not in (base / "dagster_dev.log").read_text():
            if time.time() - started > 180 or dev.poll() is not None:
                raise RuntimeError("dagster dev did not start: see " + str(base / "dagster_dev.log"))
            time.sleep(1)
        results: dict[str, Any] = {}
        starts = {}
        start = starts["single"] = drop([single], inbox, outbox)
        results["daemon_single_seconds"] = wait_published(warehouse, {single.name}, start)
        time.sleep(5)  # let the reports run after it finish: the burst lands on a quiet system
        start = starts["burst"] = drop([*old, *burst], inbox, outbox)
        results["daemon_burst_seconds"] = wait_published(warehouse, {p.name for p in burst}, start)
        results["daemon_runs_for_old_files"] = runs_naming(home, {p.name for p in old}, start)
        start = starts["500"] = drop(national, inbox, outbox)
        results["daemon_500_seconds"] = wait_published(warehouse, {p.name for p in national}, start)
        # from dagster dev's start to the last file published (the outputs runs still going are counted so far)
        results["daemon_cpu_seconds"] = clock.seconds()
        ends = [*list(starts.values())[1:], time.time()]
        results["daemon_breakdown"] = {
            name: where_time_went(home, begun, until) for (name, begun), until in zip(starts.items(), ends, strict=True)
        }
    finally:
        clock.done.set()
        os.killpg(dev.pid, signal.SIGINT)  # what Ctrl-C does
        try:
            dev.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
            dev.wait()
        log.close()
    return results


if __name__ == "__main__":
    print(measure_daemon(ROOT))
