"""Generation on the company's Ollama server (``OLLAMA_HOST``), streamed, with a retry policy.

Policy: a refused connection or a 502/503 before the first token is retried ``llm.retries``
times with backoff (Ollama restarting, model loading); a missing model is not retried (it needs
``ollama pull``); a failure after the first token is reported, never silently restarted, so a
half answer is never glued to a second one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import httpx

from assistant.llm.base import LLMError, LLMUnavailable, Message
from assistant.settings import LLMSettings

RETRYABLE_STATUS = {502, 503, 504}


def ollama_host(settings: LLMSettings) -> str:
    host = settings.ollama_host or os.environ.get("OLLAMA_HOST") or "http://127.0.0.1:11434"
    return host if "://" in host else f"http://{host}"


class OllamaChat:
    def __init__(self, settings: LLMSettings, sleep=time.sleep):
        import ollama

        self.settings = settings
        self.host = ollama_host(settings)
        self.model = settings.ollama_model
        self.name = f"ollama:{self.model}"
        self._sleep = sleep
        self._client = ollama.Client(host=self.host, timeout=settings.timeout_s)

    def _options(self, max_tokens: int | None) -> dict:
        return {
            "temperature": self.settings.temperature,
            "seed": self.settings.seed,
            "num_ctx": self.settings.context_tokens,
            "num_predict": max_tokens or self.settings.max_answer_tokens,
        }

    def stream(self, messages: list[Message], *, max_tokens: int | None = None) -> Iterator[str]:
        import ollama

        attempt = 0
        while True:
            started = False
            try:
                for part in self._client.chat(self.model, messages, stream=True, options=self._options(max_tokens)):
                    piece = part.message.content or ""
                    if piece:
                        started = True
                        yield piece
                return
            except ollama.ResponseError as exc:
                status = exc.status_code
                text = str(exc.error)
                if status == 404 or "not found" in text.lower():
                    raise LLMUnavailable(
                        f"model {self.model!r} is not on the Ollama server at {self.host}: run `ollama pull {self.model}` there"
                    ) from None
                if started:
                    raise LLMError(f"Ollama stopped mid-answer: {text}") from None
                if status not in RETRYABLE_STATUS and status != -1:
                    raise LLMError(f"Ollama at {self.host} answered {status}: {text}") from None
                last = f"{status}: {text}"
            except ValueError as exc:  # a line that is not JSON, or JSON that is not Ollama's shape
                where = "mid-answer" if started else "instead of an answer"
                detail = str(exc).splitlines()[0][:120]
                raise LLMError(
                    f"Ollama at {self.host} sent a malformed reply {where} ({detail}); is OLLAMA_HOST really "
                    "an Ollama server, and not a proxy's error page?"
                ) from None
            except (ConnectionError, httpx.TransportError) as exc:
                if started:
                    raise LLMError(f"lost the connection to Ollama at {self.host} mid-answer") from None
                last = type(exc).__name__
                if isinstance(exc, httpx.TimeoutException):
                    raise LLMUnavailable(
                        f"Ollama at {self.host} did not answer within {self.settings.timeout_s:.0f} s (llm.timeout_s)"
                    ) from None
            attempt += 1
            if attempt > self.settings.retries:
                raise LLMUnavailable(
                    f"Ollama at {self.host} is not reachable ({last}) after {attempt} attempt(s): start it "
                    "(`docker compose up -d ollama`) or unset OLLAMA_HOST to use the embedded model"
                )
            self._sleep(min(8.0, 0.5 * 2 ** (attempt - 1)))
