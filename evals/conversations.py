"""Conversation eval: multi-turn sets asked turn by turn, scored per turn role.

A conversation set is JSONL, one conversation a line:

    {"id": "c001", "turns": [
        {"question": "...", "role": "start", "answerable": true, "expected_docs": ["..."],
         "expected_pasal": "4", "must_include": ["..."]},
        {"question": "...", "role": "followup" | "switch" | "switch-oos", ...}]}

Each turn is asked with the conversation so far as `history` — the questions *and the assistant's
own answers*, as a user of the UI or of `/v1/ask` with `history` would send them. A turn is right
when its `found` equals `answerable` and, for an answerable turn, its first citation is one of the
turn's `expected_docs`. The roles say what that means:

- start:       the first question of a conversation, answered like a lone question;
- followup:    a question that leans on the conversation, kept on its topic;
- switch:      a new self-contained question, answered from the new topic (not the old one);
- switch-oos:  a new question the corpus cannot answer, abstained (`found: false`).
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from rich.console import Console
from rich.table import Table

from assistant.records import Answer, Turn

from evals.metrics import coverage, pasal_cited
from evals.questionset import describe_field_error, load_jsonl_sets

ROLES = ("start", "followup", "switch", "switch-oos")
ROLE_LABELS = {
    "start": "awal percakapan dijawab benar",
    "followup": "tindak lanjut tetap pada topik",
    "switch": "ganti topik dijawab dari topik baru",
    "switch-oos": "ganti topik di luar cakupan ditolak",
}


class ConversationTurn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(min_length=1)
    role: Literal["start", "followup", "switch", "switch-oos"]
    answerable: bool = Field(default=True, strict=True)
    expected_docs: list[str] = Field(default_factory=list)
    expected_pasal: str | None = None
    must_include: list[str] = Field(default_factory=list)

    @field_validator("expected_pasal", mode="before")
    @classmethod
    def _pasal_as_text(cls, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            text = value.strip()
            return (text[6:].strip() if text.lower().startswith("pasal ") else text) or None
        return value

    @field_validator("expected_docs", "must_include", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        if value is None:
            return []
        return [value] if isinstance(value, str) else value


class Conversation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    turns: list[ConversationTurn] = Field(min_length=1)


def load_conversations(paths: Path | str | Iterable[Path | str]) -> list[Conversation]:
    """Read conversation sets; every malformed line is reported with file, line and field."""
    return load_jsonl_sets(paths, Conversation, "percakapan", _describe)


def _describe(error: dict) -> str:
    """The question sets' Indonesian wording; a turn's role names the roles it may take."""
    loc = error.get("loc", ())
    if error.get("type") == "literal_error" and loc and loc[-1] == "role" and "turns" in loc:
        return f"field '{'.'.join(str(p) for p in loc)}' harus salah satu dari: {', '.join(ROLES)}"
    return describe_field_error(error)


def score_turn(turn: ConversationTurn, answer: Answer) -> dict:
    """One turn's figures: right (the role's verdict), cited_right, must_include, pasal_cited."""
    cited = [c.doc_id for c in answer.citations]
    wanted = set(turn.expected_docs)
    row: dict = {
        "role": turn.role,
        "answerable": turn.answerable,
        "found": answer.found,
        "reason": getattr(answer, "reason", None),
        "cited_right": None,
        "must_include": None,
        "pasal_cited": None,
    }
    if turn.answerable and answer.found and wanted:
        row["cited_right"] = 1.0 if cited and cited[0] in wanted else 0.0
    if turn.answerable and turn.must_include:
        row["must_include"] = coverage(turn.must_include, answer.answer)
    if turn.answerable and turn.expected_pasal and wanted:
        row["pasal_cited"] = pasal_cited(answer, wanted, turn.expected_pasal)
    if not turn.answerable:
        row["right"] = not answer.found
    else:
        row["right"] = answer.found and (not wanted or row["cited_right"] == 1.0)
    return row


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize_conversations(rows: Sequence[dict]) -> dict:
    """Per role: n and the share right; over all turns: right, must_include, pasal_cited,
    wrongly refused and the refusal reasons counted."""
    out: dict = {"turns": len(rows), "per_role": {}}
    for role in ROLES:
        of_role = [r for r in rows if r["role"] == role]
        out["per_role"][role] = {"n": len(of_role), "right": _mean([1.0 if r["right"] else 0.0 for r in of_role])}
    out["right"] = _mean([1.0 if r["right"] else 0.0 for r in rows])
    for key in ("must_include", "pasal_cited", "cited_right"):
        out[key] = _mean([r[key] for r in rows if r.get(key) is not None])
    answerable = [r for r in rows if r["answerable"]]
    out["wrongly_refused"] = _mean([0.0 if r["found"] else 1.0 for r in answerable])
    reasons: dict[str, int] = {}
    for r in rows:
        if not r["found"]:
            reasons[r.get("reason") or "tanpa-kode"] = reasons.get(r.get("reason") or "tanpa-kode", 0) + 1
    out["refusal_reasons"] = dict(sorted(reasons.items(), key=lambda kv: -kv[1]))
    out["failed"] = sorted({r["conversation"] + f"#{r['turn']}" for r in rows if not r["right"]})
    return out


def ask_conversation(assistant, conversation: Conversation) -> list[tuple[ConversationTurn, Answer, str | None]]:
    """Ask the turns in order; each with the earlier questions and the assistant's own answers."""
    history: list[Turn] = []
    out = []
    for turn in conversation.turns:
        started = time.perf_counter()
        error = None
        try:
            answer = assistant.ask(turn.question, history=list(history))
        except Exception as exc:  # noqa: BLE001 - a failing turn is a result, the run goes on
            error = f"{type(exc).__name__}: {exc}"
            answer = Answer(question=turn.question, answer="", found=False,
                            latency_ms=(time.perf_counter() - started) * 1000)
        out.append((turn, answer, error))
        history += [Turn(role="user", content=turn.question), Turn(role="assistant", content=answer.answer)]
    return out


def run_conversations(conversations: Sequence[Conversation], assistant, out_dir: Path,
                      console: Console | None = None) -> dict:
    """Ask every conversation; write conversations.jsonl and conversation-metrics.json."""
    console = console or Console()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    with (out_dir / "conversations.jsonl").open("w", encoding="utf-8") as sink:
        for conversation in conversations:
            for i, (turn, answer, error) in enumerate(ask_conversation(assistant, conversation), 1):
                row = score_turn(turn, answer)
                row.update({"conversation": conversation.id, "turn": i, "error": error})
                if error:
                    row["right"] = False
                rows.append(row)
                line = answer.model_dump(mode="json")
                line.update({"conversation": conversation.id, "turn": i, "role": turn.role,
                             "expected_docs": turn.expected_docs, "error": error, "eval": row})
                sink.write(json.dumps(line, ensure_ascii=False) + "\n")
    metrics = summarize_conversations(rows)
    metrics["conversations"] = len(conversations)
    (out_dir / "conversation-metrics.json").write_text(
        json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(conversation_table(metrics))
    console.print(f"Hasil percakapan ditulis ke {out_dir}/ (conversations.jsonl, conversation-metrics.json)")
    return metrics


def conversation_table(metrics: dict) -> Table:
    table = Table(title=f"Evaluasi percakapan ({metrics.get('conversations', '?')} percakapan, "
                        f"{metrics['turns']} giliran)")
    table.add_column("Peran giliran")
    table.add_column("n", justify="right")
    table.add_column("Benar", justify="right")
    for role in ROLES:
        block = metrics["per_role"][role]
        value = "–" if block["right"] is None else f"{block['right']:.3f}"
        table.add_row(f"{role}: {ROLE_LABELS[role]}", str(block["n"]), value)
    for key, label in (("right", "semua giliran"), ("cited_right", "kutipan pertama dari dokumen yang diharapkan"),
                       ("must_include", "cakupan must_include"), ("pasal_cited", "Pasal yang diharapkan dikutip"),
                       ("wrongly_refused", "salah menolak")):
        value = metrics.get(key)
        table.add_row(label, "", "–" if value is None else f"{value:.3f}")
    if metrics.get("refusal_reasons"):
        table.add_row("alasan penolakan", "", ", ".join(f"{k}: {v}" for k, v in metrics["refusal_reasons"].items()))
    return table
