"""Eval metrics on hand-made answers: exact values."""
from __future__ import annotations

import math

import pytest

from assistant.records import Answer, Citation, RetrievedRef
from evals.metrics import (
    abstention,
    aggregate,
    coverage,
    doc_ranking,
    evaluate,
    ndcg_at,
    normalize_text,
    percentile,
    score_question,
    summarize,
)
from evals.questionset import EvalQuestion


def ref(doc_id: str, pasal: str | None = None, i: int = 0) -> RetrievedRef:
    return RetrievedRef(doc_id=doc_id, pasal=pasal, chunk_id=f"{doc_id}#{pasal}#{i}", score=1.0 - i / 100)


def cite(n: int, doc_id: str, quote: str = "", pasal: str | None = None) -> Citation:
    return Citation(n=n, doc_id=doc_id, label=doc_id, pasal=pasal, quote=quote, source="corpus/x.md",
                    chunk_id=f"{doc_id}#{n}")


def answer(text: str = "", found: bool = True, retrieved=(), citations=(), latency: float = 10.0) -> Answer:
    return Answer(question="q", answer=text, found=found, retrieved=list(retrieved),
                  citations=list(citations), latency_ms=latency)


def q(**kw) -> EvalQuestion:
    base = {"id": "q1", "question": "apa?"}
    base.update(kw)
    return EvalQuestion(**base)


def test_doc_ranking_dedupes_in_order():
    a = answer(retrieved=[ref("a"), ref("b"), ref("a", i=2), ref("c"), ref("b", i=4)])
    assert doc_ranking(a) == ["a", "b", "c"]


def test_rank_metrics_on_deduplicated_documents():
    # chunks: x, x, y, z, target -> documents x, y, z, target: the target is document rank 4
    a = answer(retrieved=[ref("x"), ref("x", i=1), ref("y"), ref("z"), ref("target")])
    row = score_question(q(expected_docs=["target"]), a)
    assert row["rank"] == 4
    assert (row["hit_at_1"], row["hit_at_3"], row["hit_at_5"], row["hit_at_10"]) == (0.0, 0.0, 1.0, 1.0)
    assert row["mrr"] == pytest.approx(0.25)
    assert row["ndcg_at_10"] == pytest.approx(1 / math.log2(5))


def test_any_of_expected_docs_and_miss():
    a = answer(retrieved=[ref("x"), ref("b"), ref("a")])
    row = score_question(q(expected_docs=["a", "b"]), a)
    assert row["rank"] == 2 and row["mrr"] == pytest.approx(0.5)
    missed = score_question(q(expected_docs=["nope"]), a)
    assert missed["rank"] is None
    assert missed["hit_at_10"] == 0.0 and missed["mrr"] == 0.0 and missed["ndcg_at_10"] == 0.0


def test_ndcg_with_two_expected_docs():
    # relevant at ranks 1 and 3; ideal: ranks 1 and 2
    got = ndcg_at(["a", "x", "b"], ["a", "b"])
    assert got == pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3)))
    assert ndcg_at(["a", "b"], ["a", "b"]) == pytest.approx(1.0)
    # only 10 places count
    assert ndcg_at([f"d{i}" for i in range(10)] + ["a"], ["a"]) == 0.0


def test_pasal_hit_at_5_uses_chunks_not_documents():
    a = answer(retrieved=[ref("a", "3"), ref("a", "3", 1), ref("b", "4"), ref("a", "5"), ref("c"), ref("a", "4")])
    # a Pasal 4 only at chunk rank 6; b Pasal 4 is not an expected document
    assert score_question(q(expected_docs=["a"], expected_pasal="4"), a)["pasal_hit_at_5"] == 0.0
    assert score_question(q(expected_docs=["a"], expected_pasal="5"), a)["pasal_hit_at_5"] == 1.0
    assert score_question(q(expected_docs=["a"], expected_pasal="Pasal 5"), a)["pasal_hit_at_5"] == 1.0
    assert score_question(q(expected_docs=["a"]), a)["pasal_hit_at_5"] is None


def test_cited_doc_accuracy_and_first_citation():
    qq = q(expected_docs=["a", "b"])
    all_ok = answer(citations=[cite(1, "a"), cite(2, "b")], retrieved=[ref("a")])
    one_off = answer(citations=[cite(1, "a"), cite(2, "z")], retrieved=[ref("a")])
    first_off = answer(citations=[cite(1, "z"), cite(2, "a")], retrieved=[ref("a")])
    no_cites = answer(citations=[], retrieved=[ref("a")])
    refused = answer(found=False, retrieved=[ref("a")])
    r = [score_question(qq, x) for x in (all_ok, one_off, first_off, no_cites, refused)]
    assert [x["cited_doc_accuracy"] for x in r] == [1.0, 0.0, 0.0, 0.0, None]
    assert [x["first_citation_right"] for x in r] == [1.0, 1.0, 0.0, 0.0, None]


def test_must_include_answer_only_and_with_quotes():
    qq = q(expected_docs=["a"], must_include=["Klerek", "operator  teknisi", "pengadministrasi"])
    a = answer(text="Jabatan KLEREK dan Operator\nTeknisi [1]",
               citations=[cite(1, "a", quote="... Pengadministrasi Perkantoran ...")])
    row = score_question(qq, a)
    assert row["must_include"] == pytest.approx(2 / 3)
    assert row["must_include_with_quotes"] == pytest.approx(1.0)
    assert normalize_text("  A\t B\n\nc ") == "a b c"
    assert coverage(["x"], "") == 0.0


def test_unanswerable_question_has_no_retrieval_metrics():
    row = score_question(q(answerable=False, expected_docs=["a"], must_include=["x"]),
                         answer(found=False, retrieved=[ref("a")]))
    assert row["hit_at_5"] is None and row["mrr"] is None and row["must_include"] is None
    assert row["correct"] is True


def test_correct_verdict():
    qq = q(expected_docs=["a"])
    assert score_question(qq, answer(retrieved=[ref("a")], citations=[cite(1, "a")]))["correct"]
    assert not score_question(qq, answer(found=False, retrieved=[ref("a")]))["correct"]
    assert not score_question(qq, answer(retrieved=[ref(f"d{i}") for i in range(5)] + [ref("a")],
                                         citations=[cite(1, "a")]))["correct"]
    assert not score_question(q(answerable=False), answer(found=True))["correct"]
    err = score_question(q(answerable=False), answer(found=False), error="boom")
    assert not err["correct"] and err["latency_ms"] is None


def rows_for_abstention():
    # 3 unanswerable (2 refused), 5 answerable (1 refused)
    spec = [(False, False), (False, False), (False, True),
            (True, False), (True, True), (True, True), (True, True), (True, True)]
    return [{"answerable": ans, "found": found} for ans, found in spec]


def test_abstention_precision_recall_and_wrongly_refused():
    got = abstention(rows_for_abstention())
    assert got["abstention_precision"] == pytest.approx(2 / 3)
    assert got["abstention_recall"] == pytest.approx(2 / 3)
    assert got["wrongly_refused"] == pytest.approx(1 / 5)
    none = abstention([{"answerable": True, "found": True}])
    assert none == {"abstention_precision": None, "abstention_recall": None, "wrongly_refused": 0.0}


def test_percentile_linear_interpolation():
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert percentile(list(range(1, 21)), 95) == pytest.approx(19.05)


def test_aggregate_overall_and_per_category():
    questions = [
        q(id="a1", expected_docs=["a"], category="delayering", must_include=["x"]),
        q(id="a2", expected_docs=["b"], category="delayering", expected_pasal="4"),
        q(id="a3", expected_docs=["c"], category="sistem-kerja"),
        q(id="u1", answerable=False, category="sistem-kerja"),
    ]
    answers = [
        answer("x [1]", retrieved=[ref("a", "1")], citations=[cite(1, "a")], latency=10),
        answer("y [1]", retrieved=[ref("z"), ref("b", "4")], citations=[cite(1, "b")], latency=20),
        answer("", found=False, retrieved=[ref("q"), ref("r"), ref("s")], latency=30),
        answer("", found=False, latency=40),
    ]
    s = evaluate(questions, answers)
    o = s["overall"]
    assert (o["n"], o["answerable"], o["unanswerable"], o["errors"]) == (4, 3, 1, 0)
    assert o["hit_at_1"] == pytest.approx(1 / 3)
    assert o["hit_at_5"] == pytest.approx(2 / 3)
    assert o["mrr"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert o["pasal_hit_at_5"] == 1.0 and o["counts"]["pasal_hit_at_5"] == 1
    assert o["cited_doc_accuracy"] == 1.0 and o["counts"]["cited_doc_accuracy"] == 2
    assert o["must_include"] == 1.0 and o["counts"]["must_include"] == 1
    assert o["abstention_precision"] == pytest.approx(0.5)
    assert o["abstention_recall"] == 1.0
    assert o["wrongly_refused"] == pytest.approx(1 / 3)
    assert o["latency_p50_ms"] == pytest.approx(25.0)
    assert o["latency_p95_ms"] == pytest.approx(38.5)
    assert o["correct"] == pytest.approx(3 / 4)
    assert s["failed"] == ["a3"]
    assert set(s["per_category"]) == {"delayering", "sistem-kerja"}
    d = s["per_category"]["delayering"]
    assert d["n"] == 2 and d["hit_at_1"] == pytest.approx(0.5) and d["abstention_recall"] is None
    k = s["per_category"]["sistem-kerja"]
    assert k["hit_at_5"] == 0.0 and k["abstention_recall"] == 1.0


def test_errors_counted():
    rows = [score_question(q(id="e", expected_docs=["a"]), answer(found=False), error="RuntimeError: x")]
    s = summarize(rows)
    assert s["errors"] == ["e"] and s["failed"] == ["e"] and s["overall"]["errors"] == 1
    assert aggregate([])["n"] == 0
