"""Limits on user code: the CPU-time cap ends a process that passes it, and the reasons read as such."""

from __future__ import annotations

import os
import signal
import time

import pytest

from mmtl_core.errors import ConfigError
from mmtl_core.functions.limits import GB, Limits, cap_cpu, exit_reason, parse_size


def test_a_process_past_its_cpu_time_cap_is_ended_and_the_reason_says_so():
    pid = os.fork()
    if pid == 0:
        cap_cpu(1.0)
        while True:  # burns CPU until the kernel's SIGXCPU ends it
            pass
    started = time.monotonic()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code == -signal.SIGXCPU and time.monotonic() - started < 30
    assert exit_reason(code, None, 1.0) == ("it used more than 1 s of CPU time (its time limit, on all its threads "
                                            "together)")


def test_settings_are_read_and_checked_with_the_setting_named(monkeypatch):
    monkeypatch.setenv("MMTL_FUNCTION_MEMORY", "1.5G")
    monkeypatch.setenv("MMTL_FUNCTION_TIMEOUT", "12")
    limits = Limits.from_env()
    assert limits.memory_bytes == int(1.5 * GB) and limits.function_timeout_s == 12 and not limits.network
    assert parse_size("512M", "x") == 512 * 2**20
    monkeypatch.setenv("MMTL_IMPORT_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="MMTL_IMPORT_TIMEOUT must be a positive number of seconds, got 'soon'"):
        Limits.from_env()
    monkeypatch.delenv("MMTL_IMPORT_TIMEOUT")
    monkeypatch.setenv("MMTL_FUNCTION_MEMORY", "lots")
    with pytest.raises(ConfigError, match="MMTL_FUNCTION_MEMORY must be a size such as 4G"):
        Limits.from_env()
