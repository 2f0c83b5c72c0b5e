"""Progress reports: the meter's rate and time left, and the one text and fraction the app and the CLI show."""

from __future__ import annotations

from mmtl_core.progress import Meter, progress_fraction, progress_text


def test_meter_reports_start_throttled_steps_and_the_end(monkeypatch):
    clock = iter([0.0, 0.1, 0.2, 2.0, 3.0])
    monkeypatch.setattr("mmtl_core.progress.time.perf_counter", lambda: next(clock))
    seen = []
    meter = Meter(seen.append, "encode", "RTE/train", 100)
    meter.advance(10)  # at 0.1 s: too soon for another report
    meter.advance(10)  # 0.2 s
    meter.advance(30)  # 2.0 s: 50 rows in 2 s
    meter.advance(50)  # 3.0 s: done
    assert [r["done"] for r in seen] == [0, 50, 100]
    assert seen[1]["rows_per_s"] == 25.0 and seen[1]["eta_s"] == 2.0 and seen[2]["eta_s"] == 0.0
    assert progress_text(seen[1]) == "Encoding RTE/train: 50 of 100 rows (25.0 rows/s, 2 s left)"
    assert progress_text(seen[0]) == "Encoding RTE/train: 0 of 100 rows" and progress_fraction(seen[1]) == 0.5


def test_texts_of_every_phase():
    assert progress_text({"phase": "load_encoder", "what": "minilm", "done": 1, "total": 1, "elapsed_s": 2.4}) == \
        "Loading the encoder minilm: done in 2 s"
    assert progress_text({"phase": "tokenize", "what": "s/dev", "done": 3000, "total": 9000, "rows_per_s": 1500.0,
                          "eta_s": 125.0}) == "Tokenizing s/dev: 3,000 of 9,000 rows (1,500.0 rows/s, 2 min 05 s left)"
    train = {"phase": "train", "stage": 1, "step": 30, "total_steps": 120, "epoch": 0.25, "loss": 0.6931,
             "examples_per_s": 512.0, "eta_s": 12.0}
    assert progress_text(train) == ("Training (stage 1): step 30 of 120, epoch 0.25, loss 0.6931 "
                                    "(512.0 examples/s, 12 s left)")
    assert progress_fraction(train) == 0.25
