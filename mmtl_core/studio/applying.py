"""The one seam between the page services and the functions engine: applying the functions of a dataset/task's
modules in the sandboxed function host (:func:`mmtl_core.functions.apply_modules`), cached in the workspace. Every
studio call goes through here, so a change of the engine's API is met in one file."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from mmtl_core.data.dataset import Dataset
from mmtl_core.functions import LabelCache, ModuleRun, apply_modules
from mmtl_core.functions.apply import Progress
from mmtl_core.workspace import Workspace

__all__ = ["Progress", "apply_modules_of"]


def apply_modules_of(ws: Workspace, dataset: Dataset, modules: Sequence[str], *, kinds: Collection[str],
                     cardinality: int | None = None, timeout_s: float | None = None,
                     progress: Progress | None = None, rerun: Collection[str] = ()) -> ModuleRun:
    """Import ``modules`` (file names in the workspace's functions folder) in the function host and apply their
    functions of ``kinds`` to every row of ``dataset``, each column cached by its key, in one round trip.

    ``timeout_s`` (default ``$MMTL_FUNCTION_TIMEOUT``, 30 s) limits each function; ``cardinality`` makes labels
    outside -1..K-1 invalid; ``rerun`` names functions and modules whose remembered failure is to be retried;
    ``progress(fraction, note)`` hears what runs, with its time limit."""
    return apply_modules(dataset, ws.functions_dir, list(modules), kinds=kinds, cardinality=cardinality,
                         cache=LabelCache(ws.label_cache_dir), timeout_s=timeout_s, rerun=rerun, progress=progress)
