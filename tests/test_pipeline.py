"""Ingest pipeline: incremental, deterministic, crash-safe, locked, against embedded Chroma and a server."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from assistant.errors import IndexUnavailable, IngestLocked
from assistant.index import STATE_SUFFIX, IndexStore, collection_name
from conftest import CORPUS, make_settings
from ingest.pipeline import run_ingest

SMALL = ["ringkasan/permenpan-rb-45-2022.md", "ringkasan/permenpan-rb-34-2011.md", "glosarium-penyederhanaan-birokrasi.md"]


def small_corpus(root: Path) -> Path:
    for rel in SMALL:
        src = next(CORPUS.rglob(Path(rel).name))
        dst = root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
    return root


def live_ids(settings) -> list[str]:
    return IndexStore(settings).state().ids


def collection_ids(settings) -> set[str]:
    return set(IndexStore(settings).collection().get(include=[])["ids"])


def test_incremental_ingest(tmp_path, model_cache, embeddings):
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", model_cache, corpus)

    first = run_ingest(settings, embeddings=embeddings)
    assert sorted(first.added) == sorted(SMALL) and not first.rejected
    assert first.embedded == first.chunks > 0
    ids_before = live_ids(settings)
    assert len(ids_before) == len(set(ids_before)) == first.chunks
    assert collection_ids(settings) == set(ids_before)

    again = run_ingest(settings, embeddings=embeddings)
    assert again.embedded == 0 and sorted(again.unchanged) == sorted(SMALL) and not again.committed
    assert again.seconds < 2.0
    assert live_ids(settings) == ids_before

    # Change one provision of one file: only the chunks whose text changed are embedded.
    target = corpus / SMALL[0]
    text = target.read_text("utf-8")
    changed = text.replace("## Pasal 4", "## Pasal 4\n\nKalimat tambahan untuk uji perubahan.", 1)
    assert changed != text
    target.write_text(changed, "utf-8")
    third = run_ingest(settings, embeddings=embeddings)
    assert third.changed == [SMALL[0]] and third.embedded == 1
    state = IndexStore(settings).state()
    assert any("Kalimat tambahan untuk uji perubahan" in c.text for c in state.chunks)
    other_ids = [i for i in ids_before if not i.startswith("permenpan-rb-45-2022/")]
    assert set(other_ids) <= set(state.ids)
    assert collection_ids(settings) == set(state.ids)  # the old version was collected

    # Delete a file: its chunks disappear from the snapshot and from Chroma.
    (corpus / SMALL[1]).unlink()
    fourth = run_ingest(settings, embeddings=embeddings)
    assert fourth.removed == [SMALL[1]]
    state = IndexStore(settings).state()
    assert not any(c.doc_id == "permenpan-rb-34-2011" for c in state.chunks)
    assert "permenpan-rb-34-2011" not in state.documents
    assert collection_ids(settings) == set(state.ids)


def test_chunk_ids_are_deterministic(tmp_path, model_cache, embeddings):
    corpus = small_corpus(tmp_path / "corpus")
    a = make_settings(tmp_path / "a", model_cache, corpus)
    b = make_settings(tmp_path / "b", model_cache, corpus)
    run_ingest(a, embeddings=embeddings)
    run_ingest(b, embeddings=embeddings, rebuild=True)
    assert live_ids(a) == live_ids(b)


def test_second_ingest_is_refused_while_one_runs(tmp_path, model_cache, embeddings):
    settings = make_settings(tmp_path / "data", model_cache, small_corpus(tmp_path / "corpus"))
    settings.index_dir.mkdir(parents=True)
    with FileLock(str(settings.index_dir / "ingest.lock")):
        with pytest.raises(IngestLocked) as info:
            run_ingest(settings, embeddings=embeddings)
    assert "ingest lain sedang berjalan" in info.value.message


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path, model_cache, embeddings):
    corpus = small_corpus(tmp_path / "corpus")
    (corpus / "rusak.pdf").write_bytes(b"%PDF-1.4 ini bukan pdf yang utuh")
    (corpus / "kosong.md").write_text("", "utf-8")
    (corpus / "tabel.xlsx").write_bytes(b"PK\x03\x04 not really")
    (corpus / "tanpa-metadata.txt").write_text("Pasal 1\nTeks tanpa metadata.", "utf-8")
    (corpus / "status-salah.md").write_text(
        "---\ndoc_id: contoh-1\njenis: Peraturan\njudul: Contoh\nstatus: kadaluarsa\n---\n\n## Pasal 1\n\nIsi.\n", "utf-8"
    )
    (corpus / "relasi-salah.md").write_text(
        "---\ndoc_id: contoh-2\njenis: Peraturan\njudul: Contoh\ndicabut_oleh: [tidak-ada-2099]\n---\n\n## Pasal 1\n\nIsi.\n",
        "utf-8",
    )
    settings = make_settings(tmp_path / "data", model_cache, corpus)
    report = run_ingest(settings, embeddings=embeddings)
    assert sorted(report.added) == sorted(SMALL)
    assert set(report.rejected) == {
        "rusak.pdf", "kosong.md", "tabel.xlsx", "tanpa-metadata.txt", "status-salah.md", "relasi-salah.md"
    }
    assert "status" in report.rejected["status-salah.md"]
    assert "tidak-ada-2099" in report.rejected["relasi-salah.md"]
    assert "metadata" in report.rejected["tanpa-metadata.txt"]
    assert {c.doc_id for c in IndexStore(settings).state().chunks} >= {"permenpan-rb-45-2022"}

    # The CLI says the same without a traceback, and its exit code tells that files were rejected.
    from assistant.cli import app

    env = {"ASISTEN_DATA_DIR": str(settings.data_dir), "ASISTEN_CORPUS_DIR": str(corpus),
           "ASISTEN_MODEL_CACHE": str(model_cache)}
    from assistant import config

    config.get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["ingest"], env=env)
    finally:
        config.get_settings.cache_clear()
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "rusak.pdf" in result.output


def test_damaged_manifest_is_detected_and_rebuilt_without_reembedding(tmp_path, model_cache, embeddings):
    settings = make_settings(tmp_path / "data", model_cache, small_corpus(tmp_path / "corpus"))
    first = run_ingest(settings, embeddings=embeddings)
    ids = live_ids(settings)
    manifest = settings.index_dir / "manifest.json"
    manifest.write_text(manifest.read_text()[:200], "utf-8")  # truncated
    # The local files are only a cache: the shared state in Chroma restores them.
    assert not IndexStore(settings).manifest_ok()
    assert IndexStore(settings).state().ids == ids and len(ids) == first.chunks
    assert IndexStore(settings).manifest_ok()

    # Without the shared state (a Chroma of an older version) the damage is reported ...
    manifest.write_text(manifest.read_text()[:200], "utf-8")
    store = IndexStore(settings)
    store.client().delete_collection(collection_name(settings) + STATE_SUFFIX)
    with pytest.raises(IndexUnavailable):
        IndexStore(settings).state()
    # ... and the next ingest rebuilds it from the corpus, reusing every vector by content id.
    repaired = run_ingest(settings, embeddings=embeddings)
    assert repaired.committed and repaired.embedded == 0
    assert len(IndexStore(settings).state().chunks) == first.chunks


def _extra_documents(corpus: Path, count: int) -> None:
    for i in range(count):
        paragraphs = "\n\n".join(
            f"({j}) Ketentuan uji nomor {i}-{j} mengatur tata naskah dinas dan arsip unit kerja ke-{j}."
            for j in range(1, 9)
        )
        pasal = "\n\n".join(f"## Pasal {p}\n\n{paragraphs}\n\nSumber: dilaporkan — https://contoh.go.id/{i}" for p in range(1, 7))
        (corpus / f"uji-{i:03d}.md").write_text(
            f"---\ndoc_id: uji-{i:03d}\njenis: Peraturan Uji\nnomor: '{i}'\ntahun: 2030\njudul: Uji {i}\n---\n\n"
            f"# Peraturan Uji {i}\n\n{pasal}\n",
            "utf-8",
        )


def test_kill_during_ingest_leaves_previous_index_whole(tmp_path, model_cache, embeddings):
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", model_cache, corpus)
    run_ingest(settings, embeddings=embeddings)
    before = IndexStore(settings).state()
    extra = 100  # enough that three killed runs (each leaving its vectors behind) never finish: int8 embeds fast
    _extra_documents(corpus, extra)

    env = {**os.environ, "ASISTEN_DATA_DIR": str(settings.data_dir), "ASISTEN_CORPUS_DIR": str(corpus),
           "ASISTEN_MODEL_CACHE": str(model_cache)}
    for delay in (2.5, 5.0, 7.5):
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is not None:
            pytest.fail(f"ingest finished before the kill at {delay}s; give it more work")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        after = IndexStore(settings).state()
        assert after.generation == before.generation
        assert after.ids == before.ids
        assert not any(c.doc_id.startswith("uji-") for c in after.chunks)

    # A query sees the previous index's results, not the killed ingest's vectors.
    from assistant.service import build_assistant

    hits = build_assistant(settings).search("klasifikasi jabatan pelaksana klerek operator teknisi")
    assert hits and all(not h.chunk.doc_id.startswith("uji-") for h in hits)
    assert "permenpan-rb-45-2022" in {h.chunk.doc_id for h in hits[:3]}

    # The next ingest completes and collects the orphans of the killed runs.
    final = run_ingest(settings, embeddings=embeddings)
    assert final.committed and len(final.added) == extra
    state = IndexStore(settings).state()
    assert collection_ids(settings) == set(state.ids)


@pytest.mark.server
def test_ingest_against_a_chroma_server(tmp_path, model_cache, embeddings, chroma_server):
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", model_cache, corpus, chroma_url=chroma_server)
    first = run_ingest(settings, embeddings=embeddings)
    assert first.embedded == first.chunks > 0
    assert not (settings.data_dir / "chroma").exists()  # nothing embedded locally
    again = run_ingest(settings, embeddings=embeddings)
    assert again.embedded == 0
    store = IndexStore(settings)
    assert set(store.collection().get(include=[])["ids"]) == set(store.state().ids)
    from assistant.service import build_assistant

    hits = build_assistant(settings).search("klasifikasi jabatan pelaksana klerek operator teknisi")
    assert "permenpan-rb-45-2022" in {h.chunk.doc_id for h in hits[:3]}
    assert json.loads((settings.index_dir / "manifest.json").read_text())["generation"] == 1
