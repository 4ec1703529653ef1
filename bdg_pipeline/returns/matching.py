"""Matching what a return says to the catalogue: which chỉ tiêu a row is, which part a result is."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..catalogue import Catalogue
from ..numbers import Measure, NumberFormatError
from ..units import read_measure
from .model import fold

LEVEL_WORDS = {"tỉnh": "tinh", "huyện": "huyen", "xã": "xa"}
_LEVEL_LABEL = re.compile(r"^(?:cấp\s+)?(tỉnh|huyện|xã)$")
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class PartInfo:
    part: str
    indicator_code: str
    unit: str
    labels: tuple[str, ...]
    is_default: bool


class MatchError(ValueError):
    """The message is for officers (Vietnamese)."""


def level_of_label(label: str | None) -> str | None:
    if not label:
        return None
    match = _LEVEL_LABEL.match(fold(label))
    return LEVEL_WORDS[match.group(1)] if match else None


def parts_of(catalogue: Catalogue, plan_code: str, objective_no: int, indicator_no: int) -> list[PartInfo]:
    pi = catalogue.plan_indicators
    rows = pi[(pi.plan_code == plan_code) & (pi.objective_no == objective_no) & (pi.indicator_no == indicator_no)]
    return [
        PartInfo(r.part, r.indicator_code, r.unit, tuple(fold(x) for x in str(r.labels).split(";") if x.strip()),
                 bool(r.is_default))
        for r in rows.itertuples()
    ]


def indicator_text(catalogue: Catalogue, plan_code: str, objective_no: int, indicator_no: int) -> str | None:
    pi = catalogue.plan_indicators
    rows = pi[(pi.plan_code == plan_code) & (pi.objective_no == objective_no) & (pi.indicator_no == indicator_no)]
    return None if rows.empty else str(rows.iloc[0].text)


def text_overlap(row_text: str, catalogue_text: str) -> float:
    """Share of the row's words found in the catalogue's wording of the chỉ tiêu (0–1)."""
    row_words = set(_WORD.findall(fold(row_text))) - {"chỉ", "tiêu"}
    if not row_words:
        return 0.0
    return len(row_words & set(_WORD.findall(fold(catalogue_text)))) / len(row_words)


def wording_fit(row_text: str, catalogue_text: str) -> float:
    """How well a row's wording and the catalogue's agree, both ways (F1 of shared words, 0–1): a short
    row inside a long chỉ tiêu, or a long row around a short one, fits less than the same words."""
    row_words = set(_WORD.findall(fold(row_text))) - {"chỉ", "tiêu"}
    plan_words = set(_WORD.findall(fold(catalogue_text))) - {"chỉ", "tiêu"}
    shared = len(row_words & plan_words)
    return 0.0 if not shared else 2 * shared / (len(row_words) + len(plan_words))


def _describe(parts: list[PartInfo]) -> str:
    return ", ".join(f"{p.part or '-'} ({'/'.join(p.labels) or p.indicator_code})" for p in parts)


def resolve_part(parts: list[PartInfo], measure: Measure, row_text: str) -> PartInfo:
    """The part a measure reports: by its label, else by the row's wording, else by unit, else the default."""
    if len(parts) == 1:
        return parts[0]
    label = measure.label if level_of_label(measure.label) is None else None
    if label:
        hits = [p for p in parts if any(word in fold(label) for word in p.labels)]
        if len(hits) == 1:
            return hits[0]
        raise MatchError(f"nhãn “{label}” không khớp đúng một phần của chỉ tiêu (các phần: {_describe(parts)})")
    hits = [p for p in parts if any(word in fold(row_text) for word in p.labels)]
    if len(hits) == 1:
        return hits[0]
    fitting = []
    for p in parts:
        try:
            read_measure(measure, p.unit)
            fitting.append(p)
        except NumberFormatError:
            continue
    if len(fitting) == 1:
        return fitting[0]
    defaults = [p for p in (fitting or parts) if p.is_default]
    if len(defaults) == 1:
        return defaults[0]
    raise MatchError(f"không xác định được số liệu “{measure.raw}” thuộc phần nào của chỉ tiêu; "
                     f"ghi nhãn trước số liệu, ví dụ “Thạc sỹ: 17/40” (các phần: {_describe(parts)})")


def plan_for(catalogue: Catalogue, province: str, years: list[int]) -> pd.Series | None:
    plans = catalogue.plans[catalogue.plans.province.map(fold) == fold(province)]
    hits = plans[[any(p.period_start <= y <= p.period_end for y in years) for p in plans.itertuples()]]
    return hits.iloc[0] if len(hits) == 1 else None
