"""Text forms of an answer shared by the API (OpenAI-compatible message) and the chat UI."""
from __future__ import annotations

from ..records import Answer, Citation

STATUS_NOTE = {
    "dicabut": "sudah dicabut",
    "diubah": "telah diubah",
    "tidak diketahui": "status tidak diketahui",
}


def citation_line(c: Citation) -> str:
    notes = []
    if c.status in STATUS_NOTE:
        notes.append(STATUS_NOTE[c.status])
    if not c.resmi:
        notes.append("ringkasan tidak resmi")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    return f"{c.label}{suffix}"


def citations_block(citations: list[Citation]) -> str:
    """The `Dasar hukum:` section appended to a chat message."""
    if not citations:
        return ""
    lines = [f"[{c.n}] {citation_line(c)}" for c in citations]
    return "\n\nDasar hukum:\n" + "\n".join(lines)


def letter_text(answer: Answer) -> str:
    """The answer with its legal basis, in the form staff paste into a letter (nota dinas, surat)."""
    text = answer.answer.strip()
    if not answer.citations:
        return text
    lines = [f"{c.n}. {citation_line(c)}" for c in answer.citations]
    return f"{text}\n\nDasar hukum:\n" + "\n".join(lines)
