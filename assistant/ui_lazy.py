"""The chat UI at "/" without Gradio on the start-up path (see assistant/late_app.py).

Importing Gradio and building the Blocks costs ~2.5 s of CPU; the page is now built in a
background thread once the assistant has loaded, or at once when a browser asks for "/" first
(that request waits for the build). This module imports no Gradio; `assistant.ui` is imported by
the build only.
"""
from __future__ import annotations

from starlette.responses import HTMLResponse

from .config import Settings
from .late_app import LateApp
from .ui_access import LoginGate, Sessions, ui_auth

UNAVAILABLE = HTMLResponse(
    "<!doctype html><html lang=\"id\"><meta charset=\"utf-8\"><title>Asisten Regulasi</title>"
    "<p>Halaman obrolan belum dapat dimuat; coba lagi sebentar lagi. API tetap melayani di /v1.</p></html>",
    status_code=503, headers={"Retry-After": "5"},
)


def mount_lazy_ui(app, *, holder, store, settings: Settings, keyed: bool = False) -> LateApp:
    """Mounts the chat page at "/" (after every API route, which keep precedence); returns the mount.

    The sign-in gate and its user list are set up here, at start (a bad list stops the server with
    its reason); only Gradio waits."""
    check = ui_auth(settings, keyed)
    if check is not None:
        app.add_middleware(LoginGate, sessions=Sessions(settings, check), limiter=app.state.client_limiter)

    def build():
        from fastapi import FastAPI

        from .ui import mount_gradio

        # Gradio mounts on a shell app; its CORS middleware decides by the API app's middleware list
        shell = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
        shell.user_middleware = app.user_middleware
        mount_gradio(shell, holder=holder, store=store, settings=settings)
        return shell.router.routes[-1].app, lambda: shell.router.lifespan_context(shell)

    lazy = LateApp("halaman obrolan", build, holder=holder, unavailable=UNAVAILABLE)
    lazy.wrap_lifespan(app)
    app.mount("/", lazy)
    app.state.ui = lazy
    return lazy
