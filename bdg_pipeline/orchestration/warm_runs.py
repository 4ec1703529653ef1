"""Runs started from a process that has the code loaded already.

Dagster's launcher starts each run as a new interpreter that imports Dagster and the definitions again (~2 s
of a drop's ~5 s on two cores). Here one process, the *starter*, imports them once; each run is a fork of it
that runs the very command Dagster's own launchers run (``python -m dagster api execute_run ARGS``), so the
run reports its process, is watched and cancelled as any other.

The starter is a child of the process that launches runs (the daemon; the web server for a run launched by
hand), started at its first run and ending with it (its standard input closes). Runs forked from it are in the
service's process group and are stopped with the service, as runs started by Dagster are. When a file of the
package changed after the starter loaded it, it is not used (its code would be the old one): a new starter
is started in its place. Whatever goes wrong in starting a run this way, the caller falls back to Dagster's
way (:class:`.launcher.LocalRunLauncher`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import runpy
import select
import subprocess
import sys
import threading
from collections.abc import Sequence

from ..code_closure import PACKAGE

log = logging.getLogger(__name__)
LOADED = "bdg_pipeline.definitions"  # what the starter imports: Dagster, the assets, the pipeline
READY_SECONDS = 120.0  # importing the definitions takes ~2 s; a starter not ready by then is not used
ANSWER_SECONDS = 30.0  # a fork answers in milliseconds; a starter silent this long is stuck and replaced
REAP_SECONDS = 5.0


def code_stamp() -> str:
    """Every module of the package with its size and time: a starter is used only while this is unchanged."""
    stamps = []
    for path in sorted(PACKAGE.rglob("*.py")):
        with_stat = path.stat()
        stamps.append(f"{path.relative_to(PACKAGE)}:{with_stat.st_size}:{with_stat.st_mtime_ns}")
    return "\n".join(stamps)


class RunStarter:
    """The launching side: a starter process, started when first needed, and the forks it makes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._stamp: str | None = None

    @property
    def pid(self) -> int | None:
        """The starter's process id while there is one."""
        return self._process.pid if self._process is not None else None

    def start(self, command_args: Sequence[str], instance_ref: str) -> int | None:
        """Fork a run process running ``dagster`` with ``command_args``; its process id, or None when it could
        not be started this way (the caller starts it Dagster's way). ``instance_ref``: the instance the runs
        use (serialized), opened once by a new starter so that its storage's modules are loaded too."""
        with self._lock:
            stamp = code_stamp()
            if self._process is not None and (self._stamp != stamp or self._process.poll() is not None):
                self._stop()
            for _ in range(2):  # a starter that died since its last run is replaced once
                if self._process is None and not self._begin(stamp, instance_ref):
                    return None
                pid = self._ask(command_args)
                if pid is not None:
                    return pid
                self._stop()
            return None

    def _begin(self, stamp: str, instance_ref: str) -> bool:
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        except OSError as exc:
            log.warning("run starter not started: %s", exc)
            return False
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(instance_ref) + "\n")
            process.stdin.flush()
        except OSError:
            pass  # died at once: not ready below
        ready, _, _ = select.select([process.stdout], [], [], READY_SECONDS)
        if not ready or process.stdout.readline().strip() != "ready":
            log.warning("run starter not ready: runs start as Dagster starts them")
            process.kill()
            process.wait()
            return False
        self._process, self._stamp = process, stamp
        return True

    def _ask(self, command_args: Sequence[str]) -> int | None:
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(list(command_args)) + "\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], ANSWER_SECONDS)
            answer = process.stdout.readline().strip() if ready else ""
        except (OSError, ValueError):
            return None
        return int(answer) if answer.isdigit() else None

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()


def _run(command_args: list[str], protocol: list[int]) -> None:
    """In a fork of the starter: become ``python -m dagster *command_args``, then end."""
    code = 1
    try:
        for fd in protocol:
            os.close(fd)
        sys.argv = ["dagster", *command_args]
        runpy.run_module("dagster", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception:  # the run's own failures are in its event log; this is what kept it from starting
        log.exception("run process failed to start")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _open_instance(instance_ref: str) -> None:
    """Open and close the runs' instance once: a run then finds its storage's modules loaded (~0.5 s of
    imports: SQLAlchemy, Alembic, the storages). Nothing stays open across the forks."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef
    from dagster._serdes import deserialize_value

    try:
        with dg.DagsterInstance.from_ref(deserialize_value(instance_ref, InstanceRef)) as instance:
            instance.get_runs(limit=1)
    except Exception as exc:  # each run opens it again and reports what is wrong there
        log.warning("run starter could not open the instance: %s", exc)


def serve() -> None:
    """The starter: load the code and open the instance named on the first line, say so, then fork a run for
    every further line (its arguments), answering with the fork's process id; end when the launching process
    closes the pipe."""
    requests, answers = os.dup(0), os.dup(1)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)  # what the code prints goes where the launching process's does
    incoming = os.fdopen(requests, "r")
    instance_ref = json.loads(incoming.readline() or "null")
    __import__(LOADED)
    if instance_ref is not None:
        _open_instance(instance_ref)
    reply = os.fdopen(answers, "w", buffering=1)
    reply.write("ready\n")
    while True:
        ready, _, _ = select.select([incoming], [], [], REAP_SECONDS)
        _reap()
        if not ready:
            continue
        line = incoming.readline()
        if not line:
            return
        try:
            pid = os.fork()
        except OSError as exc:  # no process to be had now (memory, process limit): this run starts Dagster's way
            log.warning("run starter could not fork: %s", exc)
            reply.write("not started\n")
            continue
        if pid == 0:
            _run(json.loads(line), [requests, answers])
        reply.write(f"{pid}\n")


def _reap() -> None:
    """Collect the runs that ended (they are the starter's children)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


if __name__ == "__main__":
    # Ctrl-C on ``make ui`` reaches the whole process group: end without a traceback
    with contextlib.suppress(KeyboardInterrupt):
        serve()
