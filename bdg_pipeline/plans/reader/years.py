"""Years in a chỉ tiêu's wording: “vào năm 2025”, “đến năm 2030”, “đến 2030”, “từ năm 2025 (trở đi)”,
“hằng năm”; a term of office (“nhiệm kỳ 2016 - 2021”) is noticed, never taken for a target year."""

from __future__ import annotations

import re
from dataclasses import dataclass

TERM = re.compile(r"(nhiệm kỳ|giai đoạn)\s+((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)", re.I)
YEARLY = re.compile(r"\b(hằng|hàng)\s+năm\b", re.I)
YEAR = re.compile(
    r"(?:(?P<pre>từ|đến|vào|trong)\s+)?(?:năm\s+)?(?P<y>(?:19|20)\d\d)(?P<on>\s+trở\s+đi)?(?![\d/])", re.I
)


@dataclass(frozen=True)
class YearSpec:
    """When a value is due: at a year, from a year onward, or every year of the period."""

    kind: str  # at / onward / yearly
    year: int = 0

    def years(self, start: int, end: int) -> list[int]:
        if self.kind == "yearly":
            return list(range(start, end + 1))
        if self.kind == "onward":
            return [y for y in milestones(start, end) if y >= self.year] or [self.year]
        return [self.year]


@dataclass(frozen=True)
class YearToken:
    start: int
    end: int
    spec: YearSpec
    prefix: str  # từ / đến / vào / trong / ""


def milestones(start: int, end: int) -> list[int]:
    """The years a target without a year is set for: 2025 and 2030 in a 2021–2030 plan, else the last year."""
    return [2025, end] if start <= 2025 < end else [end]


def terms(text: str) -> list[str]:
    """Terms of office and stages written where a year could be (“nhiệm kỳ 2016 - 2021”)."""
    return [m.group(0) for m in TERM.finditer(text) if m.group(1).lower().startswith("nhiệm")]


def year_tokens(text: str) -> list[YearToken]:
    masked = TERM.sub(lambda m: " " * len(m.group(0)), text)
    found = [YearToken(m.start(), m.end(), YearSpec("yearly"), "") for m in YEARLY.finditer(masked)]
    for m in YEAR.finditer(masked):
        prefix = (m.group("pre") or "").lower()
        kind = "onward" if prefix == "từ" or m.group("on") else "at"
        found.append(YearToken(m.start(), m.end(), YearSpec(kind, int(m.group("y"))), prefix))
    return sorted(found, key=lambda t: t.start)
