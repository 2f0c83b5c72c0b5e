"""Fine-tuning learns: the encoder's weights move, and a task only a trained encoder can represent is fitted.

The task: a word's label flips after "not", over twelve words of arbitrary polarity. Mean-pooled frozen features of
a random encoder, read by a linear head, stay near chance; fine-tuning the same encoder fits it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.numpy import load_file

from mmtl_core.data import Dataset
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.train import TaskSpec, TrainConfig, train

WORDS = ("apple", "river", "stone", "cloud", "table", "window", "garden", "music", "paper", "candle", "forest",
         "mirror")
POSITIVE = set(WORDS[::2])  # arbitrary: nothing in a random encoder's features says which half a word is in


def flipped_words(n: int = 400, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        negated, word = rng.random() < 0.5, str(rng.choice(WORDS))
        rows.append((f"w:{i}", "train" if i < 0.75 * n else "dev", f"{'not' if negated else 'so'} {word}",
                     int((word in POSITIVE) != negated)))
    return Dataset("words", pd.DataFrame(rows, columns=["example_id", "split", "text", "label"]))


def dev_accuracy(run) -> float:
    return read_metrics(run)[-1]["metrics"]["words/words/dev/accuracy"]


@pytest.fixture
def one_thread():
    """Tiny models train fastest on one thread; the setting is process-wide, so it is put back afterwards."""
    before = torch.get_num_threads()
    yield 1
    torch.set_num_threads(before)


def test_finetuning_changes_the_encoder_and_fits_what_frozen_features_cannot(tmp_path, tiny_encoder, one_thread):
    ds = flipped_words()
    dev_gold = ds.split("dev")["label"].to_numpy()
    majority = max(dev_gold.mean(), 1 - dev_gold.mean())

    def run(mode: str, lr: float, epochs: int):
        cfg = TrainConfig(tasks=(TaskSpec("words", text_fields=("text",)),), encoder=tiny_encoder, mode=mode,
                          lr=lr, epochs=epochs, batch_size=16, max_length=8, num_threads=one_thread,
                          output_dir=str(tmp_path / mode))
        return train(cfg, datasets={"words": ds})

    frozen, tuned = run("frozen", 1e-2, 20), run("finetune", 3e-3, 10)
    assert dev_accuracy(tuned) >= 0.95 > majority + 0.3
    assert dev_accuracy(frozen) <= majority + 0.2  # the best of 20 epochs, chosen on dev: still near chance

    before = load_file(f"{tiny_encoder}/model.safetensors")
    after = {k.removeprefix("encoder."): v for k, v in load_file(str(tuned / "weights" / "words.safetensors")).items()
             if k.startswith("encoder.")}
    assert set(after) == set(before)
    moved = {k for k in before if not np.allclose(before[k], after[k])}
    assert "embeddings.word_embeddings.weight" in moved and "encoder.layer.1.output.dense.weight" in moved
    assert len(moved) >= 0.9 * len(before)  # every layer trained, not only the embeddings or the top
    frozen_weights = load_file(str(frozen / "weights" / "words.safetensors"))
    assert not any(k.startswith("encoder.") for k in frozen_weights)  # frozen mode leaves the encoder as it was
