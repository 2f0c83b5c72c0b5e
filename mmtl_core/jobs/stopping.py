"""Stopping a run from outside: a signal (a job queue cancelling it, torchrun stopping its workers) or a cancel
request becomes :class:`Stopped`, raised inside the loop, so the run records how it ended before the process exits."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Stopped(KeyboardInterrupt):
    """The run was asked to stop. A KeyboardInterrupt, so no ``except Exception`` in between swallows it."""


def _stop(signum: int, frame) -> None:
    raise Stopped(f"stopped by {signal.Signals(signum).name}")


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM raises Stopped while inside; only the main thread can handle signals, elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
