"""Guessing how to read a table file from its first bytes: the format of a file without a known extension, and
whether the first line is a header. Guesses only fill in defaults: the user sees the preview and can change them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from mmtl_core.data.tableformat import DELIMITED, TableFormat, format_from_extension
from mmtl_core.data.textfile import read_bytes, sniff_binary
from mmtl_core.errors import DataError

SAMPLE_BYTES = 1 << 16
SAMPLE_RECORDS = 50
_NAME = re.compile(r"(?!\d)[\w#][\w#()/-]*( [\w#()/-]+){0,2}")  # a column name: up to 3 words, no digit first


def _sample_text(path: Path) -> str:
    head = read_bytes(path, SAMPLE_BYTES)
    binary = sniff_binary(head[:8])
    if binary and binary != "a Parquet file":
        raise DataError(f"{path} is {binary}, not a table file (CSV, TSV, JSON Lines or Parquet)")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not just a character cut at the end of the sample
            raise DataError(f"{path} is not UTF-8 text (byte 0x{head[e.start]:02x} at offset {e.start}); re-save "
                            "it as UTF-8") from e
        text = head[:e.start].decode("utf-8-sig")
    if len(head) == SAMPLE_BYTES and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # the sample's last line may be cut short
    return text


def _records(text: str, fmt: str, quoting: bool) -> list[list[str]]:
    lines = [line.rstrip("\r") for line in text.split("\n") if line.strip()]
    if not quoting:
        return [line.split("\t" if fmt == "tsv" else ",") for line in lines[:SAMPLE_RECORDS]]
    out: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ","):
            if row:
                out.append(row)
            if len(out) == SAMPLE_RECORDS:
                break
    except csv.Error:
        pass  # a broken record: the guess uses the records before it; reading the file reports the line
    return out


def sniff_format(path: Path) -> str:
    """``"csv"``, ``"tsv"``, ``"jsonl"`` or ``"parquet"`` from the content: Parquet's magic bytes; a JSON object
    on the first line; tabs on every line; else commas that split every line into as many quoted fields; else
    TSV (one record per line, which reads a plain list of texts as one column)."""
    path = Path(path)
    if read_bytes(path, 8).startswith(b"PAR1"):
        return "parquet"
    text = _sample_text(path)
    lines = [line for line in text.split("\n") if line.strip()][:SAMPLE_RECORDS]
    first = lines[0].strip()
    if first.startswith("{"):
        try:
            if isinstance(json.loads(first), dict):
                return "jsonl"
        except json.JSONDecodeError:
            pass  # not JSON after all: a text that starts with a brace
    if all("\t" in line for line in lines):
        return "tsv"
    widths = {len(r) for r in _records(text, "csv", True)}
    return "csv" if len(widths) == 1 and widths.pop() > 1 else "tsv"


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def guess_header(records: list[list[str]]) -> bool:
    """Whether the first record names the columns: every field looks like a name (short, not a number, not
    empty), the names are distinct, and none of them appears again as a value in its own column."""
    if len(records) < 2:
        return False  # a single line is data: a header alone would leave no rows
    first, rest = records[0], records[1:]
    if len(set(first)) < len(first) or not all(len(f) <= 40 and _NAME.fullmatch(f.strip()) and not _number(f)
                                               for f in first):
        return False
    return not any(j < len(row) and row[j] == name for j, name in enumerate(first) for row in rest)


def sniff_table(path: Path) -> TableFormat:
    """How to read ``path``: the format by its extension (sniffed from the content when it has none we know), and
    for CSV/TSV whether the first line is a header, read with the format's own quoting rule."""
    path = Path(path)
    fmt = format_from_extension(path) or sniff_format(path)
    if fmt not in DELIMITED:
        return TableFormat(fmt)
    records = _records(_sample_text(path), fmt, fmt == "csv")
    return TableFormat(fmt, header=guess_header(records))
