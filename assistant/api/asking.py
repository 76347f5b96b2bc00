"""Asking, shared by /v1/ask, /v1/ask/stream and /v1/chat/completions: limits, threadpool, logging.

The core is synchronous (model, index): every call runs in the threadpool. A streamed answer is
pulled one event at a time, and stops being pulled the moment the client goes away.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import AsyncIterator

import anyio
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..config import Settings
from ..errors import AsistenError, InvalidInput
from ..feedback_store import FeedbackStore
from ..records import Answer, Citation, Filters, Turn
from .auth import Principal

log = logging.getLogger("assistant.api")

MAX_TURN_CHARS = 20_000
_END = object()


def new_answer_id() -> str:
    return uuid.uuid4().hex


def _is_valid_text(text: str) -> bool:
    """False for text no UTF-8 encoder accepts (lone surrogates from JSON escapes like \\ud800):
    the tokenizer, SQLite and the JSON response would all fail on it later."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_question(settings: Settings, question: str, history: list[Turn]) -> str:
    question = (question or "").strip()
    if not _is_valid_text(question) or not all(_is_valid_text(t.content) for t in history):
        raise InvalidInput("Teks pertanyaan atau riwayat memuat karakter Unicode yang tidak sah (surrogate tunggal).")
    if not question:
        raise InvalidInput("Pertanyaan tidak boleh kosong.")
    if len(question) > settings.max_question_chars:
        raise InvalidInput(
            f"Pertanyaan terlalu panjang: {len(question)} karakter (maksimal {settings.max_question_chars})."
        )
    if len(history) > settings.max_history_turns:
        raise InvalidInput(
            f"Riwayat percakapan terlalu panjang: {len(history)} giliran (maksimal {settings.max_history_turns})."
        )
    for i, turn in enumerate(history):
        if len(turn.content) > MAX_TURN_CHARS:
            raise InvalidInput(
                f"Giliran ke-{i + 1} dalam riwayat terlalu panjang (maksimal {MAX_TURN_CHARS} karakter)."
            )
    return question


def _filters_dict(filters: Filters | None) -> dict | None:
    if filters is None or filters.is_empty():
        return None
    return filters.model_dump(exclude_defaults=True)


def _log(store: FeedbackStore, **fields) -> None:
    try:
        store.log_answer(**fields)
    except Exception:  # noqa: BLE001 - logging must never break an answer
        log.exception("failed to log answer %s", fields.get("answer_id"))


@dataclass(frozen=True)
class AskCall:
    """One question as a surface received it: what the core needs and what the log records."""

    principal: Principal
    question: str
    history: list[Turn]
    filters: Filters | None
    k: int | None
    channel: str
    answer_id: str = field(default_factory=lambda: new_answer_id())

    def log_fields(self) -> dict:
        return dict(
            answer_id=self.answer_id,
            question=self.question,
            channel=self.channel,
            filters=_filters_dict(self.filters),
            client=self.principal.client,
            key_name=self.principal.key_name,
        )


async def ask(call: AskCall, *, assistant, store: FeedbackStore) -> Answer:
    started = time.perf_counter()
    common = call.log_fields()
    try:
        answer: Answer = await run_in_threadpool(assistant.ask, call.question, call.history, call.filters, call.k)
    except AsistenError as exc:
        latency = (time.perf_counter() - started) * 1000
        await run_in_threadpool(_log, store, status="error", error=exc.message, latency_ms=latency, **common)
        raise
    latency = (time.perf_counter() - started) * 1000
    answer = answer.model_copy(update={"answer_id": call.answer_id})
    await run_in_threadpool(
        _log,
        store,
        status="ok",
        answer=answer.answer,
        found=answer.found,
        citations=[c.model_dump() for c in answer.citations],
        latency_ms=latency,
        **common,
    )
    return answer


async def ask_stream(
    request: Request, call: AskCall, *, assistant, store: FeedbackStore
) -> AsyncIterator[tuple[str, object]]:
    """Yields ("delta", str), ("citations", list[Citation]), ("done", Answer) — or ("error", AsistenError).

    Each step of the core's generator runs in the threadpool; between steps the client's connection
    is checked, and on a disconnect (or cancellation) the generator is closed and nothing more is
    computed. Whatever happened is logged with its latency.
    """
    started = time.perf_counter()
    pieces: list[str] = []
    status, error, final = "disconnected", None, None
    iterator = None
    try:
        iterator = await run_in_threadpool(lambda: iter(assistant.ask_stream(call.question, call.history, call.filters, call.k)))
        while True:
            if await request.is_disconnected():
                break
            item = await run_in_threadpool(next, iterator, _END)
            if item is _END:
                status = "incomplete" if final is None else "ok"
                break
            kind, payload = item
            if kind == "delta":
                pieces.append(str(payload))
            elif kind == "done":
                final = payload.model_copy(update={"answer_id": call.answer_id})
                payload = final
            yield kind, payload
            if kind == "done":
                status = "ok"
                break
    except AsistenError as exc:
        status, error = "error", exc.message
        yield "error", exc
    except Exception as exc:  # noqa: BLE001 - reported as a clean error event
        log.exception("stream failed")
        status, error = "error", repr(exc)
        yield "error", AsistenError("Terjadi kesalahan di server saat menyusun jawaban.")
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            try:
                close()  # GeneratorExit at its current yield: the core stops here
            except ValueError:
                pass  # still executing one step in a worker thread; nobody asks for the next
        latency = (time.perf_counter() - started) * 1000
        fields = dict(
            **call.log_fields(),
            status=status,
            error=error,
            latency_ms=latency,
            answer=final.answer if final else "".join(pieces) or None,
            found=final.found if final else None,
            citations=[c.model_dump() for c in final.citations] if final else None,
        )
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_log, store, **fields)


def citations_json(citations: list[Citation]) -> list[dict]:
    return [c.model_dump(mode="json") for c in citations]
