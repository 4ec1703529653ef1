"""The production profile for real: a PostgreSQL server started from the distribution's binaries, the Dagster
instance of deploy/dagster.yaml on it, and ``dagster-daemon`` as the service runs it.

One drop goes sensor → run → publish; the nightly schedule ticks and rebuilds; the daemon is killed (with its
code server and the run it launched, as systemd stops a service) in the middle of a run's transaction, the run
is marked failed by the next daemon and the sensor's next look brings the file in, counted once."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
from dagster._core.scheduler.instigation import TickStatus
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES as IN_PROGRESS

from bdg_pipeline.config import PROJECT_ROOT
from bdg_pipeline.samples.ninh_thuan_appendix import ROWS, write_appendix

from . import postgres_server
from .postgres_server import Server, running_postgres

TIMEOUT = 600  # two cores shared with other work: a whole rebuild with its checks takes minutes there


@pytest.fixture(scope="module")
def postgres() -> Iterator[Server]:
    with running_postgres() as server:
        yield server


@pytest.fixture
def server(
    tmp_path: Path, postgres: Server, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> dict[str, str]:
    """A provincial server's environment: the operator's paths, DAGSTER_HOME holding deploy/dagster.yaml, a
    database of its own in the PostgreSQL server."""
    pg_url = postgres.new_database(request.node.name.lower())
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    env = {
        "DAGSTER_HOME": str(home),
        "BDG_PG_URL": pg_url,
        "BDG_RAW_DIR": str(tmp_path / "srv" / "raw"),
        "BDG_WAREHOUSE": str(tmp_path / "srv" / "warehouse" / "bdg.duckdb"),
        "BDG_ARCHIVE_DIR": str(tmp_path / "luu_tru"),
        "BDG_AS_OF_YEAR": "2025",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    Path(env["BDG_RAW_DIR"]).mkdir(parents=True)
    return env


class Daemon:
    """``dagster-daemon run`` in its own session, as a service: its code server and runs are its children."""

    def __init__(self, env: dict[str, str], log: Path, **extra: str):
        self.log = log
        self.handle = log.open("a")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-m", "bdg_pipeline.definitions"],
            env={**os.environ, **env, **extra},
            cwd=PROJECT_ROOT,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> None:
        until = time.time() + timeout
        while text not in self.log.read_text(errors="replace"):
            assert self.process.poll() is None, f"dagster-daemon stopped:\n{self.log.read_text()[-3000:]}"
            assert time.time() < until, f"not seen in the daemon's log: {text}\n{self.log.read_text()[-3000:]}"
            time.sleep(0.5)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM: systemctl stop; SIGKILL to the whole group: the service killed with everything it started."""
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass
        self.handle.close()
        if sig == signal.SIGKILL:
            return
        with contextlib.suppress(ProcessLookupError):  # the code server and run workers leave with it
            os.killpg(self.process.pid, signal.SIGKILL)


def drop(path: Path, inbox: Path) -> None:
    """A file appears whole in the inbox (a rename from beside it), with a past modification time."""
    os.utime(path, (time.time() - 60, time.time() - 60))
    os.replace(path, inbox / path.name)


def file_log(warehouse: Path) -> list[tuple[str, str]]:
    if not warehouse.exists():
        return []
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute("SELECT file_name, outcome FROM file_log ORDER BY arrival_seq").fetchall()
    except duckdb.Error:
        return []  # replaced under our feet: look again


def wait_until(check, what: str, timeout: float = TIMEOUT):
    until = time.time() + timeout
    while time.time() < until:
        found = check()
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def postgres_port(server: dict[str, str]) -> int:
    return int(server["BDG_PG_URL"].rsplit(":", 1)[1].split("/")[0])


def one_tick_soon() -> str:
    """A cron expression for one tick, 90 to 150 s from now in Vietnam's time: after the daemon is up, once."""
    at = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + dt.timedelta(seconds=150)
    return f"{at.minute} {at.hour} * * *"


def quiet() -> bool:
    with dg.DagsterInstance.get() as instance:
        return not instance.get_runs(filters=dg.RunsFilter(statuses=list(IN_PROGRESS)))


def runs(job: str, statuses: list[dg.DagsterRunStatus] | None = None) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.get() as instance:
        return list(instance.get_runs(filters=dg.RunsFilter(job_name=job, statuses=statuses or [])))


def test_a_missing_server_skips_here_and_fails_where_required(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(postgres_server, "BINARY_FOLDERS", str(tmp_path / "*" / "bin"))
    monkeypatch.setenv(postgres_server.REQUIRED, "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install postgresql"):
        postgres_server.binaries_or_skip()
    monkeypatch.delenv(postgres_server.REQUIRED)
    with pytest.raises(pytest.skip.Exception):
        postgres_server.binaries_or_skip()
    (tmp_path / "15" / "bin").mkdir(parents=True)
    for name in ("initdb", "pg_ctl"):
        (tmp_path / "15" / "bin" / name).touch()
    assert postgres_server.binaries_or_skip() == tmp_path / "15" / "bin"


def test_instance_is_postgres(server):
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    from bdg_pipeline.orchestration.launcher import LocalRunLauncher

    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert isinstance(instance.run_launcher, LocalRunLauncher)
        assert instance.run_monitoring_enabled


def test_sensor_run_publish_then_the_nightly_tick(server, tmp_path: Path):
    inbox, warehouse = Path(server["BDG_RAW_DIR"]), Path(server["BDG_WAREHOUSE"])
    daemon = Daemon(server, tmp_path / "daemon.log")
    try:
        daemon.wait_for("Checking for new runs for sensor: inbox_sensor")
        drop(write_appendix(tmp_path / "phu_luc_2019.xlsx"), inbox)
        assert wait_until(lambda: ("phu_luc_2019.xlsx", "accepted") in file_log(warehouse), "the drop published")
        wait_until(quiet, "the runs to end")
        ingest = [
            r
            for r in runs("ingest_inbox", [dg.DagsterRunStatus.SUCCESS])
            if r.run_config["ops"]["submissions"]["config"]["files"] == ["phu_luc_2019.xlsx"]
        ]
        assert len(ingest) == 1 and ingest[0].tags.get("dagster/sensor_name") == "inbox_sensor"
        assert list(inbox.iterdir()) == []
        assert (Path(server["BDG_ARCHIVE_DIR"]) / "ledger.sqlite3").exists()  # the archive where the operator said
    finally:
        daemon.stop()
    # the same server, its nightly rebuild moved by the operator's variable to a minute from now
    daemon = Daemon(server, tmp_path / "daemon.log", BDG_NIGHTLY_CRON=one_tick_soon())
    try:
        rebuilt = wait_until(lambda: runs("rebuild_all", [dg.DagsterRunStatus.SUCCESS]), "a nightly rebuild")
        assert len(rebuilt) == 1 and rebuilt[0].tags.get("dagster/schedule_name") == "nightly_rebuild"
        wait_until(quiet, "the runs to end")
        with dg.DagsterInstance.get() as instance:
            state = next(s for s in instance.all_instigator_state() if s.instigator_name == "nightly_rebuild")
            ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id)
        assert any(t.status == TickStatus.SUCCESS and rebuilt[0].run_id in t.run_ids for t in ticks)
        # the operator's screen reads the same PostgreSQL
        shown = subprocess.run([sys.executable, "-m", "bdg_pipeline", "status"], capture_output=True, text=True)
        assert shown.returncode == 0, shown.stdout + shown.stderr
        assert f"PostgreSQL 127.0.0.1:{postgres_port(server)}/" in shown.stdout
        assert "Dựng lại hằng đêm gần nhất: thành công" in shown.stdout and "[lịch hằng đêm;" in shown.stdout
        assert "Tiếp nhận gần nhất: thành công" in shown.stdout and "[cảm biến hộp thư;" in shown.stdout
    finally:
        daemon.stop()
    assert file_log(warehouse) == [("phu_luc_2019.xlsx", "accepted")]  # rebuilt from the archive, counted once


def test_daemon_killed_mid_run_run_failed_next_tick_recovers(server, tmp_path: Path):
    inbox, warehouse = Path(server["BDG_RAW_DIR"]), Path(server["BDG_WAREHOUSE"])
    rows = list(ROWS)
    rows[11] = (4, rows[11][1], "108,0/100", rows[11][3])
    daemon = Daemon(server, tmp_path / "daemon.log", BDG_PAUSE_AT="in_transaction", BDG_PAUSE_SECONDS="600")
    try:
        daemon.wait_for("Checking for new runs for sensor: inbox_sensor")
        drop(write_appendix(tmp_path / "phu_luc_sua.xlsx", rows), inbox)
        daemon.wait_for("BDG_PAUSE_AT in_transaction")  # the run's writer holds an open transaction
        started = runs("ingest_inbox", [dg.DagsterRunStatus.STARTED])
        assert len(started) == 1
    finally:
        daemon.stop(signal.SIGKILL)
    killed = started[0].run_id
    with dg.DagsterInstance.get() as instance:
        # nobody is left to say so: Dagster's storage still says "started"
        assert instance.get_run_by_id(killed).status == dg.DagsterRunStatus.STARTED
    assert [p.name for p in inbox.iterdir()] == ["phu_luc_sua.xlsx"]
    assert file_log(warehouse) == []

    daemon = Daemon(server, tmp_path / "daemon.log")  # restarted, as systemd does (Restart=on-failure)
    try:

        def failed():
            with dg.DagsterInstance.get() as instance:
                return instance.get_run_by_id(killed).status == dg.DagsterRunStatus.FAILURE

        wait_until(failed, "run monitoring to mark the killed run failed", 120)
        with dg.DagsterInstance.get() as instance:
            messages = [e.message for e in instance.all_logs(killed)]
        assert any("không còn" in (m or "") for m in messages), messages[-5:]
        assert wait_until(lambda: ("phu_luc_sua.xlsx", "accepted") in file_log(warehouse), "the file published")
        wait_until(quiet, "the runs to end")
        # the sensor's next look asked again for the file of the failed run: a new run, not a 15-minute wait
        recovered = [
            r
            for r in runs("ingest_inbox", [dg.DagsterRunStatus.SUCCESS])
            if r.run_config["ops"]["submissions"]["config"]["files"] == ["phu_luc_sua.xlsx"]
        ]
        assert len(recovered) == 1 and recovered[0].run_id != killed
        assert recovered[0].tags.get("dagster/sensor_name") == "inbox_sensor"
    finally:
        daemon.stop()
    assert file_log(warehouse) == [("phu_luc_sua.xlsx", "accepted")]  # once, although its first run began it
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submission").fetchone()[0] == 1
    assert list(inbox.iterdir()) == []
