"""The text of a plan document, line by line: a Word .docx (paragraphs and table rows, cells separated by
tabs), a PDF with a text layer (pypdf), or plain text. A scanned PDF, a Word 97–2003 .doc or anything else
is refused with a message saying what to send instead."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MIN_CHARS_PER_PAGE = 40  # a page with a text layer has far more; a scan has none (or a stray page number)


class DocumentRefused(ValueError):
    """The document cannot be read as text (message for officers)."""


def document_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        text = _docx_text(path)
    elif suffix == ".pdf":
        text = _pdf_text(path)
    elif suffix == ".txt":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DocumentRefused(
                f"{path.name}: tệp văn bản không ở mã UTF-8. Lưu lại dưới dạng UTF-8, hoặc gửi bản .docx."
            ) from exc
    elif suffix == ".doc":
        raise DocumentRefused(
            f"{path.name}: tài liệu Word 97-2003 (.doc) chưa đọc được. Mở bằng Word và lưu lại "
            "dưới dạng Tài liệu Word (*.docx)."
        )
    else:
        raise DocumentRefused(f"{path.name}: chỉ đọc được kế hoạch dạng .docx, .pdf (có lớp chữ) hoặc .txt.")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " "))


def _docx_text(path: Path) -> str:
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise DocumentRefused(
            f"{path.name}: không mở được tài liệu Word (tệp hỏng hoặc đặt mật khẩu). Mở bằng Word, "
            "lưu lại dưới dạng .docx rồi gửi lại."
        ) from exc
    return "\n".join(_blocks(document))


def _blocks(document: Document) -> list[str]:
    """Paragraphs and table rows in the order of the document; a row is its cells after a tab each, as a
    tab-separated table reads (the appendix of a plan is such a table)."""
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                seen: list[object] = []
                cells = []
                for cell in row.cells:
                    # a merged cell is returned once per grid column it spans; keep it once
                    cells.append("" if cell._tc in seen else cell.text)
                    seen.append(cell._tc)
                lines.append("".join(f"\t{c}" for c in cells))
    return lines


def _pdf_text(path: Path) -> str:
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise DocumentRefused(f"{path.name}: tệp PDF được đặt mật khẩu. Gửi bản không đặt mật khẩu hoặc bản .docx.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise DocumentRefused(f"{path.name}: không đọc được tệp PDF (tệp hỏng). Gửi bản .docx của kế hoạch.") from exc
    chars = sum(len("".join(p.split())) for p in pages)
    if not pages or chars < MIN_CHARS_PER_PAGE * len(pages):
        raise DocumentRefused(
            f"{path.name}: tệp PDF là bản quét (ảnh chụp trang), không có lớp chữ nên không đọc "
            "được chỉ tiêu. Gửi bản .docx của kế hoạch, hoặc bản PDF xuất trực tiếp từ Word."
        )
    return "\n".join(pages)
