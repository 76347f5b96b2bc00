"""Metadata read from the document itself: jenis, nomor, tahun, judul, the dates of the closing
part and, for an amendment or a revocation, the regulation it targets.

Official texts state all of this in their title block ("PERATURAN WALI KOTA CONTOH / NOMOR 7 TAHUN
2024 / TENTANG / ...") and their closing part ("Ditetapkan di ... pada tanggal 2 Mei 2024"). What is
read here is only a default: a sidecar or the upload form overrides any field (`merge`).
The kinds of regulation and the Indonesian words are data files (ingest/data/).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("data")
HEADER_LINES = 30  # a title block never runs longer
# Where the title block ends: the preamble, the addressees of a letter, or the body.
_HEADER_END = re.compile(
    r"^(?:DENGAN RAHMAT|Dengan Rahmat|Menimbang|MENIMBANG|MEMUTUSKAN|Memutuskan|Yth\.?|Kepada\b|BAB\s+I\b|Pasal\s+1\b)"
)
_ORDINAL = r"(?:KEDUA|KETIGA|KEEMPAT|KELIMA|KEENAM|KETUJUH|KEDELAPAN|KESEMBILAN|KESEPULUH)"
_AMENDS = re.compile(rf"^PERUBAHAN\s+(?:{_ORDINAL}\s+)?ATAS\s+(.*)$")
_REVOKES = re.compile(r"^PENCABUTAN\s+(?:ATAS\s+)?(.*)$")
_NUMBER = r"(?:\s+REPUBLIK INDONESIA)?\s+NOMOR\s*:?\s*(?P<nomor>[0-9A-Z][0-9A-Z./-]*?)(?:\s+TAHUN\s+(?P<tahun>\d{4}))?(?=\s|$)"
_REVOKED_IN_CLOSING = re.compile(
    r"((?:Peraturan|Keputusan|Undang-Undang)[^.;]{0,160}?Nomor\s+\S+\s+Tahun\s+\d{4})[^.;]{0,300}?"
    r"dicabut dan dinyatakan tidak berlaku",
    re.I,
)


@dataclass(frozen=True)
class _Kind:
    pattern: re.Pattern
    jenis: str
    slug: str
    singkat: str


@lru_cache(maxsize=1)
def _kinds() -> tuple[_Kind, ...]:
    raw = yaml.safe_load((DATA / "jenis.yaml").read_text("utf-8"))
    return tuple(_Kind(re.compile(item["pattern"] + _NUMBER), item["jenis"], item["slug"], item["singkat"]) for item in raw)


@lru_cache(maxsize=1)
def _words() -> dict:
    return yaml.safe_load((DATA / "kata.yaml").read_text("utf-8"))


def _months() -> dict[str, int]:
    return {name: number for number, name in enumerate(_words()["bulan"], 1)}


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def title_case(text: str) -> str:
    """"TATA KELOLA ARSIP DAN DOKUMEN" → "Tata Kelola Arsip dan Dokumen"; acronyms
    from the word list (RB, ASN, PNS) stay upper case."""
    small = set(_words()["kata_sambung"])
    acronyms = set(_words()["akronim"])
    out = []
    for index, word in enumerate(text.split()):
        lower = word.lower()
        if index and lower in small:
            out.append(lower)
        elif word.upper().strip(".,;()") in acronyms:
            out.append(word.upper())
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)


@dataclass(frozen=True)
class Reference:
    """A regulation named in a title: kind, region, nomor, tahun."""

    jenis: str
    slug: str
    singkatan: str
    nomor: str
    tahun: int | None
    end: int  # where the match ended in the text

    @property
    def doc_id(self) -> str:
        number = slug(self.nomor)
        if self.tahun and not number.endswith(str(self.tahun)):
            number = f"{number}-{self.tahun}"
        return f"{self.slug}-{number}"


def find_reference(upper_text: str, default_region: str | None = None) -> Reference | None:
    """The earliest regulation name in an upper-cased text ("PERATURAN WALI KOTA CONTOH NOMOR 12
    TAHUN 2024"); one without its region ("PERATURAN WALI KOTA NOMOR 12 ...") takes `default_region`."""
    text = re.sub(r"\s+", " ", upper_text)
    if default_region:
        text = re.sub(r"\b(PERATURAN|KEPUTUSAN|SURAT EDARAN) (WALI ?KOTA|BUPATI|GUBERNUR) (?=NOMOR\b)",
                      rf"\1 \2 {default_region.upper()} ", text)
    best: tuple[int, int, re.Match, _Kind] | None = None
    for order, kind in enumerate(_kinds()):
        m = kind.pattern.search(text)
        if m and (best is None or (m.start(), order) < best[:2]):
            best = (m.start(), order, m, kind)
    if best is None:
        return None
    _, _, m, kind = best
    region = title_case(m.groupdict().get("region") or "")
    nomor = m.group("nomor").strip(".")
    tahun = int(m.group("tahun")) if m.group("tahun") else _year_in(nomor)
    fill = {"region": region}
    return Reference(
        jenis=kind.jenis.format(**fill),
        slug=kind.slug.format(region=slug(region)),
        singkatan=f"{kind.singkat.format(**fill)} Nomor {nomor}" + (f" Tahun {tahun}" if m.group("tahun") else ""),
        nomor=nomor,
        tahun=tahun,
        end=m.end(),
    )


def _year_in(nomor: str) -> int | None:
    m = re.search(r"(?:^|/)((?:19|20)\d{2})$", nomor)
    return int(m.group(1)) if m else None


def parse_date(text: str) -> dt.date | None:
    """"2 Mei 2024" → 2024-05-02."""
    m = re.search(r"\b(\d{1,2})\s+([A-Za-z]+)\s+((?:19|20)\d{2})\b", text)
    if not m:
        return None
    month = _months().get(m.group(2).lower())
    if month is None:
        return None
    try:
        return dt.date(int(m.group(3)), month, int(m.group(1)))
    except ValueError:
        return None


def _header(lines: list[str]) -> list[str]:
    header = []
    for line in lines[:HEADER_LINES]:
        if _HEADER_END.match(line):
            break
        header.append(line)
    return header


def _region_of(ref: Reference) -> str | None:
    m = re.search(r"(?:Kota|Kabupaten|Provinsi|Bupati|Gubernur|Wali Kota) ([A-Z][\w .-]*)$", ref.jenis)
    return m.group(1) if m else None


def _date_after(label: str, text: str) -> dt.date | None:
    m = re.search(rf"{label}\s+di\s+.{{0,60}}?pada\s+tanggal\s+(\d{{1,2}}\s+\w+\s+\d{{4}})", text, re.I | re.S)
    return parse_date(m.group(1)) if m else None


_OFFICE = re.compile(r"(?:^|\s)(?=(?:PRESIDEN|MENTERI|KEPALA|GUBERNUR|BUPATI|WALI ?KOTA)\b)")


def _without_office_line(title: str) -> str:
    """The title without the signing office that closes the title block ("... PENYETARAAN WALI KOTA
    CONTOH,"): cut at the last office word from which the rest is one upper-case name ending in a
    comma, so a title that itself names an office keeps it."""
    cut = len(title)
    for m in _OFFICE.finditer(title):
        if re.fullmatch(r"\s*[A-Z][A-Z .]*,\s*", title[m.start():]):
            cut = m.start()
    return title[:cut].strip(" .,")


def read_metadata(pages: list[str], resmi: bool = True) -> dict:
    """What the document's own text says about it; fields it does not state are left out."""
    lines = [re.sub(r"\s+", " ", unicodedata.normalize("NFKC", line)).strip() for page in pages for line in page.splitlines()]
    lines = [line for line in lines if line]
    header = " ".join(_header(lines))
    ref = find_reference(header.upper())
    meta: dict = {"resmi": resmi} if resmi else {}
    if ref is None:
        return meta
    meta.update(doc_id=ref.doc_id, jenis=ref.jenis, nomor=ref.nomor, singkatan=ref.singkatan)
    if ref.tahun:
        meta["tahun"] = ref.tahun
    rest = header[ref.end:]
    title = re.sub(r"^TENTANG\s*:?\s*", "", rest.strip(), flags=re.I)
    title = _without_office_line(title)
    if title:
        upper = title.upper()
        region = _region_of(ref)
        if (m := _AMENDS.match(upper)) and (target := find_reference(m.group(1), region)):
            meta["mengubah"] = [target.doc_id]
            meta["target_singkatan"] = target.singkatan
        elif (m := _REVOKES.match(upper)) and (target := find_reference(m.group(1), region)):
            meta["mencabut"] = [target.doc_id]
        meta["judul"] = title_case(title) if title.isupper() else title
    full = " ".join(lines)
    revoked = {r.doc_id for m in _REVOKED_IN_CLOSING.finditer(full) if (r := find_reference(m.group(1).upper(), _region_of(ref)))}
    revoked.discard(ref.doc_id)
    if revoked:
        meta["mencabut"] = sorted(set(meta.get("mencabut", [])) | revoked)
    for field_name, label in (("tanggal_ditetapkan", "Ditetapkan"), ("tanggal_diundangkan", "Diundangkan")):
        if (date := _date_after(label, full)) is not None:
            meta[field_name] = date
    if "tanggal_ditetapkan" not in meta and (date := _letter_date(lines)):
        meta["tanggal_ditetapkan"] = date
    if "tahun" not in meta and meta.get("tanggal_ditetapkan"):
        meta["tahun"] = meta["tanggal_ditetapkan"].year
    # Targets read from the text may lie outside the corpus; that is not an error.
    external = sorted(set(meta.get("mengubah", [])) | set(meta.get("mencabut", [])))
    if external:
        meta["relasi_eksternal"] = external
    return meta


def _letter_date(lines: list[str]) -> dt.date | None:
    """A letter's place and date line ("Cilegon, 12 Juni 2023"), usually near its end."""
    for line in reversed(lines):
        if re.match(r"^[A-Z][\w .]{1,40},\s*\d{1,2}\s+\w+\s+\d{4}$", line) and (date := parse_date(line)):
            return date
    return None


def merge(read: dict, given: dict | None) -> dict:
    """Fields given in a sidecar or the upload form win over what the text says; relation targets
    read from the text stay declared as possibly external."""
    given = dict(given or {})
    merged = {**read, **given}
    if "relasi_eksternal" in read:
        merged["relasi_eksternal"] = sorted(set(read["relasi_eksternal"]) | set(_as_list(given.get("relasi_eksternal"))))
    merged.pop("target_singkatan", None)
    return merged


def _as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
