"""Rendering an eval run: report.md (Indonesian), report.png (offline, Agg) and the rich summary.

Everything here reads the metrics dict that `evals.runner.run_eval` writes to metrics.json and,
for the list of failed questions, the results.jsonl lines and the question set. Nothing computes a
metric; that is `evals.metrics`' job.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from evals.questionset import EvalQuestion

# (metric key, Indonesian label, kind) in the order the tables show them.
# kind: "frac" a value in [0, 1], "ms" milliseconds, "int" a count.
METRIC_ROWS: list[tuple[str, str, str]] = [
    ("hit_at_1", "Hit@1 dokumen", "frac"),
    ("hit_at_3", "Hit@3 dokumen", "frac"),
    ("hit_at_5", "Hit@5 dokumen", "frac"),
    ("hit_at_10", "Hit@10 dokumen", "frac"),
    ("mrr", "MRR dokumen", "frac"),
    ("ndcg_at_10", "nDCG@10 dokumen", "frac"),
    ("pasal_hit_at_5", "Hit@5 Pasal", "frac"),
    ("pasal_cited", "Pasal yang diharapkan dikutip", "frac"),
    ("cited_doc_accuracy", "Akurasi dokumen yang dikutip", "frac"),
    ("first_citation_right", "Kutipan pertama tepat", "frac"),
    ("must_include", "Cakupan must_include (teks jawaban)", "frac"),
    ("must_include_with_quotes", "Cakupan must_include (jawaban + kutipan)", "frac"),
    ("abstention_precision", "Presisi penolakan", "frac"),
    ("abstention_recall", "Recall penolakan", "frac"),
    ("wrongly_refused", "Salah menolak (pertanyaan yang dapat dijawab)", "frac"),
    ("correct", "Benar (putusan per pertanyaan)", "frac"),
    ("latency_p50_ms", "Latensi p50 (ms)", "ms"),
    ("latency_p95_ms", "Latensi p95 (ms)", "ms"),
    ("errors", "Galat", "int"),
]

SUMMARY_KEYS = ("hit_at_5", "mrr", "pasal_hit_at_5", "pasal_cited", "cited_doc_accuracy", "must_include",
                "abstention_recall", "wrongly_refused", "latency_p50_ms", "errors")
CATEGORY_KEYS = ("n", "hit_at_5", "mrr", "cited_doc_accuracy", "must_include",
                 "abstention_recall", "correct")
# The bars of report.png
CHART_METRICS: list[tuple[str, str]] = [
    ("hit_at_5", "Hit@5"),
    ("mrr", "MRR"),
    ("must_include", "must_include"),
    ("abstention_recall", "Recall penolakan"),
]

_LABELS = {key: label for key, label, _ in METRIC_ROWS}
_KINDS = {key: kind for key, _, kind in METRIC_ROWS}
_KINDS["n"] = "int"
_LABELS["n"] = "n"


def fmt(value, kind: str = "frac") -> str:
    if value is None:
        return "–"
    if kind == "ms":
        return f"{value:.0f}"
    if kind == "int":
        return str(int(value))
    return f"{value:.3f}"


def retrievers_of(metrics: dict) -> list[str]:
    """The retriever blocks of a metrics dict, in run order."""
    if metrics.get("retrievers"):
        return list(metrics["retrievers"])
    return [k for k, v in metrics.items() if isinstance(v, dict) and "overall" in v]


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def esc(cell: str) -> str:
        return str(cell).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(esc(h) for h in header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return lines


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_markdown(
    metrics: dict,
    results: Sequence[dict] | None = None,
    questions: Sequence[EvalQuestion] | None = None,
    title: str = "Laporan evaluasi Asisten Regulasi",
) -> str:
    """report.md: side-by-side retriever table, per-category tables, failed questions."""
    names = retrievers_of(metrics)
    lines = [f"# {title}", ""]
    lines.append(f"Jumlah pertanyaan: {metrics.get('questions', '–')}. "
                 f"Retriever: {', '.join(names) or '–'}.")
    if metrics.get("question_files"):
        lines.append(f"Set pertanyaan: {', '.join(metrics['question_files'])}.")
    lines.append("")
    lines.append("Definisi metrik: lihat `docs/evals.md`. Tanda – berarti metrik tidak berlaku "
                 "(tidak ada pertanyaan yang dapat diukur).")
    lines.append("")

    lines += ["## Perbandingan retriever", ""]
    rows = []
    for key, label, kind in METRIC_ROWS:
        rows.append([label] + [fmt(metrics[r]["overall"].get(key), kind) for r in names])
    lines += _md_table(["Metrik", *names], rows)
    lines.append("")

    lines += ["## Per kategori", ""]
    for r in names:
        per_cat = metrics[r].get("per_category", {})
        if not per_cat:
            continue
        lines += [f"### {r}", ""]
        cat_rows = [[cat] + [fmt(agg.get(k), _KINDS.get(k, "frac")) for k in CATEGORY_KEYS]
                    for cat, agg in per_cat.items()]
        lines += _md_table(["Kategori", *(_LABELS.get(k, k) for k in CATEGORY_KEYS)], cat_rows)
        lines.append("")

    lines += ["## Pertanyaan yang gagal", ""]
    by_q = {q.id: q for q in questions or []}
    by_result = {(x.get("retriever"), x.get("id")): x for x in results or []}
    any_failed = False
    for r in names:
        failed = metrics[r].get("failed", [])
        if not failed:
            continue
        any_failed = True
        lines += [f"### {r} ({len(failed)})", ""]
        for qid in failed:
            lines += _failed_entry(qid, by_q.get(qid), by_result.get((r, qid)))
        lines.append("")
    if not any_failed:
        lines += ["Tidak ada.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _failed_entry(qid: str, question: EvalQuestion | None, result: dict | None) -> list[str]:
    out = [f"- **{qid}**" + (f" — {_short(question.question, 160)}" if question else "")]
    if question is not None:
        if question.answerable:
            exp = f"dapat dijawab; dokumen: {', '.join(question.expected_docs) or '–'}"
            if question.expected_pasal:
                exp += f"; Pasal {question.expected_pasal}"
            if question.must_include:
                exp += f"; must_include: {', '.join(question.must_include)}"
        else:
            exp = "tidak dapat dijawab (harus menolak)"
        out.append(f"  - Diharapkan: {exp}")
    if result is not None:
        ev = result.get("eval", {})
        if ev.get("error") or result.get("error"):
            out.append(f"  - Galat: {_short(ev.get('error') or result.get('error'))}")
        top = []
        for ref in result.get("retrieved", []):
            if ref["doc_id"] not in top:
                top.append(ref["doc_id"])
        cited = [f"{c['doc_id']} Pasal {c.get('pasal') or '?'}" for c in result.get("citations", [])]
        got = f"found={str(result.get('found')).lower()}"
        if ev.get("rank") is not None:
            got += f"; peringkat dokumen benar: {ev['rank']}"
        got += f"; dokumen teratas: {', '.join(top[:3]) or '–'}"
        got += f"; dikutip: {', '.join(cited) or '–'}"
        out.append(f"  - Didapat: {got}")
        if result.get("answer"):
            out.append(f"  - Jawaban: {_short(result['answer'])}")
    return out


def render_png(metrics: dict, path: Path) -> Path:
    """Grouped bars (Hit@5, MRR, must_include, abstention recall) per retriever. Offline, no
    pyplot: a Figure on the Agg canvas, so no global backend is touched."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = retrievers_of(metrics)
    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    n = max(len(names), 1)
    width = 0.8 / n
    for i, r in enumerate(names):
        overall = metrics[r]["overall"]
        values = [overall.get(k) for k, _ in CHART_METRICS]
        xs = [j + (i - (n - 1) / 2) * width for j in range(len(CHART_METRICS))]
        bars = ax.bar(xs, [v if v is not None else 0.0 for v in values], width, label=r)
        for bar, v in zip(bars, values):
            ax.annotate(fmt(v) if v is not None else "n/a",
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7, xytext=(0, 2),
                        textcoords="offset points")
    ax.set_xticks(range(len(CHART_METRICS)), [label for _, label in CHART_METRICS])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("Nilai")
    ax.set_title(f"Evaluasi per retriever ({metrics.get('questions', '?')} pertanyaan)")
    if names:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(names), fontsize=8,
                  frameon=False)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, format="png")
    return path


def summary_table(metrics: dict) -> Table:
    """The rich table `asisten eval` prints."""
    names = retrievers_of(metrics)
    table = Table(title=f"Ringkasan evaluasi ({metrics.get('questions', '?')} pertanyaan)")
    table.add_column("Metrik")
    for r in names:
        table.add_column(r, justify="right")
    for key in SUMMARY_KEYS:
        kind = _KINDS.get(key, "frac")
        table.add_row(_LABELS.get(key, key), *(fmt(metrics[r]["overall"].get(key), kind) for r in names))
    table.add_row("Gagal", *(str(len(metrics[r].get("failed", []))) for r in names))
    table.add_row("Alasan penolakan", *(reasons_text(metrics[r]["overall"]) for r in names))
    return table


def reasons_text(overall: dict) -> str:
    """"kode: n (k salah)" per refusal reason code, most frequent first."""
    reasons = overall.get("refusal_reasons") or {}
    return ", ".join(
        f"{code}: {v['refused']}" + (f" ({v['answerable']} salah)" if v["answerable"] else "")
        for code, v in reasons.items()
    ) or "–"


def write_report(out_dir: Path, metrics: dict, results: Sequence[dict] | None = None,
                 questions: Sequence[EvalQuestion] | None = None) -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "report.md"
    md.write_text(render_markdown(metrics, results, questions), encoding="utf-8")
    png = render_png(metrics, out_dir / "report.png")
    return md, png
