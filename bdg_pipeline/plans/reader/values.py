"""Values with their unit in a chỉ tiêu's wording (%, /100, /1.000, /100.000, lần, tin bài per quarter,
chuyên mục per month) and the direction words just around them."""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = r"\d+(?:[.,]\d+)?"
PATTERNS = (
    ("per_100000", re.compile(rf"(?P<cmp>[<>≤≥])?\s*(?P<v>{NUMBER})[^\d%;/]{{0,40}}?/\s*100[.\s]000(?!\d)")),
    ("per_1000", re.compile(rf"(?P<cmp>[<>≤≥])?\s*(?P<v>{NUMBER})[^\d%;/]{{0,40}}?/\s*1[.\s]?000(?![\d.])")),
    ("per_100", re.compile(rf"(?P<cmp>[<>≤≥])?\s*(?P<v>{NUMBER})[^\d%;/]{{0,40}}?/\s*100(?![\d.])")),
    ("percent", re.compile(rf"(?P<cmp>[<>≤≥])?\s*(?P<v>{NUMBER})\s*%")),
    ("times", re.compile(rf"(?P<cmp>)(?P<v>{NUMBER})\s*lần\b")),
    ("count", re.compile(r"(?P<cmp>)(?P<v>\d+)\s+(?:tin|bài|chuyên mục|chuyên đề|chương trình|phóng sự)\b")),
)
# (words, direction), the one nearest before the value wins
CUES = (
    ("không vượt quá", "at_most"),
    ("không quá", "at_most"),
    ("tối đa", "at_most"),
    ("xuống", "at_most"),
    ("còn", "at_most"),
    ("dưới", "below"),
    ("trên", "above"),
    ("khoảng", "about"),
    ("ở mức", "level"),
    ("ít nhất", "at_least"),
    ("tối thiểu", "at_least"),
    ("lên", "at_least"),
    ("giảm", "reduce"),
)
COMPARATORS = {"<": "below", ">": "above", "≤": "at_most", "≥": "at_least"}
AFTER = (("trở lên", "at_least"), ("trở xuống", "at_most"))


@dataclass
class Value:
    start: int
    end: int
    number: float
    unit: str
    cue: str | None  # direction said by the words around the value (level: “ở mức”, reduce: “giảm X %”)
    raw: str


def to_number(text: str) -> float:
    """“1,6” → 1.6; “99,6” → 99.6; “1.5” → 1.5 (plans are not always consistent); “1.000” → 1000."""
    if "," in text:
        return float(text.replace(".", "").replace(",", "."))
    whole, _, frac = text.partition(".")
    return float(whole + frac) if len(frac) == 3 else float(text)


def _cue(before: str, after: str, comparator: str) -> str | None:
    if comparator:
        return COMPARATORS[comparator]
    for words, direction in AFTER:
        if after.lstrip().lower().startswith(words):
            return direction
    window = before[-28:].lower()
    best: tuple[int, str] | None = None
    for words, direction in CUES:
        at = window.rfind(words)
        if at >= 0 and (best is None or at + len(words) > best[0]):
            best = (at + len(words), direction)
    return best[1] if best else None


def values(text: str) -> list[Value]:
    """Every value with a unit, left to right; a span is taken by the first pattern that claims it. Direction
    words are looked for between the previous value and this one."""
    claimed: list[tuple[str, re.Match[str]]] = []
    for unit, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if any(other.start() < m.end() and m.start() < other.end() for _u, other in claimed):
                continue
            if unit == "count":
                lowered = text.lower()
                unit = "count_per_quarter" if "quý" in lowered else "count_per_month" if "tháng" in lowered else ""
                if not unit:
                    continue
            claimed.append((unit, m))
    found: list[Value] = []
    for unit, m in sorted(claimed, key=lambda c: c[1].start()):
        previous = found[-1].end if found else 0
        cue = _cue(text[previous : m.start("v")], text[m.end() :], (m.group("cmp") or "").strip())
        start = m.start("v") - (1 if m.group("cmp") else 0)
        found.append(Value(start, m.end(), to_number(m.group("v")), unit, cue, m.group(0).strip()))
    return found
