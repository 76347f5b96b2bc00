"""GET /healthz (the process answers) and GET /readyz (model and index loaded, Chroma reachable)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..holder import AssistantHolder
from ..schemas import Health, Readiness

router = APIRouter(tags=["kesehatan"])


@router.get("/healthz", response_model=Health, summary="Proses hidup")
async def healthz():
    return Health()


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}}, summary="Siap melayani")
async def readyz(request: Request):
    holder: AssistantHolder = request.app.state.holder
    if not holder.loaded:
        message = holder.error.message if holder.error else "Model dan indeks sedang dimuat."
        return JSONResponse(Readiness(ready=False, message=message).model_dump(), status_code=503)
    try:
        info = await run_in_threadpool(holder.get().readiness)
    except Exception as exc:  # noqa: BLE001 - readiness must answer, not raise
        message = getattr(exc, "message", "Pemeriksaan kesiapan gagal.")
        return JSONResponse(Readiness(ready=False, message=message).model_dump(), status_code=503)
    fields = {k: info.get(k) for k in ("model", "index", "chroma", "chunks", "documents") if info.get(k) is not None}
    ready = bool(info.get("model") and info.get("index") and info.get("chroma"))
    body = Readiness(ready=ready, **fields, message=None if ready else "Model, indeks, atau Chroma belum siap.")
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
