"""Reliability of the HTTP API under hostile input: schemathesis fuzzing against the running app's own
OpenAPI schema, and hand-made hostile questions.

Every route is fuzzed with schema-valid and schema-invalid inputs (a bounded number per route:
ASISTEN_FUZZ_EXAMPLES, default 25 each); no response may be a 5xx, every response must match its
documented status code, content type and schema, and invalid input must be refused with a 4xx.
Hostile questions (empty, whitespace, 100k characters, control characters, invalid UTF-8, lone
surrogates, HTML/JS, SQL-looking text, 1,000 history turns, absurd JSON nesting) each get a clear
4xx or a normal answer, never a 5xx, and they do not slow down a normal request running beside them.
"""
from __future__ import annotations

import json
import os
import sqlite3
import statistics
import threading
import time
from collections import Counter

import httpx
import pytest
from api_server import app_settings, start_server
from artifacts import ARTIFACTS, record

pytestmark = pytest.mark.server

ASK_KEY = "kunci-tanya-rel-12345"
ADMIN_KEY = "kunci-admin-rel-12345"
KEYS = f"{ASK_KEY}:ask,{ADMIN_KEY}:admin"
ASK = {"X-API-Key": ASK_KEY}
QUESTION = "Apa saja klasifikasi jabatan pelaksana?"
FUZZ_EXAMPLES = int(os.environ.get("ASISTEN_FUZZ_EXAMPLES", "25"))

# Every operation of the schema; test_fuzz_covers_every_route fails when a route is added without
# being fuzzed here.
OPERATIONS = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/v1/ask"),
    ("POST", "/v1/ask/stream"),
    ("GET", "/v1/models"),
    ("POST", "/v1/chat/completions"),
    ("GET", "/v1/search"),
    ("GET", "/v1/documents"),
    ("POST", "/v1/documents"),
    ("GET", "/v1/documents/{doc_id}"),
    ("DELETE", "/v1/documents/{doc_id}"),
    ("POST", "/v1/feedback"),
]

FUZZ_COUNTS: Counter = Counter()
FUZZ_STATUSES: Counter = Counter()


@pytest.fixture(scope="module")
def server(assistant, shipped_settings, tmp_path_factory):
    # Fuzzing runs with the ask key: the admin routes answer 403 (and are checked for that). The
    # shipped index must not be changed by a fuzzer; hostile uploads are test_reliability_documents'.
    settings = app_settings(shipped_settings, tmp_path_factory.mktemp("rel-api-data"), api_keys=KEYS,
                            rate_limit_per_minute=100_000)
    srv = start_server(settings, assistant)
    with httpx.Client(base_url=srv.url, timeout=60) as client:  # wait for the warm-up
        deadline = time.monotonic() + 60
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
    yield srv
    srv.stop()


@pytest.fixture()
def http(server):
    with httpx.Client(base_url=server.url, timeout=60, headers=ASK) as client:
        yield client


@pytest.fixture(scope="module")
def api_schema(server):
    import schemathesis

    return schemathesis.openapi.from_url(server.url + "/openapi.json")


# ---- schemathesis -------------------------------------------------------------------------------

def test_fuzz_covers_every_route(api_schema):
    found = set()
    for result in api_schema.get_all_operations():
        op = result.ok()
        found.add((op.method.upper(), op.path))
    assert found == set(OPERATIONS)


# Routes without parameters or body have no invalid input to generate: positive mode only.
NO_INPUT = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/v1/models"), ("GET", "/v1/documents")}
FUZZ_CASES = [(m, p, mode) for m, p in OPERATIONS for mode in ("positive", "negative")
              if mode == "positive" or (m, p) not in NO_INPUT]


@pytest.mark.parametrize("method,path,mode", FUZZ_CASES, ids=[f"{m} {p} {mode}" for m, p, mode in FUZZ_CASES])
def test_fuzz_route(api_schema, server, method, path, mode):
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]
    if mode == "negative":
        checks.append(negative_data_rejection)  # invalid input must get a 4xx
    operation = api_schema[path][method]
    strategy = operation.as_strategy(GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE)
    started = time.monotonic()

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        # A fixed budget per route, whatever hypothesis decides to generate.
        assert time.monotonic() - started < 120, "fuzzing this route took too long"
        # Positive cases carry the key in both schemes, so they reach the route's logic; negative
        # ones only in X-API-Key, so generated Authorization headers also exercise authentication.
        headers = ASK if mode == "negative" else {**ASK, "Authorization": f"Bearer {ASK_KEY}"}
        response = case.call_and_validate(base_url=server.url, headers=headers, checks=checks, timeout=60)
        FUZZ_COUNTS[(method, path, mode)] += 1
        FUZZ_STATUSES[response.status_code] += 1

    run()
    assert FUZZ_COUNTS[(method, path, mode)] >= 1


def test_fuzz_summary():
    """Writes what was tried (figures for docs/reliability.md)."""
    if not FUZZ_COUNTS:
        pytest.fail("run together with test_fuzz_route")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    summary = {
        "examples_per_route_and_mode": FUZZ_EXAMPLES,
        "requests": sum(FUZZ_COUNTS.values()),
        "per_route": {f"{m} {p} {mode}": n for (m, p, mode), n in sorted(FUZZ_COUNTS.items())},
        "statuses": {str(k): v for k, v in sorted(FUZZ_STATUSES.items())},
    }
    (ARTIFACTS / "fuzz.json").write_text(json.dumps(summary, indent=1), "utf-8")
    assert not any(int(code) >= 500 for code in summary["statuses"])


# ---- hostile questions --------------------------------------------------------------------------

def assert_clean_4xx(resp: httpx.Response, *statuses: int) -> str:
    assert resp.status_code in (statuses or (400, 413, 422)), (resp.status_code, resp.text[:300])
    assert resp.headers["content-type"].startswith("application/json")
    err = resp.json()["error"]
    assert err["message"] and "Traceback" not in resp.text and ".py" not in resp.text
    return err["message"]


def assert_answer(resp: httpx.Response) -> dict:
    assert resp.status_code == 200, resp.text[:300]
    body = resp.json()
    assert isinstance(body["answer"], str) and body["answer"]
    for n in {int(x) for x in __import__("re").findall(r"\[(\d+)\]", body["answer"])}:
        assert 1 <= n <= len(body["citations"])
    return body


def post_raw(http: httpx.Client, path: str, raw: bytes) -> httpx.Response:
    return http.post(path, content=raw, headers={"content-type": "application/json"})


HOSTILE_JSON = {
    "empty": ({"question": ""}, "reject"),
    "whitespace": ({"question": " \t\n\r\u00a0\u3000 "}, "reject"),
    "100k characters": ({"question": "jabatan " * 12_500}, "reject"),
    "control characters": ({"question": "apa itu klerek\u0000\u0001\u0007\u001b[31m\u007f\u2028\u202e?"}, "either"),
    "only control characters": ({"question": "\u0000\u0001\u0002"}, "either"),
    "lone surrogate": ({"question": "apa itu \ud800 klerek"}, "reject"),
    "lone surrogate in history": (
        {"question": QUESTION, "history": [{"role": "user", "content": "x \udfff"}]}, "reject"),
    "HTML and JS": ({"question": '<script>alert(1)</script><img src=x onerror=alert(2)> apa itu klerek?'}, "answer"),
    "SQL-looking": ({"question": "'; DROP TABLE answers; -- apa itu klerek? \" OR 1=1 --"}, "answer"),
    "1,000 history turns": (
        {"question": QUESTION, "history": [{"role": "user" if i % 2 == 0 else "assistant", "content": f"giliran {i}"}
                                           for i in range(1000)]}, "reject"),
    "huge history turn": (
        {"question": QUESTION, "history": [{"role": "user", "content": "a" * 25_000}]}, "reject"),
    "question as a list": ({"question": ["apa", "itu"]}, "reject"),
    "emoji and RTL": ({"question": "apa itu klerek 🙂 \u05d0\u05d1 \u0627\u0644"}, "either"),
}

HOSTILE_RAW = {
    "invalid UTF-8": b'{"question": "apa itu \xff\xfe\xc3\x28 klerek"}',
    "raw control characters": b'{"question": "apa\x00itu\x01klerek"}',
    "truncated JSON": b'{"question": "apa itu',
    "JSON nested 100k deep": b'{"question": "x", "filters": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "not an object": b'"apa itu klerek"',
    "NaN": b'{"question": "apa", "k": NaN}',
}


def _check(resp: httpx.Response, expect: str) -> str:
    if expect == "reject" or (expect == "either" and resp.status_code != 200):
        return "4xx: " + assert_clean_4xx(resp)
    assert_answer(resp)
    return "answered"


@pytest.mark.parametrize("route", ["/v1/ask", "/v1/ask/stream", "/v1/chat/completions"])
def test_hostile_questions_get_clear_4xx_or_an_answer(http, route):
    outcomes = {}
    for name, (payload, expect) in HOSTILE_JSON.items():
        if route == "/v1/chat/completions":
            messages = [{"role": t["role"], "content": t["content"]} for t in payload.get("history", [])]
            payload = {"messages": messages + [{"role": "user", "content": payload["question"]}]}
        raw = json.dumps(payload, ensure_ascii=True).encode()  # \ud800 travels as a JSON escape
        resp = post_raw(http, route, raw)
        if route == "/v1/ask/stream" and resp.status_code == 200:
            assert resp.headers["content-type"].startswith("text/event-stream")
            assert "event: done" in resp.text and "event: error" not in resp.text, (name, resp.text[-300:])
            outcomes[name] = "answered (stream)"
            continue
        if route == "/v1/chat/completions" and resp.status_code == 200:
            assert resp.json()["choices"][0]["message"]["content"]
            outcomes[name] = "answered"
            continue
        outcomes[name] = _check(resp, expect)
    for name, raw in HOSTILE_RAW.items():
        outcomes[name] = "4xx: " + assert_clean_4xx(post_raw(http, route, raw), 422)
    assert "JSON" in outcomes["invalid UTF-8"] and "JSON" in outcomes["JSON nested 100k deep"]
    assert "kosong" in outcomes["empty"] + outcomes["whitespace"]
    assert "panjang" in outcomes["100k characters"] and "Riwayat" in outcomes["1,000 history turns"]
    _record(f"hostile {route}", outcomes)


def test_hostile_text_is_stored_verbatim_and_returned_inert(http, server):
    hostile = "<script>alert(1)</script> '; DROP TABLE answers; -- apa itu klerek?"
    body = assert_answer(http.post("/v1/ask", json={"question": hostile}))
    assert body["question"] == hostile  # JSON carries it as data; the widget/UI render text only
    with server.app.state.store.engine.connect() as conn:  # the shared database (SQLAlchemy)
        row = tuple(conn.exec_driver_sql(
            "SELECT question FROM answers WHERE answer_id = ?", (body["answer_id"],)).fetchone())
    assert row == (hostile,)  # parameters, not SQL: the table is still there and holds the text
    resp = http.get("/v1/search", params={"q": "<img src=x onerror=alert(1)> klerek' OR '1'='1"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/json")
    assert http.get("/v1/search", params={"q": "\x00\x1b"}).status_code in (200, 422)
    # The chat UI escapes every passage it renders as HTML.
    from assistant.records import ChunkRecord, Citation
    from assistant.ui import citation_card

    chunk = ChunkRecord(chunk_id="x/1", doc_id="x", text="X — Pasal 1\n<script>alert(1)</script>", bagian="Batang Tubuh",
                        pasal="1", source_path="x.md")
    card = citation_card(Citation(n=1, doc_id="x", label="<b>X</b>", pasal="1", quote="<script>", source="x.md",
                                  chunk_id="x/1"), None, [chunk])
    assert "<script>" not in card and "&lt;script&gt;" in card and "<b>X</b>" not in card


def test_hostile_requests_do_not_slow_down_a_normal_one(server):
    """A client hammering the API with rejected hostile requests (100k characters, 1,000 turns,
    invalid UTF-8, deep nesting) must not slow a normal question asked at the same time."""
    url = server.url

    def normal_latencies(n: int) -> list[float]:
        out = []
        with httpx.Client(base_url=url, timeout=60, headers=ASK) as c:
            for _ in range(n):
                t = time.perf_counter()
                assert c.post("/v1/ask", json={"question": QUESTION}).status_code == 200
                out.append(time.perf_counter() - t)
        return out

    normal_latencies(2)  # warm
    baseline = statistics.median(normal_latencies(5))
    stop = threading.Event()
    sent, bad = Counter(), []
    bodies = [json.dumps(HOSTILE_JSON[n][0]).encode() for n in ("100k characters", "1,000 history turns", "empty")]
    bodies += [HOSTILE_RAW["invalid UTF-8"], HOSTILE_RAW["JSON nested 100k deep"]]

    def hammer():
        with httpx.Client(base_url=url, timeout=60, headers=ASK) as c:
            deadline = time.monotonic() + 60
            while not stop.is_set() and time.monotonic() < deadline:
                for raw in bodies:
                    r = post_raw(c, "/v1/ask", raw)
                    sent[r.status_code] += 1
                    if r.status_code >= 500:
                        bad.append(r.text[:200])

    threads = [threading.Thread(target=hammer, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        under_attack = statistics.median(normal_latencies(5))
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not bad and sum(sent.values()) > 10, sent
    _record("no slowdown", {"baseline_median_s": round(baseline, 3), "under_hostile_median_s": round(under_attack, 3),
                            "hostile_requests": sum(sent.values()), "statuses": dict(sent)})
    assert under_attack <= max(3 * baseline, baseline + 1.0), (baseline, under_attack, sent)


def _record(name: str, data) -> None:
    record("hostile.json", name, data)
