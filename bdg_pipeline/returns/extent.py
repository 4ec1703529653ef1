"""How far each sheet of a workbook reaches, found from its XML as it unpacks, before any reader
builds the sheet in memory.

Readers allocate a sheet as a full grid from its first to its last cell: one value at XFD150000 is a grid
of 16,384 × 150,000 cells, tens of gigabytes. The declared ``<dimension ref>`` of an .xlsx is only a
claim, so the ``r`` attributes of the rows and cells themselves are read too; in OpenDocument the
``number-rows-repeated`` / ``number-columns-repeated`` counts are added up the way a reader expands them
(repeated empty cells at the end of a row, or empty rows at the end of a table, hold nothing).
"""

from __future__ import annotations

import functools
import re
import xml.sax
from dataclasses import dataclass

from defusedxml.ElementTree import fromstring
from defusedxml.sax import make_parser

OVERLAP = 512  # bytes kept from the previous chunk, so a tag cut by a chunk boundary is still seen
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Za-z]{1,4}\d{1,9}:)?([A-Za-z]{1,4})(\d{1,9})"')
# A row's r="150000" and a cell's r="XFD150000", wherever the attribute stands in its tag (no other element of a
# worksheet has an r attribute). Only numbers and column names long enough to pass a limit are looked for (a
# sheet within its limits has no match at all), as literals after a space, as every writer separates
# attributes; a part separating one by a tab or a line break is scanned with patterns allowing any of them.
OTHER_SPACES = (b'\tr="', b'\nr="', b'\rr="')


@functools.lru_cache(maxsize=16)
def far_patterns(max_rows: int, max_columns: int, any_space: bool) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """(row numbers of at least as many digits as ``max_rows``, column names of at least as many letters as
    ``max_columns``'s) — everything beyond the limits, and a little within."""
    space = rb"\s" if any_space else b" "
    digits, letters = len(str(max_rows)), len(column_letters(max_columns))
    return (
        re.compile(space + rb'r="[A-Za-z]{0,6}(\d{%d,12})"' % digits),
        re.compile(space + rb'r="([A-Za-z]{%d,6})\d' % letters),
    )


TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Extent:
    """The rows and columns a sheet reaches (1-based counts: the last row and column)."""

    sheet: str
    rows: int = 0
    columns: int = 0

    @property
    def last_cell(self) -> str:
        return f"{column_letters(self.columns)}{self.rows}"


def other_spaces(text: bytes) -> bool:
    """Whether an ``r`` attribute follows a tab or a line break (one-byte searches first: a worksheet's only
    line break is usually the one after its XML declaration)."""
    for space in (b"\t", b"\n", b"\r"):
        at = text.find(space)
        for _ in range(16):
            if at < 0:
                break
            if text.startswith(b'r="', at + 1):
                return True
            at = text.find(space, at + 1)
        else:
            if space + b'r="' in text:
                return True
    return False


class WorksheetScan:
    """Fed the unpacked bytes of one .xlsx worksheet part: its declared extent, and how far it really reaches
    when that is near or beyond the limits."""

    def __init__(self, part: str, max_rows: int, max_columns: int):
        self.extent = Extent(part)
        self._limits = (max_rows, max_columns)
        self._tail = b""
        self._columns: set[bytes] = set()

    def feed(self, data: bytes) -> None:
        text = self._tail + data
        extent = self.extent
        if not self._tail:  # the dimension stands before the sheet's data: looked for in the first chunk only
            for letters, row in DIMENSION.findall(text[: text.find(b"<sheetData")] if b"<sheetData" in text else text):
                extent.rows = max(extent.rows, int(row))
                self._columns.add(letters)
        rows, columns = far_patterns(*self._limits, other_spaces(text))
        extent.rows = max(extent.rows, max(map(int, rows.findall(text)), default=0))
        self._columns.update(columns.findall(text))
        if len(self._columns) > 64:  # keep the widest only
            self._columns = {max(self._columns, key=lambda c: column_number(c.decode()))}
        self._tail = text[-OVERLAP:]

    def finish(self) -> Extent:
        self.extent.columns = max((column_number(c.decode()) for c in self._columns), default=0)
        return self.extent


def worksheet_titles(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    """{part name (“xl/worksheets/sheet2.xml”): sheet title} from xl/workbook.xml and its relationships."""
    targets = {}
    for rel in fromstring(rels_xml):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    titles = {}
    for element in fromstring(workbook_xml).iter():
        if element.tag.endswith("}sheet"):
            part = targets.get(element.get(f"{{{RELATIONSHIP_NS}}}id"))
            if part:
                titles[part] = element.get("name", part)
    return titles


class OdsExtents(xml.sax.handler.ContentHandler):
    """The extent of each table of an OpenDocument content.xml, counted from its repeat attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Extent] = []
        self._row = self._column = self._row_end = self._row_repeat = 0

    def startElementNS(self, name, qname, attrs):
        uri, local = name
        if uri != TABLE_NS:
            return
        if local == "table":
            self.tables.append(Extent(attrs.get((TABLE_NS, "name"), f"Trang {len(self.tables) + 1}")))
            self._row = 0
        elif local == "table-row":
            self._row_repeat = _count(attrs.get((TABLE_NS, "number-rows-repeated")))
            self._column = self._row_end = 0
        elif local in ("table-cell", "covered-table-cell"):
            repeat = _count(attrs.get((TABLE_NS, "number-columns-repeated")))
            self._column += repeat
            if attrs.get((OFFICE_NS, "value-type")) is not None:
                self._row_end = self._column  # a value repeated fills every copy

    def endElementNS(self, name, qname):
        if name != (TABLE_NS, "table-row") or not self.tables:
            return
        extent = self.tables[-1]
        self._row += self._row_repeat
        if self._row_end:
            extent.rows = self._row
            extent.columns = max(extent.columns, self._row_end)


def _count(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


class OdsScan:
    """Fed the unpacked bytes of an OpenDocument content.xml, incrementally (never held whole)."""

    def __init__(self) -> None:
        self.handler = OdsExtents()
        self._parser = make_parser()
        self._parser.setFeature(xml.sax.handler.feature_namespaces, True)
        self._parser.setContentHandler(self.handler)

    def feed(self, data: bytes) -> None:
        self._parser.feed(data)

    def finish(self) -> list[Extent]:
        self._parser.close()
        return self.handler.tables
