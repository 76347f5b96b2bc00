"""One place for configuration: environment variables with the ASISTEN_ prefix, or a .env file."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "bundled:multilingual-e5-small"
# onnx-int8 (default: the dev eval is unchanged within 0.01, docs/benchmarks.md) | onnx (fp32) | torch
DEFAULT_BACKEND = "onnx-int8"


def setup_offline_env() -> None:
    """Called at every entry point: nothing may download a model or phone home at run time."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # chromadb's posthog
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bars in CLI output


class Settings(BaseSettings):
    # An empty variable ("ASISTEN_MODEL_CACHE=") is unset, not the path "" (the working directory).
    model_config = SettingsConfigDict(env_prefix="ASISTEN_", env_file=".env", extra="ignore", env_ignore_empty=True)

    data_dir: Path = Path(".asisten")
    corpus_dir: Path = Path("corpus")
    embedding_model: str = DEFAULT_MODEL
    embedding_batch_size: int = 32
    embedding_backend: str = DEFAULT_BACKEND
    query_cache_size: int = 2048  # cached query vectors (0: no cache, e.g. for benchmarks)
    model_cache: Path | None = None  # where the rebuilt model lives (default: data_dir/models)
    chroma_url: str = ""  # empty: embedded PersistentClient in data_dir/chroma
    collection: str = "regulasi"
    index_poll_s: float = 2.0  # how often a server looks for other replicas' commits (0: never)
    drift_check_s: float = 300.0  # how often a server counts missing vectors in Chroma
    # feedback, answer log, uploads (and shared rate limits): SQLAlchemy URL; empty: SQLite in data_dir
    database_url: str = ""

    # retrieval
    top_k: int = 5
    candidates: int = 30  # per retriever, before fusion
    rrf_k: int = 60

    # optional generative composer (OpenAI-compatible endpoint)
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = 20.0

    # serving
    host: str = "127.0.0.1"
    port: int = 7860
    api_keys: str = ""  # "key:scope[:origin1|origin2],..." (scope: ask | admin)
    rate_limit_per_minute: int = 120  # per client address
    rate_limit_per_key_per_minute: int | None = None  # default: 10× the per-client limit
    rate_limit_shared: bool = False  # count limits in the database, across every replica
    trusted_proxies: str = ""  # comma-separated addresses/networks whose X-Forwarded-For is believed
    max_question_chars: int = 2000
    max_history_turns: int = 20
    max_upload_mb: int = 20
    # OpenAI-compatible /v1/chat/completions: other model names accepted as "asisten-regulasi"
    openai_model_aliases: str = ""  # comma-separated, e.g. "gpt-4o-mini,gpt-3.5-turbo"
    # the chat UI at "/" when API keys are set: "login" (staff sign in) or "open" (no sign-in)
    ui_access: str = "login"
    ui_users: str = ""  # "user:password,..." for the UI's sign-in; empty: sign in with an API key

    # ingest: OCR of scanned pages (Tesseract with its Indonesian data)
    tesseract_cmd: str = "tesseract"  # the command, or a full path to the binary

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        return self.model_cache or self.data_dir / "models"

    def with_overrides(self, **values) -> "Settings":
        return self.model_copy(update={k: v for k, v in values.items() if v is not None})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
