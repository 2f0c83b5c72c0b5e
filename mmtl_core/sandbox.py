"""Containment of the process that runs the user's code: what the kernel offers, used where it is there.

:func:`enter_sandbox` is called once by the function host (:mod:`host`) at its start, before it reads any user
file. In order, where the kernel and the privileges allow:

* the process dies when its parent (the server) does (``PR_SET_PDEATHSIG``), in a process group of its own;
* new namespaces (``unshare``; an unprivileged user gets them inside a user namespace): a PID namespace, whose
  first process is the host, so that every process the user's code starts dies with the host and no process of
  the server is visible (nor its environment in ``/proc``); a network namespace with only its own loopback (no
  network) unless network is allowed; a mount namespace in which secret folders (``~/.ssh``, cloud credentials)
  are covered by empty read-only folders, every filesystem is read-only, and only a private scratch folder and
  ``/dev/shm`` are writable (both in memory, invisible outside, gone with the host);
* every capability dropped and ``no_new_privs`` set, so the code cannot undo any of the above.

Landlock is probed and reported, not used: the mount namespace already blocks writes and hides the secret folders.
Everything the process inherits from the server's environment is chosen by the caller (:mod:`client`).
:func:`protections` lists what is active, for the app to show.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import importlib
import os
import signal
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 1024, 2048, 1 << 21, 1 << 24
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 24, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
_LANDLOCK_CREATE_RULESET, _LANDLOCK_RESTRICT_SELF = 444, 446  # x86_64 and aarch64 share the numbers
_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, _LANDLOCK_SCOPE_SIGNAL = 1, 2  # Landlock ABI 6
#: The only devices the sandbox's /dev holds (no disks, no kernel log, no kvm).
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
_MOUNT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
                "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}

#: Folders and files under the home folder that hold credentials: covered (empty, read-only) inside the sandbox.
SECRET_PATHS = (".ssh", ".aws", ".azure", ".config/gcloud", ".kube", ".docker", ".gnupg", ".netrc",
                ".git-credentials", ".pypirc", ".config/gh", ".npmrc", ".cache/huggingface/token",
                ".huggingface/token", ".config/rclone", ".s3cfg", ".boto")


@dataclass(frozen=True)
class Protection:
    """One protection of the sandbox: whether it is active on this machine, and what it means or why not."""

    name: str
    active: bool
    detail: str

    def to_plain(self) -> dict:
        return {"name": self.name, "active": self.active, "detail": self.detail}


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def die_with_parent(expected_parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when the thread that started it ends; exit now if it already has."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(0)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = (lambda s: None if s is None else s.encode())
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def _unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _mount_points() -> list[tuple[str, int]]:
    """Every mount point of this mount namespace with the flags a bind remount must keep."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")  # octal escapes such as \040 for a space
            flags = 0
            for option in fields[5].split(","):
                flags |= _MOUNT_FLAGS.get(option, 0)
            out.append((point, flags))
    return out


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 where there is none."""
    version = _libc.syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(0, version)


def confine_signals() -> bool:
    """Put this process (and what it starts) in a Landlock domain of its own: it can no longer send signals to, or
    reach the abstract Unix sockets of, any process outside it. Needs Landlock ABI 6 and no_new_privs; returns
    whether it held (False where the kernel lacks it)."""
    if landlock_abi() < 6:
        return False
    attr = ctypes.create_string_buffer(struct.pack("QQQ", 0, 0, _LANDLOCK_SCOPE_SIGNAL
                                                   | _LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET), 24)
    fd = _libc.syscall(_LANDLOCK_CREATE_RULESET, attr, ctypes.c_size_t(24), ctypes.c_uint32(0))
    if fd < 0:
        return False
    try:
        return _libc.syscall(_LANDLOCK_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) == 0
    finally:
        os.close(fd)


def landlock_status() -> str:
    """Whether the kernel offers Landlock (its ABI version), in words."""
    version = _libc.syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if version >= 6:
        return (f"ABI {version}: the host, and each worker on its own, may not signal (or reach the abstract "
                "sockets of) any process outside it, so a function cannot kill the process applying it")
    if version >= 0:
        return f"ABI {version}, too old to confine signals (needs 6); not used"
    code = ctypes.get_errno()
    if code == errno.ENOSYS:
        return "unavailable: this kernel was built without Landlock"
    if code == errno.EOPNOTSUPP:
        return "unavailable: Landlock is not enabled in this kernel (boot option lsm=...,landlock)"
    return f"unavailable: {os.strerror(code)}"


def _loopback_up() -> None:
    """Bring up the new network namespace's own loopback, so code that talks to 127.0.0.1 internally works."""
    SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


def _drop_privileges() -> None:
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for cap in range(last + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EPERM once CAP_SETPCAP is gone: nothing left to drop
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = ctypes.create_string_buffer(24)  # effective, permitted, inheritable: all zero (two 32-bit halves)
    _check(_libc.capset(ctypes.c_char_p(header), data), "capset")


def _hide(paths: list[Path]) -> list[str]:
    """Cover each existing secret path with an empty read-only folder (or /dev/null for a file)."""
    hidden = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            continue
        target = str(path.resolve())
        if path.is_dir():
            _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=000")
        else:
            _mount("/dev/null", target, None, MS_BIND)
            _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        hidden.append(str(path))
    return hidden


def _minimal_dev(staging: Path) -> None:
    """Replace /dev by a small one (:data:`DEVICES`, /dev/shm, the usual links): no disk, kernel log or kvm device
    stays reachable (a read-only mount does not stop writes to device files)."""
    _mount("tmpfs", str(staging), "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755")
    for name in DEVICES:
        if Path("/dev", name).exists():
            (staging / name).touch()
            _mount(f"/dev/{name}", str(staging / name), None, MS_BIND)
    (staging / "shm").mkdir()
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        (staging / name).symlink_to(target)
    _mount(str(staging), "/dev", None, MS_MOVE)


def _read_only_everywhere(keep: set[str]) -> list[str]:
    """Remount every mount point read-only except ``keep``; returns those that refused (empty: all done)."""
    refused = []
    for point, flags in _mount_points():
        # /proc is fresh and read-only already; under /dev are only the devices bound there (and the old /dev's
        # mounts, now out of reach beneath the new one)
        if point in keep or point == "/proc" or point.startswith(("/proc/", "/dev/")):
            continue
        try:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError as e:
            refused.append(f"{point} ({e.strerror})")
    return refused


def enter_sandbox(scratch: Path, secret_paths: list[Path], network: bool, expected_parent: int, *,
                  user_namespace: bool = False, memory_note: str = "") -> list[Protection]:
    """Contain this process (see the module docstring) and return what is active. Must run single-threaded.

    Where a PID namespace is made, this process forks: the parent waits and exits with the child, which
    returns from here as the namespace's first process.
    """
    die_with_parent(expected_parent)
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)
    failed: dict[str, str] = {}
    wanted = {"mount": CLONE_NEWNS, "pid": CLONE_NEWPID, **({} if network else {"net": CLONE_NEWNET})}
    made = _unshare_what_is_allowed(wanted, failed, user_namespace or os.geteuid() != 0)
    if "pid" in made:
        _become_namespace_init()
    hidden: list[str] = []
    refused: list[str] = []
    if "mount" in made:
        try:
            _mount("none", "/", None, MS_REC | MS_PRIVATE)  # nothing below propagates back to the server's view
            if "pid" in made:  # read-only: no /proc/sysrq-trigger and the like, whatever the privileges
                _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)
            hidden = _hide(secret_paths + [Path("/run")])
            _minimal_dev(scratch)  # built on the scratch folder's spot, then moved to /dev
            refused = _read_only_everywhere({str(scratch)})
            _mount("tmpfs", str(scratch), "tmpfs", MS_NOSUID | MS_NODEV, "size=1g,mode=700")
            if Path("/dev/shm").is_dir():
                _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777")
        except OSError as e:
            failed["mount"] = str(e)
    if "net" in made:
        _loopback_up()
    try:
        _drop_privileges()
        privileges = True
    except OSError as e:
        failed["privileges"] = str(e)
        privileges = False
    confined = privileges and confine_signals()
    os.chdir(scratch)
    return _describe(made, failed, hidden, refused, network, privileges, scratch, confined, memory_note)


def _unshare_what_is_allowed(wanted: dict[str, int], failed: dict[str, str], in_user_namespace: bool) -> set[str]:
    """All namespaces at once, else each alone; without root, inside a user namespace mapping us to its root."""
    uid, gid = os.geteuid(), os.getegid()
    user = CLONE_NEWUSER if in_user_namespace else 0
    try:
        _unshare(user | sum(wanted.values()))
        made = set(wanted)
    except OSError:
        made = set()
        for name, flag in wanted.items():
            try:
                _unshare((user if not made else 0) | flag)
                made.add(name)
            except OSError as e:
                failed[name] = e.strerror or str(e)
    if made and user:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
    return made


def _become_namespace_init() -> None:
    """Fork: the child is process 1 of the new PID namespace and carries on; this process waits and exits with it."""
    pid = os.fork()
    if pid == 0:
        die_with_parent()
        return
    for fd in range(3, 1024):  # the child holds the channel to the server; this one only waits
        try:
            os.close(fd)
        except OSError:
            pass
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _describe(made: set[str], failed: dict[str, str], hidden: list[str], refused: list[str], network: bool,
              privileges: bool, scratch: Path, confined: bool, memory_note: str) -> list[Protection]:
    mount_ok = "mount" in made and "mount" not in failed

    def why(name: str) -> str:
        return f"unavailable: {failed.get(name, 'not offered by this kernel')}"

    root_refused = any(r.startswith("/ (") for r in refused)
    return [
        Protection("separate process", True, "modules are imported and functions run in a sandboxed function "
                   "host and its short-lived children, never in the server"),
        Protection("dies with the server", True, "parent-death signal and own process group"
                   + (", and a PID namespace: every process the user's code starts dies with it" if "pid" in made
                      else "")),
        Protection("scrubbed environment", True, "no variable of the server's environment is passed on"),
        Protection("scratch folder", True, f"working and temporary folder {scratch}"
                   + (" (private, in memory, gone with the host)" if mount_ok else "")),
        Protection("memory cap", True, f"each worker's address space is capped{memory_note} (MMTL_FUNCTION_MEMORY)"),
        Protection("CPU-time cap", True, "each function's CPU time is capped at its time limit"),
        Protection("no network", "net" in made and not network,
                   "allowed by MMTL_FUNCTIONS_NETWORK" if network else
                   ("a network namespace with only its own loopback" if "net" in made else why("net"))),
        Protection("secret folders hidden", mount_ok and bool(hidden),
                   ("covered: " + ", ".join(hidden)) if mount_ok and hidden else
                   ("none of the known secret folders exist here" if mount_ok else why("mount"))),
        Protection("writes outside the scratch folder blocked", mount_ok and not root_refused,
                   ("every filesystem is read-only, /proc too, and /dev holds only " + ", ".join(DEVICES)
                    + (f"; these stayed writable: {', '.join(refused)}" if refused else ""))
                   if mount_ok and not root_refused else why("mount")),
        Protection("other processes hidden", "pid" in made and mount_ok,
                   "a PID namespace with its own /proc" if "pid" in made and mount_ok else why("pid")),
        Protection("privileges dropped", privileges, "every capability dropped, no_new_privs set" if privileges
                   else why("privileges")),
        Protection("signals confined (Landlock)", confined, landlock_status()),
    ]


def main(argv: list[str] | None = None) -> None:
    """The function host's entry point (see :mod:`mmtl_core.functions.client`): sandbox first, then the host."""
    parser = argparse.ArgumentParser(prog="mmtl function host")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--import-timeout", type=float, required=True)
    parser.add_argument("--network", action="store_true")
    parser.add_argument("--user-namespace", action="store_true")
    args = parser.parse_args(argv)
    protections = enter_sandbox(Path(args.scratch), [Path(p) for p in args.hide], args.network, args.parent,
                                user_namespace=args.user_namespace, memory_note=f" at {args.memory / 2**30:.1f} GB")
    # Imported only now, inside the sandbox: these libraries start threads, and unshare needs a lone thread.
    host = importlib.import_module("mmtl_core.functions.host")
    limits = importlib.import_module("mmtl_core.functions.limits")
    host.serve(args.fd, limits.Limits(args.memory, args.import_timeout, args.network), protections)
