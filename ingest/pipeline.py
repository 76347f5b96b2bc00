"""The ingest pipeline: corpus files → chunks → embeddings → one atomic commit of the index.

Incremental: a file whose hash is unchanged keeps its chunks; chunks whose text is unchanged keep
their vectors (content-addressed ids), so only new text is embedded. Safe: the index changes only
at the manifest rename in `IndexStore.commit`; a crash before it leaves the previous index whole.
"""
from __future__ import annotations

import hashlib
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.errors import AsistenError, DocumentRejected, IngestLocked, InvalidInput
from assistant.index import FileEntry, IndexStore, chroma_id
from assistant.records import ChunkRecord, DocumentMeta
from assistant.text import TOKENIZER_VERSION, tokens as bm25_tokens

from .chunker import chunk_document
from .loaders import SUPPORTED_SUFFIXES, load_document, sidecar_paths
from .metadata import merge as merge_metadata, read_metadata
from .structure import parse_document
from .validate import validate_corpus, validate_document

SKIPPED_NAMES = {"readme.md", "license", "license.md"}
UPLOAD_DIR = "unggahan"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)  # path → reason (Indonesian)
    warnings: dict[str, list[str]] = field(default_factory=dict)  # path → parse warnings (Indonesian)
    doc_ids: dict[str, str] = field(default_factory=dict)  # path → doc_id of each file read this run
    doc_id: str | None = None  # the document an upload became
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    dry_run: bool = False
    committed: bool = False

    @property
    def chunks_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds else 0.0


# Called as progress(stage, done, total); stage is "files" or "chunks".
Progress = Callable[[str, int, int], None]


def corpus_files(corpus_dir: Path) -> list[Path]:
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if path.name.lower() in SKIPPED_NAMES or rel.parts[0] == "reference":
            continue
        if path.suffix.lower() in (".yaml", ".yml"):  # sidecars travel with their document
            continue
        files.append(path)
    return files


def file_hash(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    for sidecar in sidecars(path):
        digest.update(sidecar.read_bytes())
    return digest.hexdigest()


def sidecars(path: Path) -> list[Path]:
    return [p for p in sidecar_paths(path) if p.exists()]


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def duplicate_files(files: list[Path], corpus_dir: Path, indexed: set[str]) -> dict[str, str]:
    """Files whose bytes are those of another file: {rel: reason naming the first copy}. The copy
    already in the index is the first; otherwise the first in name order."""
    first: dict[str, str] = {}
    duplicates: dict[str, str] = {}
    rels = sorted((p.relative_to(corpus_dir).as_posix() for p in files), key=lambda r: (r not in indexed, r))
    for rel in rels:
        try:
            digest = content_hash(corpus_dir / rel)
        except OSError:
            continue  # reported when the file is read
        if digest in first:
            duplicates[rel] = (
                f"isi berkas sama persis dengan {first[digest]} yang sudah ada di korpus (hash isi sama); "
                "berkas ganda tidak diindeks — hapus salah satunya"
            )
        else:
            first[digest] = rel
    return duplicates


@dataclass
class _Parsed:
    meta: DocumentMeta
    chunks: list[ChunkRecord]
    warnings: list[str] = field(default_factory=list)


def _parse_file(path: Path, rel: str) -> _Parsed:
    loaded = load_document(path)
    markdown = path.suffix.lower() in (".md", ".markdown")
    read = read_metadata(loaded.pages, resmi=not markdown)
    if not loaded.meta and not read.get("doc_id"):
        raise DocumentRejected(
            rel,
            "metadata dokumen tidak terbaca dari kepala dokumen (jenis, nomor, tahun, judul) dan tidak ada sidecar; "
            f"tambahkan berkas {Path(rel).name}.yaml berisi doc_id, jenis, nomor, tahun, judul"
            + (" atau front matter YAML" if markdown else ""),
        )
    meta = validate_document(rel, merge_metadata(read, loaded.meta))
    parsed = parse_document(loaded)
    chunks = chunk_document(parsed, meta, rel)
    if not chunks:
        raise DocumentRejected(rel, "dokumen tidak menghasilkan satu pun potongan teks")
    return _Parsed(meta, chunks)


def run_ingest(
    settings: Settings,
    corpus_dir: Path | None = None,
    rebuild: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    embeddings=None,
) -> IngestReport:
    """Brings the index in line with the corpus folder. Raises IngestLocked if another runs."""
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    if not corpus_dir.is_dir():
        raise InvalidInput(f"Folder korpus tidak ditemukan: {corpus_dir}")
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.index_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise IngestLocked(
            "Proses ingest lain sedang berjalan pada indeks ini; tunggu sampai selesai lalu coba lagi."
        ) from None
    try:
        return _ingest_locked(settings, corpus_dir, rebuild, dry_run, progress, embeddings, started)
    finally:
        lock.release()


def _ingest_locked(settings, corpus_dir, rebuild, dry_run, progress, embeddings, started) -> IngestReport:
    store = IndexStore(settings)
    report = IngestReport(dry_run=dry_run)
    previous = _previous_state(store, rebuild)
    files = corpus_files(corpus_dir)

    kept: dict[str, FileEntry] = {}
    parsed: dict[str, _Parsed] = {}
    duplicates = duplicate_files(files, corpus_dir, set(previous.files))
    for done, path in enumerate(files, 1):
        rel = path.relative_to(corpus_dir).as_posix()
        if rel in duplicates:
            report.rejected[rel] = duplicates[rel]
            continue
        try:
            digest = file_hash(path)
            old = previous.files.get(rel)
            if old is not None and old.sha256 == digest:
                kept[rel] = old
                report.unchanged.append(rel)
            else:
                parsed[rel] = _parse_file(path, rel)
                kept[rel] = FileEntry(digest, parsed[rel].meta.doc_id, parsed[rel].meta.resmi, [])
                report.doc_ids[rel] = parsed[rel].meta.doc_id
                if parsed[rel].warnings:
                    report.warnings[rel] = parsed[rel].warnings
                (report.changed if old is not None else report.added).append(rel)
        except DocumentRejected as exc:
            report.rejected[rel] = exc.reason
        except AsistenError as exc:
            report.rejected[rel] = exc.message
        except OSError as exc:
            report.rejected[rel] = f"berkas tidak dapat dibaca ({exc.strerror or exc})"
        if progress:
            progress("files", done, len(files))
    report.removed = sorted(set(previous.files) - {p.relative_to(corpus_dir).as_posix() for p in files})

    # Documents and chunks of the new state: unchanged files come from the previous snapshot.
    documents: dict[str, DocumentMeta] = {}
    records: list[tuple[str, ChunkRecord]] = []
    old_positions = previous.position
    for rel, entry in sorted(kept.items()):
        if rel in parsed:
            meta, chunks = parsed[rel].meta, parsed[rel].chunks
            entry.chroma_ids = [chroma_id(c) for c in chunks]
            records.extend(zip(entry.chroma_ids, chunks))
        else:
            meta = previous.documents.get(entry.doc_id)
            records.extend((cid, previous.chunks[old_positions[cid]]) for cid in entry.chroma_ids)
        if meta is not None:
            _merge_document(documents, meta)

    problems = validate_corpus(kept, documents, records)
    for rel, reason in problems.items():  # corpus-level problems reject the files they concern
        report.rejected[rel] = reason
        kept.pop(rel, None)
        parsed.pop(rel, None)
        for bucket in (report.added, report.changed):
            if rel in bucket:
                bucket.remove(rel)
    if problems:
        live_files = set(kept)
        records = [(cid, c) for cid, c in records if c.source_path in live_files]
        documents = {}
        for rel, entry in kept.items():
            meta = parsed[rel].meta if rel in parsed else previous.documents.get(entry.doc_id)
            if meta is not None:
                _merge_document(documents, meta)

    report.chunks = len(records)
    nothing_changed = (
        not (report.added or report.changed or report.removed)
        and not rebuild
        and previous.tokenizer_version == TOKENIZER_VERSION
    )
    if dry_run or (nothing_changed and previous.generation > 0):
        report.seconds = time.perf_counter() - started
        return report

    # Embed only text that Chroma does not hold yet.
    wanted = [cid for cid, _ in records]
    present = set() if rebuild else store.existing_ids(wanted)
    meta_of = documents
    to_embed = [(cid, c) for cid, c in records if cid not in present]
    if to_embed:
        if embeddings is None:
            from assistant.embeddings import get_embeddings

            embeddings = get_embeddings(settings)
        embed_started = time.perf_counter()
        batch = max(8, settings.embedding_batch_size * 4)
        for start in range(0, len(to_embed), batch):
            part = to_embed[start : start + batch]
            vectors = embeddings.encode_passages([c.text for _, c in part])
            store.upsert([(cid, c, meta_of[c.doc_id]) for cid, c in part], vectors)
            report.embedded += len(part)
            if progress:
                progress("chunks", report.embedded, len(to_embed))
        report.embed_seconds = time.perf_counter() - embed_started

    token_lists = [bm25_tokens(c.text) for _, c in records]
    store.commit(kept, documents, records, token_lists, previous.generation + 1)
    report.committed = True
    store.delete_unreferenced({cid for cid, _ in records})
    report.seconds = time.perf_counter() - started
    return report


def _merge_document(documents: dict[str, DocumentMeta], meta: DocumentMeta) -> None:
    """An official text's metadata wins over a digest's for the same doc_id."""
    current = documents.get(meta.doc_id)
    if current is None or (meta.resmi and not current.resmi):
        documents[meta.doc_id] = meta


def _previous_state(store: IndexStore, rebuild: bool):
    from assistant.index import IndexState

    if rebuild:
        return IndexState()
    try:
        return store.state()
    except AsistenError:
        # A damaged manifest: start over from the corpus; vectors are reused by content id.
        import logging

        logging.getLogger(__name__).warning("index manifest damaged; rebuilding from the corpus")
        return IndexState()


# ---- admin: one document at a time (API uploads) ------------------------------------------
_SAFE = re.compile(r"[^a-z0-9]+")


def add_document(settings: Settings, filename: str, data: bytes, metadata: dict | None = None) -> IngestReport:
    """Stores an uploaded file under a generated name (never the upload's name as a path) and ingests."""
    import yaml

    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentRejected(filename, f"jenis berkas {suffix or '(tanpa ekstensi)'} tidak didukung")
    if len(data) > settings.max_upload_mb * 1024 * 1024:
        raise DocumentRejected(filename, f"berkas lebih besar dari {settings.max_upload_mb} MB")
    corpus_dir = Path(settings.corpus_dir)
    target_dir = corpus_dir / UPLOAD_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    for existing in corpus_files(corpus_dir) if corpus_dir.is_dir() else []:
        if existing.stat().st_size == len(data) and content_hash(existing) == digest:
            raise DocumentRejected(
                filename,
                f"isi berkas sama persis dengan {existing.relative_to(corpus_dir).as_posix()} yang sudah ada di korpus; "
                "dokumen yang sama tidak diunggah dua kali",
            )
    stem = _SAFE.sub("-", Path(filename).stem.lower()).strip("-")[:60] or "dokumen"
    staging = target_dir / f".{uuid.uuid4().hex}{suffix}"
    staging.write_bytes(data)
    sidecar = None
    try:
        if metadata:
            sidecar = staging.with_name(staging.name + ".yaml")
            sidecar.write_text(yaml.safe_dump(metadata, allow_unicode=True), "utf-8")
        doc_id = _parse_file(staging, filename).meta.doc_id  # validate before the file enters the corpus
        final = target_dir / f"{stem}-{uuid.uuid4().hex[:8]}{suffix}"
        if sidecar:
            sidecar.rename(final.with_name(final.name + ".yaml"))
        staging.rename(final)
    finally:
        staging.unlink(missing_ok=True)
        if sidecar:
            sidecar.unlink(missing_ok=True)
    report = run_ingest(settings)
    report.doc_id = doc_id
    return report


def remove_document(settings: Settings, doc_id: str) -> IngestReport:
    """Removes every corpus file of a document, then ingests (its chunks disappear)."""
    store = IndexStore(settings)
    paths = [rel for rel, entry in store.state().files.items() if entry.doc_id == doc_id]
    if not paths:
        raise InvalidInput(f"Dokumen '{doc_id}' tidak ada di indeks.")
    corpus_dir = Path(settings.corpus_dir)
    for rel in paths:
        path = corpus_dir / rel
        for extra in sidecars(path):
            extra.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
    return run_ingest(settings)
