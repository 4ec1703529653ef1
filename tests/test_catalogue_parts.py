"""What of the catalogue goes where: reading processes get the lookups their readers use and nothing of the
warehouse's own (targets, bridges, calendars, successions); the digest keying kept readings is worked out
once and kept in the catalogue's cache file."""

from __future__ import annotations

import pickle
import re

from bdg_pipeline import catalogue as catalogue_module
from bdg_pipeline.catalogue import NOT_READ, load_catalogue, read_catalogue
from bdg_pipeline.config import CATALOGUE_DIR
from bdg_pipeline.returns.parsing import parse_returns
from bdg_pipeline.samples.activity_returns import write_activity_samples
from bdg_pipeline.samples.ninh_thuan_appendix import report_spec, write_appendix, write_appendix_document

from .test_imports import MODULES, imported


def test_reading_processes_get_only_what_the_readers_look_up_and_read_the_same(catalogue, tmp_path):
    readers = catalogue.for_readers()
    for name in NOT_READ:
        assert getattr(catalogue, name).shape[0] > 0
        assert getattr(readers, name).empty and list(getattr(readers, name).columns) == list(
            getattr(catalogue, name).columns
        )
    assert readers.cache == {} and readers.areas is catalogue.areas
    sent, whole = (len(pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL)) for c in (readers, catalogue))
    assert sent < 0.9 * whole
    # templates with activities and spending, the appendix as a workbook and inside a Word report
    files = [
        *write_activity_samples(tmp_path, catalogue),
        write_appendix(tmp_path / "phu_luc.xlsx"),
        write_appendix_document(tmp_path / "bao_cao.docx", report_spec()),
    ]
    assert parse_returns(files, readers) == parse_returns(files, catalogue)


def test_no_reading_code_looks_up_what_readers_are_not_sent():
    reading, todo = set(), ["bdg_pipeline.returns.parsing"]
    while todo:  # every module a reading process runs: parsing and what it imports, near or far
        module = todo.pop()
        if module not in reading:
            reading.add(module)
            todo += imported(module)
    assert {"bdg_pipeline.returns.template", "bdg_pipeline.returns.appendix", "bdg_pipeline.areas"} <= reading
    pattern = re.compile(r"\.(" + "|".join(NOT_READ) + r")\b")
    found = [
        f"{module}: {line.strip()}"
        for module in sorted(reading - {"bdg_pipeline.catalogue"})
        for line in MODULES[module].read_text(encoding="utf-8").splitlines()
        if pattern.search(line) and "catalogue" in line
    ]
    assert found == []


def test_the_digest_of_kept_readings_is_kept_with_the_catalogue(tmp_path, monkeypatch):
    monkeypatch.setattr(catalogue_module, "CACHE_DIR", tmp_path)
    loaded = load_catalogue(CATALOGUE_DIR)
    (cached,) = tmp_path.glob("catalogue-*.pickle")
    with cached.open("rb") as f:
        kept = pickle.load(f)
    assert kept.cache["reading_digest"] == loaded.digest() == read_catalogue(CATALOGUE_DIR).digest()
    assert load_catalogue(CATALOGUE_DIR).cache["reading_digest"] == loaded.digest()  # from the file
