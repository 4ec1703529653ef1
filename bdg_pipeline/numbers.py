"""Numbers as Vietnamese officers write them, and the result cells of a return.

Vietnamese notation: "." groups thousands ("17.174") and "," is the decimal mark ("50,59"). Documents
are not always consistent ("1.5 lần"), so a dot followed by anything but groups of exactly three
digits (or after a leading "0") is read as a decimal point.

A result cell holds one or more *measures*, each optionally labelled ("Cấp tỉnh: 05/50 (10%)",
"Thạc sỹ: 17/40 (42,5%)") and separated by line breaks, " / " or ";". A measure is any of: a fraction
"8.688/17.174", a printed share "(50,59%)", a rate "17,1/100.000", a ratio "1,5 lần", a bare count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

NUMBER = r"\d+(?:[.,]\d+)*"
_FRACTION = re.compile(rf"(?P<num>{NUMBER})\s*/\s*(?P<den>{NUMBER})")
_PERCENT = re.compile(rf"(?P<pct>{NUMBER})\s*%")
_TIMES = re.compile(rf"(?P<times>{NUMBER})\s*lần", re.IGNORECASE)
_BARE = re.compile(rf"(?P<num>{NUMBER})")
_NEGATIVE = re.compile(r"(?:^|[\s(:])[-−–]\s*\d")
_LABEL = re.compile(r"^\s*(?P<label>[^\d\s(][^:]*?)\s*:\s*(?P<rest>.*)$", re.DOTALL)
# Separators between measures: line breaks always; " / " and ";" only when a label follows, and ", trong đó …:"
# ("Nữ tuyển mới: 29,2%, trong đó nữ dân tộc thiểu số: 24,1%").
_SEPARATOR = re.compile(
    r"\n+|\s+/\s+(?=[^\d\s/(][^:/\n]*:)|;\s*(?=[^\d\s;(][^:;\n]*:)"
    r"|,\s*(?=trong đó\b[^:;\n]*:)",
    re.IGNORECASE,
)


class NumberFormatError(ValueError):
    """A cell that cannot be read as a number; the message is for officers (Vietnamese).

    ``fix`` says what to do; ``concerns`` names the part at fault ("numerator", "denominator" or
    "value") so a form with one cell per part can point at the right cell.
    """

    def __init__(self, message: str, fix: str = "", concerns: str = "value"):
        super().__init__(message)
        self.fix = fix
        self.concerns = concerns


def normalize_text(text: str) -> str:
    """NFC, single spaces, non-breaking spaces removed: what officers type, made comparable."""
    text = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ").replace("\r", "\n")
    return re.sub(r"[ \t]+", " ", text).strip()


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut at a word to at most ``limit`` characters, “…” marking the cut (for messages and lists)."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def parse_number(text: str) -> Decimal:
    """Read one number written the Vietnamese way ("17.174" → 17174, "50,59" → 50.59, "1.5" → 1.5)."""
    s = normalize_text(text).replace(" ", "")
    if not re.fullmatch(NUMBER, s):
        raise NumberFormatError(f"“{text}” không phải là một số")
    if "," in s:
        whole, _, frac = s.rpartition(",")
        if "," in whole or "." in frac or ("." in whole and not _is_grouped(whole)):  # “1,234.5”: English marks
            raise NumberFormatError(f"“{text}”: dấu phẩy là dấu thập phân, dấu chấm phân cách hàng nghìn")
        return Decimal(whole.replace(".", "") + "." + frac)
    if "." in s:
        groups = s.split(".")
        if groups[0] != "0" and _is_grouped(s):
            return Decimal(s.replace(".", ""))
        if len(groups) == 2:
            return Decimal(s)
        raise NumberFormatError(f"“{text}”: không rõ dấu chấm là phân cách hàng nghìn hay dấu thập phân")
    return Decimal(s)


def printed_decimals(text: str) -> int:
    """How many digits follow the decimal mark as printed ("16,78" → 2, "10" → 0, "17.174" → 0)."""
    value = parse_number(text)
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _is_grouped(s: str) -> bool:
    groups = s.split(".")
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


@dataclass(frozen=True)
class Measure:
    """One measure read from a result cell, numbers exactly as printed."""

    raw: str
    label: str | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    percent: Decimal | None = None
    value_decimals: int = 0
    times: Decimal | None = None
    number: Decimal | None = None


def split_measures(cell: str) -> list[tuple[str | None, str]]:
    """Split a cell into (label, text) pieces; the label is the text before ':' if any."""
    pieces = []
    for segment in _SEPARATOR.split(normalize_text(cell)):
        segment = segment.strip(" \n/;")
        if not segment:
            continue
        match = _LABEL.match(segment)
        if match and re.search(r"\d", match.group("rest")) or match and not re.search(r"\d", segment):
            pieces.append((match.group("label").strip(), match.group("rest").strip()))
        else:
            pieces.append((None, segment))
    return pieces


def parse_measure(raw: str, label: str | None = None) -> Measure:
    """Read the numbers of one measure; raise :class:`NumberFormatError` if there are none or they are negative."""
    text = raw.replace("‰", "/1.000")  # per mille is a rate per 1.000
    if _NEGATIVE.search(" " + text):
        raise NumberFormatError(f"“{raw}”: số liệu không được âm")
    fraction = _FRACTION.search(text)
    percent = _PERCENT.search(text)
    times = _TIMES.search(text)
    values: dict = {"raw": raw, "label": label}
    if fraction:
        values["numerator"] = parse_number(fraction.group("num"))
        values["denominator"] = parse_number(fraction.group("den"))
    if percent and not (fraction and fraction.start() < percent.end() and percent.start() < fraction.end()):
        values["percent"] = parse_number(percent.group("pct"))
        values["value_decimals"] = printed_decimals(percent.group("pct"))
    if times:
        values["times"] = parse_number(times.group("times"))
    if not (fraction or percent or times):
        bare = _BARE.search(text)
        if not bare:
            raise NumberFormatError(f"“{raw}”: không tìm thấy số liệu (cần dạng 48/93 (51,61%), 100%, 1,5 lần ...)")
        values["number"] = parse_number(bare.group("num"))
    return Measure(**values)


def parse_result_cell(cell: str) -> list[Measure]:
    """Every measure of a result cell, in order."""
    measures = [parse_measure(text, label) for label, text in split_measures(cell)]
    if not measures:
        raise NumberFormatError("ô kết quả để trống")
    return measures
