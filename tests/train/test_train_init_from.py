"""Starting a run from another run's weights (``init_from``): the ladder's per-task fine-tuning and slice heads
start from the multi-task run's best checkpoint, by the run's folder or by its name."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from safetensors.torch import load_file

from mmtl_core.errors import ConfigError
from mmtl_core.model.heads import MultiTaskModel
from mmtl_core.runs.jsonfiles import read_config
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.train import TaskSpec, TrainConfig, train
from mmtl_core.train.start import load_start
from test_train_finetune_learns import dev_accuracy, flipped_words

WORDS = TaskSpec("words", text_fields=("text",))


@pytest.fixture(scope="module")
def words():
    return flipped_words()


@pytest.fixture
def config(tmp_path, tiny_encoder):
    before = torch.get_num_threads()
    yield TrainConfig(tasks=(WORDS,), encoder=tiny_encoder, lr=3e-3, epochs=10, batch_size=16, max_length=8,
                      num_threads=1, output_dir=str(tmp_path / "runs"), name="words source")
    torch.set_num_threads(before)


def test_a_run_started_from_a_trained_run_starts_where_it_ended_and_keeps_it_if_training_is_worse(config, words):
    source = train(config, datasets={"words": words})
    assert dev_accuracy(source) >= 0.95

    # a learning rate that wrecks the model: the starting weights were scored first and stay the best checkpoint
    started = train(replace(config, init_from=str(source), lr=0.5, epochs=1, name="continued"),
                    datasets={"words": words})
    records = read_metrics(started)
    assert (records[0]["stage"], records[0]["step"]) == (1, 0)  # scored before the first step
    assert records[0]["metrics"]["words/words/dev/accuracy"] == dev_accuracy(source)
    assert records[1]["metrics"]["words/words/dev/accuracy"] < dev_accuracy(source) - 0.2  # lr 0.5 did wreck it
    assert records[-1]["best"]["words"]["step"] == 0 and dev_accuracy(started) == dev_accuracy(source)
    assert read_config(started)["config"]["init_from"] == str(source)  # the run it started from, as a folder


def test_init_from_names_a_run_by_its_name_with_this_runs_seed(config, words):
    source = train(replace(config, name="words source · seed 3", seed=3, epochs=2), datasets={"words": words})
    train(replace(config, name="words source · seed 4", seed=4, epochs=1), datasets={"words": words})
    started = train(replace(config, init_from="words source · seed {seed}", seed=3, epochs=1, lr=1e-6,
                            name="continued"), datasets={"words": words})
    assert read_config(started)["config"]["init_from"] == str(source)
    by_id = train(replace(config, init_from=source.name, epochs=1, lr=1e-6), datasets={"words": words})
    assert read_config(by_id)["config"]["init_from"] == str(source)


def test_new_slice_heads_start_as_copies_of_the_loaded_task_head(config, words):
    source = train(replace(config, epochs=1), datasets={"words": words})
    saved = load_file(str(source / "weights" / "words.safetensors"))
    width = saved["heads.words.head.weight"].shape[1]
    model = MultiTaskModel(None, {"words": width}, "mean", {"words": (2, ("short", "long"))})  # heads only
    load_start(model, str(source), ["words"])
    heads = model.heads["words"]
    assert torch.equal(heads.head.weight, saved["heads.words.head.weight"])
    for s in ("short", "long"):  # MeTaL: a slice head starts as a copy of its task head, here the loaded one
        assert torch.equal(heads.slice_heads[s].weight, heads.head.weight)
        assert torch.equal(heads.slice_heads[s].bias, heads.head.bias)


@pytest.mark.parametrize("problem, change, message", [
    ("no such run", {"init_from": "nobody's run"}, r"no completed run named \"nobody's run\" in "),
    ("no weights saved", {}, r"saved no weights at all: it was trained with save_weights: false"),
    ("another encoder", {"encoder": ""}, r"fine-tuned the encoder .* this run's is"),
])
def test_a_start_that_cannot_work_is_refused_before_anything_trains(config, words, problem, change, message):
    source = train(replace(config, epochs=1, save_weights=problem != "no weights saved"),
                   datasets={"words": words})
    runs_before = sorted((source.parent).iterdir())
    with pytest.raises(ConfigError, match=r"setting 'init_from': .*" + message):
        train(replace(config, **{"init_from": str(source), **change}), datasets={"words": words})
    assert sorted(source.parent.iterdir()) == runs_before  # refused before a run folder was made
