"""Kill -9 the ingest job at every store step of every document, then rerun: the store must end
identical to an uninterrupted run (same point ids, payloads and vectors; no duplicate, no orphan).

The batch holds four contracts (PDF, DOCX, TXT, Markdown) and a split sheet: 5 documents x 3
steps (ledger "pending" written; half the chunks written; before stale chunks are deleted and the
document marked complete) = 15 kill points, each from a fresh data directory.
"""

from __future__ import annotations

import pytest
from fixtures import write_contract_folder
from test_ingest import assert_consistent, assert_same_store, run_child, store_state

from assistant.service import RightsService
from assistant.settings import Settings

pytestmark = pytest.mark.slow
DOCS = 5
POINTS = [(step, n) for step in ("begin", "write", "finish") for n in range(1, DOCS + 1)]


@pytest.fixture(scope="module")
def batch(tmp_path_factory, embedder):
    folder = write_contract_folder(tmp_path_factory.mktemp("crash") / "batch")
    (folder / "splits.csv").write_text("Song Title,ISWC,Writer,Share\nBlue Hour,T-345.246.800-3,Mara Quinn,50%\n,,Jonah Reyes,50%\n")
    with RightsService(Settings(data_dir=tmp_path_factory.mktemp("reference")), embedder=embedder) as ref:
        assert ref.ingest([folder]).counts["new"] == DOCS
        expected = store_state(ref)
    return folder, expected


@pytest.mark.parametrize("step,n", POINTS, ids=[f"{s}-{n}" for s, n in POINTS])
def test_kill_at_every_store_step_then_rerun_converges(batch, tmp_path, embedder, step, n):
    folder, expected = batch
    data = tmp_path / "data"
    assert run_child(data, step, n, folder) == -9, f"the child was not killed at {step} #{n}"
    with RightsService(Settings(data_dir=data), embedder=embedder) as resumed:
        report = resumed.ingest([folder])
        assert report.ok, report.problems
        assert_consistent(resumed)
        assert_same_store(store_state(resumed), expected)
