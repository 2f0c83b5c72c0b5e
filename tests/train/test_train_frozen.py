"""Frozen-encoder mode: encodings are computed once and reused from the disk cache."""

from __future__ import annotations

import pytest

from train_helpers import negation_dataset
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.predictions import read_prediction_frames
from mmtl_core.train import TaskSpec, TrainConfig, train
from mmtl_core.train import setup


def frozen_config(tmp_path, encoder, **kw) -> TrainConfig:
    base = dict(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=encoder, mode="frozen", epochs=2,
                batch_size=16, max_length=8, output_dir=str(tmp_path / "runs"))
    return TrainConfig(**{**base, **kw})


def test_second_run_reads_encodings_from_cache(tmp_path, tiny_encoder, monkeypatch):
    ds = negation_dataset(100)
    first = train(frozen_config(tmp_path, tiny_encoder), datasets={"s": ds})
    cached = sorted((tmp_path / "runs" / ".encodings").glob("*.npy"))
    assert len(cached) == 2  # train and dev

    def no_encoding(*args, **kwargs):
        raise AssertionError("encoded again although the cache holds this split")

    monkeypatch.setattr(setup, "frozen_features", no_encoding)
    second = train(frozen_config(tmp_path, tiny_encoder), datasets={"s": ds})
    assert read_metrics(first) == read_metrics(second)
    with pytest.raises(AssertionError, match="encoded again"):  # another max_length is another cache entry
        train(frozen_config(tmp_path, tiny_encoder, max_length=6), datasets={"s": ds})


def test_frozen_weights_hold_heads_only(tmp_path, tiny_encoder):
    from safetensors.torch import load_file

    run = train(frozen_config(tmp_path, tiny_encoder), datasets={"s": negation_dataset(60)})
    keys = set(load_file(str(run / "weights" / "s.safetensors")))
    assert keys == {"heads.s.head.weight", "heads.s.head.bias"}


def test_cached_run_trains_exactly_like_the_run_that_encoded(tmp_path, tiny_encoder):
    from mmtl_core.data.dataset import Dataset

    frame = negation_dataset(120).frame
    ds = Dataset("d", frame.assign(text=frame["text"] + [" really" * (i % 4) for i in range(len(frame))]))
    cold = train(frozen_config(tmp_path, tiny_encoder, batch_size=8), datasets={"s": ds})
    warm = train(frozen_config(tmp_path, tiny_encoder, batch_size=8), datasets={"s": ds})
    assert read_metrics(cold) == read_metrics(warm)
    assert read_prediction_frames(cold)["s"]["dev"].equals(read_prediction_frames(warm)["s"]["dev"])
