"""Reading CSV, TSV, JSON Lines and Parquet files into a raw frame, with errors naming the file and line.

This is the one table reader: datasets, prediction files and rows to predict all read files through
:func:`read_table_file`, so a file reads the same way everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.delimited import read_delimited
from mmtl_core.data.sniff import sniff_format
from mmtl_core.data.tableformat import TableFormat, format_from_extension
from mmtl_core.data.textfile import read_bytes, read_text, sniff_binary
from mmtl_core.errors import DataError


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
    blank = text.rstrip("\n").count("\n") + 1 - len(lines)
    frame.attrs["notes"] = (f"{blank} blank line(s) skipped",) if blank else ()
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    head = read_bytes(path, 64)
    if not head.startswith(b"PAR1"):
        what = sniff_binary(head)
        if what is None:
            try:
                what = f"text starting {head.decode('utf-8').splitlines()[0][:40]!r}"
            except UnicodeDecodeError:
                what = "an unknown binary format"
        raise DataError(f"{path} is not a Parquet file (it is {what}); check the file, or read it as its real "
                        "format")
    try:
        frame = pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as e:
        raise DataError(f"{path}: cannot read this Parquet file ({e})") from e
    return frame


def resolve_format(path: Path, fmt: TableFormat) -> TableFormat:
    """``fmt`` with its format filled in: the one given, else the extension's, else sniffed from the content."""
    if fmt.format is not None:
        return fmt
    found = format_from_extension(path) or sniff_format(path)
    return TableFormat(found, fmt.header, fmt.column_names, fmt.quoting)


def read_table_file(path: Path, fmt: TableFormat = TableFormat()) -> pd.DataFrame:
    """The file's rows with its column names; CSV and TSV give str values (nothing converted, nothing trimmed).

    ``frame.attrs``: ``lines`` (text formats: each row's first line in the file, for messages through
    ``Locator.of``) and ``notes`` (what was skipped, e.g. blank lines, or spans several lines). A file that
    cannot be read, or a line that does not parse, raises DataError naming the file and line.
    """
    path = Path(path)
    fmt = resolve_format(path, fmt)
    if fmt.format == "parquet":
        frame = _read_parquet(path)
        frame.attrs["notes"] = ()
    elif fmt.format == "jsonl":
        frame = _read_jsonl(path)
    else:
        kind = fmt.format.upper()
        frame = read_delimited(read_text(path, kind), str(path), "\t" if fmt.format == "tsv" else ",", kind,
                               quoting=fmt.quotes, header=fmt.header, names=fmt.column_names)
    if frame.empty:
        raise DataError(f"{path} has no data rows")
    return frame

