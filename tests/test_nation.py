"""The nation as one more instance: four provinces build their warehouses from the bundled sample returns
(`bdg sample-data`, `bdg rebuild`, each in its own folders), export snapshots (`bdg export`), and the ministry
(BDG_INSTANCE=national) receives them through its inbox (`bdg rebuild`) and writes its page and workbook —
real processes, real DuckDB files, real zips and Parquet. A resend is counted once, a newer snapshot
supersedes, a damaged one is refused with nothing partial published and nothing lost."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest

PROVINCES = {"LC": "Lào Cai", "QN": "Quảng Ninh", "NT": "Ninh Thuận", "TTH": "Thừa Thiên Huế"}
HELD_BACK = "MAU_LC-2021-2030_NOIVU_2025_nam.xlsx"  # Lào Cai's later return: its second snapshot carries it
BDG = [sys.executable, "-m", "bdg_pipeline"]


def bdg(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*BDG, *args], env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def instance_env(root: Path, national: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BDG_")}
    env |= {
        "BDG_RAW_DIR": str(root / "raw"),
        "BDG_WAREHOUSE": str(root / "warehouse" / ("quoc_gia.duckdb" if national else "bdg.duckdb")),
        "BDG_AS_OF_YEAR": "2026",
        "BDG_WORKERS": "1",
    }
    if national:
        env["BDG_INSTANCE"] = "national"
    return env


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Each province's warehouse built from its own sample returns, and its snapshot."""
    root = tmp_path_factory.mktemp("tinh")
    samples = root / "mau"
    bdg(instance_env(root / "scratch"), "sample-data", "--into", str(samples))
    made = {"root": root, "zips": {}, "envs": {}}
    for prefix, province in PROVINCES.items():
        home = root / prefix.lower()
        (home / "raw").mkdir(parents=True)
        for path in samples.iterdir():
            if re.search(rf"(^|_){prefix}-\d{{4}}", path.name) and path.name != HELD_BACK:
                shutil.copy2(path, home / "raw" / path.name)
        assert any((home / "raw").iterdir()), prefix
        env = instance_env(home)
        bdg(env, "rebuild")
        out = bdg(env, "export", "--province", province, "-o", str(home / "exports")).stdout
        assert f"Đã xuất gói dữ liệu của tỉnh {province}" in out
        (made["zips"][prefix],) = (home / "exports").glob("*.zip")
        made["envs"][prefix] = env
    made["held_back"] = samples / HELD_BACK
    return made


def ministry(tmp_path: Path, zips: list[Path]) -> dict[str, str]:
    env = instance_env(tmp_path / "bo", national=True)
    Path(env["BDG_RAW_DIR"]).mkdir(parents=True)
    for z in zips:
        shutil.copy2(z, Path(env["BDG_RAW_DIR"]) / z.name)
    return env


def query(env: dict[str, str], sql: str) -> list[tuple]:
    con = duckdb.connect(env["BDG_WAREHOUSE"], read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_snapshot_is_parquet_per_table_with_a_manifest_of_digests(snapshots):
    zip_path = snapshots["zips"]["LC"]
    with zipfile.ZipFile(zip_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        assert names == set(manifest["files"]) | {"manifest.json"}
        assert {"fact_observation.parquet", "dim_plan.parquet", "v_attainment.parquet"} <= names
    assert manifest["province"] == "Lào Cai" and manifest["plans"] == ["LC-2021-2030"]
    assert manifest["schema_version"] == 1 and manifest["published_at"] and manifest["built_at"]
    # the Parquet holds what the warehouse holds
    warehouse = snapshots["envs"]["LC"]["BDG_WAREHOUSE"]
    with zipfile.ZipFile(zip_path) as archive:
        archive.extract("fact_observation.parquet", zip_path.parent / "x")
    table = pq.read_table(zip_path.parent / "x" / "fact_observation.parquet")
    con = duckdb.connect(warehouse, read_only=True)
    assert table.num_rows == con.execute("SELECT count(*) FROM fact_observation").fetchone()[0] > 0
    assert manifest["files"]["fact_observation.parquet"]["rows"] == table.num_rows
    con.close()
    # a folder instead of a zip: the same files, no temporary left behind
    env = snapshots["envs"]["QN"]
    bdg(env, "export", "--province", "Quang Ninh", "--folder", "-o", str(zip_path.parent / "thu_muc"))
    (folder,) = (zip_path.parent / "thu_muc").iterdir()
    assert folder.is_dir() and (folder / "manifest.json").exists() and not folder.name.startswith(".")


def test_national_build_from_four_snapshots_with_page_and_workbook(snapshots, tmp_path: Path):
    env = ministry(tmp_path, list(snapshots["zips"].values()))
    out = bdg(env, "rebuild").stdout
    assert "4 tỉnh" in out, out
    assert not any(Path(env["BDG_RAW_DIR"]).iterdir())  # every snapshot left the inbox once its fate was recorded
    rows = query(env, "SELECT province, outcome, in_force FROM v_national_snapshots ORDER BY province")
    assert rows == [(p, "accepted", True) for p in sorted(PROVINCES.values())]
    # every province's attainment side by side: each province's own rows, as its warehouse judged them
    for prefix, province in PROVINCES.items():
        theirs = duckdb.connect(snapshots["envs"][prefix]["BDG_WAREHOUSE"], read_only=True)
        expected = theirs.execute(
            "SELECT count(*) FROM v_attainment a JOIN dim_plan p USING (plan_code) "
            "WHERE p.province = ? AND a.level = 'tinh' AND a.area_code = p.province_code",
            [province],
        ).fetchone()[0]
        theirs.close()
        got = query(env, f"SELECT count(*) FROM v_national_attainment WHERE province = '{province}'")[0][0]
        assert got == expected, province
    # national figures are sums of counts, recomputed here from the provinces' own warehouses
    counts: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for prefix in PROVINCES:
        theirs = duckdb.connect(snapshots["envs"][prefix]["BDG_WAREHOUSE"], read_only=True)
        for code, year, num, den in theirs.execute(
            "SELECT DISTINCT s.indicator_code, s.year, s.numerator, s.denominator FROM v_province_series s "
            "JOIN dim_plan p ON p.province_code = s.province_code AND s.area_code = s.province_code "
            "JOIN v_targets t ON t.plan_code = p.plan_code AND t.indicator_code = s.indicator_code "
            "WHERE s.level = 'tinh' AND s.denominator > 0 AND t.unit = 'percent' "
            "AND p.province = ?",
            [PROVINCES[prefix]],
        ).fetchall():
            counts.setdefault((code, year), []).append((num, den))
        theirs.close()
    figures = {
        (c, y): (n, d, v, k)
        for c, y, n, d, v, k in query(
            env,
            "SELECT indicator_code, year, numerator, denominator, value, provinces FROM v_national_figures "
            "WHERE unit = 'percent' AND provinces > 0",
        )
    }
    shared = {key: pairs for key, pairs in counts.items() if len(pairs) > 1}
    assert shared, "the sample provinces share quantities"
    differs_from_average = 0
    for key, pairs in shared.items():
        num, den = sum(n for n, _ in pairs), sum(d for _, d in pairs)
        assert figures[key][:2] == (num, den) and figures[key][3] == len(pairs)
        assert figures[key][2] == pytest.approx(100 * num / den)
        average = sum(100 * n / d for n, d in pairs) / len(pairs)
        differs_from_average += abs(average - 100 * num / den) > 0.01
    assert differs_from_average, "a ratio of sums that equals the average of shares proves nothing"
    # provincial targets beside the national ones: Lào Cai's 40 % for 2025 is weaker than the strategy's 50 %,
    # its 33 % of women directors stronger than 27 %, Quảng Ninh's restate the strategy's
    comparison = dict(
        ((p, c, y), r)
        for p, c, y, r in query(
            env, "SELECT province, indicator_code, target_year, comparison FROM v_target_comparison"
        )
    )
    assert comparison[("Lào Cai", "female_wage_employment_share", 2025)] == "weaker"
    assert comparison[("Lào Cai", "female_enterprise_owner_share", 2025)] == "stronger"
    assert comparison[("Quảng Ninh", "female_enterprise_owner_share", 2030)] == "equal"
    assert comparison[("Quảng Ninh", "female_agri_employment_share", 2025)] == "equal"  # both "dưới 30%"
    judged = query(env, "SELECT plan_code, status, provinces FROM v_national_targets")
    assert len(judged) == 8 and {r[0] for r in judged} == {"VN-2021-2030"}
    assert any(r[1] in {"achieved", "not_yet", "not_achieved"} and r[2] >= 2 for r in judged)
    # the page and the workbook
    out = bdg(env, "national-report", "--output", str(tmp_path / "bao_cao")).stdout
    page = tmp_path / "bao_cao" / "quoc-gia" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "Bộ Nội vụ" in html and "Sở Nội vụ" in html and "(4 tỉnh)" in out
    for province in PROVINCES.values():
        assert province in html
    book = openpyxl.load_workbook(tmp_path / "bao_cao" / "quoc-gia" / "bao_cao_toan_quoc.xlsx")
    assert book.sheetnames == ["MucTieuQuocGia", "SoSanhMucTieu", "CacTinh", "GoiDuLieu"]
    sheet = book["MucTieuQuocGia"]
    assert sheet.max_row - 3 == len(judged)
    statuses = {r[0] for r in query(env, "SELECT status_vi FROM v_national_targets")}
    assert {sheet.cell(row=r, column=10).value for r in range(4, sheet.max_row + 1)} == statuses


def test_a_resent_snapshot_is_counted_once(snapshots, tmp_path: Path):
    env = ministry(tmp_path, list(snapshots["zips"].values()))
    bdg(env, "rebuild")
    before = query(env, "SELECT count(*) FROM province_attainment")[0][0]
    # the same file again under another name, and the same warehouse exported again (other zip bytes)
    inbox = Path(env["BDG_RAW_DIR"])
    shutil.copy2(snapshots["zips"]["LC"], inbox / "gui_lai_lao_cai.zip")
    again = tmp_path / "xuat_lai"
    bdg(snapshots["envs"]["LC"], "export", "--province", "Lào Cai", "-o", str(again))
    (reexport,) = again.glob("*.zip")
    assert reexport.read_bytes() != snapshots["zips"]["LC"].read_bytes()
    shutil.copy2(reexport, inbox / reexport.name)
    out = bdg(env, "rebuild").stdout
    assert out.count("trùng gói số 000001") == 2 or out.count("trùng gói số") == 2, out
    assert query(env, "SELECT count(*) FROM province_attainment")[0][0] == before
    assert query(env, "SELECT outcome, count(*) FROM v_national_snapshots GROUP BY 1 ORDER BY 1") == [
        ("accepted", 4),
        ("duplicate", 2),
    ]
    # a rebuild judges the ledger again the same way: still counted once
    bdg(env, "rebuild")
    assert query(env, "SELECT count(*) FROM province_attainment")[0][0] == before


def test_a_newer_snapshot_supersedes_whatever_order_they_arrive_in(snapshots, tmp_path: Path):
    lc = dict(snapshots["envs"]["LC"])
    newer_home = tmp_path / "lc_moi"
    shutil.copytree(Path(lc["BDG_RAW_DIR"]).parent, newer_home, symlinks=True)
    lc |= instance_env(newer_home)
    shutil.copy2(snapshots["held_back"], newer_home / "raw" / HELD_BACK)
    bdg(lc, "rebuild")
    bdg(lc, "export", "--province", "Lào Cai", "-o", str(tmp_path / "moi"))
    (newer,) = (tmp_path / "moi").glob("*.zip")
    # the newer first, the older after it: the older never takes over
    env = ministry(tmp_path, [newer])
    bdg(env, "rebuild")
    shutil.copy2(snapshots["zips"]["LC"], Path(env["BDG_RAW_DIR"]) / snapshots["zips"]["LC"].name)
    bdg(env, "rebuild")
    rows = query(env, "SELECT file_name, outcome, in_force FROM v_national_snapshots ORDER BY arrival_seq")
    assert rows == [(newer.name, "accepted", True), (snapshots["zips"]["LC"].name, "superseded", False)]
    newer_values = duckdb.connect(lc["BDG_WAREHOUSE"], read_only=True)
    expected = newer_values.execute(
        "SELECT count(*) FROM v_attainment WHERE level = 'tinh' AND area_code = '10' AND latest_year = 2025"
    ).fetchone()[0]
    newer_values.close()
    got = query(env, "SELECT count(*) FROM v_national_attainment WHERE province = 'Lào Cai' AND latest_year = 2025")
    assert got[0][0] == expected


def _damaged(source: Path, folder: Path, how: str) -> Path:
    target = folder / f"hong_{how}.zip"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        for name in src.namelist():
            data = src.read(name)
            if how == "digest" and name == "v_attainment.parquet":
                data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
            if how == "missing" and name == "v_targets.parquet":
                continue
            if name == "manifest.json":
                if how == "no_manifest":
                    continue
                if how == "version":
                    manifest["schema_version"] = 99
                data = json.dumps(manifest).encode()
            dst.writestr(name, data)
    return target


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("digest", "tệp v_attainment.parquet không khớp mã sha256"),
        ("missing", "thiếu tệp v_targets.parquet"),
        ("no_manifest", "thiếu tệp manifest.json"),
        ("version", "manifest.json ghi phiên bản lược đồ 99"),
    ],
)
def test_a_damaged_snapshot_is_refused_whole(snapshots, tmp_path: Path, how: str, said: str):
    env = ministry(tmp_path, [snapshots["zips"]["QN"]])
    bdg(env, "rebuild")
    before = query(env, "SELECT count(*), sum(hash(province, plan_code, target_year)) FROM province_attainment")
    bad = _damaged(snapshots["zips"]["LC"], tmp_path, how)
    shutil.copy2(bad, Path(env["BDG_RAW_DIR"]) / bad.name)
    done = bdg(env, "rebuild", check=False)
    assert done.returncode == 1
    assert f"✘ {bad.name}: Gói dữ liệu “{bad.name}” không dùng được: {said}" in done.stdout, done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert "bdg export" in done.stdout  # what to do
    assert query(env, "SELECT count(*), sum(hash(province, plan_code, target_year)) FROM province_attainment") == before
    assert query(env, "SELECT province FROM v_national_snapshots WHERE in_force") == [("Quảng Ninh",)]
    quarantine = Path(env["BDG_RAW_DIR"]).parent / "quarantine"
    kept = quarantine / f"000002_{bad.name}"
    assert kept.read_bytes() == bad.read_bytes()  # nothing lost
    assert said in (quarantine / f"000002_{bad.name}.loi.txt").read_text(encoding="utf-8")
    # a later good snapshot of the same province is taken as usual
    shutil.copy2(snapshots["zips"]["LC"], Path(env["BDG_RAW_DIR"]) / snapshots["zips"]["LC"].name)
    bdg(env, "rebuild")
    assert query(env, "SELECT count(*) FROM v_national_snapshots WHERE in_force") == [(2,)]


def test_the_ministry_runs_through_dagster(snapshots, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The ministry's code location (BDG_INSTANCE=national): its sensor sees new snapshots, its job — run by the real
    `dagster job execute` — receives them like `bdg rebuild`, a damaged one failing the asset check, not the run."""
    import dagster as dg

    from bdg_pipeline.orchestration.nation import snapshot_sensor

    env = ministry(tmp_path, list(snapshots["zips"].values()))
    bad = _damaged(snapshots["zips"]["LC"], tmp_path, "digest")
    shutil.copy2(bad, Path(env["BDG_RAW_DIR"]) / bad.name)
    for key, value in env.items():
        if key.startswith("BDG_"):
            monkeypatch.setenv(key, value)
    asked = snapshot_sensor(dg.build_sensor_context())
    assert isinstance(asked, dg.RunRequest)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy2(Path(__file__).resolve().parent.parent / "dagster.yaml", home / "dagster.yaml")
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "job",
            "execute",
            "-m",
            "bdg_pipeline.definitions",
            "-j",
            "receive_snapshots",
        ],
        env=env | {"DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    log = done.stdout + done.stderr
    assert "RUN_SUCCESS" in log and f"✘ {bad.name}: Gói dữ liệu" in log
    assert "ASSET_CHECK_EVALUATION" in log
    assert query(env, "SELECT count(*) FROM v_national_snapshots WHERE in_force") == [(4,)]
    assert query(env, "SELECT outcome FROM v_national_snapshots WHERE file_name = ?".replace("?", f"'{bad.name}'")) == [
        ("rejected",)
    ]
    assert isinstance(snapshot_sensor(dg.build_sensor_context()), dg.SkipReason)  # nothing new waits
    # the operator's screen and the summary speak of snapshots on this instance
    status = bdg(env | {"DAGSTER_HOME": str(home)}, "status").stdout
    assert "gói dữ liệu đang dùng của 4 tỉnh" in status and "thành công" in status, status
    assert f"000005_{bad.name} lúc" in status and ".loi.txt" in status, status
    summary = bdg(env, "summary").stdout
    assert "Đang dùng 4" in summary and "Bị từ chối 1" in summary, summary
