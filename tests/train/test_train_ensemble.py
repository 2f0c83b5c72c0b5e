"""Ensembles average runs' probabilities and are written as runs themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from train_helpers import negation_dataset
from mmtl_core.errors import PredictionsError
from mmtl_core.runs.ensemble import ensemble_runs
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.predictions import read_prediction_frames
from mmtl_core.runs.status import read_status
from mmtl_core.train import TaskSpec, TrainConfig, train


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, tiny_encoder):
    out = tmp_path_factory.mktemp("ens")
    ds = negation_dataset(100)
    slices = out / "slices.parquet"
    ds.frame[["example_id", "negated"]].to_parquet(slices)
    spec = TaskSpec("s", text_fields=("text",), slices=("negated",), slices_file=str(slices))
    return [train(TrainConfig(tasks=(spec,), encoder=tiny_encoder, mode="frozen", epochs=2, batch_size=16,
                              max_length=8, seed=seed, output_dir=str(out / "runs")), datasets={"s": ds})
            for seed in (0, 1)]


def test_weighted_ensemble_writes_a_run_with_averaged_probabilities(tmp_path, two_runs):
    ens = ensemble_runs(two_runs, tmp_path / "runs", weights=[3, 1])
    assert read_status(ens)["status"] == "completed"
    preds = [read_prediction_frames(r) for r in (*two_runs, ens)]
    assert set(preds[2]) == {"s", "s:negated"}
    cols = ["prob_0", "prob_1"]
    for head in ("s", "s:negated"):
        a, b, e = (p[head]["dev"].set_index("example_id").loc[preds[0][head]["dev"]["example_id"], cols]
                   for p in preds)
        np.testing.assert_allclose(e.to_numpy(), 0.75 * a.to_numpy() + 0.25 * b.to_numpy(), rtol=1e-6)
    metrics = read_metrics(ens)[-1]["metrics"]
    assert set(metrics) == {"s/negation/dev/accuracy", "s:negated/negation/dev/accuracy"}
    gold = pd.read_parquet(ens / "gold" / "s" / "dev.parquet").set_index("example_id")
    e = preds[2]["s"]["dev"].set_index("example_id")
    assert metrics["s/negation/dev/accuracy"] == np.mean(
        e[cols].to_numpy().argmax(1) == gold.loc[e.index, "label"].to_numpy())


def test_ensemble_of_one_run_or_bad_weights_is_refused(tmp_path, two_runs):
    with pytest.raises(PredictionsError, match="at least two runs"):
        ensemble_runs(two_runs[:1], tmp_path)
    with pytest.raises(PredictionsError, match="weights"):
        ensemble_runs(two_runs, tmp_path, weights=[1.0])


def test_ensemble_refuses_a_run_that_did_not_complete(tmp_path, two_runs):
    import shutil

    from mmtl_core.runs.status import write_status

    failed = tmp_path / "failed"
    shutil.copytree(two_runs[1], failed)
    write_status(failed, "failed", RuntimeError("stopped"))
    with pytest.raises(PredictionsError, match=r"failed is failed; only completed runs"):
        ensemble_runs([two_runs[0], failed], tmp_path / "runs")
    with pytest.raises(PredictionsError, match="not a run folder"):
        ensemble_runs([two_runs[0], tmp_path], tmp_path / "runs")


def test_runs_that_predicted_other_examples_are_refused_naming_the_ids(tmp_path, two_runs):
    import shutil

    other = tmp_path / "other"
    shutil.copytree(two_runs[1], other)
    dev = other / "predictions" / "s" / "dev.parquet"
    frame = pd.read_parquet(dev)
    frame.loc[0, "example_id"] = "neg:9999"  # one example the first run never saw, one of its own missing
    frame.to_parquet(dev, index=False)
    missing = pd.read_parquet(two_runs[0] / "predictions" / "s" / "dev.parquet")["example_id"].iloc[0]
    out = tmp_path / "runs"
    with pytest.raises(PredictionsError, match=rf"\(other\) predicted other examples than run .* for head s on dev: "
                                               rf"1 example\(s\) the first did not predict \('neg:9999'\) and 1 "
                                               rf"of the first's example\(s\) missing \('{missing}'\)"):
        ensemble_runs([two_runs[0], other], out)
    assert not out.exists() or not any(out.iterdir())  # nothing half-written is left to list
