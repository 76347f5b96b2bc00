"""Who may open the chat page at "/". Without API keys the server listens on loopback only and the
page is open like the API. With keys, the page asks staff to sign in (users from
`ASISTEN_UI_USERS`) unless `ASISTEN_UI_ACCESS=open` says explicitly that it stays open.

The sign-in page is our own (Gradio's shows English whatever the configuration): `/masuk` sets a
signed, expiring cookie; `LoginGate` sends every other page that is not the API, the MCP endpoint,
the docs or the widget to it. The signing key derives from the configured users and keys, so every
worker and replica accepts the same cookie and a changed password ends every session.
"""
from __future__ import annotations

import hashlib
import hmac
import html
import time
from typing import Callable
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .config import Settings
from .errors import ConfigError

ACCESS_MODES = ("login", "open")


def parse_ui_users(spec: str) -> dict[str, str]:
    """`user:password` or `user:sha256:<hex digest of the password>`, comma-separated."""
    users: dict[str, str] = {}
    for i, raw in enumerate((spec or "").split(","), start=1):
        raw = raw.strip()
        if not raw:
            continue
        name, sep, secret = raw.partition(":")
        name = name.strip()
        if not sep or not name or not secret:
            raise ConfigError(f"ASISTEN_UI_USERS tidak valid: entri ke-{i} harus berbentuk nama:sandi "
                              "atau nama:sha256:<hash>.")
        if secret.startswith("sha256:") and len(secret) != 7 + 64:
            raise ConfigError(f"ASISTEN_UI_USERS tidak valid: hash sha256 pengguna '{name}' harus 64 digit heksadesimal.")
        if not secret.startswith("sha256:") and len(secret) < 8:
            raise ConfigError(f"ASISTEN_UI_USERS tidak valid: sandi pengguna '{name}' minimal 8 karakter.")
        if name in users:
            raise ConfigError(f"ASISTEN_UI_USERS tidak valid: pengguna '{name}' tercantum dua kali.")
        users[name] = secret
    return users


def _matches(secret: str, password: str) -> bool:
    if secret.startswith("sha256:"):
        digest = hashlib.sha256(password.encode()).hexdigest()
        return hmac.compare_digest(secret[7:].lower(), digest)
    return hmac.compare_digest(secret.encode(), password.encode())


def ui_auth(settings: Settings, keyed: bool) -> Callable[[str, str], bool] | None:
    """The check Gradio's sign-in page calls, or None when the page is open."""
    mode = (settings.ui_access or "login").strip().lower()
    if mode not in ACCESS_MODES:
        raise ConfigError(f"ASISTEN_UI_ACCESS tidak valid: '{mode}' (pakai login atau open).")
    users = parse_ui_users(settings.ui_users)
    if mode == "open" or (not keyed and not users):
        return None
    if not users:
        raise ConfigError(
            "ASISTEN_API_KEYS diatur, jadi halaman obrolan meminta masuk, tetapi ASISTEN_UI_USERS kosong: "
            "atur pengguna (nama:sandi,...) atau nyatakan ASISTEN_UI_ACCESS=open agar halaman tetap terbuka."
        )

    def check(username: str, password: str) -> bool:
        secret = users.get((username or "").strip())
        return secret is not None and _matches(secret, password or "")

    return check


COOKIE = "asisten_sesi"
SESSION_S = 12 * 3600
LOGIN_PATH, LOGOUT_PATH = "/masuk", "/keluar"
PUBLIC_PREFIXES = ("/v1/", "/mcp", "/healthz", "/readyz", "/docs", "/openapi.json", "/widget.js", "/widget-demo",
                   LOGIN_PATH, LOGOUT_PATH)


class Sessions:
    def __init__(self, settings: Settings, check: Callable[[str, str], bool]):
        self.check = check
        material = f"{settings.ui_users}|{settings.api_keys}|asisten-ui-session".encode()
        self._key = hashlib.sha256(material).digest()

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, user: str) -> str:
        payload = f"{quote(user, safe='')}.{int(time.time()) + SESSION_S}"
        return f"{payload}.{self._sign(payload)}"

    def user(self, cookie: str | None) -> str | None:
        if not cookie or cookie.count(".") != 2:
            return None
        name, expiry, signature = cookie.split(".")
        if not hmac.compare_digest(self._sign(f"{name}.{expiry}"), signature):
            return None
        if not expiry.isdigit() or int(expiry) < time.time():
            return None
        return name


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host) may follow the sign-in."""
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not (target or "/").startswith("/") or (target or "").startswith("//"):
        return "/"
    return target or "/"


LOGIN_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Masuk — Asisten Regulasi</title>
<style>body{{font-family:system-ui,"Segoe UI",Roboto,sans-serif;background:#f8fafc;margin:0;display:flex;
justify-content:center;padding:48px 16px}}form{{background:#fff;border:1px solid #e5e7eb;border-radius:12px;
padding:24px;width:100%;max-width:380px;box-shadow:0 1px 3px rgba(0,0,0,.06)}}h1{{font-size:1.3em;margin:0 0 4px}}
label{{display:block;margin:14px 0 4px;font-weight:600}}input{{width:100%;box-sizing:border-box;padding:9px 10px;
border:1px solid #cbd5e1;border-radius:8px;font:inherit}}button{{margin-top:18px;width:100%;padding:10px;border:0;
border-radius:8px;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}}
.err{{background:#fee2e2;color:#991b1b;border-radius:8px;padding:8px 10px;margin-top:12px}}
.muted{{color:#64748b;margin:0}}</style></head><body>
<form method="post" action="/masuk" data-testid="login-form"><h1>Asisten Regulasi</h1>
<p class="muted">Masuk dengan akun staf untuk memakai halaman tanya-jawab.</p>{error}
<input type="hidden" name="next" value="{next}">
<label for="user">Nama pengguna</label><input id="user" name="username" autocomplete="username" required autofocus>
<label for="pw">Kata sandi</label><input id="pw" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Masuk</button></form></body></html>"""


def login_page(next_path: str = "/", error: str | None = None, status: int = 200) -> HTMLResponse:
    block = f'<p class="err" role="alert">{html.escape(error)}</p>' if error else ""
    body = LOGIN_PAGE.format(error=block, next=html.escape(_safe_next(next_path), quote=True))
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


class LoginGate:
    """ASGI middleware: the chat page and Gradio's own routes need a signed session cookie."""

    def __init__(self, app, *, sessions: Sessions, limiter=None):
        self.app = app
        self.sessions = sessions
        self.limiter = limiter

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if scope["type"] == "http" and path == LOGIN_PATH:
            return await (await self._login(Request(scope, receive)))(scope, receive, send)
        if scope["type"] == "http" and path == LOGOUT_PATH:
            response = RedirectResponse(LOGIN_PATH, status_code=303)
            response.delete_cookie(COOKIE, path="/")
            return await response(scope, receive, send)
        if path.startswith(PUBLIC_PREFIXES):
            return await self.app(scope, receive, send)
        request = Request(scope)
        if self.sessions.user(request.cookies.get(COOKIE)) is not None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            target = path + (f"?{scope['query_string'].decode()}" if scope.get("query_string") else "")
            response: Response = RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='/')}", status_code=303)
        else:
            response = Response('{"error": {"message": "Masuk dulu di /masuk.", "type": "authentication_error", '
                                '"code": "login_required"}}', status_code=401, media_type="application/json")
        return await response(scope, receive, send)

    async def _login(self, request: Request) -> Response:
        if request.method != "POST":
            return login_page(request.query_params.get("next", "/"))
        form = await request.form()
        next_path = str(form.get("next") or "/")
        client = request.client.host if request.client else "unknown"
        if self.limiter is not None and self.limiter.hit("login:" + client) > 0:
            return login_page(next_path, "Terlalu banyak percobaan masuk. Coba lagi sebentar lagi.", 429)
        user = str(form.get("username") or "").strip()
        if not self.sessions.check(user, str(form.get("password") or "")):
            return login_page(next_path, "Nama pengguna atau kata sandi salah.", 401)
        response = RedirectResponse(_safe_next(next_path), status_code=303)
        response.set_cookie(COOKIE, self.sessions.issue(user), max_age=SESSION_S, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
        return response
