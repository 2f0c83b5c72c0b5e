"""The function editor both function pages share, and how they show broken functions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st
from code_editor import code_editor

from mmtl_core.errors import FunctionError, MMTLError
from mmtl_core.functions import ApplyReport, save_function_file
from mmtl_core.workspace import Workspace
from pages.parts import common

T = TypeVar("T")

SAVE_BUTTON = [{"name": "Save", "feather": "Save", "hasText": True, "alwaysOn": True, "commands": ["submit"],
                "style": {"bottom": "0.44rem", "right": "0.4rem"}}]


def module_editor(ws: Workspace, module: str, *, key: str, height: tuple[int, int]) -> None:
    """A highlighted editor on one module of the functions folder. Save (or Ctrl+Enter) writes the file atomically,
    keeping the previous version, and reruns the page so its analysis follows the new code."""
    source = (ws.functions_dir / module).read_text()
    st.caption(f"`{module}` — press **Save** (or Ctrl+Enter) to save and re-apply. Saving keeps the previous "
               "version in `.history/`.")
    # The key follows the file's content so that a save or a switch of file reloads the editor's text.
    digest = hashlib.sha1(source.encode()).hexdigest()[:8]
    response = code_editor(source, lang="python", height=list(height), buttons=SAVE_BUTTON, options={"wrap": False},
                           key=f"{key}_{module}_{digest}")
    # The component returns its last event on every rerun: act on each submit once.
    if response.get("type") == "submit" and response.get("id") != st.session_state.get(f"{key}_last_submit"):
        st.session_state[f"{key}_last_submit"] = response["id"]
        if response["text"] != source:
            try:
                save_function_file(ws.functions_dir, module, response["text"])
            except MMTLError as e:
                common.show_error(e, "Not saved")
            else:
                st.session_state[f"{key}_saved"] = module
                st.rerun()
    if st.session_state.pop(f"{key}_saved", None):
        st.toast(f"Saved {module}", icon=":material/save:")


def show_problems(load_errors: Sequence[FunctionError], problems: Sequence[ApplyReport]) -> None:
    """Modules that did not load (file and line), and functions that raised, timed out or returned bad values."""
    for err in load_errors:
        st.error(str(err), icon=":material/error:")
    for problem in problems:
        st.warning("\n\n".join(problem.messages), icon=":material/bug_report:")
        if problem.first_traceback:
            with st.expander(f"Traceback of {problem.function}"):
                st.code(problem.first_traceback, language="python")


def modules_digest(ws: Workspace, modules: Sequence[str]) -> str:
    """A hash of the modules' current text: a page re-analyses only when it changes (every click reruns a page)."""
    texts = tuple((m, (ws.functions_dir / m).read_text()) for m in modules if (ws.functions_dir / m).exists())
    return hashlib.sha1(repr(texts).encode()).hexdigest()


def analysis_once(name: str, key: tuple, analyse: Callable[[Callable[[float], None]], T], text: str) -> T:
    """``analyse(progress)`` under a progress bar, rerun only when ``key`` changed since it last ran (every widget
    click reruns a page); the result is kept in ``st.session_state[name]``. A failure is shown and stops the page."""
    if st.session_state.get(f"{name}_key") != key:
        bar = st.progress(0.0, text=text)
        try:
            result = analyse(lambda f: bar.progress(min(max(f, 0.0), 1.0), text=text))
        except MMTLError as e:
            bar.empty()
            common.show_error(e, "Could not analyse the functions")
            st.stop()
        bar.empty()
        st.session_state[name], st.session_state[f"{name}_key"] = result, key
    return st.session_state[name]
