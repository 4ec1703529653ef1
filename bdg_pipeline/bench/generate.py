"""A deterministic, synthetic but realistic national workload (DỮ LIỆU GIẢ LẬP, never real data).

The 34 provinces and 3,321 communes in force since 1 July 2025 (from bdg_pipeline.areas), each with a
10-year plan 2026–2035 carrying the chỉ tiêu of Lào Cai's plan and objectives 4–6 of Quảng Ninh's
2021–2030 plan (41 parts), given to the agencies in existence in 2026 (the successors of those the 2021 plans
name, by the rules of ``agencies.yaml``). Every lead agency of every province returns the project's template each year,
filled for the province and every commune: about 2,400 workbooks and 1.3 million observations. Plus
free-form appendices: versions of the Ninh Thuận PHỤ LỤC for 2016–2020.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from ..agencies import read_timeline
from ..areas import load_areas
from ..catalogue import load_catalogue
from ..config import CATALOGUE_DIR
from ..returns.template import FIRST_ROW, SHEET
from ..returns.template_build import agency_indicators, build_template
from ..samples.ninh_thuan_appendix import ROWS, write_appendix

YEARS = range(2026, 2036)
BANNER = "DỮ LIỆU GIẢ LẬP cho đo hiệu năng — không phải số liệu thật"
SHIFT = {2025: 2030, 2030: 2035}
PLAN_ISSUED = dt.date(2026, 1, 1)


def _listed(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def bench_catalogue(target: Path) -> Path:
    """A catalogue directory: the real codes and agencies, one generated plan per province."""
    if target.exists():
        shutil.rmtree(target)
    (target / "plans").mkdir(parents=True)
    for name in ("agencies.yaml", "indicators.yaml"):
        shutil.copy(CATALOGUE_DIR / name, target / name)
    for plan in (CATALOGUE_DIR / "plans").glob("*.yaml"):  # the real plans too (the appendices are NT-2020's)
        shutil.copy(plan, target / "plans" / plan.name)
    lao_cai = yaml.safe_load((CATALOGUE_DIR / "plans" / "LC-2021-2030.yaml").read_text(encoding="utf-8"))
    quang_ninh = yaml.safe_load((CATALOGUE_DIR / "plans" / "QN-2021-2030.yaml").read_text(encoding="utf-8"))
    objectives = lao_cai["objectives"] + [dict(o, number=o["number"] + 3) for o in quang_ninh["objectives"][3:]]
    indicators = copy.deepcopy(lao_cai["indicators"])
    for ind in copy.deepcopy(quang_ninh["indicators"]):
        objective, number = str(ind["id"]).split(".")
        if int(objective) >= 4:
            ind["id"] = f"{int(objective) + 3}.{number}"
            indicators.append(ind)
    timeline = read_timeline(CATALOGUE_DIR)
    codes = yaml.safe_load((CATALOGUE_DIR / "indicators.yaml").read_text(encoding="utf-8"))
    names = {e["code"]: e["name"] for e in codes}
    for ind in indicators:
        lead, co = ind.pop("lead", None), ind.pop("co", None)
        for part in ind["parts"]:
            part.pop("baseline", None)
            part["targets"] = [[SHIFT[t[0]], *t[1:]] for t in part["targets"]]
            for role, named in (("lead", part.get("lead", lead)), ("co", part.get("co", co))):
                if named:  # a plan of 2026 names the agencies of 2026
                    codes = [timeline.on(c, names[part["code"]], PLAN_ISSUED) for c in _listed(named)]
                    part[role] = list(dict.fromkeys(codes))
    areas, _ = load_areas()
    provinces = areas[(areas.level == "tinh") & areas.valid_to.isna()].sort_values("official_code")
    for p in provinces.itertuples():
        doc = {
            "plan": {
                "code": f"QG{p.official_code}-2026-2035",
                "province": p.area_name,
                "province_code": p.area_code,
                "title": f"Kế hoạch giả lập {p.area_name} 2026–2035",
                "seed_file": "(giả lập)",
                "period": [2026, 2035],
                "reporting": [{"period": "nam", "due": "10/12", "source": "giả lập"}],
            },
            "objectives": objectives,
            "indicators": indicators,
        }
        (target / "plans" / f"QG{p.official_code}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return target


def _value(unit: str, rng: random.Random):
    if unit == "percent":
        denominator = rng.randint(40, 4000)
        return rng.randint(0, denominator), denominator, None
    if unit == "yes_no":
        return None, None, rng.choice(["Có", "Không"])
    if unit.startswith("count_per_"):
        return None, None, rng.randint(0, 12)
    base = {"per_100": 110.0, "per_1000": 20.0, "per_100000": 40.0, "times": 1.6}[unit]
    return None, None, round(base * rng.uniform(0.8, 1.2), 2 if unit == "times" else 1)


def _write_agency(job: tuple[str, str, str, str]) -> list[str]:
    catalogue_dir, out_dir, plan_code, agency = job
    os.environ["BDG_CATALOGUE_DIR"] = catalogue_dir
    catalogue = load_catalogue(Path(catalogue_dir))
    rng = random.Random(f"{plan_code}/{agency}")
    name = catalogue.agencies.set_index("agency_code").at[agency, "name"]
    wb = build_template(catalogue, plan_code, name, YEARS[0], banner=BANNER)
    ws = wb[SHEET]
    meta = wb["_meta"]
    unit_of = dict(zip(catalogue.indicator_codes.indicator_code, catalogue.indicator_codes.unit, strict=True))
    rows = [
        (r, unit_of[ws[f"E{r}"].value])
        for r in range(FIRST_ROW, ws.max_row + 1)
        if (ws[f"H{r}"].value == "Cấp tỉnh" and ws[f"I{r}"].value == ws[f"I{FIRST_ROW}"].value)
        or "(" in str(ws[f"I{r}"].value)
    ]  # the province's own row and every commune
    written = []
    for year in YEARS:
        for row in meta.iter_rows():
            if row[0].value == "year":
                row[1].value = year
        ws["C7"] = year
        for r, unit in rows:
            ws[f"J{r}"], ws[f"K{r}"], ws[f"L{r}"] = _value(unit, rng)
        path = Path(out_dir) / f"GL_{plan_code}_{agency}_{year}.xlsx"
        wb.save(path)
        stamp = dt.datetime(year, 12, 1, 8) + dt.timedelta(hours=rng.randint(0, 300))
        os.utime(path, (stamp.timestamp(), stamp.timestamp()))
        written.append(str(path))
    return written


def _write_appendices(out_dir: Path, count: int) -> list[Path]:
    rng = random.Random(2019)
    written = []
    for i in range(count):
        year = 2016 + i % 5
        rows = []
        for objective, text, result, agency in ROWS:
            if "/" in result and "%" in result and ":" not in result:
                den = rng.randint(50, 20000)
                num = rng.randint(0, den)
                result = f"{num:,}/{den:,} ({num / den * 100:.2f}%)"
                result = result.replace(",", "X").replace(".", ",").replace("X", ".")
            rows.append((objective, text, result, agency))
        path = write_appendix(out_dir / f"GL_phu_luc_NT_{year}_{i:03d}.xlsx", rows)
        wb_title_year = path  # the title names 2020 (the plan); the header names the results' year
        from openpyxl import load_workbook

        wb = load_workbook(path)
        wb.active["C6"] = f"SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC NĂM {year} (%)"
        wb.save(path)
        stamp = dt.datetime(year + 1, 1, 1) + dt.timedelta(hours=i)
        os.utime(wb_title_year, (stamp.timestamp(), stamp.timestamp()))
        written.append(path)
    return written


def generate(root: Path, appendices: int = 200, workers: int = 2) -> tuple[Path, Path, list[Path]]:
    """Write the bench catalogue under ``root/catalogue`` and the workbooks under ``root/raw``."""
    catalogue_dir = bench_catalogue(root / "catalogue")
    raw = root / "raw"
    if raw.exists():
        shutil.rmtree(raw)
    raw.mkdir(parents=True)
    catalogue = load_catalogue(catalogue_dir)
    pi = catalogue.plan_indicators
    jobs = [
        (str(catalogue_dir), str(raw), plan, agency)
        for plan, agency in sorted(set(zip(pi.plan_code, pi.lead_agency, strict=True)))
        if plan.startswith("QG") and not agency_indicators(catalogue, plan, agency).empty
    ]
    with ProcessPoolExecutor(workers) as pool:
        files = [Path(p) for batch in pool.map(_write_agency, jobs) for p in batch]
    files += _write_appendices(raw, appendices)
    return catalogue_dir, raw, files
