"""Starting a run from another run's weights (``init_from``): MeTaL's per-task fine-tuning and slice heads start
from the multi-task model's best checkpoint, and a user continues a run instead of training it again.

The source is a completed fine-tuned run that saved its weights (``weights/<task>.safetensors``: the encoder plus
that task's heads, from that task's best checkpoint). The encoder comes from the checkpoint of this run's first
task that the source has; every head of this run that the source has (same task, same name, same shape) is loaded
too. New heads start as a new run's do, and a new slice head, as in MeTaL, as a copy of its (loaded) task head.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from safetensors.torch import load_file

from mmtl_core.errors import ConfigError
from mmtl_core.model.encoder import resolve_encoder_name
from mmtl_core.runs.jsonfiles import read_config
from mmtl_core.runs.layout import is_run_dir, weights_path
from mmtl_core.runs.listing import list_runs, read_run_info
from mmtl_core.train.config import TrainConfig

log = logging.getLogger("mmtl_core.train")


def resolve_start(cfg: TrainConfig) -> str:
    """The run folder ``cfg.init_from`` names (a folder, a run id in the runs folder, or a run's name, where
    ``{seed}`` stands for this run's seed: the newest completed run of that name), checked: completed, fine-tuned,
    the same encoder, weights saved for one of this run's tasks. Empty when ``init_from`` is. ``cfg`` has its
    locations resolved."""
    if not cfg.init_from:
        return ""
    wanted = cfg.init_from.replace("{seed}", str(cfg.seed))
    run = _find(wanted, Path(cfg.output_dir))
    info = read_run_info(run)
    if not info.completed:
        raise ConfigError(f"setting 'init_from': run {info.title} is {info.status}, not completed; start from a "
                          "completed run")
    config = read_config(run)
    source = config.get("config", {})
    if source.get("mode") != "finetune" or cfg.mode != "finetune":
        raise ConfigError(f"setting 'init_from': run {info.title} was trained in mode {source.get('mode')!r}; "
                          "only a fine-tuned run's weights can start a fine-tuning run")
    if config.get("encoder_path") != resolve_encoder_name(cfg.encoder):
        raise ConfigError(f"setting 'init_from': run {info.title} fine-tuned the encoder "
                          f"{config.get('encoder_path')!r}, this run's is {resolve_encoder_name(cfg.encoder)!r}; "
                          "give the same 'encoder'")
    tasks = [t.task for t in cfg.tasks]
    if not any(weights_path(run, t).exists() for t in tasks):
        saved = sorted(p.stem for p in (run / "weights").glob("*.safetensors"))
        raise ConfigError(f"setting 'init_from': run {info.title} saved no weights for task(s) {', '.join(tasks)} "
                          + (f"(it has weights for {', '.join(saved)})" if saved else
                             "(it saved no weights at all: it was trained with save_weights: false)"))
    return str(run)


def _find(wanted: str, runs_dir: Path) -> Path:
    as_path = Path(wanted).expanduser()
    for candidate in (as_path, runs_dir / wanted):
        if is_run_dir(candidate):
            return candidate.resolve()
    named = [r for r in list_runs(runs_dir, completed_only=True) if r.name == wanted and not r.is_ensemble]
    if not named:
        raise ConfigError(f"setting 'init_from': no completed run named {wanted!r} in {runs_dir} (nor a run folder "
                          "or id of that name); train that run first, or give its folder")
    return named[-1].path  # run ids sort by creation time: the newest


def load_start(model: torch.nn.Module, run: str, task_names: list[str]) -> None:
    """Load the run's saved encoder and heads into ``model`` (see the module's docstring); logs what it loaded."""
    files = {t: weights_path(Path(run), t) for t in task_names if weights_path(Path(run), t).exists()}
    own = model.state_dict()
    first = next(iter(files))
    state = {}
    for task, path in files.items():  # each file read once: the first also gives the encoder
        prefix = f"heads.{task}."
        state.update({k: v for k, v in load_file(str(path)).items()
                      if k.startswith(prefix) or task == first and not k.startswith("heads.")})
    loaded = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(loaded, strict=False)
    for task in task_names:  # a new slice head starts as a copy of its task head (MeTaL), now the loaded one
        heads = model.heads[task]
        for name, head in heads.slice_heads.items():
            if f"heads.{task}.slice_heads.{name}.weight" not in loaded:
                head.load_state_dict(heads.head.state_dict())
    fresh = sorted({k.rsplit(".", 1)[0] for k in own if k.startswith("heads.") and k not in loaded})
    log.info("started from run %s: the encoder from task %s's checkpoint, heads of %s%s", Path(run).name, first,
             ", ".join(files), f"; new: {', '.join(fresh)}" if fresh else "")
