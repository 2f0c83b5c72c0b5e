"""Multi-task training: ``train(config) -> run_dir`` and the ``python -m mmtl_core.train CONFIG`` entry point."""

from mmtl_core.train.config import TaskSpec, TrainConfig, config_from_dict, load_config
from mmtl_core.train.loop import train
from mmtl_core.train.run_dir import read_metrics, read_predictions, read_status

__all__ = ["TaskSpec", "TrainConfig", "config_from_dict", "load_config", "read_metrics", "read_predictions",
           "read_status", "train"]
