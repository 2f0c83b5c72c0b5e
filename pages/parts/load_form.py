"""The Data page's load form: a source (a path, offered from folders that exist here, or an upload), a preview of
exactly what Load saves (rows, splits and class balance, column mapping, classes, first rows), then Load."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from mmtl_core.browse import class_table, split_table
from mmtl_core.data import GLUE_TASK_FOLDERS, LOADERS, ColumnMapping, DatasetSpec
from mmtl_core.data.dataset import Dataset
from mmtl_core.data.preview import column_roles
from mmtl_core.data.sources import find_sources, source_name, upload_source
from mmtl_core.errors import MMTLError
from mmtl_core.markup import escape_markdown
from mmtl_core.studio.display_rows import data_rows
from pages.parts import common, tables
from pages.parts.download import download_section
from pages.parts.splits_form import split_options
from pages.parts.table_form import table_options
from pages.parts.widget_defaults import defaults_when

REPO = Path(__file__).resolve().parents[2]
SOURCES = {
    "youtube_spam": "YouTube spam CSVs (a folder of Youtube0*-*.csv)",
    "glue": "A GLUE task (a folder in GLUE's download layout)",
    "wrench": "WRENCH JSON (a folder with train/valid/test.json)",
    "table": "A table file: CSV, TSV, JSON Lines, Parquet, or one without an extension",
    "download": "Download a public dataset (needs network)",
}


def _roots() -> list[Path]:
    """Where to look for data: the workspace, and a shared data folder beside the checkout when there is one."""
    shared = Path(os.environ.get("MMTL_SHARED_DATA", REPO.parent / "shared" / "data"))
    return [common.workspace().root, *([shared] if shared.is_dir() else [])]


def _copy_found(kind: str) -> None:
    if st.session_state.get(f"load_found_{kind}"):
        st.session_state["load_path"] = st.session_state[f"load_found_{kind}"]


def _source(kind: str) -> str:
    """The path to load: an upload (stored in the workspace), else the path box, which a list of what exists fills."""
    ws = common.workspace()
    folder = LOADERS[kind].folder
    roots = _roots()
    found = [str(p) for p in find_sources(kind, roots, skip=[ws.runs_dir, ws.label_cache_dir])]
    c1, c2 = st.columns(2)
    where = " and ".join(str(r) for r in roots)
    c1.selectbox("Found on this machine", ["", *found], key=f"load_found_{kind}", on_change=_copy_found, args=(kind,),
                 format_func=lambda p: p or f"({len(found)} {'folders' if folder else 'files'} found: pick one)",
                 help=f"What this source can load, found in {escape_markdown(where)}.")
    path = c1.text_input("Path", key="load_path", placeholder="/path/to/folder" if folder else "/path/to/file",
                         help="A folder or file on the machine running the app.")
    uploads = c2.file_uploader("...or upload " + ("its files, or a zip of the folder" if folder else "the file"),
                               accept_multiple_files=folder, key=f"load_upload_{kind}",
                               help="Stored in the workspace under a name made from the content, so an upload never "
                                    "replaces another dataset's file.")
    files = uploads if folder else [uploads] if uploads else []
    if not files:
        return path.strip()
    try:
        stored = upload_source(ws, kind, {f.name: f.getvalue() for f in files})
    except MMTLError as e:
        common.show_error(e, "The upload cannot be used")
        return ""
    c2.caption(f"Stored as {escape_markdown(stored)}")
    return str(stored)


def _preview(dataset: Dataset, columns: list[str], options: dict) -> None:
    st.markdown("**Preview**: what Load saves")
    c1, c2 = st.columns(2)
    c1.caption(f"{len(dataset):,} rows; per split, its rows and class balance:")
    c1.dataframe(split_table(dataset), hide_index=True, width="stretch", key="load_preview_splits")
    if columns:
        mapping = ColumnMapping(tuple(options["text_fields"]), options.get("label_field"), options.get("split_field"),
                                id_field=options.get("id_field"))
        c2.caption("Column mapping:")
        c2.dataframe(column_roles(columns, mapping), hide_index=True, width="stretch", key="load_preview_columns")
    for note in dataset.notes:
        st.info(escape_markdown(note), icon=":material/info:")
    fields = options.get("text_fields") or common.text_fields_of(dataset)
    tables.show(data_rows(dataset.frame.head(5), fields, dataset.label_names), key="load_preview_rows")


def _confirm_classes(dataset: Dataset, reasons: list[str]) -> None:
    """Classes inferred from the labels are shown, and must be confirmed before saving."""
    table = class_table(dataset)
    st.caption(f"No class names were given: the classes are the {len(dataset.label_names)} labels found. An integer "
               "label is its own class id.")
    st.dataframe(table, hide_index=True, key="load_classes")
    empty = table[(table["rows"] == 0) & (table["id"] >= 0)]["class"].tolist()
    if empty:
        st.warning(f"{len(empty)} class(es) have no rows ({escape_markdown(', '.join(empty[:10]))}): the integer "
                   "labels are not 0..K-1. If they are not class ids, tick 'Number the label values' above.",
                   icon=":material/warning:")
    defaults_when("classes", (dataset.source, dataset.label_names), {"load_classes_ok": False})  # per file
    if not st.checkbox(f"These {len(dataset.label_names)} classes are right", key="load_classes_ok"):
        reasons.append("confirm the classes found")


def load_form() -> None:
    kind = st.radio("Source", list(SOURCES), format_func=SOURCES.get, key="load_kind")
    if kind == "download":
        download_section(common.workspace())
        return
    path = _source(kind)
    options: dict = {}
    columns: list[str] = []
    reasons: list[str] = []
    if not path:
        reasons.append("enter a path, pick one found on this machine, or upload")
    elif kind == "glue":
        named = next((t for t in GLUE_TASK_FOLDERS if Path(path).name == t), None)
        defaults_when("glue_task", path, {"load_glue_task": named or GLUE_TASK_FOLDERS[0]})
        options["task"] = st.selectbox("GLUE task", GLUE_TASK_FOLDERS, key="load_glue_task",
                                       help="The folder of the task inside the GLUE folder, or the task folder.")
    elif kind == "table":
        chosen = table_options(path)
        if chosen is None:
            reasons.append("the file cannot be read as chosen (see the message above)")
        else:
            options, columns = chosen
            if not options["text_fields"]:
                reasons.append("choose the text field(s)")
    if path and not reasons:
        splits = split_options(kind == "table" and not options.get("split_field"), (kind, path))
        if splits is not None:
            options["splits"] = splits
    default = source_name(kind, path, options) if path else ""
    defaults_when("name", (kind, path, default), {"load_name": default})
    name = st.text_input("Name", key="load_name").strip()
    if name in {s.name for s in common.specs()}:
        st.caption(f"A dataset named {escape_markdown(repr(name))} exists: Load replaces it in the list (its files "
                   "stay as they are).")
    saved = options
    if not reasons:
        try:
            dataset = common.load(DatasetSpec(name or default, kind, path, options))
        except MMTLError as e:
            common.show_error(e, "This cannot be loaded")
            reasons.append("fix what the message above says")
        else:
            _preview(dataset, columns, options)
            if kind == "table" and options.get("label_field") and "label_names" not in options:
                if dataset.label_names:
                    _confirm_classes(dataset, reasons)
                    saved = {**options, "label_names": list(dataset.label_names)}  # declared from now on
                else:
                    st.caption("The labels are numbers with decimals: they are read as regression scores.")
    if not name:
        reasons.append("give the dataset a name")
    reason = reasons[0] if reasons else None
    if reason:
        st.caption(f"Load is disabled: {escape_markdown(reason)}.")
    if st.button("Load", type="primary", key="load_button", disabled=reason is not None, help=reason):
        try:
            dataset = common.add_dataset(DatasetSpec(name, kind, path, saved))
        except MMTLError as e:
            common.show_error(e, "Nothing was loaded")  # what was loaded before stays as it was
        else:
            st.success(f"Loaded {escape_markdown(repr(dataset.name))}: {len(dataset):,} rows "
                       f"({escape_markdown(', '.join(dataset.splits))}).")
