"""What one client may ask of the API: request bodies no larger than a limit (with a length
declared up front), and a per-token request rate (a token bucket), so one script cannot starve
the staff chat of the one local model."""

from __future__ import annotations

import json
import math
import threading
import time


class RateLimiter:
    """``per_minute`` requests per key, in bursts of at most ``per_minute``; thread-safe."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = float(per_minute)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, seen = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - seen) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


def error_body(status: int, message: str, kind: str, code: str | None = None) -> bytes:
    """An OpenAI-style error ({"error": {"message", "type", "code"}}), one line of text."""
    return json.dumps({"error": {"message": " ".join(message.split())[:500], "type": kind, "param": None,
                                 "code": code or kind}}).encode()


class BodyLimit:
    """ASGI middleware: a body must declare its length and stay within ``limit_for(path)`` bytes.

    Checked before the route reads a byte, and the bytes that arrive are counted too (a client
    that declares less than it sends is cut off)."""

    def __init__(self, app, limit_for):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        limit = self.limit_for(scope["path"])
        declared = headers.get(b"content-length")
        if declared is None or not declared.isdigit():
            return await _reply(send, 411, error_body(411, "send the body with a Content-Length header", "length_required"))
        if int(declared) > limit:
            return await _reply(send, 413, error_body(
                413, f"the request body is {int(declared):,} bytes; the limit here is {limit:,}", "request_too_large"))
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise ValueError("request body over its limit")
            return message

        return await self.app(scope, counted, send)


async def _reply(send, status: int, body: bytes, headers: list | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def retry_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
