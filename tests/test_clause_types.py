"""Clause-type-aware ranking (assistant/search/clause_types.py): a question of a known kind gets
the chunks that look like that kind of clause, inside the documents it names; other questions
and other embedding models are left alone."""

from __future__ import annotations

import numpy as np

from assistant.search import clause_types as CT
from assistant.search.retrieval import LEAD_CHUNKS, strip_names

FILLER = "\n\n".join(f"{n}. Clause {n}. " + " ".join(f"The parties shall cooperate in good faith on matter {n}.{i} "
                                                     "of this agreement and keep each other informed." for i in range(12))
                     for n in range(2, 12))


def _contract(name: str) -> str:
    return (f"RECORDING AGREEMENT between {name} Records Ltd and Artist\n\n1. Definitions. Words have their meanings.\n\n"
            f"{FILLER}\n\n12. Audit. " + "The Artist may inspect and audit the books of account once a year on thirty "
            "days written notice. " * 8 + "\n\n13. Law. This agreement is governed by the laws of England.\n")


def _types(embedder, question: str, clause: str, threshold: float = 0.5) -> CT.ClauseTypes:
    q, c = embedder.embed_query(question), embedder.embed_query(clause)
    return CT.ClauseTypes(("Audit Rights",), q[None, :], c[None, :], threshold, np.array([3.0]), embedder.model_key)


def test_a_question_of_a_known_kind_ranks_that_kind_of_clause_inside_the_named_document(fast_service, fast_embedder, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("Kestrel", "Nova", "Harrow"):
        (folder / f"{name.lower()}-agreement.txt").write_text(_contract(name))
    assert fast_service.ingest([folder]).ok
    question = "Can Kestrel's artist check our accounting records?"
    retriever = fast_service.retriever
    retriever.clause_types = None
    plain = fast_service.retrieve(question, 3)
    retriever.clause_types = _types(fast_embedder, strip_names(question), "inspect and audit the books of account")
    typed = fast_service.retrieve(question, 3)
    assert all(h.payload["file_name"] == "kestrel-agreement.txt" for h in typed)  # still inside the named document
    assert "audit the books" in typed[0].payload["text"] and "audit the books" not in plain[0].payload["text"]
    assert typed[0].signals.get("clause_type") == "Audit Rights"
    retriever.clause_types = _types(fast_embedder, "a question of another kind entirely", "audit", threshold=0.99)
    assert [h.point_id for h in fast_service.retrieve(question, 3)] == [h.point_id for h in plain]  # no match: as before


def test_clause_types_belong_to_one_embedding_model(tmp_path, fast_embedder):
    types = _types(fast_embedder, "who may audit", "audit the books")
    path = tmp_path / "types.npz"
    types.save(path)
    assert CT.for_model(fast_embedder.model_key, path) is not None
    assert CT.for_model("another-model:abc", path) is None
    assert types.match(np.zeros(7, dtype=np.float32)) is None  # another dimension: never a match


def test_the_packaged_clause_types_are_for_the_packaged_model():
    from assistant.search.embedding import model_key_for, resolve_model_path
    from assistant.settings import EmbeddingSettings

    types = CT.for_model(model_key_for(resolve_model_path(EmbeddingSettings().model)))
    assert types is not None and len(types.names) >= 20
    assert np.allclose(np.linalg.norm(types.clauses, axis=1), 1.0, atol=1e-4)
    assert types.leads is not None and types.leads.shape == (len(types.names),)


def test_a_type_answered_in_the_preamble_ranks_the_named_documents_opening_first(fast_service, fast_embedder, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("Kestrel", "Nova", "Harrow"):
        (folder / f"{name.lower()}-agreement.txt").write_text(_contract(name))
    assert fast_service.ingest([folder]).ok
    question = "On which date was the Kestrel agreement signed by the parties?"
    retriever = fast_service.retriever
    q = fast_embedder.embed_query(strip_names(question))
    retriever.clause_types = CT.ClauseTypes(("Agreement Date",), q[None, :], q[None, :], 0.5, np.array([0.0]),
                                            fast_embedder.model_key, np.array([0.0]))
    plain = fast_service.retrieve(question, 3)  # weights 0: the type matches nothing, ranking as before
    retriever.clause_types = CT.ClauseTypes(("Agreement Date",), q[None, :], q[None, :], 0.5, np.array([0.0]),
                                            fast_embedder.model_key, np.array([8.0]))
    opened = fast_service.retrieve(question, 3)
    assert opened[0].payload["file_name"] == "kestrel-agreement.txt" and opened[0].payload["chunk_index"] < LEAD_CHUNKS
    assert opened[0].signals.get("opening") and not any(h.signals.get("opening") for h in plain)
    assert plain[0].payload["chunk_index"] >= LEAD_CHUNKS, "the plain ranking already opened the contract: the test proves nothing"
    path = tmp_path / "types.npz"
    retriever.clause_types.save(path)
    assert CT.for_model(fast_embedder.model_key, path).lead("Agreement Date") == 8.0
