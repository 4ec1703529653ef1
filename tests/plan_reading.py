"""The reader measured against the hand catalogue: chỉ tiêu found, target rows exact in value, unit, direction
and year, parts, leads, codes, flags; and every row that differs from the hand catalogue must carry a
“Cần xem lại” reason (a row of the hand catalogue the reader missed counts as unflagged unless some row of
the same chỉ tiêu is flagged)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import docx
import matplotlib
from fpdf import FPDF
from PIL import Image

from bdg_pipeline.catalogue import Catalogue
from bdg_pipeline.plans.model import PlanDraft

SEEDS = {
    "QN-2011-2015": "000_5a686a6b4725fcef.txt",
    "LC-2021-2030": "001_b2c8093fe1e69880.txt",
    "NT-2020": "002_8a0ae8f38b585f16.txt",
    "QN-2021-2030": "003_f2ee59b85fce1930.txt",
    "TTH-2015": "004_a5392e136c8837e1.txt",
}


@dataclass
class Measure:
    indicators: int = 0
    indicators_found: int = 0
    rows: int = 0
    rows_exact: int = 0
    rows_drafted: int = 0
    parts: int = 0
    parts_same: int = 0  # the same part letters for the chỉ tiêu
    leads: int = 0
    leads_same: int = 0  # the first lead (the reporting agency) of each part
    agencies_same: int = 0  # every lead, in order, and the same co-agencies
    codes_same: int = 0
    flagged_rows: int = 0
    flagged_exact: int = 0  # flagged although the row equals the hand catalogue's
    unflagged_wrong: list[str] = field(default_factory=list)

    def add(self, other: Measure) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


def measure(draft: PlanDraft, catalogue: Catalogue, plan: str) -> Measure:
    m = Measure()
    pi = catalogue.plan_indicators[catalogue.plan_indicators.plan_code == plan]
    targets = catalogue.targets[catalogue.targets.plan_code == plan]
    name_of = dict(zip(catalogue.agencies.agency_code, catalogue.agencies.name, strict=True))
    hand = {(int(t.objective_no), int(t.indicator_no), t.part, int(t.target_year)): t for t in targets.itertuples()}
    unit = {(int(p.objective_no), int(p.indicator_no), p.part): p for p in pi.itertuples()}
    drafted = {(r.objective_no, r.indicator_no, r.part, r.year): r for r in draft.rows}
    flagged_indicators = {(r.objective_no, r.indicator_no) for r in draft.rows if r.review}
    hand_indicators = {(o, i) for o, i, _p in unit}
    drafted_indicators = {(r.objective_no, r.indicator_no) for r in draft.rows}
    m.indicators = len(hand_indicators)
    m.indicators_found = len(hand_indicators & drafted_indicators)
    m.rows, m.rows_drafted = len(hand), len(drafted)
    for key, t in hand.items():
        part = unit[key[:3]]
        r = drafted.get(key)
        exact = (
            r is not None and r.value == float(t.target_value) and r.unit == part.unit and (r.direction == t.direction)
        )
        m.rows_exact += exact
        if not exact and key[:2] not in flagged_indicators:
            got = f"{r.value} {r.unit} {r.direction}" if r else "không có"
            m.unflagged_wrong.append(f"{plan} {key}: {got} ≠ {t.target_value} {part.unit} {t.direction}")
    for key, r in drafted.items():
        if r.review:
            m.flagged_rows += 1
            t = hand.get(key)
            m.flagged_exact += bool(
                t is not None
                and r.value == float(t.target_value)
                and r.unit == unit[key[:3]].unit
                and r.direction == t.direction
            )
        elif key not in hand:
            m.unflagged_wrong.append(f"{plan} {key}: dòng thừa không đánh dấu")
    parts_hand: dict[tuple, set] = defaultdict(set)
    for o, i, p in unit:
        parts_hand[(o, i)].add(p)
    parts_drafted: dict[tuple, set] = defaultdict(set)
    for r in draft.rows:
        parts_drafted[(r.objective_no, r.indicator_no)].add(r.part)
    m.parts = len(unit)
    m.parts_same = sum(len(parts) for ind, parts in parts_hand.items() if parts_drafted.get(ind) == parts)
    bridge = catalogue.indicator_agencies
    bridge = bridge[bridge.plan_code == plan].sort_values("position")
    named: dict[tuple, tuple[list[str], set[str]]] = defaultdict(lambda: ([], set()))
    for b in bridge.itertuples():
        leads, cos = named[(int(b.objective_no), int(b.indicator_no), b.part)]
        if b.role == "lead":
            leads.append(name_of[b.agency_code])
        else:
            cos.add(name_of[b.agency_code])
    first_rows = {}
    for r in draft.rows:
        first_rows.setdefault((r.objective_no, r.indicator_no, r.part), r)
    for key, part in unit.items():
        m.leads += 1
        r = first_rows.get(key)
        m.leads_same += bool(r and r.leads and r.leads[0] == name_of[part.lead_agency])
        m.agencies_same += bool(r and (r.leads, set(r.cos)) == named[key])
        m.codes_same += bool(r and r.indicator_code == part.indicator_code)
        if r and not r.review and r.indicator_code != part.indicator_code:
            m.unflagged_wrong.append(f"{plan} {key}: mã {r.indicator_code} ≠ {part.indicator_code}")
        if r and not r.review and r.leads[:1] != [name_of[part.lead_agency]]:
            m.unflagged_wrong.append(f"{plan} {key}: cơ quan chủ trì {r.leads[:1]} ≠ {part.lead_agency}")
    return m


SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed_docx(seed: Path, path: Path) -> Path:
    """A Word document of a seed plan, as python-docx writes it: one paragraph per line of the text, and the
    appendix (PHỤ LỤC, cells separated by tabs, four a row) as a real Word table."""
    text = seed.read_text(encoding="utf-8")
    document = docx.Document()
    at = text.find("PHỤ LỤC")
    body, appendix = (text[:at], text[at:]) if at >= 0 else (text, "")
    for line in body.split("\n"):
        if line.strip():
            document.add_paragraph(line.strip())
    if appendix:
        cells = appendix.split("\t")
        for line in cells[0].split("\n"):
            if line.strip():
                document.add_paragraph(line.strip())
        rows = [cells[i : i + 4] for i in range(1, len(cells) - 3, 4)]
        table = document.add_table(rows=len(rows), cols=4)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = "\n".join(line.strip() for line in value.split("\n") if line.strip())
    document.save(str(path))
    return path


def seed_pdf(seed: Path, path: Path) -> Path:
    """A PDF with a text layer (fpdf2, DejaVu Sans shipped with matplotlib): the seed's lines, wrapped at the
    page width as any PDF of a Word document is."""
    font = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", fname=str(font))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    for line in seed.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            pdf.multi_cell(0, 5, line.strip().replace("\t", " "), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def scanned_pdf(path: Path) -> Path:
    """A PDF whose pages are pictures only, as a scanner makes them."""
    picture = path.with_suffix(".png")
    Image.new("RGB", (800, 1100), "white").save(picture)
    pdf = FPDF(format="A4")
    for _ in range(2):
        pdf.add_page()
        pdf.image(str(picture), x=0, y=0, w=210)
    pdf.output(str(path))
    return path
