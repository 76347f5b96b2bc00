"""Eval question sets: JSONL, one question a line (DESIGN.md, "An eval question set").

`load_questions` reads one or more files and reports every malformed line with its file, line
number and field, in Indonesian, so that a colleague fixing a question set sees all problems at
once instead of one per run.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import QuestionSetInvalid
from assistant.records import Turn


class EvalQuestion(BaseModel):
    """One eval question. Unknown fields (notes, sources, authors) are ignored."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    # strict: "true" or 1 in a question set is a typo to report, not a value to guess
    answerable: bool = Field(default=True, strict=True)
    expected_docs: list[str] = Field(default_factory=list)  # any-of
    expected_pasal: str | None = None
    must_include: list[str] = Field(default_factory=list)
    category: str = Field(default="umum", min_length=1)
    history: list[Turn] = Field(default_factory=list)

    @field_validator("id", "question", "category", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("expected_pasal", mode="before")
    @classmethod
    def _pasal_as_text(cls, value):
        # `"expected_pasal": 4` is as clear as `"4"`; "Pasal 4" is normalised to "4"
        if isinstance(value, bool):
            return value  # let validation reject it
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str):
            text = value.strip()
            if text.lower().startswith("pasal "):
                text = text[6:].strip()
            return text or None
        return value

    @field_validator("expected_docs", "must_include", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        return value


_TYPE_MESSAGES = {
    "bool_type": "harus boolean (true/false)",
    "bool_parsing": "harus boolean (true/false)",
    "string_type": "harus teks",
    "list_type": "harus daftar (list)",
    "missing": "wajib diisi",
    "string_too_short": "tidak boleh kosong",
    "model_type": "harus objek JSON",
    "dict_type": "harus objek JSON",
    "literal_error": "nilainya tidak dikenal",
}


def _field_name(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(baris)"


def _describe(error: dict) -> str:
    loc = error.get("loc", ())
    kind = error.get("type", "")
    text = _TYPE_MESSAGES.get(kind, error.get("msg", "tidak valid"))
    if kind == "literal_error" and loc and loc[-1] == "role":
        text = "harus 'user' atau 'assistant'"
    return f"field '{_field_name(loc)}' {text}"


describe_field_error = _describe  # for the other JSONL sets (conversations)


def _as_paths(paths: Path | str | Iterable[Path | str]) -> list[Path]:
    if isinstance(paths, (str, Path)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def load_questions(paths: Path | str | Iterable[Path | str]) -> list[EvalQuestion]:
    """Read question sets (JSONL) in order; blank lines are skipped.

    Raises `QuestionSetInvalid` listing every problem ("dev.jsonl baris 7: field 'answerable'
    harus boolean (true/false)"), including ids used twice within or across files. The exception
    carries the list as `.problems`.
    """
    return load_jsonl_sets(paths, EvalQuestion, "pertanyaan", _describe)


def load_jsonl_sets(paths, model: type[BaseModel], what: str, describe: Callable[[dict], str]) -> list:
    """Records of `model` from JSONL files (questions, conversations), each with a unique `id`;
    every malformed line is reported with file, line and field (`describe` words a field error)."""
    problems: list[str] = []
    records: list = []
    seen: dict[str, str] = {}  # id -> "file baris n"
    files = _as_paths(paths)
    if not files:
        raise QuestionSetInvalid(f"Tidak ada berkas set {what} yang diberikan.")
    for path in files:
        name = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(f"{path}: berkas tidak ditemukan")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: berkas tidak dapat dibaca ({exc})")
            continue
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{name} baris {lineno}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: bukan JSON yang valid ({exc.msg}, kolom {exc.colno})")
                continue
            if not isinstance(raw, dict):
                problems.append(f"{where}: harus berupa objek JSON {{...}}")
                continue
            try:
                record = model.model_validate(raw)
            except ValidationError as exc:
                for error in exc.errors():
                    problems.append(f"{where}: {describe(error)}")
                continue
            if record.id in seen:
                problems.append(f"{where}: id '{record.id}' ganda (sudah dipakai di {seen[record.id]})")
                continue
            seen[record.id] = where
            records.append(record)
    if problems:
        err = QuestionSetInvalid(
            f"Set {what} tidak valid:\n" + "\n".join(f"- {p}" for p in problems),
            cause=f"{len(problems)} masalah dalam {', '.join(str(f) for f in files)}",
        )
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    if not records:
        raise QuestionSetInvalid(f"Set {what} kosong: tidak ada {what} di {', '.join(str(f) for f in files)}.")
    return records
