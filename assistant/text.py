"""Indonesian text normalisation and the tokens BM25 sees (indexing and querying alike)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

# Bump when `tokens` changes: indexes built with another version are re-tokenized on ingest.
TOKENIZER_VERSION = 5

# "inget2", "tahap2nya": chat writes a reduplicated word with a 2; the base word carries the sense.
_REDUPLICATION_MARK = re.compile(r"\b([a-z]{2,})2(?=nya\b|\b)")
_WORD = re.compile(r"[0-9]+[a-z]?|[a-z]+(?:-[a-z]+)*")
_stemmer = None


def normalize(text: str) -> str:
    """NFKC, lower case, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _REDUPLICATION_MARK.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def _token_form(text: str) -> str:
    """The normalised text with "eselon IV" written "eselon 4", as both sides are tokenized."""
    return _ROMAN_AFTER.sub(lambda m: f"{m.group(1)} {_ROMAN[m.group(2)]}", normalize(text))


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
    "udh": "sudah", "sdah": "sudah", "taun": "tahun", "thun": "tahun", "lbh": "lebih", "kurg": "kurang",
    "krg": "kurang", "dpt": "dapat", "bgmn": "bagaimana", "gmna": "bagaimana", "sbg": "sebagai",
    "spt": "seperti", "kyk": "seperti", "kayak": "seperti", "kaya": "seperti", "tsb": "tersebut",
    "jg": "juga", "aj": "saja", "tau": "tahu", "sblm": "sebelum", "sebelom": "sebelum", "stlh": "setelah",
    "smp": "sampai", "sampe": "sampai", "ampe": "sampai", "blh": "boleh", "bole": "boleh", "ttp": "tetap",
    "ngga": "tidak", "engga": "tidak", "ngak": "tidak", "skr": "sekarang", "skrang": "sekarang",
    "mslh": "masalah", "msih": "masih", "emang": "memang", "emg": "memang", "bener": "benar",
    "gitu": "begitu", "gini": "begini", "apaan": "apa", "ngapain": "mengapa", "knp": "kenapa",
    "cuma": "hanya", "cuman": "hanya", "doang": "saja", "pas": "saat", "sebenernya": "sebenarnya",
    "dianggep": "dianggap", "mutusin": "memutuskan", "bikin": "membuat", "dibikin": "dibuat", "kasih": "beri",
    "dikasih": "diberi", "menuhin": "memenuhi", "nyesuain": "menyesuaikan", "mimpin": "memimpin",
    "abis": "habis", "msk": "masuk", "bag": "bagian", "bareng": "bersama", "barengan": "bersama",
    "tu": "itu", "ni": "ini", "gt": "begitu", "kerendahan": "terlalu rendah",
    "ketinggian": "terlalu tinggi", "kecepetan": "terlalu cepat", "cocok": "sesuai", "beres": "selesai", "kelar": "selesai",
    "perorangan": "individu", "perseorangan": "individu", "sendiri-sendiri": "individu",
    "ngasih": "memberi", "bilang": "menyatakan", "nyambung": "sesuai", "mangkas": "memangkas",
    "dituker": "ditukar", "tuker": "tukar", "trsbt": "tersebut", "ttd": "tanda tangan", "dlm": "dalam",
    "thd": "terhadap", "sbnrnya": "sebenarnya", "deadline": "batas waktu",
    "inget": "ingat", "sempet": "sempat", "gara2": "gara-gara", "kerjaan": "pekerjaan", "dikerjain": "dikerjakan",
}
# Roman numerals after these words are written as digits in the tokens ("eselon IV" meets "eselon 4").
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}
_ROMAN_AFTER = re.compile(r"\b(eselon|tahap|bab|golongan|jenjang|level|d|ruang)[\s-]+(i{1,3}|iv|v|vi{1,3}|ix)\b")
# Spelled-out small numbers are digits in the tokens too ("dua level" meets "2 level").
_NUMBER_WORDS = {"satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5", "enam": "6", "tujuh": "7",
                 "delapan": "8", "sembilan": "9", "sepuluh": "10"}
# Abbreviations expanded in both questions and passages, so "JF" meets "jabatan fungsional".
ABBREVIATIONS = {
    "jf": "jabatan fungsional", "jpt": "jabatan pimpinan tinggi", "opd": "organisasi perangkat daerah",
    "asn": "aparatur sipil negara", "pns": "pegawai negeri sipil", "sotk": "susunan organisasi tata kerja",
    "pppk": "pegawai pemerintah dengan perjanjian kerja", "setda": "sekretariat daerah",
    "spbe": "sistem pemerintahan berbasis elektronik", "perwal": "peraturan wali kota",
    "perbup": "peraturan bupati", "kemendagri": "kementerian dalam negeri", "mendagri": "menteri dalam negeri",
    "ppk": "pejabat pembina kepegawaian", "uu": "undang undang", "walkot": "wali kota", "walikota": "wali kota",
    "evjab": "evaluasi jabatan", "anjab": "analisis jabatan", "abk": "analisis beban kerja",
    "petjab": "peta jabatan", "jafung": "jabatan fungsional", "jabfung": "jabatan fungsional",
    "jfu": "jabatan fungsional umum", "jft": "jabatan fungsional tertentu", "ja": "jabatan administrasi",
    "kasubag": "kepala subbagian", "kasubbag": "kepala subbagian", "kabag": "kepala bagian",
    "kabid": "kepala bidang", "kadis": "kepala dinas", "sekda": "sekretaris daerah",
    "bkd": "badan kepegawaian daerah", "upt": "unit pelaksana teknis", "kemenpan": "kementerian panrb",
    "kemenpanrb": "kementerian panrb", "menpan": "menteri panrb", "menpanrb": "menteri panrb",
    "bn": "berita negara", "se": "surat edaran", "pemkab": "pemerintah kabupaten",
    "kasubid": "kepala subbidang", "kasi": "kepala seksi", "kasie": "kepala seksi", "sk": "surat keputusan",
    "kaban": "kepala badan", "sekcam": "sekretaris kecamatan", "kadin": "kepala dinas",
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
    if word in _NUMBER_WORDS:
        return [_NUMBER_WORDS[word]]
    return _EXPAND[word].split() if word in _EXPAND else word.split()


def standardize(text: str) -> str:
    """A question in standard spelling (slang replaced), for the dense model."""
    return re.sub(r"\b[\w]+\b", lambda m: colloquial_to_standard(m.group(0)), text)


def tokens(text: str) -> list[str]:
    """Stemmed tokens without a stop-word list (Sastrawi's list hurt retrieval in our probes)."""
    return [stem(x) for w in _WORD.findall(_token_form(text)) for x in expand(w)]


# How staff say it and how the texts say it. The eselon a position had and the name the regulations
# give it now ("eselon 3", "kabid" → "administrator", and back); office words for what the texts
# say ("gak ikut disetarakan" → "dikecualikan", "diundur" → "perpanjangan", "dialihkan ke JF" →
# "disetarakan").
_RELATED_TERMS = [
    (re.compile(r"\beselon\s+(?:ii|2)\b|\bkadis\b|\bkepala dinas\b", re.I), "jabatan pimpinan tinggi pratama"),
    (re.compile(r"\beselon\s+(?:iii|3)\b|\bkabid\b|\bkabag\b|\bkepala (?:bidang|bagian)\b", re.I), "administrator"),
    (re.compile(r"\beselon\s+(?:iv|4)\b|\bkasubb?ag\b|\bkasi\b|\bkepala (?:seksi|subbagian|sub bagian)\b", re.I), "pengawas"),
    (re.compile(r"\badministrator\b", re.I), "eselon III"),
    (re.compile(r"\bpengawas\b", re.I), "eselon IV"),
    (re.compile(r"\b(?:tidak|gak|ga|nggak|enggak)\s+(?:ikut|perlu|harus)\b|\bpengecualian\b|\bkecuali\b", re.I), "dikecualikan"),
    (re.compile(r"\b(?:di)?(?:undur|mundur)\w*|\bdimundurkan\b|\bditunda\b|\bmolor\b", re.I), "perpanjangan"),
    (re.compile(r"\bdialih\w*|\bdipindah\w* ke (?:jf|jabatan fungsional)|\bdijadikan (?:jf|fungsional)", re.I), "disetarakan"),
    (re.compile(r"\b(?:dipangkas|pangkas\w*|dihilangkan|dihapuskan)\b", re.I), "dihapus penyederhanaan"),
    (re.compile(r"\b(?:digabung\w*|penggabungan|merger)\b", re.I), "dilebur peleburan"),
    (re.compile(r"\btenggat\w*|\bbatas akhir\b|\bdeadline\b", re.I), "batas waktu paling lambat"),
]


def with_related_terms(question: str) -> str:
    """`question` with the texts' words for what it says (other names of the positions it
    mentions, office words) appended: for retrieval and for choosing units."""
    extra = [words for pattern, words in _RELATED_TERMS if pattern.search(question) and words.lower() not in question.lower()]
    return f"{question} ({', '.join(extra)})" if extra else question
