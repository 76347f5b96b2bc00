"""The optional generative composer against a real chat-completions server on 127.0.0.1."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.compose.openai_compat import OpenAICompatComposer
from assistant.service import Assistant

# What the fake model says next, and how: {"text": ..., "stream": bool, "delay": seconds, "status": int}
SCRIPT: dict = {}
REQUESTS: list[dict] = []


class ChatCompletions(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass

    def do_POST(self):  # noqa: N802 - http.server's naming
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def _answer(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        REQUESTS.append(body)
        time.sleep(SCRIPT.get("delay", 0))
        if SCRIPT.get("status", 200) != 200:
            self.send_response(SCRIPT["status"])
            self.end_headers()
            return
        text = SCRIPT["text"]
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for i in range(0, len(text), 12):
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": text[i:i + 12]}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            end = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
            return
        payload = {"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def llm_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatCompletions)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture(scope="module")
def generative(shipped_settings, llm_url):
    settings = shipped_settings.with_overrides(llm_base_url=llm_url, llm_model="model-uji", llm_timeout_s=2.0)
    assistant = Assistant(settings)
    assert isinstance(assistant.composer, OpenAICompatComposer)
    return assistant


QUESTION = "Jabatan pelaksana diklasifikasikan menjadi apa saja menurut Pasal 4 Permenpan 45/2022?"


def test_answer_with_checked_citations(generative):
    SCRIPT.clear()
    SCRIPT["text"] = "Jabatan pelaksana terdiri atas klerek, operator, dan teknisi [1]. Ada juga Pasal 77 [7]."
    answer = generative.ask(QUESTION)
    assert answer.found
    assert "[7]" not in answer.answer and "[1]" in answer.answer
    assert [c.n for c in answer.citations] == [1] and answer.citations[0].pasal == "4"
    assert any("[7]" in w for w in answer.warnings)
    prompt = REQUESTS[-1]["messages"][-1]["content"]
    assert "[1]" in prompt and "klerek" in prompt.lower()  # the numbered passages went to the model


def test_streamed_answer_is_checked_at_the_end(generative):
    SCRIPT.clear()
    SCRIPT["text"] = "Klasifikasinya klerek, operator, teknisi [1] dan menurut sumber lain [9]."
    events = list(generative.ask_stream(QUESTION))
    deltas = "".join(p for k, p in events if k == "delta")
    assert "klerek" in deltas and REQUESTS[-1]["stream"] is True
    done = events[-1][1]
    assert "[9]" not in done.answer and [c.n for c in done.citations] == [1]


def test_not_found_from_the_model_is_an_honest_refusal(generative):
    SCRIPT.clear()
    SCRIPT["text"] = "TIDAK DITEMUKAN"
    answer = generative.ask(QUESTION)
    assert not answer.found and answer.citations == []


def test_errors_and_timeouts_fall_back_to_the_extractive_answer(generative):
    SCRIPT.clear()
    SCRIPT.update(text="x", status=500)
    answer = generative.ask(QUESTION)
    assert answer.found and "klerek" in answer.answer.lower()
    assert any("ekstraktif" in w for w in answer.warnings)
    SCRIPT.clear()
    SCRIPT.update(text="terlambat [1]", delay=3.0)
    started = time.perf_counter()
    answer = generative.ask(QUESTION)
    assert time.perf_counter() - started < 3.0 + 2.0
    assert answer.found and any("ekstraktif" in w for w in answer.warnings)


def test_an_answer_without_citations_is_replaced(generative):
    SCRIPT.clear()
    SCRIPT["text"] = "Jabatan pelaksana ada tiga macam."
    answer = generative.ask(QUESTION)
    assert answer.found and answer.citations and any("tidak memuat rujukan" in w for w in answer.warnings)
