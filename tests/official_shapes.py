"""FICTIONAL official documents in the five shapes JDIH portals serve, generated as real files with
no sidecar: an amendment with its base (PDF), a Keputusan with a Lampiran table (PDF), a scanned
Surat Edaran (image-only PDF made with PIL), a Perda as DOCX (Word auto-numbering, a table), and a
PDF with an odd text layer (letter-spaced and glyph-by-glyph headings, a heading run into its
first sentence, "PASAL" in capitals under a BAB, footnote marks and footnotes).

Each writer returns nothing; the tests state what the parser must find. Every name, number and
rule here is invented.
"""
from __future__ import annotations

from pathlib import Path

# A line is a str, or (style, text) with style in: center, letters (letter-spaced), glyphs (one
# text object per glyph), sup (text + a raised footnote mark: (style, text, mark)), small (a
# footnote text at the page bottom: ("small", mark, text)), page (a page break).

BASE_ID = "perwal-contoh-12-2024"
AMENDMENT_ID = "perwal-contoh-15-2024"

BASE = [
    ("center", "WALI KOTA CONTOH"),
    ("center", "PERATURAN WALI KOTA CONTOH"),
    ("center", "NOMOR 12 TAHUN 2024"),
    ("center", "TENTANG"),
    ("center", "TIM KERJA PENYEDERHANAAN BIROKRASI"),
    ("center", "DENGAN RAHMAT TUHAN YANG MAHA ESA"),
    ("center", "WALI KOTA CONTOH,"),
    "Menimbang : a. bahwa penyederhanaan birokrasi memerlukan tim kerja yang tetap;",
    "Mengingat : 1. Peraturan Daerah Kota Contoh Nomor 3 Tahun 2022 tentang Perangkat Daerah;",
    ("center", "MEMUTUSKAN:"),
    "Menetapkan : PERATURAN WALI KOTA TENTANG TIM KERJA PENYEDERHANAAN BIROKRASI.",
    ("center", "Pasal 1"),
    "Tim Kerja Penyederhanaan Birokrasi yang selanjutnya disebut Tim Kerja dibentuk di Daerah.",
    ("center", "Pasal 2"),
    "Tim Kerja bertugas memetakan jabatan administrasi yang disetarakan ke jabatan fungsional.",
    ("center", "Pasal 3"),
    "(1) Tim Kerja beranggotakan paling sedikit 5 (lima) orang pegawai.",
    "(2) Keanggotaan Tim Kerja ditetapkan dengan Keputusan Wali Kota.",
    ("center", "Pasal 4"),
    "Tim Kerja dipimpin oleh Asisten Administrasi Umum sebagai ketua.",
    ("center", "Pasal 5"),
    "Tim Kerja bersidang paling sedikit sekali dalam sebulan.",
    ("center", "Pasal 6"),
    "Biaya Tim Kerja dibebankan pada anggaran Sekretariat Daerah.",
    ("center", "Pasal 7"),
    "Tim Kerja menyampaikan laporan triwulanan kepada Sekretaris Daerah melalui Bagian Organisasi.",
    ("center", "Pasal 8"),
    "(1) Tim Kerja menyusun laporan akhir penyetaraan jabatan.",
    "(2) Laporan akhir disampaikan kepada Wali Kota paling lambat 30 (tiga puluh) hari kerja setelah pelantikan.",
    ("center", "Pasal 9"),
    "Peraturan Wali Kota ini mulai berlaku pada tanggal diundangkan.",
    "Ditetapkan di Contoh",
    "pada tanggal 4 Maret 2024",
    "WALI KOTA CONTOH,",
    "ttd.",
    "NAMA WALI KOTA FIKTIF",
    "Diundangkan di Contoh",
    "pada tanggal 5 Maret 2024",
    "BERITA DAERAH KOTA CONTOH TAHUN 2024 NOMOR 12",
]

AMENDMENT = [
    ("center", "WALI KOTA CONTOH"),
    ("center", "PERATURAN WALI KOTA CONTOH"),
    ("center", "NOMOR 15 TAHUN 2024"),
    ("center", "TENTANG"),
    ("center", "PERUBAHAN ATAS PERATURAN WALI KOTA CONTOH NOMOR 12 TAHUN 2024"),
    ("center", "TENTANG TIM KERJA PENYEDERHANAAN BIROKRASI"),
    ("center", "DENGAN RAHMAT TUHAN YANG MAHA ESA"),
    ("center", "WALI KOTA CONTOH,"),
    "Menimbang : a. bahwa susunan Tim Kerja perlu disesuaikan dengan beban kerja penyetaraan;",
    "Mengingat : 1. Peraturan Wali Kota Contoh Nomor 12 Tahun 2024 tentang Tim Kerja Penyederhanaan Birokrasi;",
    ("center", "MEMUTUSKAN:"),
    "Menetapkan : PERATURAN WALI KOTA TENTANG PERUBAHAN ATAS PERATURAN WALI KOTA CONTOH NOMOR 12 TAHUN 2024.",
    ("center", "Pasal I"),
    "Beberapa ketentuan dalam Peraturan Wali Kota Contoh Nomor 12 Tahun 2024 tentang Tim Kerja",
    "Penyederhanaan Birokrasi diubah sebagai berikut:",
    "1. Ketentuan Pasal 3 diubah sehingga berbunyi sebagai berikut:",
    ("center", "Pasal 3"),
    "(1) Tim Kerja beranggotakan paling sedikit 7 (tujuh) orang pegawai.",
    "(2) Keanggotaan Tim Kerja ditetapkan dengan Keputusan Wali Kota.",
    "2. Di antara Pasal 5 dan Pasal 6 disisipkan 1 (satu) pasal, yakni Pasal 5A sehingga berbunyi",
    "sebagai berikut:",
    ("center", "Pasal 5A"),
    "Tim Kerja dapat mengundang narasumber dari perguruan tinggi untuk membahas peta jabatan.",
    "3. Pasal 7 dihapus.",
    "4. Ketentuan ayat (2) Pasal 8 diubah sehingga berbunyi sebagai berikut:",
    ("center", "Pasal 8"),
    "(1) Tim Kerja menyusun laporan akhir penyetaraan jabatan.",
    "(2) Laporan akhir disampaikan kepada Wali Kota paling lambat 10 (sepuluh) hari kerja setelah pelantikan.",
    "5. Lampiran diubah sehingga menjadi sebagaimana tercantum dalam Lampiran Peraturan Wali Kota ini.",
    ("center", "Pasal II"),
    "Peraturan Wali Kota ini mulai berlaku pada tanggal diundangkan.",
    "Ditetapkan di Contoh",
    "pada tanggal 9 September 2024",
    "WALI KOTA CONTOH,",
    "ttd.",
    "NAMA WALI KOTA FIKTIF",
    "BERITA DAERAH KOTA CONTOH TAHUN 2024 NOMOR 15",
    ("page",),
    ("center", "PENJELASAN"),
    ("center", "ATAS"),
    ("center", "PERATURAN WALI KOTA CONTOH NOMOR 15 TAHUN 2024"),
    "I. UMUM",
    "Perubahan ini menambah anggota Tim Kerja karena jumlah jabatan yang disetarakan bertambah.",
    "II. PASAL DEMI PASAL",
    "Pasal I",
    "Angka 1",
    "Pasal 3",
    "Penambahan anggota menjadi tujuh orang mengikuti jumlah perangkat daerah yang dipetakan.",
    "Angka 2",
    "Pasal 5A",
    "Narasumber membantu menilai kesetaraan kompetensi.",
    "Angka 3",
    "Cukup jelas.",
    "Pasal II",
    "Cukup jelas.",
]

KEPUTUSAN_ID = "kepwal-contoh-100-45-org-2024"
KEPUTUSAN = [
    ("center", "KEPUTUSAN WALI KOTA CONTOH"),
    ("center", "NOMOR 100/45/ORG/2024"),
    ("center", "TENTANG"),
    ("center", "KELAS JABATAN FUNGSIONAL HASIL PENYETARAAN"),
    ("center", "WALI KOTA CONTOH,"),
    "Menimbang : a. bahwa jabatan hasil penyetaraan perlu ditetapkan kelas jabatannya;",
    "Mengingat : 1. Peraturan Wali Kota Contoh Nomor 12 Tahun 2024 tentang Tim Kerja Penyederhanaan Birokrasi;",
    "Memperhatikan : Berita Acara Tim Kerja Nomor 7 tanggal 2 Februari 2024;",
    ("center", "MEMUTUSKAN:"),
    "Menetapkan : KEPUTUSAN WALI KOTA TENTANG KELAS JABATAN FUNGSIONAL HASIL PENYETARAAN.",
    "KESATU : Menetapkan kelas jabatan fungsional hasil penyetaraan sebagaimana tercantum dalam Lampiran.",
    "KEDUA : Tunjangan kinerja dibayarkan menurut kelas jabatan sebagaimana dimaksud dalam Diktum KESATU.",
    "KETIGA : Keputusan ini mulai berlaku pada tanggal ditetapkan.",
    "Ditetapkan di Contoh",
    "pada tanggal 6 Mei 2024",
    "WALI KOTA CONTOH,",
    "ttd.",
    "NAMA WALI KOTA FIKTIF",
    ("page",),
    "LAMPIRAN",
    "KEPUTUSAN WALI KOTA CONTOH NOMOR 100/45/ORG/2024",
    "A. DAFTAR KELAS JABATAN",
    ("table", [
        ["No", "Nama Jabatan", "Kelas Jabatan", "Kebutuhan"],
        ["1", "Analis Kebijakan Ahli Muda", "9", "6"],
        ["2", "Analis Kebijakan Ahli Pertama", "8", "4"],
        ["3", "Pranata Komputer Ahli Pertama", "8", "2"],
        ["4", "Arsiparis Ahli Muda", "9", "3"],
    ]),
    "WALI KOTA CONTOH,",
    "ttd.",
]

ODD_ID = "perwal-contoh-21-2024"
ODD = [
    ("center", "PERATURAN WALI KOTA CONTOH"),
    ("center", "NOMOR 21 TAHUN 2024"),
    ("center", "TENTANG"),
    ("center", "SISTEM KERJA KOLABORATIF"),
    ("center", "DENGAN RAHMAT TUHAN YANG MAHA ESA"),
    "Menimbang : a. bahwa sistem kerja kolaboratif mendukung penyederhanaan birokrasi;",
    ("center", "MEMUTUSKAN:"),
    "Menetapkan : PERATURAN WALI KOTA TENTANG SISTEM KERJA KOLABORATIF.",
    ("center", "BAB I"),
    ("center", "KETENTUAN UMUM"),
    ("letters", "Pasal 1"),
    "Sistem kerja kolaboratif adalah cara kerja lintas unit yang dipimpin oleh Ketua Tim Kerja.",
    ("glyphs", "Pasal 2"),
    "Setiap perangkat daerah membentuk paling sedikit 2 (dua) tim kerja lintas fungsi.",
    ("sup", "Pasal 3", "1"),
    "Tim kerja lintas fungsi ditetapkan oleh kepala perangkat daerah untuk jangka waktu satu tahun.",
    "Pasal 4 Ketua Tim Kerja dijabat oleh pejabat fungsional jenjang ahli madya atau ahli muda.",
    ("center", "BAB II"),
    ("center", "PELAKSANAAN"),
    ("center", "PASAL 5"),
    "Pembagian tugas anggota tim kerja dicatat dalam aplikasi kinerja paling lambat tanggal 10 setiap bulan.",
    ("center", "Pasal 6"),
    "Kinerja tim kerja dievaluasi setiap semester oleh Bagian Organisasi.",
    ("sup", "Pasal 7", "2"),
    "Peraturan Wali Kota ini mulai berlaku pada tanggal diundangkan.",
    ("small", "1", "Tim kerja lintas fungsi menggantikan seksi yang dihapus pada tahun 2022."),
    ("small", "2", "Catatan redaksi: ketentuan penutup ini disalin dari naskah asli."),
    "Ditetapkan di Contoh",
    "pada tanggal 1 Juli 2024",
    "WALI KOTA CONTOH,",
    "ttd.",
    ("page",),
    "LAMPIRAN",
    "PERATURAN WALI KOTA CONTOH NOMOR 21 TAHUN 2024",
    "A. FORMAT LAPORAN TIM KERJA",
    ("table", [
        ["No", "Unsur Laporan", "Keterangan"],
        ["1", "Capaian kinerja", "persen target"],
        ["2", "Kendala lintas unit", "uraian singkat"],
    ]),
    ("page",),
    # A Penjelasan printed after the Lampiran, as some portals bind them.
    ("center", "PENJELASAN"),
    ("center", "ATAS"),
    ("center", "PERATURAN WALI KOTA CONTOH NOMOR 21 TAHUN 2024"),
    "I. UMUM",
    "Sistem kerja kolaboratif memangkas jenjang persetujuan yang panjang.",
    "II. PASAL DEMI PASAL",
    "Pasal 1",
    "Cukup jelas.",
    "Pasal 2",
    "Tim kerja lintas fungsi beranggotakan pegawai dari sedikitnya dua bidang yang berbeda.",
]

# A text layer whose lines ran together or kept their typist's spacing (as pypdf or a converted
# Word file gives them): headings on the BAB line or the BAB title line, letter-spaced words,
# "Pasal 5." with a stop, a heading run into its first sentence.
JOINED_ID = "perwal-contoh-22-2024"
JOINED = [
    "PERATURAN WALI KOTA CONTOH",
    "NOMOR 22 TAHUN 2024",
    "TENTANG",
    "RAPAT TIM KERJA",
    "Menimbang : a. bahwa rapat tim kerja perlu diatur;",
    "MEMUTUSKAN:",
    "Menetapkan : PERATURAN WALI KOTA TENTANG RAPAT TIM KERJA.",
    "B A B I",
    "KETENTUAN UMUM",
    "P A S A L 1",
    "Rapat tim kerja adalah pertemuan anggota tim untuk membagi tugas.",
    "BAB II PELAKSANAAN PASAL 2",
    "Rapat tim kerja diadakan paling sedikit dua kali dalam sebulan.",
    "Pasal 3 (1) Rapat dipimpin oleh ketua tim kerja.",
    "(2) Notulen rapat diunggah ke aplikasi kinerja.",
    "BAB III",
    "PEMBIAYAAN DAN",
    "PELAPORAN PASAL 4",
    "Biaya rapat dibebankan pada anggaran perangkat daerah.",
    "Pasal 5.",
    "Peraturan Wali Kota ini mulai berlaku pada tanggal diundangkan.",
    "Ditetapkan di Contoh",
    "pada tanggal 8 Juli 2024",
]

SCAN_ID = "se-walikota-contoh-800-12-org-2024"
SCAN = [
    "SURAT EDARAN WALI KOTA CONTOH",
    "NOMOR 800/12/ORG/2024",
    "TENTANG",
    "PELAPORAN PETA JABATAN",
    "Yth. Kepala Perangkat Daerah",
    "di Lingkungan Pemerintah Kota Contoh",
    "Dalam rangka pemutakhiran peta jabatan, setiap perangkat daerah menyampaikan",
    "peta jabatan hasil penyetaraan kepada Bagian Organisasi paling lambat",
    "tanggal 15 Agustus 2024 dalam bentuk berkas elektronik.",
    "Demikian surat edaran ini untuk dilaksanakan.",
    "Contoh, 1 Agustus 2024",
    "WALI KOTA CONTOH,",
]
STAMP = "Diunduh dari jdih.contohkota.go.id"

# A scan with no text layer at all (written with stamp=None).
SCAN_PLAIN_ID = "se-walikota-contoh-800-19-org-2024"
SCAN_PLAIN = [
    "SURAT EDARAN WALI KOTA CONTOH",
    "NOMOR 800/19/ORG/2024",
    "TENTANG",
    "RAPAT KOORDINASI JABATAN FUNGSIONAL",
    "Yth. Kepala Perangkat Daerah",
    "di Lingkungan Pemerintah Kota Contoh",
    "Rapat koordinasi pejabat fungsional hasil penyetaraan diselenggarakan",
    "setiap hari Kamis pekan kedua di ruang rapat Sekretariat Daerah.",
    "Setiap perangkat daerah menugaskan paling sedikit satu orang pejabat fungsional.",
    "Demikian surat edaran ini untuk dilaksanakan.",
    "Contoh, 12 Agustus 2024",
    "WALI KOTA CONTOH,",
]


# --- PDF writers -------------------------------------------------------------------------------


def write_pdf(path: Path, lines: list) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    width, height = A4
    canvas = Canvas(str(path), pagesize=A4)
    left, y = 60, height - 70
    font, size, leading = "Helvetica", 10, 14

    def newline():
        nonlocal y
        y -= leading
        if y < 80:
            page()

    def page():
        nonlocal y
        canvas.showPage()
        y = height - 70

    for line in lines:
        style, text = ("plain", line) if isinstance(line, str) else (line[0], line[1] if len(line) > 1 else "")
        canvas.setFont(font, size)
        if style == "page":
            page()
            continue
        if style == "plain":
            canvas.drawString(left, y, text)
        elif style == "center":
            canvas.drawCentredString(width / 2, y, text)
        elif style == "letters":
            t = canvas.beginText(width / 2 - 40, y)
            t.setFont(font, size)
            t.setCharSpace(4)
            t.textOut(text)
            t.setCharSpace(0)  # the text state outlives the text object
            canvas.drawText(t)
        elif style == "glyphs":
            x = width / 2 - 20
            for char in text:  # one text object per glyph, as some PDF generators write them
                t = canvas.beginText(x, y)
                t.setFont(font, size)
                t.textOut(char)
                canvas.drawText(t)
                x += canvas.stringWidth(char, font, size)
        elif style == "sup":
            x = width / 2 - 20
            canvas.drawString(x, y, text)
            canvas.setFont(font, 6)
            canvas.drawString(x + canvas.stringWidth(text, font, size) + 0.5, y + 4, line[2])
        elif style == "small":
            canvas.setFont(font, 7)
            canvas.drawString(left, 60 - 10 * int(line[1]) + 20, f"{line[1]} {line[2]}")
            continue
        elif style == "table":
            _draw_table(canvas, left, y, line[1])
            y -= leading * (len(line[1]) + 1)
            continue
        newline()
    canvas.save()
    return path


def _draw_table(canvas, left: float, top: float, rows: list[list[str]]) -> None:
    widths = [30, 200, 90, 80]
    row_h = 14
    for r, row in enumerate(rows):
        x = left
        yy = top - r * row_h
        for c, cell in enumerate(row):
            canvas.rect(x, yy - 4, widths[c], row_h, stroke=1, fill=0)
            canvas.drawString(x + 3, yy, cell)
            x += widths[c]


def write_scan(path: Path, lines: list[str], stamp: str | None = STAMP) -> Path:
    """An image-only page (text rendered by PIL, as a scanner would deliver it) wrapped in a PDF,
    with a one-line download stamp as its only text layer (none when `stamp` is None)."""
    return write_scan_pages(path, [lines], stamp)


def write_scan_pages(path: Path, pages: list[list[str]], stamp: str | None = None) -> Path:
    """Several scanned pages, one image each; `stamp` goes on every page's text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    dpi = 200
    w, h = int(8.27 * dpi), int(11.69 * dpi)
    width, height = A4
    canvas = Canvas(str(path), pagesize=A4)
    font = _font(34)
    for number, lines in enumerate(pages):
        image = Image.new("L", (w, h), 255)
        draw = ImageDraw.Draw(image)
        y = 160
        for line in lines:
            draw.text((140, y), line, fill=0, font=font)
            y += 60
        png = path.with_name(f"{path.stem}-{number}.png")
        image.save(png)
        canvas.drawImage(ImageReader(str(png)), 0, 0, width=width, height=height)
        png.unlink()
        if stamp:
            canvas.setFont("Helvetica", 6)
            canvas.drawString(20, 12, stamp)
        canvas.showPage()
    canvas.save()
    return path


def scanned_pages(lines: list, per_page: int = 30) -> list[list[str]]:
    """A PDF shape's lines as the pages of a scan (styles dropped: a scan has only ink)."""
    text = [line if isinstance(line, str) else line[1] for line in lines
            if isinstance(line, str) or line[0] in ("center", "letters", "glyphs", "plain")]
    return [text[i:i + per_page] for i in range(0, len(text), per_page)]


def _font(size: int):
    from PIL import ImageFont

    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                      "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


# --- DOCX --------------------------------------------------------------------------------------

PERDA_ID = "perda-contoh-4-2024"


def write_perda_docx(path: Path) -> Path:
    """A Perda in Word: Bagian and Paragraf, definitions in Word auto-numbering (numPr), a table."""
    import docx
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement

    document = docx.Document()
    for text in ("PERATURAN DAERAH KOTA CONTOH", "NOMOR 4 TAHUN 2024", "TENTANG", "ORGANISASI PERANGKAT DAERAH",
                 "DENGAN RAHMAT TUHAN YANG MAHA ESA"):
        document.add_paragraph(text)
    document.add_paragraph("Menimbang : a. bahwa susunan perangkat daerah perlu disederhanakan;")
    document.add_paragraph("MEMUTUSKAN:")
    document.add_paragraph("Menetapkan : PERATURAN DAERAH TENTANG ORGANISASI PERANGKAT DAERAH.")
    document.add_paragraph("BAB I")
    document.add_paragraph("KETENTUAN UMUM")
    document.add_paragraph("Pasal 1")
    document.add_paragraph("Dalam Peraturan Daerah ini yang dimaksud dengan:")
    numbered = [
        "Daerah adalah Kota Contoh.",
        "Perangkat Daerah adalah unsur pembantu Wali Kota dalam penyelenggaraan urusan pemerintahan.",
        "Jabatan Fungsional adalah jabatan yang menunjukkan tugas berdasarkan keahlian tertentu.",
    ]
    num_id = _numbering(document)
    for text in numbered:
        paragraph = document.add_paragraph(text, style="List Number")
        p_pr = paragraph._p.get_or_add_pPr()
        num_pr = OxmlElement("w:numPr")
        ilvl, num = OxmlElement("w:ilvl"), OxmlElement("w:numId")
        ilvl.set(qn("w:val"), "0")
        num.set(qn("w:val"), str(num_id))
        num_pr.append(ilvl)
        num_pr.append(num)
        p_pr.append(num_pr)
    document.add_paragraph("BAB II")
    document.add_paragraph("SUSUNAN ORGANISASI")
    document.add_paragraph("Bagian Kesatu")
    document.add_paragraph("Sekretariat Daerah")
    document.add_paragraph("Paragraf 1")
    document.add_paragraph("Kedudukan")
    document.add_paragraph("Pasal 2")
    document.add_paragraph("(1) Sekretariat Daerah dipimpin oleh Sekretaris Daerah.")
    document.add_paragraph("(2) Sekretariat Daerah membawahkan paling banyak 3 (tiga) asisten.")
    document.add_paragraph("Bagian Kedua")
    document.add_paragraph("Dinas Daerah")
    document.add_paragraph("Pasal 3")
    document.add_paragraph("Dinas Daerah dibentuk dengan tipe sesuai beban kerja sebagaimana tercantum dalam tabel berikut.")
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Nama Dinas", "Tipe", "Jumlah Bidang")):
        cell.text = text
    for row in (("Dinas Pendidikan", "A", "4"), ("Dinas Kesehatan", "A", "4"), ("Dinas Perpustakaan", "C", "2")):
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    document.add_paragraph("Pasal 4")
    document.add_paragraph("Peraturan Daerah ini mulai berlaku pada tanggal diundangkan.")
    document.add_paragraph("Ditetapkan di Contoh")
    document.add_paragraph("pada tanggal 2 Januari 2024")
    document.save(str(path))
    return path


def _numbering(document) -> int:
    """A decimal numbering definition ("1.", "2.", ...) in the document's numbering part."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    abstract = parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
    )
    num = parse_xml(f'<w:num {ns} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    numbering.insert(0, abstract)
    numbering.append(num)
    return 90
