"""One chỉ tiêu's wording read into its parts: each measurable target a part (victims 80 % and perpetrators
95 %; thạc sỹ and tiến sỹ; “Đài …, Báo … và 100 % …”), each part's value per year with unit and direction,
a stated baseline, and why a reviewer should look (“Cần xem lại”), in Vietnamese."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .values import Value, values
from .years import YearSpec, YearToken, milestones, terms, year_tokens

MAINTAIN = re.compile(r"\b(duy trì|giữ vững|bền vững)\b", re.I)
BODY = re.compile(r"^(Đài|Báo|Trung tâm|Cổng)\b")
BODY_SPLIT = re.compile(r",\s*|\s+và\s+(?=(?:Đài|Báo|Trung tâm|Cổng)\b)")
LEADING = re.compile(
    r"^(?:[-–•+]\s*)?(?:phấn đấu|phần đấu|đến năm \d{4}|từ năm \d{4}( trở đi)?|vào năm \d{4})[\s,]*", re.I
)


@dataclass
class Part:
    """One measurable target of a chỉ tiêu: its value for each year, unit, direction per year."""

    clause: str
    unit: str
    targets: dict[int, tuple[float, str]] = field(default_factory=dict)  # year → (value, direction)
    yearly: bool = False
    baseline: tuple[int | None, float] | None = None
    labels: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    quote: str = ""
    words_before: str = ""  # the clause's words from the previous part to this part's last value
    words_after: str = ""  # from this part's last value to the next part's first value


@dataclass
class Reading:
    """A value in its clause, with when it is due (None: the text gives no year for it)."""

    value: Value
    spec: YearSpec | None = None
    explicit: bool = False  # the year was written next to the value (not inherited)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ(])", text) if s.strip()]


def clauses(sentence: str) -> list[str]:
    return [c.strip() for c in sentence.split(";") if c.strip()]


def _bind_years(clause: str, found: list[Value]) -> list[Reading]:
    """Each value gets the year written before it (“đến năm 2025 đạt 60 %”) or right after it (“40 % vào năm
    2025”): a year binds backward when the value before it has none yet, or when no value follows."""
    readings = [Reading(v) for v in found]
    tokens: list[YearToken] = year_tokens(clause)
    pending: YearSpec | None = None
    items = sorted(
        [(t.start, "year", t) for t in tokens] + [(r.value.start, "value", r) for r in readings],
        key=lambda item: item[0],
    )
    for index, (_pos, kind, item) in enumerate(items):
        if kind == "year":
            assert isinstance(item, YearToken)
            before = next((it for _p, k, it in reversed(items[:index]) if k == "value"), None)
            after = any(k == "value" for _p, k, _it in items[index + 1 :])
            backward = item.prefix in ("", "vào", "trong") or not after
            if (
                isinstance(before, Reading)
                and before.spec is None
                and backward
                and not _between_years(items, before, index)
            ):
                before.spec, before.explicit = item.spec, True
            else:
                pending = item.spec
        else:
            assert isinstance(item, Reading)
            if pending is not None:
                item.spec, item.explicit, pending = pending, True, None
    return readings


def _between_years(items: list, reading: Reading, index: int) -> bool:
    """Whether another year token stands between ``reading`` and the year at ``index``."""
    position = next(i for i, (_p, k, it) in enumerate(items) if it is reading)
    return any(k == "year" for _p, k, _it in items[position + 1 : index])


def _baseline(clause: str, readings: list[Reading]) -> Reading | None:
    """“từ 40 % năm 2011 xuống còn 20 %”, “giảm từ 6 ca sinh/1.000 phụ nữ xuống 4”: the first value is where
    the province stood."""
    if len(readings) < 2:
        return None
    first, second = readings[0], readings[1]
    before = clause[max(0, first.value.start - 6) : first.value.start].lower()
    between = clause[first.value.end : second.value.start].lower()
    if before.rstrip().endswith("từ") and re.search(r"\b(xuống|còn|lên|đến)\b", between) and "trở lên" not in between:
        return first
    return None


def _conditions(clause: str, readings: list[Reading]) -> tuple[list[Reading], bool]:
    """Values that state a condition, not a target (“nếu … có tỷ lệ 30 % trở lên nữ”, “sử dụng từ 30 % lao
    động nữ”), are set aside."""
    lowered = clause.lower()
    condition_at = lowered.find("nếu ")
    kept = []
    for r in readings:
        before = lowered[max(0, r.value.start - 14) : r.value.start]
        if (0 <= condition_at < r.value.start) or "sử dụng" in before:
            continue
        kept.append(r)
    return kept, condition_at >= 0


def _bodies(clause: str, readings: list[Reading]) -> list[str]:
    """“Đài Phát thanh và Truyền hình tỉnh, Báo Quảng Ninh và 100 % Đài truyền thanh …”: each body named before
    the share is a yes/no part of its own."""
    if not readings:
        return []
    first = readings[0].value
    head = clause[: first.start]
    if not head.rstrip().endswith(" và"):
        return []
    head = LEADING.sub("", head.rstrip()[:-3].strip())
    head = re.sub(r"^.*?\b(?=(Đài|Báo|Trung tâm|Cổng)\b)", "", head, count=1)
    names = [n.strip() for n in BODY_SPLIT.split(head) if n.strip()]
    if not names or not all(BODY.match(n) for n in names):
        return []
    return names


def _trailing_bodies(clause: str, readings: list[Reading]) -> list[str]:
    """“100 % Đài Phát thanh các huyện … và Đài Truyền hình tỉnh có chuyên mục …”: a single body named after the
    share, before what it must have, is a yes/no part of its own."""
    if not readings:
        return []
    tail = clause[readings[-1].value.end :]
    found = re.search(r"\s+và\s+((?:Đài|Báo|Trung tâm|Cổng)\b[^,;]*?)\s+(?=có\b)", tail)
    if not found or re.search(r"\b(các|100)\b|%", found.group(1)):
        return []
    return [found.group(1).strip()]


TARGET_VERB = re.compile(r"(đạt|còn|xuống|lên|ít nhất|tối thiểu|không vượt quá)\s*$", re.I)


def unplaced_numbers(clause: str) -> list[str]:
    """Numbers said as a target (“đạt 45”) that no unit, year or term explains."""
    taken = [(v.start, v.end) for v in values(clause)] + [(t.start, t.end) for t in year_tokens(clause)]
    found = []
    for m in re.finditer(r"(?<![\d/.,])\d+(?:[.,]\d+)?(?![\d/.,%])", clause):
        if any(s <= m.start() < e for s, e in taken) or re.match(r"\s*tuổi", clause[m.end() :]):
            continue
        if TARGET_VERB.search(clause[max(0, m.start() - 16) : m.start()]):
            found.append(m.group(0))
    return found


class PartReader:
    """Reads the parts of one chỉ tiêu of a plan whose period is ``start``–``end``."""

    def __init__(self, start: int, end: int):
        self.start, self.end = start, end

    def read(self, text: str) -> list[Part]:
        parts: list[Part] = []
        numeric = False
        for sentence in sentences(text):
            previous_spec: YearSpec | None = None
            for clause in clauses(sentence):
                found, previous_spec = self._clause(clause, previous_spec, sentence, text)
                numeric = numeric or any(p.unit != "yes_no" or p.labels for p in found)
                parts.extend(found)
        qualitative = [p for p in parts if p.unit == "yes_no" and not p.labels]
        for part in qualitative:
            if numeric:
                part.flags.append(
                    "Câu không có số: đặt thành phần có/không (1 = đạt); xóa các dòng này nếu không cần theo dõi riêng"
                )
            elif len(qualitative) > 1:
                part.flags.append(
                    "Chỉ tiêu không có số và nêu nhiều yêu cầu: kiểm tra cách đo (có/không, hay tỷ lệ "
                    "đơn vị đạt) và có cần tách phần"
                )
        return parts

    def _clause(
        self, clause: str, previous: YearSpec | None, sentence: str, whole: str
    ) -> tuple[list[Part], YearSpec | None]:
        readings = _bind_years(clause, values(clause))
        base = _baseline(clause, readings)
        readings = [r for r in readings if r is not base]
        readings, conditional = _conditions(clause, readings)
        tokens = year_tokens(clause)
        own = [r.spec for r in readings if r.spec] or [t.spec for t in tokens]
        for r in readings:
            if r.spec is None:
                r.spec = (
                    (own[0] if len(set(own)) == 1 else None)
                    or previous
                    or self._sole_spec(sentence)
                    or self._sole_spec(whole)
                )
        spec_here = own[0] if own else previous
        flags = self._flags(clause, conditional)
        if not readings:
            if len(clause.split()) < 4:
                return [], spec_here
            part = self._part(clause, "yes_no", flags)
            explicit: list[YearSpec | None] = [t.spec for t in tokens if t.spec.kind != "yearly"]
            spec = None if explicit else (next((t.spec for t in tokens), None) or previous)
            direction = "maintain" if MAINTAIN.search(clause) and not explicit else "at_least"
            for one in explicit or [spec]:
                self._put(part, one, 1.0, direction)
            return [part], spec_here
        parts: list[Part] = []
        for name in _bodies(clause, readings):
            part = self._part(clause, "yes_no", list(flags), [name])
            self._put(part, readings[0].spec, 1.0, self._direction(clause, readings[0], None))
            parts.append(part)
        current: Part | None = None
        last_direction: str | None = None
        keys: set[int] = set()
        spans: dict[int, list[Value]] = {}
        for r in readings:
            # the years that tell values apart: “từ năm 2025 đạt 30 %, từ năm 2030 đạt 35 %” is one part
            years = {r.spec.year} if r.spec and r.spec.kind != "yearly" else self._years(r.spec)
            if current is None or current.unit != r.value.unit or years & keys:
                keys = set()
                current = self._part(clause, r.value.unit, list(flags))
                parts.append(current)
                last_direction = None
            direction = self._direction(clause, r, last_direction)
            if r.value.cue == "level":
                current.flags.append(
                    "“ở mức”: khoảng (about) hay không vượt quá (at_most)? Đã đặt "
                    + ("at_most (giảm mất cân bằng giới tính khi sinh)" if direction == "at_most" else "about")
                )
            if r.value.cue == "reduce":
                current.flags.append(
                    f"“giảm {r.value.raw}”: giảm bớt {r.value.raw} (mức giảm ≥ {r.value.raw}) hay "
                    f"giảm xuống còn {r.value.raw}? Đã đặt mức giảm ≥"
                )
            last_direction = direction
            keys |= years
            spans.setdefault(id(current), []).append(r.value)
            self._put(current, r.spec, r.value.number, direction)
            if base is not None and current.baseline is None:
                base_year = base.spec.year if base.spec and base.spec.kind == "at" else None
                current.baseline = (base_year, base.value.number)
        for name in _trailing_bodies(clause, readings):
            part = self._part(clause, "yes_no", list(flags), [name])
            for r in readings:
                self._put(part, r.spec, 1.0, self._direction(clause, r, None))
            parts.append(part)
        self._derived(clause, parts, flags)
        self._windows(clause, spans, parts)
        return parts, spec_here

    @staticmethod
    def _windows(clause: str, spans: dict[int, list[Value]], parts: list[Part]) -> None:
        """The words around each part's values, to tell which quantity it measures: from the previous part's
        last value to this part's last value, and from there to the next part's first value."""
        numeric = [p for p in parts if id(p) in spans]
        for i, part in enumerate(numeric):
            mine = spans[id(part)]
            begin = spans[id(numeric[i - 1])][-1].end if i else 0
            finish = spans[id(numeric[i + 1])][0].start if i + 1 < len(numeric) else len(clause)
            part.words_before = clause[begin : mine[-1].end]
            part.words_after = clause[mine[-1].end : finish]

    def _flags(self, clause: str, conditional: bool) -> list[str]:
        flags = [
            f"Số “{n}” không rõ đơn vị: kiểm tra có phải một đích đo không (ghi đơn vị)"
            for n in unplaced_numbers(clause)
        ]
        for term in terms(clause):
            flags.append(f"Văn bản ghi “{term}” (nhiệm kỳ) thay cho năm mục tiêu: đã đặt năm theo kỳ kế hoạch")
        if conditional:
            flags.append(
                "Chỉ tiêu có điều kiện (“nếu …”): số sau “nếu” là điều kiện, không phải đích; xem có cần "
                "tách phần theo loại cơ quan"
            )
        return flags

    def _direction(self, clause: str, r: Reading, last: str | None) -> str:
        cue = r.value.cue
        if MAINTAIN.search(clause) and not (r.explicit and r.spec and r.spec.kind != "yearly"):
            return "maintain"
        if cue == "level":
            return "at_most" if "giới tính khi sinh" in clause.lower() else "about"
        if cue == "reduce":
            return "at_least"
        return cue or last or "at_least"

    def _sole_spec(self, text: str) -> YearSpec | None:
        specs = {t.spec for t in year_tokens(text)}
        return specs.pop() if len(specs) == 1 else None

    def _years(self, spec: YearSpec | None) -> set[int]:
        return set(spec.years(self.start, self.end)) if spec else set(milestones(self.start, self.end))

    def _part(self, clause: str, unit: str, flags: list[str], labels: list[str] | None = None) -> Part:
        return Part(clause=clause, unit=unit, labels=labels or [], flags=list(flags), quote=clause)

    def _put(self, part: Part, spec: YearSpec | None, value: float, direction: str) -> None:
        if spec and spec.kind == "yearly":
            part.yearly = True
        for year in self._years(spec):
            part.targets[year] = (value, direction)
            if not self.start <= year <= self.end:
                part.flags.append(
                    f"Năm {year} nằm ngoài kỳ kế hoạch {self.start}–{self.end} (văn bản có thể gõ nhầm năm)"
                )

    def _derived(self, clause: str, parts: list[Part], flags: list[str]) -> None:
        """Targets the wording implies: “cho mỗi giới (nam và nữ)” is one part per sex; a count per month or
        quarter “tại các xã, phường” without a share of communes is set for 100 % of them (flagged)."""
        lowered = clause.lower()
        if "mỗi giới" in lowered and len(parts) == 1:
            female = parts[0]
            male = Part(
                clause=clause,
                unit=female.unit,
                targets=dict(female.targets),
                yearly=female.yearly,
                labels=["Nam"],
                flags=list(female.flags),
                quote=clause,
            )
            female.labels = ["Nữ"]
            parts.append(male)
        counts = [p for p in parts if p.unit.startswith("count_per")]
        if counts and not any(p.unit == "percent" for p in parts) and re.search(r"\bxã, phường", lowered):
            share = Part(
                clause=clause,
                unit="percent",
                flags=[*flags, "Văn bản không nêu tỷ lệ xã, phường, thị trấn phải đạt: đã đặt 100%"],
                quote=clause,
            )
            share.targets = {year: (100.0, "at_least") for year in counts[0].targets}
            parts.append(share)
