"""`usage` of the OpenAI-compatible routes. No tokenizing LLM writes the default answer, so the
counts are an approximation, the same rule for every request and response so that clients that
budget or bill by tokens see consistent numbers: ceil(characters / 4) per text, plus 4 per message
for the chat framing (the overhead OpenAI's chat format adds). Prompt: every message the client
sent (system messages included, although they are ignored). Completion: the message content
returned (the answer and its `Dasar hukum:` block)."""
from __future__ import annotations

import math

CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 4


def text_tokens(text: str) -> int:
    return math.ceil(len(text or "") / CHARS_PER_TOKEN)


def prompt_tokens(texts: list[str]) -> int:
    return sum(text_tokens(t) + TOKENS_PER_MESSAGE for t in texts)


def usage(prompt_texts: list[str], completion: str) -> dict[str, int]:
    p, c = prompt_tokens(prompt_texts), text_tokens(completion)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
