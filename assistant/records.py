"""The records every part of the system exchanges: documents, chunks, citations, answers.

These are the data contracts in code (docs/api.md shows them as JSON). Ingest produces `DocumentMeta` and `ChunkRecord`s,
the index stores them, retrieval returns `ScoredChunk`s and answering returns an `Answer`.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Status = Literal["berlaku", "diubah", "dicabut", "tidak diketahui"]
Bagian = Literal["Pembukaan", "Batang Tubuh", "Penjelasan", "Lampiran", "Isi"]
# How a provision is known: read in the regulation's own text, only reported by a secondary
# source, or cited in another regulation. It reaches the citation so the answer can say so.
Verifikasi = Literal["teks resmi", "terverifikasi", "dilaporkan", "dikutip", "tidak diketahui"]


class DocumentMeta(BaseModel):
    """A document's metadata (front matter of a corpus file, or the sidecar of an official file)."""

    model_config = ConfigDict(extra="allow")

    doc_id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    jenis: str
    nomor: str | None = None
    tahun: int | None = None
    judul: str
    singkatan: str | None = None  # the short name used in context lines and labels
    tanggal_ditetapkan: dt.date | None = None
    tanggal_diundangkan: dt.date | None = None
    status: Status = "tidak diketahui"
    diubah_oleh: list[str] = Field(default_factory=list)
    dicabut_oleh: list[str] = Field(default_factory=list)
    mencabut: list[str] = Field(default_factory=list)
    mengubah: list[str] = Field(default_factory=list)
    sumber: list[str] = Field(default_factory=list)
    resmi: bool = False

    @field_validator("nomor", "jenis", "judul", "singkatan", mode="before")
    @classmethod
    def _as_text(cls, value):
        # YAML reads `nomor: 12` as a number; a regulation's number is text ("060/328/ORG/2023").
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("diubah_oleh", "dicabut_oleh", "mencabut", "mengubah", "sumber", mode="before")
    @classmethod
    def _as_list(cls, value):
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        return value

    @property
    def numbered(self) -> bool:
        """A regulation or letter (it has a number, hence a date and a status); news digests and
        the glossary have none."""
        return bool(self.nomor)

    @property
    def short_name(self) -> str:
        if self.singkatan:
            return self.singkatan
        if self.nomor and self.tahun:
            return f"{self.jenis} Nomor {self.nomor} Tahun {self.tahun}"
        return self.judul


class ChunkRecord(BaseModel):
    """One retrievable passage. `text` starts with a context line (document short name + Pasal)."""

    chunk_id: str
    doc_id: str
    text: str
    bab: str | None = None
    bagian: Bagian = "Batang Tubuh"
    pasal: str | None = None
    ayat: str | None = None  # set when the chunk is exactly one ayat or a run of ayat ("1-3")
    heading: str | None = None
    page: int | None = None
    source_path: str
    resmi: bool = False
    verifikasi: Verifikasi = "tidak diketahui"
    sumber_url: str | None = None
    part: int = 0
    # Structure below BAB (Bagian Kesatu, Paragraf 2), a Keputusan's diktum (KESATU).
    bagian_struktur: str | None = None
    paragraf: str | None = None
    diktum: str | None = None
    # An amendment item ("Pasal I angka 1"): what it changes in which document's Pasal/ayat.
    angka: str | None = None
    perubahan: Literal["diubah", "disisipkan", "dihapus", "lampiran"] | None = None
    target_doc: str | None = None
    target_pasal: str | None = None
    target_ayat: str | None = None
    # A Pasal as amended (the consolidated view): the chunk ids of the amendment items it follows.
    konsolidasi: list[str] = Field(default_factory=list)
    ocr: bool = False  # the text was read by OCR from a page image
    catatan: list[str] = Field(default_factory=list)  # footnotes printed under this unit

    def chroma_metadata(self, meta: DocumentMeta) -> dict:
        """Flat metadata for Chroma (no None values; Chroma rejects them)."""
        raw = {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "bab": self.bab,
            "bagian": self.bagian,
            "pasal": self.pasal,
            "ayat": self.ayat,
            "heading": self.heading,
            "page": self.page,
            "source_path": self.source_path,
            "resmi": self.resmi,
            "verifikasi": self.verifikasi,
            "sumber_url": self.sumber_url,
            "part": self.part,
            "bagian_struktur": self.bagian_struktur,
            "paragraf": self.paragraf,
            "diktum": self.diktum,
            "angka": self.angka,
            "perubahan": self.perubahan,
            "target_doc": self.target_doc,
            "target_pasal": self.target_pasal,
            "ocr": self.ocr or None,
            "jenis": meta.jenis,
            "tahun": meta.tahun,
            "status": meta.status,
        }
        return {k: v for k, v in raw.items() if v is not None}


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Filters(BaseModel):
    """Metadata filters a caller may set (API, UI, CLI). Empty means no restriction."""

    doc_id: list[str] = Field(default_factory=list)
    jenis: list[str] = Field(default_factory=list)
    tahun: list[int] = Field(default_factory=list)
    status: list[Status] = Field(default_factory=list)
    resmi: bool | None = None

    def is_empty(self) -> bool:
        return not (self.doc_id or self.jenis or self.tahun or self.status or self.resmi is not None)


class ScoredChunk(BaseModel):
    chunk: ChunkRecord
    score: float
    dense_rank: int | None = None
    dense_score: float | None = None  # cosine similarity, when the dense retriever found it
    bm25_rank: int | None = None
    exact: bool = False  # matched an explicit reference in the question


class Citation(BaseModel):
    n: int
    doc_id: str
    label: str
    pasal: str | None = None
    ayat: str | None = None
    huruf: str | None = None
    quote: str
    source: str
    page: int | None = None
    status: Status = "tidak diketahui"
    resmi: bool = False
    verifikasi: Verifikasi = "tidak diketahui"
    sumber_url: str | None = None
    chunk_id: str
    score: float = 0.0


class RetrievedRef(BaseModel):
    doc_id: str
    pasal: str | None = None
    chunk_id: str
    score: float


class Answer(BaseModel):
    question: str
    answer: str
    found: bool
    # Why it was not found: a code of assistant/refusal.py's REASONS (None when found).
    reason: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[RetrievedRef] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    latency_ms: float = 0.0
    answer_id: str | None = None
    standalone_question: str | None = None
