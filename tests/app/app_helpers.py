"""Helpers for the AppTest page tests (imported by name: tests/app is on sys.path, as for every test folder)."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest


def table_with(at: AppTest, column: str):
    """The page's table that has ``column`` (AppTest does not expose a plain dataframe's key)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]


def shown_columns(element) -> list[str]:
    """The columns an st.dataframe element shows, in the order it shows them."""
    return list(element.proto.column_order) or list(element.value.columns)


def weak_table(at: AppTest):
    """The majority vote and label model figures (one row per measure, one column per model)."""
    frames = [d.value for d in at.dataframe if d.value.index.name == "measure"]
    assert frames, "no majority vote and label model table"
    return frames[0]


def help_of(at: AppTest, subheader: str) -> str:
    """The help (the ? icon's text) of the page's subheader that starts with ``subheader``."""
    found = [h.proto.help for h in at.subheader if h.value.startswith(subheader)]
    assert found, f"no subheader {subheader!r}"
    return found[0]


def shown(markdown: str) -> str:
    """A message as the user reads it: the page escapes data-derived text (``\\_``), the browser shows ``_``."""
    return re.sub(r"\\(.)", r"\1", markdown)


def messages(elements) -> list[str]:
    """The text of each st.error / st.warning / st.info element, as shown."""
    return [shown(e.value) for e in elements]
