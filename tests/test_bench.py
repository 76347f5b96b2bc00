"""`asisten bench --quick` on a two-file corpus: every variant (torch, ONNX fp32, ONNX int8, the
LangChain dense baseline) is measured in process and through a real uvicorn on 127.0.0.1, with small
bounded loops. Checks bench.json's structure, that every figure and ratio of the table exists and is
sane, and that questions come from the dev split only; it asserts no timings (the machine is shared)."""
from __future__ import annotations

import json
import shutil

import pytest

from evals import bench

from conftest import CORPUS, make_settings

TINY_FILES = ("ringkasan/perwal-cilegon-6-2023.md", "ringkasan/se-walikota-cilegon-060-328-org-2023.md")


def test_parse_scale_and_stats():
    assert bench.parse_scale("1000") == 1000 and bench.parse_scale("×100") == 100
    for bad in ("x", "0", "5000"):
        with pytest.raises(ValueError):
            bench.parse_scale(bad)
    s = bench.stats_ms([1.0, 2.0, 3.0, 4.0, 100.0])
    assert s["n"] == 5 and s["p50"] == 3.0 and s["p50"] <= s["p95"] <= s["p99"] <= s["max"] == 100.0
    assert bench.stats_ms([])["p95"] is None
    assert bench.ratio(30.0, 10.0) == 3.0 and bench.ratio(1.0, 0) is None


def test_bench_questions_are_distinct_dev_questions():
    assert bench.QUESTION_FILE.name == "dev.jsonl"
    pairs = bench.load_bench_questions()
    assert len(pairs) >= 100 and any(history for _, history in pairs)
    assert len({(q, json.dumps(h)) for q, h in pairs}) == len(pairs)
    json.dumps(pairs)  # sent as request bodies by the HTTP clients
    texts = {bench.distinct(pairs, i)[0] for i in range(3 * len(pairs))}
    assert len(texts) == 3 * len(pairs)  # repeats become distinct texts


def test_update_docs_replaces_only_the_generated_block(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nProse before.\n", "utf-8")
    bench.update_docs(doc, "| a | b |\n")
    bench.update_docs(doc, "| c | d |\n")
    text = doc.read_text("utf-8")
    assert "Prose before." in text and "| c | d |" in text and "| a | b |" not in text
    assert text.count(bench.BEGIN_MARK) == 1 and text.count(bench.END_MARK) == 1


@pytest.fixture()
def tiny_corpus(tmp_path):
    target = tmp_path / "corpus"
    for rel in TINY_FILES:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / rel, target / rel)
    return target


@pytest.mark.server
def test_quick_bench_side_by_side(tmp_path, model_cache, tiny_corpus):
    settings = make_settings(tmp_path / "caller-data", model_cache, corpus_dir=tiny_corpus, embedding_backend="onnx-int8")
    out = tmp_path / "out"
    docs = tmp_path / "benchmarks.md"
    result = bench.run_bench(settings, out, None, quick=True, scale=2, docs_path=docs)
    saved = json.loads((out / "bench.json").read_text("utf-8"))
    assert saved["quick"] is True and saved["default_variant"] == "onnx-int8" == result["default_variant"]
    assert saved["questions"]["file"].endswith("dev.jsonl") and saved["questions"]["distinct"] == bench.QUICK.questions
    assert set(saved["machine"]["cpu_flags"]) == set(bench.CPU_FLAGS)
    assert list(saved["variants"]) == ["torch", "onnx", "onnx-int8", "langchain-dense"]

    for name, entry in saved["variants"].items():
        if name == "langchain-dense":
            assert entry["retriever"] == "dense" and entry["ingest_shared_with"] == "torch"
        else:
            ing = entry["ingest"]
            assert ing["backend"] == entry["backend"] == name and ing["chunks"] > 0 and ing["chunks_per_s"] > 0
        ip = entry["inprocess"]
        assert ip["answer_ms"]["n"] == bench.QUICK.questions and 0 < ip["answer_ms"]["p50"] <= ip["answer_ms"]["p95"]
        assert ip["components_ms_mean"]["embed query"] > 0
        for callers in ("1", "2"):
            rate = ip["callers"][callers]
            assert rate["errors"] == 0, rate["error_kinds"]
            assert 0 < rate["ok"] <= bench.QUICK.inproc_max and rate["rps"] > 0
        http = entry["http"]
        assert http["errors"] == 0, http["error_kinds"]
        assert http["clients"] == 8 and 0 < http["ok"] <= bench.QUICK.http_max and http["rps"] > 0
        assert http["ready_s"] > 0 and http["rss_mb_ready"] > 50 and http["page_status"] == 200

    (row,) = saved["scale"]
    assert row["scale"] == 2 and row["chunks"] == 2 * saved["variants"]["onnx-int8"]["ingest"]["chunks"]
    assert row["answer_ms"]["p95"] > 0 and row["rss_mb"] > 50 and row["server_ready_s"] > 0

    names = {t["name"] for t in saved["targets"]}
    assert {"http_rps_vs_today", "http_rps_vs_baseline", "http_p95_vs_baseline", "answer_p50_ms",
            "ingest_vs_today", "ready_s", "scale_x2_answer_p95_ms"} <= names
    assert all(t["met"] in (True, False) and t["value"] > 0 for t in saved["targets"])
    assert "work_dir" not in saved and not (tmp_path / "caller-data").exists()

    markdown = (out / "benchmarks.md").read_text("utf-8")
    assert "| figure | torch | onnx | onnx-int8 | langchain-dense |" in markdown
    assert "| onnx-int8 / torch | onnx-int8 / langchain-dense |" in markdown
    for label in ("HTTP answers/s, 8 clients", "single answer p50", "ingest, chunks/s", "start → /readyz 200",
                  "answers/s, 2 callers", "AVX-512 VNNI", "**Scale ×2**"):
        assert label in markdown
    assert bench.BEGIN_MARK in docs.read_text("utf-8")
