"""A real PostgreSQL server for the tests, from the distribution's binaries (Debian: package ``postgresql``,
``/usr/lib/postgresql/<version>/bin``), in a temporary folder, on a free port, stopped afterwards.

PostgreSQL refuses to run as root: as root, the server runs as the ``postgres`` account the package creates."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

BINARY_FOLDERS = "/usr/lib/postgresql/*/bin"
# CI sets this: there the server must run, a missing one is a failure and not a skip
REQUIRED = "BDG_REQUIRE_POSTGRES"


def server_binaries() -> Path | None:
    """The newest installed server's folder holding initdb and pg_ctl."""
    found = [
        p for p in Path("/").glob(BINARY_FOLDERS.lstrip("/")) if (p / "initdb").exists() and (p / "pg_ctl").exists()
    ]
    return max(found, key=lambda p: int(p.parent.name)) if found else None


def binaries_or_skip() -> Path:
    binaries = server_binaries()
    if binaries is None:
        message = f"PostgreSQL server binaries not found ({BINARY_FOLDERS}): apt-get install postgresql"
        if os.environ.get(REQUIRED) == "1":
            pytest.fail(message)
        pytest.skip(message)
    return binaries


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _account() -> str | None:
    """The account the server runs as: ourselves, or ``postgres`` (else ``nobody``) when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root without a postgres or nobody account to run PostgreSQL as")


@dataclass(frozen=True)
class Server:
    port: int

    def new_database(self, name: str) -> str:
        """Create a database; its URL (password-less: the server trusts 127.0.0.1)."""
        con = psycopg2.connect(host="127.0.0.1", port=self.port, user="bdg", dbname="postgres")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        con.close()
        return f"postgresql+psycopg2://bdg@127.0.0.1:{self.port}/{name}"


@contextmanager
def running_postgres() -> Iterator[Server]:
    """Start a server in a temporary folder, yield it, stop it and remove the folder."""
    binaries = binaries_or_skip()
    account = _account()
    root = Path(tempfile.mkdtemp(prefix="bdg-pg-"))  # under /tmp: the postgres account can reach it
    if account:
        shutil.chown(root, account)
    data, port = root / "data", free_port()

    def run(*args: str) -> None:
        done = subprocess.run(args, user=account, capture_output=True, text=True, cwd=root)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}\n{done.stderr}")

    run(str(binaries / "initdb"), "-D", str(data), "-U", "bdg", "-A", "trust", "-E", "UTF8", "--no-locale")
    # fsync off: a test server is thrown away; nothing a test checks depends on surviving a power cut
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c fsync=off"
    run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-o", options, "start")
    try:
        yield Server(port)
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
