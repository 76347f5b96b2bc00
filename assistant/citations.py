"""Citations as a person writes them in a letter, and the warnings that go with them."""
from __future__ import annotations

import re

from .records import ChunkRecord, Citation, DocumentMeta, ScoredChunk

QUOTE_LIMIT = 900


def body(chunk: ChunkRecord) -> str:
    """The chunk's text without its context line."""
    first, sep, rest = chunk.text.partition("\n")
    return rest.strip() if sep else first.strip()


def label(chunk: ChunkRecord, meta: DocumentMeta | None, ayat: str | None = None, huruf: str | None = None) -> str:
    name = meta.short_name if meta else chunk.doc_id
    angka = f" angka {chunk.angka}" if chunk.angka else ""
    if chunk.konsolidasi and chunk.heading:
        place = chunk.heading  # "Pasal 3 sebagaimana diubah dengan Perwal ... , Pasal I angka 1"
    elif chunk.pasal and chunk.bagian == "Penjelasan":
        place = f"Penjelasan Pasal {chunk.pasal}{angka}"
    elif chunk.pasal:
        place = f"Pasal {chunk.pasal}{angka}"
    elif chunk.diktum:
        place = f"Diktum {chunk.diktum}"
    elif chunk.bagian == "Pembukaan" and chunk.heading:
        place = chunk.heading.capitalize()
    elif chunk.heading:
        place = chunk.heading
    else:
        place = None
    text = f"{name}, {place}" if place else name
    if ayat and not chunk.konsolidasi:
        text += f" ayat ({ayat})"
    if huruf and not chunk.konsolidasi:
        text += f" huruf {huruf}"
    if chunk.ocr:
        text += " (hasil OCR)"
    return text


_AYAT_START = re.compile(r"^\((\d+[a-z]?)\)\s")
_HURUF_START = re.compile(r"^([a-z])\.\s")


def locate(chunk: ChunkRecord, units: list[str]) -> tuple[str | None, str | None]:
    """The ayat (and huruf) that the quoted units sit in, when they share one."""
    if chunk.ayat and "-" not in chunk.ayat:
        ayat = chunk.ayat
    else:
        ayat = None
    if not chunk.pasal:
        return None, None
    lines = body(chunk).splitlines()
    found_ayat, found_huruf = set(), set()
    for unit in units:
        current_ayat, current_huruf = ayat, None
        for line in lines:
            line = line.strip()
            m = _AYAT_START.match(line)
            if m:
                current_ayat, current_huruf = m.group(1), None
            h = _HURUF_START.match(line)
            if h:
                current_huruf = h.group(1)
            if unit[:60] in line:
                break
        found_ayat.add(current_ayat)
        found_huruf.add(current_huruf)
    a = found_ayat.pop() if len(found_ayat) == 1 else ayat
    h = found_huruf.pop() if len(found_huruf) == 1 and a else None
    return a, h


def quote_of(chunk: ChunkRecord) -> str:
    text = body(chunk)
    if len(text) <= QUOTE_LIMIT:
        return text
    cut = text.rfind(". ", 0, QUOTE_LIMIT)
    return text[: cut + 1 if cut > QUOTE_LIMIT // 2 else QUOTE_LIMIT].rstrip() + " …"


def make_citation(n: int, hit: ScoredChunk, documents: dict[str, DocumentMeta], units: list[str] | None = None) -> Citation:
    chunk = hit.chunk
    meta = documents.get(chunk.doc_id)
    ayat, huruf = locate(chunk, units or [])
    return Citation(
        n=n,
        doc_id=chunk.doc_id,
        label=label(chunk, meta, ayat, huruf),
        pasal=chunk.pasal,
        ayat=ayat,
        huruf=huruf,
        quote=quote_of(chunk),
        source=chunk.source_path,
        page=chunk.page,
        status=meta.status if meta else "tidak diketahui",
        resmi=chunk.resmi,
        verifikasi=chunk.verifikasi,
        sumber_url=chunk.sumber_url,
        chunk_id=chunk.chunk_id,
        score=round(hit.score, 6),
    )


def warnings_for(citations: list[Citation], documents: dict[str, DocumentMeta]) -> list[str]:
    """Revoked/amended regulations (with successor), unofficial digests, secondary reports."""
    out: list[str] = []
    for doc_id in dict.fromkeys(c.doc_id for c in citations):
        meta = documents.get(doc_id)
        if meta is None:
            continue
        if meta.status == "dicabut" or meta.dicabut_oleh:
            successor = _names(meta.dicabut_oleh, documents)
            out.append(
                f"{meta.short_name} telah dicabut"
                + (f" dan diganti oleh {successor}" if successor else "")
                + "; gunakan ketentuan penggantinya untuk naskah dinas."
            )
        elif meta.status == "diubah" or meta.diubah_oleh:
            changer = _names(meta.diubah_oleh, documents)
            out.append(f"{meta.short_name} telah diubah" + (f" oleh {changer}" if changer else "") + "; periksa ketentuan perubahannya.")
    digests = [c for c in citations if not c.resmi]
    if digests:
        numbers = ", ".join(f"[{c.n}]" for c in digests)
        out.append(
            f"Kutipan {numbers} berasal dari ringkasan tidak resmi, bukan teks resmi peraturan; "
            "cocokkan dengan teks resmi (JDIH) sebelum dikutip dalam naskah dinas."
        )
    reported = [c for c in citations if c.verifikasi == "dilaporkan"]
    if reported:
        numbers = ", ".join(f"[{c.n}]" for c in reported)
        out.append(
            f"Ketentuan {numbers} hanya dilaporkan oleh sumber sekunder (berita/ringkasan); "
            "isinya belum diverifikasi dari teks peraturan."
        )
    return out


def _names(doc_ids: list[str], documents: dict[str, DocumentMeta]) -> str:
    return ", ".join(documents[d].short_name if d in documents else d for d in doc_ids)
