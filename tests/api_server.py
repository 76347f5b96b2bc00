"""Helpers for tests that talk to the app through real HTTP: uvicorn on 127.0.0.1 on a free port.

The server runs in a thread of the test process, so one assistant (model + index, built once per
session by conftest's `assistant` fixture) serves every app a test starts; each app gets its own
settings (keys, limits, data dir for the feedback log).
"""
from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx
import uvicorn

from assistant.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """uvicorn.Server for one app, in a daemon thread, on 127.0.0.1:<free port>."""

    def __init__(self, app, port: int | None = None):
        self.app = app
        self.port = port or free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
            timeout_graceful_shutdown=3, proxy_headers=False,  # as `asisten serve`: the app decides
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn stopped during start-up")
            if time.monotonic() > deadline:
                raise TimeoutError(f"uvicorn did not start on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)

    def __enter__(self) -> "ServerThread":
        return self if self.thread.is_alive() else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def app_settings(base: Settings, data_dir: Path, **overrides) -> Settings:
    """The shipped index's settings with a separate data dir for the app's own files (feedback log)."""
    values = {"api_keys": "", "rate_limit_per_minute": 10_000}
    values.update(overrides)
    return base.model_copy(update={"data_dir": Path(data_dir), **values})


def start_server(settings: Settings, assistant, *, ui: bool = False) -> ServerThread:
    from assistant.api import create_app

    return ServerThread(create_app(settings, assistant=assistant, ui=ui)).start()


@dataclass
class SSEEvent:
    event: str
    data: str

    def json(self):
        return json.loads(self.data)


def iter_sse(response: httpx.Response) -> Iterator[SSEEvent]:
    """A strict reader of the SSE framing: blank-line separated events, `event:` and `data:` fields."""
    event, data = "message", []
    for line in response.iter_lines():
        if line == "":
            if data:
                yield SSEEvent(event, "\n".join(data))
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue  # comment (keep-alive ping)
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    if data:
        yield SSEEvent(event, "\n".join(data))


@dataclass
class SlowStreamAssistant:
    """Wraps the real assistant; its stream yields slowly and records how far it got (disconnects)."""

    inner: object
    delay: float = 0.2
    produced: int = 0
    closed: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def ask_stream(self, question, history=(), filters=None, k=None):
        try:
            for i in range(200):
                time.sleep(self.delay)
                self.produced += 1
                yield "delta", f"potongan-{i} "
            self.finished.set()
            yield from self.inner.ask_stream(question, history, filters, k)
        except GeneratorExit:
            self.closed.set()
            raise


class BrokenAssistant:
    """Every call fails unexpectedly: the API must answer a clean 500 without a traceback."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise RuntimeError("simulated internal failure /secret/path.py line 42")

        return fail
