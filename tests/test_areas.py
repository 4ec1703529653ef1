"""Administrative areas across the 1 July 2025 reform: both worlds, names as officers write them,
and series that stay comparable at province level."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.areas import AreaError, load_areas, resolve, units_for
from bdg_pipeline.returns.template import FIRST_ROW, SHEET
from bdg_pipeline.returns.template_build import build_template


@pytest.fixture(scope="module")
def areas():
    return load_areas()


def test_both_worlds(areas):
    units, successors = areas
    by_code = units.set_index("area_code")
    assert len(units[(units.level == "tinh") & ~units.area_code.str.contains("@")]) == 63
    assert len(units[units.valid_from.notna() & (units.level == "xa")]) == 3321
    assert by_code.at["58", "valid_to"] == dt.date(2025, 6, 30)  # Ninh Thuận ends
    assert by_code.at["56@2025", "area_name"] == "Tỉnh Khánh Hòa"  # into Khánh Hòa
    assert by_code.at["22", "valid_to"] is None  # Quảng Ninh unchanged
    assert by_code.at["46", "area_name"] == "Thành phố Huế"
    succ = set(zip(successors.old_code, successors.new_code, strict=True))
    assert {("58", "56@2025"), ("10", "15@2025"), ("15", "15@2025")} <= succ  # Yên Bái and Lào Cai merge
    assert ("22", "22@2025") not in succ
    # a commune of 2019 maps to a commune of the new world, on the same old territory
    do_vinh = [n for o, n in succ if o == "22738"]
    assert len(do_vinh) >= 1 and by_code.at[do_vinh[0], "territory_code"] == "58"


@pytest.mark.parametrize(
    "year, territory, written, expected",
    [
        (2015, "46", "xã Lộc Điền", "20143"),
        (2015, "46", "Lộc Điền", "20143"),
        (2015, "46", "huyện Phú Lộc", "482"),
        (2015, "46", "Tp Huế", "46"),
        (2015, "46", "  xã   Hồng Bắc ", "20065"),
        (2015, "46", "Xa Loc Dien", "20143"),  # no diacritics
        (2015, "46", unicodedata.normalize("NFD", "xã Lộc Điền"), "20143"),  # decomposed
        (2019, "58", "TP. Phan Rang - Tháp Chàm", "582"),
        (2019, "58", "Thành phố Phan Rang – Tháp Chàm", "582"),
    ],
)
def test_names_as_officers_write_them(areas, year, territory, written, expected):
    units = units_for(areas[0], territory, dt.date(year, 12, 31))
    assert resolve(written, units) == expected


def test_unknown_and_ambiguous_names(areas):
    units = units_for(areas[0], "46", dt.date(2015, 12, 31))
    with pytest.raises(AreaError, match="Không tìm thấy"):
        resolve("xã Hòa Bình Xanh", units)
    with pytest.raises(AreaError) as err:
        resolve("Phú Lộc", units)  # the district and its town
    assert "Huyện Phú Lộc" in str(err.value) and "Thị trấn Phú Lộc" in str(err.value)
    # after the reform the district no longer exists
    with pytest.raises(AreaError):
        resolve("huyện Phú Lộc", units_for(areas[0], "46", dt.date(2026, 12, 31)))


def lc_return(catalogue, env, year, fills):
    """A Lào Cai return whose rows for the given areas hold numerator/denominator: from Sở LĐ-TB&XH, or after
    the 2025 reform from Sở Nội vụ, which took over its labour chỉ tiêu."""
    agency = "Sở Lao động - Thương binh và Xã hội" if year < 2025 else "Sở Nội vụ"
    wb = build_template(catalogue, "LC-2021-2030", agency, year)
    ws = wb[SHEET]
    done = set()
    for r in range(FIRST_ROW, ws.max_row + 1):
        key = (ws[f"E{r}"].value, ws[f"I{r}"].value)
        if key in fills and key not in done:
            ws[f"J{r}"], ws[f"K{r}"] = fills[key]
            done.add(key)
    assert done == set(fills)
    path = env.raw_dir / f"lao_dong_{year}.xlsx"
    wb.save(path)
    return path


def test_district_and_commune_returns_roll_up_to_one_series(catalogue, env, read_warehouse, areas):
    code = "female_wage_employment_share"
    units_2026 = units_for(areas[0], "10", dt.date(2026, 12, 31))
    communes = [
        n
        for n in build_template(catalogue, "LC-2021-2030", "Sở Nội vụ", 2026)[SHEET]["I"]
        if n.value and "(" in str(n.value)
    ][:2]
    assert len(units_2026) > 10 and len(communes) == 2
    lc_return(catalogue, env, 2023, {(code, "Huyện Bát Xát"): (1200, 4000), (code, "Thị xã Sa Pa"): (900, 2000)})
    lc_return(catalogue, env, 2026, {(code, communes[0].value): (300, 800), (code, communes[1].value): (500, 1200)})
    summary = pipeline.rebuild(env)
    assert [o.outcome for o in summary.outcomes] == ["accepted", "accepted"]
    rows = read_warehouse(
        """SELECT year, numerator, denominator, value, rolled_up FROM v_province_series
                             WHERE province_code = '10' AND indicator_code = $1 AND level = 'tinh' ORDER BY year""",
        [code],
    )
    assert rows == [(2023, 2100, 6000, pytest.approx(35.0), True), (2026, 800, 2000, pytest.approx(40.0), True)]
    # the 2030 target set by Lào Cai before the merger is judged on that territory's series
    judged = read_warehouse(
        """SELECT latest_year, latest_value, base_year FROM v_attainment
                               WHERE plan_code = 'LC-2021-2030' AND indicator_code = $1 AND target_year = 2030
                               AND level = 'tinh'""",
        [code],
    )
    assert judged == [(2026, pytest.approx(40.0), 2023)]
    # and the 2026 communes can be shown inside the new province
    inside = read_warehouse("""SELECT DISTINCT a.province_name FROM v_observations o JOIN v_areas a USING (area_code)
                               WHERE o.year = 2026""")
    assert inside == [("Tỉnh Lào Cai",)] and read_warehouse(
        "SELECT DISTINCT province_code FROM v_observations o JOIN v_areas a USING (area_code) WHERE o.year = 2026"
    ) == [("15@2025",)]


def test_views_for_analysts(env, read_warehouse):
    pipeline.rebuild(env)
    assert read_warehouse("SELECT count(*) FROM v_areas WHERE valid_to IS NULL AND level = 'tinh'") == [(34,)]
    columns = [r[0] for r in read_warehouse("DESCRIBE v_area_successors")]
    assert columns == ["old_code", "new_code", "effective_date"]
