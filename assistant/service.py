"""The assistant: question (+ history) → standalone question → retrieve → compose → Answer.

The chain is an LCEL pipeline of small steps, so each step can be swapped or reused; `ask`
runs it and `ask_stream` streams the composed text. One Assistant per process holds the model
and the index; it is safe to call from several threads.
"""
from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Iterator, Sequence

from langchain_core.runnables import RunnableLambda

from .amendments import current_view
from .citations import warnings_for
from .compose import Composer, Composition, Evidence, make_composer
from .compose.extractive import FRAME_WORDS, QUESTION_WORDS, question_kind, situation_and_question
from .config import Settings, get_settings, setup_offline_env
from .errors import InvalidInput
from .followup import Standalone, make_standalone
from .index import IndexStore
from .records import Answer, ChunkRecord, DocumentMeta, Filters, RetrievedRef, ScoredChunk, Turn
from .references import Reference, ReferenceResolver, named_places
from .retrieval import HybridRetriever, Mode, fuse
from .spelling import Speller
from .text import standardize, tokens, with_related_terms

# Evidence needed to answer, tuned on the dev split (evals/questions/dev.jsonl; see
# `evidence_features`): the idf-weighted share of the question's topic words that the best passage
# holds, plus how close the best passage is in the dense space (e5 similarities of related
# Indonesian text sit near 0.85), less a little for each topic word the corpus never uses and for
# the rarest topic word no top passage holds.
MIN_EVIDENCE = 0.33
DENSE_CENTER = 0.85
DENSE_WEIGHT = 1.0
UNKNOWN_WEIGHT = 0.1
MISSING_WEIGHT = 0.05


@dataclass
class _Turn:
    """What flows through the chain for one question."""

    question: str  # as asked
    history: list[Turn]
    filters: Filters | None
    k: int
    started: float
    reference: Reference | None = None
    standalone: Standalone | None = None
    hits: list[ScoredChunk] | None = None
    refusal: str | None = None
    spelled: str = ""  # the question in the corpus's spelling (typos and chat verbs fixed)


class Assistant:
    def __init__(self, settings: Settings, retriever_mode: Mode = "hybrid", composer: Composer | None = None):
        self.settings = settings
        self.store = IndexStore(settings)
        self._embeddings = None
        self.mode = retriever_mode
        self.composer = composer or make_composer(settings)
        self._resolver: tuple[int, ReferenceResolver] | None = None
        self._speller: tuple[int, Speller] | None = None
        self._dense_baseline = None
        self.chain = (
            RunnableLambda(self._understand, name="understand")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._decide, name="decide")
        )

    # ---- parts ------------------------------------------------------------------------------
    @property
    def embeddings(self):
        if self._embeddings is None:
            from .embeddings import get_embeddings

            self._embeddings = get_embeddings(self.settings)
        return self._embeddings

    def retriever(self, k: int | None = None, filters: Filters | None = None) -> HybridRetriever:
        return HybridRetriever(
            store=self.store,
            embeddings=self.embeddings,
            mode=self.mode,
            k=k or self.settings.top_k,
            candidates=self.settings.candidates,
            rrf_k=self.settings.rrf_k,
            filters=filters,
        )

    def resolver(self) -> ReferenceResolver:
        state = self.store.state()
        if self._resolver is None or self._resolver[0] != state.generation:
            self._resolver = (state.generation, ReferenceResolver(state.documents))
        return self._resolver[1]

    def speller(self) -> Speller:
        state = self.store.state()
        if self._speller is None or self._speller[0] != state.generation:
            self._speller = (state.generation, Speller.from_texts((c.text for c in state.chunks), state.idf))
        return self._speller[1]

    def warm_up(self) -> None:
        """Loads the model, the index and the speller's vocabulary now rather than on the first question."""
        self.store.state()
        self.speller()
        self.embeddings.embed_query("pemanasan")

    # ---- public API -------------------------------------------------------------------------
    def ask(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None, k: int | None = None
    ) -> Answer:
        turn = self.chain.invoke(self._start(question, history, filters, k))
        return self._finish(turn, self._compose(turn))

    def ask_stream(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None, k: int | None = None
    ) -> Iterator[tuple[str, object]]:
        turn = self.chain.invoke(self._start(question, history, filters, k))
        if turn.refusal is not None:
            answer = self._finish(turn, None)
            yield "delta", answer.answer
        else:
            composition = None
            for piece in self.composer.stream(self._evidence(turn)):
                if isinstance(piece, Composition):
                    composition = piece
                else:
                    yield "delta", piece
            answer = self._finish(turn, composition)
        yield "citations", answer.citations
        yield "done", answer

    def search(
        self, query: str, filters: Filters | None = None, k: int | None = None, history: Sequence[Turn] = ()
    ) -> list[ScoredChunk]:
        turn = self._retrieve(self._understand(self._start(query, history, filters, k or 10)))
        return turn.hits or []

    def documents(self) -> list[DocumentMeta]:
        return sorted(self.store.state().documents.values(), key=lambda m: (m.jenis, -(m.tahun or 0), m.doc_id))

    def document(self, doc_id: str) -> tuple[DocumentMeta, list[ChunkRecord]]:
        state = self.store.state()
        if doc_id not in state.documents:
            raise InvalidInput(f"Dokumen '{doc_id}' tidak ada di korpus.")
        chunks = [c for c in state.chunks if c.doc_id == doc_id]
        return state.documents[doc_id], chunks

    def readiness(self) -> dict:
        state_ok = True
        try:
            state = self.store.state()
        except Exception:
            state_ok, state = False, None
        return {
            "model": self._embeddings is not None,
            "index": state_ok and state is not None and not state.empty,
            "chroma": self.store.ping(),
            "chunks": len(state.chunks) if state else 0,
            "documents": len(state.documents) if state else 0,
        }

    # ---- chain steps ------------------------------------------------------------------------
    def _start(self, question, history, filters, k) -> _Turn:
        question = (question or "").strip()
        if not question:
            raise InvalidInput("Pertanyaan kosong; tuliskan pertanyaan Anda.")
        return _Turn(question, list(history), filters, k or self.settings.top_k, time.perf_counter())

    def _understand(self, turn: _Turn) -> _Turn:
        resolver = self.resolver()
        turn.spelled = self.speller().correct(turn.question)
        turn.reference = resolver.resolve(turn.spelled)
        turn.standalone = make_standalone(turn.spelled, turn.history, resolver, turn.reference)
        if turn.standalone.reference is not None:
            turn.reference = turn.standalone.reference
        return turn

    def _retrieve(self, turn: _Turn) -> _Turn:
        ref = turn.reference
        if self.mode == "dense":
            turn.hits = self._dense_baseline_search(turn.standalone.question, turn.filters, max(turn.k, 10))
            return turn
        retriever = self.retriever(k=max(turn.k, 10), filters=turn.filters)
        query = with_related_terms(turn.standalone.question)
        hits = retriever.search(query, reference=ref, boost_docs=turn.standalone.boost_docs)
        if turn.standalone.context and turn.standalone.boost_docs and not (ref and ref.pasal):
            # A follow-up ("itu ditetapkan kapan?") asks something new about the same documents:
            # search its own words there too, and fuse the two rankings.
            scoped = Filters(**{**(turn.filters.model_dump() if turn.filters else {}), "doc_id": turn.standalone.boost_docs})
            own = retriever.search(turn.spelled, filters=scoped)
            hits = fuse([hits, own], self.settings.rrf_k)
        turn.hits = current_view(hits, self.store.state())  # an amended Pasal answers as amended
        return turn

    def _decide(self, turn: _Turn) -> _Turn:
        """Refuses when the corpus holds no basis: better an honest 'not found' than a guess."""
        ref, hits = turn.reference, turn.hits or []
        for rule in (self._unknown_document, self._unread_document, self._unknown_region, self._unknown_pasal):
            message = rule(turn)
            if message:
                turn.refusal = message
                return turn
        if not hits:
            turn.refusal = self._not_found_message()
            return turn
        if any(h.exact for h in hits) or (ref and ref.doc_ids and hits[0].chunk.doc_id in ref.doc_ids):
            return turn  # the question names a document the corpus holds
        if turn.standalone.boost_docs and hits[0].chunk.doc_id in turn.standalone.boost_docs:
            return turn  # a follow-up about the documents the conversation is about
        if self.evidence_score(turn) < MIN_EVIDENCE:
            turn.refusal = self._not_found_message()
        return turn

    # ---- refusal rules: each returns the plain message, or None when it does not apply ------
    def _unknown_document(self, turn: _Turn) -> str | None:
        """A regulation the corpus neither holds nor speaks of; or one it only mentions, asked for
        its wording (unless the passages name the Pasal asked about: "Pasal 40 ayat (10) PP 18/2016")."""
        ref, hits = turn.reference, (turn.hits or [])[:5]
        if not (ref and ref.unresolved and not ref.doc_ids):
            return None
        if not _mentioned(ref, hits):
            return (
                f"Dokumen yang Anda sebut ({ref.unresolved}) tidak ada di korpus, sehingga saya tidak dapat "
                "menjawab berdasarkan dokumen tersebut."
            )
        pasal = re.escape(ref.pasal) if ref.pasal else r"\d+[a-z]?"
        if (ref.pasal or _ASKS_WORDING.search(turn.spelled)) and not _mentioned(ref, hits, pasal=pasal):
            return (
                f"Korpus hanya menyebut {ref.unresolved}, tetapi tidak memuat naskah atau isinya, jadi saya "
                "tidak dapat mengutip ketentuannya. Periksa naskah resminya di JDIH daerah yang bersangkutan."
            )
        return None

    def _unread_document(self, turn: _Turn) -> str | None:
        """The wording of a regulation outside the corpus that a corpus document only names
        ("isi lampiran Kepmen 11/2024", revoked by Kepmenpan 282/2025)."""
        ref = turn.reference
        if not (ref and ref.outside and _ASKS_WORDING.search(turn.spelled)):
            return None
        names = ", ".join(self._name(d) for d in ref.doc_ids)
        return (
            f"Korpus tidak memuat naskah {ref.outside[0]}; {names} hanya menyebut hubungannya (misalnya "
            "pencabutan), jadi saya tidak dapat mengutip isinya. Periksa naskahnya di JDIH instansi penerbit."
        )

    def _unknown_region(self, turn: _Turn) -> str | None:
        """A region the corpus holds nothing about ("perwal kota Serang")."""
        places = [
            p for p in named_places(turn.question) if not self.speller().knows(p) and not set(tokens(p)) & QUESTION_WORDS
        ]
        if not places:
            return None
        return (
            f"Korpus tidak memuat peraturan atau keterangan tentang daerah {', '.join(p.title() for p in places)}, "
            "jadi saya tidak dapat menjawab untuk daerah itu. Untuk daerah lain, periksa JDIH daerah yang bersangkutan."
        )

    def _unknown_pasal(self, turn: _Turn) -> str | None:
        """A Pasal of a corpus regulation that the corpus does not hold ("Pasal 99 Permenpan 45/2022")."""
        ref = turn.reference
        if not (ref and ref.pasal and ref.doc_ids and not any(h.exact for h in turn.hits or [])):
            return None
        names = ", ".join(self._name(d) for d in ref.doc_ids)
        return (
            f"Pasal {ref.pasal} {names} tidak terdapat di korpus (korpus hanya memuat pasal yang sudah "
            "diketahui isinya), jadi saya tidak dapat mengutipnya."
        )

    def evidence_score(self, turn: _Turn) -> float:
        f = self.evidence_features(turn)
        return (
            f["coverage"]
            + DENSE_WEIGHT * (f["dense"] - DENSE_CENTER)
            - UNKNOWN_WEIGHT * f["unknown"]
            - MISSING_WEIGHT * f["missing"]
        )

    # ---- evidence ---------------------------------------------------------------------------
    def evidence_features(self, turn: _Turn) -> dict[str, float]:
        """What the evidence decision weighs (see MIN_EVIDENCE):

        - coverage: the largest idf-weighted share of the question's topic words that one top
          passage holds. One passage must hold the topic: words scattered over several passages
          are what an out-of-scope question that shares the domain's vocabulary looks like;
        - dense: the e5 similarity of the closest passage;
        - unknown: topic words the corpus never uses ("cuti", "CPNS", "rendang");
        - missing: the rarest topic word that no top passage holds, as a share of the rarest
          possible ("pensiun" in "batas usia pensiun JF ahli madya")."""
        state = self.store.state()
        kind = _kind(turn)
        ignore = QUESTION_WORDS | FRAME_WORDS.get(kind, frozenset())
        topic = turn.reference.strip_from(turn.standalone.question) if turn.reference else turn.standalone.question
        own = turn.reference.strip_from(turn.spelled) if turn.reference else turn.spelled
        # "Setelah kasubid di Bappeda kami dihapus, ... . Siapa yang memutuskan ...?": the situation
        # a message describes first is not what the corpus must hold.
        topic, own = situation_and_question(topic)[1], situation_and_question(own)[1]
        words = [t for t in dict.fromkeys(tokens(topic)) if t not in ignore]
        total = sum(state.idf_of(w) for w in words)
        passages = [set(tokens(hit.chunk.text)) for hit in (turn.hits or [])[:3]]
        coverage = 0.0
        if total:
            coverage = max((sum(state.idf_of(w) for w in words if w in p) / total for p in passages), default=0.0)
        unknown = [w for w in self.speller().unknown(own) if w not in ignore]
        anywhere = set().union(*passages) if passages else set()
        missing = max((state.idf_of(w) for w in words if w in state.idf and w not in anywhere), default=0.0)
        return {
            "coverage": coverage,
            "dense": self._dense_top(turn),
            "unknown": float(len(unknown)),
            "missing": missing / state.unseen_idf if state.unseen_idf else 0.0,
        }

    def _dense_top(self, turn: _Turn) -> float:
        if self.mode == "bm25":
            return 1.0
        return max((h.dense_score for h in turn.hits or [] if h.dense_score is not None), default=0.0)

    def _evidence(self, turn: _Turn) -> Evidence:
        state = self.store.state()
        topic = turn.reference.strip_from(turn.spelled) if turn.reference else turn.spelled
        return Evidence(
            question=with_related_terms(topic),
            context=turn.standalone.context if turn.standalone else "",
            kind=_kind(turn),
            hits=_answer_hits(turn.hits or [], max(turn.k, 8)),
            documents=state.documents,
            idf=state.idf_of,
            known=state.idf.__contains__,
            ayat=turn.reference.ayat if turn.reference else None,
            huruf=turn.reference.huruf if turn.reference else None,
            named_docs=list(turn.reference.doc_ids) if turn.reference else [],
            conversation_docs=list(turn.standalone.boost_docs) if turn.standalone else [],
            place_docs=_docs_of_places(turn.spelled, state.documents),
        )

    def _compose(self, turn: _Turn) -> Composition | None:
        if turn.refusal is not None:
            return None
        return self.composer.compose(self._evidence(turn))

    def _finish(self, turn: _Turn, composition: Composition | None) -> Answer:
        documents = self.store.state().documents
        retrieved = [
            RetrievedRef(doc_id=h.chunk.doc_id, pasal=h.chunk.pasal, chunk_id=h.chunk.chunk_id, score=round(h.score, 6))
            for h in (turn.hits or [])
        ]
        if composition is None or not composition.citations:
            message = turn.refusal or (composition and composition.refusal) or self._not_found_message()
            return Answer(
                question=turn.question,
                answer=message,
                found=False,
                retrieved=retrieved,
                latency_ms=round((time.perf_counter() - turn.started) * 1000, 1),
                answer_id=uuid.uuid4().hex,
                standalone_question=turn.standalone.question if turn.standalone else None,
            )
        warnings = composition.warnings + warnings_for(composition.citations, documents)
        return Answer(
            question=turn.question,
            answer=composition.answer,
            found=True,
            citations=composition.citations,
            retrieved=retrieved,
            warnings=warnings,
            latency_ms=round((time.perf_counter() - turn.started) * 1000, 1),
            answer_id=uuid.uuid4().hex,
            standalone_question=turn.standalone.question if turn.standalone else None,
        )

    def _name(self, doc_id: str) -> str:
        meta = self.store.state().documents.get(doc_id)
        return meta.short_name if meta else doc_id

    def _not_found_message(self) -> str:
        state = self.store.state()
        topics = sorted({m.short_name for m in state.documents.values() if m.jenis.lower() not in ("berita", "glosarium")})
        covered = "; ".join(topics[:8]) + ("; dan lainnya" if len(topics) > 8 else "")
        return (
            "Maaf, saya tidak menemukan dasar hukum untuk pertanyaan ini di korpus, jadi saya tidak akan menebak. "
            f"Korpus memuat regulasi penyederhanaan birokrasi, antara lain: {covered}. "
            "Coba sebutkan nama jabatan, topik (mis. penyetaraan jabatan, sistem kerja, jabatan pelaksana) "
            "atau nomor peraturan dan pasalnya."
        )

    # ---- the plain LangChain baseline (evals and benchmarks) --------------------------------
    def _dense_baseline_search(self, query: str, filters: Filters | None, k: int) -> list[ScoredChunk]:
        """A stock langchain-chroma retriever, so every figure of ours has a plain baseline beside it."""
        from langchain_chroma import Chroma

        from .index import chroma_where, collection_name

        if self._dense_baseline is None:
            self._dense_baseline = Chroma(
                client=self.store.client(),
                collection_name=collection_name(self.settings),
                embedding_function=self.embeddings,
            )
        state = self.store.state()
        pairs = self._dense_baseline.similarity_search_with_score(query, k=k + 8, filter=chroma_where(filters))
        hits = []
        for doc, distance in pairs:
            pos = state.position.get(doc.id)
            if pos is not None:
                sim = 1.0 - float(distance)
                hits.append(ScoredChunk(chunk=state.chunks[pos], score=sim, dense_score=sim, dense_rank=len(hits) + 1))
        return hits[:k]


# A question about the wording of a regulation ("bunyinya", "isi lampirannya", "pasal yang mengatur ...").
_ASKS_WORDING = re.compile(r"\bbunyi\w*|\blampiran\w*|\b(?:pasal|psl)\s+(?:yang|yg|mana|berapa|brp)\b", re.I)


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


_PLACE_IN_TITLE = re.compile(r"\b(?:[Kk]ota|[Kk]abupaten|[Pp]rovinsi)\s+([A-Z][a-z]+)")


def _docs_of_places(question: str, documents: dict[str, DocumentMeta]) -> list[str]:
    """Documents of a region the question names ("di Cilegon" → Perwal Cilegon, the Cilegon reports)."""
    words = set(re.findall(r"[a-z]+", question.lower()))
    return [
        doc_id for doc_id, meta in documents.items()
        if any(place.lower() in words for place in _PLACE_IN_TITLE.findall(f"{meta.jenis} {meta.judul}"))
    ]


def _kind(turn: _Turn) -> str:
    """The kind of the question, or of the question it follows up when it has none of its own."""
    kind = question_kind(standardize(turn.spelled))
    if kind == "umum" and turn.standalone and turn.standalone.context:
        kind = question_kind(standardize(turn.standalone.context))
    return kind


def _answer_hits(hits: list[ScoredChunk], limit: int) -> list[ScoredChunk]:
    """When the question named a Pasal, the answer quotes that Pasal (and its Penjelasan) only."""
    exact = [h for h in hits if h.exact]
    if exact:
        ids = {(h.chunk.doc_id, h.chunk.pasal) for h in exact}
        return [h for h in hits if h.exact or (h.chunk.bagian == "Penjelasan" and (h.chunk.doc_id, h.chunk.pasal) in ids)]
    return hits[:limit]


def build_assistant(settings: Settings | None = None, retriever: Mode = "hybrid") -> Assistant:
    setup_offline_env()
    return Assistant(settings or get_settings(), retriever_mode=retriever)
