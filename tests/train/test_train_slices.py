"""Slice heads: trained only on their slice, they learn what the task head cannot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from train_helpers import negation_dataset
from mmtl_core.errors import ConfigError
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.predictions import read_prediction_frames
from mmtl_core.train import TaskSpec, TrainConfig, train


def negation_task(**kw) -> TaskSpec:
    return TaskSpec("sentiment", text_fields=("text",), slices=("negated",), **kw)


def test_slice_head_fits_flipped_labels_where_task_head_cannot(tmp_path, bag_encoder):
    ds = negation_dataset()
    slices = tmp_path / "slices.parquet"
    ds.frame[["example_id", "negated"]].to_parquet(slices)
    cfg = TrainConfig(tasks=(negation_task(slices_file=str(slices)),), encoder=bag_encoder, mode="frozen",
                      epochs=20, batch_size=16, lr=0.05, max_length=8, output_dir=str(tmp_path / "runs"))
    run = train(cfg, datasets={"sentiment": ds})

    final = read_metrics(run)[-1]["metrics"]
    dev = ds.split("dev")
    in_slice = dev["negated"].to_numpy()
    preds = read_prediction_frames(run)
    task_pred = preds["sentiment"]["dev"][["prob_0", "prob_1"]].to_numpy().argmax(1)
    slice_pred = preds["sentiment:negated"]["dev"][["prob_0", "prob_1"]].to_numpy().argmax(1)
    gold = dev["label"].to_numpy()
    assert np.mean(slice_pred[in_slice] == gold[in_slice]) >= 0.9
    assert np.mean(task_pred[in_slice] == gold[in_slice]) <= 0.5  # the majority pattern, flipped on the slice
    assert final["sentiment:negated/negation/dev/accuracy"] == np.mean(slice_pred[in_slice] == gold[in_slice])


def test_slice_combiner_trains_k_classes_and_writes_slice_heads(tmp_path, bag_encoder):
    ds = negation_dataset(120)
    frame = ds.frame.assign(label=np.arange(len(ds.frame)) % 3)
    slices = tmp_path / "slices.npz"
    np.savez(slices, example_id=frame["example_id"].to_numpy().astype(str), negated=frame["negated"].to_numpy())
    cfg = TrainConfig(tasks=(negation_task(slices_file=str(slices), cardinality=3),), encoder=bag_encoder,
                      mode="frozen", slice_combiner=True, epochs=2, batch_size=16, max_length=8,
                      output_dir=str(tmp_path / "runs"))
    from mmtl_core.data.dataset import Dataset

    run = train(cfg, datasets={"sentiment": Dataset("negation", frame)})
    dev = pd.read_parquet(run / "predictions" / "sentiment:negated" / "dev.parquet")
    assert list(dev.columns) == ["example_id", "prob_0", "prob_1", "prob_2"]
    assert np.allclose(dev[["prob_0", "prob_1", "prob_2"]].sum(axis=1), 1.0, atol=1e-5)
    assert "sentiment:negated/negation/dev/accuracy" in read_metrics(run)[-1]["metrics"]


SLICING_FILE = '''
from snorkel.slicing import slicing_function


@slicing_function()
def negated(x):
    return x.text.startswith("not ")
'''


def test_slices_named_by_slicing_functions_are_applied(tmp_path, bag_encoder):
    functions = tmp_path / "labeling_functions"
    functions.mkdir()
    (functions / "negation.py").write_text(SLICING_FILE)
    ds = negation_dataset(80)
    cfg = TrainConfig(tasks=(negation_task(),), encoder=bag_encoder, mode="frozen", epochs=1, max_length=8,
                      functions_dir=str(functions), output_dir=str(tmp_path / "runs"))
    run = train(cfg, datasets={"sentiment": ds})
    gold = pd.read_parquet(run / "gold" / "sentiment" / "dev.parquet")
    assert gold["slice:negated"].tolist() == ds.split("dev")["negated"].tolist()

    typo = TrainConfig(tasks=(TaskSpec("sentiment", text_fields=("text",), slices=("negatd",)),),
                       encoder=bag_encoder, mode="frozen", functions_dir=str(functions),
                       output_dir=str(tmp_path / "runs"))
    with pytest.raises(ConfigError, match="no slicing function 'negatd'.*did you mean 'negated'"):
        train(typo, datasets={"sentiment": ds})
