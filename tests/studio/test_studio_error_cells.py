"""Which error cell the Slices page opens (a click, else the user's pick, else the one remembered, else the largest
error cell) and which functions a save brings into view."""

import pandas as pd
import pytest

from mmtl_core.functions import ApplyReport
from mmtl_core.studio.changes import just_saved, recomputed
from mmtl_core.studio.error_cells import CELL_TRACE, cells_of, chosen_cell, clicked_cell

TABLE = pd.DataFrame([[62, 5], [4, 49]], index=pd.Index(["ham", "spam"], name="gold"),
                     columns=pd.Index(["ham", "spam"], name="predicted"))


def _click(index: int) -> list[dict]:
    """A plotly selection event as st.plotly_chart reports it: a click on the cells' trace."""
    return [{"curve_number": CELL_TRACE, "point_number": index, "point_index": index, "x": index % 2, "y": 1}]


def test_cells_row_by_row_and_a_click_names_one():
    cells = cells_of(TABLE)
    assert [c.key for c in cells] == [("ham", "ham"), ("ham", "spam"), ("spam", "ham"), ("spam", "spam")]
    assert cells[1].label == "gold ham → predicted spam (5)"
    assert clicked_cell(_click(2), cells).key == ("spam", "ham")
    assert clicked_cell([{"curve_number": 0, "point_index": 2}], cells) is None  # the colour layer, not a cell
    assert clicked_cell([], cells) is None


def test_the_largest_error_cell_by_default_then_what_the_user_chose():
    assert chosen_cell(TABLE).key == ("ham", "spam")  # 5 errors beat 4; never the large correct cell
    assert chosen_cell(TABLE, remembered=("spam", "spam")).key == ("spam", "spam")  # a revisit
    assert chosen_cell(TABLE, picked=("spam", "ham"), remembered=("spam", "spam")).key == ("spam", "ham")
    # A new click wins; the same selection seen on an earlier run does not override a later pick.
    assert chosen_cell(TABLE, points=_click(0), picked=("spam", "ham")).key == ("ham", "ham")
    assert chosen_cell(TABLE, points=_click(0), seen=_click(0), picked=("spam", "ham")).key == ("spam", "ham")
    # A choice the table does not have (another slice's abstained column) is passed over.
    assert chosen_cell(TABLE, picked=("ham", "abstained")).key == ("ham", "spam")


def test_a_perfect_table_opens_on_its_largest_cell():
    perfect = pd.DataFrame([[3, 0], [0, 7]], index=TABLE.index, columns=TABLE.columns)
    assert chosen_cell(perfect).key == ("spam", "spam")


@pytest.mark.parametrize("before, expected", [
    (None, ()),  # the first analysis computes every column: nothing was saved
    (["a", "b"], ("c",)),  # a new function
    (["a", "b", "c"], ("b",)),  # an edited one: its column was computed again
])
def test_what_a_save_brings_into_view(before, expected):
    reports = {"a": ApplyReport(from_cache=True), "b": ApplyReport(from_cache=False),
               "c": ApplyReport(from_cache=before is not None and "c" in before)}
    assert just_saved(before, ["a", "b", "c"], recomputed(reports)) == expected
