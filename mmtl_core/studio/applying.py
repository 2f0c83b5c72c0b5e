"""The one seam between the page services and the functions engine: loading the user's modules and applying their
functions, cached in the workspace. Every studio call to ``load_functions``/``apply_functions`` goes through here, so
a change of the engine's API is met in one file."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mmtl_core.data.dataset import Dataset
from mmtl_core.functions import AppliedFunctions, FunctionSet, LabelCache, UserFunction, apply_functions, load_functions
from mmtl_core.workspace import Workspace

#: Seconds each function may run over the whole dataset before it is stopped and reported.
DEFAULT_TIMEOUT_S = 30.0

Progress = Callable[[float], None]


def load_modules(ws: Workspace, modules: Sequence[str]) -> FunctionSet:
    """The labeling and slicing functions of ``modules`` (file names in the workspace's functions folder)."""
    return load_functions(ws.functions_dir, list(modules))


def apply_to(functions: Sequence[UserFunction], dataset: Dataset, ws: Workspace, *, cardinality: int | None = None,
             timeout_s: float = DEFAULT_TIMEOUT_S, progress: Progress | None = None) -> AppliedFunctions | None:
    """Apply ``functions`` (all of one kind) to every row of ``dataset``, each column cached by its key; None when
    there is none to apply. ``cardinality`` makes labels outside -1..K-1 count as invalid (labeling functions)."""
    if not functions:
        return None
    return apply_functions(functions, dataset, cache=LabelCache(ws.label_cache_dir), timeout_s=timeout_s,
                           cardinality=cardinality, progress=progress)
