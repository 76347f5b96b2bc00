"""Amendments linked to the documents they amend, and the consolidated view they produce.

An amending regulation ("Perubahan atas Perwal 12/2024") is parsed into one unit per change item
of its Pasal I (`perubahan` chunks with `target_pasal`). Here, across the corpus:
- the amended document's status and `diubah_oleh` follow from the amendment's `mengubah`, and a
  revoked one's `dicabut_oleh` from `mencabut`;
- every amended, inserted or deleted Pasal gets a consolidated chunk in the amended document
  (`<doc>/konsolidasi/pasal-N/0`): its text as amended, quoting the amendment's own words, with
  `konsolidasi` naming the items it follows. Retrieval answers from it instead of the superseded
  text (assistant/amendments.py).

Derived from the chunk records alone, on every ingest, so adding or removing an amendment never
leaves stale links. Relations set here are remembered in `relasi_otomatis` and undone first.
"""
from __future__ import annotations

import re
from collections import defaultdict

from assistant.records import ChunkRecord, DocumentMeta

from .chunker import slugify

_AYAT_LINE = re.compile(r"^\((\d+[a-z]?)\)\s")


def _body(chunk: ChunkRecord) -> str:
    return chunk.text.partition("\n")[2].strip()


def _reset(meta: DocumentMeta) -> DocumentMeta:
    auto = set(getattr(meta, "relasi_otomatis", None) or [])
    if not auto:
        return meta
    extra = dict(meta.model_extra or {})
    original_status = extra.pop("status_asli", meta.status)
    extra.pop("relasi_otomatis", None)
    fields = meta.model_dump(exclude=set(meta.model_extra or {}))
    fields.update(
        diubah_oleh=[d for d in meta.diubah_oleh if d not in auto],
        dicabut_oleh=[d for d in meta.dicabut_oleh if d not in auto],
        status=original_status,
    )
    return DocumentMeta.model_validate({**extra, **fields})


def _relate(meta: DocumentMeta, field: str, by: str, status: str) -> DocumentMeta:
    values = list(getattr(meta, field))
    if by in values:
        return meta
    extra = dict(meta.model_extra or {})
    auto = list(extra.get("relasi_otomatis") or []) + [by]
    extra.setdefault("status_asli", meta.status)
    fields = meta.model_dump(exclude=set(meta.model_extra or {}))
    fields[field] = values + [by]
    if not (status == "diubah" and meta.status == "dicabut"):
        fields["status"] = status
    return DocumentMeta.model_validate({**extra, **fields, "relasi_otomatis": auto})


def _order(meta: DocumentMeta) -> tuple:
    date = meta.tanggal_ditetapkan.isoformat() if meta.tanggal_ditetapkan else ""
    number = int(re.match(r"\d+", meta.nomor or "0").group()) if re.match(r"\d+", meta.nomor or "") else 0
    return (meta.tahun or 0, date, number, meta.doc_id)


def link_amendments(
    documents: dict[str, DocumentMeta], records: list[tuple[str, ChunkRecord]]
) -> tuple[dict[str, DocumentMeta], list[tuple[str, ChunkRecord]]]:
    from assistant.index import chroma_id

    documents = {d: _reset(m) for d, m in documents.items()}
    records = [(cid, c) for cid, c in records if "/konsolidasi/" not in c.chunk_id]
    amending = sorted((m for m in documents.values() if m.mengubah or m.mencabut), key=_order)
    for meta in amending:
        for target in meta.mengubah:
            if target in documents and target != meta.doc_id:
                documents[target] = _relate(documents[target], "diubah_oleh", meta.doc_id, "diubah")
        for target in meta.mencabut:
            if target in documents and target != meta.doc_id:
                documents[target] = _relate(documents[target], "dicabut_oleh", meta.doc_id, "dicabut")

    items: dict[str, list[ChunkRecord]] = defaultdict(list)  # item path → parts, in order
    for _, chunk in records:
        if chunk.perubahan and chunk.target_doc in documents and chunk.doc_id in documents:
            items[chunk.chunk_id.rsplit("/", 1)[0]].append(chunk)
    if not items:
        return documents, records

    base_text: dict[tuple[str, str], list[ChunkRecord]] = defaultdict(list)
    for _, chunk in records:
        if chunk.bagian == "Batang Tubuh" and chunk.pasal and not chunk.perubahan and chunk.doc_id in documents:
            base_text[(chunk.doc_id, chunk.pasal)].append(chunk)

    current: dict[tuple[str, str], dict] = {}  # (doc, pasal) → text, history, first base chunk
    ordered = sorted(items.values(), key=lambda parts: (_order(documents[parts[0].doc_id]), int(parts[0].angka or 0)))
    for parts in ordered:
        item = parts[0]
        if not item.target_pasal:
            continue
        key = (item.target_doc, item.target_pasal)
        state = current.get(key)
        if state is None:
            base = _preferred(base_text.get(key, []))
            state = {"text": "\n".join(_body(c) for c in base), "base": base[0] if base else None, "items": []}
            current[key] = state
        quoted = _quoted("\n".join(_body(p) for p in parts), item.target_pasal)
        state["text"] = _apply(state["text"], item, quoted, documents[item.doc_id])
        state["items"].append(item)

    derived = []
    for (doc_id, pasal), state in current.items():
        target, last = documents[doc_id], state["items"][-1]
        amender = documents[last.doc_id]
        verb = {"dihapus": "dihapus", "disisipkan": "disisipkan"}.get(last.perubahan, "diubah")
        where = f"{amender.short_name}, Pasal {last.pasal} angka {last.angka}"
        heading = f"Pasal {pasal} sebagaimana {verb} dengan {where}"
        base = state["base"]
        chunk = ChunkRecord(
            chunk_id=f"{doc_id}/konsolidasi/pasal-{slugify(pasal)}/0",
            doc_id=doc_id,
            text=f"{target.short_name} — Pasal {pasal} (sebagaimana {verb} dengan {where})\n{state['text']}",
            bab=base.bab if base else last.bab,
            bagian="Batang Tubuh",
            pasal=pasal,
            heading=heading,
            page=last.page,
            source_path=last.source_path,
            resmi=last.resmi,
            verifikasi=last.verifikasi,
            sumber_url=last.sumber_url,
            bagian_struktur=base.bagian_struktur if base else None,
            paragraf=base.paragraf if base else None,
            perubahan=last.perubahan if last.perubahan != "lampiran" else None,
            konsolidasi=[i.chunk_id for i in state["items"]],
            ocr=last.ocr,
        )
        derived.append((chroma_id(chunk), chunk))
    return documents, records + derived


def _preferred(chunks: list[ChunkRecord]) -> list[ChunkRecord]:
    """The official text of a Pasal when the corpus holds one, else the digest's."""
    official = [c for c in chunks if c.resmi]
    return sorted(official or chunks, key=lambda c: c.part)


def _quoted(text: str, pasal: str) -> str:
    """The text an item quotes: the paragraphs after its instruction, without the quoted heading."""
    paragraphs = text.split("\n")[1:]
    if paragraphs and re.fullmatch(rf"(?:Pasal|PASAL)\s+{re.escape(pasal)}", paragraphs[0].strip()):
        paragraphs = paragraphs[1:]
    return "\n".join(p for p in paragraphs if p.strip())


def _ayat_blocks(text: str) -> list[tuple[str | None, str]]:
    blocks: list[tuple[str | None, str]] = []
    for line in text.split("\n"):
        m = _AYAT_LINE.match(line)
        if m or not blocks:
            blocks.append((m.group(1) if m else None, line))
        else:
            blocks[-1] = (blocks[-1][0], blocks[-1][1] + "\n" + line)
    return blocks


def _apply(text: str, item: ChunkRecord, quoted: str, amender: DocumentMeta) -> str:
    where = f"{amender.short_name}, Pasal {item.pasal} angka {item.angka}"
    if item.perubahan == "dihapus" and not item.target_ayat:
        return f"Pasal {item.target_pasal} dihapus oleh {where}."
    if not item.target_ayat or not text:
        return quoted or text
    blocks = _ayat_blocks(text)
    replaced = dict(_ayat_blocks(quoted)) if quoted else {}
    replaced.pop(None, None)
    if item.perubahan == "dihapus":
        replaced = {item.target_ayat: f"({item.target_ayat}) Dihapus oleh {where}."}
    if {b[0] for b in blocks if b[0]} <= set(replaced):  # the item quotes the whole Pasal
        return quoted
    out = [replaced.pop(no, line) if no else line for no, line in blocks]
    for no, line in replaced.items():  # inserted ayat (2a) after the ayat it follows
        position = next((i + 1 for i, (n, _) in enumerate(blocks) if n and n == re.match(r"\d+", no).group()), len(out))
        out.insert(position, line)
    return "\n".join(out)
