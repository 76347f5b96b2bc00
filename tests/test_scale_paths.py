"""The paths that keep an answer fast on a large index give the results of the plain ones:
BM25's top-k, the filtered dense search without Chroma's `where`, the server's single load."""
from __future__ import annotations

import gc

import numpy as np
import pytest

from assistant.index import IndexStore, chroma_where, freeze_long_lived
from assistant.records import Filters
from assistant.retrieval import top_positive


@pytest.mark.parametrize("size", [7, 900, 20_000, 300_000])
def test_top_positive_is_a_full_sort_of_the_positive_scores(size):
    rng = np.random.default_rng(size)
    for trial in range(12):
        scores = rng.random(size).astype(np.float32)
        if trial % 3 == 0:
            scores = np.round(scores * 20).astype(np.float32) / 20  # many equal scores
        if trial % 4 == 0:
            scores[rng.random(size) < 0.999] = 0  # a filtered, mostly-zero array
        n = int(rng.integers(1, 60))
        expected = np.lexsort((np.arange(size), -scores))[:n]
        assert np.array_equal(top_positive(scores, n), expected[scores[expected] > 0])


def test_filtered_dense_search_matches_chromas_own_filter(shipped_settings, embeddings):
    store = IndexStore(shipped_settings)
    state = store.state()
    query = embeddings.embed_query("penyetaraan jabatan administrasi ke jabatan fungsional")
    docs = sorted(state.documents)
    for filters in (Filters(doc_id=docs[:1]), Filters(doc_id=docs[1:4]), Filters(resmi=True), Filters(resmi=False)):
        ours = store.dense_query(query, 10, filters)
        chroma = store._nearest(state, query, 18, chroma_where(filters))[:10]
        assert [p for p, _ in ours] == [p for p, _ in chroma], filters
        assert np.allclose([s for _, s in ours], [s for _, s in chroma], atol=1e-5)
        mask = state.mask(filters)
        assert all(mask[p] for p, _ in ours)


def test_a_large_state_is_frozen_out_of_the_collector(monkeypatch, shipped_settings):
    import assistant.index as index

    state = IndexStore(shipped_settings).state()
    before = gc.get_freeze_count()
    freeze_long_lived(state)  # the shipped corpus is small: left to the collector
    assert gc.get_freeze_count() == before
    monkeypatch.setattr(index, "FREEZE_MIN_CHUNKS", 1)
    try:
        freeze_long_lived(state)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_the_server_loads_the_snapshot_once(monkeypatch, shipped_settings):
    from assistant.api.holder import AssistantHolder

    loads = []
    original = IndexStore._load_cache
    monkeypatch.setattr(IndexStore, "_load_cache", lambda self: loads.append(1) or original(self))
    holder = AssistantHolder(shipped_settings)
    holder.start()
    assert holder.wait_loaded(300) and holder.loaded, holder.error
    assert len(loads) == 1
