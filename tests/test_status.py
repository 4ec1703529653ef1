"""``bdg status`` on the embedded SQLite instance: real runs of the real jobs recorded in a DAGSTER_HOME, the
inbox, the published warehouse and the quarantine as the pipeline left them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import dagster as dg
import pytest

from bdg_pipeline.config import PROJECT_ROOT
from bdg_pipeline.definitions import defs
from bdg_pipeline.orchestration.run_history import read_history
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix
from bdg_pipeline.status import healthy, status_text


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def bdg_status() -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bdg_pipeline", "status"], capture_output=True, text=True)


def test_status_before_anything(env, home):
    done = bdg_status()
    assert done.returncode == 0, done.stderr
    assert "Dựng lại hằng đêm gần nhất: chưa có lần nào" in done.stdout
    assert f"SQLite trong {home}" in done.stdout
    assert "không có tệp nào đang chờ" in done.stdout and "chưa có. Hãy chạy “bdg rebuild”" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_status_after_an_ingest_a_rejection_and_a_failed_rebuild(env, home, tmp_path, monkeypatch):
    write_appendix(env.raw_dir / "phu_luc.xlsx")
    with zipfile.ZipFile(env.raw_dir / "hong.xlsx", "w") as broken:  # complete, but no workbook inside
        broken.writestr("ghi_chu.txt", "không phải bảng tính")
    with dg.DagsterInstance.get() as instance:
        ingest = defs.resolve_job_def("ingest_inbox").execute_in_process(
            instance=instance, run_config={"ops": {"submissions": {"config": {"files": []}}}}
        )
    assert ingest.success
    write_appendix(env.raw_dir / "dang_cho.xlsx")  # arrives after the run: waits in the inbox
    # the catalogue broken: the nightly job fails at its first step, the warehouse keeps its last build
    broken = tmp_path / "danh_muc"
    shutil.copytree(PROJECT_ROOT / "assets" / "catalogue", broken)
    (broken / "indicators.yaml").write_text("- {code: [khong hop le\n", encoding="utf-8")
    monkeypatch.setenv("BDG_CATALOGUE_DIR", str(broken))
    with dg.DagsterInstance.get() as instance:
        rebuild = defs.resolve_job_def("rebuild_all").execute_in_process(instance=instance, raise_on_error=False)
    assert not rebuild.success

    history = read_history(env)
    assert history.nightly is not None and history.nightly.status == "FAILURE"
    assert history.ingest is not None and history.ingest.status == "SUCCESS"
    assert not healthy(history)
    done = bdg_status()
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[2].startswith("Dựng lại hằng đêm gần nhất: thất bại, bắt đầu ")
    assert lines[3].startswith("Tiếp nhận gần nhất: thành công, bắt đầu ")
    assert "1 tệp đang chờ" in done.stdout and "· dang_cho.xlsx" in done.stdout
    assert "1 báo cáo hiệu lực, 31 số liệu, 2 tệp đã ghi nhận" in done.stdout
    assert "Cách ly" in done.stdout and "1 tệp bị từ chối; gần nhất 000002_hong.xlsx" in done.stdout
    assert status_text(env, history).splitlines()[2:5] == lines[2:5]  # the command prints the same runs


def test_status_with_an_unreachable_instance(env, home):
    (home / "dagster.yaml").write_text(
        "storage:\n  postgres:\n    postgres_url: postgresql+psycopg2://bdg@127.0.0.1:1/khong_co\n", encoding="utf-8"
    )
    done = bdg_status()
    assert done.returncode == 1
    assert "Không đọc được lịch sử chạy của Dagster" in done.stdout
    assert "Kho công bố" in done.stdout and "Traceback" not in done.stdout + done.stderr
