"""The one output of the understanding stage: what a message asks, read once."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..references import Reference


@dataclass(frozen=True)
class Continuation:
    """Whether a message continues the conversation, and why (a reason code the tests and the
    eval report read):

    - ``tanpa-riwayat``: no earlier question; ``menyebut-peraturan``: it names its own regulation;
    - ``topik-sendiri``: it names a topic of its own that the conversation did not have;
    - ``pengalih-topik``: it opens by turning to another matter ("btw", "oh ya", "satu lagi") and
      what follows names a topic without pointing back;
    - ``pembuka``: it opens with a follow-up connective ("kalau ...?", "terus ...?");
    - ``rujukan``: it points back ("tersebut", "tadi", "pasal itu", "itu" opening the question);
    - ``rujukan-klausa``: a demonstrative closes a relative clause ("unit yang masih boleh itu ..."),
      which may point back or close the message's own noun phrase;
    - ``tanpa-topik``: it names no topic of its own ("berapa lama?", "masih berlaku gak?");
    - ``topik-sama``: all its topic words are the conversation's;
    - ``topik-dokumen``: its new words are found best in the conversation's documents;
    - ``elipsis``: a fragment of at most three words bringing at most one new concept ("SPBE?");
    - ``peraturan-luar``: it names only a regulation outside the corpus ("UU 5/2014", "UUD 1945")
      and the conversation's documents are where its words are found (they cite that regulation);
    - ``dibaca-tersendiri``: continued on a guess (``pembuka``, ``topik-dokumen``) but answered as a
      question of its own, because that reading holds its words better (``Assistant._read_alone``).
    """

    continues: bool
    reason: str
    context: str = ""  # the earlier question(s) whose topic it borrows
    documents: tuple[str, ...] = ()  # the conversation's documents, the most recent first
    document_level: bool = False  # it asks about a document (status, revocation, date), not a Pasal
    pasal: Reference | None = None  # "pasal itu ...?": the Pasal the conversation was about
    new_words: tuple[str, ...] = ()  # its topic stems the conversation did not have
    cited_in: str | None = None  # peraturan-luar: the conversation's document that cites it


@dataclass(frozen=True)
class Question:
    """A message made ready for retrieval, the refusal rules and the composer.

    Nothing after the understanding stage analyses the question's text again for what it asks:
    they read these fields.
    """

    asked: str  # as the user typed it
    spelled: str  # in the corpus's spelling (typos outside the language corrected)
    reference: Reference  # the regulation / Pasal / ayat it names, or the conversation's
    continuation: Continuation
    standalone: str  # what retrieval searches: the message plus the topic it borrows
    # `spelled` up to its question, without a remark after it that asks nothing ("... apa sih? sering
    # denger tp ga paham"), and of that the sentence that asks (without the situation told before it)
    request: str
    asking: str
    kind: str  # the kind of answer wanted (see kinds.question_kind); "umum" when none
    topic: tuple[str, ...]  # its own topic stems (no question or frame words), in order
    sub_questions: tuple[str, ...] = ()  # the parts of a message that asks several things
    compared: tuple[str, ...] = ()  # the sides of "bedanya A dan B?"
    places: tuple[str, ...] = ()  # regions it names ("Serang" in "perwal kota serang")
    place_docs: tuple[str, ...] = ()  # corpus documents of a region it names
    filters_named: tuple[str, ...] = field(default_factory=tuple)  # how the active filters read, for messages

    @property
    def continues(self) -> bool:
        return self.continuation.continues

    @property
    def context(self) -> str:
        return self.continuation.context

    @property
    def conversation_docs(self) -> list[str]:
        return list(self.continuation.documents)
