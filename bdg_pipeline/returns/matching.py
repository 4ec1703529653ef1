"""Matching what a return says to the catalogue: which chỉ tiêu a row is, which part a result is."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

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
    """The parts of one chỉ tiêu of a plan, in the catalogue's order (an appendix asks for each of its rows)."""
    return list(
        catalogue.cache_of("parts_of", lambda: _parts_by_indicator(catalogue)).get(
            (plan_code, objective_no, indicator_no), ()
        )
    )


def _parts_by_indicator(catalogue: Catalogue) -> dict[tuple[str, int, int], list[PartInfo]]:
    pi = catalogue.plan_indicators
    found: dict[tuple[str, int, int], list[PartInfo]] = {}
    for plan_code, objective_no, indicator_no, part, code, unit, labels, is_default in zip(
        pi.plan_code,
        pi.objective_no,
        pi.indicator_no,
        pi.part,
        pi.indicator_code,
        pi.unit,
        pi.labels,
        pi.is_default,
        strict=True,
    ):
        found.setdefault((plan_code, int(objective_no), int(indicator_no)), []).append(
            PartInfo(part, code, unit, tuple(fold(x) for x in str(labels).split(";") if x.strip()), bool(is_default))
        )
    return found


# Abbreviations offices write in tables, spelled out before words are compared.
ABBREVIATIONS = {
    "vbqppl": "văn bản quy phạm pháp luật",
    "hđnd": "hội đồng nhân dân",
    "ubnd": "ủy ban nhân dân",
    "bđg": "bình đẳng giới",
    "cbccvc": "cán bộ công chức viên chức",
    "cbcc": "cán bộ công chức",
    "htx": "hợp tác xã",
    "thcs": "trung học cơ sở",
    "thpt": "trung học phổ thông",
    "dtts": "dân tộc thiểu số",
    "gdnn": "giáo dục nghề nghiệp",
    "ctxh": "công tác xã hội",
    "bltcg": "bạo lực trên cơ sở giới",
    "bạo lực gđ": "bạo lực gia đình",
    "cq": "cơ quan",
    "dn": "doanh nghiệp",
    "tp": "thành phố",
}
_ABBREVIATION = re.compile(r"\b(" + "|".join(re.escape(a) for a in ABBREVIATIONS) + r")\b")


def spelled_out(text: str) -> str:
    """``text`` folded, its abbreviations written in full (“HĐND” → “hội đồng nhân dân”)."""
    return _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], fold(text))


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(spelled_out(text))) - {"chỉ", "tiêu"}


def text_overlap(row_text: str, catalogue_text: str) -> float:
    """Share of the row's words found in the catalogue's wording of the chỉ tiêu (0–1)."""
    row_words = _words(row_text)
    if not row_words:
        return 0.0
    return len(row_words & _words(catalogue_text)) / len(row_words)


@dataclass(frozen=True)
class Wording:
    """How the chỉ tiêu of one plan are worded: each one's sentence in the plan and the names of the
    quantities its parts measure (the short names offices write: “Tỷ số giới tính khi sinh”)."""

    wordings: dict[tuple[int, int], tuple[frozenset[str], ...]]
    sentences: dict[tuple[int, int], str]  # the plan's own wording of each chỉ tiêu (its parts' texts joined)
    weight: dict[str, float]  # rarer words among the plan's chỉ tiêu tell more (inverse document frequency)

    @classmethod
    def of_plan(cls, catalogue: Catalogue, plan_code: str) -> Wording:
        pi = catalogue.plan_indicators
        found: dict[tuple[int, int], list[frozenset[str]]] = {}
        sentences: dict[tuple[int, int], list[str]] = {}
        for r in pi[pi.plan_code == plan_code].itertuples():
            key = (int(r.objective_no), int(r.indicator_no))
            texts = found.setdefault(key, [])
            if str(r.text) not in sentences.setdefault(key, []):  # parts may word their share apart
                sentences[key].append(str(r.text))
            for words in (_words(str(r.text)), _words(catalogue.indicator_names.get(r.indicator_code, ""))):
                if words and words not in texts:
                    texts.append(words)
        counts: dict[str, int] = {}
        for texts in found.values():
            for word in frozenset().union(*texts):
                counts[word] = counts.get(word, 0) + 1
        n = len(found)
        weight = {word: math.log((n + 1) / (k + 0.5)) for word, k in counts.items()}
        return cls(
            {key: tuple(texts) for key, texts in found.items()},
            {key: " ".join(texts) for key, texts in sentences.items()},
            weight,
        )

    def _mass(self, words: frozenset[str]) -> float:
        unseen = math.log(len(self.wordings) + 2)  # a word no chỉ tiêu uses weighs most
        return sum(self.weight.get(w, unseen) for w in words)

    def fit(self, row_text: str, key: tuple[int, int]) -> float:
        """How well a row's wording and the chỉ tiêu's agree, both ways (weighted F1 of shared words, 0–1),
        against the plan's sentence or the name of a part, whichever fits better."""
        row = _words(row_text)
        best = 0.0
        for words in self.wordings.get(key, ()):
            shared = self._mass(row & words)
            if shared:
                recall, precision = shared / self._mass(row), shared / self._mass(words)
                best = max(best, 2 * recall * precision / (recall + precision))
        return best

    def ranked(self, row_text: str, keys: list[tuple[int, int]]) -> list[tuple[float, tuple[int, int]]]:
        return sorted(((self.fit(row_text, key), key) for key in keys), reverse=True)


def wording_of(catalogue: Catalogue, plan_code: str) -> Wording:
    key = f"wording:{plan_code}"
    if key not in catalogue.cache:
        catalogue.cache[key] = Wording.of_plan(catalogue, plan_code)
    wording: Wording = catalogue.cache[key]
    return wording


def _describe(parts: list[PartInfo]) -> str:
    return ", ".join(f"{p.part or '-'} ({'/'.join(p.labels) or p.indicator_code})" for p in parts)


def resolve_part(parts: list[PartInfo], measure: Measure, row_text: str) -> PartInfo:
    """The part a measure reports: by its label, else by the unit it is printed in, else by the row's wording,
    else the default."""
    if len(parts) == 1:
        return parts[0]
    label = measure.label if level_of_label(measure.label) is None else None
    if label:
        hits = [p for p in parts if any(word in fold(label) for word in p.labels)]
        if len(hits) == 1:
            return hits[0]
        defaults = [p for p in parts if p.is_default]
        if not hits and len(defaults) == 1:
            return defaults[0]  # “Nữ tuyển mới: …” beside “trong đó nữ dân tộc thiểu số: …”
        raise MatchError(f"nhãn “{label}” không khớp đúng một phần của chỉ tiêu (các phần: {_describe(parts)})")
    fitting = []
    for p in parts:  # a measure printed with its unit (“100%”) fits only the parts counted in that unit
        try:
            read_measure(measure, p.unit)
            fitting.append(p)
        except NumberFormatError:
            continue
    if len(fitting) == 1:
        return fitting[0]
    hits = [p for p in fitting or parts if any(word in spelled_out(row_text) for word in p.labels)]
    if len(hits) == 1:
        return hits[0]
    defaults = [p for p in (fitting or parts) if p.is_default]
    if len(defaults) == 1:
        return defaults[0]
    raise MatchError(
        f"không xác định được số liệu “{measure.raw}” thuộc phần nào của chỉ tiêu; "
        f"ghi nhãn trước số liệu, ví dụ “Thạc sỹ: 17/40” (các phần: {_describe(parts)})"
    )
