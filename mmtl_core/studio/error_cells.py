"""Which cell of a gold x predicted table the Slices page shows the examples of: the one the user clicked in the
heatmap, else the one chosen before for this table (kept across page switches), else the largest error cell.

The heatmap draws one clickable mark per cell in :func:`cells_of`'s order, so a click's point index names a cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from mmtl_core.studio.slicing import largest_error_cell

#: The chart's trace holding the clickable cells (trace 0 is the heatmap's colours).
CELL_TRACE = 1


@dataclass(frozen=True)
class Cell:
    gold: str
    predicted: str
    count: int

    @property
    def key(self) -> tuple[str, str]:
        return self.gold, self.predicted

    @property
    def label(self) -> str:
        return f"gold {self.gold} → predicted {self.predicted} ({self.count:,})"


def cells_of(table: pd.DataFrame) -> list[Cell]:
    """Every cell of a confusion table (``confusion_table``), row by row."""
    return [Cell(str(g), str(p), int(table.loc[g, p])) for g in table.index for p in table.columns]


def clicked_cell(points: Sequence[Mapping], cells: Sequence[Cell]) -> Cell | None:
    """The cell a heatmap selection event names (the last clicked point on the cells' trace), if any."""
    for point in reversed(points):
        index = point.get("point_index", point.get("point_number"))
        if point.get("curve_number") == CELL_TRACE and index is not None and 0 <= int(index) < len(cells):
            return cells[int(index)]
    return None


def chosen_cell(table: pd.DataFrame, *, points: Sequence[Mapping] = (), seen: Sequence[Mapping] = (),
                picked: tuple[str, str] | None = None, remembered: tuple[str, str] | None = None) -> Cell:
    """The cell to show: one just clicked (``points``, the chart's selection, unless it is the selection already
    ``seen``), else the one ``picked`` from the list, else the ``remembered`` one, else the largest error cell.
    Choices the table no longer has are passed over."""
    cells = cells_of(table)
    clicked = clicked_cell(points, cells) if list(points) != list(seen) else None
    if clicked is not None:
        return clicked
    by_key = {c.key: c for c in cells}
    for choice in (picked, remembered, largest_error_cell(table)):
        if choice is not None and tuple(choice) in by_key:
            return by_key[tuple(choice)]
    raise ValueError("a confusion table without cells")
