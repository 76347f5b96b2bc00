"""Every refusal rule in one place, each with a reason code that answers and eval reports carry.

Better an honest "not found" than a guess, but a refusal must come from evidence: the corpus does
not hold the regulation, the Pasal or the region named; retrieval found nothing; the best passage
does not hold the question's topic; the corpus says itself that it does not know; or the active
filters exclude the documents that would answer. A guessed kind of question that the passage does
not match is not a reason to refuse a strong passage (the composer answers and says what the
passage does not state).

Public API: ``Refusal``, ``REASONS``, ``RefusalRules(state, speller, mode).before_compose(q, hits)``,
``not_found(...)``, ``outside_filters(...)``.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from .records import DocumentMeta, ScoredChunk
from .references import Reference
from .spelling import Speller
from .text import function_stems, tokens, word_groups
from .understanding import Question, new_concepts
from .understanding.kinds import FRAME_WORDS, QUESTION_WORDS, situation_and_question

# The codes, as `Answer.reason` and the eval report's `refusal_reasons` show them.
REASONS = {
    "dokumen-tidak-ada": "the question names a regulation the corpus neither holds nor mentions",
    "naskah-tidak-dimuat": "the corpus only mentions the named regulation, or holds a named document without its annex: the wording asked for is not held",
    "daerah-tidak-ada": "the question names a region the corpus holds nothing about",
    "pasal-tidak-ada": "the named Pasal (or the named ayat of a held Pasal) of a corpus regulation is not in the corpus",
    "tidak-ada-hasil": "retrieval returned no passage",
    "bukti-lemah": "the best passages do not hold the question's topic (evidence score below MIN_EVIDENCE)",
    "dinyatakan-tidak-diketahui": "the corpus itself notes that what is asked is not known",
    "jenis-tidak-terpenuhi": "no passage about the topic holds the date/number the question asks for",
    "tidak-ada-kutipan": "the composer found no passage unit that answers",
    "di-luar-filter": "the active filters exclude the documents that would answer",
    "tahun-tidak-ada": "the question asks about a year that no passage about its topic (nor its document) speaks of",
}

# Evidence needed to answer, tuned on the dev split (evals/questions/dev.jsonl; see
# `evidence_features`): the idf-weighted share of the question's topic words that the best passage
# holds, plus how close the best passage is in the dense space (e5 similarities of related
# Indonesian text sit near 0.85), less a little for each topic word the corpus never uses and for
# the rarest topic word no top passage holds. 0.33 -> 0.36 with the 735-question dev split (wave 2
# session 6): out-of-scope refused 0.902 -> 0.911, no answerable question refused more.
MIN_EVIDENCE = 0.36
DENSE_CENTER = 0.85
DENSE_WEIGHT = 1.0
UNKNOWN_WEIGHT = 0.1
MISSING_WEIGHT = 0.05
# A question naming a held document (no Pasal of it) is still refused with this many topic words the
# corpus never uses and less than this share of its topic in one passage: on dev only out-of-scope
# questions ("tenaga honorer menurut UU ASN 2023") are that far off; the nearest answerable question
# named a Pasal (held as an exact hit) or had one unknown word.
NAMED_UNKNOWN = 2
NAMED_COVERAGE = 0.25
# A follow-up bringing this many concepts of its own is a question of its own: the passages must
# hold its own words too, not only the topic it borrows (as service.READ_ALONE_CONCEPTS).
OWN_CONCEPTS = 3

# A question about the wording of a regulation ("bunyinya", "isi lampirannya", "pasal yang mengatur ...").
_ASKS_WORDING = re.compile(r"\bbunyi\w*|\bkutip\w*|\blampiran\w*|\b(?:pasal|psl)\s+(?:yang|yg|mana|berapa|brp)\b", re.I)


# Asking for the content of a regulation ("isinya apa", "mengatur apa", "memuat berapa nomenklatur",
# "berisi apa"): refused for one the corpus only names, when the question names no corpus document
# of its own.
_ASKS_CONTENT = re.compile(r"\bisi(?:nya)?\b|\bmengatur\s+apa\b|\bketentuan\w*\b|\bmemuat\b|\bberisi\b"
                           r"|\bmencantumkan\b|\btercantum\b", re.I)

# Asking for an annex's content or wording ("isi lampiran Permenpan 25/2021", "bunyi lampirannya").
_ANNEX = re.compile(r"\blampiran\w*", re.I)
_ASKS_TEXT = re.compile(r"\bbunyi\w*|\bkutip\w*|\bteks\w*|\bnaskah\w*|\bberisi\b|\bmemuat\b|\bapa saja\b", re.I)


@dataclass(frozen=True)
class Refusal:
    reason: str  # one of REASONS
    message: str  # what the user reads (Indonesian)


class RefusalRules:
    """The rules that run before composing, over one index state."""

    def __init__(self, state, speller: Speller, mode: str = "hybrid"):
        self.state = state
        self.speller = speller
        self.mode = mode

    def before_compose(self, q: Question, hits: list[ScoredChunk]) -> Refusal | None:
        for rule in (self._unknown_document, self._unread_document, self._unknown_region, self._unknown_pasal,
                     self._unknown_ayat, self._unheld_annex):
            refusal = rule(q, hits)
            if refusal:
                return refusal
        if not hits:
            return Refusal("tidak-ada-hasil", not_found(self.state.documents))
        refusal = self._unheld_year(q, hits)
        if refusal:
            return refusal
        ref = q.reference
        if any(h.exact for h in hits) or (ref.doc_ids and hits[0].chunk.doc_id in ref.doc_ids
                                          and not q.continuation.cited_in):
            # The question names a document the corpus holds. One it names only through a
            # regulation that document cites ("Perbup Bogor 65/2023 ngatur honor ...?") must
            # still hold the topic. So must a question that names a held document but asks about
            # what the corpus never speaks of ("di UU ASN baru gaji PNS jadi single salary mulai
            # tahun berapa?"): several topic words the corpus never uses, little of it held.
            # (the unknown words first: most named questions have none, and the coverage is not cheap)
            if not any(h.exact for h in hits) and len(self.speller.unknown(q.spelled)) >= NAMED_UNKNOWN:
                f = self.evidence_features(q, hits)
                if f["unknown"] >= NAMED_UNKNOWN and f["coverage"] < NAMED_COVERAGE:
                    return Refusal("bukti-lemah", not_found(self.state.documents))
            return None
        if q.continues and not q.continuation.new_words and hits[0].chunk.doc_id in q.conversation_docs:
            # A follow-up that adds no topic of its own ("berapa lama?", "kalau itu?") about the
            # documents the conversation is about; one with new words must still find them there.
            return None
        score = self.evidence_score(q, hits)
        if q.continues and score < MIN_EVIDENCE and new_concepts(q) <= 1:
            # "terus pelantikannya paling lambat kapan?": the passages may hold the one thing the
            # message itself adds without holding the whole borrowed topic with it. (A message
            # bringing several concepts of its own is a question of its own: it is not let through.)
            score = max(score, self.evidence_score(q, hits, alone=True))
        elif q.continues and new_concepts(q) >= OWN_CONCEPTS:
            # The other way round: "ketua tim kerja dapet tunjangan gak? berapa besarannya?" after
            # questions about tim kerja brings several concepts of its own, and the borrowed topic
            # must not stand in for them: its own words must be held too.
            score = min(score, self.evidence_score(q, hits, alone=True))
        if score < MIN_EVIDENCE:
            return Refusal("bukti-lemah", not_found(self.state.documents))
        return None

    # ---- the rules: each returns a Refusal, or None when it does not apply ---------------------
    def _unknown_document(self, q: Question, hits) -> Refusal | None:
        """A regulation the corpus neither holds nor speaks of; or one it only mentions, asked for
        its wording or content (unless the passages name the Pasal asked about: "Pasal 40 ayat (10)
        PP 18/2016"); what it is about ("itu tentang apa?") the mention may still answer."""
        ref, top = q.reference, hits[:5]
        if not (ref.unresolved and not ref.doc_ids):
            return None
        if not _mentioned(ref, top):
            return Refusal(
                "dokumen-tidak-ada",
                f"Dokumen yang Anda sebut ({ref.unresolved}) tidak ada di korpus, sehingga saya tidak dapat "
                "menjawab berdasarkan dokumen tersebut.",
            )
        pasal = re.escape(ref.pasal) if ref.pasal else r"\d+[a-z]?"
        request = q.asking
        asks = ref.pasal or _ASKS_WORDING.search(request) or _ASKS_CONTENT.search(request)
        if asks and not _mentioned(ref, top, pasal=pasal):
            return Refusal(
                "naskah-tidak-dimuat",
                f"Korpus hanya menyebut {ref.unresolved}, tetapi tidak memuat naskah atau isinya, jadi saya "
                "tidak dapat mengutip ketentuannya. Periksa naskah resminya di JDIH daerah yang bersangkutan.",
            )
        return None

    def _unread_document(self, q: Question, hits) -> Refusal | None:
        """The wording of a regulation outside the corpus that a corpus document only names
        ("isi lampiran Kepmen 11/2024", revoked by Kepmenpan 282/2025)."""
        ref = q.reference
        request = q.asking
        # "itu amanat pasal berapa UU 5/2014?" in a conversation whose document cites it asks where
        # that document cites it; what the outside regulation holds is still not known
        wording = not q.continuation.cited_in and _ASKS_WORDING.search(request)
        asks = wording or (not ref.named_directly and _ASKS_CONTENT.search(request))
        if not (ref.outside and asks):
            return None
        names = self._names(ref.doc_ids)
        return Refusal(
            "naskah-tidak-dimuat",
            f"Korpus tidak memuat naskah {ref.outside[0]}; {names} hanya menyebut hubungannya (misalnya "
            "pencabutan), jadi saya tidak dapat mengutip isinya. Periksa naskahnya di JDIH instansi penerbit.",
        )

    def _unknown_region(self, q: Question, hits) -> Refusal | None:
        """A region the corpus holds nothing about ("perwal kota Serang")."""
        places = [p for p in q.places if not self.speller.knows(p) and not set(tokens(p)) & QUESTION_WORDS]
        if not places:
            return None
        return Refusal(
            "daerah-tidak-ada",
            f"Korpus tidak memuat peraturan atau keterangan tentang daerah {', '.join(p.title() for p in places)}, "
            "jadi saya tidak dapat menjawab untuk daerah itu. Untuk daerah lain, periksa JDIH daerah yang bersangkutan.",
        )

    def _unknown_pasal(self, q: Question, hits) -> Refusal | None:
        """A Pasal of a corpus regulation that the corpus does not hold ("Pasal 99 Permenpan 45/2022")."""
        ref = q.reference
        if not (ref.pasal and ref.doc_ids and not any(h.exact for h in hits)):
            return None
        speaks_of = re.compile(rf"\bpasal\s+{re.escape(ref.pasal)}\b", re.I)
        # "Isi Pasal 22, Pasal 41, dan Pasal 49 tidak dibaca": the corpus's own note that it does not
        # hold what the Pasal says; a source naming the Pasal does not answer "apa isi Pasal 22?".
        unread = re.compile(
            rf"\bisi\b[^.]*\bpasal\s+{re.escape(ref.pasal)}\b[^.]*\btidak\s+(?:dibaca|diketahui)\b", re.I)
        request = q.asking
        of_named = [h.chunk.text for h in hits[:5] if h.chunk.doc_id in ref.doc_ids]
        declared_unread = _ASKS_CONTENT.search(request) and any(unread.search(text) for text in of_named)
        if not (declared_unread or _ASKS_WORDING.search(request)) and any(speaks_of.search(t) for t in of_named):
            return None  # what a source says of that Pasal ("Dirujuk — Pasal 108") answers, not its wording
        names = self._names(ref.doc_ids)
        return Refusal(
            "pasal-tidak-ada",
            f"Pasal {ref.pasal} {names} tidak terdapat di korpus (korpus hanya memuat pasal yang sudah "
            "diketahui isinya), jadi saya tidak dapat mengutipnya.",
        )

    def _unknown_ayat(self, q: Question, hits) -> Refusal | None:
        """An ayat the corpus does not hold of a Pasal it does ("Pasal 61 ayat (2) Perpres 95/2018"
        when only ayat (1) is known): quoting the Pasal's other ayat would answer another question."""
        ref = q.reference
        if not (ref.pasal and ref.ayat and ref.doc_ids and any(h.exact for h in hits)):
            return None
        chunks = self.state.chunks
        rows = [i for d in ref.doc_ids for i in self.state.by_doc_pasal.get((d, ref.pasal), [])]
        held = sorted({a for i in rows for a in _ayat_numbers(chunks[i])}, key=int)
        if not held or ref.ayat in held:
            return None  # a Pasal without numbered ayat, or the ayat is there
        names = self._names(ref.doc_ids)
        known = ", ".join(f"({a})" for a in held)
        return Refusal(
            "pasal-tidak-ada",
            f"Pasal {ref.pasal} ayat ({ref.ayat}) {names} tidak terdapat di korpus; dari Pasal {ref.pasal} korpus "
            f"hanya memuat ayat {known}, jadi saya tidak dapat mengutip ayat yang Anda minta.",
        )

    def _unheld_annex(self, q: Question, hits) -> Refusal | None:
        """The content of the annex (Lampiran) of a corpus document whose annex the corpus does not
        hold: the body's passages would answer another question ("isi lampiran Permenpan 25/2021")."""
        ref = q.reference
        if not (ref.named_directly and ref.doc_ids and _annex_of_named(q.spelled, ref)):
            return None
        request = q.asking
        if not (_ASKS_CONTENT.search(request) or _ASKS_TEXT.search(request)):
            return None
        if any(d in _with_annex(self.state) for d in ref.doc_ids):
            return None
        names = self._names(ref.doc_ids)
        return Refusal(
            "naskah-tidak-dimuat",
            f"Korpus memuat {names}, tetapi tidak memuat lampirannya, jadi saya tidak dapat mengutip isi "
            "lampiran itu. Periksa naskah resminya (beserta lampiran) di JDIH instansi penerbit.",
        )

    def unheld_articles(self, q: Question) -> Refusal | None:
        """The articles of a document of which the corpus holds a digest but no Pasal ("bisa kirim isi
        pasal-pasalnya?" of Perwal Cilegon 9/2023): its identity or summary would answer another
        question. A named Pasal is `_unknown_pasal`'s. Not in `before_compose`: the service asks
        it, and lets the document's own note that the wording is not known speak first."""
        ref, documents = q.reference, self.state.documents
        # named, or the conversation's document ("pasal2nya?"); regulations only (a news digest
        # that speaks of one has no articles to hold)
        regulations = [d for d in (ref.doc_ids or (q.conversation_docs if q.continues else []))
                       if d in documents and documents[d].jenis.lower() not in ("berita", "glosarium")]
        docs = regulations if ref.doc_ids else regulations[:1]
        # "judulnya apa, dan apakah isi pasal-pasalnya tersedia?": the other part is answered
        if ref.pasal or not docs or q.sub_questions or not _ASKS_ARTICLES.search(q.spelled):
            return None
        if any(d in _with_articles(self.state) for d in docs):
            return None
        names = self._names(docs)
        return Refusal(
            "naskah-tidak-dimuat",
            f"Korpus memuat ringkasan {names}, tetapi tidak memuat pasal-pasalnya, jadi saya tidak dapat "
            "mengutip bunyi pasalnya. Periksa naskah resminya di JDIH instansi penerbit.",
        )

    def _unheld_year(self, q: Question, hits) -> Refusal | None:
        """A year the message asks about ("nilai Indeks SPBE Cilegon tahun 2023", "per tahun 2024",
        "RPJMD 2021-2026") that none of the best passages, nor their documents' own year, speaks
        of: they are about another time, and a figure from them would answer another question.
        The year of a document the message names or identifies ("surat Mendagri April 2021") is
        its document's year."""
        years = _YEAR.findall(q.reference.strip_from(q.spelled))
        if not years:
            return None
        documents = self.state.documents
        spoken: set[str] = set()
        for hit in hits[:5]:
            meta = documents.get(hit.chunk.doc_id)
            spoken |= set(_YEAR.findall(f"{hit.chunk.heading or ''} {hit.chunk.text}"))
            if meta is not None:
                spoken |= {str(meta.tahun)} | ({str(meta.tanggal_ditetapkan.year)} if meta.tanggal_ditetapkan else set())
        unheld = [y for y in dict.fromkeys(years) if y not in spoken]
        if not unheld:
            return None
        return Refusal(
            "tahun-tidak-ada",
            f"Korpus tidak memuat keterangan tentang hal ini untuk tahun {', '.join(unheld)}: bagian yang membahasnya "
            "hanya menyebut tahun lain, jadi saya tidak akan menebak. Periksa sumber resmi untuk tahun tersebut.",
        )

    # ---- evidence -----------------------------------------------------------------------------
    def evidence_score(self, q: Question, hits: list[ScoredChunk], alone: bool = False) -> float:
        f = self.evidence_features(q, hits, alone)
        return (
            f["coverage"]
            + DENSE_WEIGHT * (f["dense"] - DENSE_CENTER)
            - UNKNOWN_WEIGHT * f["unknown"]
            - MISSING_WEIGHT * f["missing"]
        )

    def evidence_features(self, q: Question, hits: list[ScoredChunk], alone: bool = False) -> dict[str, float]:
        """What the evidence decision weighs (see MIN_EVIDENCE); with `alone`, for the message's own
        words only (not the topic a follow-up borrows from the conversation):

        - coverage: the largest share of the question's topic that one top passage holds, each
          word the user wrote one concept weighed by its rarest stem ("PNS", read as "pegawai
          negeri sipil", counts once, not three times; a passage holds it when it holds all its
          stems). One passage must hold the topic: words scattered over several passages
          are what an out-of-scope question that shares the domain's vocabulary looks like;
        - dense: the e5 similarity of the closest passage;
        - unknown: topic words the corpus never uses ("cuti", "CPNS", "rendang");
        - missing: the rarest topic word that no top passage holds, as a share of the rarest
          possible ("pensiun" in "batas usia pensiun JF ahli madya")."""
        state = self.state
        # Function words the corpus never uses ("walaupun") are no topic it could hold.
        ignore = QUESTION_WORDS | FRAME_WORDS.get(q.kind, frozenset()) | {
            t for t in function_stems() if t not in state.idf}
        # "mksd delayering itu apa sih? sering denger tp ga paham": a remark after the question
        # mark that asks nothing is, as the situation before it, no topic the corpus must hold.
        request = q.request
        remark = q.spelled[len(request):].strip()
        own = q.reference.strip_from(request)
        topic = own if alone else q.reference.strip_from(q.standalone)
        # "Setelah kasubid di Bappeda kami dihapus, ... . Siapa yang memutuskan ...?": the situation
        # a message describes first is not what the corpus must hold.
        situation, topic = situation_and_question(topic)
        situation = f"{situation} {q.reference.strip_from(remark)}".strip() if remark else situation
        own = situation_and_question(own)[1]
        concepts = _concepts(topic, ignore)
        if not concepts and situation:
            # "Di Setda ada aturan wali kota 2023 tentang koordinasi. Itu aturan nomor berapa?": a
            # question with no topic of its own points back at the situation, which is its topic.
            situation, topic = "", situation
            concepts = _concepts(topic, ignore)
            own = topic  # its words the corpus never uses count against it, as a question's would
        words = [w for concept in concepts for w in concept]
        weights = [max(state.idf_of(w) for w in concept) for concept in concepts]
        total = sum(weights)
        # The situation's words count where the passage holds them ("Dinas kami mau membentuk UPTD
        # baru. Kriteria apa yang wajib dipenuhi usulan itu?": the question leans on them), never
        # against it; not when the question itself brings a word the corpus never uses ("cuti
        # besar"): the situation would then lend support to what the corpus does not speak of.
        told = [] if any(w not in ignore for w in self.speller.unknown(topic)) else \
            [(c, max(state.idf_of(w) for w in c)) for c in _concepts(situation, ignore | set(words))]
        passages = [set(tokens(hit.chunk.text)) for hit in hits[:3]]
        coverage = 0.0
        if total:
            def share(p: set[str]) -> float:
                also = sum(w for c, w in told if set(c) <= p)
                return (sum(w for concept, w in zip(concepts, weights) if set(concept) <= p) + also) / (total + also)
            coverage = max((share(p) for p in passages), default=0.0)
        unknown = [w for w in self.speller.unknown(own) if w not in ignore]
        anywhere = set().union(*passages) if passages else set()
        missing = max((state.idf_of(w) for w in words if w in state.idf and w not in anywhere), default=0.0)
        return {
            "coverage": coverage,
            "dense": self._dense_top(hits),
            "unknown": float(len(unknown)),
            "missing": missing / state.unseen_idf if state.unseen_idf else 0.0,
        }

    def _dense_top(self, hits: list[ScoredChunk]) -> float:
        if self.mode == "bm25":
            return 1.0
        return max((h.dense_score for h in hits if h.dense_score is not None), default=0.0)

    def _names(self, doc_ids) -> str:
        return ", ".join(self._name(d) for d in doc_ids)

    def _name(self, doc_id: str) -> str:
        meta = self.state.documents.get(doc_id)
        return meta.short_name if meta else doc_id


_NOT_FOUND: list = [(None, 0, "")]  # (the catalogue the message was written for, its size, the message)


def not_found(documents: dict[str, DocumentMeta]) -> str:
    # Written once per catalogue (an index state's documents never change): at 25,000 documents
    # the list of topics took ~10 ms of every refusal.
    cached = _NOT_FOUND[0]
    if cached[0] is not documents or cached[1] != len(documents):
        cached = _NOT_FOUND[0] = (documents, len(documents), _not_found(documents))
    return cached[2]


def _not_found(documents: dict[str, DocumentMeta]) -> str:
    topics = sorted({m.short_name for m in documents.values() if m.jenis.lower() not in ("berita", "glosarium")})
    covered = "; ".join(topics[:8]) + ("; dan lainnya" if len(topics) > 8 else "")
    return (
        "Maaf, saya tidak menemukan dasar hukum untuk pertanyaan ini di korpus, jadi saya tidak akan menebak. "
        f"Korpus memuat regulasi penyederhanaan birokrasi, antara lain: {covered}. "
        "Coba sebutkan nama jabatan, topik (mis. penyetaraan jabatan, sistem kerja, jabatan pelaksana) "
        "atau nomor peraturan dan pasalnya."
    )


def outside_filters(q: Question, answering_docs: list[str], documents: dict[str, DocumentMeta]) -> Refusal:
    """The selected documents do not hold the answer, though others in the corpus do."""
    names = ", ".join(documents[d].short_name if d in documents else d for d in dict.fromkeys(answering_docs))
    chosen = "; ".join(q.filters_named)
    return Refusal(
        "di-luar-filter",
        f"Jawabannya tidak ditemukan dalam dokumen yang dipilih ({chosen}). Dokumen lain di korpus memuat "
        f"hal ini: {names}. Hapus atau ubah filter untuk melihat jawabannya.",
    )


_HELD: dict = {}  # what -> (a weak reference to the index state, the documents holding it)
# The articles of a document as a whole ("isi pasal-pasalnya", "pasal2nya", "bunyi pasalnya").
_ASKS_ARTICLES = re.compile(
    r"\b(?:pasal-pasal|pasal2|psl2)nya\b|\b(?:isi|bunyi|teks|naskah)\s+(?:pasal-pasal|pasal2|pasal|psl)(?:nya)?\b(?!\s*\d)",
    re.I)


def _annex_of_named(question: str, ref: Reference) -> bool:
    """"lampiran Permenpan RB 25/2021", "Permenpan 25/2021 lampirannya": the annex of the named
    document, not another attachment ("lampiran usulan penyetaraan")."""
    text = question.lower()
    if re.search(r"\blampirannya\b", text):
        return True
    return any(re.search(rf"\blampiran\s+(?:dari\s+|pada\s+)?{re.escape(m.lower())}", text) for m in ref.mentions)


def _with_annex(state) -> frozenset[str]:
    """The documents of which the index holds annex passages (bagian "Lampiran", or a heading that
    names the Lampiran)."""
    return _documents_with(state, "annex", lambda c: c.bagian == "Lampiran" or bool(c.heading and _ANNEX.search(c.heading)))


def _with_articles(state) -> frozenset[str]:
    """The documents of which the index holds Pasal passages."""
    return _documents_with(state, "articles", lambda c: bool(c.pasal))


def _documents_with(state, what: str, holds) -> frozenset[str]:
    """The documents with a passage that `holds`, read once per index state; the state is held
    weakly (at x1000 it is large)."""
    cached = _HELD.get(what)
    if cached is None or cached[0]() is not state:
        cached = _HELD[what] = (weakref.ref(state), frozenset(c.doc_id for c in state.chunks if holds(c)))
    return cached[1]


_AYAT_MARK = re.compile(r"^\((\d+)\)\s", re.M)
# A year written alone ("tahun 2023", "per 2024", "2021-2026"), not inside a number ("060/328/org/2023").
_YEAR = re.compile(r"(?<![\d/.])(?:19|20)\d\d(?![\d/])")


def _ayat_numbers(chunk) -> set[str]:
    """The ayat numbers a chunk holds: its own ("1", "1-3") or the "(n)" that open its lines."""
    numbers = set(_AYAT_MARK.findall(chunk.text))
    if chunk.ayat:
        first, _, last = chunk.ayat.partition("-")
        if first.isdigit() and (last or first).isdigit():
            numbers |= {str(n) for n in range(int(first), int(last or first) + 1)}
    return numbers


def _concepts(text: str, ignore: frozenset[str]) -> list[tuple[str, ...]]:
    """The topic stems of `text` as `word_groups` reads them, without ignored words or repeats."""
    concepts: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for group in word_groups(text):
        concept = tuple(t for t in group if t not in ignore and t not in seen)
        if concept:
            concepts.append(concept)
            seen.update(concept)
    return concepts


def _mentioned(ref: Reference, hits: list[ScoredChunk], pasal: str | None = None) -> bool:
    """Whether the passages speak of the regulation outside the corpus that the question names
    (e.g. "PP 18/2016" cited by a Surat Mendagri), or of a Pasal of it (`pasal`, a pattern:
    "Pasal 40 ayat (10) PP Nomor 18 Tahun 2016"): then they can still answer."""
    numbers = re.findall(r"\d+", re.sub(r"\bpasal\s+\d+\w?", " ", ref.unresolved or "", flags=re.I))
    if len(numbers) < 2 or not ref.unresolved_kind:
        return False
    nomor, tahun = numbers[0], numbers[-1]
    at_pasal = rf"\bpasal\s+{pasal}\b[^.;]{{0,40}}?" if pasal else ""
    pattern = re.compile(
        rf"{at_pasal}\b(?:{ref.unresolved_kind})\b[\w\s.]{{0,30}}?\b{nomor}\s*(?:/|tahun)\s*{tahun}\b", re.I
    )
    return any(pattern.search(h.chunk.text) for h in hits)
