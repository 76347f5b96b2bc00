"""Errors with a user-facing Indonesian message and a developer-facing cause.

Surfaces (CLI, API, UI) show `message`; logs get `cause` too. Never a traceback to a user.
"""
from __future__ import annotations


class AsistenError(Exception):
    """Base of every error the product expects and explains."""

    http_status = 400

    def __init__(self, message: str, *, cause: str | None = None):
        super().__init__(message)
        self.message = message
        self.cause = cause

    def __str__(self) -> str:
        return self.message


class ConfigError(AsistenError):
    http_status = 500


class ModelUnavailable(AsistenError):
    http_status = 503
    retry_after = 10


class IndexUnavailable(AsistenError):
    http_status = 503
    retry_after = 5


class IngestLocked(AsistenError):
    http_status = 409
    retry_after = 5  # seconds, sent as Retry-After: the other ingest is usually done by then


class IngestConflict(IngestLocked):
    """Other replicas kept committing while this ingest tried to; nothing of it was committed."""

    retry_after = 2


class DocumentRejected(AsistenError):
    """A source file that cannot be ingested (unreadable, corrupt, empty, unsupported, a scan)."""

    http_status = 422

    def __init__(self, path: str, reason: str, *, cause: str | None = None):
        super().__init__(f"{path}: {reason}", cause=cause)
        self.path = path
        self.reason = reason


class CorpusInvalid(AsistenError):
    """Front matter or corpus-level validation failed; `problems` name the file and the field."""

    http_status = 422

    def __init__(self, problems: list[str]):
        super().__init__("Korpus tidak valid:\n" + "\n".join(f"- {p}" for p in problems))
        self.problems = problems


class InvalidInput(AsistenError):
    http_status = 422


class QuestionSetInvalid(AsistenError):
    """A malformed eval question set; the message names the file and line."""

    http_status = 422
