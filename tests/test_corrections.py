"""Corrections by value: a return replaces, for its plan, agency, year and period, only the values it carries;
a blank cell keeps the value in force, “Xóa” withdraws it, the later report date wins (arrival order only
between equal dates) — after each ingest and after a rebuild from the archive alike. Every return is a real
template written by ``build_template`` and filled with openpyxl, as an officer fills it."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bdg_pipeline import pipeline
from bdg_pipeline.returns import ingest
from bdg_pipeline.returns.ingest import parse_return
from bdg_pipeline.returns.model import ReturnRejected
from bdg_pipeline.returns.standing import Receipt
from bdg_pipeline.returns.template import FIRST_ROW, SHEET
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.returns.template_read import parse_template
from bdg_pipeline.returns.workbook import Limits, check_container, open_values

from .conftest import settings_in

PLAN, AGENCY, YEAR = "LC-2021-2030", "Sở Y tế", 2025
# the province's own row of three chỉ tiêu Sở Y tế reports, with values in each one's unit
KEYS = ("sex_ratio_at_birth", "maternal_mortality_ratio", "adolescent_birth_rate")
IN_FORCE = (
    "SELECT indicator_code, value, source_file FROM v_observations "
    "WHERE plan_code = 'LC-2021-2030' AND level = 'tinh' AND year = 2025 ORDER BY indicator_code"
)
ATTAINMENT = (
    "SELECT indicator_code, target_year, status, latest_value FROM v_attainment WHERE plan_code = "
    "'LC-2021-2030' AND level = 'tinh' AND area_code = '10' ORDER BY indicator_code, target_year"
)
STATUSES = "SELECT file_name, status, superseded_by FROM submission ORDER BY arrival_seq"
BLANK, XOA = None, "Xóa"


@pytest.fixture(scope="module")
def blank_template(catalogue) -> tuple[bytes, dict[str, int]]:
    """The template's bytes, and the row of each chỉ tiêu's province value at Cấp tỉnh."""
    wb = build_template(catalogue, PLAN, AGENCY, YEAR)
    ws = wb[SHEET]
    province = ws[f"I{FIRST_ROW}"].value
    rows = {
        ws[f"E{r}"].value: r
        for r in range(FIRST_ROW, ws.max_row + 1)
        if ws[f"I{r}"].value == province and ws[f"H{r}"].value == "Cấp tỉnh"
    }
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), rows


def write_return(blank_template, path: Path, report_date: dt.date | None, cells: dict[str, object]) -> Path:
    """A filled return: ``cells`` maps a chỉ tiêu to what the officer writes in its value cell (a number,
    “Xóa” in any spelling); chỉ tiêu not named are left blank."""
    data, rows = blank_template
    wb = load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    for code, value in cells.items():
        if value is not None:
            ws[f"L{rows[code]}"] = value
    if report_date is not None:
        ws["C9"] = dt.datetime.combine(report_date, dt.time())
    wb.save(path)
    return path


def query(settings_, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings_.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def receipts(settings_) -> dict[str, str]:
    return dict(query(settings_, "SELECT file_name, receipt FROM v_submissions_log WHERE outcome = 'accepted'"))


def same_after_rebuild(settings_) -> None:
    """A rebuild from the archive (the ledger replayed in arrival order) gives the same values in force,
    the same receipts and the same attainment."""
    before = query(settings_, IN_FORCE), receipts(settings_), query(settings_, ATTAINMENT)
    pipeline.rebuild(settings_)
    assert (query(settings_, IN_FORCE), receipts(settings_), query(settings_, ATTAINMENT)) == before


ORIGINAL = {"sex_ratio_at_birth": 112.4, "maternal_mortality_ratio": 48.2, "adolescent_birth_rate": 21.5}


def test_a_partial_resend_keeps_the_values_it_leaves_blank(blank_template, env, read_warehouse):
    first = write_return(blank_template, env.raw_dir / "y_te_2025.xlsx", dt.date(2025, 12, 10), ORIGINAL)
    summary = pipeline.ingest(env, [first])
    assert summary.outcomes[0].receipt == "3 giá trị mới"
    attainment = read_warehouse(ATTAINMENT)
    resend = write_return(
        blank_template, env.raw_dir / "y_te_2025_bo_sung.xlsx", dt.date(2025, 12, 15), {"sex_ratio_at_birth": 110.9}
    )
    outcome = pipeline.ingest(env, [resend]).outcomes[0]
    assert outcome.receipt == "1 thay thế giá trị trước, 2 giữ nguyên từ báo cáo ngày 10/12/2025"
    assert outcome.superseded == []
    assert outcome.summary() == (
        "✔ y_te_2025_bo_sung.xlsx: đã tiếp nhận 1 dòng số liệu — 1 thay thế giá trị trước, "
        "2 giữ nguyên từ báo cáo ngày 10/12/2025"
    )
    assert read_warehouse(IN_FORCE) == [
        ("adolescent_birth_rate", 21.5, "y_te_2025.xlsx"),
        ("maternal_mortality_ratio", 48.2, "y_te_2025.xlsx"),
        ("sex_ratio_at_birth", 110.9, "y_te_2025_bo_sung.xlsx"),
    ]
    # the two values left blank are judged exactly as before; only the sex ratio moved
    after = read_warehouse(ATTAINMENT)
    assert [a for a in after if a[0] != "sex_ratio_at_birth"] == [a for a in attainment if a[0] != "sex_ratio_at_birth"]
    assert {a[3] for a in after if a[0] == "sex_ratio_at_birth"} == {110.9}
    assert read_warehouse("SELECT file_name, status FROM submission ORDER BY arrival_seq") == [
        ("y_te_2025.xlsx", "accepted"),
        ("y_te_2025_bo_sung.xlsx", "accepted"),
    ]
    assert receipts(env)["y_te_2025_bo_sung.xlsx"] == outcome.receipt
    same_after_rebuild(env)


@pytest.mark.parametrize("word", ["Xóa", "xoá", "XOA", " xoa "])
def test_xoa_withdraws_a_value(blank_template, env, read_warehouse, word):
    first = write_return(blank_template, env.raw_dir / "y_te_2025.xlsx", dt.date(2025, 12, 10), ORIGINAL)
    pipeline.ingest(env, [first])
    withdrawal = write_return(
        blank_template, env.raw_dir / "y_te_2025_xoa.xlsx", dt.date(2025, 12, 12), {"maternal_mortality_ratio": word}
    )
    outcome = pipeline.ingest(env, [withdrawal]).outcomes[0]
    assert outcome.outcome == "accepted"
    assert outcome.receipt == "2 giữ nguyên từ báo cáo ngày 10/12/2025, 1 giá trị bị xóa"
    assert [r[0] for r in read_warehouse(IN_FORCE)] == ["adolescent_birth_rate", "sex_ratio_at_birth"]
    status = (
        "SELECT DISTINCT status FROM v_attainment WHERE plan_code = 'LC-2021-2030' AND level = 'tinh' "
        "AND area_code = '10' AND indicator_code = 'maternal_mortality_ratio'"
    )
    assert read_warehouse(status) == [("no_data",)]
    # the withdrawal is kept in history beside the value it withdrew
    assert read_warehouse(
        "SELECT value, withdrawn FROM fact_observation WHERE indicator_code = "
        "'maternal_mortality_ratio' ORDER BY withdrawn"
    ) == [(48.2, False), (None, True)]
    same_after_rebuild(env)
    # a later value brings it back
    again = write_return(
        blank_template, env.raw_dir / "y_te_2025_lai.xlsx", dt.date(2025, 12, 14), {"maternal_mortality_ratio": 47.0}
    )
    assert pipeline.ingest(env, [again]).outcomes[0].receipt == "1 giá trị mới, 2 giữ nguyên từ báo cáo ngày 10/12/2025"
    assert ("maternal_mortality_ratio", 47.0, "y_te_2025_lai.xlsx") in read_warehouse(IN_FORCE)


def test_xoa_beside_numbers_or_outside_the_value_column_is_refused(blank_template, catalogue, tmp_path):
    data, rows = blank_template
    row = rows["sex_ratio_at_birth"]
    for cells, where, message in (
        ({"J": 5321, "K": 4812, "L": "Xóa"}, f"L{row}", "vẫn có Tử số/Mẫu số"),
        ({"J": "Xóa"}, f"J{row}", "phải ghi ở cột Giá trị"),
    ):
        wb = load_workbook(io.BytesIO(data))
        for column, value in cells.items():
            wb[SHEET][f"{column}{row}"] = value
        path = tmp_path / "sai.xlsx"
        wb.save(path)
        parsed = parse_template(open_values(path, Limits.of(), check_container(path, Limits.of())), catalogue)
        assert [(p.cell, message in p.message) for p in parsed.problems] == [(where, True)]


def test_a_correction_arriving_before_its_original_stays_in_force(blank_template, env, read_warehouse):
    correction = write_return(
        blank_template,
        env.raw_dir / "y_te_2025_sua.xlsx",
        dt.date(2025, 12, 20),
        {"sex_ratio_at_birth": 110.2, "maternal_mortality_ratio": 45.0},
    )
    assert pipeline.ingest(env, [correction]).outcomes[0].receipt == "2 giá trị mới"
    original = write_return(blank_template, env.raw_dir / "y_te_2025.xlsx", dt.date(2025, 12, 10), ORIGINAL)
    outcome = pipeline.ingest(env, [original]).outcomes[0]
    # the original still adds what the correction did not carry
    assert outcome.receipt == ("1 giá trị mới, 2 giá trị không áp dụng vì báo cáo ngày 20/12/2025 mới hơn")
    assert read_warehouse(IN_FORCE) == [
        ("adolescent_birth_rate", 21.5, "y_te_2025.xlsx"),
        ("maternal_mortality_ratio", 45.0, "y_te_2025_sua.xlsx"),
        ("sex_ratio_at_birth", 110.2, "y_te_2025_sua.xlsx"),
    ]
    same_after_rebuild(env)


def test_an_older_return_with_nothing_new_is_kept_in_history_only(blank_template, env, read_warehouse):
    correction = write_return(blank_template, env.raw_dir / "sua.xlsx", dt.date(2025, 12, 20), ORIGINAL)
    pipeline.ingest(env, [correction])
    original = write_return(
        blank_template, env.raw_dir / "goc.xlsx", dt.date(2025, 12, 10), {"sex_ratio_at_birth": 111.0}
    )
    outcome = pipeline.ingest(env, [original]).outcomes[0]
    assert outcome.receipt == (
        "2 giữ nguyên từ báo cáo ngày 20/12/2025, 1 giá trị không áp dụng vì báo cáo ngày 20/12/2025 mới hơn"
    )
    assert read_warehouse("SELECT file_name, outcome FROM v_submissions_log ORDER BY arrival_seq, outcome") == [
        ("sua.xlsx", "accepted"),
        ("goc.xlsx", "accepted"),
        ("goc.xlsx", "superseded"),
    ]
    assert read_warehouse(
        "SELECT file_name, status, superseded_by IS NOT NULL FROM submission ORDER BY arrival_seq"
    ) == [("sua.xlsx", "accepted", False), ("goc.xlsx", "superseded", True)]
    assert {r[2] for r in read_warehouse(IN_FORCE)} == {"sua.xlsx"}
    same_after_rebuild(env)


def test_equal_report_dates_follow_arrival_and_a_full_resend_supersedes(blank_template, env, read_warehouse):
    day = dt.date(2025, 12, 10)
    first = write_return(blank_template, env.raw_dir / "a.xlsx", day, ORIGINAL)
    pipeline.ingest(env, [first])
    second = write_return(blank_template, env.raw_dir / "b.xlsx", day, {**ORIGINAL, "sex_ratio_at_birth": 109.0})
    outcome = pipeline.ingest(env, [second]).outcomes[0]
    assert outcome.receipt == "3 thay thế giá trị trước" and outcome.superseded == ["a.xlsx"]
    assert {r[2] for r in read_warehouse(IN_FORCE)} == {"b.xlsx"}
    assert read_warehouse("SELECT file_name, outcome FROM v_submissions_log ORDER BY arrival_seq, outcome") == [
        ("a.xlsx", "accepted"),
        ("b.xlsx", "accepted"),
        ("a.xlsx", "superseded"),
    ]  # logged when it happened
    same_after_rebuild(env)


# -- by property: any order of arrival, any report dates, any blanks and withdrawals ------------------------
DAYS = [dt.date(2025, 12, d) for d in (10, 15, 20)]
CELL = st.sampled_from([BLANK, XOA, "xoá", 105.5, 108.0, 112.4])
RETURN = st.tuples(st.sampled_from(DAYS), st.tuples(CELL, CELL, CELL)).filter(
    lambda r: any(c is not None for c in r[1])
)  # a return with nothing in it is refused


def model(arrived: list[tuple[dt.date, tuple]]) -> dict[str, float]:
    """The rule said simply: per chỉ tiêu, the cell of the latest report date (the later arrival between equal
    dates) among the returns that wrote something there; “Xóa” leaves nothing."""
    found: dict[str, tuple[tuple[dt.date, int], object]] = {}
    for seq, (day, cells) in enumerate(arrived):
        for code, cell in zip(KEYS, cells, strict=True):
            if cell is not None and (code not in found or (day, seq) > found[code][0]):
                found[code] = ((day, seq), cell)
    return {code: float(cell) for code, (_, cell) in found.items() if not isinstance(cell, str)}


def model_receipt(arrived: list[tuple[dt.date, tuple]]) -> str:
    """The last arrival's receipt, from the model's state just before and just after it."""
    *earlier, (day, cells) = arrived
    seq = len(earlier)
    receipt = Receipt()

    def holders(returns):
        found: dict[str, tuple[tuple[dt.date, int], object]] = {}
        for n, (d, cs) in enumerate(returns):
            for code, cell in zip(KEYS, cs, strict=True):
                if cell is not None and (code not in found or (d, n) > found[code][0]):
                    found[code] = ((d, n), cell)
        return found

    before, after = holders(earlier), holders(arrived)
    for code, cell in zip(KEYS, cells, strict=True):
        if cell is None:
            continue
        had = code in before and not isinstance(before[code][1], str)
        if after[code][0][1] != seq:
            receipt.overruled[after[code][0][0]] += 1
        elif isinstance(cell, str):
            receipt.withdrawn += had
            receipt.nothing_to_withdraw += not had
        elif had:
            receipt.replaced += 1
        else:
            receipt.new += 1
    receipt.kept = Counter(
        held[0]
        for code, (held, value) in after.items()
        if cells[KEYS.index(code)] is None and not isinstance(value, str)
    )
    return receipt.text()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(returns=st.lists(RETURN, min_size=2, max_size=4), cuts=st.sets(st.integers(1, 3)))
def test_in_force_values_follow_the_simple_rule_in_any_order(blank_template, returns, cuts):
    with tempfile.TemporaryDirectory() as tmp, settings_in(Path(tmp)) as env:
        paths = []
        for n, (day, cells) in enumerate(returns):
            path = write_return(blank_template, env.raw_dir / f"tra_{n}.xlsx", day, dict(zip(KEYS, cells, strict=True)))
            os.utime(path, (1_760_000_000 + n, 1_760_000_000 + n))  # arrival order, also within one ingest
            paths.append(path)
        # arrivals ingested in groups (one transaction for several, or one at a time)
        bounds = [0, *sorted(c for c in cuts if c < len(paths)), len(paths)]
        outcomes = []
        for start, end in zip(bounds, bounds[1:], strict=False):
            outcomes += pipeline.ingest(env, paths[start:end]).outcomes
        accepted = [(returns[n], o) for n, o in enumerate(outcomes)]
        assert all(o.outcome in ("accepted", "duplicate") for _, o in accepted)
        arrived = [r for r, o in accepted if o.outcome == "accepted"]
        expected = model(arrived)
        in_force = {code: value for code, value, _ in query(env, IN_FORCE)}
        assert in_force == expected
        told = [o.receipt for _, o in accepted if o.outcome == "accepted"]
        assert told == [model_receipt(arrived[: n + 1]) for n in range(len(arrived))]
        pipeline.rebuild(env)
        assert {code: value for code, value, _ in query(env, IN_FORCE)} == expected
        assert [receipts(env)[o.file_name] for _, o in accepted if o.outcome == "accepted"] == told
        # one file per transaction: each batch starts from the states of the scope the batches before it found
        statuses = query(env, STATUSES)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ingest, "BUILD_FILES", 1)  # a rebuild's batches
            env.staging.unlink()
            pipeline.rebuild(env)
        assert {code: value for code, value, _ in query(env, IN_FORCE)} == expected
        assert [receipts(env)[o.file_name] for _, o in accepted if o.outcome == "accepted"] == told
        assert query(env, STATUSES) == statuses


def test_a_template_parse_error_is_not_a_withdrawal(blank_template, catalogue, tmp_path):
    """“Xóa sổ” is not the word: a value cell with other text is still refused as text in a number cell."""
    data, rows = blank_template
    wb = load_workbook(io.BytesIO(data))
    wb[SHEET][f"L{rows['sex_ratio_at_birth']}"] = "xóa sổ"
    path = tmp_path / "chu.xlsx"
    wb.save(path)
    with pytest.raises(ReturnRejected, match="chữ hoặc ký hiệu"):
        parse_return(path, catalogue)
