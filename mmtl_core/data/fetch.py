"""Fetching one URL to a file with progress, and verifying files by sha256: the plumbing under download.py."""

from __future__ import annotations

import hashlib
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from mmtl_core.errors import DownloadError

#: ``progress(done_bytes, total_bytes)``; total is 0 when the server does not say how long the file is.
Progress = Callable[[int, int], None]

BASE_URL_ENV = "MMTL_DOWNLOAD_BASE_URL"
_CHUNK = 1 << 16


def resolve_url(url: str, base_url: str | None) -> str:
    """``url`` itself, or the same file name under ``base_url`` (argument, else ``$MMTL_DOWNLOAD_BASE_URL``).

    A mirror is a folder serving the archives under their public file names (``RTE.zip``,
    ``youtube+spam+collection.zip``, ``msr_paraphrase_train.txt``...).
    """
    base = base_url or os.environ.get(BASE_URL_ENV)
    if not base:
        return url
    return base.rstrip("/") + "/" + urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]


def offline_message(url: str, why: str) -> str:
    from mmtl_core.data.registry import LOADERS  # the list of alternatives comes from the code that loads them

    ways = "; ".join(ld.description for ld in LOADERS.values())
    host = urllib.parse.urlsplit(url).netloc
    return (f"cannot download {url}: {why}. This machine may have no network access, or {host} is unreachable. "
            f"Without a download you can load data you already have: {ways}.")


def fetch(url: str, dest: Path, progress: Progress | None = None, timeout_s: float = 30.0) -> None:
    """Download ``url`` to ``dest``; network failures raise DownloadError saying what failed and what else works."""
    request = urllib.request.Request(url, headers={"User-Agent": "mmtl-studio"})
    try:
        out = open(dest, "wb")
    except OSError as e:
        raise DownloadError(f"cannot write the download to {dest}: {e.strerror}") from e
    with out:
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                total = int(response.headers.get("Content-Length") or 0)
                done = 0
                if progress:
                    progress(0, total)
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        except urllib.error.HTTPError as e:
            raise DownloadError(f"cannot download {url}: the server answered {e.code} {e.reason}") from e
        except urllib.error.URLError as e:
            raise DownloadError(offline_message(url, _why(e.reason))) from e
        except TimeoutError as e:
            raise DownloadError(offline_message(url, f"timed out after {timeout_s:g} s")) from e
        except OSError as e:  # a connection reset mid-transfer, and the like
            raise DownloadError(offline_message(url, str(e))) from e


def _why(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return f"the host name could not be resolved ({reason})"
    return str(reason)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def verify(path: Path, expected: str, label: str) -> None:
    """Raise DownloadError naming ``label`` when the file's sha256 is not ``expected``."""
    got = sha256_of(path)
    if got != expected:
        raise DownloadError(f"{label} failed its checksum: sha256 {got[:16]}..., expected {expected[:16]}...; "
                            "the download is corrupt or the public copy changed. Nothing was saved.")
