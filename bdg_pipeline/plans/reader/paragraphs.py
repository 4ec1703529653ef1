"""Lines of a plan document joined into paragraphs: a PDF or a hard-wrapped text breaks a sentence over
lines (and blank lines); a new paragraph starts at a numbering mark or after a line that ends a sentence."""

from __future__ import annotations

import re

MARK = re.compile(
    r"^(?:[IVX]+\.\s|\d+(?:\.\d+)*\s*\.\s|\d+\.\d+\s|[a-zđ]\)\s|[-–•+*]\s|Chỉ tiêu\b|Mục tiêu\s+\d|"
    r"PHỤ LỤC|Nơi nhận|Căn cứ\b|\t)"
)
HEADING = re.compile(r"^(?:[a-zđ]\)|\d+(?:\.\d+)*\s*\.?)\s*Mục tiêu\s+\d+\s*[:.]", re.I)
CONNECTOR = re.compile(r"(\b(và|với|về|của|trong|cho|các|những)|[,\-–])\s*$", re.I)
ENDS = re.compile(r"[.:!?…][)”\"]*\s*$")


def paragraphs(text: str) -> list[str]:
    found: list[str] = []
    open_sentence = False
    for raw in text.split("\n"):
        line = raw.replace("**", "").rstrip()
        if not line.strip():
            continue
        stripped = line.strip()
        starts_new = bool(MARK.match(line)) or bool(MARK.match(stripped)) or not found
        if open_sentence and not starts_new:
            found[-1] = f"{found[-1]} {stripped}"
        else:
            found.append(line.lstrip(" ") if not line.startswith("\t") else line)
        open_sentence = not ENDS.search(stripped)
        if HEADING.match(found[-1].strip()):
            # a heading runs on only where its line breaks mid-phrase (“… gia đình và”)
            open_sentence = bool(CONNECTOR.search(stripped))
    return [re.sub(r"[ ]{2,}", " ", p) for p in found]
