"""The MCP server over Streamable HTTP at /mcp, on the same app, behind the same API keys and
limits as /v1 (scope `ask`). Stateless: every POST carries a whole exchange, so several workers
or replicas can serve one client without sticky sessions.

The `mcp` package is imported, and the server built, after start-up (assistant/late_app.py): the
key check and limits answer at once, a first MCP request waits for the build."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..config import Settings
from ..errors import AsistenError, ModelUnavailable
from ..late_app import LateApp
from .auth import authenticate, enforce_rate_limits
from .errors import error_payload

MCP_PATH = "/mcp"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class RequireAskKey:
    """ASGI guard: the same key check and rate limits as every /v1 route, errors in their shape."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            request = Request(scope)
            try:
                enforce_rate_limits(request, authenticate(request, "ask"))
            except AsistenError as exc:
                status, body = error_payload(exc)
                headers = {}
                retry = getattr(exc, "retry_after", None)
                if retry:
                    headers["Retry-After"] = str(max(1, round(retry)))
                if status == 401:
                    headers["WWW-Authenticate"] = "Bearer"
                return await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)
        await self.app(scope, receive, send)


def _transport_security(settings: Settings, keyed: bool):
    """Without keys the server only listens on loopback: then refuse other Host/Origin headers
    (DNS rebinding from a web page). With keys, the key is the protection and any host name works."""
    from mcp.server.transport_security import TransportSecuritySettings

    if keyed or settings.host not in LOOPBACK_HOSTS:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost"],
        allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
    )


async def _unavailable(scope, receive, send):
    status, body = error_payload(ModelUnavailable("Server MCP belum dapat dimuat; lihat log server."))
    await JSONResponse(body, status_code=status, headers={"Retry-After": "5"})(scope, receive, send)


def mount_mcp(app, *, holder, settings: Settings, store, keyed: bool) -> LateApp:
    """Adds the /mcp route; the MCP server is built after start-up and its session manager runs in
    the app's lifespan (LateApp)."""

    def build():
        from mcp.server.streamable_http_manager import StreamableHTTPASGIApp

        from ..mcp_server import build_mcp_server

        server = build_mcp_server(holder.get, settings, store)
        server.streamable_http_app(
            streamable_http_path=MCP_PATH, stateless_http=True, json_response=True,
            transport_security=_transport_security(settings, keyed), host=settings.host,
        )
        manager = server.session_manager
        return StreamableHTTPASGIApp(manager), manager.run

    late = LateApp("server MCP", build, holder=holder, unavailable=_unavailable)
    late.wrap_lifespan(app)
    app.router.routes.append(
        Route(MCP_PATH, endpoint=RequireAskKey(late), methods=["GET", "POST", "DELETE"], include_in_schema=False)
    )
    return late
