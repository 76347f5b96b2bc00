"""Question set loading: valid sets, and errors that name file, line and field."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import QuestionSetInvalid
from evals.questionset import EvalQuestion, load_questions

REPO = Path(__file__).resolve().parents[1]


def write(path: Path, lines: list) -> Path:
    path.write_text("\n".join(l if isinstance(l, str) else json.dumps(l) for l in lines) + "\n",
                    encoding="utf-8")
    return path


GOOD = {"id": "q001", "question": "Apa saja jabatan pelaksana?", "answerable": True,
        "expected_docs": ["permenpan-rb-45-2022"], "expected_pasal": "4",
        "must_include": ["klerek"], "category": "jabatan-pelaksana", "history": []}


def test_load_valid_set_with_defaults_blank_lines_and_unknown_fields(tmp_path):
    path = write(tmp_path / "dev.jsonl", [
        GOOD, "", "   ",
        {"id": "q002", "question": "Lalu ayat 2?", "note": "abaikan", "expected_pasal": 5,
         "history": [{"role": "user", "content": "Pasal 4?"}, {"role": "assistant", "content": "..."}]},
    ])
    qs = load_questions(path)
    assert [x.id for x in qs] == ["q001", "q002"]
    second = qs[1]
    assert second.answerable is True and second.category == "umum"
    assert second.expected_docs == [] and second.must_include == []
    assert second.expected_pasal == "5"
    assert second.history[0].role == "user" and len(second.history) == 2
    assert not hasattr(second, "note")


def test_answerable_must_be_boolean_with_line_number(tmp_path):
    path = write(tmp_path / "dev.jsonl", [GOOD] + [dict(GOOD, id=f"q{i}") for i in range(2, 7)]
                 + [dict(GOOD, id="q7", answerable="ya")])
    with pytest.raises(QuestionSetInvalid) as info:
        load_questions(path)
    assert "dev.jsonl baris 7: field 'answerable' harus boolean" in info.value.message
    assert info.value.problems == ["dev.jsonl baris 7: field 'answerable' harus boolean (true/false)"]


def test_every_problem_reported_with_its_line(tmp_path):
    path = write(tmp_path / "set.jsonl", [
        GOOD,
        "{bukan json",
        "[1, 2]",
        {"question": "tanpa id"},
        {"id": "q9", "question": "x", "expected_docs": [1]},
        {"id": "q10", "question": "x", "history": [{"role": "system", "content": "x"}]},
        {"id": "q11", "question": ""},
    ])
    with pytest.raises(QuestionSetInvalid) as info:
        load_questions(path)
    problems = info.value.problems
    assert problems[0].startswith("set.jsonl baris 2: bukan JSON yang valid")
    assert problems[1] == "set.jsonl baris 3: harus berupa objek JSON {...}"
    assert problems[2] == "set.jsonl baris 4: field 'id' wajib diisi"
    assert problems[3] == "set.jsonl baris 5: field 'expected_docs.0' harus teks"
    assert problems[4] == "set.jsonl baris 6: field 'history.0.role' harus 'user' atau 'assistant'"
    assert problems[5] == "set.jsonl baris 7: field 'question' tidak boleh kosong"


def test_duplicate_ids_across_files(tmp_path):
    dev = write(tmp_path / "dev.jsonl", [GOOD])
    test = write(tmp_path / "test.jsonl", [dict(GOOD, id="t1"), "", dict(GOOD)])
    with pytest.raises(QuestionSetInvalid) as info:
        load_questions([dev, test])
    assert info.value.problems == [
        "test.jsonl baris 3: id 'q001' ganda (sudah dipakai di dev.jsonl baris 1)"]


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(QuestionSetInvalid, match="tidak ditemukan"):
        load_questions(tmp_path / "nope.jsonl")
    empty = write(tmp_path / "empty.jsonl", ["", ""])
    with pytest.raises(QuestionSetInvalid, match="kosong"):
        load_questions(empty)


def test_model_defaults():
    x = EvalQuestion(id="a", question="b")
    assert x.answerable and x.category == "umum" and x.history == [] and x.expected_pasal is None


@pytest.mark.parametrize("name", ["dev.jsonl", "test.jsonl"])
def test_shipped_question_sets_load(name):
    path = REPO / "evals" / "questions" / name
    qs = load_questions(path)
    assert qs
    assert any(not x.answerable for x in qs), "a split needs unanswerable questions for abstention"
