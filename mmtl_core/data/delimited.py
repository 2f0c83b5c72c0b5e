"""Reading delimited text (CSV, TSV) exactly as it is: every record's line is known, nothing is dropped or merged
without a note, and a line that does not parse is reported by its number.

Without quoting a record is one line split on the delimiter, and a ``"`` is an ordinary character (GLUE's files
and most raw TSV corpora are written this way: ``csv.QUOTE_NONE``). With quoting, double quotes enclose fields
that may hold the delimiter or a line break, as Excel and pandas write CSV.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from mmtl_core.errors import DataError

_NAMES = {",": "comma", "\t": "tab"}


def default_column_names(n: int) -> tuple[str, ...]:
    """Names of the columns of a file without a header row, when the user gives none."""
    return tuple(f"column_{i}" for i in range(1, n + 1))


def _numbers(lines: list[int] | list[str], limit: int = 5) -> str:
    shown = ", ".join(map(str, lines[:limit]))
    return shown + (f" and {len(lines) - limit} more" if len(lines) > limit else "")


def _split_lines(text: str, sep: str) -> tuple[list[list[str]], list[int], list[int], list[str]]:
    """Records (one per non-blank line), their line numbers, the blank lines, and no multi-line records."""
    rows, lines, blank = [], [], []
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()  # the file's final line break ends the last line, it does not start a blank one
    for n, line in enumerate(parts, start=1):
        if line.endswith("\r"):
            line = line[:-1]
        if not line:
            blank.append(n)
            continue
        rows.append(line.split(sep))
        lines.append(n)
    return rows, lines, blank, []


def _quoted_records(text: str, sep: str, source: str, kind: str
                    ) -> tuple[list[list[str]], list[int], list[int], list[str]]:
    """Records parsed with quoting, their first lines, the blank lines, and the spans of multi-line records."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    rows, lines, blank, spans = [], [], [], []
    start = 1
    try:
        for row in reader:
            end = reader.line_num
            if not row:
                blank.append(start)
            else:
                rows.append(row)
                lines.append(start)
                if end > start:
                    spans.append(f"{start}-{end}")
            start = end + 1
    except csv.Error as e:
        if "end of data" in str(e):
            reason = f"a quoted field opened on line {start} never closes"
        elif "expected after" in str(e):
            reason = (f"a quoted field opened on line {start} closes on line {reader.line_num} with text after the "
                      "closing quote")
        else:
            reason = str(e)
        raise DataError(f"{source}, line {start}: cannot parse this {kind} record ({reason}); check the quotes "
                        f"there{', or read the file without quoting' if sep == chr(9) else ''}") from e
    return rows, lines, blank, spans


def read_delimited(text: str, source: str, sep: str, kind: str, *, quoting: bool, header: bool,
                   names: tuple[str, ...] = ()) -> pd.DataFrame:
    """The records of ``text`` as a frame of strings (attrs: ``lines``, each row's first line; ``notes``, what a
    user should know: blank lines skipped, records spanning lines).

    ``header``: the first record names the columns; else ``names`` do (default ``column_1``...). Every record must
    have as many fields as there are columns; the lines that do not are reported, none is padded or cut.
    """
    rows, lines, blank, spans = (_quoted_records(text, sep, source, kind) if quoting
                                 else _split_lines(text, sep))
    if not rows:
        raise DataError(f"{source} has no data rows")
    if header:
        if names:
            raise DataError(f"{source}: column names are given for a file whose first line is a header row; "
                            "give names only for a file without a header")
        columns, rows, first_line = rows[0], rows[1:], lines[0]
        lines = lines[1:]
        where = f"the header row (line {first_line})"
    else:
        columns = list(names) or list(default_column_names(len(rows[0])))
        where = f"the {len(columns)} column name(s) given ({', '.join(columns)})" if names else "the first line"
        if names and len(names) != len(rows[0]):
            raise DataError(f"{source}: {len(names)} column name(s) given ({', '.join(names)}) but line {lines[0]} "
                            f"has {len(rows[0])} {_NAMES.get(sep, repr(sep))}-separated field(s)")
    dup = sorted({c for c in columns if columns.count(c) > 1})
    if dup:
        raise DataError(f"{source}: the column {dup[0]!r} appears more than once in {where}")
    width = len(columns)
    bad = [i for i, row in enumerate(rows) if len(row) != width]
    if bad:
        first = bad[0]
        line = sep.join(rows[first])
        raise DataError(f"{source}, line {lines[first]}: {len(rows[first])} {_NAMES.get(sep, repr(sep))}-separated "
                        f"field(s), expected {width} as in {where}: {line[:80]!r}"
                        + (f"; {len(bad)} lines do not fit (lines {_numbers([lines[i] for i in bad])})"
                           if len(bad) > 1 else "")
                        + ("; a text may hold a tab, or a field is missing" if sep == "\t" and not quoting
                           else "; check the delimiter and quoting on that line"))
    if not rows:
        raise DataError(f"{source} has no data rows (only {where})")
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame.attrs["lines"] = np.asarray(lines)  # an array: pandas deep-copies attrs on every derived frame
    notes = []
    if blank:
        notes.append(f"{len(blank)} blank line(s) skipped (line {_numbers(blank)})")
    if spans:
        notes.append(f"{len(spans)} record(s) span several lines because a quoted field holds a line break "
                     f"(lines {_numbers(spans)})")
    frame.attrs["notes"] = tuple(notes)
    return frame
