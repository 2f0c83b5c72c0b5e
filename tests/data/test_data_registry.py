"""The dataset registry: specs survive a restart, every loader kind reloads, bad specs are refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmtl_core.data import LOADERS, DatasetSpec, load_dataset, load_specs, save_specs
from mmtl_core.errors import DataError, WorkspaceError
from mmtl_core.workspace import Workspace


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "mail.csv"
    path.write_text("text,cls,part\nbuy now,spam,train\nhi mum,ham,valid\n")
    return path


def test_specs_round_trip_through_the_workspace_file(tmp_path, table):
    ws = Workspace.at(tmp_path / "ws")
    specs = [DatasetSpec("mail", "table", table, {"text_fields": ("text",), "label_field": "cls",
                                                  "split_field": "part"}),
             DatasetSpec("RTE", "glue", tmp_path / "glue_data", {"task": "RTE"})]
    save_specs(ws.datasets_file, specs)
    assert load_specs(ws.datasets_file) == specs
    assert [p.name for p in ws.datasets_file.parent.iterdir() if p.name.endswith(".tmp")] == []
    ds = load_dataset(load_specs(ws.datasets_file)[0])
    assert ds.name == "mail" and ds.frame["split"].tolist() == ["train", "dev"]
    assert ds.frame["label"].tolist() == [1, 0]


def test_no_file_yet_means_no_datasets(tmp_path):
    assert load_specs(tmp_path / "datasets.json") == []


def test_every_loader_kind_reloads_from_a_spec(shared_data, tmp_path):
    specs = {
        "glue": DatasetSpec("SST-2", "glue", shared_data / "glue_data", {"task": "WNLI"}),
        "table": DatasetSpec("psy", "table", shared_data / "youtube_spam" / "Youtube01-Psy.csv",
                             {"text_fields": ["CONTENT"], "label_field": "CLASS", "id_field": "COMMENT_ID"}),
        "wrench": DatasetSpec("wrench_youtube", "wrench", shared_data / "wrench" / "youtube"),
        "youtube_spam": DatasetSpec("spam", "youtube_spam", shared_data / "youtube_spam", {"dev_size": 20}),
    }
    assert set(specs) == set(LOADERS)
    sizes = {kind: len(load_dataset(spec)) for kind, spec in specs.items()}
    assert sizes == {"glue": 852, "table": 350, "wrench": 1956, "youtube_spam": 1956}
    assert load_dataset(specs["glue"]).name == "SST-2"  # the spec's name wins
    assert len(load_dataset(specs["youtube_spam"]).split("dev")) == 20


def test_duplicate_names_are_refused_by_name(tmp_path, table):
    a = DatasetSpec("mail", "table", table, {"text_fields": ["text"]})
    with pytest.raises(DataError, match="two datasets are named 'mail'"):
        save_specs(tmp_path / "datasets.json", [a, a])
    (tmp_path / "datasets.json").write_text(json.dumps([
        {"name": "x", "kind": "wrench", "path": "a", "options": {}},
        {"name": "x", "kind": "wrench", "path": "b", "options": {}}]))
    with pytest.raises(DataError, match="two datasets are named 'x'"):
        load_specs(tmp_path / "datasets.json")


def test_bad_specs_name_the_problem(table):
    with pytest.raises(DataError, match="unknown loader 'excel'; choose from glue, table, wrench, youtube_spam"):
        DatasetSpec("m", "excel", table)
    with pytest.raises(DataError, match="loader 'table' needs the option 'text_fields'"):
        DatasetSpec("m", "table", table)
    with pytest.raises(DataError, match="loader 'glue' has no option 'tsk'; its options are splits, task"):
        DatasetSpec("m", "glue", table, {"tsk": "RTE"})
    with pytest.raises(DataError, match="dataset name 'a/b' must be non-empty, without '/'"):
        DatasetSpec("a/b", "wrench", table)
    with pytest.raises(DataError, match="options must be JSON values"):
        DatasetSpec("m", "glue", table, {"task": object()})


def test_corrupt_file_is_a_workspace_error(tmp_path):
    path = tmp_path / "datasets.json"
    path.write_text("[{not json")
    with pytest.raises(WorkspaceError, match="datasets.json: cannot read the saved dataset list"):
        load_specs(path)


def test_failed_load_changes_nothing(tmp_path, table):
    path = tmp_path / "datasets.json"
    good = DatasetSpec("mail", "table", table, {"text_fields": ["text"]})
    save_specs(path, [good])
    before = path.read_bytes()
    broken = DatasetSpec("broken", "table", table, {"text_fields": ["body"]})
    with pytest.raises(DataError, match="no column 'body'"):
        load_dataset(broken)
    assert path.read_bytes() == before
    assert len(load_dataset(load_specs(path)[0])) == 2
