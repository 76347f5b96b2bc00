"""A durable log of every question, its answer id and latency, and the feedback staff give on it.

SQLite in WAL mode in the data dir: readers never block the writer, every commit is fsynced
(`synchronous=FULL`), and several threads or worker processes may write at once (each call opens
its own short connection; `busy_timeout` lets concurrent writers queue instead of failing).
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    answer_id   TEXT PRIMARY KEY,
    created_at  REAL NOT NULL,
    channel     TEXT NOT NULL,
    client      TEXT,
    key_name    TEXT,
    question    TEXT NOT NULL,
    filters     TEXT,
    answer      TEXT,
    found       INTEGER,
    citations   TEXT,
    latency_ms  REAL,
    status      TEXT NOT NULL,
    error       TEXT
);
CREATE INDEX IF NOT EXISTS answers_created ON answers(created_at);
CREATE TABLE IF NOT EXISTS feedback (
    feedback_id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id   TEXT NOT NULL REFERENCES answers(answer_id),
    created_at  REAL NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment     TEXT,
    channel     TEXT NOT NULL,
    client      TEXT
);
CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer_id);
"""


class UnknownAnswer(LookupError):
    """Feedback named an answer id that was never logged."""


class FeedbackStore:
    def __init__(self, path: Path | str, *, busy_timeout_s: float = 30.0):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._timeout = busy_timeout_s
        self._init_lock = threading.Lock()
        with self._init_lock, self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
        try:
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.row_factory = sqlite3.Row
            yield conn
        finally:
            conn.close()

    def log_answer(
        self,
        *,
        answer_id: str,
        question: str,
        channel: str,
        status: str = "ok",
        answer: str | None = None,
        found: bool | None = None,
        citations: list[dict] | None = None,
        latency_ms: float | None = None,
        filters: dict | None = None,
        client: str | None = None,
        key_name: str | None = None,
        error: str | None = None,
    ) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO answers (answer_id, created_at, channel, client, key_name,"
                " question, filters, answer, found, citations, latency_ms, status, error)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    answer_id,
                    time.time(),
                    channel,
                    client,
                    key_name,
                    question,
                    json.dumps(filters, ensure_ascii=False) if filters else None,
                    answer,
                    None if found is None else int(found),
                    json.dumps(citations, ensure_ascii=False) if citations is not None else None,
                    latency_ms,
                    status,
                    error,
                ),
            )

    def add_feedback(
        self,
        answer_id: str,
        rating: int,
        comment: str | None = None,
        *,
        channel: str = "api",
        client: str | None = None,
    ) -> int:
        """Record a rating (+1/-1) for a logged answer; raises UnknownAnswer for an unknown id."""
        if rating not in (-1, 1):
            raise ValueError("rating must be -1 or 1")
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute("SELECT 1 FROM answers WHERE answer_id = ?", (answer_id,)).fetchone()
                if row is None:
                    raise UnknownAnswer(answer_id)
                cur = conn.execute(
                    "INSERT INTO feedback (answer_id, created_at, rating, comment, channel, client)"
                    " VALUES (?,?,?,?,?,?)",
                    (answer_id, time.time(), rating, comment or None, channel, client),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return int(cur.lastrowid)

    def get_answer(self, answer_id: str) -> dict | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM answers WHERE answer_id = ?", (answer_id,)).fetchone()
            return dict(row) if row else None

    def feedback_for(self, answer_id: str) -> list[dict]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM feedback WHERE answer_id = ? ORDER BY feedback_id", (answer_id,)
            ).fetchall()
            return [dict(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._connect() as conn:
            answers = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
            feedback = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
            return {"answers": int(answers), "feedback": int(feedback)}

    def journal_mode(self) -> str:
        with self._connect() as conn:
            return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
