"""One truth on every page: a province whose years hold only its districts' returns (2023) or only its
communes' (2026) shows the same rolled-up value, the same status, badge and reason in the warehouse
(v_province_series, v_attainment, v_progress), the report workbook (read back with openpyxl), the site
(its HTML parsed) and the chart's data, row by row."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import duckdb
import pytest
from matplotlib.colors import to_hex

from bdg_pipeline import pipeline
from bdg_pipeline.figures import is_met, target_for_year
from bdg_pipeline.numbers import parse_number
from bdg_pipeline.reports.build import build_outputs
from bdg_pipeline.reports.charts import MET, NOT_MET, indicator_figure
from bdg_pipeline.returns.template import SHEET
from bdg_pipeline.returns.template_build import build_template

from . import report_rows
from .test_areas import lc_return

PLAN, CODE, PROVINCE = "LC-2021-2030", "female_wage_employment_share", "10"
NUMBER = re.compile(r"\d[\d.]*(?:,\d+)?")


@pytest.fixture(scope="module")
def lower_levels_only(tmp_path_factory, catalogue):
    from .conftest import settings_in

    root = tmp_path_factory.mktemp("cross_page")
    with settings_in(root, BDG_AS_OF_YEAR="2026") as env:
        communes = [
            c.value
            for c in build_template(catalogue, PLAN, "Sở Nội vụ", 2026)[SHEET]["I"]
            if c.value and "(" in str(c.value)
        ][:2]
        # 2023: districts only, summing to 39,996 % (a hair under the 2025 target of 40 %); 2026: communes only
        lc_return(catalogue, env, 2023, {(CODE, "Huyện Bát Xát"): (4999, 12500), (CODE, "Thị xã Sa Pa"): (5000, 12500)})
        lc_return(catalogue, env, 2026, {(CODE, communes[0]): (300, 800), (CODE, communes[1]): (500, 1200)})
        summary = pipeline.rebuild(env)
        assert [o.outcome for o in summary.outcomes] == ["accepted", "accepted"]
        outputs = {year: build_outputs(env.warehouse, "Lào Cai", year, env.reports_dir) for year in (2023, 2026)}
        with duckdb.connect(str(env.warehouse), read_only=True) as con:
            yield Warehouse(con), outputs


class Warehouse:
    """What the warehouse says, read once: the series, the judgements and the chart's path."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.series = {
            year: (num, den, value, rolled)
            for year, num, den, value, rolled in con.execute(
                """SELECT year, numerator, denominator, value, rolled_up FROM v_province_series
               WHERE province_code = $p AND area_code = $p AND level = 'tinh' AND indicator_code = $c""",
                {"p": PROVINCE, "c": CODE},
            ).fetchall()
        }
        self.judged = {
            row[:6]: row[6:]
            for row in con.execute(
                """SELECT objective_no, indicator_no, part, level, area_name, target_year, status, status_label, reason,
                      target_value, direction, unit, indicator_code
               FROM v_attainment WHERE plan_code = $plan""",
                {"plan": PLAN},
            ).fetchall()
        }
        self.progress = con.execute(
            """SELECT p.objective_no, p.indicator_no, p.part, p.year, p.expected_value, p.observed_value
               FROM v_progress p JOIN dim_plan_indicator i USING (plan_code, objective_no, indicator_no, part)
               WHERE p.plan_code = $plan AND i.indicator_code = $c ORDER BY p.year""",
            {"plan": PLAN, "c": CODE},
        ).df()
        self.targets = con.execute(
            """SELECT t.objective_no, t.indicator_no, t.part, t.target_year, t.target_value, t.direction
               FROM fact_target t JOIN dim_plan_indicator i USING (plan_code, objective_no, indicator_no, part)
               WHERE t.plan_code = $plan AND i.indicator_code = $c ORDER BY t.target_year""",
            {"plan": PLAN, "c": CODE},
        ).df()

    def ours(self, objective: int, indicator: int, part: str) -> bool:
        return any(k[:3] == (objective, indicator, part) and v[-1] == CODE for k, v in self.judged.items())


def read_back(text: str) -> float:
    return float(parse_number(NUMBER.findall(text)[-1]))


def test_the_warehouse_rolls_up_once(lower_levels_only):
    warehouse, _ = lower_levels_only
    assert warehouse.series == {
        2023: (9999, 25000, pytest.approx(39.996), True),
        2026: (800, 2000, pytest.approx(40.0), True),
    }
    province_rows = {
        k: v for k, v in warehouse.judged.items() if k[3] == "tinh" and k[4] == "Tỉnh Lào Cai" and v[-1] == CODE
    }
    assert {k[5]: v[1] for k, v in province_rows.items()} == {
        2025: "Chưa có số liệu năm 2025 — mới nhất 39,996% (2023)",
        2030: "Tiến bộ chậm",
    }


def workbook_rows(path):
    """The appendix's rows keyed (objective, indicator, part, level, area, target year), as the warehouse is."""
    for key, row in report_rows.workbook_rows(path):
        yield key[1:], row


def test_the_workbook_shows_the_warehouses_numbers_and_words(lower_levels_only):
    warehouse, outputs = lower_levels_only
    compared = ours = 0
    levels = set()
    for year, out in outputs.items():
        for key, row in workbook_rows(out.workbook):
            levels.add(key[3])
            status, label, why, target, direction, unit, code = warehouse.judged[key]
            assert (row[9], row[10]) == (label, why), (year, key)
            if code != CODE or key[3] != "tinh":
                compared += 1
                continue
            value = warehouse.series.get(year)
            if value is None:
                assert (row[4], row[7], row[8]) == ("Chưa có số liệu", None, "Chưa có số liệu"), (year, key)
            else:
                num, den, stored, _ = value
                assert (row[5], row[6]) == (num, den) and row[7] == pytest.approx(stored), (year, key, row)
                assert "tổng hợp từ báo cáo cấp huyện, cấp xã" in row[4]
                met = is_met(stored, target, direction, unit)
                assert row[8] == ("Đạt" if met else "Chưa đạt")
                # the printed share, read back, is judged as the stored one
                assert is_met(read_back(row[4].split("\n")[0]), target, direction, unit) == met, row[4]
                ours += 1
            compared += 1
    assert ours == 2 and compared == 58 and levels == {"tinh", "huyen", "xa"}  # every row, both years
    first = next(
        row
        for key, row in workbook_rows(outputs[2023].workbook)
        if key[3] == "tinh" and warehouse.judged[key][-1] == CODE
    )
    assert first[4].startswith("9.999/25.000 (39,996%)") and first[8] == "Chưa đạt"


class Tables(HTMLParser):
    """Every table row of a page: its cells' text, and the badge (class, text) of each cell."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[list[tuple[str, str | None, str]]] = []
        self.cell: list[str] | None = None
        self.badge: str | None = None
        self.href = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self.cell, self.badge, self.href = [], None, ""
        elif tag == "span" and "badge" in (attributes.get("class") or ""):
            self.badge = attributes["class"].split("status-")[1]
        elif tag == "a" and self.cell is not None:
            self.href = attributes.get("href") or ""

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(("".join(self.cell).strip(), self.badge, self.href))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_site_shows_the_warehouses_numbers_and_words(lower_levels_only):
    warehouse, outputs = lower_levels_only
    compared = 0
    for year, out in outputs.items():
        index = Tables(out.html.read_text(encoding="utf-8"))
        for cells in (r for r in index.rows if len(r) == 5 and r[0][2].startswith("chi-tieu/")):
            objective, indicator, part = re.search(r"_MT(\d+)_CT(\d+)(\w*)\.html", cells[0][2]).groups()
            target_year = int(re.search(r"\(năm (\d{4})\)", cells[2][0]).group(1))
            key = (int(objective), int(indicator), part, "tinh", "Tỉnh Lào Cai", target_year)
            status, label = warehouse.judged[key][:2]
            assert (cells[4][1], cells[4][0]) == (status, label), (year, key)
            if warehouse.judged[key][-1] == CODE:
                latest = max(warehouse.series)
                assert cells[3][0] == f"40% ({latest})" and read_back(cells[3][0].split(" (")[0]) == pytest.approx(
                    warehouse.series[latest][2]
                )
            compared += 1
        for page in out.pages:
            objective, indicator, part = (
                int(x) if x.isdigit() else x for x in re.search(r"_MT(\d+)_CT(\d+)(\w*)$", page.stem).groups()
            )
            tables = Tables(page.read_text(encoding="utf-8")).rows
            for cells in (r for r in tables if len(r) == 3):
                target_year = int(re.search(r"\(năm (\d{4})\)", cells[0][0]).group(1))
                status, label, why = warehouse.judged[
                    (objective, indicator, part, "tinh", "Tỉnh Lào Cai", target_year)
                ][:3]
                assert (cells[1][1], cells[1][0], cells[2][0]) == (status, label, why), (page.name, target_year)
                compared += 1
            if warehouse.ours(objective, indicator, part):
                sums = {int(r[0][0]): r for r in tables if len(r) == 9 and r[1][0] == "Cấp tỉnh"}
                assert set(sums) == set(warehouse.series)
                for y, (num, den, stored, _) in warehouse.series.items():
                    shown = sums[y]
                    assert (read_back(shown[3][0]), read_back(shown[4][0])) == (num, den)
                    assert read_back(shown[5][0]) == pytest.approx(stored, abs=0.005)
                    assert shown[8][0] == "(tổng hợp từ báo cáo cấp huyện, cấp xã)"
    assert compared > 150


def test_the_charts_data_is_the_series_and_its_colours_the_workbooks_verdict(lower_levels_only):
    warehouse, outputs = lower_levels_only
    for (objective, indicator, part), path in warehouse.progress.groupby(["objective_no", "indicator_no", "part"]):
        observed = {int(y): v for y, v in zip(path.year, path.observed_value, strict=True) if v == v}
        assert observed == {y: pytest.approx(v[2]) for y, v in warehouse.series.items()}
        targets = warehouse.targets[
            (warehouse.targets.objective_no == objective)
            & (warehouse.targets.indicator_no == indicator)
            & (warehouse.targets.part == part)
        ]
        figure = indicator_figure(path, targets, "", "percent")
        points = figure.axes[0].collections[0]
        colours = [to_hex(rgba) for rgba in points.get_facecolors()]
        for year, colour in zip(sorted(observed), colours, strict=True):
            verdicts = {
                row[8]
                for key, row in workbook_rows(outputs[year].workbook)
                if key[:4] == (objective, indicator, part, "tinh")
            }
            assert verdicts == {"Đạt" if colour == MET else "Chưa đạt"}, (year, colour, verdicts)
            wanted = target_for_year(
                year, list(zip(targets.target_year, targets.target_value, targets.direction, strict=True))
            )
            assert colour == (MET if is_met(observed[year], wanted[1], wanted[2], "percent") else NOT_MET)
