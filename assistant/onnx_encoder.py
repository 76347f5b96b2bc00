"""Sentence embeddings with ONNX Runtime and `tokenizers` only (no torch on the serving path).

Reads a folder written by `assistant.onnx_export` (model-<quantization>.onnx, tokenizer.json,
sentence_bert_config.json). An `InferenceSession` may be run from several threads at once and the
Rust tokenizer is thread-safe, so, unlike the torch path, callers are not serialised behind a lock:
with one intra-op thread per call, two concurrent questions use both cores.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.errors import ModelUnavailable
from assistant.onnx_export import onnx_file

DEFAULT_MAX_TOKENS = 512


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class OnnxEncoder:
    """Tokenise, pad per batch (texts sorted by length, as sentence-transformers does), run, unsort."""


    def __init__(self, folder: Path, quantization: str = "fp32", threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.folder = folder
        self.quantization = quantization
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            options = ort.SessionOptions()
            if threads:
                options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            self.session = ort.InferenceSession(str(folder / onnx_file(quantization)), options,
                                                providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - a damaged export becomes one clear message
            raise ModelUnavailable(
                f"Model ONNX di '{folder}' tidak dapat dimuat. Hapus folder itu agar diekspor ulang, atau atur "
                "ASISTEN_EMBEDDING_BACKEND=torch.", cause=f"{type(exc).__name__}: {exc}",
            ) from exc
        max_tokens = _read_json(folder / "sentence_bert_config.json").get("max_seq_length") or DEFAULT_MAX_TOKENS
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(max_tokens))
        config = _read_json(folder / "config.json")
        pad_token = _read_json(folder / "tokenizer_config.json").get("pad_token")
        pad_id = self.tokenizer.token_to_id(pad_token) if isinstance(pad_token, str) else None
        self.pad_id = int(pad_id if pad_id is not None else config.get("pad_token_id", 0))
        self._dimension = config.get("hidden_size")
        # Dynamic int8 quantises activations with one scale per tensor, i.e. per batch: a text's
        # vector would depend on its batch companions (and padding). One text per run keeps every
        # vector a function of its text alone, as content-addressed chunk ids assume.
        self.max_batch = 1 if quantization == "int8" else None

    @property
    def dimension(self) -> int:
        if not self._dimension:
            self._dimension = int(self.encode(["x"], batch_size=1).shape[1])
        return int(self._dimension)

    def _run(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    def encode(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        texts = list(texts)
        if len(texts) == 1:  # the query path: no sorting, no batching
            return np.ascontiguousarray(self._run(self.tokenizer.encode_batch(texts)), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        batch_size = min(batch_size, self.max_batch or batch_size)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        batches = range(0, len(order), max(1, batch_size))
        if show_progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="Batches")
        for start in batches:
            rows = order[start : start + batch_size]
            out[rows] = self._run([encodings[i] for i in rows])
        return out
