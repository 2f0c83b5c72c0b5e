"""Containment of the user's code, through the library, with real processes and real namespaces.

Each test tries what a careless user or an attacker would (exit the process at import, loop, read a secret, write
outside, open a socket, allocate past the cap) and checks what the app now does. Where the kernel does not offer a
protection on the machine running the tests, the test says so and is skipped.
"""

from __future__ import annotations

import os
import socket
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError
from mmtl_core.functions import FunctionHost, LabelCache, apply_modules
from mmtl_core.functions.limits import GB, Limits

IMPORT_TIMEOUT_S = 2.0


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A home folder with a (fake) private key, as the server's user has."""
    home = tmp_path_factory.mktemp("home")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n")
    return home


@pytest.fixture(scope="module")
def host(home):
    os.environ["MMTL_TEST_SECRET"] = "s3cr3t"  # in the server's environment when the host starts
    host = FunctionHost(Limits(memory_bytes=2 * GB, import_timeout_s=IMPORT_TIMEOUT_S), home=home)
    try:
        host.start()
        yield host
    finally:
        host.stop()
        del os.environ["MMTL_TEST_SECRET"]


def protection(host: FunctionHost, name: str):
    found = {p.name: p for p in host.protections}[name]
    if not found.active:
        pytest.skip(f"the kernel does not offer '{name}' here: {found.detail}")
    return found


def toy() -> Dataset:
    return Dataset("toy", pd.DataFrame({"example_id": ["t:0", "t:1", "t:2"], "split": "train",
                                        "text": ["free money", "hello", "a song"]}))


def write(folder: Path, name: str, *parts: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("\n".join(textwrap.dedent(p) for p in parts))


GOOD = '''
from snorkel.labeling import labeling_function

@labeling_function()
def says_free(x):
    return 1 if "free" in x.text else -1
'''


@pytest.mark.parametrize("body, reason", [
    ("os._exit(1)\n", "calls os._exit(1) at import, which would end the app's process"),
    ("while True: pass\n", f"did not finish importing within {IMPORT_TIMEOUT_S:g} s"),
    ("time.sleep(45)\n", f"did not finish importing within {IMPORT_TIMEOUT_S:g} s"),
    ("raise KeyboardInterrupt\n", "KeyboardInterrupt"),
    ("raise SystemExit(3)\n", "SystemExit: 3"),
    ("ctypes.string_at(0)\n", "crashed the import process (Segmentation fault)"),
])
def test_a_module_that_ends_hangs_or_interrupts_its_import_is_reported_and_the_others_load(host, tmp_path, body,
                                                                                           reason):
    folder = tmp_path / "lfs"
    write(folder, "a_good.py", GOOD)
    write(folder, "b_bad.py", "import ctypes, os, time\n\n" + body)
    started = time.monotonic()
    run = apply_modules(toy(), folder, cache=LabelCache(tmp_path / "cache"), host=host)
    assert time.monotonic() - started < IMPORT_TIMEOUT_S + 20
    [error] = run.errors
    assert "b_bad.py, line 3" in str(error) and reason in str(error) and error.line == 3
    assert [f.name for f in run.functions] == ["says_free"]
    assert run.applied["labeling"].column("says_free").tolist() == [1, -1, -1]


def test_a_hanging_import_is_remembered_until_the_file_changes_and_can_be_run_again(host, tmp_path):
    folder, cache = tmp_path / "lfs", LabelCache(tmp_path / "cache")
    write(folder, "a_good.py", GOOD)
    write(folder, "b_slow.py", "import time\ntime.sleep(45)\n")
    notes: list[str] = []
    first = apply_modules(toy(), folder, cache=cache, host=host)
    started = time.monotonic()
    again = apply_modules(toy(), folder, cache=cache, host=host, progress=lambda f, note: notes.append(note))
    assert time.monotonic() - started < IMPORT_TIMEOUT_S  # not imported again: no time limit paid
    assert not any("b_slow.py" in n for n in notes)
    [error] = again.errors
    assert error.remembered and "remembered" in str(error) and str(first.errors[0]) in str(error)
    retried = apply_modules(toy(), folder, cache=cache, host=host, rerun=["b_slow.py"])
    assert "remembered" not in str(retried.errors[0])  # asked for: imported (and timed out) once more
    write(folder, "b_slow.py", "SLOW = False\n")  # the file changed: imported again, and fine now
    assert apply_modules(toy(), folder, cache=cache, host=host).errors == ()


def test_a_function_allocating_past_the_cap_is_reported_as_such(host, tmp_path):
    folder = tmp_path / "lfs"
    write(folder, "memory.py", '''
        from snorkel.labeling import labeling_function

        @labeling_function()
        def hog(x):
            block = bytearray(3 * 2**30)
            return 1 if block else -1
        ''', GOOD)
    run = apply_modules(toy(), folder, host=host)
    report = run.applied["labeling"].reports["hog"]
    assert "used more than 2.0 GB of memory" in report.error and "MMTL_FUNCTION_MEMORY" in report.error
    assert run.applied["labeling"].column("says_free").tolist() == [1, -1, -1]


def test_a_timed_out_function_is_remembered_and_not_rerun_until_it_changes(host, tmp_path):
    folder, cache = tmp_path / "lfs", LabelCache(tmp_path / "cache")
    code = '''
        from snorkel.labeling import labeling_function

        @labeling_function()
        def forever(x):
            while True:
                pass
        '''
    write(folder, "loops.py", code, GOOD)
    first = apply_modules(toy(), folder, cache=cache, host=host, timeout_s=1.0)
    assert first.applied["labeling"].reports["forever"].timed_out
    started = time.monotonic()
    again = apply_modules(toy(), folder, cache=cache, host=host, timeout_s=1.0)
    report = again.applied["labeling"].reports["forever"]
    assert time.monotonic() - started < 1.0 and report.remembered_failure and report.timed_out
    assert "remembered" in report.messages[0]
    rerun = apply_modules(toy(), folder, cache=cache, host=host, timeout_s=1.0, rerun=["forever"])
    assert not rerun.applied["labeling"].reports["forever"].from_cache
    write(folder, "loops.py", code.replace("while True:\n                pass", "return 0"), GOOD)
    fixed = apply_modules(toy(), folder, cache=cache, host=host, timeout_s=1.0)
    assert fixed.applied["labeling"].reports["forever"].ok and fixed.applied["labeling"].column("forever").tolist() \
        == [0, 0, 0]


SPY = '''
import os
import socket
from snorkel.labeling import labeling_function

@labeling_function()
def reads_key(x):
    try:
        return 1 if "PRIVATE KEY" in open({key!r}).read() else 0
    except OSError:
        return 0

@labeling_function()
def reads_env(x):
    return 1 if os.environ.get("MMTL_TEST_SECRET") else 0

@labeling_function()
def reads_server_env(x):
    try:
        return 1 if b"s3cr3t" in open("/proc/{server}/environ", "rb").read() else 0
    except OSError:
        return 0

@labeling_function()
def writes_outside(x):
    try:
        with open({outside!r}, "w") as f:
            f.write("was here")
        return 1
    except OSError:
        return 0

@labeling_function()
def deletes_outside(x):
    try:
        os.remove({victim!r})
        return 1
    except OSError:
        return 0

@labeling_function()
def writes_scratch(x):
    with open("scratch.txt", "w") as f:
        f.write("fine")
    return 1

@labeling_function()
def phones_home(x):
    try:
        socket.create_connection(("{address}", {port}), timeout=2).sendall(b"secret")
        return 1
    except OSError:
        return 0
'''


def run_spy(host: FunctionHost, home: Path, tmp_path: Path):
    """A module of functions that try to leak and damage, applied once, with a TCP server listening for them."""
    listener = socket.create_server(("127.0.0.1", 0))
    heard: list[bytes] = []

    def listen() -> None:
        listener.settimeout(30)
        try:
            conn, _ = listener.accept()
            heard.append(conn.recv(100))
        except OSError:
            pass

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    folder = tmp_path / "lfs"
    write(folder, "spy.py", SPY.format(key=str(home / ".ssh" / "id_rsa"), server=os.getpid(),
                                       outside=str(tmp_path / "outside.txt"), victim=str(victim),
                                       address="127.0.0.1", port=listener.getsockname()[1]))
    run = apply_modules(toy(), folder, host=host)
    listener.close()
    thread.join(5)
    columns = {name: run.applied["labeling"].column(name).tolist() for name in run.applied["labeling"].names}
    return columns, heard, tmp_path, victim


@pytest.fixture
def spy_run(host, home, tmp_path):
    return run_spy(host, home, tmp_path)


def test_the_same_protections_hold_inside_a_user_namespace(home, tmp_path):
    # What an unprivileged user's server gets (a user namespace makes the others possible), tried here as root.
    host = FunctionHost(Limits(memory_bytes=2 * GB), home=home, user_namespace=True)
    try:
        host.start()
        inactive = [f"{p.name}: {p.detail}" for p in host.protections if not p.active and p.name != "Landlock"]
        if inactive:
            pytest.skip(f"the kernel refuses user namespaces here: {inactive}")
        columns, heard, _, victim = run_spy(host, home, tmp_path)
    finally:
        host.stop()
    assert all(v == [0, 0, 0] for name, v in columns.items() if name != "writes_scratch"), columns
    assert columns["writes_scratch"] == [1, 1, 1] and heard == [] and victim.read_text() == "keep me"


def test_the_servers_environment_is_not_passed_on(spy_run):
    columns, *_ = spy_run
    assert columns["reads_env"] == [0, 0, 0]


def test_a_secret_folder_cannot_be_read(host, spy_run):
    protection(host, "secret folders hidden")
    assert spy_run[0]["reads_key"] == [0, 0, 0]


def test_the_servers_process_is_invisible(host, spy_run):
    protection(host, "other processes hidden")
    assert spy_run[0]["reads_server_env"] == [0, 0, 0]


def test_writes_and_deletes_outside_the_scratch_folder_fail(host, spy_run):
    protection(host, "writes outside the scratch folder blocked")
    columns, _, tmp_path, victim = spy_run
    assert columns["writes_outside"] == [0, 0, 0] and not (tmp_path / "outside.txt").exists()
    assert columns["deletes_outside"] == [0, 0, 0] and victim.read_text() == "keep me"
    assert columns["writes_scratch"] == [1, 1, 1]


def test_no_network_not_even_the_servers_loopback(host, spy_run):
    protection(host, "no network")
    columns, heard, *_ = spy_run
    assert columns["phones_home"] == [0, 0, 0] and heard == []


def test_the_host_cannot_undo_its_sandbox(host, tmp_path):
    protection(host, "privileges dropped")
    folder = tmp_path / "lfs"
    write(folder, "escape.py", '''
        import ctypes
        from snorkel.labeling import labeling_function

        libc = ctypes.CDLL(None, use_errno=True)

        @labeling_function()
        def remounts(x):
            # remount / read-write, then unshare back: both need capabilities the host dropped
            ok = libc.mount(None, b"/", None, 32 | 4096, None) == 0 or libc.unshare(0x00020000) == 0
            return 1 if ok else 0
        ''')
    assert apply_modules(toy(), folder, host=host).applied["labeling"].column("remounts").tolist() == [0, 0, 0]


def test_a_function_cannot_kill_the_process_applying_it(host, tmp_path):
    protection(host, "signals confined (Landlock)")
    folder = tmp_path / "lfs"
    write(folder, "killers.py", '''
        import os, signal
        from snorkel.labeling import labeling_function

        @labeling_function()
        def kills_parent(x):
            os.kill(os.getppid(), signal.SIGKILL)
            return 1
        ''', GOOD)
    run = apply_modules(toy(), folder, host=host)
    report = run.applied["labeling"].reports["kills_parent"]
    assert report.faults == 3 and report.first_error.startswith("PermissionError")
    assert run.applied["labeling"].column("says_free").tolist() == [1, -1, -1]  # the same analysis is whole


def test_a_function_that_takes_over_the_process_applying_it_spoils_one_analysis_not_the_host(host, tmp_path):
    # A worker talks to the process coordinating the analysis over a pipe: a function can send it a pickle that
    # runs code there. The analysis fails, naming what was running; the host and the next analysis are fine.
    folder = tmp_path / "lfs"
    write(folder, "hijack.py", '''
        import gc, os
        from multiprocessing.connection import Connection
        from snorkel.labeling import labeling_function

        class Exit:  # unpickled in the coordinating process: it ends itself
            def __reduce__(self):
                return (exec, ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)",))

        @labeling_function()
        def hijacks(x):
            for obj in gc.get_objects():
                if isinstance(obj, Connection) and not obj.closed:
                    obj.send(Exit())
            return 1
        ''')
    write(folder, "good.py", GOOD)
    launcher = host.pid
    run = apply_modules(toy(), folder, host=host)
    report = run.applied["labeling"].reports["hijacks"]
    assert "ended (killed by SIGKILL) while running" in report.error and "hijacks" in report.error
    assert apply_modules(toy(), folder, ["good.py"], host=host).applied["labeling"].column("says_free").tolist() \
        == [1, -1, -1]
    assert host.pid == launcher  # the same host: nothing was restarted


def test_a_function_cannot_kill_the_host(host, tmp_path):
    protection(host, "other processes hidden")  # the host is process 1 of its namespace: immune from inside
    folder = tmp_path / "lfs"
    write(folder, "killers.py", '''
        import os, signal
        from snorkel.labeling import labeling_function

        @labeling_function()
        def kills_host(x):
            os.kill(1, signal.SIGKILL)
            os.kill(-1, signal.SIGKILL)
            return 1
        ''')
    write(folder, "good.py", GOOD)
    host_pid = host.pid
    apply_modules(toy(), folder, host=host)
    assert apply_modules(toy(), folder, ["good.py"], host=host).applied["labeling"].column("says_free").tolist() \
        == [1, -1, -1]
    assert host.pid == host_pid


def test_an_unknown_module_name_is_an_error_naming_it(host, tmp_path):
    (tmp_path / "lfs").mkdir()
    run = apply_modules(toy(), tmp_path / "lfs", ["nope.py"], host=host)
    assert isinstance(run.errors[0], FunctionError) and "nope.py" in str(run.errors[0])


class PageRerun(Exception):
    """What Streamlit raises in a progress callback when the user clicks during an analysis."""


def test_an_analysis_given_up_midway_stops_and_the_host_serves_the_next(host, tmp_path):
    folder = tmp_path / "lfs"
    write(folder, "slow.py", '''
        from snorkel.labeling import labeling_function

        @labeling_function()
        def slow(x):
            while True:
                pass
        ''', GOOD)

    def give_up(fraction, note):
        if note.startswith("Running"):
            raise PageRerun

    started = time.monotonic()
    with pytest.raises(PageRerun):
        apply_modules(toy(), folder, host=host, timeout_s=60, progress=give_up)
    run = apply_modules(toy(), folder, ["slow.py"], host=host, timeout_s=1)
    assert time.monotonic() - started < 30  # the abandoned loop did not hold the host for its 60 s
    assert run.applied["labeling"].column("says_free").tolist() == [1, -1, -1]


def test_a_host_that_died_is_restarted_on_the_next_request(home, tmp_path):
    host = FunctionHost(Limits(memory_bytes=2 * GB), home=home)
    try:
        host.start()
        folder = tmp_path / "lfs"
        write(folder, "good.py", GOOD)
        apply_modules(toy(), folder, host=host)
        first = host.pid
        os.killpg(first, 9)  # as the out-of-memory killer might
        time.sleep(0.5)
        run = apply_modules(toy(), folder, host=host)
        assert host.pid != first and run.applied["labeling"].column("says_free").tolist() == [1, -1, -1]
    finally:
        host.stop()


def test_a_module_that_writes_garbage_on_the_hosts_channel_costs_only_itself(host, tmp_path):
    folder = tmp_path / "lfs"
    write(folder, "a_good.py", GOOD)
    write(folder, "b_forger.py", '''
        import gc, socket
        for obj in gc.get_objects():
            if isinstance(obj, socket.socket) and obj.fileno() >= 0:
                obj.sendall(b"\\xff" * 64)  # not a message
        ''')
    launcher = host.pid
    run = apply_modules(toy(), folder, host=host)
    assert [str(e).split(":")[0] for e in run.errors] == ["b_forger.py"]
    assert run.applied["labeling"].column("says_free").tolist() == [1, -1, -1] and host.pid == launcher
