"""The review workbook read back into a :class:`PlanDraft`, every problem named by sheet and cell."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..numbers import NumberFormatError, normalize_text, parse_number
from ..returns.model import Problem
from ..vocabulary import DIRECTIONS, UNITS
from .model import Activity, BudgetLine, Deadline, Objective, PlanDraft, PlanInfo, TargetRow
from .sheets import (
    ACTIVITIES_SHEET,
    ACTIVITY_COLUMNS,
    ACTIVITY_LETTER,
    BUDGET_CATEGORIES,
    BUDGET_COLUMNS,
    BUDGET_LETTER,
    BUDGET_SHEET,
    FIRST_ROW,
    OBJECTIVE_COLUMNS,
    OBJECTIVE_LETTER,
    OBJECTIVES_SHEET,
    PERIOD_FIELDS,
    PLAN_FIELDS,
    PLAN_SHEET,
    TARGET_COLUMNS,
    TARGET_LETTER,
    TARGETS_SHEET,
    YES,
    split_names,
)

CODE = re.compile(r"^[a-z0-9_]+$")
DUE = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")
PARTS = ("", "a", "b", "c", "d")
AgencyCheck = Callable[[str], str | None]  # full name → agency code, None when not in agencies.yaml


class Cells:
    """Reads typed values from one sheet, noting each problem at its cell."""

    def __init__(self, ws: Worksheet, problems: list[Problem]):
        self.ws, self.sheet, self.problems = ws, ws.title, problems

    def raw(self, cell: str) -> object:
        value = self.ws[cell].value
        return normalize_text(value) if isinstance(value, str) else value

    def text(self, cell: str) -> str:
        value = self.raw(cell)
        return "" if value is None else str(value).strip()

    def fail(self, cell: str, message: str, found: object = "", fix: str = "") -> None:
        self.problems.append(Problem(self.sheet, cell, message, "" if found is None else str(found), fix))

    def number(self, cell: str, what: str, required: bool = False) -> float | None:
        value = self.raw(cell)
        if value is None or value == "":
            if required:
                self.fail(cell, f"Thiếu {what}", fix=f"Ghi {what}.")
            return None
        if isinstance(value, (bool, dt.date, dt.time)):
            self.fail(cell, f"{what.capitalize()} phải là số", value)
            return None
        if isinstance(value, (int, float)):
            number = float(value)
        else:
            try:
                number = float(parse_number(str(value)))
            except NumberFormatError:
                self.fail(cell, f"{what.capitalize()} phải là số", value, "Ghi số, ví dụ 45 hoặc 1,5 (không ghi “%”).")
                return None
        if number < 0:
            self.fail(cell, f"{what.capitalize()} không được âm", value)
            return None
        return number

    def whole(self, cell: str, what: str, required: bool = False, low: int = 1, high: int = 9999) -> int | None:
        number = self.number(cell, what, required)
        if number is None:
            return None
        if not number.is_integer() or not low <= number <= high:
            self.fail(cell, f"{what.capitalize()} phải là số nguyên từ {low} đến {high}", self.raw(cell))
            return None
        return int(number)

    def yes(self, cell: str) -> bool:
        text = self.text(cell)
        if text and text.casefold() not in (YES.casefold(), "x"):
            self.fail(cell, "Chỉ ghi “Có” hoặc để trống", text)
        return bool(text)

    def agencies(self, cell: str, check: AgencyCheck) -> list[str]:
        found = split_names(self.raw(cell))
        for name in found:
            if check(name) is None:
                self.fail(
                    cell,
                    f"Cơ quan “{name}” không có trong danh mục cơ quan (agencies.yaml)",
                    name,
                    "Chọn tên trong danh sách thả xuống; nhiều cơ quan thì cách nhau bằng dấu “;”.",
                )
        return found


def _blank(ws: Worksheet, row: int, width: int) -> bool:
    return all(ws.cell(row=row, column=c).value in (None, "") for c in range(1, width + 1))


def _check_titles(ws: Worksheet, titles: tuple[str, ...], problems: list[Problem]) -> bool:
    for col, title in enumerate(titles, start=1):
        found = normalize_text(str(ws.cell(row=1, column=col).value or "")).strip()
        if found != title:
            letter = ws.cell(row=1, column=col).column_letter
            problems.append(
                Problem(
                    ws.title,
                    f"{letter}1",
                    f"Tiêu đề cột phải là “{title}”",
                    found,
                    "Không đổi tên, chèn hay xóa cột của biểu.",
                )
            )
            return False
    return True


def read_review_workbook(wb: Workbook, check: AgencyCheck) -> tuple[PlanDraft, list[Problem]]:
    problems: list[Problem] = []
    missing = [name for name in (PLAN_SHEET, OBJECTIVES_SHEET, TARGETS_SHEET) if name not in wb.sheetnames]
    if missing:
        problems.append(
            Problem(
                missing[0],
                "",
                "Thiếu trang tính của biểu rà soát kế hoạch",
                "",
                "Dùng tệp do “bdg plan export” hoặc “bdg plan draft” tạo ra, không đổi tên trang.",
            )
        )
        return PlanDraft(PlanInfo("", "", "", None, None)), problems
    info = _plan_info(Cells(wb[PLAN_SHEET], problems))
    draft = PlanDraft(info=info)
    draft.objectives = _objectives(Cells(wb[OBJECTIVES_SHEET], problems))
    draft.rows = _targets(Cells(wb[TARGETS_SHEET], problems), check)
    if ACTIVITIES_SHEET in wb.sheetnames:
        draft.activities = _activities(Cells(wb[ACTIVITIES_SHEET], problems), check)
    if BUDGET_SHEET in wb.sheetnames:
        draft.budget = _budget(Cells(wb[BUDGET_SHEET], problems))
    return draft, problems


def _plan_info(cells: Cells) -> PlanInfo:
    row_of = {key: row for row, (key, _label) in enumerate(PLAN_FIELDS, start=FIRST_ROW)}
    for key, label in PLAN_FIELDS:
        found = cells.text(f"A{row_of[key]}")
        if found != label:
            cells.fail(f"A{row_of[key]}", f"Dòng này phải là “{label}”", found, "Không chèn hay xóa dòng ở trang này.")
            return PlanInfo("", "", "", None, None)

    def text(key: str) -> str:
        return cells.text(f"B{row_of[key]}")

    def year(key: str, required: bool = True) -> int | None:
        return cells.whole(f"B{row_of[key]}", "năm", required, 2000, 2050)

    for key, _label in PLAN_FIELDS:
        why = cells.text(f"D{row_of[key]}")
        if why:
            cells.fail(
                f"D{row_of[key]}",
                "Dòng còn ghi “Cần xem lại”: chưa được rà soát",
                why,
                "Sửa giá trị ở cột B rồi xóa nội dung ô “Cần xem lại”.",
            )
    info = PlanInfo(
        code=text("code"),
        province=text("province"),
        title=text("title"),
        start=year("start"),
        end=year("end"),
        monitoring_start=year("monitoring_start", False),
        monitoring_end=year("monitoring_end", False),
        seed_file=text("seed_file"),
        province_code=text("province_code"),
        budget_unit=text("budget_unit") or "triệu đồng",
        budget_source=text("budget_source"),
    )
    for key in ("code", "province", "title"):
        if not text(key):
            cells.fail(f"B{row_of[key]}", "Thiếu thông tin bắt buộc của kế hoạch", fix="Ghi vào ô này.")
    if info.code and not re.fullmatch(r"[A-Z0-9][A-Z0-9-]*", info.code):
        cells.fail(
            f"B{row_of['code']}",
            "Mã kế hoạch chỉ gồm chữ in hoa không dấu, số và dấu “-”",
            info.code,
            "Ví dụ LC-2021-2030.",
        )
    if info.start and info.end and info.start > info.end:
        cells.fail(f"B{row_of['end']}", "Năm kết thúc trước năm bắt đầu", info.end)
    for period, key in PERIOD_FIELDS.items():
        due = text(key)
        if not due:
            continue
        match = DUE.match(due)
        if not match or not (1 <= int(match[1]) <= 31 and 1 <= int(match[2]) <= 12):
            cells.fail(f"B{row_of[key]}", "Hạn báo cáo phải có dạng ngày/tháng", due, "Ví dụ 10/12.")
            continue
        info.deadlines.append(Deadline(period, f"{int(match[1])}/{int(match[2])}", cells.text(f"C{row_of[key]}")))
    return info


def _objectives(cells: Cells) -> list[Objective]:
    if not _check_titles(cells.ws, tuple(c.title for c in OBJECTIVE_COLUMNS), cells.problems):
        return []
    found = []
    for row in range(FIRST_ROW, cells.ws.max_row + 1):
        if _blank(cells.ws, row, len(OBJECTIVE_COLUMNS)):
            continue
        col = {key: f"{letter}{row}" for key, letter in OBJECTIVE_LETTER.items()}
        number = cells.whole(col["number"], "số mục tiêu", required=True, high=99)
        if not cells.text(col["text"]):
            cells.fail(col["text"], "Thiếu nội dung mục tiêu")
        found.append(
            Objective(number or 0, cells.text(col["field"]), cells.text(col["text"]), cells.text(col["source"]), row)
        )
    return found


def _targets(cells: Cells, check: AgencyCheck) -> list[TargetRow]:
    if not _check_titles(cells.ws, tuple(c.title for c in TARGET_COLUMNS), cells.problems):
        return []
    rows = []
    for row in range(FIRST_ROW, cells.ws.max_row + 1):
        if _blank(cells.ws, row, len(TARGET_COLUMNS)):
            continue
        col = {key: f"{letter}{row}" for key, letter in TARGET_LETTER.items()}
        review = cells.text(col["review"])
        if review:
            cells.fail(
                col["review"],
                "Dòng còn ghi “Cần xem lại”: chưa được rà soát",
                review,
                "Sửa các ô liên quan theo văn bản kế hoạch rồi xóa nội dung ô “Cần xem lại”.",
            )
        part = cells.text(col["part"]).lower()
        if part not in PARTS:
            cells.fail(col["part"], "Phần phải để trống hoặc là a, b, c, d", part)
        code, unit, direction = cells.text(col["code"]), cells.text(col["unit"]), cells.text(col["direction"])
        if not CODE.match(code):
            cells.fail(
                col["code"],
                "Mã chỉ số chỉ gồm chữ thường không dấu, số và dấu _",
                code,
                "Ví dụ female_enterprise_owner_share.",
            )
        if unit not in UNITS:
            cells.fail(col["unit"], "Đơn vị không có trong danh sách", unit, "Chọn: " + ", ".join(UNITS) + ".")
        if direction not in DIRECTIONS:
            cells.fail(
                col["direction"], "Chiều không có trong danh sách", direction, "Chọn: " + ", ".join(DIRECTIONS) + "."
            )
        leads = cells.agencies(col["leads"], check)
        if not leads:
            cells.fail(col["leads"], "Thiếu cơ quan chủ trì", fix="Chọn cơ quan chủ trì báo cáo chỉ tiêu.")
        rows.append(
            TargetRow(
                objective_no=cells.whole(col["objective"], "số mục tiêu", required=True, high=99),
                indicator_no=cells.whole(col["indicator"], "số chỉ tiêu", required=True, high=99),
                part=part,
                text=cells.text(col["text"]),
                indicator_code=code,
                unit=unit,
                direction=direction,
                year=cells.whole(col["year"], "năm", required=True, low=2000, high=2050),
                value=cells.number(col["value"], "giá trị", required=True),
                leads=leads,
                cos=cells.agencies(col["cos"], check),
                review=review,
                quote=cells.text(col["quote"]),
                baseline_value=cells.number(col["baseline_value"], "mức gốc"),
                baseline_year=cells.whole(col["baseline_year"], "năm gốc", low=2000, high=2050),
                yearly=cells.yes(col["yearly"]),
                indicator_name=cells.text(col["indicator_name"]),
                labels=[label.strip() for label in cells.text(col["labels"]).split(";") if label.strip()],
                default=cells.yes(col["default"]),
                note=cells.text(col["note"]),
                source=cells.text(col["source"]),
                agency_source=cells.text(col["agency_source"]),
                excel_row=row,
            )
        )
        if len(cells.text(col["text"])) < 10:
            cells.fail(col["text"], "Thiếu nội dung chỉ tiêu (ít nhất 10 ký tự)", cells.text(col["text"]))
    return rows


def _activities(cells: Cells, check: AgencyCheck) -> list[Activity]:
    if not _check_titles(cells.ws, tuple(c.title for c in ACTIVITY_COLUMNS), cells.problems):
        return []
    found = []
    for row in range(FIRST_ROW, cells.ws.max_row + 1):
        if _blank(cells.ws, row, len(ACTIVITY_COLUMNS)):
            continue
        col = {key: f"{letter}{row}" for key, letter in ACTIVITY_LETTER.items()}
        review = cells.text(col["review"])
        if review:
            cells.fail(
                col["review"],
                "Dòng còn ghi “Cần xem lại”: chưa được rà soát",
                review,
                "Sửa các ô liên quan rồi xóa nội dung ô “Cần xem lại”.",
            )
        leads = cells.agencies(col["lead"], check)
        if len(leads) != 1:
            cells.fail(col["lead"], "Mỗi hoạt động có đúng một cơ quan chủ trì", cells.text(col["lead"]))
        due = cells.raw(col["due"])
        if due is not None and not isinstance(due, dt.date):
            cells.fail(col["due"], "Thời hạn phải là một ngày", due, "Ví dụ 28/06/2015, định dạng ô Ngày.")
            due = None
        found.append(
            Activity(
                number=cells.whole(col["number"], "số thứ tự", required=True) or 0,
                text=cells.text(col["text"]),
                lead=leads[0] if leads else "",
                cos=cells.agencies(col["cos"], check),
                district=cells.text(col["district"]),
                commune=cells.text(col["commune"]),
                due=due.date() if isinstance(due, dt.datetime) else due if isinstance(due, dt.date) else None,
                source=cells.text(col["source"]),
                review=review,
                excel_row=row,
            )
        )
    return found


def _budget(cells: Cells) -> list[BudgetLine]:
    if not _check_titles(cells.ws, tuple(c.title for c in BUDGET_COLUMNS[:-1]), cells.problems):
        return []
    category_of = {label: code for code, label in BUDGET_CATEGORIES.items()}
    found = []
    for row in range(FIRST_ROW, cells.ws.max_row + 1):
        if _blank(cells.ws, row, len(BUDGET_COLUMNS)):
            continue
        col = {key: f"{letter}{row}" for key, letter in BUDGET_LETTER.items()}
        label = cells.text(col["category"])
        if label not in category_of:
            cells.fail(col["category"], "Loại phải là Tổng, Giai đoạn hoặc Nguồn", label)
        found.append(
            BudgetLine(
                category_of.get(label, ""),
                cells.text(col["name"]),
                cells.number(col["amount"], "số tiền", required=True),
                cells.whole(col["start"], "năm", low=2000, high=2050),
                cells.whole(col["end"], "năm", low=2000, high=2050),
                row,
            )
        )
    return found
