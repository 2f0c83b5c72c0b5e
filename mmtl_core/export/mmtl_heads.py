"""Predict with a run exported from MMTL Studio, without MMTL Studio: ``transformers`` loads the encoder from this
folder (``AutoModel.from_pretrained``), and this file adds the run's heads (``mmtl_heads.safetensors``) as its
config (``mmtl_heads.json``) describes them. It needs torch, transformers, safetensors and numpy; nothing else.

    import mmtl_heads                                   # this file, copied into the exported folder
    model = mmtl_heads.load("path/to/folder")
    model.classes                                       # class names, in the order of the columns below
    model.predict(["Check out my channel!"])            # (n, K) probabilities of the task head
    model.predict(["..."], head="youtube_spam:short")   # a slice head (model.heads lists them)
    model.predict(premises, hypotheses)                 # a task over sentence pairs

Regression tasks return one score per text.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file
from transformers import AutoModel, AutoTokenizer

SPEC = "mmtl_heads.json"
WEIGHTS = "mmtl_heads.safetensors"


class ExportedModel:
    """The encoder (pooled as in training) and every head of one task of a run."""

    def __init__(self, folder: str | Path, device: str = "cpu") -> None:
        folder = Path(folder)
        self.spec = json.loads((folder / SPEC).read_text(encoding="utf-8"))
        self.device = torch.device(device)
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.encoder = AutoModel.from_pretrained(folder).to(self.device).eval()
        state = load_file(str(folder / WEIGHTS))
        task = self.spec["task"]
        # the task head is "head.*"; a slice head s is "slice_heads.<s>.*" (keys as the trained model names them)
        self._heads = {task: (state["head.weight"], state["head.bias"])}
        for name in self.spec["slices"]:
            self._heads[f"{task}:{name}"] = (state[f"slice_heads.{name}.weight"], state[f"slice_heads.{name}.bias"])

    @property
    def heads(self) -> list[str]:
        return list(self._heads)

    @property
    def classes(self) -> list[str]:
        return list(self.spec["classes"])

    @torch.inference_mode()
    def predict(self, texts: list[str], second_texts: list[str] | None = None, head: str | None = None,
                batch_size: int = 32) -> np.ndarray:
        """Probabilities (n, K) of ``head`` (default: the task head), or scores (n,) for a regression task."""
        weight, bias = self._heads[head or self.spec["task"]]
        features = self.features(list(texts), None if second_texts is None else list(second_texts), batch_size)
        logits = features @ weight.T.float() + bias.float()
        if self.spec["regression"]:
            return logits[:, 0].numpy()
        return logits.softmax(-1).numpy()

    def features(self, texts: list[str], second: list[str] | None, batch_size: int) -> torch.Tensor:
        """What the heads read: the pooled encoding, or for pairs encoded apart SBERT's [u, v, |u-v|, u*v]."""
        if second is not None and self.spec["pair_encoding"] == "separate":
            u, v = self.encode(texts, None, batch_size), self.encode(second, None, batch_size)
            return torch.cat([u, v, (u - v).abs(), u * v], dim=1)
        return self.encode(texts, second, batch_size)

    def encode(self, texts: list[str], second: list[str] | None, batch_size: int) -> torch.Tensor:
        out = []
        for start in range(0, len(texts), batch_size):
            pair = () if second is None else (second[start:start + batch_size],)
            batch = self.tokenizer(texts[start:start + batch_size], *pair, truncation=True,
                                   max_length=self.spec["max_length"], padding=True, return_tensors="pt")
            batch = {k: v.to(self.device) for k, v in batch.items()
                     if k in ("input_ids", "attention_mask", "token_type_ids")}
            states = self.encoder(**batch).last_hidden_state
            if self.spec["pooling"] == "cls":
                out.append(states[:, 0].float().cpu())
            else:
                mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
                out.append(((states * mask).sum(1) / mask.sum(1).clamp(min=1.0)).float().cpu())
        return torch.cat(out) if out else torch.zeros((0, self.encoder.config.hidden_size))


def load(folder: str | Path, device: str = "cpu") -> ExportedModel:
    """The exported run in ``folder``, ready to predict."""
    return ExportedModel(folder, device)
