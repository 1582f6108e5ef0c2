"""One typed settings object, read from the environment and an optional TOML file.

Precedence, highest first: values passed in code, environment variables (``RIGHTS_*``; nested
fields as ``RIGHTS_CHUNKING__MAX_CHARS``; plus the conventional ``QDRANT_URL``,
``QDRANT_API_KEY``), the TOML file (``--config`` or ``RIGHTS_CONFIG``), defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ingest.chunking import ChunkingOptions
from ingest.readers.ocr import OcrOptions

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rights-assistant"


class EmbeddingSettings(BaseModel):
    model: str = Field(
        PACKAGED_MODEL,
        description="sentence-transformers model: the packaged MiniLM, or a local directory",
    )
    batch_size: int = Field(32, ge=1, le=1024)
    threads: int | None = Field(None, ge=1, description="torch threads (default: all cores)")
    precision: str = Field(
        "auto",
        pattern="^(auto|float32|bfloat16)$",
        description="arithmetic of the forward pass: bfloat16 autocast is 1.85x faster on ingest batches "
                    "where the CPU has bfloat16 instructions (vectors within cosine 0.9999 of float32); "
                    "auto = bfloat16 on such CPUs, float32 elsewhere",
    )


PACKAGED_LLM = "packaged:smollm2-135m"


class LLMSettings(BaseModel):
    backend: str = Field(
        "auto",
        pattern="^(auto|ollama|embedded)$",
        description="auto = Ollama when a host is set, else the embedded model",
    )
    ollama_host: str | None = Field(None, description="Ollama URL (also OLLAMA_HOST), e.g. http://127.0.0.1:11434")
    ollama_model: str = Field("llama3.2:3b", description="model tag pulled on the Ollama server")
    embedded_model: str = Field(PACKAGED_LLM, description="GGUF file, or the packaged SmolLM2-135M")
    context_tokens: int = Field(4096, ge=512, le=131072)
    max_answer_tokens: int = Field(200, ge=16, le=4096)
    temperature: float = Field(0.0, ge=0, le=2)
    seed: int = 42
    threads: int | None = Field(None, ge=1, description="CPU threads for the embedded model (default: all cores)")
    timeout_s: float = Field(120.0, gt=0, description="per request to Ollama")
    retries: int = Field(2, ge=0, le=10, description="reconnect attempts when Ollama is down, before the first token")


class AnswerSettings(BaseModel):
    passages: int = Field(5, ge=1, le=20, description="passages given to the model")
    passage_chars: int = Field(1400, ge=200, le=8000, description="characters of each passage in the prompt")
    min_relevance: float = Field(
        0.25, ge=0, le=1, description="abstain when no passage's dense similarity reaches this (and no exact term hit)"
    )
    on_unsupported: str = Field(
        "quote", pattern="^(quote|flag)$",
        description="an answer whose facts its citations don't hold: reduce to the supporting quote, or flag it",
    )
    engine: str = Field(
        "auto", pattern="^(auto|extractive|model)$",
        description="who words the answer: extractive (the selected clause, no model), model (the LLM, checked; "
        "the extractive answer replaces a draft that fails), auto (model with Ollama, extractive with the embedded model)",
    )
    key_terms_first: bool = Field(
        True,
        description="answer questions a stored key term covers (expiry, governing law, royalties ...) from the "
        "register's value and its clause, cited by clause number, before the answer engine (README, Key terms); "
        "false: the answer engine alone",
    )
    unit_similarity: bool = Field(
        True,
        description="score each candidate sentence by its embedding similarity to the question as well as by "
        "shared words, so a paraphrased question finds its clause (README, Answers); false: words only",
    )
    min_answer_probability: float | None = Field(
        None, ge=0, le=1,
        description="abstain below this probability that the documents answer (calibrated on held-out CUAD "
        "contracts; unset: the fitted threshold in assistant/abstention.json)",
    )
    max_question_chars: int = Field(
        2000, ge=50, le=100_000,
        description="longer questions are refused before retrieval (a question is not a document; "
        "an oversized one would overflow the model's context after its passages were shown)",
    )


class UISettings(BaseModel):
    host: str = Field("127.0.0.1", description="address the chat listens on (loopback by default)")
    port: int = Field(7860, ge=1, le=65535, description="port of the chat")
    max_history: int = Field(20, ge=0, le=200, description="chat turns kept on screen per session")
    max_upload_mb: int = Field(50, ge=1, le=2048, description="largest file accepted by the chat's upload")


class APISettings(BaseModel):
    host: str = Field("127.0.0.1", description="address the HTTP API listens on (loopback by default)")
    port: int = Field(8000, ge=1, le=65535, description="port of the HTTP API (`rights serve`)")
    tokens_file: Path | None = Field(None, description="API tokens, stored hashed (default DATA_DIR/api_tokens.toml)")
    rate_per_minute: int = Field(60, ge=0, le=100_000, description="requests per minute per token (0: no limit)")
    max_request_kb: int = Field(256, ge=1, le=65_536, description="largest JSON request body (uploads: ui.max_upload_mb)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RIGHTS_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    data_dir: Path = Field(default_factory=default_data_dir, description="store, caches and logs")
    qdrant_url: str | None = Field(
        None,
        validation_alias=AliasChoices("RIGHTS_QDRANT_URL", "QDRANT_URL", "qdrant_url"),
        description="Qdrant server URL; unset = embedded store under data_dir/qdrant",
    )
    qdrant_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("RIGHTS_QDRANT_API_KEY", "QDRANT_API_KEY", "qdrant_api_key")
    )
    collection: str = Field("rights", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    qdrant_shards: int | None = Field(
        None, ge=1, le=1000, description="server mode, on collection creation: shards (a cluster spreads them over nodes)"
    )
    qdrant_replicas: int | None = Field(
        None, ge=1, le=10, description="server mode, on collection creation: copies of each shard (2 survives a node loss)"
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingOptions = Field(default_factory=ChunkingOptions)
    search_k: int = Field(5, ge=1, le=100)
    search_clause_types: bool = Field(
        True, description="rank the kind of clause a question asks for inside the documents it names "
        "(assistant/search/clause_types.py; learned on half of cuad-dev)",
    )
    store_min_free_mb: int = Field(
        32, ge=1, le=100_000,
        description="the embedded store refuses a write (one clear error, nothing lost) when its disk has less free: "
        "its files are memory-mapped, and a mapped write into a full disk would kill the process",
    )
    store_quantization: Literal["none", "int8"] = Field(
        "none",
        description="chunk vectors kept also as int8 (scalar quantisation, in RAM) and searched that way, the best "
        "candidates rescored with the full vectors: a quarter of the vector RAM; applies to collections created after it is set",
    )
    store_vectors_on_disk: bool = Field(
        False,
        description="full chunk vectors memory-mapped from disk instead of held in RAM (with int8 quantisation only the "
        "rescoring reads them); applies to collections created after it is set",
    )
    store_index_every: int = Field(
        20_000, ge=0, le=100_000_000,
        description="the embedded store builds its search index (HNSW, merged segments) at the end of an ingest "
        "job once this many points changed since the last time; until then new points are scanned exactly",
    )
    ingest_max_file_mb: int = Field(100, ge=1, le=100_000, description="larger files are refused by ingest, unread")
    ingest_max_records: int = Field(
        50_000, ge=1, le=10_000_000,
        description="records (table rows, DDEX/CWR entries) per file; a file with more is refused whole, never cut",
    )
    catalog_embed_max_records: int = Field(
        20_000, ge=0, le=10_000_000,
        description="a CSV/TSV record file with more rows is streamed into the records table (DATA_DIR/catalog.sqlite) only, "
        "not embedded: found by identifier, title and names and by catalog questions, not by meaning",
    )
    catalog_max_records: int = Field(
        5_000_000, ge=1, le=100_000_000,
        description="rows per CSV/TSV file in the records table; a file with more is refused whole, never cut",
    )
    catalog_max_file_mb: int = Field(
        4096, ge=1, le=1_000_000,
        description="largest CSV/TSV record file (read as a stream into the records table, memory bounded); "
        "other files keep ingest_max_file_mb",
    )
    ingest_follow_external_links: bool = Field(
        False, description="follow symbolic links whose target lies outside the folder being ingested "
        "(off: such a link is refused; either way access comes from the link's place and the target's, most restrictive wins)",
    )
    ingest_ocr: bool = Field(True, description="OCR scans: image-only PDF pages and TIFF/PNG/JPEG images (Tesseract)")
    ingest_ocr_max_pages: int = Field(
        300, ge=1, le=100_000, description="scanned pages OCR'd per file; later pages are left out, with a validation warning",
    )
    ingest_ocr_min_confidence: float = Field(
        70.0, ge=0, le=100, description="a page OCR read with a lower mean word confidence (%) is a validation warning",
    )
    ingest_ocr_engine: str = Field("tesseract", min_length=1, description="the Tesseract command, or its path")
    ingest_ocr_language: str = Field("eng", pattern=r"^[A-Za-z_]+(\+[A-Za-z_]+)*$", description="Tesseract language(s), e.g. eng or eng+deu")
    ingest_ocr_workers: int = Field(0, ge=0, le=64, description="pages OCR'd at once (0: one per core, at most 4)")
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ui: UISettings = Field(default_factory=UISettings)
    api: APISettings = Field(default_factory=APISettings)
    auth_file: Path | None = Field(
        None, description="users, password hashes and groups for the chat's sign-in (`rights user NAME --group G`); unset = no sign-in (loopback only)"
    )

    @property
    def llm_backend(self) -> str:
        """The backend ``auto`` resolves to: Ollama when a host is configured (or OLLAMA_HOST)."""
        if self.llm.backend != "auto":
            return self.llm.backend
        return "ollama" if (self.llm.ollama_host or os.environ.get("OLLAMA_HOST")) else "embedded"

    @property
    def qdrant_path(self) -> Path:
        """Where versions before Qdrant Edge kept the embedded store (moved to ``edge_path`` on open)."""
        return self.data_dir / "qdrant"

    @property
    def edge_path(self) -> Path:
        """The embedded store: one Qdrant Edge shard per collection."""
        return self.data_dir / "edge"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def ocr(self) -> OcrOptions:
        """How ingest OCRs scans; pages read are cached under cache_dir/ocr by file hash."""
        return OcrOptions(enabled=self.ingest_ocr, max_pages=self.ingest_ocr_max_pages,
                          min_confidence=self.ingest_ocr_min_confidence, engine=self.ingest_ocr_engine,
                          language=self.ingest_ocr_language, workers=self.ingest_ocr_workers,
                          cache_dir=self.cache_dir / "ocr")

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def tokens_path(self) -> Path:
        return self.api.tokens_file or self.data_dir / "api_tokens.toml"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.jsonl"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file named in model_config (see load_settings); none by default.
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)

    def public_dict(self) -> dict[str, Any]:
        """Effective settings for display: secrets masked, paths as strings."""
        data = self.model_dump(mode="json")
        data["qdrant_api_key"] = "***" if self.qdrant_api_key else None
        data["store"] = self.qdrant_url or f"embedded (Qdrant Edge) at {self.edge_path}"
        data["llm"]["resolved_backend"] = self.llm_backend
        if self.llm_backend == "ollama":
            data["llm"]["ollama_host"] = self.llm.ollama_host or os.environ.get("OLLAMA_HOST")
        return data


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings, reading ``config`` (a TOML file) when given.

    Without ``config``, ``RIGHTS_CONFIG`` names the file. A missing file is an error, not a
    silent fallback to defaults.
    """
    path = config or (Path(os.environ["RIGHTS_CONFIG"]) if os.environ.get("RIGHTS_CONFIG") else None)
    if path is None:
        return Settings(**overrides)
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")

    class FileSettings(Settings):
        model_config = SettingsConfigDict(**{**Settings.model_config, "toml_file": path})

    return FileSettings(**overrides)
