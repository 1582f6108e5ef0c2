"""Concurrent chat sessions against the real app on loopback: errors and latency percentiles.

    python -m eval.bench.serving.chat_load [--sessions 20] [--questions 1] [--time-limit 900]

Starts the chat (the configured backend: the embedded model unless OLLAMA_HOST is set) over the
demo corpus in a temporary data directory, then opens N sessions at once through Gradio's own
client, each asking its questions in turn. Prints errors and p50/p95/max of the time from
submitting a question to its final answer, and the wall time. Bounded: at most --sessions
threads, and sessions still waiting at --time-limit count as errors.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

from assistant.demo import corpus_dir, load_questions
from assistant.service import RightsService
from assistant.settings import Settings
from assistant.web.app import launch


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--questions", type=int, default=1, help="questions per session")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds before waiting sessions count as failed")
    args = parser.parse_args()
    from gradio_client import Client

    tmp = Path(tempfile.mkdtemp(prefix="rights-load-"))
    questions = [q["question"] for q in load_questions()]
    try:
        with RightsService(Settings(data_dir=tmp)) as svc:
            svc.ingest([corpus_dir()])
            port = _port()
            app = launch(svc, "127.0.0.1", port, block=False)
            url = f"http://127.0.0.1:{port}/"
            latencies: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()

            def session(i: int) -> None:
                try:
                    client = Client(url, verbose=False)
                    for j in range(args.questions):
                        q = questions[(i * args.questions + j) % len(questions)]
                        started = time.perf_counter()
                        turns, _panel = client.predict(q, [], "any", "", "", "", api_name="/respond")
                        took = time.perf_counter() - started
                        content = turns[-1]["content"]
                        text = " ".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)
                        with lock:
                            (errors.append(f"session {i}: {text[:80]}") if text.startswith("⚠") else latencies.append(took))
                except Exception as exc:  # noqa: BLE001 - counted and shown
                    with lock:
                        errors.append(f"session {i}: {type(exc).__name__}: {str(exc)[:100]}")

            began = time.perf_counter()
            threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(args.sessions)]
            for t in threads:
                t.start()
            deadline = began + args.time_limit
            for t in threads:
                t.join(max(0.0, deadline - time.perf_counter()))
            wall = time.perf_counter() - began
            stuck = sum(t.is_alive() for t in threads)
            app.close()
        total = args.sessions * args.questions
        print(f"{args.sessions} sessions x {args.questions} question(s) = {total} requests, model: {svc.settings.llm_backend}")
        print(f"answered {len(latencies)}, errors {len(errors) + stuck} (still waiting at the time limit: {stuck})")
        if latencies:
            lat = sorted(latencies)
            p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
            print(f"latency per answer: p50 {statistics.median(lat):.1f} s, p95 {p95:.1f} s, max {lat[-1]:.1f} s")
        print(f"wall {wall:.1f} s, throughput {len(latencies) / wall:.2f} answers/s")
        for e in errors[:10]:
            print("  error:", e)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
