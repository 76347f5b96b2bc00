"""Scale-out with real parts: one `chroma run` server, one PostgreSQL, two `asisten serve` processes
(replicas A and B, as on two machines: separate data dirs and corpus folders, the same Chroma server
and ASISTEN_DATABASE_URL). Replica B starts empty and must serve what A indexed; uploads, deletes
and feedback on either replica reach the other; parallel uploads lose nothing (vectors counted per
document in Chroma); Chroma killed and started again gives 503 + Retry-After, then recovery; a
replica killed -9 in the middle of an upload leaves the shared index whole.

The tests run in file order against one module-scoped cluster. Figures go to
test-artifacts/reliability/cluster.json (docs/deployment.md quotes them).
"""
from __future__ import annotations

import concurrent.futures as cf
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
import sqlalchemy as sa
from artifacts import record
from chroma_process import ChromaProcess
from conftest import CORPUS, free_port, make_settings, wait_for_port

from assistant.index import IndexStore, collection_name

pytestmark = pytest.mark.server

ADMIN_KEY = "kunci-admin-klaster-12345"
HEADERS = {"X-API-Key": ADMIN_KEY}
SMALL = ["ringkasan/permenpan-rb-45-2022.md", "ringkasan/permenpan-rb-34-2011.md",
         "glosarium-penyederhanaan-birokrasi.md"]
QUESTION = "Apa saja klasifikasi jabatan pelaksana?"
SEE_WITHIN_S = 10.0
REPO = Path(__file__).resolve().parent.parent


def figure(name: str, data) -> None:
    record("cluster.json", name, data)


# ---- the parts -----------------------------------------------------------------------------------

class Replica:
    """`asisten serve` in its own process, with its own data dir and corpus folder."""

    def __init__(self, name: str, root: Path, env: dict):
        self.name, self.root, self.port = name, root, free_port()
        self.data, self.corpus = root / "data", root / "corpus"
        self.corpus.mkdir(parents=True, exist_ok=True)
        self.env = {**env, "ASISTEN_DATA_DIR": str(self.data), "ASISTEN_CORPUS_DIR": str(self.corpus)}
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Replica":
        self.log = open(self.root / f"serve-{self.port}.log", "a")
        self.proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(self.port)],
                                     cwd=REPO, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, 90, self.proc)
        return self

    def wait_ready(self, timeout: float = 120.0) -> httpx.Response:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, f"replica {self.name} exited: {self.tail()}"
            try:
                r = httpx.get(self.url + "/readyz", timeout=10)
                if r.status_code == 200:
                    return r
            except httpx.TransportError:
                r = None
            assert time.monotonic() < deadline, f"replica {self.name} not ready: {r and r.text} {self.tail()}"
            time.sleep(0.3)

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=HEADERS, timeout=timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        self.log.close()

    def tail(self) -> str:
        path = self.root / f"serve-{self.port}.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def regulation(n: int, pasal: int = 3, topic: str | None = None) -> tuple[str, bytes]:
    """A small regulation with its own doc_id and words no other document uses."""
    topic = topic or f"kearsipan kelurahan nomor {n}"
    doc_id = f"perwal-klaster-{n}-2025"
    body = "\n\n".join(
        f"## Pasal {p}\n\n(1) Petugas {topic} wajib menyusun daftar arsip zona {n}-{p} setiap triwulan.\n\n"
        f"(2) Daftar arsip zona {n}-{p} disampaikan kepada Lurah paling lambat {p + n} hari kerja."
        for p in range(1, pasal + 1))
    text = (f"---\ndoc_id: {doc_id}\njenis: Peraturan Wali Kota\nnomor: '{n}'\ntahun: 2025\n"
            f"judul: Tata Kelola {topic.title()}\nstatus: berlaku\n---\n\n"
            f"# Peraturan Wali Kota Nomor {n} Tahun 2025\n\n{body}\n")
    return doc_id, text.encode("utf-8")


def upload(replica: Replica, n: int, **kw) -> httpx.Response:
    doc_id, data = regulation(n, **kw)
    with replica.client(timeout=180) as http:
        return http.post("/v1/documents", files={"file": (f"{doc_id}.md", data, "text/markdown")})


def doc_ids(replica: Replica) -> set[str]:
    with replica.client() as http:
        r = http.get("/v1/documents")
    assert r.status_code == 200, r.text
    return {d["doc_id"] for d in r.json()["documents"]}


def wait_until(check, timeout: float, what: str, step: float = 0.2):
    started = time.monotonic()
    while True:
        value = check()
        if value:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout} s"
        time.sleep(step)


# ---- the cluster ---------------------------------------------------------------------------------

class Cluster:
    def __init__(self, root: Path, chroma: ChromaProcess, db_url: str, settings, a: Replica, b: Replica):
        self.root, self.chroma, self.db_url, self.settings, self.a, self.b = root, chroma, db_url, settings, a, b
        self.engine = sa.create_engine(db_url)

    def store(self) -> IndexStore:
        """A fresh reader of the shared index (its own data dir: it knows only what Chroma says)."""
        return IndexStore(self.settings)

    def vectors_of(self, doc_id: str) -> int:
        got = self.store().collection().get(where={"doc_id": doc_id}, include=[])
        return len(got["ids"])

    def consistency(self) -> dict:
        """Every document of the shared head and how many of its live vectors Chroma holds."""
        store = self.store()
        state = store.refresh()
        present = store.existing_ids(state.ids)
        per_doc: dict[str, list[int]] = {}
        for cid, chunk in zip(state.ids, state.chunks):
            have = per_doc.setdefault(chunk.doc_id, [0, 0])
            have[0] += 1
            have[1] += cid in present
        return {"generation": state.generation, "documents": set(state.documents), "per_doc": per_doc}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres, model_cache, embeddings):
    from ingest.pipeline import run_ingest

    root = tmp_path_factory.mktemp("cluster")
    chroma = ChromaProcess(root / "chroma", free_port()).start()
    db_url = postgres.create_database("cluster")
    env = {
        **os.environ,
        "ASISTEN_CHROMA_URL": chroma.url, "ASISTEN_DATABASE_URL": db_url,
        "ASISTEN_MODEL_CACHE": str(model_cache), "ASISTEN_API_KEYS": f"{ADMIN_KEY}:admin",
        "ASISTEN_RATE_LIMIT_PER_MINUTE": "100000", "ASISTEN_INDEX_POLL_S": "1", "ASISTEN_UI_ACCESS": "open",
        "ASISTEN_DRIFT_CHECK_S": "1", "ASISTEN_RATE_LIMIT_SHARED": "true",
        "PYTHONPATH": str(REPO) + os.pathsep + str(REPO / "tests"),
    }
    a, b = Replica("A", root / "a", env), Replica("B", root / "b", env)
    for rel in SMALL:  # machine A has the corpus; machine B has nothing
        dst = a.corpus / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(next(CORPUS.rglob(Path(rel).name)), dst)
    seeded = make_settings(a.data, model_cache, corpus_dir=a.corpus, chroma_url=chroma.url, database_url=db_url)
    assert run_ingest(seeded, embeddings=embeddings).committed
    reader = make_settings(root / "reader", model_cache, corpus_dir=root / "reader-corpus",
                           chroma_url=chroma.url, database_url=db_url)
    c = Cluster(root, chroma, db_url, reader, a, b)
    started = time.monotonic()
    try:
        a.start(), b.start()
        a.wait_ready(), b.wait_ready()
        figure("replicas ready after start", {"seconds": round(time.monotonic() - started, 1)})
        yield c
    finally:
        for part in (a, b, c.chroma):
            try:
                part.kill()
            except Exception:  # noqa: BLE001 - teardown goes on
                pass
        c.engine.dispose()


# ---- the cases -----------------------------------------------------------------------------------

def test_an_empty_replica_serves_the_shared_index(cluster):
    assert not any(cluster.b.corpus.iterdir()), "machine B was meant to hold no corpus"
    ready_a, ready_b = cluster.a.wait_ready().json(), cluster.b.wait_ready().json()
    assert ready_b["generation"] == ready_a["generation"] >= 1
    assert ready_b["chunks"] == ready_a["chunks"] > 0 and not ready_b.get("missing_vectors")
    with cluster.b.client() as http:
        r = http.post("/v1/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["found"] and answer["citations"]
    assert answer["citations"][0]["doc_id"] == "permenpan-rb-45-2022"
    assert doc_ids(cluster.b) == doc_ids(cluster.a) == {"permenpan-rb-45-2022", "permenpan-rb-34-2011",
                                                         "glosarium-penyederhanaan-birokrasi"}


def test_an_upload_on_a_is_answered_by_b(cluster):
    r = upload(cluster.a, 1, topic="kearsipan kelurahan tanjungsari")
    assert r.status_code == 201, r.text
    uploaded = time.monotonic()
    doc_id = r.json()["doc_id"]

    def b_answers():
        with cluster.b.client() as http:
            got = http.post("/v1/ask", json={"question": "Kapan daftar arsip zona 1-2 kearsipan kelurahan "
                                                         "tanjungsari disampaikan kepada Lurah?"})
        assert got.status_code == 200, got.text
        return any(c["doc_id"] == doc_id for c in got.json()["citations"])

    wait_until(b_answers, SEE_WITHIN_S, "B answers from A's upload")
    seen_s = time.monotonic() - uploaded
    assert doc_id in doc_ids(cluster.b)
    with cluster.b.client() as http:
        hits = http.get("/v1/search", params={"q": "arsip zona 1-3 tanjungsari"}).json()
    assert any(h["doc_id"] == doc_id for h in hits["results"]), hits
    # the original is in the shared database, not only on A's disk
    with cluster.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT committed FROM uploads WHERE doc_id = :d"), {"d": doc_id}).all()
    assert rows == [(True,)]
    figure("B answers from A's upload", {"seconds_after_201": round(seen_s, 2), "limit_s": SEE_WITHIN_S})


def test_parallel_uploads_on_both_replicas_lose_nothing(cluster):
    rounds, conflicts, statuses, overlaps = 3, 0, [], []

    def send(replica, n):
        nonlocal conflicts
        for _ in range(6):
            started = time.monotonic()
            r = upload(replica, n, pasal=12)
            r.extensions["span"] = (started, time.monotonic())
            if r.status_code != 409:
                return r
            conflicts += 1  # retryable and nothing indexed: the client sends it again
            assert r.headers.get("Retry-After"), r.headers
            time.sleep(float(r.headers["Retry-After"]))
        return r

    with cf.ThreadPoolExecutor(2) as pool:
        for i in range(rounds):
            futures = [pool.submit(send, cluster.a, 10 + 2 * i), pool.submit(send, cluster.b, 11 + 2 * i)]
            spans = []
            for f in futures:
                r = f.result(timeout=300)
                statuses.append(r.status_code)
                assert r.status_code == 201, r.text
                spans.append(r.extensions["span"])
            # both requests were in flight at once (the case is about concurrent writers)
            overlaps.append(round(min(e for _, e in spans) - max(s for s, _ in spans), 2))
    expected = {f"perwal-klaster-{n}-2025" for n in range(10, 10 + 2 * rounds)}
    assert all(o > 0 for o in overlaps), overlaps
    state = cluster.consistency()
    assert expected <= state["documents"]
    counts = {d: cluster.vectors_of(d) for d in sorted(expected)}
    for d in expected:
        live, present = state["per_doc"][d]
        assert live > 0 and present == live, (d, live, present)
        assert counts[d] >= live
    for replica in (cluster.a, cluster.b):
        wait_until(lambda: expected <= doc_ids(replica), SEE_WITHIN_S, f"{replica.name} lists every upload")
    with cluster.engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT doc_id FROM uploads WHERE committed")).scalars())
    assert expected <= stored
    figure("parallel uploads", {"uploads": len(statuses), "status": sorted(set(statuses)), "retried_409": conflicts,
                                "overlap_of_the_two_requests_s": overlaps,
                                "vectors_per_doc_in_chroma": counts, "documents_without_vectors": 0})


def test_a_delete_on_b_reaches_a(cluster):
    doc_id = "perwal-klaster-1-2025"  # uploaded through A
    assert doc_id in doc_ids(cluster.a)
    with cluster.b.client() as http:
        r = http.delete(f"/v1/documents/{doc_id}")
    assert r.status_code == 200, r.text
    deleted = time.monotonic()
    wait_until(lambda: doc_id not in doc_ids(cluster.a), SEE_WITHIN_S, "A drops the document deleted on B")
    gone_s = time.monotonic() - deleted
    with cluster.a.client() as http:
        got = http.post("/v1/ask", json={"question": "Kapan daftar arsip zona 1-2 kearsipan kelurahan "
                                                     "tanjungsari disampaikan kepada Lurah?"}).json()
    assert all(c["doc_id"] != doc_id for c in got["citations"])
    assert cluster.vectors_of(doc_id) == 0
    with cluster.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM uploads WHERE doc_id = :d"), {"d": doc_id}).scalar() == 0
    figure("delete on B seen by A", {"seconds": round(gone_s, 2)})


def test_missing_vectors_are_reported_and_repaired(cluster):
    doc_id = "perwal-klaster-10-2025"
    state = cluster.store().refresh()
    lost = [cid for cid, c in zip(state.ids, state.chunks) if c.doc_id == doc_id][:5]
    cluster.store().delete_ids(lost)  # as if Chroma had lost them (a restore from an old backup)

    def reported(replica):
        body = httpx.get(replica.url + "/readyz", timeout=10).json()
        return body.get("missing_vectors") == len(lost) and "--repair" in (body.get("message") or "")

    for replica in (cluster.a, cluster.b):  # still serving (200), but saying so
        wait_until(lambda replica=replica: reported(replica), 15, f"{replica.name} reports the drift")
    env = {**cluster.a.env, "ASISTEN_DATA_DIR": str(cluster.root / "operator")}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", "--repair"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=180)
    repair_s = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(lost)} vektor dipasang kembali" in done.stdout, done.stdout
    after = cluster.consistency()
    assert all(p == live for live, p in after["per_doc"].values())
    for replica in (cluster.a, cluster.b):
        wait_until(lambda replica=replica: not httpx.get(replica.url + "/readyz", timeout=10).json().get("missing_vectors"),
                   15, f"{replica.name} clears the drift report")
    figure("missing vectors repaired", {"vectors_deleted": len(lost), "repair_command_s": round(repair_s, 1)})


def test_feedback_for_a_answer_through_b_is_stored_once(cluster):
    with cluster.a.client() as http:
        answer = http.post("/v1/ask", json={"question": QUESTION}).json()
    with cluster.b.client() as http:
        r = http.post("/v1/feedback", json={"answer_id": answer["answer_id"], "rating": "up", "comment": "lewat B"})
    assert r.status_code == 201, r.text
    with cluster.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT feedback_id, rating, comment FROM feedback WHERE answer_id = :a"),
                            {"a": answer["answer_id"]}).all()
        logged = conn.execute(sa.text("SELECT count(*) FROM answers WHERE answer_id = :a"),
                              {"a": answer["answer_id"]}).scalar()
    assert rows == [(r.json()["feedback_id"], 1, "lewat B")] and logged == 1


def test_chroma_killed_and_restarted(cluster):
    first = {}
    for replica in (cluster.a, cluster.b):  # each replica has read the current state's vectors
        with replica.client() as http:
            r = http.post("/v1/ask", json={"question": QUESTION})
        assert r.status_code == 200 and r.json()["found"], r.text
        first[replica.name] = r.json()["citations"][0]["chunk_id"]
    documents_before = doc_ids(cluster.a)
    cluster.chroma.kill()
    try:
        for replica in (cluster.a, cluster.b):
            with replica.client(timeout=30) as http:
                # A small index (<= EXACT_LIMIT chunks) is compared exactly from the vectors the
                # replica already holds: the same answer goes on while Chroma is down ...
                asked = time.monotonic()
                r = http.post("/v1/ask", json={"question": QUESTION})
                assert time.monotonic() - asked < 15
                assert r.status_code == 200, r.text
                assert r.json()["citations"][0]["chunk_id"] == first[replica.name]
                # ... /readyz says the dependency is down, so a balancer stops sending new work ...
                ready = http.get("/readyz")
                assert ready.status_code == 503 and int(ready.headers["Retry-After"]) >= 1
                assert ready.json()["chroma"] is False
                # ... and what needs Chroma (writing vectors) is refused loudly, nothing half-stored.
                doc_id, data = regulation(77)
                asked = time.monotonic()
                r = http.post("/v1/documents", files={"file": (f"{doc_id}.md", data, "text/markdown")})
                assert time.monotonic() - asked < 30
                assert r.status_code == 503, r.text
                assert int(r.headers["Retry-After"]) >= 1
                assert r.json()["error"]["code"] == "index_unavailable"
    finally:
        cluster.chroma.start()  # same folder, same port
    back = time.monotonic()
    for replica in (cluster.a, cluster.b):
        def answers(replica=replica):
            with replica.client() as http:
                r = http.post("/v1/ask", json={"question": QUESTION})
            assert r.status_code in (200, 503), r.text
            return r.status_code == 200 and r.json()["found"]

        wait_until(answers, 60, f"{replica.name} answers after Chroma is back", step=0.5)
        assert replica.wait_ready(30).status_code == 200
    assert doc_ids(cluster.a) == documents_before  # the refused uploads left nothing behind
    assert all(p == live for live, p in cluster.consistency()["per_doc"].values())
    figure("chroma killed and restarted", {"asks_while_down": 200, "uploads_while_down": 503, "retry_after": True,
                                           "both_answer_after_s": round(time.monotonic() - back, 2)})


def test_kill_9_of_a_replica_during_an_upload_leaves_the_shared_index_whole(cluster):
    before = cluster.consistency()
    count_before = cluster.store().collection().count()
    doc_id, data = regulation(99, pasal=150, topic="kearsipan kelurahan besar")
    result: dict = {}

    def send():
        try:
            with cluster.b.client(timeout=300) as http:
                result["response"] = http.post("/v1/documents", files={"file": ("besar.md", data, "text/markdown")})
        except httpx.TransportError as exc:
            result["error"] = exc

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    # kill when the original is stored and vectors are being written, before the commit
    collection = cluster.store().collection()
    wait_until(lambda: collection.count() > count_before + 20 or not sender.is_alive(), 120,
               "the upload writes vectors", step=0.05)
    assert sender.is_alive(), f"the upload finished before the kill ({result}); give it more work"
    written = collection.count() - count_before
    cluster.b.kill()
    sender.join(30)
    assert "error" in result and "response" not in result

    after = cluster.consistency()
    assert after["generation"] == before["generation"]
    assert doc_id not in after["documents"]
    for d, (live, present) in after["per_doc"].items():
        assert present == live, (d, live, present)  # no half document in the catalogue
    assert doc_id not in doc_ids(cluster.a)
    with cluster.engine.connect() as conn:
        assert not conn.execute(sa.text("SELECT committed FROM uploads WHERE doc_id = :d"), {"d": doc_id}).scalar()
    # A goes on writing: the dead writer's lease does not block it
    r = upload(cluster.a, 50)
    assert r.status_code == 201, r.text
    final = cluster.consistency()
    assert all(p == live for live, p in final["per_doc"].values())
    # B comes back and serves the same generation
    cluster.b.start()
    cluster.b.wait_ready()
    wait_until(lambda: doc_ids(cluster.b) == doc_ids(cluster.a), SEE_WITHIN_S, "B back in step with A")
    figure("kill -9 of a replica during an upload", {
        "vectors_written_before_kill": written, "generation_before": before["generation"],
        "generation_after_kill": after["generation"], "documents_in_catalogue": len(after["documents"]),
        "documents_missing_vectors": 0,
    })
