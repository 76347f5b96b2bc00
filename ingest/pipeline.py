"""The ingest pipeline: corpus files → chunks → embeddings → one atomic commit of the index.

Incremental: a file whose hash is unchanged keeps its chunks; chunks whose text is unchanged keep
their vectors (content-addressed ids), so only new text is embedded. Safe: the index changes only
at the compare-and-set of the shared generation in `IndexStore.publish`; a crash before it leaves
the previous index whole. Several replicas may ingest at once: each commits only its own change
(rebasing on the others'), and deletes only what that change removed.
"""
from __future__ import annotations

import hashlib
import logging
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.database import get_database
from assistant.errors import AsistenError, DocumentRejected, IngestConflict, IngestLocked, InvalidInput
from assistant.index import FileEntry, IndexStore, chroma_id
from assistant.shared_state import new_owner
from assistant.records import ChunkRecord, DocumentMeta
from assistant.text import passage_tokens as bm25_tokens
from assistant.uploads import UploadStore

from .amendments import link_amendments
from .chunker import chunk_document
from .loaders import SUPPORTED_SUFFIXES, LoadOptions, load_document, sidecar_paths
from .metadata import merge as merge_metadata, read_metadata
from .structure import parse_document
from .validate import validate_corpus, validate_document

log = logging.getLogger(__name__)

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
    doc_id: str | None = None  # the document an upload or a delete concerned

    @property
    def chunks_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds else 0.0


# Called as progress(stage, done, total); stage is "files", "ocr" (pages of one file) or "chunks".
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


def load_options(settings: Settings, progress: Progress | None = None) -> LoadOptions:
    """The loaders' outside help from the settings; OCR pages are reported as the "ocr" stage."""
    report = (lambda done, total: progress("ocr", done, total)) if progress else None
    return LoadOptions(tesseract_cmd=settings.tesseract_cmd, ocr_progress=report)


def _parse_file(path: Path, rel: str, options: LoadOptions | None = None) -> _Parsed:
    loaded = load_document(path, options)
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
    return _Parsed(meta, chunks, parsed.warnings)


def run_ingest(
    settings: Settings,
    corpus_dir: Path | None = None,
    rebuild: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    embeddings=None,
) -> IngestReport:
    """Brings the index in line with the corpus folder. Raises IngestLocked if another runs here.

    The change is what the folder differs from the shared head by: added and changed files, and
    removed ones — except uploads (`unggahan/`), which other replicas may have received and only
    DELETE removes. After the commit, vectors nobody references are collected (when no other
    writer holds a lease)."""
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


@dataclass
class _Change:
    """What one ingest changes: files to (re)index, files to drop. Applied to whatever head it
    commits on, so that concurrent writers rebase instead of undoing each other."""

    parsed: dict[str, _Parsed] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    rebuild: bool = False


def _ingest_locked(settings, corpus_dir, rebuild, dry_run, progress, embeddings, started) -> IngestReport:
    store = IndexStore(settings)
    report = IngestReport(dry_run=dry_run)
    base = _base_state(store, rebuild)
    if not dry_run:
        _sync_uploads(settings, corpus_dir, base)
    files = corpus_files(corpus_dir)
    change = _Change(rebuild=rebuild)
    local = set()
    duplicates = duplicate_files(files, corpus_dir, set(base.files))
    options = load_options(store.settings, progress)
    for done, path in enumerate(files, 1):
        rel = path.relative_to(corpus_dir).as_posix()
        local.add(rel)
        if rel in duplicates:
            report.rejected[rel] = duplicates[rel]
            continue
        try:
            digest = file_hash(path)
            old = base.files.get(rel)
            if old is not None and old.sha256 == digest and not rebuild:
                report.unchanged.append(rel)
            else:
                change.parsed[rel] = _parse_file(path, rel, options)
                change.digests[rel] = digest
                report.doc_ids[rel] = change.parsed[rel].meta.doc_id
                if change.parsed[rel].warnings:
                    report.warnings[rel] = change.parsed[rel].warnings
                (report.changed if old is not None else report.added).append(rel)
        except DocumentRejected as exc:
            report.rejected[rel] = exc.reason
        except AsistenError as exc:
            report.rejected[rel] = exc.message
        except OSError as exc:
            report.rejected[rel] = f"berkas tidak dapat dibaca ({exc.strerror or exc})"
        if progress:
            progress("files", done, len(files))
    change.removed = {rel for rel in base.files if rel not in local and not rel.startswith(UPLOAD_DIR + "/")}
    report.removed = sorted(change.removed)

    nothing_changed = not (change.parsed or change.removed) and not rebuild
    if dry_run or (nothing_changed and base.generation > 0):
        _, _, records, problems = _apply(base, change)
        _reject(report, problems)
        report.chunks = len(records)
        report.seconds = time.perf_counter() - started
        return report
    report = _commit_change(store, change, report, progress, embeddings, started, collect=True, base=base)
    # uploads whose own request died before it marked them (kill -9) are indexed now
    _uploads(settings).mark_committed_many([rel for rel in (*report.added, *report.changed)
                                            if rel.startswith(UPLOAD_DIR + "/")])
    return report


def _apply(base, change: _Change):
    """The files, documents and chunk records of `base` with `change` applied, and the problems
    (rel → reason) of the changed files the corpus refuses (e.g. a doc_id another file holds)."""
    parsed = dict(change.parsed)
    problems: dict[str, str] = {}
    while True:
        files: dict[str, FileEntry] = {}
        for rel, entry in base.files.items():
            if rel not in change.removed and rel not in parsed and rel not in problems:
                files[rel] = entry
        for rel, item in parsed.items():
            files[rel] = FileEntry(change.digests[rel], item.meta.doc_id, item.meta.resmi,
                                   [chroma_id(c) for c in item.chunks])
        documents: dict[str, DocumentMeta] = {}
        records: list[tuple[str, ChunkRecord]] = []
        for rel, entry in sorted(files.items()):
            if rel in parsed:
                meta = parsed[rel].meta
                records.extend(zip(entry.chroma_ids, parsed[rel].chunks))
            else:
                meta = base.documents.get(entry.doc_id)
                records.extend((cid, base.chunks[base.position[cid]]) for cid in entry.chroma_ids
                               if cid in base.position)
            if meta is not None:
                _merge_document(documents, meta)
        found = validate_corpus(files, documents, records)
        # Only this change's files are refused; what others committed stays as they left it.
        mine = {rel: reason for rel, reason in found.items() if rel in parsed}
        if not mine:
            documents, records = link_amendments(documents, records)
            return files, documents, records, problems
        problems.update(mine)
        for rel in mine:
            parsed.pop(rel)


def _reject(report: IngestReport, problems: dict[str, str]) -> None:
    for rel, reason in problems.items():  # corpus-level problems reject the files they concern
        report.rejected[rel] = reason
        for bucket in (report.added, report.changed):
            if rel in bucket:
                bucket.remove(rel)


COMMIT_ATTEMPTS = 8


def _refused_whole(change: _Change, problems: dict[str, str]) -> bool:
    """Every file of the change is refused and it removes nothing: there is nothing to commit."""
    return bool(change.parsed) and not change.removed and not change.rebuild and set(change.parsed) <= set(problems)


def _commit_change(store: IndexStore, change: _Change, report: IngestReport, progress, embeddings, started,
                   *, collect: bool, base=None) -> IngestReport:
    """Embeds the change's new text, then commits it with compare-and-set on the shared generation,
    rebasing on another writer's commit (vectors are reused by content id, so a retry embeds
    nothing). Afterwards deletes only what this change removed."""
    owner = new_owner()
    store.shared.take_lease(owner)
    try:
        base = base if base is not None else store.refresh()
        embedded: dict[str, tuple[ChunkRecord, DocumentMeta, object]] = {}
        for attempt in range(COMMIT_ATTEMPTS):
            files, documents, records, problems = _apply(base, change)
            if _refused_whole(change, problems):
                # Nothing of this change survives the corpus rules: publishing would only bump
                # the shared generation (and make every replica reload) for an unchanged index.
                _reject(report, problems)
                report.chunks = len(records)
                report.seconds = time.perf_counter() - started
                return report
            ours = [(cid, c) for rel in change.parsed if rel not in problems
                    for cid, c in zip(files[rel].chroma_ids, change.parsed[rel].chunks)]
            # consolidated views of amended Pasal belong to no file: embedded when their text is new
            ours += [(cid, c) for cid, c in records if "/konsolidasi/" in c.chunk_id]
            _embed(store, ours, documents, embedded, change.rebuild, embeddings, report, progress)
            token_lists = [bm25_tokens(c.text) for _, c in records]
            state = store.publish(files, documents, records, token_lists, base, owner)
            if state is not None:
                break
            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
            base = store.refresh()
        else:
            raise IngestConflict(
                "Indeks sedang diubah oleh replika lain; tidak ada yang diindeks. Coba lagi sebentar lagi."
            )
        _reject(report, problems)
        report.committed = True
        report.chunks = len(records)
        live = set(state.ids)
        # What this change removed: the parent's vectors and record bundles the new state drops.
        store.delete_ids([cid for cid in base.ids if cid not in live])
        bundles = {e.records for e in state.files.values()}
        store.shared.delete([e.records for e in base.files.values() if e.records and e.records not in bundles])
        _restore_missing(store, ours, embedded)
        store.shared.prune()
        if collect and not store.shared.other_writers(owner):
            store.delete_unreferenced(live)
            store.shared.delete(sorted(store.shared.record_keys() - bundles))
    finally:
        try:
            store.shared.drop_lease(owner)
        except Exception:  # noqa: BLE001 - an expired lease is cleaned by the next writer
            pass
    report.seconds = time.perf_counter() - started
    return report


def _embed(store, records, documents, embedded, rebuild, embeddings, report, progress) -> None:
    """Embeds the records Chroma does not hold yet (all of them on --rebuild), once per ingest."""
    todo = [(cid, c) for cid, c in records if cid not in embedded]
    if not todo:
        return
    present = set() if rebuild else store.existing_ids([cid for cid, _ in todo])
    for cid, c in todo:
        if cid in present:
            embedded[cid] = (c, documents[c.doc_id], None)
    to_embed = [(cid, c) for cid, c in todo if cid not in present]
    if not to_embed:
        return
    if embeddings is None:
        from assistant.embeddings import get_embeddings

        embeddings = get_embeddings(store.settings)
    embed_started = time.perf_counter()
    batch = max(8, store.settings.embedding_batch_size * 4)
    for start in range(0, len(to_embed), batch):
        part = to_embed[start : start + batch]
        vectors = embeddings.encode_passages([c.text for _, c in part])
        store.upsert([(cid, c, documents[c.doc_id]) for cid, c in part], vectors)
        for (cid, c), vector in zip(part, vectors):
            embedded[cid] = (c, documents[c.doc_id], vector)
        report.embedded += len(part)
        if progress:
            progress("chunks", report.embedded, len(to_embed))
    report.embed_seconds += time.perf_counter() - embed_started


def _restore_missing(store, ours, embedded) -> None:
    """A collector elsewhere may have taken a vector of ours between its upsert and our commit:
    put back what is missing (we still hold it)."""
    ids = [cid for cid, _ in ours]
    if not ids:
        return
    missing = [cid for cid in ids if cid not in store.existing_ids(ids)]
    again = [(cid, embedded[cid]) for cid in missing if embedded.get(cid) and embedded[cid][2] is not None]
    if again:
        import numpy as np

        store.upsert([(cid, c, m) for cid, (c, m, _) in again], np.asarray([v for _, (_, _, v) in again]))
        log.warning("%d vektor dipasang kembali setelah commit", len(again))


def _merge_document(documents: dict[str, DocumentMeta], meta: DocumentMeta) -> None:
    """An official text's metadata wins over a digest's for the same doc_id."""
    current = documents.get(meta.doc_id)
    if current is None or (meta.resmi and not current.resmi):
        documents[meta.doc_id] = meta


def _uploads(settings: Settings) -> UploadStore:
    return UploadStore(get_database(settings))


def _sync_uploads(settings: Settings, corpus_dir: Path, base) -> None:
    """Originals uploaded on any replica enter this machine's corpus folder before it is read, so a
    rebuild here indexes them too; uploads whose ingest died long ago are collected."""
    store = _uploads(settings)
    indexed = {rel for rel in base.files if rel.startswith(UPLOAD_DIR + "/")}
    known = {u.path for u in store.listing()}
    upload_dir = corpus_dir / UPLOAD_DIR
    local = [p for p in corpus_files(corpus_dir) if p.is_relative_to(upload_dir)] if upload_dir.is_dir() else []
    for path in local:
        rel = path.relative_to(corpus_dir).as_posix()
        if rel in known or store.has(rel):
            continue
        if rel in indexed:  # uploaded before the database held originals: adopt it
            extra = sidecars(path)
            store.put(rel, path.name, path.read_bytes(), extra[0].read_text("utf-8") if extra else None,
                      base.files[rel].doc_id)
            store.mark_committed(rel)
        else:  # deleted through another replica (or its upload died): it must not come back
            for item in (*sidecars(path), path):
                item.unlink(missing_ok=True)
    written = store.materialize(corpus_dir, indexed)
    if written:
        log.info("%d berkas unggahan dari basis data bersama ditulis ke %s", len(written), corpus_dir)
    store.collect(indexed)


def _base_state(store: IndexStore, rebuild: bool):
    """The shared head this ingest starts from (on --rebuild too: a rebuild re-reads and re-embeds
    the folder's files but keeps what others uploaded)."""
    return store.refresh()


# ---- admin: one document at a time (API uploads) ------------------------------------------
_SAFE = re.compile(r"[^a-z0-9]+")


def add_document(settings: Settings, filename: str, data: bytes, metadata: dict | None = None) -> IngestReport:
    """Stores an uploaded file under a generated name (never the upload's name as a path) and
    commits it alone (nothing else in the folder is re-read). Refused, or beaten by other writers
    too often, it leaves the corpus again: an error means nothing was indexed."""
    import yaml

    started = time.perf_counter()
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentRejected(filename, f"jenis berkas {suffix or '(tanpa ekstensi)'} tidak didukung")
    if len(data) > settings.max_upload_mb * 1024 * 1024:
        raise DocumentRejected(filename, f"berkas lebih besar dari {settings.max_upload_mb} MB")
    corpus_dir = Path(settings.corpus_dir)
    target_dir = corpus_dir / UPLOAD_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    uploads = _uploads(settings)
    twin = uploads.with_content(digest)  # uploaded on any replica
    if twin is not None:
        raise DocumentRejected(
            filename, f"isi berkas sama persis dengan {twin} yang sudah ada di korpus; "
            "dokumen yang sama tidak diunggah dua kali",
        )
    for existing in corpus_files(corpus_dir) if corpus_dir.is_dir() else []:
        if existing.stat().st_size == len(data) and content_hash(existing) == digest:
            raise DocumentRejected(
                filename,
                f"isi berkas sama persis dengan {existing.relative_to(corpus_dir).as_posix()} yang sudah ada di korpus; "
                "dokumen yang sama tidak diunggah dua kali",
            )
    stem = _SAFE.sub("-", Path(filename).stem.lower()).strip("-")[:60] or "dokumen"
    final = target_dir / f"{stem}-{uuid.uuid4().hex[:8]}{suffix}"
    rel = final.relative_to(corpus_dir).as_posix()
    staging = target_dir / f".{uuid.uuid4().hex}{suffix}"
    staging.write_bytes(data)
    sidecar = None
    sidecar_text = yaml.safe_dump(metadata, allow_unicode=True) if metadata else None
    placed: list[Path] = []
    stored = False
    try:
        if sidecar_text is not None:
            sidecar = staging.with_name(staging.name + ".yaml")
            sidecar.write_text(sidecar_text, "utf-8")
        parsed = _parse_file(staging, rel, load_options(settings))  # validate before the file enters the corpus
        # the original is stored (for every replica) before the folder or a commit holds it
        uploads.put(rel, filename, data, sidecar_text, parsed.meta.doc_id)
        stored = True
        if sidecar:
            sidecar.rename(final.with_name(final.name + ".yaml"))
            placed.append(final.with_name(final.name + ".yaml"))
        staging.rename(final)
        placed.append(final)
        change = _Change(parsed={rel: parsed}, digests={rel: file_hash(final)})
        report = IngestReport(added=[rel], doc_id=parsed.meta.doc_id)
        report = _commit_change(IndexStore(settings), change, report, None, None, started, collect=False)
        if rel in report.rejected:
            raise DocumentRejected(filename, report.rejected[rel])
        uploads.mark_committed(rel)
        placed.clear()  # committed: the file stays
        stored = False
        return report
    finally:
        staging.unlink(missing_ok=True)
        if sidecar:
            sidecar.unlink(missing_ok=True)
        for path in placed:
            path.unlink(missing_ok=True)
        if stored:  # refused or beaten: nothing was indexed, so nothing is kept
            uploads.remove([rel])


def remove_document(settings: Settings, doc_id: str) -> IngestReport:
    """Commits the removal of every file of a document, then deletes the files this machine holds."""
    started = time.perf_counter()
    store = IndexStore(settings)
    paths = [rel for rel, entry in store.refresh().files.items() if entry.doc_id == doc_id]
    if not paths:
        raise InvalidInput(f"Dokumen '{doc_id}' tidak ada di indeks.")
    report = IngestReport(removed=sorted(paths), doc_id=doc_id)
    report = _commit_change(store, _Change(removed=set(paths)), report, None, None, started, collect=False)
    _uploads(settings).remove(paths)
    corpus_dir = Path(settings.corpus_dir)
    for rel in paths:
        path = corpus_dir / rel
        for extra in sidecars(path):
            extra.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
    return report


def repair_index(settings: Settings, embeddings=None) -> IngestReport:
    """`asisten ingest --repair`: puts back the vectors the shared head names but Chroma lacks
    (embedded again from the stored chunk text, so no corpus is needed), and collects the vectors
    and record bundles nothing names (when no other writer is at work)."""
    started = time.perf_counter()
    store = IndexStore(settings)
    owner = new_owner()
    store.shared.take_lease(owner)
    report = IngestReport()
    try:
        state = store.refresh()
        present = store.existing_ids(state.ids) if state.ids else set()
        missing = [(cid, c) for cid, c in zip(state.ids, state.chunks) if cid not in present]
        _embed(store, missing, state.documents, {}, True, embeddings, report, None)
        report.changed = sorted({c.source_path for _, c in missing})
        report.chunks = len(state.ids)
        if not store.shared.other_writers(owner):
            bundles = {e.records for e in state.files.values()}
            report.removed = [f"{store.delete_unreferenced(set(state.ids))} vektor yatim"]
            store.shared.delete(sorted(store.shared.record_keys() - bundles))
        store.check_drift()
        report.committed = bool(missing)
    finally:
        store.shared.drop_lease(owner)
    report.seconds = time.perf_counter() - started
    return report
