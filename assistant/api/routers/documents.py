"""The catalogue (GET /v1/documents), one document's structure and Pasal text, admin upload/delete."""
from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path as PathLib
from pathlib import PurePath

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from ...amendments import pasal_history
from ...citations import body as citation_body
from ...config import Settings
from ...errors import DocumentRejected, InvalidInput
from ...records import ChunkRecord, DocumentMeta
from ..auth import Principal, require_admin, require_ask
from ..deps import get_assistant, get_settings
from ..errors import NotFound, PayloadTooLarge, UnsupportedMedia
from ..schemas import (
    DOC_ID_PATTERN,
    ChunkOut,
    DocumentDetail,
    DocumentOut,
    DocumentsResponse,
    IngestOut,
    OutlineEntry,
    PasalText,
)
from .ask import ERRORS

log = logging.getLogger("assistant.api")
router = APIRouter(prefix="/v1", tags=["dokumen"])

ALLOWED_SUFFIXES = {".pdf", ".docx", ".md", ".txt"}
DocId = Path(pattern=DOC_ID_PATTERN, max_length=120, description="ID dokumen, mis. permenpan-rb-45-2022")


async def catalogue(assistant) -> dict[str, DocumentMeta]:
    docs = await run_in_threadpool(assistant.documents)
    return {d.doc_id: d for d in docs}


def document_out(meta: DocumentMeta) -> DocumentOut:
    return DocumentOut(**meta.model_dump(), label=meta.short_name)


def body_text(chunk: ChunkRecord) -> str:
    """A chunk's text without its leading context line (the short name + Pasal the index needs)."""
    return citation_body(chunk)


def chunk_out(chunk: ChunkRecord) -> ChunkOut:
    return ChunkOut(
        chunk_id=chunk.chunk_id, bagian=chunk.bagian, bab=chunk.bab, pasal=chunk.pasal, ayat=chunk.ayat,
        heading=chunk.heading, page=chunk.page, text=body_text(chunk), source_path=chunk.source_path,
        sumber_url=chunk.sumber_url, verifikasi=chunk.verifikasi,
    )


def outline(chunks: list[ChunkRecord]) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []
    for c in chunks:
        last = entries[-1] if entries else None
        if (last is not None and last.pasal == c.pasal and last.bagian == c.bagian and last.bab == c.bab
                and last.bagian_struktur == c.bagian_struktur):
            last.chunk_ids.append(c.chunk_id)
            if c.ayat and c.ayat not in last.ayat:
                last.ayat.append(c.ayat)
            continue
        entries.append(
            OutlineEntry(
                bagian=c.bagian, bab=c.bab, bagian_struktur=c.bagian_struktur, paragraf=c.paragraf,
                pasal=c.pasal, heading=c.heading, page=c.page, ayat=[c.ayat] if c.ayat else [], chunk_ids=[c.chunk_id],
            )
        )
    return entries


def pasal_text(meta: DocumentMeta, chunks: list[ChunkRecord], pasal: str) -> PasalText | None:
    wanted = pasal.strip().lower()
    selected = [c for c in chunks if (c.pasal or "").strip().lower() == wanted]
    if not selected:
        return None
    body = [c for c in selected if c.bagian != "Penjelasan"] or selected
    return PasalText(
        pasal=selected[0].pasal or pasal,
        label=f"{meta.short_name}, Pasal {selected[0].pasal or pasal}",
        text="\n\n".join(body_text(c) for c in body),
        chunks=[chunk_out(c) for c in selected],
    )


@router.get("/documents", response_model=DocumentsResponse, responses=ERRORS, summary="Katalog dokumen")
async def list_documents(principal: Principal = Depends(require_ask), assistant=Depends(get_assistant)):
    """Semua dokumen di korpus dengan status (berlaku/diubah/dicabut) dan relasinya."""
    docs = await catalogue(assistant)
    return DocumentsResponse(documents=[document_out(d) for d in docs.values()])


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentDetail,
    responses={**ERRORS, 404: ERRORS[422] | {"description": "Dokumen atau Pasal tidak ditemukan"}},
    summary="Struktur dokumen dan teks Pasal",
)
async def get_document(
    doc_id: str = DocId,
    pasal: str | None = Query(None, max_length=16, pattern=r"^[0-9]+[A-Za-z]?$", description="mis. 4 atau 5A"),
    principal: Principal = Depends(require_ask),
    assistant=Depends(get_assistant),
):
    docs = await catalogue(assistant)
    if doc_id not in docs:
        raise NotFound(f"Dokumen '{doc_id}' tidak ditemukan di korpus.")
    meta, chunks = await run_in_threadpool(assistant.document, doc_id)
    detail = DocumentDetail(document=document_out(meta), outline=outline(chunks))
    detail.riwayat = await run_in_threadpool(lambda: pasal_history(assistant.store.state(), doc_id))
    if pasal is not None:
        detail.pasal = pasal_text(meta, chunks, pasal)
        if detail.pasal is None:
            raise NotFound(f"Pasal {pasal} tidak ditemukan dalam {meta.short_name}.")
    return detail


def _report_dict(report) -> dict:
    if report is None:
        return {}
    if hasattr(report, "model_dump"):
        return report.model_dump(mode="json")
    if dataclasses.is_dataclass(report):
        return json.loads(json.dumps(dataclasses.asdict(report), default=str))
    if isinstance(report, dict):
        return json.loads(json.dumps(report, default=str))
    return {"ringkasan": str(report)}


def _reload(assistant) -> None:
    reload = getattr(assistant, "reload", None)
    if callable(reload):
        reload()


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    data = bytearray()
    while True:
        block = await upload.read(1 << 20)
        if not block:
            return bytes(data)
        data += block
        if len(data) > limit:
            raise PayloadTooLarge(f"Berkas terlalu besar (maksimal {limit // (1024 * 1024)} MB).")


def _refuse_if_rejected(settings: Settings, upload_dir, existing: set, report, name: str) -> None:
    """The file passed on its own but the corpus refused it (e.g. a doc_id another document holds):
    it leaves the corpus again and the client hears why, instead of a 201 for a file not indexed."""
    rejected = getattr(report, "rejected", None) or {}
    corpus = PathLib(settings.corpus_dir)
    for path in sorted(set(upload_dir.iterdir()) - existing) if upload_dir.is_dir() else []:
        reason = rejected.get(path.relative_to(corpus).as_posix())
        if reason is None:
            continue
        for extra in (path.with_name(path.name + ".yaml"), path.with_name(path.name + ".yml"), path):
            extra.unlink(missing_ok=True)
        raise DocumentRejected(name, reason)


@router.post(
    "/documents",
    response_model=IngestOut,
    status_code=201,
    responses={**ERRORS, 409: ERRORS[422], 413: ERRORS[422], 415: ERRORS[422]},
    summary="Unggah dokumen (admin)",
)
async def upload_document(
    request: Request,
    file: UploadFile = File(description="PDF, DOCX, MD, atau TXT"),
    metadata: str | None = Form(None, description="Objek JSON metadata (doc_id, jenis, nomor, tahun, judul, status, sumber, …)"),
    principal: Principal = Depends(require_admin),
    settings: Settings = Depends(get_settings),
    assistant=Depends(get_assistant),
):
    """Menyimpan berkas dengan nama aman buatan server (nama unggahan tidak pernah dipakai sebagai
    path) lalu mengindeksnya secara inkremental."""
    name = PurePath((file.filename or "").replace("\\", "/")).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UnsupportedMedia("Jenis berkas tidak didukung; unggah PDF, DOCX, MD, atau TXT.")
    meta_dict = None
    if metadata:
        try:
            meta_dict = json.loads(metadata)
        except json.JSONDecodeError:
            raise InvalidInput("Field metadata harus berupa objek JSON yang valid.") from None
        if not isinstance(meta_dict, dict):
            raise InvalidInput("Field metadata harus berupa objek JSON.")
    data = await _read_limited(file, settings.max_upload_mb * 1024 * 1024)
    if not data:
        raise InvalidInput("Berkas kosong.")
    from ingest.pipeline import UPLOAD_DIR, add_document  # entry point: the app factory may wire ingest in

    upload_dir = PathLib(settings.corpus_dir) / UPLOAD_DIR
    existing = set(upload_dir.iterdir()) if upload_dir.is_dir() else set()
    try:
        report = await run_in_threadpool(add_document, settings, name, data, meta_dict)
    except DocumentRejected as exc:
        # The loaders name the server-side staging path; the client sees only its own file name.
        raise DocumentRejected(name, exc.reason, cause=exc.cause) from None
    await run_in_threadpool(_refuse_if_rejected, settings, upload_dir, existing, report, name)
    await run_in_threadpool(_reload, assistant)
    out = _report_dict(report)
    doc_id = getattr(report, "doc_id", None) or out.get("doc_id")
    return IngestOut(message="Dokumen diterima dan diindeks.", doc_id=doc_id, report=out)


@router.delete(
    "/documents/{doc_id}",
    response_model=IngestOut,
    responses={**ERRORS, 404: ERRORS[422], 409: ERRORS[422]},
    summary="Hapus dokumen (admin)",
)
async def delete_document(
    doc_id: str = DocId,
    principal: Principal = Depends(require_admin),
    settings: Settings = Depends(get_settings),
    assistant=Depends(get_assistant),
):
    docs = await catalogue(assistant)
    if doc_id not in docs:
        raise NotFound(f"Dokumen '{doc_id}' tidak ditemukan di korpus.")
    from ingest.pipeline import remove_document

    report = await run_in_threadpool(remove_document, settings, doc_id)
    await run_in_threadpool(_reload, assistant)
    return IngestOut(message=f"Dokumen '{doc_id}' dihapus dari indeks.", doc_id=doc_id, report=_report_dict(report))
