"""POST /v1/ask and POST /v1/ask/stream (Server-Sent Events)."""
from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from ...config import Settings
from ...feedback_store import FeedbackStore
from .. import asking
from ..auth import Principal, require_ask
from ..deps import get_assistant, get_settings, get_store
from ..errors import error_payload
from ..schemas import AnswerOut, AskRequest, ErrorResponse

router = APIRouter(prefix="/v1", tags=["tanya"])

ERRORS = {
    401: {"model": ErrorResponse, "description": "Kunci API diperlukan / tidak dikenal"},
    403: {"model": ErrorResponse, "description": "Scope atau origin tidak diizinkan"},
    422: {"model": ErrorResponse, "description": "Permintaan tidak valid"},
    429: {"model": ErrorResponse, "description": "Terlalu banyak permintaan (lihat Retry-After)"},
    503: {"model": ErrorResponse, "description": "Model atau indeks belum siap"},
}


def _channel(principal: Principal, default: str) -> str:
    return "widget" if principal.is_widget else default


@router.post("/ask", response_model=AnswerOut, responses=ERRORS, summary="Bertanya, jawaban utuh")
async def ask(
    body: AskRequest,
    principal: Principal = Depends(require_ask),
    settings: Settings = Depends(get_settings),
    store: FeedbackStore = Depends(get_store),
    assistant=Depends(get_assistant),
):
    """Jawaban JSON dengan kutipan: regulasi, Pasal, ayat."""
    question = asking.check_question(settings, body.question, body.history)
    call = asking.AskCall(principal, question, body.history, body.filters, body.k, _channel(principal, "api"))
    return await asking.ask(call, assistant=assistant, store=store)


def _sse(event: str, data) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(data, ensure_ascii=False), event=event)


@router.post(
    "/ask/stream",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "Aliran SSE"}},
    summary="Bertanya, jawaban mengalir (SSE)",
)
async def ask_stream(
    request: Request,
    body: AskRequest,
    principal: Principal = Depends(require_ask),
    settings: Settings = Depends(get_settings),
    store: FeedbackStore = Depends(get_store),
    assistant=Depends(get_assistant),
):
    """Server-Sent Events: `delta` (`{"text": ...}`) berulang saat jawaban disusun, lalu `citations`
    (`{"citations": [...]}`), lalu `done` (jawaban JSON lengkap dengan `answer_id`). Bila gagal:
    `error` (`{"error": {...}}`). Klien yang memutus koneksi menghentikan pekerjaan."""
    question = asking.check_question(settings, body.question, body.history)

    async def events():
        call = asking.AskCall(principal, question, body.history, body.filters, body.k, _channel(principal, "stream"))
        async for kind, payload in asking.ask_stream(request, call, assistant=assistant, store=store):
            if kind == "delta":
                yield _sse("delta", {"text": payload})
            elif kind == "citations":
                yield _sse("citations", {"citations": asking.citations_json(payload)})
            elif kind == "done":
                yield _sse("done", payload.model_dump(mode="json"))
            elif kind == "error":
                yield _sse("error", error_payload(payload)[1])

    return EventSourceResponse(events(), ping=15, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
