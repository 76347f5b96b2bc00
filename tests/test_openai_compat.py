"""The official `openai` client against /v1/chat/completions, plain and streaming."""
from __future__ import annotations

import math

import openai
import pytest
from api_server import app_settings, start_server

pytestmark = pytest.mark.server

KEY = "kunci-openai-12345"
QUESTION = "Apa saja klasifikasi jabatan pelaksana?"


@pytest.fixture(scope="module")
def server(assistant, shipped_settings, tmp_path_factory):
    settings = app_settings(shipped_settings, tmp_path_factory.mktemp("openai-data"), api_keys=f"{KEY}:ask",
                            openai_model_aliases="gpt-4o-mini")
    srv = start_server(settings, assistant)
    yield srv
    srv.stop()


@pytest.fixture()
def client(server):
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0, timeout=60)


def test_plain_completion_carries_citations(client):
    resp = client.chat.completions.create(
        model="asisten-regulasi",
        messages=[{"role": "system", "content": "Jawab singkat."}, {"role": "user", "content": QUESTION}],
    )
    assert resp.object == "chat.completion"
    choice = resp.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content
    assert "Dasar hukum:" in content and "[1]" in content
    citations = resp.model_extra["citations"]
    assert citations and citations[0]["n"] == 1 and citations[0]["label"] in content
    assert resp.model_extra["answer_id"] and resp.id == f"chatcmpl-{resp.model_extra['answer_id']}"


def test_streaming_completion(client):
    stream = client.chat.completions.create(
        model="asisten-regulasi", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    pieces, finish, citations, roles = [], None, None, set()
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk"
        delta = chunk.choices[0].delta
        if delta.role:
            roles.add(delta.role)
        if delta.content:
            pieces.append(delta.content)
        if chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
            citations = chunk.model_extra.get("citations")
    text = "".join(pieces)
    assert roles == {"assistant"} and finish == "stop"
    assert "Dasar hukum:" in text and citations and citations[0]["label"] in text


def test_history_from_earlier_messages(client):
    resp = client.chat.completions.create(
        model="asisten-regulasi",
        messages=[
            {"role": "user", "content": "Apa itu jabatan pelaksana menurut Permenpan RB 45 Tahun 2022?"},
            {"role": "assistant", "content": "Jabatan pelaksana dikelompokkan ke dalam klasifikasi."},
            {"role": "user", "content": [{"type": "text", "text": "Apa saja klasifikasinya?"}]},
        ],
        extra_body={"k": 5},
    )
    assert resp.choices[0].message.content
    assert resp.model_extra["found"] in (True, False)


def test_models_list(client):
    assert [m.id for m in client.models.list()] == ["asisten-regulasi"]


def test_errors_reach_the_client_in_indonesian(client, server):
    with pytest.raises(openai.UnprocessableEntityError) as exc:
        client.chat.completions.create(
            model="asisten-regulasi",
            messages=[{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}],
        )
    assert "Pesan terakhir harus dari 'user'" in exc.value.message
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="asisten-regulasi", messages=[])
    bad = openai.OpenAI(base_url=f"{server.url}/v1", api_key="kunci-salah-000", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as exc:
        bad.chat.completions.create(model="asisten-regulasi", messages=[{"role": "user", "content": QUESTION}])
    assert "tidak dikenal" in exc.value.message


def approx_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)  # docs/api.md: ceil(characters / 4), + 4 per prompt message


def test_usage_counts_follow_one_rule_plain_and_streamed(client):
    messages = [{"role": "system", "content": "Jawab singkat."}, {"role": "user", "content": QUESTION}]
    resp = client.chat.completions.create(model="asisten-regulasi", messages=messages)
    content = resp.choices[0].message.content
    prompt = sum(approx_tokens(m["content"]) + 4 for m in messages)
    assert resp.usage.prompt_tokens == prompt
    assert resp.usage.completion_tokens == approx_tokens(content) > 0
    assert resp.usage.total_tokens == prompt + approx_tokens(content)

    stream = client.chat.completions.create(model="asisten-regulasi", messages=messages, stream=True,
                                            stream_options={"include_usage": True})
    pieces, usage = [], None
    for chunk in stream:
        if chunk.usage is not None:
            assert chunk.choices == []
            usage = chunk.usage
        elif chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
    assert "".join(pieces) == content  # the extractive answer is deterministic
    assert usage is not None and usage.model_dump() == resp.usage.model_dump()


def test_unknown_model_is_refused_and_aliases_are_explicit(client):
    with pytest.raises(openai.NotFoundError) as exc:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert exc.value.code == "model_not_found"
    assert "Model 'gpt-4o' tidak dikenal" in exc.value.message and "ASISTEN_OPENAI_MODEL_ALIASES" in exc.value.message
    mapped = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": QUESTION}])
    assert mapped.model == "asisten-regulasi" and mapped.choices[0].message.content
