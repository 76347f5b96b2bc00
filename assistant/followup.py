"""Follow-up questions ("Kalau pejabat pengawas?", "Siapa yang menetapkannya?") made standalone.

No LLM: a question that leans on the conversation (short, anaphoric, or starting with "kalau")
borrows the topic of the last user turn and the regulations the conversation named.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .records import Turn
from .references import Reference, ReferenceResolver

_LEANS_ON_CONTEXT = re.compile(
    r"^(kalau|kalo|klo|lalu|terus|trus|trs|dan|bagaimana dengan|gimana dengan|gmn dengan|yang|itu|untuk yang|nah)\b"
    r"|\b(itu|tersebut|tadi|ini|sama|juga|sebelumnya|di atas)\b"
    r"|\w+nya\b",
    re.I,
)


_THAT_PASAL = re.compile(r"\bpasal\s+(itu|tersebut|tadi|ini|yang sama|yg sama)\b", re.I)
# "yang lama" / "aturan sebelumnya" and "yang baru" / "penggantinya": one side of a replacement.
_OLDER = re.compile(r"\b(?:yang|yg|aturan|peraturan|permen\w*|versi)\s+(?:lama|sebelumnya|terdahulu|dulu)\b", re.I)
_NEWER = re.compile(r"\b(?:(?:yang|yg|aturan|peraturan|permen\w*|versi)\s+(?:baru|terbaru|pengganti)|penggantinya)\b", re.I)


@dataclass
class Standalone:
    question: str  # what retrieval sees
    context: str = ""  # the borrowed topic ("" when the question stands alone)
    boost_docs: list[str] = field(default_factory=list)
    reference: Reference | None = None  # "pasal itu": the Pasal the conversation was about


def make_standalone(question: str, history: list[Turn], resolver: ReferenceResolver, own: Reference) -> Standalone:
    users = [t.content for t in history if t.role == "user"]
    if not users:
        return Standalone(question)
    words = re.findall(r"\w+", question)
    leans = len(words) <= 6 or bool(_LEANS_ON_CONTEXT.search(question))
    if not leans or own.doc_ids:
        return Standalone(question)
    # The last user turn carries the topic; one more when that turn was itself a follow-up.
    context_turns = users[-1:]
    if len(users) > 1 and len(re.findall(r"\w+", users[-1])) <= 6:
        context_turns = users[-2:]
    context = " ".join(context_turns)
    boost: list[str] = []
    for turn in reversed(history[-6:]):
        for doc_id in resolver.resolve(turn.content).doc_ids:
            if doc_id not in boost:
                boost.append(doc_id)
    boost = _replacement_side(question, boost, resolver) or boost
    inherited = None
    # "pasal itu ...?", or a short follow-up ("berapa lama batasnya?") right after a question
    # about one Pasal: the same Pasal.
    if _THAT_PASAL.search(question) or (len(words) <= 6 and not own.pasal):
        turns = history[-6:] if _THAT_PASAL.search(question) else [t for t in history if t.role == "user"][-1:]
        for turn in reversed(turns):
            earlier = resolver.resolve(turn.content)
            if earlier.pasal and earlier.doc_ids:
                inherited = Reference(doc_ids=earlier.doc_ids, pasal=earlier.pasal)
                break
    return Standalone(question=f"{question} {context}", context=context, boost_docs=boost, reference=inherited)


def _replacement_side(question: str, docs: list[str], resolver: ReferenceResolver) -> list[str]:
    """For "yang lama ..." the replaced regulation among (or behind) the conversation's documents;
    for "yang baru ..." its successor. Empty when the question asks neither or none is known."""
    older, newer = _OLDER.search(question), _NEWER.search(question)
    if not (older or newer) or (older and newer):
        return []
    documents = resolver.documents
    pairs = set()  # (old, new)
    for doc_id, meta in documents.items():
        for new in [*meta.dicabut_oleh, *meta.diubah_oleh]:
            pairs.add((doc_id, new))
        for old in [*meta.mencabut, *meta.mengubah]:
            pairs.add((old, doc_id))
    side = [old if older else new for old, new in pairs if old in docs or new in docs]
    return [d for d in dict.fromkeys(side) if d in documents]
