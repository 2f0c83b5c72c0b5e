"""Weight decay is grouped by the kind of parameter, never by a substring of its name."""

from __future__ import annotations

import torch

from mmtl_core.model.encoder import load_encoder
from mmtl_core.model.heads import MultiTaskModel
from mmtl_core.train.loop import decay_groups, make_optimizer


def names_of(model: torch.nn.Module, params: list[torch.nn.Parameter]) -> set[str]:
    ids = {id(p) for p in params}
    return {n for n, p in model.named_parameters() if id(p) in ids}


def test_a_slice_named_enormous_premise_keeps_its_weight_decay(tiny_encoder):
    # "enormous" holds "norm": matching names, the slice head's weights silently lost their decay
    model = MultiTaskModel(load_encoder(tiny_encoder), {"RTE": 32}, "mean", {"RTE": (2, ("enormous_premise",))})
    decay, no_decay = decay_groups(model)
    decayed, kept = names_of(model, decay), names_of(model, no_decay)
    assert "heads.RTE.slice_heads.enormous_premise.weight" in decayed
    assert "heads.RTE.slice_heads.enormous_premise.bias" in kept
    assert "heads.RTE.head.weight" in decayed and "heads.RTE.head.bias" in kept
    layer_norms = {n for n in decayed | kept if "LayerNorm" in n}
    assert layer_norms and layer_norms <= kept  # the encoder's norm scales and shifts, by module type
    assert "encoder.embeddings.word_embeddings.weight" in decayed
    assert len(decay) + len(no_decay) == sum(1 for p in model.parameters() if p.requires_grad)
    groups = make_optimizer(model, 1e-3, 0.01).param_groups
    assert [g["weight_decay"] for g in groups] == [0.01, 0.0]
    assert {id(p) for p in groups[0]["params"]} == {id(p) for p in decay}


def test_a_matrix_in_a_norm_module_is_not_decayed_and_a_tied_parameter_is_counted_once():
    class Tied(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = torch.nn.Embedding(10, 4)
            self.out = torch.nn.Linear(4, 10, bias=False)
            self.out.weight = self.embed.weight
            self.norm = torch.nn.GroupNorm(2, 4)

    model = Tied()
    decay, no_decay = decay_groups(model)
    assert [p is model.embed.weight for p in decay] == [True]
    assert {id(p) for p in no_decay} == {id(model.norm.weight), id(model.norm.bias)}
