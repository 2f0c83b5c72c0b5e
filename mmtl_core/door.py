"""The door of the app: who may talk to the server that runs the user's code.

The app runs Python its users write, so reaching it is reaching the machine. :class:`Door` is an ASGI middleware
placed in front of every route (pages, the websocket, static files) before any page script runs:

* a request whose ``Host`` header is not one of this server's names is refused (403, or the websocket closed):
  a web page on another origin that maps its own DNS name to 127.0.0.1 (DNS rebinding) gets nothing;
* where a token is required, a request must carry it: ``?token=...`` in the URL once (the door then sets a cookie
  and redirects to the same URL without it), the cookie afterwards, or an ``Authorization: token ...`` header.

:func:`door_settings` decides from the bound address and the environment: on loopback only loopback names are
allowed and no token is needed (unless ``$MMTL_TOKEN`` is set); beyond loopback a token is required — the one in
``$MMTL_TOKEN`` or a random one printed at start, as Jupyter does; ``MMTL_TOKEN=""`` refuses to start there.
``$MMTL_ALLOWED_HOSTS`` (comma separated) adds names, e.g. the machine's DNS name behind a proxy.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from mmtl_core.errors import ConfigError

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
COOKIE = "mmtl_token"
MIN_TOKEN_LENGTH = 16
_installed = False


def is_loopback(address: str) -> bool:
    if address in ("", "localhost"):
        return address == "localhost"
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The name in a Host header, without its port ("[::1]:8501" -> "::1")."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


@dataclass(frozen=True)
class DoorSettings:
    allowed_hosts: frozenset[str]
    token: str | None  # None: no token needed (loopback, no $MMTL_TOKEN)

    def url_suffix(self) -> str:
        return f"?token={self.token}" if self.token else ""


def _machine_names() -> set[str]:
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    try:
        names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    return names


def door_settings(address: str, environ: MutableMapping[str, str] | None = None) -> DoorSettings:
    """The door for a server bound to ``address``; ConfigError when it must not start (see the module docstring)."""
    env = os.environ if environ is None else environ
    extra = {h.strip().lower() for h in env.get("MMTL_ALLOWED_HOSTS", "").split(",") if h.strip()}
    hosts = set(LOOPBACK_NAMES) | extra
    token = env.get("MMTL_TOKEN")
    if is_loopback(address):
        return DoorSettings(frozenset(hosts), token or None)
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError(f"the app is bound to {address!r}, beyond this machine, where anyone who reaches it can "
                          f"run code on it: it needs a token of at least {MIN_TOKEN_LENGTH} characters in "
                          "MMTL_TOKEN (unset it to have one generated and printed); "
                          + ("MMTL_TOKEN is empty" if not token else f"MMTL_TOKEN has {len(token)} characters"))
    if address not in ("0.0.0.0", "::"):
        hosts.add(address.strip("[]").lower())
    else:
        hosts |= _machine_names()
    return DoorSettings(frozenset(hosts), token or secrets.token_urlsafe(24))


def installed() -> bool:
    """Whether this process serves pages through a :class:`Door` (a page refuses to run over HTTP without one)."""
    return _installed


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _cookie_value(token: str) -> str:
    """What the cookie holds: a digest of the token, so the token itself is not replayed from the cookie store."""
    return hmac.new(token.encode(), b"mmtl-studio-session", hashlib.sha256).hexdigest()


class Door:
    """ASGI middleware: refuse foreign Host headers, and requests without the token where one is required."""

    def __init__(self, app: Callable[..., Awaitable[None]], settings: DoorSettings) -> None:
        global _installed
        _installed = True
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = _host_name(_header(scope, b"host"))
        if host not in self.settings.allowed_hosts:
            await _refuse(scope, send, f"Refused: {host or 'no host'!r} is not this app's address. MMTL Studio "
                                       "runs code: it answers only to its own names (MMTL_ALLOWED_HOSTS adds one).")
            return
        token = self.settings.token
        if token is None:
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if scope["type"] == "http" and hmac.compare_digest(query.get("token", ""), token):
            await _set_cookie_and_redirect(scope, send, query, _cookie_value(token))
            return
        if self._authenticated(scope, query, token):
            await self.app(scope, receive, send)
            return
        await _refuse(scope, send, "Refused: this app needs its token. Open the URL with ?token=... that the "
                                   "server printed when it started.", status=401)

    def _authenticated(self, scope: Scope, query: dict[str, str], token: str) -> bool:
        cookies = SimpleCookie()
        try:
            cookies.load(_header(scope, b"cookie"))
        except Exception:  # noqa: BLE001 (a malformed cookie header is simply not a login)
            return False
        if COOKIE in cookies and hmac.compare_digest(cookies[COOKIE].value, _cookie_value(token)):
            return True
        authorization = _header(scope, b"authorization")
        return authorization.startswith("token ") and hmac.compare_digest(authorization[6:].strip(), token)


async def _refuse(scope: Scope, send: Send, message: str, status: int = 403) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
        return
    body = message.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _set_cookie_and_redirect(scope: Scope, send: Send, query: dict[str, str], value: str) -> None:
    rest = {k: v for k, v in query.items() if k != "token"}
    location = scope.get("root_path", "") + scope["path"] + (f"?{urlencode(rest)}" if rest else "")
    cookie = f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict"
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode()),
                            (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


def start_message(settings: DoorSettings, address: str, port: int) -> str | None:
    """The line the server prints at start when a token is required (as Jupyter does), else None."""
    if settings.token is None:
        return None
    shown = socket.gethostname() if address in ("0.0.0.0", "::", "") else address
    return f"MMTL Studio needs its token here. Open: http://{shown}:{port}/?token={settings.token}"
