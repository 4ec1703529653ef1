"""The template's reading, whichever way a row goes: a clean row read in one pass is the row the cell-by-cell
reading gives without a problem; junk in any number cell is named at that cell; clean values give exactly the
typed facts. And the container's quick searches find what a plain search finds."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bdg_pipeline.returns.extent import OTHER_SPACES, other_spaces
from bdg_pipeline.returns.model import fold
from bdg_pipeline.returns.template import FIRST_ROW, POSITION, SHEET, template_units
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.returns.template_read import _read_row, parse_template
from bdg_pipeline.returns.template_rows import RowContext, clean_row
from bdg_pipeline.returns.workbook import DTD, FORMULA, CellError, Grid, Limits, Marks, holds, open_values
from bdg_pipeline.vocabulary import LEVELS

PLAN, YEAR = "LC-2021-2030", 2023
AGENCIES = ("Sở Y tế", "Sở Lao động - Thương binh và Xã hội")
CODES = dict(zip(AGENCIES, ("YTE", "LDTBXH"), strict=True))
JUNK = [
    "năm mươi",
    "khoảng 45%",
    "45% - 50%",
    "12/5",
    "1e5",
    "1,234.5",
    "-3",
    True,
    False,
    -5,
    -1.5,
    float("nan"),
    float("inf"),
    dt.datetime(2023, 5, 1),
    dt.time(12, 30),
    CellError("#N/A"),
    CellError("#DIV/0!"),
]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def sheets(catalogue, tmp_path_factory):
    """The grids of two real templates (written by openpyxl, read by python-calamine), by agency."""
    folder = tmp_path_factory.mktemp("bieu")
    found = {}
    for no, agency in enumerate(AGENCIES):
        path = folder / f"bieu_{no}.xlsx"
        build_template(catalogue, PLAN, agency, YEAR).save(path)
        values = open_values(path, Limits.of())
        found[agency] = {name: values[name] for name in (SHEET, "_meta")}
    return found


def _unit(catalogue, row: list) -> str:
    key = (PLAN, int(row[POSITION["objective"]]), int(row[POSITION["indicator"]]), str(row[POSITION["part"]] or ""))
    return catalogue.parts_index[key][1]


def _with(grids: dict[str, Grid], cells: dict[tuple[int, str], object]) -> dict[str, Grid]:
    """A copy of the template's grids with cells ((row, column key) → value) written into BaoCao."""
    rows = [list(row) for row in grids[SHEET].rows]
    for (r, key), value in cells.items():
        rows[r - 1][POSITION[key]] = value
    return {SHEET: Grid(SHEET, rows), "_meta": grids["_meta"]}


def _context(catalogue, agency_code: str, formats_unknown: bool = False) -> RowContext:
    units = template_units(catalogue, catalogue.plan_provinces[PLAN], YEAR, "nam")
    places = {fold(d): code for d, code in zip(units.display, units.area_code, strict=True)}
    return RowContext(PLAN, agency_code, YEAR, catalogue.parts_index, places, units, formats_unknown)


numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    st.sampled_from([0.5161, 51.61, 108.5, 17.1, 1.0, 0.0, -0.0]),
)
cells = st.one_of(
    st.just(""),
    st.none(),
    numbers,
    st.sampled_from(JUNK),
    st.sampled_from(["Có", "Không", "Xóa", " xoá ", "45%", "51,61 %", "  ", "1.234,5", "48"]),
    st.integers(min_value=-(10**20), max_value=10**20),
)


@SETTINGS
@given(data=st.data(), formats_unknown=st.booleans())
def test_a_row_read_in_one_pass_is_the_row_read_cell_by_cell(catalogue, sheets, data, formats_unknown):
    agency = data.draw(st.sampled_from(AGENCIES))
    grid = sheets[agency][SHEET]
    r = data.draw(st.integers(min_value=FIRST_ROW, max_value=grid.max_row))
    row = list(grid.rows[r - 1])
    for key in ("numerator", "denominator", "value"):
        row[POSITION[key]] = data.draw(cells)
    if data.draw(st.booleans()):  # sometimes a level, an area or a chỉ tiêu number that is not the dropdown's
        key = data.draw(st.sampled_from(["level", "area", "objective", "indicator", "part"]))
        row[POSITION[key]] = data.draw(st.sampled_from(["", None, "Cấp thôn", " cấp  tỉnh ", "Sa Pa", 9, 2.0, "b"]))
    context = _context(catalogue, CODES[agency], formats_unknown)
    fast = clean_row(row, r, context)
    problems: list = []
    exact = _read_row(row, r, context, problems)
    if fast is not None:
        assert fast == exact and problems == []


@pytest.mark.parametrize("formats_unknown", [False, True])
def test_every_mix_of_special_cells_reads_alike(catalogue, sheets, formats_unknown):
    """Each unit's rows with every combination of a few telling cells: a percent an .xls lost (0,5161), “Xóa”,
    “45%”, a zero Mẫu số, a value beyond the unit's range, text and errors."""
    one_pass = 0
    for agency in AGENCIES:
        grid = sheets[agency][SHEET]
        context = _context(catalogue, CODES[agency], formats_unknown)
        by_unit = {_unit(catalogue, grid.rows[r - 1]): r for r in range(FIRST_ROW, grid.max_row + 1)}
        for r in by_unit.values():
            for figures in itertools.product(
                ["", 48.0, 5.5, "48", -1, True],
                ["", 93.0, 0.0, 100.0, "x"],
                ["", 0.5161, 51.61, 150.0, 1.0, 0, "45%", "Có", "Không", " xoá ", "  ", CellError("#N/A")],
            ):
                row = list(grid.rows[r - 1])
                for key, value in zip(("numerator", "denominator", "value"), figures, strict=True):
                    row[POSITION[key]] = value
                fast = clean_row(row, r, context)
                problems: list = []
                exact = _read_row(row, r, context, problems)
                if fast is not None:
                    assert (fast, problems) == (exact, []), figures
                    one_pass += 1
    assert one_pass > 50


@pytest.mark.parametrize("agency", AGENCIES)
def test_the_common_rows_are_read_in_one_pass(catalogue, sheets, agency):
    """Counts, a rate as printed, “Có”: each read by the one-pass reading (it is no dead code), as the
    cell-by-cell reading reads it."""
    grid = sheets[agency][SHEET]
    context = _context(catalogue, CODES[agency])
    read = 0
    for r in range(FIRST_ROW, grid.max_row + 1):
        row = list(grid.rows[r - 1])
        unit = _unit(catalogue, row)
        figures = {"yes_no": (None, None, "Có"), "percent": (48.0, 93.0, None)}.get(unit, (None, None, 12.5))
        for key, value in zip(("numerator", "denominator", "value"), figures, strict=True):
            row[POSITION[key]] = "" if value is None else value
        fast = clean_row(row, r, context)
        problems: list = []
        assert fast is not None and fast == _read_row(row, r, context, problems) and problems == []
        read += 1
    assert read == grid.max_row - FIRST_ROW + 1 > 10


def _draw_rows(data, sheets, fewest: int, most: int) -> tuple:
    """One agency's template sheets, its rows, and a few distinct rows of it drawn to be filled."""
    grids = sheets[data.draw(st.sampled_from(AGENCIES))]
    rows = grids[SHEET].rows
    chosen = data.draw(
        st.lists(st.integers(min_value=FIRST_ROW, max_value=len(rows)), min_size=fewest, max_size=most, unique=True)
    )
    return grids, rows, chosen


@SETTINGS
@given(data=st.data())
def test_clean_values_give_exactly_the_typed_facts(catalogue, sheets, data):
    grids, rows, chosen = _draw_rows(data, sheets, 1, 25)
    written, expected = {}, {}
    for r in chosen:
        unit = _unit(catalogue, rows[r - 1])
        if unit == "yes_no":
            word = data.draw(st.sampled_from(["Có", "Không"]))
            written[(r, "value")] = word
            expected[r] = (None, None, 1.0 if word == "Có" else 0.0, f"L{r}", word)
        elif unit == "percent":
            total = data.draw(st.integers(min_value=1, max_value=10**6))
            part = data.draw(st.integers(min_value=0, max_value=total))
            written[(r, "numerator")], written[(r, "denominator")] = float(part), float(total)
            expected[r] = (part, total, part / total * 100, f"J{r}", None)
        else:  # a rate or a count typed as printed, within the unit's range
            value = data.draw(st.integers(min_value=0, max_value=10))
            written[(r, "value")] = float(value)
            expected[r] = (None, None, float(value), f"L{r}", None)
    parsed = parse_template(_with(grids, written), catalogue)
    assert parsed.problems == []
    read = {int(row.cell[1:]): row for row in parsed.rows}
    assert set(read) == set(chosen)
    for r, (numerator, denominator, value, cell, text) in expected.items():
        row = read[r]
        assert (row.reading.numerator, row.reading.denominator, row.cell, row.printed_text) == (
            numerator,
            denominator,
            cell,
            text,
        )
        assert math.isclose(row.reading.value, value) and row.year == YEAR and row.level in LEVELS


@SETTINGS
@given(data=st.data())
def test_junk_in_any_number_cell_is_named_at_that_cell(catalogue, sheets, data):
    grids, rows, chosen = _draw_rows(data, sheets, 2, 12)
    written = {}
    for r in chosen:  # clean figures on every chosen row
        if _unit(catalogue, rows[r - 1]) == "yes_no":
            written[(r, "value")] = "Có"
        else:
            written[(r, "numerator")], written[(r, "denominator")] = 1.0, 2.0
    bad = chosen[0]
    key = data.draw(st.sampled_from(["numerator", "denominator", "value"]))
    junk = data.draw(st.sampled_from(JUNK))
    written[(bad, key)] = junk
    parsed = parse_template(_with(grids, written), catalogue)
    cell = f"{'JKL'[('numerator', 'denominator', 'value').index(key)]}{bad}"
    assert cell in {p.cell for p in parsed.problems}, parsed.problems
    assert all(p.sheet == SHEET and p.about.startswith("chỉ tiêu ") for p in parsed.problems)
    assert {int(row.cell[1:]) for row in parsed.rows} == set(chosen) - {bad}


# the container's quick searches
scraps = st.lists(
    st.sampled_from(
        [b"<", b"!", b"f", b">", b" ", b"<!DOCTYPE", b"<!ENTITY", b"<f>", b"<f ", b"x", b"<c><v>1</v></c>"]
    ),
    max_size=1400,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(text=scraps, marks=st.sampled_from([DTD, FORMULA]))
def test_a_tag_is_found_where_a_plain_search_finds_it(text, marks: Marks):
    assert holds(text, marks) == any(tag in text for tag in marks.tags)


@pytest.mark.parametrize("end, found", [(b"<f>", True), (b"<f ", True), (b"<g>", False)])
def test_a_tag_past_many_anchors_is_still_found(end, found):
    assert holds(b"ref " * 2000 + end, FORMULA) is found


spaced = st.lists(
    st.sampled_from([b"\t", b"\n", b"\r", b"r", b'r="', b'="', b" ", b"<c", b'\nr="', b'\tr="A1"']), max_size=200
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(text=spaced)
def test_an_attribute_after_a_tab_or_line_break_is_found_where_a_plain_search_finds_it(text):
    assert other_spaces(text) == any(s in text for s in OTHER_SPACES)
