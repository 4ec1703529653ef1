"""A reviewed :class:`PlanDraft` as the catalogue's plan document (``plans/<CODE>.yaml``): parts grouped
from their target rows, agencies by code, new indicator codes for ``indicators.yaml``. Every inconsistency
between the rows of one part is named at its cell."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..returns.model import Problem
from .model import PlanDraft, TargetRow
from .sheets import (
    ACTIVITIES_SHEET,
    ACTIVITY_LETTER,
    OBJECTIVE_LETTER,
    OBJECTIVES_SHEET,
    TARGET_LETTER,
    TARGETS_SHEET,
)


@dataclass
class PlanDocument:
    doc: dict[str, Any]
    new_codes: list[dict[str, str]] = field(default_factory=list)  # entries to add to indicators.yaml
    # (objective, indicator, part, year) → the ChiTieu row it came from, to name cells of later failures
    target_rows: dict[tuple[int, int, str, int], int] = field(default_factory=dict)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _cell(key: str, row: int) -> str:
    return f"{TARGET_LETTER[key]}{row}"


def plan_document(
    draft: PlanDraft, code_of: Callable[[str], str | None], known_units: dict[str, str], problems: list[Problem]
) -> PlanDocument:
    """``code_of`` gives an agency's code from its name; ``known_units`` the unit of each indicator code."""
    info = draft.info
    plan: dict[str, Any] = {"code": info.code, "province": info.province}
    if info.province_code:
        plan["province_code"] = info.province_code
    plan |= {"title": info.title, "seed_file": info.seed_file, "period": [info.start, info.end]}
    default_monitoring = (info.start - 1 if info.start else None, info.end)
    monitoring = (info.monitoring_start or default_monitoring[0], info.monitoring_end or default_monitoring[1])
    if monitoring != default_monitoring:
        plan["monitoring_period"] = list(monitoring)
    plan["reporting"] = [
        {"period": d.period, "due": d.due, **({"source": d.source} if d.source else {})} for d in info.deadlines
    ]
    result = PlanDocument({"plan": plan})
    if draft.budget:
        result.doc["budget"] = _budget(draft)
    numbers = Counter(o.number for o in draft.objectives)
    for obj in draft.objectives:
        if numbers[obj.number] > 1:
            problems.append(
                Problem(
                    OBJECTIVES_SHEET,
                    f"{OBJECTIVE_LETTER['number']}{obj.excel_row}",
                    f"Mục tiêu {obj.number} ghi hai lần",
                    str(obj.number),
                )
            )
    result.doc["objectives"] = [
        {"number": o.number, "field": o.field, "text": o.text, **({"source": o.source} if o.source else {})}
        for o in draft.objectives
    ]
    result.doc["indicators"] = _indicators(draft, code_of, known_units, result, problems)
    if draft.activities:
        result.doc["activities"] = _activities(draft, code_of, problems)
    return result


def _budget(draft: PlanDraft) -> dict[str, Any]:
    budget: dict[str, Any] = {}
    if draft.info.budget_source:
        budget["source"] = draft.info.budget_source
    budget["unit"] = draft.info.budget_unit
    total = [line for line in draft.budget if line.category == "total"]
    budget["total"] = _number(total[0].amount or 0) if total else 0
    budget["phases"] = [
        {"name": p.name, "start": p.start, "end": p.end, "amount": _number(p.amount or 0)}
        for p in draft.budget
        if p.category == "phase"
    ]
    budget["sources"] = [
        {"name": s.name, "amount": _number(s.amount or 0)} for s in draft.budget if s.category == "source"
    ]
    return budget


def _group(rows: list[TargetRow]) -> dict[tuple[int, int], dict[str, list[TargetRow]]]:
    grouped: dict[tuple[int, int], dict[str, list[TargetRow]]] = {}
    for row in rows:
        if row.objective_no is None or row.indicator_no is None:
            continue  # already named as a problem by the reader
        grouped.setdefault((row.objective_no, row.indicator_no), {}).setdefault(row.part, []).append(row)
    return grouped


def _same(
    rows: list[TargetRow], key: str, what: str, problems: list[Problem], value: Callable[[TargetRow], object]
) -> None:
    first = value(rows[0])
    for row in rows[1:]:
        if value(row) != first:
            part = f" phần {row.part}" if row.part else ""
            problems.append(
                Problem(
                    TARGETS_SHEET,
                    _cell(key, row.excel_row),
                    f"{what} khác dòng {rows[0].excel_row} của cùng chỉ tiêu "
                    f"{row.objective_no}.{row.indicator_no}{part}",
                    str(value(row)),
                    f"Ghi giống nhau ở mọi dòng của chỉ tiêu{part}.",
                )
            )


def _indicators(
    draft: PlanDraft,
    code_of: Callable[[str], str | None],
    known_units: dict[str, str],
    result: PlanDocument,
    problems: list[Problem],
) -> list[dict[str, Any]]:
    start, end = draft.info.start, draft.info.end
    entries = []
    proposed: dict[str, str] = {}
    for (objective, indicator), parts in _group(draft.rows).items():
        first = next(iter(parts.values()))[0]
        entry: dict[str, Any] = {"id": f"{objective}.{indicator}", "source": first.source, "text": first.text}
        if first.note:
            entry["note"] = first.note
        every_row = [row for rows in parts.values() for row in rows]
        for key, what, get in (
            ("text", "Nội dung chỉ tiêu", lambda r: r.text),
            ("source", "Mục trong kế hoạch", lambda r: r.source),
            ("note", "Ghi chú", lambda r: r.note),
            ("agency_source", "Mục giao cơ quan", lambda r: r.agency_source),
        ):
            _same(every_row, key, what, problems, get)
        agencies = {
            part: ([code_of(n) or "" for n in rows[0].leads], [code_of(n) or "" for n in rows[0].cos])
            for part, rows in parts.items()
        }
        shared = len(set(map(repr, agencies.values()))) == 1
        if shared:
            leads, cos = next(iter(agencies.values()))
            entry["lead"] = leads[0] if len(leads) == 1 else leads
            if cos:
                entry["co"] = cos
        entry["agency_source"] = first.agency_source
        entry["parts"] = []
        for part, rows in parts.items():
            for key, what, get in (
                ("code", "Mã chỉ số", lambda r: r.indicator_code),
                ("unit", "Đơn vị", lambda r: r.unit),
                ("leads", "Cơ quan chủ trì", lambda r: r.leads),
                ("cos", "Cơ quan phối hợp", lambda r: r.cos),
                ("baseline_value", "Mức gốc", lambda r: r.baseline_value),
                ("baseline_year", "Năm gốc", lambda r: r.baseline_year),
                ("labels", "Nhãn trong báo cáo", lambda r: r.labels),
                ("default", "Phần mặc định", lambda r: r.default),
            ):
                _same(rows, key, what, problems, get)
            spec = _part(rows, start, end, problems)
            if not shared:
                spec["lead"] = agencies[part][0][0] if len(agencies[part][0]) == 1 else agencies[part][0]
                spec["co"] = agencies[part][1]
            entry["parts"].append(spec)
            code, unit = rows[0].indicator_code, rows[0].unit
            if code in known_units and known_units[code] != unit:
                problems.append(
                    Problem(
                        TARGETS_SHEET,
                        _cell("unit", rows[0].excel_row),
                        f"Mã chỉ số {code} có đơn vị {known_units[code]} trong danh mục chỉ số",
                        unit,
                        f"Ghi đơn vị {known_units[code]}, hoặc đặt mã chỉ số mới cho đại lượng này.",
                    )
                )
            elif code and code not in known_units and code not in proposed:
                proposed[code] = unit
                if not rows[0].indicator_name:
                    problems.append(
                        Problem(
                            TARGETS_SHEET,
                            _cell("indicator_name", rows[0].excel_row),
                            f"Mã chỉ số mới {code} cần có tên chỉ số",
                            "",
                            "Ghi tên đại lượng đo, ví dụ “Tỷ lệ nữ …”.",
                        )
                    )
                result.new_codes.append({"code": code, "unit": unit, "name": rows[0].indicator_name})
            for row in rows:
                if row.year is not None:
                    result.target_rows[(objective, indicator, part, row.year)] = row.excel_row
        entries.append(entry)
    return entries


def _part(rows: list[TargetRow], start: int | None, end: int | None, problems: list[Problem]) -> dict[str, Any]:
    first = rows[0]
    spec: dict[str, Any] = {}
    if first.part:
        spec["part"] = first.part
    spec["code"] = first.indicator_code
    yearly = [r for r in rows if r.yearly]
    direction = yearly[0].direction if yearly else Counter(r.direction for r in rows).most_common(1)[0][0]
    spec["direction"] = direction
    if yearly:
        years = sorted(r.year for r in yearly if r.year is not None)
        values = {r.value for r in yearly}
        expected = list(range(start, end + 1)) if start and end else []
        if years != expected or len(values) != 1 or any(r.direction != direction for r in yearly):
            problems.append(
                Problem(
                    TARGETS_SHEET,
                    _cell("yearly", yearly[0].excel_row),
                    "Chỉ tiêu “hằng năm” phải có một dòng cho mỗi năm của kỳ kế hoạch, cùng giá trị và cùng chiều",
                    "; ".join(map(str, years)),
                    "Thêm các năm còn thiếu, hoặc xóa chữ “Có” ở cột “Hằng năm”.",
                )
            )
        spec["yearly"] = _number(yearly[0].value or 0)
    others = [r for r in rows if not r.yearly]
    if others:
        spec["targets"] = [
            [r.year, _number(r.value or 0)] + ([r.direction] if r.direction != direction else []) for r in others
        ]
    if first.labels:
        spec["labels"] = first.labels
    if first.default:
        spec["default"] = True
    if first.baseline_value is not None:
        spec["baseline"] = [first.baseline_year, _number(first.baseline_value)]
    return spec


def _activities(
    draft: PlanDraft, code_of: Callable[[str], str | None], problems: list[Problem]
) -> list[dict[str, Any]]:
    found = []
    numbers = Counter(a.number for a in draft.activities)
    for act in draft.activities:
        if numbers[act.number] > 1:
            problems.append(
                Problem(
                    ACTIVITIES_SHEET,
                    f"{ACTIVITY_LETTER['number']}{act.excel_row}",
                    f"Hoạt động số {act.number} ghi hai lần",
                    str(act.number),
                )
            )
        entry: dict[str, Any] = {
            "number": act.number,
            "source": act.source,
            "lead": code_of(act.lead) or "",
            "co": [code_of(c) or "" for c in act.cos],
        }
        if act.district:
            entry["district"] = act.district
        if act.commune:
            entry["commune"] = act.commune
        if act.due:
            entry["due"] = act.due.isoformat()
        entry["text"] = act.text
        found.append(entry)
    return found


def dump(document: PlanDocument, origin: str) -> str:
    """The plan file's text: a comment saying where it came from, then the document."""
    plan = document.doc["plan"]
    header = f"# {plan['title']}\n# Nạp từ biểu rà soát {origin} (bdg plan load).\n"
    return header + yaml.safe_dump(
        document.doc, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None
    )


def dump_codes(entries: list[dict[str, str]]) -> str:
    """Lines to append to indicators.yaml, one flow mapping per code as the file writes them."""
    return "".join(
        yaml.safe_dump(
            [{"code": e["code"], "unit": e["unit"], "name": e["name"]}],
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=None,
            width=1000,
        )
        for e in entries
    )
