"""Activities (hoạt động) of a plan and the money it spends (kinh phí): the words officers use for an
activity's status and kind, and the numbers of a spending line. Plain Python, no workbook here."""

from __future__ import annotations

import re

from .numbers import normalize_text
from .units import format_vn
from .vocabulary import ACTIVITY_KIND_WORDS, ACTIVITY_STATUSES, ADVISORY_HEADS

_STATUS_BY_LABEL = {normalize_text(label).casefold(): code for code, label in ACTIVITY_STATUSES.items()}


_KIND_PATTERNS = {kind: re.compile("|".join(words)) for kind, words in ACTIVITY_KIND_WORDS.items()}


def activity_kind(text: str) -> str:
    """training / meeting / campaign / other: the kind whose words come first in the plan's text."""
    folded = normalize_text(text).casefold()
    if folded.startswith(ADVISORY_HEADS):
        return "other"
    found = [(m.start(), kind) for kind, pattern in _KIND_PATTERNS.items() if (m := pattern.search(folded))]
    return min(found)[1] if found else "other"


def status_code(label: object) -> str | None:
    """The status code of a label from the closed list (“Đã hoàn thành” → done), else None."""
    return _STATUS_BY_LABEL.get(normalize_text(str(label or "")).casefold())


def over_plan(spent: float | None, planned: float | None) -> str | None:
    """Why a source's spending is flagged: above its planned total (allowed, to be looked at)."""
    if spent is None or planned is None or spent <= planned:
        return None
    return (
        f"Kinh phí đã chi {format_vn(spent)} triệu đồng vượt dự toán của nguồn trong kế hoạch "
        f"({format_vn(planned)} triệu đồng)"
    )
