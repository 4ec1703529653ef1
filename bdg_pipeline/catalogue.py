"""The target catalogue (danh mục chỉ tiêu): every chỉ tiêu of the source plans, read from the
reviewable YAML files in ``assets/catalogue/`` and checked with pandera before anything uses it.

A plan file holds ``plan`` (code, province, period, reporting calendar), ``objectives`` (mục tiêu),
``indicators`` (chỉ tiêu, each with one or more measurable ``parts``), and optionally ``activities``
and ``budget``. See ``assets/catalogue/plans/LC-2021-2030.yaml`` for a full example.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pandera.pandas as pa
import yaml

from . import schemas
from .activities import activity_kind
from .agencies import AgencyTimeline, agency_rows, reporting_agencies, rule_problems
from .areas import load_areas, province_code
from .code_closure import cache_dir, closure
from .vocabulary import ACTIVITY_KINDS, ACTIVITY_STATUSES, NOT_REPORTED, UNIT_TABLE

YEARS = (2005, 2040)
# What no reader of a return looks up (the targets are judged after recording; the agencies' bridge, the
# reporting calendar and the areas' successions serve the warehouse): left out of what reading processes get.
NOT_READ = ("targets", "indicator_agencies", "reporting_deadlines", "successors")

T = TypeVar("T")


class CatalogueError(ValueError):
    """Raised with every problem found, each naming the file and the entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Danh mục chỉ tiêu không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass
class Catalogue:
    plans: pd.DataFrame
    reporting_deadlines: pd.DataFrame
    objectives: pd.DataFrame
    indicator_codes: pd.DataFrame
    agencies: pd.DataFrame
    plan_indicators: pd.DataFrame
    indicator_agencies: pd.DataFrame
    targets: pd.DataFrame
    activities: pd.DataFrame
    budget: pd.DataFrame
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)
    successors: pd.DataFrame = field(default_factory=pd.DataFrame)
    agency_successors: pd.DataFrame = field(default_factory=pd.DataFrame)  # the 2025 reform's rules
    reporters: pd.DataFrame = field(default_factory=pd.DataFrame)  # who answers for each part, and when
    agency_aliases: dict[str, str] = field(default_factory=dict)
    province_codes: dict[str, str] = field(default_factory=dict)  # plan province name → area code
    cache: dict = field(default_factory=dict, repr=False)  # derived lookups, built on first use

    def _cached(self, key: str, build):
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]

    def cache_of(self, key: str, build: Callable[[], T]) -> T:
        """A lookup derived from the catalogue, built by ``build`` on first use and kept with it."""
        return self._cached(key, build)

    @property
    def parts_index(self) -> dict[tuple[str, int, int, str], tuple[str, str]]:
        """(plan, objective, indicator, part) → (indicator_code, unit): the hot lookup of ingest."""
        pi = self.plan_indicators
        return self._cached(
            "parts",
            lambda: {
                (p, int(o), int(i), str(part)): (code, unit)
                for p, o, i, part, code, unit in zip(
                    pi.plan_code, pi.objective_no, pi.indicator_no, pi.part, pi.indicator_code, pi.unit, strict=True
                )
            },
        )

    @property
    def indicator_names(self) -> dict[str, str]:
        """indicator_code → the chỉ tiêu's wording."""
        ic = self.indicator_codes
        return self._cached("indicator_names", lambda: dict(zip(ic.indicator_code, ic.name, strict=True)))

    @property
    def timeline(self) -> AgencyTimeline:
        return self._cached("timeline", lambda: AgencyTimeline(self.agencies, self.agency_successors))

    @property
    def plan_provinces(self) -> dict[str, str]:
        return self._cached("plan_provinces", lambda: dict(zip(self.plans.plan_code, self.plans.province, strict=True)))

    @property
    def area_codes(self) -> frozenset[str]:
        return self._cached("area_codes", lambda: frozenset(self.areas.area_code))

    def plan(self, plan_code: str) -> pd.Series:
        """The plan's row of ``plans`` (KeyError for a plan not in the catalogue)."""
        key = ("plan", plan_code)
        if key not in self.cache:
            self.cache[key] = self._cached("plans_by_code", lambda: self.plans.set_index("plan_code")).loc[plan_code]
        return self.cache[key]

    @property
    def area_names(self) -> dict[str, str]:
        """area_code → area_name, every unit of either world."""
        return self._cached("area_names", lambda: dict(zip(self.areas.area_code, self.areas.area_name, strict=True)))

    def digest(self) -> str:
        """Digest of what the catalogue holds (its plans, chỉ tiêu, agencies and areas), whatever it was read
        from: part of the key of kept readings. Worked out once and kept with the catalogue's cache file."""
        return self._cached("reading_digest", self._content_digest)

    def _content_digest(self) -> str:
        digest = hashlib.sha256()
        for f in dataclasses.fields(self):
            if f.name == "cache":
                continue
            value = getattr(self, f.name)
            # as text: a frame's pickle differs between two readings of the same files (the area dataset's)
            text = value.to_csv() + repr(value.dtypes.to_dict()) if isinstance(value, pd.DataFrame) else repr(value)
            digest.update(f.name.encode() + b"\0" + text.encode() + b"\0")
        return digest.hexdigest()

    def for_readers(self) -> Catalogue:
        """What a reading process is sent: the plans, chỉ tiêu, agencies, activities and areas its readers
        look up, without the frames of :data:`NOT_READ` (empty, with their columns) nor the lookups this
        process built (a reader builds those it uses)."""
        return dataclasses.replace(self, **{name: getattr(self, name).iloc[0:0] for name in NOT_READ}, cache={})

    def tables(self) -> dict[str, pd.DataFrame]:
        """Frames keyed by warehouse table name, trimmed to the table's columns."""
        return {
            "dim_plan": self.plans,
            "dim_reporting_deadline": self.reporting_deadlines,
            "dim_objective": self.objectives,
            "dim_indicator": self.indicator_codes.drop(columns=["source_file", "entry"]),
            "dim_agency": self.agencies.drop(columns=["source_file", "entry"]),
            "agency_successor": self.agency_successors.drop(columns=["source_file", "entry"]),
            "part_reporting_agency": self.reporters,
            "dim_plan_indicator": self.plan_indicators.drop(columns=["source_file", "entry"]),
            "bridge_indicator_agency": self.indicator_agencies,
            "fact_target": self.targets.drop(columns=["source_file", "entry", "period_start", "period_end"]),
            "plan_activity": self.activities,
            "plan_budget": self.budget,
            "dim_area": self.areas,
            "area_successor": self.successors,
            "dim_year": pd.DataFrame({"year": range(YEARS[0], YEARS[1] + 1)}),
            "dim_unit": pd.DataFrame(
                [
                    {
                        "unit": u.code,
                        "symbol": u.symbol,
                        "scale": u.scale,
                        "valid_low": u.valid_range[0],
                        "valid_high": u.valid_range[1],
                        "year_jump_limit": u.year_jump_limit,
                        "about_tolerance": u.about_tolerance,
                    }
                    for u in UNIT_TABLE.values()
                ]
            ),
            "dim_activity_status": pd.DataFrame(
                [
                    {"status": code, "label": label, "sort_order": i}
                    for i, (code, label) in enumerate({**ACTIVITY_STATUSES, **NOT_REPORTED}.items(), start=1)
                ]
            ),
            "dim_activity_kind": pd.DataFrame(
                [{"activity_kind": code, "label": label} for code, label in ACTIVITY_KINDS.items()]
            ),
        }


# the tables a plan document's rows go into, in the order the catalogue builds them
PLAN_TABLES = (
    "plans",
    "deadlines",
    "objectives",
    "plan_indicators",
    "indicator_agencies",
    "targets",
    "activities",
    "budget",
)


def _codes(value: object) -> list[str]:
    """Agency codes written as one code or a list."""
    if not value:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _split_id(raw: object, where: str, problems: list[str]) -> tuple[int, int]:
    text = str(raw)
    try:
        objective, indicator = text.split(".")
        return int(objective), int(indicator)
    except ValueError:
        problems.append(f"{where}: id '{text}' phải có dạng <mục tiêu>.<chỉ tiêu>, ví dụ 2.1")
        return 0, 0


def _parse_due(due: str) -> tuple[int, int]:
    day, month = due.split("/")
    return int(day), int(month)


CACHE_DIR = cache_dir()
KEPT_CATALOGUES = 16  # cached catalogues kept (several checkouts, the bench's, the samples' share the folder)


def _cache_key(catalogue_dir: Path) -> str:
    """Digest of everything a catalogue is made from: its files, the code that reads them (this module and
    the package's modules it may run: a change to the return readers or the reports keeps the cache), the
    libraries' versions, the area dataset."""
    digest = hashlib.sha256(
        "\0".join(importlib.metadata.version(n) for n in ("vietnamadminunits", "pandas", "pandera", "pyyaml")).encode()
    )
    sources = [*sorted(p for p in catalogue_dir.rglob("*") if p.is_file()), *closure(__name__)]
    for path in sources:
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def load_catalogue(catalogue_dir: Path) -> Catalogue:
    """The validated catalogue, from a private cache when nothing it is made from changed (parsing the YAML of
    a national catalogue takes seconds, and every run starts with it); see :func:`read_catalogue`."""
    if CACHE_DIR is None:
        return read_catalogue(catalogue_dir)
    cached = CACHE_DIR / f"catalogue-{_cache_key(catalogue_dir)}.pickle"
    try:
        with cached.open("rb") as f:
            catalogue = pickle.load(f)
        if isinstance(catalogue, Catalogue):
            return catalogue
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        pass  # no cache yet, or one written by other code: read the catalogue
    catalogue = read_catalogue(catalogue_dir)
    catalogue.digest()  # kept in the cache file with the rest: not worked out again by each run
    with contextlib.suppress(OSError):  # a read-only home only costs the cache
        CACHE_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(catalogue, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cached)
        _prune(CACHE_DIR)
    return catalogue


def _prune(folder: Path) -> None:
    """Keep the most recently written catalogues' caches only: each change to a catalogue or to the code reading
    it leaves one (~1.5 MB, a national one 2.5 MB), never asked for again."""
    found = []
    for path in folder.glob("catalogue-*.pickle"):
        with contextlib.suppress(OSError):  # removed meanwhile by another run
            found.append((path.stat().st_mtime_ns, path))
    for _, path in sorted(found, reverse=True)[KEPT_CATALOGUES:]:
        path.unlink(missing_ok=True)


def read_catalogue(catalogue_dir: Path) -> Catalogue:
    """Read and validate the whole catalogue; raise :class:`CatalogueError` listing every problem."""
    problems: list[str] = []
    codes_file = catalogue_dir / "indicators.yaml"
    agencies_file = catalogue_dir / "agencies.yaml"

    indicator_codes = pd.DataFrame(
        [
            {
                "indicator_code": e.get("code", ""),
                "name": e.get("name", ""),
                "unit": e.get("unit", ""),
                "source_file": codes_file.name,
                "entry": f"code {e.get('code')}",
            }
            for e in _read_yaml(codes_file)
        ]
    )
    agency_entries = _read_yaml(agencies_file)
    agencies, agency_successors = agency_rows(agency_entries, agencies_file.name)
    unit_of = dict(zip(indicator_codes["indicator_code"], indicator_codes["unit"], strict=True))
    known_agencies = set(agencies["agency_code"])

    rows: dict[str, list[dict]] = {k: [] for k in PLAN_TABLES}
    for path in sorted((catalogue_dir / "plans").glob("*.yaml")):
        _load_plan(path, _read_yaml(path), unit_of, known_agencies, rows, problems)

    frames = {k: pd.DataFrame(v) for k, v in rows.items()}
    checks = [
        (schemas.IndicatorCodes, indicator_codes, None),
        (schemas.Agencies, agencies, None),
        (schemas.PlanIndicators, frames["plan_indicators"], "plan_indicators"),
        (schemas.Targets, frames["targets"], "targets"),
    ]
    for model, frame, key in checks:
        try:
            validated = model.validate(frame, lazy=True)
            if key:
                frames[key] = validated
        except pa.errors.SchemaErrors as err:
            problems.extend(_describe_failures(err, frame))
    problems.extend(
        _agency_problems(
            agencies,
            agency_successors,
            frames,
            dict(zip(indicator_codes.indicator_code, indicator_codes.name, strict=True)),
        )
    )
    if problems:
        raise CatalogueError(problems)
    agencies = schemas.Agencies.validate(agencies)  # its dates as timestamps

    areas, successors = load_areas()
    province_codes: dict[str, str] = {}
    for plan in frames["plans"].itertuples():
        code = plan.province_code if isinstance(plan.province_code, str) else province_code(plan.province, areas)
        if code is None:
            problems.append(f"{plan.plan_code}: không tìm thấy tỉnh “{plan.province}” trong danh mục đơn vị hành chính")
            continue
        province_codes[str(plan.province)] = code
    if problems:
        raise CatalogueError(problems)
    frames["plans"]["province_code"] = [province_codes[p] for p in frames["plans"].province]
    aliases = {}
    for entry in agency_entries:
        for name in [entry["name"], *(entry.get("aliases") or [])]:
            aliases[name] = entry["code"]
    return Catalogue(
        plans=frames["plans"],
        reporting_deadlines=frames["deadlines"],
        objectives=frames["objectives"],
        indicator_codes=indicator_codes,
        agencies=agencies,
        plan_indicators=frames["plan_indicators"],
        indicator_agencies=frames["indicator_agencies"],
        targets=frames["targets"],
        activities=frames["activities"],
        budget=frames["budget"],
        areas=areas,
        successors=successors,
        agency_successors=agency_successors,
        reporters=reporting_agencies(
            frames["plan_indicators"],
            dict(zip(indicator_codes.indicator_code, indicator_codes.name, strict=True)),
            AgencyTimeline(agencies, agency_successors),
        ),
        agency_aliases=aliases,
        province_codes=province_codes,
    )


def _agency_problems(
    agencies: pd.DataFrame, successors: pd.DataFrame, frames: dict[str, pd.DataFrame], indicator_names: dict[str, str]
) -> list[str]:
    """Successor rules that name an unknown agency or leave a chỉ tiêu without one, and plans that give work
    to an agency dissolved before the plan's period begins (said with the agency to name instead)."""
    known = sorted(set(agencies.agency_code))
    schema = schemas.AgencySuccessors.to_schema().update_column(
        "new_code",
        checks=[
            pa.Check(lambda codes: codes.isin(known), name="known_successor_agency", error="known_successor_agency")
        ],
    )
    try:
        schema.validate(successors, lazy=True)
    except pa.errors.SchemaErrors as err:
        return _describe_failures(err, successors)
    dated = agencies.assign(valid_from=pd.to_datetime(agencies.valid_from), valid_to=pd.to_datetime(agencies.valid_to))
    problems = rule_problems(dated, successors)
    if problems or frames["plans"].empty:
        return problems
    ended = dict(zip(dated.agency_code, dated.valid_to, strict=True))
    names = dict(zip(dated.agency_code, dated.name, strict=True))
    timeline = AgencyTimeline(dated, successors)
    starts = dict(zip(frames["plans"].plan_code, frames["plans"].period_start, strict=True))
    function = {
        (r.plan_code, r.objective_no, r.indicator_no, r.part): indicator_names.get(r.indicator_code, "")
        for r in frames["plan_indicators"].itertuples()
    }
    named = [
        (
            r.plan_code,
            f"chỉ tiêu {r.objective_no}.{r.indicator_no}{r.part}",
            r.agency_code,
            function.get((r.plan_code, r.objective_no, r.indicator_no, r.part), ""),
        )
        for r in frames["indicator_agencies"].itertuples()
    ]
    if not frames["activities"].empty:
        named += [
            (a.plan_code, f"hoạt động {a.activity_no}", code, a.text)
            for a in frames["activities"].itertuples()
            for code in [a.lead_agency, *[c.strip() for c in str(a.co_agencies or "").split(";") if c.strip()]]
        ]
    for plan_code, entry, code, text in named:
        end = ended.get(code)
        if end is not None and pd.notna(end) and end.year < starts[plan_code]:
            instead = names[timeline.on(code, text, dt.date(starts[plan_code], 1, 1))]
            problems.append(
                f"{plan_code}, {entry}: cơ quan “{names[code]}” đã không còn từ ngày "
                f"{(end + pd.Timedelta(days=1)):%d/%m/%Y}, trước kỳ của kế hoạch ({starts[plan_code]}); "
                f"ghi cơ quan kế nhiệm “{instead}”"
            )
    return problems


def plan_tables(
    file_name: str, doc: dict, unit_of: dict[str, str], known_agencies: set[str]
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """One plan document's rows as the catalogue builds them, and the problems met on the way; the pandera
    schemas are not applied yet (see :func:`schema_failures`)."""
    problems: list[str] = []
    rows: dict[str, list[dict]] = {k: [] for k in PLAN_TABLES}
    _load_plan(Path(file_name), doc, unit_of, known_agencies, rows, problems)
    return {k: pd.DataFrame(v) for k, v in rows.items()}, problems


def schema_failures(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> pd.DataFrame:
    """The failure cases of ``model`` on ``frame`` (columns index, column, check, failure_case); empty when valid."""
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return err.failure_cases
    return pd.DataFrame(columns=["index", "column", "check", "failure_case"])


def _describe_failures(err: pa.errors.SchemaErrors, frame: pd.DataFrame) -> list[str]:
    messages = []
    for case in err.failure_cases.itertuples():
        index = case.index
        if index is not None and not pd.isna(index) and index in frame.index:
            where = f"{frame.at[index, 'source_file']}, {frame.at[index, 'entry']}"
        else:
            where = "toàn bảng"
        column = case.column if isinstance(case.column, str) else ""
        messages.append(f"{where}: kiểm tra '{case.check}' không đạt ở cột '{column}' (giá trị: {case.failure_case})")
    return messages


ALLOWED_KEYS = {
    "objective": {"number", "field", "text", "source"},
    "indicator": {"id", "source", "text", "note", "lead", "co", "agency_source", "parts"},
    "part": {"part", "code", "direction", "targets", "yearly", "labels", "default", "baseline", "lead", "co"},
    "activity": {"number", "source", "lead", "co", "district", "commune", "text", "due"},
}


def _check_keys(kind: str, entry: dict, where: str, problems: list[str]) -> None:
    # An unquoted comma inside a YAML flow mapping silently makes a new key: catch it here.
    unknown = set(entry) - ALLOWED_KEYS[kind]
    if unknown:
        problems.append(
            f"{where}: khóa không hợp lệ {sorted(map(str, unknown))} (thiếu dấu ngoặc kép quanh giá trị có dấu phẩy?)"
        )


@dataclass
class _PlanFile:
    """One plan document being read: where its problems are told, and what every row of it shares."""

    path: Path
    code: str
    start: int
    end: int
    unit_of: dict[str, str]
    known_agencies: set[str]
    rows: dict[str, list[dict]]
    problems: list[str]

    def check_agency(self, agency: str, where: str) -> None:
        if agency not in self.known_agencies:
            self.problems.append(f"{where}: cơ quan '{agency}' không có trong agencies.yaml")


def _load_plan(
    path: Path,
    doc: dict,
    unit_of: dict[str, str],
    known_agencies: set[str],
    rows: dict[str, list[dict]],
    problems: list[str],
) -> None:
    plan = doc["plan"]
    start, end = plan["period"]
    file = _PlanFile(path, plan["code"], start, end, unit_of, known_agencies, rows, problems)
    _plan_rows(file, plan)
    for obj in doc.get("objectives") or []:
        _check_keys("objective", obj, f"{path.name}, mục tiêu {obj.get('number')}", problems)
        rows["objectives"].append(
            {
                "plan_code": file.code,
                "objective_no": int(obj["number"]),
                "field": obj["field"],
                "text": obj["text"],
                "source": obj.get("source", ""),
            }
        )
    for ind in doc.get("indicators") or []:
        where = f"{path.name}, chỉ tiêu {ind.get('id')}"
        _check_keys("indicator", ind, where, problems)
        objective_no, indicator_no = _split_id(ind.get("id"), where, problems)
        for part in ind.get("parts") or []:
            _part_rows(file, ind, part, objective_no, indicator_no)
    for act in doc.get("activities") or []:
        _activity_row(file, act)
    if doc.get("budget"):
        _budget_rows(file, doc["budget"])


def _plan_rows(file: _PlanFile, plan: dict) -> None:
    """The plan's own row and its reporting calendar."""
    start, end = file.start, file.end
    monitor_start, monitor_end = plan.get("monitoring_period") or [start - 1, end]
    file.rows["plans"].append(
        {
            # province_code: only for a plan of a post-2025 province ("56@2025"); else found from the name
            "plan_code": file.code,
            "province": plan["province"],
            "province_code": plan.get("province_code"),
            "title": plan["title"],
            "seed_file": plan["seed_file"],
            "period_start": start,
            "period_end": end,
            "monitoring_start": monitor_start,
            "monitoring_end": monitor_end,
            # a plan stating its monitoring period carries out a longer phase (NT-2020: the 2016–2020 phase): its
            # "duy trì" targets hold over the whole phase; otherwise over its own period
            "phase_start": min(start, monitor_start) if plan.get("monitoring_period") else start,
        }
    )
    for item in plan.get("reporting", []):
        day, month = _parse_due(item["due"])
        file.rows["deadlines"].append(
            {
                "plan_code": file.code,
                "period": item["period"],
                "due_day": day,
                "due_month": month,
                "source": item.get("source", ""),
            }
        )


def _part_agencies(file: _PlanFile, ind: dict, part: dict, key: tuple[int, int, str], entry: str) -> str:
    """The part's lead and co-operating agencies as bridge rows; the lead that reports its numbers."""
    # a part may name its own agencies (the source names them per part); several leads are allowed, the first
    # named reports the numbers (its template carries the part)
    leads, cos = _codes(part.get("lead", ind.get("lead"))), _codes(part.get("co", ind.get("co")))
    if not leads:
        file.problems.append(f"{file.path.name}, {entry}: thiếu cơ quan chủ trì (lead)")
    for agency in leads + cos:
        file.check_agency(agency, f"{file.path.name}, {entry}")
    objective_no, indicator_no, part_key = key
    file.rows["indicator_agencies"] += [
        {
            "plan_code": file.code,
            "objective_no": objective_no,
            "indicator_no": indicator_no,
            "part": part_key,
            "agency_code": agency,
            "role": role,
            "position": position,
        }
        for role, agencies in (("lead", leads), ("co", cos))
        for position, agency in enumerate(agencies, start=1)
    ]
    return leads[0] if leads else ""


def _baseline(file: _PlanFile, part: dict, unit: str, entry: str) -> tuple[object, object]:
    """The part's baseline (year, value), its year the one before the period when not written, checked
    against its unit's range."""
    baseline_year, baseline_value = part.get("baseline") or [None, None]
    if baseline_value is not None and baseline_year is None:
        # "giảm từ 6 ca sinh/1.000": the situation when the plan was written, the year before its period
        baseline_year = file.start - 1
    if baseline_value is not None and unit in UNIT_TABLE:
        low, high = UNIT_TABLE[unit].valid_range
        if not low <= float(baseline_value) <= high:
            file.problems.append(
                f"{file.path.name}, {entry}: mức gốc {baseline_value} nằm ngoài khoảng của đơn vị {unit} ({low}–{high})"
            )
    return baseline_year, baseline_value


def _part_rows(file: _PlanFile, ind: dict, part: dict, objective_no: int, indicator_no: int) -> None:
    """One measurable part of a chỉ tiêu: its row, its agencies and its targets."""
    part_key = str(part.get("part", ""))
    entry = f"chỉ tiêu {ind.get('id')}" + (f" phần {part_key}" if part_key else "")
    _check_keys("part", part, f"{file.path.name}, {entry}", file.problems)
    lead = _part_agencies(file, ind, part, (objective_no, indicator_no, part_key), entry)
    indicator_code = part.get("code", "")
    if indicator_code not in file.unit_of:
        file.problems.append(
            f"{file.path.name}, {entry}: mã chỉ tiêu '{indicator_code}' không có trong indicators.yaml"
        )
    unit = file.unit_of.get(indicator_code, "?")
    baseline_year, baseline_value = _baseline(file, part, unit, entry)
    key = {"plan_code": file.code, "objective_no": objective_no, "indicator_no": indicator_no, "part": part_key}
    file.rows["plan_indicators"].append(
        {
            **key,
            "indicator_code": indicator_code,
            "unit": unit,
            "text": ind.get("text", ""),
            "note": ind.get("note"),
            "source": ind.get("source", ""),
            "agency_source": ind.get("agency_source", ""),
            "lead_agency": lead,
            "baseline_year": baseline_year,
            "baseline_value": baseline_value,
            "labels": "; ".join(part.get("labels") or []),
            "is_default": bool(part.get("default", False)),
            "source_file": file.path.name,
            "entry": entry,
        }
    )
    targets = list(part.get("targets") or [])
    if "yearly" in part:
        targets += [[year, part["yearly"]] for year in range(file.start, file.end + 1)]
    if not targets:
        file.problems.append(f"{file.path.name}, {entry}: không có năm mục tiêu nào")
    for target in targets:
        year, value, *rest = target
        file.rows["targets"].append(
            {
                **key,
                "target_year": int(year),
                "target_value": float(value),
                "direction": rest[0] if rest else part.get("direction", ""),
                "is_yearly": "yearly" in part,
                "period_start": file.start,
                "period_end": file.end,
                "source_file": file.path.name,
                "entry": f"{entry}, năm {year}",
            }
        )


def _activity_row(file: _PlanFile, act: dict) -> None:
    _check_keys("activity", act, f"{file.path.name}, hoạt động {act.get('number')}", file.problems)
    file.check_agency(act["lead"], f"{file.path.name}, hoạt động {act['number']}")
    file.rows["activities"].append(
        {
            "plan_code": file.code,
            "activity_no": int(act["number"]),
            "text": act["text"],
            "lead_agency": act["lead"],
            "co_agencies": "; ".join(act.get("co") or []),
            "district": act.get("district"),
            "commune": act.get("commune"),
            "due_date": pd.Timestamp(act["due"]).date() if act.get("due") else None,
            "source": act.get("source", ""),
            "activity_kind": activity_kind(act["text"]),
        }
    )


def _budget_rows(file: _PlanFile, budget: dict) -> None:
    """The plan's total need, its phases and its sources of money; phases and sources must add up to it."""

    def row(category: str, name: str, start: int, end: int, amount: float) -> dict:
        return {
            "plan_code": file.code,
            "category": category,
            "name": name,
            "period_start": start,
            "period_end": end,
            "amount_million_vnd": float(amount),
            "source": budget.get("source", ""),
            "unit_note": budget.get("unit", "triệu đồng"),
        }

    file.rows["budget"].append(row("total", "Tổng nhu cầu kinh phí", file.start, file.end, budget["total"]))
    file.rows["budget"] += [
        row("phase", p["name"], p["start"], p["end"], p["amount"]) for p in budget.get("phases", [])
    ]
    file.rows["budget"] += [
        row("source", s["name"], file.start, file.end, s["amount"]) for s in budget.get("sources", [])
    ]
    parts_total = sum(p["amount"] for p in budget.get("phases", []))
    sources_total = sum(s["amount"] for s in budget.get("sources", []))
    for label, total in (("giai đoạn", parts_total), ("nguồn", sources_total)):
        if total and abs(total - budget["total"]) > 0.5:
            file.problems.append(
                f"{file.path.name}, kinh phí: tổng các {label} ({total}) khác tổng nhu cầu ({budget['total']})"
            )
