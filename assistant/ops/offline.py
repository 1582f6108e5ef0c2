"""Make every library we load stay off the network, before any of them is imported.

Each variable below switches off a download, an update check or telemetry in one dependency;
the README lists them for air-gapped installs. Values are forced, not defaulted: an inherited
environment must not be able to turn the network back on.
"""

from __future__ import annotations

import os
from pathlib import Path

OFFLINE_ENV = {
    # Hugging Face hub, transformers, sentence-transformers: never resolve a model id online.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "True",  # the value Gradio sets when a Blocks app is built
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    # Gradio (chat UI): no analytics, no version check.
    "GRADIO_ANALYTICS_ENABLED": "False",
    # Generic opt-outs honoured by several libraries.
    "DO_NOT_TRACK": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "SCARF_NO_ANALYTICS": "true",
    "TOKENIZERS_PARALLELISM": "false",
}


def enforce_offline() -> dict[str, str]:
    """Set the offline environment and point llama-index at the data it ships in its wheel."""
    env = dict(OFFLINE_ENV)
    # llama-index-core downloads tiktoken's BPE file and NLTK stopwords on first use unless
    # these point at the copies bundled in its own package (llama_index/core/_static).
    static = _llama_index_static()
    if static is not None:
        env["TIKTOKEN_CACHE_DIR"] = str(static / "tiktoken_cache")
        env["NLTK_DATA"] = str(static / "nltk_cache")
        env["LLAMA_INDEX_CACHE_DIR"] = str(static)
    os.environ.update(env)
    return env


def _llama_index_static() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    static = Path(list(spec.submodule_search_locations)[0]) / "_static"
    return static if static.is_dir() else None
