"""Chunker: ids, metadata and context lines of every chunk; splitting long text."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.records import DocumentMeta
from ingest.chunker import PASAL_LIMIT, TEXT_LIMIT, chunk_document, split_text
from ingest.loaders import load_document
from ingest.structure import Ayat, ParsedDocument, Unit, parse_document
from regulation_fixtures import DIGEST, DOC_ID, SHORT_NAME, write_fictional_pdf


def _chunks(path: Path, source: str):
    loaded = load_document(path)
    return chunk_document(parse_document(loaded), DocumentMeta.model_validate(loaded.meta), source)


@pytest.fixture(scope="module")
def pdf_chunks(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "perwal-contoh.pdf"
    write_fictional_pdf(path)
    return path, _chunks(path, "corpus/resmi/perwal-contoh.pdf")


def test_official_pdf_chunk_metadata(pdf_chunks):
    _, chunks = pdf_chunks
    rows = [(c.chunk_id.removeprefix(f"{DOC_ID}/resmi/"), c.bagian, c.bab, c.pasal, c.ayat, c.page,
             c.text.split("\n", 1)[0]) for c in chunks]
    p = SHORT_NAME
    assert rows == [
        ("menimbang/0", "Pembukaan", None, None, None, 1, f"{p} — Menimbang"),
        ("mengingat/0", "Pembukaan", None, None, None, 1, f"{p} — Mengingat"),
        ("pasal-1/0", "Batang Tubuh", "I", "1", None, 1, f"{p} — Pasal 1"),
        ("pasal-2/0", "Batang Tubuh", "I", "2", None, 1, f"{p} — Pasal 2"),
        ("pasal-3/0", "Batang Tubuh", "II", "3", None, 1, f"{p} — Pasal 3"),
        ("pasal-4/0", "Batang Tubuh", "II", "4", None, 2, f"{p} — Pasal 4"),
        ("pasal-5/0", "Batang Tubuh", "II", "5", None, 2, f"{p} — Pasal 5"),
        ("pasal-5a/0", "Batang Tubuh", "II", "5A", None, 2, f"{p} — Pasal 5A"),
        ("pasal-6/0", "Batang Tubuh", "III", "6", None, 2, f"{p} — Pasal 6"),
        ("penjelasan-umum/0", "Penjelasan", None, None, None, 3, f"{p} — Penjelasan Umum"),
        # "Cukup jelas." explanations are dropped; the others link to their Pasal and its BAB.
        ("penjelasan-pasal-2/0", "Penjelasan", "I", "2", None, 3, f"{p} — Penjelasan Pasal 2"),
        ("penjelasan-pasal-4/0", "Penjelasan", "II", "4", None, 3, f"{p} — Penjelasan Pasal 4"),
        ("lampiran-a-jadwal-retensi-arsip/0", "Lampiran", None, None, None, 4,
         f"{p} — Lampiran — A. JADWAL RETENSI ARSIP"),
        ("lampiran-b-mekanisme-penilaian-kembali/0", "Lampiran", None, None, None, 4,
         f"{p} — Lampiran — B. MEKANISME PENILAIAN KEMBALI"),
    ]
    assert all(c.doc_id == DOC_ID and c.resmi and c.verifikasi == "teks resmi" for c in chunks)
    assert {c.source_path for c in chunks} == {"corpus/resmi/perwal-contoh.pdf"}
    assert {c.sumber_url for c in chunks} == {"https://jdih.contohkota.go.id/perwal-7-2024.pdf"}


def test_pasal_chunk_text_is_context_line_then_the_pasal(pdf_chunks):
    _, chunks = pdf_chunks
    pasal_5 = next(c for c in chunks if c.chunk_id.endswith("/pasal-5/0"))
    assert pasal_5.text == (
        f"{SHORT_NAME} — Pasal 5\n(1) Arsip yang telah habis masa retensinya dinilai kembali oleh Unit Kearsipan.\n"
        "(2) Hasil penilaian sebagaimana dimaksud pada ayat (1) ditetapkan dengan Keputusan Kepala Perangkat Daerah."
    )
    assert pasal_5.heading == "Pasal 5" and pasal_5.part == 0


def test_ids_are_stable_across_runs(pdf_chunks):
    path, chunks = pdf_chunks
    again = _chunks(path, "corpus/resmi/perwal-contoh.pdf")
    assert [c.model_dump() for c in again] == [c.model_dump() for c in chunks]
    assert len({c.chunk_id for c in chunks}) == len(chunks)


# --- Markdown digests --------------------------------------------------------------------------


def test_digest_chunks(tmp_path):
    path = tmp_path / "permen-contoh.md"
    path.write_text(DIGEST + "\n## Kriteria Penyetaraan\n\nBagian kedua dengan judul sama.\n", encoding="utf-8")
    chunks = _chunks(path, "corpus/permen-contoh.md")
    rows = [(c.chunk_id, c.bagian, c.pasal, c.ayat, c.verifikasi, c.sumber_url, c.text.split("\n", 1)[0])
            for c in chunks]
    name = "Penyetaraan Jabatan Contoh"  # no singkatan, no nomor: the short name is the title
    base = "permen-contoh-3-2023/ringkasan"
    assert rows == [
        (f"{base}/intro/0", "Isi", None, None, "tidak diketahui", None, f"{name} — Pengantar"),
        (f"{base}/menimbang/0", "Pembukaan", None, None, "dikutip", "https://contoh.test/menimbang",
         f"{name} — Menimbang"),
        (f"{base}/pasal-4/0", "Batang Tubuh", "4", None, "dilaporkan", "https://berita.contoh.test/a",
         f"{name} — Pasal 4"),
        (f"{base}/pasal-34/0", "Batang Tubuh", "34", "2-3", "terverifikasi", "https://jdih.contoh.test/p34",
         f"{name} — Pasal 34"),
        (f"{base}/isi-kriteria-penyetaraan/0", "Isi", None, None, "tidak diketahui", None,
         f"{name} — Kriteria Penyetaraan"),
        (f"{base}/lampiran-mekanisme-kerja/0", "Lampiran", None, None, "tidak diketahui", None,
         f"{name} — Lampiran — Mekanisme Kerja"),
        (f"{base}/isi-kriteria-penyetaraan-2/0", "Isi", None, None, "tidak diketahui", None,
         f"{name} — Kriteria Penyetaraan"),
    ]
    assert not any(c.resmi for c in chunks)


# --- Splitting ---------------------------------------------------------------------------------


def _meta(**extra) -> DocumentMeta:
    return DocumentMeta(doc_id="perwal-contoh-9-2024", jenis="Peraturan Wali Kota", nomor="9", tahun=2024,
                        judul="Contoh Panjang", resmi=True, **extra)


def _long_pasal() -> Unit:
    ayat = [Ayat(no=str(n), text=f"Ketentuan ayat {n} " + "berlaku bagi seluruh perangkat daerah " * 12, page=n)
            for n in range(1, 6)]
    text = "\n".join(f"({a.no}) {a.text}" for a in ayat)
    return Unit(bagian="Batang Tubuh", kind="pasal", bab="II", pasal="12", heading="Pasal 12", page=1,
                ayat=ayat, text=text, verifikasi="teks resmi")


def test_long_pasal_is_split_at_ayat_boundaries():
    unit = _long_pasal()
    assert len(unit.text) > PASAL_LIMIT
    chunks = chunk_document(ParsedDocument(units=[unit]), _meta(), "x.pdf")
    assert [(c.chunk_id, c.part, c.ayat, c.page) for c in chunks] == [
        ("perwal-contoh-9-2024/resmi/pasal-12/0", 0, "1-2", 1),
        ("perwal-contoh-9-2024/resmi/pasal-12/1", 1, "3-4", 3),
        ("perwal-contoh-9-2024/resmi/pasal-12/2", 2, "5", 5),
    ]
    for chunk in chunks:
        header, body = chunk.text.split("\n", 1)
        assert header == "Peraturan Wali Kota Nomor 9 Tahun 2024 — Pasal 12"
        assert body.startswith(f"({chunk.ayat[0]}) Ketentuan ayat {chunk.ayat[0]} ")
        assert len(body) <= PASAL_LIMIT
    assert "\n".join(c.text.split("\n", 1)[1] for c in chunks) == unit.text


def test_single_oversized_ayat_is_split_but_keeps_its_number():
    unit = _long_pasal()
    unit.ayat = unit.ayat[:1]
    unit.ayat[0].text = "Kalimat panjang tentang arsip dan birokrasi. " * 60
    unit.text = f"(1) {unit.ayat[0].text}"
    chunks = chunk_document(ParsedDocument(units=[unit]), _meta(), "x.pdf")
    assert len(chunks) > 1 and {c.ayat for c in chunks} == {"1"}
    assert [c.part for c in chunks] == list(range(len(chunks)))


def test_title_only_units_and_empty_units_are_dropped():
    units = [
        Unit(bagian="Pembukaan", kind="judul", heading="Judul", text="PERATURAN WALI KOTA CONTOH NOMOR 9 TAHUN 2024 "
             "TENTANG CONTOH PANJANG DENGAN RAHMAT TUHAN YANG MAHA ESA WALI KOTA CONTOH,"),
        Unit(bagian="Isi", kind="section", heading="Kosong", text="  "),
        Unit(bagian="Pembukaan", kind="judul", heading="Judul",
             text="Catatan redaksi: naskah ini memuat perubahan struktur organisasi perangkat daerah."),
    ]
    chunks = chunk_document(ParsedDocument(units=units), _meta(singkatan="Perwal Contoh 9/2024"), "x.pdf")
    assert [c.chunk_id for c in chunks] == ["perwal-contoh-9-2024/resmi/judul/0"]


def test_split_text_respects_paragraphs_sentences_and_words():
    paragraphs = ["Paragraf pertama pendek.", "Kalimat satu berisi kata. " * 30, "kata" * 5 + " " + "panjang " * 200]
    pieces = split_text("\n".join(paragraphs), TEXT_LIMIT)
    assert all(len(p) <= TEXT_LIMIT for p in pieces)
    words = "\n".join(paragraphs).split()
    assert " ".join(pieces).split() == words  # nothing lost, no word cut in two
    assert pieces[0].startswith("Paragraf pertama pendek.\nKalimat satu")


def test_lampiran_is_split_by_size_with_numbered_parts():
    text = "\n".join(f"Butir {n}. " + "Tim kerja melaksanakan penugasan lintas unit. " * 8 for n in range(10))
    unit = Unit(bagian="Lampiran", kind="lampiran", heading="Lampiran — Mekanisme Kerja", text=text)
    chunks = chunk_document(ParsedDocument(units=[unit]), _meta(), "x.md")
    assert len(chunks) >= 4
    assert [c.chunk_id for c in chunks] == [f"perwal-contoh-9-2024/resmi/lampiran-mekanisme-kerja/{i}"
                                            for i in range(len(chunks))]
    assert all(c.text.startswith("Peraturan Wali Kota Nomor 9 Tahun 2024 — Lampiran — Mekanisme Kerja\nButir")
               for c in chunks)
