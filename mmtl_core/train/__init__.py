"""Multi-task training: ``train(config) -> run_dir`` and the ``python -m mmtl_core.train CONFIG`` entry point.
The run folder it writes is read through :mod:`mmtl_core.runs`."""

from mmtl_core.train.config import TaskSpec, TrainConfig, config_from_dict, load_config
from mmtl_core.train.loop import train

__all__ = ["TaskSpec", "TrainConfig", "config_from_dict", "load_config", "train"]
