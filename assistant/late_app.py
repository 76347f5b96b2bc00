"""ASGI apps built after start-up, so their imports are not on the way to `/readyz`.

The chat page (Gradio, ~2.5 s of imports and building) and the MCP endpoint (the `mcp` package,
~0.5 s) are not needed to answer `/v1/ask`, yet importing them used to come before the server could
load the model. A `LateApp` stands in their place: it is built in a background thread once the
assistant has loaded (so it does not compete with the load that `/readyz` waits for), or at once
when a request for it arrives first; such a request waits for the build. The built app's own
lifespan (Gradio's queue, the MCP session manager's task group) runs in a task of the server's
lifespan, as if it had been there from the start, and ends with it.

Imports nothing heavy itself; the `build` callable does.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import asynccontextmanager
from typing import Any, AsyncContextManager, Callable

log = logging.getLogger("assistant.api")

BUILD_WAIT_S = 120.0  # a request waits this long for the build at most

# build() -> (asgi_app, lifespan or None), lifespan() an async context manager to enter once
Build = Callable[[], "tuple[Any, Callable[[], AsyncContextManager] | None]"]
Unavailable = Callable[[dict, Any, Any], Any]


class LateApp:
    """An ASGI app that forwards every request to the app `build()` returns, once built."""

    def __init__(self, name: str, build: Build, *, holder=None, unavailable: Unavailable):
        self.name = name
        self._build = build
        self._holder = holder  # built once holder.wait_loaded() says the assistant has loaded
        self._unavailable = unavailable  # an ASGI app answering while the build failed
        self._app = None
        self._lifespan = None
        self.error: BaseException | None = None
        self._built = threading.Event()
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._built_async: asyncio.Event | None = None
        self._started_async: asyncio.Event | None = None
        self._inline_stack = None
        self._inline_lock: asyncio.Lock | None = None

    @property
    def built(self) -> bool:
        return self._built.is_set() and self._app is not None

    # ---- building (a background thread) ---------------------------------------------------------
    def start_building(self, *, now: bool = False) -> None:
        """Starts the build thread once; it waits for the assistant's load unless `now` (a request)."""
        if now:
            self._wanted.set()
        with self._thread_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"asisten-build-{self.name}", daemon=True)
                self._thread.start()

    def wait_built(self, timeout: float | None = None) -> bool:
        return self._built.wait(timeout)

    def _run(self) -> None:
        holder = self._holder
        while holder is not None and not self._wanted.is_set() and not holder.wait_loaded(0.05):
            pass  # the model and index first: /readyz waits for them, this app does not
        try:
            self._app, self._lifespan = self._build()
            log.info("%s siap", self.name)
        except BaseException as exc:  # noqa: BLE001 - the API keeps serving; this route explains
            log.exception("%s gagal dibangun", self.name)
            self.error = exc
        finally:
            self._built.set()
            loop, event = self._loop, self._built_async
            if loop is not None and event is not None:
                try:
                    loop.call_soon_threadsafe(event.set)
                except RuntimeError:  # the loop has closed (server stopping)
                    pass

    # ---- the server's lifespan -------------------------------------------------------------------
    def wrap_lifespan(self, app) -> None:
        """Makes `app`'s lifespan start the build and run the built app's lifespan in a task."""
        inner = app.router.lifespan_context

        @asynccontextmanager
        async def lifespan(app_):
            self._loop = asyncio.get_running_loop()
            self._built_async = asyncio.Event()
            self._started_async = asyncio.Event()
            if self._built.is_set():
                self._built_async.set()
            stopping = asyncio.Event()
            runner = asyncio.create_task(self._serve(stopping), name=f"asisten-lifespan-{self.name}")
            try:
                async with inner(app_) as state:
                    self.start_building()
                    yield state
            finally:
                stopping.set()
                try:
                    await asyncio.wait_for(runner, 15)
                except Exception:  # noqa: BLE001 - shutting down anyway
                    log.warning("%s tidak berhenti dengan rapi", self.name, exc_info=True)

        app.router.lifespan_context = lifespan

    async def _serve(self, stopping: asyncio.Event) -> None:
        built = asyncio.ensure_future(self._built_async.wait())
        stop = asyncio.ensure_future(stopping.wait())
        await asyncio.wait({built, stop}, return_when=asyncio.FIRST_COMPLETED)
        built.cancel()
        stop.cancel()
        if stopping.is_set() or self._app is None or self._lifespan is None:
            self._started_async.set()
            return
        try:
            async with self._lifespan():
                self._started_async.set()
                await stopping.wait()
        finally:
            self._started_async.set()

    # ---- requests --------------------------------------------------------------------------------
    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return
        if not self._built.is_set():
            self.start_building(now=True)
            if self._built_async is not None:
                try:
                    await asyncio.wait_for(self._built_async.wait(), BUILD_WAIT_S)
                except asyncio.TimeoutError:
                    pass
            else:  # no lifespan ran (an ASGI host without one): wait in a worker thread
                from starlette.concurrency import run_in_threadpool

                await run_in_threadpool(self._built.wait, BUILD_WAIT_S)
        if self._app is None:
            if scope["type"] == "http":
                await self._unavailable(scope, receive, send)
            return
        if self._started_async is not None:
            await self._started_async.wait()
        elif self._lifespan is not None:
            await self._start_inline()
        await self._app(scope, receive, send)

    async def _start_inline(self) -> None:
        """Without a server lifespan the built app's lifespan is entered here, once, for good."""
        from contextlib import AsyncExitStack

        if self._inline_lock is None:
            self._inline_lock = asyncio.Lock()
        async with self._inline_lock:
            if self._inline_stack is None:
                stack = AsyncExitStack()
                await stack.enter_async_context(self._lifespan())
                self._inline_stack = stack
