"""API keys, scopes, widget origins and CORS, rate limits; the serving rules of `serve()`."""
from __future__ import annotations

import httpx
import pytest
from api_server import app_settings, start_server

from assistant.api.auth import parse_api_keys
from assistant.api.ratelimit import RateLimiter
from assistant.errors import ConfigError
from assistant.server import check_bind, is_loopback, serve

pytestmark = pytest.mark.server

ASK_KEY = "kunci-tanya-12345"
ADMIN_KEY = "kunci-admin-12345"
WIDGET_KEY = "kunci-widget-12345"
PORTAL = "https://portal.contoh.go.id"
KEYS = f"{ASK_KEY}:ask,{ADMIN_KEY}:admin,{WIDGET_KEY}:ask:{PORTAL}|http://localhost:8080"


@pytest.fixture(scope="module")
def keyed(assistant, shipped_settings, tmp_path_factory):
    settings = app_settings(shipped_settings, tmp_path_factory.mktemp("auth-data"), api_keys=KEYS)
    srv = start_server(settings, assistant)
    yield srv
    srv.stop()


@pytest.fixture()
def http(keyed):
    with httpx.Client(base_url=keyed.url, timeout=60) as client:
        yield client


def error_message(resp: httpx.Response) -> str:
    assert "Traceback" not in resp.text
    return resp.json()["error"]["message"]


def test_key_required_when_configured(http):
    r = http.get("/v1/documents")
    assert r.status_code == 401 and "Kunci API diperlukan" in error_message(r)
    r = http.get("/v1/documents", headers={"Authorization": "Bearer salah-kunci-000"})
    assert r.status_code == 401 and "tidak dikenal" in error_message(r)
    r = http.get("/v1/documents", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


def test_bearer_and_x_api_key_accepted(http):
    assert http.get("/v1/documents", headers={"Authorization": f"Bearer {ASK_KEY}"}).status_code == 200
    assert http.get("/v1/documents", headers={"X-API-Key": ASK_KEY}).status_code == 200
    r = http.post("/v1/ask", json={"question": "Apa itu klerek?"}, headers={"X-API-Key": ADMIN_KEY})
    assert r.status_code == 200  # admin can ask too


def test_public_routes_need_no_key(http):
    for path in ("/healthz", "/readyz", "/docs", "/openapi.json", "/widget.js", "/widget-demo"):
        assert http.get(path).status_code == 200, path


def test_scopes(http):
    r = http.delete("/v1/documents/permenpan-rb-45-2022", headers={"X-API-Key": ASK_KEY})
    assert r.status_code == 403 and "admin" in error_message(r)
    r = http.post("/v1/documents", headers={"X-API-Key": WIDGET_KEY}, files={"file": ("a.md", b"# a")})
    assert r.status_code == 403
    # an admin key passes auth; the unknown document is then a clean 404 (nothing is deleted)
    r = http.delete("/v1/documents/tidak-ada-2099", headers={"X-API-Key": ADMIN_KEY})
    assert r.status_code == 404


def test_widget_key_origins_and_cors(http):
    ok = http.post("/v1/ask", json={"question": "Apa itu klerek?"},
                   headers={"X-API-Key": WIDGET_KEY, "Origin": PORTAL})
    assert ok.status_code == 200
    assert ok.headers.get("access-control-allow-origin") == PORTAL
    bad = http.post("/v1/ask", json={"question": "Apa itu klerek?"},
                    headers={"X-API-Key": WIDGET_KEY, "Origin": "https://jahat.example"})
    assert bad.status_code == 403 and "origin" in error_message(bad)
    assert "access-control-allow-origin" not in bad.headers
    # preflight: allowed origin gets the headers, another origin does not
    pre = http.options("/v1/ask/stream", headers={
        "Origin": PORTAL, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-api-key"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == PORTAL
    assert "x-api-key" in pre.headers["access-control-allow-headers"].lower()
    pre = http.options("/v1/ask", headers={"Origin": "https://jahat.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    # a key without origins is not usable cross-origin from a browser (no CORS header for it)
    r = http.get("/v1/documents", headers={"X-API-Key": ASK_KEY, "Origin": "https://jahat.example"})
    assert "access-control-allow-origin" not in r.headers


def test_widget_stream_channel_logged(http, keyed):
    from assistant.database import database_url
    from assistant.feedback_store import FeedbackStore

    with http.stream("POST", "/v1/ask/stream", json={"question": "Apa itu klerek?"},
                     headers={"X-API-Key": WIDGET_KEY, "Origin": PORTAL}) as resp:
        assert resp.headers["access-control-allow-origin"] == PORTAL
        body = resp.read().decode()
    answer_id = body.rsplit('"answer_id": "', 1)[1].split('"', 1)[0]
    row = FeedbackStore(database_url(keyed.app.state.settings)).get_answer(answer_id)
    assert row["channel"] == "widget" and row["key_name"].startswith("k-")
    assert WIDGET_KEY not in str(row)


def test_rate_limit_per_client(assistant, shipped_settings, tmp_path):
    settings = app_settings(shipped_settings, tmp_path, rate_limit_per_minute=3, trusted_proxies="127.0.0.1")
    with start_server(settings, assistant) as srv, httpx.Client(base_url=srv.url, timeout=30) as client:
        codes = [client.get("/v1/documents").status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        r = client.get("/v1/documents")
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
        assert "Terlalu banyak permintaan" in error_message(r)
        # another client (forwarded by a trusted local proxy) has its own bucket
        assert client.get("/v1/documents", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 200
        # health checks are never limited
        assert client.get("/healthz").status_code == 200


def test_forwarded_for_ignored_unless_from_a_trusted_proxy(assistant, shipped_settings, tmp_path):
    # no trusted proxy: a client cannot escape its limit by naming another address
    settings = app_settings(shipped_settings, tmp_path, rate_limit_per_minute=2)
    with start_server(settings, assistant) as srv, httpx.Client(base_url=srv.url, timeout=30) as client:
        codes = [client.get("/v1/documents", headers={"X-Forwarded-For": f"10.9.0.{i}"}).status_code
                 for i in range(1, 4)]
        assert codes == [200, 200, 429]
    # a trusted network other than the peer's: still ignored
    settings = app_settings(shipped_settings, tmp_path / "b", rate_limit_per_minute=2, trusted_proxies="10.0.0.0/8")
    with start_server(settings, assistant) as srv, httpx.Client(base_url=srv.url, timeout=30) as client:
        codes = [client.get("/v1/documents", headers={"X-Forwarded-For": f"10.9.1.{i}"}).status_code
                 for i in range(1, 4)]
        assert codes == [200, 200, 429]
    with pytest.raises(ConfigError, match="ASISTEN_TRUSTED_PROXIES"):
        from assistant.api import create_app

        create_app(app_settings(shipped_settings, tmp_path / "c", trusted_proxies="bukan-alamat"),
                   assistant=assistant, ui=False)


def test_rate_limit_shared_across_replicas(assistant, shipped_settings, tmp_path):
    # two apps (two replicas) on one database: together they allow the limit once
    db = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    one = app_settings(shipped_settings, tmp_path / "a", rate_limit_per_minute=3, rate_limit_shared=True, database_url=db)
    two = app_settings(shipped_settings, tmp_path / "b", rate_limit_per_minute=3, rate_limit_shared=True, database_url=db)
    with start_server(one, assistant) as a, start_server(two, assistant) as b, httpx.Client(timeout=30) as client:
        codes = [client.get(url + "/v1/documents").status_code for url in (a.url, b.url, a.url, b.url)]
        assert codes == [200, 200, 200, 429]
        r = client.get(a.url + "/v1/documents")
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60


def test_rate_limit_per_key(assistant, shipped_settings, tmp_path):
    # the per-key bucket is 10x the per-client one (a widget key is shared by a portal's visitors)
    settings = app_settings(shipped_settings, tmp_path, rate_limit_per_minute=2, api_keys=KEYS,
                            trusted_proxies="127.0.0.1")
    with start_server(settings, assistant) as srv, httpx.Client(base_url=srv.url, timeout=30) as client:
        headers = {"X-API-Key": ASK_KEY}
        for i in range(20):
            r = client.get("/v1/documents", headers={**headers, "X-Forwarded-For": f"10.0.0.{i + 1}"})
            assert r.status_code == 200, (i, r.text)
        r = client.get("/v1/documents", headers={**headers, "X-Forwarded-For": "10.0.1.1"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        # the same client with another key is still within its own limit
        r = client.get("/v1/documents", headers={"X-API-Key": ADMIN_KEY, "X-Forwarded-For": "10.0.1.2"})
        assert r.status_code == 200


def test_rate_limiter_refills():
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])  # one token per second
    assert all(limiter.hit("a") == 0 for _ in range(60))
    wait = limiter.hit("a")
    assert 0.9 <= wait <= 1.0
    now[0] += 1.0
    assert limiter.hit("a") == 0
    assert limiter.hit("b") == 0  # buckets are independent


def test_parse_api_keys():
    keys = parse_api_keys(KEYS)
    assert [k.scope for k in keys] == ["ask", "admin", "ask"]
    assert keys[2].origins == (PORTAL, "http://localhost:8080")
    assert ASK_KEY not in repr(keys[0])
    for bad in ("kunciku12345", "kunciku12345:root", "pendek:ask", "a1234567:ask,a1234567:admin",
                "kunciku12345:ask:ftp://x"):
        with pytest.raises(ConfigError):
            parse_api_keys(bad)
    assert parse_api_keys("") == []


def test_serve_refuses_public_address_without_keys(shipped_settings, capsys):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    settings = shipped_settings.model_copy(update={"api_keys": ""})
    with pytest.raises(ConfigError) as exc:
        serve(settings, host="0.0.0.0", port=1)
    assert "Menolak" in exc.value.message and "127.0.0.1" in exc.value.message
    notices = check_bind(settings, "127.0.0.1", 1)
    assert any("hanya mendengarkan di 127.0.0.1" in n for n in notices)
    keyed = shipped_settings.model_copy(update={"api_keys": KEYS})
    assert check_bind(keyed, "0.0.0.0", 1)
    with pytest.raises(ConfigError):
        check_bind(keyed, "0.0.0.0", 2)  # several workers need a Chroma server
    assert check_bind(keyed.model_copy(update={"chroma_url": "http://127.0.0.1:8000"}), "0.0.0.0", 2)
