"""``rights copy-store``: the embedded store copied onto a Qdrant server point by point.

The target is qdrant-client's local mode, the stand-in for server semantics (the same client
calls the server gets). The copy must carry every chunk's vectors and payload unchanged (the same
search gives the same ranking on both sides, nothing re-embedded), the ledger and the key terms;
refuse a target that already holds data unless resumed; and finish a copy cut short.
"""

from __future__ import annotations

import pytest

from assistant.contracts.storage import TermsStore
from assistant.search.engines import copying
from assistant.search.engines.copying import copy_store
from assistant.search.engines.server import ServerStore, local_client
from assistant.search.store import DENSE, LEXICAL, StoreError
from assistant.service import RightsService
from assistant.settings import Settings

AGREEMENT = """RECORDING AGREEMENT

This Agreement is made on 4 March 2021 between Kestrel Sound Ltd ("Label") and Ona Vale ("Artist").

1. TERM
The Term runs from 4 March 2021 until 3 March 2024.

2. ROYALTIES
2.1 Label shall pay Artist a royalty of eighteen percent (18%) of net receipts from streaming.

3. TERRITORY
The Territory is the United Kingdom and Ireland.

4. GOVERNING LAW
This Agreement is governed by the laws of England and Wales.
"""

SPLITS = "title,iswc,writer,ipi,share\nBlue Hour,T-345.246.800-1,Ona Vale,00523879412,50\nBlue Hour,T-345.246.800-1,Remi Stone,00198765432,50\n"


def _ingested(tmp_path, embedder) -> RightsService:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "kestrel-recording-agreement.txt").write_text(AGREEMENT)
    (folder / "blue-hour-splits.csv").write_text(SPLITS)
    svc = RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    assert svc.ingest([folder]).ok
    return svc


def _target(tmp_path) -> ServerStore:
    return ServerStore(Settings(data_dir=tmp_path / "target-data"), client=local_client())


def _points(store) -> dict:
    return {p.id: p for p in store._scroll(None, True, with_vectors=True)}


def test_a_copy_carries_vectors_payloads_ledger_and_key_terms(tmp_path, embedder):
    with _ingested(tmp_path, embedder) as svc:
        source = svc.store
        target = _target(tmp_path)
        seen = []
        report = copy_store(source, target, progress=lambda done, total: seen.append((done, total)))
        before, after = _points(source), _points(target)
        assert report.points[target.chunks] == len(before) == len(after) > 0
        assert seen and seen[-1] == (len(before), len(before))
        for pid, p in before.items():
            q = after[pid]
            assert q.payload == p.payload
            assert q.vectors[DENSE] == pytest.approx(p.vectors[DENSE], abs=1e-6)
            assert list(q.vectors[LEXICAL][0]) == list(p.vectors[LEXICAL][0])
        assert target.documents().keys() == source.documents().keys()
        assert {d.state for d in target.documents().values()} == {"complete"}
        assert TermsStore(target).all() == TermsStore(source).all() != {}
        # The same question ranks the same chunks on both sides: nothing was re-embedded.
        vector = embedder.embed_query("When does the Kestrel agreement end?")
        ranked = [[(h.point_id, round(h.score, 4)) for h in store.search_dense(vector, 5)] for store in (source, target)]
        assert ranked[0] == ranked[1] and ranked[0]
        target.close()


def test_a_target_holding_data_is_refused_and_a_copy_cut_short_is_finished_with_resume(tmp_path, embedder, monkeypatch):
    with _ingested(tmp_path, embedder) as svc:
        source, target = svc.store, _target(tmp_path)
        monkeypatch.setattr(copying, "BATCH", 1)
        calls = {"n": 0}
        upsert = target._upsert

        def fails_on_the_third_batch(points):
            calls["n"] += 1
            if calls["n"] == 3:
                raise StoreError("Qdrant is unreachable or refused the request: connection reset")
            upsert(points)

        monkeypatch.setattr(target, "_upsert", fails_on_the_third_batch)
        with pytest.raises(StoreError, match="connection reset"):
            copy_store(source, target)
        monkeypatch.setattr(target, "_upsert", upsert)
        partial = target._count(None)
        assert 0 < partial < source._count(None)
        with pytest.raises(StoreError, match="already holds 'rights' .*--resume"):
            copy_store(source, target)
        assert target._count(None) == partial  # the refusal wrote nothing
        report = copy_store(source, target, resume=True)
        assert target._count(None) == source._count(None) == report.points["rights"]
        # A target that lost points behind the copy's back is caught by the count at the end.
        monkeypatch.setattr(target, "_upsert", lambda points: None)
        target.client.delete_collection("rights")
        with pytest.raises(StoreError, match="copy is incomplete: 'rights' has 0 points"):
            copy_store(source, target, resume=True)
        target.close()


def test_the_command_copies_and_says_what_to_set_next(tmp_path, embedder, cli, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "kestrel-recording-agreement.txt").write_text(AGREEMENT)
    assert cli("ingest", str(folder)).exit_code == 0
    made = []

    def local_target(settings, url, collection=None, api_key=None):
        made.append((url, collection, api_key))
        return ServerStore(settings.model_copy(update={"collection": collection or settings.collection}), client=local_client())

    monkeypatch.setattr(copying, "target_store", local_target)
    monkeypatch.setenv("RIGHTS_TARGET_API_KEY", "s3cret")
    out = cli("copy-store", "--to", "http://qdrant-1:6333", "--collection", "rights_v2")
    assert out.exit_code == 0, out.output
    assert "counted on both sides" in out.output and "QDRANT_URL=http://qdrant-1:6333" in out.output
    assert "RIGHTS_COLLECTION=rights_v2" in out.output and "s3cret" not in out.output
    assert made == [("http://qdrant-1:6333", "rights_v2", "s3cret")]
    bad = cli("copy-store", "--to", "qdrant-1")
    assert bad.exit_code == 2 and "--to must be a Qdrant URL" in bad.output and len(bad.output.strip().splitlines()) == 1


def test_an_empty_store_has_nothing_to_copy(tmp_path, fast_service):
    with pytest.raises(StoreError, match="nothing to copy"):
        copy_store(fast_service.store, _target(tmp_path))
