"""The systems an evaluation compares, behind one small interface.

``rights`` is this project's retrieval as the product runs it; ``dense`` and ``lexical`` are its
two halves alone, on the same store; ``llamaindex`` is the plain pipeline a new user writes from
LlamaIndex's tutorial (default ``SentenceSplitter``, HuggingFace embedding of the same MiniLM,
``QdrantVectorStore``), kept as the outside baseline.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from assistant.service import RightsService
from assistant.settings import Settings
from eval.dataset import Question
from eval.metrics import Passage
from ingest.model import ChunkPayload

MAX_K = 10
SYSTEMS = ("rights", "hybrid", "dense", "lexical", "llamaindex")


class Retriever(Protocol):
    name: str

    def retrieve(self, question: Question, k: int = MAX_K) -> list[Passage]: ...


def corpus_fingerprint(corpus: Path) -> str:
    """Changes when any file of the corpus is added, removed, renamed or rewritten."""
    h = hashlib.sha256()
    for file in sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith(".")):
        st = file.stat()
        h.update(f"{file.relative_to(corpus)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def _passage(chunk: ChunkPayload, score: float) -> Passage:
    return Passage(doc=chunk.stem, start=chunk.start, end=chunk.end, text=chunk.text, score=float(score),
                   section=chunk.section or "")


class ServiceRetriever:
    """One of the product's own search modes over the evaluation's store."""

    def __init__(self, service: RightsService, mode: str, name: str):
        self.service, self.mode, self.name = service, mode, name

    def retrieve(self, question: Question, k: int = MAX_K) -> list[Passage]:
        if self.mode == "rights":
            hits = self.service.retrieve(question.question, k)
        else:
            hits = self.service.search(question.question, k, mode=self.mode)  # type: ignore[arg-type]
        return [_passage(h.chunk, h.score) for h in hits]


class LlamaIndexBaseline:
    """LlamaIndex's starter pipeline, verbatim apart from loading the model from disk.

    Its index is kept under ``workdir`` and rebuilt only when the corpus changes. Readers it
    lacks packages for (DOCX needs docx2txt) are skipped and counted, as the tutorial would fail.
    """

    name = "llamaindex"
    READABLE = [".txt", ".md", ".pdf"]

    def __init__(self, corpus: Path, workdir: Path, model_path: Path, log: Callable[[str], None] = print):
        from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.qdrant import QdrantVectorStore
        from qdrant_client import QdrantClient

        fingerprint = corpus_fingerprint(corpus)
        stamp = workdir / "fingerprint.json"
        fresh = not (stamp.is_file() and json.loads(stamp.read_text()).get("corpus") == fingerprint)
        if fresh and workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        self.embed_model = HuggingFaceEmbedding(model_name=str(model_path), device="cpu")
        self._client = QdrantClient(path=str(workdir / "qdrant"))
        store = QdrantVectorStore(client=self._client, collection_name="baseline")
        if fresh:
            files = [p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith(".")]
            readable = [p for p in files if p.suffix.lower() in self.READABLE]
            self.skipped = len(files) - len(readable)
            log(f"llamaindex baseline: indexing {len(readable)} files (skipped {self.skipped} it cannot read)")
            documents = SimpleDirectoryReader(input_files=[str(p) for p in readable]).load_data()
            ctx = StorageContext.from_defaults(vector_store=store)
            self.index = VectorStoreIndex.from_documents(documents, storage_context=ctx, embed_model=self.embed_model)
            stamp.write_text(json.dumps({"corpus": fingerprint, "skipped": self.skipped}))
        else:
            self.skipped = json.loads(stamp.read_text()).get("skipped", 0)
            self.index = VectorStoreIndex.from_vector_store(store, embed_model=self.embed_model)
        self._retriever = self.index.as_retriever(similarity_top_k=MAX_K)

    def retrieve(self, question: Question, k: int = MAX_K) -> list[Passage]:
        out = []
        for hit in self._retriever.retrieve(question.question)[:k]:
            node = hit.node
            out.append(
                Passage(
                    doc=Path(node.metadata.get("file_name", "")).stem,
                    start=int(node.start_char_idx or 0),
                    end=int(node.end_char_idx or 0),
                    text=node.get_content(),
                    score=float(hit.score or 0.0),
                )
            )
        return out

    def close(self) -> None:
        self._client.close()


def eval_settings(base: Settings, corpus: Path) -> Settings:
    """The evaluation's own store for ``corpus``: beside the user's, never mixed into it.

    Embedded mode gets its own folder; server mode its own collection. The embedding cache is
    the user's (shared by passing the same Embedder), so no chunk is embedded twice."""
    key = hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:10]
    return base.model_copy(
        update={"data_dir": base.data_dir / "eval" / key, "collection": f"eval-{key}"}
    )
