"""The regulation reader of the chat UI's "Dokumen" tab, as HTML: a document's header (status,
relations, amendment timeline), its outline (BAB / Bagian / Pasal, Penjelasan, Lampiran) and one
unit's text. Every value is escaped here; the outline's items carry `data-unit` keys that the page's
script sends back on a click (`unit_key` / `read_unit`).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

from .amendments import pasal_history
from .citations import body as chunk_body
from .records import ChunkRecord, DocumentMeta

e = html.escape

STATUS_LABEL = {"berlaku": "berlaku", "diubah": "diubah", "dicabut": "dicabut",
                "tidak diketahui": "status tidak diketahui"}
CHANGE_LABEL = {"diubah": "diubah", "disisipkan": "disisipkan", "dihapus": "dihapus"}


def badges(status: str, resmi: bool) -> str:
    cls = "badge-" + status.replace(" ", "-")
    kind = ('<span class="badge badge-resmi">teks resmi</span>' if resmi
            else '<span class="badge badge-tidak-resmi">ringkasan tidak resmi</span>')
    return f'<span class="badge {e(cls)}">{e(STATUS_LABEL.get(status, status))}</span>{kind}'


@dataclass
class Unit:
    key: str
    label: str
    bagian: str
    bab: str | None
    bagian_struktur: str | None
    chunks: list[ChunkRecord] = field(default_factory=list)


def unit_key(chunk: ChunkRecord) -> str:
    if chunk.pasal and chunk.bagian == "Penjelasan":
        return f"penjelasan:{chunk.pasal}"
    if chunk.pasal:
        return f"pasal:{chunk.pasal}"
    return f"chunk:{chunk.chunk_id}"


def units(chunks: list[ChunkRecord]) -> list[Unit]:
    """Units in document order; consecutive chunks of one Pasal (its ayat, its parts) are one unit.
    The consolidated text of an amended Pasal is read with that Pasal, not listed twice."""
    out: dict[str, Unit] = {}
    for c in chunks:
        key = unit_key(c)
        if c.konsolidasi and key in out:
            continue
        unit = out.get(key)
        if unit is None:
            if c.pasal:
                label = ("Penjelasan " if c.bagian == "Penjelasan" else "") + f"Pasal {c.pasal}"
            else:
                label = c.heading or c.bagian
            unit = out[key] = Unit(key, label, c.bagian, c.bab, c.bagian_struktur)
        unit.chunks.append(c)
    return list(out.values())


def header_html(meta: DocumentMeta, docs: dict[str, DocumentMeta], history: list[dict]) -> str:
    def name(doc_id: str) -> str:
        other = docs.get(doc_id)
        return e(other.short_name if other else doc_id)

    parts = ['<div class="reader-head" data-testid="reader-head">', badges(meta.status, meta.resmi),
             f"<h3>{e(meta.short_name)}</h3>", f'<p class="judul">{e(meta.judul)}</p>']
    relations = []
    for title, ids in (("mencabut", meta.mencabut), ("dicabut oleh", meta.dicabut_oleh),
                       ("mengubah", meta.mengubah), ("diubah oleh", meta.diubah_oleh)):
        if ids:
            relations.append(f"<li><strong>{title}</strong>: {', '.join(name(i) for i in ids)}</li>")
    if relations:
        parts.append(f'<ul class="relasi" data-testid="reader-relations">{"".join(relations)}</ul>')
    parts.append(timeline_html(meta, docs, history))
    links = [u for u in meta.sumber if u.lower().startswith(("http://", "https://"))]
    if links:
        parts.append('<p class="sumber">Sumber: ' + " · ".join(
            f'<a href="{e(u, quote=True)}" target="_blank" rel="noopener noreferrer">{e(u)}</a>' for u in links[:3])
            + "</p>")
    parts.append("</div>")
    return "".join(parts)


def timeline_html(meta: DocumentMeta, docs: dict[str, DocumentMeta], history: list[dict]) -> str:
    """Dated events: enacted, each amending or revoking regulation, each Pasal change item."""
    events: list[tuple[str, str]] = []
    if meta.tanggal_ditetapkan:
        events.append((meta.tanggal_ditetapkan.isoformat(), f"ditetapkan: {e(meta.short_name)}"))
    for kind, ids in (("diubah oleh", meta.diubah_oleh), ("dicabut oleh", meta.dicabut_oleh)):
        for doc_id in ids:
            other = docs.get(doc_id)
            date = other.tanggal_ditetapkan.isoformat() if other and other.tanggal_ditetapkan else ""
            events.append((date, f"{kind} {e(other.short_name if other else doc_id)}"))
    for entry in history:
        for change in entry.get("perubahan", []):
            what = CHANGE_LABEL.get(change.get("perubahan") or "", change.get("perubahan") or "diubah")
            events.append((change.get("tanggal") or "", f"Pasal {e(entry['pasal'])} {e(what)} oleh {e(change['label'])}"))
    if not events:
        return ""
    events.sort(key=lambda ev: ev[0] or "9999")
    items = "".join(f"<li><span class='muted'>{e(date) or 'tanggal tidak diketahui'}</span> — {text}</li>"
                    for date, text in events)
    return f'<div class="timeline" data-testid="reader-timeline"><strong>Riwayat</strong><ol>{items}</ol></div>'


def outline_html(doc_units: list[Unit], history: list[dict], selected: str | None = None) -> str:
    changed = {h["pasal"]: h["status"] for h in history}
    parts = ['<nav class="outline" data-testid="reader-outline">']
    bagian = bab = struktur = None
    for u in doc_units:
        if u.bagian != bagian:
            bagian, bab, struktur = u.bagian, None, None
            parts.append(f'<div class="ol-bagian">{e(u.bagian)}</div>')
        if u.bab and u.bab != bab:
            bab, struktur = u.bab, None
            parts.append(f'<div class="ol-bab">{e(u.bab)}</div>')
        if u.bagian_struktur and u.bagian_struktur != struktur:
            struktur = u.bagian_struktur
            parts.append(f'<div class="ol-struktur">{e(u.bagian_struktur)}</div>')
        pasal = u.chunks[0].pasal
        mark = ""
        if pasal and u.bagian != "Penjelasan" and pasal in changed:
            mark = f' <span class="badge badge-diubah">{e(changed[pasal])}</span>'
        current = ' aria-current="true"' if u.key == selected else ""
        parts.append(f'<button type="button" class="ol-unit" data-unit="{e(u.key, quote=True)}"{current}>'
                     f"{e(u.label)}{mark}</button>")
    parts.append("</nav>")
    return "".join(parts)


def read_unit(meta: DocumentMeta, chunks: list[ChunkRecord], history: list[dict], key: str) -> str:
    """One unit's text; a Pasal as in force, with its original wording and its change items."""
    unit = next((u for u in units(chunks) if u.key == key), None)
    if unit is None:
        return f"<p>Bagian '{e(key)}' tidak ada dalam {e(meta.short_name)}.</p>"
    pasal = unit.chunks[0].pasal
    own = [c for c in chunks if unit_key(c) == key]
    consolidated = [c for c in own if c.konsolidasi]
    original = [c for c in own if not c.konsolidasi]
    entry = next((h for h in history if h["pasal"] == pasal), None) if pasal and unit.bagian != "Penjelasan" else None
    title = f"{meta.short_name}, {unit.label}" if pasal else f"{meta.short_name} — {unit.label}"
    place = " · ".join(x for x in (unit.bagian, unit.bab, unit.bagian_struktur) if x)
    parts = [f'<article class="reader-unit" data-testid="reader-unit" data-unit="{e(key, quote=True)}">',
             f"<h4>{e(title)}</h4>", f'<p class="muted">{e(place)}</p>']
    if entry is not None:
        parts.append(f'<p><span class="badge badge-diubah">{e(entry["status"])}</span> '
                     "teks di bawah adalah teks yang berlaku setelah perubahan.</p>")
    parts.append(_text(consolidated or original))
    if entry is not None:
        items = "".join(f"<li>{e(CHANGE_LABEL.get(ch.get('perubahan') or '', 'diubah'))} oleh {e(ch['label'])}"
                        f"{(' (' + e(ch['tanggal']) + ')') if ch.get('tanggal') else ''}</li>"
                        for ch in entry.get("perubahan", []))
        parts.append(f'<div class="timeline"><strong>Riwayat Pasal {e(pasal)}</strong><ol>{items}</ol></div>')
        if consolidated and original:
            parts.append("<details><summary>Teks sebelum diubah</summary>" + _text(original) + "</details>")
    if pasal and unit.bagian != "Penjelasan":
        explanation = [c for c in chunks if unit_key(c) == f"penjelasan:{pasal}"]
        if explanation:
            parts.append("<details open><summary>Penjelasan</summary>" + _text(explanation) + "</details>")
    pages = sorted({c.page for c in own if c.page})
    src = own[0].source_path + (f", hlm. {', '.join(map(str, pages))}" if pages else "")
    parts.append(f'<p class="sumber">berkas {e(src)} · verifikasi: {e(own[0].verifikasi)}</p></article>')
    return "".join(parts)


def _text(chunks: list[ChunkRecord]) -> str:
    paras = [p.strip() for c in chunks for p in chunk_body(c).split("\n") if p.strip()]
    return '<div class="pasal-text">' + "".join(f"<p>{e(p)}</p>" for p in paras) + "</div>"


def document_view(assistant, doc_id: str, key: str | None = None) -> tuple[str, str, str]:
    """(header, outline, unit) HTML for a document; the first unit when no key is given."""
    docs = {d.doc_id: d for d in assistant.documents()}
    meta, chunks = assistant.document(doc_id)
    history = pasal_history(assistant.store.state(), doc_id)
    doc_units = units(chunks)
    if key is None or all(u.key != key for u in doc_units):
        key = doc_units[0].key if doc_units else None
    unit = read_unit(meta, chunks, history, key) if key else "<p>Dokumen ini tidak memuat teks.</p>"
    return header_html(meta, docs, history), outline_html(doc_units, history, key), unit
