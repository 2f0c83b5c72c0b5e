"""Labels are never renumbered behind the user's back: integer labels keep their value as id, declared classes
refuse other values (naming them and their rows), and a label map gives other ids on request."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmtl_core.data import ColumnMapping, load_table
from mmtl_core.data.labels import encode_labels, number_values
from mmtl_core.data.locate import Locator
from mmtl_core.errors import DataError


def encode(values, names=None, label_map=None):
    series = pd.Series(values, dtype=object)
    where = Locator("f.csv", np.arange(2, len(series) + 2))  # a header on line 1
    return encode_labels(series, where, "cls", names, label_map)


def test_integer_labels_keep_their_value_as_id():
    ids, names = encode(["0", "1", "7", "1", ""])
    assert ids.tolist() == [0, 1, 7, 1, -1] and names == ("0", "1", "2", "3", "4", "5", "6", "7")
    ids, names = encode([1.0, 0.0, 2.0, np.nan])  # JSON and Parquet store integers as floats
    assert ids.tolist() == [1, 0, 2, -1] and names == ("0", "1", "2")


def test_negative_integer_labels_are_refused_naming_values_and_rows():
    with pytest.raises(DataError, match=r"f.csv, column 'cls': 3 row\(s\) have negative integer labels: '-3' "
                                        r"\(lines 5, 7\); '-2' \(line 6\)\. An integer label is its class id"):
        encode(["0", "1", "7", "-3", "-2", "-3", "-1"])


def test_string_labels_are_numbered_in_sorted_order():
    ids, names = encode(["spam", "ham", "spam", "None"])
    assert ids.tolist() == [1, 0, 1, -1] and names == ("ham", "spam")


def test_declared_classes_refuse_every_other_value_naming_rows():
    with pytest.raises(DataError) as e:
        encode(["ham", "eggs", "2", "spam", "eggs", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"], ("ham", "spam"))
    message = str(e.value)
    assert message.startswith("f.csv, column 'cls': 11 row(s) have labels outside the classes ['ham', 'spam']: "
                              "'eggs' (lines 3, 6); '2' (line 4); 'x1' (line 7)")
    assert "; and 2 more values." in message and "a class id 0..1, or -1 / empty for unlabeled" in message
    ids, _ = encode(["spam", "0", "1", "-1"], ("spam", "ham"))  # names, or ids of the declared classes
    assert ids.tolist() == [0, 0, 1, -1]


def test_a_label_map_gives_other_ids_and_names_classes_by_value():
    ids, names = encode(["0", "1", "7", "-3", ""], label_map=number_values(pd.Series(["0", "1", "7", "-3"])))
    assert ids.tolist() == [1, 2, 3, 0, -1] and names == ("-3", "0", "1", "7")
    assert number_values(pd.Series(["b", "a", "b", ""])) == {"a": 0, "b": 1}
    with pytest.raises(DataError, match=r"1 row\(s\) are not in the label map \(2 values\): '9' \(line 4\)"):
        encode(["0", "7", "9"], label_map={"0": 0, "7": 1})


def test_table_labels_through_the_column_mapping(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("text,y\na,0\nb,1\nc,7\nd,1\n")
    ds = load_table(path, ColumnMapping(("text",), "y"))
    assert ds.frame["label"].tolist() == [0, 1, 7, 1] and len(ds.label_names) == 8
    mapped = load_table(path, ColumnMapping(("text",), "y", label_map={"0": 0, "1": 1, "7": 2},
                                            label_names=("no", "yes", "maybe")))
    assert mapped.frame["label"].tolist() == [0, 1, 2, 1] and mapped.label_names == ("no", "yes", "maybe")
    with pytest.raises(DataError, match=r"label_map uses class id 2 but only 2 class names are given"):
        ColumnMapping(("text",), "y", label_map={"0": 0, "7": 2}, label_names=("a", "b"))
    with pytest.raises(DataError, match=r"label_map must map label values to class ids"):
        ColumnMapping(("text",), "y", label_map={"0": -1})
