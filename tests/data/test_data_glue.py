"""GLUE folders: every task's quirks on tiny literal files, then the real files with their known row counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mmtl_core.data import load_glue_task
from mmtl_core.errors import DataError
from mmtl_core.tasks import GLUE_TASKS

BOM = "\ufeff"


def write(folder: Path, rel: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def glue(tmp_path: Path) -> Path:
    root = tmp_path / "glue_data"
    write(root, "RTE/train.tsv", 'index\tsentence1\tsentence2\tlabel\n0\tA "quoted start\tB\tentailment\n'
                                 "1\tC\tD\tnot_entailment\n")
    write(root, "RTE/test.tsv", "index\tsentence1\tsentence2\n0\tE\tF\n")
    write(root, "CoLA/train.tsv", "gj04\t1\t\tGood sentence.\ngj04\t0\t*\tBad sentence sentence.\n")
    write(root, "CoLA/test.tsv", "index\tsentence\n0\tUnlabeled.\n")
    write(root, "MRPC/dev.tsv", f"{BOM}Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t11\t12\tS1\tS2\n")
    write(root, "MRPC/test.tsv", "index\t#1 ID\t#2 ID\t#1 String\t#2 String\n0\t21\t22\tT1\tT2\n")
    write(root, "STS-B/dev.tsv", "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2"
                                 "\tscore\n0\tmain\tx\t2012\t0\tnone\tnone\tA man.\tA man!\t4.750\n")
    write(root, "STS-B/test.tsv", "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\t"
                                  "sentence2\n0\tmain\tx\t2012\t1\tnone\tnone\tX\tY\n")
    write(root, "QNLI/dev.tsv", "index\tquestion\tsentence\tlabel\n7\tWhy?\tBecause.\tnot_entailment\n")
    write(root, "SST-2/dev.tsv", "sentence\tlabel\nfine film \t1\n")
    write(root, "WNLI/train.tsv", "index\tsentence1\tsentence2\tlabel\n0\tP\tH\t1\n")
    return root


def test_rte_string_labels_follow_task_order_and_quotes_are_plain_text(glue):
    ds = load_glue_task(glue, "RTE")
    assert list(ds.frame.columns) == ["example_id", "split", "sentence1", "sentence2", "label", "idx"]
    assert ds.frame["label"].tolist() == [0, 1, -1]  # entailment=0 as in GLUE_TASKS["RTE"].label_names
    assert ds.label_names == GLUE_TASKS["RTE"].label_names
    assert ds.frame["sentence1"].iloc[0] == 'A "quoted start'
    assert ds.frame["example_id"].tolist() == ["RTE/train:0", "RTE/train:1", "RTE/test:0"]
    assert ds.splits == ("train", "test")


def test_cola_headerless_train_and_headed_test(glue):
    ds = load_glue_task(glue, "CoLA")
    assert ds.frame[["split", "sentence", "label"]].values.tolist() == [
        ["train", "Good sentence.", 1], ["train", "Bad sentence sentence.", 0], ["test", "Unlabeled.", -1]]


def test_mrpc_bom_header_maps_to_hf_columns(glue):
    ds = load_glue_task(glue, "MRPC")
    assert ds.frame[["split", "sentence1", "sentence2", "label"]].values.tolist() == [
        ["dev", "S1", "S2", 1], ["test", "T1", "T2", -1]]


def test_stsb_scores_are_floats_and_test_is_nan(glue):
    ds = load_glue_task(glue, "STSB")  # the GLUE_TASKS key works as well as the folder name
    assert ds.name == "STS-B"
    assert ds.frame["label"].iloc[0] == pytest.approx(4.75)
    assert np.isnan(ds.frame["label"].iloc[1])


def test_qnli_uses_index_column_for_ids_and_sst2_keeps_text_verbatim(glue):
    assert load_glue_task(glue, "QNLI").frame["example_id"].tolist() == ["QNLI/dev:7"]
    sst = load_glue_task(glue / "SST-2", "sst-2")  # the task's own folder is accepted too
    assert sst.frame[["sentence", "label"]].values.tolist() == [["fine film ", 1]]
    assert load_glue_task(glue, "WNLI").frame["label"].tolist() == [1]


def test_malformed_row_names_file_and_line(glue):
    path = write(glue, "RTE/dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\tonly two\n")
    with pytest.raises(DataError, match=r"RTE/dev.tsv, line 3: 2 tab-separated fields, expected 4") as e:
        load_glue_task(glue, "RTE")
    assert str(path) in str(e.value)


def test_missing_column_lists_the_columns_found(glue):
    write(glue, "RTE/dev.tsv", "index\tpremise\tsentence2\tlabel\n0\ta\tb\tentailment\n")
    with pytest.raises(DataError, match="no column 'sentence1'; the columns found are index, premise, sentence2"):
        load_glue_task(glue, "RTE")


def test_label_outside_classes_names_line_and_column(glue):
    write(glue, "RTE/dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\ta\tb\tneutral\n")
    with pytest.raises(DataError, match=r"dev.tsv, column 'label': 1 row\(s\) have labels outside the classes "
                                        r"\['entailment', 'not_entailment'\]: 'neutral' \(line 3\)"):
        load_glue_task(glue, "RTE")


def test_non_utf8_and_empty_files(glue):
    write(glue, "WNLI/dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\tcaf\xe9\tb\t1\n", encoding="latin-1")
    with pytest.raises(DataError, match=r"WNLI/dev.tsv is not UTF-8 text: byte 0xe9 at line 2"):
        load_glue_task(glue, "WNLI")
    write(glue, "WNLI/dev.tsv", "")
    with pytest.raises(DataError, match=r"WNLI/dev.tsv is empty"):
        load_glue_task(glue, "WNLI")


def test_unknown_task_and_missing_folder(glue, tmp_path):
    with pytest.raises(DataError, match="unknown GLUE task 'MNLI'; choose from RTE, WNLI, QNLI"):
        load_glue_task(glue, "MNLI")
    with pytest.raises(DataError, match="elsewhere does not exist; expected a GLUE folder"):
        load_glue_task(tmp_path / "elsewhere", "RTE")
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(DataError, match="no GLUE task folder 'RTE'"):
        load_glue_task(tmp_path / "elsewhere", "RTE")
    (glue / "RTE" / "train.tsv").unlink()
    (glue / "RTE" / "test.tsv").unlink()
    with pytest.raises(DataError, match="has none of train.tsv, dev.tsv, test.tsv"):
        load_glue_task(glue, "RTE")


ROW_COUNTS = {  # from shared/data/README.md (train/dev) and the files' own test splits
    "RTE": (2490, 277, 3000), "MRPC": (3668, 408, 1725), "STS-B": (5749, 1500, 1379), "WNLI": (635, 71, 146),
    "CoLA": (8551, 1043, 1063), "SST-2": (67349, 872, 1821), "QNLI": (0, 5463, 5463),
}
TASK_KEYS = {"RTE": "RTE", "MRPC": "MRPC", "STS-B": "STSB", "WNLI": "WNLI", "CoLA": "CoLA", "SST-2": "SST2",
             "QNLI": "QNLI"}


@pytest.mark.parametrize("task", list(ROW_COUNTS))
def test_real_glue_task_loads_with_known_counts(shared_data, task):
    ds = load_glue_task(shared_data / "glue_data", task)
    sizes = tuple(len(ds.split(s)) for s in ("train", "dev", "test"))
    assert sizes == ROW_COUNTS[task]
    assert ds.frame["example_id"].is_unique
    spec = GLUE_TASKS[TASK_KEYS[task]]
    spec.check_against(ds)  # columns and label ids fit the predefined task
    labeled = ds.frame[ds.frame["split"] != "test"]["label"]
    assert labeled.notna().all() and (labeled != -1).all()


def test_real_label_distributions_match_hf_glue(shared_data):
    """Class order follows GLUE_TASKS: these counts are the ones Hugging Face's glue datasets report."""
    counts = {t: load_glue_task(shared_data / "glue_data", t).split("train")["label"].value_counts().to_dict()
              for t in ("RTE", "CoLA", "MRPC")}
    assert counts == {"RTE": {0: 1249, 1: 1241}, "CoLA": {1: 6023, 0: 2528}, "MRPC": {1: 2474, 0: 1194}}


def test_splits_argument_limits_what_is_read_and_blank_lines_are_skipped(glue):
    assert load_glue_task(glue, "RTE", splits=("test",)).splits == ("test",)
    write(glue, "WNLI/dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\tP\tH\t0\n\n")
    assert len(load_glue_task(glue, "WNLI").split("dev")) == 1
