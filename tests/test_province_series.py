"""The roll-up of a few provinces (``province_series_of``, what the attainment step stores for the provinces a
return changed) holds exactly the rows of the roll-up view filtered to them, and a warehouse judged return by
return holds the series and judgements of one built at once."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.returns.template import SHEET
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.samples import write_samples

from .test_areas import lc_return

CODE = "female_wage_employment_share"


def restricted_and_filtered(con: duckdb.DuckDBPyConnection, codes: list[str]) -> tuple[list, list]:
    restricted = con.execute("SELECT * FROM province_series_of(?::VARCHAR[])", [codes]).fetchall()
    filtered = con.execute(
        "SELECT * FROM province_series_rollup WHERE province_code IN (SELECT unnest(?::VARCHAR[]))", [codes]
    ).fetchall()
    return sorted(map(repr, restricted)), sorted(map(repr, filtered))


@pytest.fixture(scope="module")
def returns(catalogue, tmp_path_factory) -> list[Path]:
    """Sample returns of several provinces, and Lào Cai's district return of 2023 and commune return of 2026:
    the communes count for the old territory ('10') and for the merged province ('15@2025')."""
    folder = tmp_path_factory.mktemp("returns")
    write_samples(folder, catalogue)
    column = build_template(catalogue, "LC-2021-2030", "Sở Nội vụ", 2026)[SHEET]["I"]
    communes = [c.value for c in column if c.value and "(" in str(c.value)][:2]  # communes of 2026
    at = SimpleNamespace(raw_dir=folder)
    lc_return(catalogue, at, 2023, {(CODE, "Huyện Bát Xát"): (1200, 4000), (CODE, "Thị xã Sa Pa"): (900, 2000)})
    lc_return(catalogue, at, 2026, {(CODE, communes[0]): (300, 800), (CODE, communes[1]): (500, 1200)})
    return sorted(folder.iterdir())


@pytest.fixture
def lao_cai(returns, env):
    for path in returns:
        shutil.copy2(path, env.raw_dir / path.name)  # with its time: an undated return is dated by it
    return env


def test_the_roll_up_of_some_provinces_is_the_view_filtered_to_them(lao_cai):
    summary = pipeline.ingest(lao_cai, sorted(lao_cai.raw_dir.iterdir()))
    assert summary.accepted >= 4 and not summary.rejected
    with duckdb.connect(str(lao_cai.warehouse), read_only=True) as con:
        present = [c for (c,) in con.execute("SELECT DISTINCT province_code FROM province_series_rollup").fetchall()]
        (rolled,) = con.execute("SELECT list(province_code) FROM province_series_rollup WHERE rolled_up").fetchall()
        assert {"10", "15@2025"} <= set(rolled[0]) and len(present) >= 3
        asked = [[c] for c in present] + [
            present,
            ["10", "15@2025"],  # the old territory and the merged province its communes now belong to
            ["15"],  # Yên Bái, merged into the same province: none of Lào Cai's communes counts for it
            ["99", "10"],  # a code no area has
            [],
        ]
        for codes in asked:
            restricted, filtered = restricted_and_filtered(con, codes)
            assert restricted == filtered, codes
            assert restricted or not set(codes) & set(present), codes
        whole = sorted(map(repr, con.execute("SELECT * FROM province_series_rollup").fetchall()))
        assert sorted(map(repr, con.execute("SELECT * FROM province_series_of(NULL)").fetchall())) == whole
        stored = sorted(map(repr, con.execute("SELECT * FROM v_province_series").fetchall()))
        assert stored == whole  # what the attainment step stored, province by province


def test_returns_judged_one_by_one_leave_the_series_and_judgements_of_a_build(lao_cai):
    files = sorted(lao_cai.raw_dir.iterdir())
    samples = [p for p in files if not p.name.startswith("lao_dong")]
    assert pipeline.ingest(lao_cai, samples).accepted == len(samples)
    for path in sorted(set(files) - set(samples)):  # each judges again only the provinces its return touched
        summary = pipeline.ingest(lao_cai, [path])
        assert [o.outcome for o in summary.outcomes] == ["accepted"], path.name
    tables = ("fact_province_series", "fact_attainment", "fact_progress")

    def state() -> dict[str, list]:
        with duckdb.connect(str(lao_cai.warehouse), read_only=True) as con:
            return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}

    one_by_one = state()
    with duckdb.connect(str(lao_cai.staging)) as con:
        con.execute("DELETE FROM build_info")  # staging no longer trusted: the rebuild builds it anew
    summary = pipeline.rebuild(lao_cai)
    assert not summary.kept and summary.accepted == len(files)
    built = state()
    assert sum(len(rows) for rows in built.values()) > 1000
    for table in tables:
        assert one_by_one[table] == built[table], table
