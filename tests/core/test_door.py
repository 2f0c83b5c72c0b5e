"""The door: foreign Host headers refused, a token where one is needed, no start without one beyond loopback.

The middleware is tested as the ASGI callable it is, and then in front of the real app (``streamlit run app.py``
on a free loopback port), where requests and a websocket upgrade go through it before any page script runs.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mmtl_core.door import COOKIE, Door, door_settings, start_message
from mmtl_core.errors import ConfigError
from ports import free_port

REPO = Path(__file__).resolve().parents[2]


def test_settings_on_loopback_need_no_token_and_allow_only_loopback_names():
    door = door_settings("127.0.0.1", {})
    assert door.token is None and door.allowed_hosts == {"localhost", "127.0.0.1", "::1"}
    assert door_settings("127.0.0.1", {"MMTL_ALLOWED_HOSTS": "studio.lan, Other.Lan"}).allowed_hosts >= \
        {"studio.lan", "other.lan"}
    assert door_settings("127.0.0.1", {"MMTL_TOKEN": "x" * 20}).token == "x" * 20  # asked for: required anyway


def test_beyond_loopback_a_token_is_generated_or_taken_and_an_empty_one_refuses_to_start():
    generated = door_settings("0.0.0.0", {})
    assert generated.token and len(generated.token) >= 16
    assert "?token=" + generated.token in start_message(generated, "0.0.0.0", 8501)
    assert door_settings("10.1.2.3", {"MMTL_TOKEN": "t" * 16}).token == "t" * 16
    assert "10.1.2.3" in door_settings("10.1.2.3", {}).allowed_hosts
    with pytest.raises(ConfigError, match="MMTL_TOKEN is empty"):
        door_settings("0.0.0.0", {"MMTL_TOKEN": ""})
    with pytest.raises(ConfigError, match="at least 16 characters"):
        door_settings("10.1.2.3", {"MMTL_TOKEN": "short"})


def call(door: Door, scope: dict) -> list[dict]:
    sent: list[dict] = []
    reached: list[bool] = []

    async def app(scope, receive, send):
        reached.append(True)
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    door.app = app
    asyncio.run(door(scope, receive, send))
    return sent if not reached else [{"reached": True}]


def scope_for(host: str, query: bytes = b"", headers: tuple = ()) -> dict:
    return {"type": "http", "path": "/", "query_string": query, "headers": [(b"host", host.encode()), *headers]}


def test_a_foreign_host_header_is_refused_before_the_app():
    door = Door(None, door_settings("127.0.0.1", {}))
    assert call(door, scope_for("127.0.0.1:8501")) == [{"reached": True}]
    assert call(door, scope_for("localhost")) == [{"reached": True}]
    assert call(door, scope_for("[::1]:8501")) == [{"reached": True}]
    refused = call(door, scope_for("rebound.attacker.example:8501"))
    assert refused[0]["status"] == 403 and b"rebound.attacker.example" in refused[1]["body"]
    [closed] = call(door, {**scope_for("rebound.attacker.example"), "type": "websocket"})
    assert closed["type"] == "websocket.close" and closed["code"] == 1008


def test_the_token_once_in_the_url_then_a_cookie():
    door = Door(None, door_settings("127.0.0.1", {"MMTL_TOKEN": "s" * 24}))
    assert call(door, scope_for("127.0.0.1"))[0]["status"] == 401
    assert call(door, scope_for("127.0.0.1", b"token=wrong"))[0]["status"] == 401
    start = call(door, scope_for("127.0.0.1", b"token=" + b"s" * 24 + b"&page=labeling"))[0]
    headers = dict(start["headers"])
    assert start["status"] == 303 and headers[b"location"] == b"/?page=labeling"
    cookie = headers[b"set-cookie"].split(b";")[0]
    assert b"HttpOnly" in headers[b"set-cookie"] and b"s" * 24 not in cookie  # the cookie is not the token
    assert call(door, scope_for("127.0.0.1", headers=((b"cookie", cookie),))) == [{"reached": True}]
    assert call(door, scope_for("127.0.0.1", headers=((b"cookie", COOKIE.encode() + b"=forged"),)))[0]["status"] == 401
    by_header = scope_for("127.0.0.1", headers=((b"authorization", b"token " + b"s" * 24),))
    assert call(door, by_header) == [{"reached": True}]
    assert call(door, scope_for("evil.example", headers=((b"cookie", cookie),)))[0]["status"] == 403


def _serve(tmp_path: Path, address: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", address,
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env={**os.environ, "MMTL_WORKSPACE": str(tmp_path / "ws"), "MMTL_FUNCTIONS_DIR":
                       str(tmp_path / "fn"), **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    return proc, port


def _get(port: int, path: str, host: str, headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": host, **(headers or {})})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_the_real_app_refuses_a_foreign_host_and_asks_its_token(tmp_path):
    token = "t0k3n-" + "x" * 20
    proc, port = _serve(tmp_path, "127.0.0.1", {"MMTL_TOKEN": token})
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status = _get(port, "/_stcore/health", f"127.0.0.1:{port}").status
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
                time.sleep(0.3)
        assert status == 401  # even the health check needs the token
        assert _get(port, "/", f"rebound.attacker.example:{port}").status == 403
        login = _get(port, f"/?token={token}", f"127.0.0.1:{port}")
        assert login.status == 303
        cookie = login.getheader("set-cookie").split(";")[0]
        assert _get(port, "/", f"127.0.0.1:{port}", {"Cookie": cookie}).status == 200
        assert _get(port, "/_stcore/health", f"localhost:{port}", {"Cookie": cookie}).status == 200
        assert _get(port, "/", f"rebound.attacker.example:{port}", {"Cookie": cookie}).status == 403
        # The page's live channel: a websocket upgrade from a foreign origin's name is refused too.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(f"GET /_stcore/stream HTTP/1.1\r\nHost: rebound.attacker.example:{port}\r\n"
                      f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                      f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: {cookie}\r\n\r\n".encode())
            assert s.recv(200).split(b"\r\n")[0] in (b"HTTP/1.1 403 Forbidden",)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        proc.stdout.close()


def test_the_app_will_not_start_beyond_loopback_with_an_empty_token(tmp_path):
    proc, port = _serve(tmp_path, "0.0.0.0", {"MMTL_TOKEN": ""})
    try:
        out, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0 and "MMTL Studio will not start" in out and "MMTL_TOKEN is empty" in out
    with socket.create_server(("127.0.0.1", port)):  # it never listened
        pass
