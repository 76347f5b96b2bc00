"""Eval metrics: pure functions from (EvalQuestion, Answer) to numbers. docs/evals.md defines them.

Per question, `score_question` returns a flat dict (a "row"); `aggregate` turns rows into the
overall and per-category figures. A metric that does not apply to a question (retrieval metrics
on an unanswerable one, Pasal hit without `expected_pasal`, ...) is `None` in the row and left out
of that metric's mean; every aggregate carries the number of questions each mean is over.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from assistant.records import Answer

from evals.questionset import EvalQuestion

RANK_CUTOFFS = (1, 3, 5, 10)
NDCG_K = 10
PASAL_K = 5

# Metrics whose aggregate is a plain mean over the rows where they are not None.
MEAN_METRICS = (
    "hit_at_1",
    "hit_at_3",
    "hit_at_5",
    "hit_at_10",
    "mrr",
    "ndcg_at_10",
    "pasal_hit_at_5",
    "pasal_cited",
    "cited_doc_accuracy",
    "first_citation_right",
    "must_include",
    "must_include_with_quotes",
)


# -- document ranking ---------------------------------------------------------------------------

def doc_ranking(answer: Answer) -> list[str]:
    """The doc_ids of `answer.retrieved` in rank order, each kept at its first (best) position."""
    seen: set[str] = set()
    ranking: list[str] = []
    for ref in answer.retrieved:
        if ref.doc_id not in seen:
            seen.add(ref.doc_id)
            ranking.append(ref.doc_id)
    return ranking


def first_relevant_rank(ranking: Sequence[str], expected: Iterable[str]) -> int | None:
    """1-based rank of the first document in `expected`, or None when none was retrieved."""
    wanted = set(expected)
    for i, doc_id in enumerate(ranking, start=1):
        if doc_id in wanted:
            return i
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank is not None else 0.0


def ndcg_at(ranking: Sequence[str], expected: Iterable[str], k: int = NDCG_K) -> float:
    """Binary-relevance nDCG@k over the deduplicated document ranking.

    gain 1 for a document in `expected` at rank i, discounted by 1/log2(i+1); the ideal ranking
    puts min(len(expected), k) relevant documents at ranks 1.. . With one expected document this is
    1/log2(rank+1).
    """
    wanted = set(expected)
    if not wanted:
        raise ValueError("nDCG needs at least one expected document")
    dcg = sum(1.0 / math.log2(i + 1) for i, d in enumerate(ranking[:k], start=1) if d in wanted)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(wanted), k) + 1))
    return dcg / ideal


def _norm_pasal(value: str | None) -> str:
    if value is None:
        return ""
    text = re.sub(r"\s+", " ", str(value)).strip().lower()
    if text.startswith("pasal "):
        text = text[6:]
    return text


def pasal_hit(answer: Answer, expected_docs: Iterable[str], expected_pasal: str, k: int = PASAL_K) -> float:
    """1 if one of the first k retrieved items (chunks, not deduplicated) is in an expected
    document and has `pasal == expected_pasal` (case- and whitespace-insensitive)."""
    wanted = set(expected_docs)
    target = _norm_pasal(expected_pasal)
    for ref in answer.retrieved[:k]:
        if ref.doc_id in wanted and _norm_pasal(ref.pasal) == target:
            return 1.0
    return 0.0


def pasal_cited(answer: Answer, expected_docs: Iterable[str], expected_pasal: str) -> float:
    """1 if the answer cites `expected_pasal` of an expected document (what a letter would quote),
    not merely retrieves it."""
    wanted = set(expected_docs)
    target = _norm_pasal(expected_pasal)
    return 1.0 if any(c.doc_id in wanted and _norm_pasal(c.pasal) == target for c in answer.citations) else 0.0


# -- answer text --------------------------------------------------------------------------------

def normalize_text(text: str) -> str:
    """Casefold, collapse whitespace, and drop the spelled-out echo of a number that legal texts
    write after it ("2 (dua) tahun" → "2 tahun"), so a term matches however the number is written."""
    text = re.sub(r"(\d)\s*\((?:[a-z]+\s?){1,4}\)", r"\1", text, flags=re.I)
    return re.sub(r"\s+", " ", text).strip().casefold()


def coverage(terms: Sequence[str], text: str) -> float:
    """Fraction of `terms` that occur in `text` as substrings (normalised both sides)."""
    if not terms:
        raise ValueError("coverage needs at least one term")
    haystack = normalize_text(text)
    found = sum(1 for t in terms if normalize_text(t) in haystack)
    return found / len(terms)


# -- one question -------------------------------------------------------------------------------

def score_question(question: EvalQuestion, answer: Answer, error: str | None = None) -> dict:
    """All per-question figures (None where a metric does not apply). See docs/evals.md."""
    expected = list(question.expected_docs)
    ranking = doc_ranking(answer)
    row: dict = {
        "id": question.id,
        "category": question.category,
        "answerable": question.answerable,
        "found": answer.found,
        "error": error,
        "latency_ms": answer.latency_ms if error is None else None,
        "rank": None,
    }
    for k in RANK_CUTOFFS:
        row[f"hit_at_{k}"] = None
    row["reason"] = None if answer.found else getattr(answer, "reason", None)
    for key in ("mrr", "ndcg_at_10", "pasal_hit_at_5", "pasal_cited", "cited_doc_accuracy",
                "first_citation_right", "must_include", "must_include_with_quotes"):
        row[key] = None

    if question.answerable and expected:
        rank = first_relevant_rank(ranking, expected)
        row["rank"] = rank
        for k in RANK_CUTOFFS:
            row[f"hit_at_{k}"] = hit_at(rank, k)
        row["mrr"] = reciprocal_rank(rank)
        row["ndcg_at_10"] = ndcg_at(ranking, expected, NDCG_K)
        if question.expected_pasal:
            row["pasal_hit_at_5"] = pasal_hit(answer, expected, question.expected_pasal, PASAL_K)
            row["pasal_cited"] = pasal_cited(answer, expected, question.expected_pasal)
        if answer.found:
            cited = [c.doc_id for c in answer.citations]
            wanted = set(expected)
            # a "found" answer without any citation is not a correctly grounded answer
            row["cited_doc_accuracy"] = 1.0 if cited and set(cited) <= wanted else 0.0
            row["first_citation_right"] = 1.0 if cited and cited[0] in wanted else 0.0

    if question.answerable and question.must_include:
        row["must_include"] = coverage(question.must_include, answer.answer)
        with_quotes = "\n".join([answer.answer, *(c.quote for c in answer.citations)])
        row["must_include_with_quotes"] = coverage(question.must_include, with_quotes)

    row["correct"] = is_correct(row)
    return row


def is_correct(row: dict) -> bool:
    """The per-question verdict used for the "failed" list and the baseline comparison.

    Unanswerable: correct iff the assistant refused (found == false). Answerable: found == true,
    and where expected_docs is given, an expected document in the top 5 and every cited document
    expected. An error is never correct. must_include is reported but not part of the verdict.
    """
    if row.get("error"):
        return False
    if not row["answerable"]:
        return not row["found"]
    if not row["found"]:
        return False
    if row.get("hit_at_5") is not None and row["hit_at_5"] < 1.0:
        return False
    if row.get("cited_doc_accuracy") is not None and row["cited_doc_accuracy"] < 1.0:
        return False
    return True


# -- aggregates ---------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolation percentile (numpy's default), q in [0, 100]; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def abstention(rows: Sequence[dict]) -> dict:
    """Refusal (found == false) as a classifier of unanswerable questions.

    precision = refused & unanswerable / refused; recall = refused & unanswerable / unanswerable;
    wrongly_refused = refused & answerable / answerable. None where the denominator is 0.
    Errored questions count as refused (they return found == false), so they are also listed
    separately under "errors".
    """
    refused = [r for r in rows if not r["found"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answerable = [r for r in rows if r["answerable"]]
    tp = sum(1 for r in refused if not r["answerable"])
    wrong = sum(1 for r in refused if r["answerable"])
    return {
        "abstention_precision": tp / len(refused) if refused else None,
        "abstention_recall": tp / len(unanswerable) if unanswerable else None,
        "wrongly_refused": wrong / len(answerable) if answerable else None,
    }


def aggregate(rows: Sequence[dict]) -> dict:
    """Overall figures for a list of rows (one retriever, one category or all)."""
    out: dict = {
        "n": len(rows),
        "answerable": sum(1 for r in rows if r["answerable"]),
        "unanswerable": sum(1 for r in rows if not r["answerable"]),
        "errors": sum(1 for r in rows if r.get("error")),
        "correct": _mean([1.0 if r["correct"] else 0.0 for r in rows]),
        "found_rate": _mean([1.0 if r["found"] else 0.0 for r in rows]),
    }
    counts: dict = {}
    for key in MEAN_METRICS:
        values = [r[key] for r in rows if r.get(key) is not None]
        out[key] = _mean(values)
        counts[key] = len(values)
    out.update(abstention(rows))
    # every refusal rule returns a reason code; how often each one refused, and how often wrongly
    reasons: dict[str, dict[str, int]] = {}
    for r in rows:
        if not r["found"]:
            entry = reasons.setdefault(r.get("reason") or "tanpa-kode", {"refused": 0, "answerable": 0})
            entry["refused"] += 1
            entry["answerable"] += 1 if r["answerable"] else 0
    out["refusal_reasons"] = dict(sorted(reasons.items(), key=lambda kv: -kv[1]["refused"]))
    latencies = [r["latency_ms"] for r in rows if r.get("latency_ms") is not None]
    out["latency_p50_ms"] = percentile(latencies, 50)
    out["latency_p95_ms"] = percentile(latencies, 95)
    out["counts"] = counts
    return out


def summarize(rows: Sequence[dict]) -> dict:
    """{overall, per_category, failed, errors} for one retriever's rows."""
    categories: dict[str, list[dict]] = {}
    for r in rows:
        categories.setdefault(r["category"], []).append(r)
    return {
        "overall": aggregate(rows),
        "per_category": {name: aggregate(cat_rows) for name, cat_rows in sorted(categories.items())},
        "failed": [r["id"] for r in rows if not r["correct"]],
        "errors": [r["id"] for r in rows if r.get("error")],
    }


def evaluate(questions: Sequence[EvalQuestion], answers: Sequence[Answer]) -> dict:
    """Convenience: score aligned lists and summarize them."""
    if len(questions) != len(answers):
        raise ValueError("questions and answers must be aligned")
    return summarize([score_question(q, a) for q, a in zip(questions, answers)])
