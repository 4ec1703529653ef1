"""Made-up activity returns for the Thừa Thiên Huế 2015 plan (sheet HoatDong) and spending for the Lào Cai
2021–2030 budget (sheet KinhPhi), labelled as samples (DỮ LIỆU MẪU) like the other template returns."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from ..catalogue import Catalogue
from ..returns.plan_sheets import (
    ACTIVITY_LETTER,
    ACTIVITY_SHEET,
    FIRST_ROW,
    SPENDING_LETTER,
    SPENDING_SHEET,
    agency_activities,
)
from ..returns.template import SHEET, template_units
from ..returns.template_build import build_template
from ..vocabulary import ACTIVITY_STATUSES

PLAN = "TTH-2015"
YEAR = 2015
BANNER = "DỮ LIỆU MẪU — không phải số liệu thật"
SILENT = "KHDT"  # a lead agency that sends nothing: the demo shows “Chưa báo cáo” and an overdue activity
LATE = "CTK"  # sends after the 30/10 deadline
# Lào Cai: (allocated, spent) in triệu đồng per year and source, as the Sở LĐ-TB&XH reports it
SOURCES = ("Ngân sách địa phương", "Trung ương hỗ trợ", "Huy động các nguồn lực khác")
SPENDING = {
    year: dict(zip(SOURCES, amounts, strict=True))
    for year, amounts in {
        2021: ((1100, 980.5), (600, 512), (250, 240)),
        2022: ((1200, 1150), (800, 765.2), (300, 310)),
        2023: ((1250, 1234.5), (900, 870), (320, 318)),
        2024: ((1300, 1180), (950, 640), (400, 395)),
    }.items()
}
SPENDING_AGENCY = ("LC-2021-2030", "LDTBXH")


def fill_spending(wb: Workbook, year: int) -> bool:
    """Fill sheet KinhPhi of a Lào Cai return with the year's sample spending; False when there is none."""
    amounts = SPENDING.get(year)
    if amounts is None or SPENDING_SHEET not in wb.sheetnames:
        return False
    ws = wb[SPENDING_SHEET]
    for row in range(FIRST_ROW, ws.max_row + 1):
        source = ws[f"{SPENDING_LETTER['source']}{row}"].value
        if source in amounts:
            allocated, spent = amounts[source]
            ws[f"{SPENDING_LETTER['allocated']}{row}"] = allocated
            ws[f"{SPENDING_LETTER['spent']}{row}"] = spent
    return True


def _status(activity_no: int, role: str) -> str:
    """A made-up but varied status: most done, some under way, one not started, one dropped."""
    if role == "co":
        return "in_progress"
    return {3: "in_progress", 7: "not_started", 11: "in_progress", 16: "dropped", 24: "in_progress"}.get(
        activity_no, "done"
    )


def write_activity_samples(target_dir: Path, catalogue: Catalogue) -> list[Path]:
    acts = catalogue.activities[catalogue.activities.plan_code == PLAN]
    co = {c.strip() for text in acts.co_agencies.fillna("") for c in text.split(";") if c.strip()}
    agencies = sorted((set(acts.lead_agency) | (co & {"HLHPN", "LDTBXH"})) - {SILENT})
    names = catalogue.agencies.set_index("agency_code")["name"]
    units = template_units(catalogue, catalogue.plan_provinces[PLAN], YEAR, "nam")
    communes = units[units.level == "xa"].display.tolist()
    written: list[Path] = []
    for agency_no, agency in enumerate(agencies):
        wb = build_template(catalogue, PLAN, str(names[agency]), YEAR, "nam", banner=BANNER)
        wb[SHEET]["C10"] = "Cán bộ đầu mối (mẫu)"
        ws = wb[ACTIVITY_SHEET]
        mine = agency_activities(catalogue, PLAN, agency).set_index("activity_no")
        for row in range(FIRST_ROW, FIRST_ROW + len(mine)):
            no = int(ws[f"{ACTIVITY_LETTER['activity_no']}{row}"].value)
            act = mine.loc[no]
            status = _status(no, str(act.role))
            cells: dict[str, object] = {
                "status": ACTIVITY_STATUSES[status],
                "result": f"Kết quả mẫu của hoạt động {no} (DỮ LIỆU MẪU)",
            }
            if status == "dropped":
                cells["reason"] = "Chưa bố trí được kinh phí trong năm (mẫu)"
                del cells["result"]
            if status in ("done", "in_progress"):
                cells["date"] = dt.date(YEAR, 5 + no % 5, 1 + (no * 7) % 27)
            planned = [c for c in communes if isinstance(act.commune, str) and c.startswith(f"Xã {act.commune} (")]
            if planned:
                cells["area"] = planned[0]
            if act.activity_kind != "other" and status in ("done", "in_progress"):
                male, female = 12 + 3 * no, 25 + 4 * no
                cells.update(male=male, female=female, total=male + female + no % 3)
            for key, value in cells.items():
                ws[f"{ACTIVITY_LETTER[key]}{row}"] = value
        path = target_dir / f"MAU_{PLAN}_{agency}_{YEAR}_nam.xlsx"
        wb.save(path)
        received = dt.datetime(YEAR, 11, 12, 9) if agency == LATE else dt.datetime(YEAR, 10, 5 + agency_no, 9)
        os.utime(path, (received.timestamp(), received.timestamp()))
        written.append(path)
    return written
