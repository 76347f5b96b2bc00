"""The answer log (every question, its answer id and latency) and the feedback staff give on it.

Rows live in the shared database (assistant/database.py): with PostgreSQL every replica logs into
and reads from the same tables, so feedback sent to any replica finds an answer given by another,
and feedback ids (an identity column) never collide. SQLite (the default) runs in WAL mode with
every commit fsynced.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa

from .database import Database, answers, feedback, get_database


class UnknownAnswer(LookupError):
    """Feedback named an answer id that was never logged."""


class FeedbackStore:
    """`FeedbackStore(db)`; a path or URL opens that database (a path: a SQLite file)."""

    def __init__(self, db: Database | Path | str):
        if isinstance(db, Path) or (isinstance(db, str) and "://" not in db):
            db = get_database(f"sqlite:///{Path(db).resolve()}")
        elif isinstance(db, str):
            db = get_database(db)
        self.db = db

    @property
    def engine(self) -> sa.Engine:
        return self.db.engine

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
        row = dict(
            answer_id=answer_id, created_at=time.time(), channel=channel, client=client, key_name=key_name,
            question=question, filters=json.dumps(filters, ensure_ascii=False) if filters else None,
            answer=answer, found=found,
            citations=json.dumps(citations, ensure_ascii=False) if citations is not None else None,
            latency_ms=latency_ms, status=status, error=error,
        )
        with self.engine.begin() as conn:
            # answer ids are random (uuid4): a second log of one id is the same answer's retry
            updated = conn.execute(answers.update().where(answers.c.answer_id == answer_id).values(**row))
            if not updated.rowcount:
                conn.execute(answers.insert().values(**row))

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
        with self.engine.begin() as conn:
            known = conn.execute(sa.select(answers.c.answer_id).where(answers.c.answer_id == answer_id)).first()
            if known is None:
                raise UnknownAnswer(answer_id)
            result = conn.execute(feedback.insert().values(
                answer_id=answer_id, created_at=time.time(), rating=rating, comment=comment or None,
                channel=channel, client=client,
            ))
            return int(result.inserted_primary_key[0])

    def get_answer(self, answer_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(answers).where(answers.c.answer_id == answer_id)).mappings().first()
            if row is None:
                return None
            out = dict(row)
            out["found"] = None if out["found"] is None else int(out["found"])
            return out

    def feedback_for(self, answer_id: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(feedback).where(feedback.c.answer_id == answer_id).order_by(feedback.c.feedback_id)
            ).mappings().all()
            return [dict(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            n_answers = conn.execute(sa.select(sa.func.count()).select_from(answers)).scalar_one()
            n_feedback = conn.execute(sa.select(sa.func.count()).select_from(feedback)).scalar_one()
            return {"answers": int(n_answers), "feedback": int(n_feedback)}

    def journal_mode(self) -> str:
        """SQLite's journal mode ("wal"); the dialect's name for other databases."""
        if self.db.dialect != "sqlite":
            return self.db.dialect
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())
