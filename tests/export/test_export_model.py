"""A trained run exported as a folder transformers loads, predicting in a fresh Python process that imports no
MMTL Studio code (only the folder's own loader): its predictions equal the ones the run stored."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import PredictionsError, WorkspaceError
from mmtl_core.export.model_folder import export_for_transformers
from mmtl_core.train import TaskSpec, TrainConfig, train
from train_helpers import negation_dataset

PREDICT = """
import json, sys
import numpy as np
folder, texts, second, head, out = sys.argv[1:6]
sys.path.insert(0, folder)
import mmtl_heads
model = mmtl_heads.load(folder)
texts = json.loads(texts)
second = json.loads(second)
np.save(out, model.predict(texts, second, head=head or None))
assert not [m for m in sys.modules if m.startswith("mmtl_core")], "the loader imported MMTL Studio"
print(json.dumps({"classes": model.classes, "heads": model.heads}))
"""


def predict_elsewhere(folder, texts, second, head, tmp_path) -> tuple[np.ndarray, dict]:
    """Predict in a new interpreter, isolated (-I: no PYTHONPATH, no checkout on sys.path)."""
    out = tmp_path / "preds.npy"
    done = subprocess.run([sys.executable, "-I", "-c", PREDICT, str(folder), json.dumps(texts), json.dumps(second),
                           head, str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return np.load(out), json.loads(done.stdout.strip().splitlines()[-1])


def stored(run, head, ids) -> np.ndarray:
    frame = pd.read_parquet(run / "predictions" / head / "dev.parquet").set_index("example_id").loc[ids]
    return frame.to_numpy(np.float64)


def test_frozen_pair_run_with_a_slice_head_predicts_the_same_outside_the_app(tmp_path, tiny_encoder):
    frame = negation_dataset(160).frame
    words = frame["text"].str.split(" ", n=1, expand=True)
    frame = frame.assign(first=words[0], second=words[1], label=np.where(frame["label"] == 1, "pos", "neg"))
    data = Dataset("pairs", frame.assign(label=(frame["label"] == "pos").astype(int)), label_names=("neg", "pos"))
    slices = tmp_path / "slices.parquet"
    frame[["example_id", "negated"]].to_parquet(slices)
    spec = TaskSpec("pairs", text_fields=("first", "second"), slices=("negated",), slices_file=str(slices))
    run = train(TrainConfig(tasks=(spec,), encoder=tiny_encoder, mode="frozen", epochs=2, batch_size=16,
                            max_length=16, output_dir=str(tmp_path / "runs")), datasets={"pairs": data})
    folder = export_for_transformers(run, "pairs", tmp_path / "exported")
    assert (folder / "config.json").exists() and (folder / "mmtl_heads.py").exists()
    assert "mmtl_heads.load" in (folder / "README.md").read_text()
    dev = data.split("dev")
    ids = dev["example_id"].astype(str).tolist()
    for head in ("pairs", "pairs:negated"):
        got, facts = predict_elsewhere(folder, dev["first"].tolist(), dev["second"].tolist(), head, tmp_path)
        np.testing.assert_allclose(got, stored(run, head, ids), atol=1e-5)
    assert facts == {"classes": [0, 1], "heads": ["pairs", "pairs:negated"]}


def test_finetuned_run_exports_its_tuned_encoder(tmp_path, tiny_encoder):
    data = negation_dataset(120)
    run = train(TrainConfig(tasks=(TaskSpec("review", text_fields=("text",)),), encoder=tiny_encoder,
                            mode="finetune", epochs=1, batch_size=16, lr=1e-3, max_length=8,
                            output_dir=str(tmp_path / "runs")), datasets={"review": data})
    folder = export_for_transformers(run, "review", tmp_path / "exported")
    dev = data.split("dev")
    got, _ = predict_elsewhere(folder, dev["text"].tolist(), None, "", tmp_path)
    np.testing.assert_allclose(got, stored(run, "review", dev["example_id"].astype(str).tolist()), atol=1e-5)
    # the tuned encoder, not the pretrained one: the stored predictions would not be met otherwise
    from transformers import AutoModel

    tuned, pretrained = AutoModel.from_pretrained(folder), AutoModel.from_pretrained(tiny_encoder)
    assert not np.allclose(tuned.embeddings.word_embeddings.weight.detach(),
                           pretrained.embeddings.word_embeddings.weight.detach())

    with pytest.raises(WorkspaceError, match="already holds files"):
        export_for_transformers(run, "review", folder)
    with pytest.raises(PredictionsError, match="did not train task 'other'; its tasks: review"):
        export_for_transformers(run, "other", tmp_path / "other")
