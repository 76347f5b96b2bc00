"""The shape every lexicon file must have, checked when it is read.

A file starts with ``#`` comment lines that include ``source:`` and ``licence:``. A word list
(``.txt``) has one entry a line; a word map (``.tsv``) has a header line of two column names and
then ``key<TAB>value`` lines. Entries are lower case and not empty; keys (and list entries) are
single tokens (letters, digits, ``-``) and appear once; map values may be several words. A phrase
map is a word map whose header comments say ``# keys: phrases``: its keys may be several words too.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import AsistenError

_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_VALUE = re.compile(r"[a-z0-9]+(?:[- ][a-z0-9]+)*")
REQUIRED_HEADERS = ("source", "licence")


class LexiconInvalid(AsistenError):
    """A lexicon data file that breaks the schema; the message names the file, the line and the fix."""

    http_status = 500


def _fail(path: Path, line: int, problem: str) -> LexiconInvalid:
    return LexiconInvalid(
        f"Berkas leksikon {path.name} baris {line}: {problem}.",
        cause=f"{path}:{line}: {problem}",
    )


def _lines(path: Path) -> list[tuple[int, str]]:
    """The content lines (number, text) after checking the header comments."""
    return _read(path)[1]


def _read(path: Path) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """The header comments (lower-case name -> value) and the content lines (number, text)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconInvalid(
            f"Berkas leksikon {path.name} tidak dapat dibaca sebagai UTF-8; simpan ulang sebagai UTF-8.",
            cause=repr(exc),
        ) from exc
    headers: dict[str, str] = {}
    content = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if not content and value.strip():
                headers.setdefault(key.strip().lower(), value.strip())
            continue
        if line.strip():
            content.append((number, line))
    for field in REQUIRED_HEADERS:
        if field not in headers:
            raise _fail(path, 1, f"komentar kepala '# {field}: ...' tidak ada; tambahkan di awal berkas")
    return headers, content


def _check_key(path: Path, number: int, key: str, seen: dict[str, int], what: str, phrase: bool = False) -> None:
    """A key (or list entry) of one word; with `phrase`, of one or more words, one space between."""
    if not key:
        raise _fail(path, number, f"{what} kosong; isi atau hapus baris ini")
    if key != key.lower():
        raise _fail(path, number, f"{what} '{key}' harus huruf kecil; tulis '{key.lower()}'")
    if phrase and not _VALUE.fullmatch(key):
        raise _fail(path, number, f"{what} '{key}' hanya boleh kata (huruf, angka, '-') dipisah satu spasi")
    if not phrase and not _KEY.fullmatch(key):
        raise _fail(path, number, f"{what} '{key}' harus satu kata (huruf, angka, '-'), tanpa spasi atau tanda baca")
    if key in seen:
        raise _fail(path, number, f"{what} '{key}' sudah ada di baris {seen[key]}; hapus salah satunya")
    seen[key] = number


def parse_words(path: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    for number, line in _lines(path):
        _check_key(path, number, line.strip(), seen, "entri")
    return frozenset(seen)


def parse_map(path: Path) -> dict[str, str]:
    headers, lines = _read(path)
    phrase_keys = headers.get("keys") == "phrases"
    if not lines:
        raise _fail(path, 1, "baris kepala kolom (mis. 'kata<TAB>baku') tidak ada")
    header_number, header = lines[0]
    if len(header.split("\t")) != 2:
        raise _fail(path, header_number, "baris kepala harus dua nama kolom dipisah TAB")
    seen: dict[str, int] = {}
    result: dict[str, str] = {}
    for number, line in lines[1:]:
        cells = line.split("\t")
        if len(cells) != 2:
            raise _fail(path, number, f"harus dua kolom dipisah TAB, ada {len(cells)}")
        key, value = cells[0].strip(), cells[1].strip()
        _check_key(path, number, key, seen, "kunci", phrase=phrase_keys)
        if not value:
            raise _fail(path, number, f"nilai untuk '{key}' kosong; isi atau hapus baris ini")
        if value != value.lower():
            raise _fail(path, number, f"nilai '{value}' harus huruf kecil")
        if not _VALUE.fullmatch(value):
            raise _fail(path, number, f"nilai '{value}' hanya boleh kata (huruf, angka, '-') dipisah satu spasi")
        result[key] = value
    return result
