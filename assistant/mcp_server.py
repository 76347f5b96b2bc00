"""The MCP server (official `mcp` SDK): the assistant inside a user's own AI client.

Tools: `cari_pasal`, `baca_pasal`, `status_peraturan`, `daftar_peraturan`, `tanya`; one resource per
document (`regulasi://dokumen/<doc_id>`). Served over stdio by `asisten mcp` and over Streamable
HTTP at `/mcp` of the API app (`assistant/api/mcp_http.py`), behind the same API keys.
Descriptions are Indonesian because the model reading them talks to Indonesian users.
"""
# No `from __future__ import annotations`: the tools' annotations use local limits and must evaluate here.

import json
import logging
import uuid
from typing import Annotated, Any, Callable, Literal

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError, UnexpectedToolError
from mcp.types import Resource as MCPResource
from pydantic import BaseModel, Field, ValidationError

from .amendments import pasal_history
from .api.errors import describe_validation_errors
from .citations import body as chunk_body
from .config import Settings
from .errors import AsistenError
from .records import ChunkRecord, DocumentMeta, Filters, Status, Turn

log = logging.getLogger("assistant.mcp")

RESOURCE_PREFIX = "regulasi://dokumen/"
INSTRUCTIONS = (
    "Asisten Regulasi menjawab pertanyaan tentang regulasi penyederhanaan birokrasi Indonesia "
    "(penyetaraan jabatan, jabatan pelaksana, sistem kerja, peta jabatan) dengan dasar hukum: "
    "regulasi, Pasal, ayat. Pakai `tanya` untuk jawaban berkutipan, `cari_pasal` untuk menemukan "
    "ketentuan, `baca_pasal` untuk teks lengkap satu Pasal, `status_peraturan` sebelum mengutip "
    "sebuah regulasi (bisa sudah diubah atau dicabut). Bila `found` bernilai false, korpus tidak "
    "memuat dasarnya: sampaikan itu, jangan menebak."
)

DocIdArg = Annotated[str, Field(description="ID dokumen, mis. permenpan-rb-45-2022 (lihat daftar_peraturan).",
                                pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)]


# ---- typed results ------------------------------------------------------------------------------
class Passage(BaseModel):
    label: str = Field(description="Rujukan seperti ditulis dalam surat, mis. 'Permenpan RB Nomor 45 Tahun 2022, Pasal 4'.")
    doc_id: str
    pasal: str | None = None
    ayat: str | None = None
    bagian: str = Field(description="Batang Tubuh, Penjelasan, atau Lampiran.")
    teks: str
    skor: float
    status: Status
    resmi: bool = Field(description="true untuk teks resmi, false untuk ringkasan.")
    sumber_url: str | None = None


class SearchResult(BaseModel):
    kueri: str
    hasil: list[Passage]


class Ayat(BaseModel):
    ayat: str | None
    teks: str


class Change(BaseModel):
    perubahan: str | None = Field(description="diubah, disisipkan, atau dihapus.")
    oleh: str = Field(description="doc_id regulasi yang mengubah.")
    label: str
    tanggal: str | None = None


class PasalResult(BaseModel):
    doc_id: str
    label: str
    pasal: str
    status_dokumen: Status
    status_pasal: Literal["asli", "diubah", "disisipkan", "dihapus"] = Field(
        description="asli bila tidak pernah diubah oleh regulasi di korpus.")
    teks: str = Field(description="Teks Pasal yang berlaku (setelah perubahan, bila ada).")
    ayat: list[Ayat]
    teks_asli: str | None = Field(None, description="Teks sebelum diubah, bila Pasal ini pernah diubah.")
    penjelasan: str | None = None
    riwayat: list[Change]
    sumber_url: str | None = None


class Relation(BaseModel):
    doc_id: str
    label: str
    status: Status | None = None


class StatusResult(BaseModel):
    doc_id: str
    label: str
    judul: str
    status: Status
    resmi: bool
    tanggal_ditetapkan: str | None = None
    mencabut: list[Relation]
    dicabut_oleh: list[Relation]
    mengubah: list[Relation]
    diubah_oleh: list[Relation]
    pengganti: Relation | None = Field(None, description="Regulasi yang mencabut dokumen ini, bila ada.")
    pasal_diubah: list[str] = Field(description="Pasal yang diubah/disisipkan/dihapus oleh regulasi di korpus.")
    sumber: list[str]


class CatalogueEntry(BaseModel):
    doc_id: str
    label: str
    jenis: str
    nomor: str | None = None
    tahun: int | None = None
    judul: str
    status: Status
    resmi: bool


class Catalogue(BaseModel):
    jumlah: int
    dokumen: list[CatalogueEntry]


class Quote(BaseModel):
    n: int
    label: str
    doc_id: str
    pasal: str | None = None
    ayat: str | None = None
    kutipan: str
    status: Status
    resmi: bool
    sumber_url: str | None = None


class AnswerResult(BaseModel):
    jawaban: str = Field(description="Jawaban dengan penanda [n] yang merujuk ke `kutipan`.")
    found: bool = Field(description="false: korpus tidak memuat dasar hukumnya; jangan menebak.")
    kutipan: list[Quote]
    peringatan: list[str]
    answer_id: str


# ---- shared reading helpers (also used by the UI's reader) -------------------------------------
def relation(docs: dict[str, DocumentMeta], doc_id: str) -> Relation:
    meta = docs.get(doc_id)
    return Relation(doc_id=doc_id, label=meta.short_name if meta else doc_id, status=meta.status if meta else None)


def document_status(assistant, doc_id: str) -> StatusResult:
    docs = {d.doc_id: d for d in assistant.documents()}
    meta = _meta_or_fail(docs, doc_id)
    history = pasal_history(assistant.store.state(), doc_id)
    successor = next(iter(meta.dicabut_oleh), None)
    return StatusResult(
        doc_id=meta.doc_id, label=meta.short_name, judul=meta.judul, status=meta.status, resmi=meta.resmi,
        tanggal_ditetapkan=meta.tanggal_ditetapkan.isoformat() if meta.tanggal_ditetapkan else None,
        mencabut=[relation(docs, i) for i in meta.mencabut],
        dicabut_oleh=[relation(docs, i) for i in meta.dicabut_oleh],
        mengubah=[relation(docs, i) for i in meta.mengubah],
        diubah_oleh=[relation(docs, i) for i in meta.diubah_oleh],
        pengganti=relation(docs, successor) if successor else None,
        pasal_diubah=[h["pasal"] for h in history],
        sumber=list(meta.sumber),
    )


def read_pasal(assistant, doc_id: str, pasal: str) -> PasalResult:
    """A Pasal as in force (the consolidated text when an amendment in the corpus changed it), its
    ayat, its Penjelasan, and its history."""
    docs = {d.doc_id: d for d in assistant.documents()}
    meta = _meta_or_fail(docs, doc_id)
    _, chunks = assistant.document(doc_id)
    wanted = pasal.strip().lower().removeprefix("pasal").strip()
    own = [c for c in chunks if (c.pasal or "").lower() == wanted]
    if not own:
        raise ToolError(f"Pasal {pasal} tidak ditemukan dalam {meta.short_name}. "
                        f"Pakai cari_pasal atau resource {RESOURCE_PREFIX}{doc_id} untuk melihat Pasal yang ada.")
    original = [c for c in own if c.bagian == "Batang Tubuh" and not c.konsolidasi]
    consolidated = [c for c in own if c.konsolidasi]
    explanation = [c for c in own if c.bagian == "Penjelasan"]
    history = next((h for h in pasal_history(assistant.store.state(), doc_id) if h["pasal"].lower() == wanted), None)
    in_force = consolidated or original or own
    ayat = [Ayat(ayat=c.ayat, teks=chunk_body(c)) for c in in_force]
    status = "asli" if history is None else history["status"]
    return PasalResult(
        doc_id=doc_id, label=f"{meta.short_name}, Pasal {own[0].pasal}", pasal=own[0].pasal or pasal,
        status_dokumen=meta.status, status_pasal=status,
        teks="\n\n".join(a.teks for a in ayat), ayat=ayat,
        teks_asli="\n\n".join(chunk_body(c) for c in original) if consolidated and original else None,
        penjelasan="\n\n".join(chunk_body(c) for c in explanation) or None,
        riwayat=[Change(**{k: ch.get(k) for k in ("perubahan", "oleh", "label", "tanggal")})
                 for ch in (history or {}).get("perubahan", [])],
        sumber_url=next((c.sumber_url for c in own if c.sumber_url), None) or next(iter(meta.sumber), None),
    )


def _meta_or_fail(docs: dict[str, DocumentMeta], doc_id: str) -> DocumentMeta:
    meta = docs.get(doc_id)
    if meta is None:
        raise ToolError(f"Dokumen '{doc_id}' tidak ada di korpus. Pakai daftar_peraturan untuk melihat ID yang ada.")
    return meta


def document_markdown(meta: DocumentMeta, chunks: list[ChunkRecord]) -> str:
    """A document as Markdown for the MCP resource: metadata, then every unit under its heading."""
    lines = [f"# {meta.short_name}", "", meta.judul, "",
             f"- doc_id: {meta.doc_id}", f"- status: {meta.status}",
             f"- teks: {'resmi' if meta.resmi else 'ringkasan tidak resmi'}"]
    lines += [f"- sumber: {url}" for url in meta.sumber]
    bagian = None
    for c in chunks:
        if c.konsolidasi:
            continue  # the resource is the document as published; baca_pasal gives the text in force
        if c.bagian != bagian:
            bagian = c.bagian
            lines += ["", f"## {bagian}"]
        title = f"Pasal {c.pasal}" + (f" ayat ({c.ayat})" if c.ayat else "") if c.pasal else (c.heading or "")
        lines += ["", f"### {title}" if title else "", chunk_body(c)]
    return "\n".join(lines).strip() + "\n"


class _RegulationServer(MCPServer):
    """Lists one resource per document in the corpus as it is now (documents come and go)."""

    def __init__(self, get_assistant: Callable[[], Any], **kwargs):
        super().__init__(**kwargs)
        self._get_assistant = get_assistant

    async def call_tool(self, name, arguments, context=None):
        """The SDK prefixes failures with English ("Error executing tool …"): the client's model
        and its user read Indonesian, naming the field and the fix."""
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError:
            raise
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                _, details = describe_validation_errors(cause.errors())
                fields = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
                raise ToolError(f"Argumen {name} tidak valid — {fields}.") from cause
            if isinstance(cause, ToolError):
                raise ToolError(str(cause)) from cause
            if str(exc).startswith("Unknown tool"):
                raise ToolError(f"Alat '{name}' tidak dikenal.") from exc
            raise

    async def list_resources(self) -> list[MCPResource]:
        static = await super().list_resources()
        try:
            docs = await anyio.to_thread.run_sync(lambda: self._get_assistant().documents())
        except AsistenError:
            return static
        return static + [
            MCPResource(uri=f"{RESOURCE_PREFIX}{d.doc_id}", name=d.doc_id, title=d.short_name,
                        description=f"{d.judul} (status: {d.status})", mime_type="text/markdown")
            for d in docs
        ]


def build_mcp_server(get_assistant: Callable[[], Any], settings: Settings, store=None) -> MCPServer:
    """`get_assistant()` may block while the model loads; every call runs in a worker thread."""
    server = _RegulationServer(get_assistant, name="asisten-regulasi", title="Asisten Regulasi",
                               instructions=INSTRUCTIONS, version="1", log_level="WARNING")

    async def run(fn, *args):
        def call():
            try:
                return fn(get_assistant(), *args)
            except AsistenError as exc:
                raise ToolError(exc.message) from exc
        return await anyio.to_thread.run_sync(call)

    def filters(doc_id, jenis, tahun, status, resmi) -> Filters | None:
        f = Filters(doc_id=doc_id or [], jenis=jenis or [], tahun=tahun or [], status=status or [], resmi=resmi)
        return None if f.is_empty() else f

    @server.tool(
        name="cari_pasal", title="Cari Pasal",
        description="Mencari ketentuan (Pasal/ayat) yang paling relevan dengan kueri di korpus regulasi, "
                    "dengan saringan opsional (dokumen, jenis, tahun, status, resmi). Mengembalikan teks "
                    "passage dengan rujukan dan skornya, tanpa menyusun jawaban.",
    )
    async def cari_pasal(
        kueri: Annotated[str, Field(description="Kata kunci atau pertanyaan dalam bahasa Indonesia.", min_length=1,
                                    max_length=settings.max_question_chars)],
        doc_id: Annotated[list[str], Field(description="Batasi ke dokumen ini (doc_id).")] = [],  # noqa: B006
        jenis: Annotated[list[str], Field(description="Batasi ke jenis, mis. 'Peraturan Menteri PANRB'.")] = [],  # noqa: B006
        tahun: Annotated[list[int], Field(description="Batasi ke tahun penetapan.")] = [],  # noqa: B006
        status: Annotated[list[Status], Field(description="Batasi ke status dokumen.")] = [],  # noqa: B006
        resmi: Annotated[bool | None, Field(description="true: hanya teks resmi; false: hanya ringkasan.")] = None,
        k: Annotated[int, Field(description="Jumlah passage (1–20).", ge=1, le=20)] = 5,
    ) -> SearchResult:
        def search(assistant):
            docs = {d.doc_id: d for d in assistant.documents()}
            hits = assistant.search(kueri.strip(), filters(doc_id, jenis, tahun, status, resmi), k)[:k]
            out = []
            for hit in hits:
                c = hit.chunk
                meta = docs.get(c.doc_id)
                label = meta.short_name if meta else c.doc_id
                if c.pasal:
                    label += f", Pasal {c.pasal}" + (f" ayat ({c.ayat})" if c.ayat else "")
                out.append(Passage(label=label, doc_id=c.doc_id, pasal=c.pasal, ayat=c.ayat, bagian=c.bagian,
                                   teks=chunk_body(c), skor=round(hit.score, 4),
                                   status=meta.status if meta else "tidak diketahui", resmi=c.resmi,
                                   sumber_url=c.sumber_url))
            return SearchResult(kueri=kueri, hasil=out)
        return await run(search)

    @server.tool(
        name="baca_pasal", title="Baca Pasal",
        description="Membaca teks lengkap satu Pasal sebuah regulasi beserta ayat-ayatnya, Penjelasannya, "
                    "status dokumennya, dan riwayat perubahannya (Pasal yang diubah, disisipkan, atau "
                    "dihapus oleh regulasi lain di korpus; teks yang dikembalikan adalah teks yang berlaku).",
    )
    async def baca_pasal(
        doc_id: DocIdArg,
        pasal: Annotated[str, Field(description="Nomor Pasal, mis. '4' atau '5A'.", pattern=r"^(?i:pasal\s*)?[0-9]+[A-Za-z]?$",
                                    max_length=24)],
    ) -> PasalResult:
        return await run(read_pasal, doc_id, pasal)

    @server.tool(
        name="status_peraturan", title="Status peraturan",
        description="Status sebuah regulasi (berlaku, diubah, dicabut, tidak diketahui), relasinya "
                    "(mencabut, dicabut oleh, mengubah, diubah oleh), penggantinya, dan Pasal yang diubah. "
                    "Periksa ini sebelum mengutip sebuah regulasi.",
    )
    async def status_peraturan(doc_id: DocIdArg) -> StatusResult:
        return await run(document_status, doc_id)

    @server.tool(
        name="daftar_peraturan", title="Daftar peraturan",
        description="Katalog regulasi di korpus dengan doc_id, jenis, nomor, tahun, judul, dan status; "
                    "saringan opsional menurut jenis, tahun, status, atau kata dalam judul.",
    )
    async def daftar_peraturan(
        jenis: Annotated[str | None, Field(description="Bagian dari nama jenis, mis. 'Peraturan Menteri'.")] = None,
        tahun: Annotated[int | None, Field(description="Tahun penetapan.", ge=1945, le=2100)] = None,
        status: Annotated[Status | None, Field(description="Status dokumen.")] = None,
        kata: Annotated[str | None, Field(description="Kata yang harus ada dalam judul atau nama singkat.",
                                          max_length=200)] = None,
    ) -> Catalogue:
        def listing(assistant):
            out = []
            for d in assistant.documents():
                if jenis and jenis.lower() not in d.jenis.lower():
                    continue
                if tahun and d.tahun != tahun:
                    continue
                if status and d.status != status:
                    continue
                if kata and kata.lower() not in f"{d.judul} {d.short_name}".lower():
                    continue
                out.append(CatalogueEntry(doc_id=d.doc_id, label=d.short_name, jenis=d.jenis, nomor=d.nomor,
                                          tahun=d.tahun, judul=d.judul, status=d.status, resmi=d.resmi))
            return Catalogue(jumlah=len(out), dokumen=out)
        return await run(listing)

    @server.tool(
        name="tanya", title="Tanya",
        description="Menjawab pertanyaan tentang regulasi penyederhanaan birokrasi dengan kutipan "
                    "(regulasi, Pasal, ayat). `found` false berarti korpus tidak memuat dasar hukumnya; "
                    "`peringatan` memuat catatan seperti regulasi yang sudah dicabut atau teks tidak resmi.",
    )
    async def tanya(
        pertanyaan: Annotated[str, Field(description="Pertanyaan dalam bahasa Indonesia.", min_length=1,
                                         max_length=settings.max_question_chars)],
        riwayat: Annotated[list[Turn], Field(description="Giliran sebelumnya, untuk pertanyaan lanjutan.",
                                             max_length=settings.max_history_turns)] = [],  # noqa: B006
        doc_id: Annotated[list[str], Field(description="Batasi ke dokumen ini (doc_id).")] = [],  # noqa: B006
        tahun: Annotated[list[int], Field(description="Batasi ke tahun penetapan.")] = [],  # noqa: B006
    ) -> AnswerResult:
        question = pertanyaan.strip()
        if not question:
            raise ToolError("Pertanyaan tidak boleh kosong.")

        def answer(assistant):
            result = assistant.ask(question, riwayat, filters(doc_id, [], tahun, [], None), None)
            answer_id = uuid.uuid4().hex
            if store is not None:
                try:
                    store.log_answer(answer_id=answer_id, question=question, channel="mcp", status="ok",
                                     answer=result.answer, found=result.found,
                                     citations=[c.model_dump(mode="json") for c in result.citations],
                                     latency_ms=result.latency_ms)
                except Exception:  # noqa: BLE001 - the answer matters more than its log line
                    log.exception("failed to log MCP answer")
            return AnswerResult(
                jawaban=result.answer, found=result.found, peringatan=list(result.warnings), answer_id=answer_id,
                kutipan=[Quote(n=c.n, label=c.label, doc_id=c.doc_id, pasal=c.pasal, ayat=c.ayat, kutipan=c.quote,
                               status=c.status, resmi=c.resmi, sumber_url=c.sumber_url) for c in result.citations],
            )
        return await run(answer)

    @server.resource(RESOURCE_PREFIX + "{doc_id}", name="dokumen", title="Dokumen regulasi",
                     description="Teks lengkap satu dokumen regulasi (Markdown), per Pasal.", mime_type="text/markdown")
    async def dokumen(doc_id: str) -> str:
        def read():
            try:
                meta, chunks = get_assistant().document(doc_id)
            except AsistenError as exc:
                raise ResourceNotFoundError(exc.message) from exc
            return document_markdown(meta, chunks)
        return await anyio.to_thread.run_sync(read)

    return server


def as_json(model: BaseModel) -> str:
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False)
