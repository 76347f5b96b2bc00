"""Shared, expensive fixtures: the embedding model, an index of the shipped corpus, servers."""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, grace: float = 20.0) -> None:
    """SIGTERM, then SIGKILL if it has not ended after `grace` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(20)


def wait_for_port(port: int, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """The bundled model, rebuilt once per test session (a few seconds)."""
    from assistant.bundled_model import ensure_bundled_model

    cache = tmp_path_factory.mktemp("models")
    ensure_bundled_model(cache)
    return cache


@pytest.fixture(scope="session")
def embeddings(model_cache):
    from assistant.embeddings import get_embeddings

    return get_embeddings(Settings(model_cache=model_cache))


def make_settings(data_dir: Path, model_cache: Path, corpus_dir: Path = CORPUS, **extra) -> Settings:
    return Settings(data_dir=data_dir, corpus_dir=corpus_dir, model_cache=model_cache, **extra)


@pytest.fixture(scope="session")
def shipped_settings(tmp_path_factory, model_cache, embeddings) -> Settings:
    """An index of the shipped corpus, built once per session; tests must not modify it."""
    from ingest.pipeline import run_ingest

    settings = make_settings(tmp_path_factory.mktemp("shipped"), model_cache)
    report = run_ingest(settings, embeddings=embeddings)
    assert not report.rejected, report.rejected
    return settings


@pytest.fixture(scope="session")
def assistant(shipped_settings):
    from assistant.service import build_assistant

    return build_assistant(shipped_settings)


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the shipped corpus for tests that change files."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on 127.0.0.1."""
    exe = Path(sys.executable).parent / "chroma"
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path.parent / f"chroma-{port}.log", "w")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, 60, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc, 10)
        log.close()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on 127.0.0.1 (tests/pg_server.py), one per session."""
    from pg_server import start_postgres

    server = start_postgres(free_port())
    try:
        yield server
    finally:
        server.stop()


# ---- exit ----------------------------------------------------------------------------------------
# Twice in ~10 full runs the interpreter crashed with SIGSEGV *after* pytest had printed its summary
# (all tests passed; native ONNX Runtime / torch threads torn down during finalisation), turning a
# green run red. Once every plugin has finished (trylast), the run exits with pytest's own status
# without interpreter finalisation; faulthandler (PYTHONFAULTHANDLER=1 in .ci/run) still reports any
# crash that happens while tests run.
_EXIT_STATUS: dict[str, int] = {}


def pytest_sessionfinish(session, exitstatus):
    _EXIT_STATUS["status"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    if "status" in _EXIT_STATUS and os.environ.get("ASISTEN_TEST_SKIP_FINALIZE", "1") == "1":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS["status"])
