"""The assistant: question (+ history) → standalone question → retrieve → compose → Answer.

The chain is an LCEL pipeline of small steps, so each step can be swapped or reused; `ask`
runs it and `ask_stream` streams the composed text. One Assistant per process holds the model
and the index; it is safe to call from several threads.
"""
from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterator, Sequence

from langchain_core.runnables import Runnable

from .amendments import current_view
from .citations import warnings_for
from .compose import Composer, Composition, Evidence, declared_unknown, make_composer
from .config import Settings, get_settings, setup_offline_env
from .errors import InvalidInput
from .index import IndexStore, freeze_long_lived
from .records import Answer, ChunkRecord, DocumentMeta, Filters, RetrievedRef, ScoredChunk, Turn
from .references import ReferenceResolver
from .refusal import Refusal, RefusalRules, not_found, outside_filters
from .retrieval import HybridRetriever, Mode, fuse
from .spelling import Speller
from .text import tokens, with_related_terms
from .understanding import GUESSED_CONTINUATIONS, Continuation, Question, new_concepts, places_of_documents, understand

# Refusals for lack of evidence in what was searched: with filters set, the rest of the corpus may
# hold the answer (then the refusal names the filter).
_FOR_LACK_OF_EVIDENCE = frozenset(
    {"tidak-ada-hasil", "bukti-lemah", "jenis-tidak-terpenuhi", "tidak-ada-kutipan", "dinyatakan-tidak-diketahui"}
)

# A follow-up continued on a guess (GUESSED_CONTINUATIONS) that brings this many new concepts is
# also read alone; with READ_ALONE_CONCEPTS or more, the alone reading answers when its evidence
# for the message's own words beats the conversation reading's by READ_ALONE_MARGIN (an
# evidence-score difference, see refusal.evidence_score). Chosen on the dev conversations.
READ_ALONE_MIN_CONCEPTS = 2
READ_ALONE_CONCEPTS = 3
READ_ALONE_MARGIN = 0.15


class _Step(Runnable):
    """One chain step that calls one method. RunnableLambda inspects its function's signature on
    every call (four `inspect.signature` per step, ~0.8 ms of a ~10 ms answer); the sequence
    around the steps still runs LangChain's callbacks (one chain run per question)."""

    def __init__(self, func, name: str):
        self.func = func
        self.name = name

    def invoke(self, input, config=None, **kwargs):  # noqa: A002 - LangChain's parameter name
        return self.func(input)


@dataclass
class _Turn:
    """What flows through the chain for one question."""

    question: str  # as asked
    history: list[Turn]
    filters: Filters | None
    k: int
    started: float
    understood: Question | None = None
    hits: list[ScoredChunk] | None = None
    refusal: Refusal | None = None


class Assistant:
    def __init__(self, settings: Settings, retriever_mode: Mode = "hybrid", composer: Composer | None = None,
                 store: IndexStore | None = None):
        self.settings = settings
        self.store = store or IndexStore(settings)  # a store given keeps the state it already loaded
        self._embeddings = None
        self.mode = retriever_mode
        self.composer = composer or make_composer(settings)
        self._resolver: tuple[int, ReferenceResolver] | None = None
        self._speller: tuple[int, Speller] | None = None
        self._dense_baseline = None
        self.chain = (
            _Step(self._understand, "understand")
            | _Step(self._retrieve, "retrieve")
            | _Step(self._decide, "decide")
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
        state = self.store.state()
        self.speller()
        self.resolver()
        self.embeddings.embed_query("pemanasan")
        freeze_long_lived(state)  # the speller's and the resolver's tables are as long-lived

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
            composition, streamed = None, False
            for piece in self.composer.stream(self._evidence(turn)):
                if isinstance(piece, Composition):
                    composition = piece
                else:
                    streamed = True
                    yield "delta", piece
            answer = self._finish(turn, composition)
            if not answer.found and not streamed:
                yield "delta", answer.answer  # the composer's own refusal
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

    def _understand(self, turn: _Turn, in_conversation: bool = False) -> _Turn:
        state = self.store.state()
        turn.understood = understand(turn.question, turn.history, turn.filters, self.resolver(), self.speller(),
                                     state.documents, locate=self._locate, cites=self._cites,
                                     in_conversation=in_conversation)
        return turn

    def _locate(self, text: str) -> str | None:
        """The document of the passage a lexical (BM25) search of `text` ranks first."""
        state = self.store.state()
        if state.empty:
            return None
        best = self.retriever(k=1).lexical(state, text, 1)
        return state.chunks[best[0][0]].doc_id if best else None

    def _cites(self, name: str, doc_ids: Sequence[str]) -> str | None:
        """The first of `doc_ids` whose passages name the regulation `name` ("UU 5/2014": a
        "5/2014" or "5 Tahun 2014" in the text)."""
        numbers = re.findall(r"\d+", name)
        if len(numbers) < 2:
            return None
        pattern = _naming(numbers[0], numbers[-1])
        wanted = set(doc_ids)
        naming = {c.doc_id for c in self.store.state().chunks if c.doc_id in wanted and pattern.search(c.text)}
        return next((d for d in doc_ids if d in naming), None)

    def _retrieve(self, turn: _Turn) -> _Turn:
        turn.hits = self._hits(turn.understood, turn.filters, max(turn.k, 10))
        return turn

    def _hits(self, q: Question, filters: Filters | None, k: int) -> list[ScoredChunk]:
        if self.mode == "dense":
            return self._dense_baseline_search(q.standalone, filters, k)
        return self._search(q, filters, k)

    def _search(self, q: Question, filters: Filters | None, k: int) -> list[ScoredChunk]:
        ref = q.reference
        retriever = self.retriever(k=k, filters=filters)
        boost = q.conversation_docs if q.continues else []
        hits = retriever.search(with_related_terms(q.standalone), reference=ref, boost_docs=boost)
        hits = self._speaking_of_named(q, hits, retriever, filters)
        if q.continues and boost and not ref.pasal:
            # A follow-up ("itu ditetapkan kapan?") asks something new about the same documents:
            # search its own words there too, and fuse the two rankings.
            scoped = Filters(**{**(filters.model_dump() if filters else {}), "doc_id": boost})
            own = retriever.search(q.spelled, filters=scoped)
            hits = fuse([hits, own], self.settings.rrf_k)
            hits = self._beyond_conversation_docs(q, hits, own, retriever)
        return current_view(hits, self.store.state())  # an amended Pasal answers as amended

    def _beyond_conversation_docs(self, q: Question, hits: list[ScoredChunk], own: list[ScoredChunk],
                                  retriever: HybridRetriever) -> list[ScoredChunk]:
        """"Jabatan pelaksana itu apa menurut UU ASN 2023?" - "klasifikasinya apa aja?": the
        follow-up's new word is in none of the passages that the conversation's documents offer
        for it (`own`, the message's words searched there: UU 20/2023 does not classify them).
        Its words with the earlier topic, without the documents' names, are searched everywhere
        (lexically, no second encoding); a passage that holds the new word and more of the topic
        comes first."""
        state = self.store.state()
        if q.continuation.document_level or not q.continuation.new_words \
                or q.continuation.reason in GUESSED_CONTINUATIONS:
            return hits  # a guessed continuation is read alone instead (`_read_alone`)
        new = [t for t in q.continuation.new_words if t in state.idf]
        if not new:
            return hits
        rarest = max(new, key=state.idf_of)
        # the texts' word for it counts too ("tanda tangan": "ditandatangani", related_terms)
        said = {rarest} | (set(tokens(with_related_terms(q.spelled))) - set(tokens(q.spelled)))
        if any(said & (passage_tokens_of(h.chunk) | set(tokens(h.chunk.heading or "")))
               for h in [*hits[:3], *own[:5]]):
            return hits
        context = self.resolver().resolve(q.context).strip_from(q.context)
        topic = [t for t in dict.fromkeys(tokens(context)) if t in state.idf] + new

        def held(hit: ScoredChunk) -> float:
            stems = passage_tokens_of(hit.chunk)
            return sum(state.idf_of(t) for t in topic if t in stems)

        best_here = max((held(h) for h in hits[:3]), default=0.0)
        top = hits[0].score if hits else 0.0  # placed first, on the fused list's scale
        wider = [ScoredChunk(chunk=state.chunks[p], score=top)
                 for p, _ in retriever.lexical(state, with_related_terms(f"{q.spelled} {context}"), 10)]
        holding = [h for h in wider if rarest in passage_tokens_of(h.chunk) and held(h) > best_here]
        if not holding:
            return hits
        first = {h.chunk.chunk_id for h in holding[:2]}
        return holding[:2] + [h for h in hits if h.chunk.chunk_id not in first]

    def _speaking_of_named(self, q: Question, hits: list[ScoredChunk], retriever: HybridRetriever,
                           filters: Filters | None) -> list[ScoredChunk]:
        """"Istilah klerek itu dari Permenpan 34/2011, bener?": the named document's passages do not
        hold the message's most specific word, another document's passage that names it does (a
        note on the attribution): that passage comes first. Searched (lexically, no second
        encoding) only in that case."""
        ref = q.reference
        if not ref.doc_ids or ref.pasal or q.continues:
            return hits
        state = self.store.state()
        known = [t for t in q.topic if t in state.idf]
        if len(known) < 2:  # a topic of one word ("tepatnya") is too little to look elsewhere for
            return hits
        rarest = max(known, key=state.idf_of)
        if any(rarest in passage_tokens_of(h.chunk) for h in hits[:3]):
            return hits

        def held(hit: ScoredChunk) -> float:  # how much of the topic a passage holds, by idf
            stems = passage_tokens_of(hit.chunk)
            return sum(state.idf_of(t) for t in known if t in stems)

        best_named = max((held(h) for h in hits[:3]), default=0.0)
        # a lexical search (no second encoding): the note names the document and the word itself
        top = hits[0].score if hits else 0.0  # placed first, on the fused list's scale
        wider = [ScoredChunk(chunk=state.chunks[p], score=top)
                 for p, _ in retriever.lexical(state, with_related_terms(q.standalone), 10, filters)]
        naming = [h for h in wider if h.chunk.doc_id not in ref.doc_ids and rarest in passage_tokens_of(h.chunk)
                  and held(h) > best_named and self._names_any(h.chunk.text, ref.doc_ids)]
        if not naming:
            return hits
        first = {h.chunk.chunk_id for h in naming[:2]}
        return naming[:2] + [h for h in hits if h.chunk.chunk_id not in first]

    def _names_any(self, text: str, doc_ids: Sequence[str]) -> bool:
        """Whether `text` names one of the documents by its number and year ("34 Tahun 2011", "34/2011")."""
        documents = self.store.state().documents
        for doc_id in doc_ids:
            meta = documents.get(doc_id)
            if meta and meta.nomor and meta.tahun and _naming(meta.nomor, str(meta.tahun)).search(text):
                return True
        return False

    def _decide(self, turn: _Turn) -> _Turn:
        """Refuses when the corpus holds no basis (assistant/refusal.py): better an honest 'not found'
        than a guess. With filters set, a refusal says when other documents would answer. A
        follow-up continued on a guess may be answered as a question of its own (`_read_alone`)."""
        turn.refusal = self._refusal(turn)
        return self._read_alone(turn) or self._read_in_conversation(turn) or turn

    def _refusal(self, turn: _Turn) -> Refusal | None:
        refusal = self._rules().before_compose(turn.understood, turn.hits or []) or self._unheld_articles(turn)
        if refusal is not None:
            return self._outside_filters(turn, refusal) or refusal
        if turn.filters is not None and not turn.filters.is_empty():
            return self._better_outside_filters(turn)
        return None

    def _unheld_articles(self, turn: _Turn) -> Refusal | None:
        """The articles of a document the corpus holds only a digest of; the document's own note
        that its wording is not known, where it has one, says it better."""
        refusal = self._rules().unheld_articles(turn.understood)
        if refusal is None:
            return None
        note = declared_unknown(self._evidence(turn))
        return Refusal("dinyatakan-tidak-diketahui", note) if note else refusal

    def _read_alone(self, turn: _Turn) -> _Turn | None:
        """The message read without the conversation, when that reading answers better.

        "Terus kalau mau bikin UPTD baru syaratnya apa?" opens like a follow-up but asks something
        new: the conversation decision guessed (GUESSED_CONTINUATIONS). Read alone, it answers when
        the conversation's reading found no evidence, or, bringing several new concepts, when its
        own passages hold the message's own words clearly better. Nothing changes when the alone
        reading would itself be refused."""
        q = turn.understood
        if not q.continues or q.continuation.reason not in GUESSED_CONTINUATIONS:
            return None
        concepts = new_concepts(q)
        if concepts < READ_ALONE_MIN_CONCEPTS:
            return None
        alone = _Turn(turn.question, [], turn.filters, turn.k, turn.started)
        alone.understood = replace(self._understand(alone).understood,
                                   continuation=Continuation(False, "dibaca-tersendiri"))
        self._retrieve(alone)
        alone.refusal = self._refusal(alone)
        if alone.refusal is not None:
            return None
        if turn.refusal is not None:
            return alone if turn.refusal.reason in _FOR_LACK_OF_EVIDENCE else None
        if concepts < READ_ALONE_CONCEPTS:
            return None
        rules = self._rules()
        ahead = rules.evidence_score(alone.understood, alone.hits or []) - rules.evidence_score(q, turn.hits or [], alone=True)
        return alone if ahead >= READ_ALONE_MARGIN else None

    def _read_in_conversation(self, turn: _Turn) -> _Turn | None:
        """The message read in the conversation, when it was taken as a question of its own that
        the corpus gives no evidence for.

        "kenapa mundur dari jadwal awal?" after a question about the deadline for proposals names
        words the conversation did not have, so the conversation decision read it alone (a guess,
        "topik-sendiri"), and alone it is refused. Read with the conversation it answers, unless
        that reading is refused too for lack of evidence; a refusal stays a refusal (one that
        says more in the conversation's reading, "naskah-tidak-dimuat", is given instead)."""
        q = turn.understood
        if q.continues or q.continuation.reason != "topik-sendiri" or turn.refusal is None \
                or turn.refusal.reason not in _FOR_LACK_OF_EVIDENCE:
            return None
        continued = self._understand(_Turn(turn.question, turn.history, turn.filters, turn.k, turn.started),
                                     in_conversation=True)
        if not continued.understood.continues:
            return None
        self._retrieve(continued)
        continued.refusal = self._refusal(continued)
        if continued.refusal is None or continued.refusal.reason not in _FOR_LACK_OF_EVIDENCE:
            return continued  # its answer, or a refusal that says more ("naskah-tidak-dimuat")
        return None

    def _rules(self) -> RefusalRules:
        return RefusalRules(self.store.state(), self.speller(), self.mode)

    def _outside_filters(self, turn: _Turn, refusal: Refusal) -> Refusal | None:
        """The filters exclude the answer when the same question, unfiltered, has a basis elsewhere."""
        if turn.filters is None or turn.filters.is_empty() or refusal.reason not in _FOR_LACK_OF_EVIDENCE:
            return None
        q = turn.understood
        hits = self._hits(q, None, max(turn.k, 10))
        if not hits or self._rules().before_compose(q, hits) is not None:
            return None
        return outside_filters(q, [h.chunk.doc_id for h in hits[:3]], self.store.state().documents)

    def _better_outside_filters(self, turn: _Turn) -> Refusal | None:
        """The selected documents hold a passage, but documents outside the filter hold the
        question's topic more fully: say so rather than answer from what is left."""
        q, rules = turn.understood, self._rules()
        if any(h.exact for h in turn.hits or []):
            return None
        everywhere = self._search(q, None, max(turn.k, 10)) if self.mode != "dense" else []
        inside = {h.chunk.chunk_id for h in turn.hits or []}
        if not everywhere or everywhere[0].chunk.chunk_id in inside:
            return None
        if rules.before_compose(q, everywhere) is not None:
            return None
        if rules.evidence_features(q, turn.hits or [])["coverage"] >= rules.evidence_features(q, everywhere)["coverage"]:
            return None
        return outside_filters(q, [h.chunk.doc_id for h in everywhere[:3] if h.chunk.chunk_id not in inside],
                               self.store.state().documents)

    def evidence_features(self, turn: _Turn) -> dict[str, float]:
        return self._rules().evidence_features(turn.understood, turn.hits or [])

    def _evidence(self, turn: _Turn) -> Evidence:
        state = self.store.state()
        q = turn.understood
        return Evidence(
            question=with_related_terms(q.reference.strip_from(q.spelled)),
            # A question about the conversation's document (its status, what it revokes) is answered
            # from what the document says of itself, not from the earlier question's topic.
            context="" if q.continuation.document_level else q.context,
            kind=q.kind,
            hits=_answer_hits(turn.hits or [], max(turn.k, 8)),
            documents=state.documents,
            idf=state.idf_of,
            known=state.idf.__contains__,
            pasal=q.reference.pasal,
            ayat=q.reference.ayat,
            huruf=q.reference.huruf,
            # A regulation outside the corpus that a conversation's document cites names none of its
            # documents: "Perbup Bogor 65/2023 itu tentang apa?" is not asked of the citing document.
            named_docs=[] if q.continuation.cited_in else list(q.reference.doc_ids),
            conversation_docs=q.conversation_docs if q.continues else [],
            place_docs=list(q.place_docs),
            places=tuple(places_of_documents(q.spelled, state.documents)),
            # each part with the texts' words for what it says, as the whole question has them
            parts=tuple(with_related_terms(p) for p in q.sub_questions or (q.reference.strip_from(q.spelled),)),
            compared=q.compared,
        )

    def _compose(self, turn: _Turn) -> Composition | None:
        if turn.refusal is not None:
            return None
        return self.composer.compose(self._evidence(turn))

    def _finish(self, turn: _Turn, composition: Composition | None) -> Answer:
        documents = self.store.state().documents
        q = turn.understood
        retrieved = [
            RetrievedRef(doc_id=h.chunk.doc_id, pasal=h.chunk.pasal, chunk_id=h.chunk.chunk_id, score=round(h.score, 6))
            for h in (turn.hits or [])
        ]
        latency = lambda: round((time.perf_counter() - turn.started) * 1000, 1)  # noqa: E731
        if composition is not None and not composition.citations and turn.refusal is None:
            # The composer found nothing to quote: a refusal of its own, with its reason.
            own = Refusal(composition.reason or "tidak-ada-kutipan", composition.refusal or not_found(documents))
            turn.refusal = self._outside_filters(turn, own) or own
        if turn.refusal is not None or composition is None:
            refusal = turn.refusal or Refusal("tidak-ada-kutipan", not_found(documents))
            return Answer(
                question=turn.question,
                answer=refusal.message,
                found=False,
                reason=refusal.reason,
                retrieved=retrieved,
                latency_ms=latency(),
                answer_id=uuid.uuid4().hex,
                standalone_question=q.standalone if q else None,
            )
        warnings = composition.warnings + warnings_for(composition.citations, documents)
        return Answer(
            question=turn.question,
            answer=composition.answer,
            found=True,
            citations=composition.citations,
            retrieved=retrieved,
            warnings=warnings,
            latency_ms=latency(),
            answer_id=uuid.uuid4().hex,
            standalone_question=q.standalone if q else None,
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


@lru_cache(maxsize=1024)
def _naming(nomor: str, tahun: str) -> re.Pattern:
    """How a text names regulation nomor/tahun: "34/2011", "34 Tahun 2011"."""
    return re.compile(rf"\b{re.escape(nomor)}\s*(?:/|tahun)\s*{tahun}\b", re.I)


def passage_tokens_of(chunk: ChunkRecord) -> set[str]:
    """The stems of a passage as the question's tokens read them (cached by text)."""
    return set(tokens(chunk.text))


def _answer_hits(hits: list[ScoredChunk], limit: int) -> list[ScoredChunk]:
    """When the question named a Pasal, the answer quotes that Pasal (and its Penjelasan) only."""
    exact = [h for h in hits if h.exact]
    if exact:
        ids = {(h.chunk.doc_id, h.chunk.pasal) for h in exact}
        return [h for h in hits if h.exact or (h.chunk.bagian == "Penjelasan" and (h.chunk.doc_id, h.chunk.pasal) in ids)]
    return hits[:limit]


def build_assistant(settings: Settings | None = None, retriever: Mode = "hybrid", store: IndexStore | None = None) -> Assistant:
    setup_offline_env()
    return Assistant(settings or get_settings(), retriever_mode=retriever, store=store)
