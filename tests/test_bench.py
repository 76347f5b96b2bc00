"""The benchmark machinery (evals/bench.py) at tiny scale: a two-file corpus, four questions, ×1 and ×2,
the API with 1 and 2 clients for one second each. It checks bench.json's structure and that the
values are sane; it asserts no timings (the machine may be loaded)."""
from __future__ import annotations

import json
import shutil

import pytest

from evals import bench

from conftest import CORPUS, make_settings

TINY_FILES = ("ringkasan/perwal-cilegon-6-2023.md", "ringkasan/se-walikota-cilegon-060-328-org-2023.md")


def test_parse_scales_and_stats():
    assert bench.parse_scales("100, 1,10") == [1, 10, 100]
    with pytest.raises(ValueError):
        bench.parse_scales("1,x")
    with pytest.raises(ValueError):
        bench.parse_scales("0")
    s = bench.stats_ms([1.0, 2.0, 3.0, 4.0, 100.0])
    assert s["n"] == 5 and s["p50"] == 3.0 and s["p50"] <= s["p95"] <= s["p99"] <= s["max"] == 100.0
    assert bench.stats_ms([])["p95"] is None
    assert bench.ratio(30.0, 10.0) == 3.0 and bench.ratio(1.0, 0) is None


def test_bench_questions_are_plain_json_with_histories():
    pairs = bench.load_bench_questions()
    assert len(pairs) >= 100 and any(history for _, history in pairs)
    json.dumps(pairs)  # sent as request bodies by the API load clients


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


def test_run_bench_tiny(tmp_path, model_cache, tiny_corpus):
    settings = make_settings(tmp_path / "caller-data", model_cache, corpus_dir=tiny_corpus)
    out = tmp_path / "out"
    docs = tmp_path / "benchmarks.md"
    result = bench.run_bench(
        settings, [2], out, None, api_seconds=1.0, api_clients=(1, 2), api_max_requests=20,
        max_questions=4, docs_path=docs, largest_ready=False,
    )
    saved = json.loads((out / "bench.json").read_text("utf-8"))
    assert saved["scales"] == [1, 2] == result["scales"]
    assert saved["machine"]["nproc"] >= 1 and saved["machine"]["cpu_model"]

    ing = saved["ingest"]
    assert ing["files"] == 2 and ing["chunks"] > 0
    assert ing["chunks_per_s"] > 0 and ing["raw_chunks_per_s"] > 0 and ing["baseline"]["chunks_per_s"] > 0
    assert ing["noop_reingest_s"] >= 0 and len(ing["noop_reingest_runs_s"]) == 3
    assert ing["peak_rss_mb"] > 50

    rows = saved["scale"]
    assert [r["scale"] for r in rows] == [1, 2]
    assert rows[1]["chunks"] == 2 * rows[0]["chunks"]
    assert rows[1]["documents"] == rows[0]["documents"] + ing["files"]
    for row in rows:
        for key in ("retrieval_ms", "answer_ms"):
            s = row[key]
            assert s["n"] == 4 and 0 < s["p50"] <= s["p95"] <= s["p99"]
        assert row["baseline"]["answer_ms"]["n"] == 4
        assert row["ratio_p95"]["answer"] > 0
        assert row["components_ms_mean"]["embed query"] > 0
        assert 0 <= row["found_rate"] <= 1
    assert saved["query"]["scale"] == 1

    api = saved["api"]
    assert api["ready_s"] > 0 and api["rss_mb_ready"] > 50 and api["server_peak_rss_mb"] >= api["rss_mb_ready"] * 0.5
    assert [lvl["clients"] for lvl in api["levels"]] == [1, 2]
    for lvl in api["levels"]:
        assert lvl["errors"] == 0, lvl["error_kinds"]
        assert 0 < lvl["ok"] <= 20 and lvl["rps"] > 0 and lvl["baseline"]["errors"] == 0
    assert api["baseline"]["ready_s"] > 0

    names = {t["name"] for t in saved["targets"]}
    assert {"answer_p95_x1_ms", "ready_s", "server_rss_mb", "ingest_overhead_pct", "noop_reingest_s"} <= names
    assert all(t["met"] in (True, False) for t in saved["targets"])
    assert "work_dir" not in saved  # the temporary data dir is gone
    markdown = (out / "benchmarks.md").read_text("utf-8")
    assert "| ×2 |" in markdown and "answers/s" in markdown
    assert bench.BEGIN_MARK in docs.read_text("utf-8")
    assert not (tmp_path / "caller-data").exists()  # the caller's data dir is never touched
