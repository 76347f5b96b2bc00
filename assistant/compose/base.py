"""What every composer receives and returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

from ..records import Citation, DocumentMeta, ScoredChunk


@dataclass
class Evidence:
    """Everything a composer may use: the question, its context and the retrieved passages."""

    question: str  # as the user asked it
    context: str  # earlier turns' topic for a follow-up ("" when none)
    kind: str  # definisi | daftar | waktu | siapa | apakah | jumlah | umum
    hits: list[ScoredChunk]
    documents: dict[str, DocumentMeta]
    idf: callable  # token → idf in the index
    known: callable = lambda token: True  # whether the index holds the token at all
    pasal: str | None = None  # a Pasal the question names
    ayat: str | None = None  # an ayat the question names
    huruf: str | None = None  # a huruf the question names ("menimbang huruf a")
    named_docs: list[str] = field(default_factory=list)  # documents the question names
    conversation_docs: list[str] = field(default_factory=list)  # documents earlier turns named
    place_docs: list[str] = field(default_factory=list)  # documents of a region the question names
    places: tuple[str, ...] = ()  # the regions of place_docs the question names ("cilegon")
    situation: str = ""  # what a long message says before its question ("Di dinas kami ada ...")
    # As the understanding stage read the message (None: the composer reads `question` itself):
    parts: tuple[str, ...] | None = None  # the questions it asks, one or more
    compared: tuple[str, ...] | None = None  # the sides of "bedanya A dan B?", () when none


@dataclass
class Composition:
    answer: str
    citations: list[Citation]
    warnings: list[str] = field(default_factory=list)
    refusal: str | None = None  # set when the passages do not hold what was asked (e.g. no date)
    reason: str | None = None  # the refusal's code (assistant/refusal.py REASONS)


class Composer(Protocol):
    name: str

    def compose(self, evidence: Evidence) -> Composition: ...

    def stream(self, evidence: Evidence) -> Iterator[str | Composition]:
        """Pieces of the answer text as they are produced, then the final Composition."""
        ...
