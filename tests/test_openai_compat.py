"""The official `openai` client against /v1/chat/completions, plain and streaming."""
from __future__ import annotations

import openai
import pytest
from api_server import app_settings, start_server

pytestmark = pytest.mark.server

KEY = "kunci-openai-12345"
QUESTION = "Apa saja klasifikasi jabatan pelaksana?"


@pytest.fixture(scope="module")
def server(assistant, shipped_settings, tmp_path_factory):
    settings = app_settings(shipped_settings, tmp_path_factory.mktemp("openai-data"), api_keys=f"{KEY}:ask")
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
