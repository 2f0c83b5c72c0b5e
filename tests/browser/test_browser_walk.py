"""The browser test looks: it walks every page on YouTube spam and on RTE at 1280 x 800, as a user's laptop shows
them, saves a screenshot of each (and of each key table scrolled into view) in ci-artifacts/screenshots/, and checks
that no page shows an exception, that the columns answering each table's question are inside the viewport (from the
grid's own rendering, not from the data), and that no chart title overlaps its legend.

Real parts throughout: `streamlit run`, Debian's chromium, the shipped functions applied to the real datasets. RTE's
stored run is a word-overlap baseline written through the runs package, as a training run writes its predictions (so
the Slices page has a model's predictions to show without training one here).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from mmtl_core.data import DatasetSpec, load_glue_task, save_specs
from mmtl_core.runs.jsonfiles import write_config
from mmtl_core.runs.layout import create_run_dir
from mmtl_core.runs.predictions import write_predictions
from mmtl_core.runs.status import write_status

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "ci-artifacts" / "screenshots"
WIDTH, HEIGHT = 1280, 800
PAGES = ("Home", "Data", "Labeling functions", "Slices", "Train", "Compare")

# Labeling functions for RTE, so its Labeling and Slices pages have votes, a label model and examples to show.
RTE_LFS = r'''
import re

from snorkel.labeling import labeling_function

ABSTAIN, ENTAILMENT, NOT_ENTAILMENT = -1, 0, 1
WORD = re.compile(r"[a-z0-9]+")
NEGATION = re.compile(r"\b(not|no|never)\b|n't\b", re.I)


def overlap(x):
    premise = set(WORD.findall(x.sentence1.lower()))
    hypothesis = WORD.findall(x.sentence2.lower())
    return sum(w in premise for w in hypothesis) / max(len(hypothesis), 1)


@labeling_function()
def hypothesis_inside_premise(x):
    return ENTAILMENT if overlap(x) >= 0.9 else ABSTAIN


@labeling_function()
def few_shared_words(x):
    return NOT_ENTAILMENT if overlap(x) < 0.5 else ABSTAIN


@labeling_function()
def negation_only_in_hypothesis(x):
    return NOT_ENTAILMENT if NEGATION.search(x.sentence2) and not NEGATION.search(x.sentence1) else ABSTAIN
'''


@pytest.fixture
def viewport() -> dict:
    return {"width": WIDTH, "height": HEIGHT}


def _workspace(tmp: Path, shared_data: Path) -> None:
    """YouTube spam and RTE loaded, their shipped functions, and a stored run of RTE predictions."""
    save_specs(tmp / "workspace" / "datasets.json", [
        DatasetSpec("youtube_spam", "youtube_spam", str(shared_data / "youtube_spam")),
        DatasetSpec("RTE", "glue", str(shared_data / "glue_data"), {"task": "RTE"})])
    functions = tmp / "functions"
    functions.mkdir(exist_ok=True)
    for module in ("youtube_spam.py", "youtube_spam_slices.py", "rte_slices.py"):
        shutil.copy(REPO / "labeling_functions" / module, functions)
    (functions / "rte_votes.py").write_text(RTE_LFS)
    dev = load_glue_task(shared_data / "glue_data", "RTE").split("dev")
    words = [(set(re.findall(r"\w+", p.lower())), re.findall(r"\w+", h.lower()))
             for p, h in zip(dev["sentence1"], dev["sentence2"])]
    entail = np.array([sum(w in p for w in h) / max(len(h), 1) for p, h in words]).clip(0.05, 0.95)
    run = create_run_dir(tmp / "workspace" / "runs")
    write_config(run, {"name": "word overlap", "tasks": [{"task": {"name": "RTE"}, "dataset": "RTE"}]})
    write_predictions(run, "RTE", "dev", dev["example_id"].to_numpy(), np.column_stack([entail, 1 - entail]))
    write_status(run, "completed")


def _idle(page) -> None:
    page.wait_for_timeout(400)  # the rerun a click starts may not have shown its status yet
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=180_000)


def _open(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    _idle(page)
    page.locator("h1").first.wait_for()
    _idle(page)


def _choose_dataset(page, name: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=name, exact=True).click()
    _idle(page)


def _shoot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _no_exception(page, where: str) -> None:
    shown = page.locator('[data-testid="stException"]')
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
    chooser = page.locator('[data-testid="stSelectbox"]').filter(has_text="Examples of")
    chooser.get_by_text("gold spam → predicted ham").wait_for()
    _open(page, "Data")
    _open(page, "Slices")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Examples of").get_by_text(
        "gold spam → predicted ham").wait_for()


def test_every_page_reads_at_a_glance_on_youtube_spam_and_rte(page, app_server, shared_data):
    url, tmp = app_server
    _workspace(tmp, shared_data)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(url)
    _idle(page)
    titles = [t for t in PAGES
              if page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t, exact=True).count()]
    assert titles[:5] == list(PAGES[:5])  # Compare joins the walk once its page is in the app
    for dataset, tables in KEY_TABLES.items():
        _open(page, "Data")
        _choose_dataset(page, dataset)
        for title in titles:
            _open(page, title)
            if title == "Slices":
                page.get_by_text("Per-slice metrics on dev").wait_for(timeout=180_000)
            _walk_page(page, dataset, title, tables[title])
            if title == "Slices" and dataset == "youtube_spam":
                _heatmap_click_is_remembered(page)
    shots = sorted(p.name for p in SHOTS.glob("*.png"))
    assert len([s for s in shots if s.startswith(("youtube_spam_", "RTE_"))]) >= 2 * 5
