"""The training config: a frozen dataclass per level, each field with a default and the reason for it.

``load_config(path)`` reads YAML or JSON; ``config_from_dict`` checks every key and suggests the closest known one
for a misspelling, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any, get_origin, get_type_hints

from mmtl_core.errors import ConfigError

MODES = ("finetune", "frozen")
POOLINGS = ("mean", "cls")
SCHEDULES = ("shuffled", "proportional", "temperature")
DEVICES = ("auto", "cpu", "cuda")
PAIR_ENCODINGS = ("auto", "joint", "separate")


#: ``labels`` values that are not files: the dataset's gold labels, or the current label model's for it.
GOLD, LABEL_MODEL = "gold", "label_model"


@dataclass(frozen=True)
class TaskSpec:
    """One task to train: a workspace dataset and task by the names the app shows, a GLUE task over a GLUE folder,
    or a user task over a table file."""

    task: str  # with 'dataset': a task the app shows for it; else a GLUE task name (see GLUE_TASKS) or a new identifier
    dataset: str = ""  # a workspace dataset by its name on the Data page: loader, fields, classes, splits, metrics
    data: str = ""  # without 'dataset': the GLUE folder (holding RTE/...) or the table file
    labels: str = GOLD  # "gold"; "label_model" (the current label model's, computed at launch); or a file of
    # example_id + prob_<class> columns (the Labeling functions page's export)
    slices: tuple[str, ...] = ()  # slicing-function names, or columns of slices_file; each gets a slice head
    slices_file: str = ""  # precomputed bool parquet/npz (example_id x slice), instead of applying functions
    loss_weight: float = 1.0  # multiplier on this task's loss, to balance tasks of different sizes
    text_fields: tuple[str, ...] = ()  # table file only: one or two text columns
    label_field: str = "label"  # table file only: the gold label column
    split_field: str = ""  # table file only: column holding train/dev/test (empty: every row is train)
    cardinality: int = 2  # table file only: K classes, or 1 for regression
    metrics: tuple[str, ...] = ("accuracy",)  # table file only: the first one picks checkpoints
    max_train_rows: int = 0  # 0 = all; a cap for quick experiments and benchmarks

    def __post_init__(self) -> None:
        check_types(self, f"task {self.task!r}: " if isinstance(self.task, str) else "")
        for name in ("slices", "text_fields", "metrics"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run needs; written resolved (with the seed and versions) to the run's config.json."""

    tasks: tuple[TaskSpec, ...] = ()  # at least one task
    name: str = ""  # the run's readable name in every list of runs; empty = made from tasks, labels, mode, encoder
    workspace: str = ""  # the app's workspace folder, where 'dataset' names are looked up; empty = $MMTL_WORKSPACE
    # or ./workspace, as the app does
    encoder: str = ""  # HF AutoModel folder or hub name; empty = the bundled all-MiniLM-L6-v2, offline
    pooling: str = "mean"  # "mean" suits sentence-transformer encoders such as MiniLM; "cls" suits plain BERT
    # sentence pairs: "joint" encodes [CLS] a [SEP] b [SEP]; "separate" (frozen mode only) encodes a and b alone and
    # feeds [u, v, |u-v|, u*v] to the heads (SBERT's recipe: frozen MiniLM trained on all of STS-B, dev Pearson
    # 0.774 against 0.325 joint); "auto": separate when frozen, joint when fine-tuning
    pair_encoding: str = "auto"
    mode: str = "finetune"  # "frozen" trains heads only on cached encodings: seconds on CPU
    max_length: int = 128  # tokens per example; longer inputs are truncated (pairs: longest first)
    batch_size: int = 32  # examples per optimizer micro-batch
    grad_accum: int = 1  # micro-batches per optimizer step, for a large effective batch on a small GPU
    epochs: float = 3.0  # passes over every task's training rows in stage 1
    stage2_epochs: float = 0.0  # > 0: fine-tune each task alone from its best multi-task checkpoint
    lr: float = 0.0  # 0 = 2e-5 when fine-tuning, 1e-3 for frozen heads (the usual good starting points)
    weight_decay: float = 0.01  # AdamW decay on weights (not biases or LayerNorm), BERT's recipe
    warmup_fraction: float = 0.1  # share of steps with linear warm-up, then linear decay to 0
    grad_clip: float = 1.0  # max global grad norm; 0 disables
    schedule: str = "shuffled"  # task mixing: every example once per epoch; or proportional / temperature sampling
    temperature: float = 2.0  # for schedule="temperature": p_task ~ n_task ** (1 / temperature)
    slice_combiner: bool = False  # Slice-based Learning's attention over slice experts instead of plain slice heads
    seed: int = 0  # seeds shuffling, init and dropout: a CPU run repeats exactly
    eval_every: int = 0  # evaluate every N optimizer steps; 0 = once per epoch
    max_steps: int = 0  # stop stage 1 after N steps (0 = no cap); for benchmarks and smoke runs
    output_dir: str = ""  # each run gets a new folder here; empty = the workspace's runs folder, which the app lists
    cache_dir: str = ""  # frozen-mode encodings; empty = <output_dir>/.encodings
    functions_dir: str = ""  # labeling and slicing functions; empty = $MMTL_FUNCTIONS_DIR or ./labeling_functions
    device: str = "auto"  # "auto" = CUDA when present
    bf16: bool = True  # bf16 autocast; applied on CUDA only (CPU stays fp32 for exact repeats)
    save_weights: bool = True  # write safetensors weights (frozen mode: heads only, encoder is unchanged)
    # start from a completed fine-tuned run's saved weights: its folder, its id, or its name ("{seed}" = this run's
    # seed; the newest completed run of that name). The starting weights are scored first and kept as the best
    # checkpoint unless training beats them on dev (mmtl_core.train.start)
    init_from: str = ""
    num_threads: int = 0  # torch CPU threads; 0 = torch's default

    def __post_init__(self) -> None:
        if not isinstance(self.tasks, (list, tuple)):
            raise ConfigError(f"setting 'tasks' must be a list of tasks, got {shown(self.tasks)}")
        object.__setattr__(self, "tasks", tuple(t if isinstance(t, TaskSpec) else
                                                config_from_dict(TaskSpec, t, f"tasks[{i}]")
                                                for i, t in enumerate(self.tasks)))
        check_types(self)
        validate(self)

    @property
    def resolved_pair_encoding(self) -> str:
        if self.pair_encoding == "auto":
            return "separate" if self.mode == "frozen" else "joint"
        return self.pair_encoding

    @property
    def resolved_lr(self) -> float:
        return self.lr or (1e-3 if self.mode == "frozen" else 2e-5)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def shown(value: Any) -> str:
    """A setting's value as the user wrote it in YAML or JSON: "fast" (quoted text), 2.5, true, null."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _kind_problem(value: Any, kind: Any) -> str | None:
    """What ``value`` should have been, or None if it is a ``kind``. Booleans are never numbers here, and text
    is never a truth value: ``save_weights: "false"`` must not read as true."""
    if kind is bool:
        return None if isinstance(value, bool) else "true or false"
    if kind is int:
        return None if isinstance(value, int) and not isinstance(value, bool) else "an integer"
    if kind is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return "a number"
        return None if math.isfinite(value) else "a finite number"
    if kind is str:
        return None if isinstance(value, str) else "text"
    if get_origin(kind) is tuple:  # tuple[str, ...]
        ok = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
        return None if ok else "a list of names"
    return None


def check_types(obj: Any, where: str = "") -> None:
    """Every field of a config dataclass has its declared type, or a ConfigError names the setting, what it must
    be and what it got: ``setting 'lr' must be a number, got "fast"``."""
    hints = get_type_hints(type(obj))
    for f in fields(obj):
        if f.name == "tasks":
            continue  # a tuple of TaskSpec, each checked on its own
        value = getattr(obj, f.name)
        problem = _kind_problem(value, hints[f.name])
        if problem is not None:
            raise ConfigError(f"{where}setting {f.name!r} must be {problem}, got {shown(value)}")


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"setting {name!r} is {value!r}; choose one of {', '.join(map(repr, allowed))}")


def validate(cfg: TrainConfig) -> None:
    """Cheap checks that need nothing loaded: run before any encoder or dataset is touched."""
    if not cfg.tasks:
        raise ConfigError("setting 'tasks' is empty: name at least one task to train")
    names = [t.task for t in cfg.tasks]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"setting 'tasks' names {dup[0]!r} twice; task names must be unique")
    _choice("mode", cfg.mode, MODES)
    _choice("pooling", cfg.pooling, POOLINGS)
    _choice("schedule", cfg.schedule, SCHEDULES)
    _choice("device", cfg.device, DEVICES)
    _choice("pair_encoding", cfg.pair_encoding, PAIR_ENCODINGS)
    if cfg.pair_encoding == "separate" and cfg.mode != "frozen":
        raise ConfigError("setting 'pair_encoding' is 'separate', which needs mode 'frozen' (fine-tuning encodes "
                          "pairs jointly); use 'joint' or 'auto'")
    for name in ("batch_size", "grad_accum", "max_length"):
        if getattr(cfg, name) < 1:
            raise ConfigError(f"setting {name!r} must be >= 1, not {getattr(cfg, name)}")
    for name in ("epochs", "stage2_epochs", "lr", "weight_decay", "grad_clip", "eval_every", "max_steps", "seed",
                 "num_threads"):
        if getattr(cfg, name) < 0:
            raise ConfigError(f"setting {name!r} must be >= 0, not {getattr(cfg, name)}")
    if cfg.epochs == 0 and cfg.max_steps == 0:
        raise ConfigError("setting 'epochs' is 0 and 'max_steps' is 0: nothing would be trained")
    if not 0 <= cfg.warmup_fraction < 1:
        raise ConfigError(f"setting 'warmup_fraction' must be in [0, 1), not {cfg.warmup_fraction}")
    if cfg.temperature <= 0:
        raise ConfigError(f"setting 'temperature' must be > 0, not {cfg.temperature}")
    for t in cfg.tasks:
        for name in ("loss_weight", "max_train_rows"):
            if getattr(t, name) < 0:
                raise ConfigError(f"task {t.task!r}: setting {name!r} must be >= 0, not {getattr(t, name)}")
        if t.cardinality < 1:
            raise ConfigError(f"task {t.task!r}: setting 'cardinality' must be >= 1 (1 = regression), not "
                              f"{t.cardinality}")
        if len(set(t.slices)) != len(t.slices):
            raise ConfigError(f"task {t.task!r}: setting 'slices' names a slice twice")
        if not t.labels:
            raise ConfigError(f"task {t.task!r}: setting 'labels' is empty; give {GOLD!r}, {LABEL_MODEL!r} or a file")


def config_from_dict(cls: type, data: dict[str, Any], where: str = "") -> Any:
    """Build ``cls`` from a plain dict; an unknown key raises a ConfigError naming it and the closest known key."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where or cls.__name__}: expected a mapping of settings, got {type(data).__name__}")
    known = [f.name for f in fields(cls)]
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known settings: {', '.join(known)}"
            raise ConfigError(f"unknown setting {key!r}{' in ' + where if where else ''}{hint}")
    kwargs = dict(data)
    missing = [f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
               and f.name not in kwargs]
    if missing:
        raise ConfigError(f"{where or cls.__name__}: missing setting {missing[0]!r}")
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise ConfigError(f"{where or cls.__name__}: {e}") from e


def load_config(path: Path | str) -> TrainConfig:
    """Read a TrainConfig from a YAML or JSON file."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise ConfigError(f"cannot read config file {path}: {e.strerror}") from e
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except ValueError as e:  # json.JSONDecodeError and yaml.YAMLError's parse errors both land here or below
        raise ConfigError(f"config file {path} is not valid {path.suffix[1:] or 'YAML'}: {e}") from e
    except Exception as e:  # yaml.YAMLError does not derive from ValueError
        raise ConfigError(f"config file {path} is not valid YAML: {e}") from e
    return config_from_dict(TrainConfig, data or {}, str(path))

