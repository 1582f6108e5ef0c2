"""Which documents a question's names single out (Retriever.named_documents): each name is probed
on its own in the lexical index, so a rare name is found wherever it is in the text and a name
common to every document decides nothing."""

from __future__ import annotations

from assistant.search import retrieval

CLAUSES = "\n\n".join(f"{n}. Clause {n}. The Harbour label and the artist shall cooperate on matter {n} of this "
                      "agreement and keep each other informed in writing." for n in range(2, 12))


def _contract(n: int, extra: str = "") -> str:
    return f"RECORDING AGREEMENT number {n}\n\n1. Parties. The Harbour label and the artist.{extra}\n\n{CLAUSES}\n"


def test_a_rare_name_in_the_text_scopes_and_a_name_in_every_document_decides_nothing(fast_service, tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(1, 5):
        extra = " Royalties are paid to Wrenfield Music Ltd at 18 percent." if n == 3 else ""
        (folder / f"agreement-{n}.txt").write_text(_contract(n, extra))
    assert fast_service.ingest([folder]).ok
    retriever = fast_service.retriever
    monkeypatch.setattr(retrieval, "TERM_PROBE", 5)  # "harbour" is in ~40 chunks: far more than a probe holds
    scope = retriever.named_documents("What royalty does Wrenfield get under the Harbour agreements?", None, None)
    assert scope is not None and scope.doc_ids == [d.doc_id for d in fast_service.find_documents("agreement-3.txt")]
    assert retriever.named_documents("What does the Harbour label owe?", None, None) is None
    # the probe fetched doc ids only, never the texts
    seen = []
    search = fast_service.store.search
    monkeypatch.setattr(fast_service.store, "search", lambda *a, **kw: seen.append(kw.get("fields")) or search(*a, **kw))
    assert retriever.named_documents("What royalty does Ashcombe get?", None, None) is None
    assert seen == [("doc_id",)]
    # a name already probed is not probed again while the store is unchanged ...
    retriever.named_documents("What royalty does Ashcombe get?", None, None)
    assert seen == [("doc_id",)]
    # ... and is probed again once a document arrives: the new document is found
    (folder / "agreement-5.txt").write_text(_contract(5, " Ashcombe Songs Ltd administers the catalogue."))
    assert fast_service.ingest([folder]).ok
    scope = retriever.named_documents("What royalty does Ashcombe get?", None, None)
    assert scope is not None and scope.doc_ids == [d.doc_id for d in fast_service.find_documents("agreement-5.txt")]
    assert seen[-1] == ("doc_id",) and len(seen) >= 2


def test_documents_the_names_single_out_equally_come_in_one_order_in_every_process(monkeypatch):
    """Tied documents are ordered by id, not by the order a set happened to yield them (which
    changes with the hash seed from one process to the next): the scope's order orders the
    opening chunks, so a tie once moved a top-1 passage between two runs of the same question."""
    r = retrieval.Retriever(store=None, embed_queries=None)
    names = {"doc-b": {"kestrel"}, "doc-a": {"osprey"}, "doc-c": set(), "doc-d": set()}
    monkeypatch.setattr(r, "_names", lambda: names)
    monkeypatch.setattr(r, "_term_holders", lambda terms, doc_type, allowed: (
        {"kestrel": {"doc-b"}, "osprey": {"doc-a"}}, {"kestrel": False, "osprey": False}))
    scope = r.named_documents("What do Kestrel and Osprey get?", None, None)
    assert scope is not None and scope.doc_ids == ["doc-a", "doc-b"]
