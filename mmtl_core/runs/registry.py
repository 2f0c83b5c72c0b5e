"""The run registry: every training run, its attempts and their states, in one database reached by URL.

By default a SQLite file in the workspace's runs folder (WAL mode, so readers never wait for the writer); a team
points ``$MMTL_REGISTRY_URL`` at PostgreSQL instead. The app, the job supervisor, every running job and the
training command line write to it at once, so:

- every state change is a compare-and-set in one transaction: ``UPDATE ... WHERE state IN (<allowed sources>)``,
  and whoever loses the race learns it from the row count;
- a finished state (succeeded, failed, cancelled, lost) is never left: no transition starts from one;
- a retry is a new attempt (a new row in ``attempts``), so what happened to the earlier one stays recorded.

States of an attempt::

    queued -> starting -> running -> succeeded | failed | cancelled | lost
       \\-> cancelled      \\-> failed | cancelled | lost

plus ``cancel_requested_at``, set by a user and honoured by whoever runs the attempt. Nothing lives only in memory:
the registry, the run folders and the job logs are all there is, so any process can restart at any time.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (JSON, Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, and_, create_engine,
                        delete, event, func, insert, select, update)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError

from mmtl_core.errors import RegistryError

SCHEMA_VERSION = 1
ACTIVE = ("starting", "running")
FINISHED = ("succeeded", "failed", "cancelled", "lost")
STATES = ("queued", *ACTIVE, *FINISHED)
# the states each state may be reached from: the whole state machine, and what every compare-and-set checks
SOURCES: dict[str, tuple[str, ...]] = {
    "starting": ("queued",),
    "running": ("starting",),
    "succeeded": ("running",),
    "failed": ("starting", "running"),
    "cancelled": ("queued", "starting", "running"),
    "lost": ("starting", "running"),
}
# which timestamp a transition sets
STAMPS = {"starting": "started_at", "running": "running_at", **{s: "ended_at" for s in FINISHED}}
LOCAL_BACKENDS = ("local", "cli")  # attempts whose process runs on a host of ours (the others run on Ray)
BUSY_TIMEOUT_S = 30.0  # SQLite: how long a writer waits for another's transaction before giving up
SERIALIZATION_RETRIES = 20  # other databases: a transaction that lost a serialization conflict is run again
T = TypeVar("T")

metadata = MetaData()
meta_table = Table("registry_meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text))
runs_table = Table(
    "runs", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_id", String(64)),  # not a foreign key: a child outlives a deleted parent and says so
    Column("created_at", Float, nullable=False),
    Column("config", JSON, nullable=False),  # the resolved training config
    Column("functions", JSON, nullable=False),  # snapshot of the labeling and slicing functions used
    Column("artifacts", Text, nullable=False),  # the run folder: a path, or an fsspec URL (s3://...)
    Column("attempt", Integer, nullable=False),  # the current attempt's number (= number of attempts)
)
attempts_table = Table(
    "attempts", metadata,
    Column("run_id", String(64), ForeignKey("runs.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("state", String(16), nullable=False, index=True),
    Column("backend", String(16), nullable=False),  # local | ray | cli
    Column("backend_address", Text),  # the Ray head's address
    Column("artifacts_url", Text),  # Ray: where the job writes its run folder (picked up into runs.artifacts)
    # local: the device slot it queues for (cpu, cuda:0, ...); Ray: cpu or gpu:<n>, the GPUs its job asks for
    Column("device", String(32), nullable=False),
    Column("host", String(255)),  # where its process runs (local and cli)
    Column("pid", Integer),
    Column("pid_started", Float),  # the process's start time: a reused pid is never taken for the job
    Column("cancel_requested_at", Float),
    Column("queued_at", Float, nullable=False),
    Column("started_at", Float),
    Column("running_at", Float),
    Column("ended_at", Float),
    Column("heartbeat_at", Float),
    Column("progress", JSON),  # stage, step, epoch, loss, examples/s, time left
    Column("metrics", JSON),  # summary: final metrics, or the latest evaluation of a run that did not finish
    Column("error", Text),
    Column("traceback", Text),  # the Python traceback; for a process that died, the tail of its log
    Column("log_path", Text),
    Column("log_offset", Integer, nullable=False, default=0),  # Ray: bytes of the job's log already copied
    Column("note", Text),  # a passing condition worth showing (e.g. the Ray head is unreachable)
)


@dataclass(frozen=True)
class RunRecord:
    """A run and its current attempt, as the registry holds them."""

    id: str
    name: str
    parent_id: str | None
    created_at: float
    artifacts: str
    attempt: int
    state: str
    backend: str
    backend_address: str | None
    artifacts_url: str | None
    device: str
    host: str | None
    pid: int | None
    pid_started: float | None
    cancel_requested_at: float | None
    queued_at: float
    started_at: float | None
    running_at: float | None
    ended_at: float | None
    heartbeat_at: float | None
    progress: dict | None
    metrics: dict | None
    error: str | None
    traceback: str | None
    log_path: str | None
    log_offset: int
    note: str | None
    config: dict | None = None  # None when listed without it
    functions: dict | None = None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


_RUN_COLUMNS = ("id", "name", "parent_id", "created_at", "artifacts", "attempt")
_ATTEMPT_COLUMNS = tuple(f.name for f in fields(RunRecord)
                         if f.name not in (*_RUN_COLUMNS, "config", "functions"))


def default_url(runs_dir: Path | str) -> str:
    """``$MMTL_REGISTRY_URL``, or the SQLite file ``runs.sqlite`` in the workspace's runs folder."""
    return os.environ.get("MMTL_REGISTRY_URL") or f"sqlite:///{Path(runs_dir).resolve() / 'runs.sqlite'}"


def this_host() -> str:
    return socket.gethostname()


class Registry:
    """The run registry at ``url``; creates its tables on first use. Safe across threads and processes."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = _make_engine(url)
        except (SQLAlchemyError, ImportError) as e:  # an unknown dialect, or its driver is not installed
            raise RegistryError(f"cannot open the run registry at {self.display_url}: {_reason(e)}") from e
        self._write(self._create_schema)

    @property
    def display_url(self) -> str:
        """The URL without its password."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            return "<unparsable URL>"

    # --- transactions -------------------------------------------------------------------------------------------
    def _write(self, work: Callable[[Connection], T]) -> T:
        """``work(conn)`` in one write transaction, retried when the database reports a serialization conflict
        (PostgreSQL under SERIALIZABLE; SQLite's BEGIN IMMEDIATE makes writers wait their turn instead)."""
        for attempt in range(SERIALIZATION_RETRIES):
            try:
                return self._transaction("IMMEDIATE", work)
            except OperationalError as e:
                if getattr(e.orig, "sqlstate", None) != "40001" or attempt + 1 == SERIALIZATION_RETRIES:
                    raise RegistryError(f"the run registry at {self.display_url} failed: {_reason(e)}") from e
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _read(self, work: Callable[[Connection], T]) -> T:
        try:
            return self._transaction("DEFERRED", work)
        except OperationalError as e:
            raise RegistryError(f"the run registry at {self.display_url} failed: {_reason(e)}") from e

    def _transaction(self, begin: str, work: Callable[[Connection], T]) -> T:
        with self.engine.connect() as conn:
            conn.info["begin"] = begin  # read by the SQLite begin hook
            with conn.begin():
                return work(conn)

    def _create_schema(self, conn: Connection) -> None:
        metadata.create_all(conn)
        version = conn.scalar(select(meta_table.c.value).where(meta_table.c.key == "schema_version"))
        if version is None:
            conn.execute(insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION)))
        elif int(version) > SCHEMA_VERSION:
            raise RegistryError(f"the run registry at {self.display_url} was written by a newer version of MMTL "
                                f"Studio (schema {version}; this one reads {SCHEMA_VERSION}): upgrade this copy")

    # --- creating -----------------------------------------------------------------------------------------------
    def create_run(self, run_id: str, *, name: str, config: dict, functions: dict, artifacts: str, backend: str,
                   device: str, parent_id: str | None = None, state: str = "queued",
                   backend_address: str | None = None, artifacts_url: str | None = None,
                   host: str | None = None, pid: int | None = None,
                   pid_started: float | None = None) -> RunRecord:
        """Register a run with its first attempt, ``queued`` (launched from the app) or ``starting`` (the command
        line, which runs it at once in process ``pid``). Raises RegistryError if the id is taken."""
        if state not in ("queued", "starting"):
            raise ValueError(f"a run starts queued or starting, not {state!r}")
        now = time.time()

        def work(conn: Connection) -> RunRecord:
            conn.execute(insert(runs_table).values(
                id=run_id, name=name, parent_id=parent_id, created_at=now, config=config, functions=functions,
                artifacts=artifacts, attempt=1))
            conn.execute(insert(attempts_table).values(
                run_id=run_id, number=1, state=state, backend=backend, backend_address=backend_address,
                artifacts_url=artifacts_url, device=device, host=host, pid=pid, pid_started=pid_started, queued_at=now,
                started_at=now if state == "starting" else None, log_offset=0))
            return self._get(conn, run_id, with_config=True)

        try:
            return self._write(work)
        except IntegrityError as e:
            raise RegistryError(f"run id {run_id!r} is already in the registry") from e

    def retry(self, run_id: str) -> RunRecord:
        """Queue a new attempt of a finished run; the finished attempt stays as it was."""
        def work(conn: Connection) -> RunRecord:
            current = self._get(conn, run_id, with_config=False)
            if not current.finished:
                raise RegistryError(f"run {current.name!r} is {current.state}; only a finished run can be retried")
            number = current.attempt + 1
            conn.execute(update(runs_table).where(runs_table.c.id == run_id).values(attempt=number))
            conn.execute(insert(attempts_table).values(
                run_id=run_id, number=number, state="queued", backend=current.backend,
                backend_address=current.backend_address, artifacts_url=current.artifacts_url,
                device=current.device, queued_at=time.time(), log_offset=0))
            return self._get(conn, run_id, with_config=True)

        return self._write(work)

    # --- reading ------------------------------------------------------------------------------------------------
    def get(self, run_id: str) -> RunRecord:
        return self._read(lambda conn: self._get(conn, run_id, with_config=True))

    def _get(self, conn: Connection, run_id: str, *, with_config: bool) -> RunRecord:
        row = conn.execute(_joined(with_config).where(runs_table.c.id == run_id)).mappings().first()
        if row is None:
            raise RegistryError(f"no run {run_id!r} in the registry")
        return _record(row)

    def list_runs(self, *, states: tuple[str, ...] | None = None, with_config: bool = False) -> list[RunRecord]:
        """Runs, newest first, each with its current attempt; configs and snapshots only when asked (they are
        large)."""
        query = _joined(with_config).order_by(runs_table.c.created_at.desc(), runs_table.c.id.desc())
        if states is not None:
            query = query.where(attempts_table.c.state.in_(states))
        return self._read(lambda conn: [_record(r) for r in conn.execute(query).mappings()])

    def is_empty(self) -> bool:
        """Whether no run is registered (cheaper than listing them)."""
        return self._read(lambda conn: conn.scalar(select(runs_table.c.id).limit(1))) is None

    def attempts(self, run_id: str) -> list[dict[str, Any]]:
        """Every attempt of a run, first to last."""
        query = select(attempts_table).where(attempts_table.c.run_id == run_id).order_by(attempts_table.c.number)
        return self._read(lambda conn: [dict(r) for r in conn.execute(query).mappings()])

    # --- state changes ------------------------------------------------------------------------------------------
    def transition(self, run_id: str, attempt: int, to: str, *, expected: tuple[str, ...] | None = None,
                   **values: Any) -> bool:
        """Compare-and-set: move the attempt to ``to`` (setting ``values`` too) if its state is one ``to`` may be
        reached from (and one of ``expected``, when given). True if this call made the change."""
        if to not in SOURCES:
            raise ValueError(f"no transition leads to {to!r}")
        _check_columns(values)
        sources = [s for s in SOURCES[to] if expected is None or s in expected]
        query = update(attempts_table).where(
            attempts_table.c.run_id == run_id, attempts_table.c.number == attempt,
            attempts_table.c.state.in_(sources)).values(state=to, **{STAMPS[to]: time.time()}, **values)
        return self._write(lambda conn: conn.execute(query).rowcount == 1)

    def update_active(self, run_id: str, attempt: int, **values: Any) -> bool:
        """Set fields of an attempt that is not finished (a heartbeat, a pid, a log offset); a finished attempt is
        never touched. True if it was not finished."""
        _check_columns(values)
        query = update(attempts_table).where(
            attempts_table.c.run_id == run_id, attempts_table.c.number == attempt,
            attempts_table.c.state.in_(("queued", *ACTIVE))).values(**values)
        return self._write(lambda conn: conn.execute(query).rowcount == 1)

    def heartbeat(self, run_id: str, attempt: int, progress: dict | None = None,
                  metrics: dict | None = None) -> bool:
        """The job is alive (with its latest progress and metrics); False once the attempt is finished."""
        values: dict[str, Any] = {"heartbeat_at": time.time()}
        if progress is not None:
            values["progress"] = progress
        if metrics is not None:
            values["metrics"] = metrics
        return self.update_active(run_id, attempt, **values)

    def cancel_requested(self, run_id: str, attempt: int) -> bool:
        query = select(attempts_table.c.cancel_requested_at).where(attempts_table.c.run_id == run_id,
                                                                   attempts_table.c.number == attempt)
        return self._read(lambda conn: conn.scalar(query)) is not None

    def record_function_keys(self, run_id: str, functions: list[dict[str, Any]], errors: list[str]) -> None:
        """Add to a run's functions snapshot the cache keys of the functions found in it (computed by the job,
        which may run user code; the app may not)."""
        def work(conn: Connection) -> None:
            snapshot = conn.scalar(select(runs_table.c.functions).where(runs_table.c.id == run_id)) or {}
            conn.execute(update(runs_table).where(runs_table.c.id == run_id).values(
                functions={**snapshot, "functions": functions, "errors": errors}))

        self._write(work)

    def request_cancel(self, run_id: str) -> RunRecord:
        """Ask the current attempt to stop: a queued one is cancelled at once; a starting or running one is
        flagged, and whoever runs it stops it (between steps, then by signals). A finished run stays as it is."""
        def work(conn: Connection) -> RunRecord:
            record = self._get(conn, run_id, with_config=False)
            now = time.time()
            where = (attempts_table.c.run_id == run_id, attempts_table.c.number == record.attempt)
            conn.execute(update(attempts_table).where(*where, attempts_table.c.state == "queued").values(
                state="cancelled", ended_at=now, cancel_requested_at=now, error="cancelled before it started"))
            conn.execute(update(attempts_table).where(*where, attempts_table.c.state.in_(ACTIVE),
                                                      attempts_table.c.cancel_requested_at.is_(None))
                         .values(cancel_requested_at=now))
            return self._get(conn, run_id, with_config=True)

        return self._write(work)

    def claim_next(self, device: str, *, host: str, slots: int = 1) -> RunRecord | None:
        """Atomically move the oldest queued local attempt for ``device`` to ``starting`` on ``host``, if fewer
        than ``slots`` attempts are active on that device there (command-line runs count too); else None."""
        def work(conn: Connection) -> RunRecord | None:
            busy = conn.scalar(select(func.count()).select_from(attempts_table).where(
                attempts_table.c.state.in_(ACTIVE), attempts_table.c.device == device,
                attempts_table.c.host == host, attempts_table.c.backend.in_(LOCAL_BACKENDS)))
            if busy >= slots:
                return None
            nxt = conn.execute(select(attempts_table.c.run_id, attempts_table.c.number).where(
                attempts_table.c.state == "queued", attempts_table.c.device == device,
                attempts_table.c.backend == "local").order_by(attempts_table.c.queued_at, attempts_table.c.run_id)
                .limit(1)).first()
            if nxt is None:
                return None
            conn.execute(update(attempts_table).where(
                attempts_table.c.run_id == nxt.run_id, attempts_table.c.number == nxt.number,
                attempts_table.c.state == "queued").values(state="starting", started_at=time.time(), host=host))
            return self._get(conn, nxt.run_id, with_config=True)

        return self._write(work)

    def queued_devices(self) -> list[str]:
        """The devices that local attempts are queued for."""
        query = select(attempts_table.c.device).distinct().where(attempts_table.c.state == "queued",
                                                                 attempts_table.c.backend == "local")
        return self._read(lambda conn: sorted(conn.scalars(query)))

    # --- deleting -----------------------------------------------------------------------------------------------
    def delete_run(self, run_id: str) -> None:
        """Remove a finished run and its attempts from the registry (its folder is the caller's to remove)."""
        def work(conn: Connection) -> None:
            record = self._get(conn, run_id, with_config=False)
            if not record.finished:
                raise RegistryError(f"run {record.name!r} is {record.state}; cancel it before deleting it")
            conn.execute(delete(attempts_table).where(attempts_table.c.run_id == run_id))
            conn.execute(delete(runs_table).where(runs_table.c.id == run_id))

        self._write(work)

    def dispose(self) -> None:
        """Close the pooled connections (a forked or finishing process)."""
        self.engine.dispose()


def _check_columns(values: dict[str, Any]) -> None:
    unknown = set(values) - set(attempts_table.c.keys())
    if unknown:
        raise ValueError(f"not attempt columns: {sorted(unknown)}")


def _joined(with_config: bool):
    columns = [runs_table.c[c] for c in _RUN_COLUMNS] + [attempts_table.c[c] for c in _ATTEMPT_COLUMNS]
    if with_config:
        columns += [runs_table.c.config, runs_table.c.functions]
    return select(*columns).select_from(runs_table.join(attempts_table, and_(
        attempts_table.c.run_id == runs_table.c.id, attempts_table.c.number == runs_table.c.attempt)))


def _record(row) -> RunRecord:
    return RunRecord(**{k: row[k] for k in row.keys()})


def _reason(e: SQLAlchemyError) -> str:
    return str(getattr(e, "orig", None) or e).strip().splitlines()[0]


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        # Other databases: SERIALIZABLE makes claim_next's count-then-claim as safe as SQLite's single writer
        return create_engine(url, isolation_level="SERIALIZABLE", pool_pre_ping=True, json_serializer=_strict_json)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, json_serializer=_strict_json)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy's BEGIN below be the only transaction control (pysqlite would otherwise begin lazily,
        # too late to take the write lock up front), and turn on WAL: readers never wait for the writer.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL's recommended setting: durable at each checkpoint
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql(f"BEGIN {conn.info.get('begin', 'DEFERRED')}")

    return engine


def _strict_json(value: Any) -> str:
    """JSON columns as strict JSON (PostgreSQL refuses NaN): an undefined metric is stored as null."""
    def finite(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: finite(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [finite(x) for x in v]
        return v

    return json.dumps(finite(value), allow_nan=False, default=str)
