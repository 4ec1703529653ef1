"""The parts of a chỉ tiêu an appendix row is matched against: looked up in an index built once per catalogue,
the same as filtering the catalogue's table for every (plan, mục tiêu, chỉ tiêu) it holds and some it does not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bdg_pipeline.catalogue import load_catalogue
from bdg_pipeline.config import CATALOGUE_DIR
from bdg_pipeline.returns.matching import PartInfo, parts_of
from bdg_pipeline.returns.model import fold

CATALOGUE = load_catalogue(CATALOGUE_DIR)
PI = CATALOGUE.plan_indicators


def filtered(plan_code: str, objective_no: int, indicator_no: int) -> list[PartInfo]:
    rows = PI[(PI.plan_code == plan_code) & (PI.objective_no == objective_no) & (PI.indicator_no == indicator_no)]
    return [
        PartInfo(
            str(r["part"]),
            str(r["indicator_code"]),
            str(r["unit"]),
            tuple(fold(label) for label in str(r["labels"]).split(";") if label.strip()),
            bool(r["is_default"]),
        )
        for _, r in rows.iterrows()
    ]


def test_every_chi_tieu_of_every_plan_has_the_parts_the_table_holds():
    keys = PI[["plan_code", "objective_no", "indicator_no"]].drop_duplicates().itertuples(index=False)
    seen = 0
    for plan_code, objective_no, indicator_no in keys:
        expected = filtered(plan_code, int(objective_no), int(indicator_no))
        assert expected and parts_of(CATALOGUE, plan_code, int(objective_no), int(indicator_no)) == expected
        seen += 1
    assert seen == len(PI.groupby(["plan_code", "objective_no", "indicator_no"]))


@settings(max_examples=300, deadline=None)
@given(
    plan_code=st.sampled_from([*PI.plan_code.unique(), "KHONG-CO"]),
    objective_no=st.integers(-1, 12),
    indicator_no=st.integers(-1, 30),
)
def test_any_key_asked_gives_what_filtering_gives(plan_code, objective_no, indicator_no):
    found = parts_of(CATALOGUE, plan_code, objective_no, indicator_no)
    assert found == filtered(plan_code, objective_no, indicator_no)
    found.clear()  # a caller changing its list leaves the index as it was
    assert parts_of(CATALOGUE, plan_code, objective_no, indicator_no) == filtered(plan_code, objective_no, indicator_no)
