"""Frozen-encoder mode: encodings are computed once and reused from the disk cache."""

from __future__ import annotations

import logging

import numpy as np

from train_helpers import negation_dataset, read_rte
from mmtl_core.data.dataset import Dataset
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.predictions import read_prediction_frames
from mmtl_core.train import TaskSpec, TrainConfig, frozen, train


def frozen_config(tmp_path, encoder, **kw) -> TrainConfig:
    base = dict(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=encoder, mode="frozen", epochs=2,
                batch_size=16, max_length=8, output_dir=str(tmp_path / "runs"))
    return TrainConfig(**{**base, **kw})


def count_encoded(monkeypatch) -> list[int]:
    """How many inputs each call of the encoder encodes, from now on."""
    counts: list[int] = []
    real = frozen.encode_inputs

    def counting(encoder, tokenizer, inputs, **kw):
        counts.append(len(inputs))
        return real(encoder, tokenizer, inputs, **kw)

    monkeypatch.setattr(frozen, "encode_inputs", counting)
    return counts


def test_second_run_reads_encodings_from_cache(tmp_path, tiny_encoder, monkeypatch):
    ds = negation_dataset(100)
    first = train(frozen_config(tmp_path, tiny_encoder), datasets={"s": ds})
    assert list((tmp_path / "runs" / ".encodings").rglob("*.npz"))
    encoded = count_encoded(monkeypatch)
    second = train(frozen_config(tmp_path, tiny_encoder), datasets={"s": ds})
    assert encoded == [] and read_metrics(first) == read_metrics(second)
    train(frozen_config(tmp_path, tiny_encoder, max_length=6), datasets={"s": ds})
    assert sum(encoded) == ds.frame["text"].nunique()  # another max_length: other vectors, all encoded once


def test_changed_labels_and_rows_reencode_nothing_already_encoded(tmp_path, tiny_encoder, monkeypatch):
    frame = negation_dataset(120).frame
    frame = frame.assign(text=frame["text"] + [f" #{i}" for i in range(len(frame))])  # every text distinct
    train(frozen_config(tmp_path, tiny_encoder), datasets={"s": Dataset("d", frame)})
    encoded = count_encoded(monkeypatch)
    relabeled = frame.assign(label=np.where(frame.index == 3, -1, 1 - frame["label"]))  # one row loses its label
    fewer = frame.drop(index=[5, 80])  # one train row and one dev row gone
    for changed in (relabeled, fewer):
        train(frozen_config(tmp_path, tiny_encoder), datasets={"s": Dataset("d", changed)})
    assert encoded == []
    edited = frame.assign(text=frame["text"].where(frame.index != 7, "a brand new text"))
    train(frozen_config(tmp_path, tiny_encoder), datasets={"s": Dataset("d", edited)})
    assert encoded == [1]  # only the one new text


def test_pairs_encoded_apart_share_their_sentences(tmp_path, tiny_encoder, monkeypatch, shared_data):
    rte = read_rte(shared_data, 40, 10)
    spec = TaskSpec("RTE")
    cfg = frozen_config(tmp_path, tiny_encoder, tasks=(spec,), pair_encoding="separate")
    train(cfg, datasets={"RTE": rte})
    encoded = count_encoded(monkeypatch)
    frame = rte.frame.copy()
    frame.loc[0, "sentence2"] = "A hypothesis never seen before."
    train(cfg, datasets={"RTE": Dataset(rte.name, frame, label_names=rte.label_names)})
    assert encoded == [1]


def test_loading_tokenizing_and_encoding_report_progress(tmp_path, tiny_encoder, caplog):
    seen: list[dict] = []
    with caplog.at_level(logging.INFO, logger="mmtl_core.train"):
        train(frozen_config(tmp_path, tiny_encoder), datasets={"s": negation_dataset(100)}, on_progress=seen.append)
    phases = [r["phase"] for r in seen]
    first_train = phases.index("train")
    assert phases[0] == "load_encoder" and set(phases[first_train:]) == {"train"}
    assert {"tokenize", "encode"} <= set(phases[:first_train])
    for phase, what in (("tokenize", "s/train"), ("encode", "s/train"), ("encode", "s/dev")):
        reports = [r for r in seen if r["phase"] == phase and r["what"] == what]
        assert reports[0]["done"] == 0 and reports[-1]["done"] == reports[-1]["total"] > 0
        assert reports[-1]["rows_per_s"] > 0 and reports[-1]["eta_s"] == 0
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("Encoding s/train: ") and "rows/s" in line for line in lines)


def test_frozen_weights_hold_heads_only(tmp_path, tiny_encoder):
    from safetensors.torch import load_file

    run = train(frozen_config(tmp_path, tiny_encoder), datasets={"s": negation_dataset(60)})
    keys = set(load_file(str(run / "weights" / "s.safetensors")))
    assert keys == {"heads.s.head.weight", "heads.s.head.bias"}


def test_cached_run_trains_exactly_like_the_run_that_encoded(tmp_path, tiny_encoder):
    frame = negation_dataset(120).frame
    ds = Dataset("d", frame.assign(text=frame["text"] + [" really" * (i % 4) for i in range(len(frame))]))
    cold = train(frozen_config(tmp_path, tiny_encoder, batch_size=8), datasets={"s": ds})
    warm = train(frozen_config(tmp_path, tiny_encoder, batch_size=8), datasets={"s": ds})
    assert read_metrics(cold) == read_metrics(warm)
    assert read_prediction_frames(cold)["s"]["dev"].equals(read_prediction_frames(warm)["s"]["dev"])
