"""Readings kept beside the archive: a rebuild reads each archived file once; deleting the kept readings
(or damaging them) gives the same warehouse, table by table and view by view; what a reading depends on
decides which readings are trusted."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.returns import ingest, readings
from bdg_pipeline.returns.readers import Readers
from bdg_pipeline.returns.readings import KeptReadings, reading_key
from bdg_pipeline.returns.workbook import Limits
from bdg_pipeline.samples import write_samples

from .operations import filled

UNSTABLE = {"build_info"}  # when the build was made


def warehouse_state(settings) -> dict[str, list]:
    """Every table and view of the published warehouse, each as its sorted rows."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        names = [
            n
            for (n,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {
            n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names if n not in UNSTABLE
        }


def kept_files(settings) -> list[Path]:
    return sorted(p for p in readings.readings_dir(settings.archive_dir).rglob("*.arrow"))


@pytest.fixture
def received(env, catalogue):
    """The sample returns (templates with activities and spending, appendices as workbook and Word report),
    a return refused at a cell and a file that is no workbook, ingested through the inbox."""
    write_samples(env.raw_dir, catalogue)
    filled(catalogue, env.raw_dir / "am.xlsx", numerator=-5)
    (env.raw_dir / "khong_phai_bieu.xlsx").write_bytes(b"not a workbook")
    summary = pipeline.ingest(env, sorted(env.raw_dir.iterdir()))
    assert {o.outcome for o in summary.outcomes} == {"accepted", "rejected"}
    assert summary.rejected == 2
    return env


def no_reading(monkeypatch) -> None:
    """Make any reading of a file fail the test: what follows must come from kept readings."""

    def refuse(*args, **kwargs):
        raise AssertionError("a file was read although its reading is kept")

    monkeypatch.setattr(ingest, "read_all", refuse)
    monkeypatch.setattr(Readers, "read_alone", refuse)


def test_a_rebuild_reads_kept_readings_and_deleting_them_changes_nothing(received, monkeypatch):
    settings = received
    kept = kept_files(settings)
    assert len(kept) >= 8  # every accepted return, the two refused files, activities and spending beside
    assert any(".activities." in p.name for p in kept) and any(".spending." in p.name for p in kept)
    incremental = warehouse_state(settings)

    with monkeypatch.context() as m:
        no_reading(m)
        pipeline.rebuild(settings)  # nothing changed: every file from its kept reading
    warm = warehouse_state(settings)
    assert warm == incremental

    shutil.rmtree(readings.readings_dir(settings.archive_dir))
    pipeline.rebuild(settings)  # every file read again
    cold = warehouse_state(settings)
    assert len(cold) >= 30 and sum(len(rows) for rows in cold.values()) > 1000
    for name in cold:
        assert cold[name] == warm[name], name
    assert [p.name for p in kept_files(settings)] == [p.name for p in kept]


def test_a_damaged_or_half_written_reading_is_read_again(received):
    settings = received
    before = warehouse_state(settings)
    files = [p for p in kept_files(settings) if ".activities." not in p.name and ".spending." not in p.name]
    largest = max(files, key=lambda p: p.stat().st_size)
    data = bytearray(largest.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte in the middle of the values: the file still opens
    largest.write_bytes(bytes(data))
    cut = next(p for p in files if p != largest)
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])  # as a write cut short under its final name
    extra = next(p for p in kept_files(settings) if ".activities." in p.name)
    extra.unlink()  # a reading whose activities are missing
    leftover = largest.with_name(f".{largest.name}.999.tmp")
    leftover.write_bytes(b"half")  # a kill during a write leaves only its temporary file

    pipeline.rebuild(settings)
    assert warehouse_state(settings) == before
    names = {p.name for p in kept_files(settings)}
    digests = {p.name.split(".")[0] for p in (largest, cut, extra)}
    assert all(any(n.startswith(d) for n in names) for d in digests)  # read again and kept anew
    assert not leftover.exists()
    for path in kept_files(settings):  # every kept file now passes its check
        readings._load(path, path.name.split(".")[-2])


def test_what_a_reading_depends_on_names_its_readings(received, catalogue, monkeypatch):
    settings = received
    limits = Limits.of(settings)
    key = reading_key(catalogue, limits)
    assert readings.readings_dir(settings.archive_dir).joinpath(key).is_dir()
    assert reading_key(catalogue, dataclasses.replace(limits, as_of_year=limits.as_of_year - 1)) != key
    changed = dataclasses.replace(
        catalogue, plans=catalogue.plans.assign(monitoring_end=catalogue.plans.monitoring_end + 1), cache={}
    )
    assert reading_key(changed, limits) != key

    # after another catalogue, the rebuild reads every file again and the readings of the old key go
    monkeypatch.setattr(readings, "catalogue_digest", lambda c: "another catalogue")
    pipeline.rebuild(settings)
    folders = [p.name for p in readings.readings_dir(settings.archive_dir).iterdir()]
    assert len(folders) == 1 and folders[0] != key


def test_reading_code_is_what_reading_imports(tmp_path, monkeypatch):
    package = tmp_path / "bdg_pipeline"
    shutil.copytree(readings.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(readings, "PACKAGE", package)
    digest = readings.code_digest.__wrapped__
    first = digest()
    with (package / "attainment.py").open("a") as f:
        f.write("\n# judged otherwise\n")
    assert digest() == first  # attainment is not reading: its changes keep the readings
    with (package / "returns" / "template.py").open("a") as f:
        f.write("\n# read otherwise\n")
    assert digest() != first


def test_reading_never_imports_what_the_digest_leaves_out(tmp_path, catalogue):
    sample = filled(catalogue, tmp_path / "bieu.xlsx")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bdg_pipeline.catalogue import load_catalogue\n"
        "from bdg_pipeline.config import CATALOGUE_DIR\n"
        "from bdg_pipeline.returns.readers import _read, _reader_init, Confinement\n"
        "_reader_init(load_catalogue(CATALOGUE_DIR), Confinement(2**31, 60, None))\n"
        f"assert not isinstance(_read(([Path({str(sample)!r})], None, None))[0], list)\n"
        "print('\\n'.join(m.__file__ for m in list(sys.modules.values()) "
        "if m.__name__.startswith('bdg_pipeline') and getattr(m, '__file__', None)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    imported = [Path(line) for line in done.stdout.split()]
    assert any(p.name == "template.py" for p in imported)
    left_out = [p for p in imported if not readings._reading_code(p.resolve())]
    assert not left_out


def test_a_refusal_or_a_reading_that_met_a_later_date_is_kept_for_its_day_only(received, catalogue):
    settings = received
    kept = KeptReadings(readings.readings_dir(settings.archive_dir), reading_key(catalogue, Limits.of(settings)))
    digests = {key[0] for key in kept.files}
    results = {d: kept.recall(d) for d in digests}
    refused = [d for d, r in results.items() if isinstance(r, list)]
    accepted = [d for d, r in results.items() if not isinstance(r, list)]
    assert len(refused) == 2 and accepted
    kept.today = "2999-01-01"  # another day
    assert all(kept.recall(d) is None for d in refused)
    assert all(kept.recall(d) is not None for d in accepted)
    parsed = results[accepted[0]]
    assert not isinstance(parsed, list) and parsed is not None
    parsed.day_bound = True
    kept.keep(accepted[0], parsed)
    assert kept.recall(accepted[0]) is not None  # kept today
    kept.today = "3000-01-01"
    assert kept.recall(accepted[0]) is None
    assert os.listdir(kept.dir)
