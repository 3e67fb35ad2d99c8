"""A written store is compacted only when it is large enough to gain from it (kg.store.compact_if_large)."""

from __future__ import annotations

import pyoxigraph as ox

from kg import store as store_mod


def _store_of(folder, pieces: int) -> ox.Store:
    store = ox.Store(str(folder))
    for piece in range(pieces):  # each bulk load leaves files of its own until compaction merges them
        lines = "".join(f"<urn:s{piece}-{i}> <urn:p> \"{'x' * 200} {i}\" <urn:g{piece}> .\n" for i in range(2000))
        store.bulk_load(input=lines.encode(), format=ox.RdfFormat.N_QUADS)
    return store


def test_a_small_store_is_left_as_written(tmp_path):
    store = _store_of(tmp_path / "store", 3)
    assert store_mod.compact_if_large(store, tmp_path / "store") is False
    assert len(store) == 6000


def test_a_store_past_the_threshold_is_compacted(tmp_path, monkeypatch):
    store = _store_of(tmp_path / "store", 3)
    store.flush()
    size = sum(f.stat().st_size for f in (tmp_path / "store").iterdir() if f.is_file())
    monkeypatch.setattr(store_mod, "COMPACTED_FROM_BYTES", size * 2)
    assert store_mod.compact_if_large(store, tmp_path / "store") is False
    monkeypatch.setattr(store_mod, "COMPACTED_FROM_BYTES", size // 2)
    assert store_mod.compact_if_large(store, tmp_path / "store") is True
    assert len(store) == 6000


def test_the_store_folder_is_the_one_its_scratch_folder_is_named_after(tmp_path):
    folder = tmp_path / "store-20261205T090000-ab_c1"
    assert store_mod.store_folder(folder.with_name(folder.name + ".scratch")) == folder
