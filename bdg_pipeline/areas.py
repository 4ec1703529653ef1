"""Administrative areas (đơn vị hành chính) in both worlds, from the ``vietnamadminunits`` package.

- Before 1 July 2025: 63 provinces (tỉnh), their districts (huyện, thị xã, thành phố thuộc tỉnh) and
  communes (xã, phường, thị trấn), three levels. Keyed by their official codes ("58", "582", "22738").
- From 1 July 2025: 34 provinces and 3,321 communes, two levels. The new lists reuse old codes for
  different territories, so a unit of the new world is keyed ``<official code>@2025`` — except a
  province that continues unchanged (same code, name and territory, e.g. Quảng Ninh "22"), which keeps
  one row with no end date.

Every unit carries ``valid_from`` / ``valid_to`` and a ``territory_code``: the pre-2025 province whose
territory contains it. A target set by a former province (Ninh Thuận's, Lào Cai's before the merger)
is tracked on that territory: the new communes whose territory_code is the old province's code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd

REFORM_DATE = dt.date(2025, 7, 1)
LEGACY_END = REFORM_DATE - dt.timedelta(days=1)
NEW_SUFFIX = "@2025"
TYPE_WORDS = ["thành phố", "thị trấn", "thị xã", "tỉnh", "huyện", "quận", "phường", "xã", "tp.", "tp", "đặc khu"]


def _query(sql: str) -> pd.DataFrame:
    from vietnamadminunits.database import query

    return pd.DataFrame(query(sql))


def _converter() -> dict:
    data = resources.files("vietnamadminunits").joinpath("data/converter_2025.json").read_text(encoding="utf-8")
    return json.loads(data)


def plain(text: str) -> str:
    """Lower case, no diacritics, no spaces or punctuation: how the package writes its keys."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


@functools.lru_cache(maxsize=1)
def load_areas() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(areas, successors): every unit of both worlds, and old_code → new_code with the effective date."""
    legacy = _query(
        "SELECT province, district, ward, provinceCode, districtCode, wardCode, provinceKey, "
        "districtKey, wardKey FROM admin_units_legacy"
    )
    new = _query("SELECT province, ward, provinceCode, wardCode, provinceKey, wardKey FROM admin_units")
    converter = _converter()
    province_sources = converter["DICT_PROVINCE"]  # new province key → old province keys
    old_province_code = dict(zip(legacy.provinceKey, legacy.provinceCode, strict=True))
    new_province_code = dict(zip(new.provinceKey, new.provinceCode, strict=True))
    continuing = {
        new_province_code[k]
        for k, olds in province_sources.items()
        if olds == [k] and old_province_code.get(k) == new_province_code.get(k)
    }

    rows: list[tuple[Any, ...]] = []
    provinces = legacy.drop_duplicates("provinceCode")
    for p in provinces.itertuples():
        keeps = p.provinceCode in continuing
        rows.append(
            (
                p.provinceCode,
                p.province,
                "tinh",
                p.provinceCode,
                p.province,
                None,
                None,
                None if keeps else LEGACY_END,
                p.provinceCode,
                p.provinceCode,
            )
        )
    for d in legacy.drop_duplicates("districtCode").itertuples():
        rows.append(
            (
                d.districtCode,
                d.district,
                "huyen",
                d.provinceCode,
                d.province,
                d.provinceCode,
                None,
                LEGACY_END,
                d.provinceCode,
                d.districtCode,
            )
        )
    for w in legacy.dropna(subset=["wardCode"]).drop_duplicates("wardCode").itertuples():
        rows.append(
            (
                w.wardCode,
                w.ward,
                "xa",
                w.provinceCode,
                w.province,
                w.districtCode,
                None,
                LEGACY_END,
                w.provinceCode,
                w.wardCode,
            )
        )

    legacy_ward_code = {
        f"{r.provinceKey}_{r.districtKey}_{r.wardKey}": r.wardCode
        for r in legacy.dropna(subset=["wardCode"]).itertuples()
    }
    legacy_district_code = {f"{r.provinceKey}_{r.districtKey}_": r.districtCode for r in legacy.itertuples()}
    new_ward_code = {(r.provinceKey, r.wardKey): r.wardCode for r in new.itertuples()}

    def new_key(code: str, level: str) -> str:
        return code if level == "tinh" and code in continuing else code + NEW_SUFFIX

    successors = []
    # wards: each old ward → the new ward(s) covering it
    predecessors: dict[str, set[str]] = {}
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            code = new_ward_code.get((province_key, ward_key))
            for old in old_keys:
                old_code = legacy_ward_code.get(old) or legacy_district_code.get(old)
                if code and old_code:
                    predecessors.setdefault(code, set()).add(old_code)
    for province_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, targets in divided.items():
            old_code = legacy_ward_code.get(old)
            for target in targets:
                code = new_ward_code.get((province_key, target["newWardKey"]))
                if code and old_code:
                    predecessors.setdefault(code, set()).add(old_code)
    old_province_of = {code: prov for code, _, _, prov, *_ in rows}
    for code, olds in predecessors.items():
        for old in sorted(olds):
            successors.append((old, new_key(code, "xa"), REFORM_DATE))
    # provinces: merged ones point to the new province; districts point to the new province too
    for new_key_name, old_keys in province_sources.items():
        target = new_province_code[new_key_name]
        for old_key in old_keys:
            old_code = old_province_code.get(old_key)
            if old_code and not (old_code == target and target in continuing):
                successors.append((old_code, new_key(target, "tinh"), REFORM_DATE))
    district_province = legacy.drop_duplicates("districtCode").set_index("districtCode").provinceKey
    new_province_of_old = {old: new for new, olds in province_sources.items() for old in olds}
    for district_code, province_key in district_province.items():
        target = new_province_code.get(new_province_of_old.get(province_key, ""))
        if target:
            successors.append((district_code, new_key(target, "tinh"), REFORM_DATE))

    for p in new.drop_duplicates("provinceCode").itertuples():
        if p.provinceCode not in continuing:
            rows.append(
                (
                    p.provinceCode + NEW_SUFFIX,
                    p.province,
                    "tinh",
                    p.provinceCode + NEW_SUFFIX,
                    p.province,
                    None,
                    REFORM_DATE,
                    None,
                    None,
                    p.provinceCode,
                )
            )
    for w in new.itertuples():
        olds = predecessors.get(w.wardCode, set())
        territories = {old_province_of.get(o) for o in olds} - {None}
        province_key = new_key(w.provinceCode, "tinh")
        rows.append(
            (
                w.wardCode + NEW_SUFFIX,
                w.ward,
                "xa",
                province_key,
                w.province,
                province_key,
                REFORM_DATE,
                None,
                territories.pop() if len(territories) == 1 else None,
                w.wardCode,
            )
        )

    areas = pd.DataFrame(
        rows,
        columns=[
            "area_code",
            "area_name",
            "level",
            "province_code",
            "province_name",
            "parent_code",
            "valid_from",
            "valid_to",
            "territory_code",
            "official_code",
        ],
    )
    succ = pd.DataFrame(successors, columns=["old_code", "new_code", "effective_date"]).drop_duplicates()
    return areas, succ


PLAIN_TYPES = {plain(w): ("thanhpho" if plain(w) == "tp" else plain(w)) for w in TYPE_WORDS}

# Names a plan may use for a province whose name changed before the package's pre-2025 list was taken.
FORMER_PROVINCE_NAMES = {"thừa thiên huế": "46"}


def province_code(name: str, areas: pd.DataFrame) -> str | None:
    """The pre-2025 province code for a province name as plans write it ("Lào Cai", "Thừa Thiên Huế")."""
    folded = unicodedata.normalize("NFC", name).casefold().strip()
    if folded in FORMER_PROVINCE_NAMES:
        return FORMER_PROVINCE_NAMES[folded]
    legacy = areas[(areas.level == "tinh") & ~areas.area_code.str.endswith(NEW_SUFFIX)]
    hits = [
        code
        for code, area_name in zip(legacy.area_code, legacy.area_name, strict=True)
        if plain(_strip_type(area_name)) == plain(_strip_type(name))
    ]
    return hits[0] if len(hits) == 1 else None


def world_date(year: int, period: str = "nam") -> dt.date:
    """The date a return's areas are read at: the end of its period."""
    return dt.date(year, 6, 30) if period == "6thang" else dt.date(year, 12, 31)


def valid_on(areas: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    start = areas.valid_from.isna() | (pd.to_datetime(areas.valid_from) <= pd.Timestamp(day))
    end = areas.valid_to.isna() | (pd.to_datetime(areas.valid_to) >= pd.Timestamp(day))
    return areas[start & end]


def units_for(areas: pd.DataFrame, territory_code: str, day: dt.date) -> pd.DataFrame:
    """Units valid on ``day`` inside a (pre-2025) province's territory, province first."""
    valid = valid_on(areas, day)
    # a pre-2025 territory holds its communes of both worlds; a new province holds its own communes
    inside = valid[
        ((valid.territory_code == territory_code) | (valid.province_code == territory_code)) & (valid.level != "tinh")
    ]
    own = areas[areas.area_code == territory_code]  # the plan's territory, also after its province merged
    return pd.concat([own, inside.sort_values(["level", "area_name"])])


def display_name(area_name: str, parent_name: str | None) -> str:
    """What a dropdown shows: communes with their district, to tell namesakes apart."""
    return f"{area_name} ({parent_name})" if parent_name else area_name


class AreaError(ValueError):
    """Unknown or ambiguous name (message for officers, with the candidates)."""


def _split_type(name: str) -> tuple[str | None, str]:
    """("xa", "lộc điền") for "Xã Lộc Điền", "xa loc dien" or "XÃ  LỘC ĐIỀN"; (None, name) without a type word."""
    words = re.sub(r"\s+", " ", unicodedata.normalize("NFC", name).casefold()).strip().split(" ")
    for n in (2, 1):
        if len(words) > n and plain(" ".join(words[:n])) in PLAIN_TYPES:
            return PLAIN_TYPES[plain(" ".join(words[:n]))], " ".join(words[n:])
    return None, " ".join(words)


def _strip_type(name: str) -> str:
    return _split_type(name)[1]


@dataclass(frozen=True)
class Candidate:
    area_code: str
    area_name: str
    level: str
    parent_name: str | None


def resolve(name: str, units: pd.DataFrame) -> str:
    """The area code of ``name`` among ``units`` (those valid for the return's year and territory).

    Officers write "xã Lộc Điền", "Lộc Điền", "huyện Phú Lộc", "TP. Phan Rang - Tháp Chàm", "Tp Huế",
    with or without diacritics, composed or decomposed, "Xã X (Huyện Y)" to name the district too.
    """
    text = unicodedata.normalize("NFC", str(name)).strip()
    hint = None
    match = re.match(r"^(.*?)\s*\((.+)\)\s*$", text)
    if match:
        text, hint = match.group(1), match.group(2)
    parents = dict(zip(units.area_code, units.area_name, strict=True))
    kind, key = _split_type(text)
    plain_key = plain(key)
    candidates = []
    for unit in units.itertuples():
        unit_kind, short = _split_type(unit.area_name)
        if key == short or plain_key == plain(short):
            if kind and unit_kind and kind != unit_kind:
                continue  # "huyện Phú Lộc" is not "thị trấn Phú Lộc"
            parent = parents.get(unit.parent_code)
            if hint and parent and plain(_strip_type(hint)) != plain(_strip_type(parent)):
                continue
            candidates.append(Candidate(unit.area_code, unit.area_name, unit.level, parent))
    exact = [c for c in candidates if _strip_type(c.area_name) == key]
    chosen = exact if len(exact) == 1 else candidates
    if len(chosen) == 1:
        return chosen[0].area_code
    if not chosen:
        near = closest(key, hint, units, parents)
        raise AreaError(
            f"Không tìm thấy địa bàn “{name}” trong danh mục đơn vị hành chính của năm báo cáo"
            + (f"; gần nhất: {'; '.join(near)}" if near else "")
        )
    listed = "; ".join(display_name(c.area_name, c.parent_name) for c in chosen)
    raise AreaError(
        f"Địa bàn “{name}” không rõ ràng, có thể là: {listed}. Ghi thêm cấp hoặc huyện, ví dụ “Xã … (Huyện …)”"
    )


def closest(key: str, hint: str | None, units: pd.DataFrame, parents: dict[str, str], limit: int = 3) -> list[str]:
    """The names among ``units`` nearest to a name not found (“xã Hạ Longg” → “Phường Hạ Long (…)”), those of
    the district or province named in ``hint`` first, as a dropdown shows them."""

    def shown(unit: Any) -> str:
        return display_name(unit.area_name, parents.get(unit.parent_code))

    pool = list(units.itertuples())
    if hint:
        inside = [u for u in pool if plain(_strip_type(parents.get(u.parent_code) or "")) == plain(_strip_type(hint))]
        pool = inside or pool
    by_plain: dict[str, list[str]] = {}
    for unit in pool:
        by_plain.setdefault(plain(_strip_type(unit.area_name)), []).append(shown(unit))
    near = difflib.get_close_matches(plain(key), list(by_plain), n=limit, cutoff=0.6)
    return [name for found in near for name in by_plain[found]][:limit]
