"""Ingestion throughput: `rights ingest` vs embedding alone vs plain LlamaIndex, with peak memory.

    python -m eval.bench.ingest_throughput [--docs ../shared/data/cuad-dev/docs] [--limit N] [--repeat 3]

Three jobs over the same files, each run --repeat times (every run in a fresh process, so no
model, cache or store carries over and each job's peak memory is its own):

  embedding alone    the chunk texts `rights ingest` makes, sorted by length and run through
                     MiniLM (batch size as configured) and nothing else: the model's own limit here
  rights ingest      a first ingest into a fresh embedded store (hash, read, chunk, embed, BM25,
                     Qdrant write, ledger), then an unchanged re-run in the same process; once
                     with the configured embedding precision ("auto": bfloat16 autocast where the
                     CPU has bfloat16 instructions) and once in float32, the default before it
  llamaindex         the baseline a new user writes: VectorStoreIndex.from_documents into a
                     QdrantVectorStore on an embedded QdrantClient, with LlamaIndex's default
                     SentenceSplitter and HuggingFaceEmbedding of the same packaged MiniLM. The
                     files are read with this project's readers (timed, as in rights ingest), so
                     the comparison is of chunking, embedding and writing only

Printed: chunks, seconds, chunks/s (each job's own chunk count), docs/s, model tok/s (word
pieces inside MiniLM's 256-token window per second: the model's real work, comparable across
chunk sizes - LlamaIndex's default chunks are ~4x longer than the window and mostly cut off),
our ratio to each baseline, the unchanged re-run as a share of the first ingest, and the peak resident memory of
each job's process. Each figure is the median of the runs; peak memory is the highest run. Model
loading happens before the clock starts (it is in the peak memory). Use --limit for a quick run
(e.g. --limit 8 --repeat 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import assistant  # noqa: F401  (offline environment before any model library loads)
from assistant.settings import Settings
from eval.bench.memory import run_isolated
from ingest.chunking import chunk_text
from ingest.pipeline import discover, document_title, embed_text
from ingest.readers import read_file

DEFAULT_DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cuad-dev" / "docs"
TEXT_SUFFIXES = (".txt", ".pdf", ".docx", ".md")


# -- the jobs (each runs in its own fresh process) --------------------------------------------------
def job_embed_alone(texts: list[str]) -> dict:
    from assistant.search.embedding import Embedder

    embedder = Embedder(Settings(data_dir=Path(tempfile.gettempdir())).embedding, cache_path=None)
    embedder.model  # load outside the timing  # noqa: B018
    ordered = sorted(texts, key=len)  # the model's best case: batches of similar length pad least
    t = time.perf_counter()
    embedder.embed_uncached(ordered)
    seconds = time.perf_counter() - t
    return {"chunks": len(texts), "seconds": seconds, **token_counts(embedder.model, texts)}


def token_counts(model, texts: list[str]) -> dict:
    """Word pieces of the texts, and how many fall inside the model's window (the rest is cut
    off and never embedded): the work the model really does, comparable across chunk sizes."""
    limit = model.max_seq_length
    lengths = [len(ids) for ids in model.tokenizer(list(texts), add_special_tokens=True)["input_ids"]]
    return {"tokens": sum(lengths), "seen_tokens": sum(min(n, limit) for n in lengths)}


def job_rights(corpus: str, data_dir: str, n_files: int, precision: str = "auto") -> dict:
    from assistant.search.embedding import Embedder
    from assistant.service import RightsService

    settings = Settings(data_dir=Path(data_dir), embedding={"precision": precision})
    embedder = Embedder(settings.embedding, settings.cache_dir / "embeddings.sqlite")  # fresh, empty cache
    embedder.model  # noqa: B018
    try:
        with RightsService(settings, embedder=embedder) as service:
            t = time.perf_counter()
            report = service.ingest([Path(corpus)])
            first = time.perf_counter() - t
            if not report.ok:
                raise RuntimeError(f"ingest reported problems: {report.problems}")
            t = time.perf_counter()
            again = service.ingest([Path(corpus)])
            rerun = time.perf_counter() - t
            if again.counts.get("unchanged") != n_files:
                raise RuntimeError(f"re-run was not all unchanged: {dict(again.counts)}")
    finally:
        embedder.close()
    return {"chunks": report.chunks_written, "seconds": first, "rerun_seconds": rerun}


def job_llamaindex(files: list[str], workdir: str) -> dict:
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.qdrant import QdrantVectorStore
    from qdrant_client import QdrantClient

    from assistant.search.embedding import resolve_model_path

    model_path = resolve_model_path(Settings(data_dir=Path(workdir)).embedding.model)
    embed_model = HuggingFaceEmbedding(model_name=str(model_path), device="cpu")
    embed_model.get_text_embedding("warm up")  # load outside the timing
    client = QdrantClient(path=str(Path(workdir) / "qdrant"))
    try:
        store = QdrantVectorStore(client=client, collection_name="baseline")
        t = time.perf_counter()
        documents = []
        for f in files:
            extracted = read_file(Path(f))
            documents.append(Document(text=extracted.text, metadata={"file_name": Path(f).name}))
        ctx = StorageContext.from_defaults(vector_store=store)
        VectorStoreIndex.from_documents(documents, storage_context=ctx, embed_model=embed_model)
        seconds = time.perf_counter() - t
        chunks = client.count("baseline", exact=True).count
        chunk_texts, offset = [], None
        while True:
            points, offset = client.scroll("baseline", limit=1000, offset=offset, with_payload=True)
            chunk_texts += [json.loads((p.payload or {}).get("_node_content", "{}")).get("text", "") for p in points]
            if offset is None:
                break
    finally:
        client.close()
    return {"chunks": chunks, "seconds": seconds, "chars": sum(map(len, chunk_texts)),
            **token_counts(embed_model._model, chunk_texts),
            "batch_size": embed_model.embed_batch_size, "max_length": getattr(embed_model, "max_length", None)}


# -- the run ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.ingest_throughput", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="folder of contracts (default: cuad-dev)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files, by name (0 = all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per job; medians are printed (default 3)")
    parser.add_argument("--skip-llamaindex", action="store_true", help="leave out the LlamaIndex baseline")
    parser.add_argument("--in-process", action="store_true",
                        help="run the jobs in this process (quick checks, tests): peak memory is then not per job")
    args = parser.parse_args(argv)

    files, _ = discover([args.docs])
    files = sorted((f for f in files if f.suffix.lower() in TEXT_SUFFIXES), key=lambda f: f.name)
    if args.limit:
        files = files[: args.limit]
    if not files:
        raise SystemExit(f"no .txt/.pdf/.docx/.md files under {args.docs}")
    work = Path(tempfile.mkdtemp(prefix="rights-bench-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        for f in files:
            shutil.copy(f, corpus / f.name)
        copies = sorted(corpus.iterdir())
        chunking = Settings(data_dir=work / "unused").chunking

        # The chunk texts exactly as ingestion embeds them (title + section heading + text).
        texts, chars = [], 0
        for f in copies:
            extracted = read_file(f)
            title = document_title(extracted.title, extracted.text, f)
            for c in chunk_text(extracted.text, chunking, extracted.heading_offsets):
                texts.append(embed_text(title, c))
                chars += len(c.text)
        isolate = not args.in_process
        load = os.getloadavg()[0]
        runs: dict[str, list[dict]] = {"alone": [], "rights": [], "rights_fp32": [], "llamaindex": []}
        peaks: dict[str, list[float]] = {k: [] for k in runs}
        for i in range(args.repeat):
            for name, fn, fargs in (
                ("alone", job_embed_alone, (texts,)),
                ("rights", job_rights, (str(corpus), str(work / f"data-{i}"), len(copies))),
                ("rights_fp32", job_rights, (str(corpus), str(work / f"data-{i}"), len(copies), "float32")),
                ("llamaindex", job_llamaindex, ([str(f) for f in copies], str(work / f"llamaindex-{i}"))),
            ):
                if name == "llamaindex" and args.skip_llamaindex:
                    continue
                result, peak = run_isolated(fn, *fargs, isolate=isolate)
                runs[name].append(result)
                peaks[name].append(peak)
                for used in (work / f"data-{i}", work / f"llamaindex-{i}"):
                    shutil.rmtree(used, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    def rate(name: str) -> float:
        return statistics.median(r["chunks"] / r["seconds"] for r in runs[name])

    def docs_rate(name: str) -> float:
        return statistics.median(len(files) / r["seconds"] for r in runs[name])

    n_docs = len(files)
    print(f"corpus: {n_docs} files from {args.docs}, {sum(f.stat().st_size for f in files) / 1e6:.2f} MB; "
          f"`rights ingest` makes {len(texts)} chunks ({chars / len(texts):.0f} chars each)")
    print(f"medians of {args.repeat} run(s); {'each job in a fresh process' if isolate else 'jobs in one process (peak is cumulative)'}; "
          "model loading not timed; "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at the end")
    has_li = bool(runs["llamaindex"])
    if has_li:
        li = runs["llamaindex"][0]
        print(f"llamaindex: default SentenceSplitter, HuggingFaceEmbedding(batch {li['batch_size']}, max_length "
              f"{li['max_length']} tokens), {li['chunks']} chunks ({li['chars'] / max(1, li['chunks']):.0f} chars each)")
        ours = runs["alone"][0]
        print(f"word pieces inside MiniLM's {li['max_length']}-token window (the rest is never embedded): rights "
              f"{ours['seen_tokens']:,} of {ours['tokens']:,} ({100 * ours['seen_tokens'] / ours['tokens']:.0f} %), "
              f"llamaindex {li['seen_tokens']:,} of {li['tokens']:,} ({100 * li['seen_tokens'] / li['tokens']:.0f} %)")
    print()
    seen = {"alone": runs["alone"][0]["seen_tokens"], "rights": runs["alone"][0]["seen_tokens"],
            "rights_fp32": runs["alone"][0]["seen_tokens"]}
    if has_li:
        seen["llamaindex"] = runs["llamaindex"][0]["seen_tokens"]

    def tok_rate(name: str) -> float:
        return statistics.median(seen[name] / r["seconds"] for r in runs[name])

    header = (f"{'job':36} {'chunks':>7} {'seconds':>8} {'chunks/s':>9} {'docs/s':>7} {'model tok/s':>11} "
              f"{'rights ÷ this (chunks/s | docs/s | tok/s)':>42} {'peak RSS':>9}")
    print(header)
    print("-" * len(header))
    ours, ours_docs, ours_tok = rate("rights"), docs_rate("rights"), tok_rate("rights")
    rows = [("embedding alone (model limit)", "alone"), ("rights ingest, first run", "rights"),
            ("rights ingest, float32 embedding", "rights_fp32")]
    if has_li:
        rows.append(("llamaindex from_documents (baseline)", "llamaindex"))
    for label, name in rows:
        chunks = int(statistics.median(r["chunks"] for r in runs[name]))
        r, d = rate(name), docs_rate(name)
        tr = tok_rate(name)
        if name == "rights":
            ratio = ""
        elif name == "alone":
            ratio = f"{ours / r:.2f} |  -   | {ours_tok / tr:.2f}"
        else:
            ratio = f"{ours / r:.2f} | {ours_docs / d:.2f} | {ours_tok / tr:.2f}"
        docs = "" if name == "alone" else f"{d:.3f}"
        print(f"{label:36} {chunks:>7} {med(name, 'seconds'):>8.1f} {r:>9.2f} {docs:>7} {tr:>11.0f} {ratio:>42} "
              f"{max(peaks[name]):>6.0f} MiB")
    rerun, first = med("rights", "rerun_seconds"), med("rights", "seconds")
    print(f"{'rights ingest, unchanged re-run':36} {'':>7} {rerun:>8.3f} {'':>9} {'':>7} {'':>11} "
          f"{f'{100 * rerun / first:.2f} % of the first ingest':>42} {'(same)':>9}")
    if args.repeat > 1:
        spread = {name: (min(r["chunks"] / r["seconds"] for r in runs[name]), max(r["chunks"] / r["seconds"] for r in runs[name]))
                  for name in runs if runs[name]}
        print("\nchunks/s range over the runs: " + ", ".join(f"{n} {lo:.2f}-{hi:.2f}" for n, (lo, hi) in spread.items()))


if __name__ == "__main__":
    main()
