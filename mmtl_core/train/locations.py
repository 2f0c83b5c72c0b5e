"""Where a run reads and writes: the workspace, its runs folder and its functions folder, as the app sees them.

A config that leaves ``workspace``, ``output_dir`` or ``functions_dir`` empty gets the app's: the workspace from
``$MMTL_WORKSPACE`` (else ./workspace), runs in its runs folder (where the app lists them), functions from
``$MMTL_FUNCTIONS_DIR`` (else ./labeling_functions). Resolved once, before anything is loaded, and recorded.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mmtl_core.train.config import TrainConfig
from mmtl_core.workspace import Workspace, default_functions_dir, default_root


def resolve_locations(cfg: TrainConfig) -> TrainConfig:
    """``cfg`` with its workspace, output and functions folders filled in (absolute, as the app uses them)."""
    root = Path(cfg.workspace).resolve() if cfg.workspace else default_root()
    functions = Path(cfg.functions_dir) if cfg.functions_dir else default_functions_dir()
    runs = Path(cfg.output_dir) if cfg.output_dir else Workspace(root, functions).runs_dir
    return replace(cfg, workspace=str(root), functions_dir=str(functions), output_dir=str(runs))


def workspace_of(cfg: TrainConfig) -> Workspace:
    """The workspace a resolved config names (not created: reading it needs nothing written)."""
    return Workspace(Path(cfg.workspace), Path(cfg.functions_dir))
