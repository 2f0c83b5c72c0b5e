"""Table files read exactly as they are: TSV split on tabs only, CSV with its quoting, header or not, files without
an extension sniffed, every skipped or merged line noted, every unparsable line reported by number."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from mmtl_core.data import ColumnMapping, TableFormat, load_table, read_table_file, sniff_table
from mmtl_core.data.sniff import guess_header
from mmtl_core.errors import DataError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SMS = FIXTURES / "sms_raw"  # label TAB text, no header, no extension, texts with unbalanced double quotes


def sms_lines() -> list[list[str]]:
    return [line.split("\t") for line in SMS.read_text(encoding="utf-8").splitlines()]


def test_headerless_extensionless_tsv_with_unbalanced_quotes_reads_one_row_per_line():
    assert sniff_table(SMS) == TableFormat("tsv", header=False)
    frame = read_table_file(SMS, sniff_table(SMS))
    assert list(frame.columns) == ["column_1", "column_2"]
    assert frame.values.tolist() == sms_lines()  # 10 lines, 10 rows, every quote kept where it was
    assert len(frame) == 10 and frame["column_2"].str.contains('"').sum() == 5
    assert frame.attrs["lines"].tolist() == list(range(1, 11)) and frame.attrs["notes"] == ()


def test_pandas_default_reading_merges_those_lines():
    """The failure this reader avoids: CSV quoting swallows the lines after an unbalanced quote."""
    assert len(pd.read_csv(SMS, sep="\t", header=None)) < 10


def test_csv_quoting_on_a_tsv_is_the_users_choice_and_reports_where_it_breaks(tmp_path):
    with pytest.raises(DataError, match=r"sms_raw, line 5: cannot parse this TSV record \(a quoted field opened on "
                                        r"line 5 closes on line 8 with text after the closing quote\); check the "
                                        r"quotes there, or read the file without quoting"):
        read_table_file(SMS, TableFormat("tsv", header=False, quoting=True))
    quoted = tmp_path / "q.tsv"
    quoted.write_text('text\tlabel\n"two\nlines"\t1\n"a\ttab"\t0\n')
    frame = read_table_file(quoted, TableFormat(quoting=True))
    assert frame["text"].tolist() == ["two\nlines", "a\ttab"]
    assert frame.attrs["lines"].tolist() == [2, 4]
    assert frame.attrs["notes"] == ("1 record(s) span several lines because a quoted field holds a line break "
                                    "(lines 2-3)",)
    with pytest.raises(DataError, match=r"q.tsv, line 2: 1 tab-separated field\(s\), expected 2"):
        read_table_file(quoted)  # the default for TSV: quotes are characters, so the first record is broken


def test_column_names_for_a_headerless_file(tmp_path):
    frame = read_table_file(SMS, TableFormat("tsv", header=False, column_names=("label", "text")))
    assert list(frame.columns) == ["label", "text"] and frame["label"].iloc[2] == "spam"
    with pytest.raises(DataError, match=r"3 column name\(s\) given \(a, b, c\) but line 1 has 2 tab-separated"):
        read_table_file(SMS, TableFormat("tsv", header=False, column_names=("a", "b", "c")))
    with pytest.raises(DataError, match="column names are given for a file whose first line is a header row"):
        read_table_file(SMS, TableFormat("tsv", column_names=("label", "text")))
    with pytest.raises(DataError, match="header, column names and quoting apply to csv and tsv files, not parquet"):
        TableFormat("parquet", header=False)


def test_a_line_that_does_not_parse_is_reported_with_its_number_and_the_others_counted(tmp_path):
    path = tmp_path / "raw"
    lines = SMS.read_text(encoding="utf-8").splitlines()
    lines[3] += "\textra"
    lines[7] = lines[7].replace("\t", " ")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"raw, line 4: 3 tab-separated field\(s\), expected 2 as in the first line: "
                                        r"'ham\\tHe said \"hi\".*; 2 lines do not fit \(lines 4, 8\); a text may hold a tab"):
        read_table_file(path, TableFormat("tsv", header=False))


def test_blank_lines_are_skipped_with_a_note_and_line_numbers_stay_true(tmp_path):
    path = tmp_path / "b.tsv"
    path.write_text("text\tlabel\r\n\r\na\t1\r\n\r\n\r\nb\t0\r\n")
    frame = read_table_file(path)
    assert frame.values.tolist() == [["a", "1"], ["b", "0"]]  # \r of Windows line ends removed, nothing else
    assert frame.attrs["lines"].tolist() == [3, 6]
    assert frame.attrs["notes"] == ("3 blank line(s) skipped (line 2, 4, 5)",)
    jsonl = tmp_path / "b.jsonl"
    jsonl.write_text('{"text": "a"}\n\n{"text": "b"}\n')
    assert read_table_file(jsonl).attrs["notes"] == ("1 blank line(s) skipped",)


def test_sniffing_formats_of_files_without_a_known_extension(tmp_path):
    (tmp_path / "j").write_text('{"text": "a", "label": 1}\n{"text": "b", "label": 0}\n')
    (tmp_path / "c").write_text('text,label\n"hello, world",1\nbye,0\n')
    (tmp_path / "lines.txt").write_text("just one sentence per line\nand another one\n")
    pd.DataFrame({"text": ["a"]}).to_parquet(tmp_path / "p")
    shutil.copy(SMS, tmp_path / "sms.data")
    assert {p.name: sniff_table(p) for p in sorted(tmp_path.iterdir())} == {
        "c": TableFormat("csv", header=True), "j": TableFormat("jsonl"), "lines.txt": TableFormat("tsv", header=False),
        "p": TableFormat("parquet"), "sms.data": TableFormat("tsv", header=False)}
    assert read_table_file(tmp_path / "c")["text"].tolist() == ["hello, world", "bye"]  # sniffed, read as CSV
    assert read_table_file(tmp_path / "lines.txt", TableFormat(header=False))["column_1"].tolist() == [
        "just one sentence per line", "and another one"]


@pytest.mark.parametrize("records, header", [
    ([["label", "text"], ["ham", "hello there"], ["spam", "win cash now"]], True),
    ([["COMMENT_ID", "AUTHOR", "CONTENT", "CLASS"], ["z1", "Ann", "great song", "0"]], True),
    ([["#1 String", "#2 String", "Quality"], ["a b", "c d", "1"]], True),
    ([["ham", "Go until jurong point, crazy"], ["spam", "Free entry in 2 a wkly comp"]], False),  # a sentence
    ([["spam", "free"], ["ham", "hi"], ["spam", "win"]], False),  # "spam" recurs in its column: data
    ([["1", "good"], ["0", "bad"]], False),  # numbers are data
    ([["gj04", "1", "", "Our friends won't buy this."], ["gj04", "0", "*", "They drank."]], False),  # CoLA
    ([["label", "text"]], False),  # one line: a header would leave no rows
])
def test_guess_header(records, header):
    assert guess_header(records) is header


def test_real_files_sniff_and_read_as_their_loaders_do(shared_data):
    rte = shared_data / "glue_data" / "RTE" / "train.tsv"
    assert sniff_table(rte) == TableFormat("tsv", header=True)
    assert len(read_table_file(rte)) == 2490  # quotes inside sentences stay characters
    cola = shared_data / "glue_data" / "CoLA" / "train.tsv"
    assert sniff_table(cola) == TableFormat("tsv", header=False) and len(read_table_file(cola, sniff_table(cola))) \
        == 8551
    eminem = read_table_file(shared_data / "youtube_spam" / "Youtube04-Eminem.csv")
    assert len(eminem) == 448 and "span several lines" in eminem.attrs["notes"][0]


def test_load_table_with_a_format_keeps_the_texts_and_locates_label_errors(tmp_path):
    ds = load_table(SMS, ColumnMapping(("text",), "label"), fmt=TableFormat("tsv", False, ("label", "text")))
    assert ds.name == "sms_raw" and len(ds) == 10 and ds.label_names == ("ham", "spam")
    assert ds.frame["text"].tolist() == [t for _, t in sms_lines()]
    bad = tmp_path / "bad"
    bad.write_text(SMS.read_text(encoding="utf-8").replace("spam\tSIX", "sapm\tSIX"), encoding="utf-8")
    with pytest.raises(DataError, match=r"bad, column 'label': 1 row\(s\) have labels outside the classes "
                                        r"\['ham', 'spam'\]: 'sapm' \(line 8\)"):
        load_table(bad, ColumnMapping(("text",), "label", label_names=("ham", "spam")),
                   fmt=TableFormat("tsv", False, ("label", "text")))
