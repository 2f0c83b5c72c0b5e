"""Shared fixtures. Real public datasets come from ../shared/data beside the checkout (CI always has it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MMTL_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets folder; tests that need it are skipped, with the reason, where it is absent."""
    if not (SHARED_DATA / "README.md").exists():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (set MMTL_SHARED_DATA or put shared/ beside the repo)")
    return SHARED_DATA
