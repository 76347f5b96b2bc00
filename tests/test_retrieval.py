"""The hybrid retriever: a good LangChain citizen, and better than either of its halves."""
from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.index import IndexStore
from assistant.records import Filters
from assistant.references import Reference
from assistant.retrieval import HybridRetriever

_PARAMS: dict = {}


@pytest.fixture(autouse=True)
def _shipped_index(shipped_settings, embeddings):
    _PARAMS.update(store=IndexStore(shipped_settings), embeddings=embeddings)


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    pytestmark = [
        pytest.mark.asyncio,
        pytest.mark.filterwarnings("ignore:The test <Function .*is marked with '@pytest.mark.asyncio'"),
    ]

    @property
    def retriever_constructor(self):
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return dict(_PARAMS)

    @property
    def retriever_query_example(self) -> str:
        return "klasifikasi jabatan pelaksana klerek operator teknisi"


def retriever(mode: str = "hybrid", **extra) -> HybridRetriever:
    return HybridRetriever(mode=mode, **_PARAMS, **extra)


def test_documents_carry_the_chunk_metadata():
    docs = retriever(k=3).invoke("batas waktu pelantikan penyetaraan jabatan di daerah")
    assert all(isinstance(d, Document) for d in docs)
    first = docs[0].metadata
    assert {"doc_id", "chunk_id", "source_path", "bagian", "score"} <= set(first)
    assert docs[0].id == first["chunk_id"]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_each_mode_finds_the_regulation(mode):
    # Documents in the order of their best chunk: the glossary's many short entries may take the
    # first chunk places of a dense ranking; the regulation must still be among the first sources.
    hits = retriever(mode).search("kesetaraan jabatan pengawas ke jabatan fungsional ahli muda", k=10)
    sources = list(dict.fromkeys(h.chunk.doc_id for h in hits))
    assert "permenpan-rb-17-2021" in sources[:3], sources


def test_fusion_records_both_ranks():
    hits = retriever().search("klasifikasi jabatan pelaksana klerek operator teknisi", k=5)
    assert any(h.dense_rank and h.bm25_rank for h in hits)
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_exact_reference_comes_first_and_named_documents_narrow():
    ref = Reference(doc_ids=["uu-20-2023"], pasal="18", ayat="3")
    hits = retriever().search("tugas jabatan pelaksana", reference=ref, k=5)
    assert hits[0].exact and (hits[0].chunk.doc_id, hits[0].chunk.pasal) == ("uu-20-2023", "18")
    named = retriever().search("jabatan pelaksana", reference=Reference(doc_ids=["kepmenpan-rb-282-2025"]), k=5)
    assert {h.chunk.doc_id for h in named} == {"kepmenpan-rb-282-2025"}


def test_metadata_filters():
    hits = retriever().search("penyetaraan jabatan", filters=Filters(tahun=[2019]), k=5)
    assert hits and {h.chunk.doc_id for h in hits} == {"permenpan-rb-28-2019"}
    hits = retriever().search("penyetaraan jabatan", filters=Filters(status=["dicabut"]), k=5)
    assert {h.chunk.doc_id for h in hits} == {"permenpan-rb-28-2019"}
    assert retriever().search("penyetaraan jabatan", filters=Filters(resmi=True), k=5) == []


def test_colloquial_questions_reach_the_same_passages():
    formal = retriever().search("berapa orang pejabat yang dilantik menjadi jabatan fungsional di Cilegon", k=3)
    chat = retriever().search("brp org pejabat yg dilantik jd JF di cilegon", k=3)
    assert formal[0].chunk.chunk_id in {h.chunk.chunk_id for h in chat}


def test_a_passage_only_one_retriever_finds_is_not_buried(assistant):
    # "perorangan" is "individu" in the corpus: BM25 finds the Lampiran line first, e5 ranks it low;
    # fusion alone would leave it below passages both retrievers half-like.
    hits = assistant.search("dalam sistem kerja baru, siapa yang memutuskan pekerjaan dikerjakan tim atau perorangan?")
    headings = [h.chunk.heading for h in hits[:5]]
    assert "Lampiran — Tahap Perencanaan" in headings
