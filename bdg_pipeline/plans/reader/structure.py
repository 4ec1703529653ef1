"""Where things are in a plan: its title, province and period; objectives (mục tiêu) and chỉ tiêu by their
numbering in any of the styles plans use (“1. Mục tiêu 1:”, “a) Mục tiêu 1:”, “2.1 . Mục tiêu 1:”, “- Chỉ
tiêu 1:”, “Chỉ tiêu 3.”, “Chỉ tiêu:”); the section “Tổ chức thực hiện”; reporting deadlines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OBJECTIVE = re.compile(r"^(?:[a-zđ]\)|\d+(?:\.\d+)*\s*\.?)\s*Mục tiêu\s+(\d+)\s*[:.]\s*(.*)$", re.I)
INDICATOR = re.compile(r"^[-–•+]?\s*Chỉ tiêu\s*(\d+)?\s*[:.]\s*(.+)$")
ROMAN = re.compile(r"^[IVX]+\.\s")
SECTION_END = re.compile(r"^(?:\d+\.\s*)?(?:Các giải pháp|Nhóm các giải pháp|Giải pháp)\b", re.I)
ORGANISING = re.compile(r"^[IVX]+\.\s*TỔ CHỨC THỰC HIỆN", re.I)
TITLE_START = re.compile(r"^\s*KẾ HOẠCH\s*$")
CITES = re.compile(r"^(Căn cứ|Thực hiện (Nghị quyết|Quyết định|Chỉ thị|Luật)|Ủy ban|Uỷ ban)\b")
PROVINCE = re.compile(r"\btỉnh\s+([A-ZĐÁÀẢÃẠÂĂÊÔƠƯÍÌỈĨỊÚÙỦŨỤÝ][^\s]*(?:\s+[A-ZĐÁÀẢÃẠÂĂÊÔƠƯÍÌỈĨỊÚÙỦŨỤÝ][^\s]*)*)")


@dataclass
class IndicatorText:
    number: int
    text: str


@dataclass
class ObjectiveBlock:
    number: int
    heading: str
    statement: str = ""  # a plain sentence under a short heading (“Trong lĩnh vực chính trị”)
    indicators: list[IndicatorText] = field(default_factory=list)
    number_source: str = ""


def title_and_period(text: str) -> tuple[str, str, int | None, int | None]:
    """Title, province and period: the lines after the “KẾ HOẠCH” heading up to the first line citing another
    document (“Căn cứ …”, “Thực hiện Nghị quyết …”); the period is the years the title names."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for i, line in enumerate(lines[:60]):
        if not TITLE_START.match(line):
            continue
        title_lines: list[str] = []
        for following in lines[i + 1 : i + 5]:
            if CITES.match(following) or (title_lines and re.search(r"\bsố\s*\d+/", following)):
                break
            title_lines.append(following)
        title = " ".join(" ".join(title_lines).split())
        years = [int(y) for y in re.findall(r"(?:19|20)\d\d", title)]
        province = PROVINCE.search(title)
        return (
            f"Kế hoạch {title[0].lower()}{title[1:]}" if title else "",
            province.group(1) if province else "",
            min(years) if years else None,
            max(years) if years else None,
        )
    return "", "", None, None


def objectives(paragraphs: list[str]) -> list[ObjectiveBlock]:
    """The first run of objective headings and their chỉ tiêu; it ends at a section of solutions' successor
    (a Roman-numbered heading, “Các giải pháp”), so the appendix and the solutions are not read as targets."""
    found: list[ObjectiveBlock] = []
    current: ObjectiveBlock | None = None
    for para in paragraphs:
        text = para.strip()
        objective = OBJECTIVE.match(text)
        if objective and not para.startswith("\t"):
            number = int(objective.group(1))
            if found and number <= found[-1].number:
                break  # numbering starts again: a later part of the plan (solutions, appendix)
            current = ObjectiveBlock(number, objective.group(2).strip().rstrip(":"))
            found.append(current)
            continue
        if found and (ROMAN.match(text) or SECTION_END.match(text)):
            if re.match(r"^Nhóm các giải pháp", text, re.I):
                current = None  # solutions of this objective: the next objective heading goes on
                continue
            break
        if current is None:
            continue
        indicator = INDICATOR.match(text)
        if indicator:
            number = int(indicator.group(1)) if indicator.group(1) else len(current.indicators) + 1
            current.indicators.append(IndicatorText(number, indicator.group(2).strip()))
        elif not current.indicators and not current.statement and not text.startswith(("-", "+")):
            current.statement = text
    return found


def organising_section(paragraphs: list[str]) -> list[str]:
    """The paragraphs of “Tổ chức thực hiện”, up to the signature block or the appendix."""
    for i, para in enumerate(paragraphs):
        if ORGANISING.match(para.strip()):
            section = []
            for following in paragraphs[i + 1 :]:
                text = following.strip()
                if (
                    ROMAN.match(text)
                    or re.match(r"^(Nơi nhận|PHỤ LỤC|Trên đây là)", text)
                    or text.startswith(("TM.", "KT."))
                ):
                    break
                section.append(following)
            return section
    return []


DEADLINE = re.compile(r"(?:trước|vào)\s+ngày\s+(\d{1,2})(?:\s+tháng\s+|\s*/\s*)(\d{1,2})(?!\s*/\s*\d)", re.I)


def deadlines(paragraphs: list[str]) -> list[tuple[str, str, str]]:
    """(period, “10/12”, the sentence) for each reporting deadline: a date after “trước ngày”/“vào ngày” in a
    sentence about reports, 6-month when “6 tháng” stands nearer before it than the yearly words."""
    found: dict[str, tuple[str, str, str]] = {}
    for para in paragraphs:
        for sentence in re.split(r"(?<=[.;])\s+", para):
            if "báo cáo" not in sentence.lower() or "từ ngày" in sentence.lower():
                continue
            for m in DEADLINE.finditer(sentence):
                before = sentence[: m.start()].lower()
                half = max(before.rfind("6 tháng"), before.rfind("06 tháng"))
                year = max(before.rfind("năm"), before.rfind("cả năm"))
                period = "6thang" if half > year else "nam"
                found.setdefault(period, (period, f"{int(m.group(1))}/{int(m.group(2))}", sentence.strip()))
    return [found[p] for p in ("6thang", "nam") if p in found]


BUDGET_TOTAL = re.compile(r"Tổng (?:nhu cầu )?kinh phí[^:]*:\s*([\d.]+)\s*triệu đồng", re.I)
BUDGET_PHASE = re.compile(
    r"giai đoạn\s+([IV]+)\s+từ(?:\s+năm)?\s+((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\s*:\s*"
    r"([\d.]+)\s*triệu đồng",
    re.I,
)
BUDGET_SOURCE = re.compile(r"^[-–+]\s*(.+?):\s*([\d.]+)\s*triệu đồng", re.I)


def budget(paragraphs: list[str]) -> tuple[float | None, list[tuple[str, int, int, float]], list[tuple[str, float]]]:
    """The plan's total, its phases and its sources, in triệu đồng, when it states them."""

    def amount(text: str) -> float:
        return float(text.replace(".", ""))

    for i, para in enumerate(paragraphs):
        total = BUDGET_TOTAL.search(para)
        if not total:
            continue
        phases = [
            (f"Giai đoạn {m.group(1).upper()}", int(m.group(2)), int(m.group(3)), amount(m.group(4)))
            for m in BUDGET_PHASE.finditer(para)
        ]
        sources = []
        for following in paragraphs[i + 1 : i + 8]:
            source = BUDGET_SOURCE.match(following.strip())
            if not source:
                break
            name = re.sub(r"^(Nguồn|Đề nghị)\s+", "", source.group(1).strip())
            sources.append((name[0].upper() + name[1:], amount(source.group(2))))
        return amount(total.group(1)), phases, sources
    return None, [], []
