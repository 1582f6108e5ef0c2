"""Chat models behind one small interface: ``stream(messages) -> text pieces``.

Two backends, picked by settings (``llm.backend``; ``auto`` = Ollama when a host is configured,
else embedded): Ollama over its HTTP API on the company's own server, and an in-process GGUF
model through llama-cpp-python for machines without one. Both run deterministically for
evaluation (temperature 0 and a fixed seed by default).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from ingest.errors import UserError

Message = dict[str, str]


class LLMError(UserError, RuntimeError):
    """A generation failed; the message says what to do about it."""


class LLMUnavailable(LLMError):
    """The backend cannot be reached or loaded at all."""


class ChatModel(Protocol):
    name: str

    def stream(self, messages: list[Message], *, max_tokens: int | None = None) -> Iterator[str]:
        """Text pieces of the reply as they are generated."""
        ...
