"""Export a sentence-transformers folder (BERT + mean pooling + normalise) to ONNX, once, atomically.

The ONNX graph holds the whole encoder: token ids and attention mask in, the L2-normalised mean
pooled sentence embedding out, so serving needs only `onnxruntime` and `tokenizers` (no torch, no
sentence-transformers). Two variants live in one folder beside the source model:

* ``model-fp32.onnx``: the same weights, vectors identical to the torch path (cosine 1.0000);
* ``model-int8.onnx``: dynamic int8 quantisation, per output channel (per-tensor loses more
  quality), ~3x faster on one thread; cosine ~0.997 to the fp32 vectors.

Guarantees, as for the rebuilt model (assistant/bundled_model.py): built once (a marker records the
source folder's fingerprint and the exporter version), atomic (written under a temporary name in
the same directory, renamed into place when complete), and concurrency-safe (a `filelock` lock).
Exporting needs torch and transformers (installed with sentence-transformers); int8 needs `onnx`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from assistant.errors import ModelUnavailable

log = logging.getLogger(__name__)

# Bump whenever the exported graph changes; a different version in the marker forces a re-export.
# 2: int8 weights in 7 bits (see _quantize_int8).
EXPORTER_VERSION = "2"
MARKER_NAME = "asisten-onnx.json"
QUANTIZATIONS = ("fp32", "int8")
OPSET = 17
LOCK_TIMEOUT_S = 600.0
COPIED_FILES = ("tokenizer.json", "tokenizer_config.json", "config.json", "sentence_bert_config.json",
                "1_Pooling/config.json")


def onnx_file(quantization: str) -> str:
    return f"model-{quantization}.onnx"


def onnx_dir_for(source: Path, models_dir: Path) -> Path:
    """Where the export of `source` lives: beside it when it is in the models dir, else in it."""
    source = Path(source).resolve()
    models_dir = Path(models_dir)
    if source.parent == models_dir.resolve():
        return models_dir / f"{source.name}-onnx"
    key = hashlib.sha1(str(source).encode()).hexdigest()[:10]
    return models_dir / f"onnx-{source.name}-{key}"


def source_fingerprint(source: Path) -> str:
    """Names the source weights: the rebuilt model's own marker when present, else file stats."""
    source = Path(source)
    marker = source / "asisten-build.json"
    if marker.is_file():
        data = json.loads(marker.read_text(encoding="utf-8"))
        return f"bundled:{data.get('source_sha256')}:{data.get('converter_version')}"
    parts = []
    for name in ("model.safetensors", "pytorch_model.bin", "config.json", "tokenizer.json"):
        path = source / name
        if path.is_file():
            st = path.stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "files:" + hashlib.sha1("|".join(parts).encode()).hexdigest()


def check_exportable(source: Path) -> None:
    """The ONNX graph is BERT-like + mean pooling + normalisation; anything else stays on torch."""
    source = Path(source)
    if not (source / "tokenizer.json").is_file():
        raise ModelUnavailable(
            f"Model '{source}' tidak punya tokenizer.json, jadi tidak dapat dijalankan dengan ONNX Runtime. "
            "Atur ASISTEN_EMBEDDING_BACKEND=torch.",
            cause=f"{source}/tokenizer.json missing",
        )
    pooling = source / "1_Pooling" / "config.json"
    if pooling.is_file():
        config = json.loads(pooling.read_text(encoding="utf-8"))
        if not config.get("pooling_mode_mean_tokens") or any(
            config.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
        ):
            raise ModelUnavailable(
                f"Model '{source}' tidak memakai mean pooling; ekspor ONNX hanya mendukung mean pooling. "
                "Atur ASISTEN_EMBEDDING_BACKEND=torch.",
                cause=f"pooling config {config}",
            )


def is_complete(folder: Path, fingerprint: str, quantization: str) -> bool:
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(marker, dict)
        and marker.get("source") == fingerprint
        and marker.get("exporter_version") == EXPORTER_VERSION
        and quantization in marker.get("variants", [])
        and (folder / onnx_file(quantization)).is_file()
        and (folder / "tokenizer.json").is_file()
    )


def _export_fp32(source: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(source), attn_implementation="eager")
    model.eval()

    class MeanPooledEncoder(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    ids = torch.tensor([[0, 100, 200, 2], [0, 300, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "sentence_embedding": {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes about Python booleans in the attention code
        torch.onnx.export(MeanPooledEncoder(model), (ids, mask), str(target),
                          input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False)


def _quantize_int8(fp32: Path, target: Path) -> None:
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:  # onnxruntime.quantization imports the `onnx` package
        raise ModelUnavailable(
            "Kuantisasi int8 membutuhkan paket Python 'onnx'. Pasang dengan: pip install onnx — atau atur "
            "ASISTEN_EMBEDDING_BACKEND=onnx (fp32).",
            cause=repr(exc),
        ) from exc
    # reduce_range: weights in 7 bits, so the u8 x s8 pair sums of CPUs without VNNI (VPMADDUBSW, int16)
    # never saturate. With 8 bits those CPUs computed other vectors than VNNI ones, and rankings
    # whose margins are small changed from machine to machine.
    quantize_dynamic(str(fp32), str(target), per_channel=True, reduce_range=True, weight_type=QuantType.QInt8)


def _build(source: Path, final: Path, fingerprint: str, quantization: str) -> None:
    """Writes a complete folder under a temporary name (reusing variants already exported) and swaps it in."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        started = time.perf_counter()
        variants: list[str] = []
        if final.exists() and (final / MARKER_NAME).is_file():
            old = json.loads((final / MARKER_NAME).read_text(encoding="utf-8"))
            if old.get("source") == fingerprint and old.get("exporter_version") == EXPORTER_VERSION:
                for name in old.get("variants", []):  # keep what was already exported
                    if (final / onnx_file(name)).is_file():
                        shutil.copy2(final / onnx_file(name), tmp / onnx_file(name))
                        variants.append(name)
        for rel in COPIED_FILES:
            if (source / rel).is_file():
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / rel, tmp / rel)
        wanted = ["fp32"] + (["int8"] if quantization == "int8" else [])
        fp32_scratch = tmp / onnx_file("fp32")
        if "fp32" not in variants:
            _export_fp32(source, fp32_scratch)
            variants.append("fp32")
        if "int8" in wanted and "int8" not in variants:
            _quantize_int8(fp32_scratch, tmp / onnx_file("int8"))
            variants.append("int8")
        marker = {"source": fingerprint, "exporter_version": EXPORTER_VERSION, "variants": sorted(variants),
                  "source_path": str(source), "opset": OPSET, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                  "build_seconds": round(time.perf_counter() - started, 2)}
        (tmp / MARKER_NAME).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        tmp.chmod(0o755)
        for path in tmp.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        if final.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
            os.replace(final, aside / "model")
            os.replace(tmp, final)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(tmp, final)
        log.info("exported %s (%s) in %.1fs", final, ", ".join(sorted(variants)), marker["build_seconds"])
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def ensure_onnx_model(source: Path, models_dir: Path, quantization: str = "fp32") -> Path:
    """The folder holding `model-<quantization>.onnx` (+ tokenizer.json) exported from `source`.

    Exports once; later calls (any process) return at once. Raises ModelUnavailable with an
    Indonesian message when the source cannot be exported or the folder cannot be written."""
    from filelock import FileLock, Timeout

    if quantization not in QUANTIZATIONS:
        raise ModelUnavailable(f"Kuantisasi ONNX '{quantization}' tidak dikenal (pilihan: fp32, int8).")
    source = Path(source)
    fingerprint = source_fingerprint(source)
    final = onnx_dir_for(source, models_dir)
    if is_complete(final, fingerprint, quantization):
        return final
    check_exportable(source)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(final.parent / f".{final.name}.lock"), timeout=LOCK_TIMEOUT_S):
            if is_complete(final, fingerprint, quantization):
                return final
            for stale in final.parent.glob(f".{final.name}.tmp-*"):  # left by killed exporters
                shutil.rmtree(stale, ignore_errors=True)
            _build(source, final, fingerprint, quantization)
    except Timeout as exc:
        raise ModelUnavailable(
            f"Model ONNX sedang diekspor oleh proses lain dan belum selesai setelah {int(LOCK_TIMEOUT_S)} detik "
            f"({final}). Coba lagi nanti.", cause=repr(exc),
        ) from exc
    except OSError as exc:
        raise ModelUnavailable(
            f"Model ONNX tidak dapat diekspor ke '{final.parent}': {exc.strerror or exc}. Periksa ruang disk "
            "dan izin tulis folder tersebut.", cause=repr(exc),
        ) from exc
    except ModelUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - an exporter failure becomes one clear message
        raise ModelUnavailable(
            f"Model '{source}' tidak dapat diekspor ke ONNX. Atur ASISTEN_EMBEDDING_BACKEND=torch untuk "
            "memakai torch.", cause=f"{type(exc).__name__}: {exc}",
        ) from exc
    return final
