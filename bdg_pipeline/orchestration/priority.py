"""The outputs run (checks of the published warehouse, officers' reports) yields the processor to ingest
runs: on a two-core server a new return should not wait behind the checks of the last one."""

from __future__ import annotations

import os

OUTPUTS_JOB = "officer_outputs"
OUTPUTS_NICENESS = 10  # the kernel then gives an ingest beside it ~90 % of a contended core


def yield_to_ingest(job_name: str) -> None:
    """Lower this run's process priority when it is the outputs job's own process (a run worker of that job
    runs nothing else); steps run in other processes, tests' included, are left as they are."""
    if job_name == OUTPUTS_JOB and os.getpriority(os.PRIO_PROCESS, 0) < OUTPUTS_NICENESS:
        os.setpriority(os.PRIO_PROCESS, 0, OUTPUTS_NICENESS)
