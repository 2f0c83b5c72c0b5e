"""The training loop: ``train(config) -> run_dir``. Read ``run_stage`` top to bottom: it is the algorithm."""

from __future__ import annotations

import contextlib
import logging
import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import torch.distributed as dist

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import ConfigError, MMTLError
from mmtl_core.keys import MetricKey
from mmtl_core.progress import Progress, Report, progress_text
from mmtl_core.runs.jsonfiles import write_json
from mmtl_core.runs.layout import PROGRESS, claim_run_dir, create_run_dir
from mmtl_core.runs.status import COMPLETED, FAILED, RUNNING, write_status
from mmtl_core.train import outputs
from mmtl_core.train.batches import collate, get_batches
from mmtl_core.train.config import TrainConfig, config_from_dict, load_config
from mmtl_core.train.evaluate import autocast, inference_rows, predict_split, score
from mmtl_core.train.inputs import TaskData
from mmtl_core.train.loading import load_task_data, precheck
from mmtl_core.train.locations import resolve_locations
from mmtl_core.train.naming import run_name
from mmtl_core.train.start import load_start, resolve_start
from mmtl_core.train.setup import (Dist, broadcast_params, build_model, pick_device,
                                   prepare_inputs, seed_everything, setup_distributed, sync_gradients)

log = logging.getLogger("mmtl_core.train")
PROGRESS_INTERVAL_S = 0.5  # progress.json / on_progress at most this often (each write costs a device sync)
LOG_INTERVAL_S = 5.0  # a progress line in the log (and on the command line) at most this often per phase


def get_lr(step: int, total: int, warmup: int, base: float) -> float:
    """Linear warm-up, then linear decay to 0."""
    if step < warmup:
        return base * (step + 1) / warmup
    return base * max(0.0, (total - step) / max(1, total - warmup))


#: Modules whose parameters are scales and shifts of a normalisation, never decayed (BERT's recipe).
NORM_MODULES = (torch.nn.LayerNorm, torch.nn.GroupNorm, torch.nn.RMSNorm, torch.nn.BatchNorm1d, torch.nn.BatchNorm2d,
                torch.nn.BatchNorm3d)


def decay_groups(model: torch.nn.Module) -> tuple[list[torch.nn.Parameter], list[torch.nn.Parameter]]:
    """(decayed, not decayed) trainable parameters, by kind: biases and other vectors (by shape) and the
    parameters of normalisation modules (by type) are not decayed. Never by name: a slice called
    ``enormous_premise`` names its head's weights ``...enormous_premise.weight``."""
    decay, no_decay, seen = [], [], set()
    for module in model.modules():
        for p in module.parameters(recurse=False):
            if not p.requires_grad or id(p) in seen:  # a tied parameter belongs to its first module
                continue
            seen.add(id(p))
            (no_decay if p.ndim < 2 or isinstance(module, NORM_MODULES) else decay).append(p)
    return decay, no_decay


def make_optimizer(model: torch.nn.Module, lr: float, weight_decay: float) -> torch.optim.AdamW:
    decay, no_decay = decay_groups(model)
    # fused: one kernel for the whole update instead of a chain of per-tensor ops (about 5x faster steps on CPU,
    # and what Hugging Face's Trainer uses); torch supports it on CPU and CUDA for float parameters.
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=lr, fused=True)


def compute_loss(out: dict[str, torch.Tensor], batch: dict[str, torch.Tensor], data: TaskData) -> torch.Tensor:
    """Task head on every row; each slice head on its slice's rows only; the combiner's indicators on membership."""
    targets, member = batch["targets"], batch["slices"].float()

    def per_row(logits: torch.Tensor) -> torch.Tensor:
        if data.task.is_regression:
            return (logits.float().squeeze(-1) - targets) ** 2
        return -(targets * torch.log_softmax(logits.float(), -1)).sum(-1)  # soft-label cross-entropy

    loss = per_row(out[""]).mean()
    for j, s in enumerate(data.slices):  # masked means: no host sync to ask whether a slice is in the batch
        loss = loss + (per_row(out[s]) * member[:, j]).sum() / member[:, j].sum().clamp(min=1.0)
    if "_indicator" in out:
        loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(out["_indicator"].float(), member)
        loss = loss + per_row(out["_base"]).mean()
    return loss * data.loss_weight


def stream(tasks: list[TaskData], task_ids: list[int], cfg: TrainConfig, stage: int,
           d: Dist) -> Iterator[tuple[float, int, np.ndarray]]:
    """Endless (epoch, task index, rows) micro-batches for this rank: epoch e is seeded by (seed, stage, e)."""
    chosen = [tasks[i] for i in task_ids]
    epoch = 0
    while True:
        rng = np.random.default_rng([cfg.seed, stage, epoch])
        batches = get_batches(chosen, cfg.batch_size, cfg.schedule, cfg.temperature, rng)
        for j in range(d.rank, len(batches), d.world):
            yield epoch + (j + 1) / len(batches), task_ids[batches[j][0]], batches[j][1]
        epoch += 1


def count_steps(tasks: list[TaskData], cfg: TrainConfig, epochs: float, d: Dist) -> tuple[int, int]:
    """(optimizer steps, steps per epoch) for this stage; every rank takes the same number."""
    per_epoch = sum(math.ceil(len(t.splits["train"]) / cfg.batch_size) for t in tasks)
    per_step = cfg.grad_accum * d.world
    return max(1, math.ceil(epochs * per_epoch) // per_step), max(1, per_epoch // per_step)


def evaluate(model, tasks: list[TaskData], task_ids: list[int], cfg: TrainConfig, device) -> dict[str, float]:
    """Dev metrics of the given tasks' heads."""
    metrics: dict[str, float] = {}
    for i in task_ids:
        t = tasks[i]
        if "dev" in t.splits:
            rows = inference_rows(device, cfg.batch_size)
            preds = predict_split(model, t.task, t.slices, t.splits["dev"], device, rows, cfg.bf16)
            metrics.update(score(t.task, t.slices, t.dataset.name, "dev", t.splits["dev"], preds))
    return metrics


def run_stage(model, tasks: list[TaskData], task_ids: list[int], cfg: TrainConfig, stage: int, epochs: float,
              run: Path, device, d: Dist, best: dict[str, dict], on_progress: Progress | None) -> None:
    """One stage of training over ``task_ids``; updates ``best`` (per task: metric, state, step) in place."""
    chosen = [tasks[i] for i in task_ids]
    total, per_epoch = count_steps(chosen, cfg, epochs, d)
    if stage == 1 and cfg.max_steps:
        total = min(total, cfg.max_steps)
    eval_every = cfg.eval_every or per_epoch
    warmup = int(cfg.warmup_fraction * total)
    base_lr = cfg.resolved_lr
    optimizer = make_optimizer(model, base_lr, cfg.weight_decay)
    batches = stream(tasks, task_ids, cfg, stage, d)
    n_examples = sum(len(t.splits["train"]) for t in chosen)
    if d.main:
        log.info("Running training (stage %d): %d examples over %d task(s), %.2f epoch(s), batch size %d x %d "
                 "accumulation x %d process(es), %d optimizer steps", stage, n_examples, len(chosen), epochs,
                 cfg.batch_size, cfg.grad_accum, d.world, total)
    model.train()
    t0 = last_report = time.perf_counter()
    seen, epoch, loss_acc, since, eval_s = 0, 0.0, torch.zeros((), device=device), 0, 0.0
    for step in range(total + 1):
        # learning rate of this step
        lr = get_lr(step, total, warmup, base_lr)
        for group in optimizer.param_groups:
            group["lr"] = lr
        # evaluate and checkpoint every eval_every steps and at the end; a run started from another run's weights
        # scores them first, so training that makes dev worse keeps them
        if (step > 0 or stage == 1 and cfg.init_from) and (step % eval_every == 0 or step == total):
            t_eval = time.perf_counter()
            checkpoint(model, tasks, task_ids, cfg, stage, step, epoch, run, device, d, best)
            eval_s += time.perf_counter() - t_eval
        if step == total:
            break
        for _ in range(cfg.grad_accum):
            epoch, i, rows = next(batches)
            batch = collate(tasks[i].splits["train"], rows, device)
            with autocast(device, cfg.bf16):  # forward
                out = model(batch, tasks[i].task.name)
            loss = compute_loss(out, batch, tasks[i]) / cfg.grad_accum
            loss.backward()
            loss_acc += loss.detach()
            seen += len(rows) * d.world
        since += 1
        sync_gradients(model, d)
        if cfg.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        # log progress (throttled: reading the loss waits for the device)
        if d.main and (time.perf_counter() - last_report >= PROGRESS_INTERVAL_S or step + 1 == total):
            mean_loss = float(loss_acc) / since  # waits for the device, so the time below is honest
            if not math.isfinite(mean_loss):
                raise ConfigError(f"the training loss became {mean_loss} (stage {stage}, steps "
                                  f"{step + 2 - since}..{step + 1}): training diverged; lower 'lr' (now {base_lr:g})"
                                  + ("" if cfg.grad_clip else " or set 'grad_clip' (now 0)"))
            now = time.perf_counter()
            rate = seen / max(now - t0 - eval_s, 1e-9)  # training throughput, evaluation excluded
            report = {"phase": "train", "stage": stage, "step": step + 1, "total_steps": total,
                      "epoch": round(epoch, 4),
                      "loss": mean_loss, "lr": lr, "examples_per_s": rate,
                      "eta_s": (total - step - 1) * (now - t0) / (step + 1)}
            write_json(run / PROGRESS, report)
            if on_progress is not None:
                on_progress(report)
            last_report, loss_acc, since = now, torch.zeros((), device=device), 0


def improved(new: float, old: float | None) -> bool:
    """Higher is better for every task metric; NaN (no labeled dev rows) never beats a number."""
    if old is None:
        return True
    if math.isnan(new):
        return math.isnan(old)  # no dev metric at all: keep the latest checkpoint
    return math.isnan(old) or new > old


def checkpoint(model, tasks, task_ids, cfg, stage, step, epoch, run, device, d: Dist, best) -> None:
    """Score dev, append to metrics.jsonl, keep each task's best state (by its primary metric) in memory and in
    the run folder."""
    metrics = evaluate(model, tasks, task_ids, cfg, device)
    if d.main:
        outputs.append_evaluation(run, stage, step, epoch, metrics)
        log.info("stage %d step %d epoch %.2f: %s", stage, step, epoch,
                 ", ".join(f"{k}={v:.4f}" for k, v in metrics.items()))
    for i in task_ids:
        t = tasks[i]
        key = str(MetricKey(t.task.name, t.dataset.name, "dev", t.task.primary_metric))
        value = metrics.get(key, float("nan"))
        if improved(value, best.get(t.task.name, {}).get("value")):
            state = {k: v.detach().to("cpu", copy=True) for k, v in model.task_state(t.task.name).items()}
            best[t.task.name] = {"value": value, "state": state, "stage": stage, "step": step}
            if d.main:
                outputs.save_checkpoint(run, t.task.name, state, cfg, stage, step, value)


def train(config: TrainConfig | dict | str | Path, *, datasets: dict[str, Dataset] | None = None,
          on_progress: Progress | None = None, run_dir: Path | str | None = None) -> Path:
    """Train as ``config`` says and return the run folder (see mmtl_core.runs.layout for its layout).

    ``datasets`` maps task names to already loaded datasets (instead of each task's 'dataset' or 'data').
    ``on_progress`` gets each progress report (the dict progress.json holds) as it is written; it may raise
    ``Stopped`` to stop the run between steps (a job queue's cancel).
    ``run_dir``: the folder to write the run to (created; it must be new or empty), for a caller that names the run
    before it starts (a job queue); by default a new folder under the config's output_dir.
    """
    cfg = resolve_locations(_as_config(config))  # a bad key or value raises here, before anything is loaded
    # 'init_from' recorded as the run folder it names; precheck then checks that folder without listing the runs
    cfg = replace(cfg, init_from=resolve_start(cfg))
    precheck(cfg, datasets)
    name = run_name(cfg)
    if cfg.num_threads:
        torch.set_num_threads(cfg.num_threads)
    device = pick_device(cfg)
    d = setup_distributed(device)
    run = (claim_run_dir(Path(run_dir)) if run_dir else create_run_dir(Path(cfg.output_dir))) if d.main else None
    if d.world > 1:
        holder = [str(run) if run else None]
        dist.broadcast_object_list(holder, 0)
        run = Path(holder[0])
    handler = outputs.attach_log(run) if d.main else None
    try:
        if d.main:
            write_status(run, RUNNING)
            outputs.record_start(run, cfg, name)
            log.info("run %s: %s", run.name, name)
        seed_everything(cfg.seed)
        tasks = load_task_data(cfg, datasets)
        encoder = prepare_inputs(cfg, tasks, device, preparation_reporter(run, on_progress) if d.main else None)
        seed_everything(cfg.seed)  # heads start the same whatever loading consumed
        model = build_model(cfg, tasks, encoder)
        if cfg.init_from:
            load_start(model, cfg.init_from, [t.task.name for t in tasks])
        model = model.to(device)
        broadcast_params(model, d)
        if d.main:
            outputs.record_config(run, cfg, name, tasks, device, d)
        best: dict[str, dict] = {}
        all_ids = list(range(len(tasks)))
        with _oom_as_config_error(cfg), _head_threads(cfg, device):
            run_stage(model, tasks, all_ids, cfg, 1, cfg.epochs, run, device, d, best, on_progress)
            if cfg.stage2_epochs:
                for i in all_ids:  # each task alone, from its best multi-task checkpoint
                    model.load_state_dict(best[tasks[i].task.name]["state"], strict=False)
                    run_stage(model, tasks, [i], cfg, 2, cfg.stage2_epochs, run, device, d, best, on_progress)
        if d.main:
            outputs.write_final(run, model, tasks, cfg, device, best)
            write_status(run, COMPLETED)
        if d.world > 1:
            dist.barrier()  # no rank leaves before rank 0 has written the run
        return run
    except BaseException as e:
        if d.main:
            if isinstance(e, (MMTLError, KeyboardInterrupt)):  # the user's to fix, or a stop: no traceback
                log.error("run failed: %s", e)
            else:
                log.exception("run failed")
            write_status(run, FAILED, e)
        raise
    finally:
        if handler is not None:
            outputs.detach_log(handler)


def preparation_reporter(run: Path, on_progress: Progress | None) -> Progress:
    """Where loading, tokenizing and encoding report: progress.json, the caller's callback, and a log line (on the
    command line too) when a phase starts or ends and every LOG_INTERVAL_S seconds between, so nothing is silent."""
    last_line = [0.0]

    def report(r: Report) -> None:
        write_json(run / PROGRESS, r)
        if on_progress is not None:
            on_progress(r)
        now = time.perf_counter()
        if r["done"] in (0, r["total"]) or now - last_line[0] >= LOG_INTERVAL_S:
            log.info(progress_text(r))
            last_line[0] = now

    return report


def _as_config(config: TrainConfig | dict | str | Path) -> TrainConfig:
    if isinstance(config, TrainConfig):
        return config
    if isinstance(config, dict):
        return config_from_dict(TrainConfig, config)
    return load_config(config)


@contextlib.contextmanager
def _head_threads(cfg: TrainConfig, device: torch.device) -> Iterator[None]:
    """Frozen mode on CPU trains only small heads: one thread beats several, whose hand-offs dominate tiny ops."""
    if cfg.mode != "frozen" or device.type != "cpu" or cfg.num_threads:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class _oom_as_config_error:
    """Out of memory becomes a ConfigError naming the settings that fix it."""

    def __init__(self, cfg: TrainConfig) -> None:
        self.cfg = cfg

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, tb) -> bool:
        if error is not None and (isinstance(error, torch.cuda.OutOfMemoryError) or
                                  isinstance(error, RuntimeError) and "out of memory" in str(error)):
            raise ConfigError(f"out of memory with batch_size={self.cfg.batch_size} and max_length="
                              f"{self.cfg.max_length}; lower 'batch_size' (raise 'grad_accum' to keep the "
                              "effective batch) or 'max_length'") from error
        return False
