"""Predicting with a trained run on new rows gives what the run itself predicted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from train_helpers import negation_dataset, read_rte
from mmtl_core.errors import DataError
from mmtl_core.predict import main, predict
from mmtl_core.runs.predictions import read_prediction_frames
from mmtl_core.train import TaskSpec, TrainConfig, train


@pytest.mark.parametrize("mode", ["finetune", "frozen"])
def test_predict_on_new_rows_matches_the_runs_dev_predictions(tmp_path, tiny_encoder, mode):
    ds = negation_dataset(80)
    run = train(TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=tiny_encoder, mode=mode,
                            epochs=1, batch_size=16, max_length=8, output_dir=str(tmp_path / "runs")),
                datasets={"s": ds})
    dev = ds.split("dev")
    probs = predict(run, dev[["text"]].reset_index(drop=True))["s"]
    stored = read_prediction_frames(run)["s"]["dev"].set_index("example_id").loc[dev["example_id"]]
    np.testing.assert_allclose(probs, stored[["prob_0", "prob_1"]].to_numpy(), atol=1e-5)


def test_predict_cli_writes_a_table_and_names_missing_columns(tmp_path, tiny_encoder, capsys):
    ds = negation_dataset(40)
    run = train(TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=tiny_encoder, mode="frozen",
                            epochs=1, max_length=8, output_dir=str(tmp_path / "runs")), datasets={"s": ds})
    rows = tmp_path / "new.csv"
    pd.DataFrame({"text": ["not good", "so bad"]}).to_csv(rows, index=False)
    assert main([str(run), str(rows)]) == 0
    out = pd.read_parquet(tmp_path / "new.predictions.parquet")
    assert list(out.columns) == ["example_id", "s/prob_0", "s/prob_1"] and len(out) == 2
    with pytest.raises(DataError, match=r"needs \['text'\]"):
        predict(run, pd.DataFrame({"sentence": ["x"]}))


def test_frozen_pairs_encoded_apart_predict_new_pairs_like_the_runs_dev_predictions(tmp_path, tiny_encoder,
                                                                                   shared_data):
    from safetensors.torch import load_file

    rte = read_rte(shared_data, n_train=40, n_dev=20)
    run = train(TrainConfig(tasks=(TaskSpec("RTE"),), encoder=tiny_encoder, mode="frozen", epochs=1, max_length=16,
                            output_dir=str(tmp_path / "runs")), datasets={"RTE": rte})
    assert load_file(str(run / "weights" / "RTE.safetensors"))["heads.RTE.head.weight"].shape == (2, 4 * 32)
    dev = rte.split("dev")
    probs = predict(run, dev[["sentence1", "sentence2"]].reset_index(drop=True))["RTE"]
    stored = read_prediction_frames(run)["RTE"]["dev"].set_index("example_id").loc[dev["example_id"]]
    np.testing.assert_allclose(probs, stored[["prob_0", "prob_1"]].to_numpy(), atol=1e-5)
