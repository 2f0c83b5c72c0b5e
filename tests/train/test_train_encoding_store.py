"""The per-example encoding cache: every key found again (whatever its bytes), chunks merged, partial files ignored."""

from __future__ import annotations

import numpy as np

from mmtl_core.train.encoding_store import MAX_CHUNKS, EncodingStore, input_keys


def test_vectors_are_found_by_their_input_and_config(tmp_path):
    store = EncodingStore(tmp_path, "encoder A|mean|128|texts")
    keys = input_keys(["a", "b", ("a", "b")])
    keys.append(bytes(15) + b"\x00")  # a digest ending in zero bytes is a key like any other
    vectors = np.arange(8, dtype=np.float32).reshape(4, 2)
    store.add(keys, vectors)
    found, known = store.lookup([keys[3], input_keys(["c"])[0], keys[2], keys[0]])
    assert found.tolist() == [True, False, True, True]
    assert known.tolist() == [[6, 7], [4, 5], [0, 1]]
    other, none = EncodingStore(tmp_path, "encoder A|mean|64|texts").lookup(keys)
    assert not other.any() and none is None


def test_many_writes_are_merged_and_partial_files_ignored(tmp_path):
    store = EncodingStore(tmp_path, "config")
    for i in range(MAX_CHUNKS + 1):
        store.add(input_keys([f"text {i}", "shared"]), np.full((2, 3), i, np.float32))
    assert len(list(store.folder.glob("*.npz"))) == 1
    (store.folder / ".half-written.tmp.npz").write_bytes(b"PK\x03")  # another run's chunk, mid-write
    found, known = store.lookup(input_keys([f"text {i}" for i in range(MAX_CHUNKS + 1)] + ["shared"]))
    assert found.all() and known[:, 0].tolist()[:-1] == list(range(MAX_CHUNKS + 1))
