"""Loads the assistant (model + index) once per process, in the background, so the port opens at once.

Routes wait for the load (bounded); `/readyz` reports it; a failed load answers 503 with its reason.
"""
from __future__ import annotations

import logging
import threading

from ..config import Settings
from ..errors import AsistenError, ModelUnavailable

log = logging.getLogger("assistant.api")


class AssistantHolder:
    """`recover(settings)`, given by the app factory, rebuilds a damaged index snapshot at start-up
    (the core never imports ingest; the factory wires it in)."""

    def __init__(self, settings: Settings, assistant=None, recover=None):
        self.settings = settings
        self._assistant = assistant
        self._recover = recover
        self._error: AsistenError | None = None
        self._ready = threading.Event()
        self._started = False
        self._lock = threading.Lock()
        if assistant is not None:
            self._ready.set()

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        if self._assistant is not None:  # injected: only warm it up, best effort
            threading.Thread(target=self._warm_up, args=(self._assistant,), name="asisten-warm", daemon=True).start()
            return
        threading.Thread(target=self._load, name="asisten-load", daemon=True).start()

    def _warm_up(self, assistant) -> None:
        warm_up = getattr(assistant, "warm_up", None)
        if callable(warm_up):
            try:
                warm_up()  # the model and the index now, not on the first question
            except Exception:  # noqa: BLE001 - a failing assistant shows itself on use and in /readyz
                log.warning("warm-up failed", exc_info=True)
        self._follow(assistant)

    def _follow(self, assistant) -> None:
        """Other replicas' commits reach this one within `index_poll_s` (assistant/index.py)."""
        store = getattr(assistant, "store", None)
        follow = getattr(store, "follow", None)
        if callable(follow):
            follow(self.settings.index_poll_s, self.settings.drift_check_s)

    def _load(self) -> None:
        try:
            from ..service import build_assistant

            store = self._check_index()
            log.info("memuat model dan indeks …")
            # The store the check loaded: its state is not loaded a second time (26 s at ×1000).
            assistant = build_assistant(self.settings, store=store)
            warm_up = getattr(assistant, "warm_up", None)
            if callable(warm_up):
                warm_up()  # the model and the index now, not on the first question
            self._follow(assistant)
            self._assistant = assistant
            log.info("model dan indeks siap")
        except AsistenError as exc:
            log.error("asisten gagal dimuat: %s (%s)", exc.message, exc.cause)
            self._error = exc
        except Exception as exc:  # noqa: BLE001 - reported as 503, logged with its cause
            log.exception("asisten gagal dimuat")
            self._error = ModelUnavailable("Model atau indeks gagal dimuat; lihat log server.", cause=repr(exc))
        finally:
            self._ready.set()

    def _check_index(self):
        """The state loads here, before serving: from the local cache when it holds the shared
        head, else from the shared store in Chroma (an empty or damaged data dir just refills).
        Only when the shared store has no state either is the index rebuilt (corpus or vectors).
        Returns the store that holds the loaded state (None when it did not load)."""
        from ..index import IndexStore

        store = IndexStore(self.settings)
        try:
            store.state()
            return store
        except AsistenError as exc:
            log.warning("indeks rusak terdeteksi saat start: %s (%s)", exc.message, exc.cause)
        if self._recover is None:
            return None  # the load below fails with the index's own message (503 on every route)
        self._recover(self.settings)
        store = IndexStore(self.settings)
        state = store.state()  # raises if the rebuild did not take
        log.warning(
            "indeks dipulihkan: %d potongan dari %d dokumen (generasi %d)",
            len(state.chunks), len(state.documents), state.generation,
        )
        return store

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """True once the load has finished (loaded or failed), waiting up to `timeout` seconds."""
        return self._ready.wait(timeout)

    @property
    def loaded(self) -> bool:
        return self._ready.is_set() and self._error is None and self._assistant is not None

    @property
    def error(self) -> AsistenError | None:
        return self._error

    def get(self, timeout: float = 180.0):
        """The assistant; blocks up to `timeout` while it loads (call from a worker thread)."""
        self.start()
        if not self._ready.wait(timeout):
            raise ModelUnavailable("Asisten masih memuat model dan indeks; coba lagi sebentar lagi.")
        if self._error is not None:
            raise self._error
        return self._assistant
