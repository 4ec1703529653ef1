"""Jobs the launcher's tests launch: defined at module level, so that a run's process can load them by their
origin."""

from __future__ import annotations

import time

import dagster as dg


@dg.op
def nothing() -> None:
    pass


@dg.job
def small() -> None:
    nothing()


@dg.op
def wait_long() -> None:
    time.sleep(300)


@dg.job
def slow() -> None:
    wait_long()
