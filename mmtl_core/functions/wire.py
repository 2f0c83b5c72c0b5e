"""Messages between the server and the sandboxed function host: plain data only, never pickle from the sandbox.

A message is JSON (dicts, lists, text, numbers, None) plus numpy arrays of a few plain dtypes, sent as raw bytes:

    header length (4 bytes) | header JSON | per array: length (8 bytes) | bytes

Unpickling what the sandbox sends would let the user's code run in the server, so the server reads only this.
The other way (server to host) one pickled payload may ride along (``trusted=True`` on the host's side): the
dataset, whose values pandas holds as arbitrary Python objects.
"""

from __future__ import annotations

import json
import pickle
import socket
import struct
from typing import Any

import numpy as np

#: Dtypes an array may have on the wire (what columns and matrices use).
DTYPES = {np.dtype(t).str: np.dtype(t) for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.float32,
                                                  np.float64)}
MAX_HEADER = 64 * 2**20
MAX_BLOB = 8 * 2**30


class WireError(Exception):
    """The other side sent something that is not a message (or hung up)."""


class Pickled:
    """A payload to be pickled on the way to the host (the trusted direction only)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _encode(value: Any, blobs: list[bytes]) -> Any:
    if isinstance(value, np.ndarray):
        if value.dtype.str not in DTYPES:
            raise TypeError(f"arrays of dtype {value.dtype} do not go on the wire")
        blobs.append(np.ascontiguousarray(value).tobytes())
        return {"__array__": len(blobs) - 1, "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, Pickled):
        blobs.append(pickle.dumps(value.value, protocol=5))
        return {"__pickle__": len(blobs) - 1}
    if isinstance(value, dict):
        return {str(k): _encode(v, blobs) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v, blobs) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _decode(value: Any, blobs: list[bytes], trusted: bool) -> Any:
    if isinstance(value, dict):
        if "__array__" in value:
            dtype = DTYPES.get(value.get("dtype"))
            if dtype is None:
                raise WireError(f"an array of dtype {value.get('dtype')!r} is not accepted")
            return np.frombuffer(blobs[value["__array__"]], dtype=dtype).reshape(value["shape"]).copy()
        if "__pickle__" in value:
            if not trusted:
                raise WireError("a pickled payload is not accepted from this side")
            return pickle.loads(blobs[value["__pickle__"]])
        return {k: _decode(v, blobs, trusted) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, blobs, trusted) for v in value]
    return value


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    blobs: list[bytes] = []
    header = json.dumps(_encode(message, blobs), allow_nan=True).encode()
    parts = [struct.pack("<I", len(header)), header]
    for blob in blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    sock.sendall(struct.pack("<I", len(blobs)) + b"".join(parts))


def _read(sock: socket.socket, n: int) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise WireError("the other side closed the connection")
        got += k
    return bytes(buf)


def receive(sock: socket.socket, *, trusted: bool = False) -> dict[str, Any]:
    """One message. ``trusted`` (the host reading the server) also accepts a pickled payload."""
    (count,) = struct.unpack("<I", _read(sock, 4))
    (size,) = struct.unpack("<I", _read(sock, 4))
    if size > MAX_HEADER or count > 4096:
        raise WireError(f"a message header of {size} bytes with {count} arrays is not accepted")
    try:
        header = json.loads(_read(sock, size))
    except ValueError as e:
        raise WireError(f"a message header is not JSON: {e}") from e
    blobs = []
    for _ in range(count):
        (length,) = struct.unpack("<Q", _read(sock, 8))
        if length > MAX_BLOB:
            raise WireError(f"an array of {length} bytes is not accepted")
        blobs.append(_read(sock, length))
    message = _decode(header, blobs, trusted)
    if not isinstance(message, dict):
        raise WireError("a message must be a JSON object")
    return message
