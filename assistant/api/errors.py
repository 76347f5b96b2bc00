"""HTTP-level errors (auth, limits, not found) and the exception handlers that shape every error.

Every error response has one shape, OpenAI-compatible so that chat clients show the message:
`{"error": {"message": "<Indonesian>", "type": "...", "code": "...", "details": [...]}}`.
No traceback ever reaches a response; causes go to the server log.
"""
from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import AsistenError

log = logging.getLogger("assistant.api")


class ApiError(AsistenError):
    code = "bad_request"
    type = "invalid_request_error"


class Unauthorized(ApiError):
    http_status = 401
    code = "unauthorized"
    type = "authentication_error"


class Forbidden(ApiError):
    http_status = 403
    code = "forbidden"
    type = "permission_error"


class NotFound(ApiError):
    http_status = 404
    code = "not_found"


class ModelNotFound(ApiError):
    """OpenAI's answer to an unknown `model`: 404 with code model_not_found."""
    http_status = 404
    code = "model_not_found"


class MethodNotAllowed(ApiError):
    http_status = 405
    code = "method_not_allowed"

    def __init__(self, message: str, allow: list[str]):
        super().__init__(message)
        self.allow = allow


class PayloadTooLarge(ApiError):
    http_status = 413
    code = "payload_too_large"


class UnsupportedMedia(ApiError):
    http_status = 415
    code = "unsupported_media_type"


class RateLimited(ApiError):
    http_status = 429
    code = "rate_limited"
    type = "rate_limit_error"

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


_CODES = {
    "ConfigError": "config_error",
    "ModelUnavailable": "model_unavailable",
    "IndexUnavailable": "index_unavailable",
    "IngestLocked": "ingest_locked",
    "IngestConflict": "ingest_conflict",
    "DocumentRejected": "document_rejected",
    "CorpusInvalid": "corpus_invalid",
    "InvalidInput": "invalid_input",
}

_HTTP_MESSAGES = {
    400: "Permintaan tidak valid.",
    401: "Kunci API diperlukan.",
    403: "Akses ditolak.",
    404: "Alamat tidak ditemukan.",
    405: "Metode HTTP ini tidak didukung untuk alamat ini.",
    406: "Format jawaban yang diminta tidak didukung.",
    413: "Badan permintaan terlalu besar.",
    415: "Jenis konten tidak didukung.",
    429: "Terlalu banyak permintaan.",
}


def error_body(message: str, *, type_: str, code: str, details: list | None = None) -> dict:
    err = {"message": message, "type": type_, "code": code}
    if details:
        err["details"] = details
    return {"error": err}


def error_payload(exc: AsistenError) -> tuple[int, dict]:
    status = int(getattr(exc, "http_status", 400))
    code = getattr(exc, "code", None) or _CODES.get(type(exc).__name__, "error")
    type_ = getattr(exc, "type", None) or ("server_error" if status >= 500 else "invalid_request_error")
    return status, error_body(exc.message, type_=type_, code=code)


# Pydantic error types → Indonesian phrases. `{...}` placeholders come from the error's ctx.
_VALIDATION_PHRASES = {
    "missing": "wajib diisi",
    "string_too_short": "tidak boleh kosong",
    "string_too_long": "terlalu panjang (maksimal {max_length} karakter)",
    "too_short": "terlalu sedikit (minimal {min_length})",
    "too_long": "terlalu banyak (maksimal {max_length})",
    "string_type": "harus berupa teks",
    "int_parsing": "harus berupa bilangan bulat",
    "int_type": "harus berupa bilangan bulat",
    "int_from_float": "harus berupa bilangan bulat",
    "float_parsing": "harus berupa angka",
    "bool_parsing": "harus true atau false",
    "bool_type": "harus true atau false",
    "greater_than_equal": "minimal {ge}",
    "greater_than": "harus lebih dari {gt}",
    "less_than_equal": "maksimal {le}",
    "less_than": "harus kurang dari {lt}",
    "literal_error": "harus salah satu dari: {expected}",
    "enum": "harus salah satu dari: {expected}",
    "extra_forbidden": "tidak dikenal",
    "string_pattern_mismatch": "formatnya tidak valid",
    "list_type": "harus berupa daftar (array)",
    "dict_type": "harus berupa objek JSON",
    "model_type": "harus berupa objek JSON",
    "model_attributes_type": "harus berupa objek JSON",
    "union_tag_invalid": "jenisnya tidak dikenal",
    "value_error": "tidak valid",
}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "badan permintaan"


def describe_validation_errors(errors) -> tuple[str, list[dict]]:
    details = []
    for err in errors:
        etype = err.get("type", "")
        if etype == "json_invalid":
            return "Badan permintaan bukan JSON yang valid.", [{"field": "body", "message": "JSON tidak valid"}]
        phrase = _VALIDATION_PHRASES.get(etype, "tidak valid")
        try:
            phrase = phrase.format(**(err.get("ctx") or {}))
        except (KeyError, IndexError, ValueError):
            phrase = _VALIDATION_PHRASES.get(etype, "tidak valid").split(" (")[0]
        details.append({"field": _field_name(err.get("loc", ())), "message": phrase})
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    return f"Permintaan tidak valid — {summary}.", details


BODY_PARSE_ERROR = "There was an error parsing the body"  # fastapi.routing's detail for it


def _unparsable_body_message(request: Request) -> tuple[str, str]:
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/") or content_type.startswith("application/x-www-form-urlencoded"):
        return "Badan permintaan (formulir multipart) rusak dan tidak dapat dibaca.", "body"
    return (
        "Badan permintaan bukan JSON yang valid (harus teks UTF-8 dengan susunan yang wajar).",
        "body",
    )


def install_exception_handlers(app: FastAPI) -> None:
    @app.exception_handler(AsistenError)
    async def _asisten_error(request: Request, exc: AsistenError):
        status, body = error_payload(exc)
        if status >= 500:
            log.error("%s on %s: %s (cause: %s)", type(exc).__name__, request.url.path, exc.message, exc.cause)
        headers = None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None and (status >= 500 or status in (409, 429)):
            # 503 (model loading, Chroma down), 409 (another ingest), 429: when to ask again
            headers = {"Retry-After": str(max(1, math.ceil(retry_after)))}
        elif isinstance(exc, MethodNotAllowed):
            headers = {"Allow": ", ".join(exc.allow)}
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        message, details = describe_validation_errors(exc.errors())
        body = error_body(message, type_="invalid_request_error", code="validation_error", details=details)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:  # BODY_PARSE_ERROR, or Starlette's multipart parser's own 400s
            # FastAPI's own 400 for a body it could not even decode (invalid UTF-8, nesting too deep
            # for the JSON parser, broken multipart framing): a 422 like any other invalid JSON.
            message, field = _unparsable_body_message(request)
            body = error_body(message, type_="invalid_request_error", code="validation_error",
                              details=[{"field": field, "message": "tidak dapat dibaca"}])
            return JSONResponse(body, status_code=422)
        message = _HTTP_MESSAGES.get(exc.status_code, "Permintaan tidak dapat diproses.")
        body = error_body(message, type_="invalid_request_error", code=f"http_{exc.status_code}")
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        body = error_body(
            "Terjadi kesalahan di server. Silakan coba lagi; bila berulang, hubungi pengelola.",
            type_="server_error",
            code="internal_error",
        )
        return JSONResponse(body, status_code=500)
