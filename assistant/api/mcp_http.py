"""The MCP server over Streamable HTTP at /mcp, on the same app, behind the same API keys and
limits as /v1 (scope `ask`). Stateless: every POST carries a whole exchange, so several workers
or replicas can serve one client without sticky sessions."""
from __future__ import annotations

from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..config import Settings
from ..errors import AsistenError
from ..mcp_server import build_mcp_server
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


def _transport_security(settings: Settings, keyed: bool) -> TransportSecuritySettings:
    """Without keys the server only listens on loopback: then refuse other Host/Origin headers
    (DNS rebinding from a web page). With keys, the key is the protection and any host name works."""
    if keyed or settings.host not in LOOPBACK_HOSTS:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost"],
        allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
    )


def mount_mcp(app, *, holder, settings: Settings, store, keyed: bool):
    """Adds the /mcp route; returns the session manager, whose `run()` the app's lifespan enters."""
    server = build_mcp_server(holder.get, settings, store)
    server.streamable_http_app(
        streamable_http_path=MCP_PATH, stateless_http=True, json_response=True,
        transport_security=_transport_security(settings, keyed), host=settings.host,
    )
    manager = server.session_manager
    app.router.routes.append(
        Route(MCP_PATH, endpoint=RequireAskKey(StreamableHTTPASGIApp(manager)), methods=["GET", "POST", "DELETE"],
              include_in_schema=False)
    )
    return manager
