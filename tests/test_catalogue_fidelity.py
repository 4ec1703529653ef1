"""The hand catalogue read against its seed plans where an audit found it unfaithful: reporting agencies named
by the NT-2020 appendix are all leads; LC-2021-2030 3.2 has the two reporting agencies of VI.1 and VI.8; every
sub-target a part (QN-2011-2015 and NT-2020 7.3, LC-2021-2030 6.4); the kinds of the TTH-2015 activities."""

from __future__ import annotations

import pytest
import yaml

from bdg_pipeline.activities import activity_kind
from bdg_pipeline.config import CATALOGUE_DIR


def _agencies(catalogue, plan: str) -> dict[tuple[int, int, str], tuple[list[str], list[str]]]:
    bridge = catalogue.indicator_agencies
    bridge = bridge[bridge.plan_code == plan].sort_values("position")
    found: dict[tuple[int, int, str], tuple[list[str], list[str]]] = {}
    for b in bridge.itertuples():
        leads, cos = found.setdefault((int(b.objective_no), int(b.indicator_no), b.part), ([], []))
        (leads if b.role == "lead" else cos).append(b.agency_code)
    return found


# The NT-2020 PHỤ LỤC's column “CƠ QUAN, ĐƠN VỊ THỰC HIỆN BÁO CÁO”, cell by cell as the seed prints it (an empty
# cell is the merged cell above it: 1.1c, 1.2 and 1.3 under 1.1b's “Sở Nội vụ; Ban Tổ chức Tỉnh ủy”).
NT_REPORTING = {
    (1, 1, "a"): ["BTCTU"],
    (1, 1, "b"): ["NOIVU", "BTCTU"],
    (1, 1, "c"): ["NOIVU", "BTCTU"],
    (1, 2, ""): ["NOIVU", "BTCTU"],
    (1, 3, "a"): ["NOIVU", "BTCTU"],
    (1, 3, "b"): ["NOIVU", "BTCTU"],
    (2, 1, ""): ["LDTBXH"],
    (2, 2, ""): ["KHDT", "CTK"],
    (2, 3, ""): ["LDTBXH"],
    (2, 4, ""): ["HLHPN", "NHCSXH"],
    (3, 1, "a"): ["GDDT", "CTK"],
    (3, 1, "b"): ["GDDT", "CTK"],
    (3, 1, "c"): ["GDDT", "CTK"],
    (3, 2, "a"): ["NOIVU", "CTK"],
    (3, 2, "b"): ["NOIVU", "CTK"],
    (4, 1, ""): ["YTE"],
    (4, 2, ""): ["YTE"],
    (4, 3, ""): ["YTE"],
    (4, 4, ""): ["YTE"],
    (5, 1, "a"): ["TTTT"],
    (5, 1, "b"): ["TTTT"],
    (5, 2, "a"): ["TTTT"],
    (5, 2, "b"): ["TTTT"],
    (6, 1, ""): ["VHTTDL", "LDTBXH"],
    (6, 2, "a"): ["VHTTDL", "LDTBXH"],
    (6, 2, "b"): ["VHTTDL", "LDTBXH"],
    (6, 3, ""): ["CONGAN"],
    (7, 1, ""): ["TUPHAP", "LDTBXH"],
    (7, 2, ""): ["TUPHAP", "LDTBXH"],
    (7, 3, "a"): ["NOIVU", "LDTBXH"],
    (7, 3, "b"): ["NOIVU", "LDTBXH"],
    (7, 4, ""): ["LDTBXH"],
}


def test_nt_2020_reporting_agencies_are_all_leads(catalogue):
    assert {key: (leads, cos) for key, (leads, cos) in _agencies(catalogue, "NT-2020").items()} == {
        key: (leads, []) for key, leads in NT_REPORTING.items()
    }


def test_lc_3_2_has_both_reporting_agencies(catalogue):
    agencies = _agencies(catalogue, "LC-2021-2030")
    assert agencies[(3, 2, "a")] == agencies[(3, 2, "b")] == (["LDTBXH", "VHTTDL"], [])


@pytest.mark.parametrize(
    "plan, key, parts",
    [
        (
            "QN-2011-2015",
            (7, 3),
            {
                "a": ("gender_staff_adequately_assigned_share", "percent"),
                "b": ("gender_volunteer_network_formed", "yes_no"),
            },
        ),
        (
            "NT-2020",
            (7, 3),
            {
                "a": ("gender_staff_adequately_assigned_share", "percent"),
                "b": ("gender_volunteer_network_formed", "yes_no"),
            },
        ),
        (
            "LC-2021-2030",
            (6, 4),
            {
                "a": ("local_media_gender_column_share", "percent"),
                "b": ("provincial_broadcaster_gender_column", "yes_no"),
            },
        ),
    ],
)
def test_every_sub_target_is_a_part(catalogue, plan, key, parts):
    pi = catalogue.plan_indicators
    rows = pi[(pi.plan_code == plan) & (pi.objective_no == key[0]) & (pi.indicator_no == key[1])]
    assert {r.part: (r.indicator_code, r.unit) for r in rows.itertuples()} == parts
    targets = catalogue.targets[
        (catalogue.targets.plan_code == plan)
        & (catalogue.targets.objective_no == key[0])
        & (catalogue.targets.indicator_no == key[1])
    ]
    assert set(targets.part) == set(parts)  # each part has its targets


# Read from the activities' own words: a study visit is a meeting; raising money, advising on cadre policy and
# building the school network are none of training, meeting or campaign.
TTH_KINDS = {
    1: "other",
    2: "other",
    3: "other",
    4: "campaign",
    5: "training",
    6: "meeting",
    7: "other",
    8: "meeting",
    9: "campaign",
    10: "other",
    11: "other",
    12: "campaign",
    13: "campaign",
    14: "campaign",
    15: "campaign",
    16: "meeting",
    17: "other",
    18: "other",
    19: "campaign",
    20: "other",
    21: "other",
    22: "other",
    23: "other",
    24: "other",
    25: "other",
    26: "other",
    27: "campaign",
    28: "other",
    29: "campaign",
    30: "other",
    31: "campaign",
    32: "other",
    33: "campaign",
    34: "campaign",
    35: "other",
    36: "campaign",
    37: "campaign",
    38: "campaign",
    39: "other",
    40: "training",
    41: "other",
}


def test_tth_activity_kinds():
    plan = yaml.safe_load((CATALOGUE_DIR / "plans" / "TTH-2015.yaml").read_text(encoding="utf-8"))
    assert {a["number"]: activity_kind(a["text"]) for a in plan["activities"]} == TTH_KINDS


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Hoàn thiện mạng lưới trường lớp, đảm bảo mọi trẻ em được đến trường", "other"),
        ("Mở lớp tập huấn cho cán bộ xã", "training"),
        ("Tổ chức lớp bồi dưỡng kiến thức về giới", "training"),
        ("Vận động nguồn cho các chương trình, dự án về bình đẳng giới", "other"),
        ("Vận động hội viên thực hiện pháp luật về bình đẳng giới", "campaign"),
        ("Tổ chức học tập, trao đổi kinh nghiệm ở các tỉnh phía Nam", "meeting"),
        ("Tham mưu thực hiện bình đẳng giới trong quy hoạch, đào tạo, bồi dưỡng cán bộ nữ", "other"),
        ("Lồng ghép tuyên truyền về bình đẳng giới qua các lớp tập huấn", "campaign"),
    ],
)
def test_activity_kind_words(text, kind):
    assert activity_kind(text) == kind
