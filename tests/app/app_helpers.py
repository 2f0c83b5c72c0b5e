"""Helpers for the AppTest page tests (imported by name: tests/app is on sys.path, as for every test folder)."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest


def table_with(at: AppTest, column: str):
    """The page's table that has ``column`` (AppTest does not expose a plain dataframe's key)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]


def shown(markdown: str) -> str:
    """A message as the user reads it: the page escapes data-derived text (``\\_``), the browser shows ``_``."""
    return re.sub(r"\\(.)", r"\1", markdown)


def messages(elements) -> list[str]:
    """The text of each st.error / st.warning / st.info element, as shown."""
    return [shown(e.value) for e in elements]
