"""The default composer: deterministic, extractive, every sentence with its citation.

It splits the retrieved passages into units (ayat, list items, sentences), scores each against
the question (idf-weighted overlap of stems, plus what the kind of question wants: a date for
"kapan", list items for "apa saja"), and writes the best units as the answer, each with `[n]`.
Nothing is written that is not in a passage.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..citations import body, make_citation
from ..records import ScoredChunk
from ..text import tokens
from .base import Composition, Evidence

_ITEM = re.compile(r"^(?:\(\d+[a-z]?\)|[a-z]\.|\d+\.|[-•*])\s")
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\"“])")
_DATE = re.compile(
    r"\b(?:\d{1,2}\s+)?(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember)\s+\d{4}\b"
    # a duration ("2 (dua) tahun"), but not a regulation's "Nomor 9 Tahun 2023"
    r"|\b(?:\d+|satu|dua|tiga|empat|lima|enam)\s+(?:\(\w+\)\s+)?(?:hari|minggu|bulan|tahun)\b(?!\s+(?:19|20)\d\d)"
    r"|\b\d{4}-\d{2}-\d{2}\b",
    re.I,
)
_NUMBER_WORD = r"(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|seribu)"
# A quantity: a number or number word that is not a year and does not name a regulation,
# a Pasal or an ayat ("Nomor 45", "Pasal 4", "ayat (2)").
_NUMBER = re.compile(
    r"(?<!nomor )(?<!no\. )(?<!pasal )(?<!ayat \()(?<!tahun )(?<!salah )(?<!\d)(?<![\d/])"
    r"\b(?!(?:19|20)\d\d\b)(?:\d[\d.,]*|" + _NUMBER_WORD + r"|\w+\s+(?:belas|puluh|ratus|ribu))\b",
    re.I,
)
_WHO = re.compile(r"\b(?:menteri|kepala|pejabat|wali kota|gubernur|bupati|ppk|instansi|kemendagri|kemenpan|presiden|sekretaris)\b", re.I)
_DEFINES = re.compile(r"\b(?:adalah|merupakan|yaitu|yakni|disebut|dimaksud dengan|didefinisikan)\b", re.I)
_MODAL = re.compile(r"\b(?:dapat|wajib|harus|tidak dapat|dilarang|boleh|tetap)\b", re.I)

# Words that frame a question but say nothing about its topic (compared as stems).
QUESTION_WORDS = frozenset(
    tokens(
        "apa apakah siapa kapan berapa bagaimana gimana mengapa kenapa dimana mana yang dan di ke dari itu ini "
        "untuk dengan atau saja ada tidak gak ga nggak enggak bisa boleh bolehkah dalam pada oleh sebagai adalah jadi "
        "kalau kalo mau ya dong sih kah tolong mohon jelaskan sebutkan maksud menurut tentang soal terkait "
        "aturan atur peraturan regulasi dasar hukum pasal ayat isi isinya bunyi kita kami saya aku "
        "bapak ibu pak bu min admin nih tuh deh kan lagi udah sudah belum masih harus perlu tanggal "
        "permenpan permenpanrb panrb kepmenpan permen kepmen rb nomor dulu sekarang kini"
    )
)


@dataclass
class _Unit:
    hit_index: int
    text: str
    score: float
    line: int
    own: float = 0.0  # share of the question's own topic weight (not the borrowed context) it holds


class ExtractiveComposer:
    name = "extractive"
    max_citations = 3

    def compose(self, evidence: Evidence) -> Composition:
        picked = self._pick(evidence)
        if not picked:
            return Composition(answer="", citations=[], refusal=_missing(evidence.kind))
        by_hit: dict[int, list[_Unit]] = {}
        for unit in picked:
            by_hit.setdefault(unit.hit_index, []).append(unit)
        citations, sentences = [], []
        for n, (index, units) in enumerate(by_hit.items(), 1):
            units.sort(key=lambda u: u.line)
            hit = evidence.hits[index]
            citation = make_citation(n, hit, evidence.documents, [u.text for u in units])
            citations.append(citation)
            lead = f"Menurut {citation.label}:" if n == 1 else f"Selain itu, {citation.label} menyebutkan:"
            sentences.append(lead + " " + _join(units, n))
        return Composition(answer="\n\n".join(sentences), citations=citations)

    def stream(self, evidence: Evidence) -> Iterator[str | Composition]:
        composition = self.compose(evidence)
        for piece in re.findall(r"\S+\s*", composition.answer):
            yield piece
        yield composition

    # ---- selection ----------------------------------------------------------------------
    def _pick(self, evidence: Evidence) -> list[_Unit]:
        weights = _query_weights(evidence)
        frame = FRAME_WORDS.get(evidence.kind, frozenset())
        own = {t: evidence.idf(t) for t in tokens(evidence.question) if t not in QUESTION_WORDS and t not in frame}
        own_total = sum(own.values())
        if evidence.kind == "ihwal" and evidence.named_docs and not any(h.exact for h in evidence.hits):
            about = self._about(evidence)
            if about:
                return about
        every = [u for i, hit in enumerate(evidence.hits[:8]) for u in self._units(i, hit, evidence, weights)]
        for unit in every:
            stems = set(tokens(unit.text))
            # With no topic words of its own ("itu tgl brp?" about a named document) any unit qualifies.
            unit.own = sum(w for t, w in own.items() if t in stems) / own_total if own_total else 1.0
        units = [u for u in every if u.score > 0]
        if not units:
            return []
        best = max(units, key=lambda u: u.score)
        # A Pasal the question named is the answer whatever it says.
        wanted = None if any(h.exact for h in evidence.hits) else _WANTS.get(evidence.kind)
        if wanted is not None:
            # "Tanggal berapa?" / "Berapa?" need a date or a number: take the best unit that has one,
            # if it is still about the question; otherwise the corpus does not hold what was asked.
            holding = [u for u in units if wanted.search(_content(u.text)) and u.own >= 0.15 and u.score >= 0.25 * best.score]
            if holding:
                best = max(holding, key=lambda u: u.score)
            elif evidence.kind in _STRICT_WANTS or best.own < 0.5:
                return []
            else:
                wanted = None  # "kapan dianggap selesai?": a condition answers it
        chosen = [best]
        # More of the best passage: its list items, or units nearly as good.
        same = [u for u in every if u.hit_index == best.hit_index and u is not best]
        if evidence.kind == "daftar" or best.text.rstrip().endswith(":"):
            chosen += _following_items(same, best)
        chosen += [u for u in same if u not in chosen and u.score >= 0.75 * best.score][:2]
        # A second passage only when it answers nearly as well and adds another provision.
        others = sorted((u for u in units if u.hit_index != best.hit_index), key=lambda u: -u.score)
        used_hits = {best.hit_index}
        for unit in others:
            if len(used_hits) >= self.max_citations:
                break
            if unit.hit_index in used_hits or unit.score < 0.8 * best.score:
                continue
            if wanted is not None and not wanted.search(_content(unit.text)):
                continue
            focus = evidence.named_docs or evidence.conversation_docs
            if focus and evidence.hits[unit.hit_index].chunk.doc_id not in focus:
                continue  # the question (or the conversation) is about other documents
            if any(_overlap(unit.text, c.text) > 0.6 for c in chosen):
                continue
            chosen.append(unit)
            used_hits.add(unit.hit_index)
        return chosen

    def _about(self, evidence: Evidence) -> list[_Unit]:
        """'Perwal X itu tentang apa?': the named document's introduction or identity passage."""
        for index, hit in enumerate(evidence.hits):
            chunk = hit.chunk
            if chunk.doc_id not in evidence.named_docs:
                continue
            heading = (chunk.heading or "").lower()
            if chunk.bagian in ("Isi", "Pembukaan") and (not chunk.heading or "identitas" in heading or "pengantar" in heading):
                texts = _split_units(body(chunk))[:2]
                return [_Unit(index, text, 1.0, line) for line, text in enumerate(texts)]
        return []

    def _units(self, index: int, hit: ScoredChunk, evidence: Evidence, weights: dict[str, float]) -> list[_Unit]:
        prior = 1.0 / (1.0 + 0.15 * index) + (0.5 if hit.exact else 0.0)
        meta = evidence.documents.get(hit.chunk.doc_id)
        if hit.chunk.pasal and hit.chunk.bagian == "Batang Tubuh":
            # A provision with its Pasal is the better legal basis; "pasal berapa?" needs one.
            prior *= 1.5 if evidence.kind == "pasal" else 1.15
        if meta is not None and meta.jenis.lower() in SECONDARY_KINDS:
            prior *= 0.8  # a regulation's own provision is the better legal basis than a glossary entry
        out = []
        for line_no, text in enumerate(_split_units(body(hit.chunk))):
            stems = set(tokens(text))
            overlap = sum(w for t, w in weights.items() if t in stems)
            if hit.exact or (not weights and hit.chunk.doc_id in evidence.named_docs):
                # The Pasal the question named, or the document it asks about without naming a
                # topic ("itu tgl brp?"), is relevant as a whole.
                overlap = max(overlap, 0.1)
            score = overlap * prior * (1.0 + _kind_bonus(evidence, text))
            if evidence.ayat and text.startswith(f"({evidence.ayat})"):
                score *= 3.0
            if evidence.huruf and text.startswith(f"{evidence.huruf}."):
                score *= 3.0
            out.append(_Unit(index, text, score, line_no))
        return out


_CALENDAR_DATE = re.compile(
    r"\b(?:\d{1,2}\s+)?(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember)"
    r"\s+\d{4}\b|\b\d{4}-\d{2}-\d{2}\b",
    re.I,
)
# What a kind of question needs in its answer. "tanggal"/"tahun"/"nomor"/"jumlah" cannot be
# answered without one; "waktu" ("kapan", "batas waktu") may also be answered by a condition.
_WANTS = {
    "waktu": _DATE,
    "tanggal": _CALENDAR_DATE,
    "tahun": re.compile(r"\b(?:19|20)\d\d\b"),
    "jumlah": _NUMBER,
    "nomor": re.compile(r"\b(?:nomor|no\.?)\s*[\w/.]*\d|\b[A-Z]{1,4}/\d+", re.I),
}
_STRICT_WANTS = {"tanggal", "tahun", "jumlah", "nomor"}
# Words that only say what kind of answer is wanted ("batas waktunya kapan?"): not the topic.
FRAME_WORDS = {
    "waktu": frozenset(tokens("batas waktu tenggat paling lambat lama jangka sampai selesai")),
    "tanggal": frozenset(tokens("tanggal waktu")),
    "tahun": frozenset(tokens("tahun")),
    "jumlah": frozenset(tokens("jumlah banyak besar besaran")),
    "nomor": frozenset(tokens("nomor")),
}
SECONDARY_KINDS = {"glosarium", "berita"}


def _content(text: str) -> str:
    """A unit without its list marker ("2. ", "(3) ", "b. "), which is no quantity."""
    return _ITEM.sub("", text, count=1)


def _following_items(units: list[_Unit], best: _Unit) -> list[_Unit]:
    """The list items right after the best unit (its enumeration), up to the next non-item."""
    items = []
    for unit in sorted((u for u in units if u.line > best.line), key=lambda u: u.line):
        if not _ITEM.match(unit.text) or len(items) >= 12:
            break
        items.append(unit)
    return items


def _missing(kind: str) -> str:
    what = {"waktu": "tanggal atau batas waktu", "tanggal": "tanggal", "tahun": "tahun", "jumlah": "angka atau jumlah",
            "nomor": "nomor"}.get(kind, "jawaban")
    return (
        f"Korpus memuat ketentuan yang berkaitan, tetapi tidak menyebutkan {what} yang Anda tanyakan, "
        "jadi saya tidak akan menebak. Periksa teks resmi peraturannya (JDIH) atau tanyakan kepada instansi pembina."
    )


def _query_weights(evidence: Evidence) -> dict[str, float]:
    weights: dict[str, float] = {}
    for token in tokens(evidence.context):
        if token not in QUESTION_WORDS:
            weights[token] = max(weights.get(token, 0.0), 0.5 * evidence.idf(token))
    for token in tokens(evidence.question):
        if token not in QUESTION_WORDS:
            weights[token] = max(weights.get(token, 0.0), evidence.idf(token))
    return weights


def _split_units(text: str) -> list[str]:
    units: list[str] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if _ITEM.match(line) or len(line) < 240:
            units.append(line)
        else:
            units.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return units


_DEADLINE = re.compile(r"\b(?:paling lambat|paling lama|selambat-lambatnya|batas waktu|tenggat|sampai dengan|hingga)\b", re.I)
_ENUMERATES = re.compile(r"\b(?:terdiri atas|terdiri dari|meliputi|yaitu|yakni|mencakup|sebagai berikut|antara lain)\b|:\s*$", re.I)


def _kind_bonus(evidence: Evidence, text: str) -> float:
    kind = evidence.kind
    if kind == "waktu":  # a deadline question: a date, best one stated as a deadline
        return (0.6 if _DATE.search(text) else 0.0) + (0.4 if _DEADLINE.search(text) else 0.0)
    if kind == "tanggal":
        return 0.6 if _DATE.search(text) else 0.0
    if kind == "jumlah":
        return 0.4 if _NUMBER.search(text) else 0.0
    if kind == "siapa":
        return 0.3 if _WHO.search(text) else 0.0
    if kind == "definisi":
        return _defines_topic(evidence, text)
    if kind == "daftar":
        # An explicit enumeration ("terdiri atas a, b, dan c") is the answer to "apa saja?";
        # a sentence that merely has commas is not.
        if _ENUMERATES.search(text) and text.count(",") >= 1:
            return 1.0
        if _ITEM.match(text) or _ENUMERATES.search(text):
            return 0.6
        return 0.2 if text.count(",") >= 2 else 0.0
    if kind == "apakah":
        return 0.2 if _MODAL.search(text) else 0.0
    return 0.0


def _defines_topic(evidence: Evidence, text: str) -> float:
    """A unit that defines the asked term ("Klerek adalah ...") beats one that merely uses it."""
    match = _DEFINES.search(text)
    if not match:
        return 0.0
    subject = set(tokens(text[: match.start()]))
    topic = {t for t in tokens(evidence.question) if t not in QUESTION_WORDS}
    return 1.0 if subject & topic else 0.3


def _overlap(a: str, b: str) -> float:
    sa, sb = set(tokens(a)), set(tokens(b))
    return len(sa & sb) / max(1, min(len(sa), len(sb)))


def _join(units: list[_Unit], n: int) -> str:
    parts = []
    for unit in units:
        text = unit.text.rstrip()
        if _ITEM.match(text) or text.endswith(":"):
            parts.append(f"\n{text} [{n}]" if parts else f"{text} [{n}]")
        else:
            if not text.endswith((".", "!", "?", ";", ":")):
                text += "."
            parts.append(f"{text} [{n}]")
    return " ".join(parts).replace(" \n", "\n")


# The kind of a question decides what its answer needs; the first pattern that matches wins.
_KINDS = [
    ("pasal", r"\bpasal\s+(berapa|apa|mana|yang mana)\b|\bdasar (hukum|aturan|peraturan)(nya)?\b"),
    ("tanggal", r"\b(tanggal|tgl)\b"),
    ("tahun", r"^(?!.*\blama\b).*(\btahun\s+berapa\b|\bberapa\s+tahun\s+(?!sejak|setelah))"),
    ("nomor", r"\bnomor\s+berapa\b|\bberapa\s+nomor(nya)?\b|\bnomornya\b"),
    ("ihwal", r"\b(perihal|hal apa|tentang apa|mengatur apa|membahas apa|mengenai apa|isinya apa|soal apa)\b"),
    ("waktu", r"\b(kapan|batas waktu|tenggat|deadline|paling lambat|paling lama|berapa lama|jangka waktu|sampai kapan)\b"),
    ("definisi", r"\b(apa itu|apa yang dimaksud|yang dimaksud|pengertian|definisi|arti(nya)?|maksudnya)\b"),
    ("daftar", r"\b(apa saja|sebutkan|jenis|macam|klasifikasi|kriteria|syarat|persyaratan|tahap(an)?|langkah|daftar"
               r"|unsur|komponen|faktor)\b"),
    ("siapa", r"\bsiapa\b"),
    ("jumlah", r"\b(berapa|jumlah|banyak)\b"),
    ("apakah", r"\b(apakah|bolehkah|bisakah|boleh|bisa|dapatkah|wajib|harus)\b"),
]
_KIND_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in _KINDS]


def question_kind(question: str) -> str:
    q = question.lower()
    return next((kind for kind, pattern in _KIND_PATTERNS if pattern.search(q)), "umum")
