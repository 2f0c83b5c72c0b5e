"""The Data page's table options: how the file is read (format, header, quotes), the rows as read, and the column
mapping (text, label, split, id; label classes). Defaults are guesses from the file; the preview shows the result."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from mmtl_core.data import FORMATS, TableFormat, read_table_file, sniff_table
from mmtl_core.data.labels import number_values
from mmtl_core.data.preview import guess_mapping
from mmtl_core.data.sources import source_stamp
from mmtl_core.data.tableformat import DELIMITED
from mmtl_core.errors import MMTLError
from mmtl_core.markup import escape_markdown
from pages.parts import common
from pages.parts.widget_defaults import defaults_when

NONE = "(none)"
FORMAT_LABELS = {"csv": "CSV (comma-separated)", "tsv": "TSV (tab-separated)", "jsonl": "JSON Lines",
                 "parquet": "Parquet"}


@st.cache_resource(show_spinner=False, max_entries=8)
def _sniff(path: str, stamp: tuple) -> TableFormat:
    return sniff_table(Path(path))


@st.cache_resource(show_spinner="Reading the file...", max_entries=8)
def _read(path: str, stamp: tuple, fmt: TableFormat) -> pd.DataFrame:
    return read_table_file(Path(path), fmt)  # read-only afterwards: shared by reruns


def _format(path: str, stamp: tuple, sniffed: TableFormat) -> TableFormat:
    defaults_when("table_file", (path, stamp), {"load_format": sniffed.format, "load_header": sniffed.header,
                                                "load_names": ""})
    c1, c2, c3 = st.columns(3)
    fmt = c1.selectbox("Format", FORMATS, key="load_format", format_func=FORMAT_LABELS.get,
                       help="Guessed from the extension, or from the content for a file without one.")
    if fmt not in DELIMITED:
        return TableFormat(fmt)
    defaults_when("table_quotes", (path, fmt), {"load_quoting": fmt == "csv"})
    header = c2.checkbox("First line is a header", key="load_header",
                         help="Off: the first line is data, and the columns get the names below.")
    quoting = c3.checkbox("Quotes enclose fields", key="load_quoting",
                          help="On: double quotes enclose a field that may hold the delimiter or a line break "
                               "(CSV's rule). Off: a quote is an ordinary character and every line is one row, as "
                               "in GLUE's files and most raw TSV corpora.")
    names: tuple[str, ...] = ()
    if not header:
        text = st.text_input("Column names, comma-separated (optional)", key="load_names",
                             placeholder="column_1, column_2, ...")
        names = tuple(n.strip() for n in text.split(",") if n.strip())
    return TableFormat(fmt, header, names, quoting)


def _mapping(raw: pd.DataFrame, source: object) -> dict:
    columns = [str(c) for c in raw.columns]
    guess = guess_mapping(raw)
    defaults_when("table_mapping", source, {
        "load_text_fields": list(guess.text_fields), "load_label_field": guess.label_field or NONE,
        "load_split_field": guess.split_field or NONE, "load_id_field": guess.id_field or NONE},
        options={NONE, *columns})
    c1, c2, c3, c4 = st.columns(4)
    text_fields = c1.multiselect("Text field(s), one or two", columns, max_selections=2, key="load_text_fields")
    label = c2.selectbox("Label field", [NONE, *columns], key="load_label_field")
    split = c3.selectbox("Split field", [NONE, *columns], key="load_split_field",
                         help="Values train/dev/test (valid and validation count as dev). Without one, make "
                              "splits below, or every row is training data.")
    ids = c4.selectbox("Row id field", [NONE, *columns], key="load_id_field",
                       help="The source's own id of a row: example ids then survive reordering the file.")
    options = {"text_fields": text_fields, "label_field": None if label == NONE else label,
               "split_field": None if split == NONE else split, "id_field": None if ids == NONE else ids}
    if label != NONE:
        defaults_when("table_classes", (source, label), {"load_label_names": "", "load_renumber": False})
        c1, c2 = st.columns(2)
        names = c1.text_input("Class names in id order (optional)", key="load_label_names",
                              placeholder="e.g. ham, spam",
                              help="Labels may then be these names or their ids 0..K-1; any other value is "
                                   "reported. Empty: the classes are the labels found, for you to confirm.")
        if names.strip():
            options["label_names"] = [n.strip() for n in names.split(",") if n.strip()]
        if c2.checkbox("Number the label values 0..K-1 in sorted order", key="load_renumber",
                       help="For integer labels that are not class ids (0, 1, 7 or -3): without this an integer "
                            "label is its own class id."):
            options["label_map"] = number_values(raw[label])
    return options


def table_options(path: str) -> tuple[dict, list[str]] | None:
    """The table loader's options chosen for ``path`` and the file's columns as read; None when the file cannot be
    read as chosen (the error is shown)."""
    stamp = source_stamp(path)
    try:
        sniffed = _sniff(path, stamp)
    except MMTLError as e:
        common.show_error(e, "Cannot read this file")
        return None
    fmt = _format(path, stamp, sniffed)
    try:
        raw = _read(path, stamp, fmt)
    except MMTLError as e:
        common.show_error(e, "Cannot read the file this way")
        return None
    st.caption(f"As read: {len(raw):,} rows, {len(raw.columns)} columns. First rows:")
    head = raw.head(5).copy()
    head.attrs.clear()  # line numbers are for messages; Arrow cannot store them with the table
    st.dataframe(head, hide_index=True, width="stretch", key="load_raw_head")
    for note in raw.attrs.get("notes", ()):
        st.info(escape_markdown(note), icon=":material/info:")
    options = {"format": fmt.format}
    if fmt.format in DELIMITED:
        options |= {"header": fmt.header, "column_names": list(fmt.column_names), "quoting": fmt.quotes}
    return options | _mapping(raw, (path, stamp, fmt)), [str(c) for c in raw.columns]
