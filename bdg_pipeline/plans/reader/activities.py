"""Activities (hoạt động) of a plan that sets no chỉ tiêu (an activity plan, like a province's yearly plan): one
per task “Tổ chức thực hiện” gives an agency, with its lead, co-agencies, place and date when the text names
them. Always to be reviewed: plans word a task once under the content and again under the agency."""

from __future__ import annotations

import datetime as dt
import re

from ..model import Activity
from .agencies import _subject, organising_paragraphs
from .names import AgencyNames

PLACE = re.compile(
    r"tại xã ([A-ZĐÀ-Ỹ][^\s,.;]*(?: [A-ZĐÀ-Ỹ][^\s,.;]*)*)(?:, huyện ([A-ZĐÀ-Ỹ][^\s,.;]*"
    r"(?: [A-ZĐÀ-Ỹ][^\s,.;]*)*))?"
)
DAY = re.compile(r"\b(\d{1,2})/(\d{1,2})\b(?!/)")
REVIEW = (
    "Hoạt động đọc từ mục Tổ chức thực hiện, ý {item}: kiểm tra nội dung (gộp với hoạt động trùng ở mục "
    "Nội dung), cơ quan phối hợp, địa bàn và thời hạn"
)


def activities(section: list[str], names: AgencyNames, full_name: dict[str, str], year: int) -> list[Activity]:
    found: list[Activity] = []
    for p in organising_paragraphs(section, names):
        item_agency, item_no, text = p.agency, p.item, p.task
        if not text:
            continue
        task = text.lstrip("-–+ ").strip()
        if item_agency is None or len(task.split()) < 6 or re.match(r"^Hướng dẫn và phối hợp", task):
            continue  # no agency named, or a general duty with no task of its own
        lead = _subject(task, names) or item_agency
        partners = task.lower().find("phối hợp với")
        cos = [m.code for m in names.find(task[partners:])] if partners >= 0 else []
        place = PLACE.search(task)
        day = DAY.search(task)
        due = None
        if day and 1 <= int(day.group(2)) <= 12 and 1 <= int(day.group(1)) <= 31:
            try:
                due = dt.date(year, int(day.group(2)), int(day.group(1)))
            except ValueError:
                due = None
        found.append(
            Activity(
                number=len(found) + 1,
                text=task.rstrip(" ."),
                lead=full_name[lead],
                cos=[full_name[c] for c in dict.fromkeys(cos) if c != lead],
                district=place.group(2) or "" if place else "",
                commune=place.group(1) if place else "",
                due=due,
                source=f"Tổ chức thực hiện, ý {item_no}",
                review=REVIEW.format(item=item_no),
            )
        )
    return found
