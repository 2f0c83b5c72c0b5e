"""A table as a page draws it: the rows, which columns show in which order, how wide, with what help, which rows
stand out, and how tall, so that every row shows or the table pages. Plain data: ``pages/parts/tables.py`` turns it
into ``st.dataframe`` arguments, and tests read it without Streamlit.

Widths are for a page 1280 pixels wide with the sidebar open: about 900 pixels of content, so the columns that
answer the question fit side by side and ids come last and narrow.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

#: Height in pixels of one table row and of the header, as Streamlit draws them.
ROW_PX = 35
#: Tables longer than this page (``page_of``) instead of scrolling inside a box.
PAGE_ROWS = 20
#: Pixels of content a page has at 1280 x 800 with the sidebar open (pages/parts/common.py narrows the margins);
#: the widths below are chosen to fit in it.
CONTENT_PX = 910
#: Pixels of a narrow column (Streamlit's "small").
SMALL_PX = 75
#: The narrowest a text column gets.
MIN_TEXT_PX = 150
#: Average pixels of a character in the grid's font, and a cell's horizontal padding.
CHAR_PX, CELL_PAD_PX = 7.5, 20


@dataclass(frozen=True)
class Column:
    """How one column shows: ``width`` ("small", "medium", "large" or pixels), ``help`` (the header's tooltip),
    ``format`` ("percent", or a printf format such as "%.2f" for numbers)."""

    width: str | int | None = None
    help: str | None = None
    format: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class TableView:
    """``frame`` shown with ``columns`` (only those, in that order; the index too when ``index`` is set), the rows
    named in ``highlight`` (index labels) standing out, every row visible."""

    frame: pd.DataFrame
    columns: Mapping[str, Column]
    index: bool = False
    index_width: int = 170
    highlight: tuple = ()

    @property
    def height(self) -> int:
        """Pixels that show every row (and the header) without a scroll bar inside the table."""
        return fit_height(len(self.frame))


def fit_height(rows: int) -> int:
    return ROW_PX * (max(rows, 1) + 1) + 3


@dataclass(frozen=True)
class Page:
    """One page of a long table: rows ``start`` to ``stop`` (0-based, stop excluded) of ``total``."""

    rows: pd.DataFrame
    number: int  # 1-based, clipped to 1..count
    count: int
    start: int
    stop: int
    total: int

    @property
    def label(self) -> str:
        if self.total == 0:
            return "no rows"
        return f"rows {self.start + 1:,}-{self.stop:,} of {self.total:,}"


def page_of(frame: pd.DataFrame, number: int, size: int = PAGE_ROWS) -> Page:
    """Page ``number`` (1-based; out of range clips to the first or last) of ``frame`` in pages of ``size`` rows."""
    count = max(1, math.ceil(len(frame) / size))
    number = min(max(int(number), 1), count)
    start = (number - 1) * size
    stop = min(start + size, len(frame))
    return Page(frame.iloc[start:stop], number, count, start, stop, len(frame))


def text_widths(fields: Sequence[str], beside: Sequence[Column]) -> dict[str, int]:
    """Pixel widths for the text columns: what the page's width leaves beside the ``beside`` columns and a narrow
    id column, shared by the text fields (at least ``MIN_TEXT_PX`` each). When that leaves a text too narrow, the
    id (the last column) gives up its room and goes behind the horizontal scroll: the answer stays in view."""
    used = sum(c.width if isinstance(c.width, int) else SMALL_PX for c in beside)
    n = max(len(fields), 1)
    share = (CONTENT_PX - used - SMALL_PX) // n
    if share < MIN_TEXT_PX:
        share = (CONTENT_PX - used) // n
    return {f: max(MIN_TEXT_PX, share) for f in fields}


def fitting_width(values: Iterable[object], header: str, minimum: int, maximum: int = 200) -> int:
    """Pixels a column needs to show its longest value (or its header) whole, between ``minimum`` and ``maximum``:
    a class name such as RTE's ``not_entailment`` is read whole, not cut to ``not_entailm``."""
    longest = max([len(header), *(len(str(v)) for v in values)])
    return max(minimum, min(maximum, math.ceil(CHAR_PX * longest) + CELL_PAD_PX))
