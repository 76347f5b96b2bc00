"""API keys with scopes and, for widget keys, allowed origins; the auth + rate-limit dependency.

`ASISTEN_API_KEYS="key:scope[:origin1|origin2],..."`, scope `ask` or `admin` (admin can ask too).
Keys are accepted as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
With no key configured the server only binds to loopback: asking is open to local clients, admin
routes stay closed (they need an admin key, so no web page can drive them through a browser).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPBearer

from ..errors import ConfigError
from .errors import Forbidden, RateLimited, Unauthorized

Scope = Literal["ask", "admin"]
SCOPES = ("ask", "admin")


@dataclass(frozen=True)
class ApiKey:
    key: str = field(repr=False)
    scope: Scope
    origins: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """A non-secret identifier for logs and rate-limit buckets."""
        return "k-" + hashlib.sha256(self.key.encode()).hexdigest()[:10]

    def allows(self, scope: Scope) -> bool:
        return self.scope == "admin" or self.scope == scope


def _normalize_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def parse_api_keys(spec: str) -> list[ApiKey]:
    keys: list[ApiKey] = []
    seen: set[str] = set()
    for raw in (spec or "").split(","):
        raw = raw.strip()
        if not raw:
            continue
        parts = raw.split(":", 2)  # origins themselves contain ':' (https://host:port)
        if len(parts) < 2:
            raise ConfigError(
                "ASISTEN_API_KEYS tidak valid: setiap entri berbentuk kunci:scope[:origin1|origin2].",
                cause=f"entry without scope (length {len(raw)})",
            )
        key, scope = parts[0].strip(), parts[1].strip().lower()
        if scope not in SCOPES:
            raise ConfigError(f"ASISTEN_API_KEYS tidak valid: scope '{scope}' tidak dikenal (pakai ask atau admin).")
        if len(key) < 8:
            raise ConfigError("ASISTEN_API_KEYS tidak valid: kunci minimal 8 karakter.")
        if key in seen:
            raise ConfigError("ASISTEN_API_KEYS tidak valid: ada kunci yang tercantum dua kali.")
        seen.add(key)
        origins = ()
        if len(parts) == 3 and parts[2].strip():
            origins = tuple(_normalize_origin(o) for o in parts[2].split("|") if o.strip())
            for origin in origins:
                if not origin.startswith(("http://", "https://")):
                    raise ConfigError(f"ASISTEN_API_KEYS tidak valid: origin '{origin}' harus diawali http:// atau https://.")
        keys.append(ApiKey(key=key, scope=scope, origins=origins))  # type: ignore[arg-type]
    return keys


def cors_origins(keys: list[ApiKey]) -> list[str]:
    return sorted({o for k in keys for o in k.origins})


@dataclass(frozen=True)
class Principal:
    key: ApiKey | None
    client: str

    @property
    def key_name(self) -> str | None:
        return self.key.name if self.key else None

    @property
    def is_widget(self) -> bool:
        return bool(self.key and self.key.origins)


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    value = request.headers.get("x-api-key")
    return value.strip() if value and value.strip() else None


def _match(keys: list[ApiKey], presented: str) -> ApiKey | None:
    found = None
    for k in keys:  # compare against every key in constant time
        if hmac.compare_digest(k.key.encode(), presented.encode()):
            found = k
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authenticate(request: Request, scope: Scope) -> Principal:
    state = request.app.state
    keys: list[ApiKey] = state.api_keys
    client = client_address(request)
    presented = presented_key(request)
    if not keys:
        if scope == "admin":
            raise Forbidden(
                "Rute admin memerlukan kunci API ber-scope admin; atur ASISTEN_API_KEYS lalu kirim kunci itu."
            )
        return Principal(key=None, client=client)
    if presented is None:
        raise Unauthorized(
            "Kunci API diperlukan: kirim header 'Authorization: Bearer <kunci>' atau 'X-API-Key: <kunci>'."
        )
    key = _match(keys, presented)
    if key is None:
        raise Unauthorized("Kunci API tidak dikenal.")
    if not key.allows(scope):
        raise Forbidden("Kunci API ini tidak berhak memakai rute admin.")
    origin = request.headers.get("origin")
    if key.origins and origin and _normalize_origin(origin) not in key.origins:
        raise Forbidden("Kunci widget ini tidak diizinkan dari origin halaman ini.")
    return Principal(key=key, client=client)


def enforce_rate_limits(request: Request, principal: Principal) -> None:
    state = request.app.state
    waits = [state.client_limiter.hit("ip:" + principal.client)]
    if principal.key is not None:
        waits.append(state.key_limiter.hit("key:" + principal.key.name))
    wait = max(waits)
    if wait > 0:
        raise RateLimited(
            f"Terlalu banyak permintaan. Coba lagi dalam {max(1, round(wait))} detik.", retry_after=wait
        )


_BEARER = HTTPBearer(auto_error=False, description="Kunci API sebagai Bearer token.")
_X_API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="Kunci API di header X-API-Key.")


def require(scope: Scope):
    """Dependency factory: authenticate for `scope`, then apply the rate limits."""

    async def dependency(
        request: Request,
        _bearer=Depends(_BEARER),  # documents the schemes in OpenAPI (Swagger's "Authorize")
        _header=Depends(_X_API_KEY),
    ) -> Principal:
        principal = authenticate(request, scope)
        enforce_rate_limits(request, principal)
        request.state.principal = principal
        return principal

    dependency.__name__ = f"require_{scope}"
    return dependency


require_ask = require("ask")
require_admin = require("admin")
