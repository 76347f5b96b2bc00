"""GET /v1/search: the passages retrieval finds, with scores and metadata (no answer composed)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from ...config import Settings
from ...errors import InvalidInput
from ...records import Filters, Status
from ..auth import Principal, require_ask
from ..deps import get_assistant, get_settings
from ..schemas import MAX_YEAR, MIN_YEAR, SearchHit, SearchResponse
from .ask import ERRORS
from .documents import catalogue

router = APIRouter(prefix="/v1", tags=["cari"])


@router.get("/search", response_model=SearchResponse, responses=ERRORS, summary="Cari passage")
async def search(
    q: str = Query(min_length=1, description="Kata kunci atau pertanyaan."),
    k: int = Query(10, ge=1, le=50),
    doc_id: list[str] = Query(default_factory=list),
    jenis: list[str] = Query(default_factory=list),
    tahun: list[int] = Query(default_factory=list),
    status: list[Status] = Query(default_factory=list),
    resmi: bool | None = None,
    principal: Principal = Depends(require_ask),
    settings: Settings = Depends(get_settings),
    assistant=Depends(get_assistant),
):
    q = q.strip()
    if not q:
        raise InvalidInput("Parameter q tidak boleh kosong.")
    if len(q) > settings.max_question_chars:
        raise InvalidInput(f"Parameter q terlalu panjang (maksimal {settings.max_question_chars} karakter).")
    if any(not MIN_YEAR <= y <= MAX_YEAR for y in tahun):
        raise InvalidInput(f"Parameter tahun harus antara {MIN_YEAR} dan {MAX_YEAR}.")
    filters = Filters(doc_id=doc_id, jenis=jenis, tahun=tahun, status=status, resmi=resmi)
    hits = await run_in_threadpool(assistant.search, q, None if filters.is_empty() else filters, k)
    docs = await catalogue(assistant)
    results = []
    for hit in hits[:k]:
        c = hit.chunk
        meta = docs.get(c.doc_id)
        label = meta.short_name if meta else c.doc_id
        if c.pasal:
            label += f", Pasal {c.pasal}"
            if c.ayat:
                label += f" ayat ({c.ayat})"
        results.append(
            SearchHit(
                chunk_id=c.chunk_id, doc_id=c.doc_id, label=label, pasal=c.pasal, ayat=c.ayat, bab=c.bab,
                bagian=c.bagian, heading=c.heading, page=c.page, text=c.text, score=hit.score,
                exact=hit.exact, dense_rank=hit.dense_rank, bm25_rank=hit.bm25_rank,
                status=meta.status if meta else "tidak diketahui", resmi=c.resmi,
                source_path=c.source_path, sumber_url=c.sumber_url,
            )
        )
    return SearchResponse(query=q, k=k, results=results)
