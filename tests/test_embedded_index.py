"""The embedded store's vectorised index (BM25, dense, identifiers) ranks exactly as Qdrant's own
searches do (same points, same order, same scores) under every filter the product uses, and
sees every write."""

from __future__ import annotations

import json

import pytest

from assistant.demo import questions_path
from assistant.search import lexical
from assistant.service import RightsService
from assistant.settings import Settings
from ingest.identifiers import find_identifiers

pytestmark = pytest.mark.slow


def _questions() -> list[str]:
    rows = [json.loads(line) for line in questions_path().read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows] + ["Nova Records", "T-345.246.800-1", "royalty", "zzzz-not-a-word"]


def test_index_and_qdrant_rank_alike_under_every_filter(clean_demo_data, embedder):
    with RightsService(Settings(data_dir=clean_demo_data), embedder=embedder) as svc:
        store = svc.store
        docs = sorted(svc.sources(), key=lambda d: d.file_name)
        contract_ids = [d.doc_id for d in docs[:3]]
        views = [(store, {}), (store, {"doc_type": "contract"}), (store, {"doc_ids": contract_ids}),
                 (store.restricted(["nobody"]), {}), (store.restricted(["legal"]), {"doc_type": "split sheet"})]
        compared = 0
        for question in _questions():
            sparse = lexical.query_vector(question)
            vector = embedder.embed_query(question)
            keys = [i.key for i in find_identifiers(question)]
            for view, kwargs in views:
                for mine, reference in [(view.search_lexical(sparse, 10, **kwargs), view._qdrant_lexical(sparse, 10, **kwargs)),
                                        (view.search_dense(vector, 10, **kwargs), view._qdrant_dense(vector, 10, **kwargs))]:
                    assert [h.point_id for h in mine] == [h.point_id for h in reference], (question, kwargs)
                    assert [h.score for h in mine] == pytest.approx([h.score for h in reference], abs=2e-4)  # float32 sums
                if keys:
                    assert [h.point_id for h in view.search_ids(keys, 50, **kwargs)] == \
                        [h.point_id for h in view._qdrant_ids(keys, 50, **kwargs)]
                compared += 1
        assert compared >= 150


def test_index_sees_new_and_forgotten_documents(tmp_path, embedder):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("LICENCE\n1. Fee. The Quokka Films fee is EUR 9,000.\n")
    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as svc:
        svc.ingest([folder])
        probe = lexical.query_vector("Wombat Studios fee")
        assert all("Wombat" not in h.text for h in svc.store.search_lexical(probe, 5))
        (folder / "b.txt").write_text("LICENCE\n1. Fee. The Wombat Studios fee is EUR 4,000.\n")
        svc.ingest([folder])
        assert "Wombat" in svc.store.search_lexical(probe, 5)[0].text
        svc.forget(svc.find_documents("b.txt")[0])
        assert all("Wombat" not in h.text for h in svc.store.search_lexical(probe, 5))
