"""Eval runs and the CI gate.

`run_eval` asks every question of a set through one or more retriever modes of the real assistant
and writes results.jsonl, metrics.json, report.md, report.png (and ragas.jsonl on request).
`check_thresholds` and `changed_to_wrong` are the two halves of the CI gate; `eval_command` is
what `asisten eval` calls, so the CLI stays a thin argument parser.
"""
from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.config import Settings, setup_offline_env
from assistant.records import Answer

from evals.conversations import load_conversations, run_conversations
from evals.metrics import score_question, summarize
from evals.questionset import EvalQuestion, load_questions
from evals.report import summary_table, write_report

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_THRESHOLDS = EVALS_DIR / "thresholds.toml"
DEFAULT_BASELINE = EVALS_DIR / "baseline-dev.jsonl"
RETRIEVERS = ("hybrid", "dense", "bm25")


def _build_assistant(settings: Settings, retriever: str):
    # imported here: the core is heavy (model, index) and evals' pure parts must not need it
    from assistant.service import build_assistant

    return build_assistant(settings, retriever=retriever)


def _error_answer(question: EvalQuestion, exc: BaseException, latency_ms: float) -> Answer:
    return Answer(
        question=question.question,
        answer="",
        found=False,
        warnings=[f"Galat saat evaluasi: {type(exc).__name__}: {exc}"],
        latency_ms=latency_ms,
    )


def run_eval(
    questions: list[EvalQuestion],
    settings: Settings,
    retrievers: list[str],
    out_dir: Path,
    progress: bool = True,
    ragas: bool = False,
    console: Console | None = None,
    question_files: Sequence[Path | str] = (),
) -> dict:
    """Ask every question (with its history) under each retriever mode; write the run's files.

    Returns the metrics dict that is also written to out_dir/metrics.json:
    {"retrievers": [...], "questions": n, "question_files": [...],
     "<retriever>": {"overall": {...}, "per_category": {...}, "failed": [ids], "errors": [ids]},
     "failed": [ids failed under at least one retriever, in question order]}.
    A question whose `ask` raises becomes an error result (found=false, the error in `warnings`
    and in the line's "error") and counts as failed; the run goes on.
    """
    setup_offline_env()
    console = console or Console()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not retrievers:
        raise ValueError("run_eval needs at least one retriever mode")
    if len(set(retrievers)) != len(retrievers):
        raise ValueError(f"retriever modes listed twice: {retrievers}")

    metrics: dict = {
        "retrievers": list(retrievers),
        "questions": len(questions),
        "question_files": [str(p) for p in question_files],
    }
    results: list[dict] = []
    results_path = out_dir / "results.jsonl"
    with results_path.open("w", encoding="utf-8") as sink, Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not progress,
        transient=False,
    ) as bar:
        for mode in retrievers:
            assistant = _build_assistant(settings, mode)
            # load the model and index before the clock starts, so p50/p95 are per question
            warm_up = getattr(assistant, "warm_up", None)
            if callable(warm_up):
                warm_up()
            task = bar.add_task(f"Evaluasi ({mode})", total=len(questions))
            rows: list[dict] = []
            try:
                for question in questions:
                    line, row = _ask_one(assistant, question, mode)
                    rows.append(row)
                    results.append(line)
                    sink.write(json.dumps(line, ensure_ascii=False) + "\n")
                    sink.flush()
                    bar.advance(task)
            finally:
                close = getattr(assistant, "close", None)
                if callable(close):
                    close()
            metrics[mode] = summarize(rows)

    failed_any = {qid for mode in retrievers for qid in metrics[mode]["failed"]}
    metrics["failed"] = [q.id for q in questions if q.id in failed_any]

    (out_dir / "metrics.json").write_text(
        json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    write_report(out_dir, metrics, results, questions)
    if ragas:
        write_ragas(out_dir / "ragas.jsonl", questions, results)
    console.print(summary_table(metrics))
    console.print(f"Hasil ditulis ke {out_dir}/ (results.jsonl, metrics.json, report.md, report.png"
                  + (", ragas.jsonl" if ragas else "") + ")")
    return metrics


def _ask_one(assistant, question: EvalQuestion, mode: str) -> tuple[dict, dict]:
    started = time.perf_counter()
    error: str | None = None
    try:
        answer = assistant.ask(question.question, history=list(question.history))
        if not isinstance(answer, Answer):
            answer = Answer.model_validate(answer)
        if not answer.latency_ms:
            answer.latency_ms = (time.perf_counter() - started) * 1000
    except Exception as exc:  # noqa: BLE001 - a failing question is a result, the run goes on
        answer = _error_answer(question, exc, (time.perf_counter() - started) * 1000)
        error = f"{type(exc).__name__}: {exc}"
    row = score_question(question, answer, error=error)
    line = answer.model_dump(mode="json")
    line.update({"id": question.id, "retriever": mode, "error": error, "eval": row})
    return line, row


def write_ragas(path: Path, questions: Sequence[EvalQuestion], results: Sequence[dict]) -> Path:
    """ragas-style rows: question, answer, contexts (the citation quotes), ground_truth
    (must_include joined, else the expected documents, else a refusal marker)."""
    by_id = {q.id: q for q in questions}
    with Path(path).open("w", encoding="utf-8") as out:
        for line in results:
            q = by_id[line["id"]]
            if not q.answerable:
                truth = "Tidak dapat dijawab dari korpus."
            elif q.must_include:
                truth = "; ".join(q.must_include)
            else:
                truth = ", ".join(q.expected_docs)
            out.write(json.dumps({
                "id": q.id,
                "retriever": line["retriever"],
                "question": q.question,
                "answer": line["answer"],
                "contexts": [c["quote"] for c in line.get("citations", [])],
                "ground_truth": truth,
            }, ensure_ascii=False) + "\n")
    return Path(path)


def read_results(path: Path) -> list[dict]:
    return [json.loads(l) for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]


# -- CI gate ------------------------------------------------------------------------------------

def load_thresholds(path: Path = DEFAULT_THRESHOLDS) -> dict:
    """The parsed thresholds.toml ([gate] settings and [thresholds])."""
    with Path(path).open("rb") as fh:
        return tomllib.load(fh)


def _overall(metrics: Mapping, retriever: str) -> Mapping:
    if retriever in metrics and isinstance(metrics[retriever], Mapping):
        return metrics[retriever]["overall"]
    if "overall" in metrics:
        return metrics["overall"]
    return metrics  # already an overall dict


def check_thresholds(metrics: Mapping, thresholds: Mapping, retriever: str = "hybrid") -> list[str]:
    """Failed thresholds, one Indonesian sentence each (empty: all met).

    `metrics` is a run's metrics dict (the `retriever` block is checked), one block, or an overall
    dict. `thresholds` is thresholds.toml parsed, or its [thresholds] table. A name is a metric of
    the overall dict and its value a minimum; a name ending in `_max` is a maximum for the metric
    without the suffix. A metric that could not be measured (None) fails: the gate wants it.
    """
    table = thresholds.get("thresholds", thresholds)
    overall = _overall(metrics, retriever)
    failures: list[str] = []
    for name, limit in table.items():
        is_max = name.endswith("_max")
        key = name[: -len("_max")] if is_max else name
        if key not in overall:
            failures.append(f"ambang '{name}': metrik '{key}' tidak dikenal")
            continue
        value = overall[key]
        if value is None:
            failures.append(f"{key} tidak dapat diukur (tidak ada pertanyaan yang berlaku); "
                            f"ambang {'maksimum' if is_max else 'minimum'} {limit}")
        elif is_max and value > limit:
            failures.append(f"{key} = {value:.3f} melebihi ambang maksimum {limit}")
        elif not is_max and value < limit:
            failures.append(f"{key} = {value:.3f} di bawah ambang minimum {limit}")
    return failures


def baseline_rows(results: Iterable[dict] | Path, retriever: str = "hybrid") -> list[dict]:
    """Per question of one retriever: {id, answerable, found, hit_at_5, correct}."""
    if isinstance(results, (str, Path)):
        results = read_results(Path(results))
    rows = []
    for line in results:
        if line.get("retriever", retriever) != retriever:
            continue
        ev = line.get("eval", {})
        rows.append({
            "id": line["id"],
            "answerable": ev.get("answerable", True),
            "found": line["found"],
            "hit_at_5": ev.get("hit_at_5"),
            "correct": ev.get("correct"),
        })
    return rows


def write_baseline(results: Iterable[dict] | Path, path: Path = DEFAULT_BASELINE,
                   retriever: str = "hybrid") -> int:
    """(Re)write the committed baseline from a run's results (results.jsonl or its lines)."""
    rows = baseline_rows(results, retriever)
    if not rows:
        raise ValueError(f"no results for retriever '{retriever}' to write a baseline from")
    Path(path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                          encoding="utf-8")
    return len(rows)


def load_baseline(path: Path = DEFAULT_BASELINE) -> list[dict]:
    return read_results(path)


def _is_right(entry: Mapping) -> bool:
    ev = entry.get("eval", entry)
    answerable = ev.get("answerable", entry.get("answerable", True))
    if entry.get("found") != answerable:
        return False
    hit = ev.get("hit_at_5")
    return hit is None or hit >= 1.0


def changed_to_wrong(previous_results: Iterable[Mapping] | Mapping[str, Mapping],
                     current_results: Iterable[Mapping] | Mapping[str, Mapping]) -> list[str]:
    """Ids right before and wrong now, in the current order.

    Right means: `found` equals `answerable` and, where it applies, hit@5 is 1. Entries are
    baseline rows or results.jsonl lines (of one retriever); ids present on one side only are
    ignored.
    """
    def by_id(entries) -> dict[str, Mapping]:
        if isinstance(entries, Mapping):
            return dict(entries)
        return {e["id"]: e for e in entries}

    before = by_id(previous_results)
    now = by_id(current_results)
    return [qid for qid, cur in now.items()
            if qid in before and _is_right(before[qid]) and not _is_right(cur)]


def gate(metrics: Mapping, results: Iterable[dict] | Path, thresholds: Mapping | None = None,
         baseline: Path | None = None, retriever: str | None = None) -> list[str]:
    """Both halves of the CI gate: thresholds missed, then questions gone from right to wrong."""
    thresholds = thresholds if thresholds is not None else load_thresholds()
    settings = thresholds.get("gate", {})
    retriever = retriever or settings.get("retriever", "hybrid")
    failures = check_thresholds(metrics, thresholds, retriever)
    if baseline is None and settings.get("baseline"):
        baseline = EVALS_DIR.parent / settings["baseline"]
    if baseline is not None:
        if not Path(baseline).exists():
            # a gate that silently skips its second half is not a gate
            failures.append(f"baseline {baseline} tidak ditemukan; tulis dengan "
                            "`asisten eval ... --write-baseline` lalu commit")
            return failures
        regressed = changed_to_wrong(load_baseline(Path(baseline)), baseline_rows(results, retriever))
        if regressed:
            failures.append("berubah dari benar menjadi salah dibanding baseline "
                            f"({Path(baseline).name}): {', '.join(regressed)}")
    return failures


# -- the CLI's body -----------------------------------------------------------------------------

def eval_command(
    question_files: Sequence[Path],
    out_dir: Path,
    settings: Settings,
    retrievers: Sequence[str] = ("hybrid",),
    ragas: bool = False,
    write_baseline_to: Path | None = None,
    run_gate: bool = False,
    thresholds_path: Path = DEFAULT_THRESHOLDS,
    baseline_path: Path = DEFAULT_BASELINE,
    progress: bool = True,
    console: Console | None = None,
    conversation_files: Sequence[Path] = (),
) -> int:
    """Everything `asisten eval` does; returns the exit code (1: the gate failed).

    Raises QuestionSetInvalid for a malformed set (the CLI prints its message).
    """
    from assistant.errors import InvalidInput

    console = console or Console()
    unknown = [r for r in retrievers if r not in RETRIEVERS]
    if unknown:
        raise InvalidInput(f"Retriever tidak dikenal: {', '.join(unknown)} "
                           f"(pilihan: {', '.join(RETRIEVERS)})")
    if not question_files and not conversation_files:
        raise InvalidInput("Berikan --questions BERKAS dan/atau --conversations BERKAS.")
    if conversation_files:
        conversations = load_conversations(conversation_files)
        assistant = _build_assistant(settings, retrievers[0])
        assistant.warm_up()
        run_conversations(conversations, assistant, Path(out_dir), console=console)
        if not question_files:
            return 0
    questions = load_questions(question_files)
    metrics = run_eval(questions, settings, list(retrievers), Path(out_dir), progress=progress,
                       ragas=ragas, console=console, question_files=question_files)
    results_path = Path(out_dir) / "results.jsonl"
    thresholds = load_thresholds(thresholds_path) if run_gate else None
    gate_retriever = (thresholds or {}).get("gate", {}).get("retriever", "hybrid")
    if write_baseline_to is not None:
        base_retriever = gate_retriever if gate_retriever in retrievers else retrievers[0]
        n = write_baseline(results_path, write_baseline_to, base_retriever)
        console.print(f"Baseline ({base_retriever}, {n} pertanyaan) ditulis ke {write_baseline_to}")
    if run_gate:
        if gate_retriever not in retrievers:
            console.print(f"[red]Gerbang CI memerlukan retriever '{gate_retriever}' dalam evaluasi.[/red]")
            return 1
        failures = gate(metrics, results_path, thresholds, baseline_path, gate_retriever)
        if failures:
            console.print("[red bold]Gerbang CI gagal:[/red bold]")
            for f in failures:
                console.print(f"  - {f}")
            return 1
        console.print("[green]Gerbang CI lolos.[/green]")
    return 0
