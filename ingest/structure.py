"""Structure of an Indonesian regulation: Pembukaan, BAB/Bagian/Paragraf, Pasal and ayat,
Penjelasan (umum, pasal demi pasal) and Lampiran — from the page strings of any loader.

Two front ends share one unit builder:
- official texts (PDF, DOCX, HTML, TXT): page furniture is removed, words hyphenated across lines
  are re-joined, wrapped lines become paragraphs, and a small state machine reads the headings;
- Markdown digests (the shipped corpus): structure comes from `##` headings, and each section's
  `Sumber: <verifikasi> — <url>` line says how the text is known.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from assistant.records import Bagian

from .loaders import LoadedDocument

UnitKind = Literal[
    "judul", "menimbang", "mengingat", "menetapkan", "memperhatikan", "pasal", "diktum", "perubahan",
    "penjelasan_umum", "penjelasan_pasal", "lampiran", "section", "intro",
]


class Ayat(BaseModel):
    no: str
    text: str
    page: int | None = None


class Unit(BaseModel):
    bagian: Bagian
    kind: UnitKind
    bab: str | None = None
    bab_judul: str | None = None
    bagian_struktur: str | None = None
    paragraf: str | None = None
    pasal: str | None = None
    heading: str | None = None
    page: int | None = None
    ayat: list[Ayat] = Field(default_factory=list)
    text: str = ""
    verifikasi: str | None = None
    sumber_url: str | None = None
    diktum: str | None = None  # KESATU, KEDUA, ... of a Keputusan
    # An amendment item (Pasal I angka N): the change, its target, and the text it quotes.
    angka: str | None = None
    perubahan: str | None = None
    target_pasal: str | None = None
    target_ayat: str | None = None
    kutipan: str | None = None
    kutipan_ayat: list[Ayat] = Field(default_factory=list)
    catatan: list[str] = Field(default_factory=list)  # footnotes
    ocr: bool = False


class ParsedDocument(BaseModel):
    units: list[Unit]
    warnings: list[str] = Field(default_factory=list)  # Indonesian, for the ingest report


def parse_document(doc: LoadedDocument) -> ParsedDocument:
    """Page strings → units (Pembukaan, Pasal with ayat, Penjelasan, Lampiran, named sections)."""
    meta = doc.meta or {}
    markdown = doc.path.suffix.lower() in (".md", ".markdown")
    default_verifikasi = "teks resmi" if meta.get("resmi") is True or (not markdown and meta.get("resmi") is not False) else None
    footnotes: dict[tuple[int | None, str], str] = {}
    lines = _lines(doc, footnotes)
    warnings: list[str] = []
    if markdown:
        units = _MarkdownParser(default_verifikasi).parse(lines)
    else:
        lines = _rejoin_lines(_remove_furniture(lines, doc.paged))
        parser = _OfficialParser(default_verifikasi)
        units = parser.parse(lines)
        warnings = parser.warnings
        _attach_footnotes(units, parser.marks, footnotes)
    ocr_pages = set(getattr(doc, "ocr_pages", None) or ())
    for unit in units:
        unit.ocr = unit.page in ocr_pages
    return ParsedDocument(units=units, warnings=warnings)


# --- Lines -------------------------------------------------------------------------------------


@dataclass
class Line:
    text: str
    page: int | None


def _normalize(text: str) -> str:
    # NFKC folds ligatures (ﬁ) and no-break spaces that PDF text layers are full of.
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


# Footnote marks: superscript digits after a word ("Pasal 7²"). NFKC would turn them into plain
# digits ("Pasal 72"), so they become a private token first and are read off each line.
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_MARK_CHARS = re.compile(r"(?<=[\w.,;:)])([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_MARK_TOKEN = re.compile(r"\ue001(\d+)\ue002")
FOOTNOTE_LINE = "\ue000"  # a loader's prefix for a footnote text line: "\ue000<mark> <text>"


def _lines(doc: LoadedDocument, footnotes: dict | None = None) -> list[Line]:
    lines = []
    for number, page in enumerate(doc.pages, start=1):
        page_no = number if doc.paged else None
        for raw in page.splitlines():
            if raw.startswith(FOOTNOTE_LINE):
                mark, _, text = raw[1:].strip().partition(" ")
                if footnotes is not None and mark:
                    footnotes[(page_no, mark.translate(_SUPERSCRIPT))] = _normalize(text)
                continue
            raw = _MARK_CHARS.sub(lambda m: f"\ue001{m.group(1).translate(_SUPERSCRIPT)}\ue002", raw)
            lines.append(Line(_normalize(raw), page_no))
    return lines


def _attach_footnotes(units: list[Unit], marks: dict[int, list[tuple[int | None, str]]], footnotes: dict) -> None:
    """A footnote's text is a note on the unit whose text carries its mark, not body text."""
    for index, unit_marks in marks.items():
        for page, mark in unit_marks:
            text = footnotes.get((page, mark)) or next((t for (p, m), t in footnotes.items() if m == mark), None)
            if text and index < len(units):
                units[index].catatan.append(f"{mark}) {text}")


# --- Page furniture ----------------------------------------------------------------------------

_FURNITURE = re.compile(
    r"""^(?:
        [-–—]\s*\d{1,4}\s*[-–—]                                 # - 3 -
      | (?:halaman|hal\.?|page)\s*\d{1,4}(?:\s*(?:dari|of|/)\s*\d{1,4})?   # Halaman 3 dari 10
      | \d{1,4}(?:\s*/\s*\d{1,4})?                              # 3  or  3/10
      | salinan
      | .{1,40}\s[-–—]\s?\d{1,4}\s?[-–—]                        # 2013, No.1235 -2-
      | [-–—]\s?\d{1,4}\s?[-–—]\s.{1,40}                        # -2- 2013, No.1235
    )$""",
    re.I | re.X,
)
_ZONE = 3  # lines at the top and bottom of a page where running headers/footers live
_RUNNING_MAX_LEN = 80


def _remove_furniture(lines: list[Line], paged: bool) -> list[Line]:
    lines = _normalize_heading_lines(lines)
    kept = [line for line in lines if not _FURNITURE.match(line.text)]
    return _remove_running_lines(kept) if paged else kept


_BAB_WITH_PASAL = re.compile(r"^(BAB\s+[IVXLC]+\b[^a-z]*?)\s+((?:Pasal|PASAL)\s+\d+[A-Z]?)(?:\s+(\S.*))?$")
# Heading words set letter by letter in a text layer the positions could not rebuild ("P A S A L 5").
_SPACED_HEADING_WORD = re.compile(r"^(P\s+A\s+S\s+A\s+L|P\s+a\s+s\s+a\s+l|B\s+A\s+B)(?=\s+[\dIVXLC])")
_TITLE_WITH_PASAL = re.compile(r"^([^a-z]*?[A-Z][^a-z]*?)\s+((?:PASAL|Pasal)\s+\d+[A-Z]?(?:\s+\S.*)?)$")
_PASAL_WITH_STOP = re.compile(r"^((?:Pasal|PASAL)\s+(?:\d+[A-Z]?|[IVXLC]+))\.$")


def _normalize_heading_lines(lines: list[Line]) -> list[Line]:
    """"Pasal" and its number on separate lines → one line (before lone numbers are taken for page
    numbers); "BAB VI JUDUL Pasal 43" run together by text extraction → two lines."""
    out: list[Line] = []
    for line in lines:
        text = _SPACED_HEADING_WORD.sub(lambda m: "".join(m.group(1).split()), line.text)
        text = _PASAL_WITH_STOP.sub(r"\1", text)  # "Pasal 5." as some typists write it
        line = Line(text, line.page)
        if out and out[-1].text in ("Pasal", "PASAL") and re.fullmatch(r"\d+[A-Z]?", line.text):
            out[-1] = Line(f"{out[-1].text} {line.text}", out[-1].page)
        elif m := _BAB_WITH_PASAL.match(line.text):
            # "BAB II PELAKSANAAN PASAL 6 ..." run together: the BAB, its Pasal, the Pasal's text.
            out.extend(Line(part, line.page) for part in m.groups() if part)
        else:
            out.append(line)
    return out


def _running_key(text: str) -> str | None:
    if not text or len(text) > _RUNNING_MAX_LEN or text[-1] in ".;:," or _is_heading_like(text):
        return None
    return re.sub(r"\d+", "#", text.lower())


def _remove_running_lines(lines: list[Line]) -> list[Line]:
    """Short lines repeated at the top or bottom of most pages are running headers/footers."""
    pages: dict[int | None, list[int]] = {}
    for index, line in enumerate(lines):
        if line.text:
            pages.setdefault(line.page, []).append(index)
    if len(pages) < 3:
        return lines
    zones = {page: idx[:_ZONE] + idx[-_ZONE:] for page, idx in pages.items()}
    counts: Counter[str] = Counter()
    for idx in zones.values():
        counts.update({key for i in idx if (key := _running_key(lines[i].text))})
    needed = max(3, math.floor(len(pages) / 2) + 1)
    running = {key for key, n in counts.items() if n >= needed}
    drop = {i for idx in zones.values() for i in idx if _running_key(lines[i].text) in running}
    return [line for i, line in enumerate(lines) if i not in drop]


# --- Re-joining lines --------------------------------------------------------------------------

_HYPHEN_END = re.compile(r"(\w+)[-\u00ad\u2010]$")
_LONE_MARKER = re.compile(r"^(?:\(\d+[a-z]?\)|[a-z]\.|\d+\.|\d+\)|[a-z]\))$")


def _rejoin_lines(lines: list[Line]) -> list[Line]:
    out: list[Line] = []
    pending_marker: Line | None = None
    for line in lines:
        text = line.text
        if text == ":":  # the colon column of a two-column "Menimbang : a." layout
            continue
        text = re.sub(r"^:\s+", "", text)
        if pending_marker is not None and text:
            # A lone "a." / "(1)" cell or column joins the text that follows it.
            text, line = f"{pending_marker.text} {text}", Line(text, pending_marker.page)
            pending_marker = None
        elif _LONE_MARKER.match(text):
            pending_marker = Line(text, line.page)
            continue
        if out and text and _joins_hyphenated(out[-1].text, text):
            out[-1] = Line(_join_hyphenated(out[-1].text, text), out[-1].page)
            continue
        out.append(Line(text, line.page))
    if pending_marker is not None:
        out.append(pending_marker)
    return out


def _joins_hyphenated(previous: str, text: str) -> bool:
    return bool(_HYPHEN_END.search(previous)) and text[0].islower()


def _join_hyphenated(previous: str, text: str) -> str:
    left = _HYPHEN_END.search(previous).group(1)
    right = text.split(" ", 1)[0]
    if previous.endswith("\u00ad") or not _is_reduplication(left, right):
        return previous[:-1] + text  # pe-|nyederhanaan → penyederhanaan
    return previous + text  # perundang-|undangan keeps its hyphen


def _is_reduplication(left: str, right: str) -> bool:
    """masing-masing, perundang-undangan, sebaik-baiknya: the right part repeats the left's end."""
    left, right = left.lower(), right.lower()
    return any(right.startswith(left[-n:]) for n in range(3, len(left) + 1))


# --- Recognisers -------------------------------------------------------------------------------

_PASAL = re.compile(r"^(?:Pasal|PASAL)\s+(\d+[A-Z]?|[IVXLC]+)$")
_BAB = re.compile(r"^BAB\s+([IVXLC]+)\b\.?\s*([^a-z]*)$")
# A heading run into its first sentence: "Pasal 4 Ketua Tim Kerja ...", "Pasal 5 (1) ...".
_RUN_IN_PASAL = re.compile(r"^(?:Pasal|PASAL)\s+(\d+[A-Z]?)\s+([A-Z(].*)$")
_ROMAN = re.compile(r"^[IVXLC]+$")
# Amendment items of Pasal I: "1. Ketentuan Pasal 3 diubah ...", "3. Pasal 7 dihapus."
_ANGKA_ITEM = re.compile(r"^(\d+)\.\s+(.*)$")
_CHANGE_VERB = re.compile(r"\b(?:diubah|disisipkan|dihapus|ditambah(?:kan)?)\b", re.I)
_ANGKA_PENJELASAN = re.compile(r"^Angka\s+(\d+)$")
_BAGIAN = re.compile(r"^Bagian\s+(Kesatu|Pertama|Ke[a-z]+)$", re.I)
_PARAGRAF = re.compile(r"^Paragraf\s+(\d+|Ke[a-z]+)$", re.I)


def _preamble_label(word: str) -> re.Pattern:
    """"Menimbang : a. bahwa", "Menimbang" alone, "MENIMBANG a. bahwa" — never "menimbang" inside
    a wrapped sentence."""
    return re.compile(rf"^(?:{word}|{word.upper()})(?:\s*:\s*(.*)|\s+((?:[a-z]|\d+)\.\s.*)|\s*)$")


_MENIMBANG = _preamble_label("Menimbang")
_MENGINGAT = _preamble_label("Mengingat")
_MEMPERHATIKAN = _preamble_label("Memperhatikan")
_MEMUTUSKAN = re.compile(r"^(?:M\s?E\s?M\s?U\s?T\s?U\s?S\s?K\s?A\s?N|Memutuskan)\s*:?\s*$")
_MENETAPKAN = re.compile(r"^(?:(?:Menetapkan|MENETAPKAN)(?:\s*:|$)|Dengan Persetujuan Bersama\b)\s*(.*)$")
_DIKTUM = re.compile(
    r"^(KESATU|KEDUA|KETIGA|KEEMPAT|KELIMA|KEENAM|KETUJUH|KEDELAPAN|KESEMBILAN|KESEPULUH|KESEBELAS|KEDUA ?BELAS)"
    r"(?:\s*:\s*(.*)|\s*)$"
)
_PENJELASAN = re.compile(r"^PENJELASAN(?:\s+ATAS\b[^a-z]*)?$")
_UMUM = re.compile(r"^(?:I\.\s*)?UMUM$")
_PASAL_DEMI_PASAL = re.compile(r"^(?:II\.\s*)?PASAL\s+DEMI\s+PASAL$")
_LAMPIRAN = re.compile(r"^LAMPIRAN(\s+[IVXLC]+)?\b[^a-z]*$")
_AYAT = re.compile(r"^\((\d+[a-z]?)\)\s*(.*)$")
_AYAT_PENJELASAN = re.compile(r"^Ayat\s*\((\d+[a-z]?)\)\s*(.*)$")
_LAMPIRAN_HEADING = re.compile(r"^(?:[A-Z]|[IVX]+)\.\s+(\S.{0,80})$")
_ITEM = re.compile(
    r"^(?:[a-z][.)]\s|\d+[.)]\s|[ivx]+\.\s|\(\d+[a-z]?\)|\([a-z]\)\s|(?:Huruf|Angka|Ayat)\s+\S+$|[-•*▪●]\s|\|)"
)
# Where a sentence goes on with a reference ("... dimaksud dalam" / "Pasal 5 berlaku ..."): a line
# that is only "Pasal 5" after such a tail is not a heading; "(1)" after "ayat" is not an ayat.
_REFERENCE_TAIL = re.compile(
    r"(?:\b(?:dalam|pada|dimaksud|dan|atau|dan/atau|dengan|oleh|menurut|berdasarkan|sesuai|ke|di|"
    r"tentang|sebagaimana|ketentuan|atas|terhadap|ayat|huruf|angka|butir|Pasal)|,)$",
    re.I,
)
_ITEM_REFERENCE_TAIL = re.compile(r"\b(?:ayat|huruf|angka|butir)$", re.I)
_SIGNATURE_END = re.compile(
    r"^(?:(?:Ditetapkan|Diundangkan|Disahkan)\s+di\b|(?:LEMBARAN|BERITA|TAMBAHAN)\s+(?:NEGARA|DAERAH|LEMBARAN|BERITA)\b)"
)
_SIGNATURE_SOFT = re.compile(r"^(?:Salinan sesuai dengan aslinya\b.*|ttd\.?|TTD\.?|Ttd\.?|NIP\.?\s*[\d ]+)$")
_OFFICE_LINE = re.compile(r"^[A-Z][A-Z .,/()'-]+,$")
_SUMBER = re.compile(r"^Sumber\s*:\s*(terverifikasi|dilaporkan|dikutip)\b\s*(?:[—–-]+\s*(.*))?$", re.I)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")


def _is_heading_like(text: str) -> bool:
    return any(
        p.match(text)
        for p in (_PASAL, _BAB, _BAGIAN, _PARAGRAF, _AYAT, _AYAT_PENJELASAN, _PENJELASAN, _LAMPIRAN, _UMUM)
    )


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


# --- Unit builder ------------------------------------------------------------------------------


@dataclass
class _AyatDraft:
    no: str
    page: int | None
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    """A unit being read: paragraphs before the first ayat, then the ayat."""

    fields: dict
    explained_ayat: bool = False  # Penjelasan writes "Ayat (1)" above the text, not "(1)" before it
    lead: list[str] = field(default_factory=list)
    ayat: list[_AyatDraft] = field(default_factory=list)
    new_paragraph: bool = True

    @property
    def paragraphs(self) -> list[str]:
        return self.ayat[-1].paragraphs if self.ayat else self.lead

    def last_text(self) -> str:
        return self.paragraphs[-1] if self.paragraphs else ""

    def blank(self) -> None:
        self.new_paragraph = True

    def add(self, text: str, page: int | None, *, wrapped: bool) -> None:
        if self.fields.get("page") is None:
            self.fields["page"] = page
        paragraphs = self.paragraphs
        if paragraphs and _LONE_MARKER.match(paragraphs[-1]):  # "a." left alone by a column layout
            paragraphs[-1] = f"{paragraphs[-1]} {text}"
        elif self.new_paragraph or not paragraphs or _starts_paragraph(paragraphs[-1], text, wrapped):
            paragraphs.append(text)
        else:
            paragraphs[-1] = f"{paragraphs[-1]} {text}"
        self.new_paragraph = False

    def start_ayat(self, no: str, page: int | None) -> None:
        if self.fields.get("page") is None:
            self.fields["page"] = page
        self.ayat.append(_AyatDraft(no, page))
        self.new_paragraph = True

    def next_ayat_fits(self, no: str) -> bool:
        """Ayat follow one another; "(3)" after "(1)" is more likely a wrapped reference."""
        if not self.ayat:
            return True
        previous = self.ayat[-1].no
        number, prev_number = int(re.match(r"\d+", no).group()), int(re.match(r"\d+", previous).group())
        return number == prev_number + 1 or (number == prev_number and no != previous)

    def finish(self) -> Unit:
        parts = list(self.lead)
        ayat = []
        for draft in self.ayat:
            text = "\n".join(draft.paragraphs)
            ayat.append(Ayat(no=draft.no, text=text, page=draft.page))
            parts.append(f"Ayat ({draft.no})\n{text}" if self.explained_ayat else f"({draft.no}) {text}".rstrip())
        return Unit(**self.fields, ayat=ayat, text="\n".join(parts).strip())


def _starts_paragraph(previous: str, text: str, wrapped: bool) -> bool:
    if _ITEM.match(text) and not _ITEM_REFERENCE_TAIL.search(previous):
        return True
    if previous.startswith("|"):  # table rows stay rows
        return True
    # In wrapped text (PDF), and after a list item anywhere, a finished sentence followed by a
    # capital starts a new paragraph.
    return (wrapped or bool(_ITEM.match(previous))) and previous[-1:] in ".;:" and text[:1].isupper()


# --- Official texts ----------------------------------------------------------------------------


class _OfficialParser:
    """Reads the heading sequence of an official text, line by line."""

    def __init__(self, default_verifikasi: str | None):
        self.verifikasi = default_verifikasi
        self.units: list[Unit] = []
        self.draft: _Draft | None = None
        self.region = "pembukaan"
        self.context = dict(bab=None, bab_judul=None, bagian_struktur=None, paragraf=None)
        self.expect_title: str | None = None  # "bab" | "bagian" | "paragraf" | "lampiran"
        self.title_lines = 0
        self.dropping: str | None = None  # "hard" | "soft" while inside a signature block
        self.drop_page: int | None = None
        self.warnings: list[str] = []
        self.marks: dict[int, list[tuple[int | None, str]]] = {}  # unit index → footnote marks
        self.last_pasal: str | None = None  # the last arabic Pasal of the Batang Tubuh
        self.amending: str | None = None  # the roman Pasal (I) whose items are being read
        self.next_angka = 1

    def parse(self, lines: list[Line]) -> list[Unit]:
        for index, line in enumerate(lines):
            if not line.text:
                if self.draft:
                    self.draft.blank()
                continue
            marks = _MARK_TOKEN.findall(line.text)
            if marks:
                line = Line(_MARK_TOKEN.sub("", line.text).strip(), line.page)
            self._read(line, self._next_text(lines, index))
            if marks:
                self.marks.setdefault(len(self.units) - (0 if self.draft else 1), []).extend((line.page, m) for m in marks)
        self._finish()
        return _label_leading_unit(_link_penjelasan_to_bab(self.units))

    @staticmethod
    def _next_text(lines: list[Line], index: int) -> str:
        return next((line.text for line in lines[index + 1:] if line.text), "")

    # -- dispatch --

    def _read(self, line: Line, following: str) -> None:
        text, page = line.text, line.page
        if self._major_marker(text, page):
            return
        if self.dropping:
            if self._ends_drop(text, page):
                self.dropping = None
            else:
                return
        if self.expect_title:
            taken = self._take_title(text)
            if taken is True:
                return
            if taken:  # the title line went on with the first Pasal heading
                text = taken
        if self.region != "pembukaan" and self._signature_starts(text, following, page):
            return
        getattr(self, f"_in_{self.region}")(text, page)

    def _major_marker(self, text: str, page: int | None) -> bool:
        if _PENJELASAN.match(text) and self.region in ("pembukaan", "batang", "lampiran"):
            self._finish()
            self.region, self.dropping, self.expect_title = "penjelasan_judul", None, None
            return True
        if (m := _LAMPIRAN.match(text)) and self.region != "pembukaan":
            self._start("Lampiran", "lampiran", page, heading=f"Lampiran{m.group(1) or ''}")
            self.region, self.dropping, self.expect_title = "lampiran", None, None
            return True
        return False

    def _ends_drop(self, text: str, page: int | None) -> bool:
        if self.dropping == "soft" and page != self.drop_page:
            return True
        if self.region == "batang":
            return bool(_PASAL.match(text) or _BAB.match(text))
        if self.region == "pasal_demi_pasal":
            return bool(_PASAL.match(text))
        if self.region == "lampiran":
            return _is_lampiran_heading(text) and _is_upper(text)
        return bool(_PASAL_DEMI_PASAL.match(text))

    def _signature_starts(self, text: str, following: str, page: int | None) -> bool:
        if _SIGNATURE_END.match(text):
            kind = "hard"
        elif _SIGNATURE_SOFT.match(text) or (_OFFICE_LINE.match(text) and _SIGNATURE_SOFT.match(following)):
            kind = "soft"
        else:
            return False
        self._finish()
        self.dropping, self.drop_page = kind, page
        return True

    def _take_title(self, text: str) -> bool | str:
        """The title lines under BAB (upper case, may wrap), Bagian and Paragraf (one line). A BAB
        title run into its first heading ("PELAKSANAAN PASAL 6") is split: the rest is returned."""
        kind = self.expect_title
        ends = _is_heading_like(text) or (kind == "lampiran" and _is_lampiran_heading(text))
        if ends or (self.title_lines and not _is_upper(text)):
            self.expect_title = None
            return False
        if kind == "bab" and (m := _TITLE_WITH_PASAL.match(text)):
            self.context["bab_judul"] = f"{self.context['bab_judul'] or ''} {m.group(1)}".strip()
            self.expect_title = None
            return m.group(2)
        self.title_lines += 1
        if kind == "bab":
            self.context["bab_judul"] = f"{self.context['bab_judul'] or ''} {text}".strip()
        elif kind == "lampiran":
            self.draft.fields["heading"] = f"{self.draft.fields['heading']} {text}"
        else:  # Bagian / Paragraf titles are one line and not part of any Pasal's text
            self.expect_title = None
        return True

    def _expect_title(self, kind: str) -> None:
        self.expect_title, self.title_lines = kind, 0

    # -- regions --

    def _in_pembukaan(self, text: str, page: int | None) -> None:
        menimbang, mengingat, menetapkan = _MENIMBANG.match(text), _MENGINGAT.match(text), _MENETAPKAN.match(text)
        memperhatikan = _MEMPERHATIKAN.match(text)
        if menimbang:
            self._start("Pembukaan", "menimbang", page, heading="Menimbang", first=_label_rest(menimbang))
        elif mengingat and self._kind() in ("menimbang", "judul", None):
            self._start("Pembukaan", "mengingat", page, heading="Mengingat", first=_label_rest(mengingat))
        elif memperhatikan and self._kind() in ("menimbang", "mengingat", "judul", None):
            self._start("Pembukaan", "memperhatikan", page, heading="Memperhatikan", first=_label_rest(memperhatikan))
        elif _MEMUTUSKAN.match(text) or menetapkan:
            if self._kind() != "menetapkan":
                self._start("Pembukaan", "menetapkan", page, heading="Menetapkan")
            if menetapkan and menetapkan.group(1):
                self._add(menetapkan.group(1), page)
        elif _BAB.match(text) or _PASAL.match(text) or _DIKTUM.match(text):
            self.region = "batang"
            self._in_batang(text, page)
        else:
            if self.draft is None:
                self._start("Pembukaan", "judul", page, heading="Judul")
            self._add(text, page)

    def _in_batang(self, text: str, page: int | None) -> None:
        if self.amending and self._read_amendment(text, page):
            return
        if m := _BAB.match(text):
            self._finish()
            self.context.update(bab=m.group(1), bab_judul=m.group(2) or None, bagian_struktur=None, paragraf=None)
            self._expect_title("bab")
            self.title_lines = 1 if m.group(2) else 0  # a title on the BAB line: only more capitals follow
        elif m := _BAGIAN.match(text):
            self._finish()
            self.context.update(bagian_struktur=m.group(1).capitalize(), paragraf=None)
            self._expect_title("bagian")
        elif m := _PARAGRAF.match(text):
            self._finish()
            self.context.update(paragraf=m.group(1))
            self._expect_title("paragraf")
        elif (m := _PASAL.match(text)) and not self._continues_sentence():
            self._start_pasal(m.group(1), page)
        elif (m := _RUN_IN_PASAL.match(text)) and not self._continues_sentence() and self._expected_pasal(m.group(1)):
            self._start_pasal(m.group(1), page)
            rest = m.group(2)
            if (a := _AYAT.match(rest)) and self._ayat_fits(a.group(1)):
                self.draft.start_ayat(a.group(1), page)
                rest = a.group(2)
            self._add(rest, page)
        elif m := _DIKTUM.match(text):
            self._start("Batang Tubuh", "diktum", page, heading=f"Diktum {m.group(1)}", first=m.group(2) or "",
                        diktum=m.group(1))
        elif (m := _AYAT.match(text)) and self._kind() == "pasal" and self._ayat_fits(m.group(1)):
            self.draft.start_ayat(m.group(1), page)
            self._add(m.group(2), page)
        elif self.draft is not None:
            self._add(text, page)

    def _start_pasal(self, number: str, page: int | None) -> None:
        self._start("Batang Tubuh", "pasal", page, heading=f"Pasal {number}", pasal=number, **self._structure())
        if _ROMAN.match(number):  # Pasal I of an amending regulation holds numbered change items
            self.amending, self.next_angka = number, 1
            return
        self.amending = None
        if self.last_pasal is not None and not _follows(self.last_pasal, number):
            self.warnings.append(
                f"Pasal {number} sesudah Pasal {self.last_pasal}"
                + (f" (halaman {page})" if page else "")
                + ": nomor Pasal mundur atau melompat; periksa teks dokumen (tanda catatan kaki atau teks PDF rusak)"
            )
        self.last_pasal = number

    def _expected_pasal(self, number: str) -> bool:
        return self.last_pasal is None and number == "1" or self.last_pasal is not None and _follows(self.last_pasal, number)

    def _read_amendment(self, text: str, page: int | None) -> bool:
        """Inside Pasal I: each numbered change is a unit of its own, and the Pasal or ayat it
        quotes is its text, not a heading of the amending regulation."""
        if (m := _ANGKA_ITEM.match(text)) and int(m.group(1)) == self.next_angka and _CHANGE_VERB.search(m.group(2)):
            self._start("Batang Tubuh", "perubahan", page, heading=f"Pasal {self.amending} angka {m.group(1)}",
                        pasal=self.amending, angka=m.group(1), **self._structure())
            self._add(text, page)
            self.next_angka += 1
            return True
        if self._kind() != "perubahan":
            return False
        if (m := _PASAL.match(text)) and _ROMAN.match(m.group(1)):
            return False  # Pasal II: the items are over
        if _PASAL.match(text) or _BAB.match(text) or _BAGIAN.match(text) or _PARAGRAF.match(text):
            self.draft.blank()  # a quoted heading is a line of its own
            self._add(text, page)
            self.draft.blank()
        else:
            self._add(text, page)
        return True

    def _in_penjelasan_judul(self, text: str, page: int | None) -> None:
        if _PASAL_DEMI_PASAL.match(text):
            self.region = "pasal_demi_pasal"
        elif _UMUM.match(text):
            self._start("Penjelasan", "penjelasan_umum", page, heading="Penjelasan Umum")
            self.region = "penjelasan_umum"
        elif not _is_upper(text):  # the Penjelasan's own title block is upper case; text is not
            self._start("Penjelasan", "penjelasan_umum", page, heading="Penjelasan Umum")
            self.region = "penjelasan_umum"
            self._add(text, page)

    def _in_penjelasan_umum(self, text: str, page: int | None) -> None:
        if _PASAL_DEMI_PASAL.match(text):
            self._finish()
            self.region = "pasal_demi_pasal"
        else:
            self._add(text, page)

    def _in_pasal_demi_pasal(self, text: str, page: int | None) -> None:
        explained = self.draft.fields.get("pasal") if self._kind() == "penjelasan_pasal" else None
        if (m := _ANGKA_PENJELASAN.match(text)) and explained and _ROMAN.match(explained):
            # "Angka 1" under "Pasal I": the explanation of one amendment item, a unit of its own.
            self._start("Penjelasan", "penjelasan_pasal", page, heading=f"Penjelasan Pasal {explained} angka {m.group(1)}",
                        pasal=explained, angka=m.group(1))
            return
        if (m := _PASAL.match(text)) and self.draft is not None and self.draft.fields.get("angka") and not _ROMAN.match(m.group(1)):
            self.draft.blank()  # "Pasal 3" inside "Angka 1": the amended Pasal it explains
            self._add(text, page)
            self.draft.blank()
            return
        if (m := _PASAL.match(text)) and not self._continues_sentence():
            self._start("Penjelasan", "penjelasan_pasal", page, heading=f"Penjelasan {text}", pasal=m.group(1))
            self.draft.explained_ayat = True
        elif (m := _AYAT_PENJELASAN.match(text)) and self._kind() == "penjelasan_pasal":
            self.draft.start_ayat(m.group(1), page)
            if m.group(2):
                self._add(m.group(2), page)
        elif self.draft is not None:
            self._add(text, page)

    def _in_lampiran(self, text: str, page: int | None) -> None:
        if _BAB.match(text) or _is_lampiran_heading(text):
            self._start("Lampiran", "lampiran", page, heading=text)
            if _BAB.match(text):
                self._expect_title("lampiran")
        else:
            self._add(text, page)

    # -- helpers --

    def _kind(self) -> str | None:
        return self.draft.fields["kind"] if self.draft else None

    def _structure(self) -> dict:
        return {k: self.context[k] for k in ("bab", "bab_judul", "bagian_struktur", "paragraf")}

    def _continues_sentence(self) -> bool:
        return self.draft is not None and bool(_REFERENCE_TAIL.search(self.draft.last_text()))

    def _ayat_fits(self, no: str) -> bool:
        return not _ITEM_REFERENCE_TAIL.search(self.draft.last_text()) and self.draft.next_ayat_fits(no)

    def _start(self, bagian: str, kind: str, page: int | None, *, heading: str, first: str = "", **extra) -> None:
        self._finish()
        self.draft = _Draft(dict(bagian=bagian, kind=kind, heading=heading, page=page,
                                 verifikasi=self.verifikasi, **extra))
        if first:
            self._add(first, page)

    def _add(self, text: str, page: int | None) -> None:
        if self.draft is None:
            self._start("Isi", "intro", page, heading=None)
        self.draft.add(text, page, wrapped=True)

    def _finish(self) -> None:
        if self.draft is not None:
            unit = self.draft.finish()
            if unit.kind == "perubahan":
                _read_change(unit)
            self.units.append(unit)
            self.draft = None


def _number(pasal: str) -> tuple[int, str]:
    m = re.match(r"(\d+)([A-Z]?)", pasal)
    return int(m.group(1)), m.group(2)


def _follows(previous: str, number: str) -> bool:
    """Pasal 5 → 5A → 6: the next number, or the same number with a letter."""
    (prev, prev_letter), (cur, letter) = _number(previous), _number(number)
    return cur == prev + 1 or (cur == prev and letter > prev_letter)


_CHANGE_SENTENCE_END = re.compile(r"\s(?:sehingga|berbunyi|yang berbunyi)\b|:", re.I)
_KUTIPAN_AYAT = re.compile(r"^\((\d+[a-z]?)\)\s*(.*)$", re.S)


def _read_change(unit: Unit) -> None:
    """What an amendment item changes: "Ketentuan ayat (2) Pasal 8 diubah", "Di antara Pasal 5 dan
    Pasal 6 disisipkan 1 (satu) pasal, yakni Pasal 5A", "Pasal 7 dihapus", "Lampiran diubah"."""
    paragraphs = unit.text.split("\n")
    first = _ANGKA_ITEM.sub(r"\2", paragraphs[0])
    instruction = _CHANGE_SENTENCE_END.split(first, 1)[0]
    inserted = re.search(r"yakni\s+(?:Pasal\s+(\d+[A-Z]?)|ayat\s+\((\d+[a-z]?)\))", first)
    pasal_refs = re.findall(r"\bPasal\s+(\d+[A-Z]?)\b", instruction)
    ayat_ref = re.search(r"\bayat\s+\((\d+[a-z]?)\)", instruction)
    if re.search(r"\bdisisipkan\b", instruction, re.I):
        unit.perubahan = "disisipkan"
        unit.target_pasal = inserted.group(1) if inserted and inserted.group(1) else (pasal_refs[-1] if pasal_refs else None)
        if inserted and inserted.group(2):
            unit.target_ayat = inserted.group(2)
    elif re.search(r"\bdihapus\b", instruction, re.I):
        unit.perubahan = "dihapus"
        unit.target_pasal = pasal_refs[0] if pasal_refs else None
        unit.target_ayat = ayat_ref.group(1) if ayat_ref else None
    elif not pasal_refs and re.search(r"\bLampiran\b", instruction, re.I):
        unit.perubahan = "lampiran"
    else:
        unit.perubahan = "diubah"
        unit.target_pasal = pasal_refs[0] if pasal_refs else None
        unit.target_ayat = ayat_ref.group(1) if ayat_ref else None
    # The quoted text: what follows the quoted heading ("Pasal 3"), or the instruction's colon.
    body = paragraphs[1:]
    if body and unit.target_pasal and re.fullmatch(rf"(?:Pasal|PASAL)\s+{re.escape(unit.target_pasal)}", body[0]):
        body = body[1:]
    if body:
        unit.kutipan = "\n".join(body)
        unit.kutipan_ayat = [Ayat(no=m.group(1), text=m.group(2)) for p in body if (m := _KUTIPAN_AYAT.match(p))]


def _label_rest(match: re.Match) -> str:
    return match.group(1) or match.group(2) or ""


def _is_lampiran_heading(text: str) -> bool:
    """"A. JADWAL RETENSI" or "B. Mekanisme Kerja" — short, and not a sentence."""
    if not _LAMPIRAN_HEADING.match(text):
        return False
    body = text.split(".", 1)[1].strip()
    return body[-1:] not in ".;:," and (_is_upper(body) or len(body.split()) <= 6)


def _link_penjelasan_to_bab(units: list[Unit]) -> list[Unit]:
    bab_of = {u.pasal: (u.bab, u.bab_judul) for u in units if u.kind == "pasal" and u.pasal}
    for unit in units:
        if unit.kind == "penjelasan_pasal" and unit.pasal in bab_of:
            unit.bab, unit.bab_judul = bab_of[unit.pasal]
    return units


def _label_leading_unit(units: list[Unit]) -> list[Unit]:
    """Text before Menimbang is the title block of a regulation; of anything else, an intro."""
    is_regulation = any(u.kind in ("menimbang", "mengingat", "pasal", "penjelasan_pasal") for u in units)
    for unit in units:
        if unit.kind == "judul" and not is_regulation:
            unit.kind, unit.bagian, unit.heading = "intro", "Isi", None
    return units


# --- Markdown digests --------------------------------------------------------------------------


class _MarkdownParser:
    """`## Pasal 4`, `## Menimbang`, `## Lampiran — X`, `## Any heading`; text before is the intro."""

    def __init__(self, default_verifikasi: str | None):
        self.verifikasi = default_verifikasi
        self.units: list[Unit] = []
        self.draft: _Draft | None = None
        self.bab: tuple[str | None, str | None] = (None, None)

    def parse(self, lines: list[Line]) -> list[Unit]:
        for line in lines:
            self._read(line.text, line.page)
        self._finish()
        return self.units

    def _read(self, text: str, page: int | None) -> None:
        if not text:
            if self.draft:
                self.draft.blank()
            return
        heading = _MD_HEADING.match(text)
        if heading and len(heading.group(1)) >= 2 and self._section(heading.group(2).strip(), len(heading.group(1)), page):
            return
        if heading:
            text = heading.group(2).strip()
        if (m := _SUMBER.match(text)) and self.draft is not None:
            self.draft.fields["verifikasi"] = m.group(1).lower()
            urls = [u.strip() for u in (m.group(2) or "").split(";") if u.strip()]
            self.draft.fields["sumber_url"] = urls[0] if urls else None
            return
        if self.draft is None:
            self._start("Isi", "intro", page, heading=None)
        kind = self.draft.fields["kind"]
        if kind in ("pasal", "penjelasan_pasal"):
            m = _AYAT.match(text) or _AYAT_PENJELASAN.match(text)
            if m and self.draft.next_ayat_fits(m.group(1)) and not _ITEM_REFERENCE_TAIL.search(self.draft.last_text()):
                self.draft.start_ayat(m.group(1), page)
                text = m.group(2)
                if not text:
                    return
        if heading:
            self.draft.blank()  # a sub-heading (###) is a paragraph of its own
        self.draft.add(text, page, wrapped=False)

    def _section(self, title: str, level: int, page: int | None) -> bool:
        """Starts the unit a `##` heading names; False for sub-headings that are plain text."""
        bab, bab_judul = self.bab
        if m := re.match(r"^BAB\s+([IVXLC]+)\b\s*[—–:.-]*\s*(.*)$", title):
            self._finish()
            self.bab = (m.group(1), m.group(2) or None)
        elif m := re.match(r"^Pasal\s+(\d+[A-Z]?)\b", title):
            self._start("Batang Tubuh", "pasal", page, heading=title, pasal=m.group(1), bab=bab, bab_judul=bab_judul)
        elif m := re.match(r"^Penjelasan\s+Pasal\s+(\d+[A-Z]?)\b", title, re.I):
            self._start("Penjelasan", "penjelasan_pasal", page, heading=title, pasal=m.group(1))
        elif re.match(r"^Penjelasan(?:\s+Umum)?$", title, re.I):
            self._start("Penjelasan", "penjelasan_umum", page, heading="Penjelasan Umum")
        elif re.match(r"^(Menimbang|Mengingat)$", title, re.I):
            self._start("Pembukaan", title.lower(), page, heading=title.capitalize())
        elif re.match(r"^Lampiran\b", title, re.I):
            self._start("Lampiran", "lampiran", page, heading=title)
        elif level > 2 and self.draft is not None and self.draft.fields["kind"] != "intro":
            return False  # a sub-heading inside a section is text of that section
        else:
            self._start("Isi", "section", page, heading=title)
        return True

    def _start(self, bagian: str, kind: str, page: int | None, *, heading: str | None, **extra) -> None:
        self._finish()
        self.draft = _Draft(dict(bagian=bagian, kind=kind, heading=heading, page=page,
                                 verifikasi=self.verifikasi, **extra))
        self.draft.explained_ayat = kind == "penjelasan_pasal"

    def _finish(self) -> None:
        if self.draft is not None:
            self.units.append(self.draft.finish())
            self.draft = None
