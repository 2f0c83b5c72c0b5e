"""Helpers for the AppTest page tests (imported by name: tests/app is on sys.path, as for every test folder)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def table_with(at: AppTest, column: str):
    """The page's table that has ``column`` (AppTest does not expose a plain dataframe's key)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]
