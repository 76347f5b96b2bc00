"""Loaders: every format into page strings + metadata; every bad file into DocumentRejected."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from assistant.errors import DocumentRejected
from ingest import loaders
from ingest.loaders import SUPPORTED_SUFFIXES, load_document
from regulation_fixtures import META, write_fictional_docx, write_fictional_html, write_fictional_pdf


def test_supported_suffixes_come_from_the_registry():
    assert set(SUPPORTED_SUFFIXES) >= {".md", ".txt", ".pdf", ".docx", ".html", ".htm"}


def test_pdf_keeps_one_string_per_page_and_reads_the_sidecar(tmp_path):
    write_fictional_pdf(tmp_path / "perwal.pdf")
    doc = load_document(tmp_path / "perwal.pdf")
    assert doc.paged is True
    assert len(doc.pages) == 4
    assert "Pasal 5A" in doc.pages[1] and "PENJELASAN" in doc.pages[2] and "LAMPIRAN" in doc.pages[3]
    assert doc.meta == META


def test_docx_reads_paragraphs_in_order_and_table_cells(tmp_path):
    write_fictional_docx(tmp_path / "perwal.docx")
    doc = load_document(tmp_path / "perwal.docx")
    text = doc.pages[0]
    assert doc.paged is False and len(doc.pages) == 1
    # The preamble sits in a table; its cells come out in reading order, between the paragraphs.
    order = ["TATA KELOLA ARSIP DINAMIS", "Menimbang", "b. bahwa", "Mengingat", "2. Peraturan Daerah",
             "MEMUTUSKAN", "Pasal 1", "Pasal 5A", "PENJELASAN", "LAMPIRAN"]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)
    assert "WALI KOTA CONTOH\n" not in text.split("PERATURAN WALI KOTA CONTOH")[0]  # page header not body
    assert doc.meta["doc_id"] == META["doc_id"]


def test_docx_merged_cells_are_read_once(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Sel gabungan"
    table.cell(1, 0).text, table.cell(1, 1).text = "kiri", "kanan"
    document.save(str(tmp_path / "t.docx"))
    # A data table becomes Markdown rows under its header; the merged cell is read once.
    text = load_document(tmp_path / "t.docx").pages[0]
    assert text.count("Sel gabungan") == 1
    assert text.splitlines()[0].startswith("| Sel gabungan |") and "| kiri | kanan |" in text


def test_html_drops_script_style_nav_and_keeps_inline_markup_on_its_line(tmp_path):
    write_fictional_html(tmp_path / "perwal.html")
    doc = load_document(tmp_path / "perwal.html")
    text = doc.pages[0]
    assert "Beranda" not in text and "pelacak" not in text and "text-align" not in text
    assert "Pasal 99" not in text and not text.startswith("html")
    assert "sebagaimana dimaksud dalam Pasal 5 berlaku juga" in text  # <b>Pasal 5</b> stays inline
    assert "\nPasal 5A\n" in text


def test_markdown_front_matter_becomes_meta_and_is_removed_from_text(tmp_path):
    path = tmp_path / "d.md"
    path.write_text("---\ndoc_id: contoh-1-2024\njenis: Perwal\njudul: Contoh\n---\n# Judul\n\n## Pasal 1\nIsi.\n",
                    encoding="utf-8")
    doc = load_document(path)
    assert doc.meta == {"doc_id": "contoh-1-2024", "jenis": "Perwal", "judul": "Contoh"}
    assert doc.pages == ["# Judul\n\n## Pasal 1\nIsi.\n"] and doc.paged is False


def test_plain_text_without_sidecar_has_no_meta(tmp_path):
    path = tmp_path / "catatan.txt"
    path.write_text("Pasal 1\nIsi pasal.", encoding="utf-8")
    doc = load_document(path)
    assert doc.meta is None and doc.pages == ["Pasal 1\nIsi pasal."] and doc.paged is False


def test_text_with_form_feeds_is_paged(tmp_path):
    path = tmp_path / "halaman.txt"
    path.write_text("satu\fdua", encoding="utf-8")
    assert load_document(path).pages == ["satu", "dua"]
    assert load_document(path).paged is True


# --- rejections --------------------------------------------------------------------------------


def _rejected(path: Path) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as info:
        load_document(path)
    error = info.value
    assert error.path == str(path) and path.name in str(error)
    return error


def test_rejects_corrupt_pdf(tmp_path):
    path = tmp_path / "rusak.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nsampah tanpa xref\n%%EOF")
    assert "PDF rusak" in _rejected(path).reason


def test_rejects_encrypted_pdf(tmp_path):
    write_fictional_pdf(tmp_path / "asli.pdf", sidecar=False)
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "asli.pdf"))
    writer.encrypt(user_password="rahasia", owner_password="pemilik", algorithm="RC4-128")
    path = tmp_path / "terkunci.pdf"
    writer.write(path)
    assert "terenkripsi" in _rejected(path).reason


def test_opens_pdf_with_only_an_owner_password(tmp_path):
    write_fictional_pdf(tmp_path / "asli.pdf", sidecar=False)
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "asli.pdf"))
    writer.encrypt(user_password="", owner_password="pemilik", algorithm="RC4-128")
    writer.write(tmp_path / "dibatasi.pdf")
    assert "Pasal 5A" in load_document(tmp_path / "dibatasi.pdf").pages[1]


def test_rejects_scanned_pdf_without_text_layer(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "pindaian.pdf"
    canvas = Canvas(str(path))
    for _ in range(2):
        canvas.rect(50, 50, 400, 600, fill=1)
        canvas.circle(250, 400, 80)
        canvas.showPage()
    canvas.save()
    assert "tidak memuat teks yang terbaca, juga setelah OCR" in _rejected(path).reason


def test_rejects_pdf_with_too_many_pages(tmp_path, monkeypatch):
    write_fictional_pdf(tmp_path / "panjang.pdf")
    monkeypatch.setattr(loaders, "MAX_PDF_PAGES", 3)
    assert "terlalu panjang (4 halaman" in _rejected(tmp_path / "panjang.pdf").reason


def test_rejects_empty_markdown(tmp_path):
    path = tmp_path / "kosong.md"
    path.write_text("---\ndoc_id: kosong\n---\n\n   \n", encoding="utf-8")
    assert _rejected(path).reason == "dokumen kosong (tidak ada teks)"


def test_rejects_bad_yaml_front_matter_naming_problem_and_line(tmp_path):
    path = tmp_path / "salah.md"
    path.write_text("---\ndoc_id: salah-1\njudul: [tidak ditutup\njenis: Perwal\n---\nIsi.\n", encoding="utf-8")
    reason = _rejected(path).reason
    assert reason.startswith("front matter YAML tidak valid:")
    assert "baris 4" in reason  # the line after the unclosed list, counted in the file


def test_rejects_front_matter_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "daftar.md"
    path.write_text("---\n- satu\n- dua\n---\nIsi.\n", encoding="utf-8")
    assert "pemetaan" in _rejected(path).reason


def test_rejects_bad_sidecar_yaml(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Isi.", encoding="utf-8")
    (tmp_path / "a.txt.yaml").write_text("doc_id: a\n  judul: x: y\n", encoding="utf-8")
    assert "sidecar a.txt.yaml" in _rejected(path).reason


def test_rejects_unsupported_suffix(tmp_path):
    path = tmp_path / "tabel.xlsx"
    path.write_bytes(b"PK\x03\x04")
    reason = _rejected(path).reason
    assert "format berkas '.xlsx' tidak didukung" in reason and ".pdf" in reason


def test_rejects_docx_that_is_not_a_zip(tmp_path):
    path = tmp_path / "palsu.docx"
    path.write_bytes(b"bukan arsip zip sama sekali")
    assert "DOCX rusak" in _rejected(path).reason


def test_rejects_docx_zip_bomb_before_opening_it(tmp_path):
    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w") as entry:
            block = b"\0" * (1 << 20)
            for _ in range(40):  # 40 MB of zeros compress to about 40 KB
                entry.write(block)
    assert path.stat().st_size < 1 << 20
    assert "rasio kompresi DOCX tidak wajar" in _rejected(path).reason


def test_rejects_docx_expanding_beyond_limit(tmp_path, monkeypatch):
    write_fictional_docx(tmp_path / "besar.docx")
    monkeypatch.setattr(loaders, "MAX_DOCX_UNCOMPRESSED_BYTES", 10_000)
    assert "terlalu besar setelah diekstrak" in _rejected(tmp_path / "besar.docx").reason


def test_rejects_oversized_file(tmp_path):
    path = tmp_path / "raksasa.txt"
    with path.open("wb") as handle:  # sparse: no 51 MB written to disk
        handle.truncate(51 * 1024 * 1024)
    assert "berkas terlalu besar (51 MB; batas 50 MB)" == _rejected(path).reason


def test_rejects_binary_text_file(tmp_path):
    path = tmp_path / "biner.txt"
    path.write_bytes(b"\x00\x01\x02teks")
    assert "bukan teks" in _rejected(path).reason
