"""API answer latency against the chat's, on the same service, in the same run.

    python -m eval.bench.serving.api_latency [--rounds 2]

Ingests the demo corpus into a temporary data directory, starts the chat (Gradio, on loopback)
and the HTTP API (uvicorn, on loopback) over the same ``RightsService``, then asks every demo
question through each in turn: the chat through Gradio's own client (``/respond``), the API
through the ``openai`` client, whole and streamed (time to the first content and to the end).
Prints p50 / p95 per path and the ratios API / chat. The answering engine is the configured one
(the extractive engine unless OLLAMA_HOST is set), so the ratio measures the transport and the
API's own work (tokens, limits, formatting, audit), not the model.
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

from assistant.api.app import build_api
from assistant.api.tokens import Tokens
from assistant.demo import corpus_dir, load_questions
from assistant.service import RightsService
from assistant.settings import Settings
from assistant.web.app import launch


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="times each question is asked on each path")
    args = parser.parse_args(argv)
    import openai
    import uvicorn
    from gradio_client import Client

    tmp = Path(tempfile.mkdtemp(prefix="rights-api-bench-"))
    questions = [q["question"] for q in load_questions()]
    try:
        with RightsService(Settings(data_dir=tmp, api={"rate_per_minute": 0})) as svc:
            svc.ingest([corpus_dir()])
            chat_port, api_port = _port(), _port()
            app = launch(svc, "127.0.0.1", chat_port, block=False)
            tokens = Tokens(tmp / "tokens.toml")
            key, _ = tokens.create("bench", groups=["*"])
            server = uvicorn.Server(uvicorn.Config(build_api(svc, tokens, answer_lock=app.rights_session.lock),
                                                   host="127.0.0.1", port=api_port, log_level="warning"))
            threading.Thread(target=server.run, daemon=True).start()
            while not server.started:
                time.sleep(0.02)
            chat = Client(f"http://127.0.0.1:{chat_port}/", verbose=False)
            oa = openai.OpenAI(base_url=f"http://127.0.0.1:{api_port}/v1", api_key=key, max_retries=0)
            times: dict[str, list[float]] = {"chat": [], "api": [], "api stream (first content)": [], "api stream (end)": []}
            for q in questions[:1]:  # warm both paths (model, caches) outside the measurement
                chat.predict(q, [], "any", "", "", "", api_name="/respond")
                oa.chat.completions.create(model="rights-assistant", messages=[{"role": "user", "content": q}])
            for _ in range(args.rounds):
                for q in questions:
                    began = time.perf_counter()
                    chat.predict(q, [], "any", "", "", "", api_name="/respond")
                    times["chat"].append(time.perf_counter() - began)
                    began = time.perf_counter()
                    oa.chat.completions.create(model="rights-assistant", messages=[{"role": "user", "content": q}])
                    times["api"].append(time.perf_counter() - began)
                    began, first = time.perf_counter(), None
                    for chunk in oa.chat.completions.create(model="rights-assistant", stream=True,
                                                            messages=[{"role": "user", "content": q}]):
                        if first is None and chunk.choices and chunk.choices[0].delta.content:
                            first = time.perf_counter() - began
                    times["api stream (end)"].append(time.perf_counter() - began)
                    times["api stream (first content)"].append(first or 0.0)
            server.should_exit = True
            app.close()
        print(f"{len(questions)} demo questions x {args.rounds} round(s) per path, engine: "
              f"{'model' if svc.settings.llm_backend == 'ollama' else 'extractive'}, store: embedded Qdrant Edge")
        base = statistics.median(times["chat"])
        for name, values in times.items():
            p50, p95 = statistics.median(values), _pct(values, 0.95)
            print(f"  {name:28s} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  ratio p50 vs chat {p50 / base:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
