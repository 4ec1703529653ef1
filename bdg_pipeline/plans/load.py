"""``bdg plan load``: a reviewed workbook written into the catalogue folder as ``plans/<CODE>.yaml`` (and
its new indicator codes appended to ``indicators.yaml``), only once the whole catalogue with it passes the
same checks as the YAML catalogue; nothing is written otherwise."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import schemas
from ..catalogue import Catalogue, CatalogueError, plan_tables, read_catalogue, schema_failures
from ..returns.model import Problem, ReturnRejected, fold
from ..returns.workbook import open_workbook
from .document import PlanDocument, dump, dump_codes, plan_document
from .read_workbook import read_review_workbook
from .sheets import TARGET_LETTER, TARGETS_SHEET

# catalogue column → review workbook column
SCHEMA_COLUMNS = {
    "target_value": "value",
    "target_year": "year",
    "direction": "direction",
    "part": "part",
    "unit": "unit",
    "indicator_code": "code",
    "baseline_year": "baseline_year",
    "text": "text",
    "objective_no": "objective",
    "indicator_no": "indicator",
    "baseline_value": "baseline_value",
}


class PlanLoadError(Exception):
    """The workbook cannot enter the catalogue; every problem names its sheet and cell."""

    def __init__(self, problems: list[Problem] | list[str]):
        self.problems = [str(p) for p in problems]
        super().__init__("Không nạp được kế hoạch:\n" + "\n".join(f"- {p}" for p in self.problems))


@dataclass(frozen=True)
class Loaded:
    plan_code: str
    plan_file: Path
    indicators: int
    targets: int
    new_codes: tuple[str, ...]


def agency_resolver(catalogue: Catalogue):
    by_name = {fold(name): code for name, code in catalogue.agency_aliases.items()}
    return lambda name: by_name.get(fold(" ".join(name.split())))


def load_plan_workbook(path: Path, catalogue_dir: Path, replace: bool = False) -> Loaded:
    try:
        wb = open_workbook(path)
    except ReturnRejected as exc:
        raise PlanLoadError(exc.problems) from exc
    catalogue = read_catalogue(catalogue_dir)
    code_of = agency_resolver(catalogue)
    draft, problems = read_review_workbook(wb, code_of)
    known_units = dict(zip(catalogue.indicator_codes.indicator_code, catalogue.indicator_codes.unit, strict=True))
    document = plan_document(draft, code_of, known_units, problems)
    if problems:
        raise PlanLoadError(problems)
    code = draft.info.code
    plan_file = catalogue_dir / "plans" / f"{code}.yaml"
    if code in set(catalogue.plans.plan_code) and not replace:
        raise PlanLoadError(
            [
                Problem(
                    "KeHoach",
                    "B2",
                    f"Kế hoạch {code} đã có trong danh mục ({plan_file.name})",
                    code,
                    "Nếu biểu này là bản rà soát lại của chính kế hoạch đó, chạy lại với "
                    "--replace; nếu là kế hoạch khác, đặt mã kế hoạch khác.",
                )
            ]
        )
    unit_of = known_units | {e["code"]: e["unit"] for e in document.new_codes}
    _check_schemas(document, unit_of, set(catalogue.agencies.agency_code))
    plan_text = dump(document, path.name)
    codes_text = dump_codes(document.new_codes)
    _write_checked(catalogue_dir, plan_file, plan_text, codes_text)
    return Loaded(
        code, plan_file, len(document.doc["indicators"]), len(draft.rows), tuple(e["code"] for e in document.new_codes)
    )


def _check_schemas(document: PlanDocument, unit_of: dict[str, str], agencies: set[str]) -> None:
    """The same pandera schemas as the YAML catalogue, each failure named at its cell of ChiTieu."""
    code = document.doc["plan"]["code"]
    frames, found = plan_tables(f"{code}.yaml", document.doc, unit_of, agencies)
    problems: list[Problem | str] = list(found)
    start, end = document.doc["plan"]["period"]
    for model, frame in ((schemas.PlanIndicators, frames["plan_indicators"]), (schemas.Targets, frames["targets"])):
        if frame.empty:
            continue
        for case in schema_failures(model, frame).itertuples():
            problems.append(_at_cell(case, frame, document, start, end))
    if problems:
        raise PlanLoadError([str(p) for p in problems])


def _at_cell(case, frame: pd.DataFrame, document: PlanDocument, start: int, end: int) -> Problem:
    column = case.column if isinstance(case.column, str) else ""
    row = 0
    if case.index is not None and not pd.isna(case.index) and case.index in frame.index:
        r = frame.loc[case.index]
        year = int(r["target_year"]) if "target_year" in frame.columns else None
        keys = [
            k for k in document.target_rows if k[:3] == (int(r["objective_no"]), int(r["indicator_no"]), str(r["part"]))
        ]
        key = next((k for k in keys if year is None or k[3] == year), None)
        row = document.target_rows.get(key, 0) if key else 0
    letter = TARGET_LETTER.get(SCHEMA_COLUMNS.get(column, "year" if "year" in case.check else ""), "")
    cell = f"{letter}{row}" if letter and row else (f"dòng {row}" if row else "")
    check = str(case.check)
    if "within_plan_period" in check:
        message = f"Năm mục tiêu nằm ngoài kỳ kế hoạch {start}–{end}"
        fix = "Sửa năm theo văn bản (văn bản có thể gõ nhầm năm), hoặc sửa kỳ kế hoạch ở trang KeHoach."
    elif "uniqueness" in check:
        message = "Trùng dòng: cùng mục tiêu, chỉ tiêu, phần và năm"
        fix = "Xóa dòng trùng hoặc ghi phần a, b, c cho từng đích đo."
    elif "greater_than_or_equal" in check or "in_range" in check:
        message = "Giá trị nằm ngoài khoảng cho phép"
        fix = ""
    else:
        message, fix = f"Không đạt kiểm tra “{check}”", ""
    return Problem(TARGETS_SHEET, cell, message, str(case.failure_case), fix)


def _replace_file(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_checked(catalogue_dir: Path, plan_file: Path, plan_text: str, codes_text: str) -> None:
    """Write into a copy of the catalogue first; the real folder changes only when that copy reads clean."""
    indicators = catalogue_dir / "indicators.yaml"
    old_codes = indicators.read_text(encoding="utf-8")
    new_codes = old_codes + ("" if old_codes.endswith("\n") else "\n") + codes_text if codes_text else old_codes
    with tempfile.TemporaryDirectory(prefix="bdg-plan-") as tmp:
        trial = Path(tmp) / "catalogue"
        shutil.copytree(catalogue_dir, trial)
        (trial / "plans").mkdir(exist_ok=True)
        (trial / "plans" / plan_file.name).write_text(plan_text, encoding="utf-8")
        (trial / "indicators.yaml").write_text(new_codes, encoding="utf-8")
        try:
            read_catalogue(trial)
        except CatalogueError as exc:
            raise PlanLoadError(exc.problems) from exc
    plan_file.parent.mkdir(parents=True, exist_ok=True)
    if new_codes != old_codes:
        _replace_file(indicators, new_codes)
    _replace_file(plan_file, plan_text)
