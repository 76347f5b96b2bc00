"""The understanding stage: (question, history, filters) → one frozen :class:`Question`.

Everything that reads a message for what it asks happens here, once: the spelling is brought to
the corpus's (only words outside the language are corrected), explicit references are resolved,
the conversation decision is taken (:mod:`.conversation`), the kind of answer and the parts of the
message are read (:mod:`.kinds`). Retrieval, the refusal rules and the composers only read the
result; they never analyse the question's text again.

Public API: ``understand(...) -> Question``, ``Question``, ``Continuation``, ``new_concepts(q)``,
``GUESSED_CONTINUATIONS``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

from ..lexicons import load_words
from ..records import DocumentMeta, Filters, Turn
from ..references import Reference, ReferenceResolver, named_places
from ..spelling import Speller
from ..text import standardize, word_groups
from .conversation import after_switch_marker, decide, own_topic
from .kinds import (compared_sides, question_kind, request_of, situation_and_question, sub_questions,
                    without_letter_formulas)
from .question import Continuation, Question

__all__ = ["Continuation", "GUESSED_CONTINUATIONS", "Question", "describe_filters", "new_concepts", "places_of_documents",
           "understand"]

# Continuations taken on a guess about the message's own words (an opening connective, its words
# found in the conversation's documents, a demonstrative closing a relative clause), not on a word
# that surely points back: such a message may be a new question, and the service also reads it
# alone (Assistant._read_alone).
GUESSED_CONTINUATIONS = frozenset({"pembuka", "topik-dokumen", "rujukan-klausa"})
_WORD = re.compile(r"[a-z]+")

_PLACE_IN_TITLE = re.compile(r"\b(?:[Kk]ota|[Kk]abupaten|[Pp]rovinsi)\s+([A-Z][a-z]+)")


def understand(
    question: str,
    history: Sequence[Turn],
    filters: Filters | None,
    resolver: ReferenceResolver,
    speller: Speller,
    documents: Mapping[str, DocumentMeta],
    locate: Callable[[str], str | None] | None = None,
    cites: Callable[[str, Sequence[str]], str | None] | None = None,
    in_conversation: bool = False,
) -> Question:
    """`locate(text)`: the document a lexical search of `text` ranks first (the conversation
    decision asks whether a message's own words belong to the conversation's documents);
    `cites(name, doc_ids)`: the first of the documents that names the regulation `name`."""
    spelled = speller.correct(question)
    # "btw, ...", "oh ya, ...": a marker that turns to another matter is not part of what is asked.
    rest = after_switch_marker(spelled)
    spelled = without_letter_formulas(rest or spelled)
    own = resolver.resolve(spelled)
    continuation = decide(spelled, list(history), resolver, own, locate, cites, switched=rest is not None,
                          in_conversation=in_conversation)
    reference = own
    # "... nomor brp? buat konsiderans draf perwal": a remark after the question that asks nothing
    # says what the answer is for, not what to search ("perwal" would rank a Perwal first).
    request = request_of(spelled)
    standalone = request
    if continuation.continues and continuation.cited_in:
        # The document of the conversation that cites the outside regulation answers; the
        # regulation's name stays in the words searched.
        # It stays named as the outside regulation it is (its content is still not held); its name
        # stays among the words weighed, as the words the citing passage holds.
        reference = Reference(doc_ids=[continuation.cited_in],
                              outside=list(own.outside) or ([own.unresolved] if own.unresolved else []))
    elif continuation.continues:
        if continuation.document_level and continuation.documents:
            # A question about the conversation's document: that document, by its name.
            reference = Reference(doc_ids=list(continuation.documents))
            names = " ".join(documents[d].short_name for d in continuation.documents if d in documents)
            standalone = f"{request} {names}".strip()
        else:
            if continuation.pasal is not None:
                reference = continuation.pasal
            standalone = f"{request} {continuation.context}".strip()
    # "Menurut Permenpan RB Nomor 7 Tahun 2022, ... berapa tahap?": a name's "Nomor" asks nothing
    kind = question_kind(standardize(own.strip_from(spelled) or spelled))
    if kind == "umum" and continuation.continues and not continuation.document_level and not _asks_itself(spelled):
        # "kalau pejabat pengawas?" asks what the earlier question asked; "bagaimana kalau
        # terlambat?" asks a question of its own (its own interrogative), of no kind we read.
        kind = question_kind(standardize(continuation.context))
    # Parts and sides are read without the words that only name a document ("Permenpan 45/2022").
    message = own.strip_from(spelled)
    asked = situation_and_question(spelled)[1]
    return Question(
        asked=question,
        spelled=spelled,
        reference=reference,
        continuation=continuation,
        standalone=standalone,
        request=request,
        asking=situation_and_question(request)[1],
        kind=kind,
        topic=tuple(own_topic(asked, own)),
        sub_questions=tuple(p for p in sub_questions(message) if p != message),
        compared=tuple(compared_sides(message)),
        places=tuple(named_places(question)),
        place_docs=tuple(_docs_of_places(spelled, documents)),
        filters_named=tuple(describe_filters(filters, documents)),
    )


def new_concepts(q: Question) -> int:
    """How many written words of the message bring topic stems the conversation did not have
    ("SPBE", read as several stems, is one concept)."""
    new = set(q.continuation.new_words)
    return sum(1 for group in word_groups(q.spelled) if new.intersection(group))


@lru_cache(maxsize=1)
def _interrogatives() -> frozenset[str]:
    return load_words("interrogatives")


@lru_cache(maxsize=1)
def _existence_words() -> frozenset[str]:
    return load_words("existence_words")


def _asks_itself(text: str) -> bool:
    """Whether the message asks a question of its own: it carries an interrogative word (lexicon
    ``interrogatives``), or asks whether something exists ("di situ ada yg namanya ketua tim?":
    "ada" as the predicate, not inside a relative clause "yang ada"; lexicon ``existence_words``)."""
    words = _WORD.findall(text.lower())
    if not _interrogatives().isdisjoint(words):
        return True
    existence = _existence_words()
    return any(w in existence and (i == 0 or words[i - 1] not in ("yang", "yg")) for i, w in enumerate(words))


def _docs_of_places(question: str, documents: Mapping[str, DocumentMeta]) -> list[str]:
    """Documents of a region the question names ("di Cilegon" → Perwal Cilegon, the Cilegon reports)."""
    by_place, rank = _place_index(documents)
    found = {doc_id for word in places_of_documents(question, documents) for doc_id in by_place[word]}
    return sorted(found, key=rank.__getitem__)  # in catalogue order


def places_of_documents(question: str, documents: Mapping[str, DocumentMeta]) -> list[str]:
    """The regions the question names that documents' titles name too ("cilegon")."""
    by_place, _ = _place_index(documents)
    return [w for w in dict.fromkeys(re.findall(r"[a-z]+", question.lower())) if w in by_place]


_PLACES: list = [(None, 0, {}, {})]  # (catalogue, its size, place → doc_ids, doc_id → position)


def _place_index(documents: Mapping[str, DocumentMeta]) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The places that documents' titles name, read once per catalogue (not per question: a regex
    over every title cost O(documents) an answer)."""
    cached = _PLACES[0]  # one read: another thread may swap in another catalogue's index
    if cached[0] is not documents or cached[1] != len(documents):
        by_place: dict[str, list[str]] = {}
        for doc_id, meta in documents.items():
            for place in dict.fromkeys(p.lower() for p in _PLACE_IN_TITLE.findall(f"{meta.jenis} {meta.judul}")):
                by_place.setdefault(place, []).append(doc_id)
        cached = _PLACES[0] = (documents, len(documents), by_place, {d: i for i, d in enumerate(documents)})
    return cached[2], cached[3]


def describe_filters(filters: Filters | None, documents: Mapping[str, DocumentMeta]) -> list[str]:
    """The active filters in words ("dokumen: Perwal Kota Cilegon Nomor 6 Tahun 2023", "tahun: 2021")."""
    if filters is None or filters.is_empty():
        return []
    parts = []
    if filters.doc_id:
        parts.append("dokumen: " + ", ".join(documents[d].short_name if d in documents else d for d in filters.doc_id))
    if filters.jenis:
        parts.append("jenis: " + ", ".join(filters.jenis))
    if filters.tahun:
        parts.append("tahun: " + ", ".join(str(t) for t in filters.tahun))
    if filters.status:
        parts.append("status: " + ", ".join(filters.status))
    if filters.resmi is not None:
        parts.append("naskah resmi saja" if filters.resmi else "ringkasan saja")
    return parts
