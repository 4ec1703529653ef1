"""Agencies across the 2025 reform of provincial departments: each agency's validity, its successors, and
which agency answers for a chỉ tiêu in a given reporting period.

Where a dissolved agency's work was split (Sở Lao động - Thương binh và Xã hội), the successor of a chỉ tiêu is
chosen by its function, read from the indicator's name against the ``words`` of each successor in
``agencies.yaml``; the rule lives there and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .areas import plain

# The office that collects the returns (state management of gender equality): named in every template's
# instructions, as the agency of that office which exists in the template's period.
COLLECTING_OFFICE = "LDTBXH"
Span = tuple[str, pd.Timestamp | None, pd.Timestamp | None]  # an agency and the days it answers (None: open)


def agency_rows(entries: list[dict[str, Any]], file_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``agencies.yaml`` as two frames: the agencies with their validity, and one row per successor rule."""
    agencies = pd.DataFrame(
        [
            {
                "agency_code": e.get("code", ""),
                "name": e.get("name", ""),
                "aliases": "; ".join(e.get("aliases") or []),
                "valid_from": _day(e.get("valid_from")),
                "valid_to": _day(e.get("valid_to")),
                "source": e.get("source", ""),
                "source_file": file_name,
                "entry": f"code {e.get('code')}",
            }
            for e in entries
        ],
        columns=["agency_code", "name", "aliases", "valid_from", "valid_to", "source", "source_file", "entry"],
    )
    successors = pd.DataFrame(
        [
            {
                "old_code": e.get("code", ""),
                "new_code": str(s.get("code", "")),
                "position": position,
                "words": "; ".join(s.get("words") or []),
                "effective_date": _next_day(e.get("valid_to")),
                "source_file": file_name,
                "entry": f"code {e.get('code')}, cơ quan kế nhiệm {s.get('code')}",
            }
            for e in entries
            for position, s in enumerate(e.get("successors") or [], start=1)
        ],
        columns=["old_code", "new_code", "position", "words", "effective_date", "source_file", "entry"],
    )
    return agencies, successors


def _day(value: object) -> pd.Timestamp | None:
    return None if value in (None, "") else pd.Timestamp(str(value))


def _next_day(value: object) -> pd.Timestamp | None:
    day = _day(value)
    return None if day is None else day + pd.Timedelta(days=1)


def rule_problems(agencies: pd.DataFrame, successors: pd.DataFrame) -> list[str]:
    """What pandera cannot see row by row: a dissolved agency without successors, a successor not yet in
    existence the day after, a split without exactly one successor for the remaining chỉ tiêu."""
    problems = []
    by_code = agencies.set_index("agency_code")
    for row in agencies[agencies.valid_to.notna()].itertuples():
        mine = successors[successors.old_code == row.agency_code]
        where = f"{row.source_file}, {row.entry}"
        if mine.empty:
            problems.append(f"{where}: cơ quan hết hiệu lực ({row.valid_to:%d/%m/%Y}) mà không có cơ quan kế nhiệm")
            continue
        defaults = int((mine.words == "").sum())
        if defaults != 1:
            problems.append(
                f"{where}: cần đúng một cơ quan kế nhiệm không ghi “words” (nhận các chỉ tiêu còn lại), "
                f"đang có {defaults}"
            )
        for new in mine.new_code:
            if new not in by_code.index:
                continue  # named by the schema check
            start, end = by_code.at[new, "valid_from"], by_code.at[new, "valid_to"]
            day = row.valid_to + pd.Timedelta(days=1)
            if (pd.notna(start) and start > day) or (pd.notna(end) and end < day):
                problems.append(f"{where}: cơ quan kế nhiệm {new} không tồn tại vào ngày {day:%d/%m/%Y}")
    for row in successors[successors.old_code.isin(agencies[agencies.valid_to.isna()].agency_code)].itertuples():
        problems.append(
            f"{row.source_file}, {row.entry}: cơ quan chưa hết hiệu lực (không có valid_to) "
            "thì không có cơ quan kế nhiệm"
        )
    return problems


@dataclass(frozen=True)
class AgencyTimeline:
    """The agencies' validity and successor rules, ready for per-chỉ tiêu questions."""

    agencies: pd.DataFrame
    successors: pd.DataFrame

    @functools.cached_property
    def by_code(self) -> pd.DataFrame:
        """The agencies by code, indexed once (a frozen timeline still keeps what it worked out)."""
        return self.agencies.set_index("agency_code")

    def exists_on(self, agency_code: str, day: dt.date) -> bool:
        row = self.by_code.loc[agency_code]
        stamp = pd.Timestamp(day)
        return (pd.isna(row.valid_from) or row.valid_from <= stamp) and (pd.isna(row.valid_to) or row.valid_to >= stamp)

    def successor(self, agency_code: str, indicator_name: str) -> str | None:
        """The agency that took over ``agency_code``'s work on a chỉ tiêu of this name (None: not dissolved)."""
        rules = self.successors[self.successors.old_code == agency_code].sort_values("position")
        if rules.empty:
            return None
        name = plain(indicator_name)
        for new_code, words in zip(rules.new_code, rules.words, strict=True):
            if words and any(plain(w) in name for w in words.split(";") if w.strip()):
                return str(new_code)
        return str(rules[rules.words == ""].new_code.iloc[0])

    def chain(self, agency_code: str, indicator_name: str) -> list[Span]:
        """(agency, from, to) answering for a chỉ tiêu over time, starting with the one the plan names."""
        by_code = self.agencies.set_index("agency_code")
        spans: list[Span] = []
        code: str | None = agency_code
        start = None
        while code is not None and len(spans) < len(by_code):  # a cycle in the rules cannot loop forever
            end = by_code.at[code, "valid_to"]
            spans.append((code, start, None if pd.isna(end) else end))
            if pd.isna(end):
                break
            start = end + pd.Timedelta(days=1)
            code = self.successor(code, indicator_name)
        return spans

    def on(self, agency_code: str, indicator_name: str, day: dt.date) -> str:
        """The agency answering on ``day`` for a chỉ tiêu the plan gave to ``agency_code``."""
        stamp = pd.Timestamp(day)
        for code, start, end in self.chain(agency_code, indicator_name):
            if (start is None or start <= stamp) and (end is None or end >= stamp):
                return code
        return agency_code


def reporting_agencies(
    plan_indicators: pd.DataFrame, indicator_names: dict[str, str], timeline: AgencyTimeline
) -> pd.DataFrame:
    """One row per chỉ tiêu part and agency answering for it, with the days it does (valid_from/valid_to,
    empty = open): the plan's lead, then its successor by the part's function."""
    rows = []
    chains: dict[tuple[str, str], list] = {}  # a national catalogue repeats the same few pairs thousands of times
    for part in plan_indicators.itertuples():
        pair = (str(part.lead_agency), str(part.indicator_code))
        if pair not in chains:
            chains[pair] = timeline.chain(pair[0], indicator_names.get(pair[1], ""))
        for code, start, end in chains[pair]:
            rows.append(
                {
                    "plan_code": part.plan_code,
                    "objective_no": part.objective_no,
                    "indicator_no": part.indicator_no,
                    "part": part.part,
                    "agency_code": code,
                    "valid_from": start,
                    "valid_to": end,
                }
            )
    return pd.DataFrame(
        rows, columns=["plan_code", "objective_no", "indicator_no", "part", "agency_code", "valid_from", "valid_to"]
    )


def read_timeline(catalogue_dir: Path) -> AgencyTimeline:
    """The timeline of a catalogue folder, without reading its plans (for generators of plans)."""
    import yaml

    path = catalogue_dir / "agencies.yaml"
    agencies, successors = agency_rows(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    return AgencyTimeline(agencies, successors)


PART_KEY = ["plan_code", "objective_no", "indicator_no", "part"]


def answering_on(reporters: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The rows of :func:`reporting_agencies` in force on ``day``: one agency per chỉ tiêu part."""
    stamp = pd.Timestamp(day)
    start, end = pd.to_datetime(reporters.valid_from), pd.to_datetime(reporters.valid_to)
    return reporters[(start.isna() | (start <= stamp)) & (end.isna() | (end >= stamp))]


def taken_over(reporters: pd.DataFrame, plan_code: str, agency_code: str, day: dt.date) -> dict[str, list[str]]:
    """Successor → the plan's chỉ tiêu (“3.2a”) it answers for on ``day`` that ``agency_code`` once did."""
    mine = reporters[(reporters.plan_code == plan_code) & (reporters.agency_code == agency_code)][PART_KEY]
    now = answering_on(reporters, day).merge(mine.drop_duplicates(), on=PART_KEY)
    now = now[now.agency_code != agency_code].sort_values(["objective_no", "indicator_no", "part"])
    out: dict[str, list[str]] = {}
    for row in now.itertuples():
        out.setdefault(str(row.agency_code), []).append(f"{row.objective_no}.{row.indicator_no}{row.part}")
    return out


def not_in_existence(
    timeline: AgencyTimeline, reporters: pd.DataFrame, plan_code: str, agency_code: str, year: int, day: dt.date
) -> str:
    """Why ``agency_code`` cannot report on ``year`` of the plan, and who does instead (for officers)."""
    row = timeline.agencies.set_index("agency_code").loc[agency_code]
    names = dict(zip(timeline.agencies.agency_code, timeline.agencies.name, strict=True))
    if pd.notna(row.valid_from) and row.valid_from > pd.Timestamp(day):
        return (
            f"{row['name']} được thành lập từ ngày {row.valid_from:%d/%m/%Y}, sau kỳ báo cáo năm {year}: "
            "số liệu năm đó do cơ quan trước đó báo cáo."
        )
    text = f"{row['name']} không còn từ ngày {row.valid_to + pd.Timedelta(days=1):%d/%m/%Y}"
    text += f" ({row.source})" if row.source else ""
    successors = taken_over(reporters, plan_code, agency_code, day)
    if successors:
        text += (
            f". Năm {year}, các chỉ tiêu của cơ quan này trong kế hoạch {plan_code} do cơ quan kế nhiệm báo cáo: "
            + "; ".join(f"{names[code]} (chỉ tiêu {', '.join(parts)})" for code, parts in successors.items())
        )
    else:
        rules = timeline.successors[timeline.successors.old_code == agency_code].sort_values("position")
        text += ". Cơ quan kế nhiệm: " + "; ".join(names[code] for code in rules.new_code)
    return text + "."
