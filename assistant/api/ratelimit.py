"""Rate limits per API key and per client address: in-process token buckets, or windows counted in
the shared database so that N replicas together allow the limit once, not N times.

`hit(key)` takes one request's worth for `key`: 0.0 when allowed, else the seconds to wait (sent
as `Retry-After`). `make_limiter` picks the kind from `ASISTEN_RATE_LIMIT_SHARED`.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa

from ..config import Settings
from ..database import Database, rate_windows

log = logging.getLogger("assistant.api")


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A bucket holds up to `per_minute` tokens and refills continuously (per process)."""

    def __init__(self, per_minute: int, *, max_buckets: int = 50_000, clock=time.monotonic):
        self.per_minute = max(0, int(per_minute))
        self.capacity = float(self.per_minute)
        self.rate = self.per_minute / 60.0  # tokens per second
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._max = max_buckets
        self._clock = clock

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def hit(self, key: str) -> float:
        """Take a token for `key`. Returns 0.0 when allowed, else seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self._max:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(self.capacity, now)
            else:
                bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        full_after = self.capacity / self.rate if self.rate else 0
        stale = [k for k, b in self._buckets.items() if now - b.updated >= full_after]
        for k in stale:
            del self._buckets[k]
        if len(self._buckets) >= self._max:  # still full: drop the oldest half
            for k, _ in sorted(self._buckets.items(), key=lambda kv: kv[1].updated)[: self._max // 2]:
                del self._buckets[k]


class SharedRateLimiter:
    """Fixed one-minute windows counted in the database, one atomic upsert per request (`INSERT …
    ON CONFLICT DO UPDATE … RETURNING`, in PostgreSQL and SQLite alike). Coarser than a bucket (a
    client may spend a limit at the end of one minute and again at the start of the next), but
    exact across replicas. A database error lets the request through: limits must not take the
    service down with the database."""

    WINDOW_S = 60

    def __init__(self, per_minute: int, db: Database, *, clock=time.time):
        self.per_minute = max(0, int(per_minute))
        self.db = db
        self._clock = clock
        self._last_prune = 0.0

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def _insert(self):
        if self.db.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self.db.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            raise NotImplementedError(f"shared rate limits need PostgreSQL or SQLite, not {self.db.dialect}")
        return insert(rate_windows)

    def hit(self, key: str) -> float:
        if not self.enabled:
            return 0.0
        now = self._clock()
        window = int(now // self.WINDOW_S)
        stmt = self._insert().values(bucket=key[:160], window=window, hits=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["bucket", "window"], set_={"hits": rate_windows.c.hits + 1}
        ).returning(rate_windows.c.hits)
        try:
            with self.db.engine.begin() as conn:
                hits = conn.execute(stmt).scalar_one()
                if now - self._last_prune > self.WINDOW_S:
                    self._last_prune = now
                    conn.execute(rate_windows.delete().where(rate_windows.c.window < window - 1))
        except Exception:  # noqa: BLE001 - see the class docstring
            log.warning("gagal menghitung batas laju di basis data; permintaan diteruskan", exc_info=True)
            return 0.0
        if hits <= self.per_minute:
            return 0.0
        return (window + 1) * self.WINDOW_S - now


def make_limiter(per_minute: int, settings: Settings, db: Database):
    return SharedRateLimiter(per_minute, db) if settings.rate_limit_shared else RateLimiter(per_minute)
