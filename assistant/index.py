"""The index: one Chroma collection of vectors, a shared state beside it, and a local cache.

Why a state beside the vectors: Chroma has no transactions, but a query must never see a
half-ingested document. Every chunk is stored in Chroma under a content-addressed id
(`<chunk_id>@<text hash>`); a commit (assistant/shared_state.py, a second Chroma collection) names
the ids that are live, with the documents' metadata and the chunk records. Queries keep only live
ids, so vectors written by an ingest that has not committed (or was killed) stay invisible.
Unchanged text keeps its id, so re-ingesting never re-embeds it. Every replica reads the same
commits; its local files (manifest.json + chunks-<generation>.jsonl) are only a cache of one
generation, rebuilt from the shared state when missing, damaged or behind.
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing_extensions import TypedDict  # pydantic reads typing.TypedDict only from Python 3.12

import bm25s
import numpy as np
from pydantic import TypeAdapter

from .config import Settings
from .errors import IndexUnavailable, IngestConflict
from .records import ChunkRecord, DocumentMeta, Filters
from .shared_state import Head, SharedState, new_owner
from .text import TOKENIZER_VERSION, passage_tokens as bm25_tokens

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
STATE_SUFFIX = "-state"
# A dense search over this few chunks (all of a small index, or those a filter lets through)
# compares their vectors exactly (see dense_query) ...
EXACT_LIMIT = 2000
# ... or reads the unfiltered HNSW ranking up to this deep before asking Chroma with the filter.
OVERSAMPLE_LIMIT = 1000
VECTOR_CACHE = 20_000  # unit vectors kept for exact comparisons (~30 MB at 384 dimensions)


class _Row(TypedDict):
    """A line of the local chunk file."""

    id: str
    record: ChunkRecord
    tokens: list[str]


_ROWS = TypeAdapter(list[_Row])


def chroma_id(chunk: ChunkRecord) -> str:
    digest = hashlib.sha1(chunk.text.encode("utf-8")).hexdigest()[:12]
    return f"{chunk.chunk_id}@{digest}"


def collection_name(settings: Settings) -> str:
    """One collection per embedding model, so switching models never mixes vector spaces. The int8
    backend's vectors are another space too (cosine ~0.997 to fp32: int8 questions against fp32
    passages lost 0.015 of abstention recall on the dev split), while torch and ONNX fp32 give the
    same vectors and share one collection. "-int8r": 7-bit weights (`onnx_export._quantize_int8`);
    an index of the earlier 8-bit vectors is left behind and the next ingest fills the new one."""
    model_key = hashlib.sha1(settings.embedding_model.encode()).hexdigest()[:8]
    family = "-int8r" if settings.embedding_backend.strip().lower() == "onnx-int8" else ""
    return f"{settings.collection}-{model_key}{family}"


@dataclass
class FileEntry:
    sha256: str
    doc_id: str
    resmi: bool
    chroma_ids: list[str]
    records: str = ""  # the shared record bundle of this file version


@dataclass
class IndexState:
    """An immutable, committed view of the index that queries read."""

    generation: int = 0
    owner: str = ""  # the writer that committed this generation (with it, names a commit uniquely)
    files: dict[str, FileEntry] = field(default_factory=dict)
    documents: dict[str, DocumentMeta] = field(default_factory=dict)
    chunks: list[ChunkRecord] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # chroma ids, parallel to chunks
    position: dict[str, int] = field(default_factory=dict)
    bm25: bm25s.BM25 | None = None
    bm25_vocab: frozenset[str] = frozenset()
    by_pasal: dict[str, list[int]] = field(default_factory=dict)  # pasal → positions, document order
    # (doc_id, pasal) → positions, document order: lookups that do not grow with the corpus
    by_doc_pasal: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)  # for scoring sentences when composing
    # Columns for vectorised filter masks: each chunk's document (index into doc_order) and resmi.
    doc_order: list[str] = field(default_factory=list)
    doc_index: dict[str, int] = field(default_factory=dict)  # doc_id → its index in doc_order
    doc_code: np.ndarray | None = None
    resmi_col: np.ndarray | None = None

    tokenizer_version: str = TOKENIZER_VERSION

    unseen_idf: float = 1.0

    def idf_of(self, token: str) -> float:
        """A word the corpus never uses weighs as much as its rarest word: a topic the corpus lacks
        ("cuti", "CPNS", "pensiun") is the strongest sign that the question is out of scope."""
        return self.idf.get(token, self.unseen_idf)

    @classmethod
    def build(cls, generation, files, documents, chunks, ids, token_lists) -> "IndexState":
        state = cls(generation=generation, files=files, documents=documents, chunks=chunks, ids=ids)
        state.position = {cid: i for i, cid in enumerate(ids)}
        for i, chunk in enumerate(chunks):
            if chunk.pasal:
                state.by_pasal.setdefault(chunk.pasal, []).append(i)
                state.by_doc_pasal.setdefault((chunk.doc_id, chunk.pasal), []).append(i)
        state._build_columns()
        n = max(len(chunks), 1)
        df: dict[str, int] = {}
        if chunks:
            retriever = bm25s.BM25()
            retriever.index(token_lists, show_progress=False)
            state.bm25 = retriever
            state.bm25_vocab = frozenset(retriever.vocab_dict)
            # A word's column in the BM25 matrix holds one entry per chunk that has the word: its
            # length is the document frequency (counting it again took 7 s at 274,000 chunks).
            frequency = np.diff(retriever.scores["indptr"])
            df = {t: int(frequency[i]) for t, i in retriever.vocab_dict.items() if i < len(frequency)}
        state.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        if state.idf:
            state.unseen_idf = max(state.idf.values())
        return state

    @property
    def empty(self) -> bool:
        return not self.chunks

    def _build_columns(self) -> None:
        codes: dict[str, int] = {}
        self.doc_code = np.fromiter((codes.setdefault(c.doc_id, len(codes)) for c in self.chunks),
                                    dtype=np.int32, count=len(self.chunks))
        self.doc_order = list(codes)
        self.doc_index = codes
        self.resmi_col = np.fromiter((c.resmi for c in self.chunks), dtype=bool, count=len(self.chunks))

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask over chunks for metadata filters (None = everything).

        Vectorised: the document conditions are decided once per document, then spread over the
        chunks through the precomputed document column (the same result as checking every chunk)."""
        if filters is None or filters.is_empty():
            return None
        if self.doc_code is None or len(self.doc_code) != len(self.chunks):
            self._build_columns()  # a state made without `build`
        if filters.doc_id and not (filters.jenis or filters.tahun or filters.status):
            # Named documents only (the common narrowing): set their entries, not a test per document.
            per_doc = np.zeros(len(self.doc_order), dtype=bool)
            codes = [self.doc_index[d] for d in filters.doc_id if d in self.doc_index]
            per_doc[codes] = True
        else:
            per_doc = np.fromiter(
                (_doc_matches(d, self.documents.get(d), filters) for d in self.doc_order),
                dtype=bool, count=len(self.doc_order),
            )
        mask = per_doc[self.doc_code] if len(self.doc_code) else np.ones(0, dtype=bool)
        if filters.resmi is not None:
            mask &= self.resmi_col == filters.resmi
        return mask


# From this many chunks on, a loaded state's objects leave the cyclic garbage collector's view.
FREEZE_MIN_CHUNKS = 10_000


def freeze_long_lived(state: IndexState) -> None:
    """Moves every object alive now (the state just loaded above all) to the collector's permanent
    generation (`gc.freeze`). A state lives until the next commit, and its millions of small objects
    (1.8 million tracked at 274,000 chunks) made each full collection a 1.1 s pause in whichever
    answer triggered it. Frozen objects are still freed by reference counting when a newer state
    replaces them (a state holds no reference cycles). Small states are left alone: collecting
    them costs little."""
    if len(state.chunks) >= FREEZE_MIN_CHUNKS:
        gc.freeze()


def _doc_matches(doc_id: str, meta: DocumentMeta | None, f: Filters) -> bool:
    """The filter conditions a document's chunks share (everything but the chunk's own `resmi`)."""
    if f.doc_id and doc_id not in f.doc_id:
        return False
    if meta is None:
        return not (f.jenis or f.tahun or f.status)
    if f.jenis and meta.jenis not in f.jenis:
        return False
    if f.tahun and meta.tahun not in f.tahun:
        return False
    if f.status and meta.status not in f.status:
        return False
    return True


def chroma_where(filters: Filters | None) -> dict | None:
    if filters is None or filters.is_empty():
        return None
    clauses = []
    for key in ("doc_id", "jenis", "tahun", "status"):
        values = getattr(filters, key)
        if values:
            clauses.append({key: {"$in": list(values)}})
    if filters.resmi is not None:
        clauses.append({"resmi": filters.resmi})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


# Chroma keeps one shared system per path in a class-level cache: stores of the same process
# (the app's holder and the assistant) must not create their clients at the same moment either.
_CONNECT_LOCK = threading.Lock()


class IndexStore:
    """Access to the index for queries (read side) and for the ingest pipeline (write side)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.dir = settings.index_dir
        self._client = None
        self._collection = None
        self._state_collection = None
        self._state: IndexState | None = None
        self._stamp: tuple | None = None
        # Re-entrant: state() holds it while _initial() may publish a local index (_adopt), which
        # takes it again (a plain Lock deadlocked the server's load there).
        self._lock = threading.RLock()
        # Creating Chroma clients is not thread-safe (two concurrent first questions both failed
        # with IndexUnavailable); re-entrant because collection() calls client().
        self._client_lock = threading.RLock()
        self._follower: threading.Thread | None = None
        self._stop = threading.Event()
        self.drift: dict | None = None  # the last missing-vector check (see check_drift)
        self._vector_cache: OrderedDict[str, np.ndarray] = OrderedDict()  # see _vectors_of
        self._vector_lock = threading.Lock()
        self._whole: tuple[IndexState, np.ndarray, np.ndarray] | None = None  # see _exact_all

    # ---- Chroma -------------------------------------------------------------------------
    def client(self):
        client = self._client
        if client is not None:
            return client
        with self._client_lock, _CONNECT_LOCK:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self.settings.chroma_url:
                from urllib.parse import urlparse

                url = urlparse(self.settings.chroma_url)
                return chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
            else:
                self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                return chromadb.PersistentClient(
                    path=str(self.settings.chroma_dir), settings=chroma_settings
                )
        except Exception as exc:  # connection refused, bad URL, locked or damaged store
            raise IndexUnavailable(
                "Basis data vektor (Chroma) tidak dapat dihubungi.", cause=repr(exc)
            ) from exc

    def collection(self):
        collection = self._collection
        if collection is not None:
            return collection
        with self._client_lock:
            if self._collection is None:
                try:
                    self._collection = self.client().get_or_create_collection(
                        collection_name(self.settings),
                        metadata={"hnsw:space": "cosine"},
                        embedding_function=None,  # we always pass embeddings ourselves
                    )
                except Exception as exc:
                    self._client = None
                    raise IndexUnavailable(
                        "Koleksi indeks di Chroma tidak dapat dibuka.", cause=repr(exc)
                    ) from exc
            return self._collection

    def reset_connection(self) -> None:
        with self._client_lock:
            self._client = None
            self._collection = None
            self._state_collection = None

    def ping(self) -> bool:
        try:
            self.client().heartbeat()
            self.collection().count()
            return True
        except Exception:
            self.reset_connection()
            return False

    def dense_query(
        self, embedding: list[float], n: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        """Nearest live chunks as (position in state, cosine similarity).

        Chroma answers an unfiltered query from its HNSW graph in ~2 ms at 274,000 chunks, but a
        query with a `where` filter took 180-530 ms there (the filter is applied through its metadata
        store): so filters are applied here, over the state's mask. A small index (at most
        EXACT_LIMIT chunks) is compared exactly, filter or not. Few chunks pass (the documents
        a question names, a conversation's documents): their vectors are compared exactly; many
        pass: the unfiltered HNSW ranking is read deep enough to hold n of them; only when it does
        not is Chroma asked with the filter."""
        state = self.state()
        if state.empty:
            return []
        mask = state.mask(filters)
        if mask is None:
            if len(state.chunks) <= EXACT_LIMIT:
                return self._exact_all(state, embedding, n)
            return self._nearest(state, embedding, n + 8)[:n]
        positions = np.flatnonzero(mask)
        if not len(positions):
            return []
        if len(positions) <= EXACT_LIMIT:
            return self._exact(state, embedding, n, positions)
        wanted = min(len(state.chunks), int((n + 8) * len(state.chunks) / len(positions) * 1.5) + 8)
        if wanted <= OVERSAMPLE_LIMIT:
            hits = [(pos, score) for pos, score in self._nearest(state, embedding, wanted) if mask[pos]]
            if len(hits) >= n or wanted >= len(state.chunks):
                return hits[:n]
        return self._nearest(state, embedding, n + 8, chroma_where(filters))[:n]

    def _nearest(self, state: IndexState, embedding, n_results: int, where: dict | None = None) -> list[tuple[int, float]]:
        """Chroma's nearest vectors that are live, as (position, cosine similarity), best first."""
        try:
            result = self.collection().query(
                query_embeddings=[embedding],
                n_results=min(n_results, len(state.chunks) + 8),
                where=where,
                include=["distances"],
            )
        except Exception as exc:
            self.reset_connection()
            raise IndexUnavailable(
                "Pencarian di basis data vektor (Chroma) gagal; coba lagi sebentar lagi.", cause=repr(exc)
            ) from exc
        hits = []
        for cid, distance in zip(result["ids"][0], result["distances"][0]):
            pos = state.position.get(cid)
            if pos is not None:  # vectors of an uncommitted ingest are not live
                hits.append((pos, 1.0 - float(distance)))
        return hits

    def _exact(self, state: IndexState, embedding, n: int, positions: np.ndarray) -> list[tuple[int, float]]:
        """The n chunks among `positions` nearest to `embedding`, compared one by one (cosine, in
        float32 as Chroma computes it). A live chunk whose vector is missing in Chroma is skipped,
        as Chroma's own search would skip it."""
        kept, matrix = self._matrix_of(state, positions)
        return _ranked(kept, matrix, embedding, n)

    def _exact_all(self, state: IndexState, embedding, n: int) -> list[tuple[int, float]]:
        """Every chunk of a small index compared exactly: at a few hundred chunks a matrix product
        takes ~0.05 ms where Chroma's query took 1.2-1.7 ms of a 10 ms answer. The matrix is kept
        per index state; one that lacks a vector is not kept, so a repaired vector is seen."""
        whole = self._whole
        if whole is None or whole[0] is not state:
            kept, matrix = self._matrix_of(state, np.arange(len(state.chunks)))
            whole = (state, kept, matrix)
            if len(kept) == len(state.chunks):
                self._whole = whole
        return _ranked(whole[1], whole[2], embedding, n)

    def _matrix_of(self, state: IndexState, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions whose vectors Chroma holds, and those unit vectors as rows."""
        ids = [state.ids[int(p)] for p in positions]
        vectors = self._vectors_of(ids)
        keep = [i for i, cid in enumerate(ids) if cid in vectors]
        if not keep:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        return np.asarray(positions)[keep], np.stack([vectors[ids[i]] for i in keep])

    def _vectors_of(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Unit vectors by Chroma id, from a bounded cache (ids name content, so a cached vector
        never goes stale), the rest read from Chroma."""
        with self._vector_lock:
            found = {cid: self._vector_cache[cid] for cid in ids if cid in self._vector_cache}
            for cid in found:
                self._vector_cache.move_to_end(cid)
        missing = [cid for cid in ids if cid not in found]
        if missing:
            try:
                got = self.collection().get(ids=missing, include=["embeddings"])
            except Exception as exc:
                self.reset_connection()
                raise IndexUnavailable(
                    "Pencarian di basis data vektor (Chroma) gagal; coba lagi sebentar lagi.", cause=repr(exc)
                ) from exc
            fresh = {}
            for cid, vector in zip(got["ids"], got["embeddings"]):
                vector = np.asarray(vector, dtype=np.float32)
                fresh[cid] = vector / (np.linalg.norm(vector) or 1.0)
            found.update(fresh)
            with self._vector_lock:
                self._vector_cache.update(fresh)
                while len(self._vector_cache) > VECTOR_CACHE:
                    self._vector_cache.popitem(last=False)
        return found

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            found.update(self.collection().get(ids=batch, include=[])["ids"])
        return found

    def upsert(self, records: list[tuple[str, ChunkRecord, DocumentMeta]], embeddings: np.ndarray) -> None:
        collection = self.collection()
        for start in range(0, len(records), 256):
            batch = records[start : start + 256]
            collection.upsert(
                ids=[cid for cid, _, _ in batch],
                embeddings=embeddings[start : start + len(batch)].tolist(),
                documents=[chunk.text for _, chunk, _ in batch],
                metadatas=[chunk.chroma_metadata(meta) for _, chunk, meta in batch],
            )

    def delete_ids(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            self.collection().delete(ids=ids[start : start + 500])

    def delete_unreferenced(self, live: set[str]) -> int:
        """Garbage-collects vectors the shared head does not name (killed ingests). Only when no
        other writer holds a lease: its vectors are not committed yet."""
        all_ids = self.collection().get(include=[])["ids"]
        stale = [cid for cid in all_ids if cid not in live]
        for start in range(0, len(stale), 500):
            self.collection().delete(ids=stale[start : start + 500])
        return len(stale)

    # ---- the shared state (in Chroma) -----------------------------------------------------
    def state_collection(self):
        collection = self._state_collection
        if collection is not None:
            return collection
        with self._client_lock:
            if self._state_collection is None:
                try:
                    self._state_collection = self.client().get_or_create_collection(
                        collection_name(self.settings) + STATE_SUFFIX, embedding_function=None,
                    )
                except Exception as exc:
                    self.reset_connection()
                    raise IndexUnavailable(
                        "Koleksi status indeks di Chroma tidak dapat dibuka.", cause=repr(exc)
                    ) from exc
            return self._state_collection

    @property
    def shared(self) -> SharedState:
        return SharedState(self.state_collection)

    def head(self) -> Head | None:
        """The newest committed generation in the shared store (None: nothing committed yet)."""
        try:
            return self.shared.head()
        except IndexUnavailable:
            raise
        except Exception as exc:
            self.reset_connection()
            raise IndexUnavailable("Basis data vektor (Chroma) tidak dapat dihubungi.", cause=repr(exc)) from exc

    def fetch(self, head: Head) -> IndexState:
        """Builds the state of `head` from the shared store and refreshes the local cache."""
        try:
            manifest = self.shared.manifest(head)
            files = {path: FileEntry(**entry) for path, entry in manifest["files"].items()}
            keys = sorted({e.records for e in files.values() if e.records})
            bundles = self.shared.get_records(keys)
            missing = [k for k in keys if k not in bundles]
            if missing:
                raise LookupError(f"{len(missing)} record bundles missing, e.g. {missing[0]}")
            chunks, ids = [], []
            for path, entry in sorted(files.items()):
                for row in bundles.get(entry.records, []):
                    ids.append(row["id"])
                    chunks.append(ChunkRecord.model_validate(row["record"]))
            documents = {d: DocumentMeta.model_validate(m) for d, m in manifest["documents"].items()}
        except IndexUnavailable:
            raise
        except Exception as exc:
            self.reset_connection()
            raise IndexUnavailable(
                "Status indeks di Chroma tidak dapat dibaca; coba lagi sebentar lagi.", cause=repr(exc)
            ) from exc
        token_lists = [bm25_tokens(c.text) for c in chunks]
        state = IndexState.build(head.generation, files, documents, chunks, ids, token_lists)
        state.owner = head.owner
        self.write_cache(state, token_lists)
        return state

    def publish(
        self,
        files: dict[str, FileEntry],
        documents: dict[str, DocumentMeta],
        chunks: list[tuple[str, ChunkRecord]],
        token_lists: list[list[str]],
        base: IndexState,
        owner: str,
    ) -> IndexState | None:
        """Commits a new state on top of `base` (compare-and-set on the generation). Returns the new
        state, or None when another writer committed first (nothing changed; rebase and retry)."""
        by_file: dict[str, list[dict]] = {}
        for cid, chunk in chunks:
            by_file.setdefault(chunk.source_path, []).append({"id": cid, "record": chunk.model_dump(mode="json")})
        entries = {}
        for path, entry in files.items():
            rows = by_file.get(path, [])
            key = entry.records if entry.records and base.files.get(path) == entry else self.shared.put_records(rows)
            entries[path] = FileEntry(entry.sha256, entry.doc_id, entry.resmi, [r["id"] for r in rows], key)
        generation = base.generation + 1
        manifest = {
            "version": MANIFEST_VERSION,
            "generation": generation,
            "parent": base.generation,
            "embedding_model": self.settings.embedding_model,
            "files": {path: e.__dict__ for path, e in sorted(entries.items())},
            "documents": {d: m.model_dump(mode="json") for d, m in sorted(documents.items())},
        }
        if not self.shared.try_commit(generation, manifest, owner):
            return None
        ordered = sorted(entries)
        rank = {path: i for i, path in enumerate(ordered)}
        pairs = sorted(zip(chunks, token_lists), key=lambda p: rank.get(p[0][1].source_path, -1))
        state = IndexState.build(generation, entries, documents, [c for (_, c), _ in pairs],
                                 [cid for (cid, _), _ in pairs], [t for _, t in pairs])
        state.owner = owner
        self.write_cache(state, [t for _, t in pairs])
        with self._lock:
            self._state, self._stamp = state, self._stat()
        freeze_long_lived(state)
        return state

    def commit(self, files, documents, chunks, token_lists, generation=None) -> IndexState:
        """Commits a whole state on top of the current head (restores and tests)."""
        owner = new_owner()
        for _ in range(20):
            base = self.refresh()
            state = self.publish(files, documents, chunks, token_lists, base, owner)
            if state is not None:
                return state
        raise IngestConflict("Indeks sedang diubah oleh proses lain; coba lagi sebentar lagi.")

    # ---- the local cache ------------------------------------------------------------------
    def manifest_path(self) -> Path:
        return self.dir / MANIFEST

    def _stat(self) -> tuple | None:
        try:
            st = self.manifest_path().stat()
            return (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            return None

    def state(self) -> IndexState:
        """The committed state. Loaded once (from the local cache when it holds the shared head,
        else from the shared store); reloaded when an ingest on this machine rewrote the cache;
        `follow` swaps in other replicas' commits in the background."""
        stamp = self._stat()
        if self._state is not None and stamp == self._stamp:
            return self._state
        with self._lock:
            before = self._state
            stamp = self._stat()
            if self._state is None:
                self._state = self._initial()
            elif stamp != self._stamp:
                try:
                    cached = self._load_cache()
                    if cached.generation >= self._state.generation:
                        self._state = cached
                except IndexUnavailable:
                    log.warning("salinan lokal indeks rusak; dimuat ulang dari Chroma")
                    head = self.head()
                    self._state = self.fetch(head) if head else self._state
            self._stamp = self._stat()
            if self._state is not before:
                freeze_long_lived(self._state)
        return self._state

    def refresh(self) -> IndexState:
        """The state of the shared head, now (writers start from it)."""
        head = self.head()
        with self._lock:
            current = self._state
        if head is None:
            return current if current is not None and current.generation == 0 else IndexState()
        if current is not None and (current.generation, current.owner) == (head.generation, head.owner):
            return current
        cached = self._try_cache()
        state = cached if cached is not None and (cached.generation, cached.owner) == (head.generation, head.owner) else self.fetch(head)
        with self._lock:
            if self._state is None or state.generation >= self._state.generation:
                self._state, self._stamp = state, self._stat()
                freeze_long_lived(state)
        return state

    def _initial(self) -> IndexState:
        try:
            head = self.head()
        except IndexUnavailable:
            cached = self._try_cache()
            if cached is not None:  # Chroma down: serve what this machine knows; queries say 503
                log.warning("Chroma tidak dapat dihubungi; memakai salinan lokal indeks (generasi %d)", cached.generation)
                return cached
            raise
        damaged = None
        try:
            cached = self._load_cache() if self._stat() is not None else None
        except IndexUnavailable as exc:
            cached, damaged = None, exc
        if head is None:
            if damaged is not None:
                raise damaged
            if cached is not None and not cached.empty:
                return self._adopt(cached)
            return IndexState()
        if damaged is not None:
            log.warning("salinan lokal indeks rusak (%s); dimuat ulang dari Chroma", damaged.cause)
        if cached is not None and (cached.generation, cached.owner) == (head.generation, head.owner):
            return cached
        return self.fetch(head)

    def _adopt(self, cached: IndexState) -> IndexState:
        """An index written before the shared store existed: publish it, so that replicas see it."""
        log.warning("indeks lokal generasi %d diterbitkan ke Chroma untuk replika lain", cached.generation)
        records = list(zip(cached.ids, cached.chunks))
        files = {p: FileEntry(e.sha256, e.doc_id, e.resmi, list(e.chroma_ids)) for p, e in cached.files.items()}
        state = self.publish(files, cached.documents, records, [bm25_tokens(c.text) for c in cached.chunks],
                             IndexState(generation=max(cached.generation - 1, 0)), new_owner())
        return state or self.refresh()

    def _try_cache(self) -> IndexState | None:
        try:
            return self._load_cache() if self._stat() is not None else None
        except IndexUnavailable:
            return None

    def _load_cache(self) -> IndexState:
        try:
            manifest = json.loads(self.manifest_path().read_text("utf-8"))
            if manifest.get("version") != MANIFEST_VERSION:
                raise ValueError(f"manifest version {manifest.get('version')}")
            chunks_file = self.dir / manifest["chunks_file"]
            raw = chunks_file.read_bytes()
            if hashlib.sha256(raw).hexdigest() != manifest["chunks_sha256"]:
                raise ValueError(f"{chunks_file.name} does not match its checksum")
            # One JSON array parsed and validated by pydantic-core at once: a third of the time of
            # json.loads + model_validate per line (~15 s at 274,000 chunks).
            rows = _ROWS.validate_json(b"[" + b",".join(line for line in raw.split(b"\n") if line.strip()) + b"]")
            files = {path: FileEntry(**entry) for path, entry in manifest["files"].items()}
            documents = {d: DocumentMeta.model_validate(m) for d, m in manifest["documents"].items()}
            chunks = [r["record"] for r in rows]
            version = manifest.get("tokenizer", 0)
            # A cache written by another tokenizer is re-tokenized in memory.
            token_lists = [r["tokens"] for r in rows] if version == TOKENIZER_VERSION else [bm25_tokens(c.text) for c in chunks]
            state = IndexState.build(manifest["generation"], files, documents, chunks, [r["id"] for r in rows], token_lists)
            state.owner = manifest.get("owner", "")
            return state
        except Exception as exc:  # damaged or half-copied files: say so, never serve garbage
            raise IndexUnavailable(
                "Indeks rusak atau tidak lengkap; jalankan `asisten ingest --rebuild`.", cause=repr(exc)
            ) from exc

    def manifest_ok(self) -> bool:
        """Whether the local cache is whole (or absent)."""
        return self._stat() is None or self._try_cache() is not None

    def write_cache(self, state: IndexState, token_lists: list[list[str]]) -> None:
        """Writes the chunk file, then swaps the cache manifest in with one atomic rename; never
        replaces a newer cache with an older one."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with _cache_lock(self.dir):
            try:
                current = json.loads(self.manifest_path().read_text("utf-8")).get("generation", -1)
            except (OSError, ValueError, AttributeError):
                current = -1
            if isinstance(current, int) and current > state.generation:
                return
            chunks_file = f"chunks-{state.generation}.jsonl"
            body = "".join(
                json.dumps({"id": cid, "record": chunk.model_dump(mode="json"), "tokens": toks}, ensure_ascii=False)
                + "\n"
                for cid, chunk, toks in zip(state.ids, state.chunks, token_lists)
            ).encode("utf-8")
            _write_atomic(self.dir / chunks_file, body)
            manifest = {
                "version": MANIFEST_VERSION,
                "generation": state.generation,
                "owner": state.owner,
                "embedding_model": self.settings.embedding_model,
                "collection": collection_name(self.settings),
                "chunks_file": chunks_file,
                "chunks_sha256": hashlib.sha256(body).hexdigest(),
                "tokenizer": TOKENIZER_VERSION,
                "files": {path: entry.__dict__ for path, entry in sorted(state.files.items())},
                "documents": {d: m.model_dump(mode="json") for d, m in sorted(state.documents.items())},
            }
            _write_atomic(self.manifest_path(), json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
            for old in self.dir.glob("chunks-*.jsonl"):
                if old.name != chunks_file:
                    old.unlink(missing_ok=True)

    # ---- following other replicas ---------------------------------------------------------
    def follow(self, interval_s: float, drift_interval_s: float = 300.0) -> None:
        """Polls the shared generation every `interval_s` and swaps in a newer state built in the
        background (queries keep the old one meanwhile); checks for missing vectors at start and
        every `drift_interval_s`."""
        if self._follower is not None or interval_s <= 0:
            return
        self._follower = threading.Thread(target=self._follow, args=(interval_s, drift_interval_s),
                                          name="asisten-index-follow", daemon=True)
        self._follower.start()

    def stop_following(self) -> None:
        self._stop.set()

    def _follow(self, interval_s: float, drift_interval_s: float) -> None:
        next_drift = time.monotonic()
        while not self._stop.is_set():
            try:
                before = self._state
                state = self.refresh()
                if before is not None and state is not before and state.generation != before.generation:
                    log.info("indeks diperbarui ke generasi %d (%d potongan)", state.generation, len(state.chunks))
                if time.monotonic() >= next_drift:
                    self.check_drift()
                    next_drift = time.monotonic() + drift_interval_s
            except Exception as exc:  # noqa: BLE001 - Chroma down: keep serving, try again later
                log.debug("mengikuti indeks bersama gagal: %r", exc)
            self._stop.wait(interval_s)

    def check_drift(self) -> int:
        """Counts live chunks whose vector is missing in Chroma (reported by /readyz)."""
        state = self.state()
        present = self.existing_ids(state.ids) if state.ids else set()
        missing = len(state.ids) - len(present & set(state.ids))
        self.drift = {"generation": state.generation, "missing_vectors": missing, "checked_at": time.time()}
        if missing:
            log.warning("%d vektor hilang di Chroma untuk generasi %d; jalankan `asisten ingest --repair`",
                        missing, state.generation)
        return missing

    def restore_from_chroma(self) -> int:
        """Commits a state rebuilt from the vectors alone (a Chroma written before the shared state
        existed, with the corpus not at hand): chunks from the stored text and metadata, each
        document's metadata as far as its chunks carry it (the next `asisten ingest` restores the
        rest). Returns the chunk count."""
        got = self.collection().get(include=["metadatas", "documents"])
        rows: dict[str, tuple[str, ChunkRecord, dict]] = {}
        for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
            fields = {k: v for k, v in (meta or {}).items() if k in ChunkRecord.model_fields}
            chunk = ChunkRecord.model_validate({**fields, "text": text})
            rows.setdefault(chunk.chunk_id, (cid, chunk, meta or {}))  # one version per chunk id
        ordered = sorted(rows.values(), key=lambda r: (r[1].source_path, r[1].chunk_id))
        files: dict[str, FileEntry] = {}
        documents: dict[str, DocumentMeta] = {}
        for cid, chunk, meta in ordered:
            # sha256 "" makes the next ingest re-read every file (its vectors are reused by content id)
            entry = files.setdefault(chunk.source_path, FileEntry("", chunk.doc_id, chunk.resmi, []))
            entry.chroma_ids.append(cid)
            if chunk.doc_id not in documents:
                short = chunk.text.split("\n", 1)[0].split(" — ", 1)[0].strip() or chunk.doc_id
                documents[chunk.doc_id] = DocumentMeta(
                    doc_id=chunk.doc_id, jenis=str(meta.get("jenis") or "Dokumen"), tahun=meta.get("tahun"),
                    judul=short, singkatan=short, status=meta.get("status") or "tidak diketahui",
                    resmi=chunk.resmi,
                )
        records = [(cid, chunk) for cid, chunk, _ in ordered]
        self.commit(files, documents, records, [bm25_tokens(c.text) for _, c in records])
        return len(records)


_CACHE_LOCKS: dict[str, threading.Lock] = {}
_CACHE_LOCKS_GUARD = threading.Lock()


def _cache_lock(path: Path) -> threading.Lock:
    with _CACHE_LOCKS_GUARD:
        return _CACHE_LOCKS.setdefault(str(path.resolve()), threading.Lock())


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _ranked(positions: np.ndarray, matrix: np.ndarray, embedding, n: int) -> list[tuple[int, float]]:
    """The n rows nearest to `embedding` as (position, cosine similarity), in float32 as Chroma
    computes it, ties in position order."""
    if not len(positions):
        return []
    query = np.asarray(embedding, dtype=np.float32)
    query = query / (np.linalg.norm(query) or 1.0)
    distance = np.float32(1.0) - matrix @ query
    order = np.argsort(distance, kind="stable")[:n]
    return [(int(positions[i]), 1.0 - float(distance[i])) for i in order]
