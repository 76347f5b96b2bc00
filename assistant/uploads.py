"""Uploaded originals, kept in the shared database so that every replica holds the same corpus.

An upload's bytes (and the metadata sent with it, as the YAML sidecar the loaders read) are stored
before the index commit that names them and marked committed after it; a rebuild on any machine
first writes the stored originals into its corpus folder (`materialize`), so it re-reads what was
uploaded anywhere. A row an ingest killed between the two steps stays uncommitted and is collected
once it is old and no commit names it.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from .database import Database, uploads

STALE_UNCOMMITTED_S = 3600.0


@dataclass(frozen=True)
class StoredUpload:
    path: str  # corpus-relative
    filename: str
    sha256: str
    doc_id: str | None
    committed: bool


class UploadStore:
    def __init__(self, db: Database):
        self.db = db

    def put(self, path: str, filename: str, data: bytes, sidecar: str | None, doc_id: str | None) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(uploads.insert().values(
                path=path, filename=filename, sha256=hashlib.sha256(data).hexdigest(), data=data,
                sidecar=sidecar, doc_id=doc_id, created_at=time.time(), committed=False,
            ))

    def mark_committed(self, path: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(uploads.update().where(uploads.c.path == path).values(committed=True))

    def mark_committed_many(self, paths: list[str]) -> None:
        if paths:
            with self.db.engine.begin() as conn:
                conn.execute(uploads.update().where(uploads.c.path.in_(paths)).values(committed=True))

    def remove(self, paths: list[str]) -> None:
        if paths:
            with self.db.engine.begin() as conn:
                conn.execute(uploads.delete().where(uploads.c.path.in_(paths)))

    def has(self, path: str) -> bool:
        with self.db.engine.connect() as conn:
            return conn.execute(sa.select(uploads.c.path).where(uploads.c.path == path)).first() is not None

    def with_content(self, sha256: str) -> str | None:
        """The path of a committed upload with these bytes (a duplicate uploaded on any replica; one
        whose ingest died does not count, so retrying it works)."""
        with self.db.engine.connect() as conn:
            return conn.execute(sa.select(uploads.c.path).where(
                uploads.c.sha256 == sha256, uploads.c.committed.is_(True)).limit(1)).scalar()

    def listing(self) -> list[StoredUpload]:
        cols = (uploads.c.path, uploads.c.filename, uploads.c.sha256, uploads.c.doc_id, uploads.c.committed)
        with self.db.engine.connect() as conn:
            return [StoredUpload(*row) for row in conn.execute(sa.select(*cols).order_by(uploads.c.path))]

    def materialize(self, corpus_dir: Path, indexed: set[str]) -> list[str]:
        """Writes the stored originals that are committed, or that the index names, into
        `corpus_dir` where they are missing or differ. Returns the paths written."""
        written = []
        wanted = [u for u in self.listing() if u.committed or u.path in indexed]
        for item in wanted:
            target = corpus_dir / item.path
            if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == item.sha256:
                continue
            with self.db.engine.connect() as conn:
                data, sidecar = conn.execute(
                    sa.select(uploads.c.data, uploads.c.sidecar).where(uploads.c.path == item.path)
                ).one()
            target.parent.mkdir(parents=True, exist_ok=True)
            if sidecar is not None:
                _write(target.with_name(target.name + ".yaml"), sidecar.encode("utf-8"))
            _write(target, bytes(data))
            written.append(item.path)
        return written

    def collect(self, indexed: set[str], older_than_s: float = STALE_UNCOMMITTED_S) -> list[str]:
        """Deletes uncommitted rows that no commit names and that are older than `older_than_s`
        (their ingest died); returns their paths."""
        cutoff = time.time() - older_than_s
        with self.db.engine.begin() as conn:
            rows = conn.execute(sa.select(uploads.c.path).where(
                uploads.c.committed.is_(False), uploads.c.created_at < cutoff)).scalars().all()
            stale = [p for p in rows if p not in indexed]
            if stale:
                conn.execute(uploads.delete().where(uploads.c.path.in_(stale)))
        return stale


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
