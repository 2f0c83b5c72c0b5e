"""Widgets whose defaults follow what they describe: a new file starts from its own guesses, while the user's
changes stay as long as the file (or format) stays the same."""

from __future__ import annotations

import streamlit as st


def defaults_when(tag: str, source: object, defaults: dict[str, object],
                  options: set[str] | None = None) -> None:
    """Set the widgets keyed in ``defaults`` to those values when ``source`` differs from the last run's (call it
    before drawing them, and give them no ``value``/``index`` of their own). Also when Streamlit dropped their
    state, as it does for widgets a run did not draw, and, given the widgets' ``options``, when a value held is
    not one of them: a click sent by a page still showing the previous file's columns would otherwise leave a
    choice Streamlit drops, emptied for good."""
    marker = f"_defaults_{tag}"
    held = [st.session_state.get(k) for k in defaults]
    values = {v for h in held for v in (h if isinstance(h, list) else [h])}
    if (st.session_state.get(marker) != source or any(k not in st.session_state for k in defaults)
            or (options is not None and not values <= options)):
        st.session_state[marker] = source
        st.session_state.update(defaults)
