"""Problems of applied functions, grouped for display: one line for many functions failing the same way.

Applying YouTube's functions to RTE makes thirteen functions raise ``AttributeError`` on every row: a wall of
thirteen warnings says less than one line naming the thirteen, with the tracebacks behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mmtl_core.functions.report import ApplyReport

#: A function that raises on at least this share of its rows "raises on most rows" and is grouped.
MOST_ROWS = 0.5


@dataclass(frozen=True)
class ProblemGroup:
    """One line for the page, and the details (tracebacks by function) it can show on demand."""

    message: str
    functions: tuple[str, ...]
    tracebacks: dict[str, str]
    rerun: tuple[str, ...] = ()  # failures remembered until the code changes, which the user may run again


def _names(functions: Sequence[str], shown: int = 8) -> str:
    more = len(functions) - shown
    return ", ".join(functions[:shown]) + (f" and {more} more" if more > 0 else "")


def group_problems(reports: Sequence[ApplyReport]) -> list[ProblemGroup]:
    """Functions raising on most rows with the same exception form one group; every other problem its own line.

    Order: grouped faults first (the largest group first), then the other problems in the order given.
    """
    by_error: dict[tuple[str, str], list[ApplyReport]] = {}
    singles: list[ProblemGroup] = []
    for r in reports:
        if r.ok:
            continue
        if r.error is None and r.invalid == 0 and r.rows and r.faults >= MOST_ROWS * r.rows:
            by_error.setdefault((r.kind, r.first_error or "an exception"), []).append(r)
            continue
        singles.append(ProblemGroup(" ".join(r.messages), (r.function,),
                                    {r.function: r.first_traceback} if r.first_traceback else {},
                                    (r.function,) if r.error is not None else ()))
    grouped = []
    for (kind, error), members in sorted(by_error.items(), key=lambda kv: -len(kv[1])):
        names = [r.function for r in members]
        fate = "they abstain there" if kind == "labeling" else "those rows are left out of their slices"
        first = members[0]
        if len(members) == 1:
            message = (f"{first.function} raised {error} on {first.faults} of {first.rows} rows ({fate}); first "
                       f"on example {first.first_example_id}" + (f", line {first.line}" if first.line else ""))
        else:
            message = (f"{len(members)} {kind} functions raised {error} on most rows ({fate}): {_names(names)}. "
                       "Do they belong to this dataset?")
        grouped.append(ProblemGroup(message, tuple(names),
                                    {r.function: r.first_traceback for r in members if r.first_traceback}))
    return grouped + singles
