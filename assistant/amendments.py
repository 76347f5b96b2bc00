"""The consolidated view: a Pasal that an amendment in the corpus changed, inserted or deleted is
answered from its text as amended (the `konsolidasi` chunk ingest derives), never from the
superseded wording; and each Pasal's history for the document reader.
"""
from __future__ import annotations

from .records import ChunkRecord, ScoredChunk

_cache: list = [None, {}]  # [the state the view was computed for, the view]


def _consolidated(state) -> dict[tuple[str, str], ChunkRecord]:
    """(doc_id, pasal) → its consolidated chunk; computed once per committed index state."""
    if _cache[0] is not state:
        _cache[1] = {(c.doc_id, c.pasal): c for c in state.chunks if c.konsolidasi and c.pasal}
        _cache[0] = state
    return _cache[1]


def current_view(hits: list[ScoredChunk], state) -> list[ScoredChunk]:
    """Replaces each hit on a superseded Pasal by the Pasal as amended (same rank and score)."""
    view = _consolidated(state)
    if not view:
        return hits
    out: list[ScoredChunk] = []
    seen: set[str] = set()
    for hit in hits:
        chunk = hit.chunk
        amended = None
        if not chunk.konsolidasi and chunk.bagian == "Batang Tubuh" and chunk.pasal and not chunk.perubahan:
            amended = view.get((chunk.doc_id, chunk.pasal))
        if amended is not None:
            hit = hit.model_copy(update={"chunk": amended})
        if hit.chunk.chunk_id in seen:
            continue
        seen.add(hit.chunk.chunk_id)
        out.append(hit)
    return out


def pasal_history(state, doc_id: str) -> list[dict]:
    """For each Pasal of a document that amendments touched: the original chunk(s), every change
    item in order (who, which item, what kind), and the consolidated text now in force."""
    by_id = {c.chunk_id: c for c in state.chunks}
    documents = state.documents
    out = []
    for (doc, pasal), chunk in sorted(_consolidated(state).items(), key=lambda kv: kv[0]):
        if doc != doc_id:
            continue
        original = [c.chunk_id for c in state.chunks
                    if c.doc_id == doc_id and c.pasal == pasal and c.bagian == "Batang Tubuh" and not c.konsolidasi]
        changes = []
        for item_id in chunk.konsolidasi:
            item = by_id.get(item_id)
            if item is None:
                continue
            meta = documents.get(item.doc_id)
            changes.append({
                "perubahan": item.perubahan,
                "oleh": item.doc_id,
                "label": f"{meta.short_name if meta else item.doc_id}, Pasal {item.pasal} angka {item.angka}",
                "tanggal": meta.tanggal_ditetapkan.isoformat() if meta and meta.tanggal_ditetapkan else None,
                "ayat": item.target_ayat,
                "chunk_id": item.chunk_id,
            })
        out.append({
            "pasal": pasal,
            "status": "dihapus" if chunk.perubahan == "dihapus" and not chunk.target_ayat and "dihapus oleh" in chunk.text
            else ("disisipkan" if not original else "diubah"),
            "teks_asli": original,
            "perubahan": changes,
            "teks_berlaku": chunk.chunk_id,
        })
    return out
