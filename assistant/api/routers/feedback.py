"""POST /v1/feedback: a rating (and optional comment) for an answer id."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from ...feedback_store import FeedbackStore, UnknownAnswer
from ..auth import Principal, require_ask
from ..deps import get_store
from ..errors import NotFound
from ..schemas import FeedbackRequest, FeedbackResponse
from .ask import ERRORS

router = APIRouter(prefix="/v1", tags=["masukan"])


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    status_code=201,
    responses={**ERRORS, 404: ERRORS[422]},
    summary="Beri penilaian untuk sebuah jawaban",
)
async def feedback(
    body: FeedbackRequest,
    principal: Principal = Depends(require_ask),
    store: FeedbackStore = Depends(get_store),
):
    comment = body.comment.strip() if body.comment else None
    try:
        feedback_id = await run_in_threadpool(
            store.add_feedback, body.answer_id, body.score, comment,
            channel="widget" if principal.is_widget else "api", client=principal.client,
        )
    except UnknownAnswer:
        raise NotFound("ID jawaban tidak dikenal; kirim answer_id dari jawaban /v1/ask.") from None
    return FeedbackResponse(feedback_id=feedback_id)
