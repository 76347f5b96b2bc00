"""GET /healthz (the process answers) and GET /readyz (model and index loaded, Chroma reachable,
which index generation is served and whether vectors are missing)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..holder import AssistantHolder
from ..schemas import Health, Readiness

router = APIRouter(tags=["kesehatan"])

RETRY_AFTER_S = "5"  # a replica that is loading or lost Chroma: the load balancer asks again soon


@router.get("/healthz", response_model=Health, summary="Proses hidup")
async def healthz():
    return Health()


def _not_ready(body: Readiness) -> JSONResponse:
    return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": RETRY_AFTER_S})


def _index_figures(assistant) -> dict:
    store = getattr(assistant, "store", None)
    if store is None:
        return {}
    figures = {"generation": store.state().generation}
    drift = getattr(store, "drift", None)
    if drift and drift.get("generation") == figures["generation"]:
        figures["missing_vectors"] = drift["missing_vectors"]
    return figures


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}}, summary="Siap melayani")
async def readyz(request: Request):
    holder: AssistantHolder = request.app.state.holder
    if not holder.loaded:
        message = holder.error.message if holder.error else "Model dan indeks sedang dimuat."
        return _not_ready(Readiness(ready=False, message=message))
    try:
        assistant = holder.get()
        info = await run_in_threadpool(assistant.readiness)
        info.update(await run_in_threadpool(_index_figures, assistant))
    except Exception as exc:  # noqa: BLE001 - readiness must answer, not raise
        message = getattr(exc, "message", "Pemeriksaan kesiapan gagal.")
        return _not_ready(Readiness(ready=False, message=message))
    keys = ("model", "index", "chroma", "chunks", "documents", "generation", "missing_vectors")
    fields = {k: info.get(k) for k in keys if info.get(k) is not None}
    ready = bool(info.get("model") and info.get("index") and info.get("chroma"))
    message = None if ready else "Model, indeks, atau Chroma belum siap."
    if ready and info.get("missing_vectors"):
        # Still serving (the other chunks answer), but an operator must know.
        message = (f"{info['missing_vectors']} potongan tidak punya vektor di Chroma; "
                   "jalankan `asisten ingest --repair`.")
    body = Readiness(ready=ready, **fields, message=message)
    return JSONResponse(body.model_dump(), status_code=200) if ready else _not_ready(body)
