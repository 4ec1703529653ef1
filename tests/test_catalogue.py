"""The catalogue against the plan texts: counts per plan and values checked by hand in the seeds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bdg_pipeline.catalogue import CatalogueError, load_catalogue
from bdg_pipeline.config import CATALOGUE_DIR


def chi_tieu_count(catalogue, plan_code: str) -> int:
    pi = catalogue.plan_indicators
    return len(pi[pi.plan_code == plan_code][["objective_no", "indicator_no"]].drop_duplicates())


@pytest.mark.parametrize(
    "plan_code, objectives, indicators",
    [
        ("QN-2011-2015", 7, 26),  # seed 000 §II: 3+4+5+5+2+3+4
        ("LC-2021-2030", 6, 20),  # seed 001 §I.2: 1+3+4+4+4+4
        ("NT-2020", 7, 22),  # seed 002 §II.2: 3+4+2+4+2+3+4
        ("QN-2021-2030", 6, 21),  # seed 003 §I.2: 2+3+4+4+4+4
    ],
)
def test_counts_per_plan(catalogue, plan_code, objectives, indicators):
    assert (catalogue.objectives.plan_code == plan_code).sum() == objectives
    assert chi_tieu_count(catalogue, plan_code) == indicators


def target(catalogue, plan, obj, ind, part, year):
    t = catalogue.targets
    row = t[
        (t.plan_code == plan)
        & (t.objective_no == obj)
        & (t.indicator_no == ind)
        & (t.part == part)
        & (t.target_year == year)
    ]
    assert len(row) == 1, (plan, obj, ind, part, year)
    pi = catalogue.plan_indicators
    chosen = (pi.plan_code == plan) & (pi.objective_no == obj) & (pi.indicator_no == ind) & (pi.part == part)
    unit = pi[chosen].unit.iloc[0]
    return row.target_value.iloc[0], unit, row.direction.iloc[0]


# Each line checked by hand against the seed text quoted in the comment.
HAND_CHECKED = [
    # 001: "Đến năm 2025 phấn đấu đạt 60% và đến năm 2030 đạt 75% ... lãnh đạo chủ chốt là nữ"
    (("LC-2021-2030", 1, 1, "", 2025), (60, "percent", "at_least")),
    (("LC-2021-2030", 1, 1, "", 2030), (75, "percent", "at_least")),
    # 001: "lao động nữ làm công hưởng lương ... khoảng 60% vào năm 2030"
    (("LC-2021-2030", 2, 1, "", 2030), (60, "percent", "about")),
    # 001: "xuống dưới 30% vào năm 2025"
    (("LC-2021-2030", 2, 2, "", 2025), (30, "percent", "below")),
    # 001: "còn 1,6 lần so với nam giới vào năm 2025"
    (("LC-2021-2030", 3, 1, "", 2025), (1.6, "times", "at_most")),
    # 001: "đến năm 2030 đạt 70% người gây bạo lực ... được tư vấn"
    (("LC-2021-2030", 3, 2, "b", 2030), (70, "percent", "at_least")),
    # 001: "Tỷ lệ tử vong bà mẹ ... dưới 50/100.000 trẻ sinh sống vào năm 2025"
    (("LC-2021-2030", 4, 2, "", 2025), (50, "per_100000", "below")),
    # 001: "Tỷ suất sinh ở vị thành niên ... 4 ca sinh/1.000 vào năm 2025"
    (("LC-2021-2030", 4, 3, "", 2025), (4, "per_1000", "at_most")),
    # 002: "Tỷ số giới tính khi sinh không vượt quá 110 trẻ sơ sinh trai/100 trẻ sơ sinh gái"
    (("NT-2020", 4, 1, "", 2020), (110, "per_100", "at_most")),
    # 002: "Giảm tỷ lệ tử vong bà mẹ ... xuống <40/100.000"
    (("NT-2020", 4, 2, "", 2020), (40, "per_100000", "below")),
    # 002: "Giảm tỷ lệ phá thai xuống 2,5/100 trẻ đẻ sống"
    (("NT-2020", 4, 4, "", 2020), (2.5, "per_100", "at_most")),
    # 002: "xuống 1,5 lần"
    (("NT-2020", 6, 1, "", 2020), (1.5, "times", "at_most")),
    # 002: "Duy trì tỷ lệ nữ tham gia các cấp ủy Đảng ... từ 20% trở lên"
    (("NT-2020", 1, 1, "a", 2020), (20, "percent", "maintain")),
    # 002: "ít nhất 02 chuyên mục" hàng tháng
    (("NT-2020", 5, 1, "a", 2020), (2, "count_per_month", "at_least")),
    # 000: "không vượt quá 113 trẻ sơ sinh trai/100 trẻ sơ sinh gái vào năm 2015"
    (("QN-2011-2015", 4, 2, "", 2015), (113, "per_100", "at_most")),
    # 000: "dưới 23/100.000 trẻ đẻ sống hằng năm" → every year 2011–2015
    (("QN-2011-2015", 4, 3, "", 2012), (23, "per_100000", "below")),
    # 000: "Đến năm 2013, Đài Phát thanh ... 100% Đài truyền thanh ... có chuyên mục"
    (("QN-2011-2015", 5, 2, "c", 2013), (100, "percent", "at_least")),
    (("QN-2011-2015", 5, 2, "b", 2013), (1, "yes_no", "at_least")),  # Báo Quảng Ninh
    (("QN-2021-2030", 6, 4, "a", 2030), (1, "yes_no", "at_least")),  # Trung tâm Truyền thông tỉnh
    (("QN-2021-2030", 3, 3, "", 2025), (100, "percent", "at_least")),  # "Đảm bảo 100 %": not duy trì
    # 000: "nữ tiến sĩ và tương đương đạt 20%"
    (("QN-2011-2015", 3, 2, "b", 2015), (20, "percent", "at_least")),
    # 003: "Tỷ lệ nữ giám đốc, chủ doanh nghiệp, hợp tác xã đạt ít nhất 27% vào năm 2025"
    (("QN-2021-2030", 2, 3, "", 2025), (27, "percent", "at_least")),
    # 003: "1,4 lần vào năm 2030"
    (("QN-2021-2030", 3, 1, "", 2030), (1.4, "times", "at_most")),
    # 003: "xuống dưới 25/100.000 vào năm 2030"
    (("QN-2021-2030", 4, 2, "", 2030), (25, "per_100000", "below")),
    # 003: "ở mức 111 bé trai/100 bé gái ... vào năm 2025"
    (("QN-2021-2030", 4, 1, "", 2025), (111, "per_100", "at_most")),
    # 003: "tiểu học đạt 99,6% vào năm 2025"
    (("QN-2021-2030", 5, 2, "a", 2025), (99.6, "percent", "at_least")),
    # 003: "mỗi quý có ít nhất 04 tin, bài"
    (("QN-2021-2030", 6, 3, "b", 2030), (4, "count_per_quarter", "at_least")),
    # 003: "Có ít nhất một cơ sở y tế cung cấp thí điểm dịch vụ ..." (yes/no)
    (("QN-2021-2030", 4, 4, "", 2025), (1, "yes_no", "at_least")),
]


@pytest.mark.parametrize("key, expected", HAND_CHECKED)
def test_hand_checked_targets(catalogue, key, expected):
    value, unit, direction = target(catalogue, *key)
    assert value == pytest.approx(expected[0])
    assert (unit, direction) == expected[1:]


def test_baselines(catalogue):
    pi = catalogue.plan_indicators.set_index(["plan_code", "objective_no", "indicator_no", "part"])
    # 000: "từ 40% năm 2011 xuống còn 20% vào năm 2015"
    assert pi.loc[("QN-2011-2015", 6, 1, ""), ["baseline_year", "baseline_value"]].tolist() == [2011, 40]
    # 003: "giảm từ 23 ca sinh/1.000 phụ nữ xuống 18/1.000" (no year stated): the year before the period
    row = pi.loc[("QN-2021-2030", 4, 3, "")]
    assert (row.baseline_value, row.baseline_year) == (23, 2020)


def test_shared_codes_across_plans(catalogue):
    pi = catalogue.plan_indicators

    def plans(code):
        return set(pi[pi.indicator_code == code].plan_code)

    assert plans("female_enterprise_owner_share") == {"QN-2011-2015", "LC-2021-2030", "NT-2020", "QN-2021-2030"}
    assert plans("sex_ratio_at_birth") == {"QN-2011-2015", "LC-2021-2030", "NT-2020", "QN-2021-2030"}


def test_agencies_and_extras(catalogue):
    bridge = catalogue.indicator_agencies
    leads = bridge[bridge.role == "lead"]
    # every part has exactly one first lead (the one that reports), most have no other
    firsts = leads[leads.position == 1]
    assert firsts.groupby(["plan_code", "objective_no", "indicator_no", "part"]).size().eq(1).all()
    # the second reporting agency of NT-2020's appendix cells (19 parts: “Sở Nội vụ; Ban Tổ chức Tỉnh ủy”, “Sở
    # KH-ĐT; Cục Thống kê” …) and of LC-2021-2030 3.2a/b (VI.1 and VI.8 each report part of its data)
    seconds = leads[leads.position > 1].groupby("plan_code").size().to_dict()
    assert seconds == {"NT-2020": 19, "LC-2021-2030": 2}
    lead = (
        firsts.drop_duplicates(["plan_code", "objective_no", "indicator_no"])
        .set_index(["plan_code", "objective_no", "indicator_no"])
        .agency_code
    )
    assert lead[("LC-2021-2030", 3, 1)] == "CTK"  # 001 §VI.11
    assert lead[("QN-2021-2030", 1, 2)] == "BTCTU"  # 003 §IV.17
    assert lead[("QN-2011-2015", 4, 1)] == "LDLD"  # 000 §IV.15
    budget = catalogue.budget.set_index("name").amount_million_vnd
    assert budget["Tổng nhu cầu kinh phí"] == 18168 and budget["Giai đoạn I"] == 8658
    assert budget["Giai đoạn II"] == 9510 and budget["Ngân sách địa phương"] == 7479
    assert budget["Trung ương hỗ trợ"] == 9512 and budget["Huy động các nguồn lực khác"] == 1177
    acts = catalogue.activities
    assert len(acts) == 41 and set(acts.plan_code) == {"TTH-2015"}
    assert {"Lộc Điền", "Hồng Bắc"} <= set(acts.commune.dropna())
    # the 30/10 report deadline is the plan's reporting calendar, not each activity's date
    assert acts.due_date.dropna().astype(str).tolist() == ["2015-06-28"]  # ngày Gia đình Việt Nam
    deadlines = catalogue.reporting_deadlines
    assert deadlines[deadlines.plan_code == "TTH-2015"][["due_day", "due_month"]].values.tolist() == [[30, 10]]


def test_every_task_of_the_tth_plan_is_an_activity(catalogue):
    """Seed 004: every task of sections II and IV with its agencies, including those once left out."""
    acts = catalogue.activities.set_index("activity_no")
    text = " ".join(acts.text)
    for task in (
        "Luật Bình đẳng giới sâu rộng đến doanh nghiệp",
        "các tỉnh phía Nam",
        "kiện toàn và xây dựng quy chế hoạt động của Ban Vì sự tiến bộ phụ nữ",
        "kỹ năng tham gia ứng cử",
        "giới thiệu cán bộ nữ cho các cấp ủy Đảng",
        "văn bản quy phạm pháp luật",
        "trẻ em gái",
        "mất cân bằng giới tính khi sinh",
    ):
        assert task in text, task
    leads = acts.groupby("lead_agency").size()
    assert {"TUPHAP", "GDDT", "YTE", "HLHPN", "TAICHINH", "CONGAN", "UBMTTQ"} <= set(leads.index)
    assert leads["GDDT"] == 3 and leads["HLHPN"] == 4


def broken_copy(tmp_path: Path, plan: str, old: str, new: str) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    path = target / "plans" / f"{plan}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    "plan, old, new, expected",
    [
        (
            "NT-2020",
            "direction: at_most, targets: [[2020, 110]]",
            "direction: sideways, targets: [[2020, 110]]",
            ["NT-2020.yaml, chỉ tiêu 4.1, năm 2020", "direction"],
        ),
        (
            "LC-2021-2030",
            "targets: [[2025, 60], [2030, 75]]",
            "targets: [[2025, 60], [2035, 75]]",
            ["LC-2021-2030.yaml, chỉ tiêu 1.1, năm 2035", "target_year_within_plan_period"],
        ),
        ("QN-2021-2030", "  - id: 2.2\n", "  - id: 2.1\n", ["QN-2021-2030.yaml, chỉ tiêu 2.1", "unique"]),
        (
            "QN-2011-2015",
            "code: abortion_ratio",
            "code: abortion_rate_unknown",
            ["QN-2011-2015.yaml, chỉ tiêu 4.5", "abortion_rate_unknown"],
        ),
    ],
)
def test_bad_catalogue_names_file_and_entry(tmp_path, plan, old, new, expected):
    with pytest.raises(CatalogueError) as err:
        load_catalogue(broken_copy(tmp_path, plan, old, new))
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


def test_unknown_unit_in_code_registry(tmp_path):
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    path = target / "indicators.yaml"
    text = path.read_text(encoding="utf-8").replace("unit: per_100000", "unit: per_mille", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match="indicators.yaml, code maternal_mortality_ratio.*unit"):
        load_catalogue(target)


def test_observation_shape_is_the_warehouse_table(env):
    """The parsed shape (Arrow) is fact_observation less what recording adds; pandera checks a subset."""
    from bdg_pipeline.returns.parsing import PARSED_SCHEMA
    from bdg_pipeline.schemas import Observations
    from bdg_pipeline.warehouse import staging_connection

    with staging_connection(env) as con:
        table = {r[0] for r in con.execute("DESCRIBE fact_observation").fetchall()}
    assert table == set(PARSED_SCHEMA.names) | {"submission_id", "source_file"}
    assert set(Observations.to_schema().columns) <= set(PARSED_SCHEMA.names)


def test_the_cached_catalogue_follows_its_files(tmp_path, monkeypatch):
    import shutil

    import bdg_pipeline.catalogue as catalogue_module

    monkeypatch.setattr(catalogue_module, "CACHE_DIR", tmp_path / "cache")
    folder = shutil.copytree(CATALOGUE_DIR, tmp_path / "catalogue")
    first = catalogue_module.load_catalogue(folder)
    assert len(list((tmp_path / "cache").glob("catalogue-*.pickle"))) == 1
    again = catalogue_module.load_catalogue(folder)
    assert again.plans.equals(first.plans) and again.tables().keys() == first.tables().keys()
    plan = next((folder / "plans").glob("NT-2020.yaml"))
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("title: Kế hoạch", "title: (sửa) Kế hoạch", 1), encoding="utf-8"
    )
    changed = catalogue_module.load_catalogue(folder)
    assert len(list((tmp_path / "cache").glob("catalogue-*.pickle"))) == 2
    assert not changed.plans.equals(first.plans)
    # caches of catalogues long gone are not kept for ever: the most recent ones are, the one in use among them
    monkeypatch.setattr(catalogue_module, "KEPT_CATALOGUES", 2)
    for n in range(3):
        (tmp_path / "cache" / f"catalogue-old{n}.pickle").write_bytes(b"")
        os.utime(tmp_path / "cache" / f"catalogue-old{n}.pickle", ns=(n, n))
    plan.write_text(plan.read_text(encoding="utf-8").replace("(sửa) ", "(sửa lại) ", 1), encoding="utf-8")
    latest = catalogue_module.load_catalogue(folder)
    kept = list((tmp_path / "cache").glob("catalogue-*.pickle"))
    assert len(kept) == 2 and not any("old" in p.name for p in kept)
    assert catalogue_module.load_catalogue(folder).plans.equals(latest.plans)


def test_the_cached_catalogue_follows_the_code_that_reads_it_only(tmp_path, monkeypatch):
    import shutil

    import bdg_pipeline.catalogue as catalogue_module
    from bdg_pipeline import code_closure

    package = shutil.copytree(
        code_closure.PACKAGE, tmp_path / "bdg_pipeline", ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setattr(code_closure, "PACKAGE", package)
    code_closure.modules.cache_clear()
    monkeypatch.setattr(code_closure, "modules", code_closure.modules.__wrapped__)
    first = catalogue_module._cache_key(CATALOGUE_DIR)
    with (package / "returns" / "template_read.py").open("a") as f:
        f.write("\n# read otherwise\n")
    assert catalogue_module._cache_key(CATALOGUE_DIR) == first  # the return readers do not make a catalogue
    with (package / "areas.py").open("a") as f:
        f.write("\n# areas otherwise\n")
    assert catalogue_module._cache_key(CATALOGUE_DIR) != first


KEEPING = ("duy trì", "giữ vững", "bền vững")


def test_the_maintain_rule_holds_for_every_chi_tieu(catalogue):
    """maintain only where the text keeps a level (duy trì, giữ vững, bền vững); forms such as
    “Đảm bảo 100 % …” or “100 % … được …” are at_least at each target year."""
    pi, targets = catalogue.plan_indicators, catalogue.targets
    directions = targets.groupby(["plan_code", "objective_no", "indicator_no", "part"]).direction.first()
    for row in pi.itertuples():
        direction = directions[(row.plan_code, row.objective_no, row.indicator_no, row.part)]
        keeps = any(word in row.text.casefold() for word in KEEPING)
        if direction == "maintain":
            assert keeps, (row.plan_code, row.objective_no, row.indicator_no, row.part, row.text)
    for plan in ("LC-2021-2030", "QN-2021-2030"):
        assert directions[(plan, 3, 3, "")] == "at_least"
    assert directions[("QN-2021-2030", 6, 4, "b")] == "at_least"


def test_co_agencies_and_several_leads_as_the_sources_name_them(catalogue):
    bridge = catalogue.indicator_agencies
    named = {"GDDT", "NNPTNT", "TUPHAP", "CONGAN", "HLHPN", "LDLD", "HND", "NHCSXH", "UBNDHUYEN"}  # seed 000 IV.1
    for objective, indicator in ((2, 1), (2, 2), (3, 4), (6, 3), (7, 3), (7, 4)):
        rows = bridge[
            (bridge.plan_code == "QN-2011-2015")
            & (bridge.objective_no == objective)
            & (bridge.indicator_no == indicator)
        ]
        assert set(rows[rows.role == "co"].agency_code) == named, (objective, indicator)
        assert set(rows[rows.role == "lead"].agency_code) == {"LDTBXH"}
    nt = bridge[(bridge.plan_code == "NT-2020") & (bridge.objective_no == 1) & (bridge.indicator_no == 1)]
    leads = {part: list(g.sort_values("position").agency_code) for part, g in nt[nt.role == "lead"].groupby("part")}
    assert leads == {"a": ["BTCTU"], "b": ["NOIVU", "BTCTU"], "c": ["NOIVU", "BTCTU"]}
    pi = catalogue.plan_indicators
    reporting = pi[(pi.plan_code == "NT-2020") & (pi.objective_no == 1) & (pi.indicator_no == 1)]
    assert dict(zip(reporting.part, reporting.lead_agency, strict=True)) == {"a": "BTCTU", "b": "NOIVU", "c": "NOIVU"}


def test_every_named_sub_target_is_a_part(catalogue):
    pi = catalogue.plan_indicators

    def parts(plan, objective, indicator):
        rows = pi[(pi.plan_code == plan) & (pi.objective_no == objective) & (pi.indicator_no == indicator)]
        return dict(zip(rows.part, rows.indicator_code, strict=True))

    assert parts("QN-2011-2015", 5, 2) == {
        "a": "provincial_broadcaster_gender_column",
        "b": "provincial_newspaper_gender_column",
        "c": "local_media_gender_column_share",
    }
    assert parts("QN-2021-2030", 6, 4) == {
        "a": "provincial_media_centre_gender_column",
        "b": "local_media_gender_column_share",
    }
