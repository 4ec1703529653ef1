"""The closed vocabularies shared by the catalogue, the returns and the warehouse."""

from __future__ import annotations

# Đơn vị tính của chỉ tiêu; giá trị lưu đúng theo đơn vị in trong văn bản (50,59 % → 50.59).
UNITS: dict[str, str] = {
    "percent": "%",
    "per_100": "/100",
    "per_1000": "/1.000",
    "per_100000": "/100.000",
    "times": "lần",
    "count_per_month": "số lượng/tháng",
    "count_per_quarter": "số lượng/quý",
    "yes_no": "có/không",
}

# How a target is judged (the attainment maths lives in bdg_pipeline.attainment).
DIRECTIONS: dict[str, str] = {
    "at_least": "≥ (đạt ít nhất, từ ... trở lên)",
    "above": "> (trên)",
    "at_most": "≤ (không vượt quá, còn, xuống)",
    "below": "< (dưới)",
    "about": "≈ (khoảng, ở mức)",
    "maintain": "duy trì ≥ trong mọi năm của kỳ",
}

LEVELS: dict[str, str] = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện", "xa": "Cấp xã"}

PERIODS: dict[str, str] = {"nam": "Báo cáo năm", "6thang": "Báo cáo 6 tháng"}

# Published outputs show counts of gender-based-violence victims and perpetrators below this limit
# at commune level as "<5" (the warehouse keeps the real numbers).
SMALL_CELL_LIMIT = 5
SMALL_CELL_CODES = frozenset({
    "dv_victims_supported_share", "dv_perpetrators_counselled_share", "gbv_victims_service_access_share",
    "gbv_perpetrators_counselled_share", "trafficking_returnees_supported_share",
})
