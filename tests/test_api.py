"""The HTTP API through real HTTP: uvicorn on 127.0.0.1, the real assistant over the shipped corpus."""
from __future__ import annotations

import concurrent.futures as cf
import re
import sqlite3
import time

import httpx
import pytest
from api_server import (
    BrokenAssistant,
    SlowStreamAssistant,
    app_settings,
    iter_sse,
    start_server,
)

from assistant.database import database_url
from assistant.feedback_store import FeedbackStore

pytestmark = pytest.mark.server

QUESTION = "Apa saja klasifikasi jabatan pelaksana?"


@pytest.fixture(scope="module")
def server(assistant, shipped_settings, tmp_path_factory):
    settings = app_settings(shipped_settings, tmp_path_factory.mktemp("api-data"), max_question_chars=300,
                            max_history_turns=4)
    srv = start_server(settings, assistant)
    yield srv
    srv.stop()


@pytest.fixture()
def http(server):
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def assert_clean_error(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    assert body["error"]["message"]
    assert "Traceback" not in resp.text and ".py" not in resp.text
    return body["error"]


# ---- health, docs, static -----------------------------------------------------------------------

def test_healthz_and_readyz(http):
    assert http.get("/healthz").json() == {"status": "ok"}
    deadline = time.monotonic() + 60  # the model warms up in the background after start
    while (ready := http.get("/readyz")).status_code == 503 and time.monotonic() < deadline:
        assert ready.json()["ready"] is False
        time.sleep(0.2)
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] and body["model"] and body["index"] and body["chroma"]
    assert body["chunks"] > 0 and body["documents"] > 0


def test_docs_served_without_cdn(http):
    page = http.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert "cdn" not in page.text.lower()
    for asset in assets:
        assert http.get(asset).status_code == 200, asset
    spec = http.get("/openapi.json").json()
    paths = set(spec["paths"])
    for route in ("/v1/ask", "/v1/ask/stream", "/v1/chat/completions", "/v1/search", "/v1/documents",
                  "/v1/documents/{doc_id}", "/v1/feedback", "/healthz", "/readyz"):
        assert route in paths
    assert "post" in spec["paths"]["/v1/documents"] and "delete" in spec["paths"]["/v1/documents/{doc_id}"]


def test_widget_assets(http):
    js = http.get("/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "innerHTML" not in js.text  # answer content is only ever set as text
    demo = http.get("/widget-demo")
    assert demo.status_code == 200 and '<script src="/widget.js"' in demo.text


def test_unknown_api_route_is_json_404(http):
    err = assert_clean_error(http.get("/v1/tidak-ada"), 404)
    assert "tidak ditemukan" in err["message"]


# ---- ask --------------------------------------------------------------------------------------

def test_ask_returns_cited_answer_and_logs_it(http, server):
    resp = http.post("/v1/ask", json={"question": QUESTION})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["found"] is True
    assert body["answer_id"] and body["latency_ms"] >= 0
    numbers = {c["n"] for c in body["citations"]}
    assert numbers
    for marker in re.findall(r"\[(\d+)\]", body["answer"]):
        assert int(marker) in numbers
    for c in body["citations"]:
        assert c["label"] and c["doc_id"] and c["quote"]
    store = server.app.state.store
    row = store.get_answer(body["answer_id"])
    assert row["question"] == QUESTION and row["status"] == "ok" and row["channel"] == "api"
    assert row["latency_ms"] > 0 and row["found"] == 1


def test_ask_not_found_says_so(http):
    body = http.post("/v1/ask", json={"question": "Berapa harga tiket pesawat Jakarta ke Bali bulan depan?"}).json()
    assert body["found"] is False and body["citations"] == []
    assert body["answer"]


def test_ask_with_filters_and_history(http):
    docs = http.get("/v1/documents").json()["documents"]
    doc_id = next(d["doc_id"] for d in docs if d["doc_id"] == "permenpan-rb-45-2022")
    body = http.post("/v1/ask", json={
        "question": "Sebutkan klasifikasinya.",
        "history": [{"role": "user", "content": "Apa itu jabatan pelaksana?"},
                    {"role": "assistant", "content": "Jabatan pelaksana adalah ..."}],
        "filters": {"doc_id": [doc_id]},
        "k": 5,
    }).json()
    assert all(c["doc_id"] == doc_id for c in body["citations"])


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "question"),
        ({"question": ""}, "question"),
        ({"question": 42}, "question"),
        ({"question": "x", "k": 0}, "k"),
        ({"question": "x", "k": 99}, "k"),
        ({"question": "x", "unknown": 1}, "unknown"),
        ({"question": "x", "history": [{"role": "robot", "content": "hi"}]}, "history.0.role"),
        ({"question": "x", "filters": {"tahun": ["dua ribu"]}}, "filters.tahun.0"),
        ({"question": "x", "filters": {"warna": ["biru"]}}, "filters.warna"),
        ({"question": "x", "filters": {"resmi": 0.0}}, "filters.resmi"),  # not coerced to false
        ({"question": "x", "filters": {"tahun": ["2021"]}}, "filters.tahun.0"),
    ],
)
def test_ask_validation_errors_are_clear(http, payload, field):
    err = assert_clean_error(http.post("/v1/ask", json=payload), 422)
    assert err["message"].startswith("Permintaan tidak valid")
    assert field in [d["field"] for d in err["details"]]


def test_ask_limits(http):
    err = assert_clean_error(http.post("/v1/ask", json={"question": "kata " * 100}), 422)
    assert "terlalu panjang" in err["message"] and "300" in err["message"]
    history = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}] * 3
    err = assert_clean_error(http.post("/v1/ask", json={"question": QUESTION, "history": history}), 422)
    assert "Riwayat" in err["message"] and "4" in err["message"]
    err = assert_clean_error(http.post("/v1/ask", json={"question": "   "}), 422)
    assert "kosong" in err["message"]


def test_invalid_json_and_oversized_body(http):
    err = assert_clean_error(
        http.post("/v1/ask", content=b"{tidak json", headers={"content-type": "application/json"}), 422
    )
    assert "JSON" in err["message"]
    big = b'{"question": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    err = assert_clean_error(http.post("/v1/ask", content=big, headers={"content-type": "application/json"}), 413)
    assert "terlalu besar" in err["message"]


def test_method_not_allowed_is_clean(http):
    err = assert_clean_error(resp := http.get("/v1/ask"), 405)
    assert "POST" in err["message"] and resp.headers["allow"] == "POST"


# ---- streaming ---------------------------------------------------------------------------------

def test_ask_stream_sse_framing(server, http):
    with http.stream("POST", "/v1/ask/stream", json={"question": QUESTION}) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = list(iter_sse(resp))
    kinds = [e.event for e in events]
    assert kinds[0] == "delta" and kinds[-2:] == ["citations", "done"]
    assert set(kinds[:-2]) == {"delta"}
    text = "".join(e.json()["text"] for e in events if e.event == "delta")
    done = events[-1].json()
    assert done["answer"] == text and done["found"] is True and done["answer_id"]
    assert events[-2].json()["citations"] == done["citations"]
    store = server.app.state.store
    assert store.get_answer(done["answer_id"])["channel"] == "stream"


def test_ask_stream_validation_error_is_json(http):
    err = assert_clean_error(http.post("/v1/ask/stream", json={"question": ""}), 422)
    assert "question" in err["message"]


def test_stream_stops_when_client_disconnects(assistant, shipped_settings, tmp_path):
    slow = SlowStreamAssistant(assistant, delay=0.1)
    settings = app_settings(shipped_settings, tmp_path)
    with start_server(settings, slow) as srv:
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            with client.stream("POST", "/v1/ask/stream", json={"question": QUESTION}) as resp:
                events = iter_sse(resp)
                first = next(events)
                assert first.event == "delta"
            # connection closed: the core's generator must be closed soon, long before its end
            assert slow.closed.wait(10), "the stream kept running after the client left"
            produced = slow.produced
            time.sleep(0.5)
            assert slow.produced <= produced + 1 and not slow.finished.is_set()
        store = FeedbackStore(database_url(settings))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with store.engine.connect() as conn:
                rows = conn.exec_driver_sql("SELECT status FROM answers").fetchall()
            if rows:
                break
            time.sleep(0.1)
        assert [tuple(r) for r in rows] == [("disconnected",)]


def test_internal_error_is_clean_500(shipped_settings, tmp_path):
    with start_server(app_settings(shipped_settings, tmp_path), BrokenAssistant()) as srv:
        resp = httpx.post(f"{srv.url}/v1/ask", json={"question": QUESTION}, timeout=30)
        err = assert_clean_error(resp, 500)
        assert "secret" not in resp.text and "RuntimeError" not in resp.text
        assert err["code"] == "internal_error"


# ---- search and documents ----------------------------------------------------------------------

def test_search_returns_scored_passages(http):
    body = http.get("/v1/search", params={"q": "klerek operator teknisi", "k": 5}).json()
    assert body["k"] == 5 and 0 < len(body["results"]) <= 5
    hit = body["results"][0]
    for key in ("chunk_id", "doc_id", "label", "text", "score", "status", "source_path", "bagian"):
        assert key in hit
    scores = [h["score"] for h in body["results"]]
    assert scores == sorted(scores, reverse=True)
    filtered = http.get("/v1/search", params={"q": "jabatan", "doc_id": "uu-20-2023"}).json()["results"]
    assert filtered and all(h["doc_id"] == "uu-20-2023" for h in filtered)
    assert_clean_error(http.get("/v1/search", params={"q": ""}), 422)
    assert_clean_error(http.get("/v1/search", params={"q": "x", "k": 0}), 422)
    assert_clean_error(http.get("/v1/search", params={"q": "x", "tahun": "abc"}), 422)


def test_documents_catalogue_and_structure(http):
    docs = http.get("/v1/documents").json()["documents"]
    assert len(docs) >= 10
    by_id = {d["doc_id"]: d for d in docs}
    d = by_id["permenpan-rb-45-2022"]
    assert d["status"] in ("berlaku", "diubah", "dicabut", "tidak diketahui")
    assert d["label"] and isinstance(d["mencabut"], list) and d["resmi"] in (True, False)
    detail = http.get("/v1/documents/permenpan-rb-45-2022", params={"pasal": "4"}).json()
    assert detail["document"]["doc_id"] == "permenpan-rb-45-2022"
    assert any(e["pasal"] == "4" for e in detail["outline"])
    assert detail["pasal"]["pasal"] == "4" and "klerek" in detail["pasal"]["text"].lower()
    assert detail["pasal"]["label"].endswith("Pasal 4")
    assert http.get("/v1/documents/permenpan-rb-45-2022").json()["pasal"] is None
    assert_clean_error(http.get("/v1/documents/tidak-ada-2099"), 404)
    assert_clean_error(http.get("/v1/documents/permenpan-rb-45-2022", params={"pasal": "999"}), 404)
    r = http.get("/v1/documents/..%2F..%2Fetc")
    assert_clean_error(r, r.status_code) and r.status_code in (404, 422)
    assert_clean_error(http.get("/v1/documents/Bad_ID"), 422)


def test_admin_routes_closed_without_keys(http):
    err = assert_clean_error(http.delete("/v1/documents/permenpan-rb-45-2022"), 403)
    assert "admin" in err["message"]
    files = {"file": ("x.md", b"# x", "text/markdown")}
    assert_clean_error(http.post("/v1/documents", files=files), 403)


# ---- feedback ----------------------------------------------------------------------------------

def test_feedback_roundtrip_and_validation(http, server):
    answer_id = http.post("/v1/ask", json={"question": QUESTION}).json()["answer_id"]
    resp = http.post("/v1/feedback", json={"answer_id": answer_id, "rating": "up", "comment": "Tepat, terima kasih"})
    assert resp.status_code == 201 and resp.json()["ok"] is True
    assert http.post("/v1/feedback", json={"answer_id": answer_id, "rating": -1}).status_code == 201
    store = server.app.state.store
    rows = store.feedback_for(answer_id)
    assert [(r["rating"], r["comment"]) for r in rows] == [(1, "Tepat, terima kasih"), (-1, None)]
    assert_clean_error(http.post("/v1/feedback", json={"answer_id": "tidakada", "rating": "up"}), 404)
    assert_clean_error(http.post("/v1/feedback", json={"answer_id": answer_id, "rating": "bagus"}), 422)
    assert_clean_error(http.post("/v1/feedback", json={"answer_id": "../x", "rating": "up"}), 422)
    assert_clean_error(http.post("/v1/feedback", json={"answer_id": answer_id, "rating": 1, "comment": "x" * 2001}), 422)


def test_logging_is_safe_under_concurrency(http, server):
    def ask(i):
        r = http.post("/v1/ask", json={"question": f"{QUESTION} ({i})"})
        r.raise_for_status()
        aid = r.json()["answer_id"]
        f = http.post("/v1/feedback", json={"answer_id": aid, "rating": "up" if i % 2 else "down"})
        f.raise_for_status()
        return aid

    with cf.ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(ask, range(16)))
    store = server.app.state.store
    assert store.journal_mode() == "wal"
    for aid in ids:
        assert store.get_answer(aid) is not None
        assert len(store.feedback_for(aid)) == 1


def test_feedback_persists_across_restart(assistant, shipped_settings, tmp_path):
    settings = app_settings(shipped_settings, tmp_path)
    with start_server(settings, assistant) as first:
        answer_id = httpx.post(f"{first.url}/v1/ask", json={"question": QUESTION}, timeout=60).json()["answer_id"]
        r = httpx.post(f"{first.url}/v1/feedback", json={"answer_id": answer_id, "rating": "down",
                                                         "comment": "Kurang lengkap"}, timeout=30)
        assert r.status_code == 201
    with start_server(settings, assistant) as second:
        # the answer logged before the restart is still known, and its feedback still there
        r = httpx.post(f"{second.url}/v1/feedback", json={"answer_id": answer_id, "rating": "up"}, timeout=30)
        assert r.status_code == 201
    rows = FeedbackStore(database_url(settings)).feedback_for(answer_id)
    assert [(r["rating"], r["comment"]) for r in rows] == [(-1, "Kurang lengkap"), (1, None)]


# ---- admin: upload and delete ------------------------------------------------------------------

ADMIN_KEY = "kunci-admin-uji-123"
UPLOAD_MD = """---
doc_id: perwal-contoh-99-2024
jenis: Peraturan Wali Kota
singkatan: Perwal Contoh Nomor 99 Tahun 2024
nomor: "99"
tahun: 2024
judul: Uji Unggah Dokumen Asisten
status: berlaku
resmi: false
---

# Peraturan Wali Kota Contoh Nomor 99 Tahun 2024 tentang Uji Unggah Dokumen Asisten

## Pasal 1

Setiap perangkat daerah wajib menyusun peta jabatan zamrud paling lambat tiga bulan.
"""


@pytest.fixture()
def admin_server(tmp_path, model_cache, embeddings):
    """A small corpus of its own (uploads write into the corpus dir), with an admin key."""
    import shutil

    from conftest import CORPUS, make_settings

    from assistant.service import build_assistant
    from ingest.pipeline import run_ingest

    corpus = tmp_path / "corpus" / "ringkasan"
    corpus.mkdir(parents=True)
    shutil.copy(CORPUS / "ringkasan" / "permenpan-rb-45-2022.md", corpus)
    settings = make_settings(tmp_path / "data", model_cache, corpus_dir=tmp_path / "corpus",
                             api_keys=f"{ADMIN_KEY}:admin,kunci-tanya-uji-123:ask", max_upload_mb=1)
    run_ingest(settings, embeddings=embeddings)
    with start_server(settings, build_assistant(settings)) as srv:
        yield srv


def test_admin_upload_and_delete(admin_server, tmp_path):
    url = admin_server.url
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    ask_only = {"X-API-Key": "kunci-tanya-uji-123"}
    files = {"file": ("../../etc/passwd.md", UPLOAD_MD.encode(), "text/markdown")}
    assert_clean_error(httpx.post(f"{url}/v1/documents", files=files, headers=ask_only), 403)
    r = httpx.post(f"{url}/v1/documents", files=files, headers=admin, timeout=120)
    assert r.status_code == 201, r.text
    assert r.json()["ok"] is True
    uploaded = list((tmp_path / "corpus").rglob("*.md"))
    assert all(p.resolve().is_relative_to((tmp_path / "corpus").resolve()) for p in uploaded)
    assert not any(p.name == "passwd.md" for p in uploaded)
    docs = httpx.get(f"{url}/v1/documents", headers=admin).json()["documents"]
    assert "perwal-contoh-99-2024" in {d["doc_id"] for d in docs}
    body = httpx.post(f"{url}/v1/ask", json={"question": "Kapan peta jabatan zamrud wajib disusun?"},
                      headers=ask_only, timeout=60).json()
    assert any(c["doc_id"] == "perwal-contoh-99-2024" for c in body["citations"])

    bad = {"file": ("skrip.exe", b"MZ...", "application/octet-stream")}
    assert_clean_error(httpx.post(f"{url}/v1/documents", files=bad, headers=admin), 415)
    big = {"file": ("besar.txt", b"a" * (2 * 1024 * 1024), "text/plain")}
    assert_clean_error(httpx.post(f"{url}/v1/documents", files=big, headers=admin), 413)
    broken = {"file": ("rusak.pdf", b"%PDF-1.4 bukan pdf", "application/pdf")}
    err = assert_clean_error(httpx.post(f"{url}/v1/documents", files=broken, headers=admin, timeout=60), 422)
    assert "rusak" in err["message"]
    meta = {"file": ("x.md", b"# x", "text/markdown")}
    assert_clean_error(httpx.post(f"{url}/v1/documents", files=meta, data={"metadata": "{bukan json"},
                                  headers=admin), 422)

    assert_clean_error(httpx.delete(f"{url}/v1/documents/perwal-contoh-99-2024", headers=ask_only), 403)
    r = httpx.delete(f"{url}/v1/documents/perwal-contoh-99-2024", headers=admin, timeout=120)
    assert r.status_code == 200, r.text
    docs = httpx.get(f"{url}/v1/documents", headers=admin).json()["documents"]
    assert "perwal-contoh-99-2024" not in {d["doc_id"] for d in docs}
    assert_clean_error(httpx.delete(f"{url}/v1/documents/perwal-contoh-99-2024", headers=admin), 404)
