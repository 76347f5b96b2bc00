"""The shipped corpus: every document present, valid, with its relations and provenance."""
from __future__ import annotations

import re

import pytest

from assistant.index import IndexStore
from conftest import CORPUS, make_settings
from ingest.pipeline import corpus_files, run_ingest

EXPECTED_IDS = {
    "permenpan-rb-25-2021", "permenpan-rb-17-2021", "permenpan-rb-7-2022", "permenpan-rb-45-2022",
    "permenpan-rb-34-2011", "permenpan-rb-28-2019", "permenpan-rb-1-2023", "kepmenpan-rb-282-2025", "uu-20-2023",
    "surat-mendagri-800-2603-otda-2021", "perwal-cilegon-9-2023", "perwal-cilegon-6-2023",
    "se-walikota-cilegon-060-328-org-2023", "berita-penataan-kelembagaan-cilegon-2023",
    "berita-penyetaraan-cilegon-2021", "glosarium-penyederhanaan-birokrasi",
    "permenpan-rb-1-2020", "permendagri-12-2017", "pp-18-2016", "pp-72-2019", "perpres-95-2018",
    "permenpan-rb-6-2022", "berita-evaluasi-uptd-cilegon-2023", "perwal-cilegon-106-2016",
}


def test_shipped_corpus_validates_without_rejections(tmp_path, model_cache):
    report = run_ingest(make_settings(tmp_path / "data", model_cache), dry_run=True)
    assert report.rejected == {}
    assert len(report.added) == len(corpus_files(CORPUS)) == len(EXPECTED_IDS)
    assert report.chunks > 100


@pytest.fixture(scope="module")
def state(shipped_settings):
    return IndexStore(shipped_settings).state()


def test_every_document_is_ingested_with_chunks(state):
    assert set(state.documents) == EXPECTED_IDS
    assert {c.doc_id for c in state.chunks} == EXPECTED_IDS


def test_relations_and_status(state):
    docs = state.documents
    assert docs["permenpan-rb-28-2019"].status == "dicabut"
    assert docs["permenpan-rb-28-2019"].dicabut_oleh == ["permenpan-rb-17-2021"]
    assert "permenpan-rb-28-2019" in docs["permenpan-rb-17-2021"].mencabut
    assert "kepmenpan-rb-11-2024" in docs["kepmenpan-rb-282-2025"].mencabut
    assert docs["uu-20-2023"].status == "berlaku"
    # an amendment pair: PP 72/2019 amends PP 18/2016, which stays in the corpus as "diubah"
    assert "pp-18-2016" in docs["pp-72-2019"].mengubah
    assert docs["pp-18-2016"].diubah_oleh == ["pp-72-2019"]
    assert docs["pp-18-2016"].status == "diubah"
    assert "permenpan-rb-8-2021" in docs["permenpan-rb-6-2022"].mencabut
    assert all(not meta.resmi for meta in docs.values())  # digests only until official texts are added
    for meta in docs.values():
        assert meta.sumber, meta.doc_id
        assert all(url.startswith("http") for url in meta.sumber), meta.doc_id


def test_every_provision_carries_its_provenance(state):
    pasal_chunks = [c for c in state.chunks if c.pasal]
    assert pasal_chunks
    for chunk in state.chunks:
        if chunk.heading is None and chunk.bagian == "Isi":
            continue  # a document's short introduction
        assert chunk.verifikasi in ("terverifikasi", "dilaporkan", "dikutip"), chunk.chunk_id
        assert chunk.sumber_url and chunk.sumber_url.startswith("http"), chunk.chunk_id
        assert "Sumber:" not in chunk.text, chunk.chunk_id


def test_known_pasal_are_where_the_facts_put_them(state):
    pasal = {(c.doc_id, c.pasal) for c in state.chunks if c.pasal and c.bagian == "Batang Tubuh"}
    for expected in [("permenpan-rb-45-2022", "2"), ("permenpan-rb-45-2022", "4"), ("permenpan-rb-45-2022", "6"),
                     ("permenpan-rb-17-2021", "34"), ("permenpan-rb-34-2011", "3"), ("permenpan-rb-34-2011", "5"),
                     ("uu-20-2023", "13"), ("uu-20-2023", "14"), ("uu-20-2023", "18"),
                     ("pp-18-2016", "19"), ("pp-18-2016", "28"), ("permendagri-12-2017", "3"),
                     ("perpres-95-2018", "19"), ("permenpan-rb-6-2022", "5")]:
        assert expected in pasal


def test_no_pasal_claimed_without_a_source():
    """A digest may only use `## Pasal N` headings; every section ends with a Sumber line."""
    for path in CORPUS.rglob("*.md"):
        if path.name == "README.md":
            continue
        text = path.read_text("utf-8")
        body = text.split("\n---", 1)[1]
        sections = re.split(r"^## ", body, flags=re.M)[1:]
        assert sections, path
        for section in sections:
            heading = section.splitlines()[0]
            lines = [line for line in section.strip().splitlines() if line.strip()]
            assert lines[-1].startswith("Sumber: "), f"{path.name}: '{heading}' has no Sumber line"
