"""A page switch through the real server: ``streamlit run app.py`` with YouTube spam and RTE loaded (the page walk's
workspace, from ../shared/data), Debian's chromium at 1280 x 800 clicking the sidebar from page to page once every
page has been opened (functions applied, label model fitted, caches warm: "once the data is loaded").

A switch is timed from the click to the new page's script having finished (Streamlit's own script-state flag on the
app element, and the page's heading drawn): server time plus the browser's drawing, so an upper bound on the server
time the issue's target (under 1 s) is about.

    python bench/page_switch.py [--rounds 3] [--dataset youtube_spam]
Last line: ``page_switch_ms: <median ms of a switch over every page and round>``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "browser")]  # run as `python bench/<name>.py`
from browser_helpers import (CHROMIUM_FLAGS, open_page, start_server, stop_server, wait_for_page,  # noqa: E402
                             walk_workspace)

PAGES = ("Home", "Data", "Labeling functions", "Slices", "Train")
SHARED_DATA = REPO.parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each page is switched to")
    parser.add_argument("--dataset", default="youtube_spam", choices=("youtube_spam", "RTE"))
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None or not (SHARED_DATA / "README.md").exists():
        sys.exit("needs Debian's chromium and ../shared/data")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        walk_workspace(folder, SHARED_DATA)
        proc, url = start_server(folder)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
                page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
                page.goto(url)
                wait_for_page(page, "Home")
                open_page(page, "Data")
                page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
                page.get_by_role("option", name=args.dataset, exact=True).click()
                page.wait_for_timeout(300)
                wait_for_page(page)
                for title in PAGES:  # warm: every page's first visit applies functions and fits models
                    open_page(page, title)
                times: dict[str, list[tuple[float, float]]] = {t: [] for t in PAGES}
                for _ in range(args.rounds):
                    for title in PAGES:
                        times[title].append(switch(page, title))
                browser.close()
        finally:
            stop_server(proc)
    for title, pairs in times.items():
        total, running = zip(*pairs)
        print(f"{title:>20}: click to drawn median {statistics.median(total):5.0f} ms (max {max(total):.0f}); "
              f"script running median {statistics.median(running):5.0f} ms")
    print(f"page_switch_ms: {statistics.median([t for pairs in times.values() for t, _ in pairs]):.0f}")


def switch(page, title: str) -> tuple[float, float]:
    """Click ``title`` in the navigation; returns (ms from the click to the page drawn, ms the app's script-state
    flag said "running": the server's run plus the messages' way to the browser), both on the page's own clock."""
    page.evaluate("""title => { window.__stamps = [];
        const app = document.querySelector('[data-testid="stApp"]');
        new MutationObserver(() => window.__stamps.push([app.getAttribute('data-test-script-state'),
                                                          performance.now()]))
            .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
        window.__clicked = performance.now();
        [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
            .find(a => a.innerText.trim().split('\\n').pop().trim() === title).click() }""", title)
    wait_for_page(page, title)
    clicked, stamps = page.evaluate("[window.__clicked, window.__stamps]")
    started = next(t for state, t in stamps if state == "running")
    ended = [t for state, t in stamps if state == "notRunning"][-1]
    return ended - clicked, ended - started


if __name__ == "__main__":
    main()
