"""The product's retrieval as a llama-index retriever, for teams who compose their own pipelines.

``RightsRetriever(service)`` is a ``BaseRetriever``: put it under a llama-index
``RetrieverQueryEngine`` (with the customer's own LLM and synthesiser) or any other component
that takes a retriever, and it returns what ``rights search`` finds: hybrid, identifier-exact,
name-scoped, access-filtered passages, each a ``NodeWithScore`` whose metadata holds the citation
(file, section, heading, page, character offsets, document id, label). The node's text is the
passage as stored; offsets point into the document text the ingest read, so a citation built on
top opens the same place as the chat's sources panel.

Access: give it a service restricted to the user (``service.restricted(groups)``); it cannot
return what that view cannot see.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

CITATION_KEYS = ("doc_id", "file_name", "file_path", "doc_type", "section", "heading", "page", "page_end",
                 "start", "end", "chunk_index", "record_kind", "record_title", "location")


class RightsRetriever(BaseRetriever):
    """``service.retrieve`` behind llama-index's retriever interface."""

    def __init__(self, service: Any, k: int = 8, *, doc_type: str | None = None, party: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._service = service
        self._k = k
        self._doc_type = doc_type
        self._party = party

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._service.retrieve(query_bundle.query_str, self._k, doc_type=self._doc_type, party=self._party)
        out = []
        for hit in hits:
            p = hit.payload
            metadata = {k: p.get(k) for k in CITATION_KEYS if p.get(k) is not None}
            metadata["label"] = hit.chunk.label()  # as the chat labels the source
            node = TextNode(id_=str(hit.point_id), text=str(p.get("text", "")), metadata=metadata,
                            start_char_idx=p.get("start"), end_char_idx=p.get("end"),
                            excluded_embed_metadata_keys=list(metadata), excluded_llm_metadata_keys=["file_path", "doc_id"])
            out.append(NodeWithScore(node=node, score=float(hit.score)))
        return out
