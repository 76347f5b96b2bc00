"""Structure parser: the fictional regulation in three formats, Markdown digests, layout quirks."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders import LoadedDocument, load_document
from ingest.structure import parse_document
from regulation_fixtures import DIGEST, write_fictional_docx, write_fictional_html, write_fictional_pdf

WRITERS = {"pdf": write_fictional_pdf, "docx": write_fictional_docx, "html": write_fictional_html}


@pytest.fixture(params=sorted(WRITERS), scope="module")
def official(request, tmp_path_factory):
    path = tmp_path_factory.mktemp(request.param) / f"perwal-contoh.{request.param}"
    expected = WRITERS[request.param](path)
    return expected, parse_document(load_document(path)).units


def test_units_come_in_document_order(official):
    expected, units = official
    assert [(u.kind, u.pasal) for u in units] == list(expected.unit_order)


def test_pasal_bab_ayat_texts_and_pages(official):
    expected, units = official
    pasal = {u.pasal: u for u in units if u.kind == "pasal"}
    assert list(pasal) == ["1", "2", "3", "4", "5", "5A", "6"]
    for want in expected.pasal:
        got = pasal[want.pasal]
        assert (got.bagian, got.bab, got.bab_judul, got.heading) == ("Batang Tubuh", want.bab, want.bab_judul,
                                                                     f"Pasal {want.pasal}")
        assert got.page == want.page
        assert [(a.no, a.text, a.page) for a in got.ayat] == [(a.no, a.text, a.page) for a in want.ayat]
        assert got.text == want.text
        assert got.verifikasi == "teks resmi"


def test_pasal_spanning_a_page_break(official):
    expected, units = official
    pasal_3 = next(u for u in units if u.pasal == "3" and u.kind == "pasal")
    assert pasal_3.ayat[1].text.endswith("disampaikan kepada Unit Kearsipan melalui aplikasi kearsipan.")
    if expected.paged:
        assert (pasal_3.page, [a.page for a in pasal_3.ayat]) == (1, [1, 1, 2])


def test_reference_inside_a_sentence_is_not_a_heading(official):
    _, units = official
    pasal_5a = next(u for u in units if u.pasal == "5A" and u.kind == "pasal")
    assert "sebagaimana dimaksud dalam Pasal 5 berlaku juga" in pasal_5a.text
    pasal_5 = next(u for u in units if u.pasal == "5" and u.kind == "pasal")
    assert [a.no for a in pasal_5.ayat] == ["1", "2"]  # "(1)" after "ayat" at a line start is no ayat


def test_furniture_and_signature_are_removed_and_hyphen_rejoined(official):
    expected, units = official
    text = "\n".join(u.text for u in units)
    for absent in expected.absent:
        assert absent not in text, absent
    for absent in expected.absent_lines:
        assert absent not in text.splitlines()
    assert expected.hyphenated_word in next(u for u in units if u.pasal == "2").ayat[0].text


def test_pembukaan(official):
    expected, units = official
    by_kind = {u.kind: u for u in units if u.bagian == "Pembukaan"}
    assert by_kind["menimbang"].text == expected.menimbang
    assert by_kind["mengingat"].text == expected.mengingat
    assert by_kind["menetapkan"].text == "PERATURAN WALI KOTA TENTANG TATA KELOLA ARSIP DINAMIS."
    assert " ".join(by_kind["judul"].text.split()).startswith("PERATURAN WALI KOTA CONTOH NOMOR 7 TAHUN 2024")


def test_penjelasan_umum_and_pasal_demi_pasal(official):
    expected, units = official
    umum = next(u for u in units if u.kind == "penjelasan_umum")
    assert umum.bagian == "Penjelasan" and umum.page == expected.penjelasan_page
    assert umum.text.startswith("Arsip dinamis merupakan bukti") and umum.text.endswith("di tingkat Daerah.")
    explained = {u.pasal: u for u in units if u.kind == "penjelasan_pasal"}
    assert {p: u.text for p, u in explained.items()} == expected.penjelasan
    assert [a.no for a in explained["2"].ayat] == list(expected.penjelasan_ayat["2"])
    assert explained["5A"].heading == "Penjelasan Pasal 5A" and explained["5A"].bab == "II"


def test_lampiran_headings(official):
    expected, units = official
    lampiran = [u for u in units if u.kind == "lampiran"]
    assert [u.heading for u in lampiran] == list(expected.lampiran_headings)
    assert {u.bagian for u in lampiran} == {"Lampiran"}
    assert {u.page for u in lampiran} == {expected.lampiran_page}
    assert lampiran[2].text.endswith("penyerahan arsip statis.")  # the signature after it is gone


# --- Markdown digests --------------------------------------------------------------------------



def _parse_markdown(tmp_path: Path, text: str = DIGEST):
    path = tmp_path / "digest.md"
    path.write_text(text, encoding="utf-8")
    return parse_document(load_document(path)).units


def test_markdown_sections_become_units(tmp_path):
    units = _parse_markdown(tmp_path)
    assert [(u.kind, u.bagian, u.pasal, u.heading) for u in units] == [
        ("intro", "Isi", None, None),
        ("menimbang", "Pembukaan", None, "Menimbang"),
        ("pasal", "Batang Tubuh", "4", "Pasal 4"),
        ("pasal", "Batang Tubuh", "34", "Pasal 34"),
        ("section", "Isi", None, "Kriteria Penyetaraan"),
        ("lampiran", "Lampiran", None, "Lampiran — Mekanisme Kerja"),
    ]
    assert units[0].text == "Permen Contoh 3/2023 — Penyetaraan Jabatan Contoh\nRingkasan ini disusun dari sumber publik."
    assert all(u.page is None for u in units)


def test_markdown_sumber_lines_give_verifikasi_and_first_url(tmp_path):
    units = _parse_markdown(tmp_path)
    assert [(u.verifikasi, u.sumber_url) for u in units] == [
        (None, None),
        ("dikutip", "https://contoh.test/menimbang"),
        ("dilaporkan", "https://berita.contoh.test/a"),
        ("terverifikasi", "https://jdih.contoh.test/p34"),
        (None, None),
        (None, None),
    ]
    assert not any("Sumber:" in u.text for u in units)


def test_markdown_pasal_text_keeps_references_and_ayat_may_start_at_two(tmp_path):
    units = _parse_markdown(tmp_path)
    assert units[2].text == ("Jabatan pelaksana diklasifikasikan atas Klerek, Operator, dan Teknisi sebagaimana "
                             "dimaksud dalam Pasal 5 dengan rincian di bawah ini.")
    assert [(a.no, a.text) for a in units[3].ayat] == [
        ("2", "Instansi daerah menyelesaikan penyetaraan paling lambat 31 Desember 2021."),
        ("3", "Pelantikan dilaporkan kepada Menteri."),
    ]
    assert units[3].text.startswith("(2) Instansi daerah")


def test_markdown_named_section_keeps_list_items_and_subheadings(tmp_path):
    section = _parse_markdown(tmp_path)[4]
    assert section.text == ("- jabatan terdampak penyederhanaan;\n- tugas dapat dilaksanakan pejabat fungsional.\n"
                            "Catatan\nKriteria dirangkum dari artikel pengetahuan.")


def test_official_markdown_defaults_to_teks_resmi(tmp_path):
    units = _parse_markdown(tmp_path, DIGEST.replace("resmi: false", "resmi: true"))
    assert units[4].verifikasi == "teks resmi" and units[2].verifikasi == "dilaporkan"


# --- Layout quirks of real official texts ------------------------------------------------------

# Text as pdftotext/pypdf gives it for a BPK-style copy: running header with the page number,
# a spaced-out MEMUTUSKAN, Pasal number on its own line, Bagian/Paragraf, reduplicated words broken
# at the line end, "Salinan sesuai dengan aslinya" after the signature.
QUIRKY_PAGES = [
    """BERITA NEGARA
REPUBLIK INDONESIA
No.99, 2030 KEMENCONTOH. Contoh.
PERATURAN MENTERI CONTOH
NOMOR 1 TAHUN 2030
TENTANG
PEDOMAN CONTOH
Menimbang : a. bahwa pedoman contoh perlu diatur;
b. bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a,
perlu menetapkan Peraturan Menteri tentang Pedoman Contoh;
Mengingat : 1. Undang-Undang Nomor 1 Tahun 2029 tentang Contoh;
M E M U T U S K A N :
Menetapkan : PERATURAN MENTERI TENTANG PEDOMAN CONTOH.
BAB I
KETENTUAN UMUM
Pasal
1
Dalam Peraturan Menteri ini, ketentuan peraturan perundang-
undangan dilaksanakan oleh masing-
masing unit kerja.
www.peraturan.go.id""",
    """2030, No.99 -2-
BAB II
PELAKSANAAN DAN
PENGAWASAN PEDOMAN
Bagian Kesatu
Umum
Paragraf 1
Perencanaan
Pasal 2
(1) Unit kerja menyusun rencana sesuai dengan ketentuan sebagaimana dimaksud
dalam Pasal 1.
(2) Rencana sebagaimana dimaksud pada ayat (1) ditetapkan oleh pimpinan.
www.peraturan.go.id""",
    """2030, No.99 -3-
Pasal 3
Peraturan Menteri ini mulai berlaku pada tanggal diundangkan.
Ditetapkan di Jakarta
pada tanggal 1 Januari 2030
MENTERI CONTOH,
ttd
NAMA MENTERI
Salinan sesuai dengan aslinya
KEPALA BIRO HUKUM,
NIP 197001012000011001
www.peraturan.go.id""",
]


def _parse_pages(pages: list[str], suffix: str = ".pdf"):
    return parse_document(LoadedDocument(path=Path(f"x{suffix}"), meta={"resmi": True}, pages=pages, paged=True)).units


def test_real_layout_quirks():
    units = _parse_pages(QUIRKY_PAGES)
    assert [(u.kind, u.pasal) for u in units] == [
        ("judul", None), ("menimbang", None), ("mengingat", None), ("menetapkan", None),
        ("pasal", "1"), ("pasal", "2"), ("pasal", "3"),
    ]
    menimbang = units[1].text
    assert menimbang == ("a. bahwa pedoman contoh perlu diatur;\nb. bahwa berdasarkan pertimbangan sebagaimana "
                         "dimaksud dalam huruf a, perlu menetapkan Peraturan Menteri tentang Pedoman Contoh;")
    assert units[4].text == ("Dalam Peraturan Menteri ini, ketentuan peraturan perundang-undangan dilaksanakan "
                             "oleh masing-masing unit kerja.")
    pasal_2 = units[5]
    assert (pasal_2.bab, pasal_2.bab_judul, pasal_2.bagian_struktur, pasal_2.paragraf, pasal_2.page) == (
        "II", "PELAKSANAAN DAN PENGAWASAN PEDOMAN", "Kesatu", "1", 2)
    assert [a.no for a in pasal_2.ayat] == ["1", "2"]
    assert pasal_2.ayat[0].text.endswith("sebagaimana dimaksud dalam Pasal 1.")
    assert units[6].text == "Peraturan Menteri ini mulai berlaku pada tanggal diundangkan."
    all_text = "\n".join(u.text for u in units)
    for furniture in ("www.peraturan.go.id", "-2-", "Salinan sesuai", "NIP", "NAMA MENTERI", "Kesatu", "Umum\n"):
        assert furniture not in all_text


@pytest.mark.parametrize("line", ["- 3 -", "-3-", "Halaman 3 dari 10", "3", "SALINAN", "2030, No.99 -3-"])
def test_page_furniture_lines(line):
    units = _parse_pages([f"Pasal 1\nIsi pertama.\n{line}\nIsi kedua."], suffix=".txt")
    assert units[0].text == "Isi pertama.\nIsi kedua."


def test_text_without_regulation_structure_is_an_intro():
    units = _parse_pages(["Berita: Pemerintah kota menyederhanakan birokrasi.\nEnam jabatan disetarakan."])
    assert [(u.kind, u.bagian) for u in units] == [("intro", "Isi")]


# Text as a converter gives it with blank lines between blocks, a marker left alone after
# "Menimbang :", and a BAB, its title and the next Pasal run together on one line.
RUN_TOGETHER = """PERATURAN MENTERI CONTOH

Menimbang   :  a.

 bahwa contoh perlu dikelola;
 b. bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a perlu menetapkan Peraturan Menteri.

MEMUTUSKAN:

Pasal 2

 (1) Pengelolaan contoh terdiri atas:
 a. perencanaan; dan
 b. pelaksanaan.
 (2) Pengelolaan  sebagaimana  dimaksud  pada  ayat  (1) diselenggarakan secara terbuka.

BAB II CONTOH LAIN Pasal 3

 (1) Ayat satu pasal tiga.

Ditetapkan di Jakarta pada tanggal  7 Oktober 2099 MENTERI CONTOH REPUBLIK INDONESIA,

NAMA MENTERI
"""


def test_converter_text_with_run_together_headings():
    units = parse_document(LoadedDocument(path=Path("x.txt"), meta=None, pages=[RUN_TOGETHER], paged=False)).units
    assert [(u.kind, u.pasal, u.bab) for u in units] == [
        ("judul", None, None), ("menimbang", None, None), ("menetapkan", None, None),
        ("pasal", "2", None), ("pasal", "3", "II"),
    ]
    assert units[1].text.startswith("a. bahwa contoh perlu dikelola;\nb. bahwa")
    assert [(a.no, a.text) for a in units[3].ayat] == [
        ("1", "Pengelolaan contoh terdiri atas:\na. perencanaan; dan\nb. pelaksanaan."),
        ("2", "Pengelolaan sebagaimana dimaksud pada ayat (1) diselenggarakan secara terbuka."),
    ]
    assert (units[4].bab_judul, units[4].text) == ("CONTOH LAIN", "(1) Ayat satu pasal tiga.")
