"""Launching training in the background: the local worker (the embedded default) and Ray (the GPU box)."""
