"""Request and response models of the HTTP API (the answer itself is `records.Answer`)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..records import Answer, Citation, DocumentMeta, Filters, Status, Turn

DOC_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


MIN_YEAR, MAX_YEAR = 1900, 2200  # Chroma's where clause takes 64-bit integers only


class FiltersIn(Filters):
    """Filters as a caller sends them: unknown keys are an error, not silently ignored, and a value
    of the wrong type ("resmi": 0.0, "tahun": ["2021"]) is refused rather than coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("tahun")
    @classmethod
    def _years(cls, value: list[int]) -> list[int]:
        if any(not MIN_YEAR <= y <= MAX_YEAR for y in value):
            raise ValueError(f"tahun harus antara {MIN_YEAR} dan {MAX_YEAR}")
        return value


class AskRequest(Strict):
    question: str = Field(min_length=1, description="Pertanyaan dalam bahasa Indonesia.")
    history: list[Turn] = Field(default_factory=list, description="Giliran sebelumnya (user/assistant).")
    filters: FiltersIn | None = None
    k: int | None = Field(default=None, ge=1, le=20, description="Jumlah passage yang diambil.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "Apa saja jenis jabatan pelaksana menurut Permenpan RB 45 Tahun 2022?",
                    "history": [],
                    "filters": {"tahun": [2022]},
                }
            ]
        },
    )


class AnswerOut(Answer):
    """The answer JSON (assistant/records.py Answer), with the `answer_id` that feedback refers to."""

    answer_id: str


class SearchHit(BaseModel):
    chunk_id: str
    doc_id: str
    label: str
    pasal: str | None = None
    ayat: str | None = None
    bab: str | None = None
    bagian: str
    heading: str | None = None
    page: int | None = None
    text: str
    score: float
    exact: bool = False
    dense_rank: int | None = None
    bm25_rank: int | None = None
    status: Status = "tidak diketahui"
    resmi: bool = False
    source_path: str
    sumber_url: str | None = None


class SearchResponse(BaseModel):
    query: str
    k: int
    results: list[SearchHit]


class DocumentOut(DocumentMeta):
    label: str = Field(description="Nama singkat dokumen, seperti dalam kutipan.")


class DocumentsResponse(BaseModel):
    documents: list[DocumentOut]


class OutlineEntry(BaseModel):
    bagian: str
    bab: str | None = None
    bagian_struktur: str | None = Field(default=None, description="Bagian di bawah BAB, mis. 'Kesatu' (Bagian Kesatu)")
    paragraf: str | None = None
    pasal: str | None = None
    heading: str | None = None
    ayat: list[str] = Field(default_factory=list)
    page: int | None = None
    chunk_ids: list[str]


class ChunkOut(BaseModel):
    chunk_id: str
    bagian: str
    bab: str | None = None
    pasal: str | None = None
    ayat: str | None = None
    heading: str | None = None
    page: int | None = None
    text: str
    source_path: str
    sumber_url: str | None = None
    verifikasi: str


class PasalText(BaseModel):
    pasal: str
    label: str
    text: str
    chunks: list[ChunkOut]


class DocumentDetail(BaseModel):
    document: DocumentOut
    outline: list[OutlineEntry]
    pasal: PasalText | None = None
    riwayat: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Riwayat tiap Pasal yang diubah/disisipkan/dihapus oleh perubahan di korpus: "
        "teks asli, butir perubahan (Pasal I angka N) dan teks yang berlaku.",
    )


class FeedbackRequest(Strict):
    answer_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    rating: Literal["up", "down"] | Literal[1, -1] = Field(description="'up' / 1 membantu, 'down' / -1 tidak.")
    comment: str | None = Field(default=None, max_length=2000)

    @property
    def score(self) -> int:
        return 1 if self.rating in ("up", 1) else -1


class FeedbackResponse(BaseModel):
    ok: bool = True
    feedback_id: int
    message: str = "Terima kasih, masukan Anda tersimpan."


class IngestOut(BaseModel):
    ok: bool = True
    message: str
    doc_id: str | None = None
    report: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    ready: bool
    model: bool = False
    index: bool = False
    chroma: bool = False
    chunks: int = 0
    documents: int = 0
    generation: int | None = None  # the shared index generation this replica serves
    missing_vectors: int | None = None  # live chunks without a vector at the last check
    message: str | None = None


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: str
    details: list[dict] | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


# --- OpenAI-compatible chat completions --------------------------------------------------------

class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if p.type == "text" and p.text)


class ChatCompletionRequest(BaseModel):
    # OpenAI clients send many optional parameters (temperature, top_p, user, ...): accepted, unused.
    model_config = ConfigDict(extra="allow")
    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    filters: FiltersIn | None = Field(default=None, description="Ekstensi: filter metadata.")
    k: int | None = Field(default=None, ge=1, le=20, description="Ekstensi: jumlah passage.")


class ChatChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatChoiceMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage = Field(default_factory=Usage)
    citations: list[Citation] = Field(default_factory=list)
    found: bool = True
    answer_id: str


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "asisten-regulasi"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
