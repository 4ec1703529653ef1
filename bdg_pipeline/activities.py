"""Activities (hoạt động) of a plan and the money it spends (kinh phí): the words officers use for an
activity's status and kind, and the numbers of a spending line. Plain Python, no workbook here."""

from __future__ import annotations

from .numbers import normalize_text
from .units import format_vn
from .vocabulary import ACTIVITY_KIND_WORDS, ACTIVITY_STATUSES

_STATUS_BY_LABEL = {normalize_text(label).casefold(): code for code, label in ACTIVITY_STATUSES.items()}


def activity_kind(text: str) -> str:
    """training / meeting / campaign / other, by the first kind whose words the plan's text uses."""
    folded = normalize_text(text).casefold()
    for kind, words in ACTIVITY_KIND_WORDS.items():
        if any(word in folded for word in words):
            return kind
    return "other"


def status_code(label: object) -> str | None:
    """The status code of a label from the closed list (“Đã hoàn thành” → done), else None."""
    return _STATUS_BY_LABEL.get(normalize_text(str(label or "")).casefold())


def over_plan(spent: float | None, planned: float | None) -> str | None:
    """Why a source's spending is flagged: above its planned total (allowed, to be looked at)."""
    if spent is None or planned is None or spent <= planned:
        return None
    return (f"Kinh phí đã chi {format_vn(spent)} triệu đồng vượt dự toán của nguồn trong kế hoạch "
            f"({format_vn(planned)} triệu đồng)")
