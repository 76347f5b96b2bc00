"""Eval runner, report rendering and the CI gate.

The unit tests build metrics dicts and result lines by hand. `test_dev_gate` is the real gate: it
ingests the shipped corpus into a temporary data dir and runs the dev split through the real hybrid
assistant; it fails listing the thresholds missed and the questions that went from right to wrong
against evals/baseline-dev.jsonl.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.records import Answer, Citation, RetrievedRef
from evals import runner
from evals.questionset import EvalQuestion, load_questions
from evals.report import render_markdown, summary_table, write_report
from evals.runner import (
    baseline_rows,
    changed_to_wrong,
    check_thresholds,
    gate,
    load_baseline,
    load_thresholds,
    run_eval,
    write_baseline,
)

REPO = Path(__file__).resolve().parents[1]


def _overall(**kw) -> dict:
    base = {"n": 10, "answerable": 8, "unanswerable": 2, "errors": 0, "correct": 0.8,
            "found_rate": 0.8, "hit_at_1": 0.5, "hit_at_3": 0.7, "hit_at_5": 0.8, "hit_at_10": 0.9,
            "mrr": 0.65, "ndcg_at_10": 0.7, "pasal_hit_at_5": None, "cited_doc_accuracy": 0.75,
            "first_citation_right": 0.875, "must_include": 0.5, "must_include_with_quotes": 0.9,
            "abstention_precision": 0.5, "abstention_recall": 1.0, "wrongly_refused": 0.25,
            "latency_p50_ms": 41.0, "latency_p95_ms": 120.4, "counts": {}}
    base.update(kw)
    return base


def _metrics() -> dict:
    return {
        "retrievers": ["hybrid", "dense", "bm25"],
        "questions": 10,
        "question_files": ["evals/questions/dev.jsonl"],
        "hybrid": {"overall": _overall(), "per_category": {"penyetaraan": _overall(n=4)},
                   "failed": ["d002"], "errors": []},
        "dense": {"overall": _overall(hit_at_5=0.6, mrr=0.5), "per_category": {}, "failed": [], "errors": []},
        "bm25": {"overall": _overall(hit_at_5=0.7, abstention_recall=None), "per_category": {},
                 "failed": [], "errors": []},
        "failed": ["d002"],
    }


def _result(qid: str, found: bool, hit5, answerable=True, retriever="hybrid") -> dict:
    return {"id": qid, "retriever": retriever, "found": found, "answer": "…", "citations": [],
            "retrieved": [], "eval": {"answerable": answerable, "hit_at_5": hit5}}


# -- report ------------------------------------------------------------------------------------

def test_render_markdown_side_by_side_and_failed_entry():
    q = EvalQuestion(id="d002", question="Berapa level?", expected_docs=["permenpan-rb-25-2021"],
                     expected_pasal="4", must_include=["dua"])
    res = {"id": "d002", "retriever": "hybrid", "found": True, "answer": "Tiga level [1]",
           "citations": [{"doc_id": "uu-20-2023", "pasal": "1"}],
           "retrieved": [{"doc_id": "uu-20-2023"}, {"doc_id": "permenpan-rb-25-2021"}],
           "eval": {"rank": 2, "error": None}}
    md = render_markdown(_metrics(), [res], [q])
    assert md.startswith("# Laporan evaluasi Asisten Regulasi")
    assert "## Perbandingan retriever" in md and "## Per kategori" in md
    assert "| Metrik | hybrid | dense | bm25 |" in md
    assert "| Hit@5 dokumen | 0.800 | 0.600 | 0.700 |" in md
    assert "| Recall penolakan | 1.000 | 1.000 | – |" in md
    assert "| Latensi p50 (ms) | 41 | 41 | 41 |" in md
    assert "### penyetaraan" not in md and "| penyetaraan | 4 |" in md
    assert "- **d002** — Berapa level?" in md
    assert "Diharapkan: dapat dijawab; dokumen: permenpan-rb-25-2021; Pasal 4; must_include: dua" in md
    assert "Didapat: found=true; peringkat dokumen benar: 2; dokumen teratas: uu-20-2023, permenpan-rb-25-2021" in md
    assert "dikutip: uu-20-2023 Pasal 1" in md


def test_report_files_written(tmp_path):
    md, png = write_report(tmp_path / "out", _metrics())
    assert md.read_text(encoding="utf-8").count("## ") >= 3
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert "Tidak ada." not in md.read_text(encoding="utf-8")  # d002 is listed as failed


def test_summary_table_columns():
    table = summary_table(_metrics())
    assert [c.header for c in table.columns] == ["Metrik", "hybrid", "dense", "bm25"]
    assert table.title.startswith("Ringkasan evaluasi")


# -- thresholds and baseline --------------------------------------------------------------------

def test_check_thresholds_min_max_unknown_and_unmeasurable():
    thresholds = {"thresholds": {"hit_at_5": 0.9, "mrr": 0.5, "wrongly_refused_max": 0.2,
                                 "errors_max": 0, "nope": 1.0}}
    failures = check_thresholds(_metrics(), thresholds, "hybrid")
    assert failures == [
        "hit_at_5 = 0.800 di bawah ambang minimum 0.9",
        "wrongly_refused = 0.250 melebihi ambang maksimum 0.2",
        "ambang 'nope': metrik 'nope' tidak dikenal",
    ]
    assert check_thresholds(_metrics(), {"abstention_recall": 0.5}, "bm25") == [
        "abstention_recall tidak dapat diukur (tidak ada pertanyaan yang berlaku); ambang minimum 0.5"]
    assert check_thresholds(_overall(), {"hit_at_5": 0.8}) == []


def test_shipped_thresholds_file_names_known_metrics():
    t = load_thresholds()
    assert t["gate"]["retriever"] == "hybrid"
    assert (REPO / t["gate"]["questions"]).name == "dev.jsonl"
    assert check_thresholds(_overall(hit_at_5=1, mrr=1, cited_doc_accuracy=1, must_include=1,
                                     abstention_recall=1, wrongly_refused=0, errors=0), t) == []


def test_changed_to_wrong():
    before = [_result("a", True, 1.0), _result("b", True, 1.0), _result("c", False, None, False),
              _result("d", True, 0.0), _result("e", True, 1.0)]
    now = [_result("a", True, 1.0), _result("b", True, 0.0), _result("c", True, None, False),
           _result("d", False, 0.0), _result("f", False, 0.0)]
    assert changed_to_wrong(before, now) == ["b", "c"]
    # baseline rows and result lines compare alike
    assert changed_to_wrong(baseline_rows(before), now) == ["b", "c"]


def test_baseline_roundtrip_and_gate(tmp_path):
    results = [_result("a", True, 1.0), _result("b", True, 1.0), _result("a", False, 0.0, retriever="bm25")]
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    baseline = tmp_path / "baseline.jsonl"
    assert write_baseline(path, baseline, "hybrid") == 2
    rows = load_baseline(baseline)
    assert rows[0] == {"id": "a", "answerable": True, "found": True, "hit_at_5": 1.0, "correct": None}
    current = [_result("a", True, 1.0), _result("b", False, 0.0)]
    failures = gate(_metrics(), current, {"thresholds": {"hit_at_5": 0.9}}, baseline)
    assert failures == ["hit_at_5 = 0.800 di bawah ambang minimum 0.9",
                        "berubah dari benar menjadi salah dibanding baseline (baseline.jsonl): b"]
    missing = gate(_metrics(), current, {"thresholds": {}}, tmp_path / "nope.jsonl")
    assert len(missing) == 1 and "tidak ditemukan" in missing[0] and "--write-baseline" in missing[0]


# -- runner mechanics (a stub assistant; the real run is test_dev_gate) ------------------------

class _StubAssistant:
    """Answers from a table; raises for one question. Only for the runner's bookkeeping."""

    def ask(self, question, history=(), filters=None, k=None):
        if question == "meledak":
            raise RuntimeError("indeks rusak")
        found = question != "di luar"
        return Answer(question=question, answer="dua level [1]" if found else "Tidak ditemukan.",
                      found=found, latency_ms=5.0,
                      citations=[Citation(n=1, doc_id="a", label="A, Pasal 1", pasal="1", quote="dua",
                                          source="corpus/a.md", chunk_id="a#1")] if found else [],
                      retrieved=[RetrievedRef(doc_id="a", pasal="1", chunk_id="a#1", score=1.0)])


def test_run_eval_records_errors_and_writes_files(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "_build_assistant", lambda settings, retriever: _StubAssistant())
    qs = [EvalQuestion(id="x1", question="berapa level", expected_docs=["a"], must_include=["dua"]),
          EvalQuestion(id="x2", question="meledak", expected_docs=["a"]),
          EvalQuestion(id="x3", question="di luar", answerable=False)]
    out = tmp_path / "run"
    metrics = run_eval(qs, settings=None, retrievers=["hybrid", "bm25"], out_dir=out,
                       progress=False, ragas=True)
    assert metrics["questions"] == 3 and metrics["failed"] == ["x2"]
    assert metrics["hybrid"]["errors"] == ["x2"] and metrics["hybrid"]["overall"]["errors"] == 1
    lines = [json.loads(l) for l in (out / "results.jsonl").read_text().splitlines()]
    assert [(l["retriever"], l["id"]) for l in lines] == [
        ("hybrid", "x1"), ("hybrid", "x2"), ("hybrid", "x3"), ("bm25", "x1"), ("bm25", "x2"), ("bm25", "x3")]
    err = lines[1]
    assert err["found"] is False and "indeks rusak" in err["warnings"][0] and err["error"]
    assert json.loads((out / "metrics.json").read_text()) == metrics
    assert (out / "report.png").exists() and "x2" in (out / "report.md").read_text()
    ragas = [json.loads(l) for l in (out / "ragas.jsonl").read_text().splitlines()]
    assert ragas[0]["contexts"] == ["dua"] and ragas[0]["ground_truth"] == "dua"


# -- the real CI gate ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def eval_settings(tmp_path_factory):
    from assistant.config import Settings
    from ingest.pipeline import run_ingest

    settings = Settings(data_dir=tmp_path_factory.mktemp("eval-data"), corpus_dir=REPO / "corpus")
    run_ingest(settings)
    return settings


def test_dev_gate(eval_settings, tmp_path):
    thresholds = load_thresholds()
    dev = REPO / thresholds["gate"]["questions"]
    retriever = thresholds["gate"]["retriever"]
    questions = load_questions(dev)
    out = tmp_path / "dev-eval"
    metrics = run_eval(questions, eval_settings, [retriever], out, progress=False)
    failures = gate(metrics, out / "results.jsonl", thresholds, REPO / thresholds["gate"]["baseline"],
                    retriever)
    assert not failures, "Gerbang CI gagal:\n" + "\n".join(f"- {f}" for f in failures) + \
        f"\n(laporan: {out / 'report.md'})"


def test_conversation_gate(eval_settings, tmp_path):
    """Topic switches, follow-ups and out-of-scope switches, asked turn by turn with the answers
    as history: each role stays above its threshold (evals/thresholds.toml [conversations])."""
    from rich.console import Console

    from assistant.service import build_assistant
    from evals.conversations import load_conversations, run_conversations

    gate_table = load_thresholds()["conversations"]
    conversations = load_conversations(REPO / gate_table["file"])
    assert len(conversations) >= 80
    metrics = run_conversations(conversations, build_assistant(eval_settings), tmp_path, console=Console(quiet=True))
    low = {role: metrics["per_role"][role]["right"] for role in ("start", "followup", "switch", "switch-oos")
           if metrics["per_role"][role]["right"] < gate_table[role]}
    assert not low, f"Gerbang percakapan gagal: {low} (ambang {gate_table}); gagal: {metrics['failed'][:20]}"
