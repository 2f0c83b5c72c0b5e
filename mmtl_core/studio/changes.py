"""What a save changed, so the page can bring it into view: the functions that are new since the analysis shown
before, or else those whose column had to be computed again (their code changed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def recomputed(reports: Mapping[str, object]) -> list[str]:
    """Names of the functions whose column was computed, not served from the cache (``ApplyReport.from_cache``)."""
    return [name for name, report in reports.items() if not getattr(report, "from_cache", True)]


def just_saved(before: Sequence[str] | None, now: Sequence[str], computed: Iterable[str]) -> tuple[str, ...]:
    """The functions a save added (in ``now``'s order), else those it changed (``computed``); nothing without an
    analysis ``before`` it (the first analysis of a dataset computes every column, and nothing was saved)."""
    if before is None:
        return ()
    added = tuple(n for n in now if n not in set(before))
    if added:
        return added
    changed = set(computed)
    return tuple(n for n in now if n in changed)
