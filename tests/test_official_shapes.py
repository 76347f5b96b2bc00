"""Official documents in the shapes JDIH portals serve (issue 13), written as real files by
tests/official_shapes.py and ingested with no sidecar: a scan (image only, and one with a download
stamp), an amendment with its base, a Keputusan with a Lampiran table, a Perda in Word, and a PDF
with an odd text layer. One test per defect the issue lists; every figure is fictional."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import official_shapes as shapes
from api_server import start_server
from conftest import REPO, make_settings

from assistant.amendments import pasal_history
from assistant.index import IndexStore
from ingest.loaders import load_document
from ingest.pipeline import add_document, run_ingest

FILES = {
    "resmi/perwal-12-2024.pdf": lambda p: shapes.write_pdf(p, shapes.BASE),
    "resmi/perwal-15-2024-perubahan.pdf": lambda p: shapes.write_pdf(p, shapes.AMENDMENT),
    "resmi/kepwal-kelas-jabatan.pdf": lambda p: shapes.write_pdf(p, shapes.KEPUTUSAN),
    "resmi/perwal-21-2024.pdf": lambda p: shapes.write_pdf(p, shapes.ODD),
    "resmi/se-peta-jabatan-pindaian.pdf": lambda p: shapes.write_scan(p, shapes.SCAN),
    "resmi/se-rapat-koordinasi-pindaian.pdf": lambda p: shapes.write_scan(p, shapes.SCAN_PLAIN, stamp=None),
    "resmi/perda-4-2024.docx": lambda p: shapes.write_perda_docx(p),
}


@pytest.fixture(scope="module")
def shaped(tmp_path_factory, model_cache, embeddings):
    from assistant.service import build_assistant

    root = tmp_path_factory.mktemp("official-shapes")
    corpus = root / "corpus"
    (corpus / "resmi").mkdir(parents=True)
    for rel, write in FILES.items():
        write(corpus / rel)
    events: list[tuple[str, int, int]] = []
    settings = make_settings(root / "data", model_cache, corpus)
    report = run_ingest(settings, embeddings=embeddings, progress=lambda *e: events.append(e))
    assert not report.rejected, report.rejected
    assert sorted(report.added) == sorted(FILES)
    state = IndexStore(settings).state()
    assistant = build_assistant(settings)
    return {"settings": settings, "report": report, "events": events, "state": state, "assistant": assistant,
            "corpus": corpus}


def chunks_of(shaped, doc_id: str):
    return [c for c in shaped["state"].chunks if c.doc_id == doc_id]


def pasal_chunk(shaped, doc_id: str, pasal: str, bagian: str = "Batang Tubuh"):
    found = [c for c in chunks_of(shaped, doc_id)
             if c.pasal == pasal and c.bagian == bagian and not c.konsolidasi and not c.perubahan]
    assert found, (doc_id, pasal, [(c.pasal, c.bagian) for c in chunks_of(shaped, doc_id)])
    return found[0]


def body(chunk) -> str:
    return chunk.text.partition("\n")[2]


# ---- scans: OCR -------------------------------------------------------------------------------


def test_an_image_only_scan_is_read_by_ocr(shaped):
    chunks = chunks_of(shaped, shapes.SCAN_PLAIN_ID)
    text = " ".join(body(c) for c in chunks)
    assert "Kamis pekan kedua" in text and "Sekretariat Daerah" in text
    assert chunks and all(c.ocr for c in chunks)


def test_a_scan_with_a_download_stamp_is_ocred_and_the_stamp_is_not_content(shaped):
    chunks = chunks_of(shaped, shapes.SCAN_ID)
    text = " ".join(body(c) for c in chunks)
    assert "15 Agustus 2024" in text and "berkas elektronik" in text
    assert "Diunduh" not in text
    assert all(c.ocr for c in chunks)


def test_a_scanned_regulation_keeps_its_pasal_ayat_and_pages(tmp_path):
    from ingest.metadata import read_metadata
    from ingest.structure import parse_document

    path = shapes.write_scan_pages(tmp_path / "perwal-pindaian.pdf", shapes.scanned_pages(shapes.BASE, 24), shapes.STAMP)
    loaded = load_document(path)
    assert loaded.ocr_pages == [1, 2]
    units = parse_document(loaded).units
    pasal = {u.pasal: u for u in units if u.kind == "pasal"}
    assert sorted(pasal, key=int) == [str(n) for n in range(1, 10)]
    assert [a.no for a in pasal["3"].ayat] == ["1", "2"] and "5 (lima) orang" in pasal["3"].ayat[0].text
    assert pasal["6"].page == 1 and pasal["7"].page == 2  # page 2 starts with "Pasal 7"
    assert all(u.ocr for u in units) and not any("Diunduh" in u.text for u in units)
    meta = read_metadata(loaded.pages)
    assert (meta["doc_id"], meta["judul"]) == (shapes.BASE_ID, "Tim Kerja Penyederhanaan Birokrasi")


def test_ocr_text_is_marked_in_chunk_metadata_and_citation(shaped):
    answer = shaped["assistant"].ask("Kapan peta jabatan hasil penyetaraan disampaikan kepada Bagian Organisasi?")
    assert answer.found, answer.answer
    first = answer.citations[0]
    assert first.doc_id == shapes.SCAN_ID
    assert first.label.endswith("(hasil OCR)"), first.label
    assert "15 Agustus 2024" in answer.answer
    chunk = next(c for c in shaped["state"].chunks if c.chunk_id == first.chunk_id)
    assert chunk.ocr and chunk.chroma_metadata(shaped["state"].documents[chunk.doc_id])["ocr"] is True


def test_ocr_pages_are_reported_as_progress(shaped):
    ocr = [e for e in shaped["events"] if e[0] == "ocr"]
    # one page in each of the two scans: the bar appears before the page, then completes
    assert ocr == [("ocr", 0, 1), ("ocr", 1, 1)] * 2, shaped["events"]


def test_cli_ingest_shows_ocr_progress_without_failing(tmp_path, model_cache):
    """`asisten ingest` with a scan: rich's bar takes the OCR stage (a second live display inside
    the CLI's would crash it)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shapes.write_scan(corpus / "se.pdf", shapes.SCAN)
    env = {**os.environ, "ASISTEN_DATA_DIR": str(tmp_path / "data"), "ASISTEN_CORPUS_DIR": str(corpus),
           "ASISTEN_MODEL_CACHE": str(model_cache), "PYTHONPATH": str(REPO), "COLUMNS": "120",
           "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}  # rich draws its bars as on a terminal
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr
    assert "LiveError" not in out.stderr and "Traceback" not in out.stderr
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.stdout)
    assert re.search(r"Halaman OCR .*1/1", shown), shown[-2000:]
    assert re.search(r"berkas ditambah / berubah / dihapus[│ ]+1 / 0 / 0", shown), shown[-2000:]


def test_a_missing_ocr_engine_is_refused_in_indonesian_with_the_install_line(tmp_path, model_cache, embeddings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shapes.write_scan(corpus / "se.pdf", shapes.SCAN)
    settings = make_settings(tmp_path / "data", model_cache, corpus,
                             tesseract_cmd=str(tmp_path / "tidak-ada" / "tesseract"))
    report = run_ingest(settings, embeddings=embeddings)
    reason = report.rejected["se.pdf"]
    assert "perlu OCR" in reason and "tidak terpasang" in reason, reason
    assert "apt-get install tesseract-ocr tesseract-ocr-ind" in reason, reason
    assert not report.added


# ---- amendments -------------------------------------------------------------------------------


def test_the_amended_pasal_answers_with_its_current_text(shaped):
    answer = shaped["assistant"].ask("Tim Kerja paling sedikit beranggotakan berapa orang menurut Perwal 12/2024?")
    assert answer.found, answer.answer
    assert "7 (tujuh)" in answer.answer and "5 (lima)" not in answer.answer, answer.answer
    first = answer.citations[0]
    assert first.doc_id == shapes.BASE_ID and first.pasal == "3"
    assert "Pasal I angka 1" in first.label and "Nomor 15 Tahun 2024" in first.label, first.label


def test_a_deleted_pasal_is_answered_as_deleted(shaped):
    answer = shaped["assistant"].ask("Apakah Pasal 7 Perwal 12/2024 masih berlaku?")
    assert answer.found, answer.answer
    assert "dihapus oleh" in answer.answer, answer.answer
    assert "laporan triwulanan" not in answer.answer, answer.answer
    assert answer.citations[0].pasal == "7"


def test_each_amendment_item_is_a_unit_and_the_next_is_not_glued_to_the_quoted_pasal(shaped):
    items = {c.angka: c for c in chunks_of(shaped, shapes.AMENDMENT_ID) if c.perubahan}
    assert sorted(items) == ["1", "2", "3", "4", "5"]
    assert [items[n].perubahan for n in "12345"] == ["diubah", "disisipkan", "dihapus", "diubah", "lampiran"]
    assert [items[n].target_pasal for n in "1234"] == ["3", "5A", "7", "8"]
    assert items["4"].target_ayat == "2" and items["1"].target_doc == shapes.BASE_ID
    assert "Keputusan Wali Kota." in body(items["1"]) and "disisipkan" not in body(items["1"])
    assert "Pasal 7 dihapus" not in body(items["2"]) and body(items["3"]).strip() == "3. Pasal 7 dihapus."


def test_the_base_regulation_is_marked_amended_with_each_pasal_history(shaped):
    base = shaped["state"].documents[shapes.BASE_ID]
    assert base.status == "diubah" and base.diubah_oleh == [shapes.AMENDMENT_ID]
    history = {h["pasal"]: h for h in pasal_history(shaped["state"], shapes.BASE_ID)}
    assert {p: h["status"] for p, h in history.items()} == {"3": "diubah", "5A": "disisipkan", "7": "dihapus", "8": "diubah"}
    assert history["8"]["perubahan"][0]["ayat"] == "2"
    consolidated = next(c for c in shaped["state"].chunks if c.chunk_id == history["8"]["teks_berlaku"])
    assert "10 (sepuluh) hari kerja" in consolidated.text and "30 (tiga puluh)" not in consolidated.text


def test_penjelasan_angka_lines_are_their_own_units(shaped):
    penjelasan = [c for c in chunks_of(shaped, shapes.AMENDMENT_ID) if c.bagian == "Penjelasan"]
    by_angka = {c.angka: c for c in penjelasan if c.angka}
    assert "tujuh orang" in body(by_angka["1"]) and "Narasumber" not in body(by_angka["1"])
    assert "Narasumber membantu" in body(by_angka["2"])
    assert not any(re.search(r"^Angka \d+$", body(c), re.M) for c in penjelasan)
    assert all(not re.search(r"\bAngka \d+\b", body(c)) for c in chunks_of(shaped, shapes.AMENDMENT_ID))


# ---- Keputusan and tables ---------------------------------------------------------------------


def test_lampiran_table_rows_keep_their_header(shaped):
    tables = [c for c in chunks_of(shaped, shapes.KEPUTUSAN_ID) if c.bagian == "Lampiran" and "|" in c.text]
    assert len(tables) == 1
    lines = body(tables[0]).splitlines()
    header = lines.index("| No | Nama Jabatan | Kelas Jabatan | Kebutuhan |")
    assert lines[header + 1].startswith("| --- |")
    answer = shaped["assistant"].ask("Berapa kelas jabatan dan kebutuhan Arsiparis Ahli Muda?")
    assert answer.found, answer.answer
    assert answer.citations[0].doc_id == shapes.KEPUTUSAN_ID
    assert "Kelas Jabatan" in answer.answer and "Kebutuhan" in answer.answer, answer.answer
    assert "| 4 | Arsiparis Ahli Muda | 9 | 3 |" in answer.answer, answer.answer


def test_table_row_numbers_are_not_dropped_as_page_numbers(shaped):
    text = "\n".join(body(c) for c in chunks_of(shaped, shapes.KEPUTUSAN_ID))
    for row in ("| 1 | Analis Kebijakan Ahli Muda | 9 | 6 |", "| 2 | Analis Kebijakan Ahli Pertama | 8 | 4 |",
                "| 3 | Pranata Komputer Ahli Pertama | 8 | 2 |"):
        assert row in text


def test_keputusan_diktum_and_memperhatikan_are_units(shaped):
    chunks = chunks_of(shaped, shapes.KEPUTUSAN_ID)
    diktum = {c.diktum: c for c in chunks if c.diktum}
    assert sorted(diktum) == ["KEDUA", "KESATU", "KETIGA"]
    assert "Tunjangan kinerja" in body(diktum["KEDUA"])
    assert any(c.heading == "Memperhatikan" and "Berita Acara" in body(c) for c in chunks)


# ---- odd text layers --------------------------------------------------------------------------


def test_letter_spaced_and_glyph_by_glyph_headings_are_pasal(shaped):
    assert "cara kerja lintas unit" in body(pasal_chunk(shaped, shapes.ODD_ID, "1"))
    assert "paling sedikit 2 (dua) tim kerja" in body(pasal_chunk(shaped, shapes.ODD_ID, "2"))


def test_a_run_in_heading_starts_its_pasal(shaped):
    chunk = pasal_chunk(shaped, shapes.ODD_ID, "4")
    assert body(chunk).startswith("Ketua Tim Kerja dijabat")
    assert "Ketua Tim Kerja dijabat" not in body(pasal_chunk(shaped, shapes.ODD_ID, "3"))


def test_footnote_marks_do_not_change_pasal_numbers(shaped):
    pasal = {c.pasal for c in chunks_of(shaped, shapes.ODD_ID) if c.bagian == "Batang Tubuh"}
    assert {"1", "2", "3", "4", "5", "6", "7"} <= pasal
    assert not pasal & {"31", "72"}
    assert shaped["report"].warnings.get("resmi/perwal-21-2024.pdf") is None


def test_pasal_in_capitals_under_a_bab_title_is_its_own_pasal(shaped):
    chunk = pasal_chunk(shaped, shapes.ODD_ID, "5")
    assert chunk.bab == "II" and body(chunk).startswith("Pembagian tugas")
    assert "PASAL" not in (chunk.heading or "").split()[1:]


def test_footnote_texts_are_notes_on_their_pasal_not_body_text(shaped):
    seven, three = pasal_chunk(shaped, shapes.ODD_ID, "7"), pasal_chunk(shaped, shapes.ODD_ID, "3")
    assert "Catatan redaksi" not in seven.text and "menggantikan seksi" not in seven.text
    assert any("Catatan redaksi" in n for n in seven.catatan)
    assert any("menggantikan seksi" in n for n in three.catatan)


def test_a_penjelasan_after_the_lampiran_is_penjelasan(shaped):
    chunk = pasal_chunk(shaped, shapes.ODD_ID, "2", bagian="Penjelasan")
    assert "sedikitnya dua bidang" in body(chunk)
    lampiran = [c for c in chunks_of(shaped, shapes.ODD_ID) if c.bagian == "Lampiran"]
    assert lampiran and not any("PASAL DEMI PASAL" in c.text or "sedikitnya dua bidang" in c.text for c in lampiran)


def test_headings_run_together_in_the_text_layer_are_found(tmp_path):
    """"BAB II PELAKSANAAN PASAL 2", "PELAKSANAAN PASAL 4" under a BAB, "P A S A L 1", "Pasal 5.":
    every Pasal is a unit and every BAB keeps only its title."""
    from ingest.structure import parse_document

    parsed = parse_document(load_document(shapes.write_pdf(tmp_path / "gabung.pdf", shapes.JOINED)))
    pasal = {u.pasal: u for u in parsed.units if u.kind == "pasal"}
    assert sorted(pasal) == ["1", "2", "3", "4", "5"] and not parsed.warnings, parsed.warnings
    assert (pasal["1"].bab, pasal["2"].bab, pasal["4"].bab) == ("I", "II", "III")
    assert (pasal["2"].bab_judul, pasal["4"].bab_judul) == ("PELAKSANAAN", "PEMBIAYAAN DAN PELAPORAN")
    assert pasal["2"].text.startswith("Rapat tim kerja diadakan")
    assert [a.no for a in pasal["3"].ayat] == ["1", "2"] and pasal["3"].ayat[0].text == "Rapat dipimpin oleh ketua tim kerja."
    assert pasal["5"].text.startswith("Peraturan Wali Kota ini")


def test_a_jump_in_pasal_numbers_is_a_parse_warning(tmp_path):
    from ingest.structure import parse_document

    lines = [l for l in shapes.ODD if l != ("center", "Pasal 6")]
    lines = [("center", "Pasal 72") if l == ("sup", "Pasal 7", "2") else l for l in lines]
    parsed = parse_document(load_document(shapes.write_pdf(tmp_path / "lompat.pdf", lines)))
    assert any("Pasal 72 sesudah Pasal 5" in w for w in parsed.warnings), parsed.warnings


# ---- DOCX -------------------------------------------------------------------------------------


def test_document_outline_in_the_api_has_the_bagian_level(shaped, tmp_path):
    """GET /v1/documents/{id}: where the regulation has Bagian under a BAB, the outline says so."""
    settings = shaped["settings"].model_copy(update={"data_dir": tmp_path / "api", "rate_limit_per_minute": 10_000})
    srv = start_server(settings, shaped["assistant"])
    try:
        detail = httpx.get(f"{srv.url}/v1/documents/{shapes.PERDA_ID}", timeout=60).json()
    finally:
        srv.stop()
    by_pasal = {e["pasal"]: e for e in detail["outline"] if e["bagian"] == "Batang Tubuh" and e["pasal"]}
    assert (by_pasal["2"]["bab"], by_pasal["2"]["bagian_struktur"], by_pasal["2"]["paragraf"]) == ("II", "Kesatu", "1")
    assert by_pasal["3"]["bagian_struktur"] == "Kedua"


def test_docx_bagian_and_paragraf_are_in_chunk_metadata(shaped):
    two = pasal_chunk(shaped, shapes.PERDA_ID, "2")
    assert (two.bab, two.bagian_struktur, two.paragraf) == ("II", "Kesatu", "1")
    three = pasal_chunk(shaped, shapes.PERDA_ID, "3")
    assert (three.bagian_struktur, three.paragraf) == ("Kedua", None)
    metadata = two.chroma_metadata(shaped["state"].documents[shapes.PERDA_ID])
    assert metadata["bagian_struktur"] == "Kesatu" and metadata["paragraf"] == "1"


def test_docx_auto_numbered_definitions_keep_their_numbers(shaped):
    text = body(pasal_chunk(shaped, shapes.PERDA_ID, "1"))
    assert "1. Daerah adalah Kota Contoh." in text
    assert "2. Perangkat Daerah adalah" in text and "3. Jabatan Fungsional adalah" in text


def test_docx_answer_cites_the_ayat_that_holds_the_fact(shaped):
    answer = shaped["assistant"].ask("Sekretariat Daerah membawahkan paling banyak berapa asisten?")
    assert answer.found, answer.answer
    first = answer.citations[0]
    assert (first.doc_id, first.pasal, first.ayat) == (shapes.PERDA_ID, "2", "2"), first.label
    assert first.label.endswith("Pasal 2 ayat (2)") and "3 (tiga) asisten" in answer.answer


def test_docx_table_keeps_its_header(shaped):
    text = body(pasal_chunk(shaped, shapes.PERDA_ID, "3"))
    assert "| Nama Dinas | Tipe | Jumlah Bidang |" in text and "| Dinas Perpustakaan | C | 2 |" in text


# ---- metadata ---------------------------------------------------------------------------------


def test_metadata_is_read_from_the_documents_own_header(shaped):
    docs = shaped["state"].documents
    base, amendment = docs[shapes.BASE_ID], docs[shapes.AMENDMENT_ID]
    assert (base.jenis, base.nomor, base.tahun, base.judul) == (
        "Peraturan Wali Kota Contoh", "12", 2024, "Tim Kerja Penyederhanaan Birokrasi")
    assert base.tanggal_ditetapkan.isoformat() == "2024-03-04" and base.tanggal_diundangkan.isoformat() == "2024-03-05"
    assert amendment.mengubah == [shapes.BASE_ID] and amendment.resmi
    kep = docs[shapes.KEPUTUSAN_ID]
    assert (kep.nomor, kep.judul) == ("100/45/ORG/2024", "Kelas Jabatan Fungsional Hasil Penyetaraan")
    assert docs[shapes.SCAN_ID].judul == "Pelaporan Peta Jabatan"
    assert docs[shapes.SCAN_ID].tanggal_ditetapkan.isoformat() == "2024-08-01"
    perda = docs[shapes.PERDA_ID]
    assert (perda.jenis, perda.nomor, perda.tahun) == ("Peraturan Daerah Contoh", "4", 2024)


def _dry_run(tmp_path, model_cache, files: dict[str, bytes | str]):
    corpus = tmp_path / "corpus"
    for rel, content in files.items():
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            (corpus / rel).write_text(content, "utf-8")
        else:
            (corpus / rel).write_bytes(content)
    return run_ingest(make_settings(tmp_path / "data", model_cache, corpus), dry_run=True), corpus


def test_a_stem_yaml_sidecar_is_accepted_and_overrides_the_header(tmp_path, model_cache, embeddings):
    corpus = tmp_path / "corpus"
    (corpus / "resmi").mkdir(parents=True)
    shapes.write_pdf(corpus / "resmi" / "perwal-12.pdf", shapes.BASE)
    (corpus / "resmi" / "perwal-12.yaml").write_text(
        "singkatan: Perwal Contoh 12/2024\nsumber: https://jdih.contohkota.go.id/12\n", "utf-8")
    settings = make_settings(tmp_path / "data", model_cache, corpus)
    report = run_ingest(settings, embeddings=embeddings)
    assert not report.rejected and report.added == ["resmi/perwal-12.pdf"], report.rejected
    meta = IndexStore(settings).state().documents[shapes.BASE_ID]
    assert meta.singkatan == "Perwal Contoh 12/2024" and meta.sumber == ["https://jdih.contohkota.go.id/12"]
    assert meta.judul == "Tim Kerja Penyederhanaan Birokrasi"  # the rest still from the header
    # The sidecar belongs to its document: editing it re-reads the document.
    (corpus / "resmi" / "perwal-12.yaml").write_text("singkatan: Perwal Tim Kerja 12/2024\n", "utf-8")
    assert run_ingest(settings, embeddings=embeddings).changed == ["resmi/perwal-12.pdf"]


def test_an_unquoted_number_in_a_sidecar_is_accepted(tmp_path, model_cache):
    pdf = shapes.write_pdf(tmp_path / "x.pdf", shapes.BASE).read_bytes()
    report, _ = _dry_run(tmp_path, model_cache, {
        "resmi/perwal.pdf": pdf,
        "resmi/perwal.pdf.yaml": "doc_id: perwal-contoh-12-2024\njenis: Peraturan Wali Kota\nnomor: 12\n"
                                 "tahun: 2024\njudul: Tim Kerja\n",
    })
    assert not report.rejected, report.rejected
    assert report.added == ["resmi/perwal.pdf"]


def test_the_same_pdf_twice_is_refused_naming_the_first_copy(tmp_path, model_cache):
    pdf = shapes.write_pdf(tmp_path / "x.pdf", shapes.BASE).read_bytes()
    report, _ = _dry_run(tmp_path, model_cache, {"resmi/a-perwal.pdf": pdf, "resmi/b-salinan.pdf": pdf})
    assert report.added == ["resmi/a-perwal.pdf"]
    reason = report.rejected["resmi/b-salinan.pdf"]
    assert "resmi/a-perwal.pdf" in reason and "sama persis" in reason, reason


def test_upload_without_metadata_works_and_returns_the_doc_id(tmp_path, model_cache, embeddings):
    """POST /v1/documents on a real server: no metadata (the header says it all), the form's
    metadata overriding a field, a duplicate refused naming the first copy, and the amended
    document's Pasal history in GET /v1/documents/{id}."""
    from assistant.service import build_assistant

    corpus = tmp_path / "corpus"
    (corpus / "resmi").mkdir(parents=True)
    shapes.write_pdf(corpus / "resmi" / "perwal-12.pdf", shapes.BASE)
    key = "kunci-admin-resmi-123"
    settings = make_settings(tmp_path / "data", model_cache, corpus, api_keys=f"{key}:admin",
                             rate_limit_per_minute=10_000)
    assert run_ingest(settings, embeddings=embeddings).committed
    amendment = shapes.write_pdf(tmp_path / "perubahan.pdf", shapes.AMENDMENT).read_bytes()
    keputusan = shapes.write_pdf(tmp_path / "kepwal.pdf", shapes.KEPUTUSAN).read_bytes()
    headers = {"Authorization": f"Bearer {key}"}
    srv = start_server(settings, build_assistant(settings))
    try:
        def upload(name, data, metadata=None):
            form = {"metadata": json.dumps(metadata)} if metadata else {}
            return httpx.post(f"{srv.url}/v1/documents", files={"file": (name, data)}, data=form, headers=headers,
                              timeout=180)

        resp = upload("perubahan.pdf", amendment)
        assert resp.status_code == 201, resp.text
        assert resp.json()["doc_id"] == shapes.AMENDMENT_ID

        again = upload("salinan-perubahan.pdf", amendment)
        assert again.status_code == 422 and again.json()["error"]["code"] == "document_rejected", again.text
        message = again.json()["error"]["message"]
        assert "sama persis" in message and "unggahan/perubahan-" in message, message

        resp = upload("kepwal.pdf", keputusan, {"singkatan": "Kepwal Kelas Jabatan 2024", "nomor": 100})
        assert resp.status_code == 201, resp.text
        doc = httpx.get(f"{srv.url}/v1/documents/{shapes.KEPUTUSAN_ID}", headers=headers, timeout=60).json()["document"]
        assert doc["judul"] == "Kelas Jabatan Fungsional Hasil Penyetaraan" and doc["nomor"] == "100", doc
        assert doc["label"] == "Kepwal Kelas Jabatan 2024", doc

        detail = httpx.get(f"{srv.url}/v1/documents/{shapes.BASE_ID}", headers=headers, timeout=60).json()
        assert detail["document"]["status"] == "diubah", detail["document"]
        history = {h["pasal"]: h for h in detail["riwayat"]}
        assert history["3"]["perubahan"][0]["label"].endswith("Pasal I angka 1"), history
        assert history["7"]["status"] == "dihapus"
    finally:
        srv.stop()
