"""When an inbox file is taken: a zip-named file still being copied waits, one that can never become a zip is
taken after a short quiet moment (and refused with a report naming it), not after ``GIVE_UP_SECONDS``."""

from __future__ import annotations

import os
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bdg_pipeline import pipeline
from bdg_pipeline.returns.inbox import GIVE_UP_SECONDS, NOT_A_ZIP_SECONDS, inbox_files, is_complete
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix

QUIET = NOT_A_ZIP_SECONDS + 1


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """A return's bytes, the same for every example (a workbook written again differs in its timestamps)."""
    return write_appendix(tmp_path_factory.mktemp("whole") / "whole.xlsx").read_bytes()


def _aged(path, seconds):
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))
    return path


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_copy_in_progress_waits_and_junk_is_taken_after_a_quiet_moment(tmp_path, whole, data):
    cut = data.draw(st.integers(1, len(whole) - 1), label="bytes copied so far")
    reserved = data.draw(st.booleans(), label="copy reserved the whole size first")
    copying = tmp_path / "dang_chep.xlsx"
    copying.write_bytes(whole[:cut] + (b"\0" * (len(whole) - cut) if reserved else b""))
    zeros = tmp_path / "chua_ghi.xlsx"  # the size reserved, nothing written yet
    zeros.write_bytes(b"\0" * data.draw(st.integers(1, 5000)))
    junk_bytes = data.draw(st.binary(min_size=1, max_size=3000).filter(lambda b: b[0] not in b"P\0"))
    junk = tmp_path / "trang_web.xlsx"
    junk.write_bytes(junk_bytes)
    for path in (copying, zeros, junk):
        _aged(path, QUIET)
    # a cut short zip still looks like a copy in progress, however long it has stalled (short of giving up)
    assert not is_complete(copying) or _readable_zip(copying)
    assert not is_complete(zeros)
    assert is_complete(junk)
    # just written: nothing is taken before the quiet moment
    for path in (copying, zeros, junk):
        os.utime(path)
        assert not is_complete(path) or _readable_zip(path)
    # given up on: everything is taken, so the officer hears of it
    for path in (copying, zeros, junk):
        assert is_complete(_aged(path, GIVE_UP_SECONDS + 1))


def _readable_zip(path):
    try:
        with zipfile.ZipFile(path) as archive:
            archive.infolist()
    except zipfile.BadZipFile:
        return False
    return True


def test_a_web_page_saved_as_xlsx_is_refused_within_seconds(env):
    page = env.raw_dir / "bao_cao_tai_ve.xlsx"
    page.write_text("<!DOCTYPE html><html><body>Phiên đăng nhập đã hết hạn</body></html>", encoding="utf-8")
    assert inbox_files(env.raw_dir) == []  # untouched for less than the quiet moment: maybe still being written
    _aged(page, QUIET)
    assert inbox_files(env.raw_dir) == [page]
    summary = pipeline.ingest(env, inbox_files(env.raw_dir))
    (outcome,) = summary.outcomes
    assert outcome.outcome == "rejected"
    assert not page.exists()  # moved to quarantine with its report, not lost
    quarantined = sorted(p.name for p in env.quarantine_dir.iterdir())
    assert quarantined == ["000001_bao_cao_tai_ve.xlsx", "000001_bao_cao_tai_ve.xlsx.loi.xlsx"], quarantined
    said = " ".join(str(c) for row in load_workbook(env.quarantine_dir / quarantined[1]).active.values for c in row)
    assert "bao_cao_tai_ve.xlsx" in said and "không phải" in said.lower(), said
