"""The model: a shared Hugging Face encoder, pooled, with a linear head per task and per slice."""

from mmtl_core.model.encoder import default_encoder_path, encode, load_encoder, load_tokenizer, pool
from mmtl_core.model.heads import MultiTaskModel, SliceCombiner, TaskHeads

__all__ = ["MultiTaskModel", "SliceCombiner", "TaskHeads", "default_encoder_path", "encode", "load_encoder",
           "load_tokenizer", "pool"]
