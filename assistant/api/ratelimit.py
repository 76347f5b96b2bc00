"""In-process token-bucket rate limits, per API key and per client address.

A bucket holds up to `per_minute` tokens and refills continuously; a request takes one token or
is refused with the seconds until the next token (sent as `Retry-After`). Limits are per process:
with several workers each enforces its own share.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
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
