"""The application factory: API routers, error handlers, CORS, body limits, docs, widget, chat UI.

`create_app(settings)` builds one app per process; the assistant (model + index) loads once, in the
background, when the app starts. `create_app_from_env()` is the import-string factory that
`uvicorn --workers N` calls in every worker.
"""
from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..config import Settings, get_settings, setup_offline_env
from ..database import get_database
from ..feedback_store import FeedbackStore
from .auth import cors_origins, parse_api_keys
from .errors import error_body, install_exception_handlers
from .holder import AssistantHolder
from .mcp_http import mount_mcp
from .ratelimit import make_limiter
from .routers import ask, chat, documents, feedback, health, search, web

log = logging.getLogger("assistant.api")

API_DESCRIPTION = """\
Tanya-jawab regulasi penyederhanaan birokrasi dengan dasar hukum (regulasi, Pasal, ayat).

Autentikasi: header `Authorization: Bearer <kunci>` atau `X-API-Key: <kunci>` (bila
`ASISTEN_API_KEYS` diatur). Kesalahan selalu berbentuk
`{"error": {"message": "...", "type": "...", "code": "..."}}` dengan pesan berbahasa Indonesia.
"""

JSON_BODY_LIMIT = 1024 * 1024  # every JSON request; uploads have their own limit


class BodyLimitMiddleware:
    """Refuses request bodies over a limit with 413, counting bytes (Content-Length may be absent)."""

    def __init__(self, app, *, json_limit: int, upload_limit: int):
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit

    def _limit(self, scope) -> int | None:
        path = scope.get("path", "")
        if not path.startswith("/v1/"):
            return None
        if path.rstrip("/") == "/v1/documents" and scope.get("method") == "POST":
            return self.upload_limit + 64 * 1024  # multipart framing and the metadata field
        return self.json_limit

    async def __call__(self, scope, receive, send):
        limit = self._limit(scope) if scope["type"] == "http" else None
        if limit is None:
            return await self.app(scope, receive, send)
        mb = max(1, limit // (1024 * 1024))
        message = f"Badan permintaan terlalu besar (maksimal sekitar {mb} MB)."
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = False
                if too_big:
                    return await _send_413(send, message)
        received = 0
        response_started = False

        async def limited_receive():
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return msg

        async def tracking_send(msg):
            nonlocal response_started
            if msg["type"] == "http.response.start":
                response_started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await _send_413(send, message)


class _TooLarge(Exception):
    pass


async def _send_413(send, message: str) -> None:
    body = json.dumps(error_body(message, type_="invalid_request_error", code="payload_too_large")).encode()
    await send({
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


def recover_index(settings: Settings, *, lock_wait_s: float = 600.0) -> None:
    """Rebuilds a damaged index snapshot at start-up: from the corpus when it is there (vectors are
    reused by content id, so nothing is re-embedded), otherwise from what Chroma holds.
    Several workers starting at once: one rebuilds, the others wait for its commit."""
    import time
    from pathlib import Path

    from ingest.pipeline import corpus_files, run_ingest  # the factory may wire ingest in

    from ..errors import AsistenError, IngestLocked
    from ..index import IndexStore

    corpus = Path(settings.corpus_dir)
    if corpus.is_dir() and corpus_files(corpus):
        deadline = time.monotonic() + lock_wait_s
        while True:
            try:
                report = run_ingest(settings)
            except IngestLocked:
                if IndexStore(settings).manifest_ok() or time.monotonic() > deadline:
                    return  # another worker rebuilt it (or the caller reports what is left)
                time.sleep(1.0)
                continue
            except AsistenError as exc:
                log.error("membangun ulang indeks dari korpus gagal: %s (%s)", exc.message, exc.cause)
                break
            if report.chunks:
                log.warning(
                    "indeks dibangun ulang dari korpus %s: %d potongan, %d di-embed ulang, %d berkas ditolak",
                    corpus, report.chunks, report.embedded, len(report.rejected),
                )
                return
            break
    count = IndexStore(settings).restore_from_chroma()
    log.warning("indeks dibangun ulang dari isi Chroma: %d potongan (metadata dokumen seadanya; "
                "jalankan `asisten ingest` untuk melengkapinya)", count)


def trusted_proxies(settings: Settings) -> list[str]:
    """ASISTEN_TRUSTED_PROXIES: addresses or networks (CIDR) of the load balancers, comma-separated."""
    import ipaddress

    from ..errors import ConfigError

    entries = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                f"ASISTEN_TRUSTED_PROXIES tidak valid: '{entry}' bukan alamat IP atau jaringan (mis. 10.0.0.5 "
                "atau 10.0.0.0/24)."
            ) from None
    return entries


def create_app(settings: Settings | None = None, *, assistant=None, ui: bool = True) -> FastAPI:
    """Build the app. `assistant` may be injected (tests, the CLI); otherwise it is built from
    `settings` in the background at start-up. `ui=False` leaves out the Gradio chat page."""
    setup_offline_env()
    settings = settings or get_settings()
    keys = parse_api_keys(settings.api_keys)
    holder = AssistantHolder(settings, assistant, recover=recover_index)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        holder.start()
        yield

    app = FastAPI(
        title="Asisten Regulasi API",
        version="1",
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.api_keys = keys
    app.state.holder = holder
    database = get_database(settings)  # migrated to the newest schema here, once per process
    app.state.store = FeedbackStore(database)
    per_key = getattr(settings, "rate_limit_per_key_per_minute", None) or settings.rate_limit_per_minute * 10
    app.state.client_limiter = make_limiter(settings.rate_limit_per_minute, settings, database)
    app.state.key_limiter = make_limiter(per_key, settings, database)

    install_exception_handlers(app)
    modules = (health, ask, chat, search, documents, feedback, web)
    for module in modules:
        app.include_router(module.router)
    app.state.api_routes = [route for module in modules for route in module.router.routes]
    app.include_router(web.fallback)
    app.state.mcp = mount_mcp(app, holder=holder, settings=settings, store=app.state.store, keyed=bool(keys))
    assets = web.swagger_assets_dir()
    if assets is not None:
        app.mount(web.DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")

    app.add_middleware(
        BodyLimitMiddleware, json_limit=JSON_BODY_LIMIT, upload_limit=settings.max_upload_mb * 1024 * 1024
    )
    origins = cors_origins(keys)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "Accept"],
            expose_headers=["Retry-After"],
            allow_credentials=False,
            max_age=600,
        )

    proxies = trusted_proxies(settings)
    if proxies:
        # Outermost: the client address every limit and log sees is the one the trusted proxy
        # names in X-Forwarded-For; from any other peer the header is ignored (uvicorn's own proxy
        # handling is off, see assistant/server.py).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)

    if ui:  # Gradio is imported and the page built after start-up (assistant/ui_lazy.py)
        from ..ui_lazy import mount_lazy_ui

        mount_lazy_ui(app, holder=holder, store=app.state.store, settings=settings, keyed=bool(keys))
    return app


def create_app_from_env() -> FastAPI:
    """Import-string factory for `uvicorn --factory` with several workers: settings from ASISTEN_*."""
    setup_offline_env()
    return create_app(Settings())
