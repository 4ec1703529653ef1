"""The closed vocabularies shared by the catalogue, the returns and the warehouse."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """Đơn vị tính của chỉ tiêu: everything the pipeline knows about one unit, in one place.

    Values are stored as printed in the unit (50,59 % → 50.59). ``scale`` turns numerator/denominator
    into the value (None: not a ratio); ``valid_range`` bounds what can be true; ``year_jump_limit``
    is the change from one year to the next that quality checks flag for review; ``about_tolerance``
    is how close counts as "khoảng, ở mức" a target.
    """

    code: str
    symbol: str
    scale: int | None
    valid_range: tuple[float, float]
    year_jump_limit: float | None
    about_tolerance: float


UNIT_TABLE: dict[str, Unit] = {
    u.code: u
    for u in (
        Unit("percent", "%", 100, (0, 100), 25.0, 1.0),
        Unit("per_100", "/100", 100, (0, 200), 10.0, 1.0),
        Unit("per_1000", "/1.000", 1000, (0, 1000), 10.0, 0.5),
        Unit("per_100000", "/100.000", 100000, (0, 100000), 30.0, 1.0),
        Unit("times", "lần", 1, (0, 10), 0.5, 0.05),
        Unit("count_per_month", "số lượng/tháng", None, (0, 1000), None, 0.0),
        Unit("count_per_quarter", "số lượng/quý", None, (0, 1000), None, 0.0),
        Unit("yes_no", "có/không", None, (0, 1), None, 0.0),
    )
}
UNITS: dict[str, str] = {code: unit.symbol for code, unit in UNIT_TABLE.items()}  # code → symbol as printed

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

# The closed list an agency reports an activity's status from (tình trạng thực hiện hoạt động).
ACTIVITY_STATUSES: dict[str, str] = {
    "not_started": "Chưa triển khai",
    "in_progress": "Đang triển khai",
    "done": "Đã hoàn thành",
    "dropped": "Không thực hiện",
}
NOT_REPORTED = {"not_reported": "Chưa báo cáo"}  # an activity no agency has reported on for the year
# Kinds of activity whose participants are counted by sex (số người tham gia: nam / nữ), told by the
# words of the plan's text (the kind named first wins: “Lồng ghép tuyên truyền … qua các lớp tập huấn” is a
# campaign); everything else is "other".
ACTIVITY_KINDS: dict[str, str] = {
    "training": "Tập huấn, bồi dưỡng",
    "meeting": "Hội nghị, hội thảo, tọa đàm",
    "campaign": "Truyền thông, vận động",
    "other": "Khác",
}
# Patterns, not bare words: “lớp” alone is also “trường lớp” (schools), “đào tạo” also the cadre policy
# “quy hoạch, đào tạo”, “vận động nguồn” is raising money, not a campaign.
ACTIVITY_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "training": (r"tập huấn", r"bồi dưỡng", r"\blớp (?:học|đào tạo|tập huấn|bồi dưỡng)", r"(?:khóa|tổ chức) đào tạo"),
    "meeting": (
        r"hội nghị",
        r"hội thảo",
        r"tọa đàm",
        r"diễn đàn",
        r"gặp mặt",
        r"giao lưu",
        r"hội thi",
        r"(?:học tập|trao đổi),? (?:trao đổi )?kinh nghiệm",
    ),
    "campaign": (
        r"tuyên truyền",
        r"truyền thông",
        r"chiến dịch",
        r"vận động(?! nguồn)",
        r"kỷ niệm",
        r"mít tinh",
        r"tháng hành động",
    ),
}
# An activity that advises the People's Committee (“Tham mưu … quy hoạch, đào tạo, bồi dưỡng cán bộ nữ”) is
# policy work, whatever event words its text cites: never one whose participants are counted.
ADVISORY_HEADS: tuple[str, ...] = ("tham mưu",)

# Published outputs show counts of gender-based-violence victims and perpetrators below this limit
# at commune level as "<5" (the warehouse keeps the real numbers).
SMALL_CELL_LIMIT = 5
SMALL_CELL_CODES = frozenset(
    {
        "dv_victims_supported_share",
        "dv_perpetrators_counselled_share",
        "gbv_victims_service_access_share",
        "gbv_perpetrators_counselled_share",
        "trafficking_returnees_supported_share",
    }
)
