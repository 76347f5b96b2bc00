"""OpenAI-compatible POST /v1/chat/completions (plain and `stream: true`) and GET /v1/models.

The last user message is the question, earlier user/assistant messages the history (system
messages are ignored: the assistant answers only from the corpus). Citations travel twice: as a
`Dasar hukum:` section at the end of the message text, and in the extra field `citations`.
"""
from __future__ import annotations

import json
import time

from fastapi import APIRouter, Depends, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from ...config import Settings
from ...errors import InvalidInput
from ...feedback_store import FeedbackStore
from ...records import Turn
from .. import asking
from ..auth import Principal, require_ask
from ..deps import get_assistant, get_settings, get_store
from ..errors import ModelNotFound, error_payload
from ..render import citations_block
from ..usage import usage
from ..schemas import (
    ChatChoice,
    ChatChoiceMessage,
    ChatCompletion,
    ChatCompletionRequest,
    ModelCard,
    ModelList,
    Usage,
)
from .ask import ERRORS

router = APIRouter(prefix="/v1", tags=["kompatibel OpenAI"])

MODEL_ID = "asisten-regulasi"


def resolve_model(requested: str | None, settings: Settings) -> str:
    """The one model this server has; other names only when the configuration maps them
    (`ASISTEN_OPENAI_MODEL_ALIASES`, for clients that cannot change a hard-coded name).
    An unknown name is refused rather than silently answered by something else."""
    name = (requested or "").strip()
    aliases = {a.strip() for a in settings.openai_model_aliases.split(",") if a.strip()}
    if not name or name == MODEL_ID or name in aliases:
        return MODEL_ID
    accepted = ", ".join([MODEL_ID, *sorted(aliases)])
    raise ModelNotFound(
        f"Model '{name[:80]}' tidak dikenal. Pakai model '{MODEL_ID}' (diterima: {accepted}); nama lain dapat "
        "dipetakan ke model ini dengan ASISTEN_OPENAI_MODEL_ALIASES."
    )


def split_messages(body: ChatCompletionRequest) -> tuple[str, list[Turn]]:
    turns = [m for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise InvalidInput("Pesan terakhir harus dari 'user' dan berisi pertanyaan.")
    question = turns[-1].text()
    history = [Turn(role=m.role, content=m.text()) for m in turns[:-1] if m.text().strip()]
    return question, history


@router.get(
    "/models",
    response_model=ModelList,
    responses={code: ERRORS[code] for code in (401, 403, 429)},
    summary="Daftar model (kompatibel OpenAI)",
)
async def models(principal: Principal = Depends(require_ask)):
    return ModelList(data=[ModelCard(id=MODEL_ID)])


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "JSON, atau SSE bila stream"}},
    summary="Chat completions (kompatibel OpenAI)",
)
async def chat_completions(
    request: Request,
    body: ChatCompletionRequest,
    principal: Principal = Depends(require_ask),
    settings: Settings = Depends(get_settings),
    store: FeedbackStore = Depends(get_store),
    assistant=Depends(get_assistant),
):
    question, history = split_messages(body)
    question = asking.check_question(settings, question, history)
    model = resolve_model(body.model, settings)
    prompt = [m.text() for m in body.messages]
    created = int(time.time())
    if not body.stream:
        call = asking.AskCall(principal, question, history, body.filters, body.k, "openai")
        answer = await asking.ask(call, assistant=assistant, store=store)
        content = answer.answer + citations_block(answer.citations)
        return ChatCompletion(
            id=f"chatcmpl-{answer.answer_id}",
            created=created,
            model=model,
            choices=[ChatChoice(message=ChatChoiceMessage(content=content))],
            usage=Usage(**usage(prompt, content)),
            citations=answer.citations,
            found=answer.found,
            answer_id=answer.answer_id,
        )

    answer_id = asking.new_answer_id()
    completion_id = f"chatcmpl-{answer_id}"

    options = (body.model_extra or {}).get("stream_options") or {}
    include_usage = isinstance(options, dict) and options.get("include_usage") is True

    async def chunks():
        role_sent = False
        sent: list[str] = []

        def chunk(delta: dict, finish=None, **extra) -> ServerSentEvent:
            data = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra,
            }
            return ServerSentEvent(data=json.dumps(data, ensure_ascii=False))

        citations = []
        call = asking.AskCall(principal, question, history, body.filters, body.k, "openai-stream", answer_id)
        async for kind, payload in asking.ask_stream(request, call, assistant=assistant, store=store):
            if kind == "delta":
                sent.append(str(payload))
                delta = {"content": payload}
                if not role_sent:
                    delta["role"], role_sent = "assistant", True
                yield chunk(delta)
            elif kind == "citations":
                citations = asking.citations_json(payload)
                block = citations_block(payload)
                if block:
                    sent.append(block)
                    yield chunk({"content": block}, citations=citations)
            elif kind == "done":
                yield chunk({}, "stop", citations=citations, answer_id=payload.answer_id, found=payload.found)
                if include_usage:  # OpenAI's shape: a last chunk with no choices and the counts
                    data = {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                            "model": model, "choices": [], "usage": usage(prompt, "".join(sent))}
                    yield ServerSentEvent(data=json.dumps(data, ensure_ascii=False))
                yield ServerSentEvent(data="[DONE]")
            elif kind == "error":
                yield ServerSentEvent(data=json.dumps(error_payload(payload)[1], ensure_ascii=False))
                yield ServerSentEvent(data="[DONE]")

    return EventSourceResponse(chunks(), ping=15, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
