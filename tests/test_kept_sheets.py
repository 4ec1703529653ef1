"""Kept sheets: a template's sheets as python-calamine read them, kept beside the archive so that a change to
the reading code or to the catalogue reads them again instead of the workbook. Whatever the cells hold, the
kept form gives back the same values of the same kinds; a template read from its kept sheets gives exactly
what reading the workbook gives; damaged kept sheets, or sheets a new reading needs that were not kept, send
the reader back to the workbook; deleting them changes no table of the warehouse."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import shutil

from hypothesis import given, settings
from hypothesis import strategies as st

from bdg_pipeline import pipeline
from bdg_pipeline.returns import kept_sheets, readings
from bdg_pipeline.returns.kept_sheets import KeptSheets, decode, encode, sheets_dir, sheets_key
from bdg_pipeline.returns.parsing import parse_returns
from bdg_pipeline.returns.workbook import CellError, Grid, Limits
from bdg_pipeline.samples import write_samples

from .operations import filled
from .test_readings import warehouse_state

CELLS = st.one_of(
    st.just(""),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.sampled_from(["#DIV/0!", "#N/A", "#VALUE!", "#REF!"]).map(CellError),
    st.none(),
)
SHEET_ROWS = st.lists(st.lists(CELLS, max_size=7), max_size=9)


def same(a: object, b: object) -> bool:
    """Equal and of the same kind (NaN equal to NaN, -0.0 told from 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return a == b


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), SHEET_ROWS, max_size=4), st.booleans())
def test_the_kept_form_gives_back_every_cell_of_every_kind(sheets, values_only):
    grids = {name: Grid(name, [list(row) for row in rows]) for name, rows in sheets.items()}
    names = [*grids, "KhongDoc"]  # a sheet of the workbook its reader never opened
    data = encode(names, grids, values_only)
    assert data is not None
    book = decode(data)
    assert list(book) == names and "KhongDoc" in book and book.values_only == values_only
    for name, rows in sheets.items():
        back = book[name].rows
        assert [len(r) for r in back] == [len(r) for r in rows], name
        assert all(same(x, y) for r, s in zip(back, rows, strict=True) for x, y in zip(r, s, strict=True)), name
        assert book[name].max_row == len(rows)


def _results(results) -> list:
    out = []
    for r in results:
        if isinstance(r, list):
            out.append(("refused", [dataclasses.asdict(p) for p in r]))
        else:
            frames = (r.frame, r.activity_frame, r.spending_frame)
            out.append((r.kind, r.plan_code, r.year, r.contact, r.report_date, [f and f.to_pylist() for f in frames]))
    return out


def _archived(catalogue, tmp_path, name="bieu.xlsx", **fill):
    """A filled template named by its digest, as the archive names it."""
    source = filled(catalogue, tmp_path / name, **fill)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    return source.rename(tmp_path / f"{digest}.xlsx"), digest


def test_a_template_read_from_its_kept_sheets_reads_as_the_workbook(tmp_path, catalogue):
    path, digest = _archived(catalogue, tmp_path)
    wrong, _ = _archived(catalogue, tmp_path, "am.xlsx", numerator=-5)  # refused at a cell: kept too
    limits = Limits.of()
    root = tmp_path / "sheets"
    plain = _results(parse_returns([path, wrong], catalogue, limits))
    kept = KeptSheets(root, sheets_key(limits))
    first = _results(
        parse_returns([path, wrong], catalogue, limits, sheets={p: kept.at(p.stem) for p in (path, wrong)})
    )
    assert first == plain and plain[1][0] == "refused"
    kept = KeptSheets(root, sheets_key(limits))
    assert set(kept.names) == {digest, wrong.stem}

    saved = path.read_bytes()
    path.write_bytes(b"not a workbook any more")  # what follows can only come from the kept sheets
    again = _results(parse_returns([path], catalogue, limits, sheets={path: kept.at(digest)}))
    assert again == plain[:1]
    path.write_bytes(saved)

    # damaged kept sheets are set aside and the workbook read again (and kept anew)
    kept_file = kept.dir / kept.names[digest]
    data = bytearray(kept_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    kept_file.write_bytes(bytes(data))
    assert _results(parse_returns([path], catalogue, limits, sheets={path: kept.at(digest)})) == plain[:1]
    assert KeptSheets(root, sheets_key(limits)).names[digest] == kept.names[digest]  # the same bytes kept again


def test_sheets_a_new_reading_needs_that_were_not_kept_are_read_from_the_workbook(tmp_path, catalogue):
    path, digest = _archived(catalogue, tmp_path)
    limits = Limits.of()
    root = tmp_path / "sheets"
    # under a catalogue without its plan, the reader stops at the hidden sheet: only "_meta" is kept
    without = dataclasses.replace(
        catalogue, plans=catalogue.plans[catalogue.plans.plan_code != "QN-2021-2030"], cache={}
    )
    refused = parse_returns([path], without, limits, sheets={path: KeptSheets(root, sheets_key(limits)).at(digest)})
    assert isinstance(refused[0], list)
    kept = KeptSheets(root, sheets_key(limits))
    earlier = kept.names[digest]
    assert list(decode((kept.dir / earlier).read_bytes())._grids) == ["_meta"]

    plain = _results(parse_returns([path], catalogue, limits))
    assert _results(parse_returns([path], catalogue, limits, sheets={path: kept.at(digest)})) == plain
    now = KeptSheets(root, sheets_key(limits)).names[digest]
    assert now != earlier and not (kept.dir / earlier).exists()
    assert "BaoCao" in decode((kept.dir / now).read_bytes())._grids


def test_what_kept_sheets_depend_on_names_them(tmp_path):
    limits = Limits.of()
    key = sheets_key(limits)
    assert sheets_key(dataclasses.replace(limits, as_of_year=limits.as_of_year - 1)) == key  # not opening
    assert sheets_key(dataclasses.replace(limits, max_rows=limits.max_rows + 1)) != key
    code = kept_sheets._code_digest.__wrapped__
    assert code() == kept_sheets._code_digest()
    # the readings depend on this module's code: a reading never outlives the sheets it was read from
    assert readings._reading_code(readings.PACKAGE / "returns" / "kept_sheets.py")


def test_deleting_kept_sheets_or_readings_changes_no_table(env, catalogue):
    write_samples(env.raw_dir, catalogue)
    filled(catalogue, env.raw_dir / "am.xlsx", numerator=-5)
    (env.raw_dir / "khong_phai_bieu.xlsx").write_bytes(b"not a workbook")
    pipeline.ingest(env, sorted(env.raw_dir.iterdir()))
    root = sheets_dir(env.archive_dir)
    kept = KeptSheets(root, sheets_key(Limits.of(env)))
    archived = list(env.archive_dir.glob("*/*.*"))
    assert 0 < len(kept.names) < len(archived)  # the templates; not the appendices nor the non-workbook
    incremental = warehouse_state(env)

    shutil.rmtree(readings.readings_dir(env.archive_dir))  # as after a change to the reading code
    pipeline.rebuild(env)
    from_sheets = warehouse_state(env)
    shutil.rmtree(readings.readings_dir(env.archive_dir))
    shutil.rmtree(root)  # nothing kept: every workbook opened again
    pipeline.rebuild(env)
    from_files = warehouse_state(env)
    assert len(from_files) >= 30 and sum(len(rows) for rows in from_files.values()) > 1000
    for name in from_files:
        assert from_sheets[name] == from_files[name] == incremental[name], name
    assert set(KeptSheets(root, sheets_key(Limits.of(env))).names) == set(kept.names)

    other = root / ("0" * 24)
    other.mkdir()
    (other / "x.arrow").write_bytes(b"old")
    pipeline.rebuild(env)  # nothing changed: kept as it is
    shutil.rmtree(readings.readings_dir(env.archive_dir))
    pipeline.rebuild(env)  # a whole-archive reading sets aside what other keys kept
    assert not other.exists()
