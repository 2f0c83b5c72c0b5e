"""The function editor both function pages share, how they show broken functions, and the sandbox's protections.

The editor never loses text. What the user types is kept as a draft in the session (it survives a page switch and
a change of the file on disk); a save checks the file still holds the text it opened (another tab, session or a
``git pull`` may have changed it) and on a conflict shows both texts and lets the user choose; a good save keeps
the editor as it is (cursor, scroll); the history can be viewed, compared and restored. A module that does not load
has its error marked at its line in the editor, which scrolls there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st
from code_editor import code_editor

from mmtl_core.errors import FunctionError, MMTLError, SaveConflict
from mmtl_core.functions import ApplyReport, group_problems, sandbox_protections
from mmtl_core.functions.files import (create_function_file, file_digest, free_copy_name, keep_in_history,
                                       previous_versions, read_function_file, read_version, restore_version,
                                       save_function_file, text_diff, version_time)
from mmtl_core.markup import escape_markdown
from mmtl_core.workspace import Workspace
from pages.parts import common

T = TypeVar("T")

SAVE_BUTTON = [{"name": "Save", "feather": "Save", "hasText": True, "alwaysOn": True, "commands": ["submit"],
                "style": {"bottom": "0.44rem", "right": "0.4rem"}}]
_DRAFTS = "editor_drafts"
_ERRORS = "editor_errors"  # module path -> (line, message) of its last load error, for the editor's gutter


@dataclass
class Draft:
    """The editor's text for one module, and the file text it was opened from (what a save compares)."""

    base_text: str
    text: str
    version: int = 0  # bumped when the editor's content is replaced (reload, restore): a new editor instance

    @property
    def base(self) -> str:
        return file_digest(self.base_text)

    @property
    def unsaved(self) -> bool:
        return self.text != self.base_text


def _draft(ws: Workspace, module: str, key: str) -> tuple[Draft, str | None]:
    """The module's draft, with what the editor reported since the last run (the text as typed) applied first;
    and the file's text now (None: no such file). Saves when the editor reported a Save."""
    on_disk = read_function_file(ws.functions_dir, module)
    drafts = st.session_state.setdefault(_DRAFTS, {})
    draft = drafts.setdefault((str(ws.functions_dir), module), Draft(on_disk or "", on_disk or ""))
    reported = st.session_state.get(_editor_key(key, module, draft)) or {}
    submitted = False
    if reported.get("type") and reported.get("id") != st.session_state.get(f"{key}_last_event"):
        st.session_state[f"{key}_last_event"] = reported["id"]
        draft.text = reported["text"]
        submitted = reported["type"] == "submit"
    if not draft.unsaved and on_disk is not None and on_disk != draft.base_text:
        _replace(draft, on_disk)  # changed on disk, nothing typed here: show it (none of the user's text is lost)
    if submitted:
        _save(ws, module, draft, key)
    return draft, on_disk


def _editor_key(key: str, module: str, draft: Draft) -> str:
    return f"{key}_{module}_{draft.version}"


def _replace(draft: Draft, text: str) -> None:
    draft.base_text, draft.text, draft.version = text, text, draft.version + 1


def module_editor(ws: Workspace, module: str, *, key: str, height: tuple[int, int]) -> None:
    """A highlighted editor on one module of the functions folder. Save (or Ctrl+Enter) writes the file atomically
    (the previous version goes to the history) unless it changed since it was opened, and reruns the page."""
    _editor_fragment(ws, module, key, height)
    _protections()


@st.fragment
def _editor_fragment(ws: Workspace, module: str, key: str, height: tuple[int, int]) -> None:
    # A fragment: the editor reports the text as it is typed (for the draft), and that reruns only this part.
    draft, on_disk = _draft(ws, module, key)
    st.caption(f"`{module.replace('`', '')}` — press **Save** (or Ctrl+Enter) to save and re-apply. Saving keeps "
               "the previous version in the history below.")
    error = st.session_state.get(_ERRORS, {}).get(str(ws.functions_dir / module))
    props: dict[str, Any] = {}
    if error is not None:
        line, message = error
        props = {"annotations": [{"row": line - 1, "column": 0, "type": "error", "text": message}],
                 "markers": [{"startRow": line - 1, "endRow": line - 1, "startCol": 0, "endCol": 2000,
                              "className": "ace_error-marker", "type": "fullLine"}]}
    code_editor(draft.text, lang="python", height=list(height), buttons=SAVE_BUTTON, options={"wrap": False},
                props=props, response_mode=["debounce", "blur"], key=_editor_key(key, module, draft))
    if error is not None:
        _go_to_line(error[0])
    conflict: SaveConflict | None = st.session_state.get(f"{key}_conflict")
    if conflict is not None and Path(conflict.path).name == module:
        _resolve_conflict(ws, module, draft, conflict, key)
    elif draft.unsaved:
        changed = on_disk is not None and on_disk != draft.base_text
        st.info("Unsaved changes" + (" — and the file changed on disk since you opened it: saving will ask which "
                                     "text to keep" if changed else "") + ".", icon=":material/edit_note:")
        if st.button("Discard my changes", key=f"{key}_discard", help="Your text goes to the history first."):
            keep_in_history(ws.functions_dir, module, draft.text)
            _replace(draft, on_disk or "")
            st.rerun(scope="fragment")
    if st.session_state.pop(f"{key}_saved", None) == module:
        st.toast(f"Saved {escape_markdown(module)}", icon=":material/save:")
    if f"{key}_done" in st.session_state:
        st.success(escape_markdown(st.session_state.pop(f"{key}_done")), icon=":material/check:")
    _history(ws, module, draft, key)


def _save(ws: Workspace, module: str, draft: Draft, key: str) -> None:
    if not draft.unsaved:
        return
    try:
        save_function_file(ws.functions_dir, module, draft.text, expected=draft.base)
    except SaveConflict as e:
        st.session_state[f"{key}_conflict"] = e
        return
    except MMTLError as e:
        common.show_error(e, "Not saved")
        return
    draft.base_text = draft.text  # the editor already shows this text: it stays as it is (cursor, scroll)
    st.session_state[f"{key}_saved"] = module
    st.rerun(scope="app")


def _resolve_conflict(ws: Workspace, module: str, draft: Draft, conflict: SaveConflict, key: str) -> None:
    st.warning(escape_markdown(str(conflict)), icon=":material/difference:")
    mine, theirs = st.columns(2)
    mine.caption("Your text (not saved)")
    mine.code(conflict.mine, language="python", line_numbers=True)
    theirs.caption("On disk now")
    theirs.code(conflict.theirs, language="python", line_numbers=True)
    with st.expander("What differs"):
        st.code(text_diff(conflict.theirs, conflict.mine, "on disk", "yours") or "(no difference)", language="diff")
    a, b, c = st.columns(3)
    done = None
    if a.button("Save mine as a copy", key=f"{key}_as_copy", help="A new module with your text; this one is "
                "reloaded from disk."):
        copy = free_copy_name(ws.functions_dir, module)
        create_function_file(ws.functions_dir, copy, conflict.mine)
        done = f"Your text is saved as {copy}."
        _replace(draft, conflict.theirs)
    if b.button("Reload from disk", key=f"{key}_reload", help="Your text goes to the history first."):
        keep_in_history(ws.functions_dir, module, conflict.mine)
        _replace(draft, conflict.theirs)
        done = "Reloaded; your text is in the history."
    if c.button("Overwrite with mine", key=f"{key}_overwrite", help="The text on disk goes to the history first."):
        save_function_file(ws.functions_dir, module, conflict.mine)
        _replace(draft, conflict.mine)
        done = f"Saved {module}; the other text is in the history."
    if done is not None:
        del st.session_state[f"{key}_conflict"]
        st.session_state[f"{key}_done"] = done  # said after the rerun, which would drop a toast shown now
        st.rerun(scope="app")


def _history(ws: Workspace, module: str, draft: Draft, key: str) -> None:
    versions = previous_versions(ws.functions_dir, module)
    with st.expander(f"History ({len(versions)} earlier version{'s' if len(versions) != 1 else ''})",
                     icon=":material/history:"):
        if not versions:
            st.caption("Each save keeps the previous text here.")
            return
        names = [v.name for v in versions]
        chosen = st.selectbox("Version", names, key=f"{key}_version",
                              format_func=lambda n: f"{version_time(Path(n)):%Y-%m-%d %H:%M:%S} UTC")
        text = read_version(ws.functions_dir, module, chosen)
        show = st.radio("Show", ["Changes from it to the editor's text", "Its text"], horizontal=True,
                        key=f"{key}_version_show")
        if show == "Its text":
            st.code(text, language="python", line_numbers=True)
        else:
            st.code(text_diff(text, draft.text, "that version", "editor") or "(identical)", language="diff")
        if st.button("Restore this version", key=f"{key}_restore",
                     help="The current text (and your unsaved edits) go to the history first."):
            if draft.unsaved:
                keep_in_history(ws.functions_dir, module, draft.text)
            restore_version(ws.functions_dir, module, chosen)
            _replace(draft, text)
            st.session_state[f"{key}_saved"] = module
            st.rerun(scope="app")


def _go_to_line(line: int) -> None:
    """Scroll the editor to ``line`` and put the cursor there (the component has no such argument)."""
    st.iframe(f"""<script>
      function go(tries) {{
        for (const frame of window.parent.document.querySelectorAll('iframe[title="code_editor.code_editor"]')) {{
          const el = frame.contentDocument && frame.contentDocument.querySelector('.ace_editor');
          if (el && el.env && el.env.editor) {{
            el.env.editor.gotoLine({int(line)}, 0, true);
            el.env.editor.scrollToLine({int(line)}, true, true, function () {{}});
            return;
          }}
        }}
        if (tries > 0) setTimeout(() => go(tries - 1), 200);
      }}
      go(50);
    </script>""", height=1)


@st.cache_resource(show_spinner=False)
def _protections_now() -> tuple:
    return sandbox_protections()


def _protections() -> None:
    try:
        protections = _protections_now()
    except MMTLError as e:
        common.show_error(e, "The sandbox for functions is not running")
        return
    active = [p for p in protections if p.active]
    with st.expander(f"Sandbox: {len(active)} of {len(protections)} protections active on this machine",
                     icon=":material/shield:"):
        for p in protections:
            st.markdown(f"{':material/check_circle:' if p.active else ':material/cancel:'} **{p.name}**: "
                        f"{escape_markdown(p.detail)}")


def show_problems(load_errors: Sequence[FunctionError], problems: Sequence[ApplyReport], *, key: str,
                  not_cached: Sequence[str] = ()) -> None:
    """Modules that did not load (file and line), functions that raised, timed out or returned bad values (many
    failing alike in one line, tracebacks behind it), with "Run again" for failures remembered from before."""
    for i, err in enumerate(load_errors):
        st.error(escape_markdown(str(err)), icon=":material/error:")
        if err.remembered and err.path and st.button("Run again", key=f"{key}_rerun_module_{i}",
                                                     help="Import this module again although it failed before."):
            _request_rerun(key, Path(err.path).name)
    for i, group in enumerate(group_problems(problems)):
        st.warning(escape_markdown(group.message), icon=":material/bug_report:")
        if group.tracebacks:
            label = (f"Traceback of {escape_markdown(group.functions[0])}" if len(group.tracebacks) == 1
                     else f"Tracebacks of {len(group.tracebacks)} functions")
            with st.expander(label):
                for name, tb in group.tracebacks.items():
                    if len(group.tracebacks) > 1:
                        st.caption(escape_markdown(name))
                    st.code(tb, language="python")
        if group.rerun and st.button("Run again", key=f"{key}_rerun_{i}",
                                     help="Its failure is remembered until its code changes; run it once more."):
            _request_rerun(key, *group.rerun)
    if not_cached:
        st.caption(escape_markdown(" ".join(not_cached)))


def _request_rerun(key: str, *names: str) -> None:
    st.session_state[f"{key}_rerun"] = tuple(sorted({*st.session_state.get(f"{key}_rerun", ()), *names}))
    st.rerun()


def modules_digest(ws: Workspace, modules: Sequence[str]) -> str:
    """A hash of the modules' current text: a page re-analyses only when it changes (every click reruns a page)."""
    texts = tuple((m, read_function_file(ws.functions_dir, m)) for m in modules)
    return hashlib.sha1(repr(texts).encode()).hexdigest()


def analysis_once(name: str, key: tuple, analyse: Callable[[Callable[[float, str], None], Sequence[str]], T],
                  text: str) -> T:
    """``analyse(progress, rerun)`` under a progress bar that names what runs, rerun only when ``key`` changed since
    it last ran (every widget click reruns a page) or the user asked to run failed functions again
    (:func:`show_problems`: ``rerun`` names them). The result is kept in ``st.session_state[name]``; its load
    errors mark their lines in the editor. A failure of the analysis itself is shown and stops the page."""
    rerun = st.session_state.pop(f"{name}_rerun", ())
    if st.session_state.get(f"{name}_key") != key or rerun:
        bar = st.progress(0.0, text=text)
        try:
            result = analyse(lambda f, note: bar.progress(min(max(f, 0.0), 1.0), text=note or text), rerun)
        except MMTLError as e:
            bar.empty()
            common.show_error(e, "Could not analyse the functions")
            st.stop()
        bar.empty()
        st.session_state[name], st.session_state[f"{name}_key"] = result, key
        _mark_errors(result)
    return st.session_state[name]


def _mark_errors(result: Any) -> None:
    """Remember each module's load error with a line, for the editor; rerun once when they change so the editor
    (drawn before the analysis) shows them."""
    errors = {e.path: (e.line, str(e)) for e in result.load_errors if e.path and e.line}
    if st.session_state.get(_ERRORS) != errors:
        st.session_state[_ERRORS] = errors
        st.rerun()
