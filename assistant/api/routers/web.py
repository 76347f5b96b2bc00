"""Pages and assets served by the app itself: Swagger UI (no CDN), the widget script and its demo."""
from __future__ import annotations

import html
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.routing import Match
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from ..errors import MethodNotAllowed, NotFound

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
DOCS_ASSETS = "/docs-assets"

router = APIRouter(include_in_schema=False)


def swagger_assets_dir() -> Path | None:
    """Swagger UI's dist files as shipped by the `swagger-ui-py` package (never a CDN)."""
    try:
        path = Path(str(resources.files("swagger_ui") / "static"))
    except ModuleNotFoundError:
        return None
    return path if (path / "swagger-ui-bundle.js").is_file() else None


@router.get("/docs")
async def docs(request: Request):
    if swagger_assets_dir() is None:
        return HTMLResponse(
            "<p>Aset Swagger UI tidak terpasang (paket <code>swagger-ui-py</code>). "
            "Spesifikasi OpenAPI tetap tersedia di <a href='/openapi.json'>/openapi.json</a>.</p>",
            status_code=503,
        )
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title="Asisten Regulasi — dokumentasi API",
        swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon-32x32.png",
        swagger_ui_parameters={"persistAuthorization": True, "tryItOutEnabled": False},
    )


@router.get("/widget.js")
async def widget_js():
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )


def _demo_key(request: Request) -> str:
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    widget_keys = [k for k in request.app.state.api_keys if k.scope == "ask" and k.origins]
    for key in widget_keys:
        if own in key.origins:
            return key.key
    return widget_keys[0].key if widget_keys else ""


@router.get("/widget-demo", response_class=HTMLResponse)
async def widget_demo(request: Request):
    page = (STATIC_DIR / "widget-demo.html").read_text(encoding="utf-8")
    page = page.replace("{{WIDGET_KEY}}", html.escape(_demo_key(request), quote=True))
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


# Registered last among the API routes: an unknown /v1/... path is a JSON 404 of ours, never the
# chat UI's (which is mounted at "/" and would otherwise catch it).
fallback = APIRouter(include_in_schema=False)


@fallback.api_route("/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def unknown_v1(request: Request, path: str):
    scope = {"type": "http", "path": request.url.path, "method": request.method}
    allowed = set()
    for route in getattr(request.app.state, "api_routes", []):
        if isinstance(route, APIRoute):
            match, _ = route.matches(scope)
            if match == Match.PARTIAL:
                allowed |= route.methods or set()
    if allowed:
        raise MethodNotAllowed(
            f"Metode {request.method} tidak didukung untuk alamat ini (gunakan {', '.join(sorted(allowed))}).",
            allow=sorted(allowed),
        )
    raise NotFound("Alamat API tidak ditemukan. Lihat /docs untuk daftar rute.")
