"""The contract chunker as a llama-index node parser (a ``TransformComponent``).

So that our clause-aware chunks drop into any llama-index pipeline - ``IngestionPipeline``,
``VectorStoreIndex.from_documents(transformations=[...])`` - with the same section metadata
and offsets that ``rights ingest`` stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, MetadataMode, NodeRelationship, TextNode
from pydantic import Field

from ingest.chunking import ChunkingOptions, chunk_text


class ContractNodeParser(NodeParser):
    """Split documents on their clauses; nodes carry section, heading, path and offsets."""

    max_chars: int = Field(default=ChunkingOptions().max_chars)
    overlap_chars: int = Field(default=ChunkingOptions().overlap_chars)
    min_chars: int = Field(default=ChunkingOptions().min_chars)

    @classmethod
    def class_name(cls) -> str:
        return "ContractNodeParser"

    def _parse_nodes(self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any) -> list[BaseNode]:
        options = ChunkingOptions(max_chars=self.max_chars, overlap_chars=self.overlap_chars, min_chars=self.min_chars)
        out: list[BaseNode] = []
        for node in nodes:
            text = node.get_content(metadata_mode=MetadataMode.NONE)
            for chunk in chunk_text(text, options):
                child = TextNode(
                    text=chunk.text,
                    start_char_idx=chunk.start,
                    end_char_idx=chunk.end,
                    metadata={
                        "section": chunk.section,
                        "heading": chunk.heading,
                        "section_path": chunk.section_path,
                        "sections": ", ".join(chunk.sections),
                    },
                    excluded_embed_metadata_keys=["sections"],
                    excluded_llm_metadata_keys=["sections"],
                )
                child.relationships[NodeRelationship.SOURCE] = node.as_related_node_info()
                out.append(child)
        return out
