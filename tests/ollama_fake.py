"""A loopback server that speaks Ollama's HTTP API (``/api/chat`` streaming NDJSON, ``/api/tags``,
``/api/version``), for the failures a real Ollama cannot be made to produce on demand: a missing
model, 503 while loading, an error or a dropped connection mid-stream, a hang.

Behaviour is set per test through ``FakeOllama.script``; every request is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Script:
    reply: Callable[[dict], str] | str = "The documents do not say."
    fail_first: int = 0  # answer 503 to this many chat requests first
    missing_model: bool = False
    error_after_tokens: int | None = None  # send an {"error"} line after N tokens
    drop_after_tokens: int | None = None  # close the socket after N tokens
    garbage_after_tokens: int | None = None  # send a line that is not JSON (or a wrong shape) after N tokens
    garbage: bytes = b"<html>502 Bad Gateway</html>\n"
    hang_s: float = 0.0
    token_delay_s: float = 0.0  # pause between streamed tokens (to watch streaming in a browser)


@dataclass
class FakeOllama:
    script: Script = field(default_factory=Script)
    requests: list[dict] = field(default_factory=list)
    port: int = 0  # 0: any free port; a fixed one to bring a "restarted" server back where it was

    def __post_init__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/api/version":
                    return self._json(200, {"version": "0.12.3"})
                if self.path == "/api/tags":
                    return self._json(200, {"models": [{"name": "llama3.2:3b", "model": "llama3.2:3b", "size": 2019393189}]})
                return self._json(404, {"error": "not found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"path": self.path, "body": body})
                if self.path != "/api/chat":
                    return self._json(404, {"error": "not found"})
                s = fake.script
                if s.hang_s:
                    time.sleep(s.hang_s)
                if s.missing_model:
                    return self._json(404, {"error": f"model \"{body.get('model')}\" not found, try pulling it first"})
                if s.fail_first > 0:
                    s.fail_first -= 1
                    return self._json(503, {"error": "server busy, please try again.  maximum pending requests exceeded"})
                reply = s.reply(body) if callable(s.reply) else s.reply
                tokens = [w + " " for w in reply.split(" ")]
                tokens[-1] = tokens[-1].rstrip(" ")
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()

                def chunk(obj: dict) -> None:
                    data = (json.dumps(obj) + "\n").encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()

                for i, tok in enumerate(tokens):
                    if s.error_after_tokens is not None and i == s.error_after_tokens:
                        chunk({"error": "an error was encountered while running the model: unexpected EOF"})
                        self.wfile.write(b"0\r\n\r\n")
                        return
                    if s.garbage_after_tokens is not None and i == s.garbage_after_tokens:
                        self.wfile.write(f"{len(s.garbage):x}\r\n".encode() + s.garbage + b"\r\n0\r\n\r\n")
                        self.wfile.flush()
                        return
                    if s.drop_after_tokens is not None and i == s.drop_after_tokens:
                        self.wfile.flush()
                        self.connection.shutdown(2)
                        self.close_connection = True
                        return
                    chunk({"model": body.get("model"), "created_at": "2026-11-25T10:00:00Z",
                           "message": {"role": "assistant", "content": tok}, "done": False})
                    if s.token_delay_s:
                        time.sleep(s.token_delay_s)
                chunk({"model": body.get("model"), "created_at": "2026-11-25T10:00:01Z",
                       "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                       "total_duration": 1000000, "eval_count": len(tokens)})
                self.wfile.write(b"0\r\n\r\n")

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client that hung up: expected here
                pass

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def chats(self) -> list[dict]:
        return [r["body"] for r in self.requests if r["path"] == "/api/chat"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
