"""One status everywhere: for every bundled report, the status (and its badge) each workbook row, index row and chỉ tiêu
page shows is v_attainment's, for the same chỉ tiêu, level, area and target year."""

from __future__ import annotations

import re

import duckdb
import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.reports.build import build_outputs
from bdg_pipeline.samples import write_samples

from . import report_rows


@pytest.fixture(scope="module")
def bundled(tmp_path_factory, catalogue):
    from .conftest import settings_in

    root = tmp_path_factory.mktemp("one_status")
    with settings_in(root) as env:
        write_samples(env.raw_dir, catalogue)
        pipeline.rebuild(env)
        with duckdb.connect(str(env.warehouse), read_only=True) as con:
            latest = con.execute("SELECT province, max(year) FROM v_observations GROUP BY 1 ORDER BY 1").fetchall()
            judged = con.execute("""
                SELECT plan_code, objective_no, indicator_no, part, level, area_name, target_year, status, status_label
                FROM v_attainment""").fetchall()
        reports = [build_outputs(env.warehouse, province, year, env.reports_dir) for province, year in latest]
        reports.append(build_outputs(env.warehouse, "Ninh Thuận", 2019, env.reports_dir))  # the real appendix
        yield reports, {row[:7]: row[7:] for row in judged}


def workbook_rows(path):
    """(plan, objective, indicator, part, level, area, target year) and the status shown, every level sheet."""
    for key, row in report_rows.workbook_rows(path):
        yield key, row[9]


def test_workbook_and_pages_show_v_attainments_status(bundled):
    reports, judged = bundled
    assert len(reports) == 4
    compared = 0
    for outputs in reports:
        for key, shown in workbook_rows(outputs.workbook):
            assert shown == judged[key][1], (outputs.workbook.name, key, shown, judged[key])
            compared += 1
        index = outputs.html.read_text(encoding="utf-8")
        province_rows = re.findall(
            r'href="chi-tieu/(.+?)_MT(\d+)_CT(\d+)(\w*)\.html".*?<td>[^<]*\(năm (\d{4})\)</td>'
            r'.*?class="badge status-(\w+)"',
            index,
            flags=re.S,
        )
        assert province_rows
        for plan, objective, indicator, part, year, status in province_rows:
            area = next(
                k[5]
                for k in judged
                if k[:5] == (plan, int(objective), int(indicator), part, "tinh") and k[5].startswith("Tỉnh")
            )
            assert status == judged[(plan, int(objective), int(indicator), part, "tinh", area, int(year))][0]
            compared += 1
        for page in outputs.pages:
            plan, objective, indicator, part = re.match(r"(.+)_MT(\d+)_CT(\d+)(\w*)$", page.stem).groups()
            for year, status in re.findall(
                r'<tr><td>[^<]*\(năm (\d{4})\)</td><td><span class="badge status-(\w+)"',
                page.read_text(encoding="utf-8"),
            ):
                found = {
                    v[0]
                    for k, v in judged.items()
                    if k[:5] == (plan, int(objective), int(indicator), part, "tinh")
                    and k[6] == int(year)
                    and k[5].startswith("Tỉnh")
                }
                assert found == {status}, (page.name, year, status, found)
                compared += 1
    assert compared > 300  # every row of four reports (402 when written)
