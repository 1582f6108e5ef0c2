"""One store interface, two engines: Qdrant Edge (embedded) and qdrant-client (server).

The server engine runs on qdrant-client's local mode, the stand-in for a server that
qdrant-client's own congruence tests use. Both hold the same ingest of the demo corpus (with
access groups) and must agree: same documents, counts and identifier lookups, and the same
rankings (ids and order, ties aside) for dense and lexical searches under every filter and
access view the product uses. A data directory written by the earlier embedded engine
(qdrant-client's local mode on disk) is moved to Edge on first open, without re-embedding.
"""

from __future__ import annotations

import json
import logging
import shutil
from itertools import groupby

import pytest

from assistant.demo import corpus_dir, questions_path
from assistant.search import lexical
from assistant.search.engines.edge import EdgeStore
from assistant.search.engines.server import ServerStore, local_client
from assistant.service import RightsService
from assistant.settings import Settings
from assistant.testing import HashingEmbedder
from ingest.identifiers import find_identifiers

GROUPS = {"nova-records-catalog.csv": "legal", "meridian-distribution-agreement.txt": "finance",
          "northgate-split-sheet.csv": "legal finance"}


def _corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_dir(), folder)
    for name, groups in GROUPS.items():
        (folder / f"{name}.groups").write_text(groups)
    return folder


def _questions() -> list[str]:
    rows = [json.loads(line) for line in questions_path().read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows] + ["Nova Records", "T-345.246.800-1", "royalty", "zzzz-not-a-word"]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """The same corpus ingested through each engine (the hashing embedder: rankings, not quality)."""
    tmp = tmp_path_factory.mktemp("engines")
    folder, embedder = _corpus(tmp), HashingEmbedder()
    edge = RightsService(Settings(data_dir=tmp / "edge-data"), embedder=embedder)
    server_settings = Settings(data_dir=tmp / "server-data")
    server = RightsService(server_settings, embedder=embedder)
    server._store = ServerStore(server_settings, local_client())
    for svc in (edge, server):
        report = svc.ingest([folder])
        assert report.ok, report.problems
    assert isinstance(edge.store, EdgeStore)
    yield edge, server, embedder
    edge.close()
    server.close()


def _untied(hits) -> list[list[str]]:
    """A ranking as groups of equal score (ids sorted inside a group): ties may come in any order."""
    return [sorted(h.point_id for h in group) for _, group in groupby(hits, key=lambda h: round(h.score, 4))]


def _same_ranking(a, b, k: int) -> None:
    ga, gb = _untied(a), _untied(b)
    if len(a) == k and len(b) == k:  # the last group may be cut at different members
        ga, gb = ga[:-1], gb[:-1]
    assert ga == gb
    assert [round(h.score, 4) for h in a] == [round(h.score, 4) for h in b]


def test_both_engines_hold_the_same_documents_chunks_and_access(engines):
    edge, server, _ = engines
    assert {d: r.n_chunks for d, r in edge.store.documents().items()} == \
        {d: r.n_chunks for d, r in server.store.documents().items()}
    assert edge.store.count_chunks() == server.store.count_chunks() > 20
    for groups in ([], ["legal"], ["finance"], ["legal", "finance"], None):
        e, s = edge.store.restricted(groups), server.store.restricted(groups)
        assert set(e.documents()) == set(s.documents())
        assert e.count_chunks() == s.count_chunks()
        assert sorted(h.point_id for h in e.all_chunks()) == sorted(h.point_id for h in s.all_chunks())
        assert sorted(p["doc_id"] + str(p.get("location")) for p in e.record_claims()) == \
            sorted(p["doc_id"] + str(p.get("location")) for p in s.record_claims())
    assert len(edge.store.restricted([]).documents()) < len(edge.store.documents())


def test_both_engines_rank_alike_under_every_filter_and_view(engines):
    edge, server, embedder = engines
    docs = sorted(edge.sources(), key=lambda d: d.file_name)
    scoped = [d.doc_id for d in docs[:3]]
    cases = [({}, None), ({"doc_type": "contract"}, None), ({"doc_ids": scoped}, None), ({}, []), ({}, ["legal"]),
             ({"doc_type": "split sheet"}, ["legal", "finance"])]
    compared = 0
    for question in _questions():
        sparse, vector = lexical.query_vector(question), embedder.embed_query(question)
        keys = [i.key for i in find_identifiers(question)]
        for kwargs, groups in cases:
            e, s = edge.store.restricted(groups), server.store.restricted(groups)
            _same_ranking(e.search_dense(vector, 10, **kwargs), s.search_dense(vector, 10, **kwargs), 10)
            _same_ranking(e.search_lexical(sparse, 10, **kwargs), s.search_lexical(sparse, 10, **kwargs), 10)
            both_e = e.search([("dense", vector.tolist(), 5), ("lexical", sparse, 5)], **kwargs)
            assert [h.point_id for h in both_e[0]] == [h.point_id for h in e.search_dense(vector, 5, **kwargs)]
            if keys:
                assert [h.point_id for h in e.search_ids(keys, 50, **kwargs)] == \
                    [h.point_id for h in s.search_ids(keys, 50, **kwargs)]
            compared += 1
    assert compared >= 100


def test_the_products_retrieval_is_the_same_on_both_engines(engines):
    edge, server, _ = engines
    for question in _questions():
        for groups in (None, ["legal"]):
            a = [h.point_id for h in edge.restricted(groups).retrieve(question, 5)]
            b = [h.point_id for h in server.restricted(groups).retrieve(question, 5)]
            assert a == b, question


def test_deleting_and_replacing_a_document_behave_alike(tmp_path):
    folder, embedder = _corpus(tmp_path), HashingEmbedder()
    services = [RightsService(Settings(data_dir=tmp_path / "e"), embedder=embedder)]
    server_settings = Settings(data_dir=tmp_path / "s")
    services.append(RightsService(server_settings, embedder=embedder))
    services[1]._store = ServerStore(server_settings, local_client())
    try:
        for svc in services:
            assert svc.ingest([folder]).ok
        (folder / "meridian-termination-letter.txt").write_text("Meridian termination letter, rewritten.\n\n1. Notice. "
                                                                "The agreement ends on 30 June 2027.\n")
        (folder / "nova-records-amendment-1.txt").unlink()
        for svc in services:
            report = svc.ingest([folder], prune=True)
            assert report.ok, report.problems
        e, s = (svc.store for svc in services)
        assert set(e.documents()) == set(s.documents())
        assert all(d.state == "complete" for d in e.documents().values())
        assert e.count_chunks() == s.count_chunks()
        assert sorted(h.point_id for h in e.all_chunks()) == sorted(h.point_id for h in s.all_chunks())
    finally:
        for svc in services:
            svc.close()


def test_a_store_written_by_the_earlier_engine_is_moved_without_re_embedding(tmp_path, caplog):
    folder = _corpus(tmp_path)
    settings = Settings(data_dir=tmp_path / "data")
    old = RightsService(settings, embedder=HashingEmbedder())
    old._store = ServerStore(settings, local_client(str(settings.qdrant_path)))  # the layout before Edge
    assert old.ingest([folder]).ok
    before_docs = {d: r.payload() for d, r in old.store.documents().items()}
    before_chunks = sorted((h.point_id, h.payload["text"]) for h in old.store.all_chunks())
    before_terms = old.store.table("rights_terms").all()
    old.close()
    assert (settings.qdrant_path / "collection").is_dir() and not settings.edge_path.exists()

    embedder = HashingEmbedder()
    with caplog.at_level(logging.WARNING), RightsService(settings, embedder=embedder) as svc:
        assert isinstance(svc.store, EdgeStore)
        moved = [r.getMessage() for r in caplog.records if "moved the embedded store" in r.getMessage()]
        assert len(moved) == 1 and "nothing re-embedded" in moved[0]
        assert {d: r.payload() for d, r in svc.store.documents().items()} == before_docs
        assert sorted((h.point_id, h.payload["text"]) for h in svc.store.all_chunks()) == before_chunks
        assert svc.store.table("rights_terms").all() == before_terms and before_terms
        report = svc.ingest([folder])  # nothing changed: nothing re-read, nothing re-embedded
        assert report.ok and set(report.counts) == {"unchanged"}
        assert embedder.embedded_count == 0
        assert svc.retrieve("When does the Nova Records deal expire?", 3)
    assert not settings.qdrant_path.exists() and (settings.data_dir / "qdrant.migrated").is_dir()
    with RightsService(settings, embedder=HashingEmbedder()) as again:  # moved once: a plain open now
        assert set(again.store.documents()) == set(before_docs)


def test_a_second_process_is_refused_with_one_clear_line(tmp_path):
    from assistant.search.store import StoreError

    settings = Settings(data_dir=tmp_path / "data")
    with EdgeStore(settings) as first:
        first.ensure(8)
        with pytest.raises(StoreError, match="in use by another rights process"):
            EdgeStore(settings)
    with EdgeStore(settings) as again:  # released on close
        assert again.exists()
