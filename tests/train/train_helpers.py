"""Helpers for training tests (a module name unique in tests/, so `import` never picks another conftest)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data import Dataset, DatasetSpec, load_glue_task, save_specs
from mmtl_core.workspace import Workspace

POS, NEG, PLAIN = ("good", "great", "nice", "fine"), ("bad", "awful", "poor", "sad"), ("a", "the", "so", "very")


def save_tiny_bert(folder: Path, layers: int = 2) -> Path:
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from mmtl_core.model.encoder import default_encoder_path

    tok = AutoTokenizer.from_pretrained(default_encoder_path(), local_files_only=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=layers, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def negation_dataset(n: int = 400, seed: int = 0) -> Dataset:
    """Sentiment words whose label flips after "not" (the slice): XOR of two words, which no linear head on a
    bag of words can fit, but a head trained only on the slice can."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        negated = rng.random() < 0.25
        positive = rng.random() < 0.5
        word = rng.choice(POS if positive else NEG)
        prefix = "not" if negated else rng.choice(PLAIN)
        split = "train" if i < int(0.7 * n) else "dev"
        rows.append((f"neg:{i}", split, f"{prefix} {word}", int(positive != negated), negated))
    frame = pd.DataFrame(rows, columns=["example_id", "split", "text", "label", "negated"])
    return Dataset("negation", frame)


def reviews_workspace(folder: Path, functions_dir: Path | None = None) -> Workspace:
    """A workspace whose dataset "reviews" is the negation data (120 rows, labels "neg"/"pos") in a CSV, loaded with
    the Data page's table loader; its task, as the app shows it, is "reviews"."""
    frame = negation_dataset(120).frame.drop(columns="example_id")
    frame["label"] = np.where(frame["label"] == 1, "pos", "neg")
    frame.to_csv(folder / "reviews.csv", index=False)
    ws = Workspace.at(folder / "workspace", functions_dir or folder / "functions")
    save_specs(ws.datasets_file, [DatasetSpec("reviews", "table", str(folder / "reviews.csv"),
                                              {"text_fields": ["text"], "label_field": "label",
                                               "split_field": "split", "label_names": ["neg", "pos"]})])
    return ws


def write_table_config(folder: Path, encoder: str, mode: str, epochs: int = 1) -> Path:
    """A YAML config training the user task "review" on a CSV of the negation data (for the command line)."""
    table = folder / "reviews.csv"
    negation_dataset(60).frame.drop(columns="example_id").to_csv(table, index=False)
    path = folder / "run.yaml"
    path.write_text(f"tasks:\n  - task: review\n    data: {table}\n    text_fields: [text]\n    split_field: split\n"
                    f"encoder: {encoder}\nmode: {mode}\nepochs: {epochs}\nbatch_size: 16\nmax_length: 8\n"
                    f"output_dir: {folder / 'runs'}\n")
    return path


def only_run(runs: Path) -> Path:
    """The one run folder under ``runs`` (frozen mode's .encodings cache and the run registry sit beside it)."""
    (run,) = (p for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))
    return run


def read_rte(folder: Path, n_train: int | None = None, n_dev: int | None = None) -> Dataset:
    """The first rows of RTE's train and dev splits (GLUE layout under ``folder/glue_data``)."""
    ds = load_glue_task(folder / "glue_data", "RTE", splits=("train", "dev"))
    keep = [ds.split(split).iloc[:n] for split, n in (("train", n_train), ("dev", n_dev))]
    return Dataset(ds.name, pd.concat(keep, ignore_index=True), label_names=ds.label_names)


def wait_for(condition, timeout: float = 120.0, what: str = ""):
    """Poll ``condition`` until it returns something true, and return that; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
