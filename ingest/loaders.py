"""Loaders: one small interface per file format, chosen by suffix through a registry.

Each loader turns a file into page strings (`LoadedDocument.pages`); the structure parser does the
rest. Metadata comes from Markdown front matter, or for other formats from a sidecar
`<filename>.yaml` next to the file. Every failure a user can cause (corrupt, encrypted, scanned,
empty, oversized, a zip bomb) becomes `DocumentRejected` with an Indonesian reason; no library
traceback leaves this module.
"""
from __future__ import annotations

import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from pydantic import BaseModel

from assistant.errors import DocumentRejected

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 2000
# Decoded page content (the text-drawing operators), not the file size: a text page holds some
# 5-50 KB; parsing costs about a second for every 8 MB.
MAX_PDF_PAGE_CONTENT_BYTES = 4 * 1024 * 1024
MAX_PDF_CONTENT_BYTES = 48 * 1024 * 1024
MAX_PDF_SECONDS = 60.0
MIN_TEXT_CHARS = 40  # fewer visible characters on a page: its text is an image (scan), read by OCR
MAX_DOCX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# Word XML compresses about 5-30x; hundreds-to-one only happens in crafted archives.
MAX_DOCX_COMPRESSION_RATIO = 200
_RATIO_CHECK_MIN_BYTES = 1024 * 1024  # tiny entries may compress absurdly well and harmlessly


class LoadedDocument(BaseModel):
    path: Path
    meta: dict | None  # front matter or sidecar
    pages: list[str]
    paged: bool  # True when `pages` are real pages (PDF), so page numbers mean something
    ocr_pages: list[int] = []  # pages (1-based) whose text was read by OCR


class _Content(BaseModel):
    pages: list[str]
    paged: bool = False
    meta: dict | None = None
    ocr_pages: list[int] = []


@dataclass(frozen=True)
class LoadOptions:
    """How to read what needs outside help: the OCR command, and where OCR reports its pages."""

    tesseract_cmd: str = "tesseract"
    ocr_progress: Callable[[int, int], None] | None = None


Loader = Callable[[Path, LoadOptions], _Content]
_LOADERS: dict[str, Loader] = {}


def register(*suffixes: str) -> Callable[[Loader], Loader]:
    def add(loader: Loader) -> Loader:
        for suffix in suffixes:
            _LOADERS[suffix] = loader
        return loader

    return add


def load_document(path: Path, options: LoadOptions | None = None) -> LoadedDocument:
    """Reads any supported file into page strings plus its metadata, or raises DocumentRejected."""
    path = Path(path)
    options = options or LoadOptions()
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise DocumentRejected(
            str(path), f"format berkas '{path.suffix or '(tanpa ekstensi)'}' tidak didukung (didukung: {supported})"
        )
    _check_size(path)
    content = loader(path, options)
    if not any(page.strip() for page in content.pages):
        raise DocumentRejected(str(path), "dokumen kosong (tidak ada teks)")
    meta = content.meta if content.meta is not None else _read_sidecar(path)
    return LoadedDocument(path=path, meta=meta, pages=content.pages, paged=content.paged, ocr_pages=content.ocr_pages)


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentRejected(str(path), "berkas tidak dapat dibaca", cause=repr(exc)) from None
    if size > MAX_FILE_BYTES:
        raise DocumentRejected(
            str(path), f"berkas terlalu besar ({size / 2**20:.0f} MB; batas {MAX_FILE_BYTES // 2**20} MB)"
        )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DocumentRejected(str(path), "berkas tidak dapat dibaca", cause=repr(exc)) from None


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw:
        raise DocumentRejected(str(path), "berkas bukan teks (berisi data biner)")
    # UTF-8 first; Windows-1252 is what Indonesian office PCs save as when it is not UTF-8.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentRejected(str(path), "berkas teks tidak dapat dibaca sebagai UTF-8")


def _parse_yaml(path: Path, text: str, what: str, first_line: int) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f" (baris {mark.line + first_line})" if mark is not None else ""
        raise DocumentRejected(str(path), f"{what} YAML tidak valid: {problem}{where}", cause=str(exc)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DocumentRejected(str(path), f"{what} YAML harus berupa pemetaan (kunci: nilai)")
    return data


def sidecar_paths(path: Path) -> list[Path]:
    """Where a document's metadata file may sit: `<name>.yaml` (perwal.pdf.yaml) or `<stem>.yaml`
    (perwal.yaml), either with .yml."""
    names = [path.name + ".yaml", path.name + ".yml"]
    if path.suffix.lower() not in (".yaml", ".yml", ".md", ".markdown"):
        names += [path.stem + ".yaml", path.stem + ".yml"]
    return [path.with_name(name) for name in names]


def _read_sidecar(path: Path) -> dict | None:
    for sidecar in sidecar_paths(path):
        if sidecar.exists():
            text = _decode(sidecar, _read_bytes(sidecar))
            return _parse_yaml(path, text, f"metadata sidecar {sidecar.name}", first_line=1)
    return None


# --- Markdown and plain text -------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)


@register(".md", ".markdown")
def load_markdown(path: Path, options: LoadOptions | None = None) -> _Content:
    text = _decode(path, _read_bytes(path))
    match = _FRONT_MATTER.match(text)
    if not match:
        return _Content(pages=[text], meta=None)
    # The YAML starts on the file's second line (after the opening ---).
    meta = _parse_yaml(path, match.group(1), "front matter", first_line=2)
    return _Content(pages=[text[match.end():]], meta=meta)


@register(".txt")
def load_text(path: Path, options: LoadOptions | None = None) -> _Content:
    text = _decode(path, _read_bytes(path))
    # pdftotext and similar tools separate pages with form feeds; keep them as pages.
    pages = text.split("\f")
    return _Content(pages=pages, paged=len(pages) > 1)


# --- PDF ---------------------------------------------------------------------------------------


@register(".pdf")
def load_pdf(path: Path, options: LoadOptions | None = None) -> _Content:
    from pypdf import PdfReader

    # pypdf raises many exception types on damaged files (PdfReadError, ValueError, KeyError,
    # zlib.error, ...): at this boundary any of them means "corrupt file".
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not _decrypt_with_empty_password(reader):
            raise DocumentRejected(str(path), "PDF terenkripsi dan tidak dapat dibuka tanpa kata sandi")
        count = len(reader.pages)
    except DocumentRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - see comment above
        raise DocumentRejected(str(path), "berkas PDF rusak atau tidak dapat dibaca", cause=repr(exc)) from None
    if count > MAX_PDF_PAGES:
        raise DocumentRejected(str(path), f"PDF terlalu panjang ({count} halaman; batas {MAX_PDF_PAGES})")
    try:
        _check_pdf_content_size(path, reader)
        deadline = time.monotonic() + MAX_PDF_SECONDS
        pages, needs_ocr = _positioned_pages(path, deadline)
        if pages is None:  # pdfplumber could not read it: the operator order of pypdf
            pages, needs_ocr = [], []
            for number, page in enumerate(reader.pages, 1):
                _check_deadline(path, deadline)
                text = page.extract_text() or ""
                pages.append(text)
                if len("".join(text.split())) < MIN_TEXT_CHARS:
                    needs_ocr.append(number)
    except DocumentRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged content stream
        if type(exc).__name__ == "LimitReachedError":  # pypdf's own decompression limit
            raise DocumentRejected(str(path), _PDF_BOMB, cause=repr(exc)) from None
        raise DocumentRejected(str(path), "isi PDF rusak dan teksnya tidak dapat dibaca", cause=repr(exc)) from None
    if needs_ocr:
        from .ocr import ocr_pages

        options = options or LoadOptions()
        for number, text in ocr_pages(path, needs_ocr, options.tesseract_cmd, options.ocr_progress).items():
            pages[number - 1] = _without_layer_lines(text, pages[number - 1])
    if count and not any(p.strip() for p in pages):
        raise DocumentRejected(str(path), "PDF tidak memuat teks yang terbaca, juga setelah OCR (halaman kosong atau gambar tanpa tulisan)")
    return _Content(pages=pages, paged=True, ocr_pages=[n for n in needs_ocr if pages[n - 1].strip()])


def _without_layer_lines(ocr_text: str, layer_text: str) -> str:
    """The OCR text of a page without the lines its thin text layer already held: on a scan, that
    layer is what the portal stamped on it ("Diunduh dari jdih..."), furniture and not content."""
    from rapidfuzz import fuzz

    stamps = [" ".join(line.split()) for line in layer_text.splitlines() if line.strip()]
    if not stamps:
        return ocr_text
    lines = ocr_text.splitlines()
    filled = [i for i, line in enumerate(lines) if line.strip()]
    # Only at the page's edges, where stamps sit: a layer line amid the text is content OCR repeats.
    edges = set(filled[:2] + filled[-2:])
    drop = {i for i in edges if any(fuzz.ratio(" ".join(lines[i].split()), s) >= 85 for s in stamps)}
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def _check_deadline(path: Path, deadline: float) -> None:
    if time.monotonic() > deadline:
        raise DocumentRejected(
            str(path), f"teks PDF tidak selesai dibaca dalam {MAX_PDF_SECONDS:.0f} detik; berkas terlalu berat"
        )


def _positioned_pages(path: Path, deadline: float) -> tuple[list[str] | None, list[int]]:
    """Page text from character positions (ingest/pdf_text.py); None when pdfplumber cannot open
    the file, so the caller falls back to pypdf's text."""
    import pdfplumber

    from .pdf_text import page_text

    try:
        pdf = pdfplumber.open(str(path), password="")
    except Exception:  # noqa: BLE001 - pdfminer's errors on files pypdf could open
        return None, []
    pages, needs_ocr = [], []
    try:
        for number, page in enumerate(pdf.pages, 1):
            _check_deadline(path, deadline)
            result = page_text(page)
            pages.append(result.text)
            if result.needs_ocr:
                needs_ocr.append(number)
            page.flush_cache()
    except DocumentRejected:
        raise
    except Exception:  # noqa: BLE001 - a page pdfminer cannot lay out
        return None, []
    finally:
        pdf.close()
    return pages, needs_ocr


_PDF_BOMB = "isi PDF mengembang terlalu besar setelah didekompresi (kemungkinan bom PDF)"


def _check_pdf_content_size(path: Path, reader) -> None:
    """Rejects a PDF whose page content streams inflate far beyond any real document's before
    text extraction parses them (a few KB of zeros can stand for gigabytes, and one stream can be
    the content of every page). Each stream is decoded once; every page that uses it counts it."""
    sizes: dict = {}
    total = 0
    for number, page in enumerate(reader.pages, 1):
        contents = page.get("/Contents")
        if contents is None:
            continue
        resolved = contents.get_object()
        page_bytes = 0
        for ref in (list(resolved) if isinstance(resolved, list) else [contents]):
            key = getattr(ref, "idnum", None) or id(ref)
            if key not in sizes:
                sizes[key] = len(ref.get_object().get_data())
            page_bytes += sizes[key]
        total += page_bytes
        if page_bytes > MAX_PDF_PAGE_CONTENT_BYTES or total > MAX_PDF_CONTENT_BYTES:
            raise DocumentRejected(
                str(path),
                f"{_PDF_BOMB}: isi halaman {number} dst. {total / 2**20:.0f} MB "
                f"(batas {MAX_PDF_PAGE_CONTENT_BYTES // 2**20} MB per halaman, {MAX_PDF_CONTENT_BYTES // 2**20} MB per dokumen)",
            )


def _decrypt_with_empty_password(reader) -> bool:
    # Many official PDFs carry only an owner password (printing/copy restrictions): they open
    # with an empty user password.
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - unsupported cipher or damaged encryption dictionary
        return False


# --- DOCX --------------------------------------------------------------------------------------


@register(".docx")
def load_docx(path: Path, options: LoadOptions | None = None) -> _Content:
    _check_zip_is_safe(path)
    import docx
    from docx.table import Table

    from .docx_text import Numbering, paragraph_text, table_blocks

    try:
        document = docx.Document(str(path))
        numbering = Numbering(document)
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks.extend(table_blocks(item, numbering))
            else:
                blocks.append(paragraph_text(item, numbering))
    except Exception as exc:  # noqa: BLE001 - python-docx/lxml/zipfile errors on damaged files
        raise DocumentRejected(str(path), "berkas DOCX rusak atau tidak dapat dibaca", cause=repr(exc)) from None
    # Word paragraphs are real paragraphs, not wrapped lines: a blank line keeps them apart.
    return _Content(pages=["\n\n".join(b.strip() for b in blocks if b.strip())])


def _check_zip_is_safe(path: Path) -> None:
    """Rejects archives that would expand to absurd sizes, before python-docx inflates them."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentRejected(str(path), "berkas DOCX rusak (bukan arsip ZIP yang sah)", cause=repr(exc)) from None
    total = sum(info.file_size for info in infos)
    if total > MAX_DOCX_UNCOMPRESSED_BYTES:
        raise DocumentRejected(
            str(path),
            f"isi DOCX terlalu besar setelah diekstrak ({total / 2**20:.0f} MB; "
            f"batas {MAX_DOCX_UNCOMPRESSED_BYTES // 2**20} MB)",
        )
    for info in infos:
        if info.file_size >= _RATIO_CHECK_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_DOCX_COMPRESSION_RATIO:
                raise DocumentRejected(
                    str(path),
                    f"rasio kompresi DOCX tidak wajar ({ratio:.0f}:1 pada {info.filename}); kemungkinan bom ZIP",
                )


# --- HTML --------------------------------------------------------------------------------------

_DROPPED_TAGS = ("script", "style", "nav", "noscript", "template", "head")
_BLOCK_TAGS = (
    "p", "div", "section", "article", "main", "header", "footer", "aside", "h1", "h2", "h3", "h4",
    "h5", "h6", "li", "ul", "ol", "table", "tr", "td", "th", "blockquote", "pre", "dd", "dt",
    "dl", "figure", "figcaption", "address", "center", "body",
)


@register(".html", ".htm")
def load_html(path: Path, options: LoadOptions | None = None) -> _Content:
    from bs4 import BeautifulSoup, NavigableString

    raw = _read_bytes(path)
    try:
        soup = BeautifulSoup(raw, "html.parser")
    except Exception as exc:  # noqa: BLE001 - the parser is lenient; this is a last resort
        raise DocumentRejected(str(path), "berkas HTML tidak dapat dibaca", cause=repr(exc)) from None
    for tag in soup(_DROPPED_TAGS):
        tag.decompose()
    # Source newlines inside a paragraph are formatting, not line breaks. (Only plain text nodes:
    # comments and the doctype are not text and get_text skips them as long as they keep their type.)
    for string in soup.find_all(string=True):
        if type(string) is NavigableString and string.find_parent("pre") is None:
            string.replace_with(NavigableString(re.sub(r"\s+", " ", str(string))))
    # One line per block element: inline markup (<b>Pasal 4</b> in a sentence) must not break a
    # line, or a reference would look like a heading to the structure parser.
    for br in soup("br"):
        br.replace_with(NavigableString("\n"))
    for block in soup(_BLOCK_TAGS):
        block.insert_before(NavigableString("\n\n"))
        block.insert_after(NavigableString("\n\n"))
    text = soup.get_text()
    lines = [re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in text.split("\n")]
    return _Content(pages=[re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()])


SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(sorted(_LOADERS))
