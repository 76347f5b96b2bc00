"""An official text (PDF in corpus/resmi with a sidecar) and a digest of the same document:
answers cite the official text; the digest stays as the fallback for what the official text lacks."""
from __future__ import annotations

import pytest

from assistant.service import build_assistant
from conftest import make_settings
from ingest.pipeline import run_ingest
from regulation_fixtures import DOC_ID, write_fictional_pdf

DIGEST = f"""---
doc_id: {DOC_ID}
jenis: Peraturan Wali Kota
nomor: "7"
tahun: 2024
judul: Tata Kelola Arsip Dinamis
singkatan: Perwal Contoh 7/2024
status: berlaku
sumber: [https://jdih.contohkota.go.id/ringkasan]
resmi: false
---

# Perwal Contoh 7/2024 (ringkasan)

## Pasal 3

(1) Ringkasan: perangkat daerah menyusun daftar arsip aktif setiap awal tahun.

Sumber: dilaporkan — https://berita.contohkota.go.id/arsip

## Ringkasan — Latar Belakang Penerbitan

Perwal tentang arsip dinamis diterbitkan setelah audit kearsipan menemukan banyak arsip digital tanpa klasifikasi.

Sumber: dilaporkan — https://berita.contohkota.go.id/audit
"""


@pytest.fixture(scope="module")
def official(tmp_path_factory, model_cache, embeddings):
    root = tmp_path_factory.mktemp("official")
    corpus = root / "corpus"
    (corpus / "resmi").mkdir(parents=True)
    (corpus / "ringkasan").mkdir()
    expected = write_fictional_pdf(corpus / "resmi" / "perwal-contoh-7-2024.pdf")
    (corpus / "ringkasan" / f"{DOC_ID}.md").write_text(DIGEST, "utf-8")
    settings = make_settings(root / "data", model_cache, corpus)
    report = run_ingest(settings, embeddings=embeddings)
    assert not report.rejected, report.rejected
    return build_assistant(settings), expected


def test_the_official_text_answers_and_is_cited_with_its_page(official):
    assistant, expected = official
    answer = assistant.ask("Kapan perangkat daerah wajib menyusun daftar arsip aktif?")
    assert answer.found
    first = answer.citations[0]
    assert first.doc_id == DOC_ID and first.resmi and first.verifikasi == "teks resmi"
    assert first.pasal == "3" and first.ayat == "1"
    assert first.page == next(p.page for p in expected.pasal if p.pasal == "3")
    assert first.source.startswith("resmi/") and first.source.endswith(".pdf")
    assert "31 Januari" in answer.answer
    assert not any("ringkasan tidak resmi" in w for w in answer.warnings)


def test_the_official_text_outranks_the_digest_for_the_same_pasal(official):
    assistant, _ = official
    hits = assistant.search("daftar arsip aktif disusun setiap tahun Pasal 3", k=5)
    same_pasal = [h for h in hits if h.chunk.doc_id == DOC_ID and h.chunk.pasal == "3"]
    assert same_pasal and same_pasal[0].chunk.resmi


def test_an_explicit_pasal_reference_prefers_the_official_text(official):
    assistant, _ = official
    answer = assistant.ask("Pasal 3 Perwal Contoh 7/2024 isinya apa?")
    assert answer.found and answer.citations[0].resmi


def test_the_digest_is_the_fallback_for_what_the_official_text_lacks(official):
    assistant, _ = official
    answer = assistant.ask("Apa latar belakang penerbitan perwal arsip dinamis? audit kearsipan")
    assert answer.found
    assert answer.citations[0].doc_id == DOC_ID and not answer.citations[0].resmi
    assert any("ringkasan tidak resmi" in w for w in answer.warnings)


def test_the_catalogue_takes_the_official_metadata(official):
    assistant, _ = official
    meta, chunks = assistant.document(DOC_ID)
    assert meta.resmi is True
    assert {c.resmi for c in chunks} == {True, False}


def test_a_penjelasan_travels_with_its_pasal(official):
    assistant, _ = official
    hits = assistant.search("jadwal retensi arsip penyusutan", k=6)
    ids = [h.chunk.chunk_id for h in hits]
    pasal4 = next(i for i, h in enumerate(hits) if h.chunk.pasal == "4" and h.chunk.bagian == "Batang Tubuh")
    assert hits[pasal4 + 1].chunk.bagian == "Penjelasan" and hits[pasal4 + 1].chunk.pasal == "4", ids
