"""Indonesian text normalisation and the tokens BM25 sees (indexing and querying alike)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_WORD = re.compile(r"[0-9]+[a-z]?|[a-z]+(?:-[a-z]+)*")
_stemmer = None


def normalize(text: str) -> str:
    """NFKC, lower case, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\s+", " ", text).strip()


def _get_stemmer():
    global _stemmer
    if _stemmer is None:
        _stemmer = StemmerFactory().create_stemmer()
    return _stemmer


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    # Numbers and number+letter (5a) are kept as they are: they name Pasal, years, deadlines.
    if word[0].isdigit():
        return word
    # Reduplicated words (jabatan-jabatan) stem to their base; other hyphenated words stay joined.
    parts = word.split("-")
    if len(parts) == 2 and parts[0] == parts[1]:
        word = parts[0]
    return _get_stemmer().stem(word) or word


def tokens(text: str) -> list[str]:
    """Stemmed tokens without a stop-word list (Sastrawi's list hurt retrieval in our probes)."""
    return [stem(w) for w in _WORD.findall(normalize(text))]
