"""Tables with a column mapping: the same rows in CSV, TSV, JSON Lines and Parquet, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmtl_core.data import ColumnMapping, load_table
from mmtl_core.errors import DataError

ROWS = pd.DataFrame({
    "id": ["a1", "a2", "a3", "a4"],
    "body": ["buy now", "nice song", "free money", "hello"],
    "title": ["t1", "t2", "t3", "t4"],
    "cls": ["spam", "ham", "spam", ""],
    "part": ["train", "Validation", "valid", "TEST"],
})
MAPPING = ColumnMapping(("body", "title"), "cls", "part", id_field="id")


def write_as(frame: pd.DataFrame, path: Path) -> Path:
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict("records")))
    else:
        frame.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_column_mapping_gives_the_same_dataset_in_every_format(tmp_path, suffix):
    ds = load_table(write_as(ROWS, tmp_path / f"mail{suffix}"), MAPPING)
    assert ds.name == "mail"
    assert ds.frame["split"].tolist() == ["train", "dev", "dev", "test"]
    assert ds.label_names == ("ham", "spam")  # sorted unique values
    assert ds.frame["label"].tolist() == [1, 0, 1, -1]  # an empty label is unlabeled
    assert ds.frame["example_id"].tolist() == ["mail:a1", "mail:a2", "mail:a3", "mail:a4"]
    assert list(ds.frame.columns) == ["example_id", "split", "body", "title", "label", "id"]
    reference = load_table(write_as(ROWS, tmp_path / "ref.csv"), MAPPING, name="mail")
    assert ds.fingerprint == reference.fingerprint


def test_declared_label_names_fix_the_order_and_accept_ids(tmp_path):
    frame = ROWS.assign(cls=["spam", "0", "1", "-1"])
    ds = load_table(write_as(frame, tmp_path / "m.csv"), ColumnMapping(("body",), "cls", label_names=("spam", "ham")))
    assert ds.frame["label"].tolist() == [0, 0, 1, -1]
    assert ds.label_names == ("spam", "ham")
    assert set(ds.frame["split"]) == {"train"}  # no split field: all train
    assert ds.frame["example_id"].tolist() == ["m:0", "m:1", "m:2", "m:3"]  # positional without an id field
    assert "part" in ds.frame.columns  # unmapped columns are kept


def test_integer_and_float_labels(tmp_path):
    ints = load_table(write_as(ROWS.assign(cls=[2, 0, 1, 0]), tmp_path / "i.jsonl"), ColumnMapping(("body",), "cls"))
    assert ints.label_names == ("0", "1", "2") and ints.frame["label"].tolist() == [2, 0, 1, 0]
    scores = load_table(write_as(ROWS.assign(cls=[0.5, 4.25, 3.0, None]), tmp_path / "s.parquet"),
                        ColumnMapping(("body",), "cls"))
    assert scores.label_names == ()
    assert scores.frame["label"].iloc[:3].tolist() == [0.5, 4.25, 3.0] and np.isnan(scores.frame["label"].iloc[3])


def test_ids_are_stable_under_reordering_and_unique_with_duplicates(tmp_path):
    a = load_table(write_as(ROWS, tmp_path / "x.csv"), MAPPING)
    b = load_table(write_as(ROWS.iloc[::-1], tmp_path / "x.csv"), MAPPING)
    assert dict(zip(a.frame["example_id"], a.frame["body"])) == dict(zip(b.frame["example_id"], b.frame["body"]))
    dup = load_table(write_as(ROWS.assign(id=["k", "k", "j", "k"]), tmp_path / "d.csv"), MAPPING)
    assert dup.frame["example_id"].tolist() == ["d:k", "d:k#2", "d:j", "d:k#3"]


def test_fingerprint_changes_with_content_only(tmp_path):
    path = write_as(ROWS, tmp_path / "f.csv")
    first = load_table(path, MAPPING).fingerprint
    assert load_table(path, MAPPING).fingerprint == first
    write_as(ROWS.assign(body=["buy now!", *ROWS["body"][1:]]), path)
    assert load_table(path, MAPPING).fingerprint != first
    write_as(ROWS.assign(cls=["ham", "ham", "spam", ""]), path)
    assert load_table(path, MAPPING).fingerprint != first


def test_source_columns_named_like_ours_are_kept_under_a_prefix(tmp_path):
    ds = load_table(write_as(ROWS.assign(split="x", label="y"), tmp_path / "r.csv"), ColumnMapping(("body",), "cls"))
    assert ds.frame["source_split"].iloc[0] == "x" and ds.frame["source_label"].iloc[0] == "y"
    assert set(ds.frame["split"]) == {"train"}


def test_nested_json_values_are_kept_as_json_text(tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_text('{"text": "a", "meta": {"k": [1, 2]}, "tags": ["x"]}\n{"text": "b", "meta": null, "tags": []}\n')
    ds = load_table(path, ColumnMapping(("text",)))
    assert ds.frame["meta"].iloc[0] == '{"k": [1, 2]}' and ds.frame["tags"].tolist() == ['["x"]', "[]"]
    assert ds.fingerprint  # hashable


# --- bad input: each names the file and the line or column -------------------------------------------------


def test_missing_column_lists_columns_found_and_suggests(tmp_path):
    path = write_as(ROWS, tmp_path / "m.csv")
    with pytest.raises(DataError, match=r"m.csv: no column 'Body' \(did you mean 'body'\?\); the columns found are: "
                                        r"id, body, title, cls, part"):
        load_table(path, ColumnMapping(("Body",), "cls"))


def test_label_outside_declared_classes_names_every_value_and_its_rows(tmp_path):
    path = write_as(ROWS.assign(cls=["eggs", "ham", "spam ", "eggs"]), tmp_path / "m.csv")
    with pytest.raises(DataError, match=r"m.csv, column 'cls': 2 row\(s\) have labels outside the classes "
                                        r"\['ham', 'spam'\]: 'eggs' \(lines 2, 5\)"):
        load_table(path, ColumnMapping(("body",), "cls", label_names=("ham", "spam")))
    with pytest.raises(DataError, match=r"n.jsonl, column 'cls': 2 row\(s\) have labels outside the classes "
                                        r"\['ham', 'spam'\]: '7' \(line 3\); '9' \(line 4\)"):
        load_table(write_as(ROWS.assign(cls=[0, 1, 7, 9]), tmp_path / "n.jsonl"),
                   ColumnMapping(("body",), "cls", label_names=("ham", "spam")))


def test_unknown_split_value(tmp_path):
    path = write_as(ROWS.assign(part=["train", "dev", "holdout", "test"]), tmp_path / "m.tsv")
    with pytest.raises(DataError, match=r"m.tsv, line 4, column 'part': split 'holdout' is not one of train, "):
        load_table(path, MAPPING)


def test_malformed_csv_rows(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("body,cls\nok,1\n\"a, b\",0\nx,1,extra\n")
    with pytest.raises(DataError, match=r"m.csv, line 4: 3 comma-separated field\(s\), expected 2 as in the header "
                                        r"row \(line 1\): 'x,1,extra'"):
        load_table(path, ColumnMapping(("body",), "cls"))
    path.write_text("body,title,cls\nok,t,1\nshort\n")
    with pytest.raises(DataError, match=r"m.csv, line 3: 1 comma-separated field\(s\), expected 3"):
        load_table(path, ColumnMapping(("body", "title"), "cls"))


def test_malformed_jsonl(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text('{"body": "a", "cls": 1}\n\n{"body": "b", cls: 0}\n')
    with pytest.raises(DataError, match=r"m.jsonl, line 3: not valid JSON"):
        load_table(path, ColumnMapping(("body",), "cls"))
    path.write_text('{"body": "a", "cls": 1}\n{"cls": 0}\n')
    with pytest.raises(DataError, match=r"m.jsonl, line 2: no value for column 'body'"):
        load_table(path, ColumnMapping(("body",), "cls"))
    path.write_text('[{"body": "a"}]\n')
    with pytest.raises(DataError, match="looks like one JSON array"):
        load_table(path, ColumnMapping(("body",)))


def test_non_utf8_empty_and_header_only_files(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes("body,cls\nok,1\ncaf\xe9,0\n".encode("cp1252"))
    with pytest.raises(DataError, match=r"m.csv is not UTF-8 text: byte 0xe9 at line 3"):
        load_table(path, ColumnMapping(("body",), "cls"))
    path.write_text("")
    with pytest.raises(DataError, match=r"m.csv is empty"):
        load_table(path, ColumnMapping(("body",)))
    path.write_text("body,cls\n")
    with pytest.raises(DataError, match=r"m.csv has no data rows"):
        load_table(path, ColumnMapping(("body",)))


def test_file_that_is_not_what_its_extension_says(tmp_path):
    fake = tmp_path / "m.parquet"
    write_as(ROWS, tmp_path / "m.csv").rename(fake)
    with pytest.raises(DataError, match=r"m.parquet is not a Parquet file \(it is text "
                                        r"starting 'id,body,title,cls,part'\)"):
        load_table(fake, ColumnMapping(("body",)))
    fake = tmp_path / "p.csv"
    write_as(ROWS, tmp_path / "p.parquet").rename(fake)
    with pytest.raises(DataError, match=r"p.csv is a Parquet file, not CSV"):
        load_table(fake, ColumnMapping(("body",)))
    truncated = tmp_path / "t.parquet"
    truncated.write_bytes((tmp_path / "p.csv").read_bytes()[:200])
    with pytest.raises(DataError, match=r"t.parquet: cannot read this Parquet file"):
        load_table(truncated, ColumnMapping(("body",)))


def test_unknown_extension_is_sniffed_and_a_missing_file_named(tmp_path):
    workbook = tmp_path / "m.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + bytes(100))  # a spreadsheet is a zip archive
    with pytest.raises(DataError, match=r"m.xlsx is a zip archive, not a table file \(CSV, TSV, JSON Lines or "
                                        r"Parquet\)"):
        load_table(workbook, ColumnMapping(("body",)))
    with pytest.raises(DataError, match=r"nope.csv does not exist"):
        load_table(tmp_path / "nope.csv", ColumnMapping(("body",)))


def test_mapping_needs_one_or_two_text_fields():
    with pytest.raises(DataError, match="one or two text fields, not 3"):
        ColumnMapping(("a", "b", "c"))
    assert ColumnMapping("text").text_fields == ("text",)
