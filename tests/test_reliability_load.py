"""Load: 16 concurrent clients against a real server process on 127.0.0.1 for a bounded time.

Each client asks (every question unique, so no answer comes from the query-embedding cache), rates
the answer through /v1/feedback, and thinks for a moment (ASISTEN_LOAD_THINK_S, default 2 s,
randomised ±50%) before the next question. Proven: zero errors; no slowdown over the run — the
median latency of the questions asked in the last third is within 1.5x (+0.1 s) of the first
third's (on 2 cores, 16 clients queue behind each other, so their latency against one client's
alone measures the queue, not a slowdown; one client's figures are recorded for the report); no
memory growth of the server process across the run
(RSS via psutil, from the end of the warm-up: a quarter of the run, at least 10 s); every answer and every feedback written
concurrently is in the database (SQLite in the data dir) afterwards.

ASISTEN_LOAD_SECONDS (default 20 in the suite; 60 for the figures in docs/reliability.md) and
ASISTEN_LOAD_CLIENTS (default 16) set the run.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest
from conftest import free_port, stop_process, wait_for_port

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts" / "reliability"
DURATION = float(os.environ.get("ASISTEN_LOAD_SECONDS", "20"))
CLIENTS = int(os.environ.get("ASISTEN_LOAD_CLIENTS", "16"))
THINK = float(os.environ.get("ASISTEN_LOAD_THINK_S", "2.0"))
KEY = "kunci-beban-12345"
HEADERS = {"X-API-Key": KEY}
MEMORY_MARGIN = 64 * 1024 * 1024  # allocator noise of a torch process; a leak grows past it


def questions() -> list[str]:
    out = []
    for name in ("dev.jsonl", "test.jsonl"):
        for line in (REPO / "evals" / "questions" / name).read_text("utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["question"])
    return out


class UniqueQuestions:
    """Real questions from the eval sets, each made unique by a polite suffix (thread-safe)."""

    SUFFIXES = ("Mohon penjelasannya.", "Terima kasih.", "Mohon dibantu.", "Sekalian dasar hukumnya.")

    def __init__(self, seed: int):
        self.items = questions()
        random.Random(seed).shuffle(self.items)
        self.n = 0
        self.lock = threading.Lock()

    def next(self) -> str:
        with self.lock:
            self.n += 1
            n = self.n
        base = self.items[n % len(self.items)]
        return f"{base} {self.SUFFIXES[(n // len(self.items)) % len(self.SUFFIXES)]} (pertanyaan ke-{n})"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


@pytest.fixture(scope="module")
def server_process(shipped_settings, tmp_path_factory):
    """`asisten serve` in its own process over a copy of the shipped index (its RSS is the server's)."""
    root = tmp_path_factory.mktemp("rel-load")
    shutil.copytree(shipped_settings.index_dir, root / "data" / "index")
    shutil.copytree(shipped_settings.chroma_dir, root / "data" / "chroma")
    port = free_port()
    env = {**os.environ, "ASISTEN_DATA_DIR": str(root / "data"), "ASISTEN_CORPUS_DIR": str(shipped_settings.corpus_dir),
           "ASISTEN_MODEL_CACHE": str(shipped_settings.model_cache), "ASISTEN_API_KEYS": f"{KEY}:ask",
           "ASISTEN_RATE_LIMIT_PER_MINUTE": "1000000", "ASISTEN_UI_ACCESS": "open"}
    log = open(root / "server.log", "w")
    # The real `asisten serve` (its threads, its settings), as staff and portals reach it.
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, 120, proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while httpx.get(url + "/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline and proc.poll() is None, "server not ready"
            time.sleep(0.3)
        yield url, proc, root / "data" / "asisten.sqlite3", root / "server.log"
    finally:
        stop_process(proc)
        log.close()


def test_sixteen_clients_no_errors_no_slowdown_no_leak_nothing_lost(server_process):
    url, proc, db_path, log_path = server_process
    server = psutil.Process(proc.pid)
    asked = UniqueQuestions(seed=8)

    # One client alone: the reference latency (after a short warm-up of the code paths).
    with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
        for _ in range(3):
            assert client.post("/v1/ask", json={"question": asked.next()}).status_code == 200
        single = []
        for _ in range(30):
            started = time.perf_counter()
            r = client.post("/v1/ask", json={"question": asked.next()})
            single.append(time.perf_counter() - started)
            assert r.status_code == 200, r.text

    lock = threading.Lock()
    latencies: list[float] = []
    timed: list[tuple[float, float]] = []  # (seconds into the run when asked, latency)
    errors: list[str] = []
    answers: set[str] = set()
    feedback: dict[int, tuple[str, str]] = {}
    rss: list[tuple[float, int]] = []
    start = time.monotonic()
    start_perf = time.perf_counter()
    stop_at = start + DURATION

    def client_loop(index: int) -> None:
        rng = random.Random(index)
        # Sixteen people at their desks, not one synchronised burst: each starts within a think time.
        time.sleep(THINK * rng.uniform(0.0, 1.0))
        with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
            seq = 0
            while time.monotonic() < stop_at:
                seq += 1
                try:
                    t = time.perf_counter()
                    r = client.post("/v1/ask", json={"question": asked.next()})
                    elapsed = time.perf_counter() - t
                    if r.status_code != 200:
                        raise AssertionError(f"ask {r.status_code}: {r.text[:200]}")
                    answer_id = r.json()["answer_id"]
                    comment = f"klien {index} ke-{seq}"
                    f = client.post("/v1/feedback", json={"answer_id": answer_id, "rating": rng.choice(["up", "down"]),
                                                          "comment": comment})
                    if f.status_code != 201:
                        raise AssertionError(f"feedback {f.status_code}: {f.text[:200]}")
                    with lock:
                        latencies.append(elapsed)
                        timed.append((t - start_perf, elapsed))
                        answers.add(answer_id)
                        feedback[f.json()["feedback_id"]] = (answer_id, comment)
                except Exception as exc:  # noqa: BLE001 - every failure is counted, none ends the run
                    with lock:
                        errors.append(repr(exc)[:300])
                time.sleep(THINK * rng.uniform(0.5, 1.5))

    def sample_memory() -> None:
        while time.monotonic() < stop_at + 1:
            rss.append((time.monotonic() - start, server.memory_info().rss))
            time.sleep(0.5)

    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(CLIENTS)]
    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(DURATION + 120)
    sampler.join(10)
    assert not any(t.is_alive() for t in threads), "a client hung"

    # Memory: from the end of the warm-up (the model's and the threadpool's first allocations) to the end.
    warm = [v for s, v in rss if s >= max(DURATION / 4, min(10.0, DURATION / 2))] or [v for _, v in rss]
    rss_start, rss_end, rss_peak = warm[0], statistics.median(warm[-4:]), max(v for _, v in rss)
    growth = rss_end - rss_start

    # Slowdown: the same load late in the run against early in the run (by when a question was asked).
    third = DURATION / 3
    early = [lat for at, lat in timed if at < third]
    late = [lat for at, lat in timed if at >= 2 * third]

    # Persistence: every answer and every feedback is in the database.
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    logged = {row[0] for row in conn.execute("SELECT answer_id FROM answers")}
    rows = {row[0]: (row[1], row[2]) for row in conn.execute("SELECT feedback_id, answer_id, comment FROM feedback")}
    conn.close()

    figures = {
        "clients": CLIENTS, "seconds": DURATION, "think_s": THINK,
        "requests": len(latencies), "feedback_written": len(feedback), "errors": len(errors),
        "throughput_per_s": round(len(latencies) / DURATION, 2),
        "single_client": {"p50_s": round(statistics.median(single), 3), "p95_s": round(p95(single), 3)},
        "under_load": {"p50_s": round(statistics.median(latencies), 3) if latencies else None,
                       "p95_s": round(p95(latencies), 3) if latencies else None,
                       "max_s": round(max(latencies), 3) if latencies else None},
        "first_third": {"requests": len(early), "p50_s": round(statistics.median(early), 3) if early else None,
                        "p95_s": round(p95(early), 3) if early else None},
        "last_third": {"requests": len(late), "p50_s": round(statistics.median(late), 3) if late else None,
                       "p95_s": round(p95(late), 3) if late else None},
        "rss_mb": {"after_warmup": round(rss_start / 2**20, 1), "end": round(rss_end / 2**20, 1),
                   "peak": round(rss_peak / 2**20, 1), "growth": round(growth / 2**20, 1)},
        "rss_timeline_mb": [(round(s), round(v / 2**20)) for s, v in rss[::4]],
        "answers_missing_in_log": len(answers - logged),
        "feedback_missing_in_log": sum(1 for fid, v in feedback.items() if rows.get(fid) != v),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"load-{int(DURATION)}s.json").write_text(json.dumps(figures, indent=1), "utf-8")

    assert not errors, errors[:5]
    assert len(latencies) >= CLIENTS, figures
    assert "Traceback" not in log_path.read_text("utf-8", errors="replace")
    assert figures["answers_missing_in_log"] == 0 and figures["feedback_missing_in_log"] == 0, figures
    assert len(rows) == len(feedback), figures  # nothing more, nothing less
    assert len(early) >= 3 and len(late) >= 3, figures
    assert statistics.median(late) <= 1.5 * statistics.median(early) + 0.1, figures
    assert growth <= max(MEMORY_MARGIN, 0.05 * rss_start), figures
