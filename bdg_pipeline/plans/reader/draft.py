"""A plan document read into a :class:`PlanDraft`: what the reader finds, row by row, with “Cần xem lại”
wherever the text does not settle a field."""

from __future__ import annotations

import re
from pathlib import Path

from ...areas import province_code
from ...catalogue import Catalogue
from ...plans.model import BudgetLine, Deadline, Objective, PlanDraft, PlanInfo, TargetRow
from ...vocabulary import UNITS
from .activities import activities
from .agencies import Assignment, from_appendix, from_organising
from .codes import CodeMatcher
from .document_text import DocumentRefused, document_text
from .names import AgencyNames
from .paragraphs import paragraphs
from .parts import Part, PartReader
from .structure import budget, deadlines, objectives, organising_section, title_and_period

PART_LETTERS = "abcd"


def agency_names(catalogue: Catalogue) -> AgencyNames:
    a = catalogue.agencies
    return AgencyNames(
        (code, name, [x for x in str(aliases).split("; ") if x])
        for code, name, aliases in zip(a.agency_code, a.name, a.aliases, strict=True)
    )


def plan_code(province: str, start: int | None, end: int | None) -> str:
    initials = "".join(w[0] for w in province.split()).upper()
    plain = initials.translate(str.maketrans("ĐÁÀẢÃẠÂĂÊÔƠƯ", "DAAAAAAAEOOU"))
    years = f"{start}" if start == end else f"{start}-{end}"
    return f"{plain}-{years}"


def draft_plan(path: Path, catalogue: Catalogue) -> PlanDraft:
    text = document_text(path)
    paras = paragraphs(text)
    title, province, start, end = title_and_period(text)
    if start is None or end is None:
        raise DocumentRefused(
            f"{path.name}: không tìm thấy tên và kỳ của kế hoạch (dòng “KẾ HOẠCH” rồi tên kế hoạch "
            "có năm). Kiểm tra đây có phải văn bản kế hoạch không."
        )
    info = PlanInfo(
        code=plan_code(province, start, end),
        province=province,
        title=title,
        start=start,
        end=end,
        monitoring_start=start - 1,
        monitoring_end=end,
        seed_file=path.name,
    )
    if not province or province_code(province, catalogue.areas) is None:
        info.review["province"] = "Không nhận ra tỉnh trong tên kế hoạch: ghi tên tỉnh"
    if info.code in set(catalogue.plans.plan_code):
        info.review["code"] = f"Mã {info.code} đã có trong danh mục: đặt mã khác nếu đây là kế hoạch khác"
    found_deadlines = deadlines(paras)
    info.deadlines = [Deadline(period, due, "") for period, due, _s in found_deadlines]
    if not found_deadlines:
        info.review["due_nam"] = "Không tìm thấy hạn báo cáo trong văn bản: ghi hạn (ngày/tháng)"
    names = agency_names(catalogue)
    full_name = dict(zip(catalogue.agencies.agency_code, catalogue.agencies.name, strict=True))
    blocks = objectives(paras)
    numbers = {b.number: [i.number for i in b.indicators] for b in blocks}
    organised = from_organising(organising_section(paras), names, numbers)
    appendix = from_appendix(text, names)
    ic = catalogue.indicator_codes
    matcher = CodeMatcher(list(zip(ic.indicator_code, ic.unit, ic.name, strict=True)))
    reader = PartReader(start, end)
    draft = PlanDraft(info=info)
    for block in blocks:
        heading = block.heading
        field = re.sub(r"^Trong\s+(lĩnh vực|đời sống)\s+", "", heading, flags=re.I).rstrip(":. ")
        draft.objectives.append(
            Objective(
                block.number, field[:1].upper() + field[1:], block.statement.rstrip(". ") or heading.rstrip(":. ")
            )
        )
        for indicator in block.indicators:
            key = (block.number, indicator.number)
            rows = _appendix_parts(appendix.get(key, []), reader, indicator.text)
            if rows is None:
                parts = reader.read(indicator.text)
                per_part = [organised.get(key) or _from_rows(appendix.get(key, []))] * len(parts)
            else:
                parts, per_part = rows
            taken: set[str] = set()
            for letter, part, assignment in zip(PART_LETTERS + "efghij", parts, per_part, strict=False):
                texts = [part.words_before, part.words_after, part.clause] if len(parts) > 1 else [part.clause]
                choice = matcher.choose([t for t in texts if t.strip()], part.unit, part.labels, taken)
                taken.add(choice.code)
                draft.rows += _rows(
                    block.number,
                    indicator.number,
                    letter if len(parts) > 1 else "",
                    indicator.text,
                    part,
                    assignment,
                    choice,
                    full_name,
                )
            if not parts:
                draft.rows.append(
                    TargetRow(
                        block.number,
                        indicator.number,
                        "",
                        indicator.text,
                        "",
                        "percent",
                        "at_least",
                        end,
                        None,
                        review="Không đọc được đích đo nào trong chỉ tiêu: ghi giá trị, đơn vị, chiều và năm",
                        quote=indicator.text,
                    )
                )
    _flag_shared_codes(draft.rows)
    if not blocks:  # an activity plan: its tasks, agency by agency
        draft.activities = activities(organising_section(paras), names, full_name, end)
    _budget(draft, paras)
    return draft


def _flag_shared_codes(rows: list[TargetRow]) -> None:
    """A plan measures a quantity once: a code chosen for two chỉ tiêu is a wrong guess for one of them at least
    (no plan of the catalogue uses a code twice), so both are said."""
    where: dict[str, set[tuple[int | None, int | None]]] = {}
    for r in rows:
        where.setdefault(r.indicator_code, set()).add((r.objective_no, r.indicator_no))
    for r in rows:
        others = sorted(k for k in where[r.indicator_code] if k != (r.objective_no, r.indicator_no))
        if others:
            named = ", ".join(f"{o}.{i}" for o, i in others)
            flag = f"Mã chỉ số {r.indicator_code} cũng được chọn cho chỉ tiêu {named}: chọn mã đúng cho từng chỉ tiêu"
            r.review = "; ".join(f for f in (r.review, flag) if f)


def _from_rows(rows: list[tuple[str, list[str]]]) -> Assignment | None:
    if not rows:
        return None
    assignment = Assignment()
    for code in rows[0][1]:
        assignment.add(code, "lead", [], "PHỤ LỤC, cột cơ quan báo cáo")
    return assignment


def _appendix_parts(
    rows: list[tuple[str, list[str]]], reader: PartReader, text: str
) -> tuple[list[Part], list[Assignment | None]] | None:
    """A chỉ tiêu the appendix splits into “- …” sub-rows: one part per sub-row, with that row's agencies."""
    subrows = [(body, codes) for body, codes in rows if body.startswith(("-", "–"))]
    if len(subrows) < 2:
        return None
    parts: list[Part] = []
    assignments: list[Assignment | None] = []
    for body, codes in subrows:
        for part in reader.read(body.lstrip("-– ")):
            part.flags.append("Phần tách theo các dòng của PHỤ LỤC: đối chiếu với câu chỉ tiêu trong kế hoạch")
            parts.append(part)
            assignments.append(_from_rows([(body, codes)]))
    return parts, assignments


def _rows(
    objective: int,
    number: int,
    letter: str,
    text: str,
    part: Part,
    assignment: Assignment | None,
    choice,
    full_name: dict[str, str],
) -> list[TargetRow]:
    flags = list(dict.fromkeys(part.flags))
    leads = [full_name[c] for c in assignment.leads] if assignment else []
    cos = [full_name[c] for c in assignment.cos] if assignment else []
    if not leads:
        flags.append("Không tìm thấy cơ quan chủ trì (báo cáo) chỉ tiêu này trong mục Tổ chức thực hiện: chọn cơ quan")
    elif assignment and len(set(assignment.where)) > 1:  # two items of “Tổ chức thực hiện” claim it
        shares = "; ".join(n for n in assignment.notes if n)
        flags.append(
            "Nhiều cơ quan cùng chủ trì báo cáo chỉ tiêu"
            + (f" ({shares})" if shares else "")
            + ": cơ quan ghi đầu tiên báo cáo số liệu; xem có cần tách phần theo cơ quan"
        )
    if not choice.known:
        flags.append("Chưa có mã chỉ số dùng chung khớp câu chữ: đã đề xuất mã mới — kiểm tra danh mục chỉ số")
    elif choice.score < CodeMatcher.THRESHOLD or choice.rival:
        rival = f"; gần như khớp cả “{choice.rival}”" if choice.rival else ""
        flags.append(f"Mã chỉ số chọn theo tên gần nhất ({choice.name}, khớp {choice.score:.0%} từ{rival}): kiểm tra")
    if part.unit not in UNITS:
        flags.append("Không xác định được đơn vị")
    rows = []
    baseline_year, baseline_value = part.baseline if part.baseline else (None, None)
    for year in sorted(part.targets):
        value, direction = part.targets[year]
        rows.append(
            TargetRow(
                objective_no=objective,
                indicator_no=number,
                part=letter,
                text=text,
                indicator_code=choice.code,
                unit=part.unit,
                direction=direction,
                year=year,
                value=value,
                leads=leads,
                cos=cos,
                review="; ".join(flags),
                quote=part.quote,
                baseline_value=baseline_value,
                baseline_year=baseline_year,
                yearly=part.yearly,
                indicator_name=choice.name,
                labels=part.labels,
                source=f"Mục tiêu {objective}, Chỉ tiêu {number}",
                agency_source="; ".join(dict.fromkeys(assignment.where)) if assignment else "",
            )
        )
    return rows


def _budget(draft: PlanDraft, paras: list[str]) -> None:
    total, phases, sources = budget(paras)
    if total is None:
        return
    info = draft.info
    draft.budget.append(BudgetLine("total", "Tổng nhu cầu kinh phí", total, info.start, info.end))
    draft.budget += [BudgetLine("phase", name, amount, start, end) for name, start, end, amount in phases]
    draft.budget += [BudgetLine("source", name, amount, info.start, info.end) for name, amount in sources]
