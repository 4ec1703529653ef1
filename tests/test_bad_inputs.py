"""Every case of the corpus (tests/corpus.py): a clear Vietnamese error and the warehouse unchanged,
or, for odd but valid files, a correct ingest."""

from __future__ import annotations

import shutil

import pytest

from bdg_pipeline import pipeline
from bdg_pipeline.config import settings
from bdg_pipeline.returns.ingest import is_inbox_file
from bdg_pipeline.samples.ninh_thuan_appendix import write_appendix
from bdg_pipeline.warehouse import publish, staging_connection, table_checksum

from .conftest import settings_in
from .corpus import CASES

FACTS = ("fact_observation", "submission", "fact_attainment")


@pytest.fixture(scope="module")
def base_staging(tmp_path_factory):
    """A staging warehouse holding the seed appendix, with its archive, built once and copied for each case."""
    with settings_in(tmp_path_factory.mktemp("base")) as s:
        write_appendix(s.raw_dir / "phu_luc_goc.xlsx")
        pipeline.rebuild(s)
        return s


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, env, catalogue, base_staging, monkeypatch):
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    env = settings()  # the case's limits, read as a run reads them
    env.staging.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(base_staging.staging, env.staging)
    shutil.copytree(base_staging.archive_dir, env.archive_dir)
    publish(env)
    with staging_connection(env) as con:
        before = {t: table_checksum(con, t) for t in FACTS}
    path = case.make(env.raw_dir, catalogue)
    if case.expect == "ignored":
        assert not is_inbox_file(path)
        return
    outcome = pipeline.ingest(env, [path]).outcomes[0]
    with staging_connection(env) as con:
        after = {t: table_checksum(con, t) for t in FACTS}
        logged = con.execute(
            "SELECT outcome FROM file_log WHERE outcome != 'superseded' ORDER BY arrival_seq DESC LIMIT 1"
        ).fetchone()[0]
    if case.expect == "rejected":
        text = "\n".join(str(p) for p in outcome.problems)
        assert outcome.outcome == "rejected", text
        assert case.message in text, text
        assert after == before
        assert logged == "rejected"
        assert not path.exists() and outcome.report_path.exists()
        assert outcome.report_path.parent == env.quarantine_dir
    else:
        assert outcome.outcome == "accepted", "\n".join(str(p) for p in outcome.problems)
        assert outcome.rows > 0 and after["fact_observation"] != before["fact_observation"]
        assert logged == "accepted"
