"""The chunker inside a real llama-index IngestionPipeline keeps clauses and offsets."""

from __future__ import annotations

from fixtures import DISTRIBUTION
from llama_index.core import Document
from llama_index.core.ingestion import IngestionPipeline

from ingest.chunking import ChunkingOptions, chunk_text
from ingest.llama import ContractNodeParser


def test_pipeline_nodes_match_our_chunks():
    doc = Document(text=DISTRIBUTION, metadata={"file_name": "pinewave-distribution.txt"})
    nodes = IngestionPipeline(transformations=[ContractNodeParser(max_chars=600, overlap_chars=100, min_chars=150)]).run(documents=[doc])
    ours = chunk_text(DISTRIBUTION, ChunkingOptions(max_chars=600, overlap_chars=100, min_chars=150))
    assert [n.get_content() for n in nodes] == [c.text for c in ours]
    for node, chunk in zip(nodes, ours):
        assert DISTRIBUTION[node.start_char_idx : node.end_char_idx] == node.get_content()
        assert node.metadata["section"] == chunk.section
        assert node.metadata["file_name"] == "pinewave-distribution.txt"
        assert node.ref_doc_id == doc.doc_id
    assert any(n.metadata["section_path"] == "4 RIGHTS > 4.1 Grant of Rights" for n in nodes)
