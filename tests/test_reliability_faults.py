"""Faults: kill -9 of the API server in the middle of an upload; the Chroma server stopped (and
started again) while the API runs; a damaged manifest or chunk file found at server start and
rebuilt, from the corpus or from Chroma, with a log line. (kill -9 during `asisten ingest` is
tests/test_pipeline.py::test_kill_during_ingest_leaves_previous_index_whole.)"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from api_server import ServerThread, start_server
from chroma_process import ChromaProcess
from conftest import CORPUS, free_port, make_settings, wait_for_port
from artifacts import record

from assistant.index import IndexStore

pytestmark = pytest.mark.server

ADMIN_KEY = "kunci-admin-fault-12345"
ADMIN = {"X-API-Key": ADMIN_KEY}
QUESTION = "Apa saja klasifikasi jabatan pelaksana?"
SMALL = ["ringkasan/permenpan-rb-45-2022.md", "ringkasan/permenpan-rb-34-2011.md", "glosarium-penyederhanaan-birokrasi.md"]


def small_corpus(root: Path) -> Path:
    for rel in SMALL:
        dst = root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(next(CORPUS.rglob(Path(rel).name)), dst)
    return root


def big_document(pasal: int = 30) -> bytes:
    """One regulation of `pasal` Pasal x 6 ayat: some seconds of embedding on this machine."""
    body = "\n\n".join(
        f"## Pasal {p}\n\n" + "\n\n".join(
            f"({a}) Ketentuan pengujian {p}-{a} mengatur tata kelola arsip jabatan unit kerja ke-{a} "
            f"beserta pelaporan berkala kepada Sekretaris Daerah paling lambat {a + p} hari kerja."
            for a in range(1, 7))
        for p in range(1, pasal + 1))
    return ("---\ndoc_id: perwal-besar-1-2025\njenis: Peraturan Wali Kota\nnomor: '1'\ntahun: 2025\n"
            "judul: Dokumen Besar Uji Kill\nstatus: berlaku\n---\n\n# Perwal Besar 1 2025\n\n" + body + "\n").encode()


def state_of(settings) -> tuple[int, list[str]]:
    state = IndexStore(settings).state()
    return state.generation, list(state.ids)


def wait_ready(url: str, timeout: float = 90.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            r = httpx.get(url + "/readyz", timeout=10)
            if r.status_code == 200 or time.monotonic() > deadline:
                return r
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


def _record(name: str, data) -> None:
    record("faults.json", name, data)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory, model_cache, embeddings):
    """A small corpus, indexed once (embedded Chroma); tests copy it before damaging anything."""
    from ingest.pipeline import run_ingest

    root = tmp_path_factory.mktemp("rel-faults")
    settings = make_settings(root / "data", model_cache, corpus_dir=small_corpus(root / "corpus"))
    assert run_ingest(settings, embeddings=embeddings).committed
    return settings


def copy_index(small_index, target: Path, **extra):
    shutil.copytree(small_index.data_dir, target / "data")
    shutil.copytree(small_index.corpus_dir, target / "corpus")
    return make_settings(target / "data", small_index.model_cache, corpus_dir=target / "corpus", **extra)


# ---- kill -9 during an upload -------------------------------------------------------------------

SERVE = (
    "import sys, uvicorn\n"
    "from assistant.api.app import create_app\n"
    "uvicorn.run(create_app(ui=False), host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')\n"
)


def test_kill_9_during_an_upload_leaves_the_previous_index_intact(small_index, tmp_path):
    settings = copy_index(small_index, tmp_path, api_keys=f"{ADMIN_KEY}:admin")
    before = state_of(settings)
    port = free_port()
    env = {**os.environ, "ASISTEN_DATA_DIR": str(settings.data_dir), "ASISTEN_CORPUS_DIR": str(settings.corpus_dir),
           "ASISTEN_MODEL_CACHE": str(settings.model_cache), "ASISTEN_API_KEYS": f"{ADMIN_KEY}:admin"}
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    result: dict = {}
    try:
        wait_for_port(port, 90, proc)
        url = f"http://127.0.0.1:{port}"
        assert wait_ready(url).status_code == 200

        def send():
            try:
                result["response"] = httpx.post(url + "/v1/documents", headers=ADMIN, timeout=300,
                                                files={"file": ("besar.md", big_document(150), "text/markdown")})
            except httpx.TransportError as exc:
                result["error"] = exc

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        # Kill the moment the upload has entered the corpus and its ingest is embedding (the file is
        # in corpus/unggahan/, the manifest not yet replaced): the worst moment, found by watching.
        uploads = settings.corpus_dir / "unggahan"
        manifest = settings.index_dir / "manifest.json"
        stamp = manifest.stat().st_mtime_ns
        deadline = time.monotonic() + 120
        while not (uploads.is_dir() and any(not p.name.startswith(".") for p in uploads.iterdir())):
            assert time.monotonic() < deadline and sender.is_alive(), f"the upload never entered the corpus ({result})"
            time.sleep(0.01)
        time.sleep(0.5)  # some of its vectors are written
        assert manifest.stat().st_mtime_ns == stamp, "the ingest committed before the kill; give it more work"
        assert sender.is_alive() and proc.poll() is None, f"the upload finished before the kill ({result}); give it more work"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        sender.join(30)
        assert "error" in result and "response" not in result
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        log.close()

    # The committed index is the one before the upload; a reader sees exactly that.
    assert state_of(settings) == before
    store = IndexStore(settings)
    assert store.manifest_ok()
    assert not any(c.doc_id == "perwal-besar-1-2025" for c in store.state().chunks)
    orphans = set(store.collection().get(include=[])["ids"]) - set(before[1])
    from assistant.service import build_assistant

    answer = build_assistant(settings).ask(QUESTION)
    assert answer.found and answer.citations[0].doc_id == "permenpan-rb-45-2022"
    assert all(c.chunk_id in {cid.split("@")[0] for cid in before[1]} for c in answer.citations)

    # The next ingest takes the stored upload in and collects the killed run's vectors.
    from ingest.pipeline import run_ingest

    report = run_ingest(settings)
    after = IndexStore(settings)
    assert report.committed and "perwal-besar-1-2025" in after.state().documents
    assert set(after.collection().get(include=[])["ids"]) == set(after.state().ids)
    _record("kill -9 during upload", {"killed_after_s": 3.0, "vectors_written_before_kill": len(orphans),
                                      "generation_before": before[0], "generation_after_kill": state_of(settings)[0] - 1,
                                      "live_chunks_before": len(before[1]), "lost": 0})


# ---- Chroma server stopped while the API runs ---------------------------------------------------

def test_chroma_server_down_then_back(tmp_path, model_cache, embeddings, monkeypatch):
    import assistant.index as index_module
    from assistant.service import build_assistant
    from ingest.pipeline import run_ingest

    port = free_port()
    chroma = ChromaProcess(tmp_path / "chroma", port).start()
    try:
        settings = make_settings(tmp_path / "data", model_cache, corpus_dir=small_corpus(tmp_path / "corpus"),
                                 chroma_url=f"http://127.0.0.1:{port}", rate_limit_per_minute=10_000)
        assert run_ingest(settings, embeddings=embeddings).committed
        with start_server(settings, build_assistant(settings)) as api, httpx.Client(base_url=api.url, timeout=30) as http:
            assert wait_ready(api.url).status_code == 200
            first = http.post("/v1/ask", json={"question": QUESTION}).json()
            assert first["found"]

            chroma.stop()  # kill -9: no goodbye to the clients
            # A small index is compared exactly from the vectors it already read: its answers go on,
            # the same ones, while /readyz says Chroma is down.
            r = http.post("/v1/ask", json={"question": QUESTION})
            assert r.status_code == 200 and r.json()["citations"][0]["chunk_id"] == first["citations"][0]["chunk_id"]
            # An index too large for that asks Chroma for every search: refused, clearly.
            monkeypatch.setattr(index_module, "EXACT_LIMIT", 0)
            ready = http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["chroma"] is False and ready.json()["ready"] is False and ready.json()["message"]
            down_answers = []
            for _ in range(3):
                started = time.perf_counter()
                r = http.post("/v1/ask", json={"question": QUESTION})
                down_answers.append(round(time.perf_counter() - started, 2))
                assert r.status_code == 503, r.text
                err = r.json()["error"]
                assert err["code"] == "index_unavailable" and "Chroma" in err["message"]
                assert "coba lagi" in err["message"] and "Traceback" not in r.text
            assert max(down_answers) < 10  # refused promptly, not hanging
            s = http.get("/v1/search", params={"q": "klerek"})
            assert s.status_code == 503 and s.json()["error"]["message"]
            assert http.get("/healthz").status_code == 200  # the process itself is fine

            chroma = ChromaProcess(tmp_path / "chroma", port).start()  # same data, same port
            back_started = time.monotonic()
            deadline = back_started + 60
            while (r := http.post("/v1/ask", json={"question": QUESTION})).status_code != 200:
                assert r.status_code == 503 and time.monotonic() < deadline, r.text
                time.sleep(0.5)
            recovered_s = time.monotonic() - back_started
            assert r.json()["found"] and r.json()["citations"]
            assert http.get("/readyz").status_code == 200
        _record("chroma down and back", {"answers_while_down_s": down_answers, "status_while_down": 503,
                                         "service_back_after_restart_s": round(recovered_s, 2)})
    finally:
        chroma.stop()


# ---- damaged manifest / chunk file at start -----------------------------------------------------

def _start_loading(settings) -> ServerThread:
    """The app as `asisten serve` builds it: the assistant loads (and recovers) in the background."""
    from assistant.api import create_app

    return ServerThread(create_app(settings, ui=False)).start()


def _damage(settings, what: str) -> None:
    index = settings.index_dir
    if what == "manifest truncated":
        manifest = index / "manifest.json"
        manifest.write_text(manifest.read_text("utf-8")[:300], "utf-8")
    elif what == "manifest not JSON":
        (index / "manifest.json").write_bytes(b"\x00\x00garbage\xff")
    elif what == "chunks file corrupted":
        chunks = next(index.glob("chunks-*.jsonl"))
        raw = bytearray(chunks.read_bytes())
        raw[len(raw) // 2: len(raw) // 2 + 64] = b"#" * 64
        chunks.write_bytes(bytes(raw))
    elif what == "chunks file missing":
        next(index.glob("chunks-*.jsonl")).unlink()
    else:
        raise AssertionError(what)


def _drop_shared_state(settings) -> None:
    """As if Chroma had been written before the shared state existed: vectors only."""
    from assistant.index import STATE_SUFFIX, collection_name

    IndexStore(settings).client().delete_collection(collection_name(settings) + STATE_SUFFIX)


@pytest.mark.parametrize("damage,source", [
    ("manifest truncated", "shared"),
    ("chunks file corrupted", "shared"),
    ("chunks file missing", "shared"),
    ("manifest truncated", "corpus"),
    ("manifest not JSON", "chroma"),
])
def test_damaged_index_is_detected_and_rebuilt_at_start(small_index, tmp_path, caplog, damage, source):
    settings = copy_index(small_index, tmp_path)
    before_gen, before_ids = state_of(settings)
    _damage(settings, damage)
    assert not IndexStore(settings).manifest_ok()
    if source != "shared":  # the shared state is lost too: rebuilt from the corpus or the vectors
        _drop_shared_state(settings)
    if source == "chroma":  # the corpus is not on this machine: rebuilt from what Chroma holds
        settings = settings.model_copy(update={"corpus_dir": tmp_path / "no-corpus"})
    caplog.set_level(logging.WARNING, logger="assistant.api")
    caplog.set_level(logging.WARNING, logger="assistant.index")
    started = time.monotonic()
    with _start_loading(settings) as api:
        ready = wait_ready(api.url)
        assert ready.status_code == 200, ready.text
        seconds = time.monotonic() - started
        r = httpx.post(api.url + "/v1/ask", json={"question": QUESTION}, timeout=60)
        assert r.status_code == 200 and r.json()["found"], r.text
        assert r.json()["citations"][0]["doc_id"] == "permenpan-rb-45-2022"
    if source == "shared":  # the local files are a cache: refilled from the shared state in Chroma
        messages = [rec.getMessage() for rec in caplog.records if rec.name == "assistant.index"]
        assert any("salinan lokal indeks rusak" in m and "dimuat ulang dari Chroma" in m for m in messages), messages
    else:
        messages = [rec.getMessage() for rec in caplog.records if rec.name == "assistant.api"]
        assert any("indeks rusak terdeteksi" in m for m in messages), messages
        assert any(f"dibangun ulang dari {'korpus' if source == 'corpus' else 'isi Chroma'}" in m for m in messages), messages
        assert any("indeks dipulihkan" in m for m in messages), messages
    state = IndexStore(settings).state()
    assert sorted(state.ids) == sorted(before_ids)  # the same chunks, nothing lost, nothing stale
    assert state.generation >= before_gen and IndexStore(settings).manifest_ok()
    _record(f"damaged: {damage} ({source})", {"rebuilt_from": source, "ready_after_s": round(seconds, 2),
                                              "chunks_before": len(before_ids), "chunks_after": len(state.ids),
                                              "log": [m for m in messages if "indeks" in m]})


def test_damaged_index_without_recovery_says_so(small_index, tmp_path):
    """With no recovery wired in (the holder on its own), the damage is a clear 503, not garbage."""
    from assistant.api.holder import AssistantHolder

    settings = copy_index(small_index, tmp_path)
    _damage(settings, "manifest truncated")
    _drop_shared_state(settings)
    holder = AssistantHolder(settings)
    holder.start()
    with pytest.raises(Exception) as info:
        holder.get(timeout=120)
    assert "rusak" in getattr(info.value, "message", str(info.value))
