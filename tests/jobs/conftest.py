"""Fixtures for the job tests: a workspace with its queue, a tiny encoder, and a teardown that stops, by pid,
every process the test started (the supervisor and any job still running)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))  # train_helpers: the tiny encoder and data

from jobs_helpers import stop_everything  # noqa: E402
from mmtl_core.jobs.queue import JobQueue  # noqa: E402
from mmtl_core.jobs.supervisor import Settings  # noqa: E402
from mmtl_core.workspace import Workspace  # noqa: E402
from train_helpers import save_tiny_bert  # noqa: E402

FAST = Settings(poll_s=0.1, stop_grace_s=2.0, kill_grace_s=3.0, idle_exit_s=60.0)


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> str:
    return str(save_tiny_bert(tmp_path_factory.mktemp("tiny_bert")))


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    return Workspace.at(tmp_path / "workspace", tmp_path / "functions")


@pytest.fixture
def queue(workspace):
    queue = JobQueue.for_workspace(workspace, settings=FAST)
    try:
        yield queue
    finally:
        stop_everything(queue)
