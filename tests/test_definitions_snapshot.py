"""The Dagster definitions as a reviewer sees them — assets (key, group, kinds, what each depends on),
asset checks (on which asset, blocking or not), jobs (which assets and checks, which executor), schedules and
sensors — kept in ``tests/snapshots/definitions.json``. A change to any of them fails this test until the
snapshot is written again on purpose, so the change shows in the diff:

    .venv/bin/python -m tests.test_definitions_snapshot
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def described() -> dict[str, Any]:
    from bdg_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    repository = defs.get_repository_def()

    def keys(found) -> list[str]:
        return sorted(k.to_user_string() for k in found)

    assets = {
        spec.key.to_user_string(): {
            "group": spec.group_name,
            "kinds": sorted(spec.kinds),
            "deps": keys(d.asset_key for d in spec.deps),
        }
        for spec in defs.resolve_all_asset_specs()
    }
    checks = {
        f"{key.asset_key.to_user_string()}:{key.name}": {"blocking": graph.get_check_spec(key).blocking}
        for key in graph.asset_check_keys
    }
    jobs = {}
    for job in defs.jobs or []:
        resolved = repository.get_job(job.name)
        jobs[job.name] = {
            "assets": keys(job.selection.resolve(graph)),
            "checks": sorted(
                f"{k.asset_key.to_user_string()}:{k.name}" for k in resolved.asset_layer.asset_graph.asset_check_keys
            ),
            "executor": resolved.executor_def.name,
            "config": job.config is not None,
        }
    schedules = {
        s.name: {
            "cron": s.cron_schedule,  # the default hour: tests run without BDG_NIGHTLY_CRON
            "timezone": s.execution_timezone,
            "job": s.job_name,
            "default_status": s.default_status.value,
        }
        for s in repository.schedule_defs
    }
    sensors = {
        s.name: {
            "type": s.sensor_type.value,
            "minimum_interval_seconds": s.minimum_interval_seconds,
            "jobs": sorted(t.job_name for t in s.targets),
            "default_status": s.default_status.value,
        }
        for s in repository.sensor_defs
    }
    return {
        "assets": dict(sorted(assets.items())),
        "asset_checks": dict(sorted(checks.items())),
        "jobs": dict(sorted(jobs.items())),
        "schedules": dict(sorted(schedules.items())),
        "sensors": dict(sorted(sensors.items())),
        "resources": sorted(defs.resources or {}),
    }


def rendered() -> str:
    return json.dumps(described(), indent=2, ensure_ascii=False) + "\n"


def test_the_definitions_are_those_of_the_snapshot():
    assert SNAPSHOT.read_text(encoding="utf-8") == rendered(), (
        "the Dagster definitions changed: if on purpose, run .venv/bin/python -m tests.test_definitions_snapshot"
    )


if __name__ == "__main__":
    SNAPSHOT.write_text(rendered(), encoding="utf-8")
    print(SNAPSHOT)
