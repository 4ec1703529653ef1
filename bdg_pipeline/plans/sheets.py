"""The sheets of the review workbook and their columns: one table the writer and the reader both go by.

The first thirteen titles of ``ChiTieu`` are a public contract (officers' macros and other tools read
them); columns may be added after them, never renamed or removed."""

from __future__ import annotations

from ..returns.columns import Column, letters, positions

TARGETS_SHEET = "ChiTieu"
PLAN_SHEET = "KeHoach"
OBJECTIVES_SHEET = "MucTieu"
ACTIVITIES_SHEET = "HoatDong"
BUDGET_SHEET = "KinhPhi"
LISTS_SHEET = "DanhMuc"
GUIDE_SHEET = "HuongDan"
MARKER = "bdg_plan_review"  # in the hidden sheet _meta: this workbook is a plan review workbook
FIRST_ROW = 2  # every table sheet: titles in row 1, data from row 2
YES = "Có"

TARGET_COLUMNS = (
    Column("objective", "Mục tiêu", 8),
    Column("indicator", "Chỉ tiêu", 8),
    Column("part", "Phần", 6),
    Column("text", "Nội dung chỉ tiêu", 50),
    Column("code", "Mã chỉ số", 24),
    Column("unit", "Đơn vị", 14),
    Column("direction", "Chiều", 11),
    Column("year", "Năm", 7),
    Column("value", "Giá trị", 9, number_format="General"),
    Column("leads", "Cơ quan chủ trì", 22),
    Column("cos", "Cơ quan phối hợp", 22),
    Column("review", "Cần xem lại", 32),
    Column("quote", "Câu trong kế hoạch", 36),
    # added after the contract: what the catalogue also keeps about a part
    Column("baseline_value", "Mức gốc", 8),
    Column("baseline_year", "Năm gốc", 8),
    Column("yearly", "Hằng năm", 9),
    Column("indicator_name", "Tên chỉ số", 40),
    Column("labels", "Nhãn trong báo cáo", 20),
    Column("default", "Phần mặc định", 9),
    Column("note", "Ghi chú", 30),
    Column("source", "Mục trong kế hoạch", 18),
    Column("agency_source", "Mục giao cơ quan", 18),
)
CONTRACT_TITLES = (
    "Mục tiêu",
    "Chỉ tiêu",
    "Phần",
    "Nội dung chỉ tiêu",
    "Mã chỉ số",
    "Đơn vị",
    "Chiều",
    "Năm",
    "Giá trị",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Cần xem lại",
    "Câu trong kế hoạch",
)

OBJECTIVE_COLUMNS = (
    Column("number", "Mục tiêu", 9),
    Column("field", "Lĩnh vực", 30),
    Column("text", "Nội dung mục tiêu", 80),
    Column("source", "Mục trong kế hoạch", 18),
)

ACTIVITY_COLUMNS = (
    Column("number", "STT", 6),
    Column("text", "Nội dung hoạt động", 70),
    Column("lead", "Cơ quan chủ trì", 28),
    Column("cos", "Cơ quan phối hợp", 22),
    Column("district", "Huyện", 14),
    Column("commune", "Xã", 18),
    Column("due", "Thời hạn", 12, number_format="DD/MM/YYYY"),
    Column("source", "Mục trong kế hoạch", 16),
    Column("review", "Cần xem lại", 32),
)

BUDGET_COLUMNS = (
    Column("category", "Loại", 12),
    Column("name", "Tên", 40),
    Column("start", "Từ năm", 9),
    Column("end", "Đến năm", 9),
    Column("amount", "Số tiền", 14, number_format="#,##0.###"),
)
BUDGET_CATEGORIES = {"total": "Tổng", "phase": "Giai đoạn", "source": "Nguồn"}

# KeHoach: one fact per row, label in column A, value in B, where in the plan in C, why to look in D
PLAN_TITLES = ("Thông tin", "Giá trị", "Mục trong kế hoạch", "Cần xem lại")
PLAN_FIELDS = (
    ("code", "Mã kế hoạch"),
    ("province", "Tỉnh"),
    ("title", "Tên kế hoạch"),
    ("start", "Từ năm"),
    ("end", "Đến năm"),
    ("monitoring_start", "Theo dõi từ năm"),
    ("monitoring_end", "Theo dõi đến năm"),
    ("seed_file", "Tệp văn bản"),
    ("province_code", "Mã tỉnh (tỉnh lập từ 1/7/2025)"),
    ("due_6thang", "Hạn báo cáo 6 tháng"),
    ("due_nam", "Hạn báo cáo năm"),
    ("budget_unit", "Đơn vị kinh phí"),
    ("budget_source", "Mục kinh phí trong kế hoạch"),
)
PERIOD_FIELDS = {"6thang": "due_6thang", "nam": "due_nam"}

TARGET_POSITION = positions(TARGET_COLUMNS)
TARGET_LETTER = letters(TARGET_COLUMNS)
OBJECTIVE_LETTER = letters(OBJECTIVE_COLUMNS)
ACTIVITY_LETTER = letters(ACTIVITY_COLUMNS)
BUDGET_LETTER = letters(BUDGET_COLUMNS)


def names(agencies: list[str]) -> str:
    """Several agencies in one cell, as the officer writes them."""
    return "; ".join(agencies)


def split_names(text: object) -> list[str]:
    return [piece.strip() for piece in str(text or "").replace("\n", ";").split(";") if piece.strip()]
