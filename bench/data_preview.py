"""Loading a 5,000-row headerless, extensionless TSV (label TAB text, texts with unbalanced quotes) on the Data page,
through the page's own code (the real app script under Streamlit's AppTest): enter the path (sniff, read, guess the
mapping, make splits, preview), name the columns, confirm the classes, click Load. Each step is a server-side rerun
of the page; the figure is their sum.

    python bench/data_preview.py [--rows 5000]
Last line: ``data_preview_5k_s: <seconds>`` (target: under 2 s).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
WORDS = ("free", "call", "now", "win", "cash", "ok", "see", "you", "later", "lol", "home", "tonight", "prize",
         'a "quoted', "word", 'he said "hi"', "txt", "stop", "love", "u")


def write_raw(path: Path, rows: int) -> None:
    rng = random.Random(0)
    lines = [f"{'spam' if rng.random() < 0.15 else 'ham'}\t{' '.join(rng.choices(WORDS, k=rng.randint(4, 30)))}"
             for _ in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def step(at: AppTest, what: str, action, times: list[float]) -> None:
    t0 = time.perf_counter()
    action()
    times.append(time.perf_counter() - t0)
    if at.exception:
        raise SystemExit(f"{what}: the page raised {[e.message for e in at.exception]}")
    print(f"{what}: {times[-1]:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "SMSSpamCollection"
        write_raw(raw, args.rows)
        os.environ["MMTL_WORKSPACE"] = str(Path(tmp) / "workspace")
        os.environ["MMTL_FUNCTIONS_DIR"] = str(Path(tmp) / "functions")
        at = AppTest.from_file(str(REPO / "studio.py"), default_timeout=120)  # app.py serves it behind the door
        at.run()
        at.switch_page("pages/views/data.py").run()
        at.radio(key="load_kind").set_value("table").run()
        for thread in threading.enumerate():  # the app's start-up (warming the label model up) is not timed
            if thread.name == "mmtl-warm-up":
                thread.join()
        times: list[float] = []
        step(at, "path entered: sniffed, read, previewed", lambda: at.text_input(key="load_path").input(str(raw))
             .run(), times)
        step(at, "columns named", lambda: at.text_input(key="load_names").input("label, text").run(), times)
        step(at, "classes confirmed", lambda: at.checkbox(key="load_classes_ok").check().run(), times)
        step(at, "Load clicked", lambda: at.button(key="load_button").click().run(), times)
        loaded = [s.value for s in at.success]
        if not any(f"{args.rows:,} rows (train, dev, test)" in s for s in loaded):
            raise SystemExit(f"the dataset was not loaded as expected: {loaded or [e.value for e in at.error]}")
        print(f"rows: {args.rows}, python {sys.version.split()[0]}")
    print(f"data_preview_{args.rows // 1000}k_s: {sum(times):.2f}")


if __name__ == "__main__":
    main()
