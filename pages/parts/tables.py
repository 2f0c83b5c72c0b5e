"""Drawing a :class:`~mmtl_core.studio.table_view.TableView`: its columns in order with their widths and help, its
highlighted rows, every row shown (a long table pages instead of scrolling inside a box)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from mmtl_core.studio.table_view import PAGE_ROWS, Column, TableView, page_of

HIGHLIGHT = "background-color: rgba(255, 196, 0, 0.28)"


def _config(column: Column):
    if column.format:
        return st.column_config.NumberColumn(column.label, width=column.width, help=column.help, format=column.format)
    return st.column_config.Column(column.label, width=column.width, help=column.help)


def show(view: TableView, *, key: str, container=st) -> None:
    """The table, every row visible, its highlighted rows tinted."""
    config = {name: _config(c) for name, c in view.columns.items()}
    if view.index:
        config["_index"] = st.column_config.Column(width=view.index_width)
    data = view.frame
    if view.highlight:
        marked = set(view.highlight)
        data = view.frame.style.apply(lambda row: [HIGHLIGHT if row.name in marked else ""] * len(row), axis=1)
    container.dataframe(data, key=key, hide_index=not view.index, column_order=list(view.columns),
                        column_config=config, height=view.height, width="stretch")


def show_paged(view: TableView, *, key: str, size: int = PAGE_ROWS) -> None:
    """The table ``size`` rows at a time, with a page chooser above it saying which rows show."""
    page_key = f"{key}_page"
    page = page_of(view.frame, st.session_state.get(page_key, 1), size)
    if page.count > 1:
        st.session_state[page_key] = page.number  # clipped when the rows changed under it
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.caption(f"Page {page.number} of {page.count}: {page.label}.")
        right.number_input("Page", min_value=1, max_value=page.count, step=1, key=page_key,
                           label_visibility="collapsed", help=f"{page.count} pages of {size} rows.")
    show(replace(view, frame=page.rows), key=key)
