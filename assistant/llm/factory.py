"""The one place that picks a chat backend from settings, kept out of the interface module so the
backends can import :mod:`assistant.llm.base` without an import cycle."""

from __future__ import annotations

from assistant.llm.base import ChatModel
from assistant.settings import Settings


def open_chat_model(settings: Settings) -> ChatModel:
    if settings.llm_backend == "ollama":
        from assistant.llm.ollama import OllamaChat

        return OllamaChat(settings.llm)
    from assistant.llm.embedded import EmbeddedChat

    return EmbeddedChat(settings.llm)
