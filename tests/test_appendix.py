"""The seed appendix (Ninh Thuận, results of 2019) as a workbook: ingests to exactly the printed numbers."""

from __future__ import annotations

import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.samples.ninh_thuan_appendix import ROWS, write_appendix
from bdg_pipeline.warehouse import staging_connection, table_checksum

# (objective, indicator, part, level) → (numerator, denominator, value as printed in the seed)
EXPECTED = {
    (1, 1, "a", "tinh"): (5, 50, 10.0),
    (1, 1, "a", "huyen"): (48, 268, 16.78),
    (1, 1, "a", "xa"): (226, 828, 27.3),
    (1, 1, "b", "tinh"): (2, 6, 33.33),
    (1, 1, "c", "tinh"): (14, 50, 28.0),
    (1, 1, "c", "huyen"): (58, 228, 25.43),
    (1, 1, "c", "xa"): (509, 1753, 29.04),
    (1, 2, "", "tinh"): (48, 93, 51.61),
    (1, 3, "a", "tinh"): (48, 136, 35.29),
    (1, 3, "b", "tinh"): (159, 197, 80.71),
    (2, 1, "", "tinh"): (8688, 17174, 50.59),
    (2, 2, "", "tinh"): (902, 3184, 28.3),
    (2, 3, "", "tinh"): (4860, 9326, 52.11),
    (2, 4, "", "tinh"): (None, None, 100.0),
    (3, 1, "a", "tinh"): (25369, 27430, 92.0),
    (3, 2, "a", "tinh"): (17, 40, 42.5),
    (3, 2, "b", "tinh"): (None, None, 0.0),
    (4, 1, "", "tinh"): (None, None, 108.5),
    (4, 2, "", "tinh"): (None, None, 17.1),
    (4, 3, "", "tinh"): (None, None, 16.8),
    (4, 4, "", "tinh"): (None, None, 2.5),
    (5, 1, "b", "tinh"): (None, None, 100.0),
    (5, 2, "b", "tinh"): (None, None, 100.0),
    (6, 1, "", "tinh"): (None, None, 1.5),
    (6, 2, "a", "tinh"): (87, 109, 80.0),
    (6, 2, "b", "tinh"): (82, 86, 95.0),
    (6, 3, "", "tinh"): (None, None, 100.0),
    (7, 1, "", "tinh"): (None, None, 100.0),
    (7, 2, "", "tinh"): (None, None, 100.0),
    (7, 3, "a", "tinh"): (None, None, 100.0),
    (7, 4, "", "tinh"): (None, None, 100.0),
}
FLAGGED = [(1, 1, "a", "huyen")]  # 48/268 printed as 16,78 %


def test_seed_appendix_ingests_exactly(env, read_warehouse):
    path = write_appendix(env.raw_dir / "phu_luc_NT_2019.xlsx")
    summary = pipeline.ingest(env, [path])
    assert [o.outcome for o in summary.outcomes] == ["accepted"]
    rows = read_warehouse("""
        SELECT objective_no, indicator_no, part, level, numerator, denominator, value, printed_value, unit,
               year, province, area_name, flagged, flag_reason, source_sheet, source_cell, agency
        FROM v_observations""")
    got = {(r[0], r[1], r[2], r[3]): r for r in rows}
    assert set(got) == set(EXPECTED)
    for key, (num, den, printed) in EXPECTED.items():
        row = got[key]
        assert (row[4], row[5]) == (num, den), key
        assert row[7] == pytest.approx(printed), key
        assert row[6] == pytest.approx(printed), key  # as printed, also where the counts disagree (flagged)
        assert row[9] == 2019 and row[10] == "Ninh Thuận" and row[11] == "Tỉnh Ninh Thuận"
        assert row[14] == "Phụ lục" and row[15].startswith("C")
    units = {k: got[k][8] for k in [(4, 1, "", "tinh"), (4, 2, "", "tinh"), (6, 1, "", "tinh"), (2, 1, "", "tinh")]}
    assert units == {
        (4, 1, "", "tinh"): "per_100",
        (4, 2, "", "tinh"): "per_100000",
        (6, 1, "", "tinh"): "times",
        (2, 1, "", "tinh"): "percent",
    }
    flagged = [k for k, r in got.items() if r[12]]
    assert flagged == FLAGGED
    assert got[(1, 1, "a", "huyen")][13] == "Tỷ lệ in sẵn 16,78% khác tỷ lệ tính từ 48/268 = 17,91%"
    # agencies from merged cells: row 3 of objective 1 inherits "Sở Nội vụ; Ban Tổ chức Tỉnh ủy"
    assert got[(1, 1, "c", "tinh")][16] == "Sở Nội vụ"
    assert got[(1, 1, "a", "tinh")][16] == "Ban Tổ chức Tỉnh ủy"
    assert got[(6, 2, "b", "tinh")][16] == "Sở Văn hóa, Thể thao và Du lịch"


def variant(index: int, **changes):
    rows = list(ROWS)
    objective, text, result, agency = rows[index]
    rows[index] = (
        changes.get("objective", objective),
        changes.get("text", text),
        changes.get("result", result),
        changes.get("agency", agency),
    )
    return rows


@pytest.mark.parametrize(
    "rows, cell, message",
    [
        (variant(11, result="một trăm lẻ tám"), "C18", "không tìm thấy số liệu"),
        (variant(5, result="8.688/0 (50,59%)"), "C12", "mẫu số bằng 0"),
        (variant(5, result="17.174/8.688"), "C12", "lớn hơn mẫu số"),
        (variant(5, result="-8.688/17.174"), "C12", "âm"),
        (variant(6, text="Chỉ tiêu 9: Tỷ lệ nữ làm chủ doanh nghiệp đạt 25%."), "B13", "không có chỉ tiêu 9"),
        (variant(6, text="Chỉ tiêu 2: Số cây xanh được trồng mới trong khuôn viên trường học."), "B13", "không khớp"),
        (variant(10, result="Thạc sỹ: 17/40 (42,5%)\nChuyên khoa: 3/9"), "C17", "nhãn “Chuyên khoa”"),
        (variant(19, agency="Sở Ngoại vụ"), "D26", "Không nhận ra cơ quan"),
    ],
)
def test_malformed_appendix_rejected_with_cell_and_warehouse_unchanged(env, rows, cell, message):
    good = write_appendix(env.raw_dir / "a_good.xlsx")
    pipeline.ingest(env, [good])
    with staging_connection(env) as con:
        before = {t: table_checksum(con, t) for t in ("fact_observation", "submission")}
    bad = write_appendix(env.raw_dir / "b_bad.xlsx", rows)
    outcome = pipeline.ingest(env, [bad]).outcomes[0]
    assert outcome.outcome == "rejected"
    assert any(p.cell == cell and message in str(p) for p in outcome.problems), [str(p) for p in outcome.problems]
    assert not bad.exists() and outcome.report_path.exists()
    assert (env.quarantine_dir / outcome.report_path.name.removesuffix(".loi.xlsx")).exists()
    with staging_connection(env) as con:
        assert {t: table_checksum(con, t) for t in ("fact_observation", "submission")} == before
