"""No file can stop the pipeline: each poison file dropped into the inbox beside good returns is rejected
alone with a Vietnamese message, the reading processes stay within their memory limit (measured), no
backtrace reaches the screen, and the next ``bdg rebuild`` succeeds."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import unicodedata

from openpyxl import load_workbook

from bdg_pipeline.samples.ninh_thuan_appendix import build_appendix_workbook

from .corpus import far_cell, lying_zip_header, not_finite, ods_repeats
from .operations import filled, published

# what a dying reader or an unforeseen error prints: none of it may reach an officer's screen
BACKTRACE_WORDS = ("Traceback", "panicked", "backtrace", "memory allocation of", "Error:", "core dumped")
MEASURE = (
    "import json, resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(json.dumps({'code': done.returncode, 'out': done.stdout, 'err': done.stderr,\n"
    "                  'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))"
)
PHRASE = (
    "Báo cáo kết quả thực hiện mục tiêu bình đẳng giới và vì sự tiến bộ của phụ nữ của Sở Lao động Thương binh "
    "và Xã hội tỉnh Lào Cai năm hai nghìn hai mươi ba"
)


def bdg_measured(*args: str, **env: str) -> dict:
    """``bdg`` in a child process: exit code, what the officer saw, and the peak resident memory of the
    largest process of its tree (the command and its reading processes), in MB."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, "-m", "bdg_pipeline", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def long_name(extension: str, first: str = "") -> str:
    """About 100 Vietnamese characters as a Mac writes them (decomposed): within 255 bytes, but not once
    the arrival number is put in front."""
    name = unicodedata.normalize("NFD", first + PHRASE)
    while len((name + extension).encode()) > 252:
        name = name[:-1]
    assert len(unicodedata.normalize("NFC", name)) >= 95 and len(f"000001_{name}{extension}".encode()) > 255
    return name + extension


def screen_is_clean(run: dict) -> None:
    shown = run["out"] + run["err"]
    assert not [w for w in BACKTRACE_WORDS if w in shown], shown


def fates(settings) -> dict[str, tuple[str, str]]:
    return {
        name: (outcome, reason or "")
        for name, outcome, reason in published(
            settings, "SELECT file_name, outcome, reason FROM v_submissions_log WHERE outcome != 'superseded'"
        )
    }


def test_poison_files_beside_good_returns(env, catalogue, tmp_path):
    raw = env.raw_dir
    good = filled(catalogue, raw / "tot.xlsx")
    long_good = filled(catalogue, raw / long_name(".xlsx"), plan="LC-2021-2030", numerator=10800)
    poison = {
        far_cell(raw, catalogue).name: "quá nhiều cột (16.384, tối đa 256): dữ liệu kéo tới ô XFD150000",
        lying_zip_header(raw, catalogue).name: "giải nén quá lớn",
        ods_repeats(raw, catalogue).name: "quá nhiều dòng (1.000.000, tối đa 200.000)",
        not_finite("NaN", "nan.xlsx")(raw, catalogue).name: "ô J14",
        not_finite("INF", "inf.xlsx")(raw, catalogue).name: "không phải là một số (NaN hoặc vô cực)",
        not_finite("NaN", long_name(".xlsx", "Lỗi "))(raw, catalogue).name: "ô J14",
    }
    secret = tmp_path / "khong_phai_bao_cao.txt"
    secret.write_text("mật khẩu của máy chủ")
    link = raw / "lien_ket.xlsx"
    link.symlink_to(secret)
    pipe = raw / "ong_dan.xlsx"
    os.mkfifo(pipe)  # reading it would wait forever
    inbox = sorted(raw.iterdir())
    (raw / "thu_muc.xlsx").mkdir()

    limits = {"BDG_MAX_UNCOMPRESSED_MB": "30"}
    run = bdg_measured("ingest", *map(str, inbox), **limits)
    assert run["code"] == 1, run  # some files rejected
    screen_is_clean(run)
    assert "lien_ket.xlsx: không tiếp nhận — là liên kết" in run["out"]
    assert "ong_dan.xlsx: không tiếp nhận — không phải tệp thông thường" in run["out"]
    assert "thu_muc.xlsx: không tiếp nhận — là thư mục" in run["out"]
    assert run["peak_mb"] < 1024, run["peak_mb"]  # the XFD150000 sheet alone would be ~78 GB as a grid
    logged = fates(env)
    assert logged[good.name][0] == logged[long_good.name][0] == "accepted"
    for name, message in poison.items():
        assert logged[name][0] == "rejected" and message in logged[name][1], (name, logged[name])
    assert published(
        env, "SELECT count(*) FROM v_observations WHERE source_file IN (?, ?)", [good.name, long_good.name]
    ) == [(2,)]

    # the link, the pipe and the folder are left where they are, never followed, never archived
    assert sorted(raw.iterdir()) == sorted([link, pipe, raw / "thu_muc.xlsx"]) and link.is_symlink()
    assert not {"lien_ket.xlsx", "ong_dan.xlsx", "thu_muc.xlsx"} & set(logged)
    archived = [p.read_bytes() for p in env.archive_dir.rglob("*") if p.is_file() and p.suffix != ".sqlite3"]
    assert secret.read_bytes() not in archived
    # long names fit the file system; the ledger, the log and the report keep them whole
    moved = list(env.processed_dir.iterdir()) + list(env.quarantine_dir.iterdir())
    assert len(moved) == 2 + 2 * len(poison)
    assert all(len(p.name.encode()) <= 255 for p in moved)
    long_bad = long_name(".xlsx", "Lỗi ")
    report = next(
        p
        for p in env.quarantine_dir.iterdir()
        if p.name.endswith(".loi.xlsx")
        and p.name.startswith(
            tuple(
                f"{s:06d}_"
                for (s,) in published(env, "SELECT arrival_seq FROM v_submissions_log WHERE file_name = ?", [long_bad])
            )
        )
    )
    assert report.name.endswith("….xlsx.loi.xlsx")
    assert load_workbook(report)["Loi"]["A2"].value == f"Tệp: {long_bad}"
    with sqlite3.connect(env.ledger_path) as ledger:
        assert {long_good.name, long_bad} <= {n for (n,) in ledger.execute("SELECT file_name FROM arrival")}

    again = bdg_measured("rebuild", **limits)
    assert again["code"] == 0, again
    screen_is_clean(again)
    assert fates(env) == logged
    assert link.is_symlink() and "lien_ket.xlsx: không tiếp nhận" in again["out"]


def test_a_file_that_kills_its_reader_is_rejected_alone_and_never_read_again(env, catalogue):
    # with the column limit lifted the cheap checks let XFD150000 through: the reader itself must hold
    limits = {"BDG_MAX_COLUMNS": "20000", "BDG_READ_MEMORY_MB": "400"}
    goods = [
        filled(
            catalogue,
            env.raw_dir / f"f{i}.xlsx",
            numerator=10000 + i,
            year=2020 + i % 5,  # before the reform
            agency=("Sở Y tế", "Cục Thống kê")[i % 2],
        )
        for i in range(9)
    ]
    bomb = far_cell(env.raw_dir, catalogue)  # sorted among them: read in the same chunk by the pool
    run = bdg_measured("ingest", *map(str, [*goods, bomb]), **limits)
    assert run["code"] == 1, run
    screen_is_clean(run)
    assert run["peak_mb"] < 400 + 400, run["peak_mb"]  # the reader's limit over what it starts with
    logged = fates(env)
    assert [logged[g.name][0] for g in goods] == ["accepted"] * 9
    assert logged[bomb.name][0] == "rejected" and "dừng đột ngột" in logged[bomb.name][1]
    log = (env.log_dir / "bdg.log").read_text(errors="replace")
    assert "memory allocation of" in log  # the library's own dying words, kept for the technical team
    with sqlite3.connect(env.ledger_path) as ledger:
        assert ledger.execute("SELECT file_name FROM crashed_reader").fetchall() == [(bomb.name,)]

    again = bdg_measured("rebuild", **limits)
    assert again["code"] == 0, again
    screen_is_clean(again)
    assert fates(env) == logged
    after = (env.log_dir / "bdg.log").read_text(errors="replace")
    assert after.count("memory allocation of") == log.count("memory allocation of")  # not read again
    assert published(env, "SELECT count(*) FROM v_observations") == [(9,)]


def test_a_reader_out_of_processor_time_rejects_its_file(env, catalogue):
    wb = build_appendix_workbook()  # an appendix is read whole, every sheet
    notes = wb.create_sheet("GhiChu")
    for r in range(1, 1001):
        notes.append([f"ô {r}-{c}" for c in range(1, 201)])
    slow = env.raw_dir / "cham.xlsx"
    wb.save(slow)
    good = filled(catalogue, env.raw_dir / "tot.xlsx", plan="LC-2021-2030")
    run = bdg_measured("ingest", str(slow), str(good), BDG_READ_SECONDS="1")
    screen_is_clean(run)
    logged = fates(env)
    assert logged[good.name][0] == "accepted"
    assert logged[slow.name][0] == "rejected" and "dừng đột ngột" in logged[slow.name][1], logged
    with sqlite3.connect(env.ledger_path) as ledger:
        assert ledger.execute("SELECT file_name FROM crashed_reader").fetchall() == [(slow.name,)]
