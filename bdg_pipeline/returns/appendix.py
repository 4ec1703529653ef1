"""Free-form appendices (phụ lục): the results table an office lays out its own way, in a workbook or inside
a Word report, like the one closing the Ninh Thuận 2020 plan.

The document is read as a document, not as rows to filter: the table is located by its header
(:mod:`.appendix_layout`) and ends after its last row of results; everything around it — quốc hiệu, title,
notes, “Nơi nhận”, signatures (:mod:`.furniture`) — is read for evidence and never a reason to refuse.
The plan is the one of the province the document names whose monitoring window holds the years of the
results and whose chỉ tiêu the rows' wording fits best. Each row is matched to a chỉ tiêu by its “Mục
tiêu N” / “Chỉ tiêu N” numbers, checked against the plan's wording, or by its wording alone when exactly
one chỉ tiêu clearly fits; objectives come from a MỤC TIÊU column or from headings (“Mục tiêu 2: …”,
“II. LĨNH VỰC KINH TẾ, LAO ĐỘNG”). Rows inside the table that cannot be read are errors at their cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..catalogue import Catalogue
from ..numbers import Measure, NumberFormatError, parse_measure, parse_result_cell, shorten
from ..rules import monitored
from ..units import NO, YES, read_measure
from .appendix_layout import (
    INDICATOR,
    LEVEL_NAMES,
    OBJECTIVE,
    ROLE_WORDS,
    Layout,
    checked,
    find_appendix,
)
from .furniture import describe, kind_of_line, provinces_named, report_date, result_years
from .matching import MatchError, Wording, level_of_label, parts_of, resolve_part, text_overlap, wording_of
from .model import ParsedReturn, ParsedRow, Problem, ReturnRejected, fold, province_area_code, resolve_agency
from .table import Table, row_text
from .template_read import EXCEL_ERRORS, PERCENT_LOST, PERCENT_LOST_FIX
from .workbook import CellError

MIN_TEXT_OVERLAP = 0.5  # share of a numbered row's words found in the plan's wording of its chỉ tiêu
MIN_FIT, MATCH_MARGIN = 0.4, 0.08  # an unnumbered row must fit one chỉ tiêu well, and better than any other
# (weighted F1 of shared words; NT-2020 7.1 and 7.2 share most words: 0.94 against 0.82 for the row of 7.1)
NOT_IN_PLAN = 0.3  # a row that fits no chỉ tiêu even this well reports something the plan does not track
PLAN_MARGIN = 0.2  # share of rows by which one plan's wording must fit better than another's to be chosen

_BULLET = ("-", "+", "•", "–")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_HEADING = re.compile(r"^(?:mục tiêu\s*\d+|(?P<roman>[ivx]{1,4})\s*[.)/:-]\s*|(?:trong )?lĩnh vực\b)")
_FOOTNOTE = re.compile(r"\s*\(\*+\)|\*+")
_BARE = re.compile(r"[\d.,\s]+")
# What a result cell says when there is nothing to report: a dash, “chưa có số liệu”, “chưa triển khai” …
NO_DATA = re.compile(
    r"^([-–—.…]+|chưa\b.*|đang\b.*|không (có|phát sinh|báo cáo|thực hiện|tổng hợp)\b.*|n/?a"
    r"|k/?c)$"
)
FURNITURE = {"ghi chú", "nơi nhận", "chữ ký", "ngày tháng", "lời văn", "quốc hiệu", "số ký hiệu"}


def unit_suffix(text: str) -> str:
    """What an ĐƠN VỊ TÍNH cell adds to a bare number: “%”, “‰”, “/100.000”, “/1.000”, “/100”, “ lần”."""
    h = fold(text).replace(" ", "")
    for mark, suffix in (
        ("‰", "‰"),
        ("%", "%"),
        ("/100.000", "/100.000"),
        ("/100000", "/100.000"),
        ("/1.000", "/1.000"),
        ("/1000", "/1.000"),
        ("/100", "/100"),
        ("lần", " lần"),
    ):
        if mark in h:
            return suffix
    return ""


def objective_of(catalogue: Catalogue, plan_code: str, text: str) -> int | None:
    """The objective a heading or MỤC TIÊU cell names: “Mục tiêu 2”, the objective's own field
    (“LĨNH VỰC Y TẾ”), else its Roman number (“IV.”)."""
    h = fold(text)
    numbered = OBJECTIVE.match(h)
    if numbered:
        return int(numbered.group(1))
    objectives = catalogue.objectives[catalogue.objectives.plan_code == plan_code]
    words = set(re.findall(r"[^\W\d_]{2,}", h))
    fits = []
    for o in objectives.itertuples():
        field_words = set(re.findall(r"[^\W\d_]{2,}", fold(o.field)))
        if field_words:
            fits.append((len(field_words & words) / len(field_words), int(o.objective_no)))
    fits.sort(reverse=True)
    if fits and fits[0][0] >= 0.6 and (len(fits) == 1 or fits[1][0] < fits[0][0]):
        return fits[0][1]
    roman = _HEADING.match(h)
    if roman and roman.group("roman") in _ROMAN and _ROMAN[roman.group("roman")] in set(objectives.objective_no):
        return _ROMAN[roman.group("roman")]
    return None


def is_heading(text: str) -> bool:
    """A line heading a group of chỉ tiêu (“Mục tiêu 2: …”, “II. LĨNH VỰC …”, a line in capitals)."""
    h = fold(text)
    letters = [ch for ch in text if ch.isalpha()]
    return (
        bool(h)
        and not INDICATOR.search(h)
        and (bool(_HEADING.match(h)) or (len(letters) > 3 and all(ch.isupper() for ch in letters)))
    )


@dataclass
class _Reader:
    """Reads the rows of one appendix table into ``parsed``."""

    table: Table
    layout: Layout
    catalogue: Catalogue
    parsed: ParsedReturn
    area_code: str
    wording: Wording
    skipped: list[str] = field(default_factory=list)  # lines of the document outside the table
    untracked: list[str] = field(default_factory=list)  # rows of results the plan does not track

    @property
    def problems(self) -> list[Problem]:
        return self.parsed.problems

    def problem(self, row: int, column: int, message: str, found: str = "", fix: str = "") -> None:
        self.problems.append(Problem(self.table.source, self.table.name(row, column), message, found[:120], fix))

    @property
    def result_cols(self) -> list[int]:
        return [c for g in self.layout.groups.values() for c in g.values()]

    def has_results(self, row: int) -> bool:
        """A result stands in the row: a number, or a yes/no word (a name under a signature is not one)."""
        for c in self.result_cols:
            value = self.table.value(row, c)
            text = fold(self.table.text(row, c))
            if (
                value is not None
                and not NO_DATA.match(text)
                and (re.search(r"\d", text) or text in YES | NO or isinstance(value, CellError))
            ):
                return True
        return False

    def furniture(self, row: int) -> bool:
        """A note, a “Nơi nhận”, a signature … written in the table's rows (where the row begins, or where
        results would stand: “PHÓ GIÁM ĐỐC” beside “- Lưu: VT”)."""
        t = self.table
        first = next((t.text(row, c) for c in range(t.width) if t.text(row, c)), "")
        return any(kind_of_line(text) in FURNITURE for text in [first] + [t.text(row, c) for c in self.result_cols])

    def last_row(self) -> int:
        """The table's last row: its last row of results, and the chỉ tiêu rows right under it that wait for
        results (a row below it that holds no result and fits no chỉ tiêu ends the table)."""
        t, indicator_col = self.table, self.layout.first("indicator")
        assert indicator_col is not None
        first = self.layout.header_rows[-1] + 1
        last = max(
            (r for r in range(first, len(t.cells)) if self.has_results(r) and not self.furniture(r)), default=first - 1
        )
        while last + 1 < len(t.cells) and not self.furniture(last + 1):
            text = t.text(last + 1, indicator_col)
            ranked = self.wording.ranked(text, list(self.wording.wordings)) if text else []
            if not (INDICATOR.search(fold(text)) or (ranked and self.confident(ranked))):
                break
            last += 1
        return last

    @staticmethod
    def confident(ranked: list[tuple[float, tuple[int, int]]]) -> bool:
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        return ranked[0][0] >= MIN_FIT and ranked[0][0] - runner_up >= MATCH_MARGIN

    def read(self) -> None:
        t, layout = self.table, self.layout
        objective_col, indicator_col, agency_col = (
            layout.first("objective"),
            layout.first("indicator"),
            layout.first("agency"),
        )
        assert indicator_col is not None
        plan = self.parsed.plan_code
        objective: int | None = None
        unreadable_objective = False  # under a MỤC TIÊU cell that could not be read (already reported)
        objective_text = agency_text = wording = ""
        current: tuple[int, int] | None = None
        waiting: tuple[int, tuple[int, int]] | None = None  # a chỉ tiêu row without results, until its sub-rows
        last = self.last_row()
        self.skipped += [row_text(r) for r in t.cells[last + 1 :] if row_text(r)]
        for row in range(layout.header_rows[-1] + 1, last + 1):
            if self.furniture(row):
                self.skipped.append(row_text(t.cells[row]))
                continue
            text = t.text(row, indicator_col)
            has_results = self.has_results(row)
            merged_across = bool(text) and any(t.text(row, c) == text for c in self.result_cols)
            if merged_across or (not has_results and self.heading_of(row) is not None):
                heading = text if merged_across else self.heading_of(row) or ""
                objective, current, unreadable_objective = objective_of(self.catalogue, plan, heading), None, False
                continue
            if objective_col is not None and t.text(row, objective_col) not in ("", objective_text):
                objective_text = t.text(row, objective_col)
                objective = objective_of(self.catalogue, plan, objective_text)
                unreadable_objective = objective is None
                if objective is None:
                    self.problem(
                        row,
                        objective_col,
                        "Không xác định được số mục tiêu",
                        objective_text,
                        "Ghi “Mục tiêu N: …” ở cột MỤC TIÊU.",
                    )
            if agency_col is not None and t.text(row, agency_col) not in ("", agency_text):
                agency_text = t.text(row, agency_col)  # a merged agency cell covers the rows below it
                if resolve_agency(self.catalogue, agency_text) is None:
                    self.problem(
                        row,
                        agency_col,
                        "Không nhận ra cơ quan báo cáo",
                        agency_text,
                        "Ghi đúng tên cơ quan, ví dụ “Sở Y tế”.",
                    )
            if (not text and not has_results) or unreadable_objective:
                continue
            # a row with results and no wording of its own continues the chỉ tiêu above (the next level)
            which = (
                current
                if not text and current
                else self.identify(row, indicator_col, text, objective, current, has_results)
            )
            if which is None:
                continue
            row_level = self.level_of_row(row, text)
            if text and level_of_label(text.lstrip("".join(_BULLET) + " ")) is None:
                wording = text
            if waiting and which != waiting[1]:
                self.no_results(waiting[0])
            if has_results or self.said_empty(row):
                waiting = None
            elif not waiting or which != waiting[1]:  # a sub-heading (“- Nữ đại biểu HĐND”) keeps waiting
                waiting = (row, which)
            current = which
            agency = resolve_agency(self.catalogue, agency_text)
            for (year, level), group in layout.groups.items():
                self.read_group(row, which, wording, year, level or row_level, group, agency)
        if waiting:
            self.no_results(waiting[0])

    def heading_of(self, row: int) -> str | None:
        """The heading a row without results holds (in the chỉ tiêu column, or alone in the row), if it is one."""
        t, indicator_col = self.table, self.layout.first("indicator")
        text = t.text(row, indicator_col) if indicator_col is not None else ""
        first = next((t.text(row, c) for c in range(t.width) if t.text(row, c)), "")
        if text and first != text and re.fullmatch(r"[ivx]{1,4}\.?", fold(first)):
            return f"{first.rstrip('.')}. {text}"  # “VII | Quản lý nhà nước về bình đẳng giới”
        if is_heading(text):
            return text
        texts = [
            t.text(row, c) for c in range(t.width) if self.layout.columns[c].role != "objective" and t.text(row, c)
        ]
        if len(set(texts)) == 1 and is_heading(texts[0]):
            return texts[0]
        return None

    def level_of_row(self, row: int, text: str) -> str | None:
        """The level a row's results are of, by a “Cấp” column or a “- Cấp tỉnh” line under its chỉ tiêu."""
        column = self.layout.first("level")
        if column is not None and self.table.text(row, column):
            return level_of_label(self.table.text(row, column))
        return level_of_label(text.lstrip("".join(_BULLET) + " "))

    def said_empty(self, row: int) -> bool:
        """The row says there is nothing to report (“-”, “Chưa triển khai”)."""
        return any(NO_DATA.match(fold(self.table.text(row, c))) for c in self.result_cols if self.table.text(row, c))

    def no_results(self, row: int) -> None:
        first = next(iter(next(iter(self.layout.groups.values())).values()))
        self.problem(row, first, "Chưa có số liệu kết quả", fix="Điền số liệu hoặc xóa dòng.")

    def identify(
        self,
        row: int,
        column: int,
        text: str,
        objective: int | None,
        current: tuple[int, int] | None,
        has_results: bool,
    ) -> tuple[int, int] | None:
        """(objective, chỉ tiêu) of a row, or None (a problem is recorded, or the row is a heading)."""
        folded = fold(text)
        numbered = INDICATOR.search(folded)
        continuing = folded.startswith(_BULLET + ("trong đó",)) or level_of_label(folded) is not None
        if not numbered and continuing and current and objective in (None, current[0]):
            return current  # a further line of the chỉ tiêu above (“- Tỷ lệ nữ đại biểu Quốc hội …”, “Cấp xã”)
        plan = self.parsed.plan_code
        pool = [key for key in self.wording.wordings if objective is None or key[0] == objective]
        if numbered:
            number = int(numbered.group(1))
            pool = [key for key in pool if key[1] == number]
            if not pool:
                where = f" của mục tiêu {objective}" if objective is not None else ""
                self.problem(
                    row,
                    column,
                    f"Kế hoạch {plan} không có chỉ tiêu {number}{where}",
                    text,
                    "Kiểm tra lại số mục tiêu, chỉ tiêu.",
                )
                return None
        if numbered and objective is not None:
            ((o, i),) = pool
            wording = self.wording.sentences[(o, i)]
            if re.sub(r"[^\w]|\d", "", INDICATOR.sub("", folded)) and text_overlap(text, wording) < MIN_TEXT_OVERLAP:
                self.problem(
                    row,
                    column,
                    f"Nội dung dòng không khớp chỉ tiêu {i} của mục tiêu {o} trong kế hoạch",
                    text,
                    f"Chỉ tiêu trong kế hoạch: “{wording[:120]}”.",
                )
                return None
            return o, i
        scored = self.wording.ranked(text, pool)
        if scored and self.confident(scored):
            return scored[0][1]
        if not numbered and not has_results:
            return None  # a heading (“I. LĨNH VỰC CHÍNH TRỊ”) or a blank line
        if not numbered and (not scored or scored[0][0] < NOT_IN_PLAN):
            anywhere = self.wording.ranked(text, list(self.wording.wordings))  # the heading may mislead
            if self.confident(anywhere):
                return anywhere[0][1]
            if anywhere[0][0] < NOT_IN_PLAN:
                self.untracked.append(f"{self.table.name(row, column)} “{shorten(text, 50)}”")
                return None
        near = ", ".join(f"{o}.{i} ({score:.0%})" for score, (o, i) in scored[:3])
        self.problem(
            row,
            column,
            f"Không xác định được dòng này thuộc chỉ tiêu nào của kế hoạch {plan} (gần nhất: {near})",
            text,
            "Bắt đầu ô bằng “Chỉ tiêu N:” (và ghi “Mục tiêu N” ở cột MỤC TIÊU), hoặc ghi đúng nội dung "
            "chỉ tiêu như trong kế hoạch.",
        )
        return None

    def unit_of(self, row: int) -> str:
        column = self.layout.first("unit")
        return unit_suffix(self.table.text(row, column)) if column is not None else ""

    def with_unit(self, text: str, row: int) -> str:
        """A result as printed, footnote marks (“(*)”) dropped, a bare number given the ĐƠN VỊ TÍNH's unit."""
        text = _FOOTNOTE.sub("", text).strip()
        return text + self.unit_of(row) if _BARE.fullmatch(text) else text

    def read_group(
        self,
        row: int,
        which: tuple[int, int],
        text: str,
        year: int,
        level: str | None,
        group: dict[str, int],
        agency: str | None,
    ) -> None:
        t = self.table
        if all(NO_DATA.match(fold(t.text(row, c))) or not t.text(row, c) for c in group.values()):
            return  # nothing to report in this group (“-”, “Chưa triển khai”)
        for role, column in group.items():
            value = t.value(row, column)
            if isinstance(value, CellError):
                cause = EXCEL_ERRORS.get(value.code, "công thức không tính ra được")
                self.problem(
                    row,
                    column,
                    f"Ô có lỗi công thức {value.code} ({cause})",
                    value.code,
                    f"Sửa công thức để ra {ROLE_WORDS[role]}, hoặc ghi số trực tiếp.",
                )
                return
        try:
            if set(group) == {"result"}:
                column = group["result"]
                if not t.text(row, column):
                    return
                measures = [(m, column) for m in parse_result_cell(self.with_unit(t.text(row, column), row))]
            else:
                measure, column = self.composed(row, group, which)
                if measure is None:
                    return
                measures = [(measure, column)]
        except NumberFormatError as exc:
            self.problem(row, self.cell_of(group, exc.concerns), str(exc), fix=exc.fix)
            return
        parts = parts_of(self.catalogue, self.parsed.plan_code, *which)
        for measure, column in measures:
            try:
                part = resolve_part(parts, measure, text)
                reading = read_measure(measure, part.unit)
            except (MatchError, NumberFormatError) as exc:
                cell = self.cell_of(group, getattr(exc, "concerns", "value"))
                self.problem(row, cell, str(exc), measure.raw, getattr(exc, "fix", ""))
                continue
            labelled = level_of_label(measure.label)
            if level and labelled and labelled != level:
                self.problem(
                    row,
                    column,
                    f"Nhãn “{measure.label}” khác cấp của cột ({LEVEL_NAMES[level]})",
                    measure.raw,
                    "Ghi số liệu của từng cấp vào đúng cột của cấp đó.",
                )
                continue
            if part.unit == "percent" and any(t.maybe_unformatted_percent(row, c) for c in group.values()):
                shown = t.text(row, group.get("rate", group.get("result", column)))
                self.problem(row, column, PERCENT_LOST.format(shown=shown), shown, PERCENT_LOST_FIX)
                continue
            self.parsed.rows.append(
                ParsedRow(
                    self.parsed.plan_code,
                    *which,
                    part.part,
                    level or labelled or "tinh",
                    self.area_code,
                    year,
                    reading,
                    agency,
                    t.source,
                    t.name(row, column),
                    f"{measure.label}: {measure.raw}" if measure.label else measure.raw,
                )
            )

    def composed(self, row: int, group: dict[str, int], which: tuple[int, int]) -> tuple[Measure | None, int]:
        """One measure from Tử số | Mẫu số | Tỷ lệ cells, written as an officer would in one cell; a bare rate
        under a “Tỷ lệ (%)” heading is a percentage when the chỉ tiêu counts in percent."""
        t = self.table
        numerator = t.text(row, group["numerator"]) if "numerator" in group else ""
        denominator = t.text(row, group["denominator"]) if "denominator" in group else ""
        rate = _FOOTNOTE.sub("", t.text(row, group["rate"])).strip() if "rate" in group else ""
        if rate and _BARE.fullmatch(rate):
            percent = "%" in fold(self.header_of(group["rate"])) and any(
                p.unit == "percent" for p in parts_of(self.catalogue, self.parsed.plan_code, *which)
            )
            rate += "%" if percent else self.unit_of(row)
        counts = t.text(row, group["result"]) if "result" in group else ""  # “8.688/17.174” beside its rate
        if counts and not numerator:
            return parse_measure(f"{counts} ({rate})" if rate else counts), group["result"]
        if bool(numerator) != bool(denominator):
            missing = "mẫu số" if numerator else "tử số"
            raise NumberFormatError(
                f"có {'tử số' if numerator else 'mẫu số'} mà thiếu {missing}",
                "Ghi cả tử số và mẫu số, hoặc chỉ ghi tỷ lệ.",
                "denominator" if numerator else "numerator",
            )
        fraction = f"{numerator}/{denominator}" if numerator else ""
        text = f"{fraction} ({rate})" if fraction and rate else fraction or rate
        if not text:
            return None, 0
        return parse_measure(text), group.get("rate", group.get("numerator", 0))

    def header_of(self, column: int) -> str:
        return self.layout.columns[column].header

    @staticmethod
    def cell_of(group: dict[str, int], concerns: str) -> int:
        return group.get(concerns, group.get("rate", group.get("result", next(iter(group.values())))))


def lines_above(table: Table, layout: Layout) -> list[str]:
    """The document's lines above the table: a Word document's, or the sheet's rows above the header."""
    rows = [row_text(r) for r in table.cells[: layout.header_rows[0]]]
    return table.above + [line for line in rows if line]


def title_year(table: Table, above: list[str]) -> int | None:
    """The one year the title gives the results (“KẾT QUẢ … NĂM 2019”), read from the line nearest the
    table upwards, then from the title lines together, then from the sheet's name (“KQ 2019”)."""
    candidates = [*reversed(above), " ".join(above[-4:])]
    if not table.in_word:
        candidates.append(f"kết quả {table.source}")
    for line in candidates:
        years = result_years(line)
        if years:
            return years[0] if len(years) == 1 else None
    return None


def province_names(catalogue: Catalogue) -> list[str]:
    """Every province's name, old and new, as documents write it (“Hà Giang”, without “Tỉnh”)."""
    names = catalogue.areas[catalogue.areas.level == "tinh"].area_name
    return sorted({re.sub(r"^(tỉnh|thành phố)\s+", "", n, flags=re.IGNORECASE) for n in names})


def _monitors(plan: pd.Series, years: list[int]) -> bool:
    return all(monitored(plan.monitoring_start, plan.monitoring_end, y) for y in years)


def choose_plan(catalogue: Catalogue, table: Table, layout: Layout, evidence: list[str], years: list[int]) -> str:
    """The plan the table reports: of the province the document names (any, when it names none), whose
    monitoring window holds ``years``, whose chỉ tiêu the rows' wording fits best."""
    plans = catalogue.plans[catalogue.plans.plan_code.isin(catalogue.plan_indicators.plan_code)]
    named = provinces_named(evidence, plans.province.unique())
    elsewhere = [p for p in provinces_named(evidence, province_names(catalogue)) if p not in set(plans.province)]
    if not named and elsewhere:
        raise ReturnRejected(
            [
                Problem(
                    table.source,
                    "",
                    f"Không xác định được tỉnh và kế hoạch: tài liệu ghi tỉnh "
                    f"{elsewhere[0]}, chưa có kế hoạch nào của tỉnh này trong danh mục",
                    "",
                    "Kiểm tra tên tỉnh trong tiêu đề; kế hoạch mới được thêm vào danh mục trước khi nhận báo cáo.",
                )
            ]
        )
    pool = plans[plans.province.isin(named)] if named else plans
    fitting = [p for p in pool.itertuples() if _monitors(pd.Series(p._asdict()), years)]
    said = (f"tỉnh {', '.join(named)}" if named else "không ghi tên tỉnh") + f", năm {', '.join(map(str, years))}"
    if not fitting:
        windows = "; ".join(f"{p.plan_code}: {p.monitoring_start}–{p.monitoring_end}" for p in pool.itertuples())
        raise ReturnRejected(
            [
                Problem(
                    table.source,
                    "",
                    f"Không có kế hoạch nào theo dõi số liệu này ({said})",
                    windows,
                    "Kiểm tra tên tỉnh và năm của số liệu trong tiêu đề và tiêu đề cột.",
                )
            ]
        )
    if len(fitting) == 1:
        return str(fitting[0].plan_code)
    indicator_col = layout.first("indicator")
    texts = [
        table.text(r, indicator_col)
        for r in range(layout.header_rows[-1] + 1, len(table.cells))
        if indicator_col is not None and table.text(r, indicator_col)
    ]
    scores = []
    for p in fitting:
        wording = wording_of(catalogue, str(p.plan_code))
        keys = list(wording.wordings)
        scores.append(
            (sum(_Reader.confident(wording.ranked(t, keys)) for t in texts) / max(len(texts), 1), str(p.plan_code))
        )
    scores.sort(reverse=True)
    if scores[0][0] - scores[1][0] >= PLAN_MARGIN:
        return scores[0][1]
    both = ", ".join(f"{code} ({score:.0%} số dòng khớp)" for score, code in scores[:2])
    raise ReturnRejected(
        [
            Problem(
                table.source,
                "",
                f"Số liệu ({said}) khớp với hơn một kế hoạch: {both}",
                "",
                "Ghi tên tỉnh và kế hoạch trong tiêu đề, ví dụ “… TỈNH NINH THUẬN NĂM 2019”.",
            )
        ]
    )


def receipt(parsed: ParsedReturn, skipped: list[str], untracked: list[str]) -> str:
    """What was read, said back: “Đã đọc 31 số liệu của 22 chỉ tiêu (kế hoạch NT-2020, năm 2019); bỏ qua 9
    dòng ngoài bảng (ghi chú, nơi nhận, chữ ký)”."""
    indicators = {(r.objective_no, r.indicator_no) for r in parsed.rows}
    years = ", ".join(str(y) for y in sorted({r.year for r in parsed.rows})) or str(parsed.year)
    text = (
        f"Đã đọc {len(parsed.rows)} số liệu của {len(indicators)} chỉ tiêu (kế hoạch {parsed.plan_code}, năm {years})"
    )
    if skipped:
        text += f"; bỏ qua {len(skipped)} dòng ngoài bảng ({', '.join(describe(skipped))})"
    if untracked:
        text += f"; bỏ qua {len(untracked)} dòng không thuộc chỉ tiêu nào của kế hoạch: " + "; ".join(untracked)
    return text


def parse_appendix(tables: Iterable[Table], catalogue: Catalogue) -> ParsedReturn:
    """Read the appendix table among ``tables``; :class:`ReturnRejected` when none can be read."""
    table, layout = find_appendix(tables)
    above = lines_above(table, layout)
    layout = checked(layout, table, title_year(table, above))
    years = sorted({year for year, _ in layout.groups})
    evidence = above + table.below + ([] if table.in_word else [table.source])
    plan_code = choose_plan(catalogue, table, layout, evidence, years)
    province = catalogue.plan_provinces[plan_code]
    parsed = ParsedReturn("appendix", plan_code, province, None, years[-1], "nam", report_date=report_date(above))
    reader = _Reader(
        table,
        layout,
        catalogue,
        parsed,
        province_area_code(catalogue, province) or "",
        wording_of(catalogue, plan_code),
        skipped=above + table.below,
    )
    reader.read()
    parsed.note = receipt(parsed, reader.skipped, reader.untracked)
    return parsed
