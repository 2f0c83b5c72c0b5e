"""Limits on the user's code: memory and CPU time per worker process, time per module import, network.

Settings come from the environment, so one server's pages share them:

    MMTL_FUNCTION_MEMORY      memory cap per worker, e.g. "4G" or "512M" (default: a quarter of this machine's
                              memory, at least 1 GB); a worker's whole address space counts, about 1 GB of it the
                              libraries every worker has loaded
    MMTL_IMPORT_TIMEOUT       seconds a module may take to import (default 10)
    MMTL_FUNCTION_TIMEOUT     seconds a function may run over a whole dataset (default 30)
    MMTL_FUNCTIONS_NETWORK    "1" lets functions reach the network (default: no network where the kernel allows)

The CPU-time cap of a function is its time limit: a function that burns CPU on several threads at once meets it
before the wall clock does.
"""

from __future__ import annotations

import os
import re
import resource
import signal
from dataclasses import dataclass

from mmtl_core.errors import ConfigError

GB = 2**30
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", re.IGNORECASE)
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(text: str, setting: str) -> int:
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ConfigError(f"{setting} must be a size such as 4G or 512M, got {text!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def describe_bytes(n: int) -> str:
    return f"{n / GB:.1f} GB" if n >= GB else f"{n / 2**20:.0f} MB"


def _seconds(setting: str, default: float) -> float:
    text = os.environ.get(setting, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise ConfigError(f"{setting} must be a positive number of seconds, got {text!r}")
    return value


def default_memory() -> int:
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(GB, total // 4)


@dataclass(frozen=True)
class Limits:
    memory_bytes: int  # per worker process (and per import process)
    import_timeout_s: float = 10.0
    network: bool = False
    function_timeout_s: float = 30.0

    @classmethod
    def from_env(cls) -> "Limits":
        memory = os.environ.get("MMTL_FUNCTION_MEMORY", "").strip()
        return cls(parse_size(memory, "MMTL_FUNCTION_MEMORY") if memory else default_memory(),
                   _seconds("MMTL_IMPORT_TIMEOUT", 10.0),
                   os.environ.get("MMTL_FUNCTIONS_NETWORK", "0").strip().lower() in ("1", "true", "yes", "on"),
                   _seconds("MMTL_FUNCTION_TIMEOUT", 30.0))

    def memory_message(self, who: str) -> str:
        return (f"{who} used more than {describe_bytes(self.memory_bytes)} of memory, the limit per worker "
                "(setting MMTL_FUNCTION_MEMORY)")


def cap_memory(memory_bytes: int) -> None:
    """Cap this process's address space: an allocation past it fails (Python raises MemoryError)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def cap_cpu(seconds: float) -> None:
    """Allow this process ``seconds`` more CPU time from now (then the kernel sends SIGXCPU, which ends it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used + seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def exit_reason(code: int | None, limits: Limits | None, cpu_s: float) -> str:
    """Why a worker or import process ended, from its exit code (negative: the signal that ended it)."""
    if code is None:
        return "it did not exit"
    if code >= 0:
        return f"exit code {code}"
    sig = -code
    if sig == signal.SIGXCPU:
        return f"it used more than {cpu_s:g} s of CPU time (its time limit, on all its threads together)"
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
    if sig == signal.SIGKILL and limits is not None:
        return f"killed by {name} (perhaps out of memory: the limit per worker is " \
               f"{describe_bytes(limits.memory_bytes)})"
    return f"killed by {name}"
