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
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

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
        """The reply's pieces. Opening the stream and reading its first piece is retried (tenacity:
        ``llm.retries`` more attempts, 0.5 s doubling to at most 8 s between them); after the first
        piece nothing is retried, so a half answer is never glued to a second one."""
        retrying = Retrying(stop=stop_after_attempt(self.settings.retries + 1),
                            wait=wait_exponential(multiplier=0.5, max=8.0),
                            retry=retry_if_exception_type(_Transient), sleep=self._sleep)
        try:
            first, rest = retrying(self._open, messages, max_tokens)
        except RetryError as exc:
            raise LLMUnavailable(
                f"Ollama at {self.host} is not reachable ({exc.last_attempt.exception()}) after "
                f"{exc.last_attempt.attempt_number} attempt(s): start it "
                "(`docker compose up -d ollama`) or unset OLLAMA_HOST to use the embedded model"
            ) from None
        if first is None:
            return
        yield first
        try:
            for part in rest:
                piece = part.message.content or ""
                if piece:
                    yield piece
        except Exception as exc:  # noqa: BLE001 - classified below; anything else is re-raised there
            raise self._failure(exc, started=True) from None

    def _open(self, messages: list[Message], max_tokens: int | None) -> tuple[str | None, Iterator]:
        """Start the chat and read up to its first non-empty piece; a failure that a retry may
        cure is a ``_Transient``."""
        try:
            rest = iter(self._client.chat(self.model, messages, stream=True, options=self._options(max_tokens)))
            for part in rest:
                piece = part.message.content or ""
                if piece:
                    return piece, rest
            return None, rest
        except Exception as exc:  # noqa: BLE001 - classified below; anything else is re-raised there
            raise self._failure(exc, started=False) from None

    def _failure(self, exc: Exception, started: bool) -> Exception:
        """What a failure of the chat call means for the user: an ``LLMError`` to report, or (before
        the first piece, when Ollama may be restarting or loading) a ``_Transient`` to retry."""
        import ollama

        if isinstance(exc, ollama.ResponseError):
            status, text = exc.status_code, str(exc.error)
            if status == 404 or "not found" in text.lower():
                return LLMUnavailable(
                    f"model {self.model!r} is not on the Ollama server at {self.host}: run `ollama pull {self.model}` there")
            if started:
                return LLMError(f"Ollama stopped mid-answer: {text}")
            if status not in RETRYABLE_STATUS and status != -1:
                return LLMError(f"Ollama at {self.host} answered {status}: {text}")
            return _Transient(f"{status}: {text}")
        if isinstance(exc, ValueError):  # a line that is not JSON, or JSON that is not Ollama's shape
            where = "mid-answer" if started else "instead of an answer"
            detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            return LLMError(
                f"Ollama at {self.host} sent a malformed reply {where} ({detail}); is OLLAMA_HOST really "
                "an Ollama server, and not a proxy's error page?")
        if isinstance(exc, (ConnectionError, httpx.TransportError)):
            if started:
                return LLMError(f"lost the connection to Ollama at {self.host} mid-answer")
            if isinstance(exc, httpx.TimeoutException):
                return LLMUnavailable(f"Ollama at {self.host} did not answer within {self.settings.timeout_s:.0f} s (llm.timeout_s)")
            return _Transient(type(exc).__name__)
        return exc


class _Transient(Exception):
    """A failure before the first piece that a retry may cure (Ollama restarting, model loading)."""
