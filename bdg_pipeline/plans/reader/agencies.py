"""Who leads (chủ trì, reports) and who joins (phối hợp) each chỉ tiêu: from the section “Tổ chức thực hiện”
(“chịu trách nhiệm … báo cáo chỉ tiêu 1, 2 của mục tiêu 2”, “Chủ trì thực hiện Chỉ tiêu 3 của Mục tiêu 2”,
“xây dựng kế hoạch và tổ chức triển khai thực hiện Mục tiêu 5”), else from the reporting-agency column of
the plan's appendix (PHỤ LỤC)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .names import AgencyNames

ITEM = re.compile(r"^\d+\.\s")
LEAD_VERBS = re.compile(
    r"chủ trì|chịu trách nhiệm|báo cáo|triển khai thực hiện|tổ chức thực hiện|tổ chức triển khai|"
    r"thu thập",
    re.I,
)
CO_VERBS = re.compile(r"phối hợp|thực hiện tốt", re.I)
REFERENCE = re.compile(r"(?P<obj>mục\s+tiêu\s+(?P<on>\d{1,2}))|(?P<num>\b\d{1,2}\b)", re.I)


@dataclass
class Assignment:
    leads: list[str] = field(default_factory=list)
    cos: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the words qualifying an agency's share (“số liệu về …”)
    where: list[str] = field(default_factory=list)  # the item(s) of “Tổ chức thực hiện” that say so

    def add(self, code: str, role: str, cos: list[str], where: str, note: str = "") -> None:
        if role == "lead":
            if code not in self.leads:
                self.leads.append(code)
                self.where.append(where)
            if code in self.cos:
                self.cos.remove(code)
            for co in cos:
                if co not in self.cos and co not in self.leads:
                    self.cos.append(co)
        elif code not in self.leads and code not in self.cos:
            self.cos.append(code)
        if note:
            self.notes.append(note)


def references(sentence: str, objectives: dict[int, list[int]]) -> list[tuple[int, int, int, str]]:
    """(objective, chỉ tiêu, position, qualifier) named in a sentence: “chỉ tiêu 1, 2 của mục tiêu 2”,
    “chỉ tiêu 2 (số liệu …); 3, 4 của mục tiêu 3”, “các chỉ tiêu của mục tiêu 4”, “thực hiện Mục tiêu 5”."""
    lowered = sentence.lower()
    objective_named = re.search(r"mục tiêu\s+\d", lowered)
    starts = [lowered.find("chỉ tiêu"), objective_named.start() if objective_named else -1]
    start = min([i for i in starts if i >= 0], default=-1)
    if start < 0:
        return []
    found: list[tuple[int, int, int, str]] = []
    pending: list[tuple[int, int, str]] = []
    for m in REFERENCE.finditer(sentence, start):
        if m.group("obj"):
            objective = int(m.group("on"))
            chosen = pending or [(n, m.start(), "") for n in objectives.get(objective, [])]
            found += [(objective, n, pos, note) for n, pos, note in chosen if n in objectives.get(objective, [])]
            pending = []
        else:
            note = re.match(r"\s*\(([^)]*)\)", sentence[m.end() :])
            pending.append((int(m.group("num")), m.start(), note.group(1) if note else ""))
    return found


def _role(sentence: str, position: int) -> str:
    lead = [m.end() for m in LEAD_VERBS.finditer(sentence, 0, position)]
    co = [m.end() for m in CO_VERBS.finditer(sentence, 0, position)]
    return "co" if co and (not lead or max(co) > max(lead)) else "lead"


def _subject(text: str, names: AgencyNames) -> str | None:
    """The agency a sentence is about: one named before its first verb (“Đề nghị Liên đoàn Lao động tỉnh chủ trì
    …”, “Sở Nội vụ chủ trì …”), not one it works with (“phối hợp với Sở …”)."""
    verbs = [m.start() for m in (LEAD_VERBS.search(text), CO_VERBS.search(text)) if m]
    return names.first(text[: min(verbs)]) if verbs else None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of “Tổ chức thực hiện” under its numbered item (“4. Sở Nội vụ: …”)."""

    item: str  # the item's number, "" before the first item
    agency: str | None  # the agency the item is about
    text: str  # the paragraph as written
    task: str  # what it asks: the text after the item's head on the item's own line, else the whole paragraph


ITEM_HEAD_END = re.compile(r":|\b(?=Chủ trì\b|Thực hiện\b)")


def organising_paragraphs(section: list[str], names: AgencyNames) -> Iterator[Paragraph]:
    item_agency: str | None = None
    item_no = ""
    for para in section:
        text = para.strip()
        task = text
        if ITEM.match(text):
            item_no = text.split(".")[0]
            head, task = _split_head(text[len(item_no) + 1 :])
            item_agency = names.first(head)
        yield Paragraph(item_no, item_agency, text, task.strip())


def _split_head(rest: str) -> tuple[str, str]:
    """“Sở Nội vụ: chủ trì …” → (“Sở Nội vụ”, “chủ trì …”); “Công an tỉnh Chủ trì …” keeps its verb in the task."""
    found = ITEM_HEAD_END.search(rest)
    if not found:
        return rest, ""
    return rest[: found.start()], rest[found.end() :]


def from_organising(
    section: list[str], names: AgencyNames, objectives: dict[int, list[int]]
) -> dict[tuple[int, int], Assignment]:
    found: dict[tuple[int, int], Assignment] = {}
    for p in organising_paragraphs(section, names):
        text, item_no, item_agency = p.text, p.item, p.agency
        paragraph_subject = _subject(text.lstrip("-–+ "), names)
        for sentence in re.split(r"(?<=\.)\s+(?=[A-ZĐÀ-Ỹ])", text):
            refs = references(sentence, objectives)
            if not refs:
                continue
            subject = _subject(sentence.lstrip("-–+ "), names) or paragraph_subject or item_agency
            if subject is None:
                continue
            for objective, number, position, note in refs:
                role = _role(sentence, position)
                partners = sentence.lower().find("phối hợp với")
                cos = [m.code for m in names.find(sentence[partners:position])] if partners >= 0 else []
                found.setdefault((objective, number), Assignment()).add(
                    subject, role, [c for c in cos if c != subject], f"mục Tổ chức thực hiện, ý {item_no}", note
                )
    return found


def from_appendix(text: str, names: AgencyNames) -> dict[tuple[int, int], list[tuple[str, list[str]]]]:
    """The appendix table (cells separated by tabs, four a row, the header naming CƠ QUAN): for each chỉ tiêu,
    its rows in order (the first, and one per “- …” sub-row), each with the agencies of its cell; an empty
    agency cell is the merged cell above it."""
    at = text.find("PHỤ LỤC")
    if at < 0:
        return {}
    cells = text[at:].split("\t")[1:]
    header = [" ".join(c.split()).upper() for c in cells[:6]]
    agency_col = next((i for i, h in enumerate(header) if h.startswith("CƠ QUAN")), None)
    if agency_col is None:
        return {}
    width = agency_col + 1
    rows = [cells[i : i + width] for i in range(width, len(cells) - width + 1, width)]
    found: dict[tuple[int, int], list[tuple[str, list[str]]]] = {}
    objective = indicator = 0
    agencies: list[str] = []
    for row in rows:
        first = " ".join(row[0].split())
        chosen = re.match(r"Mục tiêu\s+(\d+)", first)
        if chosen:
            objective = int(chosen.group(1))
        body = " ".join(row[1].split())
        numbered = re.match(r"Chỉ tiêu\s+(\d+)\s*:\s*(.*)", body)
        if numbered:
            indicator, body = int(numbered.group(1)), numbered.group(2)
        cell = " ".join(row[agency_col].split())
        if cell:
            agencies = [code for piece in cell.split(";") if (code := names.first(piece))]
        if objective and indicator and body:
            found.setdefault((objective, indicator), []).append((body, list(agencies)))
    return found
