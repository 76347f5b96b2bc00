"""Corpus validation: front matter schema per file, and the rules that span files.

Every problem names the file and the field, in Indonesian, for the person who wrote the file.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from pydantic import ValidationError

from assistant.errors import DocumentRejected
from assistant.records import ChunkRecord, DocumentMeta

RELATION_FIELDS = ("diubah_oleh", "dicabut_oleh", "mencabut", "mengubah")

_FIELD_HINTS = {
    "doc_id": "huruf kecil, angka dan tanda hubung, mis. permenpan-rb-45-2022",
    "status": "salah satu dari: berlaku, diubah, dicabut, tidak diketahui",
    "tahun": "bilangan bulat, mis. 2022",
    "tanggal_ditetapkan": "tanggal ISO, mis. 2022-10-11",
    "tanggal_diundangkan": "tanggal ISO, mis. 2022-10-12",
    "nomor": "teks, mis. nomor: \"12\" atau nomor: 060/328/ORG/2023",
    "judul": "teks judul peraturan, mis. judul: Tata Kelola Arsip Dinamis",
    "jenis": "teks, mis. jenis: Peraturan Wali Kota Cilegon",
    "resmi": "true atau false",
}


def validate_document(rel: str, raw: dict) -> DocumentMeta:
    """Front matter / sidecar → DocumentMeta, or DocumentRejected naming file and field."""
    if not isinstance(raw, dict):
        raise DocumentRejected(rel, "metadata harus berupa pemetaan YAML (kunci: nilai)")
    try:
        return DocumentMeta.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "(metadata)"
            if err["type"] == "missing":
                hint = _FIELD_HINTS.get(name, "")
                problems.append(f"field '{name}' wajib diisi" + (f" ({hint})" if hint else ""))
            else:
                hint = _FIELD_HINTS.get(str(err["loc"][0]) if err["loc"] else "", "")
                value = err.get("input")
                problems.append(
                    f"field '{name}' tidak valid ({value!r})" + (f"; perbaiki menjadi {hint}" if hint else "")
                )
        raise DocumentRejected(rel, "; ".join(problems), cause=str(exc)) from None


def validate_corpus(files: dict, documents: dict[str, DocumentMeta], records: list[tuple[str, ChunkRecord]]) -> dict[str, str]:
    """Cross-file rules. Returns {file: reason} for the files to reject (first comer wins)."""
    problems: dict[str, str] = {}

    # Unique ids: at most one digest and one official text per doc_id.
    owners: dict[tuple[str, bool], str] = {}
    for rel, entry in sorted(files.items()):
        key = (entry.doc_id, entry.resmi)
        if key in owners:
            kind = "teks resmi" if entry.resmi else "ringkasan"
            problems[rel] = f"doc_id '{entry.doc_id}' sudah dipakai oleh {owners[key]} ({kind} ganda)"
        else:
            owners[key] = rel

    known = set(documents)
    for rel, entry in sorted(files.items()):
        meta = documents.get(entry.doc_id)
        if meta is None or rel in problems:
            continue
        # Relations the amendment linker set last time are undone and re-derived after this check.
        external = set(getattr(meta, "relasi_eksternal", None) or []) | set(getattr(meta, "relasi_otomatis", None) or [])
        for name in RELATION_FIELDS:
            for target in getattr(meta, name):
                if target not in known and target not in external:
                    problems.setdefault(
                        rel,
                        f"field '{name}' merujuk '{target}' yang tidak ada di korpus "
                        "(tambahkan ke 'relasi_eksternal' bila memang di luar korpus)",
                    )

    # No Pasal heading repeated within one digest (an official amending regulation legitimately
    # repeats numbers: its Pasal I restates the amended Pasal 5); no chunk id repeated anywhere.
    pasal_heads: dict[str, Counter] = defaultdict(Counter)
    for _, chunk in records:
        if chunk.bagian == "Batang Tubuh" and chunk.pasal and chunk.part == 0 and not chunk.resmi:
            pasal_heads[chunk.source_path][chunk.pasal] += 1
    for rel, counts in pasal_heads.items():
        repeated = sorted(p for p, n in counts.items() if n > 1)
        if repeated:
            problems.setdefault(rel, "judul Pasal berulang dalam satu dokumen: Pasal " + ", ".join(repeated))
    seen: dict[str, str] = {}
    for _, chunk in records:
        if chunk.chunk_id in seen and seen[chunk.chunk_id] != chunk.source_path:
            problems.setdefault(chunk.source_path, f"id potongan '{chunk.chunk_id}' ganda dengan {seen[chunk.chunk_id]}")
        seen.setdefault(chunk.chunk_id, chunk.source_path)
    return problems
