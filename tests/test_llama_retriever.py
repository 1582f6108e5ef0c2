"""The product's retrieval under a llama-index query engine: citation metadata arrives with every
node, and a view restricted to a user's groups returns nothing that user may not see."""

from __future__ import annotations

import pytest
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import get_response_synthesizer

from assistant.search.llama_retriever import RightsRetriever
from assistant.service import RightsService

pytestmark = pytest.mark.slow


def test_a_llama_index_query_engine_cites_what_the_product_retrieves(settings, embedder, contracts):
    (contracts / "pinewave-distribution.txt.groups").write_text("legal\n")
    with RightsService(settings, embedder=embedder) as svc:
        assert svc.ingest([contracts]).ok
        question = "When does the Pinewave distribution agreement start?"
        engine = RetrieverQueryEngine(RightsRetriever(svc, k=4), get_response_synthesizer(llm=MockLLM(), response_mode="compact"))
        response = engine.query(question)
        nodes = response.source_nodes
        assert nodes and nodes[0].node.metadata["file_name"] == "pinewave-distribution.txt"
        top = nodes[0].node.metadata
        assert {"label", "start", "end", "doc_id", "file_path"} <= set(top) and top["label"].startswith("pinewave-distribution.txt")
        assert [h.point_id for h in svc.retrieve(question, 4)] == [n.node.node_id for n in nodes]
        # the same retriever over a view without the "legal" group never sees the restricted file
        outsider = RightsRetriever(svc.restricted(["staff"]), k=4).retrieve(question)
        assert outsider and all(n.node.metadata["file_name"] != "pinewave-distribution.txt" for n in outsider)
