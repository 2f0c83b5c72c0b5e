"""The function host: the one process that runs the user's code, sandboxed, started by the server (:mod:`client`).

Started once per server (spawned with a scrubbed environment, never forked from the threaded server), it enters
the sandbox (:mod:`mmtl_core.sandbox`), imports the libraries every module uses and then serves one request at a
time over a socket, in :mod:`wire` messages:

* ``dataset``: a dataset's frame, sent once per fingerprint and kept (its rows built once, shared by every fork);
* ``analyse``: import some modules of the functions folder and apply their functions. For each request the host
  forks a short-lived child that imports the modules one by one under a time limit and memory cap, reports what
  it found (names, kinds, lines, cache keys), waits for the server to say which functions to run (those its label
  cache misses) and runs them in forked workers (:mod:`apply`), sending progress and then plain results back.

An import that exits, hangs, crashes or runs out of memory ends only the child: the host reports it with the
module, line and reason, and carries on in a new child without that module. After each request every process the
user's code left behind is killed (the host is the first process of its PID namespace, where that exists).
"""

from __future__ import annotations

import faulthandler
import gc
import os
import re
import select
import signal
import socket
import sys
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError
from mmtl_core.functions import wire
from mmtl_core.functions.apply import cached_rows, compute_columns
from mmtl_core.functions.discovery import (UserFunction, list_module_files, load_module_file, select_files,
                                           unique_functions)
from mmtl_core.functions.limits import Limits, cap_memory, describe_bytes, exit_reason
from mmtl_core.functions.report import FunctionInfo
from mmtl_core.sandbox import Protection, die_with_parent

DATASETS_KEPT = 3
#: Seconds the host waits past an import's limit for the child's own watchdog before killing it outright.
IMPORT_GRACE_S = 3.0
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
_EXIT_MARK = "mmtl: the user's code called "


def error_to_plain(e: FunctionError, remember: bool = False) -> dict[str, Any]:
    return {"message": str(e), "function": e.function, "path": e.path, "line": e.line, "remember": remember}


# --- the child: imports, then applies -------------------------------------------------------------------------

def _report_exit(crash_fd: int) -> Callable[[int], None]:
    """A stand-in for ``os._exit`` that first writes where it was called from (for the host's report)."""
    real_exit = os._exit

    def _exit(code: int = 0) -> None:
        frames = "".join(traceback.format_stack(sys._getframe(1)))
        os.write(crash_fd, f"{_EXIT_MARK}os._exit({code})\n{frames}".encode()[-60_000:])
        real_exit(code)
    return _exit


def _child(request: dict[str, Any], dataset: Dataset, conn: socket.socket, crash_fd: int, limits: Limits) -> None:
    """The forked child of one request (never returns)."""
    try:
        os.setpgid(0, 0)  # its workers join its group: one killpg ends them all
        die_with_parent()
        cap_memory(limits.memory_bytes)
        faulthandler.enable(file=crash_fd)  # a segfault in the user's code leaves its traceback for the host
        os._exit = _report_exit(crash_fd)  # type: ignore[assignment]  # os._exit at import: say where
        folder = Path(request["folder"])
        errors: list[FunctionError] = []
        paths = select_files(folder, request["files"], errors)
        siblings = {p.resolve() for p in list_module_files(folder)}
        owner: dict[str, FunctionInfo] = {}
        functions: list[UserFunction] = []
        skip = set(request["skip"])
        for path in paths:
            if path.name in skip:
                continue
            wire.send(conn, {"event": "importing", "module": path.name, "path": str(path.resolve())})
            faulthandler.dump_traceback_later(limits.import_timeout_s, exit=True, file=crash_fd)
            try:
                found = load_module_file(path, siblings, errors)
            except MemoryError:
                found = []
                errors.append(FunctionError(limits.memory_message(f"{path.name}: importing it"), path=str(path)))
            finally:
                faulthandler.cancel_dump_traceback_later()
            functions += unique_functions(found, errors, owner)
        errors = [_explain_memory(e, limits) for e in errors]
        wire.send(conn, {"event": "loaded", "functions": [f.info.to_plain() for f in functions],
                         "errors": [error_to_plain(e) for e in errors]})
        run = wire.receive(conn)
        by_name = {f.name: f for f in functions}
        for kind in ("labeling", "slicing"):
            chosen = [by_name[n] for n in run.get(kind, []) if n in by_name and by_name[n].kind == kind]
            if not chosen:
                continue
            last: list[Any] = [0.0, None]

            def progress(fraction: float, note: str, kind: str = kind) -> None:
                now = time.monotonic()  # a new note at once (the host names it if a function kills us)
                if note != last[1] or now - last[0] >= 0.1 or fraction >= 0.999:
                    last[:] = [now, note]
                    wire.send(conn, {"event": "progress", "kind": kind, "fraction": fraction, "note": note})

            columns = compute_columns(chosen, dataset, timeout_s=run["timeout_s"], n_workers=run.get("n_workers"),
                                      progress=progress, cardinality=run.get("cardinality") if kind == "labeling"
                                      else None, limits=limits, confine=True)
            wire.send(conn, {"event": "result", "kind": kind,
                             "columns": {n: c for n, (c, _) in columns.items()},
                             "reports": {n: r.to_plain() for n, (_, r) in columns.items()}})
        wire.send(conn, {"event": "done"})
    except BaseException:  # noqa: BLE001 (the child must never return into the host's loop)
        try:
            os.write(crash_fd, traceback.format_exc().encode()[-60_000:])
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)  # skip atexit handlers and flushes the user's code may have registered


def _explain_memory(e: FunctionError, limits: Limits) -> FunctionError:
    if isinstance(e.__cause__, MemoryError):
        where = f"{Path(e.path).name}, line {e.line}" if e.path and e.line else Path(e.path or "").name
        return FunctionError(limits.memory_message(f"{where}: importing it"), path=e.path, line=e.line)
    return e


# --- the host ----------------------------------------------------------------------------------------------------

def _line_in(dump: str, path: str) -> int | None:
    lines = [int(m["line"]) for m in _FRAME.finditer(dump) if m["file"] == path]
    return lines[0] if lines else None  # faulthandler lists the innermost frame first


def import_failure(module: Path, dump: str, code: int | None, limits: Limits, timed_out: bool) -> FunctionError:
    """What ended the child while it imported ``module``, from its dying words and exit code."""
    last_exit = dump.rfind(_EXIT_MARK)
    if last_exit >= 0:
        dump = dump[last_exit + len(_EXIT_MARK):]
        call = dump.splitlines()[0]
        lines = [int(m["line"]) for m in _FRAME.finditer(dump) if m["file"] == str(module)]
        line = lines[-1] if lines else None  # format_stack lists the outermost frame first
        what = f"calls {call} at import, which would end the app's process"
    else:
        line = _line_in(dump, str(module))
        if dump.startswith("Timeout") or timed_out:
            what = f"did not finish importing within {limits.import_timeout_s:g} s (setting MMTL_IMPORT_TIMEOUT)"
        elif "Fatal Python error" in dump:
            kind = re.search(r"Fatal Python error: (\w[\w ]*)", dump)
            what = f"crashed the import process ({kind.group(1) if kind else 'fatal error'})"
        elif "MemoryError" in dump:
            what = f"used more than {describe_bytes(limits.memory_bytes)} of memory at import"
        else:
            what = f"ended the import process ({exit_reason(code, limits, limits.import_timeout_s)})"
    where = f"{module.name}, line {line}" if line else module.name
    return FunctionError(f"{where}: {what}; its functions are skipped until the file changes", path=str(module),
                         line=line)


@dataclass
class _Running:
    """One forked child and what the host knows of it."""

    pid: int
    conn: socket.socket
    crash_fd: int
    module: str | None = None  # the module it is importing now (file name), and its path
    module_path: str = ""
    deadline: float | None = None
    timed_out: bool = False  # the host killed it at the deadline
    note: str = ""  # its last progress note: which functions were running
    failures: dict[str, FunctionError] = field(default_factory=dict)
    closed: bool = False


class Host:
    def __init__(self, server: socket.socket, limits: Limits, protections: list[Protection]) -> None:
        self.server = server
        self.limits = limits
        self.protections = protections
        self.datasets: OrderedDict[str, Dataset] = OrderedDict()

    def serve(self) -> None:
        wire.send(self.server, {"event": "hello", "protections": [p.to_plain() for p in self.protections]})
        while True:
            try:
                message = wire.receive(self.server, trusted=True)
            except wire.WireError:
                return  # the server is gone
            op = message.get("op")
            if op == "dataset":
                self._keep(message)
                wire.send(self.server, {"event": "ok"})
            elif op == "analyse":
                if message["fingerprint"] not in self.datasets:
                    wire.send(self.server, {"event": "need_dataset"})
                else:
                    self.datasets.move_to_end(message["fingerprint"])
                    try:
                        self._analyse(message)
                    except (wire.WireError, OSError):
                        return  # the server went away mid-request (its end of the channel closed)
            elif op == "ping":
                wire.send(self.server, {"event": "pong"})
            # "cancel" arriving after its request ended needs no answer

    def _keep(self, message: dict[str, Any]) -> None:
        dataset = Dataset(message["name"], message["frame"], fingerprint=message["fingerprint"])
        self.datasets[dataset.fingerprint] = dataset
        while len(self.datasets) > DATASETS_KEPT:
            self.datasets.popitem(last=False)
        cached_rows(dataset)  # before any fork: every child and worker shares them
        gc.freeze()  # and the collector never walks them in a fork (which would copy every page it touches)

    def _spawn(self, request: dict[str, Any], skip: set[str]) -> _Running:
        parent, child = socket.socketpair()
        crash_r, crash_w = os.pipe()
        os.set_blocking(crash_r, False)
        dataset = self.datasets[request["fingerprint"]]
        pid = os.fork()
        if pid == 0:
            parent.close()
            os.close(crash_r)
            self.server.close()  # the child's code must never reach the server's channel
            _child({**request, "skip": sorted(skip)}, dataset, child, crash_w, self.limits)
        child.close()
        os.close(crash_w)
        return _Running(pid, parent, crash_r)

    def _analyse(self, request: dict[str, Any]) -> None:
        skip = set(request.get("skip", []))
        failures: dict[str, FunctionError] = {}
        run = self._spawn(request, skip)
        try:
            while True:
                outcome = self._step(run, request)
                if outcome == "end":
                    return
                if outcome == "cancelled":
                    wire.send(self.server, {"event": "end", "cancelled": True})
                    return
                if outcome == "died":  # it died importing run.module: go on without that module
                    failures[run.module] = self._failure(run)
                    skip.add(run.module)
                    self._finish(run)
                    run = self._spawn(request, skip)
                    run.failures = failures
        finally:
            self._finish(run)

    def _step(self, run: _Running, request: dict[str, Any]) -> str:
        """Handle one event; returns "more", "end", "cancelled" or "died"."""
        timeout = None if run.deadline is None else max(0.0, run.deadline - time.monotonic())
        ready, _, _ = select.select([self.server, run.conn], [], [], timeout)
        if self.server in ready:
            message = wire.receive(self.server, trusted=True)
            if message.get("op") == "cancel":
                return "cancelled"
            wire.send(run.conn, message)  # "run": which functions to apply
            run.deadline = time.monotonic() + float(message["timeout_s"]) * max(
                1, len(message.get("labeling", [])) + len(message.get("slicing", []))) + 60
            return "more"
        if run.conn not in ready:  # past the deadline: the child's own watchdog did not end it
            os.killpg(run.pid, signal.SIGKILL)
            run.timed_out = True
            return "died" if run.module is not None else self._died_applying(run)
        try:
            event = wire.receive(run.conn)
            return self._relay(run, event)
        except (wire.WireError, KeyError, TypeError, ValueError):  # it died, or its code wrote garbage: end it
            os.killpg(run.pid, signal.SIGKILL)
            return "died" if run.module is not None else self._died_applying(run)

    def _relay(self, run: _Running, event: dict[str, Any]) -> str:
        """Pass one of the child's events on to the server (keeping what the host needs to know of it)."""
        kind = event.get("event")
        if kind == "importing":
            run.module, run.module_path = str(event["module"]), str(event["path"])
            run.deadline = time.monotonic() + self.limits.import_timeout_s + IMPORT_GRACE_S
            wire.send(self.server, {"event": "importing", "module": run.module})
        elif kind == "loaded":
            run.module, run.deadline = None, None  # the server answers with what to run
            errors = [*event["errors"], *(error_to_plain(e, remember=True) for e in run.failures.values())]
            wire.send(self.server, {**event, "errors": errors})
        elif kind in ("progress", "result"):
            run.note = str(event.get("note", run.note))
            wire.send(self.server, event)
        elif kind == "done":
            wire.send(self.server, {"event": "end", "cancelled": False})
            return "end"
        return "more"

    def _died_applying(self, run: _Running) -> str:
        code = self._reap(run)
        last = f" while {run.note[0].lower()}{run.note[1:]}" if run.note else ""
        wire.send(self.server, {"event": "end", "cancelled": False,
                                "error": f"the process applying the functions ended ({exit_reason(code, None, 0)})"
                                         f"{last}; a function may have killed it"})
        return "end"

    def _reap(self, run: _Running) -> int | None:
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, status = os.waitpid(run.pid, 0)
            return os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            return None

    def _failure(self, run: _Running) -> FunctionError:
        code = self._reap(run)
        dump = b""
        try:
            while chunk := os.read(run.crash_fd, 65536):
                dump += chunk
        except BlockingIOError:
            pass
        return import_failure(Path(run.module_path), dump.decode(errors="replace"), code, self.limits,
                              run.timed_out)

    def _finish(self, run: _Running) -> None:
        if run.closed:
            return
        run.closed = True
        self._reap(run)
        run.conn.close()
        os.close(run.crash_fd)
        if os.getpid() == 1:  # the namespace's first process: end everything the user's code left running
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while True:  # reap whatever the sweep ended (orphans are ours to reap as process 1)
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break


def serve(fd: int, limits: Limits, protections: list[Protection]) -> None:
    """Serve the server on the channel ``fd`` until it goes away (called inside the sandbox, see :mod:`sandbox`)."""
    sys.dont_write_bytecode = True
    Host(socket.socket(fileno=fd), limits, protections).serve()
    os._exit(0)
