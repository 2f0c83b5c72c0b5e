"""The browser test looks: it walks every page on YouTube spam and on RTE at 1280 x 800, as a user's laptop shows
them, saves a screenshot of each (and of each key table scrolled into view) in ci-artifacts/screenshots/, and checks
that no page shows an exception, that the columns answering each table's question are inside the viewport (from the
grid's own rendering, not from the data), and that no chart title overlaps its legend.

Real parts throughout: `streamlit run`, Debian's chromium, the shipped functions applied to the real datasets, and a
stored run of RTE predictions (``browser_helpers.walk_workspace``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_helpers import open_page, wait_for_page, walk_workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "ci-artifacts" / "screenshots"
WIDTH, HEIGHT = 1280, 800
PAGES = ("Home", "Data", "Labeling functions", "Slices", "Train", "Compare")

@pytest.fixture
def viewport() -> dict:
    return {"width": WIDTH, "height": HEIGHT}


def _idle(page) -> None:
    page.wait_for_timeout(400)  # the rerun a click starts may not have begun yet
    wait_for_page(page)


def _choose_dataset(page, name: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=name, exact=True).click()
    _idle(page)


def _shoot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _no_exception(page, where: str) -> None:
    """No traceback and no error message: the walk's workspace is one a user would have set up right."""
    for kind in ("stException", "stAlertContentError"):
        shown = page.locator(f'[data-testid="{kind}"]')
        assert shown.count() == 0, f"{where}: {shown.first.inner_text()[:2000]}"


def _table(page, column: str):
    """The page's grid whose header row has ``column`` (the grid renders only the columns in view)."""
    return page.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator("th", has_text=re.compile(f"^{re.escape(column)}$"))).first


def _assert_columns_in_view(page, columns: list[str], where: str) -> None:
    """``columns`` are all drawn by the grid and inside the window: the grid (scrolled into view) lies within the
    window's width, and either nothing is hidden behind its horizontal scroll bar or the column after the last of
    ``columns`` starts inside the grid too (so the last of them ends inside it)."""
    grid = _table(page, columns[0])
    grid.scroll_into_view_if_needed()
    # Its header row near the top of the window, below the app's toolbar, with the heading above it in view.
    grid.evaluate("""g => document.querySelector('[data-testid="stMain"]')
                              .scrollBy(0, g.getBoundingClientRect().top - 140)""")
    page.wait_for_timeout(300)
    box = grid.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"{where}: grid at {box}"
    assert 0 <= box["y"] < HEIGHT - 80, f"{where}: the grid's header is not in the window ({box})"
    headers = grid.evaluate("""g => [...g.querySelectorAll('th')].map(t => [t.innerText.trim(),
                                                                         +t.getAttribute('aria-colindex')])""")
    drawn = dict(headers)
    missing = [c for c in columns if c not in drawn]
    assert not missing, f"{where}: {missing} hidden behind the horizontal scroll (in view: {list(drawn)})"
    scroll_width, client_width, total = grid.evaluate(
        """g => { const s = g.querySelector('.dvn-scroller');
                  return [s.scrollWidth, s.clientWidth, +g.querySelector('table').getAttribute('aria-colcount')] }""")
    last = max(drawn[c] for c in columns)
    assert scroll_width <= client_width + 1 or last + 1 in drawn.values(), \
        f"{where}: column {columns[-1]!r} runs past the grid's edge ({total} columns, {scroll_width} px wide)"


def _assert_titles_clear_of_legends(page, where: str) -> None:
    for chart in page.locator('[data-testid="stPlotlyChart"]').all():
        chart.scroll_into_view_if_needed()
        boxes = chart.evaluate("""c => ['.gtitle', '.legend'].map(s => { const e = c.querySelector(s);
                                      if (!e) return null; const r = e.getBoundingClientRect();
                                      return [r.left, r.top, r.right, r.bottom] })""")
        title, legend = boxes
        if title and legend:
            apart = title[3] <= legend[1] or legend[3] <= title[1] or title[2] <= legend[0] or legend[2] <= title[0]
            assert apart, f"{where}: chart title {title} overlaps its legend {legend}"


def _walk_page(page, dataset: str, title: str, key_tables: dict[str, list[str]]) -> None:
    where = f"{dataset} / {title}"
    _no_exception(page, where)
    page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    _shoot(page, f"{dataset}_{PAGES.index(title)}_{title.split()[0].lower()}")
    for section, columns in key_tables.items():
        _assert_columns_in_view(page, columns, f"{where}, {section}")
        _shoot(page, f"{dataset}_{PAGES.index(title)}_{title.split()[0].lower()}_{section}")
    _assert_titles_clear_of_legends(page, where)
    _no_exception(page, where)


KEY_TABLES = {
    "youtube_spam": {
        "Home": {"datasets": ["dataset", "rows", "train", "dev", "test"]},
        "Data": {"browse": ["text", "label", "split"]},
        "Labeling functions": {
            "label_model": ["measure", "Majority vote", "Label model"],
            "summary": ["function", "Polarity", "Coverage", "Overlaps", "Conflicts", "Correct", "Incorrect",
                        "Emp. Acc.", "Dev cov.", "Weight"],
            "inspect": ["text", "gold", "vote", "label model", "others that fired"]},
        "Slices": {
            "per_slice": ["slice", "n", "flag", "Label model", "Label model · 95% CI", "Majority vote",
                          "Majority vote · 95% CI"],
            "error_cell": ["text", "gold", "predicted", "confidence", "votes"],
            "compare": ["sig.", "slice", "n", "A", "B", "B - A", "95% CI of B - A", "p"]},
        "Train": {}, "Compare": {}},
    "RTE": {
        "Home": {"datasets": ["dataset", "rows", "train", "dev", "test"]},
        "Data": {"browse": ["sentence1", "sentence2", "label", "split"]},
        "Labeling functions": {
            "label_model": ["measure", "Majority vote", "Label model"],
            "inspect": ["sentence1", "sentence2", "gold", "vote", "label model", "others that fired"]},
        "Slices": {
            "per_slice": ["slice", "n", "flag", "Label model", "Label model · 95% CI", "Majority vote",
                          "Majority vote · 95% CI"],
            "error_cell": ["sentence1", "sentence2", "gold", "predicted", "confidence"]},
        "Train": {}, "Compare": {}},
}


def _heatmap_click_is_remembered(page) -> None:
    """Clicking a heatmap cell lists its examples; leaving the page and coming back keeps that cell."""
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="gold × predicted").first
    chart.scroll_into_view_if_needed()
    cells = chart.locator("g.trace.bars path")
    assert cells.count() == 4
    box = cells.nth(2).bounding_box()  # gold spam, predicted ham (cells row by row)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _idle(page)
    _shoot(page, "youtube_spam_3_slices_clicked_cell")
    _wait_for_chosen_cell(page, "gold spam → predicted ham")
    open_page(page, "Data")
    open_page(page, "Slices")
    _wait_for_chosen_cell(page, "gold spam → predicted ham")


def _wait_for_chosen_cell(page, label: str) -> None:
    """The "Examples of" chooser comes to show ``label`` (its choice is drawn as its input's value)."""
    chooser = page.locator('[data-testid="stSelectbox"]').filter(has_text="Examples of")
    chooser.wait_for()
    page.wait_for_function(
        """([box, label]) => [...box.querySelectorAll('input')].some(i => i.value.includes(label))
                             || box.innerText.includes(label)""", arg=[chooser.element_handle(), label])


def test_every_page_reads_at_a_glance_on_youtube_spam_and_rte(page, app_server, shared_data):
    url, tmp = app_server
    walk_workspace(tmp, shared_data)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(url)
    page.locator('[data-testid="stSidebarNav"]').wait_for()
    _idle(page)
    titles = [t for t in PAGES
              if page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t, exact=True).count()]
    assert titles[:5] == list(PAGES[:5])  # Compare joins the walk once its page is in the app
    for dataset, tables in KEY_TABLES.items():
        open_page(page, "Data")
        _choose_dataset(page, dataset)
        for title in titles:
            open_page(page, title)
            if title == "Slices":
                page.get_by_text("Per-slice metrics on dev").wait_for(timeout=180_000)
            _walk_page(page, dataset, title, tables[title])
            if title == "Train":  # it starts from the dataset chosen on the other pages
                picked = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Tasks").first
                assert f"{dataset} / " in picked.inner_text(), picked.inner_text()
            if title == "Slices" and dataset == "youtube_spam":
                _heatmap_click_is_remembered(page)
    shots = sorted(p.name for p in SHOTS.glob("*.png"))
    assert len([s for s in shots if s.startswith(("youtube_spam_", "RTE_"))]) >= 2 * 5
