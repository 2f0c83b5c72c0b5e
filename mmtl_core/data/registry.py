"""What the user loaded, saved in the workspace (``datasets.json``) so the app reloads it after a restart."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mmtl_core.atomic import atomic_write_text
from mmtl_core.data.dataset import Dataset
from mmtl_core.data.glue import GLUE_TASK_FOLDERS, load_glue_task
from mmtl_core.data.splits import SplitPlan, with_splits
from mmtl_core.data.table import ColumnMapping, load_table
from mmtl_core.data.tableformat import EXTENSIONS, TableFormat
from mmtl_core.data.wrench import WRENCH_SPLITS, load_wrench
from mmtl_core.data.youtube import YOUTUBE_FILE_PATTERN, load_youtube_spam
from mmtl_core.errors import DataError, WorkspaceError


@dataclass(frozen=True)
class Loader:
    """One way to load a dataset: ``load(path, name, options)``; ``options`` documents its options for the UI;
    ``finds(path)`` says whether ``path`` is something it loads (for offering paths that exist)."""

    kind: str
    description: str
    options: tuple[str, ...]
    load: Callable[[Path, str, Mapping[str, Any]], Dataset]
    finds: Callable[[Path], bool]
    folder: bool = True  # loads a folder (else a file)


#: Options every loader kind accepts, applied after loading: ``splits`` makes new train/dev/test splits
#: (a SplitPlan's settings).
COMMON_OPTIONS = ("splits?",)


def _tuple(value: Any) -> tuple | None:
    return None if value is None else tuple([value] if isinstance(value, str) else value)


def _glue(path: Path, name: str, o: Mapping[str, Any]) -> Dataset:
    return load_glue_task(path, o["task"], name=name)


def _table(path: Path, name: str, o: Mapping[str, Any]) -> Dataset:
    mapping = ColumnMapping(text_fields=_tuple(o["text_fields"]), label_field=o.get("label_field"),
                            split_field=o.get("split_field"), label_names=_tuple(o.get("label_names")),
                            id_field=o.get("id_field"), label_map=o.get("label_map"))
    fmt = TableFormat(o.get("format"), o.get("header", True), _tuple(o.get("column_names")) or (),
                      o.get("quoting"))
    return load_table(path, mapping, name=name, fmt=fmt)


def _wrench(path: Path, name: str, o: Mapping[str, Any]) -> Dataset:
    return load_wrench(path, name=name)


def _youtube(path: Path, name: str, o: Mapping[str, Any]) -> Dataset:
    return load_youtube_spam(path, test_videos=_tuple(o.get("test_videos", ("Shakira",))),
                             dev_size=int(o.get("dev_size", 120)), name=name)


def _is_glue(path: Path) -> bool:
    return path.name in GLUE_TASK_FOLDERS or any((path / t).is_dir() for t in GLUE_TASK_FOLDERS)


#: Every loader kind, for the UI to list; options marked ``?`` are optional (with COMMON_OPTIONS).
LOADERS: dict[str, Loader] = {ld.kind: ld for ld in (
    Loader("glue", "a GLUE task folder (glue_data/<TASK>/{train,dev,test}.tsv)", ("task",), _glue, _is_glue),
    Loader("table", "a CSV, TSV, JSON Lines or Parquet file (or one without an extension) with a column mapping",
           ("text_fields", "label_field?", "split_field?", "label_names?", "label_map?", "id_field?", "format?",
            "header?", "column_names?", "quoting?"), _table,
           lambda p: p.suffix.lower() in EXTENSIONS, folder=False),
    Loader("wrench", "a WRENCH dataset folder (train.json, valid.json, test.json, label.json)", (), _wrench,
           lambda p: any((p / f"{stem}.json").is_file() for stem in WRENCH_SPLITS)),
    Loader("youtube_spam", "the UCI YouTube Spam Collection folder (Youtube0N-<Video>.csv)",
           ("test_videos?", "dev_size?"), _youtube, lambda p: any(p.glob(YOUTUBE_FILE_PATTERN))),
)}


@dataclass(frozen=True)
class DatasetSpec:
    """How to reload one dataset: its name, the loader kind, the source path and the loader's options."""

    name: str
    kind: str
    path: str
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # "/" separates the parts of metric keys (task/dataset/split/metric), so a dataset name cannot hold one.
        name = self.name
        if not isinstance(name, str) or not name.strip() or "/" in name or name != name.strip():
            raise DataError(f"dataset name {self.name!r} must be non-empty, without '/' or surrounding spaces")
        if self.kind not in LOADERS:
            raise DataError(f"dataset {self.name!r}: unknown loader {self.kind!r}; choose from {', '.join(LOADERS)}")
        object.__setattr__(self, "path", str(self.path))
        options = (*LOADERS[self.kind].options, *COMMON_OPTIONS)
        known = {o.rstrip("?") for o in options}
        required = {o for o in options if not o.endswith("?")}
        unknown = sorted(set(self.options) - known)
        if unknown:
            raise DataError(f"dataset {self.name!r}: loader {self.kind!r} has no option {unknown[0]!r}; "
                            f"its options are {', '.join(sorted(known)) or '(none)'}")
        absent = sorted(required - set(self.options))
        if absent:
            raise DataError(f"dataset {self.name!r}: loader {self.kind!r} needs the option {absent[0]!r}")
        try:  # stored as JSON: normalise now (tuples -> lists) so a spec equals itself after a save and reload
            object.__setattr__(self, "options", json.loads(json.dumps(dict(self.options))))
        except TypeError as e:
            raise DataError(f"dataset {self.name!r}: options must be JSON values ({e})") from e
        if "splits" in self.options:
            try:
                SplitPlan.from_options(self.options["splits"])
            except (DataError, TypeError) as e:
                raise DataError(f"dataset {self.name!r}: option 'splits': {e}") from e


def load_dataset(spec: DatasetSpec) -> Dataset:
    """Load the dataset ``spec`` describes, with new splits when its options ask for them (a pure function: a
    failure raises and changes nothing). The one entry point for loading a dataset by its spec."""
    options = {k: v for k, v in spec.options.items() if k not in {o.rstrip("?") for o in COMMON_OPTIONS}}
    dataset = LOADERS[spec.kind].load(Path(spec.path), spec.name, options)
    if "splits" in spec.options:
        dataset = with_splits(dataset, SplitPlan.from_options(spec.options["splits"]))
    return dataset


def _check_unique(specs: list[DatasetSpec]) -> None:
    seen: set[str] = set()
    for s in specs:
        if s.name in seen:
            raise DataError(f"two datasets are named {s.name!r}; dataset names must be unique")
        seen.add(s.name)


def save_specs(path: Path, specs: list[DatasetSpec]) -> None:
    """Write the specs as JSON, atomically (a crash mid-write leaves the previous file intact)."""
    _check_unique(specs)
    try:
        atomic_write_text(path, json.dumps([asdict(s) for s in specs], indent=2))
    except OSError as e:
        raise WorkspaceError(f"cannot save the dataset list to {path}: {e.strerror}") from e


def load_specs(path: Path) -> list[DatasetSpec]:
    """The saved specs; none when the file does not exist yet."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        specs = [DatasetSpec(**d) for d in raw]
    except (OSError, ValueError, TypeError) as e:
        raise WorkspaceError(f"{path}: cannot read the saved dataset list ({e})") from e
    except DataError as e:
        raise WorkspaceError(f"{path}: {e}") from e
    _check_unique(specs)
    return specs
