"""Ingestion throughput against its limit: `rights ingest` vs embedding the same chunks alone.

    python -m eval.bench.ingest_throughput [--docs ../shared/data/cuad-dev/docs] [--limit N]

Prints, in one run on this machine: chunks/s of embedding alone (the model's own limit, the
baseline), chunks/s of a full first ingest into a fresh embedded store (read, chunk, embed,
BM25, write, ledger), their ratio, and the seconds of an unchanged re-run. Each figure is
the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from assistant.embedding import Embedder
from assistant.service import RightsService
from assistant.settings import Settings
from ingest.chunking import chunk_text
from ingest.pipeline import discover, document_title, embed_text
from ingest.readers import read_file

DEFAULT_DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cuad-dev" / "docs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="folder of contracts (default: cuad-dev)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files (0 = all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the median is printed")
    args = parser.parse_args()

    files, _ = discover([args.docs])
    files = [f for f in files if f.suffix.lower() in (".txt", ".pdf", ".docx", ".md")]
    if args.limit:
        files = files[: args.limit]
    work = Path(tempfile.mkdtemp(prefix="rights-bench-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for f in files:
        shutil.copy(f, corpus / f.name)
    settings = Settings(data_dir=work / "unused")

    # The chunks exactly as ingestion makes them (title + section heading + text).
    embed_texts = []
    for f in sorted(corpus.iterdir()):
        extracted = read_file(f)
        title = document_title(extracted.title, extracted.text, f)
        for c in chunk_text(extracted.text, settings.chunking, extracted.heading_offsets):
            embed_texts.append(embed_text(title, c))
    chars = sum(len(t) for t in embed_texts)
    print(f"corpus: {len(files)} files, {len(embed_texts)} chunks, {chars / len(embed_texts):.0f} chars/chunk")

    embedder = Embedder(settings.embedding, cache_path=None)
    embedder.model  # load outside the timings
    alone, first, rerun = [], [], []
    for i in range(args.repeat):
        t = time.perf_counter()
        embedder.embed_uncached(embed_texts)
        alone.append(len(embed_texts) / (time.perf_counter() - t))

        run_settings = Settings(data_dir=work / f"data-{i}")
        shared = Embedder(run_settings.embedding, run_settings.cache_dir / "embeddings.sqlite")
        shared._model = embedder.model  # same loaded weights, fresh (empty) cache
        with RightsService(run_settings, embedder=shared) as service:
            t = time.perf_counter()
            report = service.ingest([corpus])
            first.append(report.chunks_written / (time.perf_counter() - t))
            assert report.ok, report.problems
            t = time.perf_counter()
            again = service.ingest([corpus])
            rerun.append(time.perf_counter() - t)
            assert again.counts.get("unchanged") == len(files)
        shared.close()

    a, f, r = statistics.median(alone), statistics.median(first), statistics.median(rerun)
    total_first = len(embed_texts) / f
    print(f"{'embedding alone (limit)':32} {a:8.2f} chunks/s")
    print(f"{'rights ingest, first run':32} {f:8.2f} chunks/s   ratio to limit {f / a:.3f}")
    print(f"{'rights ingest, unchanged re-run':32} {r:8.2f} s        ({100 * r / total_first:.2f}% of the first run)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
