"""The store engines at growing sizes, before and after in one run: open, write, search, memory.

    python -m eval.bench.query_latency [--sizes 10k,100k,1m] [--engines before,after] [--queries 20]

For each size and engine, a store is built the way the product writes one (Store.write_chunks
with ledger records, under a temporary folder), the ingest job's end is run (Edge builds its
HNSW index there), and the store is reopened as the chat would open it and asked --queries
questions. Engines:

  before   the old embedded default: qdrant-client's local mode on disk plus the hand-written
           matrix index (eval/bench/legacy_store.py, kept only as this baseline)
  after    Qdrant Edge, the product's embedded engine (assistant/search/engines/edge.py)

Latency is per question, in ms, from the text of the question to the ranked hits: embedding
the question and retrieval, no language model. Two systems:

  rights   the product's retrieval (RightsService.retrieve: hybrid dense + BM25, named-document
           scoping, identifier-exact hits)
  dense    plain dense search (RightsService.search, mode "dense")
  hybrid   plain hybrid search (RightsService.search, mode "hybrid": the question embedded once,
           one dense and one BM25 request, fused by reciprocal rank): what a new user's RAG does,
           and the baseline of the product/plain ratio printed at the end

each without a filter and with the filters the product applies:

  type     doc_type = "contract"  (the CLI's --type; about half the store here)
  groups   a signed-in user's access groups (Store.restricted: documents with no groups or one
           of theirs; about 2 in 5 documents here)
  3 docs   doc_ids = three documents (a party/date filter or the chat's document scope)

Questions are asked round robin over the cells, so a burst of load on a shared machine hits
every cell alike. Also printed: open time, the first question, the first question after one
more document is written, the process's peak RSS (each size and engine in a fresh process),
allocated disk, and dense recall@10 against exact search of the same points.

The data: real chunks of the contracts under --docs (cuad-dev by default), embedded once with
the packaged MiniLM and cached (--cache). Real embeddings of 100k chunks would take hours here
(~15 chunks/s), so larger stores re-use those vectors with gaussian noise (--noise, renormalised)
as copies of the documents: each copy gets its own doc id, file name, doc type and access groups,
and its party and company names get a suffix (in the text, the BM25 vector, the title) so a
question naming them singles out that copy, as names do in a real corpus. Questions are the
cuad-dev questions (qa.jsonl beside --docs) about a document in the store, renamed the same way.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import os
import pickle
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import assistant  # noqa: F401  (offline environment before any model library loads)
from assistant.search.retrieval import GENERIC
from assistant.settings import Settings
from eval.bench.memory import percentile, run_isolated

DEFAULT_DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cuad-dev" / "docs"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "rights-bench-cache"
FILTERS = ("none", "type", "groups", "3 docs")
SYSTEMS = ("rights", "dense", "hybrid")
DOC_TYPES = ("contract", "split sheet", "contract", "catalog")  # cycled over documents: ~1/2 contracts
GROUPS = ([], ["label"], ["publishing"], ["finance"], ["legal"])  # cycled: [] is visible to everyone
USER_GROUPS = ["publishing"]  # the signed-in user of the "groups" filter
TAG_LETTERS = "abcdefghjkmnpqrtuvwxyz"  # no "s": the BM25 tokenizer folds a trailing s
FALLBACK_QUESTIONS = (
    "When does the {title} expire and how can it be renewed?",
    "What royalty or fee is payable under the {title}?",
    "Which law governs the {title}?",
    "Can the {title} be assigned to a third party?",
    "What territory does the {title} cover?",
)


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


# -- the real chunks, embedded once --------------------------------------------------------------
def base_key(files: list[Path]) -> str:
    from ingest.pipeline import PIPELINE_VERSION

    h = hashlib.sha256(f"v1:{PIPELINE_VERSION}:{Settings(data_dir=Path('.')).chunking}".encode())
    for f in files:
        st = f.stat()
        h.update(f"{f.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def job_prepare_base(files: list[str], out: str, cache_dir: str) -> dict:
    """Read, chunk and embed the files as ingestion does; pickle (doc, records, dense, sparse) per file."""
    from assistant.search.embedding import ChunkEncoder, Embedder
    from ingest.pipeline import _chunk_version, _prepare

    settings = Settings(data_dir=Path(cache_dir))
    embedder = Embedder(settings.embedding, Path(cache_dir) / "embeddings.sqlite")
    encoder = ChunkEncoder(embedder)
    version = _chunk_version(settings.chunking)
    base, skipped = [], []
    t = time.perf_counter()
    try:
        for f in files:
            prepared = _prepare(Path(f), None, settings.chunking, version)
            if not hasattr(prepared, "records") or not prepared.records:
                skipped.append(f)
                continue
            texts = [r.embed_text for r in prepared.records]
            base.append((prepared.doc, prepared.records, encoder.dense(texts), encoder.sparse(texts)))
    finally:
        embedder.close()
    with open(out, "wb") as fh:
        pickle.dump(base, fh)
    return {"docs": len(base), "chunks": sum(len(b[1]) for b in base), "skipped": skipped,
            "embedded": embedder.embedded_count, "seconds": time.perf_counter() - t}


# -- synthetic stores of any size ----------------------------------------------------------------
def name_words(doc) -> list[str]:
    """Words that name a document's parties: its parties and the company part of its file name."""
    stem = Path(doc.file_name).stem.split("_")[0]
    raw = " ".join([*doc.parties, re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)])
    words = {w for w in re.findall(r"[A-Za-z][A-Za-z&'-]{2,}", raw) if w.lower() not in GENERIC}
    return sorted(words, key=len, reverse=True)


def copy_tag(copy: int) -> str:
    letters = ""
    while True:
        copy, r = divmod(copy, len(TAG_LETTERS))
        letters = TAG_LETTERS[r] + letters
        if copy == 0:
            return "x" + letters


def renamer(words: list[str], copy: int):
    """``text -> text`` with each name word suffixed by this copy's tag (copy 0: unchanged)."""
    if copy == 0 or not words:
        return lambda text: text
    tag = copy_tag(copy)
    pattern = re.compile(r"(?<![A-Za-z])(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z])", re.I)
    return lambda text: pattern.sub(lambda m: m.group(0) + tag, text) if text else text


def synthesize(base: list, size: int, noise: float, seed: int) -> tuple[list, dict]:
    """Documents (doc, records, dense, sparse) totalling ``size`` chunks: the real ones first, then
    renamed copies with noisy vectors. Payloads (doc type, groups) vary by document ordinal."""
    from assistant.search.lexical import document_vector

    rng = np.random.default_rng(seed)
    out, total, copy, cosines = [], 0, 0, []
    while total < size:
        for b, (doc, records, dense, sparse) in enumerate(base):
            take = min(len(records), size - total)
            ordinal = len(out)
            rename = renamer(name_words(doc), copy)
            doc_id = doc.doc_id if copy == 0 else hashlib.sha1(f"{doc.doc_id}/copy{copy}".encode()).hexdigest()[:16]
            stem, suffix = Path(doc.file_name).stem, Path(doc.file_name).suffix
            new_doc = dataclasses.replace(
                doc, doc_id=doc_id, n_chunks=take, state="pending",
                file_name=doc.file_name if copy == 0 else f"{rename(stem)}-copy{copy}{suffix}",
                file_path=doc.file_path if copy == 0 else f"{doc.file_path}-copy{copy}",
                title=rename(doc.title), parties=[rename(p) for p in doc.parties],
                doc_type=DOC_TYPES[ordinal % len(DOC_TYPES)], groups=list(GROUPS[ordinal % len(GROUPS)]),
            )
            if copy == 0:
                new_records = [dataclasses.replace(r, doc=new_doc) for r in records[:take]]
                vectors, sparse_vectors = dense[:take], list(sparse[:take])
            else:
                new_records, sparse_vectors = [], []
                for r in records[:take]:
                    text, embed = rename(r.chunk.text), rename(r.embed_text)
                    chunk = dataclasses.replace(r.chunk, text=text, heading=rename(r.chunk.heading),
                                                section_path=rename(r.chunk.section_path))
                    new_records.append(dataclasses.replace(r, doc=new_doc, chunk=chunk, embed_text=embed))
                    sparse_vectors.append(document_vector(embed))
                vectors = dense[:take] + rng.normal(0.0, noise, size=(take, dense.shape[1])).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                cosines.append(float(np.mean(np.sum(vectors * dense[:take], axis=1))))
            out.append((new_doc, new_records, np.asarray(vectors, dtype=np.float32), sparse_vectors, b, copy))
            total += take
            if total >= size:
                break
        copy += 1
    info = {"copies": max(d[5] for d in out), "real": sum(len(d[1]) for d in out if d[5] == 0),
            "cosine": statistics.mean(cosines) if cosines else 1.0}
    return out, info


def make_queries(docs: list, base: list, questions: dict[str, list[str]], n: int, seed: int) -> list[tuple[str, list[str]]]:
    """``n`` (question, three doc ids) pairs: a question about one document in the store (renamed
    like that copy), and that document with two others for the "3 docs" filter."""
    rng = random.Random(seed)
    ids = [d[0].doc_id for d in docs]
    out = []
    for _ in range(n):
        doc, _records, _v, _s, b, copy = docs[rng.randrange(len(docs))]
        original = base[b][0]
        pool = questions.get(Path(original.file_name).stem)
        if pool:
            question = renamer(name_words(original), copy)(pool[rng.randrange(len(pool))])
        else:
            question = FALLBACK_QUESTIONS[rng.randrange(len(FALLBACK_QUESTIONS))].format(title=doc.title)
        others = rng.sample([i for i in ids if i != doc.doc_id], k=min(2, len(ids) - 1))
        out.append((question, [doc.doc_id, *others]))
    return out


def load_questions(docs_dir: Path) -> dict[str, list[str]]:
    qa = docs_dir.parent / "qa.jsonl"
    out: dict[str, list[str]] = {}
    if qa.is_file():
        for line in qa.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                out.setdefault(row["doc_id"], []).append(row["question"])
    return out


# -- one size, in its own process ----------------------------------------------------------------
ENGINES = ("before", "after", "int8", "int8-disk", "fp32")  # the old default; Qdrant Edge (now); Edge with int8 vectors (in
# RAM, or with the full vectors memory-mapped from disk: settings store_quantization, store_vectors_on_disk); Edge with the
# question embedded in float32 (embedding.precision, against "auto": bfloat16 where the CPU has it)
VARIANTS = {"int8": {"store_quantization": "int8"}, "int8-disk": {"store_quantization": "int8", "store_vectors_on_disk": True},
            "fp32": {"embedding": {"precision": "float32"}}}  # the question embedded in float32 (the default before "auto")


def _settings(workdir: str, engine: str) -> Settings:
    return Settings(data_dir=Path(workdir) / "data", **VARIANTS.get(engine, {}))


def _disk_bytes(folder: Path) -> int:
    """Allocated bytes (the engines' files are sparse: sizes overstate them)."""
    return sum(f.stat().st_blocks * 512 for f in folder.rglob("*") if f.is_file())


def _open(settings: Settings, embedder, engine: str):
    from assistant.service import RightsService

    service = RightsService(settings, embedder=embedder)
    if engine == "before":
        from eval.bench.legacy_store import LegacyStore

        service._store = LegacyStore(settings)
    return service


def job_build(size: int, base_path: str, workdir: str, options: dict, engine: str = "after") -> dict:
    """Write the store as ingestion does (a process of its own: its memory is the ingest's)."""
    from assistant.search.embedding import Embedder
    from assistant.service import RightsService

    with open(base_path, "rb") as fh:
        base = pickle.load(fh)
    docs, info = synthesize(base, size, options["noise"], options["seed"])
    queries = make_queries(docs, base, options["questions"], options["queries"], options["seed"])
    Path(workdir).mkdir(parents=True, exist_ok=True)
    with open(Path(workdir) / "query-job.pkl", "wb") as fh:  # what the query process needs, nothing more
        pickle.dump({"queries": queries, "last": docs[-1]}, fh)
    settings = _settings(workdir, engine)
    embedder = Embedder(settings.embedding, cache_path=None)

    def open_service() -> RightsService:
        return _open(settings, embedder, engine)

    # Build: the store exactly as ingestion writes it (ledger pending, chunks, ledger complete),
    # then the end of an ingest job: the engine's index over what was written.
    t = time.perf_counter()
    with open_service() as service:
        store = service.store
        store.ensure(embedder.dimension)
        for doc, records, vectors, sparse, _b, _c in docs[:-1]:
            store.begin_document(doc)
            store.write_chunks(records, vectors, sparse)
            store.finish_document(doc, had_chunks=False)
        build = time.perf_counter() - t
        t = time.perf_counter()
        store.flush()
        store.optimize(force=True)
        index = time.perf_counter() - t
    return {"size": size, "engine": engine, "docs": len(docs), "build_s": build, "index_s": index, **info}


def job_query(workdir: str, options: dict, engine: str = "after") -> dict:
    """Open the store as the chat does and ask (a fresh process: its peak RSS is the chat's)."""
    import resource

    from assistant.search.embedding import Embedder

    with open(Path(workdir) / "query-job.pkl", "rb") as fh:
        job = pickle.load(fh)
    queries = job["queries"]
    settings = _settings(workdir, engine)
    embedder = Embedder(settings.embedding, cache_path=None)
    embedder.model  # noqa: B018
    result: dict = {"cells": {}, "embed": {}, "steps": {}}

    def open_service():
        return _open(settings, embedder, engine)

    # Time spent embedding the question (with, in the same forward pass, the question without its
    # names when the product re-asks within named documents), so the store's share can be told apart.
    embed_queries, spent = embedder.embed_queries, [0.0]

    def timed_embed(texts):
        t = time.perf_counter()
        try:
            return embed_queries(texts)
        finally:
            spent[0] += time.perf_counter() - t

    embedder.embed_queries = timed_embed
    with open_service() as service:
        t = time.perf_counter()
        service.store.exists()
        service.store.count_chunks()  # opened and read: what the chat waits for before its first answer
        result["open_s"] = time.perf_counter() - t
        result["chunks"] = service.store.count_chunks()
        user = service.restricted(USER_GROUPS)

        def call(system: str, flt: str, question: str, doc_ids: list[str], timings: dict | None = None):
            svc = user if flt == "groups" else service
            kwargs = {"doc_type": "contract" if flt == "type" else None, "doc_ids": doc_ids if flt == "3 docs" else None}
            if system == "rights":
                return svc.retrieve(question, options["k"], timings=timings, **kwargs)
            return svc.search(question, options["k"], mode=system, **kwargs)

        systems = list(SYSTEMS)
        t = time.perf_counter()
        call("rights", "none", *queries[0])
        result["first_s"] = time.perf_counter() - t
        for question, doc_ids in queries[: options["warmup"]]:  # first-call costs, untimed
            for system in systems:
                call(system, "none", question, doc_ids)
        # The warm-up asked the first timed questions: forget what it learnt of their names, so
        # a name probe is kept only from one timed question to another that shares the word (as
        # in a chat, where the same names recur), never from its own warm-up.
        for svc in (service, user):
            svc.retriever.__dict__.pop("_probes", None)
        # Round robin: every cell gets each question in turn, so a burst of load on the machine
        # hits all cells alike instead of one.
        for question, doc_ids in queries:
            for system in systems:
                for flt in FILTERS:
                    spent[0] = 0.0
                    # The product keeps recent question vectors; each cell is asked the same
                    # question, so forget them: every timed call pays one real embedding.
                    embedder._recent.clear()
                    steps: dict[str, float] = {}
                    t = time.perf_counter()
                    call(system, flt, question, doc_ids, steps if system == "rights" else None)
                    result["cells"].setdefault((system, flt), []).append(1000 * (time.perf_counter() - t))
                    for step, seconds in steps.items():  # where the product's time goes, per step
                        result["steps"].setdefault((flt, step), []).append(1000 * seconds)
                    result["embed"].setdefault((system, flt), []).append(1000 * spent[0])
        # The first question after a write: one more document arrives (an upload), then a question.
        doc, records, vectors, sparse, _b, _c = job["last"]
        store = service.store
        store.begin_document(doc)
        store.write_chunks(records, vectors, sparse)
        store.finish_document(doc, had_chunks=False)
        embedder._recent.clear()
        t = time.perf_counter()
        call("rights", "none", *queries[1 % len(queries)])
        result["after_write_s"] = time.perf_counter() - t
        result["recall"] = dense_recall(service, embed_queries([q for q, _ in queries]))
        result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["disk_mb"] = _disk_bytes(settings.data_dir) / 2**20
    return result


def dense_recall(service, vectors: list) -> float:
    """recall@10 of the store's dense search against exact search over the same points: the
    engine's own exact mode for Edge (HNSW vs brute force), the matrix itself for the old index."""
    store = service.store
    found = []
    for v in vectors:
        hits = {h.point_id for h in store.search_dense(v, 10)}
        if hasattr(store, "_shards"):
            import qdrant_edge as qe

            shard = store._chunks()
            exact = shard.query(qe.QueryRequest(limit=10, query=qe.Query.Nearest(v.tolist(), using="dense"),
                                                params=qe.SearchParams(exact=True, quantization=qe.QuantizationSearchParams(ignore=True))))
            truth = {str(p.id) for p in exact}
        else:
            index = store.index
            index._ready()
            truth = {str(index.ids[i]) for i in np.argsort(-(index.dense @ v))[:10]}
        found.append(len(hits & truth) / max(1, len(truth)))
    return statistics.mean(found) if found else 0.0


# -- the run -------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.query_latency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="folder of real contracts (default: cuad-dev)")
    parser.add_argument("--limit", type=int, default=0, help="real documents to embed, first N by name (0 = all)")
    parser.add_argument("--sizes", default="10k,100k", help="store sizes in chunks, comma-separated (default 10k,100k; 1m takes an hour)")
    parser.add_argument("--queries", type=int, default=20, help="questions per cell (default 20)")
    parser.add_argument("--k", type=int, default=5, help="hits per question (default 5, the answer's passages)")
    parser.add_argument("--threshold-ms", type=float, default=500.0, help="p95 that marks the knee (default 500 ms)")
    parser.add_argument("--noise", type=float, default=0.02, help="std of the gaussian noise per dimension of copied vectors")
    parser.add_argument("--warmup", type=int, default=2, help="untimed questions per system before timing (default 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"where real embeddings are kept between runs (default {DEFAULT_CACHE})")
    parser.add_argument("--engines", default="before,after", help="int8, int8-disk: Edge with int8 quantised vectors (full "
                        "vectors in RAM, or on disk); before (qdrant-client local mode + matrix index, the old "
                        "embedded default) and/or after (Qdrant Edge, the product's); fp32: after with the question embedded in "
                        "float32 (embedding.precision, where after's auto is bfloat16 on this CPU); default before,after")
    parser.add_argument("--before-max", default="100k", help="largest size the old engine is built at (default 100k: it holds "
                        "every point in Python objects, 6.5 GB at 100k)")
    parser.add_argument("--in-process", action="store_true", help="run every size in this process (tests): peak memory is then cumulative")
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip() in ENGINES]
    before_max = parse_size(args.before_max)
    isolate = not args.in_process

    from ingest.pipeline import discover

    files, _ = discover([args.docs])
    files = sorted((f for f in files if f.suffix.lower() in (".txt", ".pdf", ".docx", ".md")), key=lambda f: f.name)
    if args.limit:
        files = files[: args.limit]
    if not files:
        raise SystemExit(f"no contracts under {args.docs}")
    args.cache.mkdir(parents=True, exist_ok=True)
    base_path = args.cache / f"base-{base_key(files)}.pkl"
    if not base_path.is_file():
        print(f"embedding the real chunks of {len(files)} files once (cached in {args.cache}) ...", file=sys.stderr, flush=True)
        made, _ = run_isolated(job_prepare_base, [str(f) for f in files], str(base_path) + ".tmp", str(args.cache), isolate=isolate)
        Path(str(base_path) + ".tmp").replace(base_path)
        print(f"  {made['chunks']} chunks from {made['docs']} files, {made['embedded']} embedded now, {made['seconds']:.0f} s",
              file=sys.stderr, flush=True)
    with open(base_path, "rb") as fh:
        base = pickle.load(fh)
    real_chunks = sum(len(b[1]) for b in base)
    options = {"noise": args.noise, "seed": args.seed, "warmup": args.warmup, "queries": args.queries, "k": args.k,
               "questions": load_questions(args.docs)}

    results = []
    args.load = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="rights-latency-"))
    try:
        for size in sizes:
            for engine in engines:
                if engine == "before" and size > before_max:
                    print(f"size {size:,}: the old engine is not built above {before_max:,} (--before-max)", file=sys.stderr)
                    continue
                print(f"size {size:,}, {engine}: building and querying ...", file=sys.stderr, flush=True)
                folder = work / f"{size}-{engine}"
                result, build_peak = run_isolated(job_build, size, str(base_path), str(folder), options, engine,
                                                  isolate=isolate)
                measured, peak = run_isolated(job_query, str(folder), options, engine, isolate=isolate)
                result |= measured
                result["peak_mb"], result["build_peak_mb"] = peak, build_peak
                results.append(result)
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results, args, real_chunks, len(base))


def report(results: list[dict], args, real_chunks: int, real_docs: int) -> None:
    q = args.queries
    print(f"Store engines, before (qdrant-client local mode + the matrix index, the old embedded default) and after "
          f"(Qdrant Edge, the product's), k={args.k}, {q} questions per cell (round robin), ms from question text to "
          "ranked hits (query embedding included, no LLM)")
    print(f"Data: {real_chunks} real chunks of {real_docs} contracts ({args.docs}), real MiniLM vectors; larger stores are "
          f"renamed copies of those documents with vectors + N(0, {args.noise}²) noise, renormalised "
          f"(mean cosine to the original {min((r['cosine'] for r in results), default=1):.3f}), varied doc ids, types, groups.")
    print("build = writing the points through the Store (ledger + chunks, embedding excluded); index = the end of the "
          "ingest job (Edge: optimize, HNSW); open = opening the store and counting it, as the chat does; 1st q = the "
          "first question after opening; after write = a question right after one more document is written; RSS = the "
          "peak of the process that opens the store and asks, as the chat does (MiniLM + store; the build runs in "
          "a process of its own); disk = allocated bytes; recall = dense recall@10 against exact search of "
          f"the same points. {os.cpu_count()} CPUs, load average {args.load:.1f} at start, {os.getloadavg()[0]:.1f} at "
          "the end.\n")
    cols = "".join(f" {f + ' p50/p95':>17}" for f in FILTERS)
    header = (f"{'chunks':>9} {'engine':<7} {'build s':>8} {'index s':>8} {'open s':>7} {'1st q s':>7} {'after write s':>13} "
              f"{'RSS MiB':>8} {'disk MiB':>8} {'recall':>6}  {'system':<7}{cols}")
    print(header)
    print("-" * len(header))
    for r in results:
        for i, system in enumerate(SYSTEMS):
            cells = {f: r["cells"][(system, f)] for f in FILTERS}
            if i == 0:
                lead = (f"{r['chunks']:>9,} {r['engine']:<7} {r['build_s']:>8.1f} {r['index_s']:>8.1f} {r['open_s']:>7.2f} "
                        f"{r['first_s']:>7.2f} {r['after_write_s']:>13.3f} {r['peak_mb']:>8.0f} {r['disk_mb']:>8.0f} "
                        f"{r['recall']:>6.3f}")
            else:
                lead = " " * 95
            cell = "".join(f" {statistics.median(cells[f]):>8.1f}/{percentile(cells[f], 95):<8.1f}" for f in FILTERS)
            print(f"{lead}  {system:<7}{cell}")
    print()
    for r in results:
        if r["engine"] != "after":
            continue
        old = next((o for o in results if o["engine"] == "before" and o["size"] == r["size"]), None)
        worst = max(percentile(r["cells"][("rights", f)], 95) for f in FILTERS)
        line = (f"{r['chunks']:,} chunks, after: rights p95 (worst filter) {worst:.1f} ms, first question after a write "
                f"{1000 * r['after_write_s']:.0f} ms, open {r['open_s']:.2f} s, RSS {r['peak_mb']:,.0f} MiB")
        if old:
            was = max(percentile(old["cells"][("rights", f)], 95) for f in FILTERS)
            line += (f"; before/after: p95 {was / worst:.1f}x, after-write {old['after_write_s'] / r['after_write_s']:.0f}x, "
                     f"open {old['open_s'] / max(r['open_s'], 1e-3):.0f}x, RSS {old['peak_mb'] / r['peak_mb']:.1f}x")
        print(line)
    for r in results:
        base = next((o for o in results if o["engine"] == "after" and o["size"] == r["size"]), None)
        if r["engine"] not in VARIANTS or base is None:
            continue
        p95 = {e["engine"]: max(percentile(e["cells"][("rights", f)], 95) for f in FILTERS) for e in (r, base)}
        print(f"{r['chunks']:,} chunks, {r['engine']} against after (same run): rights p95 (worst filter) "
              f"{p95[r['engine']]:.1f} vs {p95['after']:.1f} ms ({p95[r['engine']] / p95['after']:.2f}x), RSS {r['peak_mb']:,.0f} vs "
              f"{base['peak_mb']:,.0f} MiB ({r['peak_mb'] / base['peak_mb']:.2f}x), dense recall@10 {r['recall']:.3f} vs {base['recall']:.3f}, "
              f"disk {r['disk_mb']:,.0f} vs {base['disk_mb']:,.0f} MiB")
    for r in results:
        if r["engine"] == "before":
            continue
        ratios = ", ".join(f"{f} {percentile(r['cells'][('rights', f)], 95) / percentile(r['cells'][('hybrid', f)], 95):.2f}x"
                           for f in FILTERS)
        print(f"{r['chunks']:,} chunks, {r['engine']}: rights/plain hybrid p95 (same store, same run): {ratios}")
    print("\nwhere the product's time goes (rights, Edge engines): p50 ms per step, by filter")
    for r in results:
        if r["engine"] == "before" or not r.get("steps"):
            continue
        names = list(dict.fromkeys(step for _f, step in r["steps"]))
        for f in FILTERS:
            cells = "  ".join(f"{step} {statistics.median(r['steps'][(f, step)]):.1f}" for step in names if (f, step) in r["steps"])
            print(f"  {r['chunks']:>9,} chunks, {r['engine']:<9} {f:<7}: {cells}")
    print("recommendation: the embedded engine serves one process (the chat or an ingest at a time); several chat "
          "processes or machines share a Qdrant server (QDRANT_URL), the same query plan through qdrant-client")


def knee(worst: list[tuple[int, float]], threshold: float, short: bool = False) -> str:
    """Where a (size, p95) series first crosses ``threshold``, log-log interpolated between sizes
    (extrapolated from the two largest sizes when no measured size crosses it)."""
    above = [i for i, (_, p) in enumerate(worst) if p > threshold]
    if above and above[0] == 0:
        return f"already above {threshold:.0f} ms at {worst[0][0]:,} chunks" if not short else f"{worst[0][0]:,} chunks (the smallest size measured) on"
    if not above and len(worst) < 2:
        return "not reached"
    (n0, p0), (n1, p1) = worst[above[0] - 1: above[0] + 1] if above else worst[-2:]
    slope = (math.log(p1) - math.log(p0)) / (math.log(n1) - math.log(n0)) if p1 > p0 > 0 and n1 > n0 else 0
    if not above:
        at = n1 * math.exp((math.log(threshold) - math.log(p1)) / slope) if slope > 0 else math.inf
        if at > 10 * n1:
            return ("not reached, nor within 10x the largest size by extrapolation" if not short
                    else f"beyond {10 * n1:,} chunks (extrapolated)")
        return (f"not reached; extrapolated ~{_round2(at):,} chunks (log-log from the two largest sizes)"
                if not short else f"about {_round2(at):,} chunks (extrapolated)")
    at = n0 * math.exp((math.log(threshold) - math.log(p0)) / slope) if slope > 0 else n1
    return (f"crosses {threshold:.0f} ms between {n0:,} and {n1:,} chunks, about {_round2(at):,} (log-log interpolated)"
            if not short else f"about {_round2(at):,} chunks")


def _round2(n: float) -> int:
    """Two significant digits: an estimate should not look more precise than it is."""
    if n <= 0:
        return 0
    digits = int(math.floor(math.log10(n))) - 1
    return int(round(n, -digits)) if digits > 0 else int(round(n))


if __name__ == "__main__":
    main()
