"""Heads on the pooled representation: one per task, one per slice (MeTaL's slice heads), and an optional
Slice-based Learning combiner.

Every head maps a pooled vector (B, H) to logits (B, K) for K classes, or (B, 1) for regression.
"""

from __future__ import annotations

import torch
from torch import nn


class SliceCombiner(nn.Module):
    """Slice-based Learning (Chen et al. 2019) for K classes.

    Each slice s (plus a "base" slice holding every example) has an expert representation r_s = f_s(x), an
    indicator head predicting membership from r_s and a predictor head (K classes) on r_s. Attention over the
    slices weighs each r_s by its indicator's in-slice logit times its predictor's confidence (max class
    probability; Snorkel's binary-only |logit| generalised to K classes); the task head reads the weighted sum.
    """

    def __init__(self, hidden: int, n_slices: int, out_dim: int) -> None:
        super().__init__()
        n = n_slices + 1  # slot 0 is the base slice
        self.experts = nn.ModuleList(nn.Linear(hidden, hidden) for _ in range(n))
        self.indicators = nn.ModuleList(nn.Linear(hidden, 1) for _ in range(n))
        self.predictors = nn.ModuleList(nn.Linear(hidden, out_dim) for _ in range(n))

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        reps = torch.stack([f(x) for f in self.experts], 1)  # (B, S, H)
        ind = torch.cat([h(reps[:, i]) for i, h in enumerate(self.indicators)], 1)  # (B, S)
        pred = torch.stack([h(reps[:, i]) for i, h in enumerate(self.predictors)], 1)  # (B, S, K)
        conf = pred.softmax(-1).amax(-1) if pred.shape[-1] > 1 else pred.squeeze(-1).abs()
        attn = torch.softmax(ind * conf.detach(), dim=1)  # detach: confidence scores, does not train predictors
        return {"combined": (attn.unsqueeze(-1) * reps).sum(1), "indicator_logits": ind[:, 1:],
                "predictor_logits": pred, "attention": attn}


class TaskHeads(nn.Module):
    """The heads of one task: the task head, its slice heads, and (option) the slice combiner in front."""

    def __init__(self, hidden: int, out_dim: int, slices: tuple[str, ...], combiner: bool) -> None:
        super().__init__()
        self.slices = slices
        self.head = nn.Linear(hidden, out_dim)
        self.combiner = SliceCombiner(hidden, len(slices), out_dim) if combiner and slices else None
        # MeTaL: a slice head is a copy of the task head, trained only on its slice's examples
        self.slice_heads = nn.ModuleDict({s: nn.Linear(hidden, out_dim) for s in slices}) if self.combiner is None \
            else nn.ModuleDict()
        for h in self.slice_heads.values():
            h.load_state_dict(self.head.state_dict())

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Logits of the task head (key "") and of each slice head (key = slice name)."""
        if self.combiner is None:
            out = {"": self.head(x)}
            out.update({s: h(x) for s, h in self.slice_heads.items()})
            return out
        c = self.combiner(x)
        out = {"": self.head(c["combined"]), "_indicator": c["indicator_logits"], "_base": c["predictor_logits"][:, 0]}
        out.update({s: c["predictor_logits"][:, i + 1] for i, s in enumerate(self.slices)})
        return out


class MultiTaskModel(nn.Module):
    """Shared encoder (None in frozen mode, where inputs are already pooled vectors) plus heads per task."""

    def __init__(self, encoder: nn.Module | None, widths: dict[str, int], pooling: str,
                 tasks: dict[str, tuple[int, tuple[str, ...]]], combiner: bool = False) -> None:
        """``widths``: per task, the width of the vector its heads read (frozen mode: that task's features)."""
        super().__init__()
        self.encoder = encoder
        self.pooling = pooling
        self.heads = nn.ModuleDict({name: TaskHeads(widths[name], out_dim, slices, combiner)
                                    for name, (out_dim, slices) in tasks.items()})

    def represent(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        if self.encoder is None:
            return batch["features"]
        from mmtl_core.model.encoder import encode

        return encode(self.encoder, batch, self.pooling)

    def forward(self, batch: dict[str, torch.Tensor], task: str) -> dict[str, torch.Tensor]:
        return self.heads[task](self.represent(batch).float())

    def task_state(self, task: str) -> dict[str, torch.Tensor]:
        """Encoder + one task's heads: what predicting that task's heads needs."""
        prefix = f"heads.{task}."
        return {k: v for k, v in self.state_dict().items() if not k.startswith("heads.") or k.startswith(prefix)}
