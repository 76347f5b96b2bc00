"""Does a message continue the conversation or start a new one? An explicit decision with a reason.

A self-contained message — it names its own regulation, or a topic the conversation did not have —
starts fresh. A message that points back ("tersebut", "tadi", "pasal itu", an opening "itu"),
opens with a follow-up connective ("kalau ...?", "terus ...?") or names no topic of its own
("berapa lama?", "masih berlaku gak?") continues; a continuing question about a *document* (its
status, what it revokes, when it was enacted) resolves to the conversation's document rather than
to its last Pasal. The words are data (lexicons ``conversation_markers``, ``reference_nouns``,
``document_level_words``); no LLM.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from ..lexicons import load_map, load_words
from ..records import Turn
from ..references import Reference, ReferenceResolver, families_named, without_families
from ..text import related_stems, tokens, with_related_terms, word_groups
from .kinds import ALL_FRAME_WORDS, QUESTION_WORDS, compared_sides, question_kind
from .question import Continuation

_WORD = re.compile(r"[a-z0-9]+")
# "yang lama" / "aturan sebelumnya" and "yang baru" / "penggantinya": one side of a replacement.
_OLDER = re.compile(r"\b(?:yang|yg|aturan|peraturan|permen\w*|versi)\s+(?:lama|sebelumnya|terdahulu|dulu)\b", re.I)
_NEWER = re.compile(r"\b(?:(?:yang|yg|aturan|peraturan|permen\w*|versi)\s+(?:baru|terbaru|pengganti)|penggantinya)\b", re.I)
# A message this short with nothing of its own to search is read in the conversation's context.
SHORT_WORDS = 6
# A message this short that brings at most one new concept is a fragment of the conversation's
# question (ellipsis: "kalau SPBE?", "Bappeda jadi apa?"), not a question of its own.
FRAGMENT_WORDS = 3
# A message this short that opens with a possessed noun ("direkturnya ...") points back.
POSSESSED_OPENING_WORDS = 8


@lru_cache(maxsize=1)
def _markers() -> dict[str, str]:
    return dict(load_map("conversation_markers"))


@lru_cache(maxsize=1)
def _switch_markers() -> tuple[str, ...]:
    """The topic-switch markers, longest first (lexicon ``topic_switch_markers``)."""
    return tuple(sorted(load_map("topic_switch_markers"), key=len, reverse=True))


@lru_cache(maxsize=1)
def _acknowledgments() -> frozenset[str]:
    """Markers that close the earlier exchange ("oke", "baik"): a switch only before punctuation."""
    return frozenset(k for k, role in load_map("topic_switch_markers").items() if role == "penerimaan")


def after_switch_marker(question: str) -> str | None:
    """The message without the marker that opens it by turning to another matter ("btw", "oh ya,",
    "satu lagi:", "oke, ..."), or None when it opens with none. An acknowledgment is one only
    before a comma or a stop ("oke, ...", not "baik tidaknya ...")."""
    text = question.lstrip()
    lowered = text.lower()
    for marker in _switch_markers():
        after = lowered[len(marker):len(marker) + 1]
        if not lowered.startswith(marker) or after.isalnum():
            continue
        if marker in _acknowledgments() and after not in (",", ".", "!"):
            continue
        return text[len(marker):].lstrip(" ,.:;!-")
    return None


@lru_cache(maxsize=1)
def _reference_nouns() -> frozenset[str]:
    return load_words("reference_nouns")


@lru_cache(maxsize=1)
def document_words() -> frozenset[str]:
    """Stems of the words that ask about a regulation as a document."""
    return frozenset(tokens(" ".join(sorted(load_words("document_level_words")))))


@lru_cache(maxsize=1)
def _not_topic() -> frozenset[str]:
    """Stems that never make a message's topic: question and frame words, document-level words and
    the conversation markers."""
    markers = " ".join(sorted(_markers())) + " " + " ".join(_switch_markers())
    return QUESTION_WORDS | ALL_FRAME_WORDS | document_words() | frozenset(tokens(markers))


@lru_cache(maxsize=1)
def _gazettes() -> re.Pattern:
    names = sorted(load_map("gazette_names"), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.I)


def _without_gazettes(text: str) -> str:
    """`text` without the gazettes a regulation is promulgated in ("di LN nomor berapa?"): where a
    document was promulgated is one of its attributes, not a topic (lexicon ``gazette_names``).
    Only where the message asks for that attribute (its promulgation, its number): "LN itu apa
    bedanya dengan BN?" is about the gazettes themselves."""
    if not _ASKS_PROMULGATION.search(text):
        return text
    return _gazettes().sub(" ", text)


_ASKS_PROMULGATION = re.compile(r"\b(?:nomor\w*|no|nomer|diundangkan|diundangkannya|dimuat|dicatat)\b", re.I)


def _without_asked_instrument(text: str) -> str:
    """`text` without an instrument noun the message asks to identify ("diatur di pedoman mana?",
    "aturan apa?": noun + interrogative): it asks which instrument holds the conversation's
    topic, and names no topic of its own (lexicon ``reference_nouns``)."""
    nouns = "|".join(sorted(_reference_nouns() - {"jabatan", "hal", "hukum"}))
    return re.sub(rf"\b(?:{nouns})\s+(?=(?:yang\s+|yg\s+)?(?:mana|apa)\b)", " ", text, flags=re.I)


def own_topic(question: str, reference: Reference | None = None) -> list[str]:
    """The message's topic stems: not question or frame words, not the words naming a document."""
    text = reference.strip_from(question) if reference else question
    skip = _not_topic()
    # "tanda tangan" is how staff say "ditandatangani", a document-level word (lexicon related_terms)
    skip = skip | {s for key, texts_say in related_stems(text) if texts_say <= skip for s in key}
    return [t for t in dict.fromkeys(tokens(text)) if t not in skip and not t.isdigit()]


def points_back(question: str) -> str | None:
    """"pembuka" or "rujukan" when the words of the message lean on what was said before."""
    words = _WORD.findall(question.lower())
    if not words:
        return None
    if len(words) <= POSSESSED_OPENING_WORDS and re.fullmatch(r"[a-z]{3,}nya", words[0]) \
            and words[0] not in _discourse_adverbs() and not compared_sides(question):
        # "direkturnya bertanggung jawab ke siapa?", "pengecualiannya ada?": a message that opens
        # with a possessed noun leaves its owner to the conversation (not "sebenarnya ...", nor
        # "bedanya perbup sama perwal?", whose owners are the sides it names).
        return "rujukan"
    markers = _markers()
    first = markers.get(words[0])
    if first == "pembuka":
        return "pembuka"
    if first == "pembuka-dengan" and len(words) > 1 and words[1] in ("dengan", "dgn", "kalau", "kalo", "klo"):
        return "pembuka"
    if first == "pembuka-yang" and len(words) <= SHORT_WORDS:
        return "pembuka"  # "yang lama apa?", "yg eselon 4?"
    nouns = _reference_nouns()
    for i, word in enumerate(words):
        role = markers.get(word)
        if role == "rujukan":
            return "rujukan"
        if word.endswith("nya") and word[:-3] in nouns:
            return "rujukan"  # "aturannya", "pasalnya", "dasar hukumnya": the one spoken of
        owner = (words[i - 1] if i > 0 else "") if word == "nya" else word[:-3] if word.endswith("nya") else ""
        if owner and families_named(owner):
            return "rujukan"  # "permenpannya", "SE-nya": the instrument of that kind spoken of
        if role == "demonstratif":
            # "Itu mencabut apa?", "pasal itu", "aturan ini", "... yang itu?": pointing back. In
            # "apa itu peta jabatan?" or "sistem kerja itu tujuannya?" it marks the message's own topic.
            if i == 0 or (i > 0 and words[i - 1] in nouns and (i + 1 == len(words) or words[i + 1] not in nouns)) \
                    or (i == len(words) - 1 and i > 0 and words[i - 1] in ("yang", "yg")):
                return "rujukan"
            if _closes_relative_clause(words, i):
                # "unit ... yang masih boleh itu ...": the one spoken of, or the message's own noun
                # phrase ("evaluasi kinerja yang periodik itu masuk tahap apa?"): a guess.
                return "rujukan-klausa"
        if role == "tambahan" and i > 0 and words[i - 1] in QUESTION_WORDS:
            return "rujukan"  # "siapa lagi?", "permen apa lagi?": more of what was asked
    return None


def _closes_relative_clause(words: list[str], i: int) -> bool:
    """"unit ... yang masih boleh itu merujuk ...": a demonstrative closing a relative clause
    ("yang" + a few words + "itu") names the one already spoken of."""
    # not "apa yang dimaksud dengan X itu?": "apa yang" frames a question of its own
    return any(words[j] in ("yang", "yg") and words[j - 1] not in QUESTION_WORDS for j in range(max(1, i - 4), i - 1))


def conversation_documents(history: list[Turn], resolver: ReferenceResolver) -> list[str]:
    """The documents the conversation is about, the latest exchange first: in each exchange those
    the user named, then those the answer quoted (an answer names the document it quotes first:
    "Menurut Permenpan RB 45/2022 Pasal 4: ..."). "Pasal 3-nya?" after a question answered from
    Permenpan 34/2011 means that document's Pasal 3, not one named two exchanges before."""
    found: list[str] = []
    answered: list[str] = []  # the documents of the answer that followed the user turn being read
    for turn in reversed(history[-6:]):
        if turn.role != "user":
            answered = _quoted(turn.content, resolver)
            continue
        found += [*resolver.resolve(turn.content).doc_ids, *answered]
        answered = []
    found += answered  # a history that opens with an answer
    return list(dict.fromkeys(found))


# How an answer names the documents it quotes: "Menurut <label>: ...", "Selain itu, <label> menyebutkan".
_CITED_LABEL = re.compile(r"(?:^|\n)\s*(?:Menurut|Selain itu,)\s+([^:\n]{3,200}?)(?::|\s+menyebutkan\b)")


@lru_cache(maxsize=1)
def _documents_by_name(resolver: ReferenceResolver) -> dict[str, str]:
    """Documents by the short name their citation labels open with, once per catalogue's resolver
    (at x1000 a scan of every name for each earlier answer would cost milliseconds)."""
    return {meta.short_name: doc_id for doc_id, meta in resolver.documents.items() if meta.short_name}


def _quoted(answer: str, resolver: ReferenceResolver) -> list[str]:
    """The documents an answer quotes, by the labels it opens its citations with (a glossary or a
    report has no regulation number to resolve), then the regulations its text names ("menurut
    Permenpan RB 17/2021" in a glossary entry: what "dasar hukumnya" may then mean)."""
    labels = _CITED_LABEL.findall(answer)
    mentioned = resolver.resolve(answer).doc_ids
    if not labels:
        return mentioned
    by_name = _documents_by_name(resolver)
    found: list[str] = []
    for label in labels:
        # a label is the document's short name, then ", <section>" when it has one
        doc_id = by_name.get(label.split(",")[0].strip())
        if doc_id is None:
            doc_id = next(iter(resolver.resolve(label).doc_ids), None)
        if doc_id is not None and doc_id not in found:
            found.append(doc_id)
    return found + [d for d in mentioned if d not in found]


def decide(question: str, history: list[Turn], resolver: ReferenceResolver, own: Reference,
           locate: Callable[[str], str | None] | None = None,
           cites: Callable[[str, Sequence[str]], str | None] | None = None,
           switched: bool = False, in_conversation: bool = False) -> Continuation:
    """`switched`: the message opened with a topic-switch marker (already removed from `question`):
    it continues only when what follows points back or names no topic of its own.
    `in_conversation`: a message that would be read as a topic of its own is read in the
    conversation instead (reason "dibaca-dalam-percakapan"; the service asks for this reading when
    the message alone finds no evidence).
    `locate(text)` names the document whose passages hold the text's words best (a lexical
    search): a message whose new words belong to the conversation's documents continues it.
    `cites(name, doc_ids)` names the first of the documents whose passages name the regulation
    `name` ("UU 5/2014"): a message about a regulation outside the corpus that the conversation's
    documents cite continues it."""
    users = [t.content for t in history if t.role == "user"]
    if not users:
        return Continuation(False, "tanpa-riwayat")
    # "itu amanat pasal berapa UU 5/2014?" names only a regulation outside the corpus, no Pasal of it
    outside = _outside_only(own) and not own.pasal
    # "Menimbangnya merujuk pasal berapa UU ASN?": the possessed part of a document that opens the
    # message is the conversation document's; the regulation it names is what that part refers to.
    if (own.doc_ids or own.unresolved) and not outside and not _opens_with_possessed_part(question):
        return Continuation(False, "menyebut-peraturan")
    if outside:
        # Asked about where the conversation's documents cite it; elsewhere it is a question of
        # its own.
        documents = conversation_documents(history, resolver)
        name = own.unresolved or own.outside[0]
        located = cites(name, documents) if cites is not None and documents else None
        if located is None:
            return Continuation(False, "menyebut-peraturan")
        return Continuation(True, "peraturan-luar", context=" ".join(users[-1:]), documents=tuple(documents),
                            new_words=tuple(own_topic(question, own)), cited_in=located)
    pointer = points_back(question)
    words = _WORD.findall(question.lower())
    # "SE-nya", "permenpannya": the kind of instrument names which document, not a topic
    # "Apa beda Perwal dan Perbup?" compares the kinds themselves: they are its topic
    named_kinds = question if compared_sides(question) else without_families(question)
    topic = own_topic(_without_asked_instrument(_without_gazettes(named_kinds)), own)
    # The same thing in other words is nothing new: "siapa yg tanda tangan?" after "... ditandatangani
    # kapan?" (lexicon related_terms, both ways).
    earlier = set(own_topic(with_related_terms(" ".join(users[-2:]))))
    said_before = {s for key, texts_say in related_stems(question) if texts_say & earlier for s in key}
    new = [t for t in topic if t not in earlier and t not in said_before]
    document_level = bool(set(tokens(with_related_terms(question))) & document_words()) and not own.pasal
    if document_level and question_kind(question) == "status" and not _names_an_instrument(words) \
            and not any(resolver.resolve(turn).doc_ids for turn in users[-2:]):
        # "Koordinator itu jabatan bukan?" - "masih berlaku gak perannya?": a status asked after a
        # question about a matter, not a regulation, is that matter's (the role's), not the status
        # of whichever document the answer quoted.
        document_level = False
    # "permenpannya sendiri masih berlaku?": the conversation's document of that kind
    documents = resolver.of_families(conversation_documents(history, resolver), families_named(question))
    if pointer is not None:
        reason = pointer
    elif not topic:
        reason = "tanpa-topik"
    elif switched:
        return Continuation(False, "pengalih-topik")
    elif not new:
        reason = "topik-sama"
    elif len(new) == 1 and len(words) <= SHORT_WORDS and not compared_sides(question) \
            and _possessive_points_back(words, new):
        reason = "rujukan"  # "tujuannya apa?": the -nya points at the conversation's topic
    elif (len(words) <= FRAGMENT_WORDS and _new_concepts(question, own, earlier) <= 1
          and question_kind(question) != "definisi"):  # "Apa itu JDIH?" asks afresh
        reason = "elipsis"  # "SPBE?", "Bappeda jadi apa?": a fragment that only swaps one element
    elif locate is not None and documents and locate(question) in documents:
        reason = "topik-dokumen"  # its own words are found in the conversation's documents
    elif in_conversation:
        reason = "dibaca-dalam-percakapan"
    else:
        return Continuation(False, "topik-sendiri")
    # The last user turn carries the topic; one more when that turn was itself a follow-up (short,
    # and naming no regulation: "kalau Perwal 6/2023 judulnya apa?" starts a topic of its own).
    context_turns = users[-1:]
    if len(users) > 1 and len(_WORD.findall(users[-1].lower())) <= SHORT_WORDS \
            and not resolver.resolve(users[-1]).doc_ids:
        context_turns = users[-2:]
    documents = _replacement_side(question, documents, resolver) or documents
    context = " ".join(context_turns)
    if own.pasal:
        # "pasal 4-nya?": that Pasal of the conversation's document.
        pasal = Reference(doc_ids=documents[:1], pasal=own.pasal, ayat=own.ayat, huruf=own.huruf,
                          mentions=list(own.mentions))
        return Continuation(True, reason, context=context, documents=tuple(documents), pasal=pasal,
                            new_words=tuple(new))
    if document_level and len(new) <= 1:
        # "Itu mencabut peraturan yang mana?": the conversation's document, not its last Pasal; a
        # numbered one when the answer quoted a glossary entry or a report first ("kapan
        # ditetapkannya?" after a glossary entry naming Permenpan RB 45/2022 asks about 45/2022).
        numbered = [d for d in documents if d in resolver.documents and resolver.documents[d].numbered]
        return Continuation(True, reason, context=context, documents=tuple((numbered or documents)[:1]),
                            document_level=True, new_words=tuple(new))
    pasal = None
    names_that_pasal = re.search(r"\b(?:pasal|psl)\s+(?:itu|tersebut|tadi|ini|yang sama|yg sama)\b", question, re.I)
    if names_that_pasal or not new:
        turns = history[-6:] if names_that_pasal else [t for t in history if t.role == "user"][-1:]
        for turn in reversed(turns):
            earlier_ref = resolver.resolve(turn.content)
            if earlier_ref.pasal and earlier_ref.doc_ids:
                pasal = Reference(doc_ids=earlier_ref.doc_ids, pasal=earlier_ref.pasal)
                break
    return Continuation(True, reason, context=context, documents=tuple(documents), pasal=pasal,
                            new_words=tuple(new))


def _opens_with_possessed_part(question: str) -> bool:
    """"Menimbangnya ...", "lampirannya ...": the message opens with a part of a document (lexicons
    ``document_level_words``, ``reference_nouns``) owned by "-nya", whose owner is not in the message."""
    words = _WORD.findall(question.lower())
    if not words or not re.fullmatch(r"[a-z]{3,}nya", words[0]):
        return False
    part = words[0][:-3]
    return bool(set(tokens(part)) & document_words()) or part in _reference_nouns()


def _new_concepts(question: str, own: Reference, earlier: set[str]) -> int:
    """How many written words of the message bring topic stems the conversation did not have
    ("SPBE", read as four stems, is one)."""
    skip = _not_topic()
    return sum(
        1 for group in word_groups(own.strip_from(question))
        if any(t not in skip and not t.isdigit() and t not in earlier for t in group)
    )


def _outside_only(own: Reference) -> bool:
    """The message names regulations outside the corpus only (its doc_ids, if any, are documents
    that speak of them, not documents it names)."""
    return not own.named_directly and bool(own.unresolved or own.outside)


def _names_an_instrument(words: list[str]) -> bool:
    """"masih berlaku gak aturannya?", "SE-nya": the message speaks of a regulation itself."""
    instruments = _reference_nouns() - {"jabatan", "hal", "hukum", "pasal", "ayat", "huruf"}
    return any(w in instruments or (w.endswith("nya") and w[:-3] in instruments) for w in words) \
        or bool(families_named(" ".join(words)))


@lru_cache(maxsize=1)
def _discourse_adverbs() -> frozenset[str]:
    return load_words("discourse_nya_adverbs")


def _possessive_points_back(words: list[str], new: list[str]) -> bool:
    """"tujuannya apa?": a -nya whose owner is not in the message points at the conversation's
    topic; in "delayering artinya apa" the owner is the new word before it."""
    for i, word in enumerate(words):
        if re.fullmatch(r"[a-z]{3,}nya", word):
            return not any(set(tokens(w)) & set(new) for w in words[:i])
    return False


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
