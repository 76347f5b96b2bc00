"""What kind of answer a question asks for, and how a message splits into the questions it asks.

The kind decides what an answer needs (a date, a number, a list, who, a definition, ...); the
frame words of a kind ("batas waktu" for a deadline) say what is asked, not what it is about.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..lexicons import load_map, load_words
from ..text import standardize, tokens

# Words that frame a question but say nothing about its topic (compared as stems).
QUESTION_WORDS = frozenset(tokens(" ".join(sorted(load_words("question_frame_words")))))
# Words that only say what kind of answer is wanted ("batas waktunya kapan?"): not the topic.
FRAME_WORDS = {kind: frozenset(tokens(words)) for kind, words in load_map("question_frame_by_kind").items()}
ALL_FRAME_WORDS = frozenset().union(*FRAME_WORDS.values())


# The kind of a question decides what its answer needs; the first pattern that matches wins.
_KINDS = [
    # "ayat berapa?" asks which provision, as "pasal berapa?" does (not a count)
    # "... masih dapat digunakan sebagai dasar hukum?" asks whether it still stands, not which basis
    ("pasal", r"\b(?:pasal|ayat)\s+(berapa|apa|mana|yang mana)\b|(?<!sebagai )\bdasar (hukum|aturan|peraturan)(nya)?\b"),
    # "kapan ... ditetapkan?" within one question: in "mulai berlaku kapan? sejak diundangkan?" the
    # second question offers a condition, it does not ask for the date of enactment
    ("tanggal", r"\b(tanggal|tgl)\b|\bkapan\b[^?]*\b(?:ditetapkan|diundangkan|ditandatangani|disahkan|diterbitkan)"
                r"|\b(?:ditetapkan|diundangkan|ditandatangani|disahkan|diterbitkan)\w*\s+(?:pada\s+)?kapan\b"),
    ("nomor", r"\bnomor\b.*\bberapa\b|\bberapa\s+nomor(nya)?\b|\bnomornya\b"),
    # "tahun berapa?" asks which year; "berapa tahun?" how many years (a number, see "jumlah")
    ("tahun", r"^(?!.*\b(?:lama|usia|umur|masa)\b).*\btahun\s+berapa\b"),
    ("ihwal", r"\b(perihal(?:nya)?|hal apa|tentang apa|mengatur apa|membahas apa|mengenai apa|isinya apa|soal apa|judul(nya)?)\b"),
    # "batas waktunya?": the frame noun with its possessive
    ("waktu", r"\b(kapan|(?:batas waktu|tenggat|deadline|jangka waktu)(?:nya)?|paling lambat|paling lama|berapa lama"
              r"|sampai kapan)\b"),
    ("status", r"\bmasih\s+(?:(?:bisa|dapat|boleh)\s+)?(?:berlaku|dipakai|digunakan|dipake|dicantumkan|sah|relevan)\b"
               r"|\b(?:sudah|udah|telah)\s+(?:dicabut|diganti|tidak berlaku)\b|\bstatus(?:nya)?\b"),
    ("definisi", r"\b(apa itu|apa yang dimaksud|yang dimaksud|pengertian|definisi|arti(nya)?|maksudnya|singkatan|kepanjangan(nya)?|kependekan"
                 r"|mengapakan|ngapain|(?:pe)?kerjaannya|tugasnya (?:apa|apa saja))\b"
                 r"|\b(?:itu|tuh|tu)\s+(?:apa|apaan)(?!\s+(?:saja|aja|sj|yang|yg))\b"),
    ("daftar", r"\b(?:opd|dinas|badan|jabatan|instansi|unit|perda|aturan|daerah|eselon|jenjang|tim)\s+mana\b"
               r"|\b(apa saja|berapa saja|mana saja|sebutkan|jenis|macam|klasifikasi|kriteria|syarat|persyaratan|tahap(an)?|langkah|daftar|contoh(?:nya)?"
               r"|unsur|komponen|faktor)\b"),
    ("siapa", r"\bsiapa\b"),
    ("jumlah", r"\b(berapa|jumlah|banyak)\b"),
    ("apakah", r"\b(apakah|bolehkah|bisakah|boleh|bisa|dapatkah|wajib|harus)\b"),
]
_KIND_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in _KINDS]


# A second question joined to the first by a conjunction: "..., dan apa akibatnya?" (a sentence closed
# with "?" is split off before, by _AFTER_QUESTION_MARK)
_NEXT_QUESTION = re.compile(
    r"[,;]?\s+\b(?:dan|serta|lalu|terus|trus|kemudian|juga)\s+(?=(?:apa|apakah|bagaimana|gimana|gmn|berapa|brp"
    r"|siapa|kapan|kpn|di\s?mana|mana|pasal|psl|nasib|perlu|bisa|boleh)\b)",
    re.I,
)


_SENTENCE = re.compile(r"(?<=[.!])\s+(?=[A-Z])")


def situation_and_question(text: str) -> tuple[str, str]:
    """("Di dinas kami ada kasubag ... .", "Berapa lama ...?"): a message that first describes the
    situation is asked by its last sentence; the rest is context. ("", text) when it is one sentence
    or the last one is too short to stand alone ("Benar begitu?")."""
    sentences = _SENTENCE.split(text.strip())
    if len(sentences) < 2 or len(sentences[-1].split()) < 4:
        return "", text
    return " ".join(sentences[:-1]), sentences[-1]


@lru_cache(maxsize=1)
def _letter_formulas() -> re.Pattern:
    formulas = sorted(load_map("letter_formulas"), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(f) for f in formulas) + r")(?:nya)?\b[,.:;!]?\s*", re.I)


def without_letter_formulas(text: str) -> str:
    """`text` without the formulas of an official letter ("Dengan hormat,", "sehubungan dengan",
    "atas perhatiannya terima kasih"; lexicon ``letter_formulas``): they frame the question and
    are no topic the corpus must hold."""
    return _letter_formulas().sub("", text).strip() or text


def request_of(text: str) -> str:
    """The message up to its last question mark when what follows asks nothing ("Apakah benar ...
    Pasal 28 ...? Saya mau kutip di nota dinas."): a remark on what the answer is for is not part
    of what is asked. The whole message otherwise."""
    head, mark, tail = text.rpartition("?")
    words = re.findall(r"\w+", tail.lower())
    # "... itu siapa? wakil walkot kan": a statement closed by a tag particle asks to confirm it
    if not mark or _CONTENT_INTERROGATIVES.intersection(words) or (words and words[-1] in _TAG_PARTICLES):
        return text
    return head + mark


_COMPARISON = re.compile(
    r"\b(?:beda|bedanya|perbedaan|membedakan)\b\s*(?:antara\s+)?(?P<a>[^?.!;]+?)\s+(?:dan|dengan|dgn|sama|sm|vs\.?|atau)\s+"
    r"(?P<b>[^?.!;]+?)(?:\s+(?:apa|apaan|gimana|bagaimana|itu)\b|[?.,]|$)",
    re.I,
)
# The sides named before the comparison word: "Klerek, operator, dan teknisi itu bedanya di mana?",
# "Apa perbedaan PP dan Perpres?" is the form above. The list runs from the sentence's start.
_COMPARED_BEFORE = re.compile(
    r"(?:^|[.?!;:]\s+)(?P<list>[^.?!;:]+?)\s+(?:itu\s+|tuh\s+|ini\s+)?(?:apa\s+)?(?:sebenarnya\s+)?"
    r"(?:beda|bedanya|perbedaan(?:nya)?)\b",
    re.I,
)
_SIDE_SEPARATOR = re.compile(r"\s*,\s*(?:dan|serta|atau)?\s*|\s+(?:dan|dengan|dgn|sama|sm|serta|vs\.?|atau)\s+", re.I)
MAX_SIDES = 4


def compared_sides(question: str) -> list[str]:
    """["operator", "teknisi"] for "bedanya operator sama teknisi apa?" and for "operator dan
    teknisi itu bedanya apa?"; each side of "klerek, operator, dan teknisi bedanya di mana?";
    [] for other questions."""
    match = _COMPARISON.search(question)
    if match:
        # "perbedaan klerek, operator dan teknisi": the first side may be a list of its own
        sides = [*(a.strip(" ,?") for a in _SIDE_SEPARATOR.split(match.group("a"))), match.group("b").strip(" ,?")]
        if len(sides) > MAX_SIDES:
            return []
    else:
        match = _COMPARED_BEFORE.search(question)
        if not match:
            return []
        listed = match.group("list")
        lead = re.match(r"(?:(?:apa|apakah|sebenarnya|sih)\s+)+", listed, re.I)
        sides = [side.strip(" ,?") for side in _SIDE_SEPARATOR.split(listed[lead.end() if lead else 0:])]
        if not 2 <= len(sides) <= MAX_SIDES:
            return []
    return sides if all(topic_words(side) and len(side.split()) <= 6 for side in sides) else []


def topic_words(text: str) -> set[str]:
    return {t for t in tokens(text) if t not in QUESTION_WORDS}


_ASKS = re.compile(r"^(?:\w+\s+){0,2}(?:apa|apakah|bagaimana|berapa|siapa|kapan|mana|mengapa|kenapa)\b", re.I)


_COMMA_AND = re.compile(r",\s*(?:dan|serta|lalu|terus|kemudian)\s+", re.I)


def _after_comma_and(text: str) -> list[str]:
    """"... ada apa saja, dan diatur di pasal berapa?": a comma and a coordinating conjunction
    open a second question when the clauses on both sides carry an interrogative of their own
    ("tugas, fungsi, dan wewenangnya apa?" is one question listing three things)."""
    def asks(clause: str) -> bool:
        return bool(_INTERROGATIVES.intersection(re.findall(r"\w+", standardize(clause).lower())))

    out, start = [], 0
    for match in _COMMA_AND.finditer(text):
        clause = _SENTENCE.split(text[match.end():])[0]  # "..., dan input data. Kalau ... apa?": not this clause
        if asks(text[start:match.start()]) and asks(_COMMA_AND.split(clause)[0]):
            out.append(text[start:match.start()])
            start = match.end()
    return [*out, text[start:]]


def sub_questions(question: str) -> list[str]:
    """The questions a message asks, when it asks more than one: parts of 3+ words, and after the
    first only those that ask something ("..., buat konsiderans draf perwal" is no question): by a
    question word, or by the question mark the writer closed it with ("... ditetapkan? Sekalian,
    keputusan menteri mana yang dicabut ...?")."""
    parts: list[tuple[str, bool]] = []  # (part, closed by a question mark)
    for sentence in _AFTER_QUESTION_MARK.split(question):
        pieces = [p for piece in _NEXT_QUESTION.split(sentence) for p in _after_comma_and(piece)]
        closed = sentence.rstrip().endswith("?")
        parts += [(p.strip(" ,;?"), closed and i == len(pieces) - 1) for i, p in enumerate(pieces)]
    parts = [(p, closed) for p, closed in parts if len(p.split()) >= 3]
    asked = parts[:1] + [(p, closed) for p, closed in parts[1:]
                         if closed or _ASKS.search(standardize(p)) or question_kind(standardize(p)) != "umum"]
    return [p for p, _ in asked] if len(asked) > 1 else [question]


_AFTER_QUESTION_MARK = re.compile(r"(?<=\?)\s+")


# Kinds that ask for a value (a date, a number, a year, a time): an alternative question offers
# the values itself and asks which holds.
_VALUE_KINDS = frozenset({"tanggal", "nomor", "tahun", "jumlah", "waktu"})
_INTERROGATIVES = frozenset(load_words("interrogatives"))
# The yes/no particle is no question word of its own ("apakah A atau B?" is still a choice).
_CONTENT_INTERROGATIVES = _INTERROGATIVES - {"apakah"}
_TAG_PARTICLES = frozenset(load_words("tag_question_particles"))


def question_kind(question: str) -> str:
    q = question.lower()
    kind = next((kind for kind, pattern in _KIND_PATTERNS if pattern.search(q)), "umum")
    if kind in _VALUE_KINDS and is_alternative_question(q):
        # "mulai berlaku sejak tanggal ditetapkan atau sejak diundangkan?" names no date it wants:
        # it asks which of the two holds, as a yes/no question does.
        return "apakah"
    return kind


def is_alternative_question(question: str) -> bool:
    """A choice between options the message names ("A atau B?"), with no question word asking for
    a value of its own (an interrogative of the lexicon other than the yes/no "apakah")."""
    words = re.findall(r"\w+", question.lower())
    return "atau" in words and _CONTENT_INTERROGATIVES.isdisjoint(words)
