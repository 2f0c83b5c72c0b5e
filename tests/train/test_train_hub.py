"""An encoder given by Hugging Face hub name: downloaded from a hub (here a fake one on 127.0.0.1), trained, and
usable for prediction later without the hub; an unknown name is a clear error about the 'encoder' setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from fake_hub import FakeHub
from train_helpers import write_table_config

REPO = Path(__file__).resolve().parents[2]


def run_cli(module: str, args: list[str], hub_url: str, home: Path):
    """``python -m module args`` with the hub at ``hub_url`` and its cache under ``home`` (endpoints are read at
    import, hence a fresh process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env.update(HF_ENDPOINT=hub_url, HF_HOME=str(home), HF_HUB_DISABLE_TELEMETRY="1")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)


def test_hub_encoder_is_downloaded_trained_and_predicts_offline_later(tmp_path, tiny_encoder):
    with FakeHub({"mmtl-test/tiny-bert": Path(tiny_encoder)}) as hub:
        config = write_table_config(tmp_path, "mmtl-test/tiny-bert", "finetune")
        done = run_cli("mmtl_core.train", [str(config)], hub.url, tmp_path / "hf")
    assert done.returncode == 0, done.stderr[-3000:]
    assert any(r.startswith("GET /mmtl-test/tiny-bert/resolve/") and r.endswith("/model.safetensors")
               for r in hub.requests)
    run = Path(done.stdout.strip().splitlines()[-1])
    assert (run / "weights" / "review.safetensors").exists()

    rows = tmp_path / "new.csv"
    pd.DataFrame({"text": ["not good", "so bad"]}).to_csv(rows, index=False)
    # the hub is gone (no offline setting either): the encoder's config and tokenizer come from the download cache
    done = run_cli("mmtl_core.predict", [str(run), str(rows)], hub.url, tmp_path / "hf")
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(pd.read_parquet(tmp_path / "new.predictions.parquet")) == 2


def test_unknown_hub_name_is_an_error_about_the_encoder_setting(tmp_path, tiny_encoder):
    with FakeHub({"mmtl-test/tiny-bert": Path(tiny_encoder)}) as hub:
        config = write_table_config(tmp_path, "mmtl-test/tiny-bret", "finetune")  # a typo in the name
        done = run_cli("mmtl_core.train", [str(config)], hub.url, tmp_path / "hf")
    assert done.returncode == 2
    assert "setting 'encoder'" in done.stderr and "'mmtl-test/tiny-bret'" in done.stderr
    assert "Traceback" not in done.stderr and "HTTP Request" not in done.stderr  # the message, not noise


def test_unreachable_hub_is_an_error_about_the_encoder_setting_at_once(tmp_path, tiny_encoder):
    with FakeHub({}) as hub:
        url = hub.url  # a port that was just free: nothing listens there once the hub is shut
    config = write_table_config(tmp_path, "mmtl-test/tiny-bert", "finetune")
    done = run_cli("mmtl_core.train", [str(config)], url, tmp_path / "hf")
    assert done.returncode == 2
    assert f"setting 'encoder': 'mmtl-test/tiny-bert' is not in the Hugging Face download cache and the hub at {url} " \
           "cannot be reached" in done.stderr
    assert "Retrying" not in done.stderr  # said at once, not after the hub client's minute of retries
