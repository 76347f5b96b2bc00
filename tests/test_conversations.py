"""Conversation sets (evals/conversations.py): the loader's Indonesian errors and each turn role's
verdict. The sets themselves are asked by `asisten eval --conversations`."""
from __future__ import annotations

import json

import pytest

from assistant.errors import QuestionSetInvalid
from assistant.records import Answer, Citation
from evals.conversations import load_conversations, score_turn


def _write(tmp_path, *lines) -> str:
    path = tmp_path / "conv.jsonl"
    path.write_text("\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines) + "\n", "utf-8")
    return str(path)


def _turn(role, answerable=True, docs=("permenpan-rb-45-2022",)):
    return {"question": "apa itu klerek?", "role": role, "answerable": answerable,
            "expected_docs": list(docs) if answerable else []}


def test_a_valid_set_loads_in_order(tmp_path):
    path = _write(tmp_path, {"id": "c1", "turns": [_turn("start"), _turn("followup")]},
                  {"id": "c2", "turns": [_turn("start"), _turn("switch-oos", answerable=False)]})
    assert [c.id for c in load_conversations(path)] == ["c1", "c2"]


def test_every_bad_line_is_named_in_indonesian(tmp_path):
    path = _write(tmp_path, {"id": "c0", "turns": [_turn("start")]},
                  {"id": "c1", "turns": [dict(_turn("start"), role="nanya")]},
                  "{bukan json", {"id": "c0", "turns": [_turn("start")]},
                  {"id": "c2", "turns": [dict(_turn("start"), answerable="ya")]})
    with pytest.raises(QuestionSetInvalid) as caught:
        load_conversations(path)
    problems = caught.value.problems
    assert any("baris 2" in p and "start, followup, switch, switch-oos" in p for p in problems)
    assert any("baris 3" in p and "bukan JSON" in p for p in problems)
    assert any("baris 4" in p and "ganda" in p for p in problems)
    assert any("baris 5" in p and "boolean" in p for p in problems)
    assert not any("Input should" in p for p in problems)  # no pydantic English reaches the user


def _answer(found, doc="permenpan-rb-45-2022"):
    cites = [Citation(n=1, doc_id=doc, label="x", quote="q", source="s", chunk_id="c")] if found else []
    return Answer(question="q", answer="klerek" if found else "tidak ditemukan", found=found, citations=cites)


def test_each_role_has_its_verdict(tmp_path):
    conv = load_conversations(_write(tmp_path, {"id": "c", "turns": [
        _turn("start"), _turn("switch", docs=("uu-20-2023",)), _turn("switch-oos", answerable=False)]}))[0]
    start, switch, oos = conv.turns
    assert score_turn(start, _answer(True))["right"] is True
    assert score_turn(switch, _answer(True))["right"] is False  # answered from the old topic
    assert score_turn(switch, _answer(True, "uu-20-2023"))["right"] is True
    assert score_turn(oos, _answer(True))["right"] is False and score_turn(oos, _answer(False))["right"] is True
