"""Speed of the embedded answer model: time to first token, tokens/s, peak memory.

    python -m eval.bench.llm_speed [--prompts 5] [--max-tokens 200] [--docs ../shared/data/cuad-dev/docs]

Builds the chat model exactly as the product does (Settings -> open_chat_model -> the embedded
llama.cpp model, SmolLM2-135M by default; the configured backend if RIGHTS_LLM__BACKEND /
OLLAMA_HOST say otherwise) and streams answers to --prompts realistic prompts, each made by the
product's prompting (build_messages: system rules, numbered sources, question) from a cuad-dev
question (qa_answerable.jsonl beside --docs) and the --passages chunks of its contract that share
the most words with it, each cut to answer.passage_chars - the size of prompt the chat sends.
Without a qa file, fixed questions about the documents' titles are used.

Printed per prompt and as median / p95: prompt tokens, time to first token (prompt processing),
tokens generated, decode tokens/s (after the first token), prompt tokens/s; plus the model's load
time and the peak resident memory of the process (a fresh one unless --in-process). One short
generation warms the model up first, as a running chat is warm; the first call of a fresh
process is reported separately as "cold". Settings come from the environment as in the product,
so e.g. RIGHTS_LLM__THREADS=1 times the model on one thread (llama.cpp with every core suffers
most when another process competes for them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

import assistant  # noqa: F401  (offline environment first)
from assistant.settings import Settings
from eval.bench.memory import percentile, run_isolated

DEFAULT_DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cuad-dev" / "docs"
FALLBACK_QUESTIONS = (
    "When does the {title} expire?",
    "What fee or royalty is payable under the {title}?",
    "Which law governs the {title}?",
    "Can the {title} be assigned?",
    "What territory does the {title} cover?",
)


def build_prompts(docs_dir: Path, n: int, passages: int, passage_chars: int, seed: int = 7) -> list[tuple[str, list[dict]]]:
    """``n`` (question, messages) pairs, the messages as the Answerer would send them."""
    from assistant.answer.answering import Source
    from assistant.llm.prompting import PromptSource, build_messages
    from assistant.search.lexical import tokenize
    from assistant.search.store import Hit
    from ingest.chunking import chunk_text
    from ingest.pipeline import discover, document_title
    from ingest.readers import read_file

    files, _ = discover([docs_dir])
    files = {f.stem: f for f in sorted(files) if f.suffix.lower() in (".txt", ".pdf", ".docx", ".md")}
    if not files:
        raise SystemExit(f"no contracts under {docs_dir}")
    rng = random.Random(seed)
    qa = docs_dir.parent / "qa_answerable.jsonl"
    asked: list[tuple[str, Path]] = []
    if qa.is_file():
        rows = [json.loads(line) for line in qa.read_text().splitlines() if line.strip()]
        rows = [r for r in rows if r["doc_id"] in files]
        rng.shuffle(rows)
        seen: set[str] = set()
        for r in rows:  # one question per contract, different contracts first
            if r["doc_id"] not in seen:
                seen.add(r["doc_id"])
                asked.append((r["question"], files[r["doc_id"]]))
    if not asked:
        for i, f in enumerate(files.values()):
            asked.append((FALLBACK_QUESTIONS[i % len(FALLBACK_QUESTIONS)], f))
    asked = (asked * n)[:n]

    settings = Settings(data_dir=Path("."))
    out = []
    for question, path in asked:
        extracted = read_file(path)
        title = document_title(extracted.title, extracted.text, path)
        question = question.format(title=title)
        chunks = chunk_text(extracted.text, settings.chunking, extracted.heading_offsets)
        words = set(tokenize(question))
        ranked = sorted(chunks, key=lambda c: -len(words & set(tokenize(c.text))))[:passages]
        sources = []
        for i, c in enumerate(ranked, 1):
            payload = {"file_name": path.name, "section": c.section, "heading": c.heading, "sections": c.sections,
                       "text": c.text, "page": extracted.page_at(c.start)}
            label = Source(i, Hit(str(i), 0.0, payload)).label
            sources.append(PromptSource(i, label, c.text[:passage_chars]))
        out.append((question, build_messages(question, sources)))
    return out


def job_generate(prompts: list[tuple[str, list[dict]]], max_tokens: int) -> dict:
    from assistant.llm.factory import open_chat_model

    settings = Settings(data_dir=Path("."))
    chat = open_chat_model(settings)
    result: dict = {"model": chat.name, "threads": settings.llm.threads or os.cpu_count(), "runs": []}
    if hasattr(chat, "_llama"):
        t = time.perf_counter()
        chat._llama()
        result["load_s"] = time.perf_counter() - t

    def count(text: str) -> int | None:
        return chat.count_tokens(text) if hasattr(chat, "count_tokens") else None

    def one(messages: list[dict], limit: int) -> dict:
        began = time.perf_counter()
        first = None
        pieces, text = 0, ""
        for piece in chat.stream(messages, max_tokens=limit):
            if first is None:
                first = time.perf_counter()
            pieces += 1
            text += piece
        end = time.perf_counter()
        prompt_tokens = sum(count(m["content"]) or 0 for m in messages) or None
        return {"prompt_tokens": prompt_tokens, "ttft_s": (first or end) - began, "tokens": pieces,
                "decode_tps": (pieces - 1) / (end - first) if first and pieces > 1 and end > first else None,
                "total_s": end - began, "answer": text.strip()}

    result["cold"] = one(prompts[0][1], max_tokens)  # a fresh process's first answer
    one([{"role": "user", "content": "Say OK."}], 4)  # then a warm model, as in a running chat
    for question, messages in prompts:
        run = one(messages, max_tokens)
        run["question"] = question
        result["runs"].append(run)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.llm_speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="folder of contracts (default: cuad-dev)")
    parser.add_argument("--prompts", type=int, default=5, help="prompts to time (default 5)")
    parser.add_argument("--max-tokens", type=int, default=None, help="answer length cap (default: llm.max_answer_tokens, 200)")
    parser.add_argument("--passages", type=int, default=None, help="sources per prompt (default: answer.passages, 5)")
    parser.add_argument("--in-process", action="store_true", help="generate in this process (tests): peak memory is then this process's")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=Path("."))
    max_tokens = args.max_tokens or settings.llm.max_answer_tokens
    passages = args.passages or settings.answer.passages
    prompts = build_prompts(args.docs, args.prompts, passages, settings.answer.passage_chars)
    load = os.getloadavg()[0]
    result, peak = run_isolated(job_generate, prompts, max_tokens, isolate=not args.in_process)
    runs = result["runs"]

    print(f"model {result['model']}, {result['threads']} threads, answers capped at {max_tokens} tokens, "
          f"{passages} passages of <= {settings.answer.passage_chars} chars per prompt (the chat's prompt size), "
          f"temperature {settings.llm.temperature}; load average {load:.1f} at start")
    if "load_s" in result:
        print(f"model load {result['load_s']:.2f} s; peak RSS of the process {peak:.0f} MiB")
    else:
        print(f"peak RSS of the process {peak:.0f} MiB")
    print()
    header = f"{'prompt':<58} {'prompt tok':>10} {'TTFT s':>7} {'tokens':>6} {'decode tok/s':>12} {'prompt tok/s':>12} {'total s':>7}"
    print(header)
    print("-" * len(header))

    def row(label: str, r: dict) -> str:
        ptps = r["prompt_tokens"] / r["ttft_s"] if r["prompt_tokens"] and r["ttft_s"] > 0 else None
        return (f"{label[:58]:<58} {r['prompt_tokens'] or '?':>10} {r['ttft_s']:>7.2f} {r['tokens']:>6} "
                f"{(r['decode_tps'] or 0):>12.1f} {(ptps or 0):>12.0f} {r['total_s']:>7.2f}")

    print(row("cold: first answer of a fresh process", result["cold"]))
    for r in runs:
        print(row(r["question"], r))
    print("-" * len(header))
    for name, fn in (("median", statistics.median), ("p95", lambda v: percentile(v, 95))):
        ttft = fn([r["ttft_s"] for r in runs])
        tps = [r["decode_tps"] for r in runs if r["decode_tps"]]
        toks = fn([r["tokens"] for r in runs])
        ptoks = [r["prompt_tokens"] for r in runs if r["prompt_tokens"]]
        total = fn([r["total_s"] for r in runs])
        # p95 of a rate is its slow end: the 5th percentile of tokens/s
        rate = (statistics.median(tps) if name == "median" else percentile(tps, 5)) if tps else 0.0
        ptok = f"{fn(ptoks):.0f}" if ptoks else "?"
        print(f"{name + ' of ' + str(len(runs)) + ' prompts':<58} {ptok:>10} {ttft:>7.2f} "
              f"{toks:>6.0f} {rate:>12.1f} {'':>12} {total:>7.2f}")
    print(f"\n(p95 row: the slow end of each column - tokens/s is its 5th percentile; prompt tokens count the "
          f"messages' text, not the chat template's few extra; load average {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
