"""Free-form appendices (phụ lục): the results table an office lays out its own way, in a workbook or at
the end of a Word report, like the one closing the Ninh Thuận 2020 plan.

The layout is recognised from header words, never from fixed positions. A header band (one or more
rows, group headings merged across their columns) within the first rows names the columns:
- CHỈ TIÊU / NỘI DUNG (the chỉ tiêu, required), MỤC TIÊU, CƠ QUAN (reporting agency); STT, ĐƠN VỊ TÍNH
  and GHI CHÚ are recognised and not read;
- result columns, each with a year (“NĂM 2019”), possibly a level (“Cấp tỉnh”), and a role: results in
  words (“Cấp tỉnh: 05/50 (10%)”, several on separate lines), or Tử số | Mẫu số | Tỷ lệ apart. Several
  years side by side are several groups of result columns.
Each row is matched to the plan's chỉ tiêu by its “Mục tiêu N” / “Chỉ tiêu N” numbers, checked against
the plan's wording, or — without numbers — by its wording alone when exactly one chỉ tiêu clearly
fits. A table that cannot be read with confidence is refused with what was understood of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..catalogue import Catalogue
from ..numbers import Measure, NumberFormatError, parse_measure, parse_result_cell
from ..units import read_measure
from .matching import (
    LEVEL_WORDS,
    MatchError,
    level_of_label,
    parts_of,
    plan_for,
    resolve_part,
    text_overlap,
    wording_fit,
)
from .model import ParsedReturn, ParsedRow, Problem, ReturnRejected, fold, province_area_code, resolve_agency
from .table import Table
from .template import EXCEL_ERRORS, PERCENT_LOST, PERCENT_LOST_FIX
from .workbook import CellError

HEADER_SCAN_ROWS = 40
MAX_HEADER_ROWS = 4
MIN_TEXT_OVERLAP = 0.5  # share of a numbered row's words found in the plan's wording of its chỉ tiêu
MIN_FIT, MATCH_MARGIN = 0.6, 0.08  # an unnumbered row must fit one chỉ tiêu well, and better than any other
# (NT-2020 7.1 and 7.2 share most words: 0.94 against 0.84 for the row of 7.1)

RESULT_ROLES = ("result", "numerator", "denominator", "rate")
ROLE_WORDS = {"objective": "mục tiêu", "indicator": "chỉ tiêu", "agency": "cơ quan báo cáo", "result": "kết quả",
              "numerator": "tử số", "denominator": "mẫu số", "rate": "tỷ lệ", "ignored": "không đọc",
              "unknown": "chưa hiểu"}
LEVEL_NAMES = {"tinh": "cấp tỉnh", "huyen": "cấp huyện", "xa": "cấp xã"}
LAYOUT_FIX = ("Ghi rõ tiêu đề cột: “CHỈ TIÊU”, năm của số liệu (“NĂM 2019”), và nếu tách cột thì “Cấp tỉnh”/“Cấp "
              "huyện”/“Cấp xã”, “Tử số”/“Mẫu số”/“Tỷ lệ (%)”; hoặc dùng biểu mẫu tạo bằng lệnh “bdg template”.")
NO_TABLE = Problem("(tệp)", "", "Không nhận ra biểu báo cáo: không phải biểu mẫu của hệ thống và không có bảng phụ "
                   "lục có cột CHỈ TIÊU và cột kết quả (SỐ LIỆU KẾT QUẢ … NĂM …)",
                   fix="Dùng biểu mẫu tạo bằng lệnh “bdg template”, hoặc gửi bảng phụ lục có tiêu đề cột như trên.")

_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_LEVEL = re.compile(r"\bcấp\s+(tỉnh|huyện|xã)\b")
_OBJECTIVE = re.compile(r"^mục tiêu\s*(\d+)")
_INDICATOR = re.compile(r"chỉ tiêu\s*(\d+)")
_NUMBERING = re.compile(r"^\(?(\d{1,2}|[a-zđ])\)?$")  # “(1)”, “2”, “A”: the row numbering the columns
_FRACTION = re.compile(r"\d\s*/\s*\d")
_BULLET = ("-", "+", "•", "–")


def role_of(text: str) -> str:
    """What a header cell names (“unknown” when nothing)."""
    h = fold(text)
    if not h:
        return "unknown"
    if h in {"stt", "tt", "số tt", "số thứ tự"} or "ghi chú" in h or "đơn vị tính" in h or h == "đvt":
        return "ignored"
    if "tử số" in h:
        return "numerator"
    if "mẫu số" in h:
        return "denominator"
    if h.startswith("mục tiêu"):
        return "objective"
    if "cơ quan" in h or "đơn vị thực hiện" in h or "đơn vị báo cáo" in h:
        return "agency"
    if "chỉ tiêu" in h or "nội dung" in h:
        return "indicator"
    if any(word in h for word in ("tỷ lệ", "tỉ lệ", "tỷ số", "giá trị")):
        return "rate"
    if any(word in h for word in ("kết quả", "số liệu", "thực hiện")) or _YEAR.search(h) or _level(h):
        return "result"
    return "unknown"


def _level(text: str) -> str | None:
    h = fold(text)
    match = _LEVEL.search(h)
    if match:
        return LEVEL_WORDS[match.group(1)]
    return LEVEL_WORDS.get(h)


@dataclass(frozen=True)
class Column:
    index: int
    role: str
    header: str
    year: int | None = None
    level: str | None = None


@dataclass
class Layout:
    header_rows: list[int]  # the header band, data starts below its last row
    columns: list[Column]
    groups: dict[tuple[int, str | None], dict[str, int]] = field(default_factory=dict)  # (year, level) → role → col

    def first(self, role: str) -> int | None:
        return next((c.index for c in self.columns if c.role == role), None)

    def understood(self, table: Table) -> str:
        pieces = []
        for c in self.columns:
            if c.role == "unknown" and not c.header:
                continue
            words = ROLE_WORDS[c.role] + (f" năm {c.year}" if c.year else "") + (
                f" {LEVEL_NAMES[c.level]}" if c.level else "")
            pieces.append(f"{table.column_name(c.index)} “{c.header[:60]}” = {words}")
        return "\n".join(pieces)  # one column per line in the error report


class LayoutError(ValueError):
    """The header was found but the layout is not read with confidence; the message is for officers."""


def _is_data_cell(text: str) -> bool:
    """A cell only a data row holds: a result, a number, a numbered or long chỉ tiêu wording."""
    h = fold(text)
    return bool(_FRACTION.search(h) or _OBJECTIVE.match(h) or _INDICATOR.search(h)
                or re.fullmatch(r"[\d.,%\s]+", h) or len(h) > 80)


def _header_start(table: Table) -> int | None:
    for row in range(min(len(table.cells), HEADER_SCAN_ROWS)):
        roles = {role_of(table.text(row, c)) for c in range(table.width)}
        if "indicator" in roles and roles & set(RESULT_ROLES):
            return row
    return None


def _header_band(table: Table, start: int) -> list[int]:
    band = [start]
    for row in range(start + 1, min(len(table.cells), start + MAX_HEADER_ROWS)):
        texts = [(c, table.text(row, c)) for c in range(table.width)]
        fresh = [t for c, t in texts if t and t != table.text(row - 1, c)]  # merged-down cells repeat
        if fresh and all(_NUMBERING.match(fold(t)) for t in fresh) and len(fresh) >= 2:
            band.append(row)  # the column numbers (1) (2) (3) under the headings
            break
        if not fresh and any(t for _, t in texts):
            band.append(row)  # headings merged down over this row too
            continue
        if not fresh or any(_is_data_cell(t) for t in fresh) or all(role_of(t) == "unknown" for t in fresh):
            break
        band.append(row)
    return band


def read_layout(table: Table) -> Layout | None:
    """The columns as the header band names them, or None when the table has no appendix header."""
    start = _header_start(table)
    if start is None:
        return None
    band = _header_band(table, start)
    headings = [r for r in band if not all(_NUMBERING.match(fold(t)) for t in
                                           (table.text(r, c) for c in range(table.width)) if t)]
    paths: list[list[str]] = [[] for _ in range(table.width)]
    for position, row in enumerate(headings):
        below = headings[position + 1:]
        left = ""
        for c in range(table.width):
            text = table.text(row, c)
            # a group heading saved without its merge (.ods) covers the empty cells to its right
            if not text and left and any(table.text(r, c) for r in below):
                text = left
            left = text
            if text and text not in paths[c]:
                paths[c].append(text)
    columns = []
    seen_indicator = False
    for c, path in enumerate(paths):
        role = role_of(path[-1]) if path else "unknown"  # the lowest heading is the column's own
        if role == "indicator" and seen_indicator:
            role = "ignored"  # a second “chỉ tiêu” column holds the planned figures
        seen_indicator = seen_indicator or role == "indicator"
        header = " / ".join(" ".join(p.split()) for p in path)
        years = [int(y) for p in path for y in _YEAR.findall(p)] if role in RESULT_ROLES else []
        levels = [lvl for lvl in (_level(p) for p in path) if lvl] if role in RESULT_ROLES else []
        columns.append(Column(c, role, header, years[-1] if years else None, levels[-1] if levels else None))
    return Layout(band, columns)


def check_layout(layout: Layout, table: Table) -> None:
    """Refuse what would be a guess; fill ``layout.groups``."""
    data_start = layout.header_rows[-1] + 1
    for c in layout.columns:
        if c.role == "unknown" and any(re.search(r"\d", table.text(r, c.index))
                                       for r in range(data_start, len(table.cells))):
            raise LayoutError(f"{table.column_name(c.index)} có số liệu nhưng tiêu đề "
                              f"“{c.header[:60] or '(trống)'}” không cho biết đó là gì")
    results = [c for c in layout.columns if c.role in RESULT_ROLES]
    if not results:
        raise LayoutError("không có cột kết quả")
    undated = [c for c in results if c.year is None]
    if undated:
        raise LayoutError(f"không rõ năm của số liệu ở {table.column_name(undated[0].index)} "
                          f"“{undated[0].header[:60]}”")
    for c in results:
        group = layout.groups.setdefault((c.year or 0, c.level), {})
        if c.role in group:
            raise LayoutError(f"hai cột cùng là {ROLE_WORDS[c.role]} năm {c.year}"
                              + (f" {LEVEL_NAMES[c.level]}" if c.level else ""))
        group[c.role] = c.index
    for (year, level), group in layout.groups.items():
        where = f"năm {year}" + (f" {LEVEL_NAMES[level]}" if level else "")
        if ("numerator" in group) != ("denominator" in group):
            raise LayoutError(f"có cột {'tử số' if 'numerator' in group else 'mẫu số'} mà không có cột "
                              f"{'mẫu số' if 'numerator' in group else 'tử số'} ({where})")
        if "result" in group and len(group) > 1:
            raise LayoutError(f"cột kết quả ghi chung lẫn với cột tử số/mẫu số/tỷ lệ ({where})")


def find_appendix(tables: Iterable[Table]) -> tuple[Table, Layout]:
    """The first table with an appendix header, its layout checked; :class:`ReturnRejected` otherwise."""
    for table in tables:
        layout = read_layout(table)
        if layout is None:
            continue
        try:
            check_layout(layout, table)
        except LayoutError as exc:
            raise ReturnRejected([Problem(
                table.source, table.name(layout.header_rows[0], 0),
                f"Không đọc chắc chắn được bảng phụ lục: {exc}", f"Đã hiểu:\n{layout.understood(table)}",
                LAYOUT_FIX)]) from exc
        return table, layout
    raise ReturnRejected([NO_TABLE])


@dataclass
class _Reader:
    """Reads the rows of one appendix table into ``parsed``."""

    table: Table
    layout: Layout
    catalogue: Catalogue
    parsed: ParsedReturn
    area_code: str
    candidates: list[tuple[int, int, str]]  # the plan's (objective, chỉ tiêu, wording)

    @property
    def problems(self) -> list[Problem]:
        return self.parsed.problems

    def problem(self, row: int, column: int, message: str, found: str = "", fix: str = "") -> None:
        self.problems.append(Problem(self.table.source, self.table.name(row, column), message, found[:120], fix))

    def read(self) -> None:
        t, layout = self.table, self.layout
        objective_col, indicator_col, agency_col = (layout.first("objective"), layout.first("indicator"),
                                                    layout.first("agency"))
        assert indicator_col is not None
        result_cols = [c for g in layout.groups.values() for c in g.values()]
        objective: int | None = None
        objective_text = agency_text = ""
        current: tuple[int, int] | None = None
        waiting: tuple[int, tuple[int, int]] | None = None  # a chỉ tiêu row without results, until its sub-rows
        for row in range(layout.header_rows[-1] + 1, len(t.cells)):
            text = t.text(row, indicator_col)
            if text and any(t.text(row, c) == text for c in result_cols):  # a heading merged across the table
                section = _OBJECTIVE.match(fold(text))
                if section:
                    objective, current = int(section.group(1)), None
                continue
            if objective_col is not None and t.text(row, objective_col) not in ("", objective_text):
                objective_text = t.text(row, objective_col)
                found = _OBJECTIVE.match(fold(objective_text))
                objective = int(found.group(1)) if found else None
                if not found:
                    self.problem(row, objective_col, "Không xác định được số mục tiêu", objective_text,
                                 "Ghi “Mục tiêu N: …” ở cột MỤC TIÊU.")
            if agency_col is not None and t.text(row, agency_col) not in ("", agency_text):
                agency_text = t.text(row, agency_col)  # a merged agency cell covers the rows below it
                if resolve_agency(self.catalogue, agency_text) is None:
                    self.problem(row, agency_col, "Không nhận ra cơ quan báo cáo", agency_text,
                                 "Ghi đúng tên cơ quan, ví dụ “Sở Y tế”.")
            has_results = any(t.value(row, c) is not None for c in result_cols)
            section = _OBJECTIVE.match(fold(text))
            if section and not has_results:  # a heading row “Mục tiêu 2: …” in the chỉ tiêu column
                objective, current = int(section.group(1)), None
                continue
            if not text and not has_results:
                continue
            if objective_col is not None and objective is None:
                continue  # under a MỤC TIÊU cell that could not be read (already reported)
            which = self.identify(row, indicator_col, text, objective, current, has_results)
            if which is None:
                continue
            if waiting and (which != waiting[1] or not has_results):
                self.no_results(waiting[0])
            waiting = None if has_results else (row, which)
            current = which
            agency = resolve_agency(self.catalogue, agency_text)
            for (year, level), group in layout.groups.items():
                self.read_group(row, which, text, year, level, group, agency)
        if waiting:
            self.no_results(waiting[0])

    def no_results(self, row: int) -> None:
        first = next(iter(next(iter(self.layout.groups.values())).values()))
        self.problem(row, first, "Chưa có số liệu kết quả", fix="Điền số liệu hoặc xóa dòng.")

    def identify(self, row: int, column: int, text: str, objective: int | None, current: tuple[int, int] | None,
                 has_results: bool) -> tuple[int, int] | None:
        """(objective, chỉ tiêu) of a row, or None (a problem is recorded, or the row is a heading)."""
        folded = fold(text)
        numbered = _INDICATOR.search(folded)
        if not numbered and folded.startswith(_BULLET) and current and objective in (None, current[0]):
            return current  # a further line of the chỉ tiêu above (“- Tỷ lệ nữ đại biểu Quốc hội …”)
        plan = self.parsed.plan_code
        pool = [c for c in self.candidates if objective is None or c[0] == objective]
        if numbered:
            number = int(numbered.group(1))
            pool = [c for c in pool if c[1] == number]
            if not pool:
                where = f" của mục tiêu {objective}" if objective is not None else ""
                self.problem(row, column, f"Kế hoạch {plan} không có chỉ tiêu {number}{where}", text,
                             "Kiểm tra lại số mục tiêu, chỉ tiêu.")
                return None
        if numbered and objective is not None:
            (o, i, wording), = pool
            if text_overlap(text, wording) < MIN_TEXT_OVERLAP:
                self.problem(row, column, f"Nội dung dòng không khớp chỉ tiêu {i} của mục tiêu {o} trong kế hoạch",
                             text, f"Chỉ tiêu trong kế hoạch: “{wording[:120]}”.")
                return None
            return o, i
        scored = sorted(((wording_fit(text, wording), (o, i)) for o, i, wording in pool), reverse=True)
        best = scored[0] if scored else (0.0, (0, 0))
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best[0] >= MIN_FIT and best[0] - runner_up >= MATCH_MARGIN:
            return best[1]
        if not numbered and not has_results:
            return None  # a heading (“I. LĨNH VỰC CHÍNH TRỊ”) or a blank line
        near = ", ".join(f"{o}.{i} ({score:.0%})" for score, (o, i) in scored[:3])
        self.problem(row, column, "Không xác định được dòng này thuộc chỉ tiêu nào của kế hoạch "
                     f"{plan} (gần nhất: {near})", text,
                     "Bắt đầu ô bằng “Chỉ tiêu N:” (và ghi “Mục tiêu N” ở cột MỤC TIÊU), hoặc ghi đúng nội dung "
                     "chỉ tiêu như trong kế hoạch.")
        return None

    def read_group(self, row: int, which: tuple[int, int], text: str, year: int, level: str | None,
                   group: dict[str, int], agency: str | None) -> None:
        t = self.table
        for role, column in group.items():
            value = t.value(row, column)
            if isinstance(value, CellError):
                cause = EXCEL_ERRORS.get(value.code, "công thức không tính ra được")
                self.problem(row, column, f"Ô có lỗi công thức {value.code} ({cause})", value.code,
                             f"Sửa công thức để ra {ROLE_WORDS[role]}, hoặc ghi số trực tiếp.")
                return
        try:
            if "result" in group:
                column = group["result"]
                if not t.text(row, column):
                    return
                measures = [(m, column) for m in parse_result_cell(t.text(row, column))]
            else:
                measure, column = self.composed(row, group)
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
                self.problem(row, column, f"Nhãn “{measure.label}” khác cấp của cột ({LEVEL_NAMES[level]})",
                             measure.raw, "Ghi số liệu của từng cấp vào đúng cột của cấp đó.")
                continue
            if part.unit == "percent" and any(t.maybe_unformatted_percent(row, c) for c in group.values()):
                shown = t.text(row, group.get("rate", group.get("result", column)))
                self.problem(row, column, PERCENT_LOST.format(shown=shown), shown, PERCENT_LOST_FIX)
                continue
            self.parsed.rows.append(ParsedRow(
                self.parsed.plan_code, *which, part.part, level or labelled or "tinh", self.area_code, year, reading,
                agency, t.source, t.name(row, column),
                f"{measure.label}: {measure.raw}" if measure.label else measure.raw,
            ))

    def composed(self, row: int, group: dict[str, int]) -> tuple[Measure | None, int]:
        """One measure from Tử số | Mẫu số | Tỷ lệ cells, written as an officer would in one cell."""
        t = self.table
        numerator = t.text(row, group["numerator"]) if "numerator" in group else ""
        denominator = t.text(row, group["denominator"]) if "denominator" in group else ""
        rate = t.text(row, group["rate"]) if "rate" in group else ""
        if rate and "%" in fold(self.header_of(group["rate"])) and "%" not in rate:
            rate += "%"
        if bool(numerator) != bool(denominator):
            missing = "mẫu số" if numerator else "tử số"
            raise NumberFormatError(f"có {'tử số' if numerator else 'mẫu số'} mà thiếu {missing}",
                                    "Ghi cả tử số và mẫu số, hoặc chỉ ghi tỷ lệ.",
                                    "denominator" if numerator else "numerator")
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


def parse_appendix(tables: Iterable[Table], catalogue: Catalogue) -> ParsedReturn:
    """Read the appendix table among ``tables``; :class:`ReturnRejected` when none can be read."""
    table, layout = find_appendix(tables)
    start = layout.header_rows[0]
    title = " ".join([table.preamble] + [table.text(r, c) for r in range(start) for c in range(table.width)
                                         if table.text(r, c)])
    years = sorted({year for year, _ in layout.groups})
    provinces = [p for p in catalogue.plans.province.unique() if fold(p) in fold(title)]
    title_years = [int(y) for y in _YEAR.findall(title)]
    plan = plan_for(catalogue, provinces[0], title_years + years) if len(provinces) == 1 else None
    if plan is None:
        raise ReturnRejected([Problem(table.source, table.name(0, 0) if not table.preamble else "",
                                      "Không xác định được tỉnh và kế hoạch từ tiêu đề phụ lục", title[:200],
                                      "Tiêu đề cần ghi tên tỉnh và năm của kế hoạch, ví dụ “... TỈNH NINH THUẬN NĂM "
                                      "2020”.")])
    parsed = ParsedReturn("appendix", plan.plan_code, plan.province, None, years[-1], "nam")
    pi = catalogue.plan_indicators[catalogue.plan_indicators.plan_code == plan.plan_code]
    wordings: dict[tuple[int, int], list[str]] = {}
    for r in pi.itertuples():  # parts may word their share of a chỉ tiêu apart
        texts = wordings.setdefault((int(r.objective_no), int(r.indicator_no)), [])
        if str(r.text) not in texts:
            texts.append(str(r.text))
    candidates = [(o, i, " ".join(texts)) for (o, i), texts in sorted(wordings.items())]
    _Reader(table, layout, catalogue, parsed, province_area_code(catalogue, plan.province) or "", candidates).read()
    return parsed
