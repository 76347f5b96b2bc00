"""The optional generative composer against a real chat-completions server on 127.0.0.1."""
from __future__ import annotations

import time

import pytest

from assistant.compose.openai_compat import OpenAICompatComposer
from assistant.service import Assistant
from fake_llm import FakeChatCompletions


@pytest.fixture(scope="module")
def llm():
    fake = FakeChatCompletions()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def generative(shipped_settings, llm):
    settings = shipped_settings.with_overrides(llm_base_url=llm.url, llm_model="model-uji", llm_timeout_s=2.0)
    assistant = Assistant(settings)
    assert isinstance(assistant.composer, OpenAICompatComposer)
    return assistant, llm


QUESTION = "Jabatan pelaksana diklasifikasikan menjadi apa saja menurut Pasal 4 Permenpan 45/2022?"


def test_answer_with_checked_citations(generative):
    generative, llm = generative
    SCRIPT = llm.script
    SCRIPT.clear()
    SCRIPT["text"] = "Jabatan pelaksana terdiri atas klerek, operator, dan teknisi [1]. Ada juga Pasal 77 [7]."
    answer = generative.ask(QUESTION)
    assert answer.found
    assert "[7]" not in answer.answer and "[1]" in answer.answer
    assert [c.n for c in answer.citations] == [1] and answer.citations[0].pasal == "4"
    assert any("[7]" in w for w in answer.warnings)
    prompt = llm.requests[-1]["messages"][-1]["content"]
    assert "[1]" in prompt and "klerek" in prompt.lower()  # the numbered passages went to the model


def test_streamed_answer_is_checked_at_the_end(generative):
    generative, llm = generative
    SCRIPT = llm.script
    SCRIPT.clear()
    SCRIPT["text"] = "Klasifikasinya klerek, operator, teknisi [1] dan menurut sumber lain [9]."
    events = list(generative.ask_stream(QUESTION))
    deltas = "".join(p for k, p in events if k == "delta")
    assert "klerek" in deltas and llm.requests[-1]["stream"] is True
    done = events[-1][1]
    assert "[9]" not in done.answer and [c.n for c in done.citations] == [1]


def test_not_found_from_the_model_is_an_honest_refusal(generative):
    generative, llm = generative
    SCRIPT = llm.script
    SCRIPT.clear()
    SCRIPT["text"] = "TIDAK DITEMUKAN"
    answer = generative.ask(QUESTION)
    assert not answer.found and answer.citations == []


def test_errors_and_timeouts_fall_back_to_the_extractive_answer(generative):
    generative, llm = generative
    SCRIPT = llm.script
    SCRIPT.clear()
    SCRIPT.update(text="x", status=500)
    answer = generative.ask(QUESTION)
    assert answer.found and "klerek" in answer.answer.lower()
    assert any("ekstraktif" in w for w in answer.warnings)
    SCRIPT.clear()
    SCRIPT.update(text="terlambat [1]", delay=3.0)
    started = time.perf_counter()
    answer = generative.ask(QUESTION)
    assert time.perf_counter() - started < 3.0 + 2.0
    assert answer.found and any("ekstraktif" in w for w in answer.warnings)


def test_an_answer_without_citations_is_replaced(generative):
    generative, llm = generative
    SCRIPT = llm.script
    SCRIPT.clear()
    SCRIPT["text"] = "Jabatan pelaksana ada tiga macam."
    answer = generative.ask(QUESTION)
    assert answer.found and answer.citations and any("tidak memuat rujukan" in w for w in answer.warnings)
