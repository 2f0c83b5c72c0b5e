"""Shared fixtures. Real public datasets come from ../shared/data beside the checkout (CI always has it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MMTL_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets folder; tests that need it are skipped, with the reason, where it is absent, unless
    ``$MMTL_REQUIRE_SHARED_DATA`` is set (CI sets it): then they fail, so a green run has tested them."""
    if not (SHARED_DATA / "README.md").exists():
        missing = f"real datasets not found at {SHARED_DATA} (set MMTL_SHARED_DATA or put shared/ beside the repo)"
        if os.environ.get("MMTL_REQUIRE_SHARED_DATA"):
            pytest.fail(f"{missing}; MMTL_REQUIRE_SHARED_DATA is set, so this test may not skip", pytrace=False)
        pytest.skip(missing)
    return SHARED_DATA
