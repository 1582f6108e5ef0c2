"""OCR of scanned contracts: character error rate, seconds per page, and retrieval on the scans.

    python -m eval.bench.ocr [--conditions clean,rotated,skewed,noisy,fax-200,fax-100] [--docs STEM,...]
                             [--max-pages N] [--no-recall] [--workers 2]

The demo corpus's contracts (``assistant/demo/corpus``: text, Markdown, DOCX and PDF) are
typeset to A4 page images (``eval/bench/scans.py``), degraded per condition, and written as image-only
PDFs, one per contract, under the contract's own name. For each condition:

  CER        character error rate of the OCR'd text against the text drawn on each page:
             Levenshtein distance / reference characters, both with whitespace collapsed to one
             space and runs of 3+ underscores (signature lines, which OCR rightly drops) removed;
             summed over every page of the condition
  s/page     wall seconds of OCR per page on one core (engine runs one page at a time, one
             thread: rendering, preparation, deskew, orientation, recognition)
  low-conf   pages whose mean word confidence is below the default ingest_ocr_min_confidence
  recall@5   span recall@5 of the demo questions (``assistant/demo/questions.jsonl``, the
             answerable ones with gold spans) when the scanned copies replace the contracts in
             the demo corpus (split sheets and catalogs stay as they are), against the same
             questions on the text originals. Gold spans are moved onto the OCR text by a
             character alignment of source and OCR text. Target: within 0.05 of the originals
  family     whether the scanned Amendment No. 1 links to the scanned recording agreement

Each condition's OCR runs once (the OCR cache of its store is filled by the timed pass, so the
ingest for recall does no OCR). Pass --no-recall for CER and speed alone (no embedding model).
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import assistant  # noqa: F401  (offline environment before any model library loads)
from assistant.settings import Settings
from eval.bench.scans import CONDITIONS, degrade, render_pages, write_image_pdf
from ingest.readers import read_file
from ingest.readers.ocr import OcrOptions, Tesseract

TEXT_SUFFIXES = (".txt", ".md", ".pdf", ".docx")


def levenshtein(a: str, b: str) -> int:
    """Edit distance, one numpy row at a time (insertions resolved by a running minimum)."""
    import numpy as np

    if not a or not b:
        return len(a) + len(b)
    target = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    ramp = np.arange(len(b) + 1, dtype=np.int64)
    previous = ramp.copy()
    row = np.empty(len(b) + 1, dtype=np.int64)
    for i, ch in enumerate(a, start=1):
        cost = (target != ord(ch)).astype(np.int64)
        row[0] = i
        np.minimum(previous[1:] + 1, previous[:-1] + cost, out=row[1:])
        previous = np.minimum.accumulate(row - ramp) + ramp
    return int(previous[-1])


def normalize(text: str) -> str:
    return " ".join(re.sub(r"_{3,}", " ", text).split())


def offset_map(source: str, target: str):
    """A function taking an offset in ``source`` to the matching offset in ``target``, by aligning
    their words (an offset in a word OCR misread goes to the matched word before it)."""
    import bisect

    src = [(m.start(), m.group()) for m in re.finditer(r"\S+", source)]
    tgt = [(m.start(), m.group()) for m in re.finditer(r"\S+", target)]
    blocks = [b for b in difflib.SequenceMatcher(None, [w for _, w in src], [w for _, w in tgt], autojunk=False)
              .get_matching_blocks() if b.size]
    src_starts = [o for o, _ in src]
    pairs = [(a + k, b + k) for a, b, size in blocks for k in range(size)]  # matched (source word, target word)
    matched = [a for a, _ in pairs]

    def to_target(offset: int) -> int:
        w = bisect.bisect_right(src_starts, offset) - 1  # the source word at or before offset
        if w < 0 or not pairs:
            return 0
        i = bisect.bisect_right(matched, w) - 1
        if i < 0:
            return 0
        a, b = pairs[i]
        j = b + (w - a)  # in a gap of misread words: the same count of words on
        if i + 1 < len(pairs):
            j = min(j, pairs[i + 1][1] - 1) if pairs[i + 1][1] > b else b
        j = min(j, len(tgt) - 1)
        inside = offset - src[w][0]
        return tgt[j][0] + min(inside, len(tgt[j][1]))

    return to_target


def build_scans(corpus: Path, out: Path, condition: str, stems: set[str] | None, max_pages: int | None):
    """The corpus with every contract replaced by an image-only PDF of itself, degraded; and per
    stem: (source text, list of page texts drawn)."""
    out.mkdir(parents=True, exist_ok=True)
    drawn: dict[str, tuple[str, list[str]]] = {}
    for path in sorted(corpus.iterdir()):
        if path.suffix.lower() not in TEXT_SUFFIXES:
            shutil.copy2(path, out / path.name)
            continue
        if stems and path.stem not in stems:
            continue
        text = read_file(path).text
        pages = render_pages(text, max_pages=max_pages)
        degraded = [degrade(p.image, condition, seed=i) for i, p in enumerate(pages)]
        write_image_pdf([img for img, _ in degraded], out / f"{path.stem}.pdf", [dpi for _, dpi in degraded])
        drawn[path.stem] = (text, [p.text for p in pages])
    return drawn


def span_recall_at_5(service, questions, texts: dict[str, tuple[str, str]] | None) -> tuple[float, int]:
    """Mean span recall@5 over ``questions``; ``texts`` (stem -> (source, OCR text)) moves gold
    spans of scanned documents onto their OCR text."""
    from eval import metrics as M
    from eval.systems import ServiceRetriever

    retriever = ServiceRetriever(service, "rights", "rights")
    maps = {stem: offset_map(src, ocr) for stem, (src, ocr) in (texts or {}).items()}
    scores = []
    for q in questions:
        spans = []
        for s in q.gold_answer_spans:
            if q.doc_id in maps:
                f = maps[q.doc_id]
                spans.append(M.Span(q.doc_id, f(s.start), max(f(s.end), f(s.start) + 1)))
            else:
                spans.append(M.Span(q.doc_id or "", s.start, s.end))
        value = M.span_recall(retriever.retrieve(q, 5), spans, 5)
        if value is not None:
            scores.append(value)
    return (statistics.mean(scores) if scores else float("nan")), len(scores)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.ocr", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated, of: " + ", ".join(CONDITIONS))
    parser.add_argument("--docs", default="", help="contract stems to scan (default: every contract of the demo corpus)")
    parser.add_argument("--max-pages", type=int, default=None, help="pages per contract (default: all)")
    parser.add_argument("--no-recall", action="store_true", help="CER and speed only (no embedding model, no retrieval)")
    parser.add_argument("--corpus", type=Path, default=None, help="folder of contracts (default: the demo corpus)")
    args = parser.parse_args(argv)

    from assistant.demo import corpus_dir, questions_path

    corpus = args.corpus or corpus_dir()
    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    stems = {s.strip() for s in args.docs.split(",") if s.strip()} or None
    engine = Tesseract(OcrOptions())
    version = engine.check()
    print(f"engine: Tesseract {version} (eng), one thread per page; corpus: {corpus}")
    tmp = Path(tempfile.mkdtemp(prefix="rights-ocrbench-"))
    embedder = None
    questions = []
    baseline = None
    rows = []
    try:
        if not args.no_recall:
            from assistant.search.embedding import Embedder
            from assistant.service import RightsService
            from eval.dataset import load_dataset

            embedder = Embedder(Settings(data_dir=tmp).embedding, tmp / "embeddings.sqlite")
            questions = [q for q in load_dataset(questions_path()) if q.answerable and q.gold_answer_spans]
            with RightsService(Settings(data_dir=tmp / "text"), embedder=embedder) as service:
                service.ingest([corpus])
                baseline, n_q = span_recall_at_5(service, questions, None)
            print(f"text originals: span recall@5 {baseline:.3f} over {n_q} answerable demo questions with gold spans")
        min_conf = Settings(data_dir=tmp).ingest_ocr_min_confidence
        print()
        header = f"{'condition':10} {'pages':>5} {'CER':>7} {'worst page':>10} {'s/page':>7} {'conf':>5} {'low-conf':>8}"
        if not args.no_recall:
            header += f" {'recall@5':>8} {'Δ text':>7} {'family':>6}"
        print(header, flush=True)
        for condition in conditions:
            scans = tmp / condition / "corpus"
            drawn = build_scans(corpus, scans, condition, stems, args.max_pages)
            settings = Settings(data_dir=tmp / condition / "data", ingest_ocr_workers=1)
            options = settings.ocr
            edits = chars = 0
            worst = 0.0
            seconds = 0.0
            pages = 0
            confidences: list[float] = []
            ocr_texts: dict[str, tuple[str, str]] = {}
            for stem, (source, page_texts) in drawn.items():
                started = time.perf_counter()
                extracted = read_file(scans / f"{stem}.pdf", options)
                seconds += time.perf_counter() - started
                starts = [s for s, _ in extracted.page_starts] + [len(extracted.text)]
                for i, reference in enumerate(page_texts):
                    got = extracted.text[starts[i]:starts[i + 1]] if i + 1 < len(starts) else ""
                    e = levenshtein(normalize(reference), normalize(got))
                    n = max(1, len(normalize(reference)))
                    edits += e
                    chars += n
                    worst = max(worst, e / n)
                    pages += 1
                confidences += [c for c in extracted.ocr_pages.values() if c is not None]
                ocr_texts[stem] = (source, extracted.text)
            low = sum(c < min_conf for c in confidences)
            line = (f"{condition:10} {pages:>5} {edits / max(chars, 1):>7.2%} {worst:>10.2%} {seconds / max(pages, 1):>7.2f} "
                    f"{statistics.mean(confidences) if confidences else 0:>5.1f} {low:>8}")
            recall = None
            if not args.no_recall:
                from assistant.service import RightsService

                with RightsService(settings, embedder=embedder) as service:
                    before = Tesseract.calls
                    report = service.ingest([scans])
                    assert Tesseract.calls == before, "the ingest OCR'd again: the cache missed"
                    recall, _ = span_recall_at_5(service, questions, ocr_texts)
                    docs = {Path(d.file_name).stem: d for d in service.sources()}
                    amendment, agreement = docs.get("nova-records-amendment-1"), docs.get("nova-records-recording-agreement")
                    family = "n/a" if amendment is None or agreement is None else (
                        "yes" if amendment.family_of == agreement.doc_id else "NO")
                    if report.problems:
                        print(f"  ! {len(report.problems)} file(s) not ingested: {report.problems[0].reason}")
                line += f" {recall:>8.3f} {recall - (baseline or 0):>+7.3f} {family:>6}"
            rows.append((condition, edits / max(chars, 1), recall))
            print(line, flush=True)
        print()
        print("targets: CER <= 2% on clean 300 dpi pages, <= 5% on degraded ones; recall@5 within 0.05 of the text originals")
    finally:
        if embedder is not None:
            embedder.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
