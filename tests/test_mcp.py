"""The MCP server through the SDK's own client: `asisten mcp` over stdio (a real subprocess) and
Streamable HTTP at /mcp of a real uvicorn on 127.0.0.1, behind the API keys."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import anyio
import httpx
import pytest
from api_server import ServerThread, app_settings

from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

REPO = Path(__file__).resolve().parent.parent
ASK_KEY = "kunci-mcp-uji-12345"
TOOLS = {"cari_pasal", "baca_pasal", "status_peraturan", "daftar_peraturan", "tanya"}
QUESTION = "Apa saja klasifikasi jabatan pelaksana?"


async def exercise(client: Client) -> dict:
    """What every transport must deliver: the tools, a cited answer, a Pasal's text, a resource."""
    listed = await client.list_tools()
    tools = {t.name: t for t in listed.tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert re.search(r"\b(dan|dengan|yang|atau)\b", tool.description or "")  # Indonesian descriptions
        assert not re.search(r"\b(the|and|with)\b", tool.description)
        assert tool.input_schema["type"] == "object" and tool.output_schema
    assert tools["baca_pasal"].input_schema["required"] == ["doc_id", "pasal"]

    answer = await client.call_tool("tanya", {"pertanyaan": QUESTION})
    assert not answer.is_error, answer.content
    data = answer.structured_content
    assert data["found"] is True and "[1]" in data["jawaban"]
    first = data["kutipan"][0]
    # its Pasal 4 or the digest's unit on the same classification: a near tie the int8 and fp32
    # encoders order differently
    assert first["n"] == 1 and first["doc_id"] == "permenpan-rb-45-2022"
    assert "klerek" in first["kutipan"]

    pasal = await client.call_tool("baca_pasal", {"doc_id": "permenpan-rb-45-2022", "pasal": "4"})
    assert not pasal.is_error, pasal.content
    text = pasal.structured_content
    assert text["label"] == "Permenpan RB Nomor 45 Tahun 2022, Pasal 4"
    assert "klerek, operator, dan teknisi" in text["teks"] and text["status_pasal"] == "asli"

    missing = await client.call_tool("baca_pasal", {"doc_id": "permenpan-rb-45-2022", "pasal": "999"})
    assert missing.is_error and "Pasal 999 tidak ditemukan" in missing.content[0].text
    assert "Error executing" not in missing.content[0].text
    bad = await client.call_tool("cari_pasal", {"kueri": "", "k": 99})
    assert bad.is_error and "tidak valid" in bad.content[0].text and "kueri" in bad.content[0].text

    status = await client.call_tool("status_peraturan", {"doc_id": "permenpan-rb-45-2022"})
    assert status.structured_content["mencabut"][0]["doc_id"] == "permenpan-rb-41-2018"
    catalogue = await client.call_tool("daftar_peraturan", {"jenis": "Peraturan Menteri"})
    ids = [d["doc_id"] for d in catalogue.structured_content["dokumen"]]
    assert "permenpan-rb-45-2022" in ids and "uu-20-2023" not in ids
    found = await client.call_tool("cari_pasal", {"kueri": "klasifikasi jabatan pelaksana", "k": 3,
                                                  "doc_id": ["permenpan-rb-45-2022"]})
    hits = found.structured_content["hasil"]
    assert 1 <= len(hits) <= 3 and {h["doc_id"] for h in hits} == {"permenpan-rb-45-2022"}

    resources = (await client.list_resources()).resources
    uris = [str(r.uri) for r in resources]
    assert "regulasi://dokumen/permenpan-rb-45-2022" in uris
    read = await client.read_resource("regulasi://dokumen/permenpan-rb-45-2022")
    assert "### Pasal 4" in read.contents[0].text
    return data


def test_mcp_over_stdio(shipped_settings):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "ASISTEN_DATA_DIR": str(shipped_settings.data_dir),
        "ASISTEN_CORPUS_DIR": str(shipped_settings.corpus_dir),
        "ASISTEN_MODEL_CACHE": str(shipped_settings.models_dir),
    }
    params = StdioServerParameters(command=sys.executable, args=["-m", "assistant.cli", "mcp"], env=env, cwd=str(REPO))

    async def main():
        async with Client(params, read_timeout_seconds=180) as client:
            return await exercise(client)

    assert anyio.run(main)["found"] is True


@pytest.fixture(scope="module")
def keyed_server(assistant, shipped_settings, tmp_path_factory):
    settings = app_settings(shipped_settings, tmp_path_factory.mktemp("mcp-data"), api_keys=f"{ASK_KEY}:ask")
    from assistant.api import create_app

    srv = ServerThread(create_app(settings, assistant=assistant, ui=False)).start()
    yield srv
    srv.stop()


def test_mcp_over_http_with_key(keyed_server):
    async def main():
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {ASK_KEY}"})
        async with http, Client(streamable_http_client(keyed_server.url + "/mcp", http_client=http)) as client:
            return await exercise(client)

    data = anyio.run(main)
    # the answer was logged like any other, on its own channel
    logged = keyed_server.app.state.store.get_answer(data["answer_id"])
    assert logged is not None and logged["channel"] == "mcp" and logged["question"] == QUESTION


@pytest.mark.parametrize("headers, status", [({}, 401), ({"Authorization": "Bearer salah-kunci-123"}, 401)])
def test_mcp_http_refuses_without_a_valid_key(keyed_server, headers, status):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    response = httpx.post(keyed_server.url + "/mcp", json=body,
                          headers={**headers, "Accept": "application/json, text/event-stream"})
    assert response.status_code == status
    assert "Kunci API" in response.json()["error"]["message"]
