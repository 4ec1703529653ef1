"""The template's sheets for plans made of activities and money: “HoatDong” (each activity the agency
leads or joins: status from a closed list, date, where, result, participants by sex) and “KinhPhi”
(funds allocated and spent in the year by source, in triệu đồng). Their column tables, shared by the module
that writes them (:mod:`.plan_sheets_build`) and the one that reads them back (:mod:`.plan_sheets_read`),
like the “BaoCao” sheet."""

from __future__ import annotations

import pandas as pd

from ..catalogue import Catalogue
from .columns import Column, letters, positions

ACTIVITY_SHEET = "HoatDong"
SPENDING_SHEET = "KinhPhi"
HEADER_ROW = 6
FIRST_ROW = HEADER_ROW + 1
ACTIVITY_COLUMNS = (
    Column("number", "STT", 5),
    Column("activity_no", "Mã hoạt động", 9),
    Column("text", "Nội dung hoạt động (theo kế hoạch)", 55),
    Column("role", "Vai trò", 10),
    Column("kind", "Loại hoạt động", 14),
    Column("planned_area", "Địa bàn theo kế hoạch", 18),
    Column("status", "Tình trạng", 16, officer_fills=True),
    Column("date", "Ngày thực hiện / hoàn thành", 13, officer_fills=True, number_format="DD/MM/YYYY"),
    Column("area", "Địa bàn thực hiện (xã, huyện; nhiều nơi cách nhau “;”)", 24, officer_fills=True),
    Column("result", "Kết quả (ngắn gọn)", 36, officer_fills=True),
    Column("reason", "Lý do (nếu không thực hiện)", 24, officer_fills=True),
    Column("male", "Người tham gia: Nam", 10, officer_fills=True, number_format="#,##0"),
    Column("female", "Người tham gia: Nữ", 10, officer_fills=True, number_format="#,##0"),
    Column("total", "Tổng số người tham gia", 11, officer_fills=True, number_format="#,##0"),
)
SPENDING_COLUMNS = (
    Column("number", "STT", 5),
    Column("source", "Nguồn kinh phí", 34),
    Column("planned", "Dự toán cả kế hoạch (triệu đồng)", 16, number_format="#,##0.0"),
    Column("allocated", "Kinh phí được bố trí trong năm (triệu đồng)", 18, officer_fills=True, number_format="#,##0.0"),
    Column("spent", "Kinh phí đã chi trong năm (triệu đồng)", 18, officer_fills=True, number_format="#,##0.0"),
    Column("note", "Ghi chú", 36, officer_fills=True),
)
ACTIVITY_LETTER = letters(ACTIVITY_COLUMNS)
SPENDING_LETTER = letters(SPENDING_COLUMNS)
POSITION: dict[tuple[Column, ...], dict[str, int]] = {
    columns: positions(columns) for columns in (ACTIVITY_COLUMNS, SPENDING_COLUMNS)
}


def agency_activities(catalogue: Catalogue, plan_code: str, agency_code: str) -> pd.DataFrame:
    """The plan's activities the agency leads or joins, with its ``role``, in plan order."""
    acts = catalogue.activities
    if acts.empty:
        return acts.assign(role=pd.Series(dtype=str))
    acts = acts[acts.plan_code == plan_code]
    co = acts.co_agencies.fillna("").map(lambda text: agency_code in [c.strip() for c in text.split(";")])
    mine = acts[(acts.lead_agency == agency_code) | co].copy()
    mine["role"] = ["lead" if lead == agency_code else "co" for lead in mine.lead_agency]
    return mine.sort_values("activity_no")


def budget_sources(catalogue: Catalogue, plan_code: str) -> pd.DataFrame:
    budget = catalogue.budget
    if budget.empty:
        return budget
    return budget[(budget.plan_code == plan_code) & (budget.category == "source")]
