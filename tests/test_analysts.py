"""What analysts get on the bundled sample: every target answered, a notebook that runs, and readers
that never meet a lock or a half-built table while the pipeline rebuilds."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import nbformat
import pytest
from nbclient import NotebookClient

from bdg_pipeline import pipeline
from bdg_pipeline.catalogue import load_catalogue
from bdg_pipeline.config import CATALOGUE_DIR, PROJECT_ROOT
from bdg_pipeline.samples import write_samples

from .conftest import settings_in

CLASSES = {"achieved", "on_track", "needs_acceleration", "limited_progress", "regressing", "insufficient_data"}


@pytest.fixture(scope="module")
def sample_env(tmp_path_factory):
    with settings_in(tmp_path_factory.mktemp("sample"), BDG_AS_OF_YEAR="2026") as s:
        write_samples(s.raw_dir, load_catalogue(CATALOGUE_DIR))
        summary = pipeline.rebuild(s)
        assert summary.rejected == 0
        yield s


def query(s, sql):
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_target_of_001_and_003_answered(sample_env):
    expected = query(sample_env, "SELECT count(*) FROM fact_target WHERE plan_code IN ('LC-2021-2030', 'QN-2021-2030')")
    answered = query(
        sample_env,
        """
        SELECT count(*), count(status) FROM v_attainment
        WHERE plan_code IN ('LC-2021-2030', 'QN-2021-2030') AND level = 'tinh'""",
    )
    assert answered[0] == (expected[0][0], expected[0][0])
    years = {
        y
        for (y,) in query(
            sample_env,
            "SELECT DISTINCT target_year FROM v_attainment WHERE plan_code IN ('LC-2021-2030', 'QN-2021-2030')",
        )
    }
    assert years == {2025, 2030}
    statuses = {s for (s,) in query(sample_env, "SELECT DISTINCT status FROM v_attainment")}
    assert statuses >= CLASSES
    assert {"not_achieved", "no_data", "not_yet"} <= statuses


def test_progress_path(sample_env):
    rows = query(
        sample_env,
        """SELECT year, expected_value FROM v_progress
        WHERE plan_code = 'LC-2021-2030' AND objective_no = 1 AND indicator_no = 1 ORDER BY year""",
    )
    expected = dict(rows)
    assert expected[2025] == pytest.approx(60) and expected[2030] == pytest.approx(75)
    assert expected[2026] == pytest.approx(63)  # 60 + (75 − 60) / 5


def test_notebook_runs(sample_env):
    folder = PROJECT_ROOT / "notebooks"
    before = sorted(p.name for p in folder.iterdir())
    nb = nbformat.read(folder / "attainment.ipynb", as_version=4)
    # run where a user runs it, beside the notebook: it must leave nothing behind
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    assert sorted(p.name for p in folder.iterdir()) == before
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    charts = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert len(charts) == 1 and len(charts[0]["data"]["image/png"]) > 5000
    described = [o for o in outputs if "progress_ratio" in str(o.get("data", {}).get("text/plain", ""))]
    assert described, "the notebook shows the columns' descriptions"
    shown = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "Tổng nhu cầu kinh phí" in shown and "Đã hoàn thành" in shown, "activities and budget are shown"


READER = textwrap.dedent("""
    import os, sys, duckdb
    path, expected, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ok = errors = wrong = 0
    while not os.path.exists(stop):
        try:
            con = duckdb.connect(path, read_only=True)
            n = con.execute("SELECT count(*) FROM v_attainment").fetchone()[0]
            con.close()
            if n == expected:
                ok += 1
            else:
                wrong += 1
        except Exception as exc:
            errors += 1
            print(type(exc).__name__, exc, file=sys.stderr)
    print(ok, errors, wrong)
""")


def test_reader_never_blocked_by_rebuild(sample_env, tmp_path):
    expected = query(sample_env, "SELECT count(*) FROM v_attainment")[0][0]
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(sample_env.warehouse), str(expected), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(2):  # two full rebuilds, each ending in a publish under the reader's feet
        pipeline.rebuild(sample_env)
    stop.touch()
    out, err = reader.communicate(timeout=60)
    ok, errors, wrong = map(int, out.split())
    assert errors == 0, err
    assert wrong == 0
    assert ok > 50


def _readme_snippets() -> list[str]:
    """The README's two analyst snippets, as written there: the plain DuckDB one and the notebook one."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```python\n")[1:]]
    plain = [b for b in blocks if 'duckdb.connect("data/warehouse/bdg.duckdb", read_only=True)' in b]
    notebook = [b for b in blocks if "bdg_pipeline.engine()" in b]
    assert len(plain) == 1 and len(notebook) == 1
    return [plain[0], notebook[0]]


def test_readme_snippets_work_in_one_process(sample_env, tmp_path):
    """A notebook keeps the plain read-only connection open, then reads through the SQLAlchemy engine."""
    published = tmp_path / "data" / "warehouse" / "bdg.duckdb"
    published.parent.mkdir(parents=True)
    published.symlink_to(sample_env.warehouse)  # where the first snippet looks, from the project root
    plain, notebook = _readme_snippets()
    script = "\n".join(
        [
            plain,
            "held = con",
            notebook,
            "assert len(df) > 0 and held.sql('SELECT count(*) FROM v_targets').fetchall()[0][0] > 0",
            "print('ok', len(df))",
        ]
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "BDG_WAREHOUSE": str(published)}
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0 and run.stdout.startswith("ok "), run.stderr[-2000:]
