"""The text columns of the returns' schemas are checked by pandas' type inference before pandera's element by
element check (``schemas.Text``): on any frame, good or bad, validation fails exactly as with pandera's ``str`` —
the same checks, the same values, the same rows, so the officer's messages name the same cells."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bdg_pipeline import schemas
from bdg_pipeline.returns.parsing import _schema_problems

MODELS = [schemas.ObservationBatch, schemas.Observations, schemas.ActivityReports, schemas.SpendingLines]


def text_columns(model: type[pa.DataFrameModel]) -> list[str]:
    return [name for name, column in model.to_schema().columns.items() if isinstance(column.dtype, schemas.Text)]


def as_before(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The same schema with pandera's own ``str`` on the text columns."""
    return model.to_schema().update_columns({name: {"dtype": str} for name in text_columns(model)})


def test_every_text_column_of_the_returns_is_checked_the_fast_way():
    for model in MODELS:
        assert text_columns(model), model.__name__
        assert not any(isinstance(c.dtype, schemas.Text) for c in as_before(model).columns.values())


GOOD = {"str": "x", "int": 3, "float": 1.5, "bool": True}
ODD_VALUES = st.sampled_from(
    [3, -1, 2.5, math.nan, None, pd.NA, b"ma", True, np.int64(4), np.str_("np"), ("t",), "", "Có", pd.NaT]
)


def good_value(column: pa.Column, n: int) -> object:
    kind = str(column.dtype)
    if kind == "str":
        return f"v{n % 3}"
    if kind.lower().startswith("int"):
        return n % 4 + 1
    if kind.startswith("float"):
        return float(n % 5)
    if kind == "bool":
        return n % 2 == 0
    return f"v{n % 3}"


@st.composite
def frames(draw, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """A frame of the model's columns, mostly good values, some cells replaced by odd ones of any type, some
    text columns given another dtype altogether."""
    schema = model.to_schema()
    rows = draw(st.integers(0, 12))
    data: dict[str, list[object]] = {
        name: [good_value(column, draw(st.integers(0, 9))) for _ in range(rows)]
        for name, column in schema.columns.items()
    }
    for _ in range(draw(st.integers(0, 6)) if rows else 0):
        name = draw(st.sampled_from(sorted(data)))
        data[name][draw(st.integers(0, rows - 1))] = draw(ODD_VALUES)
    frame = pd.DataFrame(data, index=pd.RangeIndex(rows) + draw(st.integers(0, 3)))
    for name in text_columns(model):
        kind = draw(st.sampled_from(["object", "object", "object", "string", "category", "int"]))
        if kind == "string":
            frame[name] = (
                frame[name].astype("string")
                if all(isinstance(v, str) or v is None for v in frame[name])
                else frame[name]
            )
        elif kind == "category":
            frame[name] = frame[name].astype("category")
        elif kind == "int" and rows:
            frame[name] = np.arange(rows)
    return frame


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> list[str] | None:
    try:
        schema.validate(frame.copy(), lazy=True)
    except pa.errors.SchemaErrors as err:
        return sorted(map(repr, err.failure_cases.to_dict("records")))
    except Exception as err:  # anything else pandera raises must be raised alike too
        return [type(err).__name__, str(err)]
    return None


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@given(data=st.data())
@settings(max_examples=150, deadline=None)
def test_bad_frames_fail_the_same_way_as_with_pandera_str(model, data):
    frame = data.draw(frames(model))
    assert failures(model.to_schema(), frame) == failures(as_before(model), frame)


@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_the_officer_reads_the_same_problems(data):
    frame = data.draw(frames(schemas.ObservationBatch))
    said = []
    for schema in (schemas.ObservationBatch.to_schema(), as_before(schemas.ObservationBatch)):
        try:
            schema.validate(frame.copy(), lazy=True)
            said.append([])
        except pa.errors.SchemaErrors as err:
            said.append(sorted(repr(p) for p in _schema_problems(err, frame)))
    assert said[0] == said[1]
