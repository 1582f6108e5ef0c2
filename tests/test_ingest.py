"""Ingestion into a real embedded Qdrant store. The pipeline and store tests run on the hashing
embedder (fast tier); the interrupted-ingest test runs child processes on the real model (slow)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import write_bad_files

from ingest.model import chunk_point_id
from ingest.pipeline import doc_id_for

HERE = Path(__file__).resolve().parent


@pytest.fixture
def service(fast_service):
    """Pipeline and store logic, not model quality: the hashing embedder is enough."""
    return fast_service


def store_state(service) -> dict:
    """Everything that must be identical between an interrupted and an uninterrupted run."""
    points = {}
    for hit in service.store.all_chunks(with_vectors=True):
        payload = dict(hit.payload)
        payload.pop("ingested_at")
        vector = payload.pop("_vector")
        points[hit.point_id] = (payload, [round(x, 5) for x in vector["dense"]])
    docs = {d.doc_id: (d.state, d.n_chunks, d.file_sha256) for d in service.store.documents().values()}
    return {"points": points, "docs": docs}


def assert_same_store(got: dict, expected: dict) -> None:
    """Same documents, point ids and payloads; vectors equal up to arithmetic noise: a text
    embedded in another batch is padded differently, which moves float32 vectors in the 6th
    decimal and bfloat16-autocast ones (embedding.precision "auto" on CPUs with bfloat16) in the
    4th; either way the same vector, cosine above 0.9999 (tests/test_embedding_precision.py)."""
    import numpy as np

    assert got["docs"] == expected["docs"]
    assert got["points"].keys() == expected["points"].keys(), "missing or extra points"
    for pid, (payload, vector) in got["points"].items():
        assert payload == expected["points"][pid][0], pid
        other = np.asarray(expected["points"][pid][1])
        cosine = float(np.dot(vector, other) / (np.linalg.norm(vector) * np.linalg.norm(other)))
        assert cosine > 0.9999, (pid, cosine)


def assert_consistent(service):
    docs = service.store.documents()
    chunks = service.store.all_chunks()
    assert all(d.state == "complete" for d in docs.values())
    expected = {chunk_point_id(d.doc_id, i) for d in docs.values() for i in range(d.n_chunks)}
    actual = [h.point_id for h in chunks]
    assert len(actual) == len(set(actual)) == len(expected), "duplicate or missing chunks"
    assert set(actual) == expected, "orphan chunks"
    for hit in chunks:
        assert hit.payload["file_sha256"] == docs[hit.payload["doc_id"]].file_sha256


def test_ingest_then_unchanged_rerun_embeds_nothing(service, contracts):
    report = service.ingest([contracts])
    assert report.ok and report.counts["new"] == 4
    total = sum(r.chunks for r in report.results)
    assert total == service.store.count_chunks() == report.chunks_written
    assert_consistent(service)
    before = service.embedder.embedded_count
    again = service.ingest([contracts])
    assert again.counts == {"unchanged": 4}
    assert again.chunks_written == 0
    assert service.embedder.embedded_count == before, "an unchanged re-run must embed nothing"
    assert service.store.count_chunks() == total


def test_changed_file_replaces_its_old_chunks(service, contracts):
    service.ingest([contracts])
    target = contracts / "pinewave-distribution.txt"
    doc_id = doc_id_for(target)
    old_n = service.store.documents()[doc_id].n_chunks
    target.write_text(target.read_text().replace("twenty per cent (20%)", "twenty-five per cent (25%)").split("4. RIGHTS")[0])
    report = service.ingest([contracts])
    assert report.counts == {"changed": 1, "unchanged": 3}
    doc = service.store.documents()[doc_id]
    assert doc.n_chunks < old_n
    assert service.store.count_chunks(doc_id) == doc.n_chunks
    texts = " ".join(h.payload["text"] for h in service.store.all_chunks() if h.payload["doc_id"] == doc_id)
    assert "25%" in texts and "20%" not in texts and "Grant of Rights" not in texts
    assert_consistent(service)


def test_forget_and_prune(service, contracts):
    service.ingest([contracts])
    [doc] = service.find_documents("low-tide-licence.md")
    service.forget(doc)
    assert doc.doc_id not in service.store.documents()
    assert service.store.count_chunks(doc.doc_id) == 0
    (contracts / "ada-vale-recording.pdf").unlink()
    report = service.ingest([contracts], prune=True)
    assert report.counts["removed"] == 1 and report.counts["new"] == 1  # the licence comes back
    names = {d.file_name for d in service.store.documents().values()}
    assert names == {"pinewave-distribution.txt", "low-tide-licence.md", "westgate-songwriter.docx"}
    assert_consistent(service)


def test_bad_files_are_reported_and_the_rest_ingested(service, contracts):
    expected = write_bad_files(contracts / "inbox")
    report = service.ingest([contracts])
    problems = {Path(r.path).name: r.reason for r in report.problems}
    assert set(problems) == set(expected)
    for name, phrase in expected.items():
        assert phrase in problems[name]
    assert report.counts["new"] == 4 and not report.ok
    again = service.ingest([contracts])
    assert again.counts["unchanged"] == 4 and len(again.problems) == len(expected)
    assert_consistent(service)


@pytest.fixture
def minilm_service(settings, embedder):
    from assistant.service import RightsService

    with RightsService(settings, embedder=embedder) as svc:
        yield svc


def test_search_points_at_the_exact_place(minilm_service, contracts):
    """Retrieval quality: on the real MiniLM (slow tier)."""
    service = minilm_service
    service.ingest([contracts])
    for mode in ("hybrid", "dense", "lexical"):
        hits = service.search("What distribution fee does the distributor keep?", 3, mode=mode)
        top = hits[0].payload
        assert top["file_name"] == "pinewave-distribution.txt", mode
        assert "20%" in top["text"]
        source = (contracts / top["file_name"]).read_text()
        assert source[top["start"] : top["end"]] == top["text"]
    hit = service.search("royalty on streaming services net receipts", 1)[0].payload
    assert hit["file_name"] == "ada-vale-recording.pdf" and "25% of Net Receipts" in hit["text"]
    assert hit["page_end"] == 2, "the streaming clause is on page 2"
    assert service.search("streaming", 5, doc_type="split_sheet") == []


def run_child(data_dir: Path, step: str, n: int, folder: Path) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTS_")}
    proc = subprocess.run(
        [sys.executable, str(HERE / "crash_child.py"), str(data_dir), step, str(n), str(folder)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    return proc.returncode


def test_killed_ingest_is_completed_by_the_next_run(tmp_path, contracts, embedder):
    from assistant.service import RightsService
    from assistant.settings import Settings

    reference_settings = Settings(data_dir=tmp_path / "reference")
    with RightsService(reference_settings, embedder=embedder) as ref:
        ref.ingest([contracts])
        expected = store_state(ref)

    crashed = Settings(data_dir=tmp_path / "crashed")
    # Kill -9 at three different points of the batch, each run resuming the previous one.
    for step, n in (("begin", 2), ("finish", 1), ("write", 2)):
        assert run_child(crashed.data_dir, step, n, contracts) == -9, f"child was not killed at {step} {n}"
    with RightsService(crashed) as resumed:  # its own embedding cache, as a real re-run
        docs = resumed.store.documents()
        assert any(d.state != "complete" for d in docs.values()), "the kills left no pending document"
        report = resumed.ingest([contracts])
        assert report.ok
        assert resumed.embedder.embedded_count < sum(r.chunks for r in report.results if r.status != "unchanged"), \
            "chunks embedded before the kill must come from the cache"
        assert_consistent(resumed)
        assert_same_store(store_state(resumed), expected)
