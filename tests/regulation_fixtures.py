"""A FICTIONAL regulation (Peraturan Wali Kota Contoh Nomor 7 Tahun 2024) written as real PDF,
DOCX and HTML files in official layout, with the structure a correct parser must find.

`write_fictional_pdf(path)`, `write_fictional_docx(path)` and `write_fictional_html(path)` write the
file plus its sidecar `<name>.yaml` and return a `FictionalRegulation` describing what the file
holds (pages only for the PDF). Other tests (ingest pipeline, official-text preference) reuse them.

Layout markup inside the content below: "-|" is a word hyphenated across a line break
("pe-|nyederhanaan"), "\n" a forced line break, "\f" a page break in the middle of a paragraph.
DOCX and HTML have no lines or pages, so there they become nothing / a space.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

DOC_ID = "perwal-contoh-7-2024"
SHORT_NAME = "Perwal Contoh 7/2024"
META = {
    "doc_id": DOC_ID,
    "jenis": "Peraturan Wali Kota",
    "nomor": "7",
    "tahun": 2024,
    "judul": "Tata Kelola Arsip Dinamis",
    "singkatan": SHORT_NAME,
    "tanggal_ditetapkan": "2024-05-02",
    "status": "berlaku",
    "sumber": ["https://jdih.contohkota.go.id/perwal-7-2024.pdf"],
    "resmi": True,
}
# A Markdown digest in the shipped corpus format (front matter, `##` sections, Sumber lines).
DIGEST = """---
doc_id: permen-contoh-3-2023
jenis: Peraturan Menteri Contoh
judul: Penyetaraan Jabatan Contoh
resmi: false
---
# Permen Contoh 3/2023 — Penyetaraan Jabatan Contoh

Ringkasan ini disusun dari sumber publik.

## Menimbang

a. bahwa penyetaraan jabatan perlu diatur;

Sumber: dikutip — https://contoh.test/menimbang

## Pasal 4

Jabatan pelaksana diklasifikasikan atas Klerek, Operator, dan Teknisi
sebagaimana dimaksud dalam
Pasal 5
dengan rincian di bawah ini.

Sumber: dilaporkan — https://berita.contoh.test/a; https://berita.contoh.test/b

## Pasal 34

(2) Instansi daerah menyelesaikan penyetaraan paling lambat 31 Desember 2021.

(3) Pelantikan dilaporkan kepada Menteri.

Sumber: terverifikasi — https://jdih.contoh.test/p34

## Kriteria Penyetaraan

- jabatan terdampak penyederhanaan;
- tugas dapat dilaksanakan pejabat fungsional.

### Catatan

Kriteria dirangkum dari artikel pengetahuan.

## Lampiran — Mekanisme Kerja

Tim kerja dipimpin Ketua Tim.
"""

RUNNING_HEADER = "WALI KOTA CONTOH"
RUNNING_FOOTER = "jdih.contohkota.go.id"
PAGE_BREAK = ("page_break",)

# (kind, ...) blocks: center = a centred heading line; p = a paragraph; item = marker + hanging
# text; label = a two-column preamble row ("Menimbang", ":", marker, text).
CONTENT: list[tuple] = [
    ("center", "PERATURAN WALI KOTA CONTOH"),
    ("center", "NOMOR 7 TAHUN 2024"),
    ("center", "TENTANG"),
    ("center", "TATA KELOLA ARSIP DINAMIS"),
    ("center", "DENGAN RAHMAT TUHAN YANG MAHA ESA"),
    ("center", "WALI KOTA CONTOH,"),
    ("label", "Menimbang", "a.", "bahwa untuk menjamin ketersediaan arsip yang autentik dan terpercaya di "
     "lingkungan Pemerintah Daerah perlu diatur tata kelola arsip dinamis;"),
    ("label", "", "b.", "bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a, perlu menetapkan "
     "Peraturan Wali Kota tentang Tata Kelola Arsip Dinamis;"),
    ("label", "Mengingat", "1.", "Peraturan Daerah Kota Contoh Nomor 1 Tahun 2020 tentang Penyelenggaraan "
     "Kearsipan (Lembaran Daerah Kota Contoh Tahun 2020 Nomor 1);"),
    ("label", "", "2.", "Peraturan Daerah Kota Contoh Nomor 3 Tahun 2022 tentang Pembentukan dan Susunan "
     "Perangkat Daerah (Lembaran Daerah Kota Contoh Tahun 2022 Nomor 3);"),
    ("center", "MEMUTUSKAN:"),
    ("label", "Menetapkan", "", "PERATURAN WALI KOTA TENTANG TATA KELOLA ARSIP DINAMIS."),
    ("center", "BAB I"),
    ("center", "KETENTUAN UMUM"),
    ("center", "Pasal 1"),
    ("p", "Dalam Peraturan Wali Kota ini yang dimaksud dengan:"),
    ("item", "1.", "Daerah adalah Kota Contoh."),
    ("item", "2.", "Wali Kota adalah Wali Kota Contoh."),
    ("item", "3.", "Arsip Dinamis adalah arsip yang digunakan secara langsung dalam kegiatan pencipta arsip "
     "dan disimpan selama jangka waktu tertentu."),
    ("item", "4.", "Unit Kearsipan adalah satuan kerja pada Perangkat Daerah yang bertanggung jawab atas "
     "pengelolaan arsip."),
    ("center", "Pasal 2"),
    ("item", "(1)", "Tata kelola arsip dinamis dilaksanakan untuk mendukung pe-|nyederhanaan birokrasi dan "
     "sistem kerja yang efektif di lingkungan Pemerintah Daerah."),
    ("item", "(2)", "Tata kelola arsip dinamis sebagaimana dimaksud pada ayat (1) meliputi:"),
    ("subitem", "a.", "penciptaan arsip;"),
    ("subitem", "b.", "penggunaan dan pemeliharaan arsip; dan"),
    ("subitem", "c.", "penyusutan arsip."),
    ("center", "BAB II"),
    ("center", "PENGELOLAAN ARSIP DINAMIS"),
    ("center", "Pasal 3"),
    ("item", "(1)", "Setiap Perangkat Daerah wajib menyusun daftar arsip aktif paling lambat tanggal 31 Januari "
     "setiap tahun."),
    ("item", "(2)", "Daftar arsip aktif sebagaimana dimaksud pada ayat (1) disampaikan kepada\fUnit Kearsipan "
     "melalui aplikasi kearsipan."),
    ("item", "(3)", "Unit Kearsipan melakukan verifikasi atas daftar arsip aktif sebagaimana dimaksud pada "
     "ayat (2) dalam waktu 14 (empat belas) hari kerja."),
    ("center", "Pasal 4"),
    ("p", "Penyusutan arsip dilaksanakan berdasarkan jadwal retensi arsip sebagaimana tercantum dalam "
     "Lampiran yang merupakan bagian tidak terpisahkan dari Peraturan Wali Kota ini."),
    ("center", "Pasal 5"),
    ("item", "(1)", "Arsip yang telah habis masa retensinya dinilai kembali oleh Unit Kearsipan."),
    ("item", "(2)", "Hasil penilaian sebagaimana dimaksud pada ayat\n(1) ditetapkan dengan Keputusan Kepala "
     "Perangkat Daerah."),
    ("center", "Pasal 5A"),
    ("p", "Ketentuan mengenai penilaian kembali sebagaimana dimaksud dalam\nPasal 5\nberlaku juga bagi "
     "arsip elektronik."),
    ("center", "BAB III"),
    ("center", "KETENTUAN PENUTUP"),
    ("center", "Pasal 6"),
    ("p", "Peraturan Wali Kota ini mulai berlaku pada tanggal diundangkan."),
    ("p", "Agar setiap orang mengetahuinya, memerintahkan pengundangan Peraturan Wali Kota ini dengan "
     "penempatannya dalam Berita Daerah Kota Contoh."),
    ("sign", "Ditetapkan di Contoh"),
    ("sign", "pada tanggal 2 Mei 2024"),
    ("sign", "WALI KOTA CONTOH,"),
    ("sign", "ttd."),
    ("sign", "NAMA WALI KOTA FIKTIF"),
    ("sign", "Diundangkan di Contoh"),
    ("sign", "pada tanggal 3 Mei 2024"),
    ("sign", "SEKRETARIS DAERAH KOTA CONTOH,"),
    ("sign", "ttd."),
    ("sign", "NAMA SEKRETARIS FIKTIF"),
    ("p", "BERITA DAERAH KOTA CONTOH TAHUN 2024 NOMOR 7"),
    PAGE_BREAK,
    ("center", "PENJELASAN"),
    ("center", "ATAS"),
    ("center", "PERATURAN WALI KOTA CONTOH NOMOR 7 TAHUN 2024"),
    ("center", "TENTANG"),
    ("center", "TATA KELOLA ARSIP DINAMIS"),
    ("p", "I. UMUM"),
    ("p", "Arsip dinamis merupakan bukti penyelenggaraan pemerintahan yang harus dikelola secara tertib "
     "agar mudah ditemukan kembali dan dapat dipertanggungjawabkan."),
    ("p", "Penyederhanaan birokrasi menuntut sistem kerja yang bertumpu pada arsip yang andal. Oleh karena "
     "itu perlu pengaturan tata kelola arsip dinamis di tingkat Daerah."),
    ("p", "II. PASAL DEMI PASAL"),
    ("p", "Pasal 1"),
    ("p", "Cukup jelas."),
    ("p", "Pasal 2"),
    ("p", "Ayat (1)"),
    ("p", "Yang dimaksud dengan \"penyederhanaan birokrasi\" adalah upaya mewujudkan birokrasi yang lebih "
     "lincah melalui penyederhanaan struktur, penyetaraan jabatan, dan penyesuaian sistem kerja."),
    ("p", "Ayat (2)"),
    ("p", "Cukup jelas."),
    ("p", "Pasal 3"),
    ("p", "Cukup jelas."),
    ("p", "Pasal 4"),
    ("p", "Jadwal retensi arsip memuat jangka waktu penyimpanan arsip aktif dan arsip inaktif."),
    ("p", "Pasal 5"),
    ("p", "Cukup jelas."),
    ("p", "Pasal 5A"),
    ("p", "Cukup jelas."),
    ("p", "Pasal 6"),
    ("p", "Cukup jelas."),
    ("p", "TAMBAHAN BERITA DAERAH KOTA CONTOH NOMOR 7"),
    PAGE_BREAK,
    ("p", "LAMPIRAN"),
    ("p", "PERATURAN WALI KOTA CONTOH"),
    ("p", "NOMOR 7 TAHUN 2024"),
    ("p", "TENTANG TATA KELOLA ARSIP DINAMIS"),
    ("p", "A. JADWAL RETENSI ARSIP"),
    ("p", "Jadwal retensi arsip memuat jenis arsip, jangka waktu simpan aktif, jangka waktu simpan inaktif, "
     "dan keterangan nasib akhir arsip."),
    ("p", "B. MEKANISME PENILAIAN KEMBALI"),
    ("p", "Unit Kearsipan menilai kembali arsip yang habis masa retensinya dan mengusulkan pemusnahan atau "
     "penyerahan arsip statis."),
    ("sign", "WALI KOTA CONTOH,"),
    ("sign", "ttd."),
    ("sign", "NAMA WALI KOTA FIKTIF"),
]


@dataclass(frozen=True)
class ExpectedAyat:
    no: str
    text: str
    page: int | None = None


@dataclass(frozen=True)
class ExpectedPasal:
    pasal: str
    bab: str
    bab_judul: str
    text: str  # the unit text as the parser must produce it
    page: int | None = None
    ayat: tuple[ExpectedAyat, ...] = ()


@dataclass(frozen=True)
class FictionalRegulation:
    path: Path
    meta: dict
    paged: bool
    pasal: tuple[ExpectedPasal, ...]
    penjelasan: dict[str, str]  # pasal → explanation text
    penjelasan_ayat: dict[str, tuple[str, ...]]
    menimbang: str
    mengingat: str
    lampiran_headings: tuple[str, ...]
    penjelasan_page: int | None = None
    lampiran_page: int | None = None
    # Text that must not survive parsing: page furniture, the signature block.
    absent: tuple[str, ...] = ("SALINAN", RUNNING_FOOTER, "- 2 -", "ttd", "NAMA WALI KOTA FIKTIF",
                               "Ditetapkan di", "BERITA DAERAH KOTA CONTOH", "pe-", "pe- nyederhanaan")
    absent_lines: tuple[str, ...] = (RUNNING_HEADER,)  # also part of the title, so only as a whole line
    hyphenated_word: str = "penyederhanaan"
    unit_order: tuple[tuple[str, str | None], ...] = field(default=())


_PASAL_2_AYAT_2 = ("Tata kelola arsip dinamis sebagaimana dimaksud pada ayat (1) meliputi:\n"
                   "a. penciptaan arsip;\nb. penggunaan dan pemeliharaan arsip; dan\nc. penyusutan arsip.")
_PASAL = (
    ExpectedPasal("1", "I", "KETENTUAN UMUM", page=1, text=(
        "Dalam Peraturan Wali Kota ini yang dimaksud dengan:\n1. Daerah adalah Kota Contoh.\n"
        "2. Wali Kota adalah Wali Kota Contoh.\n3. Arsip Dinamis adalah arsip yang digunakan secara langsung "
        "dalam kegiatan pencipta arsip dan disimpan selama jangka waktu tertentu.\n4. Unit Kearsipan adalah "
        "satuan kerja pada Perangkat Daerah yang bertanggung jawab atas pengelolaan arsip.")),
    ExpectedPasal("2", "I", "KETENTUAN UMUM", page=1, ayat=(
        ExpectedAyat("1", "Tata kelola arsip dinamis dilaksanakan untuk mendukung penyederhanaan birokrasi dan "
                     "sistem kerja yang efektif di lingkungan Pemerintah Daerah.", 1),
        ExpectedAyat("2", _PASAL_2_AYAT_2, 1),
    ), text=""),
    ExpectedPasal("3", "II", "PENGELOLAAN ARSIP DINAMIS", page=1, ayat=(
        ExpectedAyat("1", "Setiap Perangkat Daerah wajib menyusun daftar arsip aktif paling lambat tanggal 31 "
                     "Januari setiap tahun.", 1),
        ExpectedAyat("2", "Daftar arsip aktif sebagaimana dimaksud pada ayat (1) disampaikan kepada Unit "
                     "Kearsipan melalui aplikasi kearsipan.", 1),
        ExpectedAyat("3", "Unit Kearsipan melakukan verifikasi atas daftar arsip aktif sebagaimana dimaksud "
                     "pada ayat (2) dalam waktu 14 (empat belas) hari kerja.", 2),
    ), text=""),
    ExpectedPasal("4", "II", "PENGELOLAAN ARSIP DINAMIS", page=2, text=(
        "Penyusutan arsip dilaksanakan berdasarkan jadwal retensi arsip sebagaimana tercantum dalam Lampiran "
        "yang merupakan bagian tidak terpisahkan dari Peraturan Wali Kota ini.")),
    ExpectedPasal("5", "II", "PENGELOLAAN ARSIP DINAMIS", page=2, ayat=(
        ExpectedAyat("1", "Arsip yang telah habis masa retensinya dinilai kembali oleh Unit Kearsipan.", 2),
        ExpectedAyat("2", "Hasil penilaian sebagaimana dimaksud pada ayat (1) ditetapkan dengan Keputusan "
                     "Kepala Perangkat Daerah.", 2),
    ), text=""),
    ExpectedPasal("5A", "II", "PENGELOLAAN ARSIP DINAMIS", page=2, text=(
        "Ketentuan mengenai penilaian kembali sebagaimana dimaksud dalam Pasal 5 berlaku juga bagi arsip "
        "elektronik.")),
    ExpectedPasal("6", "III", "KETENTUAN PENUTUP", page=2, text=(
        "Peraturan Wali Kota ini mulai berlaku pada tanggal diundangkan.\nAgar setiap orang mengetahuinya, "
        "memerintahkan pengundangan Peraturan Wali Kota ini dengan penempatannya dalam Berita Daerah Kota "
        "Contoh.")),
)


def _with_ayat_text(p: ExpectedPasal) -> ExpectedPasal:
    if not p.ayat:
        return p
    return replace(p, text="\n".join(f"({a.no}) {a.text}" for a in p.ayat))


_EXPECTED = FictionalRegulation(
    path=Path("."),
    meta=META,
    paged=True,
    pasal=tuple(_with_ayat_text(p) for p in _PASAL),
    penjelasan={
        "1": "Cukup jelas.",
        "2": "Ayat (1)\nYang dimaksud dengan \"penyederhanaan birokrasi\" adalah upaya mewujudkan birokrasi yang "
             "lebih lincah melalui penyederhanaan struktur, penyetaraan jabatan, dan penyesuaian sistem kerja.\n"
             "Ayat (2)\nCukup jelas.",
        "3": "Cukup jelas.",
        "4": "Jadwal retensi arsip memuat jangka waktu penyimpanan arsip aktif dan arsip inaktif.",
        "5": "Cukup jelas.",
        "5A": "Cukup jelas.",
        "6": "Cukup jelas.",
    },
    penjelasan_ayat={"2": ("1", "2")},
    menimbang="a. bahwa untuk menjamin ketersediaan arsip yang autentik dan terpercaya di lingkungan Pemerintah "
              "Daerah perlu diatur tata kelola arsip dinamis;\nb. bahwa berdasarkan pertimbangan sebagaimana "
              "dimaksud dalam huruf a, perlu menetapkan Peraturan Wali Kota tentang Tata Kelola Arsip Dinamis;",
    mengingat="1. Peraturan Daerah Kota Contoh Nomor 1 Tahun 2020 tentang Penyelenggaraan Kearsipan (Lembaran "
              "Daerah Kota Contoh Tahun 2020 Nomor 1);\n2. Peraturan Daerah Kota Contoh Nomor 3 Tahun 2022 "
              "tentang Pembentukan dan Susunan Perangkat Daerah (Lembaran Daerah Kota Contoh Tahun 2022 Nomor 3);",
    lampiran_headings=("Lampiran", "A. JADWAL RETENSI ARSIP", "B. MEKANISME PENILAIAN KEMBALI"),
    penjelasan_page=3,
    lampiran_page=4,
    unit_order=(
        ("judul", None), ("menimbang", None), ("mengingat", None), ("menetapkan", None),
        *[("pasal", p.pasal) for p in _PASAL],
        ("penjelasan_umum", None),
        *[("penjelasan_pasal", p.pasal) for p in _PASAL],
        ("lampiran", None), ("lampiran", None), ("lampiran", None),
    ),
)


def _unpaged(expected: FictionalRegulation, path: Path) -> FictionalRegulation:
    pasal = tuple(
        replace(p, page=None, ayat=tuple(replace(a, page=None) for a in p.ayat)) for p in expected.pasal
    )
    return replace(expected, path=path, paged=False, pasal=pasal, penjelasan_page=None, lampiran_page=None)


def _write_sidecar(path: Path, meta: dict) -> None:
    path.with_name(path.name + ".yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")


def _plain(text: str) -> str:
    """The text without line/page layout markup (for DOCX and HTML)."""
    return text.replace("-|", "").replace("\n", " ").replace("\f", " ")


# --- PDF ---------------------------------------------------------------------------------------


def write_fictional_pdf(path: Path, *, sidecar: bool = True) -> FictionalRegulation:
    """Writes the regulation as a 4-page PDF with running header/footer, page numbers and SALINAN."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    path = Path(path)
    font, size, leading = "Helvetica", 10, 13
    width, height = A4
    left, right, top, bottom = 60, width - 60, height - 90, 70
    canvas = Canvas(str(path), pagesize=A4)
    state = {"page": 1, "y": top}

    def furniture() -> None:
        canvas.setFont(font, size)
        canvas.drawCentredString(width / 2, height - 50, RUNNING_HEADER)
        if state["page"] == 1:
            canvas.drawRightString(right, height - 35, "SALINAN")
        else:
            canvas.drawCentredString(width / 2, height - 65, f"- {state['page']} -")
        canvas.drawCentredString(width / 2, 40, RUNNING_FOOTER)

    def new_page() -> None:
        canvas.showPage()
        state["page"] += 1
        state["y"] = top
        furniture()

    def draw_lines(x: float, text: str, first_prefix: list[tuple[float, str]] = ()) -> None:
        """Wraps `text` at x..right; "-|", "\n" and "\f" force line / page breaks."""
        prefixes = list(first_prefix)
        for p_index, page_part in enumerate(text.split("\f")):
            if p_index:
                new_page()
            for segment in page_part.replace("-|", "-\n").split("\n"):
                for line in simpleSplit(segment.strip(), font, size, right - x):
                    if state["y"] < bottom:
                        raise AssertionError("fixture layout overflows a page; add a PAGE_BREAK")
                    canvas.setFont(font, size)
                    for px, ptext in prefixes:
                        canvas.drawString(px, state["y"], ptext)
                    prefixes = []
                    canvas.drawString(x, state["y"], line)
                    state["y"] -= leading

    furniture()
    for block in CONTENT:
        kind = block[0]
        if kind == "page_break":
            new_page()
        elif kind == "center":
            canvas.setFont(font, size)
            canvas.drawCentredString(width / 2, state["y"], block[1])
            state["y"] -= leading
        elif kind in ("p", "sign"):
            draw_lines(left + (260 if kind == "sign" else 0), block[1])
        elif kind == "item":
            draw_lines(left + 25, block[2], [(left, block[1])])
        elif kind == "subitem":
            draw_lines(left + 40, block[2], [(left + 25, block[1])])
        elif kind == "label":
            _, label, marker, text = block
            prefix = [(left, label), (left + 70, ":")] + ([(left + 80, marker)] if marker else [])
            draw_lines(left + (95 if marker else 80), text, prefix)
    canvas.save()
    if sidecar:
        _write_sidecar(path, META)
    return replace(_EXPECTED, path=path)


# --- DOCX --------------------------------------------------------------------------------------


def write_fictional_docx(path: Path, *, sidecar: bool = True) -> FictionalRegulation:
    """Writes the regulation as DOCX: paragraphs, the preamble as a table, a page header."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    path = Path(path)
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = RUNNING_HEADER  # not body text: must not appear
    table = None
    for block in CONTENT:
        kind = block[0]
        if kind == "label":
            _, label, marker, text = block
            if table is None:
                table = document.add_table(rows=0, cols=3)
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, ":" if label else ""
            cells[2].text = f"{marker} {_plain(text)}".strip()
            continue
        table = None
        if kind == "page_break":
            document.add_page_break()
        elif kind == "center":
            document.add_paragraph(block[1]).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind in ("p", "sign"):
            document.add_paragraph(_plain(block[1]))
        else:  # item / subitem
            document.add_paragraph(f"{block[1]} {_plain(block[2])}")
    document.save(str(path))
    if sidecar:
        _write_sidecar(path, META)
    return _unpaged(_EXPECTED, path)


# --- HTML --------------------------------------------------------------------------------------


def write_fictional_html(path: Path, *, sidecar: bool = True) -> FictionalRegulation:
    """Writes the regulation as a JDIH-like web page, with navigation and scripts to ignore."""
    from html import escape

    path = Path(path)
    body: list[str] = []
    rows: list[str] = []
    for block in CONTENT:
        kind = block[0]
        if kind == "label":
            _, label, marker, text = block
            rows.append(f"<tr><td>{escape(label)}</td><td>{':' if label else ''}</td>"
                        f"<td>{escape(marker)} {escape(_plain(text))}</td></tr>")
            continue
        if rows:
            body.append("<table>" + "".join(rows) + "</table>")
            rows = []
        if kind == "center":
            body.append(f'<p class="tengah"><strong>{escape(block[1])}</strong></p>')
        elif kind in ("p", "sign"):
            text = escape(_plain(block[1]))
            # Inline markup around a reference must not turn it into a heading line.
            text = text.replace("dimaksud dalam Pasal 5 berlaku", "dimaksud dalam <b>Pasal 5</b>\nberlaku")
            body.append(f"<p>{text}</p>")
        elif kind in ("item", "subitem"):
            body.append(f"<p>{escape(block[1])} {escape(_plain(block[2]))}</p>")
    html = (
        "<!DOCTYPE html><html><head><title>Perwal Contoh 7/2024</title>"
        "<style>.tengah { text-align: center }</style></head><body>"
        "<nav><a href='/'>Beranda</a> | <a href='/produk'>Produk Hukum</a></nav>"
        "<script>var pelacak = 'Pasal 99';</script>"
        "<main>" + "\n".join(body) + "</main></body></html>"
    )
    path.write_text(html, encoding="utf-8")
    if sidecar:
        _write_sidecar(path, META)
    return _unpaged(_EXPECTED, path)
