"""What counts as an Indonesian word, and the colloquial lexicon, from kept sources.

- Root words: Sastrawi's dictionary (``Sastrawi/Stemmer/data/kata-dasar.txt``, ~29,900 roots);
  an affixed form is a word when Sastrawi's stemmer brings it back to a root ("berada" → "ada").
- Function words: Sastrawi's stop-word list (``Sastrawi/StopWordRemover``), see `function_words`.
- Chat spellings: the Kamus Alay colloquial lexicon as shipped by the ``indoNLP`` package
  (``indoNLP.preprocessing.slang_data.SLANG_DATA``, ~4,300 entries, MIT), then the project's
  reviewed additions and overrides (``data/chat_slang.tsv``, ``data/domain_chat.tsv``).

Kamus Alay lists the spellings people type, and some of them are also standard words with another
sense ("kasi" is a kepala seksi, not "kasih"; "kaya" is rich). A Kamus Alay entry whose key is an
Indonesian root word is therefore not applied unless the project's own files list it: a valid word
is never rewritten on a guess.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from types import MappingProxyType

import Sastrawi
from indoNLP.preprocessing.slang_data import SLANG_DATA

from . import load_map
from .schema import LexiconInvalid

ROOT_WORDS_FILE = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"


@lru_cache(maxsize=1)
def root_words() -> frozenset[str]:
    """Sastrawi's Indonesian root words (lower case)."""
    try:
        text = ROOT_WORDS_FILE.read_text("utf-8")
    except OSError as exc:  # a broken install, not a user error: say which package to reinstall
        raise LexiconInvalid(
            f"Kamus kata dasar Sastrawi tidak ditemukan ({ROOT_WORDS_FILE}); pasang ulang paket PySastrawi.",
            cause=repr(exc),
        ) from exc
    return frozenset(w.strip().lower() for w in text.split() if w.strip())


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """Sastrawi's Indonesian stop-word list (conjunctions, prepositions, pronouns, particles, and
    some common verbs and nouns, lower case). Too broad to drop from a question whose words the
    corpus uses ("kerja", "naik"), but a word of this list the corpus never uses ("walaupun") is
    no topic the corpus could be asked to hold."""
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(w.lower() for w in StopWordRemoverFactory().get_stop_words())


@lru_cache(maxsize=1)
def colloquial_lexicon() -> Mapping[str, str]:
    """Chat spelling → standard spelling: Kamus Alay (without keys that are root words), then the
    project's additions and overrides, which win."""
    roots = root_words()
    table = {
        key: value
        for key, value in SLANG_DATA.items()
        if key.isalpha() and key != value and key not in roots and value.replace(" ", "").replace("-", "").isalpha()
    }
    table.update(load_map("chat_slang"))
    table.update(load_map("domain_chat"))
    return MappingProxyType(table)


def source_fingerprint() -> str:
    """A digest of the external lexicons' versions and bytes (for the tokenizer's version)."""
    digest = hashlib.sha256()
    digest.update(metadata.version("indoNLP").encode())
    digest.update(ROOT_WORDS_FILE.read_bytes())
    return digest.hexdigest()
