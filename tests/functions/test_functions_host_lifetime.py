"""The function host lives and dies with the server: killed outright (as the out-of-memory killer would) while a
worker loops, the server leaves no process behind and its port is free for a restart. Real processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SERVER = textwrap.dedent('''
    import socket, sys
    from pathlib import Path
    import pandas as pd
    sys.path.insert(0, {repo!r})
    from mmtl_core.data.dataset import Dataset
    from mmtl_core.functions import FunctionHost, apply_modules

    listener = socket.create_server(("127.0.0.1", {port}))  # the "server's" port
    host = FunctionHost()
    host.start()
    print("host", host.pid, flush=True)
    data = Dataset("toy", pd.DataFrame({{"example_id": ["a", "b"], "split": "train", "text": ["x", "y"]}}))

    def progress(fraction, note):
        if note.startswith("Running"):
            print("running", flush=True)

    apply_modules(data, Path({folder!r}), host=host, timeout_s=600, progress=progress)
''')

ENDLESS = '''
from snorkel.labeling import labeling_function

@labeling_function()
def forever(x):
    while True:
        pass
'''


def _session_members(sid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[3]) == sid and fields[0] != "Z":  # the session id; zombies are already dead
                found.append(int(entry.name))
    return found


def test_killing_the_server_while_a_worker_loops_leaves_no_orphan_and_frees_the_port(tmp_path):
    folder = tmp_path / "lfs"
    folder.mkdir()
    (folder / "endless.py").write_text(ENDLESS)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(repo=str(REPO), port=port, folder=str(folder))],
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        launcher = int(server.stdout.readline().split()[1])
        assert server.stdout.readline().strip() == "running"
        time.sleep(0.5)  # the worker is spinning now
        members = _session_members(launcher)
        assert len(members) >= 3  # the launcher, the host, its child, the worker
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 10
        while _session_members(launcher) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_members(launcher) == [], "processes of the function host outlived the server"
        with socket.create_server(("127.0.0.1", port)):  # a restarted server gets its port back
            pass
    finally:
        server.stdout.close()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        for pid in _session_members(server.pid):
            os.kill(pid, signal.SIGKILL)


def test_scratch_folders_of_killed_servers_are_removed_and_a_stopped_host_leaves_none(tmp_path, monkeypatch):
    import tempfile

    from mmtl_core.functions import FunctionHost
    from mmtl_core.functions.client import SCRATCH_PREFIX

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / f"{SCRATCH_PREFIX}{2**22 + 7}-abc"  # no process has that pid (pid_max is at most 2**22)
    dead.mkdir()
    host = FunctionHost()
    host.start()
    try:
        assert not dead.exists()
        assert len(list(tmp_path.glob(f"{SCRATCH_PREFIX}{os.getpid()}-*"))) == 1  # its own, while it runs
    finally:
        host.stop()
    assert list(tmp_path.glob(f"{SCRATCH_PREFIX}*")) == []
