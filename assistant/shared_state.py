"""The index's shared state, kept in a second Chroma collection beside the vectors.

Every replica reads the same committed state from here, so a replica with an empty data dir can
serve, and its local files are only a cache keyed by the shared generation. Three kinds of item:

- `records-<hash>`: the chunk records of one file version (content-addressed, written before a
  commit names them);
- `manifest-<generation>-<owner>`: one commit's manifest (files, documents, which records);
- `commit-<generation>`: the pointer. Chroma ignores an `add` of an id that exists, so adding
  `commit-<n+1>` and reading it back is a compare-and-set on the generation: of two writers that
  start from generation n, exactly one owns n+1, and the other rebases and tries n+2.
- `lease-<owner>`: a writer at work, so that garbage collection never takes vectors that an
  ingest still running elsewhere has written but not yet committed.

Bodies are zlib-compressed JSON in a metadata field (a Chroma document would be full-text indexed).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import time
import uuid
import zlib
from dataclasses import dataclass

_UNIT = [1.0]  # every item needs a vector; the state collection never answers a vector query
KEEP_COMMITS = 20  # older commit pointers are pruned; readers only ever need the newest
LEASE_TTL_S = 1800.0


def pack(obj) -> str:
    raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def unpack(text: str):
    return json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8"))


def new_owner() -> str:
    """Names one writer: host, process and a random part (two ingests in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def records_key(rows: list[dict]) -> str:
    digest = hashlib.sha1(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    return f"records-{digest[:24]}"


@dataclass(frozen=True)
class Head:
    generation: int
    owner: str
    manifest: str  # id of the manifest item


class SharedState:
    """Reads and writes the state items; `collection` is a callable giving the Chroma collection."""

    def __init__(self, collection):
        self._collection = collection

    # ---- commits ------------------------------------------------------------------------------
    def head(self) -> Head | None:
        got = self._collection().get(where={"kind": "commit"}, include=["metadatas"])
        heads = [Head(int(m["generation"]), str(m["owner"]), str(m["manifest"])) for m in got["metadatas"] or []]
        return max(heads, key=lambda h: h.generation, default=None)

    def manifest(self, head: Head) -> dict:
        got = self._collection().get(ids=[head.manifest], include=["metadatas"])
        if not got["ids"]:
            raise LookupError(f"manifest {head.manifest} of generation {head.generation} is missing")
        return unpack(got["metadatas"][0]["body"])

    def try_commit(self, generation: int, manifest: dict, owner: str) -> bool:
        """Compare-and-set: True when this writer now owns `generation` and it is the newest."""
        collection = self._collection()
        manifest_id = f"manifest-{generation}-{owner}"
        collection.upsert(ids=[manifest_id], embeddings=[_UNIT],
                          metadatas=[{"kind": "manifest", "generation": generation, "body": pack(manifest)}])
        pointer = f"commit-{generation:012d}"
        collection.add(ids=[pointer], embeddings=[_UNIT], metadatas=[{
            "kind": "commit", "generation": generation, "owner": owner, "manifest": manifest_id,
            "created": time.time(),
        }])
        got = collection.get(ids=[pointer], include=["metadatas"])
        won = bool(got["ids"]) and got["metadatas"][0].get("owner") == owner
        if won:
            head = self.head()
            if head is not None and head.generation > generation:  # a pruned number, re-used: not ours
                collection.delete(ids=[pointer])
                won = False
        if not won:
            collection.delete(ids=[manifest_id])
        return won

    def prune(self, keep: int = KEEP_COMMITS) -> None:
        got = self._collection().get(where={"kind": "commit"}, include=["metadatas"])
        commits = sorted(zip(got["ids"], got["metadatas"]), key=lambda p: -int(p[1]["generation"]))
        old = commits[keep:]
        if old:
            self._collection().delete(ids=[cid for cid, _ in old] + [str(m["manifest"]) for _, m in old])

    # ---- chunk records ------------------------------------------------------------------------
    def put_records(self, rows: list[dict]) -> str:
        key = records_key(rows)
        collection = self._collection()
        if not collection.get(ids=[key], include=[])["ids"]:
            collection.upsert(ids=[key], embeddings=[_UNIT], metadatas=[{"kind": "records", "body": pack(rows)}])
        return key

    def get_records(self, keys: list[str]) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for start in range(0, len(keys), 50):
            got = self._collection().get(ids=keys[start : start + 50], include=["metadatas"])
            for key, meta in zip(got["ids"], got["metadatas"]):
                found[key] = unpack(meta["body"])
        return found

    def record_keys(self) -> set[str]:
        return set(self._collection().get(where={"kind": "records"}, include=[])["ids"])

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            self._collection().delete(ids=ids[start : start + 500])

    # ---- leases -------------------------------------------------------------------------------
    def take_lease(self, owner: str, ttl_s: float = LEASE_TTL_S) -> None:
        host, pid, _ = owner.split(":", 2)
        self._collection().upsert(ids=[f"lease-{owner}"], embeddings=[_UNIT], metadatas=[{
            "kind": "lease", "owner": owner, "host": host, "pid": int(pid), "until": time.time() + ttl_s,
        }])

    def drop_lease(self, owner: str) -> None:
        self._collection().delete(ids=[f"lease-{owner}"])

    def other_writers(self, owner: str) -> list[str]:
        """Writers other than `owner` that may still be at work (a lease not expired, whose process,
        when it runs on this host, is alive). Expired or dead ones are removed on the way."""
        got = self._collection().get(where={"kind": "lease"}, include=["metadatas"])
        alive, dead = [], []
        host = socket.gethostname()
        for lease_id, meta in zip(got["ids"], got["metadatas"]):
            if meta.get("owner") == owner:
                continue
            expired = float(meta.get("until", 0)) < time.time()
            gone = meta.get("host") == host and not _pid_alive(int(meta.get("pid", 0)))
            (dead if expired or gone else alive).append(lease_id if expired or gone else str(meta.get("owner")))
        if dead:
            self._collection().delete(ids=dead)
        return alive


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
