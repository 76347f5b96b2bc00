"""`asisten serve`: one process (or N uvicorn workers) serving the API, the chat UI and the widget.

Without API keys the server binds to loopback only and says so; on any other address it refuses to
start without keys. With several workers each worker builds the app through the import-string
factory `assistant.api.app:create_app_from_env` (settings travel as ASISTEN_* variables) and loads
the model and index once; Chroma's embedded client is not process-safe, so several workers need
a Chroma server (`ASISTEN_CHROMA_URL`).
"""
from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading

from .config import Settings, setup_offline_env
from .errors import ConfigError

log = logging.getLogger("assistant.server")

FACTORY = "assistant.api.app:create_app_from_env"


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings, host: str, workers: int) -> list[str]:
    """Validates the serving configuration; returns the notices to print at start."""
    from .api.auth import parse_api_keys

    keys = parse_api_keys(settings.api_keys)  # a malformed key list stops here, with its reason
    notices = []
    if not keys:
        if not is_loopback(host):
            raise ConfigError(
                f"Menolak berjalan di {host}: belum ada kunci API (ASISTEN_API_KEYS). Tanpa kunci, server "
                "hanya boleh mendengarkan di 127.0.0.1. Atur kunci, misalnya "
                "ASISTEN_API_KEYS='kunci-rahasia:admin,kunci-widget:ask:https://portal.contoh.go.id'."
            )
        notices.append(
            "Tanpa kunci API (ASISTEN_API_KEYS kosong): server hanya mendengarkan di 127.0.0.1 "
            "dan rute admin tertutup."
        )
    else:
        scopes = sorted({k.scope for k in keys})
        notices.append(f"{len(keys)} kunci API aktif (scope: {', '.join(scopes)}).")
    if workers > 1 and not settings.chroma_url:
        raise ConfigError(
            "Dengan --workers lebih dari 1, pakai server Chroma (ASISTEN_CHROMA_URL, mis. "
            "`chroma run --path DIR --host 127.0.0.1 --port 8000`): klien Chroma tertanam tidak aman "
            "dipakai beberapa proses."
        )
    return notices


def export_settings(settings: Settings) -> None:
    """Puts every setting into ASISTEN_* variables, for worker processes that rebuild Settings()."""
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        os.environ[f"ASISTEN_{name.upper()}"] = str(value)


def preload_encoder(settings: Settings) -> threading.Thread:
    """Loads the embedding model in a thread while the app is imported and built. ONNX Runtime
    builds its session without holding the GIL, so this overlaps the imports; the app's own load
    then finds the encoder loaded (one per process, assistant/embeddings.py). A failure is left for
    that load to report."""

    def load() -> None:
        try:
            from .embeddings import get_embeddings

            get_embeddings(settings).load()
        except Exception:  # noqa: BLE001 - reported by the app's load (503 with its reason)
            log.debug("preloading the encoder failed", exc_info=True)

    thread = threading.Thread(target=load, name="asisten-preload", daemon=True)
    thread.start()
    return thread


def serve(settings: Settings, host: str | None = None, port: int | None = None, workers: int = 1) -> None:
    import uvicorn

    setup_offline_env()
    # One torch thread per encode: questions are single short texts, and two threads per encode
    # stall whenever other requests keep a core busy (docs/benchmarks.md). Inherited by workers.
    os.environ.setdefault("ASISTEN_TORCH_THREADS", "1")
    host = host or settings.host
    port = port or settings.port
    workers = max(1, int(workers or 1))
    for notice in check_bind(settings, host, workers):
        print(notice, file=sys.stderr, flush=True)
    shown = f"[{host}]" if ":" in host else host
    print(f"Asisten Regulasi: http://{shown}:{port}/ (API: /docs, widget: /widget-demo)", file=sys.stderr, flush=True)
    # X-Forwarded-For is read by the app, and only from ASISTEN_TRUSTED_PROXIES (assistant/api/app.py):
    # uvicorn's own handling would believe it from any local peer.
    common = dict(host=host, port=port, log_level="info", proxy_headers=False, timeout_graceful_shutdown=10)
    if workers > 1:
        export_settings(settings.with_overrides(host=host, port=port))
        uvicorn.run(FACTORY, factory=True, workers=workers, **common)
    else:
        preload_encoder(settings)
        from .api.app import create_app

        uvicorn.run(create_app(settings), **common)
