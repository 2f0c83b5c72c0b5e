"""Reading CSV, TSV, JSON Lines and Parquet files into a raw frame, with errors naming the file and line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.textfile import read_bytes, read_text, sniff_binary
from mmtl_core.errors import DataError


def _read_delimited(path: Path, sep: str, kind: str) -> pd.DataFrame:
    """Parse with the csv module (quoting as Excel and pandas write it) so every record's line is known and a
    row with too many or too few fields is reported, not silently padded."""
    text = read_text(path, kind)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, lines = [], []
    try:
        header = next(reader)
        for row in reader:
            if not row:
                continue  # a blank line
            if len(row) != len(header):
                raise DataError(f"{path}, line {reader.line_num}: {len(row)} fields, expected {len(header)} as in "
                                "the header row; check the delimiter and quoting on that line")
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as e:
        raise DataError(f"{path}, line {reader.line_num}: malformed {kind} ({e})") from e
    dup = sorted({c for c in header if header.count(c) > 1})
    if dup:
        raise DataError(f"{path}: the column {dup[0]!r} appears more than once in the header row")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame.attrs["lines"] = np.asarray(lines)  # an array: pandas deep-copies attrs on every derived frame
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    return _read_delimited(path, ",", "CSV")


def _read_tsv(path: Path) -> pd.DataFrame:
    return _read_delimited(path, "\t", "TSV")


def _read_jsonl(path: Path) -> pd.DataFrame:
    text = read_text(path, "JSON Lines")
    records, lines = [], []
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            hint = " (the file looks like one JSON array; save one object per line)" if n == 1 and \
                line.lstrip().startswith("[") else ""
            raise DataError(f"{path}, line {n}: not valid JSON ({e.msg}){hint}") from e
        if not isinstance(record, dict):
            hint = " (the file looks like one JSON array; save one object per line)" if isinstance(record, list) else ""
            raise DataError(f"{path}, line {n}: expected a JSON object per line, found {type(record).__name__}{hint}")
        records.append(record)
        lines.append(n)
    frame = pd.DataFrame.from_records(records)
    frame.attrs["lines"] = np.asarray(lines)
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    head = read_bytes(path)[:64]
    if not head.startswith(b"PAR1"):
        what = sniff_binary(head)
        if what is None:
            try:
                what = f"text starting {head.decode('utf-8').splitlines()[0][:40]!r}"
            except UnicodeDecodeError:
                what = "an unknown binary format"
        raise DataError(f"{path} is named .parquet but is not a Parquet file (it is {what}); "
                        "check the file or rename it to its real extension")
    try:
        frame = pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as e:
        raise DataError(f"{path}: cannot read this Parquet file ({e})") from e
    return frame


#: File readers by extension; messages list these, so they cannot drift from what is accepted.
READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    ".csv": _read_csv, ".tsv": _read_tsv, ".jsonl": _read_jsonl, ".parquet": _read_parquet,
}


def read_table_file(path: Path) -> pd.DataFrame:
    """The file's rows with its own column names (text formats give str values); :func:`row_location` locates
    a row in messages."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(f"{path}: unsupported file type {path.suffix or '(no extension)'!r}; "
                        f"use one of {', '.join(READERS)}")
    frame = reader(path)
    if frame.empty:
        raise DataError(f"{path} has no data rows")
    return frame


def row_location(frame: pd.DataFrame, path: Path, i: int) -> str:
    """``'data.csv, line 7'`` for the i-th (0-based) row of a frame read by :func:`read_table_file`."""
    if "lines" in frame.attrs:  # text formats: the line in the file
        return f"{path}, line {frame.attrs['lines'][i]}"
    return f"{path}, row {i + 1}"  # Parquet has rows, not lines
