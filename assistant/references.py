"""Explicit references in a question — "Pasal 4 Permenpan RB 45/2022", "UU ASN", "SE 060/328" —
resolved against the document catalogue, across the spellings staff use.

The aliases are derived from each document's metadata (jenis, nomor, tahun, judul), so a
regulation a user adds is recognised without code changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicons.language import root_words
from .records import DocumentMeta
from .text import is_indonesian_word, stem

# Words staff use for a kind of instrument, mapped to a family that a document's `jenis` names.
_FAMILIES = {
    "permendagri": ("peraturan menteri dalam negeri",),
    "kepmendagri": ("keputusan menteri dalam negeri",),
    "permen": ("peraturan menteri",),
    "kepmen": ("keputusan menteri",),
    "uu": ("undang-undang", "undang undang"),
    "pp": ("peraturan pemerintah",),
    "perpres": ("peraturan presiden",),
    "perwal": ("peraturan wali kota", "peraturan walikota"),
    "perbup": ("peraturan bupati",),
    "perda": ("peraturan daerah",),
    "se": ("surat edaran",),
    "surat": ("surat menteri", "surat mendagri"),
}
_FAMILY_WORDS = [
    (r"permendagri|peraturan\s+menteri\s+dalam\s+negeri", "permendagri"),
    (r"kepmendagri|keputusan\s+menteri\s+dalam\s+negeri", "kepmendagri"),
    (r"permen\s*-?\s*pan\s*-?\s*(?:dan\s*)?-?\s*rb|permenpan(?:\s*-?\s*rb)?|permen|peraturan\s+menteri(?:\s+pan\s*-?\s*rb|\s+pendayagunaan[a-z\s]*?birokrasi)?", "permen"),
    (r"kepmen\s*-?\s*pan\s*-?\s*rb|kepmenpan(?:\s*-?\s*rb)?|kepmen|keputusan\s+menteri(?:\s+pan\s*-?\s*rb)?", "kepmen"),
    (r"undang[\s-]*undang|uu", "uu"),
    (r"perwal|perwali|peraturan\s+wali\s*kota", "perwal"),
    (r"perbup|peraturan\s+bupati", "perbup"),
    (r"perda|peraturan\s+daerah", "perda"),
    (r"perpres|peraturan\s+presiden", "perpres"),
    (r"pp|peraturan\s+pemerintah", "pp"),
    (r"surat\s+edaran|se", "se"),
    (r"surat\s+(?:menteri\s+dalam\s+negeri|mendagri)|surat", "surat"),
    # Any other instrument kind ("pergub", "permenkes", "perka bkn"): named, but not one we hold.
    (r"(?:per|kep)(?!aturan\b|angkat\b|nah\b|lu\b|tama\b)[a-z]{2,}", "lain"),
]
_FAMILY_RE = "|".join(f"(?P<f{i}>{pattern})" for i, (pattern, _) in enumerate(_FAMILY_WORDS))
# "Perwal Cilegon 9/2023", "Perbup Kab. Bogor 65/2023": a place between the kind and the number.
_PLACE = r"(?:(?:kota|kabupaten|kab\.?|provinsi)\s+)?(?:(?!no\b|nomor\b|tahun\b|pasal\b)[a-z]+\s+){0,2}"
_NUMBER = r"(?P<nomor>\d+(?:/[\w.]+)*)"
_YEAR = r"(?P<tahun>(?:19|20)\d\d)"
# "45/2022", "nomor 45 tahun 2022", "no. 45 th 2022", "45 thn 2022", "060/328/org/2023"
_NUM_YEAR = re.compile(
    # "permenpan 25 2021": a space alone separates number and year only after an instrument's name
    rf"(?:\b(?P<family>{_FAMILY_RE})\b\s*{_PLACE}?)?(?:no(?:mor)?\.?\s*)?{_NUMBER}?\s*(?:/|\btahun\b|\bthn?\b\.?|\bth\.|(?(family)(?<=\d\s)|(?!)))\s*{_YEAR}\b"
)
# "pasal2 mana aja" is chat's reduplication ("pasal-pasal", see text._REDUPLICATION_MARK), not Pasal 2.
_PASAL = re.compile(r"\b(?:pasal|psl|ps)(?:\.\s*|\s+|(?!2(?:nya)?\b))(?P<pasal>\d+[a-z]?)\b")
_YEAR_ONLY = re.compile(r"(?:19|20)\d\d")
_NUMBER_AND_YEAR = re.compile(r"(\d+)/((?:19|20)\d\d)")
_NUMBER_MARK = re.compile(r"\b(?:no|nomor)\b\.?", re.I)
_HURUF = re.compile(r"\bhuruf\s+(?P<huruf>[a-z])\b")
_AYAT = re.compile(r"\bayat\s*\(?(?P<ayat>\d+)\)?")
_BARE_NUMBER = re.compile(rf"\b(?P<family>{_FAMILY_RE})\b\s*{_PLACE}(?:no(?:mor)?\.?\s*)?(?P<nomor>\d+(?:/[\w.]+)*)(?![\d/])(?!\s*(?:/|tahun|thn?\b)\s*\d)")


@dataclass
class Reference:
    doc_ids: list[str] = field(default_factory=list)
    pasal: str | None = None
    ayat: str | None = None
    huruf: str | None = None
    unresolved: str | None = None  # what the question named that no document matches
    unresolved_kind: str | None = None  # a pattern for its kind of instrument ("pp|peraturan pemerintah")
    mentions: list[str] = field(default_factory=list)  # the text spans that named them
    # regulations outside the corpus that the question names and a corpus document speaks of
    # ("Kepmen 11/2024", revoked by Kepmenpan 282/2025): doc_ids then holds that document
    outside: list[str] = field(default_factory=list)
    named_directly: bool = False  # a corpus document is named itself (not only through `outside`)

    def strip_from(self, text: str) -> str:
        """The question without the words that only name a document or Pasal (not its topic)."""
        for span in sorted(self.mentions, key=len, reverse=True):
            text = re.sub(re.escape(span), " ", text, flags=re.I)
        return re.sub(r"\s+", " ", text).strip()

    @property
    def empty(self) -> bool:
        return not (self.doc_ids or self.pasal or self.unresolved)


def _family_of(match: re.Match) -> str | None:
    for i, (_, family) in enumerate(_FAMILY_WORDS):
        if match.groupdict().get(f"f{i}"):
            return family
    return None


def _family_pattern(family: str | None, match: re.Match) -> str | None:
    if family == "lain":
        return re.escape(match.group("family"))
    for pattern, name in _FAMILY_WORDS:
        if name == family:
            return pattern
    return None


def _doc_family(meta: DocumentMeta) -> str | None:
    jenis = meta.jenis.lower()
    for family, names in _FAMILIES.items():
        if any(jenis.startswith(name) for name in names):
            return family
    return None


def _acronym(title: str) -> str:
    words = [w for w in re.findall(r"[a-z]+", title.lower()) if w not in {"dan", "di", "ke", "dalam", "pada", "untuk", "tentang"}]
    return "".join(w[0] for w in words)


# A kind of instrument named alone, "permenpannya", "perwal-nya", "UU-nya": the one of that kind
# spoken of before.
_FAMILY_NAMED = re.compile(rf"\b(?:{_FAMILY_RE})(?:-?nya)?\b")


_DERIVED_NOUN = re.compile(r"\b(?:per|ke)[a-z]{2,}an\b")
# The derived nouns that do name instruments ("Peraturan Bupati ...", "Keputusan Nomor ...").
_INSTRUMENT_NOUNS = frozenset({"peraturan", "keputusan"})


def _without_derived_nouns(text: str) -> str:
    """`text` with the nouns the grammar derives by the confix per-/ke-...-an from a root
    ("perubahan" from "ubah", "pertimbangan", "kepegawaian") blanked out, same length: they open
    like an instrument's kind ("perkaban", "pergub") but name none."""
    def blank(match: re.Match) -> str:
        word = match.group(0)
        if word in _INSTRUMENT_NOUNS or not (is_indonesian_word(word) and stem(word) in root_words()):
            return word
        return " " * len(word)
    return _DERIVED_NOUN.sub(blank, text)


def families_named(text: str) -> list[str]:
    """The kinds of instrument a text names (families of `_FAMILY_WORDS`, not "lain")."""
    found = (_family_of(m) for m in _FAMILY_NAMED.finditer(text.lower()))
    return list(dict.fromkeys(f for f in found if f and f != "lain"))


def without_families(text: str) -> str:
    """`text` without the words that name a kind of instrument ("SE-nya masih berlaku?")."""
    # only the kinds we know: the catch-all "per..."/"kep..." would take "perubahan", "kepala"
    return _FAMILY_NAMED.sub(lambda m: " " if _family_of(m) not in (None, "lain") else m.group(0), text.lower())


class ReferenceResolver:
    """Finds documents and Pasal a question names explicitly."""

    def __init__(self, documents: dict[str, DocumentMeta]):
        self.documents = documents
        self.aliases: dict[str, str] = {}
        for doc_id, meta in documents.items():
            family = _doc_family(meta)
            if family in ("uu", "pp", "perpres") and meta.judul:
                # "UU ASN": the family word plus the acronym of the title.
                self.aliases[f"{family} {_acronym(meta.judul)}"] = doc_id
        # Documents outside the corpus that a corpus document names (what it revoked, say):
        # a question about them is answered by the document that names them.
        self.external: dict[tuple[str, int], list[str]] = {}
        for doc_id, meta in documents.items():
            for relation in ("mencabut", "mengubah", "dicabut_oleh", "diubah_oleh"):
                for other in getattr(meta, relation):
                    match = re.search(r"-(\d+)-((?:19|20)\d\d)$", other)
                    if other not in documents and match:
                        self.external.setdefault((match.group(1), int(match.group(2))), []).append(doc_id)
        # Documents by the first part of their number ("060" of "060/328/org/2023"): a lookup reads
        # only the few that can match, not every document (6 ms an answer at 16,000 documents).
        self.by_number: dict[str, list[str]] = {}
        for doc_id, meta in documents.items():
            if meta.nomor:
                self.by_number.setdefault(meta.nomor.lower().split("/", 1)[0], []).append(doc_id)

    def of_families(self, doc_ids: list[str], families: list[str]) -> list[str]:
        """`doc_ids` with the documents of the named kinds of instrument first (order kept)."""
        if not families:
            return doc_ids
        wanted = set(families)
        first = [d for d in doc_ids if d in self.documents and _doc_family(self.documents[d]) in wanted]
        return first + [d for d in doc_ids if d not in first]

    def resolve(self, question: str) -> Reference:
        text = question.lower()
        ref = Reference()
        pasal = _PASAL.search(text)
        if pasal:
            ref.pasal = pasal.group("pasal")
            ref.mentions.append(pasal.group(0))
            ayat = _AYAT.search(text, pasal.end())
            if ayat:
                ref.ayat = ayat.group("ayat")
                ref.mentions.append(ayat.group(0))
        huruf = _HURUF.search(text)
        if huruf:
            ref.huruf = huruf.group("huruf")
            ref.mentions.append(huruf.group(0))
        # "perubahan di Permenpan 6/2022": the catch-all kind "per..." must not take the noun
        numbered = _without_derived_nouns(text)
        bare = list(_BARE_NUMBER.finditer(numbered))
        for match in list(_NUM_YEAR.finditer(numbered)) + bare:
            family = _family_of(match) if match.group("family") else None
            if family == "lain" and match.group("family").lower() in root_words():
                continue  # "peran pejabat level 2", "kepala ... 2": a word of the language, no instrument
            nomor = match.groupdict().get("nomor")
            tahun = match.groupdict().get("tahun")
            if not nomor:
                continue
            if match in bare and _YEAR_ONLY.fullmatch(nomor) and not _NUMBER_MARK.search(match.group(0)):
                continue  # "perombakan SOTK 2021", "perwal 2023": a year, not an instrument's number
            if ref.pasal and nomor == ref.pasal and not tahun and not family:
                continue
            mention = match.group(0)
            inner = _NUMBER_AND_YEAR.fullmatch(nomor)
            if tahun and inner and not self._lookup(family, nomor, int(tahun)):
                # "PP 18/2016 thn 2017": the regulation is 18/2016; "thn 2017" dates something else
                nomor, tahun = inner.group(1), inner.group(2)
                mention = text[match.start():match.end("nomor")]
            found = self._lookup(family, nomor, int(tahun) if tahun else None)
            ref.named_directly = ref.named_directly or bool(found)
            if not found and tahun and family != "lain":
                found = self.external.get((nomor, int(tahun)), [])
                if found:
                    ref.outside.append(mention.strip())
            if found:
                ref.doc_ids.extend(d for d in found if d not in ref.doc_ids)
                ref.mentions.append(mention)
            elif (family and tahun) or family == "lain":
                ref.unresolved = match.group(0).strip()
                ref.unresolved_kind = _family_pattern(family, match)
        for alias, doc_id in self.aliases.items():
            # "UU ASN", "UU ASN 2023", "UU ASN tahun 2014" (the older law of the same name)
            match = re.search(rf"\b{re.escape(alias)}\b(?:\s+(?:tahun\s+|thn?\.?\s*)?(?P<tahun>(?:19|20)\d\d)\b)?", text)
            if not match:
                continue
            ref.mentions.append(match.group(0))
            target = [doc_id]
            tahun = match.group("tahun")
            if tahun and self.documents[doc_id].tahun != int(tahun):
                # Not this law but an earlier one of the same name: answered by the law that names it.
                target = self._naming(doc_id, int(tahun))
                if not target:
                    ref.unresolved, ref.unresolved_kind = match.group(0), re.escape(alias.split()[0])
            ref.named_directly = ref.named_directly or target == [doc_id]
            ref.doc_ids.extend(d for d in target if d not in ref.doc_ids)
        return ref

    def _naming(self, doc_id: str, tahun: int) -> list[str]:
        """[doc_id] when it names (revokes, amends, ...) a regulation of its family from `tahun`."""
        meta = self.documents[doc_id]
        prefix = meta.doc_id.split("-")[0]
        related = [*meta.mencabut, *meta.mengubah, *meta.dicabut_oleh, *meta.diubah_oleh]
        return [doc_id] if any(r.startswith(prefix + "-") and r.endswith(f"-{tahun}") for r in related) else []

    def _lookup(self, family: str | None, nomor: str, tahun: int | None) -> list[str]:
        matches = []
        for doc_id in self.by_number.get(nomor.split("/", 1)[0], ()):
            meta = self.documents[doc_id]
            doc_nomor = meta.nomor.lower()
            # "060/328" names "060/328/org/2023": a prefix of the full number is enough.
            same_number = doc_nomor == nomor or doc_nomor.startswith(nomor + "/")
            if not same_number:
                continue
            if tahun is not None and meta.tahun != tahun:
                continue
            if family is not None and _doc_family(meta) not in (family, None):
                continue
            if tahun is None and family is None:
                continue  # a bare number is too weak a signal
            matches.append(doc_id)
        return matches


# A region named by its government or its local regulation: "kota Serang", "pemkab Bogor",
# "perbup Tulungagung". The word after it is a place unless it is one of these.
_REGION = re.compile(  # a lookahead, so "perwal kota serang" yields "kota" and "serang"
    r"(?=\b(?:kota|kabupaten|kab|pemkot|pemkab|pemprov|provinsi|prov|perwal|perwali|perbup|perda|perkada|"
    r"walikota|wali\s+kota|bupati|gubernur|pemerintah\s+(?:kota|kabupaten|provinsi))\.?\s+(?P<place>[a-z]{3,})\b)"
)
_NOT_A_PLACE = frozenset(
    "kita kami saya ini itu yang tersebut setempat lain lainnya masing induk tentang ttg soal nomor tahun thn "
    "dan atau di ke dari se sebagai juga mana apa baru lama sudah udah udh telah belum blm masih punya sendiri "
    "dengan untuk buat mengatur ngatur menetapkan tiap setiap sana sini madya besar kecil administrasi "
    "provinsi kabupaten kota daerah pusat".split()
)


# A verb with a confix ("di-...-kan", "me-...-i", "ter-...-kan", "per-...-kan"): "UPT dinas daerah
# provinsi diklasifikasikan ..." names no place; a toponym is not built that way.
_VERB_CONFIX = re.compile(r"^(?:di|me|mem|men|meng|meny|ter|per|diper|memper)[a-z]{2,}(?:kan|i)$")


def named_places(question: str) -> list[str]:
    """The regions a question names ("Serang" in "kota serang udh punya perwal ...")."""
    return [m.group("place") for m in _REGION.finditer(question.lower())
            if m.group("place") not in _NOT_A_PLACE and not _is_confixed_verb(m.group("place"))
            and not _is_prefixed_verb(m.group("place"))]


# The verbal prefixes and the root's first letter each drops (meN- nasalises k-, p-, s-, t-:
# "menetapkan" is men- + "tetap").
_PREFIXES = (("meng", "k"), ("meny", "s"), ("mem", "p"), ("men", "t"), ("meng", ""), ("mem", ""), ("men", ""),
             ("me", ""), ("di", ""), ("ter", ""))


def _is_prefixed_verb(word: str) -> bool:
    """A verb made of a prefix and an Indonesian root as the grammar builds it ("provinsi mengundang
    kami": meng- + "undang"; "dikirim"): the word after "provinsi" is then no toponym."""
    root = stem(word)
    if root == word or len(root) < 3 or not is_indonesian_word(word):
        return False
    return any(word.startswith(prefix) and dropped + word[len(prefix):] == root for prefix, dropped in _PREFIXES)


def _is_confixed_verb(word: str) -> bool:
    """A confixed verb form of an Indonesian root ("diklasifikasikan" → "klasifikasi")."""
    return bool(_VERB_CONFIX.match(word)) and stem(word) != word and is_indonesian_word(word)
