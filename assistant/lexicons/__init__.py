"""Word lists and word maps kept as data files, with one typed, cached loader.

Every table of words the assistant uses lives in ``assistant/lexicons/data/``:

- ``NAME.txt``: one entry a line (a word list), read with :func:`load_words`;
- ``NAME.tsv``: a header line naming the two columns, then ``key<TAB>value`` lines (a word map),
  read with :func:`load_map`.

Each file opens with ``#`` comment lines that name its source and licence (``# source: ...``,
``# licence: ...``); blank lines and further ``#`` lines are ignored. Entries are lower case,
never empty, and a key appears once (see :mod:`assistant.lexicons.schema`, which the loader runs:
a broken file raises :class:`LexiconInvalid` naming the file, the line and the fix).

:func:`lexicon_hash` is a digest of every data file (names and bytes): the BM25 tokenizer's version
is derived from it, so editing a table re-tokenizes the index on the next ingest.

Public API: ``load_words(name) -> frozenset[str]``, ``load_map(name) -> Mapping[str, str]``,
``lexicon_hash() -> str``, ``lexicon_files() -> list[Path]``, ``LexiconInvalid``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from .schema import LexiconInvalid, parse_map, parse_words

DATA_DIR = Path(__file__).parent / "data"

__all__ = ["DATA_DIR", "LexiconInvalid", "lexicon_files", "lexicon_hash", "load_map", "load_words"]


def _path(name: str, suffix: str) -> Path:
    path = DATA_DIR / f"{name}{suffix}"
    if not path.is_file():
        raise LexiconInvalid(
            f"Berkas leksikon {path.name} tidak ada di {DATA_DIR}; periksa nama tabel atau pasang ulang paket.",
            cause=f"missing lexicon {path}",
        )
    return path


@lru_cache(maxsize=None)
def load_words(name: str) -> frozenset[str]:
    """The word list ``data/NAME.txt``."""
    return parse_words(_path(name, ".txt"))


@lru_cache(maxsize=None)
def load_map(name: str) -> Mapping[str, str]:
    """The word map ``data/NAME.tsv`` (read-only)."""
    return MappingProxyType(parse_map(_path(name, ".tsv")))


def lexicon_files() -> list[Path]:
    """Every data file, in a stable order."""
    return sorted(p for p in DATA_DIR.iterdir() if p.suffix in {".txt", ".tsv"})


@lru_cache(maxsize=1)
def lexicon_hash() -> str:
    """SHA-256 over the data files' names and bytes (hex)."""
    digest = hashlib.sha256()
    for path in lexicon_files():
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
