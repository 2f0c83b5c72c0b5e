"""A trained run as a folder that ``transformers`` loads: the encoder through ``save_pretrained`` (with its
tokenizer), the task's heads beside it (``mmtl_heads.safetensors`` and ``mmtl_heads.json``), the small loader
``mmtl_heads.py`` and a README with an example, so the model predicts without the app.

One task per folder: in fine-tuning mode each task keeps the encoder of its own best checkpoint.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from safetensors.torch import load_file, save_file

from mmtl_core.errors import PredictionsError, WorkspaceError
from mmtl_core.export import mmtl_heads
from mmtl_core.model.encoder import load_encoder, load_tokenizer
from mmtl_core.runs.jsonfiles import read_config
from mmtl_core.runs.layout import weights_path

LOADER = Path(mmtl_heads.__file__)
README = """# {name}: task {task}, exported from MMTL Studio

Run `{run}`, {mode} mode, encoder `{encoder}`. Classes (columns of the probabilities): {classes}.
Heads: {heads}.

```python
import sys
sys.path.insert(0, "{folder}")   # this folder (the loader needs torch, transformers, safetensors, numpy)
import mmtl_heads

model = mmtl_heads.load("{folder}")
print(model.predict({example}))
```

The encoder alone loads with `transformers.AutoModel.from_pretrained("{folder}")`.
"""


def export_for_transformers(run: Path, task: str, folder: Path) -> Path:
    """Write ``run``'s ``task`` to the new folder ``folder`` (refused if it exists and is not empty); returns it.
    The folder appears whole or not at all."""
    run, folder = Path(run), Path(folder)
    meta = read_config(run)
    spec = _head_spec(meta, run, task)
    weights = weights_path(run, task)
    if not weights.exists():
        raise PredictionsError(f"run {run.name} has no weights for task {task!r} ({weights} is missing: trained "
                               "with save_weights: false, or it did not finish)")
    if folder.exists() and any(folder.iterdir()):
        raise WorkspaceError(f"cannot export into {folder}: it already holds files; choose a new folder")
    cfg = meta["config"]
    encoder_name = cfg["encoder"] or meta["encoder_path"]
    encoder, tokenizer = load_encoder(encoder_name), load_tokenizer(encoder_name)
    state = load_file(str(weights))
    if cfg["mode"] == "finetune":  # this task's fine-tuned encoder; frozen runs keep the pretrained one
        tuned = {k[len("encoder."):]: v for k, v in state.items() if k.startswith("encoder.")}
        missing, unexpected = encoder.load_state_dict(tuned, strict=False)
        if missing or unexpected or not tuned:
            raise PredictionsError(f"{weights} does not hold the fine-tuned encoder of {encoder_name!r} "
                                   f"({len(missing)} weights missing, {len(unexpected)} unexpected)")
    prefix = f"heads.{task}."
    heads = {k[len(prefix):]: v.contiguous() for k, v in state.items() if k.startswith(prefix)}
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    try:
        encoder.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        save_file(heads, str(staging / mmtl_heads.WEIGHTS))
        (staging / mmtl_heads.SPEC).write_text(json.dumps(spec, indent=2), encoding="utf-8")
        shutil.copyfile(LOADER, staging / LOADER.name)
        example = '["a text to classify"]' if len(spec["text_fields"]) == 1 else '["a premise"], ["a hypothesis"]'
        (staging / "README.md").write_text(README.format(
            name=meta.get("name", run.name), task=task, run=run.name, mode=cfg["mode"], encoder=encoder_name,
            classes=", ".join(map(str, spec["classes"])) or "(regression: one score)",
            heads=", ".join([task, *(f"{task}:{s}" for s in spec["slices"])]), folder=folder, example=example),
            encoding="utf-8")
        if folder.exists():
            folder.rmdir()  # empty, checked above
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def _head_spec(meta: dict, run: Path, task: str) -> dict:
    """What the loader needs to know about the heads and the encoding, from the run's config.json."""
    if "ensemble" in meta:
        raise PredictionsError(f"run {run.name} is an ensemble: it has no weights of its own; export each of its "
                               f"runs ({', '.join(Path(r).name for r in meta['ensemble']['runs'])})")
    cfg = meta["config"]
    if cfg.get("slice_combiner"):
        raise PredictionsError(f"run {run.name} uses the slice combiner, which the exported loader does not "
                               "implement yet; export a run with plain slice heads")
    spec = next((t for t in meta.get("tasks", []) if t["task"]["name"] == task), None)
    if spec is None:
        trained = ", ".join(t["task"]["name"] for t in meta.get("tasks", []))
        raise PredictionsError(f"run {run.name} did not train task {task!r}; its tasks: {trained or 'none'}")
    t = spec["task"]
    regression = t["cardinality"] == 1
    return {"run": run.name, "task": task, "slices": list(spec["slices"]), "text_fields": list(t["text_fields"]),
            "classes": [] if regression else list(t.get("label_names") or range(t["cardinality"])),
            "regression": regression, "pooling": cfg["pooling"], "max_length": cfg["max_length"],
            "pair_encoding": cfg.get("pair_encoding", "joint") if len(t["text_fields"]) == 2 else "single",
            "mode": cfg["mode"]}
