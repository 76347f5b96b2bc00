"""Fast start: with the ONNX backend serving, neither torch nor sentence-transformers is imported on
the serving path, and Gradio and the MCP server are built after start-up (assistant/late_app.py),
while "/" and /mcp keep working. The server is the real `asisten serve` in a subprocess on
127.0.0.1; a watcher thread inside it records sys.modules the moment /readyz first answers 200."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from conftest import REPO, free_port, stop_process

pytestmark = pytest.mark.server

HEAVY = ("torch", "sentence_transformers", "transformers", "sklearn", "gradio", "mcp")

WATCHED_SERVE = """
import json, sys, threading, time
import httpx

port, out = sys.argv[1], sys.argv[2]
started = time.monotonic()

def watch():
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    loaded = sorted({m.split('.')[0] for m in sys.modules})
    with open(out, "w") as f:
        json.dump({"ready_s": round(time.monotonic() - started, 2), "modules": loaded}, f)

threading.Thread(target=watch, daemon=True).start()
sys.argv = ["asisten", "serve", "--host", "127.0.0.1", "--port", port]
from assistant.cli import app
app()
"""


def _env(settings) -> dict:
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "ASISTEN_DATA_DIR": str(settings.data_dir), "ASISTEN_MODEL_CACHE": str(settings.models_dir),
        "ASISTEN_CORPUS_DIR": str(settings.corpus_dir), "ASISTEN_EMBEDDING_BACKEND": settings.embedding_backend,
        "ASISTEN_API_KEYS": "", "ASISTEN_INDEX_POLL_S": "0",
    })
    return env


def test_serving_path_imports_no_torch_and_builds_ui_later(shipped_settings, tmp_path):
    port = free_port()
    report = tmp_path / "ready.json"
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", WATCHED_SERVE, str(port), str(report)], env=_env(shipped_settings),
                            cwd=str(REPO), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not report.exists():
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "server not ready in 120 s"
            time.sleep(0.1)
        time.sleep(0.2)  # the watcher has finished writing
        ready = json.loads(report.read_text())
        assert ready["ready_s"] > 0
        assert "onnxruntime" in ready["modules"] and "chromadb" in ready["modules"]
        assert "torch" not in ready["modules"] and "sentence_transformers" not in ready["modules"]
        assert "transformers" not in ready["modules"] and "sklearn" not in ready["modules"]

        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            answer = http.post("/v1/ask", json={"question": "Apa isi Pasal 4 Permenpan RB Nomor 45 Tahun 2022?"})
            assert answer.status_code == 200 and answer.json()["citations"]
            page = http.get("/")  # waits for the lazily built chat page if it is not built yet
            assert page.status_code == 200 and "gradio" in page.text.lower()
            config = http.get("/config")
            assert config.status_code == 200 and config.json()["components"]
            assert http.get("/v1/nope").status_code == 404  # API routes keep precedence over "/"
            mcp = http.post("/mcp", headers={"Accept": "application/json, text/event-stream"}, json={
                "jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": "uji", "version": "1"}}})
            assert mcp.status_code == 200 and mcp.json()["result"]["serverInfo"]
    finally:
        stop_process(proc)
        log.close()
    assert "Traceback" not in (tmp_path / "server.log").read_text()


def test_building_the_app_imports_neither_gradio_nor_mcp(shipped_settings):
    code = (
        "import sys\n"
        "from assistant.api.app import create_app\n"
        "from assistant.config import Settings\n"
        "app = create_app(Settings())\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *HEAVY], env=_env(shipped_settings), cwd=str(REPO),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
