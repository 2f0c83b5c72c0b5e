"""What a page shows after a save that broke a module: the last results whose modules all loaded, marked stale
with the error, instead of results without that module's functions (or none at all)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from mmtl_core.errors import FunctionError


class Analysis(Protocol):
    @property
    def load_errors(self) -> Sequence[FunctionError]: ...


A = TypeVar("A", bound=Analysis)


@dataclass(frozen=True)
class Shown(Generic[A]):
    """The analysis to draw; ``stale_because`` (non-empty) means it is the last good one, kept because of these
    load errors of the current modules."""

    analysis: A
    stale_because: tuple[FunctionError, ...] = ()

    @property
    def stale(self) -> bool:
        return bool(self.stale_because)


def keep_last_good(current: A, last_good: A | None) -> Shown[A]:
    """``current``, unless a module no longer loads and an earlier analysis had every module loading."""
    if current.load_errors and last_good is not None and not last_good.load_errors:
        return Shown(last_good, tuple(current.load_errors))
    return Shown(current)
