"""What a report carries around its results table (Nghị định 30/2020/NĐ-CP and habit): the issuing body and
quốc hiệu above, số ký hiệu, địa danh and date, tên loại and trích yếu; under the table “Ghi chú:” lines,
footnotes “(*) số liệu ước tính”, “Nơi nhận:” with its “- …;” lines, the signature block.

None of it is a reason to refuse a return: it is read for evidence (which province, which year) and said
back to the officer as skipped.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from .model import fold
from .today import is_ahead

_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "quốc hiệu",
        re.compile(
            r"^(cộng hòa xã hội chủ nghĩa việt nam|cộng hoà xã hội chủ nghĩa việt nam|độc lập\s*[-–]"
            r"\s*tự do)"
        ),
    ),
    ("số ký hiệu", re.compile(r"^số\s*:")),
    (
        "ghi chú",
        re.compile(
            r"^(ghi chú|chú thích|chú giải|lưu ý|chú ý|nguồn( số liệu)?)\b\s*[:.(]|^\(?\*+\)?"
            r""
        ),
    ),
    ("nơi nhận", re.compile(r"^(nơi nhận|[-–•+]?\s*lưu\s*:?\s*(vt|văn thư))")),
    (
        "chữ ký",
        re.compile(
            r"^(người (lập|lập biểu|tổng hợp|kiểm tra|ghi)|thủ trưởng|(kt|tm|tl|tuq|q)\s*\.|"
            r"(phó )?(giám đốc|chủ tịch|cục trưởng|trưởng phòng|chánh văn phòng)\b|\(ký|ký tên|"
            r"xác nhận)"
        ),
    ),
    ("ngày tháng", re.compile(r"ngày\s*[.…\d]*\s*tháng\s*[.…\d]*\s*năm\s*\d{4}")),
    ("lời văn", re.compile(r"^(trên đây|kính gửi|căn cứ|thực hiện)\b")),
]
_CONTINUED = {"nơi nhận", "chữ ký", "ghi chú"}
ISSUER = re.compile(r"^(ubnd|ủy ban nhân dân|uỷ ban nhân dân|sở|cục|ban|hội|công an|bộ)\b")
RESULT_WORDS = re.compile(r"kết quả|số liệu|thực hiện (các )?chỉ tiêu|báo cáo")
# Years that are not the results' own: a plan's period, its horizon, a date, a document number.
_NOT_RESULT_YEAR = re.compile(
    r"giai đoạn\s*\d{4}\s*[-–—]\s*\d{4}|\d{4}\s*[-–—]\s*\d{4}|(đến|tới|tầm nhìn)( năm)?\s*\d{4}"
    r"|ngày\s*[.…\d]*\s*tháng\s*[.…\d]*\s*năm\s*\d{4}|tháng\s*\d{1,2}\s*(năm|/)\s*\d{4}|\d+/\d{4}/\S+"
    r"|nhiệm kỳ\s*\d{4}"
)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


def kind_of_line(text: str) -> str | None:
    """What a line outside the table is (“ghi chú”, “nơi nhận”, “chữ ký” …), or None when it says nothing
    of its kind."""
    h = fold(text)
    for kind, pattern in _KINDS:
        if pattern.search(h):
            return kind
    return None


def describe(lines: Iterable[str]) -> list[str]:
    """The kinds of furniture among ``lines`` (cells of a line apart by “ | ”), in order, each once. A line of
    unknown kind continues a list above it (the “- UBND tỉnh;” lines under “Nơi nhận:”, the name under a
    signature), is the issuing body at the top, or else a title."""
    kinds: list[str] = []
    current: str | None = None
    for line in lines:
        for piece in line.split(" | "):
            kind = kind_of_line(piece)
            if kind is None and ISSUER.match(fold(piece)) and current in (None, "quốc hiệu", "cơ quan ban hành"):
                kind = "cơ quan ban hành"
            if kind is None:
                kind = current if current in _CONTINUED else "tiêu đề"
            current = kind
            if kind not in kinds:
                kinds.append(kind)
    return kinds


def plain(text: str) -> str:
    """Folded and without diacritics (“Ninh Thuan” and “NINH THUẬN” compare equal)."""
    decomposed = unicodedata.normalize("NFD", fold(text).replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def provinces_named(texts: Iterable[str], provinces: Iterable[str]) -> list[str]:
    """The provinces of ``provinces`` that ``texts`` name, in the order they are first named."""
    joined = " \n ".join(plain(t) for t in texts)
    found = [(joined.find(plain(p)), p) for p in provinces]
    return [p for at, p in sorted(found) if at >= 0]


def result_years(title: str) -> list[int]:
    """The years a title names as the results' own (“KẾT QUẢ … NĂM 2019”): only in a title that speaks of
    results, and not the plan's period, horizon, a date or a document number."""
    h = fold(title)
    if not RESULT_WORDS.search(h):
        return []
    return sorted({int(y) for y in _YEAR.findall(_NOT_RESULT_YEAR.sub(" ", h))})


_DATE = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})")


def report_date(lines: Iterable[str]) -> dt.date | None:
    """The date a report is signed (“Ninh Thuận, ngày 10 tháng 12 năm 2019”): the first whole date above the
    table that is a real day not ahead of today (a date left blank to be filled in, “ngày   tháng 02 năm
    2020”, is not one)."""
    for line in lines:
        for day, month, year in _DATE.findall(fold(line)):
            try:
                date = dt.date(int(year), int(month), int(day))
            except ValueError:
                continue
            if not is_ahead(date):
                return date
    return None
