"""The run registry's databases: a SQLite file (the default), and a real PostgreSQL server on 127.0.0.1 when this
machine has one (started here as the postgres user, stopped by its pid), as a team would point the app at."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _pg_unavailable() -> str | None:
    if not (PG_BIN / "postgres").exists():
        return f"no PostgreSQL server at {PG_BIN}"
    if os.geteuid() != 0:
        return "starting PostgreSQL here needs root (to run it as the postgres user)"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no postgres user to run the server as"
    if importlib.util.find_spec("psycopg") is None:
        return "the psycopg driver is not installed (requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def postgres_server():
    """(host, port) of a throwaway PostgreSQL cluster; skipped, saying why, where none can be started."""
    reason = _pg_unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg

    folder = Path(tempfile.mkdtemp(prefix="mmtl-pg-"))
    shutil.chown(folder, "postgres")
    subprocess.run([str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-U", "mmtl", "--auth=trust", "-E", "UTF8",
                    "-N"], user="postgres", check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(PG_BIN / "postgres"), "-D", str(folder / "data"), "-p", str(port), "-k",
                               str(folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
                              user="postgres", stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(f"host=127.0.0.1 port={port} user=mmtl dbname=postgres").close()
                break
            except psycopg.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        server.send_signal(signal.SIGQUIT)  # immediate shutdown: the cluster is thrown away
        server.wait(60)
        shutil.rmtree(folder)


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request, tmp_path) -> str:
    """A fresh, empty registry database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.sqlite'}"
    import psycopg

    host, port = request.getfixturevalue("postgres_server")
    name = f"registry_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(f"host={host} port={port} user=mmtl dbname=postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://mmtl@{host}:{port}/{name}"


@pytest.fixture
def registry(registry_url):
    """A Registry on ``registry_url``, its pooled connections closed after the test."""
    from mmtl_core.runs.registry import Registry

    opened = Registry(registry_url)
    yield opened
    opened.dispose()
