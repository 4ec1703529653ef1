"""The header of an appendix (phụ lục) table, recognised from its words, never from fixed positions.

A header band (one or more rows, group headings merged across their columns, perhaps a row numbering the
columns “(1) (2) (3)”) within the first rows names the columns:
- CHỈ TIÊU / NỘI DUNG (the chỉ tiêu, required), MỤC TIÊU, CƠ QUAN (reporting agency), ĐƠN VỊ TÍNH (the unit
  of a bare number); STT and GHI CHÚ are recognised and not read;
- result columns, each with a year (“NĂM 2019”, or the year the document's title gives its results),
  possibly a level (“Cấp tỉnh”), and a role: results in words (“Cấp tỉnh: 05/50 (10%)”), or Tử số | Mẫu
  số | Tỷ lệ apart. Several years side by side are several groups of result columns.
A header that cannot be read with confidence is refused with what was understood of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .matching import LEVEL_WORDS
from .model import Problem, ReturnRejected, fold
from .table import Table

HEADER_SCAN_ROWS = 40
MAX_HEADER_ROWS = 4

YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
LEVEL = re.compile(r"\bcấp\s+(tỉnh|huyện|xã)\b")
OBJECTIVE = re.compile(r"^mục tiêu\s*(\d+)")
INDICATOR = re.compile(r"chỉ tiêu\s*(\d+)")
NUMBERING = re.compile(r"^\(?(\d{1,2}|[a-zđ])\)?$")  # “(1)”, “2”, “A”: the row numbering the columns
FRACTION = re.compile(r"\d\s*/\s*\d")

RESULT_ROLES = ("result", "numerator", "denominator", "rate")
ROLE_WORDS = {
    "target": "chỉ tiêu kế hoạch (không đọc)",
    "level": "cấp",
    "objective": "mục tiêu",
    "indicator": "chỉ tiêu",
    "agency": "cơ quan báo cáo",
    "unit": "đơn vị tính",
    "result": "kết quả",
    "numerator": "tử số",
    "denominator": "mẫu số",
    "rate": "tỷ lệ",
    "ignored": "không đọc",
    "unknown": "chưa hiểu",
}
LEVEL_NAMES = {"tinh": "cấp tỉnh", "huyen": "cấp huyện", "xa": "cấp xã"}
LAYOUT_FIX = (
    "Ghi rõ tiêu đề cột: “CHỈ TIÊU”, năm của số liệu (“NĂM 2019”), và nếu tách cột thì “Cấp tỉnh”/“Cấp "
    "huyện”/“Cấp xã”, “Tử số”/“Mẫu số”/“Tỷ lệ (%)”; hoặc dùng biểu mẫu tạo bằng lệnh “bdg template”."
)
NO_TABLE = Problem(
    "(tệp)",
    "",
    "Không nhận ra biểu báo cáo: không phải biểu mẫu của hệ thống và không có bảng phụ "
    "lục có cột CHỈ TIÊU và cột kết quả (SỐ LIỆU KẾT QUẢ … NĂM …)",
    fix="Dùng biểu mẫu tạo bằng lệnh “bdg template”, hoặc gửi bảng phụ lục có tiêu đề cột như trên.",
)


def role_of(text: str) -> str:
    """What a header cell names (“unknown” when nothing)."""
    h = fold(text)
    if not h:
        return "unknown"
    if h in {"stt", "tt", "số tt", "số thứ tự", "mã", "mã số"} or any(
        word in h for word in ("ghi chú", "đánh giá", "so sánh", "xếp loại")
    ):
        return "ignored"
    if h.startswith(("mục tiêu", "kế hoạch", "chỉ tiêu kế hoạch", "chỉ tiêu giao")) and (
        YEAR.search(h) or "đến năm" in h or "giao" in h
    ):
        return "target"  # the plan's own figure for a year, beside the results
    if "đơn vị tính" in h or h in {"đvt", "đơn vị"}:
        return "unit"
    if "tử số" in h:
        return "numerator"
    if "mẫu số" in h or h.startswith("tổng số"):
        return "denominator"
    if h in {"cấp", "cấp báo cáo", "cấp hành chính", "cấp thực hiện"}:
        return "level"  # the level of each row's result (“Tỉnh”, “Huyện”, “Xã”)
    if h.startswith("mục tiêu") and "chỉ tiêu" not in h:
        return "objective"
    if "cơ quan" in h or "đơn vị thực hiện" in h or "đơn vị báo cáo" in h:
        return "agency"
    if "chỉ tiêu" in h or "nội dung" in h:
        return "indicator"
    if any(word in h for word in ("tỷ lệ", "tỉ lệ", "tỷ số", "giá trị")):
        return "rate"
    if h.startswith("số ") and not h.startswith(("số liệu", "số lượng")) and any(w in h for w in (" nữ", " có ")):
        return "numerator"  # “Số CQ có lãnh đạo chủ chốt nữ” beside “Tổng số CQ”
    if any(word in h for word in ("kết quả", "số liệu", "thực hiện", "số lượng")) or YEAR.search(h) or _level(h):
        return "result"
    return "unknown"


def _level(text: str) -> str | None:
    h = fold(text)
    match = LEVEL.search(h)
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
            words = (
                ROLE_WORDS[c.role]
                + (f" năm {c.year}" if c.year else "")
                + (f" {LEVEL_NAMES[c.level]}" if c.level else "")
            )
            pieces.append(f"{table.column_name(c.index)} “{c.header[:60]}” = {words}")
        return "\n".join(pieces)  # one column per line in the error report


class LayoutError(ValueError):
    """The header was found but the layout is not read with confidence; the message is for officers."""


def _is_data_cell(text: str) -> bool:
    """A cell only a data row holds: a result, a number, a numbered or long chỉ tiêu wording."""
    h = fold(text)
    return bool(
        FRACTION.search(h) or OBJECTIVE.match(h) or INDICATOR.search(h) or re.fullmatch(r"[\d.,%\s]+", h) or len(h) > 80
    )


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
        if fresh and all(NUMBERING.match(fold(t)) for t in fresh) and len(fresh) >= 2:
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
    headings = [
        r
        for r in band
        if not all(NUMBERING.match(fold(t)) for t in (table.text(r, c) for c in range(table.width)) if t)
    ]
    paths: list[list[str]] = [[] for _ in range(table.width)]
    for position, row in enumerate(headings):
        below = headings[position + 1 :]
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
        years = [int(y) for p in path for y in YEAR.findall(p)] if role in RESULT_ROLES else []
        levels = [lvl for lvl in (_level(p) for p in path) if lvl] if role in RESULT_ROLES else []
        columns.append(Column(c, role, header, years[-1] if years else None, levels[-1] if levels else None))
    return Layout(band, columns)


def check_layout(layout: Layout, table: Table, title_year: int | None = None) -> None:
    """Refuse what would be a guess; fill ``layout.groups``. A result column without a year of its own takes
    ``title_year``, the year the document's title gives its results."""
    data_start = layout.header_rows[-1] + 1
    for c in layout.columns:
        if c.role == "unknown" and any(
            re.search(r"\d", table.text(r, c.index)) for r in range(data_start, len(table.cells))
        ):
            raise LayoutError(
                f"{table.column_name(c.index)} có số liệu nhưng tiêu đề "
                f"“{c.header[:60] or '(trống)'}” không cho biết đó là gì"
            )
    results = [c for c in layout.columns if c.role in RESULT_ROLES]
    if not results:
        raise LayoutError("không có cột kết quả")
    undated = [c for c in results if c.year is None]
    if undated and title_year is not None:
        layout.columns = [
            Column(c.index, c.role, c.header, title_year, c.level) if c in undated else c for c in layout.columns
        ]
        results = [c for c in layout.columns if c.role in RESULT_ROLES]
    elif undated:
        raise LayoutError(
            f"không rõ năm của số liệu ở {table.column_name(undated[0].index)} “{undated[0].header[:60]}”"
        )
    for c in results:
        group = layout.groups.setdefault((c.year or 0, c.level), {})
        if c.role in group:
            raise LayoutError(
                f"hai cột cùng là {ROLE_WORDS[c.role]} năm {c.year}" + (f" {LEVEL_NAMES[c.level]}" if c.level else "")
            )
        group[c.role] = c.index
    for (year, level), group in layout.groups.items():
        where = f"năm {year}" + (f" {LEVEL_NAMES[level]}" if level else "")
        if ("numerator" in group) != ("denominator" in group):
            raise LayoutError(
                f"có cột {'tử số' if 'numerator' in group else 'mẫu số'} mà không có cột "
                f"{'mẫu số' if 'numerator' in group else 'tử số'} ({where})"
            )
        if "result" in group and "numerator" in group and "rate" not in group:
            group["rate"] = group.pop("result")  # Tử số | Mẫu số | Kết quả: the result is their rate
        if "result" in group and len(group) > 1 and set(group) != {"result", "rate"}:
            raise LayoutError(f"cột kết quả ghi chung lẫn với cột tử số/mẫu số/tỷ lệ ({where})")


def find_appendix(tables: Iterable[Table]) -> tuple[Table, Layout]:
    """The first table with an appendix header (its layout not checked yet); :class:`ReturnRejected` otherwise."""
    for table in tables:
        layout = read_layout(table)
        if layout is not None:
            return table, layout
    raise ReturnRejected([NO_TABLE])


def checked(layout: Layout, table: Table, title_year: int | None, said: str = "") -> Layout:
    """The layout checked (see :func:`check_layout`), or :class:`ReturnRejected` saying what was understood."""
    try:
        check_layout(layout, table, title_year)
    except LayoutError as exc:
        raise ReturnRejected(
            [
                Problem(
                    table.source,
                    table.name(layout.header_rows[0], 0),
                    f"Không đọc chắc chắn được bảng phụ lục: {exc}",
                    f"Đã hiểu:\n{layout.understood(table)}{said}",
                    LAYOUT_FIX,
                )
            ]
        ) from exc
    return layout
