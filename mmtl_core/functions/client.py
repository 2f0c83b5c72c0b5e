"""The server's side of the function host: start it, and apply a set of modules' functions in one round trip.

:func:`apply_modules` is what the app calls on every save: the host (:mod:`host`) imports the modules and says what
they define; this side answers with the functions its label cache misses; the host runs those and sends their
columns back. Only plain data crosses (:mod:`wire`). The user's code never runs in this process.

The host is started once per process (:func:`function_host`), from a thread that lives as long as the process, so
the kernel's parent-death signal ends the host exactly when this process ends, however it ends. Its environment
is scrubbed: a few fixed variables, plus those named in ``$MMTL_FUNCTIONS_PASS_ENV`` (comma separated).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import hashlib
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError, SandboxError
from mmtl_core.functions import wire
from mmtl_core.functions.apply import Progress, check_call
from mmtl_core.functions.cache import Column, LabelCache, assemble, cached_columns, empty_column, remember_columns
from mmtl_core.functions.discovery import KINDS, list_module_files
from mmtl_core.functions.limits import Limits
from mmtl_core.functions.report import AppliedFunctions, ApplyReport, FunctionInfo, failed_column
from mmtl_core.sandbox import SECRET_PATHS, Protection

_ROOT = str(Path(__file__).resolve().parents[2])
_BOOT = f"import sys; sys.path.insert(0, {_ROOT!r}); from mmtl_core.sandbox import main; main(sys.argv[1:])"
START_TIMEOUT_S = 120.0  # importing torch and pandas on a busy 2-core machine
SCRATCH_PREFIX = "mmtl-functions-"
REMEMBERED = " (remembered from an earlier import of this file; run it again to retry)"


@dataclass(frozen=True)
class ModuleRun:
    """What one round trip found and computed: plain data only."""

    functions: tuple[FunctionInfo, ...]
    errors: tuple[FunctionError, ...]  # modules that did not load, names used twice (file and line)
    applied: dict[str, AppliedFunctions]  # by kind, for the kinds asked for that have functions
    protections: tuple[Protection, ...] = ()

    @property
    def not_cached(self) -> list[str]:
        """Why some functions are never cached (for the page to say)."""
        return [f.not_cached for f in self.functions if f.not_cached]


class _Spawner:
    """One long-lived thread that starts every host: the parent-death signal follows the thread that forked."""

    def __init__(self) -> None:
        self.requests: queue.Queue = queue.Queue()
        threading.Thread(target=self._serve, name="mmtl-function-host-spawner", daemon=True).start()

    def _serve(self) -> None:
        while True:
            start, future = self.requests.get()
            try:
                future.set_result(start())
            except BaseException as e:  # noqa: BLE001 (handed to the caller's thread)
                future.set_exception(e)

    def run(self, start: Callable[[], Any]) -> Any:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.requests.put((start, future))
        return future.result()


_spawner: _Spawner | None = None
_spawner_lock = threading.Lock()


def _spawn(start: Callable[[], Any]) -> Any:
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = _Spawner()
    return _spawner.run(start)


def _host_environment(scratch: str) -> dict[str, str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "LANG": "C.UTF-8",
           "LC_ALL": "C.UTF-8", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    for name in filter(None, (n.strip() for n in os.environ.get("MMTL_FUNCTIONS_PASS_ENV", "").split(","))):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _remove_dead_scratch_folders() -> None:
    """Scratch folders of hosts whose server died without cleaning up (killed): their process is gone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def secret_paths(home: Path | None = None) -> list[Path]:
    """The credential folders to hide from functions: the user's, root's, and ``$MMTL_FUNCTIONS_HIDE``'s."""
    homes = {Path(home or os.environ.get("HOME") or Path.home()), Path("/root")}
    paths = [h / p for h in sorted(homes) for p in SECRET_PATHS]
    extra = os.environ.get("MMTL_FUNCTIONS_HIDE", "")
    return paths + [Path(p) for p in extra.split(os.pathsep) if p]


class FunctionHost:
    """The server's handle on one sandboxed function host: started on first use, restarted if it died.

    One request at a time (a lock): the host runs one analysis at once, on all the machine's cores.
    """

    def __init__(self, limits: Limits | None = None, *, home: Path | None = None,
                 user_namespace: bool = False) -> None:
        """``home``: whose secret folders to hide (default $HOME). ``user_namespace``: build the sandbox inside a
        user namespace even when running as root (what every unprivileged user gets; tests check that path)."""
        self.limits = limits or Limits.from_env()
        self.home = home
        self.user_namespace = user_namespace
        self._lock = threading.RLock()
        self._process: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._scratch: str | None = None
        self._stops_at_exit = False
        self.protections: tuple[Protection, ...] = ()

    @property
    def pid(self) -> int | None:
        """The launcher process the server started (its process group holds the whole host)."""
        return None if self._process is None else self._process.pid

    def start(self) -> tuple[Protection, ...]:
        """Start the host if it is not running; returns the protections active in it."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return self.protections
            self._discard()
            _remove_dead_scratch_folders()
            parent, child = socket.socketpair()
            self._scratch = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
            args = [sys.executable, "-I", "-c", _BOOT, "--fd", str(child.fileno()), "--parent", str(os.getpid()),
                    "--scratch", self._scratch, "--memory", str(self.limits.memory_bytes),
                    "--import-timeout", str(self.limits.import_timeout_s)]
            args += [a for p in secret_paths(self.home) for a in ("--hide", str(p))]
            args += ["--network"] if self.limits.network else []
            args += ["--user-namespace"] if self.user_namespace else []

            def start() -> subprocess.Popen:
                return subprocess.Popen(args, env=_host_environment(self._scratch), cwd=self._scratch,
                                        pass_fds=(child.fileno(),), start_new_session=True,
                                        stdin=subprocess.DEVNULL)

            try:
                self._process = _spawn(start)
            finally:
                child.close()
            self._sock = parent
            parent.settimeout(START_TIMEOUT_S)
            try:
                hello = wire.receive(parent)
            except (wire.WireError, OSError) as e:
                code = self._process.poll()
                self._discard()
                raise SandboxError(f"the function host did not start (exit code {code}): {e}") from e
            self.protections = tuple(Protection(**p) for p in hello["protections"])
            if not self._stops_at_exit:
                atexit.register(self.stop)  # its scratch folder goes when this process ends normally
                self._stops_at_exit = True
            return self.protections

    def stop(self) -> None:
        with self._lock:
            self._discard()

    def _discard(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._process.wait()
            self._process = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    # --- one round trip -----------------------------------------------------------------------------------------
    def apply_modules(self, dataset: Dataset, folder: Path, files: Sequence[str] | None = None, *,
                      kinds: Collection[str] = KINDS, cardinality: int | None = None,
                      cache: LabelCache | None = None, timeout_s: float | None = None,
                      rerun: Collection[str] = (), progress: Progress | None = None,
                      n_workers: int | None = None) -> ModuleRun:
        """See :func:`apply_modules`."""
        timeout_s = self.limits.function_timeout_s if timeout_s is None else timeout_s
        with self._lock:
            for attempt in (1, 2):  # a host that died between requests is restarted once, transparently
                self.start()
                try:
                    return _Conversation(self, dataset, Path(folder).resolve(), files, kinds, cardinality, cache,
                                         timeout_s, rerun, progress, n_workers).run()
                except (wire.WireError, OSError) as e:
                    self._discard()
                    if attempt == 2 or not isinstance(e, wire.WireError):
                        raise SandboxError(f"the function host stopped answering ({e}); it is restarted on the "
                                           "next save") from e
            raise AssertionError("unreachable")

    def send(self, message: dict[str, Any]) -> None:
        wire.send(self._sock, message)

    def receive(self, timeout_s: float) -> dict[str, Any]:
        self._sock.settimeout(timeout_s)
        return wire.receive(self._sock)

    def ensure_dataset(self, dataset: Dataset) -> None:
        self.send({"op": "dataset", "fingerprint": dataset.fingerprint, "name": dataset.name,
                   "frame": wire.Pickled(dataset.frame)})
        if self.receive(START_TIMEOUT_S).get("event") != "ok":
            raise wire.WireError("the host did not take the dataset")


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class _Conversation:
    host: FunctionHost
    dataset: Dataset
    folder: Path
    files: Sequence[str] | None
    kinds: Collection[str]
    cardinality: int | None
    cache: LabelCache | None
    timeout_s: float
    rerun: Collection[str]
    progress: Progress | None
    n_workers: int | None
    infos: list[FunctionInfo] = field(default_factory=list)  # what the host found
    errors: list[dict[str, Any]] = field(default_factory=list)  # modules that did not load, as the host said
    share: dict[str, int] = field(default_factory=dict)  # each kind's part of the progress bar
    wait: float = 0.0  # seconds to wait for the host's next event
    known: dict[str, dict[str, Column]] = field(default_factory=dict)  # by kind: columns the cache holds
    computed: dict[str, dict[str, Column]] = field(default_factory=dict)  # by kind: columns the host computed

    def run(self) -> ModuleRun:
        digests = {p.name: _digest(p) for p in list_module_files(self.folder)
                   if self.files is None or p.name in self.files}
        remembered = self._remembered_failures(digests)
        request = {"op": "analyse", "fingerprint": self.dataset.fingerprint, "folder": str(self.folder),
                   "files": None if self.files is None else list(self.files), "skip": sorted(remembered)}
        self.host.send(request)
        try:
            infos, errors = self._talk(request)
        except BaseException:
            self._cancel()
            raise
        for error in errors:
            if error["remember"] and self.cache is not None and error["path"]:
                digest = digests.get(Path(error["path"]).name)
                if digest is not None:
                    self.cache.put_import_failure(digest, error)
        load_errors = [FunctionError(e["message"], function=e["function"], path=e["path"], line=e["line"],
                                     remembered=e["remember"]) for e in errors]
        load_errors += [FunctionError(e["message"] + REMEMBERED, function=e["function"], path=e["path"],
                                      line=e["line"], remembered=True) for e in remembered.values()]
        applied = {}
        n = len(self.dataset)
        for kind in self.kinds:
            functions = [f for f in infos if f.kind == kind]
            if not functions:
                continue
            cardinality = self.cardinality if kind == "labeling" else None
            computed = self.computed.get(kind, {})
            remember_columns(self.cache, self.dataset.fingerprint, functions, computed, cardinality)
            applied[kind] = assemble(functions, kind, n, {**self.known.get(kind, {}), **computed})
        return ModuleRun(tuple(infos), tuple(load_errors), applied, self.host.protections)

    def _remembered_failures(self, digests: dict[str, str | None]) -> dict[str, dict[str, Any]]:
        found = {}
        for name, digest in digests.items():
            if digest is None or self.cache is None:
                continue
            if name in self.rerun:
                self.cache.forget_import_failure(digest)
                continue
            failure = self.cache.import_failure(digest)
            if failure is not None:
                found[name] = failure
        return found

    def _say(self, fraction: float, note: str) -> None:
        if self.progress is not None:
            self.progress(fraction, note)

    def _talk(self, request: dict[str, Any]) -> tuple[list[FunctionInfo], list[dict[str, Any]]]:
        """Follow the host's events up to the end of the request: the functions found and the load errors."""
        self.wait = self.host.limits.import_timeout_s + 60
        while True:
            event = self.host.receive(self.wait)
            try:
                ended = self._handle(event, request)
            except (KeyError, TypeError, ValueError, AttributeError) as e:  # never trusted: the sandbox wrote it
                raise wire.WireError(f"the function host sent a malformed message ({type(e).__name__}: {e})") from e
            if ended:
                return self.infos, self.errors

    def _handle(self, event: dict[str, Any], request: dict[str, Any]) -> bool:
        """Act on one event of the host; True at the end of the request."""
        kind = event.get("event")
        if kind == "need_dataset":
            self._say(0.0, f"Sending {len(self.dataset):,} rows of {self.dataset.name} to the function host")
            self.host.ensure_dataset(self.dataset)
            self.host.send(request)
        elif kind == "importing":
            self._say(0.0, f"Importing {event['module']} (time limit {self.host.limits.import_timeout_s:g} s)")
        elif kind == "loaded":
            self.infos = [FunctionInfo.from_plain(f) for f in event["functions"]]
            self.errors = [dict(e) for e in event["errors"]]
            run = self._plan(self.infos)
            self.share = {k: i for i, k in enumerate(k for k in KINDS if run[k])}
            self.host.send({"op": "run", **run, "timeout_s": self.timeout_s, "cardinality": self.cardinality,
                            "n_workers": self.n_workers})
            self.wait = self.timeout_s * max(1, len(run["labeling"]) + len(run["slicing"])) + 90
        elif kind == "progress":
            parts = max(1, len(self.share))
            self._say((self.share.get(event["kind"], 0) + float(event["fraction"])) / parts, str(event["note"]))
        elif kind == "result":
            self._take(event)
        elif kind == "end":
            if event.get("error"):
                self._fail_missing(self.infos, str(event["error"]))
            return True
        return False

    def _plan(self, infos: list[FunctionInfo]) -> dict[str, list[str]]:
        """Which functions the host must run: those of the kinds asked for that the cache misses."""
        run: dict[str, list[str]] = {k: [] for k in KINDS}
        for kind in self.kinds:
            functions = [f for f in infos if f.kind == kind]
            check_call(functions, self.cardinality if kind == "labeling" else None)
            cardinality = self.cardinality if kind == "labeling" else None
            self.known[kind] = cached_columns(self.cache, self.dataset.fingerprint, functions, len(self.dataset),
                                              cardinality, self.rerun)
            run[kind] = [f.name for f in functions if f.name not in self.known[kind]]
        return run

    def _take(self, event: dict[str, Any]) -> None:
        """Check and keep one kind's computed columns (what the sandbox sends is checked, never trusted)."""
        kind = event["kind"]
        if kind not in KINDS:
            raise wire.WireError(f"unknown kind {kind!r} in a result")
        n = len(self.dataset)
        dtype = empty_column(kind, 0).dtype
        kept = self.computed.setdefault(kind, {})
        for name, column in event["columns"].items():
            if not isinstance(column, np.ndarray) or column.shape != (n,) or column.dtype != dtype:
                raise wire.WireError(f"the column of {name!r} is not {n} values of {dtype}")
            kept[name] = (column, ApplyReport.from_plain({**event["reports"][name], "function": name, "kind": kind}))

    def _fail_missing(self, infos: list[FunctionInfo], error: str) -> None:
        """The host's child died while applying: every function it had not finished fails with the reason."""
        for fn in infos:
            if fn.kind in self.kinds and fn.name not in self.computed.get(fn.kind, {}):
                report = ApplyReport(function=fn.name, kind=fn.kind, rows=len(self.dataset),
                                     error=f"{error}; {failed_column(fn.kind)}")
                self.computed.setdefault(fn.kind, {})[fn.name] = (empty_column(fn.kind, len(self.dataset)), report)

    def _cancel(self) -> None:
        """The caller gave up mid-way (a page rerun): stop the host's work and read up to its end."""
        try:
            self.host.send({"op": "cancel"})
            while self.host.receive(30.0).get("event") != "end":
                pass
        except (wire.WireError, OSError):
            self.host.stop()


_shared: FunctionHost | None = None
_shared_lock = threading.Lock()


def function_host() -> FunctionHost:
    """This process's function host, with the limits the environment sets now (a new host when they change)."""
    global _shared
    limits = Limits.from_env()
    with _shared_lock:
        if _shared is not None and _shared.limits != limits:
            _shared.stop()
            _shared = None
        if _shared is None:
            _shared = FunctionHost(limits)
        return _shared


def apply_modules(dataset: Dataset, folder: Path, files: Sequence[str] | None = None, *,
                  kinds: Collection[str] = KINDS, cardinality: int | None = None, cache: LabelCache | None = None,
                  timeout_s: float | None = None, rerun: Collection[str] = (), progress: Progress | None = None,
                  host: FunctionHost | None = None) -> ModuleRun:
    """Import ``files`` of ``folder`` (all its modules by default) in the sandboxed function host and apply their
    functions of ``kinds`` to every row of ``dataset``, in one round trip; returns plain results.

    Columns come from ``cache`` where the function's key and the data match (failures too: a function that timed
    out is not re-run until it changes); ``rerun`` names functions and modules to run again anyway. A module
    whose import timed out or crashed is remembered until the file changes. ``cardinality`` (K) makes labels
    outside -1..K-1 invalid. ``timeout_s`` (default: the host's ``MMTL_FUNCTION_TIMEOUT``) limits each function.
    ``progress(fraction, note)`` hears what runs, with its time limit.
    """
    return (host or function_host()).apply_modules(dataset, folder, files, kinds=kinds, cardinality=cardinality,
                                                   cache=cache, timeout_s=timeout_s, rerun=rerun,
                                                   progress=progress)


def sandbox_protections() -> tuple[Protection, ...]:
    """The protections active around the user's code on this machine (starts the host if needed)."""
    return function_host().start()
