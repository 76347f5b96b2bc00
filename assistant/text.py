"""Indonesian text normalisation and the tokens BM25 sees (indexing and querying alike)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

# Bump when `tokens` changes: indexes built with another version are re-tokenized on ingest.
TOKENIZER_VERSION = 4

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


# Chat spellings staff type, mapped to the standard word (applied to questions and passages alike).
SLANG = {
    "yg": "yang", "brp": "berapa", "brapa": "berapa", "gak": "tidak", "ga": "tidak", "nggak": "tidak",
    "enggak": "tidak", "gk": "tidak", "tdk": "tidak", "aja": "saja", "ttg": "tentang", "tntg": "tentang",
    "msh": "masih", "dipake": "dipakai", "pake": "pakai", "tetep": "tetap", "nentuin": "menentukan",
    "ngatur": "mengatur", "diatur2": "diatur", "gantiin": "menggantikan", "jab": "jabatan", "tgl": "tanggal",
    "org": "orang", "buat": "untuk", "utk": "untuk", "kalo": "kalau", "klo": "kalau", "gmn": "bagaimana",
    "gimana": "bagaimana", "dgn": "dengan", "sdh": "sudah", "udah": "sudah", "blm": "belum", "bs": "bisa",
    "krn": "karena", "thn": "tahun", "th": "tahun", "no": "nomor", "psl": "pasal", "kab": "kabupaten",
    "pemkot": "pemerintah kota", "pemda": "pemerintah daerah", "pemprov": "pemerintah provinsi",
    "ngusulin": "mengusulkan", "nyesuaiin": "menyesuaikan", "dipertahanin": "dipertahankan",
    "sm": "sama", "sy": "saya", "bgt": "sekali", "dr": "dari", "pd": "pada", "kpn": "kapan", "lg": "lagi",
    "jd": "jadi", "jdi": "jadi", "skrg": "sekarang", "bbrp": "beberapa", "ato": "atau", "tp": "tapi",
    "kl": "kalau", "trus": "terus", "trs": "terus", "dmn": "di mana", "hrs": "harus", "wkt": "waktu",
    "tukin": "tunjangan kinerja", "wawali": "wakil wali kota", "wakil walikota": "wakil wali kota",
    "bedanya": "beda", "ketuker": "tertukar", "tpp": "tambahan penghasilan pegawai",
}
# Abbreviations expanded in both questions and passages, so "JF" meets "jabatan fungsional".
ABBREVIATIONS = {
    "jf": "jabatan fungsional", "jpt": "jabatan pimpinan tinggi", "opd": "organisasi perangkat daerah",
    "asn": "aparatur sipil negara", "pns": "pegawai negeri sipil", "sotk": "susunan organisasi tata kerja",
    "pppk": "pegawai pemerintah dengan perjanjian kerja", "setda": "sekretariat daerah",
    "spbe": "sistem pemerintahan berbasis elektronik", "perwal": "peraturan wali kota",
    "perbup": "peraturan bupati", "kemendagri": "kementerian dalam negeri", "mendagri": "menteri dalam negeri",
    "ppk": "pejabat pembina kepegawaian", "uu": "undang undang", "walkot": "wali kota", "walikota": "wali kota",
}
_EXPAND = {**SLANG, **ABBREVIATIONS}


# Jakarta-style verb forms: "ditetapin" → "ditetapkan", "ngelantik" → "melantik", "ngatur" → "mengatur".
_COLLOQUIAL_IN = re.compile(r"^(di|me|mem|men|meng|ber|ter|ng|nge)([a-z]{3,})in$")
_NOT_COLLOQUIAL = frozenset({"menjalin", "terjalin", "mungkin", "dingin", "ingin", "yakin", "miskin", "kemarin",
                             "berangin", "bermain", "termain", "mengingin"})


def colloquial_to_standard(word: str) -> str:
    lower = word.lower()
    if lower in SLANG:
        return SLANG[lower]
    if lower not in _NOT_COLLOQUIAL:
        match = _COLLOQUIAL_IN.match(lower)
        if match:
            lower = f"{match.group(1)}{match.group(2)}kan"
    if lower.startswith("nge") and len(lower) > 6:
        lower = "me" + lower[3:]
    elif lower.startswith("ng") and len(lower) > 4 and lower[2] in "aiueo":
        lower = "meng" + lower[2:]
    return lower if lower != word.lower() else word


def expand(word: str) -> list[str]:
    word = colloquial_to_standard(word)
    return _EXPAND[word].split() if word in _EXPAND else word.split()


def standardize(text: str) -> str:
    """A question in standard spelling (slang replaced), for the dense model."""
    return re.sub(r"\b[\w]+\b", lambda m: colloquial_to_standard(m.group(0)), text)


def tokens(text: str) -> list[str]:
    """Stemmed tokens without a stop-word list (Sastrawi's list hurt retrieval in our probes)."""
    return [stem(x) for w in _WORD.findall(normalize(text)) for x in expand(w)]
