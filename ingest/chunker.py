"""Chunker: parsed units → `ChunkRecord`s, one retrievable passage each.

One chunk per Pasal (a long one split at ayat boundaries), one per Penjelasan Pasal, Menimbang and
Mengingat as Pembukaan chunks, and Lampiran / named sections split by paragraph under a size limit.
Chunk ids are `doc_id/variant/path/part`, deterministic so a re-ingest of the same text changes
nothing. Every chunk's text starts with a context line ("Perwal Contoh 7/2024 — Pasal 4") so that
both the embedding and BM25 see where the passage stands.
"""
from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import get_args

from assistant.records import ChunkRecord, DocumentMeta, Verifikasi

from .structure import Ayat, ParsedDocument, Unit

PASAL_LIMIT = 1200  # characters of a Pasal before it is split at ayat boundaries
TEXT_LIMIT = 1000  # characters of a Lampiran / section chunk
_TITLE_KINDS = ("judul", "menetapkan", "intro", "lampiran")
# Words of any title block that say nothing about the content.
_TITLE_WORDS = set(
    "peraturan keputusan nomor tahun tentang dengan rahmat tuhan yang maha esa republik indonesia salinan "
    "atas perubahan menetapkan memutuskan lampiran ini dan menteri presiden gubernur bupati wali kota "
    "kabupaten provinsi daerah".split()
)


@dataclass
class _Piece:
    text: str
    ayat: str | None
    page: int | None


def chunk_document(parsed: ParsedDocument, meta: DocumentMeta, source_path: str) -> list[ChunkRecord]:
    variant = "resmi" if meta.resmi else "ringkasan"
    ocr_pages = {u.page for u in parsed.units if u.ocr and u.page is not None}
    used_paths: dict[str, int] = {}
    chunks: list[ChunkRecord] = []
    for unit in parsed.units:
        if _says_nothing(unit, meta):
            continue
        path = _unique(_path(unit), used_paths)
        context = f"{meta.short_name} — {_label(unit)}"
        for part, piece in enumerate(_pieces(unit)):
            chunks.append(
                ChunkRecord(
                    chunk_id=f"{meta.doc_id}/{variant}/{path}/{part}",
                    doc_id=meta.doc_id,
                    text=f"{context}\n{piece.text}",
                    bab=unit.bab,
                    bagian=unit.bagian,
                    pasal=unit.pasal,
                    ayat=piece.ayat,
                    heading=unit.heading,
                    page=piece.page,
                    source_path=source_path,
                    resmi=meta.resmi,
                    verifikasi=_verifikasi(unit, meta),
                    sumber_url=unit.sumber_url or (meta.sumber[0] if meta.sumber else None),
                    part=part,
                    bagian_struktur=unit.bagian_struktur,
                    paragraf=unit.paragraf,
                    diktum=unit.diktum,
                    angka=unit.angka,
                    perubahan=unit.perubahan if unit.kind == "perubahan" else None,
                    target_doc=(meta.mengubah[0] if meta.mengubah else None) if unit.kind == "perubahan" else None,
                    target_pasal=unit.target_pasal,
                    target_ayat=unit.target_ayat,
                    ocr=unit.ocr or piece.page in ocr_pages,
                    catatan=unit.catatan if part == 0 else [],
                )
            )
    return chunks


# --- Names -------------------------------------------------------------------------------------


def slugify(text: str, max_length: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "bagian"


def _path(unit: Unit) -> str:
    angka = f"-angka-{unit.angka}" if unit.angka else ""
    if unit.kind in ("pasal", "perubahan") and unit.pasal:
        return f"pasal-{slugify(unit.pasal)}{angka}"
    if unit.kind == "penjelasan_pasal" and unit.pasal:
        return f"penjelasan-pasal-{slugify(unit.pasal)}{angka}"
    if unit.kind == "diktum" and unit.diktum:
        return f"diktum-{slugify(unit.diktum)}"
    if unit.kind == "lampiran":
        heading = slugify(unit.heading or "lampiran")
        return heading if heading.startswith("lampiran") else f"lampiran-{heading}"
    if unit.kind == "section":
        return f"{slugify(unit.bagian)}-{slugify(unit.heading or '')}"
    return slugify(unit.kind)  # judul, menimbang, mengingat, menetapkan, penjelasan-umum, intro


def _unique(path: str, used: dict[str, int]) -> str:
    used[path] = used.get(path, 0) + 1
    return path if used[path] == 1 else f"{path}-{used[path]}"


def _label(unit: Unit) -> str:
    angka = f" angka {unit.angka}" if unit.angka else ""
    if unit.kind in ("pasal", "perubahan") and unit.pasal:
        return f"Pasal {unit.pasal}{angka}"
    if unit.kind == "penjelasan_pasal" and unit.pasal:
        return f"Penjelasan Pasal {unit.pasal}{angka}"
    if unit.kind == "lampiran" and not (unit.heading or "").lower().startswith("lampiran"):
        return f"Lampiran — {unit.heading}"
    return unit.heading or {"intro": "Pengantar", "penjelasan_umum": "Penjelasan Umum"}.get(unit.kind, unit.kind)


def _verifikasi(unit: Unit, meta: DocumentMeta) -> str:
    value = unit.verifikasi or ("teks resmi" if meta.resmi else "tidak diketahui")
    return value if value in get_args(Verifikasi) else "tidak diketahui"


def _says_nothing(unit: Unit, meta: DocumentMeta) -> bool:
    if not unit.text.strip():
        return True
    # "Cukup jelas." explains nothing and would only crowd retrieval for "jelas".
    if unit.kind == "penjelasan_pasal" and re.fullmatch(r"cukup jelas\.?", unit.text.strip(), re.I):
        return True
    return unit.kind in _TITLE_KINDS and _only_repeats_title(unit, meta)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _only_repeats_title(unit: Unit, meta: DocumentMeta) -> bool:
    """A title block, "Menetapkan: PERATURAN ... TENTANG ..." or a Lampiran's cover lines."""
    if unit.kind == "lampiran" and not re.fullmatch(r"Lampiran(?: [IVXLC]+)?", unit.heading or ""):
        return False
    title = " ".join(str(v) for v in (meta.judul, meta.jenis, meta.nomor, meta.tahun, meta.singkatan) if v)
    return len(_words(unit.text) - _words(title) - _TITLE_WORDS) <= 3


# --- Pieces ------------------------------------------------------------------------------------


def _pieces(unit: Unit) -> list[_Piece]:
    if unit.kind not in ("pasal", "penjelasan_pasal"):
        return [_Piece(text, None, unit.page) for text in with_table_headers(split_text(unit.text, TEXT_LIMIT))]
    if len(unit.text) <= PASAL_LIMIT:
        return [_Piece(unit.text, _whole_pasal_ayat(unit.ayat), unit.page)]
    if not unit.ayat:
        return [_Piece(text, None, unit.page) for text in split_text(unit.text, PASAL_LIMIT)]
    return _split_at_ayat(unit)


def _whole_pasal_ayat(ayat: list[Ayat]) -> str | None:
    """The whole Pasal is cited as "Pasal 4"; a digest that only knows ayat (2) as "ayat (2)"."""
    if not ayat or ayat[0].no == "1":
        return None
    return _ayat_range(ayat)


def _ayat_range(ayat: list[Ayat]) -> str:
    return ayat[0].no if len(ayat) == 1 else f"{ayat[0].no}-{ayat[-1].no}"


def _render_ayat(unit: Unit, ayat: Ayat) -> str:
    # The same rendering the parser uses for the unit text.
    return f"Ayat ({ayat.no})\n{ayat.text}" if unit.kind == "penjelasan_pasal" else f"({ayat.no}) {ayat.text}"


def _split_at_ayat(unit: Unit) -> list[_Piece]:
    rendered = [_render_ayat(unit, a) for a in unit.ayat]
    body = "\n".join(rendered)
    lead = unit.text[: -len(body)].strip() if unit.text.endswith(body) else ""
    pieces: list[_Piece] = []
    group: list[int] = []

    def flush() -> None:
        if not group:
            return
        ayat = [unit.ayat[i] for i in group]
        with_lead = not pieces and lead
        text = "\n".join(([lead] if with_lead else []) + [rendered[i] for i in group])
        page = unit.page if with_lead else ayat[0].page
        if len(text) > PASAL_LIMIT:  # one ayat alone is too long: split it by paragraph/sentence
            pieces.extend(_Piece(t, _ayat_range(ayat), page) for t in split_text(text, PASAL_LIMIT))
        else:
            pieces.append(_Piece(text, _ayat_range(ayat), page))
        group.clear()

    size = len(lead)
    for index, text in enumerate(rendered):
        if group and size + len(text) + 1 > PASAL_LIMIT:
            flush()
            size = 0
        group.append(index)
        size += len(text) + 1
    flush()
    return pieces


_TABLE_RULE = re.compile(r"^\|(?:\s*-{3,}\s*\|)+$")


def with_table_headers(pieces: list[str]) -> list[str]:
    """A Markdown table split over pieces: every piece that goes on with its rows starts with the
    table's header again, so a quoted row keeps its column names."""
    out, header = [], None
    for piece in pieces:
        lines = piece.split("\n")
        if header and lines[0].startswith("|") and not (len(lines) > 1 and _TABLE_RULE.match(lines[1])):
            piece = "\n".join(header) + "\n" + piece
        for index, line in enumerate(lines[:-1]):
            if line.startswith("|") and _TABLE_RULE.match(lines[index + 1]):
                header = lines[index:index + 2]
        if not lines[-1].startswith("|"):
            header = None
        out.append(piece)
    return out


def split_text(text: str, limit: int) -> list[str]:
    """Packs paragraphs into pieces of at most `limit` characters; a longer paragraph is split at
    sentence ends, a longer sentence between words. Never mid-word."""
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        for index, atom in enumerate(_atoms(paragraph.strip(), limit)):
            joiner = "\n" if index == 0 else " "
            candidate = f"{current}{joiner}{atom}" if current else atom
            if current and len(candidate) > limit:
                pieces.append(current)
                current = atom
            else:
                current = candidate
    if current.strip():
        pieces.append(current)
    return pieces


def _atoms(paragraph: str, limit: int) -> list[str]:
    if len(paragraph) <= limit:
        return [paragraph] if paragraph else []
    atoms: list[str] = []
    for sentence in re.split(r"(?<=[.;:!?])\s+", paragraph):
        atoms.extend(textwrap.wrap(sentence, limit, break_long_words=False, break_on_hyphens=False))
    return atoms
